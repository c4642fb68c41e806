#!/bin/bash
# bench/store.sh: the context store with 1000 contexts, ctxmgr against the
# Docker CLI in the same run.  Targets (issue 2): use, show and prompt
# median <= 2 ms; ls at least 5x faster than docker context ls.
set -u
. "$(dirname "$0")/lib.sh"
bench_sandbox
N=${BENCH_CONTEXTS:-1000}
R=${BENCH_RUNS:-41}

echo "creating $N contexts..."
for ((i = 0; i < N; i++)); do
	"$CTXMGR" create "ctx$i" --host "ssh://deploy@host$i.example.com" \
		--description "host $i" -q >/dev/null || exit 1
done
"$CTXMGR" use ctx1 -q >/dev/null

# alternate between two contexts so every `use` really writes
flip=0
cm_use() { flip=$((1 - flip)); "$CTXMGR" use "ctx$flip" -q; }
dk_use() { flip=$((1 - flip)); docker context use "ctx$flip"; }

printf '%-18s %12s %12s %8s\n' "operation" "ctxmgr ms" "docker ms" "ratio"
row() {
	local name=$1 a=$2 b=$3
	r=-
	[ "$b" = - ] || r="$(ratio "$b" "$a")x"
	printf '%-18s %12s %12s %8s\n' "$name" "$a" "$b" "$r"
}
a=$(median_ms "$R" cm_use); b=$(median_ms "$R" dk_use); row "use (alternating)" "$a" "$b"
use_ms=$a
a=$(median_ms "$R" "$CTXMGR" show); b=$(median_ms "$R" docker context show); row "show" "$a" "$b"
show_ms=$a
prompt_ms=$(median_ms "$R" "$CTXMGR" prompt)
row "prompt" "$prompt_ms" "-"
a=$(median_ms 11 "$CTXMGR" ls); b=$(median_ms 11 docker context ls); row "ls ($N contexts)" "$a" "$b"
ls_ratio=$(ratio "$b" "$a")
a=$(median_ms 11 "$CTXMGR" ls --format json); b=$(median_ms 11 docker context ls --format json); row "ls --format json" "$a" "$b"

ok=1
for v in "use:$use_ms" "show:$show_ms" "prompt:$prompt_ms"; do
	awk -v x="${v#*:}" 'BEGIN { exit !(x <= 2.0) }' || { echo "target missed: ${v%%:*} median ${v#*:} ms > 2 ms"; ok=0; }
done
awk -v x="$ls_ratio" 'BEGIN { exit !(x >= 5) }' || { echo "target missed: ls only ${ls_ratio}x faster than docker"; ok=0; }
[ $ok = 1 ] && echo "targets met: use/show/prompt <= 2 ms, ls >= 5x docker"
true
