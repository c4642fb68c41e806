#!/bin/bash
test_description='audit: every Docker Engine and containerd listener on the host, not only the audited daemon'
. "$(dirname "$0")/../lib/test-lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }

# the audited daemon: a unix socket only
start_dockerd "$TRASH/main"
MAIN_SOCK=$DOCKERD_SOCK
ctxmgr create main --host "unix://$MAIN_SOCK" >/dev/null ||
	test_fatal "cannot create the context"

# a second one on loopback TCP without TLS
P=$(free_port)
start_dockerd "$TRASH/second" -H "tcp://127.0.0.1:$P"
PID=$(cat "$TRASH/second/pid")

test_expect_success 'a second dockerd on loopback TCP without TLS is critical, named by pid, address and port' '
	test_expect_code 1 ctxmgr audit main --no-probes --format json \
		--fail-on critical >r.json &&
	q findings r.json exposure.host-tcp-plaintext >out &&
	test_grep -F "listener tcp://127.0.0.1:$P	dockerd (pid $PID) listens on 127.0.0.1 port $P without --tls (" out &&
	test "$(q status r.json exposure.host-tcp-plaintext)" = fail &&
	# the audited daemon itself is judged by the usual checks only
	! grep -F "$MAIN_SOCK" out &&
	ctxmgr audit main --no-probes >t.txt &&
	test_grep "exposure.host-tcp-plaintext" t.txt
'

test_expect_success 'its socket, once every user may write to it, is a high finding' '
	chmod 666 "$TRASH/second/docker.sock" &&
	ctxmgr audit main --no-probes --format json >r.json &&
	q findings r.json exposure.host-socket-open >out &&
	test_grep -F "socket unix://$TRASH/second/docker.sock	dockerd (pid $PID) listens here; every local user may connect: mode 0666" out &&
	! grep -F "unix://$MAIN_SOCK	" out
'

test_expect_success 'the audited daemon on TCP is reported by exposure.tcp-plaintext, not twice' '
	ctxmgr create second --host "unix://$TRASH/second/docker.sock" >/dev/null &&
	ctxmgr audit second --no-probes --format json >r2.json &&
	q findings r2.json exposure.tcp-plaintext >out &&
	test_grep -F "listener tcp://127.0.0.1:$P	" out &&
	q findings r2.json exposure.host-tcp-plaintext >out &&
	! grep -F ":$P	" out &&
	stop_pidfile "$TRASH/second/pid"
'

test_expect_success 'a second dockerd with --tls but not --tlsverify is critical too' '
	mkdir -p pki && (
		cd pki &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=ca &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout key.pem -out s.csr -subj /CN=127.0.0.1 &&
		printf "subjectAltName=IP:127.0.0.1\n" >s.ext &&
		openssl x509 -req -in s.csr -CA ca.pem -CAkey ca-key.pem \
			-CAcreateserial -out cert.pem -days 2 -extfile s.ext
	) >pki.log 2>&1 &&
	P2=$(free_port) &&
	start_dockerd "$TRASH/third" -H "tcp://127.0.0.1:$P2" --tls \
		--tlsverify=false --tlscacert pki/ca.pem \
		--tlscert pki/cert.pem --tlskey pki/key.pem &&
	PID3=$(cat "$TRASH/third/pid") &&
	ctxmgr audit main --no-probes --format json >r3.json &&
	q findings r3.json exposure.host-tls-no-verify >out &&
	test_grep -F "listener tcp://127.0.0.1:$P2	dockerd (pid $PID3) serves 127.0.0.1 port $P2 with --tls but without --tlsverify (dockerd flag)" out &&
	q findings r3.json exposure.host-tcp-plaintext >out &&
	! grep -F ":$P2	" out &&
	stop_pidfile "$TRASH/third/pid"
'
test_done
