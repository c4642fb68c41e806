#!/bin/bash
test_description='direct contexts pinned to the one tunnel service: one process, and a pins file handled with care'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd box
unset DOCKER_HOST DOCKER_CONTEXT

# ctxmgr_procs: "PID COMM" of every ctxmgr process of this file (its
# environment names this file's DOCKER_CONFIG; other tests run beside).
ctxmgr_procs() {
	for p in /proc/[0-9]*; do
		c=$(cat "$p/comm" 2>/dev/null) || continue
		case "$c" in ctxmgr*) ;; *) continue ;; esac
		tr '\0' '\n' <"$p/environ" 2>/dev/null |
			grep -qx "DOCKER_CONFIG=$DOCKER_CONFIG" || continue
		echo "${p#/proc/} $c"
	done
}

test_expect_success 'exec and tunnel start of two direct contexts: one process, the service' '
	ctxmgr create d1 --direct --host "ssh://box$DOCKERD_SOCK" &&
	ctxmgr create d2 --direct --host "ssh://box$DOCKERD_SOCK" &&
	ctxmgr exec d1 -- docker ps >/dev/null &&
	ctxmgr tunnel start d1 >out &&
	test_grep "is already running" out &&
	ctxmgr tunnel start d2 >out &&
	test_grep "^tunnel \"d2\" started: unix://.*/_[0-9a-f]\{16\}\.sock (tunnel service pid [0-9]*, " out &&
	ctxmgr_procs >procs &&
	cat procs &&
	test "$(wc -l <procs)" = 1 &&
	echo "$(svc_pid) ctxmgr-tunnel" >expect &&
	test_cmp expect procs &&
	ctxmgr tunnel ls -q >names &&
	printf "d1\nd2\n" >expect &&
	test_cmp expect names &&
	test "$(svc_field d1 Pinned)" = True &&
	test "$(svc_field d2 Pid)" = "$(svc_pid)" &&
	rd=$(dirname "$(svc_field d1 Socket)") &&
	echo "$rd" >"$TRASH/rd" &&
	test "$(stat -c %a "$rd/_pins")" = 600 &&
	grep -q "^d1 auto 0 0$" "$rd/_pins" &&
	grep -q "^d2 auto 0 0$" "$rd/_pins" &&
	: no file of the per-context processes there used to be &&
	! ls "$rd"/d1.* "$rd"/d2.* >/dev/null 2>&1 &&
	docker -H "unix://$(svc_field d2 Socket)" version >/dev/null
'
rd=$(cat "$TRASH/rd")

test_expect_success 'tunnel stop unpins: the socket goes, the service stays for the other' '
	pid=$(svc_pid) &&
	s1=$(svc_field d1 Socket) &&
	ctxmgr tunnel stop d1 >out &&
	test_grep "^tunnel \"d1\" stopped$" out &&
	! grep -q "^d1 " "$rd/_pins" &&
	! test -e "$s1" &&
	no_tunnel_left d1 &&
	test "$(svc_pid)" = "$pid" &&
	docker -H "unix://$(svc_field d2 Socket)" ps >/dev/null
'

test_expect_success 'rename carries the pin, rm drops it; with nothing left the service ends' '
	pid=$(svc_pid) &&
	ctxmgr rename d2 d3 >/dev/null 2>&1 &&
	grep -q "^d3 auto 0 0$" "$rd/_pins" &&
	! grep -q "^d2 " "$rd/_pins" &&
	wait_for 10 svc_field d3 Socket &&
	docker -H "unix://$(svc_field d3 Socket)" ps >/dev/null &&
	ctxmgr rm d3 >/dev/null &&
	! grep -q "^d3 " "$rd/_pins" &&
	wait_for 10 gone "$pid" &&
	no_tunnel_left d3
'

test_expect_success 'garbage lines in the pins file are skipped, good ones served' '
	printf "garbage\n\001\377 auto 0 0\n../etc auto 0 0\nd1 auto 0 0\nd1 auto 0\nx y z w\n" >"$rd/_pins" &&
	chmod 600 "$rd/_pins" &&
	ctxmgr exec d1 -- docker ps >/dev/null &&
	ctxmgr tunnel ls -q >names &&
	echo d1 >expect &&
	test_cmp expect names &&
	ctxmgr create d4 --direct --host "ssh://box$DOCKERD_SOCK" &&
	ctxmgr tunnel start d4 >/dev/null &&
	: rewritten whole: only good lines are left &&
	grep -v "^#" "$rd/_pins" | sort >pins &&
	printf "d1 auto 0 0\nd4 auto 0 0\n" >expect &&
	test_cmp expect pins &&
	ctxmgr tunnel stop --all >out &&
	test_grep "tunnel \"d1\" stopped" out &&
	test_grep "tunnel \"d4\" stopped" out &&
	no_tunnel_left d1 && no_tunnel_left d4
'

test_expect_success 'a symlink as the pins file: refused, never followed' '
	printf "d1 auto 0 0\n" >"$TRASH/target" &&
	chmod 600 "$TRASH/target" &&
	cp "$TRASH/target" "$TRASH/target.orig" &&
	rm -f "$rd/_pins" &&
	ln -s "$TRASH/target" "$rd/_pins" &&
	test_expect_code 1 ctxmgr tunnel start d1 2>err &&
	test_grep "_pins\" is a symlink: refusing it" err &&
	test_expect_code 1 ctxmgr env d1 >out 2>err &&
	! test -s out &&
	test -h "$rd/_pins" &&
	test_cmp "$TRASH/target.orig" "$TRASH/target" &&
	: a service running for a tunnelled context serves it all the same &&
	ctxmgr create t1 --host "ssh://box$DOCKERD_SOCK" >/dev/null 2>&1 &&
	ctxmgr tunnel ls -q >names &&
	echo t1 >expect &&
	test_cmp expect names &&
	test_grep "not serving pinned contexts: .*symlink" "$rd/_service.log" &&
	docker --context t1 ps >/dev/null &&
	test_cmp "$TRASH/target.orig" "$TRASH/target" &&
	rm "$rd/_pins"
'

test_expect_success 'a pins file others may read, or of another user: refused, left as it is' '
	printf "d1 auto 0 0\n" >"$rd/_pins" &&
	chmod 644 "$rd/_pins" &&
	test_expect_code 1 ctxmgr tunnel start d1 2>err &&
	test_grep "has mode 644, not 600" err &&
	test "$(stat -c %a "$rd/_pins")" = 644 &&
	chmod 600 "$rd/_pins" &&
	chown 65534 "$rd/_pins" &&
	test_expect_code 1 ctxmgr tunnel start d1 2>err &&
	test_grep "belongs to another user (uid 65534)" err &&
	test "$(stat -c %u "$rd/_pins")" = 65534 &&
	ctxmgr tunnel ls -q >names &&
	! grep -q d1 names &&
	rm "$rd/_pins" &&
	ctxmgr tunnel start d1 >out &&
	test_grep started out &&
	test "$(stat -c %u:%a "$rd/_pins")" = "$(id -u):600"
'

test_expect_success '--listen of a pinned context: served by the service, shown in ls' '
	port=$(free_port) &&
	ctxmgr tunnel start d1 --listen 127.0.0.1:$port >out &&
	test_grep "also 127.0.0.1:$port" out &&
	grep -q "^d1 auto 0 $port$" "$rd/_pins" &&
	test "$(svc_field d1 Listen)" = "127.0.0.1:$port" &&
	curl -s --max-time 10 http://127.0.0.1:$port/_ping >out &&
	test "$(cat out)" = OK &&
	: a second start without options keeps the pin as it is &&
	ctxmgr tunnel start d1 >out &&
	test_grep "is already running" out &&
	grep -q "^d1 auto 0 $port$" "$rd/_pins" &&
	ctxmgr tunnel stop d1 >/dev/null &&
	! curl -s --max-time 5 http://127.0.0.1:$port/_ping
'

test_expect_success 'tunnel enable of a pinned context: tunnelled, the pin goes' '
	ctxmgr tunnel start d1 >/dev/null &&
	grep -q "^d1 " "$rd/_pins" &&
	ctxmgr tunnel enable d1 >/dev/null &&
	! grep -q "^d1 " "$rd/_pins" &&
	test "$(svc_field d1 Pinned)" = False &&
	docker --context d1 ps >/dev/null &&
	ctxmgr tunnel disable d1 >/dev/null &&
	ctxmgr tunnel ls -q >names &&
	! grep -qx d1 names
'
test_done
