#!/bin/bash
test_description='20 parallel tunnel start of one context: one tunnel, every starter exits 0 (a full control-socket backlog is retried)'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd ps
unset DOCKER_HOST DOCKER_CONTEXT

# starts N NAME: N parallel `tunnel start NAME`; each one's status in rc.K
starts() {
	pids=
	for k in $(seq "$1"); do
		{ ctxmgr tunnel start "$2" >out.$k 2>err.$k; echo $? >rc.$k; } &
		pids="$pids $!"
	done
	wait $pids
	bad=0
	for k in $(seq "$1"); do
		if [ "$(cat rc.$k)" != 0 ]; then
			echo "starter $k exited $(cat rc.$k): $(cat err.$k)"
			bad=1
		fi
	done
	return $bad
}

test_expect_success 'direct: 20 parallel starts, 5 rounds: all exit 0, one tunnel' '
	ctxmgr create pd --direct --host "ssh://ps$DOCKERD_SOCK" &&
	for round in 1 2 3 4 5; do
		starts 20 pd &&
		ctxmgr tunnel ls -q >names &&
		test "$(grep -cx pd names)" = 1 &&
		: served by the one service, pinned once, no process of its own &&
		test "$(svc_field pd Pid)" = "$(svc_pid)" &&
		test "$(grep -c "^pd " "$XDG_RUNTIME_DIR"/ctxmgr/*/_pins)" = 1 &&
		! ls "$XDG_RUNTIME_DIR"/ctxmgr/*/pd.* >/dev/null 2>&1 &&
		: the last one goes: the service ends, the next round starts it &&
		ctxmgr tunnel stop pd >/dev/null || return 1
	done
'

test_expect_success 'direct: starters and ls meeting a full control-socket backlog retry' '
	ctxmgr tunnel start pd >/dev/null &&
	test_when_finished "ctxmgr tunnel stop pd >/dev/null" &&
	pid=$(tunnel_pid pd) &&
	kill -STOP "$pid" &&
	test_when_finished "kill -CONT $pid" &&
	: >bg.pids &&
	for k in $(seq 30) ls; do
		if [ $k = ls ]; then
			{ ctxmgr tunnel ls >ls.out 2>ls.err; echo $? >ls.rc; } &
		else
			{ ctxmgr tunnel start pd >out.$k 2>err.$k; echo $? >rc.$k; } &
		fi
		echo $! >>bg.pids
	done &&
	sleep 0.5 &&
	kill -CONT "$pid" &&
	wait $(cat bg.pids) &&
	for k in $(seq 30); do
		test "$(cat rc.$k)" = 0 || { cat err.$k; return 1; }
	done &&
	cat ls.out ls.err &&
	test "$(cat ls.rc)" = 0 &&
	test_grep "^pd " ls.out
'

test_expect_success 'tunnelled (the service): 20 parallel starts, 3 rounds: all exit 0' '
	ctxmgr create pt --host "ssh://ps$DOCKERD_SOCK" -q &&
	for round in 1 2 3; do
		starts 20 pt &&
		test "$(svc_field pt State)" = connected &&
		ctxmgr tunnel stop pt >/dev/null || return 1
	done
'

test_done
