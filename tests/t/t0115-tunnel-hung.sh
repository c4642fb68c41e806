#!/bin/bash
test_description='a hung sshd (SIGSTOP): noticed within ServerAliveInterval x ServerAliveCountMax, idle or not; docker and tunnel ls say why'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd hv
unset DOCKER_HOST DOCKER_CONTEXT
# 1 s x 2: a silent peer is dead after about 2 s; a reconnect to a
# stopped sshd (its kernel still accepts) gives up after 2 s
cat >>"$HOME/.ssh/config" <<CFG
Host hv
	ServerAliveInterval 1
	ServerAliveCountMax 2
	ConnectTimeout 2

CFG

# sig_sshd SIG: signal the sshd listener and every process it forked
# (the per-connection monitors and their unprivileged children)
sig_sshd() {
	ss_pid=$(cat "$TRASH/sshd-hv/pid.shell")
	for ss_k in $(ps -o pid= --ppid "$ss_pid" 2>/dev/null); do
		for ss_g in $(ps -o pid= --ppid "$ss_k" 2>/dev/null); do
			kill -"$1" "$ss_g" 2>/dev/null
		done
		kill -"$1" "$ss_k" 2>/dev/null
	done
	kill -"$1" "$ss_pid"
}
test_atexit 'sig_sshd CONT'

state_is() {
	test "$(svc_field "$1" State)" = "$2"
}

not_connected() {
	st=$(svc_field "$1" State) && test -n "$st" && test "$st" != connected
}

# docker_ok [ARGS]: docker version answers (the service fails a client
# at once within 1 s of a failure, so the first may get the old one)
docker_ok() {
	docker "$@" version >/dev/null 2>&1
}

# direct_state NAME: the STATE cell of `tunnel ls` for NAME
direct_state() {
	ctxmgr tunnel ls --format json >"$TRASH/.tl.json" &&
		json "$TRASH/.tl.json" "[t['State'] for t in d if t['Context'] == '$1'][0]"
}

direct_is_connected() {
	test "$(direct_state "$1")" = connected
}

direct_not_connected() {
	st=$(direct_state "$1") && test -n "$st" && test "$st" != connected
}

# elapsed START: whole seconds since START (date +%s.%N)
elapsed() {
	python3 -c "import sys,time; print(int(time.time() - float(sys.argv[1])))" "$1"
}

test_expect_success 'setup: a tunnelled context in use' '
	ctxmgr create tc --host "ssh://hv$DOCKERD_SOCK" -q &&
	ctxmgr use tc &&
	docker version --format "{{.Server.Version}}" >v &&
	test -s v &&
	test "$(svc_field tc State)" = connected
'

test_expect_success 'tunnelled, idle: tunnel ls stops saying connected within the bound' '
	sig_sshd STOP &&
	test_when_finished "sig_sshd CONT" &&
	t0=$(date +%s.%N) &&
	wait_for 8 not_connected tc &&
	echo "noticed after $(elapsed $t0) s: $(svc_field tc State)" &&
	test "$(elapsed $t0)" -lt 8 &&
	svc_field tc LastError >le &&
	test_grep "did not answer for .*ServerAliveInterval 1 x ServerAliveCountMax 2" le
'

test_expect_success 'tunnelled: a client arriving while sshd hangs gets the cause in time' '
	sig_sshd CONT &&
	wait_for 10 docker_ok &&
	test "$(svc_field tc State)" = connected &&
	sig_sshd STOP &&
	test_when_finished "sig_sshd CONT" &&
	t0=$(date +%s.%N) &&
	test_expect_code 1 timeout 60 docker version 2>err &&
	echo "docker gave up after $(elapsed $t0) s" &&
	test "$(elapsed $t0)" -lt 8 &&
	cat err &&
	test_grep "Error response from daemon: .*\"hv\" did not answer for" err &&
	t0=$(date +%s.%N) &&
	test_expect_code 1 timeout 60 docker version 2>err2 &&
	echo "the next docker gave up after $(elapsed $t0) s" &&
	test "$(elapsed $t0)" -lt 8 &&
	test_grep "Error response from daemon: " err2
'

test_expect_success 'tunnelled: served again once sshd continues' '
	sig_sshd CONT &&
	wait_for 10 docker_ok &&
	timeout 60 docker version --format "{{.Server.Version}}" >v2 &&
	test_cmp v v2 &&
	test "$(svc_field tc State)" = connected
'

test_expect_success 'a service that does not answer: tunnel ls lists its contexts as not answering' '
	spid=$(svc_pid) &&
	kill -STOP "$spid" &&
	test_when_finished "kill -CONT $spid" &&
	ctxmgr tunnel ls >ls.out &&
	kill -CONT "$spid" &&
	cat ls.out &&
	test_grep "^tc  *not answering .*the tunnel service: " ls.out
'

test_expect_success 'direct: an idle tunnel notices, tunnel ls shows it, a /_ping is answered with the cause' '
	ctxmgr create dc --direct --host "ssh://hv$DOCKERD_SOCK" &&
	ctxmgr tunnel start dc >/dev/null &&
	sock=$(tunnel_field dc Socket) &&
	docker -H "unix://$sock" version >/dev/null &&
	test "$(direct_state dc)" = connected &&
	sig_sshd STOP &&
	test_when_finished "sig_sshd CONT" &&
	t0=$(date +%s.%N) &&
	wait_for 8 direct_not_connected dc &&
	echo "noticed after $(elapsed $t0) s: $(direct_state dc)" &&
	test "$(elapsed $t0)" -lt 8 &&
	ctxmgr tunnel ls >ls.out &&
	cat ls.out &&
	test_grep "^dc " ls.out &&
	! grep "^_" ls.out &&
	for i in 1 2 3 4 5 6 7 8; do
		ctxmgr tunnel ls >ls.out &&
		grep "^dc " ls.out >row &&
		! grep -q " connected " row || return 1
	done &&
	cat ls.out &&
	t0=$(date +%s.%N) &&
	test_expect_code 1 timeout 60 docker -H "unix://$sock" version 2>err &&
	echo "docker gave up after $(elapsed $t0) s" &&
	test "$(elapsed $t0)" -lt 8 &&
	cat err &&
	test_grep "Error response from daemon: .*hv" err
'

test_expect_success 'direct: a client waiting on a fresh hang gets the cause within the bound' '
	sig_sshd CONT &&
	sock=$(tunnel_field dc Socket) &&
	wait_for 20 direct_is_connected dc &&
	docker -H "unix://$sock" version >/dev/null &&
	sig_sshd STOP &&
	test_when_finished "sig_sshd CONT" &&
	t0=$(date +%s.%N) &&
	test_expect_code 1 timeout 60 docker -H "unix://$sock" version 2>err &&
	echo "docker gave up after $(elapsed $t0) s" &&
	test "$(elapsed $t0)" -lt 8 &&
	cat err &&
	test_grep "Error response from daemon: .*\"hv\" did not answer for" err
'

test_expect_success 'direct: served again once sshd continues' '
	sig_sshd CONT &&
	sock=$(tunnel_field dc Socket) &&
	wait_for 20 direct_is_connected dc &&
	timeout 60 docker -H "unix://$sock" version >/dev/null &&
	ctxmgr tunnel stop dc
'

test_done
