#!/bin/bash
test_description='docker lines in ctxmgr shell reach the current context'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tmux.sh"

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
	test "$(cat out)" = "$(docker -H "unix://$DOCKERD_SOCK" version --format {{.Server.Version}})"
'
test_done
