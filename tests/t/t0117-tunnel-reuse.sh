#!/bin/bash
test_description='tunnelled contexts: a channel left between two HTTP exchanges serves the next client'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd box
unset DOCKER_HOST DOCKER_CONTEXT

VER='GET /version HTTP/1.1\nHost: docker\n\n'

test_expect_success 'setup: a connected tunnelled context' '
	connected_context prod box
'
sock=$(ctx_socket prod)

test_expect_success 'clients one after the other reuse the channel the last one left' '
	r0=$(svc_field prod ChannelsReused) &&
	for i in 1 2 3 4 5; do
		http "$sock" "$VER" "$VER" >out &&
		test "$(grep -c "\"ApiVersion\"" out)" = 2 || return 1
	done &&
	r1=$(svc_field prod ChannelsReused) && echo "reused: $r0 -> $r1" &&
	test "$r1" -ge $((r0 + 5)) &&
	docker ps >/dev/null && docker version >/dev/null &&
	test "$(svc_field prod ChannelsReused)" -ge $((r1 + 2))
'

test_expect_success 'not reused: a request cut short, Connection: close' '
	r0=$(svc_field prod ChannelsReused) &&
	CUT=20 http "$sock" "$VER" "$VER" >out &&
	http "$sock" "GET /version HTTP/1.1\nHost: docker\nConnection: close\n\n" >out &&
	test "$(svc_field prod ChannelsReused)" = "$r0" &&
	http "$sock" "$VER" >out && test_grep "\"ApiVersion\"" out
'

test_expect_success 'hijacked streams, and a stream cut in the middle: later clients get clean answers' '
	echo hi | timeout 60 docker run -i --rm --network none $BUSYBOX_IMAGE cat >out &&
	echo hi >expect && test_cmp expect out &&
	id=$(docker run -d --network none $BUSYBOX_IMAGE \
		sh -c "while :; do echo line; sleep 0.1; done") &&
	test_when_finished "docker rm -f $id >/dev/null 2>&1" &&
	{ timeout 1 docker logs -f "$id" >out; test $? = 124; } &&
	test_grep "^line$" out &&
	for i in 1 2 3; do
		http "$sock" "$VER" >out && test_grep "\"ApiVersion\"" out &&
		! grep "^line" out || return 1
	done &&
	docker version --format "{{.Server.APIVersion}}" >v && test -s v &&
	docker inspect --format "{{.State.Running}}" "$id" >st &&
	echo true >expect && test_cmp expect st
'

# A daemon of our own behind the tunnel: every answer names the
# connection it came on and how many requests that connection carried,
# and some paths answer in ways a channel must not be reused after.
cat >fake.py <<'PY'
import os, socket, sys, threading, time
path = sys.argv[1]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(64)
serial = 0
def serve(c, conn):
    buf, n = b"", 0
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        n += 1
        method, target = head.split(b" ")[:2]
        with open(path + ".log", "ab") as log:
            log.write(method + b" " + target + b"\n")
        body = b"conn=%d req=%d" % (conn, n)
        resp = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        if target == b"/extra":    # more bytes than it said
            resp += b"JUNK"
        elif target == b"/late":   # bytes nobody asked for, after a while
            c.sendall(resp)
            time.sleep(0.3)
            resp = b"LATE"
        elif target == b"/close":  # says it closes, but does not
            resp = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        elif target == b"/chunked":
            resp = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        elif target == b"/_ping":
            resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
            if method == b"GET":
                resp += b"OK"
        elif method == b"HEAD":    # a length, and no body
            resp = b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
        c.sendall(resp)
while True:
    c, _ = srv.accept()
    serial += 1
    threading.Thread(target=serve, args=(c, serial), daemon=True).start()
PY

# conn OUT: the connection number in the last answer of OUT
conn() { sed -n "s/^conn=\([0-9]*\) req=.*/\1/p" "$1" | tail -n1; }
# req OUT: the request number on that connection
req() { sed -n "s/^conn=[0-9]* req=\([0-9]*\)$/\1/p" "$1" | tail -n1; }

test_expect_success 'setup: a context on a daemon of our own' '
	python3 "$TRASH/fake.py" "$TRASH/fake.sock" &
	echo $! >fake.pid &&
	test_atexit "kill $(cat fake.pid) 2>/dev/null" &&
	wait_for 10 test -S "$TRASH/fake.sock" &&
	ctxmgr create fake --host "ssh://box$TRASH/fake.sock" >/dev/null 2>&1 &&
	ctxmgr tunnel start fake >/dev/null
'
fsock=$(ctx_socket fake)
get() { printf 'GET %s HTTP/1.1\\nHost: x\\n\\n' "$1"; }

test_expect_success 'the next client gets the same connection, after its last answer' '
	http "$fsock" "$(get /a)" >a && http "$fsock" "$(get /b)" >b &&
	test "$(conn a)" = "$(conn b)" &&
	test_grep "^conn=$(conn a) req=2$" b
'

test_expect_success 'after a HEAD (a length, no body) and a chunked answer too' '
	http "$fsock" "$(get /a)" >a0 &&
	http "$fsock" "HEAD / HTTP/1.1\nHost: x\n\n" >a &&
	http "$fsock" "$(get /chunked)" >b &&
	http "$fsock" "$(get /c)" >c &&
	test "$(conn a0)" = "$(conn b)" &&
	test "$(conn b)" = "$(conn c)" &&
	test "$(req b)" = $(($(req a0) + 2)) &&
	test "$(req c)" = $(($(req b) + 1))
'

test_expect_success 'never after more bytes than the answer said: the next client sees none of them' '
	http "$fsock" "$(get /x)" >a &&
	http "$fsock" "$(get /extra)" >b &&
	test "$(conn a)" = "$(conn b)" &&
	http "$fsock" "$(get /y)" >c &&
	! grep JUNK c &&
	test_grep "^conn=[0-9]* req=1$" c &&
	test "$(conn c)" != "$(conn b)"
'

test_expect_success 'never when the daemon sends unasked bytes later' '
	http "$fsock" "$(get /late)" >a &&
	sleep 1 &&
	http "$fsock" "$(get /y)" >b &&
	! grep LATE b &&
	test "$(conn b)" != "$(conn a)"
'

test_expect_success 'never after an answer that says it closes' '
	http "$fsock" "$(get /close)" >a &&
	http "$fsock" "$(get /y)" >b &&
	test "$(conn b)" != "$(conn a)"
'

pings() { grep -c "_ping" "$TRASH/fake.sock.log"; }

test_expect_success 'the daemon is asked for no /_ping of ours before a client asked one' '
	n0=$(pings) &&
	sleep 3 &&
	test "$(pings)" = "$n0"
'

test_expect_success 'after a client asked, the /_ping is asked again in the background' '
	n0=$(pings) &&
	http "$fsock" "HEAD /_ping HTTP/1.1\nHost: x\n\n" >/dev/null &&
	r0=$(svc_field fake ChannelsReused) && t0=$(svc_field fake TotalConnections) &&
	sleep 4.5 &&
	n1=$(pings) && echo "pings: $n0 -> $n1" &&
	test "$n1" -ge $((n0 + 3)) &&
	test "$(svc_field fake Connections)" = 0 &&
	test "$(svc_field fake TotalConnections)" = "$t0" &&
	test "$(svc_field fake ChannelsReused)" = "$r0" &&
	c0=$(svc_field fake PingsCached) &&
	http "$fsock" "HEAD /_ping HTTP/1.1\nHost: x\n\n" >out &&
	test_grep "^HTTP/1.1 200 OK" out &&
	test "$(svc_field fake PingsCached)" = $((c0 + 1))
'

test_done
