#!/bin/bash
test_description='fleet commands over 50 real sshds before two dockerds, five hosts broken on purpose: every healthy host done, every broken one named with its cause, nothing hangs'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"
. "$TEST_LIB_DIR/lib-fleet.sh"
PY=$(command -v /usr/bin/python3 || command -v python3)

t0=${EPOCHREALTIME/./}
fleet_start 50
say "the fleet of $FLEET_N hosts started in $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
unset DOCKER_HOST DOCKER_CONTEXT
port_of() { cat "$FLEET_DIR/$1/port"; }

# bounded SECONDS CMD...: CMD must end within SECONDS (the fleet commands
# carry their own deadline; this is the test's); its status is CMD's,
# 124 when it had to be killed.  Says how long it took.
bounded() {
	b_max=$1
	shift
	if [ "$1" = ctxmgr ]; then
		shift
		set -- "$CTXMGR" "$@"
	fi
	b_t0=${EPOCHREALTIME/./}
	b_rc=0
	timeout -k 5 "$b_max" "$@" || b_rc=$?
	b_cmd="$*"
	echo "ctxmgr ${b_cmd#"$CTXMGR "}: $(( (${EPOCHREALTIME/./} - b_t0) / 1000 )) ms, exit $b_rc" \
		>>"$TRASH/times"
	return $b_rc
}

test_expect_success 'the harness: 50 tagged contexts, 49 sshds, the unknown key left out' '
	test "$(ctxmgr ls -q --filter tag=fleet | wc -l)" = 50 &&
	test "$(ctxmgr ls -q --filter tag=broken | tr "\n" " ")" = "$FLEET_DOWN $FLEET_BADKEY $FLEET_BADUSER $FLEET_NOSOCK " &&
	test "$(ctxmgr ls -q --filter tag=slow)" = "$FLEET_SLOW" &&
	test "$(ctxmgr ls -q --filter tag=a | wc -l)" = 25 &&
	test "$(ctxmgr ls -q --filter tunnel=on --filter tag=fleet | wc -l)" = 50 &&
	n=0 && for h in $FLEET_HOSTS; do
		kill -0 "$(cat "$FLEET_DIR/$h/pid")" 2>/dev/null && n=$((n + 1))
	done && test $n = 49 &&
	test "$(wc -l <"$HOME/.ssh/known_hosts")" = 49 &&
	! grep -q "\[127.0.0.1\]:$(port_of "$FLEET_BADKEY") " "$HOME/.ssh/known_hosts"
'

# audits cost CPU on this machine for every "remote" host too: the table
# over half the fleet (group a: the unknown key and the missing socket),
# JSON over all of it, SARIF over the other half
test_expect_success 'audit --filter tag=a -j 16: a row per host, the broken ones listed with their cause, exit 3' '
	test_expect_code 3 bounded 120 ctxmgr audit --filter tag=a -j 16 >out 2>err &&
	test_grep "^CONTEXT  *ENDPOINT  *CRITICAL .* ERRORS  *TIME" out &&
	test "$(grep -c "^h[0-9][0-9]  *ssh://" out)" = 25 &&
	for h in $FLEET_OK; do
		[ "$(cat "$FLEET_DIR/$h/group")" = a ] || continue
		# every check ran: NOT CHECKED and ERRORS are 0
		grep -q "^$h  *ssh://$h/[^ ]*\( *[0-9][0-9]*\)\{5\}  *0  *0  *[0-9]* ms$" out ||
			{ echo "no complete row for $h"; cat out; exit 1; }
		! grep -q "^  $h  " out || exit 1
	done &&
	sed -n "/^not audited or incomplete:/,\$p" out >gaps &&
	test "$(grep -c "^  h" gaps)" = 2 &&
	test_grep "^  $FLEET_BADKEY  [0-9]* checks in error: .*the host key of \"\[127.0.0.1\]:$(port_of "$FLEET_BADKEY")\" is not known" gaps &&
	test_grep "^  $FLEET_NOSOCK  [0-9]* checks in error: .*$FLEET_DIR/$FLEET_NOSOCK/no-such.sock" gaps
'

test_expect_success 'audit --all -j 16 --format json: one document for the whole run, each broken host with its cause' '
	test_expect_code 3 bounded 120 ctxmgr audit --all -j 16 --no-probes --format json >all.json 2>err &&
	"$PY" - all.json "$FLEET_OK" "$FLEET_DOWN $FLEET_BADKEY $FLEET_BADUSER $FLEET_NOSOCK" \
		"port $(port_of "$FLEET_DOWN") refused" \
		"[127.0.0.1]:$(port_of "$FLEET_BADKEY")\" is not known" \
		"no key was accepted for \"ctxmgr-no-such-user\"" \
		"$FLEET_DIR/$FLEET_NOSOCK/no-such.sock" <<-\PY
	import json, sys
	causes = dict(zip(sys.argv[3].split(), sys.argv[4:]))
	d = json.load(open(sys.argv[1]))  # one document, nothing after it
	assert d["schema"] == "ctxmgr-audit-all/1", d.keys()
	by = {r["context"]: r for r in d["reports"]}
	assert len(d["reports"]) == 50 == len(by), sorted(by)
	for h in sys.argv[2].split():
	    s = by[h]["summary"]
	    assert s["error"] == 0 and s["not_checked"] == 0, (h, s)
	    assert by[h]["daemon"]["version"], h
	for h in sys.argv[3].split():
	    s = by[h]["summary"]
	    assert s["error"] > 0 and s["pass"] == 0, (h, s)
	    why = {c["reason"] for c in by[h]["checks"] if c["status"] == "error"}
	    assert len(why) == 1, (h, why)
	    why = why.pop()
	    assert why.startswith("the tunnel for \"%s\" is failing: " % h), why
	    assert causes[h] in why, (h, causes[h], why)
	PY
'

test_expect_success 'audit --filter --format sarif: one log, a run per host' '
	test_expect_code 3 bounded 120 ctxmgr audit --filter tag=b -j 16 --no-probes --format sarif >all.sarif 2>err &&
	"$PY" "$TEST_LIB_DIR/sarif-check.py" all.sarif &&
	"$PY" - all.sarif <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["version"] == "2.1.0", d.get("version")
	assert len(d["runs"]) == 25, len(d["runs"])
	PY
'

test_expect_success 'exec --all -j 16 -- docker ps -q: each host its own daemon, the broken ones named' '
	ensure_busybox_image "$FLEET_SOCK_A" &&
	ensure_busybox_image "$FLEET_SOCK_B" &&
	ida=$(docker -H "unix://$FLEET_SOCK_A" run -d --network none "$BUSYBOX_IMAGE" sleep 600 | cut -c1-12) &&
	idb=$(docker -H "unix://$FLEET_SOCK_B" run -d --network none "$BUSYBOX_IMAGE" sleep 600 | cut -c1-12) &&
	test_atexit "docker -H unix://$FLEET_SOCK_A rm -f $ida; docker -H unix://$FLEET_SOCK_B rm -f $idb" &&
	test_expect_code 1 bounded 120 ctxmgr exec --all -j 16 --timeout 100s -- docker ps -q >out 2>err &&
	test_grep "^ctxmgr: exec: 46 of 50 contexts succeeded$" err &&
	for h in $FLEET_OK; do
		if [ "$(cat "$FLEET_DIR/$h/group")" = a ]; then id=$ida; else id=$idb; fi
		grep -qx "$h | $id" out && grep -qx "  $h  exit 0" err ||
			{ echo "$h: no $id or no exit 0"; exit 1; }
	done &&
	test "$(wc -l <out)" = 46 &&
	for h in $FLEET_DOWN $FLEET_BADKEY $FLEET_BADUSER $FLEET_NOSOCK; do
		test_grep -x "  $h  exit 1" err || exit 1
	done &&
	test_grep "^$FLEET_DOWN | .*connection to \"127.0.0.1\" port $(port_of "$FLEET_DOWN") refused" err &&
	test_grep "^$FLEET_BADKEY | .*the host key of \"\[127.0.0.1\]:$(port_of "$FLEET_BADKEY")\" is not known" err &&
	test_grep "^$FLEET_BADUSER | .*no key was accepted for \"ctxmgr-no-such-user\"" err &&
	test_grep "^$FLEET_NOSOCK | .*$FLEET_DIR/$FLEET_NOSOCK/no-such.sock" err
'

test_expect_success 'ping --all -j 16: every step of every host, the failing step named' '
	test_expect_code 1 bounded 120 ctxmgr ping --all -j 16 --timeout 100s >out 2>err &&
	test_grep "^ctxmgr: ping: 46 of 50 contexts succeeded$" err &&
	for h in $FLEET_OK; do
		grep -q "^$h *| _ping  *[0-9.]* ms *OK" out &&
			grep -qx "  $h  exit 0" err ||
			{ echo "$h: no _ping or no exit 0"; exit 1; }
	done &&
	test_grep "^$FLEET_DOWN | ctxmgr: ping \"$FLEET_DOWN\": the connect step failed: connection to \"127.0.0.1\" port $(port_of "$FLEET_DOWN") refused" err &&
	test_grep "^$FLEET_BADKEY | ctxmgr: ping \"$FLEET_BADKEY\": the host key step failed: the host key of \"\[127.0.0.1\]:$(port_of "$FLEET_BADKEY")\" is not known" err &&
	test_grep "^$FLEET_BADUSER | ctxmgr: ping \"$FLEET_BADUSER\": the auth step failed: no key was accepted for \"ctxmgr-no-such-user\"" err &&
	test_grep "^$FLEET_NOSOCK | ctxmgr: ping \"$FLEET_NOSOCK\": the _ping step failed: the remote socket \"$FLEET_DIR/$FLEET_NOSOCK/no-such.sock\" does not exist" err
'

test_expect_success 'the slow link: a deadline stops it in time, reported as timed out' '
	ctxmgr tunnel stop "$FLEET_SLOW" >/dev/null 2>&1 || true &&
	test_expect_code 124 bounded 10 ctxmgr exec -f tag=slow --timeout 1s -- docker ps -q >out 2>err &&
	test_grep "the deadline (--timeout 1s) passed" err &&
	test_grep -x "  $FLEET_SLOW  timed out" err &&
	test_expect_code 124 bounded 10 ctxmgr ping -f tag=slow --timeout 1s >out 2>err ||
		{ cat out err; exit 1; } &&
	test_grep -x "  $FLEET_SLOW  timed out" err
'

# ca rotate works on what holds a certificate of the CA: tcp:// contexts
# before a third dockerd that requires client certificates
test_expect_success 'ca rotate --all --force: every context of the CA renewed, foreign and revoked ones skipped with their cause' '
	ca_passphrase &&
	ca_init_fast >/dev/null 2>&1 &&
	ctxmgr ca issue server --cn fleet-tls --san IP:127.0.0.1 --out "$TRASH/srv" >/dev/null &&
	start_tls_dockerd "$FLEET_DIR/dockerd-tls" "$TRASH/srv" &&
	tls="" && for i in $(seq -w 1 20); do
		ctxmgr create "t$i" --host "tcp://127.0.0.1:$TLS_PORT" --tag fleet --tag tls -q >/dev/null &&
		tls="$tls t$i" || exit 1
	done &&
	ctxmgr ca issue client $tls >/dev/null &&
	ctxmgr create t-revoked --host "tcp://127.0.0.1:$TLS_PORT" --tag fleet -q >/dev/null &&
	ctxmgr ca issue client t-revoked >/dev/null &&
	ctxmgr ca revoke t-revoked >/dev/null &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout f.key -out f.pem -subj "/CN=f" -days 5 2>/dev/null &&
	ctxmgr create t-foreign --host "tcp://127.0.0.1:$TLS_PORT" --cert f.pem --key f.key --tag fleet -q >/dev/null 2>&1 &&
	for t in $tls; do openssl x509 -in "$(ctx_tls $t)/cert.pem" -noout -serial; done >before &&
	bounded 60 ctxmgr ca rotate --all --force >out 2>err &&
	test "$(grep -c "^renewed  *client  *t[0-9]* " out)" = 20 &&
	test_grep "^skipped  *client  *t-revoked .*revoked: issue a new one" out &&
	test_grep "^skipped  *client  *t-foreign .*not issued by this CA" out &&
	! grep -q "^[a-z ]*client  *h[0-9]" out &&
	for t in $tls; do openssl x509 -in "$(ctx_tls $t)/cert.pem" -noout -serial; done >after &&
	test "$(sort -u before after | wc -l)" = 40 &&
	# and the new certificates work: one docker call per context, at once
	bounded 60 ctxmgr exec --filter tag=tls -j 16 --timeout 50s -- docker version --format "{{.Server.Os}}" >out 2>err &&
	test_grep "^ctxmgr: exec: 20 of 20 contexts succeeded$" err &&
	test "$(grep -c "^t[0-9]* | linux$" out)" = 20
'

[ -f "$TRASH/times" ] && while read -r l; do say "$l"; done <"$TRASH/times"
test_done
