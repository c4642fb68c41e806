#!/bin/bash
# bench/tunnel.sh: the SSH tunnel against Docker's own ssh:// transport,
# OpenSSH's `ssh -L` and the local socket, all in one run on loopback with
# a private dockerd and a real sshd.
#
#  1. `docker version`: medians through each path, and the ratios;
#  2. (bulk streams are bench/stream.sh's)
#  3. 100 concurrent clients doing GET /_ping (a new connection each):
#     requests per second, and the tunnel's peak RSS;
#  4. the tunnelled context as users meet it: plain `docker version`
#     after `ctxmgr use prod` (no DOCKER_HOST) against the local socket
#     and a --direct ssh:// context, the first call after the session
#     closed (lazy connect), and `ctxmgr use` with its service check;
#  5. the service with 500 tunnelled contexts, 20 of them with a client:
#     its RSS, and that idle ones cost no SSH session;
#  6. a 50 ms link (tests/lib/delayproxy.py, 25 ms each way, or
#     BENCH_DELAYPROXY): curl /_ping, docker version
#     and docker ps through a connected tunnelled context against Docker's
#     ssh://.
#
# Environment: CTXMGR (the binary), BENCH_RUNS (docker version runs, 15),
# BENCH_PINGS (requests, 5000), BENCH_TUNNEL_QUICK=1 (skip section 3),
# BENCH_DELAYPROXY.
set -u
cd "$(dirname "$0")/.." || exit 1
: "${CTXMGR:=$PWD/build/ctxmgr}"
. bench/lib.sh
bench_sandbox
ctxmgr() { "$CTXMGR" "$@"; }

RUNS=${BENCH_RUNS:-15}
PINGS=${BENCH_PINGS:-5000}

for t in ssh curl cc; do
	command -v $t >/dev/null || test_fatal "$t is not installed"
done
start_dockerd "$BENCH_DIR/dockerd"
start_sshd bench
SSH_CFG=$HOME/.ssh/config

cc -O2 -o "$BENCH_DIR/pingload" bench/pingload.c ||
	test_fatal "cannot build bench/pingload.c"

# ssh -L SOCKET:REMOTE [ssh options...]: an OpenSSH forwarder in the
# background, stopped at exit
ssh_forward() {
	fsock=$1 remote=$2
	shift 2
	ssh -F "$SSH_CFG" -N -o ExitOnForwardFailure=yes \
		-o StreamLocalBindUnlink=yes -L "$fsock:$remote" "$@" bench &
	fpid=$!
	test_atexit "kill $fpid 2>/dev/null"
	wait_for 20 test -S "$fsock" || test_fatal "ssh -L did not start"
	echo "$fpid"
}

tunnel_sock() {
	ctxmgr tunnel ls --format json | python3 -c "import json,sys
for t in json.load(sys.stdin):
    if t['Context'] == '$1': print(t['$2'])"
}

echo "# $(ssh -V 2>&1), $(ctxmgr --version | head -n 1)"
echo "# $(nproc) CPUs; client, sshd, dockerd and the data source share them"

# 1. docker version ----------------------------------------------------
ctxmgr create bench --direct --host "ssh://bench$DOCKERD_SOCK" >/dev/null 2>&1
ctxmgr tunnel start bench >/dev/null || test_fatal "tunnel start failed"
test_atexit "'$CTXMGR' tunnel stop --all >/dev/null 2>&1; '$CTXMGR' tunnel shutdown >/dev/null 2>&1"
TSOCK=$(tunnel_sock bench Socket)
ssh_forward "$BENCH_DIR/ssh-L.sock" "$DOCKERD_SOCK" >/dev/null

for h in "unix://$DOCKERD_SOCK" "unix://$TSOCK" "unix://$BENCH_DIR/ssh-L.sock" \
	"ssh://bench"; do
	docker -H "$h" version >/dev/null 2>&1 || test_fatal "docker -H $h failed"
done
local_ms=$(median_ms "$RUNS" docker -H "unix://$DOCKERD_SOCK" version)
tunnel_ms=$(median_ms "$RUNS" docker -H "unix://$TSOCK" version)
sshl_ms=$(median_ms "$RUNS" docker -H "unix://$BENCH_DIR/ssh-L.sock" version)
dssh_ms=$(median_ms "$RUNS" docker -H "ssh://bench$DOCKERD_SOCK" version)
echo
echo "docker version, median of $RUNS runs:"
printf '  %-34s %9s ms\n' "local socket" "$local_ms" \
	"ctxmgr tunnel" "$tunnel_ms" \
	"OpenSSH ssh -L sock:remote.sock" "$sshl_ms" \
	"docker ssh:// (ssh ... dial-stdio)" "$dssh_ms"
echo "  docker ssh:// / ctxmgr tunnel = $(ratio "$dssh_ms" "$tunnel_ms")x (target >= 10)"
echo "  ctxmgr tunnel / local socket  = $(ratio "$tunnel_ms" "$local_ms")x (target <= 1.1)"
echo "  ssh -L / ctxmgr tunnel        = $(ratio "$sshl_ms" "$tunnel_ms")x"

# 2. streams: bench/stream.sh (C source and sink, both directions, per
# cipher, with the ceiling of its own source and sink)

if [ "${BENCH_TUNNEL_QUICK:-0}" != 1 ]; then

# 3. 100 concurrent /_ping clients ---------------------------------------
ctxmgr tunnel stop bench >/dev/null
ctxmgr tunnel start bench >/dev/null || test_fatal "tunnel restart failed"
TSOCK=$(tunnel_sock bench Socket)
echo
echo "100 concurrent clients, GET /_ping on a new connection each, $PINGS requests:"
for p in "ctxmgr tunnel:$TSOCK" "OpenSSH ssh -L:$BENCH_DIR/ssh-L.sock" \
	"local socket:$DOCKERD_SOCK"; do
	label=${p%%:*} s=${p#*:}
	out=$("$BENCH_DIR/pingload" "$s" 100 "$PINGS") || echo "  ($label had errors)"
	printf '  %-16s %s\n' "$label" "$out"
done
rss=$(tunnel_sock bench PeakRssKiB)
echo "  ctxmgr tunnel peak RSS: $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MB (target <= 16), peak connections $(tunnel_sock bench PeakConnections)"
fi # BENCH_TUNNEL_QUICK

ok=1

# 4. after `ctxmgr use`: plain docker through the tunnel service ----------
ctxmgr create prod --host "ssh://bench$DOCKERD_SOCK" >/dev/null 2>&1 ||
	test_fatal "create prod failed"
ctxmgr create prod-direct --direct --host "ssh://bench$DOCKERD_SOCK" >/dev/null 2>&1
ctxmgr use prod >/dev/null 2>&1
docker version >/dev/null 2>&1 || test_fatal "docker version after use prod failed"
docker --context prod-direct version >/dev/null 2>&1 || test_fatal "the direct context failed"
in0=$(tunnel_sock prod BytesIn)
# interleaved, so that load from elsewhere on the machine hits all three
# alike: one run of each per round, medians per path
t_local=() t_tun=() t_direct=()
for ((i = 0; i < RUNS; i++)); do
	t0=${EPOCHREALTIME/./}
	docker -H "unix://$DOCKERD_SOCK" version >/dev/null 2>&1
	t1=${EPOCHREALTIME/./}
	docker version >/dev/null 2>&1
	t2=${EPOCHREALTIME/./}
	docker --context prod-direct version >/dev/null 2>&1
	t3=${EPOCHREALTIME/./}
	t_local+=($((t1 - t0))) t_tun+=($((t2 - t1))) t_direct+=($((t3 - t2)))
done
med_of() {
	printf '%s\n' "$@" | sort -n |
		awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }'
}
use_local=$(med_of "${t_local[@]}")
use_tun=$(med_of "${t_tun[@]}")
use_direct=$(med_of "${t_direct[@]}")
in1=$(tunnel_sock prod BytesIn)
# the first call after the session closed: `tunnel stop` closes it and
# keeps the socket, as the idle timeout does
lazy() { ctxmgr tunnel stop prod >/dev/null 2>&1; sleep 0.2; }
lazy_times=()
for ((i = 0; i < RUNS; i++)); do
	lazy
	t0=${EPOCHREALTIME/./}
	docker version >/dev/null 2>&1
	t1=${EPOCHREALTIME/./}
	lazy_times+=($((t1 - t0)))
done
lazy_ms=$(printf '%s\n' "${lazy_times[@]}" | sort -n |
	awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1000 }')
docker version >/dev/null 2>&1
use_ms=$(median_ms "$RUNS" "$CTXMGR" use prod)
echo
echo "plain docker version after \"ctxmgr use prod\" (no DOCKER_HOST), median of $RUNS interleaved runs:"
printf '  %-44s %9s ms\n' "local socket (docker -H unix://...)" "$use_local" \
	"tunnelled context prod (plain docker)" "$use_tun" \
	"--direct ssh:// context (docker --context)" "$use_direct" \
	"prod, first call after the session closed" "$lazy_ms" \
	"ctxmgr use prod (with the service check)" "$use_ms"
echo "  (the service moved $((in1 - in0)) bytes for prod meanwhile: the calls went through it)"
r_local=$(ratio "$use_tun" "$use_local")
r_direct=$(ratio "$use_direct" "$use_tun")
r_lazy=$(ratio "$lazy_ms" "$use_direct")
echo "  tunnelled / local socket    = ${r_local}x (target <= 1.1)"
echo "  direct ssh:// / tunnelled   = ${r_direct}x (target >= 10)"
echo "  lazy first call / direct    = ${r_lazy}x (target <= 1)"
awk -v r="$r_local" 'BEGIN { exit !(r <= 1.1) }' ||
	{ echo "target missed: tunnelled docker version ${r_local}x the local socket (> 1.1)"; ok=0; }
awk -v r="$r_direct" 'BEGIN { exit !(r >= 10) }' ||
	{ echo "target missed: direct ssh:// only ${r_direct}x slower than tunnelled (< 10)"; ok=0; }
awk -v m="$use_ms" 'BEGIN { exit !(m <= 2) }' ||
	{ echo "target missed: ctxmgr use took $use_ms ms (> 2)"; ok=0; }

# 5. 500 tunnelled contexts, 20 with a client ------------------------------
python3 - "$DOCKER_CONFIG" "ssh://bench$DOCKERD_SOCK" <<'PY'
import hashlib, json, os, sys
cfg, url = sys.argv[1], sys.argv[2]
for i in range(500):
    name = "many%03d" % i
    d = os.path.join(cfg, "contexts", "meta", hashlib.sha256(name.encode()).hexdigest())
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": url, "SkipTLSVerify": False}}}, f)
PY
t0=${EPOCHREALTIME/./}
ctxmgr tunnel enable --all >/dev/null || test_fatal "tunnel enable --all failed"
t1=${EPOCHREALTIME/./}
ctxmgr tunnel ls --format json >"$BENCH_DIR/many.json"
nserved=$(python3 -c "import json,sys; print(sum(1 for t in json.load(open(sys.argv[1])) if t['Context'].startswith('many') and t['State'] == 'idle'))" "$BENCH_DIR/many.json")
sessions_idle=$(python3 -c "import json,sys; print(sum(t['Sessions'] for t in json.load(open(sys.argv[1])) if t['Context'].startswith('many')))" "$BENCH_DIR/many.json")
pids=()
for i in $(seq -w 0 19); do
	s=$(python3 -c "import json,sys; print([t['Socket'] for t in json.load(open(sys.argv[1])) if t['Context'] == 'many0$i'][0])" "$BENCH_DIR/many.json")
	docker -H "unix://$s" events >/dev/null 2>&1 &
	pids+=($!)
done
wait_for 30 sh -c "test \$('$CTXMGR' tunnel ls --format json | python3 -c \"import json,sys; print(sum(1 for t in json.load(sys.stdin) if t['State'] == 'connected' and t['Connections'] > 0))\") -ge 20" ||
	echo "bench: not all 20 clients connected"
svc=$(ctxmgr tunnel ls --format json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d[0]['Pid'])")
rss_now=$(awk '/VmRSS/ { print $2 }' /proc/"$svc"/status)
rss_peak=$(awk '/VmHWM/ { print $2 }' /proc/"$svc"/status)
threads=$(awk '/Threads/ { print $2 }' /proc/"$svc"/status)
kill "${pids[@]}" 2>/dev/null
echo
echo "the tunnel service with 500 tunnelled contexts (+ prod, bench):"
echo "  tunnel enable --all of 500 contexts: $(( (t1 - t0) / 1000 )) ms; $nserved served idle, $sessions_idle SSH sessions opened for them"
echo "  20 connected, one client each: RSS $(awk -v k="$rss_now" 'BEGIN { printf "%.1f", k / 1024 }') MB, peak $(awk -v k="$rss_peak" 'BEGIN { printf "%.1f", k / 1024 }') MB (target <= 32), $threads threads"
awk -v k="$rss_peak" 'BEGIN { exit !(k <= 32768) }' ||
	{ echo "target missed: service peak RSS $rss_peak KiB > 32 MB"; ok=0; }

# 6. a 50 ms round trip -------------------------------------------------
DP=${BENCH_DELAYPROXY:-tests/lib/delayproxy.py}
if [ -f "$DP" ]; then
	dport=$(free_port)
	python3 "$DP" "$dport" "$SSHD_PORT" 25 &
	test_atexit "kill $! 2>/dev/null"
	wait_for 10 sh -c "ss -Hltn 'sport = :$dport' | grep -q ."
	echo "[127.0.0.1]:$dport $(cut -d' ' -f1,2 "$TRASH/sshd-bench/host_ed25519.pub")" \
		>>"$HOME/.ssh/known_hosts"
	ssh_config_host wan "$dport"
	ctxmgr create wan --host "ssh://wan$DOCKERD_SOCK" >/dev/null 2>&1
	ctxmgr create wan-direct --direct --host "ssh://wan$DOCKERD_SOCK" >/dev/null 2>&1
	ctxmgr tunnel start wan >/dev/null || test_fatal "tunnel start wan failed"
	WSOCK=$(tunnel_sock wan Socket)
	WRUNS=$(( RUNS < 7 ? RUNS : 7 ))
	w_ping=$(median_ms "$RUNS" curl -s --unix-socket "$WSOCK" http://docker/_ping)
	w_ver=$(median_ms "$RUNS" docker --context wan version)
	w_ps=$(median_ms "$RUNS" docker --context wan ps)
	# as a user types: a pause before each command
	w_iso=$(median_ms_paused 4 "$WRUNS" docker --context wan version)
	l_ver=$(median_ms "$RUNS" docker -H "unix://$DOCKERD_SOCK" version)
	d_ver=$(median_ms "$WRUNS" docker --context wan-direct version)
	d_ps=$(median_ms "$WRUNS" docker --context wan-direct ps)
	echo
	echo "a 50 ms round trip (delayproxy 25 ms each way), tunnel connected, medians:"
	printf '  %-40s %9s ms\n' "curl /_ping, tunnelled" "$w_ping" \
		"docker version, tunnelled" "$w_ver" \
		"docker ps, tunnelled" "$w_ps" \
		"docker version, tunnelled, 4 s apart" "$w_iso" \
		"docker version, local socket (no link)" "$l_ver" \
		"docker version, Docker's ssh:// ($WRUNS runs)" "$d_ver" \
		"docker ps, Docker's ssh:// ($WRUNS runs)" "$d_ps"
	echo "  ssh:// / tunnelled: version $(ratio "$d_ver" "$w_ver")x, ps $(ratio "$d_ps" "$w_ps")x (target >= 10; each <= 65 ms)"
	for v in "curl /_ping:$w_ping" "docker version:$w_ver" "docker ps:$w_ps" \
		"docker version 4 s apart:$w_iso"; do
		awk -v m="${v#*:}" 'BEGIN { exit !(m <= 65) }' ||
			echo "target missed: ${v%%:*} over a 50 ms link took ${v#*:} ms (> 65; the floor is one round trip plus the client's own time on the local socket)"
	done
else
	echo
	echo "(no $DP: the 50 ms link section is skipped; set BENCH_DELAYPROXY)"
fi
[ "$ok" = 1 ] || exit 1
