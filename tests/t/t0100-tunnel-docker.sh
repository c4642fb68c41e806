#!/bin/bash
test_description='the real docker CLI talks to a real dockerd through a ctxmgr tunnel over a real sshd'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd box

test_expect_success 'tunnel start serves a private socket' '
	ctxmgr create box --direct --host ssh://box$DOCKERD_SOCK &&
	ctxmgr tunnel start box >out &&
	test_grep "^tunnel \"box\" started: unix:///.*/_[0-9a-f]*.sock (tunnel service pid [0-9]*, streamlocal)" out &&
	ctxmgr tunnel ls --format json >ls.json &&
	sock=$(json ls.json "d[0][\"Socket\"]") &&
	test -S "$sock" &&
	test "$(stat -c %a "$sock")" = 600 &&
	test "$(stat -c %a "$(dirname "$sock")")" = 700 &&
	case "$sock" in "$XDG_RUNTIME_DIR"/ctxmgr/*) ;; *) false ;; esac &&
	echo "$sock" >"$TRASH/sock" &&
	json ls.json "d[0][\"Pid\"]" >"$TRASH/pid" &&
	kill -0 "$(cat "$TRASH/pid")"
'
sock=$(cat "$TRASH/sock")
export DOCKER_HOST="unix://$sock"

test_expect_success 'a second start is a no-op that says so' '
	ctxmgr tunnel start box >out &&
	test_grep "is already running" out &&
	ctxmgr tunnel ls -q >names &&
	echo box >expect &&
	test_cmp expect names &&
	test "$(json ls.json "d[0][\"Pid\"]")" = "$(cat "$TRASH/pid")"
'

test_expect_success 'a pinned tunnel follows its context: never the old URL' '
	ctxmgr update box --host "ssh://box/elsewhere.sock" &&
	test_when_finished "ctxmgr update box --host ssh://box$DOCKERD_SOCK" &&
	test_expect_code 1 ctxmgr env box >out 2>err &&
	test_grep "elsewhere.sock" err &&
	! test -s out &&
	test_expect_code 1 ctxmgr tunnel start box 2>err &&
	test_grep "elsewhere.sock" err &&
	: still pinned: the socket stays for the fixed context &&
	test -S "$sock"
'

test_expect_success 'env prints DOCKER_HOST for the tunnel, --unset undoes it' '
	ctxmgr env box >out &&
	echo "export DOCKER_HOST=unix://$sock" >expect &&
	test_cmp expect out &&
	ctxmgr env --shell fish box >out &&
	test_grep "^set -gx DOCKER_HOST unix://$sock;$" out &&
	ctxmgr env --unset >out &&
	test_grep "^unset DOCKER_HOST$" out &&
	ctxmgr env box --format json >out.json &&
	test "$(json out.json "d[\"DOCKER_HOST\"]")" = "unix://$sock"
'

test_expect_success 'docker version, ps and images through the tunnel' '
	docker version --format "{{.Server.Version}}" >v &&
	test -s v &&
	docker ps -a >/dev/null &&
	docker images --format "{{.Repository}}" >out &&
	test_grep "^ctxmgr-test/busybox$" out
'

test_expect_success 'docker run --rm' '
	docker run --rm --network none $BUSYBOX_IMAGE echo from-container >out &&
	echo from-container >expect &&
	test_cmp expect out
'

test_expect_success 'echo hi | docker run -i --rm IMG cat (half-close both ways)' '
	echo hi | timeout 60 docker run -i --rm --network none $BUSYBOX_IMAGE cat >out &&
	echo hi >expect &&
	test_cmp expect out &&
	seq 1 20000 >in &&
	timeout 60 docker run -i --rm --network none $BUSYBOX_IMAGE wc -l <in >out &&
	test "$(tr -d " " <out)" = 20000
'

test_expect_success 'docker logs -f follows the container to its end' '
	id=$(docker run -d --network none $BUSYBOX_IMAGE \
		sh -c "for i in 1 2 3; do echo line\$i; sleep 0.3; done") &&
	test_when_finished "docker rm -f $id >/dev/null 2>&1" &&
	timeout 60 docker logs -f "$id" >out &&
	printf "line1\nline2\nline3\n" >expect &&
	test_cmp expect out
'

test_expect_success 'docker cp of 100 MB in and out keeps every byte' '
	head -c 104857600 /dev/urandom >big &&
	id=$(docker create --network none $BUSYBOX_IMAGE true) &&
	test_when_finished "docker rm -f $id >/dev/null 2>&1; rm -f big back" &&
	timeout 120 docker cp big "$id:/big" &&
	timeout 120 docker cp "$id:/big" back &&
	test "$(sha256sum <big)" = "$(sha256sum <back)"
'

test_expect_success '100 concurrent clients, every one answered' '
	for i in $(seq 100); do
		curl -s --max-time 60 --unix-socket "$sock" http://docker/_ping >"ping.$i" &
	done &&
	wait &&
	for i in $(seq 100); do
		test "$(cat "ping.$i")" = OK || { echo "client $i got: $(cat "ping.$i")"; exit 1; }
	done &&
	ctxmgr tunnel ls --format json >ls.json &&
	test "$(json ls.json "d[0][\"FailedConnections\"]")" = 0 &&
	test "$(json ls.json "d[0][\"TotalConnections\"] >= 100")" = True
'

test_expect_success 'tunnel ls shows connections, bytes and reconnects' '
	ctxmgr tunnel ls >out &&
	test_grep "^CONTEXT  *STATE  *SESSIONS  *CLIENTS  *IN  *OUT  *RECONNECTS  *PID  *LAST ERROR" out &&
	test_grep "^box  *connected  *[0-9]*  *0  .*  0  *$(cat "$TRASH/pid") *$" out &&
	ctxmgr tunnel ls --format json >ls.json &&
	test "$(json ls.json "d[0][\"BytesIn\"] > 100000000")" = True &&
	test "$(json ls.json "d[0][\"BytesOut\"] > 100000000")" = True &&
	test "$(json ls.json "d[0][\"Reconnects\"]")" = 0 &&
	test "$(json ls.json "d[0][\"Cipher\"]")" = aes128-gcm@openssh.com &&
	test "$(json ls.json "d[0][\"Mode\"]")" = streamlocal &&
	ctxmgr tunnel ls --format yaml >ls.yaml &&
	test_grep "^- Context: box$" ls.yaml
'

test_expect_success 'exec runs a command with DOCKER_HOST set, and its status' '
	(unset DOCKER_HOST; ctxmgr exec box -- sh -c "echo \$DOCKER_HOST") >out &&
	echo "unix://$sock" >expect &&
	test_cmp expect out &&
	(unset DOCKER_HOST; ctxmgr exec box -- docker version --format "{{.Server.Version}}") >out &&
	test_cmp v out &&
	test_expect_code 7 ctxmgr exec box -- sh -c "exit 7" &&
	test_expect_code 127 ctxmgr exec box -- no-such-command-here 2>err &&
	test_grep "cannot run \"no-such-command-here\"" err &&
	test_expect_code 2 ctxmgr exec box docker ps 2>err &&
	test_grep "usage" err
'

test_expect_success 'ping prints each phase and the daemon version' '
	ctxmgr ping box >out &&
	for p in connect "host key" auth channel _ping version total; do
		test_grep "^$p  *[0-9.]* ms" out || exit 1
	done &&
	test_grep "^daemon: Docker $(cat v) (API [0-9.]*, linux/" out &&
	ctxmgr ping box --format json >ping.json &&
	test "$(json ping.json "d[\"Version\"]")" = "$(cat v)" &&
	test "$(json ping.json "len(d[\"Phases\"])")" = 6
'

test_expect_success 'a TCP listener on 127.0.0.1 on request, and only there' '
	ctxmgr create box2 --direct --host ssh://box$DOCKERD_SOCK &&
	port=$(free_port) &&
	ctxmgr tunnel start box2 --listen 127.0.0.1:$port >out &&
	test_grep "also 127.0.0.1:$port" out &&
	docker -H tcp://127.0.0.1:$port version --format "{{.Server.Version}}" >out &&
	test_cmp v out &&
	curl -s --max-time 10 http://127.0.0.1:$port/_ping >out &&
	test "$(cat out)" = OK &&
	: issue 14: another user on this machine gets nothing &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups \
		curl -s --max-time 10 http://127.0.0.1:$port/_ping >out &&
	! test -s out &&
	ctxmgr tunnel stop box2 &&
	test_expect_code 2 ctxmgr tunnel start box2 --listen 0.0.0.0:$port 2>err &&
	test_grep "only 127.0.0.1:PORT" err &&
	test_expect_code 2 ctxmgr tunnel start box2 --listen 127.0.0.1:99999 2>err &&
	ctxmgr tunnel ls -q >names &&
	! grep -q box2 names
'

test_expect_success 'no --foreground: tunnel serve is the foreground service' '
	ctxmgr create box3 --direct --host ssh://box$DOCKERD_SOCK &&
	test_expect_code 2 ctxmgr tunnel start box3 --foreground 2>err &&
	test_grep "foreground" err
'

test_expect_success 'tunnel stop unpins: the socket goes, and with nothing left the service' '
	pid=$(cat "$TRASH/pid") &&
	ctxmgr tunnel stop box >out &&
	test_grep "^tunnel \"box\" stopped$" out &&
	! test -e "$sock" &&
	! grep -q "^box " "$(dirname "$sock")/_pins" &&
	wait_for 10 gone "$pid" &&
	ctxmgr tunnel ls -q >names &&
	! test -s names &&
	test_expect_code 1 ctxmgr tunnel stop box 2>err &&
	test_grep "no tunnel for \"box\" is running" err
'

test_expect_success 'env and exec start the tunnel when none runs; stop --all' '
	(unset DOCKER_HOST; ctxmgr exec box -- docker ps) >/dev/null &&
	ctxmgr tunnel ls -q >names &&
	test_grep "^box$" names &&
	ctxmgr tunnel start box2 >/dev/null &&
	ctxmgr tunnel stop --all >out &&
	test_grep "tunnel \"box\" stopped" out &&
	test_grep "tunnel \"box2\" stopped" out &&
	ctxmgr tunnel ls -q >names &&
	! test -s names
'
test_done
