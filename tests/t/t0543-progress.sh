#!/bin/bash
test_description='progress on stderr for long work: import-hosts, ca rotate --all, audit --all, a tunnel'"'"'s first connect, exec, ping, tunnel start and keys check over many contexts; only on a terminal, never with -q'
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

# screen FILE: what a terminal shows after FILE's bytes: each line as it
# stands once "\r ESC[K" (the status line cleared) has been applied
screen() {
	python3 -c '
import sys
for l in open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read().split("\n"):
    print(l.rstrip("\r").split("\r\x1b[K")[-1])' "$1"
}

test_expect_success 'exec over several contexts: a status line, cleared before each output line' '
	for n in e1 e2 e3; do
		ctxmgr create $n --host tcp://127.0.0.1:1 --tag px -q || exit 1
	done &&
	on_tty "$CTXMGR" exec --filter tag=px -j 2 -- sh -c "sleep 0.3; echo out; echo err >&2" >tty.out &&
	test_grep "exec [0-9]/3: e[123]" tty.out &&
	screen tty.out >seen &&
	for n in e1 e2 e3; do
		test_grep -x "$n | out" seen && test_grep -x "$n | err" seen || exit 1
	done &&
	! grep -q "exec [0-9]/3" seen &&
	test_grep "exec: 3 of 3 contexts succeeded" seen &&
	on_tty "$CTXMGR" exec --filter tag=px --group -- sh -c "sleep 0.2; echo out" >tty.out &&
	test_grep "exec [0-9]/3: e" tty.out &&
	screen tty.out >seen &&
	test_grep -x "=== e2 (exit 0) ===" seen && ! grep -q "exec [0-9]/3" seen &&
	ctxmgr exec --filter tag=px -- sh -c "echo out" >out 2>err &&
	! grep -q "exec [0-9]/3" err &&
	on_tty "$CTXMGR" -q exec --filter tag=px -- sh -c "sleep 0.2; echo out" >tty.out &&
	! grep -q "exec [0-9]/3" tty.out
'

test_expect_success 'ping --filter: a status line on a terminal only; the JSON stays clean' '
	test_expect_code 1 on_tty "$CTXMGR" ping --filter tag=px >tty.out &&
	test_grep "ping [0-9]/3: e" tty.out &&
	screen tty.out >seen && ! grep -q "ping [0-9]/3" seen &&
	test_expect_code 1 on_tty "$CTXMGR" ping --filter tag=px --format json >tty.out &&
	test_grep "ping [0-9]/3: e" tty.out &&
	test_expect_code 1 ctxmgr ping --filter tag=px --format json >out 2>err &&
	! grep -q "ping [0-9]/3" err &&
	python3 -c "import json,sys; assert len(json.load(open(sys.argv[1]))) == 3" out
'

test_expect_success 'tunnel start and keys check --filter: a status line on a terminal only' '
	for n in k1 k2; do
		ctxmgr create $n --host ssh://u@127.0.0.1:1 --tag pk -q 2>/dev/null || exit 1
	done &&
	test_expect_code 1 on_tty "$CTXMGR" tunnel start --filter tag=pk >tty.out &&
	test_grep "tunnel start [0-9]/2: k" tty.out &&
	screen tty.out >seen && ! grep -q "tunnel start [0-9]/2" seen &&
	test_expect_code 1 ctxmgr tunnel start --filter tag=pk >out 2>err &&
	! grep -q "tunnel start [0-9]/2" err &&
	ctxmgr tunnel shutdown >/dev/null 2>&1 &&
	test_expect_code 1 on_tty "$CTXMGR" keys check --filter tag=pk >tty.out &&
	test_grep "checking 1/2: k1" tty.out &&
	test_grep "checking 2/2: k2" tty.out &&
	test_expect_code 1 ctxmgr keys check --filter tag=pk >out 2>err &&
	! grep -q "checking" err
'

test_done
