#!/bin/bash
# bench/keys.sh: key and password work, ctxmgr against OpenSSH's
# ssh-keygen in the same run.  No targets: the figures show what the
# commands cost (the bcrypt KDF dominates an encrypted keys gen, and the
# same 16 rounds in both tools should cost about the same).
set -u
. "$(dirname "$0")/lib.sh"
bench_sandbox
R=${BENCH_RUNS:-21}
cd "$BENCH_DIR" || exit 1
printf 'correct horse battery staple\n' >pass && chmod 600 pass

printf '%-34s %10s %12s %8s\n' "operation" "ctxmgr ms" "ssh-keygen ms" "ratio"
# the ratio is ssh-keygen's time over ctxmgr's: above 1, ctxmgr is faster
row() {
	local r=-
	[ "$3" = - ] || r="$(ratio "$3" "$2")x"
	printf '%-34s %10s %12s %8s\n' "$1" "$2" "$3" "$r"
}

# every run writes a new key: a counter per measuring subshell
seq_no=0
cm_gen() {
	seq_no=$((seq_no + 1))
	"$CTXMGR" keys gen "$@" "k$BASHPID-$seq_no"
}
kg_gen() {
	seq_no=$((seq_no + 1))
	ssh-keygen -q "$@" -f "s$BASHPID-$seq_no"
}
a=$(median_ms "$R" cm_gen --no-passphrase)
b=$(median_ms "$R" kg_gen -t ed25519 -N "")
row "gen ed25519, unencrypted" "$a" "$b"
a=$(median_ms "$R" cm_gen --passphrase-file pass)
b=$(median_ms "$R" kg_gen -t ed25519 -N "correct horse battery staple")
row "gen ed25519, bcrypt 16 rounds" "$a" "$b"
a=$(median_ms 5 cm_gen -t rsa --bits 3072 --no-passphrase)
b=$(median_ms 5 kg_gen -t rsa -b 3072 -N "")
row "gen rsa 3072 (5 runs, random)" "$a" "$b"

"$CTXMGR" keys gen --no-passphrase plain >/dev/null 2>&1
"$CTXMGR" keys gen --passphrase-file pass enc >/dev/null 2>&1
[ "$(ls k*-* | wc -l)" -gt 60 ] || { echo "bench: keys gen failed" >&2; exit 1; }
# an authorized_keys of 1000 keys
for ((i = 0; i < 1000; i++)); do cat plain.pub; done >authorized_keys
a=$(median_ms 11 "$CTXMGR" keys check -q authorized_keys)
b=$(median_ms 11 ssh-keygen -l -f authorized_keys)
row "check 1000-line authorized_keys" "$a" "$b"
a=$(median_ms "$R" "$CTXMGR" keys check -q enc)
b=$(median_ms "$R" ssh-keygen -l -f enc)
row "check one private key" "$a" "$b"
a=$(median_ms "$R" sh -c "echo 'correct horse battery staple' | \"$CTXMGR\" password check --stdin")
row "password check (zxcvbn)" "$a" "-"
true
