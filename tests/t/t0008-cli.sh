#!/bin/bash
test_description='CLI conventions: help, exit codes, formats, terminals'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'every command in the overview has --help (exit 0, usage line)' '
	ctxmgr help >overview &&
	sed -n "/^commands:/,/^$/p" overview | awk "NF {print \$1}" | grep -v "^commands:" >cmds &&
	test $(wc -l <cmds) -ge 12 &&
	while read -r c; do
		ctxmgr $c --help >out || return 1
		grep -q "^usage: ctxmgr $c" out || { echo "no usage for $c"; return 1; }
		ctxmgr help $c >out2 || return 1
		test_cmp out out2 || return 1
	done <cmds
'

test_expect_success 'global options work before and after the command' '
	ctxmgr create g1 --host ssh://h -q &&
	ctxmgr --format json ls >a && ctxmgr ls --format json >b && test_cmp a b &&
	ctxmgr -q ls >a && ctxmgr ls -q >b && test_cmp a b &&
	ctxmgr --config $DOCKER_CONFIG ls -q >c && test_cmp a c &&
	mkdir other && ctxmgr --config $PWD/other ls -q >d &&
	echo default >expect && test_cmp expect d
'

test_expect_success 'usage errors exit 2 and say where to look' '
	test_expect_code 2 ctxmgr ls --bogus 2>err &&
	test_grep "unknown option \"--bogus\"" err &&
	test_grep "ctxmgr ls --help" err &&
	test_expect_code 2 ctxmgr use a b 2>err &&
	test_expect_code 2 ctxmgr --format xml ls 2>err &&
	test_expect_code 2 ctxmgr inspect --format table 2>err &&
	test_expect_code 2 ctxmgr create x1 --host 2>err &&
	test_grep "needs a value" err
'

test_expect_success 'version, show and ls have json and yaml' '
	ctxmgr --version >v && test_grep "^ctxmgr [0-9]" v && test_grep "libssh2 1.1[1-9]" v &&
	ctxmgr version --format json >v.json && python3 -m json.tool v.json >/dev/null &&
	ctxmgr show --format json >s.json && test_grep "\"Source\": \"default\"" s.json &&
	ctxmgr ls --format yaml >l.yaml && test_grep "^- Name: default$" l.yaml &&
	python3 -c "import json; json.load(open(\"s.json\"))"
'

test_expect_success 'colour only on a terminal, never with NO_COLOR or --no-color' '
	ctxmgr ls >plain && ! grep -q "$(printf "\033")" plain &&
	script -qec "$CTXMGR ls" /dev/null >tty.out &&
	grep -q "$(printf "\033")\[1m" tty.out &&
	NO_COLOR=1 script -qec "$CTXMGR ls" /dev/null >tty2.out &&
	! grep -q "$(printf "\033")\[1m" tty2.out &&
	script -qec "$CTXMGR ls --no-color" /dev/null >tty3.out &&
	! grep -q "$(printf "\033")\[1m" tty3.out
'

test_expect_success 'export refuses to write a tar to a terminal; default file is exclusive 0600' '
	test_expect_code 2 script -qec "$CTXMGR export g1 -" /dev/null >tty.out &&
	test_grep "refusing to write a tar archive to a terminal" tty.out &&
	ctxmgr export g1 -q && test "$(stat -c %a g1.dockercontext)" = 600 &&
	test_must_fail ctxmgr export g1 2>err && test_grep "already exists" err &&
	ctxmgr export g1 - >piped.tar && tar tf piped.tar >list && test_grep meta.json list
'

test_expect_success 'use - with no previous context is a clear error' '
	rm -rf fresh && test_must_fail ctxmgr --config $PWD/fresh use - 2>err &&
	test_grep "no previous context" err
'

# The front binary runs ls/use/show/prompt itself and links only the
# store; the rest goes to ctxmgr-full beside it (docs/ARCHITECTURE.md).
test_expect_success 'the front links no OpenSSL, libssh2, readline or zxcvbn' '
	ldd "$CTXMGR" >libs &&
	! test_grep -q "zxcvbn\|readline\|ssl\|crypto\|ssh2" libs &&
	nm "$CTXMGR" >syms &&
	! test_grep -q "EVP_\|libssh2_\|rl_\|ZxcvbnMatch" syms
'

test_expect_success 'the front hands other commands to ctxmgr-full, same pid' '
	ctxmgr --version >v && test_grep "^libssh2 " v &&
	ctxmgr --format json version >v.json && test_grep "\"Libraries\"" v.json &&
	ctxmgr help >h && test_grep "^  audit " h &&
	test_expect_code 2 ctxmgr crate x 2>err && test_grep "did you mean \"create\"" err &&
	ctxmgr create u1 --host unix:///nowhere.sock -q >/dev/null &&
	{ "$CTXMGR" -c u1 exec -- sh -c "echo \$\$" >pid.child & } &&
	pid=$! && wait $pid && test "$(cat pid.child)" = "$pid"
'

test_expect_success 'without ctxmgr-full the front still runs its commands' '
	mkdir -p lone && cp "$CTXMGR" lone/ctxmgr &&
	lone/ctxmgr show >s && test -s s &&
	lone/ctxmgr ls -q >l && test_grep -x g1 l &&
	test_expect_code 1 lone/ctxmgr --version 2>err &&
	test_grep "cannot run ctxmgr-full" err && test_grep "reinstall" err
'
test_done
