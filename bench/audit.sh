#!/bin/bash
# bench/audit.sh: the whole audit of a daemon with 100 running containers
# -- Engine API, host facts and probes -- its time, time per container and
# peak memory, against the cost of docker-bench-security's way of
# gathering the same data: docker CLI processes per container.
#
# docker-bench-security itself is not installable here (no registry or
# git access); its measured shape is in the audit notes: 36 docker CLI
# calls per running container (35 `docker inspect --format`, one `docker
# exec ... ps`) and about 0.5 s per container.  This script reproduces
# those calls against the same daemon, in the same run.
#
# Targets (issue 6): whole audit <= 1 s, peak RSS <= 32 MB.
set -u
. "$(dirname "$0")/lib.sh"
bench_sandbox
: "${CTXMGR:?}"
N=${AUDIT_BENCH_CONTAINERS:-100}
RUNS=${AUDIT_BENCH_RUNS:-9}
DB_SAMPLE=${AUDIT_BENCH_DB_SAMPLE:-10}

start_dockerd "$BENCH_DIR/dockerd"
ensure_busybox_image "$DOCKERD_SOCK"
export DOCKER_HOST=unix://$DOCKERD_SOCK
# runs before the daemon stops, so it stops quickly and leaves no mounts
test_atexit "docker rm -f \$(docker ps -aq) >/dev/null 2>&1"

echo "starting $N containers..."
seq 1 "$N" | xargs -P 4 -I{} docker run -d --network none --name "b{}" \
	--memory 64m "$BUSYBOX_IMAGE" sleep 3600 >/dev/null ||
	test_fatal "cannot start the containers"
running=$(docker ps -q | wc -l)
[ "$running" -eq "$N" ] || test_fatal "only $running of $N containers run"

"$CTXMGR" create bench --host "unix://$DOCKERD_SOCK" >/dev/null 2>&1
transport="local unix socket"
# the audit must really have looked at every container
"$CTXMGR" audit bench --format json >"$BENCH_DIR/report.json" ||
	[ $? -eq 1 ] || true
seen=$(python3 -c "import json; print(json.load(open('$BENCH_DIR/report.json'))['summary']['containers'])")
[ "$seen" -eq "$N" ] || test_fatal "the audit saw $seen containers, not $N"

echo "transport: $transport (ssh:// audits wait for the tunnel module)"
ms=$(median_ms "$RUNS" "$CTXMGR" audit bench -q)
per=$(awk -v t="$ms" -v n="$N" 'BEGIN { printf "%.3f", t / n }')
rss=$(/usr/bin/time -f %M "$CTXMGR" audit bench -q 2>&1 >/dev/null | tail -n 1)
msnp=$(median_ms "$RUNS" "$CTXMGR" audit bench -q --no-probes)
echo "ctxmgr audit bench (API + host facts + probes), $N containers, median of $RUNS: $ms ms ($per ms per container)"
echo "ctxmgr audit bench --no-probes, median of $RUNS: $msnp ms"
echo "ctxmgr audit peak RSS: $rss kB"

# docker-bench-security's per-container CLI calls, on a sample
db_container() {
	local c=$1 i
	for i in $(seq 1 35); do
		docker inspect --format "{{ .Id }} {{ .HostConfig.Privileged }} $i" "$c" >/dev/null
	done
	docker exec "$c" ps >/dev/null 2>&1
}
sample=$(docker ps -q | head -n "$DB_SAMPLE")
t0=${EPOCHREALTIME/./}
for c in $sample; do db_container "$c"; done
t1=${EPOCHREALTIME/./}
db_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
db_per=$(awk -v t="$db_ms" -v n="$DB_SAMPLE" 'BEGIN { printf "%.3f", t / n }')
db_all=$(awk -v p="$db_per" -v n="$N" 'BEGIN { printf "%.0f", p * n }')
echo "docker-bench-security style, 36 docker CLI calls per container, measured on $DB_SAMPLE containers: $db_ms ms ($db_per ms per container; $db_all ms for $N at that rate)"
all_ms=$(median_ms 3 sh -c 'docker inspect $(docker ps -aq) >/dev/null')
echo "one docker inspect of all $N containers (the CLI's cheapest way), median of 3: $all_ms ms"
echo "ratio per container, docker-bench style / ctxmgr: $(ratio "$db_per" "$per")"
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "met" : "MISSED" }'; }
echo "target whole audit <= 1000 ms: $(verdict "$ms" 1000); peak RSS <= 32768 kB: $(verdict "$rss" 32768)"
