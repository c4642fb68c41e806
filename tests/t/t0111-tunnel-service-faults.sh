#!/bin/bash
test_description='the tunnel service: idle timeout, failure messages for docker, restart after SIGKILL, stale sockets'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd sv
unset DOCKER_HOST DOCKER_CONTEXT
KH=$HOME/.ssh/known_hosts
cp "$KH" "$TRASH/kh.good"
mkdir -p "$DOCKER_CONFIG/ctxmgr"
printf 'tunnel:\n  idle-timeout: 2s\n' >"$DOCKER_CONFIG/ctxmgr/config.yaml"

# sessions: sshd's children that serve a connection (privsep "sshd: user")
sessions() {
	ps -o pid= --ppid "$(cat "$TRASH/sshd-sv/pid.shell")" 2>/dev/null | wc -l
}

state_is() {
	test "$(svc_field "$1" State)" = "$2"
}

no_sessions() {
	test "$(sessions)" = 0
}

test_expect_success 'setup: two tunnelled contexts, one current' '
	ctxmgr create ok --host "ssh://sv$DOCKERD_SOCK" -q &&
	ctxmgr create other --host "ssh://sv$DOCKERD_SOCK" -q &&
	ctxmgr use ok &&
	test "$(sessions)" = 0
'

test_expect_success 'lazy connect, and the session closes after the idle timeout; the socket stays' '
	docker version --format "{{.Server.Version}}" >v &&
	test -s v &&
	test "$(sessions)" -ge 1 &&
	test "$(svc_field ok State)" = connected &&
	wait_for 10 state_is ok idle &&
	wait_for 5 no_sessions &&
	sock=$(svc_field ok Socket) &&
	test -S "$sock" &&
	docker version --format "{{.Server.Version}}" >v2 &&
	test_cmp v v2 &&
	test "$(svc_field ok Sessions)" = 2
'

test_expect_success 'wrong remote socket path: docker names the cause' '
	ctxmgr create nosock --host "ssh://sv/no/such/docker.sock" --tunnel-mode streamlocal -q &&
	test_expect_code 1 docker --context nosock version 2>err &&
	test_grep "Error response from daemon: .*/no/such/docker.sock" err &&
	test "$(svc_field nosock State)" = failing &&
	svc_field nosock LastError >le &&
	test_grep "/no/such/docker.sock" le &&
	test_expect_code 1 ctxmgr tunnel start nosock 2>err &&
	test_grep "failing: .*/no/such/docker.sock" err &&
	docker --context other version >/dev/null
'

test_expect_success 'changed host key: docker names the cause' '
	ssh-keygen -q -t ed25519 -N "" -f otherkey &&
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d" " -f1,2 otherkey.pub)" >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	ctxmgr tunnel stop ok >/dev/null &&
	wait_for 5 no_sessions &&
	test_expect_code 1 docker version 2>err &&
	test_grep "Error response from daemon: .*host key .* has changed" err
'

test_expect_success 'stopped sshd: docker names the cause at once, other contexts are served' '
	kill_sshd sv &&
	test_when_finished "restart_sshd sv" &&
	ctxmgr tunnel stop --all >/dev/null &&
	start=$(date +%s) &&
	test_expect_code 1 docker version 2>err &&
	test $(( $(date +%s) - start )) -le 10 &&
	test_grep "Error response from daemon: .*refused" err &&
	docker -H "unix://$DOCKERD_SOCK" version >/dev/null
'

test_expect_success 'a host that never answers: docker gets the cause within ConnectTimeout' '
	port=$(free_port) &&
	{ socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork EXEC:"sleep 30" & } &&
	test_atexit "kill $!" &&
	wait_for 10 sh -c "ss -Hltn sport\ =\ :$port | grep -q ." &&
	printf "Host silent\n\tHostName 127.0.0.1\n\tPort %s\n\tConnectTimeout 2\n\n" $port >>"$HOME/.ssh/config" &&
	ctxmgr create silent --host ssh://silent -q &&
	t0=$(date +%s) &&
	test_expect_code 1 docker --context silent version 2>err &&
	t1=$(date +%s) &&
	test $((t1 - t0)) -le 6 &&
	test_grep "Error response from daemon: .*SSH handshake with \"127.0.0.1\" port $port failed" err &&
	ctxmgr rm silent >/dev/null
'

test_expect_success 'after the host is back, the next docker command works' '
	docker version --format "{{.Server.Version}}" >v3 &&
	test -s v3
'

test_expect_success 'SIGKILLed service: the next ctxmgr command starts it again on the same sockets' '
	pid=$(svc_pid) &&
	sock=$(svc_field ok Socket) &&
	kill -9 "$pid" &&
	wait_for 5 gone "$pid" &&
	test -S "$sock" &&
	test_expect_code 1 docker version 2>/dev/null &&
	ctxmgr use ok &&
	pid2=$(svc_pid) &&
	test "$pid2" != "$pid" &&
	kill -0 "$pid2" &&
	docker version --format "{{.Server.Version}}" >v4 &&
	test -s v4
'

test_expect_success 'a socket path that is a symlink, a file or another user'"'"'s socket is not touched' '
	sock=$(svc_field other Socket) &&
	ctxmgr tunnel shutdown &&
	rm -f "$sock" &&
	ln -s "$TRASH/victim" "$sock" &&
	: >"$TRASH/victim" &&
	ctxmgr use other &&
	test -L "$sock" &&
	test -f "$TRASH/victim" &&
	test "$(svc_field other State)" = "not served" &&
	svc_field other LastError >le &&
	test_grep "a symlink" le &&
	rm -f "$sock" && : >"$sock" &&
	ctxmgr tunnel shutdown && ctxmgr use other &&
	test -f "$sock" && ! test -S "$sock" &&
	svc_field other LastError >le &&
	test_grep "a file" le &&
	rm -f "$sock" &&
	ctxmgr tunnel shutdown &&
	/usr/bin/python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$sock" &&
	chown 65534 "$sock" &&
	ctxmgr use other &&
	test "$(stat -c %u "$sock")" = 65534 &&
	svc_field other LastError >le &&
	test_grep "belongs to another user: not touching it" le &&
	rm -f "$sock" &&
	ctxmgr tunnel shutdown && ctxmgr use other &&
	test -S "$sock"
'

test_expect_success 'rm of a tunnelled context removes its socket; the service ends with the last one' '
	sock=$(svc_field nosock Socket) &&
	ctxmgr rm nosock &&
	! test -e "$sock" &&
	pid=$(svc_pid) &&
	ctxmgr use default &&
	ctxmgr rm ok other &&
	wait_for 5 gone "$pid"
'

test_done
