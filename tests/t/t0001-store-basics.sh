#!/bin/bash
test_description='create, ls, use, show, inspect, update, rm, rename'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'create writes the bytes docker writes' '
	ctxmgr create foo --direct --description "d <&>" --host ssh://u@h:22/var/run/docker.sock >out 2>err &&
	echo foo >expect && test_cmp expect out &&
	test_grep "Successfully created context \"foo\"" err &&
	docker context create bar --description "d <&>" --docker host=ssh://u@h:22/var/run/docker.sock &&
	d=$DOCKER_CONFIG/contexts/meta &&
	sed s/bar/foo/ $d/$(ctx_dir bar)/meta.json >expect &&
	test_cmp expect $d/$(ctx_dir foo)/meta.json &&
	test "$(stat -c %a $d/$(ctx_dir foo)/meta.json)" = 644 &&
	test "$(stat -c %a $d/$(ctx_dir foo))" = 755
'

test_expect_success 'ls lists both, sorted, with default' '
	ctxmgr ls -q >out &&
	printf "bar\ndefault\nfoo\n" >expect &&
	test_cmp expect out &&
	ctxmgr ls >out &&
	test_grep "^default \*" out &&
	test_grep "^NAME  *DESCRIPTION  *DOCKER ENDPOINT  *ERROR" out
'

test_expect_success 'use switches; docker agrees; use - goes back' '
	ctxmgr use foo &&
	test "$(docker context show)" = foo &&
	ctxmgr use bar &&
	test "$(ctxmgr show)" = bar &&
	ctxmgr use - &&
	test "$(docker context show)" = foo &&
	ctxmgr use - &&
	test "$(ctxmgr prompt)" = bar
'

test_expect_success 'inspect matches docker context inspect' '
	ctxmgr inspect foo >out &&
	docker context inspect foo >expect &&
	test_cmp expect out
'

test_expect_success 'unknown command suggests the nearest one' '
	test_expect_code 2 ctxmgr craete x 2>err &&
	test_grep "did you mean \"create\"" err
'
test_done
