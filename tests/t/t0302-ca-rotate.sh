#!/bin/bash
test_description='ca rotate: due rule, dry run, force, idempotence, lock, servers'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
CA=$(CA_DIR_DEFAULT)
ca_init_fast >/dev/null 2>&1 || test_fatal "ca init failed"
for c in r1 r2 r3; do
	ctxmgr create $c --host tcp://127.0.0.1:2376 2>/dev/null &&
		ctxmgr ca issue client $c >/dev/null ||
		test_fatal "cannot set up context $c"
done
ctxmgr create plain --host ssh://u@h 2>/dev/null
ctxmgr ca issue server --cn srv1 --san DNS:srv1 --days 10 >/dev/null ||
	test_fatal "cannot issue a server certificate"

test_expect_success 'nothing is due right after issuing; no passphrase needed' '
	ca_snapshot >before && store_snapshot >sbefore &&
	CTXMGR_CA_PASSPHRASE_FILE=/nonexistent ctxmgr ca rotate --all >out &&
	grep -E "^skipped +client +r1 .*not due: (89|90) days left" out &&
	test_grep "^skipped  *server  *srv1 " out &&
	! grep -q plain out &&
	ca_snapshot >after && store_snapshot >safter &&
	test_cmp before after && test_cmp sbefore safter
'

test_expect_success '--dry-run with a wide --renew-before changes nothing' '
	ca_snapshot >before && store_snapshot >sbefore &&
	CTXMGR_CA_PASSPHRASE_FILE=/nonexistent ctxmgr ca rotate --all --renew-before 90d --dry-run >out &&
	test "$(grep -c "^would renew  *client" out)" = 3 &&
	test_grep "^due  *server  *srv1 .*ctxmgr ca issue server --cn srv1 --san DNS:srv1 --days 10" out &&
	ca_snapshot >after && store_snapshot >safter &&
	test_cmp before after && test_cmp sbefore safter
'

test_expect_success 'renew-before as a duration' '
	ctxmgr ca rotate r1 --renew-before 90d --dry-run >out &&
	test_grep "^would renew  *client  *r1 .*due since" out &&
	ctxmgr ca rotate r1 --renew-before 89d --dry-run >out &&
	test_grep "^skipped  *client  *r1" out &&
	ctxmgr ca rotate r1 --renew-before 2160h --dry-run >out &&
	test_grep "^would renew  *client  *r1" out &&
	ctxmgr ca rotate r1 --renew-before 99% --dry-run >out &&
	# 1% of 90 days is 21.6 hours after notBefore: the day of +21 h or
	# of +22 h (they differ between about 02:00 and 03:00 UTC)
	test_grep -E "^skipped  *client  *r1 .*renews from ($(date -u -d "+21 hours" +%F)|$(date -u -d "+22 hours" +%F))" out
'

test_expect_success 'rotate NAME renews with a fresh key, swapped as one set' '
	d=$(ctx_tls r1) &&
	old=$(cert_serial $d/cert.pem) && cp $d/key.pem old.key &&
	openssl x509 -in $d/cert.pem -noout -enddate >old.end &&
	ctxmgr ca rotate r1 --renew-before 90d >out &&
	test_grep "^renewed  *client  *r1 " out &&
	new=$(cert_serial $d/cert.pem) &&
	test "$old" != "$new" &&
	! cmp -s old.key $d/key.pem &&
	openssl pkey -in $d/key.pem -pubout >k.pub &&
	openssl x509 -in $d/cert.pem -pubkey -noout >c.pub &&
	test_cmp k.pub c.pub &&
	openssl verify -purpose sslclient -CAfile $d/ca.pem $d/cert.pem &&
	for f in ca.pem cert.pem key.pem; do
		test "$(stat -c %a $d/$f)" = 600 || return 1
	done &&
	test "$(stat -c %a $d)" = 700 &&
	test -f $CA/issued/$old.pem &&
	ctxmgr ca ls --all --format json >ls.json &&
	python3 -c "
import json
v={c[\"serial\"]:c for c in json.load(open(\"ls.json\"))}
assert v[\"$old\"][\"status\"]==\"superseded\" and v[\"$old\"][\"replacedBy\"]==\"$new\"
assert v[\"$new\"][\"status\"]==\"valid\" and v[\"$new\"][\"context\"]==\"r1\"
" &&
	ls -a "$DOCKER_CONFIG/contexts/tls" >names && ! grep -q swap names
'

test_expect_success 'a renewal keeps the CN, key type and lifetime' '
	ctxmgr create r4 --host tcp://127.0.0.1:2376 2>/dev/null &&
	ctxmgr ca issue client r4 --cn bob --days 20 --key-type ecdsa-p384 >/dev/null &&
	ctxmgr ca rotate r4 --force >out &&
	test_grep "^renewed  *client  *r4 .*--force" out &&
	openssl x509 -in $(ctx_tls r4)/cert.pem -noout -subject -text -enddate >t &&
	test_grep "CN *= *bob" t && test_grep "NIST CURVE: P-384" t &&
	end=$(grep notAfter t | cut -d= -f2) &&
	days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 )) &&
	test $days -ge 19 && test $days -le 20
'

test_expect_success 'past two thirds of the lifetime: renewed once, then idempotent' '
	ctxmgr_at +59d ca rotate --all >out0 &&
	test_grep "^renewed  *client  *r4 .*expired" out0 &&
	grep -E "^skipped +client +r2 .*not due: 3[01] days left" out0 &&
	test_grep "^due  *server  *srv1 .*expired 49 days ago" out0 &&
	test "$(grep -c "^renewed" out0)" = 1 &&
	ctxmgr_at +61d ca rotate --all >out1 &&
	test_grep "^renewed  *client  *r2 .*due since" out1 &&
	test_grep "^skipped  *client  *r4 .*not due" out1 &&
	test "$(grep -c "^renewed" out1)" = 3 &&
	ctxmgr_at +61d ca rotate --all >out2 &&
	! grep -q "^renewed" out2 &&
	test "$(grep -c "^skipped  *client" out2)" = 4
'

test_expect_success 'bad use: no names, both, bad --renew-before, unknown context' '
	test_expect_code 2 ctxmgr ca rotate 2>err &&
	test_grep "name the contexts to rotate, or give --all" err &&
	test_expect_code 2 ctxmgr ca rotate r1 --all 2>err &&
	for rb in 0% 100% 150% -3d 5x abc "" 10; do
		test_expect_code 2 ctxmgr ca rotate r1 --renew-before "$rb" 2>err &&
		test_grep "renew-before takes a percentage" err || return 1
	done &&
	store_snapshot >sbefore &&
	test_expect_code 1 ctxmgr ca rotate nosuch r2 --force >out &&
	test_grep "^failed  *client  *nosuch .*not found" out &&
	test_grep "^renewed  *client  *r2" out &&
	test_expect_code 1 ctxmgr ca rotate plain >out &&
	test_grep "holds no client certificate" out
'

test_expect_success 'a wrong passphrase fails the run and changes nothing' '
	printf "not the passphrase at all\n" >wrong && chmod 600 wrong &&
	ca_snapshot >before && store_snapshot >sbefore &&
	test_expect_code 1 ctxmgr ca rotate --all --force --passphrase-file wrong 2>err &&
	test_grep "wrong passphrase for the CA key" err &&
	ca_snapshot >after && store_snapshot >safter &&
	test_cmp before after && test_cmp sbefore safter
'

test_expect_success 'a foreign or revoked certificate is skipped, named it fails' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout f.key -out f.pem -subj "/CN=f" -days 5 2>/dev/null &&
	ctxmgr create foreign --host tcp://h:2376 --cert f.pem --key f.key 2>/dev/null &&
	ctxmgr ca rotate --all --dry-run >out &&
	test_grep "^skipped  *client  *foreign .*not issued by this CA" out &&
	test_expect_code 1 ctxmgr ca rotate foreign >out &&
	test_grep "^failed  *client  *foreign" out &&
	ctxmgr ca revoke r3 >/dev/null &&
	ctxmgr ca rotate r3 --force >out &&
	test_grep "^skipped  *client  *r3 .*revoked: issue a new one" out
'

test_expect_success 'the context is renamed: rotation follows it' '
	ctxmgr rename r2 r2b &&
	ctxmgr ca rotate r2b --force >out &&
	test_grep "^renewed  *client  *r2b" out &&
	ctxmgr ca ls --format json | test_grep "\"context\": \"r2b\""
'

test_expect_success 'concurrent runs take turns on the lock; the store stays whole' '
	( ctxmgr ca rotate --all --force >p1 2>&1 & ctxmgr ca rotate --all --force >p2 2>&1 & wait ) &&
	test "$(grep -c "^renewed" p1)" = 3 &&
	test "$(grep -c "^renewed" p2)" = 3 &&
	ctxmgr ca ls --format json >ls.json &&
	for c in r1 r2b r4; do
		d=$(ctx_tls $c) &&
		openssl pkey -in $d/key.pem -pubout >k.pub &&
		openssl x509 -in $d/cert.pem -pubkey -noout >c.pub &&
		test_cmp k.pub c.pub &&
		test_grep "$(cert_serial $d/cert.pem)" ls.json || return 1
	done &&
	test "$(ls $CA/issued | wc -l)" -ge 12
'

test_expect_success 'expired superseded entries are pruned; a context holding one is still renewed' '
	ctxmgr create p1 --host tcp://127.0.0.1:2376 2>/dev/null &&
	ctxmgr ca issue client p1 --days 1 >/dev/null &&
	a=$(cert_serial $(ctx_tls p1)/cert.pem) &&
	cp -a $(ctx_tls p1) saved &&
	ctxmgr ca rotate p1 --force >/dev/null &&
	ctxmgr ca ls --all --format json | test_grep "\"$a\"" &&
	rm -rf $(ctx_tls p1) && cp -a saved $(ctx_tls p1) &&
	ctxmgr_at +2d ca rotate r1 --force >/dev/null &&
	! ctxmgr ca ls --all --format json | grep -q "\"$a\"" &&
	test -f $CA/issued/$a.pem &&
	ctxmgr_at +2d ca rotate p1 >out &&
	test_grep "^renewed  *client  *p1  *$(echo $a | cut -c1-16) .*expired" out
'

test_expect_success 'json output of rotate' '
	ctxmgr ca rotate r1 --force --format json >out.json &&
	python3 -c "
import json
v=json.load(open(\"out.json\"))
assert v[0][\"action\"]==\"renewed\" and v[0][\"name\"]==\"r1\" and v[0][\"newSerial\"], v
"
'
test_done
