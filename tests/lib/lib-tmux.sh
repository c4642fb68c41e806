# lib-tmux.sh: drive an interactive program in a private tmux server, as a
# person would: type with send-keys (Tab included), read the screen with
# capture-pane.  Source after test-lib.sh.

TMUX_SOCK="$TRASH/tmux.sock"

# tmux_start CMD...: a fresh 150x50 session running CMD (through sh -c);
# its exit status lands in $TRASH/tmux.rc when it ends.
tmux_start() {
	command -v tmux >/dev/null || test_fatal "tmux is not installed"
	rm -f "$TRASH/tmux.rc"
	# a server that a kill-server is still taking down refuses new
	# sessions for a moment: try again, then give up with its words
	_tmux_ok=0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 150 \
			-y 50 "$* 2>&1; echo \$? >'$TRASH/tmux.rc'; sleep 30" \
			2>"$TRASH/tmux.err"; then
			_tmux_ok=1
			break
		fi
		sleep 0.2
	done
	[ "$_tmux_ok" = 1 ] ||
		test_fatal "tmux cannot start a session: $(cat "$TRASH/tmux.err")"
	test_atexit "tmux -S '$TMUX_SOCK' kill-server 2>/dev/null"
}

tmux_stop() {
	tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
}

# tmux_keys KEYS...: as tmux send-keys (Tab, Enter, C-c, C-d, or text).
tmux_keys() {
	tmux -S "$TMUX_SOCK" send-keys "$@"
}

# tmux_type TEXT: literal text, no key names.
tmux_type() {
	tmux -S "$TMUX_SOCK" send-keys -l "$1"
}

# The screen (and scrollback) as text, trailing blanks removed.
tmux_screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p -S -500 | sed 's/[[:space:]]*$//'
}

# tmux_wait PATTERN [SECONDS]: wait until the screen matches the extended
# regexp; on a timeout print the screen and fail.
tmux_wait() {
	n=$(( ${2:-10} * 20 ))
	while [ $n -gt 0 ]; do
		tmux_screen | grep -Eq -- "$1" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	echo "tmux_wait: no \"$1\" on the screen:" >&2
	tmux_screen | sed 's/^/  | /' >&2
	return 1
}

# tmux_last_line: the line the cursor is on (the prompt being typed).
tmux_cursor_line() {
	y=$(tmux -S "$TMUX_SOCK" display -p '#{cursor_y}')
	tmux -S "$TMUX_SOCK" capture-pane -p -S "$y" -E "$y" |
		sed 's/[[:space:]]*$//'
}

# tmux_wait_cursor TEXT: wait until the cursor line reads exactly TEXT.
tmux_wait_cursor() {
	n=$(( ${2:-10} * 20 ))
	while [ $n -gt 0 ]; do
		[ "$(tmux_cursor_line)" = "$1" ] && return 0
		sleep 0.05
		n=$((n - 1))
	done
	echo "tmux_wait_cursor: wanted \"$1\", the cursor line is \"$(tmux_cursor_line)\"; screen:" >&2
	tmux_screen | sed 's/^/  | /' >&2
	return 1
}

# Wait for the program in the session to end; prints its exit status.
tmux_wait_exit() {
	n=$(( ${1:-10} * 20 ))
	while [ $n -gt 0 ] && [ ! -s "$TRASH/tmux.rc" ]; do
		sleep 0.05
		n=$((n - 1))
	done
	[ -s "$TRASH/tmux.rc" ] || {
		echo "tmux_wait_exit: still running; screen:" >&2
		tmux_screen | sed 's/^/  | /' >&2
		return 1
	}
	cat "$TRASH/tmux.rc"
}
