#!/bin/bash
test_description='the tunnel service: systemd socket activation (the real systemd-socket-activate), install, run dir checks'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd sa
unset DOCKER_HOST DOCKER_CONTEXT
command -v systemd-socket-activate >/dev/null ||
	test_fatal "systemd-socket-activate is not installed (Debian package systemd; scripts/install-deps)"

test_expect_success 'setup: a tunnelled context, no service running' '
	ctxmgr create act --host "ssh://sa$DOCKERD_SOCK" --use -q &&
	ctxmgr tunnel ls --format json >ls.json &&
	json ls.json "d[0][\"Socket\"]" >"$TRASH/sock" &&
	ctxmgr tunnel shutdown &&
	! test -e "$(cat "$TRASH/sock")"
'
sock=$(cat "$TRASH/sock")
ctl=$(dirname "$sock")/_service.ctl

test_expect_success 'tunnel install writes socket and service units, and says what to do without systemd' '
	ctxmgr tunnel install --dir units >out &&
	test_grep "^ListenStream=$ctl$" units/ctxmgr-tunnel.socket &&
	test_grep "^ListenStream=$sock$" units/ctxmgr-tunnel.socket &&
	test_grep "^ExecStart=.*ctxmgr-full tunnel serve$" units/ctxmgr-tunnel.service &&
	test_grep "^Environment=DOCKER_CONFIG=$DOCKER_CONFIG$" units/ctxmgr-tunnel.service &&
	test_grep "systemctl --user enable --now ctxmgr-tunnel.socket" out
'

test_expect_success 'systemd-socket-activate: the service takes the sockets it is given' '
	systemd-socket-activate -l "$ctl" -l "$sock" \
		-E DOCKER_CONFIG -E HOME -E XDG_RUNTIME_DIR -E PATH \
		"$CTXMGR" tunnel serve 2>activate.log &
	act_pid=$! &&
	echo "$act_pid" >"$TRASH/act.pid" &&
	test_atexit "kill $act_pid" &&
	wait_for 10 test -S "$sock" &&
	docker version --format "{{.Server.Version}}" >v &&
	test -s v &&
	pid=$(svc_pid) &&
	test "$pid" = "$act_pid" &&
	test_grep "2 sockets passed by the service manager" activate.log &&
	test "$(svc_field act Sessions)" = 1 &&
	ctxmgr use act &&
	test "$(svc_pid)" = "$act_pid"
'

test_expect_success 'a second service started by hand is refused cleanly' '
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "already runs" err &&
	docker version >/dev/null
'

test_expect_success 'stop the activated service' '
	ctxmgr tunnel shutdown &&
	wait_for 10 gone "$(cat "$TRASH/act.pid")"
'

# Issue 14 #4: the run dir and everything above it
test_expect_success 'a run dir with a wide mode is refused, not fixed silently' '
	rd=$(dirname "$sock") &&
	chmod 755 "$rd" &&
	test_when_finished "chmod 700 \"$rd\"" &&
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "has mode 755, not 700" err
'

test_expect_success 'a run dir owned by someone else is refused' '
	rd=$(dirname "$sock") &&
	chown 65534 "$rd" &&
	test_when_finished "chown 0 \"$rd\"" &&
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "belongs to another user" err
'

test_expect_success 'a run dir that is a symlink is not followed' '
	rd=$(dirname "$sock") &&
	mv "$rd" "$rd.real" &&
	test_when_finished "rm -f \"$rd\"; mv \"$rd.real\" \"$rd\"" &&
	mkdir -m 700 elsewhere &&
	ln -s "$TRASH/elsewhere" "$rd" &&
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "not a directory (a symlink?)" err &&
	test -z "$(ls elsewhere)"
'

test_expect_success 'XDG_RUNTIME_DIR/ctxmgr writable by others: refused' '
	chmod 777 "$XDG_RUNTIME_DIR/ctxmgr" &&
	test_when_finished "chmod 700 \"$XDG_RUNTIME_DIR/ctxmgr\"" &&
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "ctxmgr\" has mode 777" err
'

nob=$(mktemp -d)
test_atexit "rm -rf '$nob'"
test_expect_success 'a control socket served by another user is not trusted' '
	rd=$(dirname "$sock") &&
	chmod 777 "$nob" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c "
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(5)
open(sys.argv[2], \"w\").write(str(os.getpid()))
time.sleep(120)" "$nob/fake.sock" "$nob/fake.pid" &
	wait_for 10 test -s "$nob/fake.pid" &&
	test_when_finished "kill $(cat "$nob/fake.pid") 2>/dev/null; rm -f \"$ctl\"" &&
	rm -f "$ctl" &&
	mv "$nob/fake.sock" "$ctl" &&
	ctxmgr use act 2>err &&
	test_grep "warning: the tunnel service did not start" err &&
	test_expect_code 1 ctxmgr tunnel shutdown 2>err &&
	test_grep "served by another user" err &&
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "belongs to another user: not touching it" err
'

test_done
