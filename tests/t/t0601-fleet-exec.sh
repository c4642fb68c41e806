#!/bin/bash
test_description='exec --filter/--all: one command across contexts in parallel, prefixed or grouped, a summary, a deadline'
. "$(dirname "$0")/../lib/test-lib.sh"

use_dockerd
start_sshd fleet
unset DOCKER_HOST DOCKER_CONTEXT

# two local daemons' worth of contexts, one tunnelled ssh context through
# a real sshd, one ssh context whose host does not answer
dead_port=$(free_port)
ctxmgr create u1 --host "unix://$DOCKERD_SOCK" --tag web -q >/dev/null
ctxmgr create u2 --host "unix://$DOCKERD_SOCK" --tag web --tag eu -q >/dev/null
ctxmgr create s1 --host "ssh://fleet$DOCKERD_SOCK" --tag web --tag eu -q >/dev/null 2>&1
ctxmgr create dead --host "ssh://127.0.0.1:$dead_port$DOCKERD_SOCK" --tag db -q >/dev/null 2>&1

test_expect_success 'exec --filter runs docker once per selected context, lines prefixed' '
	ctxmgr exec --filter tag=web -- docker version --format "v={{.Server.Version}}" >out 2>err &&
	sort out >sorted &&
	test "$(wc -l <out)" = 3 &&
	grep -q "^s1 | v=[0-9]" out &&
	grep -q "^u1 | v=[0-9]" out &&
	grep -q "^u2 | v=[0-9]" out &&
	test_grep "^ctxmgr: exec: 3 of 3 contexts succeeded" err &&
	test_grep "^  s1  exit 0$" err
'

test_expect_success 'each child sees its own context: DOCKER_HOST through the tunnel for ssh' '
	ctxmgr exec -f tag=eu -- sh -c "echo \$DOCKER_HOST" >out 2>err &&
	test_grep "^u2 | unix://$DOCKERD_SOCK$" out &&
	sock=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"Endpoints\"][\"docker\"][\"Host\"])" \
		"$DOCKER_CONFIG/contexts/meta/$(ctx_dir s1)/meta.json") &&
	test_grep "^s1 | $sock$" out
'

test_expect_success 'an unreachable host fails alone: summary names it, exit 1' '
	test_expect_code 1 ctxmgr exec --all -j 2 -- docker ps -q >out 2>err &&
	test_grep "^ctxmgr: exec: 3 of 4 contexts succeeded" err &&
	test_grep "^  dead  exit 1$" err &&
	test_grep "^  u1    exit 0$" err &&
	test_grep "^dead | .*port $dead_port refused" err &&
	! grep -q "^default" err
'

test_expect_success 'with one context selected the exit status is its own' '
	test_expect_code 7 ctxmgr exec -f name=u1 -- sh -c "exit 7" 2>err &&
	test_grep "^  u1  exit 7$" err &&
	test_expect_code 1 ctxmgr exec -f name=dead -- docker ps -q 2>err
'

test_expect_success 'no match, a name with --filter, and bad values are errors' '
	test_expect_code 1 ctxmgr exec -f tag=nosuch -- true 2>err &&
	test_grep "no context matches" err &&
	test_expect_code 2 ctxmgr exec u1 --all -- true 2>err &&
	test_expect_code 2 ctxmgr exec --all -j 0 -- true 2>err &&
	test_grep "jobs" err &&
	test_expect_code 2 ctxmgr exec --all --timeout soon -- true 2>err &&
	test_grep "not a duration" err &&
	test_expect_code 2 ctxmgr exec -f colour=red -- true 2>err &&
	test_grep "unknown filter" err
'

test_expect_success 'lines are whole and never run on behind another prefix' '
	# a long line is cut into prefixed pieces; a partial last line ends
	ctxmgr exec -f "name=u*" -- sh -c "head -c 20000 /dev/zero | tr \"\\\\0\" x; echo; printf tail" >out 2>err &&
	test "$(grep -c "^u1 | x" out)" = 1 &&
	test "$(grep -c "^u1 + x" out)" = 2 &&
	test "$(grep -c "^u2 + x" out)" = 2 &&
	grep -q "^u1 | tail$" out &&
	grep -q "^u2 | tail$" out &&
	! grep -v "^u[12] [|+] " out &&
	# a host cannot forge another one prefix: every line starts with its own
	ctxmgr exec -f "name=u*" -- sh -c "printf \"x\\nu9 | forged\\n\"" >out 2>err &&
	test "$(grep -c "^u1 | u9 | forged$" out)" = 1 &&
	! grep -q "^u9" out
'

test_expect_success 'binary output: every byte passes, every line keeps its host' '
	head -c 3000000 /dev/urandom >blob &&
	printf "tail without newline\033[2J\r" >>blob &&
	ctxmgr exec -f "name=u*" -- cat "$TRASH/blob" >out 2>err &&
	python3 - blob out <<-\PY
	import sys
	blob = open(sys.argv[1], "rb").read()
	got = {}
	for piece in open(sys.argv[2], "rb").read().split(b"\n")[:-1]:
	    name, mark, rest = piece[:2], piece[2:5], piece[5:]
	    assert name in (b"u1", b"u2") and mark in (b" | ", b" + "), piece[:40]
	    parts = got.setdefault(name, [])
	    if mark == b" | " and parts:
	        parts.append(b"\n")
	    parts.append(rest)
	for name in (b"u1", b"u2"):
	    assert b"".join(got[name]) == blob, name
	PY
'

test_expect_success '--group prints each context output as one block' '
	ctxmgr exec -f tag=web --group -- sh -c "echo one; sleep 0.2; echo two" >out 2>err &&
	for c in u1 u2 s1; do
		sed -n "/^=== $c (exit 0) ===$/,+2p" out >blk &&
		printf "=== %s (exit 0) ===\none\ntwo\n" $c >want &&
		test_cmp want blk || exit 1
	done &&
	test "$(wc -l <out)" = 9
'

test_expect_success '--timeout kills what still runs and reports it' '
	start=$(date +%s) &&
	test_expect_code 1 ctxmgr exec -f tag=web --timeout 2s -- \
		sh -c "case \$DOCKER_HOST in *$DOCKERD_SOCK) sleep 67.5;; esac; echo quick" >out 2>err &&
	end=$(date +%s) &&
	test $((end - start)) -lt 10 &&
	test_grep "the deadline (--timeout 2s) passed" err &&
	test_grep "^  u1  timed out$" err &&
	test_grep "^  u2  timed out$" err &&
	test_grep "^  s1  exit 0$" err &&
	test_grep "^s1 | quick$" out &&
	sleep 1.5 && ! pgrep -u "$(id -u)" -f "sleep 67.5" &&
	test_expect_code 124 ctxmgr exec -f name=u1 --timeout 1 -- sleep 30 2>err
'

test_expect_success 'SIGINT stops every child, reported as interrupted, exit 130' '
	{ "$CTXMGR" exec -f "name=u*" -- sleep 68.5 >out 2>err & } &&
	pid=$! &&
	sleep 1 &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	test "$rc" = 130 &&
	test_grep "^ctxmgr: exec: interrupted" err &&
	test_grep "^  u1  interrupted$" err &&
	sleep 1.5 && ! pgrep -u "$(id -u)" -f "sleep 68.5"
'

test_expect_success '-j bounds how many run at once' '
	ctxmgr exec -f tag=web -j 1 -- sh -c "date +%s.%N; sleep 0.3; date +%s.%N" >out 2>err &&
	python3 - out <<-\PY
	import sys
	spans = {}
	for line in open(sys.argv[1]):
	    name, _, t = line.partition(" | ")
	    spans.setdefault(name.strip(), []).append(float(t))
	iv = sorted(spans.values())
	assert len(iv) == 3, spans
	for a, b in zip(iv, iv[1:]):
	    assert a[1] <= b[0], spans
	PY
'

test_done
