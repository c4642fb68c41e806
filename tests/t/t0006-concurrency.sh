#!/bin/bash
test_description='50 concurrent writers leave a valid store with nothing lost'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'setup' '
	ctxmgr create base1 --host ssh://h1 -q &&
	ctxmgr create base2 --host ssh://h2 -q &&
	printf "{\n\t\"auths\": {\"r\": {}},\n\t\"keepMe\": true\n}" >$DOCKER_CONFIG/config.json
'

test_expect_success '25 creates and 25 uses at once' '
	for i in $(seq -w 1 25); do
		ctxmgr create "c$i" --host "ssh://host$i" -q >/dev/null 2>"err-c$i" &
		if [ $((10#$i % 2)) = 0 ]; then n=base1; else n=base2; fi
		ctxmgr use "$n" -q >/dev/null 2>"err-u$i" &
	done &&
	wait &&
	cat err-* >errs && test ! -s errs &&
	ctxmgr ls -q >names &&
	test $(grep -c "^c[0-9][0-9]$" names) -eq 25 &&
	ctxmgr ls --format json >ls.json &&
	python3 -c "import json; d=json.load(open(\"ls.json\")); assert not [c for c in d if c[\"Error\"]], d" &&
	docker context ls -q >dnames && test $(grep -c "^c[0-9][0-9]$" dnames) -eq 25 &&
	python3 -c "import json; d=json.load(open(\"$DOCKER_CONFIG/config.json\")); assert d[\"keepMe\"] is True and \"r\" in d[\"auths\"] and d[\"currentContext\"] in (\"base1\", \"base2\"), d" &&
	! ls $DOCKER_CONFIG/.*.tmp-* $DOCKER_CONFIG/contexts/meta/*/.*.tmp-* 2>/dev/null
'

test_expect_success 'concurrent creates of one name: exactly one wins' '
	for i in $(seq 1 20); do
		ctxmgr create same --host "ssh://h$i" -q >/dev/null 2>>race-err &
	done &&
	wait &&
	test $(grep -c "already exists" race-err) -eq 19 &&
	ctxmgr inspect same >/dev/null
'
test_done
