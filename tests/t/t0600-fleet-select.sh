#!/bin/bash
test_description='fleets: tags from create/update, shown by ls; one --filter/--all selection for exec, ping and audit'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'create --tag and update --tag/--untag keep tags in Metadata.ctxmgr.tags' '
	ctxmgr create web1 --host tcp://web1.example.com:2376 --tag web --tag eu -q >/dev/null &&
	ctxmgr create db1 --host tcp://db1.example.com:2376 --tag db -q >/dev/null &&
	ctxmgr create bare --host tcp://bare.example.com:2376 -q >/dev/null &&
	ctxmgr update web1 --tag zz --untag eu --tag web -q >/dev/null &&
	python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
assert m[\"Metadata\"][\"ctxmgr\"][\"tags\"] == [\"web\", \"zz\"], m
" "$DOCKER_CONFIG/contexts/meta/$(ctx_dir web1)/meta.json" &&
	ctxmgr update web1 --untag zz --untag web -q >/dev/null &&
	python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
assert \"ctxmgr\" not in m[\"Metadata\"], m
" "$DOCKER_CONFIG/contexts/meta/$(ctx_dir web1)/meta.json" &&
	ctxmgr update web1 --tag web --tag eu -q >/dev/null
'

test_expect_success 'docker reads a tagged context and keeps its tags' '
	docker context inspect web1 >out &&
	test_grep "\"tags\"" out &&
	docker context update web1 --description "by docker" >/dev/null &&
	ctxmgr ls --tags >out &&
	test_grep "^web1 .*by docker.*eu,web" out
'

test_expect_success 'ls keeps docker columns; --tags adds TAGS; json adds Tags' '
	ctxmgr ls >out &&
	head -n1 out >head &&
	test_grep "^NAME *DESCRIPTION *DOCKER ENDPOINT *ERROR *$" head &&
	ctxmgr ls --tags >out &&
	test_grep "^NAME .*ERROR *TAGS *$" out &&
	test_grep "^db1 .*tcp://db1.example.com:2376 *db *$" out &&
	ctxmgr ls --format json >out.json &&
	python3 -c "
import json
d = {c[\"Name\"]: c[\"Tags\"] for c in json.load(open(\"out.json\"))}
assert d[\"web1\"] == [\"eu\", \"web\"] and d[\"db1\"] == [\"db\"], d
assert d[\"bare\"] == [] and d[\"default\"] == [], d
" &&
	test "$(ctxmgr ls -q --filter tag=web)" = web1
'

test_expect_success 'hostile tags are refused and nothing is written' '
	store_snapshot >before &&
	for t in "a,b" "a b" "$(printf "a\tb")" "$(printf "x\033[2J")" "" \
		"$(printf "%065d" 0)" "$(printf "\377")"; do
		test_expect_code 2 ctxmgr update db1 --tag "$t" 2>err &&
		test_grep "tag" err &&
		test_expect_code 2 ctxmgr create t-bad --host tcp://x:1 --tag "$t" 2>/dev/null ||
		exit 1
	done &&
	! grep -q "$(printf "\033")" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
