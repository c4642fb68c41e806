#!/bin/bash
# bench/stream.sh: bulk throughput of the SSH tunnel against OpenSSH's
# `ssh -L` to the same remote unix socket, per cipher, both directions,
# with the ceiling of the source and sink measured in the same run.
#
# The remote socket is bench/streamer (C, 1 MiB writes and reads, content
# checked) behind a real sshd on loopback.  Each round runs, for every
# cipher and direction, the plain unix socket (the ceiling), the ctxmgr
# tunnel and `ssh -L`, interleaved, so that load from other processes hits
# all three alike.  Prints medians of MB/s and of the forwarding process's
# CPU seconds per GiB (utime + stime from /proc/PID/stat), and the ratios.
#
# Each entry of BENCH_CIPHERS is CIPHER or CIPHER/MAC (a MACs line for
# both; without one each side picks its own MAC: for aes128-ctr OpenSSH
# takes umac-64-etm, which libssh2 lacks, and libssh2 hmac-sha2-256-etm).
#
# Environment: CTXMGR (the binary), BENCH_STREAM_RUNS (rounds, 5),
# BENCH_STREAM_MIB (MiB per transfer, 1024), BENCH_CIPHERS (default
# "chacha20-poly1305@openssh.com aes128-ctr
# aes128-ctr/hmac-sha2-256-etm@openssh.com aes128-gcm@openssh.com").
set -u
cd "$(dirname "$0")/.." || exit 1
: "${CTXMGR:=$PWD/build/ctxmgr}"
. bench/lib.sh
bench_sandbox
ctxmgr() { "$CTXMGR" "$@"; }

RUNS=${BENCH_STREAM_RUNS:-5}
BYTES=$((${BENCH_STREAM_MIB:-1024} * 1048576))
CIPHERS=${BENCH_CIPHERS:-chacha20-poly1305@openssh.com aes128-ctr \
aes128-ctr/hmac-sha2-256-etm@openssh.com aes128-gcm@openssh.com}
GIB=1073741824

for t in ssh cc python3; do
	command -v $t >/dev/null || test_fatal "$t is not installed"
done
start_sshd bench
SSH_CFG=$HOME/.ssh/config
STREAMER=$BENCH_DIR/streamer
cc -O2 -o "$STREAMER" bench/streamer.c || test_fatal "cannot build bench/streamer.c"
SRC=$BENCH_DIR/source.sock
"$STREAMER" serve "$SRC" </dev/null >/dev/null &
test_atexit "kill $! 2>/dev/null"
wait_for 10 test -S "$SRC" || test_fatal "the streamer did not start"

# short NAME for CIPHER[/MAC]: chacha20, aes128-ctr, aes128-ctr+hmac-sha2-256
short() {
	c=${1%%/*} m=""
	[ "$c" = "$1" ] || m=${1#*/}
	c=${c%%@*} c=${c%-poly1305} m=${m%%@*}
	echo "$c${m:++$m}"
}

# tunnel_up NAME: start ctxmgr's tunnel for context NAME and print
# "SOCKET PID" (the unix socket it serves, the process that forwards).
# The one place that knows how ctxmgr runs a tunnel: a --direct context's
# own tunnel process, since the remote socket is not a Docker daemon.
tunnel_up() {
	ctxmgr tunnel start "$1" --no-ping >/dev/null || return 1
	ctxmgr tunnel ls --format json | python3 -c "import json,sys
for t in json.load(sys.stdin):
    if t['Context'] == '$1': print(t['Socket'], t['Pid'], t.get('Cipher', ''))"
}

test_atexit "'$CTXMGR' tunnel stop --all >/dev/null 2>&1"

# ssh_up SOCKET HOST: `ssh -L SOCKET:$SRC` in the background; sets FPID
ssh_up() {
	command ssh -F "$SSH_CFG" -N -o ExitOnForwardFailure=yes \
		-o StreamLocalBindUnlink=yes -L "$1:$SRC" "$2" </dev/null >/dev/null &
	FPID=$!
	test_atexit "kill $FPID 2>/dev/null"
	wait_for 20 test -S "$1" || test_fatal "ssh -L $2 did not start"
}

# cpu_ticks PID: utime + stime of PID in clock ticks (0 without a PID)
cpu_ticks() {
	[ -n "$1" ] || { echo 0; return; }
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
HZ=$(getconf CLK_TCK)

# one KEY DIR SOCKET PID: one transfer; appends MB/s to $OUT/KEY.mbps and
# CPU s/GiB of PID to $OUT/KEY.cpu
OUT=$BENCH_DIR/out
mkdir -p "$OUT"
one() {
	c0=$(cpu_ticks "$4")
	r=$("$STREAMER" "$2" "$3" "$BYTES") || test_fatal "$1: transfer failed"
	c1=$(cpu_ticks "$4")
	set -- "$1" $r "$c0" "$c1"
	awk -v b="$2" -v us="$3" 'BEGIN { printf "%.0f\n", b / us }' >>"$OUT/$1.mbps"
	awk -v b="$2" -v t="$(($5 - $4))" -v hz="$HZ" -v g=$GIB \
		'BEGIN { printf "%.2f\n", t / hz / (b / g) }' >>"$OUT/$1.cpu"
}
med() {
	[ -s "$1" ] || { echo 0; return; }
	sort -n "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
spread() {
	sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'
}

declare -A TSOCK TPID LSOCK LPID TCIPHER
for c in $CIPHERS; do
	s=$(short "$c") id=$(short "$c" | tr + -)
	macs=""
	[ "${c%%/*}" = "$c" ] || macs="MACs ${c#*/}"
	ssh_config_host "bench-$id" "$SSHD_PORT" "$SSH_USER" \
		"Ciphers ${c%%/*}" "$macs"
	ctxmgr create "stream-$id" --direct --host "ssh://bench-$id$SRC" >/dev/null 2>&1 ||
		test_fatal "ctxmgr create stream-$id failed"
	read -r TSOCK[$s] TPID[$s] TCIPHER[$s] < <(tunnel_up "stream-$id")
	[ -S "${TSOCK[$s]}" ] || test_fatal "ctxmgr tunnel start stream-$id failed"
	LSOCK[$s]=$BENCH_DIR/L-$id.sock
	ssh_up "${LSOCK[$s]}" "bench-$id"
	LPID[$s]=$FPID
done

# ctxmgr's own choice: a context without a Ciphers line
ctxmgr create stream-default --direct --host "ssh://bench$SRC" >/dev/null 2>&1
read -r dsock dpid dcipher < <(tunnel_up stream-default)
[ -S "$dsock" ] || test_fatal "ctxmgr tunnel start stream-default failed"

echo "# $(ssh -V 2>&1), $(ctxmgr --version | head -n 1), $(nproc) CPUs shared by"
echo "# client, sshd, streamer (and whatever else runs on the machine)"
echo "# $RUNS rounds of $((BYTES / 1048576)) MiB per transfer, each round interleaves"
echo "# local socket, ctxmgr tunnel and ssh -L per cipher and direction;"
echo "# ctxmgr negotiated: ${TCIPHER[*]}"
for ((i = 0; i < RUNS; i++)); do
	for c in $CIPHERS; do
		s=$(short "$c")
		for d in get put; do
			one "$s.$d.local" $d "$SRC" ""
			one "$s.$d.tunnel" $d "${TSOCK[$s]}" "${TPID[$s]}"
			one "$s.$d.ssh" $d "${LSOCK[$s]}" "${LPID[$s]}"
		done
	done
	for d in get put; do
		one "default.$d.tunnel" $d "$dsock" "$dpid"
	done
done

status=0
echo
printf '%-28s %-15s %9s %9s %9s %7s %8s %8s %6s\n' cipher direction \
	"local" "ctxmgr" "ssh -L" "ratio" "cpu/GiB" "cpu/GiB" "ratio"
printf '%-28s %-15s %9s %9s %9s %7s %8s %8s %6s\n' "" "" MB/s MB/s MB/s \
	ctx/ssh ctxmgr "ssh -L" ctx/ssh
best_ssh=0 best_ssh_c=""
for c in $CIPHERS; do
	s=$(short "$c")
	for d in get put; do
		k=$s.$d
		case $d in get) dir="remote -> local" ;; *) dir="local -> remote" ;; esac
		lo=$(med "$OUT/$k.local.mbps") tu=$(med "$OUT/$k.tunnel.mbps")
		sh=$(med "$OUT/$k.ssh.mbps")
		tc=$(med "$OUT/$k.tunnel.cpu") sc=$(med "$OUT/$k.ssh.cpu")
		r=$(ratio "$tu" "$sh") rc=$(ratio "$tc" "$sc")
		printf '%-28s %-15s %9s %9s %9s %6sx %7ss %7ss %5sx\n' "$s" "$dir" \
			"$lo" "$tu" "$sh" "$r" "$tc" "$sc" "$rc"
		awk -v a="$lo" -v t="$tu" -v s="$sh" \
			'BEGIN { exit !(a < 3 * t || a < 3 * s) }' &&
			echo "  (the local ceiling is under 3x the fastest tunnel here: a noisy round?)"
		awk -v r="$r" 'BEGIN { exit !(r < 1.0) }' &&
			echo "target missed: ctxmgr $s $dir at ${r}x ssh -L" && status=1
		awk -v r="$rc" 'BEGIN { exit !(r > 1.0) }' &&
			echo "target missed: ctxmgr $s $dir CPU/GiB at ${rc}x ssh -L" && status=1
		best="$(eval echo "\${BEST_$d:-0}")"
		awk -v a="$sh" -v b="$best" 'BEGIN { exit !(a > b) }' &&
			eval "BEST_$d=$sh BEST_${d}_C=$s"
	done
done
echo
echo "spread (min-max MB/s over $RUNS rounds):"
for c in $CIPHERS; do
	s=$(short "$c")
	for d in get put; do
		printf '  %-28s %-4s local %s, ctxmgr %s, ssh -L %s\n' "$s" "$d" \
			"$(spread "$OUT/$s.$d.local.mbps")" \
			"$(spread "$OUT/$s.$d.tunnel.mbps")" \
			"$(spread "$OUT/$s.$d.ssh.mbps")"
	done
done

echo
echo "ctxmgr's preferred cipher (no Ciphers line): $dcipher"
for d in get put; do
	tu=$(med "$OUT/default.$d.tunnel.mbps")
	bc=$(eval echo "\$BEST_${d}_C") bs=$(eval echo "\$BEST_$d")
	r=$(ratio "$tu" "$bs")
	printf '  %-4s ctxmgr (%s) %s MB/s, ssh -L fastest (%s) %s MB/s: %sx\n' \
		"$d" "$dcipher" "$tu" "$bc" "$bs" "$r"
	awk -v r="$r" 'BEGIN { exit !(r < 1.0) }' &&
		echo "target missed: ctxmgr's preferred cipher $d at ${r}x the fastest ssh -L" &&
		status=1
done
exit $status
