#!/bin/bash
test_description='ca: a clock before the CA notBefore, a certificate longer than the CA life'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
ca_init_fast >/dev/null 2>&1 || test_fatal "ca init failed"
ctxmgr create t1 --host tcp://127.0.0.1:2376 -q
ctxmgr create t2 --host tcp://127.0.0.1:2376 -q

test_expect_success 'clock before the CA notBefore: issue refuses, nothing installed' '
	test_expect_code 1 ctxmgr_at -3d ca issue client t1 2>err &&
	test_grep "before the CA.s notBefore .*check the system clock" err &&
	test ! -e "$(ctx_tls t1)" &&
	ctxmgr ca ls -q >serials && test "$(wc -l <serials)" = 1
'

test_expect_success 'clock before the CA notBefore: ca ls does not call anything valid' '
	ctxmgr ca issue client t1 >/dev/null &&
	ctxmgr_at -3d ca ls >out &&
	test_grep "^[0-9A-F]*  *ca  .* not-yet-valid$" out &&
	test_grep "client .*t1 .* not-yet-valid$" out &&
	! grep -q " valid$" out &&
	ctxmgr ca ls >out && test_grep "client .*t1 .* valid$" out
'

test_expect_success 'clock before the CA notBefore: rotate --force refuses to sign' '
	cp "$(ctx_tls t1)/cert.pem" before.pem &&
	test_expect_code 1 ctxmgr_at -3d ca rotate t1 --force >out 2>err &&
	cat out err >all && test_grep "check the system clock" all &&
	cmp before.pem "$(ctx_tls t1)/cert.pem"
'

test_expect_success 'a certificate that would outlive the CA is refused, not cut short' '
	# made an hour ago: 29 whole days left, whatever second this runs in
	ctxmgr_at -1h ca init --kdf-iterations 2048 --dir "$TRASH/short" --days 30 >/dev/null 2>&1 &&
	test_expect_code 1 ctxmgr ca issue client t2 --dir "$TRASH/short" 2>err &&
	test_grep "a 90-day certificate would outlive the CA, which expires on .*: give --days 29 or less" err &&
	test ! -e "$(ctx_tls t2)" &&
	test_expect_code 1 ctxmgr ca issue client t2 --dir "$TRASH/short" --days 30 2>err &&
	ctxmgr ca issue client t2 --dir "$TRASH/short" --days 29 >/dev/null &&
	end=$(openssl x509 -in "$(ctx_tls t2)/cert.pem" -noout -enddate | cut -d= -f2) &&
	test $(( ($(date -d "$end" +%s) - $(date +%s) + 60) / 86400 )) = 29
'
test_done
