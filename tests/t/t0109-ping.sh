#!/bin/bash
test_description='ping: each step timed and named, for ssh://, tcp:// (TLS) and unix:// contexts; the failing step and its cause'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

use_dockerd
start_sshd pg
BASE="ssh://127.0.0.1:$SSHD_PORT"
ctxmgr create up --host "$BASE$DOCKERD_SOCK" >/dev/null 2>&1
ctxmgr create gone --host "$BASE$TRASH/no/such.sock" >/dev/null 2>&1
python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$TRASH/stale.sock"
ctxmgr create stale --host "$BASE$TRASH/stale.sock" >/dev/null 2>&1

# steps FILE: the step names of a ping table, one a line
steps() {
	awk "NR > 1 && \$1 != \"daemon:\" { print \$1 }" "$1"
}

test_expect_success 'ssh://: every step timed, in order' '
	ctxmgr ping up >out &&
	steps out >got &&
	printf "%s\n" connect host auth channel _ping version total >want &&
	test_cmp want got
'

test_expect_success 'ssh://: a missing remote socket is named as the cause, in every mode' '
	for m in auto streamlocal dial-stdio; do
		test_expect_code 1 ctxmgr ping gone --mode $m >out 2>err &&
		test_grep "^ctxmgr: ping \"gone\": the \(channel\|_ping\) step failed: the remote socket \"$TRASH/no/such.sock\" does not exist on \"127.0.0.1\"" err &&
		test_grep "^auth " out &&
		test_grep "FAILED" out || exit 1
	done
'

test_expect_success 'ssh://: a socket nothing listens on is told apart from a missing one' '
	for m in auto dial-stdio; do
		test_expect_code 1 ctxmgr ping stale --mode $m >out 2>err &&
		test_grep "the remote socket \"$TRASH/stale.sock\" on \"127.0.0.1\" refused the connection" err &&
		! grep -q "does not exist" err || exit 1
	done
'

test_expect_success 'ssh://: a hostile socket path is an argument, never a command' '
	# percent-encoded: ";" and "$" themselves are refused in endpoints
	ctxmgr create evil --host "$BASE/tmp/x%3Btouch%20$TRASH/pwned%3B%24%28touch%20pwned%29" &&
	test_expect_code 1 ctxmgr ping evil --mode dial-stdio >out 2>err &&
	test_grep "does not exist" err &&
	! test -e "$TRASH/pwned" && ! test -e "$HOME/pwned"
'

test_expect_success 'ssh://: -v lists the identities tried, and why the others were not' '
	ctxmgr -v ping up >out 2>err &&
	test_grep "identity: \"$HOME/.ssh/id_rsa\" (a default) does not exist" err &&
	test_grep "identity: \"$HOME/.ssh/id_ed25519\" accepted" err
'

test_expect_success 'unix://: timed, and a missing or dead socket is named' '
	ctxmgr create local --host "unix://$DOCKERD_SOCK" &&
	ctxmgr ping local >out &&
	steps out >got &&
	printf "%s\n" connect _ping version total >want &&
	test_cmp want got &&
	ctxmgr create nolocal --host "unix://$TRASH/no.sock" &&
	test_expect_code 1 ctxmgr ping nolocal 2>err &&
	test_grep "the connect step failed: cannot connect to \"$TRASH/no.sock\": No such file or directory (is dockerd running" err &&
	ctxmgr create deadlocal --host "unix://$TRASH/stale.sock" &&
	test_expect_code 1 ctxmgr ping deadlocal 2>err &&
	test_grep "Connection refused (nothing listens on it" err
'

# a dockerd with --tlsverify and certificates from ctxmgr's CA
ca_passphrase
# made 101 days ago: the expired certificates below are issued 100 days ago
ctxmgr_at -101d ca init --kdf-iterations 2048 >/dev/null 2>&1 ||
	test_fatal "ca init failed"
ctxmgr ca issue server --cn dockerd-test --san DNS:localhost,IP:127.0.0.1 \
	--out "$TRASH/srv" >/dev/null || test_fatal "cannot issue the server certificate"
start_tls_dockerd "$TRASH/tlsd" "$TRASH/srv"
URL=tcp://127.0.0.1:$TLS_PORT

test_expect_success 'tcp://: TCP connect, TLS handshake, /_ping, each timed' '
	ctxmgr create tls --host $URL 2>/dev/null &&
	ctxmgr ca issue client tls >/dev/null &&
	ctxmgr ping tls >out &&
	steps out >got &&
	printf "%s\n" connect tls _ping version total >want &&
	test_cmp want got &&
	test_grep "^tls .*TLSv1\.[23] .*daemon certificate CN=dockerd-test, expires in [0-9]* days" out &&
	ctxmgr ping tls --format json >out.json &&
	test "$(json out.json "\" \".join(p[\"Phase\"] for p in d[\"Phases\"])")" = "connect tls _ping version"
'

test_expect_success 'tcp://: nothing listening is the connect step' '
	port=$(free_port) &&
	ctxmgr create closed --host tcp://127.0.0.1:$port 2>/dev/null &&
	test_expect_code 1 ctxmgr ping closed 2>err &&
	test_grep "the connect step failed: cannot connect to \"127.0.0.1\" port $port: Connection refused" err
'

test_expect_success 'tcp://: a daemon certificate from another CA: the TLS step, with the reason' '
	ca_init_fast --dir other >/dev/null 2>&1 &&
	d=$(ctx_tls tls) &&
	ctxmgr create wrongca --host $URL --ca other/ca.pem --cert $d/cert.pem --key $d/key.pem 2>/dev/null &&
	test_expect_code 1 ctxmgr ping wrongca >out 2>err &&
	test_grep "the tls step failed: TLS handshake: certificate verify failed (unable to get local issuer certificate)" err &&
	test_grep "^connect " out
'

test_expect_success 'tcp://: no client certificate: refused, with the reason' '
	ctxmgr create nocert --host $URL --ca $(CA_DIR_DEFAULT)/ca.pem 2>/dev/null &&
	test_expect_code 1 ctxmgr ping nocert 2>err &&
	test_grep "the \(tls\|_ping\) step failed: .*certificate" err &&
	test_grep "\"nocert\" has no client certificate, which a daemon running --tlsverify asks for" err
'

test_expect_success 'tcp://: an expired client certificate is named' '
	ctxmgr create expired --host $URL 2>/dev/null &&
	ctxmgr_at -100d ca issue client expired --days 30 >/dev/null &&
	test_expect_code 1 ctxmgr ping expired 2>err &&
	test_grep "the client certificate of \"expired\" expired 70 days ago" err
'
test_expect_success 'tcp://: an expired daemon certificate is named' '
	ctxmgr_at -100d ca issue server --cn old-dockerd --san IP:127.0.0.1 \
		--days 30 --out "$TRASH/oldsrv" >/dev/null &&
	start_tls_dockerd "$TRASH/tlsd-old" "$TRASH/oldsrv" &&
	d=$(ctx_tls tls) &&
	ctxmgr create oldsrv --host tcp://127.0.0.1:$TLS_PORT --ca $(CA_DIR_DEFAULT)/ca.pem \
		--cert $d/cert.pem --key $d/key.pem 2>/dev/null &&
	test_expect_code 1 ctxmgr ping oldsrv 2>err &&
	test_grep "the tls step failed: TLS handshake: certificate verify failed (certificate has expired): the daemon.s certificate has expired" err
'
test_done
