#!/bin/bash
test_description='use - after switches made by the docker CLI, and "did you mean" for context names'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'setup: three contexts, ci current' '
	for c in ci web db; do
		ctxmgr create $c --host unix:///nonexistent/$c.sock -q >/dev/null ||
			exit 1
	done &&
	ctxmgr use ci -q >/dev/null
'

test_expect_success 'use - goes back to the last context, whoever switched' '
	ctxmgr use web -q >/dev/null &&
	docker context use db >/dev/null &&
	test "$(ctxmgr use - -q)" = web &&
	test "$(docker context show)" = web &&
	test "$(ctxmgr use - -q)" = db &&
	test "$(ctxmgr use - -q)" = web
'

test_expect_success 'use - after several docker switches: the one before the last' '
	ctxmgr use ci -q >/dev/null &&
	docker context use web >/dev/null &&
	docker context use db >/dev/null &&
	test "$(ctxmgr use - -q)" = ci
'

test_expect_success 'use - without a docker switch toggles like cd -' '
	ctxmgr use web -q >/dev/null && ctxmgr use db -q >/dev/null &&
	test "$(ctxmgr use - -q)" = web &&
	test "$(ctxmgr use - -q)" = db
'

test_expect_success 'create --use and rename keep use - right' '
	ctxmgr use ci -q >/dev/null &&
	ctxmgr create new1 --host unix:///nonexistent/n.sock --use -q >/dev/null &&
	docker context use db >/dev/null &&
	test "$(ctxmgr use - -q)" = new1 &&
	ctxmgr rename new1 new2 -q >/dev/null &&
	docker context use web >/dev/null &&
	test "$(ctxmgr use - -q)" = new2 &&
	ctxmgr use db -q >/dev/null && ctxmgr rm new2 -q >/dev/null
'

test_expect_success 'the context ctxmgr set was removed since: the recorded previous' '
	ctxmgr create gone --host unix:///nonexistent/g.sock -q >/dev/null &&
	ctxmgr use ci -q >/dev/null && ctxmgr use gone -q >/dev/null &&
	ctxmgr rm -f gone -q >/dev/null &&
	test "$(docker context show)" = default &&
	test "$(ctxmgr use - -q)" = ci
'

test_expect_success 'a state file from an older ctxmgr (one line) still works' '
	ctxmgr use db -q >/dev/null &&
	printf "web\n" >"$DOCKER_CONFIG/ctxmgr/previous" &&
	test "$(ctxmgr use - -q)" = web
'

test_expect_success 'a broken state file is ignored, not followed' '
	printf "../../x\n\001\n" >"$DOCKER_CONFIG/ctxmgr/previous" &&
	test_must_fail ctxmgr use - 2>err &&
	test_grep "no previous context" err
'

test_expect_success 'a mistyped name gets a "did you mean"' '
	test_must_fail ctxmgr use wbe 2>err &&
	test_grep "context \"wbe\" not found; did you mean \"web\"?" err &&
	test_must_fail ctxmgr inspect cb 2>err &&
	test_grep "context \"cb\" not found; did you mean \"ci\" or \"db\"?" err &&
	test_must_fail ctxmgr rm cii 2>err &&
	test_grep "did you mean \"ci\"?" err &&
	test_must_fail ctxmgr --context wbe ping 2>err &&
	test_grep "did you mean \"web\"?" err &&
	(export DOCKER_CONTEXT=wbe && test_must_fail ctxmgr inspect 2>err) &&
	test_grep "did you mean \"web\"?" err
'

test_expect_success 'nothing close: no suggestion' '
	test_must_fail ctxmgr use production 2>err &&
	test_grep "context \"production\" not found$" err
'
test_done
