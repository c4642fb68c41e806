#!/bin/bash
test_description='ctxmgr shell driven in tmux: completion, commands, errors, prompt, history'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tmux.sh"

P='ctxmgr [default]>'

test_expect_success 'setup: contexts and a file to complete' '
	ctxmgr create prod --direct --host ssh://deploy@prod.example.com -q >/dev/null &&
	ctxmgr create staging --direct --host ssh://deploy@staging.example.com -q >/dev/null &&
	mkdir -p certs && echo x >certs/client-cert.pem
'

start_shell() {
	tmux_start "cd '$TRASH' && '$CTXMGR' shell" &&
	tmux_wait_cursor "$P"
}

test_expect_success 'the shell starts with the current context in the prompt' '
	start_shell
'

test_expect_success 'Tab completes a command name' '
	tmux_type "insp" && tmux_keys Tab &&
	tmux_wait_cursor "$P inspect"
'

test_expect_success 'Tab completes a context name' '
	tmux_type "st" && tmux_keys Tab &&
	tmux_wait_cursor "$P inspect staging"
'

test_expect_success 'running a command prints its output and a new prompt' '
	tmux_keys Enter &&
	tmux_wait "\"Host\": \"ssh://deploy@staging.example.com\"" &&
	tmux_wait_cursor "$P"
'

test_expect_success 'Tab completes a flag and a flag value from its choices' '
	tmux_type "ls --fo" && tmux_keys Tab &&
	tmux_wait_cursor "$P ls --format" &&
	tmux_type "ya" && tmux_keys Tab &&
	tmux_wait_cursor "$P ls --format yaml" &&
	tmux_keys Enter &&
	tmux_wait "DockerEndpoint: ssh://deploy@prod.example.com" &&
	tmux_wait_cursor "$P"
'

test_expect_success 'Tab completes a file name where the argument is a file' '
	tmux_type "update prod --ca certs/cli" && tmux_keys Tab &&
	tmux_wait_cursor "$P update prod --ca certs/client-cert.pem" &&
	tmux_keys C-u && tmux_wait_cursor "$P"
'

test_expect_success 'subcommands and the choices of an argument complete' '
	tmux_type "config s" && tmux_keys Tab &&
	tmux_wait_cursor "$P config show" &&
	tmux_keys C-u && tmux_type "completion f" && tmux_keys Tab &&
	tmux_wait_cursor "$P completion fish" &&
	tmux_keys C-u && tmux_wait_cursor "$P"
'

test_expect_success 'an error prints its message and the shell goes on' '
	tmux_type "use nosuch" && tmux_keys Enter &&
	tmux_wait "ctxmgr: context \"nosuch\" not found" &&
	tmux_wait_cursor "$P" &&
	tmux_type "frobnicate" && tmux_keys Enter &&
	tmux_wait "unknown command \"frobnicate\"" &&
	tmux_type "create \"unterminated" && tmux_keys Enter &&
	tmux_wait "unterminated double quote" &&
	tmux_wait_cursor "$P" &&
	tmux_type "show" && tmux_keys Enter &&
	tmux_wait_cursor "$P" &&
	tmux_screen | grep -v "^$" | tail -n 2 | head -n 1 | grep -qx default
'

test_expect_success 'the prompt follows use' '
	tmux_type "use prod" && tmux_keys Enter &&
	tmux_wait_cursor "ctxmgr [prod]>" &&
	test "$(ctxmgr show)" = prod &&
	tmux_type "use -" && tmux_keys Enter &&
	tmux_wait_cursor "$P"
'

test_expect_success 'Ctrl-C cancels the line being typed' '
	tmux_type "rm -f prod" && tmux_wait_cursor "$P rm -f prod" &&
	tmux_keys C-c &&
	tmux_wait "rm -f prod\^C" &&
	tmux_wait_cursor "$P" &&
	tmux_keys Enter && tmux_wait_cursor "$P" &&
	ctxmgr inspect prod >/dev/null
'

test_expect_success 'Ctrl-C stops a running command, not the shell' '
	ctxmgr create hang --host ssh://x@hang.example.com -q >/dev/null &&
	mkfifo "$TRASH/fifo" &&
	tmux_type "import-hosts $TRASH/fifo" && tmux_keys Enter &&
	pane_pid=$(tmux -S "$TMUX_SOCK" display -p "#{pane_pid}") &&
	shell_pid=$(pgrep -P "$pane_pid") &&
	wait_for 10 pgrep -P "$shell_pid" &&
	tmux_keys C-c &&
	tmux_wait_cursor "$P" &&
	tmux_type "show" && tmux_keys Enter &&
	tmux_wait_cursor "$P"
'

test_expect_success 'a leading "ctxmgr" is accepted, "shell" is refused inside' '
	tmux_type "ctxmgr prompt -c staging" && tmux_keys Enter &&
	tmux_wait "^staging$" &&
	tmux_type "shell" && tmux_keys Enter &&
	tmux_wait "\"shell\" cannot run inside the shell" &&
	tmux_wait_cursor "$P"
'

test_expect_success 'Ctrl-D leaves with status 0' '
	tmux_keys C-d &&
	test "$(tmux_wait_exit)" = 0 &&
	tmux_stop
'

test_expect_success 'history: 0600 in XDG_STATE_HOME, no secrets, no blank-led lines' '
	h=$XDG_STATE_HOME/ctxmgr/history &&
	test "$(stat -c %a "$h")" = 600 &&
	test "$(stat -c %a "$(dirname "$h")")" = 700 &&
	test_grep -x "inspect staging" "$h" &&
	test_grep -x "use prod" "$h" &&
	start_shell &&
	tmux_type "keys gen --passphrase-file /dev/null x" && tmux_keys Enter &&
	tmux_wait_cursor "$P" &&
	tmux_type "docker login -u me -p hunter2 registry.example" && tmux_keys C-u &&
	tmux_type " show" && tmux_keys Enter && tmux_wait_cursor "$P" &&
	tmux_type "create --password=hunter2 x" && tmux_keys Enter &&
	tmux_wait_cursor "$P" &&
	tmux_type "ls -q" && tmux_keys Enter && tmux_wait_cursor "$P" &&
	tmux_keys C-d && test "$(tmux_wait_exit)" = 0 && tmux_stop &&
	! grep -e passphrase -e hunter2 -e "^ show" "$h" &&
	test_grep -x "ls -q" "$h"
'

test_expect_success 'history: Up recalls the previous session, newest first' '
	start_shell &&
	tmux_keys Up && tmux_wait_cursor "$P ls -q" &&
	tmux_keys Up && tmux_wait_cursor "$P shell" &&
	tmux_keys C-u C-d && test "$(tmux_wait_exit)" = 0 && tmux_stop
'

test_expect_success 'history is bounded' '
	h=$XDG_STATE_HOME/ctxmgr/history &&
	seq 1 3000 | sed "s/^/show # /" >"$h" &&
	chmod 644 "$h" &&
	start_shell &&
	tmux_type "version" && tmux_keys Enter && tmux_wait_cursor "$P" &&
	tmux_keys C-d && tmux_wait_exit >/dev/null && tmux_stop &&
	test "$(wc -l <"$h")" -le 1001 &&
	test "$(stat -c %a "$h")" = 600 &&
	test_grep -x "show # 3000" "$h" &&
	! grep -qx "show # 1" "$h"
'

test_expect_success 'history that is a symlink is refused, the shell still works' '
	h=$XDG_STATE_HOME/ctxmgr/history &&
	rm -f "$h" && echo keep >"$TRASH/target" && ln -s "$TRASH/target" "$h" &&
	start_shell &&
	tmux_type "show" && tmux_keys Enter && tmux_wait_cursor "$P" &&
	tmux_keys C-d && tmux_wait_exit >/dev/null && tmux_stop &&
	test "$(cat "$TRASH/target")" = keep &&
	rm -f "$h"
'

test_expect_success 'exit N leaves with status N' '
	start_shell &&
	tmux_type "exit 3" && tmux_keys Enter &&
	test "$(tmux_wait_exit)" = 3 && tmux_stop
'

test_expect_success 'commands print exactly what they print on the command line (hints name commands as typed here)' '
	for line in "ls" "ls --format json" "ls -q" "inspect prod staging" \
		"inspect --format yaml prod" "show --format json" "help use" \
		"config show" "completion fish" "use nosuch" "rm" "--version"; do
		cli_rc=0 && sh_rc=0 &&
		{ ctxmgr $line >cli.out 2>cli.err || cli_rc=$?; } &&
		{ echo "$line" | ctxmgr shell >sh.out 2>sh.err || sh_rc=$?; } &&
		sed "s/^run \"ctxmgr /run \"/" cli.err >cli.err.shell &&
		test_cmp cli.out sh.out && test_cmp cli.err.shell sh.err &&
			test $cli_rc = $sh_rc || { echo "differs: $line"; exit 1; }
	done
'

test_expect_success 'lines on stdin run without a terminal' '
	printf "show\nuse staging\nnosuch\nprompt\n" | ctxmgr shell >out 2>err &&
	printf "default\nstaging\nstaging\n" >expect &&
	test_cmp expect out &&
	test_grep "unknown command \"nosuch\"" err &&
	test_grep "^run \"help\" for the list of commands$" err &&
	test_must_fail grep "ctxmgr help" err &&
	printf "use -\nexit 4\nshow\n" | test_expect_code 4 ctxmgr shell >out &&
	test_cmp - out <<-EOF
	default
	EOF
'
test_done
