#!/bin/bash
# bench/shell.sh: what a person at a prompt waits for -- `ctxmgr prompt`
# (run on every prompt) against `docker context show`, the Tab latency of
# the generated bash completion when it lists 1000 context names, and
# import-hosts of a 1000-host Ansible inventory.  Target: prompt median
# <= 2 ms; Tab over 1000 contexts <= 50 ms.
set -u
. "$(dirname "$0")/lib.sh"
bench_sandbox
N=${BENCH_CONTEXTS:-1000}
R=${BENCH_RUNS:-41}

{
	echo "all:"
	echo "  vars: {ansible_user: deploy}"
	echo "  children:"
	echo "    web:"
	echo "      hosts:"
	echo "        web[0000:$(printf '%04d' $((N - 1)))].example.com:"
} >"$BENCH_DIR/inventory.yaml"
t0=${EPOCHREALTIME/./}
"$CTXMGR" import-hosts -q "$BENCH_DIR/inventory.yaml" >/dev/null || exit 1
t1=${EPOCHREALTIME/./}
import_ms=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')
"$CTXMGR" use web0001.example.com -q >/dev/null

"$CTXMGR" completion bash >"$BENCH_DIR/ctxmgr.bash"
mkdir -p "$BENCH_DIR/bin" && ln -s "$CTXMGR" "$BENCH_DIR/bin/ctxmgr"
tab() {
	PATH="$BENCH_DIR/bin:$PATH" bash -c '
		. "$1"
		COMP_WORDS=(ctxmgr use web01); COMP_CWORD=2; _ctxmgr
		[ ${#COMPREPLY[@]} -eq 100 ]' tab "$BENCH_DIR/ctxmgr.bash"
}
tab || { echo "bench: completion gave the wrong candidates"; exit 1; }
bare() { bash -c 'true'; }

printf '%-34s %10s %10s %8s\n' "operation" "ctxmgr ms" "docker ms" "ratio"
p=$(median_ms "$R" "$CTXMGR" prompt)
d=$(median_ms "$R" docker context show)
printf '%-34s %10s %10s %8s\n' "prompt / docker context show" "$p" "$d" "$(ratio "$d" "$p")x"
t=$(median_ms 21 tab)
b=$(median_ms 21 bare)
printf '%-34s %10s %10s %8s\n' "Tab: use web01 ($N contexts)" "$t" "-" "-"
printf '%-34s %10s\n' "  (of which bash start-up)" "$b"
printf '%-34s %10s\n' "import-hosts ($N Ansible hosts)" "$import_ms"

ok=1
awk -v x="$p" 'BEGIN { exit !(x <= 2.0) }' || { echo "target missed: prompt median $p ms > 2 ms"; ok=0; }
awk -v x="$t" 'BEGIN { exit !(x <= 50.0) }' || { echo "target missed: Tab median $t ms > 50 ms"; ok=0; }
[ $ok = 1 ] && echo "targets met: prompt <= 2 ms, Tab over $N contexts <= 50 ms"
[ $ok = 1 ]
