#!/bin/bash
# bench/ca.sh: the TLS CA against the openssl command line doing the same
# work the way Docker's "Protect the Docker daemon socket" guide does it
# (genpkey, req, x509 -req with an encrypted CA key), in the same run.
# Targets (issue 12): issuing a P-256 client certificate in a new process
# at least 4x faster than the openssl command line doing the same steps;
# `ca rotate --all --force` over 100 contexts <= 1 s.
#
# Both sides pay for decrypting the CA key.  ctxmgr's default protects it
# with 600000 PBKDF2 rounds (about 0.1 s by design); openssl's own
# default, which the guide's `genrsa -aes256` gets, is 2048.  Both are
# measured: the like-for-like row uses a CA made with
# --kdf-iterations 2048.
set -u
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_SRC/lib.sh"
bench_sandbox
R=${BENCH_RUNS:-21}
N=${BENCH_CONTEXTS:-100}
ROT_RUNS=${BENCH_ROTATE_RUNS:-5}

W=$BENCH_DIR/work
mkdir -p "$W" && cd "$W" || exit 1
printf 'correct horse battery staple\n' >pw && chmod 600 pw
export CTXMGR_CA_PASSPHRASE_FILE=$W/pw

echo "setting up: two ctxmgr CAs (600000 and 2048 PBKDF2 rounds), an openssl CA, $N contexts"
"$CTXMGR" ca init -q --dir "$W/ca-default" >/dev/null || exit 1
"$CTXMGR" ca init -q --dir "$W/ca-2048" --kdf-iterations 2048 >/dev/null || exit 1
# the guide's CA, P-256 instead of RSA 4096, key encrypted with AES-256
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 \
	-pass file:pw -out ossl-ca-key.pem 2>/dev/null || exit 1
openssl req -new -x509 -days 3650 -key ossl-ca-key.pem -passin file:pw \
	-sha256 -subj "/CN=openssl CA" -out ossl-ca.pem || exit 1
echo "extendedKeyUsage = clientAuth" >extfile-client.cnf
"$CTXMGR" create bench --host tcp://127.0.0.1:2376 -q >/dev/null || exit 1
for ((i = 0; i < N; i++)); do
	"$CTXMGR" create "c$i" --host tcp://127.0.0.1:2376 -q >/dev/null &&
		"$CTXMGR" ca issue client "c$i" --dir "$W/ca-default" -q \
			>/dev/null || exit 1
done

# the guide's client steps for one certificate, into a context's folder
ossl_client() {
	local d=$1
	mkdir -p "$d" &&
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
			-out "$d/key.pem" 2>/dev/null &&
		openssl req -subj "/CN=client" -new -key "$d/key.pem" \
			-out "$d/client.csr" &&
		openssl x509 -req -days 90 -sha256 -in "$d/client.csr" \
			-CA ossl-ca.pem -CAkey ossl-ca-key.pem -passin file:pw \
			-CAcreateserial -out "$d/cert.pem" \
			-extfile extfile-client.cnf 2>/dev/null &&
		chmod 0400 "$d/key.pem" && chmod 0444 "$d/cert.pem" &&
		cp ossl-ca.pem "$d/ca.pem" && rm -f "$d/client.csr"
}
ossl_client_once() { rm -rf one; ossl_client one; }
ossl_rotate_all() {
	local i
	rm -rf many
	for ((i = 0; i <= N; i++)); do ossl_client "many/c$i" || return 1; done
}

printf '\n%-44s %11s %11s %7s\n' "operation" "ctxmgr ms" "openssl ms" "ratio"
row() {
	local r=-
	[ "$3" = - ] || r="$(ratio "$3" "$2")x"
	printf '%-44s %11s %11s %7s\n' "$1" "$2" "$3" "$r"
}

# CPU time too: wall time includes fsync latency, which swings with
# whatever else the disk is doing (the openssl side does not fsync)
cpu_ms() {
	perf stat -x, -e task-clock -r "$R" "$@" 2>&1 >/dev/null |
		awk -F, '/task-clock/ { printf "%.3f\n", $1 }'
}
issue_2048=$(median_ms "$R" "$CTXMGR" ca issue client bench --dir "$W/ca-2048")
if command -v perf >/dev/null 2>&1; then
	issue_cpu=$(cpu_ms "$CTXMGR" ca issue client bench --dir "$W/ca-2048")
	ossl_cpu=$(cpu_ms bash -c "$(declare -f ossl_client ossl_client_once); cd '$W' && ossl_client_once")
fi
# last: the rotation below renews "bench" with this CA
issue_default=$(median_ms "$R" "$CTXMGR" ca issue client bench --dir "$W/ca-default")
ossl_issue=$(median_ms "$R" ossl_client_once)
row "issue P-256 client, CA key at 2048 rounds" "$issue_2048" "$ossl_issue"
[ -n "${issue_cpu:-}" ] &&
	row "  the same, CPU time (perf task-clock)" "$issue_cpu" "$ossl_cpu"
row "issue P-256 client, CA key at 600000 rounds" "$issue_default" "$ossl_issue"

rot=$(median_ms "$ROT_RUNS" "$CTXMGR" ca rotate --all --force --dir "$W/ca-default")
ossl_rot=$(median_ms 3 ossl_rotate_all)
row "rotate --all --force, $((N + 1)) contexts (600000)" "$rot" "$ossl_rot"
"$CTXMGR" ca rotate --all --force --dir "$W/ca-default" >rot.out 2>&1
renewed=$(grep -c '^renewed' rot.out)
# the N contexts and "bench", whose last certificate came from this CA
[ "$renewed" = $((N + 1)) ] || { echo "bench: rotate renewed $renewed of $((N + 1))"; cat rot.out; exit 1; }
rot_nothing=$(median_ms "$ROT_RUNS" "$CTXMGR" ca rotate --all --dir "$W/ca-default")
row "rotate --all, $((N + 1)) contexts, none due" "$rot_nothing" "-"

echo
ok=1
# The target is for an issue as users run it: a new process with every
# file synced, against the openssl commands (which sync nothing), both
# with the CA key at 2048 rounds.
issue_ratio=$(ratio "$ossl_issue" "$issue_2048")
awk -v x="$issue_ratio" 'BEGIN { exit !(x >= 4.0) }' ||
	{ echo "target missed: issue only ${issue_ratio}x faster than openssl ($issue_2048 ms against $ossl_issue ms)"; ok=0; }
echo "note: an issue syncs the database, then the context's new set and its directory; the openssl commands sync nothing"
awk -v x="$rot" 'BEGIN { exit !(x <= 1000.0) }' ||
	{ echo "target missed: rotate --all over $N contexts $rot ms > 1000 ms"; ok=0; }
[ $ok = 1 ] && echo "targets met: issue >= 4x openssl, rotate --all over $N contexts <= 1 s"
[ $ok = 1 ]
