#!/bin/bash
test_description='config.json: only currentContext changes, byte for byte'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'setup' '
	ctxmgr create one --host ssh://h1 -q &&
	ctxmgr create two --host ssh://h2 -q &&
	mkdir -p $DOCKER_CONFIG &&
	cat >$DOCKER_CONFIG/config.json <<-\EOF
	{
	    "auths" : { "registry.example" : { "auth" : "dXNlcjpwYXNz" } },
	    "credsStore": "pass",
	    "credHelpers": {"gcr.example": "gcloud"},
	    "proxies": {"default": {"httpProxy": "http://proxy:3128", "noProxy": "*.local"}},
	    "someUnknownKey": [1, 2.50, {"nested": "}{"}],
	    "psFormat": "table {{.ID}}"
	}
	EOF
	chmod 640 $DOCKER_CONFIG/config.json
'

test_expect_success 'use inserts currentContext and keeps every other byte' '
	cp $DOCKER_CONFIG/config.json orig &&
	ctxmgr use one &&
	grep -v currentContext $DOCKER_CONFIG/config.json | sed "s/\"table {{.ID}}\",/\"table {{.ID}}\"/" >now &&
	test_cmp orig now &&
	test_grep "^    \"currentContext\": \"one\"$" $DOCKER_CONFIG/config.json &&
	test "$(stat -c %a $DOCKER_CONFIG/config.json)" = 640 &&
	test "$(docker context show)" = one
'

test_expect_success 'use again changes only the value; use default removes it' '
	sed "s/\"one\"/\"two\"/" $DOCKER_CONFIG/config.json >expect &&
	ctxmgr use two &&
	test_cmp expect $DOCKER_CONFIG/config.json &&
	ctxmgr use default &&
	test_cmp orig $DOCKER_CONFIG/config.json
'

test_expect_success 'docker itself drops unknown keys; ctxmgr does not' '
	cp orig $DOCKER_CONFIG/config.json &&
	docker context use one >/dev/null 2>&1 &&
	! grep -q someUnknownKey $DOCKER_CONFIG/config.json &&
	cp orig $DOCKER_CONFIG/config.json &&
	ctxmgr use one -q &&
	test_grep someUnknownKey $DOCKER_CONFIG/config.json
'

test_expect_success 'a missing config.json is created 0600 in a 0700 dir' '
	rm -rf fresh && mkdir fresh &&
	DOCKER_CONFIG=$PWD/fresh/cfg ctxmgr create x1 --host ssh://h -q &&
	DOCKER_CONFIG=$PWD/fresh/cfg ctxmgr use x1 -q &&
	test "$(stat -c %a fresh/cfg/config.json)" = 600 &&
	test "$(stat -c %a fresh/cfg)" = 700 &&
	DOCKER_CONFIG=$PWD/fresh/cfg docker context show >out &&
	echo x1 >expect && test_cmp expect out
'

test_expect_success 'a symlinked config.json is followed, as Docker does' '
	cp orig real-config.json &&
	ln -sf $PWD/real-config.json $DOCKER_CONFIG/config.json &&
	ctxmgr use two -q &&
	test -L $DOCKER_CONFIG/config.json &&
	test_grep "\"currentContext\": \"two\"" real-config.json &&
	rm $DOCKER_CONFIG/config.json && cp orig $DOCKER_CONFIG/config.json
'

test_expect_success 'an invalid config.json is reported and left alone' '
	printf "{\"auths\": {" >$DOCKER_CONFIG/config.json &&
	cp $DOCKER_CONFIG/config.json broken &&
	test_must_fail ctxmgr use one 2>err &&
	test_grep "config.json" err &&
	test_cmp broken $DOCKER_CONFIG/config.json &&
	test_must_fail ctxmgr show 2>err &&
	cp orig $DOCKER_CONFIG/config.json
'

test_expect_success 'precedence: --context, DOCKER_HOST, DOCKER_CONTEXT, config' '
	ctxmgr use one -q &&
	test "$(ctxmgr show)" = one &&
	test "$(DOCKER_CONTEXT=two ctxmgr show)" = two &&
	test "$(DOCKER_HOST=unix:///x DOCKER_CONTEXT=two ctxmgr show)" = default &&
	test "$(DOCKER_HOST=unix:///x ctxmgr --context two show)" = two &&
	test "$(DOCKER_HOST=unix:///x ctxmgr prompt)" = "" &&
	DOCKER_HOST=unix:///x ctxmgr use two 2>err >/dev/null &&
	test_grep "DOCKER_HOST" err &&
	test "$(docker context show)" = "$(ctxmgr show)"
'
test_done
