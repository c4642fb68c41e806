#!/bin/bash
test_description='audit: a daemon on TCP without TLS, with --tls only, with --tlsverify'
. "$(dirname "$0")/../lib/test-lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }

# A CA, a server certificate for 127.0.0.1 and a client certificate.
mkdir -p pki && (
	cd pki &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout ca-key.pem -out ca.pem -days 2 \
		-subj /CN=audit-test-ca &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout server-key.pem -out server.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
		>server.ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem \
		-CAcreateserial -out server.pem -days 2 -extfile server.ext &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout client-key.pem -out client.csr -subj /CN=client &&
	printf 'extendedKeyUsage=clientAuth\n' >client.ext &&
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem \
		-CAcreateserial -out client.pem -days 2 -extfile client.ext &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout other-key.pem -out other-ca.pem -days 2 \
		-subj /CN=other-ca
) >pki.log 2>&1 || test_fatal "openssl cannot make the test certificates"
PKI=$TRASH/pki
# other test runs may have daemons on this machine: judge ours only
printf 'ignore:\n  - exposure.host-*\n' >ours.yaml
# modes as CIS 3.9-3.14 want them, and a key others may read
cp "$PKI/server-key.pem" "$PKI/loose-key.pem"
chmod 0444 "$PKI"/*.pem
chmod 0400 "$PKI"/*-key.pem
chmod 0640 "$PKI/loose-key.pem"

test_expect_success 'plain TCP: the critical exposure finding' '
	P=$(free_port) &&
	start_dockerd "$TRASH/d-plain" -H "tcp://127.0.0.1:$P" &&
	ctxmgr create plain --host "unix://$DOCKERD_SOCK" >/dev/null &&
	test_expect_code 1 ctxmgr audit plain --format json \
		--fail-on critical >report-$test_count.json &&
	q findings report-$test_count.json exposure.tcp-plaintext >out &&
	test_grep "^listener tcp://127.0.0.1:$P	GET /_ping over plain HTTP, without any credentials, answered 200 (Docker/.*, API 1\.[0-9]*)$" out &&
	test "$(q status report-$test_count.json exposure.tcp-plaintext)" = fail &&
	test "$(q status report-$test_count.json exposure.tls-no-verify)" = pass &&
	q findings report-$test_count.json exposure.daemon-warnings >out &&
	test_grep "API is accessible on http://127.0.0.1:$P without encryption" out &&
	# the API over plain TCP works too, and says the same
	ctxmgr create plaintcp --host "tcp://127.0.0.1:$P" >/dev/null &&
	test_expect_code 1 ctxmgr audit plaintcp --format json \
		--fail-on critical >report2.json &&
	q findings report2.json exposure.tcp-plaintext >out &&
	test_grep "^listener tcp://127.0.0.1:$P	" out &&
	stop_pidfile "$TRASH/d-plain/pid"
'

# dockerd 20.10 and later turn --tlsverify on with --tls unless it is
# switched off: --tlsverify=false is how a daemon ends up unverified.
test_expect_success '--tls without --tlsverify: the unverified-TLS finding' '
	P=$(free_port) &&
	start_dockerd "$TRASH/d-tls" -H "tcp://127.0.0.1:$P" --tls \
		--tlsverify=false \
		--tlscacert "$PKI/ca.pem" --tlscert "$PKI/server.pem" \
		--tlskey "$PKI/loose-key.pem" &&
	ctxmgr create tlsonly --host "unix://$DOCKERD_SOCK" >/dev/null &&
	test_expect_code 1 ctxmgr audit tlsonly --format json \
		--fail-on critical >report-$test_count.json &&
	q findings report-$test_count.json exposure.tls-no-verify >out &&
	test_grep "^listener tcp://127.0.0.1:$P	TLS handshake without a client certificate accepted; GET /_ping answered 200" out &&
	test "$(q status report-$test_count.json exposure.tcp-plaintext)" = pass &&
	q findings report-$test_count.json exposure.daemon-warnings >out &&
	test_grep "API is accessible on https://127.0.0.1:$P without TLS client verification" out &&
	# the files its flags name are judged too
	q findings report-$test_count.json files.tls-key >out &&
	test_grep "^file $PKI/loose-key.pem	mode 0640, owner 0, group 0" out &&
	test "$(q status report-$test_count.json files.tls-cert)" = pass &&
	test "$(q status report-$test_count.json files.tls-ca)" = pass &&
	stop_pidfile "$TRASH/d-tls/pid"
'

test_expect_success '--tlsverify: neither finding; the API over mutual TLS' '
	P=$(free_port) &&
	start_dockerd "$TRASH/d-verify" -H "tcp://127.0.0.1:$P" --tlsverify \
		--tlscacert "$PKI/ca.pem" --tlscert "$PKI/server.pem" \
		--tlskey "$PKI/server-key.pem" &&
	echo "$P" >verify.port &&
	ctxmgr create verify --host "unix://$DOCKERD_SOCK" >/dev/null &&
	test_expect_code 0 ctxmgr audit verify --format json \
		--fail-on critical --policy ours.yaml >report-$test_count.json &&
	test "$(q status report-$test_count.json exposure.tcp-plaintext)" = pass &&
	test "$(q status report-$test_count.json exposure.tls-no-verify)" = pass &&
	test "$(q status report-$test_count.json exposure.daemon-warnings)" = pass &&
	test "$(q status report-$test_count.json files.tls-key)" = pass &&
	ctxmgr create mtls --host "tcp://127.0.0.1:$P" --ca "$PKI/ca.pem" \
		--cert "$PKI/client.pem" --key "$PKI/client-key.pem" >/dev/null &&
	test_expect_code 0 ctxmgr audit mtls --format json --fail-on high \
		--policy ours.yaml \
		>report-$test_count.json &&
	python3 -c "import json,sys; d=json.load(open(\"report-$test_count.json\")); \
		assert d[\"daemon\"][\"version\"], d; assert d[\"errors\"] == [], d" &&
	test "$(q status report-$test_count.json exposure.tls-no-verify)" = pass
'

test_expect_success 'TLS failures are reported, never passed' '
	P=$(cat verify.port) &&
	ctxmgr create wrongca --host "tcp://127.0.0.1:$P" \
		--ca "$PKI/other-ca.pem" --cert "$PKI/client.pem" \
		--key "$PKI/client-key.pem" >/dev/null &&
	test_expect_code 3 ctxmgr audit wrongca --no-probes --format json \
		>report-$test_count.json &&
	q errors report-$test_count.json >out &&
	test_grep "certificate verify failed" out &&
	test "$(q status report-$test_count.json containers.privileged)" = error &&
	ctxmgr create nocert --host "tcp://127.0.0.1:$P" --skip-tls-verify \
		--ca "$PKI/ca.pem" >/dev/null &&
	test_expect_code 3 ctxmgr audit nocert --no-probes >out &&
	test_grep "^errors:" out &&
	test_grep "error: " out
'
test_done
