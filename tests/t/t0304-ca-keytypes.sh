#!/bin/bash
test_description='ca: every key type works with dockerd and the docker CLI'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase

# CA, server and client of one type each: the chain mixes types too.
check_types() {
	ca_type=$1 srv_type=$2 cli_type=$3
	dir=$TRASH/$ca_type
	ca_init_fast --dir $dir/ca --key-type $ca_type >/dev/null &&
	ctxmgr ca issue server --dir $dir/ca --cn dockerd --key-type $srv_type \
		--san IP:127.0.0.1 --out $dir/srv >/dev/null &&
	openssl verify -purpose sslserver -CAfile $dir/ca/ca.pem $dir/srv/server-cert.pem &&
	start_tls_dockerd $dir/dockerd $dir/srv &&
	ctxmgr create ctx-$ca_type --host tcp://127.0.0.1:$TLS_PORT 2>/dev/null &&
	ctxmgr ca issue client ctx-$ca_type --dir $dir/ca --key-type $cli_type >/dev/null &&
	d=$(ctx_tls ctx-$ca_type) &&
	openssl verify -purpose sslclient -CAfile $d/ca.pem $d/cert.pem &&
	docker --context ctx-$ca_type version --format "{{.Server.Version}}" >out &&
	test -s out &&
	openssl x509 -in $d/cert.pem -noout -text >text &&
	ctxmgr ca ls --dir $dir/ca --format json >ls.json &&
	test_grep "\"keyType\": \"$cli_type\"" ls.json &&
	test_grep "\"keyType\": \"$srv_type\"" ls.json &&
	stop_pidfile $dir/dockerd/pid
}

test_expect_success 'ECDSA P-256 (CA, server, client)' '
	check_types ecdsa-p256 ecdsa-p256 ecdsa-p256 &&
	test_grep "NIST CURVE: P-256" text
'

test_expect_success 'ECDSA P-384, with a P-256 client' '
	check_types ecdsa-p384 ecdsa-p384 ecdsa-p256 &&
	openssl x509 -in $TRASH/ecdsa-p384/ca/ca.pem -noout -text | grep -q "ecdsa-with-SHA384"
'

test_expect_success 'Ed25519 (CA, server, client)' '
	check_types ed25519 ed25519 ed25519 &&
	test_grep "ED25519" text
'

test_expect_success 'RSA 3072, with an RSA 4096 client' '
	check_types rsa-3072 rsa-3072 rsa-4096 &&
	test_grep "Public-Key: (4096 bit)" text
'

test_expect_success 'RSA 4096, with an Ed25519 server and a P-384 client' '
	check_types rsa-4096 ed25519 ecdsa-p384
'
test_done
