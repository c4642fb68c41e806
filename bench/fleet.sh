#!/bin/bash
# bench/fleet.sh: fleet commands over the 50-host harness of the tests
# (tests/lib/lib-fleet.sh: 50 real sshds before two dockerds; one host's
# sshd stopped, one with an unknown host key, one with a wrong user, one
# without its remote socket, one behind a slow link), issue 17:
#
#  1. `audit --all -j 16` against the slowest single host's `audit NAME`:
#     wall time (target <= 2x the slowest + 1 s) and peak RSS (<= 64 MB);
#  2. `exec --all -j 16 -- docker ps -q` through the tunnelled contexts
#     against a shell loop of `docker --context X ps -q` over Docker's own
#     ssh:// contexts (`create --direct`) of the same 50 hosts (target
#     >= 20x faster through the tunnels, i.e. with their sessions up, as
#     the tunnel service keeps them); also cold (no session up), and over
#     the 45 loopback hosts alone.
#
# Environment: CTXMGR, FLEET_BENCH_RUNS (runs per median, 3),
# FLEET_SLOW_MS (the slow link's one-way delay, 150), CTXMGR_DELAYPROXY.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${CTXMGR:=$PWD/build/ctxmgr}"
. bench/lib.sh
bench_sandbox
SRC_ROOT=$PWD
. tests/lib/lib-fleet.sh
ctxmgr() { "$CTXMGR" "$@"; }
RUNS=${FLEET_BENCH_RUNS:-3}
ok=1
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "met" : "MISSED" }'; }

command -v /usr/bin/time >/dev/null || test_fatal "/usr/bin/time is not installed"
t0=${EPOCHREALTIME/./}
fleet_start 50
test_atexit "'$CTXMGR' tunnel shutdown >/dev/null 2>&1"
echo "# $(ctxmgr --version | head -n 1); $(nproc) CPUs shared by 50 sshds, 2 dockerds, the service and the clients"
echo "# the fleet started in $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms; slow link $FLEET_SLOW ${FLEET_SLOW_MS:-150} ms each way; broken: $FLEET_DOWN (sshd stopped) $FLEET_BADKEY (unknown host key) $FLEET_BADUSER (wrong user) $FLEET_NOSOCK (no remote socket)"

# wall CMD...: one run's wall time in ms (output dropped)
wall() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1
	t1=${EPOCHREALTIME/./}
	echo $(( (t1 - t0) / 1000 ))
}
# fleet_cpu: CPU ms used so far by the fleet's servers: the sshds with
# their finished sessions (the fact scripts and dial-stdio processes are
# their children), the dockerds with their containerds, the service.
# On this machine every "remote" host runs on the same CPUs as the client.
HZ=$(getconf CLK_TCK)
fleet_cpu() {
	local pids p
	pids="$(cat "$FLEET_DIR/pids") $(cat "$FLEET_DIR"/dockerd-[ab]/pid 2>/dev/null)"
	for p in $(cat "$FLEET_DIR"/dockerd-[ab]/pid 2>/dev/null); do
		pids="$pids $(pgrep -P "$p" 2>/dev/null)"
	done
	for f in "$XDG_RUNTIME_DIR"/ctxmgr/*/_service.lock; do
		[ -f "$f" ] && pids="$pids $(head -n1 "$f")"
	done
	for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done |
		sed 's/^.*) //' |
		awk -v hz="$HZ" '{ t += $12 + $13 + $14 + $15 } END { printf "%d\n", t * 1000 / hz }'
}
# cpu_of CMD...: CPU ms of one run of CMD: its own and its children's
# (/usr/bin/time) plus what the fleet's servers spent meanwhile
cpu_of() {
	local c0 c1 own
	c0=$(fleet_cpu)
	/usr/bin/time -o "$BENCH_DIR/time" -f '%U %S' "$@" >/dev/null 2>&1
	own=$(tail -n 1 "$BENCH_DIR/time")
	sleep 0.5 # sessions closed at the end are reaped by their sshd
	c1=$(fleet_cpu)
	awk -v o="$own" -v a="$c0" -v b="$c1" 'BEGIN { split(o, x, " "); printf "%d\n", (x[1] + x[2]) * 1000 + b - a }'
}

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# 1. audit --all -j 16 ---------------------------------------------------
# every host that answers, audited alone (the slow one RUNS times)
single=""
slowest=0 slowest_host=""
for h in $FLEET_OK; do
	n=1
	[ "$h" = "$FLEET_SLOW" ] && n=$RUNS
	ms=$(for ((i = 0; i < n; i++)); do wall ctxmgr audit "$h" -q; done | median)
	single="$single $ms"
	if [ "$ms" -gt "$slowest" ]; then slowest=$ms slowest_host=$h; fi
done
fast=$(printf '%s\n' $single | sort -n | sed '$d' | tail -n 1)
sum=$(printf '%s\n' $single | awk '{ s += $1 } END { print s }')
ctxmgr audit --all -j 16 --format json >"$BENCH_DIR/all.json" 2>/dev/null
seen=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for r in d['reports'] if r['summary']['error'] == 0))" "$BENCH_DIR/all.json")
[ "$seen" = "$(echo $FLEET_OK | wc -w)" ] ||
	test_fatal "audit --all audited $seen hosts completely, not $(echo $FLEET_OK | wc -w)"
all_ms=$(for ((i = 0; i < RUNS; i++)); do wall ctxmgr audit --all -j 16; done | median)
/usr/bin/time -o "$BENCH_DIR/time" -f '%M' "$CTXMGR" audit --all -j 16 -q >/dev/null 2>&1
rss=$(tail -n 1 "$BENCH_DIR/time")
limit=$((2 * slowest + 1000))
cpu1=$(cpu_of "$CTXMGR" audit h01 -q)
cpuall=$(cpu_of "$CTXMGR" audit --all -j 16 -q)
ncpu=$(nproc)
echo
echo "audit, 50 hosts (46 answer, 4 broken), probes on:"
printf '  %-52s %7s ms\n' "slowest single host ($slowest_host, median of $RUNS)" "$slowest" \
	"slowest single loopback host (one run each)" "$fast" \
	"the $(echo $FLEET_OK | wc -w) single audits one after the other" "$sum" \
	"audit --all -j 16 (median of $RUNS)" "$all_ms"
echo "  audit --all -j 16 peak RSS: $rss kB"
echo "  CPU, client and servers together: one loopback host $cpu1 ms, audit --all $cpuall ms; on $ncpu CPUs that alone takes >= $((cpuall / ncpu)) ms of wall time"
echo "  target wall <= 2 x slowest + 1 s = $limit ms: $(verdict "$all_ms" "$limit"); peak RSS <= 65536 kB: $(verdict "$rss" 65536)"
[ "$(verdict "$all_ms" "$limit")" = met ] ||
	{ echo "target missed: audit --all -j 16 took $all_ms ms > $limit ms (2 x slowest single $slowest ms + 1 s)"; ok=0; }
[ "$(verdict "$rss" 65536)" = met ] ||
	{ echo "target missed: audit --all peak RSS $rss kB > 64 MB"; ok=0; }

# 2. exec --all -j 16 -- docker ps -q against a docker ssh:// loop ----
# Docker's own ssh:// contexts, in a store of their own (exec --all
# selects the 50 tunnelled ones of the main store)
DCFG=$BENCH_DIR/direct
for h in $FLEET_HOSTS; do
	ctxmgr --config "$DCFG" create "$h" --direct \
		--host "ssh://$h$(cat "$FLEET_DIR/$h/sock")" -q >/dev/null 2>&1 ||
		test_fatal "cannot create the direct context $h"
done
docker --config "$DCFG" --context h01 ps -q >/dev/null 2>&1 ||
	test_fatal "docker ps through Docker's ssh:// fails for h01"
# one loop: each host's call timed; prints the total and the total over
# the loopback hosts that answer (tag ok)
loop() {
	local h t0 t1 all=0 okt=0
	for h in $FLEET_HOSTS; do
		t0=${EPOCHREALTIME/./}
		docker --config "$DCFG" --context "$h" ps -q >/dev/null 2>&1
		t1=${EPOCHREALTIME/./}
		all=$((all + t1 - t0))
		case " $FLEET_OK " in *" $h "*)
			[ "$h" = "$FLEET_SLOW" ] || okt=$((okt + t1 - t0)) ;;
		esac
	done
	echo "$((all / 1000)) $((okt / 1000))"
}
for ((i = 0; i < RUNS; i++)); do loop; done >"$BENCH_DIR/loop"
loop_ms=$(cut -d' ' -f1 "$BENCH_DIR/loop" | median)
loop_ok=$(cut -d' ' -f2 "$BENCH_DIR/loop" | median)
exec_all() { ctxmgr exec --all -j 16 --timeout 120s -- docker ps -q; }
exec_ok() { ctxmgr exec --filter tag=ok -j 16 --timeout 120s -- docker ps -q; }
exec_all >"$BENCH_DIR/exec.out" 2>&1
grep -q "^ctxmgr: exec: 46 of 50 contexts succeeded" "$BENCH_DIR/exec.out" ||
	{ cat "$BENCH_DIR/exec.out"; test_fatal "exec --all did not reach the 46 hosts that answer"; }
cold() {
	for ((i = 0; i < RUNS; i++)); do
		ctxmgr tunnel stop --all >/dev/null 2>&1
		wall "$@"
	done | median
}
cold_all=$(cold exec_all)
cold_ok=$(cold exec_ok)
warm=$(for ((i = 0; i < RUNS; i++)); do wall exec_all; done | median)
warm_ok=$(for ((i = 0; i < RUNS; i++)); do wall exec_ok; done | median)
nok=$(ctxmgr ls -q --filter tag=ok | wc -l)
echo
echo "docker ps -q, medians of $RUNS:"
printf '  %-58s %7s ms\n' \
	"50 hosts (46 answer), shell loop of docker --context X ps -q (Docker's ssh://)" "$loop_ms" \
	"50 hosts, exec --all -j 16, tunnels warm (sessions up)" "$warm" \
	"50 hosts, exec --all -j 16, tunnels cold (no session up)" "$cold_all" \
	"the $nok loopback hosts that answer, their share of the loop" "$loop_ok" \
	"the $nok loopback hosts, exec --filter tag=ok -j 16, warm" "$warm_ok" \
	"the $nok loopback hosts, exec --filter tag=ok -j 16, cold" "$cold_ok"
cpu_loop=$(cpu_of bash -c "$(declare -f loop); DCFG=$DCFG FLEET_HOSTS='$FLEET_HOSTS' FLEET_OK='$FLEET_OK' FLEET_SLOW=$FLEET_SLOW loop")
cpu_exec=$(cpu_of "$CTXMGR" exec --all -j 16 --timeout 120s -- docker ps -q)
echo "  CPU, client and servers together: loop $cpu_loop ms, exec --all (warm) $cpu_exec ms"
rw=$(ratio "$loop_ms" "$warm")
rc=$(ratio "$loop_ms" "$cold_all")
rok=$(ratio "$loop_ok" "$cold_ok")
echo "  loop / exec: 50 hosts warm ${rw}x, cold ${rc}x; $nok loopback hosts cold ${rok}x (target >= 20 through the tunnels: warm $(verdict 20 "$rw"))"
echo "  (cold, the slow host alone needs about 12 round trips of ${FLEET_SLOW_MS:-150}x2 ms: SSH handshake, channel, /_ping and the request)"
[ "$(verdict 20 "$rw")" = met ] ||
	{ echo "target missed: exec --all through connected tunnels is ${rw}x faster than the docker ssh:// loop, not 20x"; ok=0; }
[ "$ok" = 1 ] || exit 1
