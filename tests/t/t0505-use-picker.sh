#!/bin/bash
test_description='ctxmgr use with no name: fzf when on PATH, else the built-in filter; a usage error without a terminal'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tmux.sh"

command -v fzf >/dev/null || test_fatal "fzf is not installed (run scripts/install-deps)"

BIN_DIR=$TRASH/bin-ctxmgr
mkdir -p "$BIN_DIR" && ln -s "$CTXMGR" "$BIN_DIR/ctxmgr"
# a PATH where ctxmgr is and fzf is not
NOFZF=$BIN_DIR

current_in_config() {
	sed -n 's/.*"currentContext": *"\([^"]*\)".*/\1/p' "$DOCKER_CONFIG/config.json"
}

test_expect_success 'setup: contexts' '
	for c in ci web db staging; do
		ctxmgr create $c --host unix:///nonexistent/$c.sock -q >/dev/null ||
			exit 1
	done &&
	ctxmgr use ci -q >/dev/null
'

test_expect_success 'without a terminal, use with no name is a usage error' '
	test_expect_code 2 ctxmgr use </dev/null 2>err &&
	test_grep "needs a context name" err &&
	test "$(current_in_config)" = ci
'

test_expect_success 'fzf: the names are offered, the current one marked, typing picks' '
	tmux_start "env PATH=\"$BIN_DIR:$PATH\" ctxmgr use" &&
	tmux_wait "context>" &&
	tmux_wait "ci[[:space:]]+\(current\)" &&
	tmux_wait "staging" &&
	tmux_type "stag" &&
	tmux_wait "1/5" &&
	tmux_keys Enter &&
	test "$(tmux_wait_exit)" = 0 &&
	tmux_wait "Current context is now \"staging\"" &&
	test "$(current_in_config)" = staging &&
	tmux_stop
'

test_expect_success 'fzf: Esc changes nothing and says so' '
	tmux_start "env PATH=\"$BIN_DIR:$PATH\" ctxmgr use" &&
	tmux_wait "context>" &&
	tmux_keys Escape &&
	test "$(tmux_wait_exit)" = 1 &&
	tmux_wait "no context chosen" &&
	test "$(current_in_config)" = staging &&
	tmux_stop
'

test_expect_success 'built-in filter: a number picks from the list' '
	tmux_start "env PATH=\"$NOFZF\" ctxmgr use" &&
	tmux_wait "staging  \(current\)" &&
	tmux_wait "filter, number or Enter for 1>" &&
	tmux_screen >screen &&
	test_grep "^  1) ci$" screen &&
	test_grep "^  2) db$" screen &&
	tmux_type "4" && tmux_keys Enter &&
	test "$(tmux_wait_exit)" = 0 &&
	test "$(current_in_config)" = staging &&
	tmux_stop
'

test_expect_success 'built-in filter: typing narrows, Enter takes the first match' '
	tmux_start "env PATH=\"$NOFZF\" ctxmgr use" &&
	tmux_wait "filter, number or Enter for 1>" &&
	tmux_type "WE" && tmux_keys Enter &&
	tmux_wait "^  1\) web$" &&
	tmux_keys Enter &&
	test "$(tmux_wait_exit)" = 0 &&
	test "$(current_in_config)" = web &&
	tmux_stop
'

test_expect_success 'built-in filter: no match says so; Ctrl-D cancels' '
	tmux_start "env PATH=\"$NOFZF\" ctxmgr use" &&
	tmux_wait "filter, number or Enter for 1>" &&
	tmux_type "zzz" && tmux_keys Enter &&
	tmux_wait "no context matches \"zzz\"" &&
	tmux_keys C-d &&
	test "$(tmux_wait_exit)" = 1 &&
	tmux_wait "no context chosen" &&
	test "$(current_in_config)" = web &&
	tmux_stop
'

test_expect_success 'the picker inside ctxmgr shell: use -s switches that shell' '
	tmux_start "env PATH=\"$NOFZF\" ctxmgr shell" &&
	tmux_wait_cursor "ctxmgr [web]>" &&
	tmux_type "use -s" && tmux_keys Enter &&
	tmux_wait "filter, number or Enter for 1>" &&
	tmux_type "2" && tmux_keys Enter &&
	tmux_wait_cursor "ctxmgr [db]>" &&
	test "$(current_in_config)" = web &&
	tmux_type "use -s -" && tmux_keys Enter &&
	tmux_wait_cursor "ctxmgr [web]>" &&
	tmux_keys C-d && test "$(tmux_wait_exit)" = 0
'

test_expect_success 'the picker with use --shell in bash -i: only that shell switches' '
	tmux_start "cd \"$TRASH\" && env PATH=\"$BIN_DIR:$PATH\" bash --norc --noprofile -i" &&
	sleep 0.3 &&
	tmux_type "eval \"\$(ctxmgr init bash)\"" && tmux_keys Enter &&
	tmux_type "ctxmgr use -s; echo \"dc=\$DOCKER_CONTEXT\" >out-shell" &&
	tmux_keys Enter &&
	tmux_wait "context>" &&
	tmux_type "db" && tmux_wait "1/5" && tmux_keys Enter &&
	wait_for 10 test -s out-shell &&
	test "$(cat out-shell)" = dc=db &&
	test "$(current_in_config)" = web &&
	tmux_stop
'
test_expect_success 'the built-in picker with use --shell in fish -i' '
	tmux_start "cd \"$TRASH\" && env PATH=\"$NOFZF\" $(command -v fish) --no-config -i" &&
	sleep 0.3 &&
	tmux_type "ctxmgr init fish | source" && tmux_keys Enter &&
	tmux_type "ctxmgr use -s; echo dc=\$DOCKER_CONTEXT >out-fish" &&
	tmux_keys Enter &&
	tmux_wait "filter, number or Enter for 1>" &&
	tmux_type "stag" && tmux_keys Enter &&
	tmux_wait "^  1\) staging" && tmux_keys Enter &&
	wait_for 10 test -s out-fish &&
	test "$(cat out-fish)" = dc=staging &&
	test "$(current_in_config)" = web &&
	tmux_stop
'
test_done
