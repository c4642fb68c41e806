#!/bin/bash
test_description='a writer killed or out of space leaves no temporary file or empty meta dir'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

# CTXMGR_TEST_FAULT (common/fault.h) kills ctxmgr at a precise point.
META=$DOCKER_CONFIG/contexts/meta
ca_passphrase

# leftovers: every temporary name and meta dir without meta.json
leftovers() {
	find "$DOCKER_CONFIG" "$TRASH/ca" -name '.*.tmp-*' 2>/dev/null
	for d in "$META"/*/; do
		[ -d "$d" ] && [ ! -e "$d/meta.json" ] && echo "$d"
	done
	true
}

# with_fault SPEC ARGS...: ctxmgr ARGS with CTXMGR_TEST_FAULT=SPEC
with_fault() {
	CTXMGR_TEST_FAULT=$1 "$CTXMGR" "${@:2}"
}

no_leftovers() {
	leftovers >left && test_must_fail test -s left
}

test_expect_success 'setup' '
	ctxmgr create aa --host ssh://aa -q && ctxmgr create bb --host ssh://bb -q &&
	ctxmgr use aa -q &&
	python3 -c "import json; p=\"$DOCKER_CONFIG/config.json\"; d=json.load(open(p)); d[\"auths\"]={\"r.example\": {\"auth\": \"c2VjcmV0\"}}; json.dump(d, open(p, \"w\"))" &&
	cp "$DOCKER_CONFIG/config.json" config.before
'

test_expect_success 'killed after writing config.json, before naming it: nothing left' '
	test_expect_code 137 with_fault file-written/config.json:kill use bb &&
	test_cmp config.before "$DOCKER_CONFIG/config.json" &&
	no_leftovers &&
	ctxmgr use bb -q && test "$(ctxmgr show)" = bb
'

test_expect_success 'killed between naming and rename: the next writer removes the copy' '
	test_expect_code 137 with_fault file-linked/config.json:kill use aa &&
	ls -a "$DOCKER_CONFIG" | grep "^\.config\.json\.tmp-" >tmps &&
	test "$(wc -l <tmps)" = 1 &&
	test_grep c2VjcmV0 "$DOCKER_CONFIG/$(cat tmps)" &&
	test "$(stat -c %a "$DOCKER_CONFIG/$(cat tmps)")" = 600 &&
	test "$(ctxmgr show)" = bb &&
	ctxmgr use aa -q && no_leftovers
'

test_expect_success 'without O_TMPFILE a named temporary is left, and removed next time' '
	test_expect_code 137 with_fault tmpfile:enospc,file-written/config.json:kill use bb &&
	ls -a "$DOCKER_CONFIG" | grep -c "^\.config\.json\.tmp-" >n && test "$(cat n)" = 1 &&
	ctxmgr use bb -q && no_leftovers &&
	python3 -c "import json; d=json.load(open(\"$DOCKER_CONFIG/config.json\")); assert d[\"auths\"] and d[\"currentContext\"] == \"bb\""
'

test_expect_success 'create killed before meta.json: the same create works next' '
	test_expect_code 137 with_fault file-written/meta.json:kill create cc --host ssh://cc &&
	test_must_fail ctxmgr inspect cc 2>/dev/null &&
	ctxmgr create cc --host ssh://cc -q && ctxmgr inspect cc >/dev/null &&
	no_leftovers
'

test_expect_success 'a meta dir holding only our temporary file goes at the next create' '
	test_expect_code 137 with_fault tmpfile:enospc,file-written/meta.json:kill create dd --host ssh://dd &&
	leftovers >left && test "$(grep -c . left)" = 2 &&
	ctxmgr create ee --host ssh://ee -q &&
	no_leftovers && docker context ls -q >names && test_grep "^ee$" names
'

test_expect_success 'an empty meta dir goes when stale; a fresh one is left to Docker' '
	test_expect_code 137 with_fault meta-dir:kill create ff --host ssh://ff &&
	leftovers >left && test "$(grep -c . left)" = 1 &&
	ctxmgr create gg --host ssh://gg -q &&
	leftovers >left && test "$(grep -c . left)" = 1 &&
	touch -d "1 minute ago" "$(cat left)" &&
	ctxmgr create hh --host ssh://hh -q &&
	no_leftovers
'

test_expect_success 'a full disk in create leaves no meta dir' '
	test_expect_code 1 with_fault file-written/meta.json:enospc create ii --host ssh://ii 2>err &&
	test_grep "No space left on device" err &&
	test_expect_code 1 with_fault meta-dir:enospc create ii --host ssh://ii 2>err &&
	no_leftovers &&
	printf "hosts:\n  - {name: j1, host: j1}\n  - {name: j2, host: j2}\n" >inv.yaml &&
	test_expect_code 1 with_fault file-written/meta.json:enospc:2 import-hosts inv.yaml 2>err &&
	test_grep "nothing imported" err &&
	no_leftovers && test_must_fail ctxmgr inspect j1 2>/dev/null &&
	ctxmgr export aa aa.tar -q >/dev/null &&
	test_expect_code 1 with_fault file-written/meta.json:enospc import imp aa.tar 2>err &&
	test_grep "No space left on device" err &&
	no_leftovers && test_must_fail ctxmgr inspect imp 2>/dev/null &&
	test_expect_code 137 with_fault meta-dir:kill import imp aa.tar &&
	touch -d "1 minute ago" "$META/$(ctx_dir imp)" &&
	ctxmgr import imp2 aa.tar -q >/dev/null && no_leftovers
'

test_expect_success 'a new context never inherits TLS files left under its name' '
	d="$DOCKER_CONFIG/contexts/tls/$(ctx_dir stray)/docker" &&
	mkdir -p "$d" && echo key >"$d/key.pem" && echo cert >"$d/cert.pem" &&
	ctxmgr create stray --host tcp://127.0.0.1:2376 -q &&
	test ! -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir stray)" &&
	ctxmgr inspect stray >out && ! grep -q key.pem out && no_leftovers
'

test_expect_success 'ca issue killed at each write: no temporary name, the next issue works' '
	ca_init_fast --dir "$TRASH/ca" >/dev/null &&
	ctxmgr create tt --host tcp://127.0.0.1:2376 -q &&
	n=1 &&
	while :; do
		st=0 &&
		with_fault file-written:kill:$n ca issue client tt \
			--dir "$TRASH/ca" >/dev/null 2>&1 || st=$? &&
		no_leftovers || { echo "after a kill at write $n:"; cat left; exit 1; } &&
		if [ $st = 0 ]; then break; fi &&
		test $st = 137 && n=$((n + 1)) && test $n -lt 30 || exit 1
	done &&
	say "ca issue completed once not killed at write $n" &&
	test $n -gt 2 &&
	ctxmgr ca issue client tt --dir "$TRASH/ca" >/dev/null &&
	no_leftovers
'

test_expect_success 'ca issue killed without O_TMPFILE: the next CA writer removes the names' '
	n=1 seen=0 &&
	while :; do
		st=0 &&
		with_fault tmpfile:enospc,file-written:kill:$n ca issue client tt \
			--dir "$TRASH/ca" >/dev/null 2>&1 || st=$? &&
		if [ $st = 0 ]; then break; fi &&
		test $st = 137 &&
		leftovers >left && if [ -s left ]; then seen=$((seen + 1)); fi &&
		ctxmgr ca ls --dir "$TRASH/ca" >/dev/null &&
		ctxmgr ca issue client tt --dir "$TRASH/ca" >/dev/null &&
		no_leftovers &&
		n=$((n + 1)) && test $n -lt 30 || exit 1
	done &&
	say "$seen of $((n - 1)) kills left a name, removed by the next CA writer" &&
	test $seen -ge 1
'
test_done
