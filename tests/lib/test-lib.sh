# test-lib.sh: a small harness in the spirit of git's t/test-lib.sh.
#
# A test file sets test_description, sources this file, runs
# test_expect_success 'title' 'commands' blocks and ends with test_done.
# Each file gets a private directory with its own HOME and DOCKER_CONFIG;
# the real ~/.docker and ~/.ssh are never touched.  Each block runs in a
# subshell with `set -e`; test_when_finished registers clean-up.
#
# Environment: CTXMGR (the binary under test), TEST_VERBOSE=1 (show every
# block's output), TEST_KEEP=1 (keep the directory).

set -u
TEST_NAME=$(basename "$0" .sh)
TEST_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE:-$0}")" && pwd)
TEST_ROOT=$(cd "$TEST_LIB_DIR/.." && pwd)
SRC_ROOT=$(cd "$TEST_ROOT/.." && pwd)
: "${CTXMGR:=$SRC_ROOT/build/ctxmgr}"
if [ ! -x "$CTXMGR" ]; then
	echo "FATAL: ctxmgr binary not found at $CTXMGR (run make)" >&2
	exit 1
fi
export CTXMGR

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/ctxmgr-$TEST_NAME.XXXXXX")
export HOME="$TRASH/home" DOCKER_CONFIG="$TRASH/home/.docker"
export XDG_RUNTIME_DIR="$TRASH/run" XDG_STATE_HOME="$TRASH/state"
export XDG_CONFIG_HOME="$TRASH/config"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_CERT_PATH DOCKER_TLS_VERIFY \
	SSH_AUTH_SOCK NO_COLOR CTXMGR_PASSPHRASE_FILE \
	CTXMGR_CA_PASSPHRASE_FILE CTXMGR_SHELL CTXMGR_SHELL_PREVIOUS 2>/dev/null ||
	true
# a sanitizer report must never pass for an ordinary failure
export ASAN_OPTIONS="exitcode=134:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=134"
cd "$TRASH" || exit 1

test_count=0
test_failed=0

ctxmgr() {
	"$CTXMGR" "$@"
}

say() {
	printf '# %s\n' "$*"
}

# Register a command to run when the current test block ends.
test_when_finished() {
	printf '%s\n' "$*" >>"$TRASH/.when-finished"
}

# Register a command to run when the whole file ends (daemons); works
# from inside a test block too.
test_atexit() {
	{
		printf '%s\n' "$*"
		cat "$TRASH/.atexit" 2>/dev/null
	} >"$TRASH/.atexit.new"
	mv "$TRASH/.atexit.new" "$TRASH/.atexit"
}

run_atexit() {
	[ -f "$TRASH/.atexit" ] && (. "$TRASH/.atexit") >/dev/null 2>&1
	rm -f "$TRASH/.atexit"
}
trap run_atexit EXIT
# a tunnelled context starts the tunnel service: it goes with the file
test_atexit '"$CTXMGR" tunnel shutdown'

test_expect_success() {
	title=$1
	body=$2
	test_count=$((test_count + 1))
	log="$TRASH/.log-$test_count"
	rm -f "$TRASH/.when-finished"
	(
		set -e
		eval "$body"
	) >"$log" 2>&1 </dev/null
	rc=$?
	if [ -f "$TRASH/.when-finished" ]; then
		(. "$TRASH/.when-finished") >>"$log" 2>&1 </dev/null || true
		rm -f "$TRASH/.when-finished"
	fi
	if [ $rc -eq 0 ]; then
		echo "ok $test_count - $title"
		[ "${TEST_VERBOSE:-0}" = 1 ] && sed 's/^/#   /' "$log"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $title"
		printf '%s\n' "$body" | sed 's/^/#   | /'
		echo "#   output (exit $rc):"
		sed 's/^/#   /' "$log"
	fi
	return 0
}

# Run a command that must fail cleanly: exit 1..125, not a crash or
# sanitizer report (134) and not success.
test_must_fail() {
	rc=0
	"$@" || rc=$?
	if [ $rc -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if [ $rc -gt 125 ]; then
		echo "test_must_fail: '$*' died (exit $rc)" >&2
		return 1
	fi
	return 0
}

# test_expect_code N cmd...: the command must exit with status N.
test_expect_code() {
	want=$1
	shift
	rc=0
	"$@" || rc=$?
	if [ $rc -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $rc, wanted $want" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# grep that shows the haystack when the needle is missing.
test_grep() {
	if ! grep "$@"; then
		file=""
		for a in "$@"; do file=$a; done
		echo "test_grep: no match for '$*'; the file holds:" >&2
		[ -f "$file" ] && sed 's/^/  | /' "$file" >&2
		return 1
	fi
}

# The folder Docker uses for a context: sha256 of the name.
ctx_dir() {
	printf '%s' "$1" | sha256sum | cut -c1-64
}

# A snapshot of a store's files and their modes, for "nothing changed".
store_snapshot() {
	(cd "$DOCKER_CONFIG" 2>/dev/null &&
		find . -path ./ctxmgr -prune -o -type f -print0 | sort -z |
		xargs -0 -r sha256sum
		find . -path ./ctxmgr -prune -o -printf '%p %m\n' | sort) ||
		true
}

test_done() {
	run_atexit
	echo "1..$test_count"
	if [ "$test_failed" -gt 0 ]; then
		echo "# failed $test_failed of $test_count in $TEST_NAME (kept $TRASH)"
		exit 1
	fi
	if [ "${TEST_KEEP:-0}" != 1 ]; then
		cd / && rm -rf "$TRASH"
	fi
	echo "# passed all $test_count in $TEST_NAME"
	exit 0
}

# Give up on the whole file (a server did not start): fail loudly.
test_fatal() {
	echo "not ok - FATAL: $*"
	run_atexit
	echo "# kept $TRASH"
	exit 1
}

. "$TEST_LIB_DIR/lib-daemons.sh"
