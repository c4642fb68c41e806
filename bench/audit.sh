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
# Measured over the local unix socket, and over SSH (a real sshd on
# loopback; the Engine API and the fact script through the context's
# session in the tunnel service) when this build has the tunnel.
#
# Targets (issue 6): whole audit <= 1 s, peak RSS <= 32 MB.
set -u
. "$(dirname "$0")/lib.sh"
bench_sandbox
: "${CTXMGR:?}"
N=${AUDIT_BENCH_CONTAINERS:-100}
RUNS=${AUDIT_BENCH_RUNS:-9}
DB_SAMPLE=${AUDIT_BENCH_DB_SAMPLE:-10}

# runs last: a daemon that had to be killed leaves its mounts behind
test_atexit "grep -o \" $BENCH_DIR/[^ ]*\" /proc/mounts | sort -r | xargs -r -n 1 umount -l 2>/dev/null"
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

# measure CONTEXT LABEL: the whole audit of the daemon through a context
measure() {
	local ctx=$1 label=$2 ms per rss msnp seen
	# the audit must really have looked at every container
	"$CTXMGR" audit "$ctx" --format json >"$BENCH_DIR/report.json"
	seen=$(python3 -c "import json; d=json.load(open('$BENCH_DIR/report.json')); print(d['summary']['containers'] if not d['errors'] else 'errors: %s' % d['errors'])")
	[ "$seen" = "$N" ] || test_fatal "$label: the audit saw $seen, not $N containers"
	ms=$(median_ms "$RUNS" "$CTXMGR" audit "$ctx" -q)
	per=$(awk -v t="$ms" -v n="$N" 'BEGIN { printf "%.3f", t / n }')
	rss=$(/usr/bin/time -f %M "$CTXMGR" audit "$ctx" -q 2>&1 >/dev/null | tail -n 1)
	msnp=$(median_ms "$RUNS" "$CTXMGR" audit "$ctx" -q --no-probes)
	echo "[$label] ctxmgr audit (API + host facts + probes), $N containers, median of $RUNS: $ms ms ($per ms per container)"
	echo "[$label] ctxmgr audit --no-probes, median of $RUNS: $msnp ms"
	echo "[$label] ctxmgr audit peak RSS: $rss kB"
	echo "[$label] target whole audit <= 1000 ms: $(verdict "$ms" 1000); peak RSS <= 32768 kB: $(verdict "$rss" 32768)"
	LAST_PER=$per
}
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "met" : "MISSED" }'; }

"$CTXMGR" create bench --host "unix://$DOCKERD_SOCK" >/dev/null 2>&1
measure bench "local unix socket"
per=$LAST_PER

# over SSH: a real sshd on loopback, the API and the fact script through
# the context's session in the tunnel service (running, as it is for a
# user of ctxmgr)
if "$CTXMGR" tunnel --help >/dev/null 2>&1; then
	start_sshd benchhost
	test_atexit "\"$CTXMGR\" tunnel stop --all >/dev/null 2>&1"
	"$CTXMGR" create benchssh --host "ssh://benchhost$DOCKERD_SOCK" >/dev/null 2>&1
	t0=${EPOCHREALTIME/./}
	"$CTXMGR" audit benchssh -q >/dev/null
	t1=${EPOCHREALTIME/./}
	echo "[ssh] first audit, starting the tunnel: $(( (t1 - t0) / 1000 )) ms"
	measure benchssh ssh
else
	echo "[ssh] this build has no SSH tunnel: ssh:// audits are not measured"
fi

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
echo "ratio per container, docker-bench style / ctxmgr over the socket: $(ratio "$db_per" "$per")"
