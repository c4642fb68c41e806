#!/bin/bash
test_description='TLS files, update keeps what is not given, rename, rm'
. "$(dirname "$0")/../lib/test-lib.sh"

tlsdir() { echo "$DOCKER_CONFIG/contexts/tls/$(ctx_dir "$1")/docker"; }

test_expect_success 'setup: a CA, a client certificate and key' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca-key.pem -out ca.pem -subj /CN=ca -days 2 2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout key.pem -out req.csr -subj /CN=client 2>/dev/null &&
	openssl x509 -req -in req.csr -CA ca.pem -CAkey ca-key.pem \
		-CAcreateserial -out cert.pem -days 2 2>/dev/null &&
	openssl pkey -in key.pem -aes256 -passout pass:secret-pass -out enc-key.pem
'

test_expect_success 'create copies TLS files 0600 into 0700 dirs' '
	ctxmgr create t1 --host tcp://127.0.0.1:2376 --ca ca.pem --cert cert.pem --key key.pem -q &&
	d=$(tlsdir t1) &&
	cmp ca.pem $d/ca.pem && cmp cert.pem $d/cert.pem && cmp key.pem $d/key.pem &&
	test "$(stat -c %a $d/key.pem $d/cert.pem $d/ca.pem | sort -u)" = 600 &&
	test "$(stat -c %a $d $d/.. $DOCKER_CONFIG/contexts/tls | sort -u)" = 700 &&
	docker context inspect t1 --format "{{json .TLSMaterial}}" >out &&
	test_grep "ca.pem" out
'

test_expect_success 'bad TLS input is refused and nothing is written' '
	store_snapshot >before &&
	test_must_fail ctxmgr create t2 --host tcp://h:2376 --cert cert.pem --key enc-key.pem 2>err &&
	test_grep "encrypted" err &&
	test_must_fail ctxmgr create t2 --host tcp://h:2376 --ca /etc/hostname 2>err &&
	test_grep "PEM" err &&
	test_must_fail ctxmgr create t2 --host tcp://h:2376 --cert cert.pem 2>err &&
	test_grep "go together" err &&
	test_must_fail ctxmgr create t2 --host tcp://h:2376 --cert ca.pem --key key.pem 2>err &&
	test_grep "does not match" err &&
	test_must_fail ctxmgr create t2 --host ssh://h --ca ca.pem 2>err &&
	test_grep "ssh://" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success 'update keeps TLS files when the host changes (docker wipes them)' '
	ctxmgr update t1 --host tcp://127.0.0.1:2377 -q &&
	cmp key.pem $(tlsdir t1)/key.pem &&
	docker context create d1 --docker "host=tcp://h:1,ca=ca.pem,cert=cert.pem,key=key.pem" >/dev/null 2>&1 &&
	docker context update d1 --docker host=tcp://h:2 >/dev/null 2>&1 &&
	test ! -e $(tlsdir d1)/key.pem
'

test_expect_success 'update changes only what is given' '
	ctxmgr create u1 --direct --host ssh://u@h --description first --identity /k1 -q &&
	ctxmgr update u1 --description second -q &&
	ctxmgr inspect u1 >out &&
	test_grep "\"Description\": \"second\"" out &&
	test_grep "\"Host\": \"ssh://u@h\"" out &&
	test_grep "\"identity\": \"/k1\"" out &&
	ctxmgr update u1 --skip-tls-verify -q &&
	ctxmgr inspect u1 >out && test_grep "\"SkipTLSVerify\": true" out &&
	ctxmgr update u1 --skip-tls-verify=false -q &&
	ctxmgr inspect u1 >out && test_grep "\"SkipTLSVerify\": false" out
'

test_expect_success 'update --clear-tls drops the TLS files and their dirs' '
	ctxmgr update t1 --clear-tls -q &&
	test ! -e $DOCKER_CONFIG/contexts/tls/$(ctx_dir t1) &&
	ctxmgr inspect t1 >out && test_grep "\"TLSMaterial\": {}" out
'

test_expect_success 'ssh settings are refused for non-ssh contexts' '
	test_must_fail ctxmgr update t1 --identity /k 2>err &&
	test_grep "ssh://" err
'

test_expect_success 'rename moves TLS files and follows currentContext and use -' '
	ctxmgr create t3 --host tcp://h:2376 --ca ca.pem -q &&
	ctxmgr use u1 -q && ctxmgr use t3 -q &&
	ctxmgr rename t3 t3new -q &&
	test "$(docker context show)" = t3new &&
	cmp ca.pem $(tlsdir t3new)/ca.pem &&
	test ! -e $DOCKER_CONFIG/contexts/tls/$(ctx_dir t3) &&
	test ! -e $DOCKER_CONFIG/contexts/meta/$(ctx_dir t3) &&
	ctxmgr use - -q && test "$(ctxmgr show)" = u1 &&
	ctxmgr use - -q && test "$(ctxmgr show)" = t3new &&
	test_must_fail ctxmgr rename t3new u1 2>err && test_grep "already exists" err
'

test_expect_success 'rm: the current context needs -f, which clears currentContext' '
	test_must_fail ctxmgr rm t3new 2>err &&
	test_grep "in use" err &&
	ctxmgr inspect t3new >/dev/null &&
	ctxmgr rm -f t3new -q >/dev/null &&
	test "$(docker context show)" = default &&
	test ! -e $DOCKER_CONFIG/contexts/tls/$(ctx_dir t3new) &&
	ctxmgr rm -f never-existed >/dev/null &&
	test_must_fail ctxmgr rm u1 missing1 2>err >out &&
	test_grep "^u1$" out && test_grep "missing1" err &&
	test_must_fail ctxmgr inspect u1
'

test_expect_success 'create --from copies endpoint and TLS; no endpoint copies the current one' '
	ctxmgr create src --host tcp://h:2376 --ca ca.pem --cert cert.pem --key key.pem -q &&
	ctxmgr create copy1 --from src --description c -q &&
	cmp key.pem $(tlsdir copy1)/key.pem &&
	ctxmgr use src -q &&
	ctxmgr create copy2 -q &&
	ctxmgr inspect copy2 >out && test_grep "tcp://h:2376" out &&
	ctxmgr create copy3 --host ssh://x --use -q && test "$(ctxmgr show)" = copy3
'
test_done
