#!/bin/bash
test_description='the tunnel service runs commands on a context host over its session ("run"): the audit logs in once'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd box
start_sshd gone
unset DOCKER_HOST DOCKER_CONTEXT
test_atexit "\"$CTXMGR\" tunnel shutdown >/dev/null 2>&1"

# run NAME COMMAND: the "run" request (tests/lib/svcrun.py); the answer's
# JSON line in ans, the output in out, the errors in err
run() {
	rm -f out err &&
		OUT=out ERR=err python3 "$TEST_LIB_DIR/svcrun.py" "$rd" "$@" >ans
}
# field KEY: a field of the last answer
field() { json ans "d.get('$1')"; }
# logins NAME: the logins that sshd NAME accepted so far
logins() { grep -c "Accepted publickey" "$TRASH/sshd-$1/log"; }

test_expect_success 'a connected context: output, errors, exit status and input' '
	connected_context rt box &&
	rd=$(dirname "$(svc_field rt Socket)") && echo "$rd" >"$TRASH/rd" &&
	before=$(logins box) &&
	run rt "echo out; echo err >&2; exit 3" &&
	test "$(field ok)" = True &&
	test "$(field status)" = 3 &&
	test "$(field host)" = 127.0.0.1 &&
	echo out >expect && test_cmp expect out &&
	echo err >expect && test_cmp expect err &&
	head -c 300000 /dev/urandom >in &&
	IN=in run rt "cat" &&
	test "$(field status)" = 0 &&
	cmp in out &&
	test "$(logins box)" = "$before" &&
	test "$(tunnel_field rt CommandsRun)" = 2
'
rd=$(cat "$TRASH/rd")

test_expect_success 'a context not connected is connected first' '
	ctxmgr tunnel stop rt >/dev/null &&
	test "$(svc_field rt State)" = idle &&
	run rt "echo \$SSH_CONNECTION" &&
	test "$(field status)" = 0 &&
	test_grep "^127.0.0.1 " out &&
	test "$(svc_field rt State)" = connected
'

test_expect_success 'a command that dies of a signal; output over the cap is cut' '
	run rt "kill -KILL \$\$" &&
	test "$(field status)" = -1 &&
	test "$(field signal)" = KILL &&
	OUTCAP=10 run rt "seq 1 1000" &&
	test "$(field out_truncated)" = True &&
	test "$(wc -c <out)" = 10 &&
	test "$(field status)" = 0
'

test_expect_success 'a command over its time is answered with an error; the session serves on' '
	t0=$(date +%s) &&
	TIMEOUT_MS=1000 run rt "sleep 31" &&
	test "$(field ok)" = False &&
	test "$(field error)" = "the command did not finish in 1 s on \"box\"" &&
	test $(($(date +%s) - t0)) -lt 10 &&
	docker -H "unix://$(svc_field rt Socket)" version >/dev/null &&
	run rt "echo again" && echo again >expect && test_cmp expect out
'

test_expect_success 'more commands at once than sshd has sessions; docker clients meanwhile' '
	for i in $(seq 1 20); do
		(OUT=out.$i python3 "$TEST_LIB_DIR/svcrun.py" "$rd" rt "sleep 0.3; echo $i" >ans.$i) &
	done &&
	docker -H "unix://$(svc_field rt Socket)" ps >/dev/null &&
	wait &&
	for i in $(seq 1 20); do
		echo $i >expect && test_cmp expect out.$i || return 1
	done
'

test_expect_success 'hostile requests: a clear error, and the service serves on' '
	for line in "run t" "run rt 0 0 1000 10" "run rt 4 0 0 10" "run rt x 0 1000 10" \
		"run rt 4 0 1000 99999999999999999999" "run rt 4 99999999 1000 10" \
		"run rt 4 0 1000 10 extra" "run rt -4 0 1000 10"; do
		RAW="$line" run rt true &&
		test "$(field ok)" = False &&
		test "$(field error)" = "bad run request" || return 1
	done &&
	RAW="run nosuch 4 0 1000 10" run nosuch true &&
	test "$(field error)" = "not served" &&
	: more bytes than the request counts, in the first read &&
	RAW="run rt 4 0 1000 10" run rt "truetrue" &&
	test "$(field ok)" = False &&
	test_grep "more bytes than the run request counts" ans &&
	: a client that leaves before its request is whole &&
	RAW="run rt 400 0 1000 10" CUT=30 python3 "$TEST_LIB_DIR/svcrun.py" "$rd" rt "true" &&
	run rt "echo fine" && echo fine >expect && test_cmp expect out
'

test_expect_success 'another user cannot have a command run' '
	test -x /usr/bin/python3 && command -v setpriv >/dev/null &&
	chmod 755 "$TRASH" &&
	cp "$TEST_LIB_DIR/svcrun.py" "$TRASH/svcrun.py" &&
	chmod 644 "$TRASH/svcrun.py" &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \
		"$TRASH/svcrun.py" "$rd" rt "touch $TRASH/ran-by-other" 2>other.err &&
	test_grep "PermissionError" other.err &&
	sleep 0.5 &&
	! test -e "$TRASH/ran-by-other"
'

test_expect_success 'a host that cannot be reached: its error, at once' '
	ctxmgr create rg --host "ssh://gone$DOCKERD_SOCK" >/dev/null &&
	stop_sshd gone &&
	run rg true &&
	test "$(field ok)" = False &&
	test_grep "refused" ans
'

test_expect_success 'the session drops while a command runs: its error, not a hang' '
	start_sshd drop &&
	ctxmgr create dx --host "ssh://drop$DOCKERD_SOCK" >/dev/null &&
	{ (run dx "echo \$\$ >$TRASH/cmd.pid; exec sleep 30"; echo done >ran) & } &&
	wait_for 10 test -s "$TRASH/cmd.pid" &&
	: the connection dies with no SSH message on it: KILL its sshd processes &&
	cmd=$(cat "$TRASH/cmd.pid") &&
	net=$(ps -o ppid= -p $cmd) &&
	mon=$(ps -o ppid= -p $net) &&
	kill -KILL $mon $net $cmd &&
	wait_for 10 test -f ran &&
	wait &&
	test "$(field ok)" = False &&
	test_grep "session was lost" ans
'

test_expect_success 'audit of a tunnelled context: one SSH login, the facts over it' '
	ctxmgr create au --host "ssh://box$DOCKERD_SOCK" >/dev/null &&
	before=$(logins box) &&
	ctxmgr audit au --no-probes --format json >audit.json &&
	test "$(logins box)" = $((before + 1)) &&
	json audit.json "[c[\"id\"] for c in d[\"checks\"] if \"host facts\" in (c.get(\"reason\") or \"\")]" >nf &&
	echo "[]" >expect && test_cmp expect nf &&
	json audit.json "d[\"errors\"]" >errs && test_cmp expect errs &&
	: connected already: no login at all &&
	ctxmgr tunnel start au >/dev/null &&
	before=$(logins box) &&
	ctxmgr audit au --no-probes -q &&
	test "$(logins box)" = "$before" &&
	test "$(tunnel_field au CommandsRun)" -ge 1
'

test_expect_success 'audit of a direct context: one SSH login too' '
	ctxmgr create dd --direct --host "ssh://box$DOCKERD_SOCK" >/dev/null &&
	before=$(logins box) &&
	ctxmgr audit dd --no-probes -q &&
	test "$(logins box)" = $((before + 1))
'

test_done
