#!/bin/bash
# bench/tunnel.sh: the SSH tunnel against Docker's own ssh:// transport,
# OpenSSH's `ssh -L` and the local socket, all in one run on loopback with
# a private dockerd and a real sshd.
#
#  1. `docker version`: medians through each path, and the ratios;
#  2. (bulk streams are bench/stream.sh's)
#  3. 100 concurrent clients doing GET /_ping (a new connection each):
#     requests per second, and the tunnel's peak RSS.
#
# Environment: CTXMGR (the binary), BENCH_RUNS (docker version runs, 15),
# BENCH_PINGS (requests, 5000).
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
ctxmgr create bench --host "ssh://bench$DOCKERD_SOCK" >/dev/null 2>&1
ctxmgr tunnel start bench >/dev/null || test_fatal "tunnel start failed"
test_atexit "'$CTXMGR' tunnel stop --all >/dev/null 2>&1"
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
