#!/bin/bash
test_description='ca agent: the unlocked CA key in a process, ca commands through it, a real dockerd'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-daemons.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
CA=$(CA_DIR_DEFAULT)
PASS=$CTXMGR_CA_PASSPHRASE_FILE
# the default 600000 PBKDF2 rounds: the agent pays them once
ctxmgr ca init >/dev/null 2>&1 || test_fatal "ca init failed"
for c in c1 c2 c3; do
	ctxmgr create $c --host tcp://127.0.0.1:2376 2>/dev/null ||
		test_fatal "cannot create context $c"
done
SOCK=$TRASH/run/agent.sock

# agent_start ARGS...: start an agent and take its variables into this
# shell; it is stopped when the file ends.
agent_start() {
	ctxmgr ca agent "$@" >agent.env || return 1
	. ./agent.env >/dev/null &&
	test_atexit "kill $CTXMGR_CA_AGENT_PID"
}

# nopass ARGS...: ctxmgr with no passphrase file and no terminal to ask
# on, so that only the agent can unlock the key.
nopass() {
	setsid -w env -u CTXMGR_CA_PASSPHRASE_FILE "$CTXMGR" "$@" </dev/null
}

# The process is a ctxmgr CA agent that is still running.
agent_alive() {
	kill -0 "$1" 2>/dev/null
}

test_expect_success '--help tells how to use it and what it exposes' '
	ctxmgr ca agent --help >help &&
	test_grep "eval \"\$(ctxmgr ca agent)\"" help &&
	test_grep -e "--timeout DURATION" help &&
	test_grep "keep --timeout short" help &&
	ctxmgr ca --help >cahelp &&
	test_grep "agent" cahelp
'

test_expect_success 'a wrong passphrase starts nothing' '
	printf "wrong horse battery staple\n" >bad && chmod 600 bad &&
	test_expect_code 1 ctxmgr ca agent --socket "$SOCK" \
		--passphrase-file bad >out 2>err &&
	test_grep "wrong passphrase" err &&
	test ! -e "$SOCK" && test ! -s out &&
	! pgrep -f "ctxmgr.* ca agent --socket $SOCK"
'

test_expect_success 'a socket path too long: a clear error, nothing left behind' '
	long=$TRASH/run/$(printf "%0100d" 0) &&
	mkdir -p "$long" && chmod 700 "$long" &&
	test_expect_code 2 env XDG_RUNTIME_DIR="$long" "$CTXMGR" ca agent >out 2>err &&
	test_grep "is too long" err &&
	test -z "$(ls -A "$long")" && test ! -s out
'

test_expect_success 'without a terminal or passphrase file: a clear error' '
	test_expect_code 2 nopass ca agent --socket "$SOCK" </dev/null >out 2>err &&
	test_grep "no terminal to ask for the CA passphrase" err &&
	test ! -e "$SOCK"
'

test_expect_success 'start: shell variables, a private socket, a live process' '
	agent_start --socket "$SOCK" &&
	test "$CTXMGR_CA_AGENT" = "$SOCK" &&
	agent_alive "$CTXMGR_CA_AGENT_PID" &&
	test "$(stat -c %a "$SOCK")" = 600 &&
	test_grep "^CTXMGR_CA_AGENT=.*; export CTXMGR_CA_AGENT;$" agent.env &&
	test_grep "^echo .CA agent pid $CTXMGR_CA_AGENT_PID holds the key" agent.env &&
	cp agent.env agent.env.keep
'

. ./agent.env.keep >/dev/null 2>&1
export CTXMGR_CA_AGENT CTXMGR_CA_AGENT_PID
AGENT_PID=$CTXMGR_CA_AGENT_PID

test_expect_success 'issue without a passphrase: the agent holds the key' '
	nopass ca issue client c1 >out 2>err &&
	test_grep "issued client certificate for context \"c1\"" out &&
	d=$(ctx_tls c1) &&
	openssl verify -purpose sslclient -CAfile "$CA/ca.pem" "$d/cert.pem" &&
	test "$(stat -c %a "$d/key.pem")" = 600 &&
	ctxmgr ca ls --format json >ls.json &&
	python3 -c "import json,sys; d=json.load(open(\"ls.json\")); assert [e[\"context\"] for e in d if e[\"kind\"]==\"client\"]==[\"c1\"], d"
'

test_expect_success 'the command runs in the caller: its directory, environment, exit status' '
	mkdir -p sub &&
	(cd sub && nopass ca crl --out here.pem >out 2>err) &&
	test -s sub/here.pem &&
	openssl crl -in sub/here.pem -noout &&
	test_expect_code 1 nopass ca issue client nosuch >out 2>err &&
	test_grep "context \"nosuch\" not found" err &&
	test_expect_code 2 "$CTXMGR" ca issue client c1 --days 0 2>err &&
	test_grep -e "--days must be" err &&
	other=$TRASH/home2 && mkdir -p "$other" &&
	DOCKER_CONFIG=$other ctxmgr create elsewhere --host tcp://127.0.0.1:2376 2>/dev/null &&
	DOCKER_CONFIG=$other nopass ca issue client elsewhere \
		--dir "$CA" >out &&
	test -s "$other/contexts/tls/$(printf elsewhere | sha256sum | cut -d" " -f1)/docker/cert.pem"
'

test_expect_success 'rotate --all --force through the agent' '
	ctxmgr ca issue client c2 >/dev/null && ctxmgr ca issue client c3 >/dev/null &&
	for c in c1 c2 c3; do cert_serial "$(ctx_tls $c)/cert.pem"; done >before &&
	nopass ca rotate --all --force >out &&
	test "$(grep -c "^renewed" out)" = 3 &&
	for c in c1 c2 c3; do cert_serial "$(ctx_tls $c)/cert.pem"; done >after &&
	! grep -F -x -f before after
'

test_expect_success 'the swapped-out TLS sets (old keys) are removed after the answer' '
	tls=$DOCKER_CONFIG/contexts/tls &&
	nopass ca issue client c1 >out &&
	nopass ca rotate --all --force >out &&
	for i in $(seq 50); do
		test -z "$(ls -A "$tls" | grep "^\.ctxmgr-swap-")" && break
		sleep 0.1
	done &&
	ls -A "$tls" >left &&
	! grep "^\.ctxmgr-swap-" left
'

test_expect_success 'concurrent issues through the agent all land in the database' '
	for i in 1 2 3 4 5 6; do ctxmgr create p$i --host tcp://127.0.0.1:2376 2>/dev/null || exit 1; done &&
	for i in 1 2 3 4 5 6; do
		nopass ca issue client p$i >out.p$i 2>&1 &
	done &&
	wait &&
	ctxmgr ca ls --format json >ls.json &&
	python3 -c "
import json
d = json.load(open(\"ls.json\"))
got = sorted(e[\"context\"] for e in d if e[\"kind\"] == \"client\" and e[\"status\"] == \"valid\" and e[\"context\"].startswith(\"p\"))
assert got == [\"p%d\" % i for i in range(1, 7)], got
"
'

test_expect_success 'another CA directory still needs its own passphrase' '
	ca_init_fast --dir other >/dev/null 2>&1 &&
	test_expect_code 2 nopass ca issue client c1 \
		--dir other >out 2>err &&
	test_grep "the CA agent holds the key of \"$(cd "$CA" && pwd -P)\" only" err &&
	ctxmgr ca issue client c1 --dir other --passphrase-file "$PASS" >out &&
	openssl verify -purpose sslclient -CAfile other/ca.pem "$(ctx_tls c1)/cert.pem"
'

test_expect_success '--status, as a table and as JSON' '
	ctxmgr ca agent --status >out &&
	test_grep "^CA agent pid $AGENT_PID$" out &&
	test_grep "CA  *$(cd "$CA" && pwd -P)$" out &&
	test_grep "key  *ecdsa-p256" out &&
	ctxmgr ca agent --status --format json >st.json &&
	python3 -c "import json; d=json.load(open(\"st.json\")); assert d[\"pid\"]==$AGENT_PID and d[\"socket\"]==\"$SOCK\", d"
'

test_expect_success 'hostile requests: the agent refuses them and keeps serving' '
	python3 - "$SOCK" <<-\EOF &&
	import os, socket, struct, sys
	path = sys.argv[1]
	def conn():
	    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(15); return s
	def answer(s):
	    b = b""
	    while True:
	        try:
	            c = s.recv(4096)
	        except ConnectionResetError: # it hung up on unread bytes
	            return b
	        if not c: return b
	        b += c
	# garbage, a lying length, a RUN without descriptors, a cut payload
	for msg in [b"garbage!garbage!", b"CMA1" + struct.pack(">II", 1, 0xffffffff),
	            b"CMA1" + struct.pack(">II", 9, 0)]:
	    s = conn(); s.sendall(msg); assert answer(s) == b"", msg; s.close()
	payload = struct.pack(">I", 3) + b"ctxmgr\0rm\0c1\0" + struct.pack(">I", 0)
	s = conn(); s.sendall(b"CMA1" + struct.pack(">II", 1, len(payload)) + payload)
	assert answer(s) == struct.pack(">I", 2); s.close()
	s = conn(); s.sendall(b"CMA1" + struct.pack(">II", 1, 100) + b"short"); s.shutdown(socket.SHUT_WR)
	assert answer(s) == b""; s.close()
	# a command that is not a ca command, with real descriptors
	r, w = os.pipe()
	fds = [0, w, w, os.open(".", os.O_RDONLY)]
	s = conn()
	socket.send_fds(s, [b"CMA1" + struct.pack(">II", 1, len(payload))], fds)
	s.sendall(payload)
	assert answer(s) == struct.pack(">I", 2)
	os.close(w)
	err = os.read(r, 4096).decode()
	assert "runs only ca issue, rotate, revoke, crl and ls" in err, err
	EOF
	agent_alive "$AGENT_PID" &&
	ctxmgr ls --format json >ls.out && test_grep "\"c1\"" ls.out &&
	nopass ca issue client c2 >out
'

test_expect_success 'a stale CTXMGR_CA_AGENT: a warning, and the command runs here' '
	CTXMGR_CA_AGENT=$TRASH/nosuch.sock ctxmgr ca issue client c3 >out 2>err &&
	test_grep "warning: no CA agent answers at $TRASH/nosuch.sock" err &&
	test_grep "issued client certificate" out
'

test_expect_success 'commands the agent does not run go on as before' '
	ctxmgr ca init --dir third --kdf-iterations 2048 >out 2>&1 &&
	test -s third/ca.pem &&
	ctxmgr show >/dev/null &&
	ctxmgr --version >/dev/null
'

test_expect_success 'docker uses a certificate the agent issued (real dockerd)' '
	nopass ca issue server --cn agent-srv \
		--san DNS:localhost,IP:127.0.0.1 --out "$TRASH/srv" >/dev/null &&
	start_tls_dockerd "$TRASH/dockerd" "$TRASH/srv" &&
	ctxmgr create tlsd --host tcp://127.0.0.1:$TLS_PORT 2>/dev/null &&
	nopass ca issue client tlsd >/dev/null &&
	docker --context tlsd version --format "{{.Server.Version}}" >out &&
	test -s out
'

test_expect_success 'fish syntax' '
	ctxmgr ca agent --shell fish --socket "$TRASH/run/fish.sock" >fish.env &&
	pid=$(sed -n "s/^set -gx CTXMGR_CA_AGENT_PID \(.*\);$/\1/p" fish.env) &&
	test_atexit "kill $pid" &&
	test_grep "^set -gx CTXMGR_CA_AGENT $TRASH/run/fish.sock;$" fish.env &&
	fish -c "source fish.env; and env -u CTXMGR_CA_PASSPHRASE_FILE $CTXMGR ca agent --status" >out &&
	test_grep "^CA agent pid $pid$" out &&
	CTXMGR_CA_AGENT=$TRASH/run/fish.sock ctxmgr ca agent --stop --shell fish >out &&
	test_grep "^set -e CTXMGR_CA_AGENT;$" out &&
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
'

test_expect_success '--timeout: the agent goes away by itself' '
	ctxmgr ca agent --timeout 2s --socket "$TRASH/run/short.sock" >short.env &&
	pid=$(sed -n "s/^CTXMGR_CA_AGENT_PID=\([0-9]*\);.*/\1/p" short.env) &&
	test_atexit "kill $pid" &&
	agent_alive $pid &&
	wait_for 15 sh -c "! kill -0 $pid 2>/dev/null" &&
	test ! -e "$TRASH/run/short.sock" &&
	wait_for 10 sh -c "! pgrep -f \"[a]gent --timeout 2s --socket $TRASH/run/short.sock\" >/dev/null" &&
	test_expect_code 2 ctxmgr ca agent --timeout soon 2>err &&
	test_grep -e "--timeout must be a duration" err
'

test_expect_success '--stop: the variables go, the process and its socket too' '
	ctxmgr ca agent --stop >out &&
	test_grep "^unset CTXMGR_CA_AGENT;$" out &&
	test_grep "^unset CTXMGR_CA_AGENT_PID;$" out &&
	wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null" &&
	test ! -e "$SOCK" &&
	# no worker waiting for clients is left behind either
	wait_for 10 sh -c "! pgrep -f \"[c]a agent --socket $SOCK\" >/dev/null" &&
	test_expect_code 1 ctxmgr ca agent --status 2>err &&
	test_grep "no CA agent answers at" err &&
	test_expect_code 1 env -u CTXMGR_CA_AGENT "$CTXMGR" ca agent --stop 2>err &&
	test_grep "CTXMGR_CA_AGENT is not set" err
'

test_expect_success 'a default socket lives in a private directory and is removed' '
	ctxmgr ca agent >def.env &&
	. ./def.env >/dev/null &&
	test_atexit "kill $CTXMGR_CA_AGENT_PID" &&
	dir=$(dirname "$CTXMGR_CA_AGENT") &&
	test "$(stat -c %a "$dir")" = 700 &&
	case $dir in "$XDG_RUNTIME_DIR"/ctxmgr-agent-*) ;; *) false ;; esac &&
	ctxmgr ca agent --stop >/dev/null &&
	wait_for 10 test ! -e "$dir"
'

test_done
