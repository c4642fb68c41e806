#!/bin/bash
test_description='faults and bad input: unreachable hosts, silent servers, missing sockets, a daemon or sshd going away, hostile ssh_config'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
SHARED_SOCK=$DOCKERD_SOCK
start_sshd fx
FX_PORT=$SSHD_PORT

test_expect_success 'a refused port: clear error, nothing running' '
	port=$(free_port) &&
	ctxmgr create refused --direct --host "ssh://127.0.0.1:$port" &&
	test_expect_code 1 ctxmgr ping refused 2>err &&
	test_grep "connection to \"127.0.0.1\" port $port refused" err &&
	test_expect_code 1 ctxmgr tunnel start refused 2>err &&
	test_grep "refused" err &&
	no_tunnel_left refused &&
	test_expect_code 1 ctxmgr env refused >out 2>err &&
	! test -s out &&
	test_expect_code 1 ctxmgr exec refused -- true 2>err &&
	test_grep refused err
'

test_expect_success 'an unknown host name' '
	ctxmgr create nohost --direct --host "ssh://no-such-host.invalid" &&
	test_expect_code 1 ctxmgr ping nohost 2>err &&
	test_grep "cannot resolve \"no-such-host.invalid\"" err
'

test_expect_success 'a server that never speaks: ConnectTimeout bounds the wait' '
	port=$(free_port) &&
	{ socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork EXEC:"sleep 30" & } &&
	test_atexit "kill $!" &&
	wait_for 10 sh -c "ss -Hltn sport\ =\ :$port | grep -q ." &&
	printf "Host silent\n\tHostName 127.0.0.1\n\tPort %s\n\tConnectTimeout 1\n\n" $port >>"$HOME/.ssh/config" &&
	ctxmgr create silent --direct --host ssh://silent &&
	t0=$(date +%s) &&
	test_expect_code 1 ctxmgr ping silent 2>err &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 8 &&
	test_grep "SSH handshake with \"127.0.0.1\" port $port failed" err
'

test_expect_success 'a server that speaks something else' '
	port=$(free_port) &&
	{ socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork SYSTEM:"echo HTTP/1.0 400 Bad; sleep 1" & } &&
	test_atexit "kill $!" &&
	wait_for 10 sh -c "ss -Hltn sport\ =\ :$port | grep -q ." &&
	ctxmgr create http --direct --host "ssh://127.0.0.1:$port" --strict-host-key-checking no &&
	test_expect_code 1 ctxmgr ping http 2>err &&
	test_grep "SSH handshake" err
'

test_expect_success 'a missing remote socket: clear error, nothing running' '
	ctxmgr create nosock --direct --host "ssh://fx/no/such/docker.sock" --tunnel-mode streamlocal &&
	test_expect_code 1 ctxmgr tunnel start nosock 2>err &&
	test_grep "\"/no/such/docker.sock\"" err &&
	test_grep "dial-stdio" err &&
	no_tunnel_left nosock &&
	ctxmgr create nosock2 --direct --host "ssh://fx/no/such/docker.sock" &&
	test_expect_code 1 ctxmgr tunnel start nosock2 2>err &&
	test_grep "dial-stdio" err &&
	test_grep "no/such/docker.sock" err &&
	no_tunnel_left nosock2
'

test_expect_success 'the daemon goes down: clients get a closed connection, the tunnel keeps serving' '
	start_dockerd "$TRASH/dd2" &&
	ensure_busybox_image "$DOCKERD_SOCK" &&
	ctxmgr create dd2 --direct --host "ssh://fx$DOCKERD_SOCK" &&
	ctxmgr tunnel start dd2 >/dev/null &&
	test_when_finished "ctxmgr tunnel stop dd2" &&
	sock=$(tunnel_field dd2 Socket) &&
	docker -H "unix://$sock" version >/dev/null &&
	stop_pidfile "$TRASH/dd2/pid" &&
	t0=$(date +%s) &&
	test_expect_code 1 timeout 30 docker -H "unix://$sock" version >/dev/null 2>&1 &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 10 &&
	test "$(tunnel_field dd2 Connected)" = True &&
	: a client that took a spare channel opened before the daemon went &&
	: gets EOF on it, the next one a refused channel, which is counted &&
	{ test "$(tunnel_field dd2 FailedConnections)" -ge 1 ||
		{ test_expect_code 1 timeout 30 docker -H "unix://$sock" version >/dev/null 2>&1 &&
			test "$(tunnel_field dd2 FailedConnections)" -ge 1; }; } &&
	start_dockerd "$TRASH/dd2" &&
	docker -H "unix://$sock" version >/dev/null &&
	test "$(tunnel_field dd2 Reconnects)" = 0
'
DOCKERD_SOCK=$SHARED_SOCK

test_expect_success 'sshd killed and restarted mid-session: the next command works' '
	ctxmgr create fx --direct --host "ssh://fx$DOCKERD_SOCK" &&
	ctxmgr tunnel start fx >/dev/null &&
	sock=$(tunnel_field fx Socket) &&
	docker -H "unix://$sock" ps >/dev/null &&
	kill_sshd fx &&
	restart_sshd fx &&
	timeout 60 docker -H "unix://$sock" ps >/dev/null &&
	test "$(tunnel_field fx Reconnects)" -ge 1 &&
	test "$(tunnel_field fx Connected)" = True
'

test_expect_success 'clients caught in a dropped session are closed, not left hanging' '
	sock=$(tunnel_field fx Socket) &&
	{ timeout 60 docker -H "unix://$sock" run --rm --network none \
		--label ctxmgr-drop=1 $BUSYBOX_IMAGE sleep 8 >/dev/null 2>&1 & } &&
	client=$! &&
	wait_for 30 sh -c "docker -H unix://$DOCKERD_SOCK ps -q --filter label=ctxmgr-drop=1 | grep -q ." &&
	t0=$(date +%s) &&
	kill_sshd fx &&
	rc=0 && wait $client || rc=$? &&
	t1=$(date +%s) &&
	echo "docker run exited $rc after $((t1 - t0)) s" &&
	test "$rc" != 0 && test "$rc" != 124 &&
	test $((t1 - t0)) -lt 6 &&
	restart_sshd fx &&
	timeout 60 docker -H "unix://$sock" version >/dev/null
'

test_expect_success 'clients that arrive while sshd is down wait for the reconnect' '
	sock=$(tunnel_field fx Socket) &&
	kill_sshd fx &&
	{ timeout 60 docker -H "unix://$sock" version >v.out 2>&1 & } &&
	client=$! &&
	sleep 1 &&
	restart_sshd fx &&
	wait $client &&
	test_grep "Server:" v.out &&
	ctxmgr tunnel stop fx
'

test_expect_success 'hostile ssh_config lines are refused with file and line' '
	cp "$HOME/.ssh/config" config.saved &&
	test_when_finished "cp config.saved \"$HOME/.ssh/config\"" &&
	ctxmgr create cfg --direct --host "ssh://fx$DOCKERD_SOCK" &&
	printf "Host fx\n\tUser ok\001\n" >"$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr ping cfg 2>err &&
	test_grep "$HOME/.ssh/config line 2: control character" err &&
	printf "Host fx\n\tHostName -oProxyCommand=touch\\\\ $TRASH/pwned\n" >"$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr ping cfg 2>err &&
	test_grep "line 2: HostName" err &&
	printf "Host fx\n\tUser -oProxyCommand=x\n" >"$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr ping cfg 2>err &&
	test_grep "line 2: User" err &&
	printf "Host fx\n\tIdentityFile \"unterminated\n" >"$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr tunnel start cfg 2>err &&
	test_grep "unterminated quote" err &&
	no_tunnel_left cfg &&
	printf "Host fx\n\tProxyCommand touch $TRASH/pwned\n" >"$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr ping cfg 2>err &&
	test_grep "ProxyCommand is not supported" err &&
	printf "Host fx\n\tHostName 127.0.0.1\n\tPort %s\n\tIdentityFile ~/.ssh/%%z\n" \
		"$FX_PORT" >"$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr ping cfg 2>err &&
	test_grep "unknown token %z" err &&
	cp config.saved "$HOME/.ssh/config" &&
	chmod 666 "$HOME/.ssh/config" &&
	test_expect_code 1 ctxmgr ping cfg 2>err &&
	test_grep "bad owner or permissions on \"$HOME/.ssh/config\"" err &&
	chmod 600 "$HOME/.ssh/config" &&
	! test -e "$TRASH/pwned"
'

test_expect_success 'option injection in host or user is refused' '
	test_expect_code 1 ctxmgr create inj --direct --host "ssh://-oProxyCommand=x" 2>err &&
	test_expect_code 1 ctxmgr create inj --direct --host "ssh://-lroot@h" 2>err &&
	! ctxmgr ls -q | grep -q inj
'

test_expect_success 'a run dir too long for a unix socket: the config dir takes its place' '
	long=$TRASH/$(printf "%0100d" 0) &&
	mkdir -p "$long" && chmod 700 "$long" &&
	ctxmgr create fx2 --direct --host "ssh://fx$DOCKERD_SOCK" &&
	env XDG_RUNTIME_DIR="$long" "$CTXMGR" tunnel start fx2 >out &&
	lsock=$(sed -n "s|^tunnel \"fx2\" started: unix://\([^ ]*\) .*|\1|p" out) &&
	test -S "$lsock" &&
	test "${#lsock}" -lt 108 &&
	! ls "$long"/ctxmgr >/dev/null 2>&1 &&
	env XDG_RUNTIME_DIR="$long" "$CTXMGR" env fx2 >out &&
	test_grep "unix://$lsock" out &&
	env XDG_RUNTIME_DIR="$long" "$CTXMGR" tunnel stop fx2 >/dev/null &&
	! test -e "$lsock"
'

test_expect_success 'contexts that need no tunnel' '
	ctxmgr create local --host "unix://$DOCKERD_SOCK" &&
	test_expect_code 1 ctxmgr tunnel start local 2>err &&
	test_grep "is not an ssh:// context" err &&
	ctxmgr env local >out &&
	echo "export DOCKER_HOST=unix://$DOCKERD_SOCK" >expect &&
	test_cmp expect out &&
	ctxmgr ping local >out &&
	test_grep "^_ping " out &&
	test_expect_code 1 ctxmgr tunnel stop local 2>err &&
	test_expect_code 1 ctxmgr tunnel stop ../etc 2>err &&
	test_grep "invalid" err
'

test_expect_success 'a killed tunnel leaves stale files that the next start clears' '
	ctxmgr tunnel start fx2 >/dev/null &&
	pid=$(tunnel_pid fx2) &&
	sock=$(tunnel_field fx2 Socket) &&
	kill -9 "$pid" &&
	wait_for 10 gone "$pid" &&
	test -S "$sock" &&
	ctxmgr tunnel ls -q >names &&
	! grep -q fx2 names &&
	ctxmgr tunnel start fx2 >out &&
	test_grep started out &&
	docker -H "unix://$sock" version >/dev/null &&
	ctxmgr tunnel stop fx2 &&
	no_tunnel_left fx2
'
test_done
