#!/bin/bash
test_description='progress on stderr for long work: import-hosts, ca rotate --all, audit --all, a tunnel'"'"'s first connect; only on a terminal, never with -q'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-keys.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

# on_tty CMD...: run CMD on a pseudo-terminal (stdout and stderr both)
on_tty() {
	"$PTY_FEED" -- "$@"
}

test_expect_success 'import-hosts: count, host and time on a terminal' '
	cat >hosts.yaml <<-\EOF &&
	hosts:
	  - { name: p1, host: h1.example.com }
	  - { name: p2, host: h2.example.com }
	  - { name: p3, host: h3.example.com }
	EOF
	on_tty "$CTXMGR" import-hosts hosts.yaml >tty.out &&
	test_grep "importing 1/3: p1 ([0-9.]* s)" tty.out &&
	test_grep "importing 3/3: p3 ([0-9.]* s)" tty.out
'

test_expect_success 'import-hosts: nothing on stderr when it is not a terminal, nor with -q' '
	sed "s/p\([0-9]\)/q\1/" hosts.yaml >hosts2.yaml &&
	ctxmgr import-hosts hosts2.yaml >out 2>err &&
	! grep -q "importing" err &&
	sed "s/p\([0-9]\)/r\1/" hosts.yaml >hosts3.yaml &&
	on_tty "$CTXMGR" -q import-hosts hosts3.yaml >tty.out &&
	! grep -q "importing" tty.out &&
	ctxmgr inspect r3 >/dev/null
'

test_expect_success 'ca rotate --all: one line per renewal on a terminal' '
	ca_passphrase &&
	export CTXMGR_CA_PASSPHRASE_FILE &&
	# made before the certificates below, which are issued 25 days ago
	ctxmgr_at -26d ca init --kdf-iterations 2048 >/dev/null 2>&1 &&
	for n in c1 c2; do
		ctxmgr create $n --host tcp://127.0.0.1:2376 2>/dev/null &&
		ctxmgr_at -25d ca issue client $n --days 30 >/dev/null || exit 1
	done &&
	on_tty "$CTXMGR" ca rotate --all --dry-run >tty.out &&
	! grep -q "renewing" tty.out &&
	on_tty "$CTXMGR" ca rotate --all >tty.out &&
	test_grep "renewing 2/2: c2" tty.out &&
	test_grep "renewed *client *c1" tty.out &&
	for n in c1 c2; do
		ctxmgr_at -25d ca issue client $n --days 30 >/dev/null || exit 1
	done &&
	ctxmgr ca rotate --all >out 2>err &&
	! grep -q "renewing" err &&
	test_grep "^renewed *client *c2" out
'

test_expect_success 'audit --all: connecting, then auditing, on a terminal' '
	use_dockerd &&
	start_sshd pr &&
	test_atexit "\"$CTXMGR\" tunnel stop --all >/dev/null 2>&1" &&
	ctxmgr create a1 --host "ssh://pr$DOCKERD_SOCK" >/dev/null &&
	on_tty "$CTXMGR" audit --all --no-probes >tty.out || :
	test_grep "connecting 1/1: a1" tty.out &&
	test_grep "auditing 1/1: a1" tty.out &&
	ctxmgr audit --all --no-probes >out 2>err || :
	! grep -q "auditing" err
'
test_expect_success 'tunnel start: the first connect is shown on a terminal' '
	# nothing listens on port 1: the service fails fast, after trying
	ctxmgr create far --host ssh://u@127.0.0.1:1 >/dev/null 2>&1 &&
	test_expect_code 1 on_tty "$CTXMGR" tunnel start far >tty.out &&
	test_grep "connecting 0/1: far" tty.out &&
	test_expect_code 1 ctxmgr tunnel start far >out 2>err &&
	! grep -q "connecting 0/1" err &&
	ctxmgr tunnel shutdown >/dev/null 2>&1
'

test_done
