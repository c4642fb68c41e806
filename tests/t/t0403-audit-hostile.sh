#!/bin/bash
test_description='audit: a hostile daemon never crashes the audit'
. "$(dirname "$0")/../lib/test-lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }
SOCK=$TRASH/hostile.sock
ctxmgr create hostile --host "unix://$SOCK" >/dev/null ||
	test_fatal "cannot create the context"

# serve MODE: (re)start the hostile server in that mode.
serve() {
	# the old server may linger on its unlinked socket: harmless
	[ -f server.pid ] && kill "$(cat server.pid)" 2>/dev/null
	rm -f "$SOCK"
	"$PY" "$TEST_LIB_DIR/hostile-docker.py" "$SOCK" "$1" >server.log 2>&1 &
	echo $! >server.pid
	test_atexit "kill $! 2>/dev/null"
	wait_for 10 test -S "$SOCK" || test_fatal "the hostile server did not start"
}

# against MODE STATUS MESSAGE: the audit ends with STATUS and reports
# MESSAGE among its errors; the checks it could not run say so.
against() {
	serve "$1"
	test_expect_code "$2" ctxmgr audit hostile --no-probes --timeout 2 \
		--format json >"r-$1.json" &&
	q errors "r-$1.json" >"errors-$1" &&
	test_grep -F -e "$3" "errors-$1" &&
	test_expect_code "$2" ctxmgr audit hostile --no-probes --timeout 2 \
		>"t-$1" &&
	test_grep "^errors:" "t-$1" &&
	test_grep "^not checked:" "t-$1"
}

test_expect_success 'a sane fake daemon audits clean' '
	serve sane &&
	# the real daemons of other test runs on this machine are not ours
	printf "ignore:\n  - exposure.host-*\n" >ours.yaml &&
	test_expect_code 0 ctxmgr audit hostile --no-probes --format json \
		--fail-on critical --policy ours.yaml >r.json &&
	test "$(q summary r.json error)" = 0 &&
	test "$(q status r.json containers.privileged)" = pass
'

test_expect_success 'garbage instead of HTTP' '
	against garbage 3 "GET /_ping: malformed status line" &&
	test "$(q status r-garbage.json containers.privileged)" = error &&
	test "$(q status r-garbage.json images.root-user)" = error
'

test_expect_success 'an HTTP server that is not Docker' '
	against not-docker 3 "without an Api-Version header: not a Docker daemon"
'

test_expect_success 'the connection closes at once' '
	against close 3 "connection closed before a response"
'

test_expect_success 'no answer at all: the timeout' '
	against hang 3 "no answer within 2000 ms"
'

test_expect_success 'a Content-Length of 900 GB' '
	against huge-length 3 "GET /info: response body of 900000000000 bytes is over the 16777216 byte limit" &&
	test "$(q status r-huge-length.json daemon.live-restore)" = error &&
	# the rest of the audit still ran
	test "$(q status r-huge-length.json containers.privileged)" = pass
'

test_expect_success 'an endless chunked body' '
	against huge-chunked 3 "response body is over the 16777216 byte limit" &&
	test "$(q status r-huge-chunked.json containers.root-user)" = error
'

test_expect_success 'a chunk without its CRLF' '
	against chunk-error 3 "GET /info: chunk data not followed by CRLF"
'

test_expect_success 'Content-Length and Transfer-Encoding together' '
	against cl-te 3 "GET /version: both Content-Length and Transfer-Encoding"
'

test_expect_success 'malformed JSON' '
	against malformed-json 3 "malformed JSON at line 1 column 35"
'

test_expect_success 'wrong types are errors, never passes' '
	against wrong-types 3 "GET /info: LiveRestoreEnabled is not a boolean" &&
	test_grep -F "HostConfig.Privileged has an unexpected type" errors-wrong-types &&
	test_grep -F "GET /images/json: expected a JSON array" errors-wrong-types &&
	for id in containers.privileged containers.no-memory-limit \
		containers.cap-add-dangerous daemon.live-restore \
		daemon.insecure-registries images.root-user; do
		test "$(q status r-wrong-types.json $id)" = error || {
			echo "$id: $(q status r-wrong-types.json $id)"; return 1; }
	done
'

test_expect_success 'deep nesting' '
	against deep 3 "maximum parsing depth reached"
'

test_expect_success 'ids that are paths or headers are refused' '
	against bad-ids 3 "GET /containers/json: an entry has no valid Id" &&
	! grep "_ping" server.log
'

test_expect_success 'a daemon error with escape sequences' '
	against inspect-500 3 "HTTP 500: boom [31mred[0m" &&
	! grep -q "$(printf "\033")" t-inspect-500
'

test_expect_success 'five thousand headers' '
	against header-bomb 3 "GET /info: more than 100 headers"
'

test_expect_success 'control characters in names never reach the terminal' '
	serve control-chars &&
	ctxmgr -v audit hostile --no-probes >t-cc &&
	! grep -q "$(printf "\033")" t-cc &&
	! grep -q "$(printf "\007")" t-cc &&
	! grep -q "$(printf "\302\233")" t-cc &&
	test_grep -F "container \\x1b]0;pwned\\x07evil\\x0aname\\u009b" t-cc &&
	test_grep -F "daemon: Docker 20.10\\x1b]0;pwned\\x07\\u009b2J, API 1.41\\u009b31m" t-cc &&
	ctxmgr audit hostile --no-probes --format json >r-cc.json &&
	q findings r-cc.json containers.privileged >out &&
	test_grep -F "pwned" out &&
	python3 -c "import json; d=json.load(open(\"r-cc.json\"))[\"daemon\"]; assert d[\"version\"] == \"20.10\\x1b]0;pwned\\x07\\u009b2J\", d"
'

test_expect_success 'bytes after a response: the connection is not reused' '
	serve extra-bytes &&
	test_expect_code 0 ctxmgr audit hostile --no-probes --format json >r.json &&
	test "$(q summary r.json error)" = 0
'

test_expect_success 'a missing socket is an error, not a crash' '
	rm -f "$SOCK" && kill "$(cat server.pid)" &&
	test_expect_code 3 ctxmgr audit hostile --no-probes --format json >r.json &&
	q errors r.json >out &&
	test_grep "cannot connect to \"$SOCK\"" out
'
test_done
