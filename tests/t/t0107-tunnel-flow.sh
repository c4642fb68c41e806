#!/bin/bash
test_description='flow: backpressure both ways, fairness between clients, contexts made by docker'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd flow

# A remote unix socket served by python: "source" writes 200 MB and
# records how much the kernel took so far; "sink" waits 2 s before it
# reads, recording how much it read.
cat >peer.py <<'PY'
import os, socket, sys, time
mode, path, progress = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(4)
while True:
    c, _ = s.accept()
    total = 0
    if mode == "source":
        chunk = b"x" * 65536
        try:
            while total < 200 << 20:
                c.sendall(chunk)
                total += len(chunk)
                open(progress, "w").write(str(total))
        except OSError:
            pass
    else:
        time.sleep(2)
        while True:
            b = c.recv(65536)
            if not b:
                break
            total += len(b)
            open(progress, "w").write(str(total))
    c.close()
PY

start_peer() {
	python3 peer.py "$1" "$TRASH/$1.sock" "$TRASH/$1.progress" &
	test_atexit "kill $!"
	wait_for 10 test -S "$TRASH/$1.sock" || test_fatal "$1 did not start"
}
start_peer source
start_peer sink
echo 0 >source.progress
echo 0 >sink.progress

test_expect_success 'a client that does not read holds the remote back (remote to client)' '
	ctxmgr create src --direct --host "ssh://flow$TRASH/source.sock" &&
	ctxmgr tunnel start src --no-ping >/dev/null &&
	sock=$(tunnel_field src Socket) &&
	echo 0 >source.progress &&
	{ python3 -c "
import socket, sys, time
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
time.sleep(3)
print(int(open(sys.argv[2]).read()))
n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    n += len(b)
print(n)" "$sock" "$TRASH/source.progress" >read.out & } &&
	reader=$! &&
	wait $reader &&
	held=$(sed -n 1p read.out) && got=$(sed -n 2p read.out) &&
	echo "written by the source while the client slept: $held; read: $got" &&
	test "$held" -lt $((24 << 20)) &&
	test "$got" = $((200 << 20)) &&
	ctxmgr tunnel stop src
'

test_expect_success 'a remote that does not read holds the client back (client to remote)' '
	ctxmgr create snk --direct --host "ssh://flow$TRASH/sink.sock" &&
	ctxmgr tunnel start snk --no-ping >/dev/null &&
	sock=$(tunnel_field snk Socket) &&
	python3 -c "
import socket, sys, time
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1])
c.setblocking(False)
sent, chunk, t0 = 0, b\"y\" * 65536, time.time()
while time.time() - t0 < 1.5:
    try:
        sent += c.send(chunk)
    except BlockingIOError:
        time.sleep(0.01)
print(sent)
c.setblocking(True)
c.sendall(b\"z\" * (8 << 20))
c.shutdown(socket.SHUT_WR)
c.recv(1)
" "$sock" >sent.out &&
	sent=$(cat sent.out) &&
	echo "the client could send $sent bytes while the remote did not read" &&
	test "$sent" -lt $((24 << 20)) &&
	wait_for 20 sh -c "test \$(cat sink.progress) = $((sent + (8 << 20)))" &&
	ctxmgr tunnel stop snk
'

test_expect_success 'a bulk transfer does not starve small requests' '
	ctxmgr create flow --direct --host "ssh://flow$DOCKERD_SOCK" &&
	ctxmgr tunnel start flow >/dev/null &&
	sock=$(tunnel_field flow Socket) &&
	head -c 300000000 /dev/zero >big &&
	id=$(docker -H "unix://$sock" create --network none $BUSYBOX_IMAGE true) &&
	test_when_finished "docker -H unix://$DOCKERD_SOCK rm -f $id >/dev/null; rm -f big" &&
	{ docker -H "unix://$sock" cp big "$id:/big" & } &&
	cp=$! &&
	sleep 0.3 &&
	for i in $(seq 10); do
		curl -s --max-time 30 --unix-socket "$sock" http://docker/_ping >p.$i || exit 1
	done &&
	running=0 && kill -0 $cp 2>/dev/null && running=1;
	wait $cp &&
	for i in $(seq 10); do test "$(cat p.$i)" = OK || exit 1; done &&
	echo "bulk copy still running after 10 pings: $running" &&
	test $running = 1
'

test_expect_success 'a context made by docker context create works unchanged' '
	docker context create madebydocker --docker "host=ssh://flow$DOCKERD_SOCK" >/dev/null &&
	ctxmgr ping madebydocker >out &&
	test_grep "^daemon: Docker" out &&
	(unset DOCKER_HOST; ctxmgr exec madebydocker -- docker version --format "{{.Server.Version}}") >v &&
	test -s v &&
	ctxmgr tunnel stop --all >/dev/null
'
test_expect_success 'an idle tunnel answers the server keepalives and stays up' '
	start_sshd ka "ClientAliveInterval 1" "ClientAliveCountMax 2" &&
	ctxmgr create ka --direct --host "ssh://ka$DOCKERD_SOCK" &&
	ctxmgr tunnel start ka >/dev/null &&
	sleep 5 &&
	test "$(tunnel_field ka Reconnects)" = 0 &&
	test "$(tunnel_field ka Connected)" = True &&
	docker -H "unix://$(tunnel_field ka Socket)" version >/dev/null &&
	! grep -q "Timeout, client not responding" "$TRASH/sshd-ka/log" &&
	ctxmgr tunnel stop ka
'
test_done
