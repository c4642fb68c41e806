#!/bin/bash
test_description='docker lines in ctxmgr shell reach the current context'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tmux.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd

test_expect_success 'setup: a context on the test dockerd' '
	ctxmgr create local --host "unix://$DOCKERD_SOCK" -q >/dev/null
'

test_expect_success 'docker runs against the context chosen with use' '
	printf "%s\n" "use local" \
		"docker images --format {{.Repository}}:{{.Tag}}" |
		ctxmgr shell >out 2>err &&
	test_grep -x "$BUSYBOX_IMAGE" out
'

test_expect_success 'docker follows --context given to the shell, not currentContext' '
	ctxmgr use default -q >/dev/null &&
	echo "docker info --format {{.Name}}" |
		ctxmgr --context local shell >out 2>err &&
	test -s out &&
	echo "docker context show" | ctxmgr --context local shell >out &&
	test_grep -x local out
'

test_expect_success 'a docker failure is reported and the shell goes on' '
	ctxmgr use local -q >/dev/null &&
	printf "%s\n" "docker image inspect nosuch/image:0" "show" |
		ctxmgr shell >out 2>err &&
	test_grep -i "no such image" err &&
	test_grep -x local out
'

test_expect_success 'docker in the interactive shell: run a container' '
	tmux_start "'"$CTXMGR"' shell" &&
	tmux_wait_cursor "ctxmgr [local]>" &&
	tmux_type "docker run --rm --network none $BUSYBOX_IMAGE echo hello-from-box" &&
	tmux_keys Enter &&
	tmux_wait "^hello-from-box$" 30 &&
	tmux_wait_cursor "ctxmgr [local]>" &&
	tmux_keys C-d && test "$(tmux_wait_exit)" = 0
'

test_expect_success 'Tab on a docker line completes with the docker CLI'"'"'s own words' '
	docker -H "unix://$DOCKERD_SOCK" create --name ctxmgr-tab-box \
		--network none "$BUSYBOX_IMAGE" true >/dev/null &&
	test_when_finished "docker -H unix://$DOCKERD_SOCK rm -f ctxmgr-tab-box" &&
	tmux_start "'"$CTXMGR"' shell" &&
	tmux_wait_cursor "ctxmgr [local]>" &&
	tmux_type "docker conta" && tmux_keys Tab &&
	tmux_wait_cursor "ctxmgr [local]> docker container" &&
	tmux_type " l" && tmux_keys Tab Tab &&
	tmux_wait "logs +ls" &&
	tmux_keys C-u && tmux_wait_cursor "ctxmgr [local]>" &&
	tmux_type "docker run --netw" && tmux_keys Tab &&
	tmux_wait_cursor "ctxmgr [local]> docker run --network" &&
	tmux_keys C-u && tmux_wait_cursor "ctxmgr [local]>" &&
	tmux_type "docker rm ctxmgr-tab" && tmux_keys Tab &&
	tmux_wait_cursor "ctxmgr [local]> docker rm ctxmgr-tab-box" &&
	tmux_keys C-u && tmux_keys C-d && test "$(tmux_wait_exit)" = 0
'

test_expect_success 'a hostile or hanging docker cannot harm the completion' '
	mkdir -p fakebin &&
	cat >fakebin/docker <<-\EOF &&
	#!/bin/sh
	[ "$2" = hang ] && exec sleep 60
	printf "\033]0;pwned\007evil\tdesc\n"
	printf "ok-word\tfine\n_activeHelp_ help text\n:4\n"
	EOF
	chmod +x fakebin/docker &&
	tmux_start "env PATH=$TRASH/fakebin:$PATH '"$CTXMGR"' shell" &&
	tmux_wait_cursor "ctxmgr [local]>" &&
	tmux_type "docker o" && tmux_keys Tab &&
	tmux_wait_cursor "ctxmgr [local]> docker ok-word" &&
	tmux_keys C-u && tmux_wait_cursor "ctxmgr [local]>" &&
	start=$(date +%s) &&
	tmux_type "docker hang" && tmux_keys Tab &&
	tmux_type "X" &&
	tmux_wait_cursor "ctxmgr [local]> docker hangX" 10 &&
	test $(( $(date +%s) - start )) -le 6 &&
	tmux_keys C-u && tmux_keys C-d && test "$(tmux_wait_exit)" = 0 &&
	test_must_fail tmux_wait "pwned" 1
'

test_expect_success 'a broken current context: error, docker not run' '
	mkdir -p "$DOCKER_CONFIG/contexts/meta/$(ctx_dir broken)" &&
	echo "{" >"$DOCKER_CONFIG/contexts/meta/$(ctx_dir broken)/meta.json" &&
	printf "docker version\nshow\n" | ctxmgr --context broken shell >out 2>err &&
	test_grep "broken" err &&
	! test_grep -q "Server" out
'

test_expect_success 'docker line on an ssh:// context reaches the remote daemon' '
	start_sshd box &&
	ctxmgr create viassh --host ssh://box -q >/dev/null &&
	echo "docker version --format {{.Server.Version}}" |
		ctxmgr --context viassh shell >out 2>err &&
	test_atexit "\"$CTXMGR\" tunnel stop --all >/dev/null 2>&1" &&
	test "$(cat out)" = "$(docker -H "unix://$DOCKERD_SOCK" version --format {{.Server.Version}})"
'

test_expect_success 'the docker line went through a ctxmgr tunnel, which is reused' '
	ctxmgr tunnel ls -q >names &&
	echo viassh >want && test_cmp want names &&
	pid=$(tunnel_pid viassh) &&
	printf "%s\n" "docker info --format {{.Name}}" \
		"docker version --format {{.Server.Version}}" |
		ctxmgr --context viassh shell >out 2>err &&
	test "$(wc -l <out)" = 2 &&
	test "$(tunnel_pid viassh)" = "$pid" &&
	test "$(tunnel_field viassh Connected)" = True &&
	ctxmgr tunnel ls -q >names && test_cmp want names
'

test_expect_success 'a changed host key: clear error, no tunnel, the shell goes on' '
	start_sshd other &&
	ctxmgr create spoofed --host "ssh://$SSH_USER@127.0.0.1:$SSHD_PORT" -q >/dev/null &&
	cp "$HOME/.ssh/known_hosts" kh.save &&
	ssh-keygen -q -t ed25519 -N "" -f fakehost &&
	grep -v "^\[127.0.0.1\]:$SSHD_PORT " kh.save >"$HOME/.ssh/known_hosts" &&
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d" " -f1,2 fakehost.pub)" \
		>>"$HOME/.ssh/known_hosts" &&
	printf "%s\n" "docker version" "show" |
		ctxmgr --context spoofed shell >out 2>err &&
	cp kh.save "$HOME/.ssh/known_hosts" &&
	test_grep -i "host key" err &&
	test_grep -x spoofed out &&
	! test_grep -q "Server" out &&
	ctxmgr tunnel ls >names &&
	test_grep "^spoofed  *failing .*host key" names
'
test_done
