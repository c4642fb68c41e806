# lib-ca.sh: helpers for the TLS CA tests (t03xx).  Source after
# test-lib.sh.

# A strong passphrase in a private file, used by every ca command through
# CTXMGR_CA_PASSPHRASE_FILE.
ca_passphrase() {
	printf 'correct horse battery staple\n' >"$TRASH/ca-pass"
	chmod 600 "$TRASH/ca-pass"
	CTXMGR_CA_PASSPHRASE_FILE=$TRASH/ca-pass
	export CTXMGR_CA_PASSPHRASE_FILE
}

CA_DIR_DEFAULT() {
	echo "$DOCKER_CONFIG/ctxmgr/ca"
}

# start_tls_dockerd DIR SERVER_DIR: a private dockerd that requires
# client certificates (--tlsverify) on 127.0.0.1:$TLS_PORT, using the
# ca.pem, server-cert.pem and server-key.pem in SERVER_DIR.
start_tls_dockerd() {
	TLS_PORT=$(free_port)
	start_dockerd "$1" --tlsverify --tlscacert "$2/ca.pem" \
		--tlscert "$2/server-cert.pem" --tlskey "$2/server-key.pem" \
		-H "tcp://127.0.0.1:$TLS_PORT"
	wait_for 20 sh -c "ss -Hltn 'sport = :$TLS_PORT' | grep -q ." ||
		test_fatal "dockerd does not listen on 127.0.0.1:$TLS_PORT"
}

# The serial of a PEM certificate, as ctxmgr prints it.
cert_serial() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'
}

# The TLS folder of a context.
ctx_tls() {
	echo "$DOCKER_CONFIG/contexts/tls/$(ctx_dir "$1")/docker"
}

# A snapshot of the CA dir (contents and modes), the lock aside.
ca_snapshot() {
	(cd "${1:-$(CA_DIR_DEFAULT)}" &&
		find . -name lock -prune -o -type f -print0 | sort -z |
			xargs -0 -r sha256sum
		find . -name lock -prune -o -printf '%p %m\n' | sort) 2>&1
}

# ctxmgr_at OFFSET ARGS...: run ctxmgr with the clock moved by OFFSET
# ("+70d", "-400d") through libfaketime.  ASan must then accept a
# preloaded library ahead of its runtime.
ctxmgr_at() {
	off=$1
	shift
	command -v faketime >/dev/null ||
		test_fatal "faketime is not installed (run scripts/install-deps)"
	ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
		faketime -f "$off" "$CTXMGR" "$@"
}

# ca init with 2048 PBKDF2 rounds instead of 600000: every later command
# that unlocks this CA saves about 0.1 s.  t0300 checks the default.
ca_init_fast() {
	ctxmgr ca init --kdf-iterations 2048 "$@"
}
