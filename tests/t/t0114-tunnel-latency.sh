#!/bin/bash
test_description='tunnelled contexts: a spare channel and the cached /_ping (issue 13)'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd box
unset DOCKER_HOST DOCKER_CONTEXT

PING='GET /_ping HTTP/1.1\nHost: docker\n\n'
HPING='HEAD /_ping HTTP/1.1\nHost: docker\n\n'
VER='GET /version HTTP/1.1\nHost: docker\n\n'

test_expect_success 'setup: a connected tunnelled context' '
	ctxmgr create prod --host "ssh://box$DOCKERD_SOCK" >/dev/null 2>&1 &&
	ctxmgr use prod &&
	docker version >/dev/null &&
	test "$(svc_field prod State)" = connected
'
sock=$(ctx_socket prod)

test_expect_success 'the next client gets the spare channel, and a new spare is opened' '
	u0=$(svc_field prod SparesUsed) &&
	http "$sock" "$VER" >out && test_grep "\"ApiVersion\"" out &&
	sleep 0.3 &&
	http "$sock" "$VER" >out && test_grep "\"ApiVersion\"" out &&
	test "$(svc_field prod SparesUsed)" -ge $((u0 + 2))
'

# fresh answers in the cache (a cached answer does not renew it)
fresh_pings() {
	sleep 3.2 && http "$sock" "$PING" >/dev/null &&
		http "$sock" "$HPING" >/dev/null
}

# dockerd closes a connection without a request after 60 s; spares are
# renewed every 30 s and one the daemon closed is never handed out
test_expect_success 'after 32 s idle the spares are fresh and work' '
	sleep 32 &&
	u0=$(svc_field prod SparesUsed) &&
	for i in 1 2 3; do
		http "$sock" "$VER" >out && test_grep "\"ApiVersion\"" out || return 1
	done &&
	test "$(svc_field prod SparesUsed)" -ge $((u0 + 2))
'

test_expect_success 'a /_ping from the cache, then more requests on the same connection' '
	c0=$(svc_field prod PingsCached) &&
	fresh_pings &&
	http "$sock" "$PING" "$VER" "$HPING" "$VER" "$PING" >out &&
	test "$(svc_field prod PingsCached)" = $((c0 + 1)) &&
	test "$(grep -c "^HTTP/1.1 200 OK" out)" = 5 &&
	test "$(grep -c "\"ApiVersion\"" out)" = 2 &&
	test "$(grep -c "^OK$" out)" = 2 &&
	http "$sock" "$HPING" "$VER" >out2 &&
	test "$(svc_field prod PingsCached)" = $((c0 + 2)) &&
	test_grep "\"ApiVersion\"" out2
'

test_expect_success 'the cached answer keeps the daemon headers' '
	http "$DOCKERD_SOCK" "$PING" "$HPING" | grep -iv "^date:" | sort >expect &&
	c0=$(svc_field prod PingsCached) &&
	fresh_pings &&
	{ http "$sock" "$PING"; http "$sock" "$HPING"; } | grep -iv "^date:" | sort >actual &&
	test "$(svc_field prod PingsCached)" = $((c0 + 2)) &&
	test_cmp expect actual &&
	test_grep -i "^api-version: " actual &&
	test_grep -i "^content-length: 2" actual
'

# a fresh answer in the cache: served from it, an answer does not renew it
fresh_head_ping() { sleep 3.2 && http "$sock" "$HPING" >/dev/null; }

test_expect_success 'docker commands use the cached /_ping and still work' '
	c0=$(svc_field prod PingsCached) &&
	fresh_head_ping &&
	docker ps >/dev/null &&
	c1=$(svc_field prod PingsCached) && echo "cached: $c0 -> $c1" &&
	test "$c1" = $((c0 + 1)) &&
	fresh_head_ping &&
	docker version --format "{{.Server.APIVersion}}" >v && test -s v &&
	test "$(svc_field prod PingsCached)" = $((c0 + 2))
'

test_expect_success 'a cached answer older than 3 s is not used' '
	http "$sock" "$PING" >/dev/null &&
	sleep 3.5 &&
	c0=$(svc_field prod PingsCached) &&
	http "$sock" "$PING" >out && test_grep "^OK$" out &&
	test "$(svc_field prod PingsCached)" = "$c0"
'

test_expect_success 'a request that is not a plain /_ping goes to the daemon' '
	http "$sock" "$PING" >/dev/null &&
	c0=$(svc_field prod PingsCached) &&
	http "$sock" "GET /_ping HTTP/1.1\nHost: docker\nConnection: close\n\n" >out &&
	test_grep "^OK$" out &&
	http "$sock" "GET /_ping?x=1 HTTP/1.1\nHost: docker\n\n" >out &&
	http "$sock" "GET /v1.40/_ping HTTP/1.1\nHost: docker\n\n" >out &&
	http "$sock" "POST /_ping HTTP/1.1\nHost: docker\nContent-Length: 0\n\n" >out &&
	test "$(svc_field prod PingsCached)" = "$c0"
'

test_expect_success 'hijacked streams: docker run -i, logs -f, cp' '
	echo hi | timeout 60 docker run -i --rm --network none $BUSYBOX_IMAGE cat >out &&
	echo hi >expect &&
	test_cmp expect out &&
	id=$(docker run -d --network none $BUSYBOX_IMAGE \
		sh -c "for i in 1 2 3; do echo line\$i; sleep 0.3; done") &&
	test_when_finished "docker rm -f $id >/dev/null 2>&1" &&
	timeout 60 docker logs -f "$id" >out &&
	printf "line1\nline2\nline3\n" >expect &&
	test_cmp expect out &&
	head -c 10485760 /dev/urandom >big &&
	id2=$(docker create --network none $BUSYBOX_IMAGE true) &&
	test_when_finished "docker rm -f $id2 >/dev/null 2>&1; rm -f big back" &&
	timeout 120 docker cp big "$id2:/big" &&
	timeout 120 docker cp "$id2:/big" back &&
	test "$(sha256sum <big)" = "$(sha256sum <back)"
'

test_expect_success 'the cache goes with the session: no stale /_ping once it dropped' '
	http "$sock" "$PING" >/dev/null &&
	http "$sock" "$HPING" >/dev/null &&
	kill_sshd box &&
	test_when_finished "restart_sshd box" &&
	sleep 0.5 &&
	{ http "$sock" "$PING" >out 2>err || true; } &&
	! grep -q "^OK$" out &&
	test_must_fail docker version >out 2>err &&
	test_grep -i "error" err
'

test_expect_success 'after the session came back, pings work again' '
	wait_for 20 docker version &&
	http "$sock" "$PING" "$VER" >out &&
	test_grep "^OK$" out
'

test_done
