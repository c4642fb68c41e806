#!/bin/bash
test_description='the blocking SSH API: remote commands with quoted arguments, stdin, output and exit status'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd rx
ctxmgr create rx --direct --host "ssh://rx$DOCKERD_SOCK" >/dev/null 2>&1

test_expect_success 'a remote command: output and exit status' '
	ctxmgr remote-exec rx -- echo hello >out &&
	echo hello >expect &&
	test_cmp expect out &&
	test_expect_code 3 ctxmgr remote-exec rx -- sh -c "echo to-err >&2; exit 3" 2>err &&
	test_grep "^to-err$" err
'

test_expect_success 'hostile arguments arrive unchanged' '
	ctxmgr remote-exec rx -- printf "%s\n" "a b" "\$(id)" "it'"'"'s" "\`id\`" ";" "*" "~" "" "-n" >out &&
	printf "%s\n" "a b" "\$(id)" "it'"'"'s" "\`id\`" ";" "*" "~" "" "-n" >expect &&
	test_cmp expect out
'

test_expect_success 'stdin is fed and closed; several MB come back intact' '
	head -c 5000000 /dev/urandom >in &&
	ctxmgr remote-exec rx --stdin -- sha256sum <in >out &&
	test "$(cut -d" " -f1 out)" = "$(sha256sum <in | cut -d" " -f1)" &&
	ctxmgr remote-exec rx --stdin -- cat <in >back &&
	cmp in back
'

test_expect_success 'a command killed by a signal' '
	test_expect_code 128 ctxmgr remote-exec rx -- sh -c "kill -9 \$\$" 2>err &&
	test_grep "SIGKILL" err
'

test_expect_success 'the remote user environment reaches docker (audit style)' '
	ctxmgr remote-exec rx -- docker version --format "{{.Server.Version}}" >out &&
	test -s out
'

test_expect_success 'remote-exec is hidden from help' '
	ctxmgr help >out &&
	! grep -q remote-exec out
'
test_done
