# bench/lib.sh: helpers for the benchmarks.  Sourced by bench/*.sh.
#
# median_ms N CMD...: run CMD N times, print the median wall time in ms
# (three decimals).  Uses bash's EPOCHREALTIME, so the figure includes
# process start-up, as a user would see it.
median_ms() { median_ms_paused 0 "$@"; }

# median_ms_paused SECONDS N CMD...: the same, sleeping SECONDS before
# each run (what a command typed now and then meets).
median_ms_paused() {
	local pause=$1 n=$2 i t0 t1
	shift 2
	local -a times=()
	for ((i = 0; i < n; i++)); do
		[ "$pause" = 0 ] || sleep "$pause"
		t0=${EPOCHREALTIME/./}
		"$@" >/dev/null 2>&1
		t1=${EPOCHREALTIME/./}
		times+=($((t1 - t0)))
	done
	printf '%s\n' "${times[@]}" | sort -n |
		awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }'
}

# ratio A B: A / B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f\n", a / b }'
}

# A private sandbox like the tests': own HOME and DOCKER_CONFIG.
bench_sandbox() {
	BENCH_DIR=$(mktemp -d /tmp/ctxmgr-bench.XXXXXX)
	TRASH=$BENCH_DIR
	export HOME="$BENCH_DIR/home" DOCKER_CONFIG="$BENCH_DIR/home/.docker"
	export XDG_RUNTIME_DIR="$BENCH_DIR/run"
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
	unset DOCKER_HOST DOCKER_CONTEXT
	bench_at_exit=""
	test_atexit() { bench_at_exit="$*; $bench_at_exit"; }
	test_fatal() { echo "bench: $*" >&2; exit 1; }
	. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/lib-daemons.sh"
	trap 'eval "$bench_at_exit"; rm -rf "$BENCH_DIR"' EXIT
}
