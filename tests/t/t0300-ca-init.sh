#!/bin/bash
test_description='ca init: CA certificate, encrypted key, database; bad input'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
CA=$(CA_DIR_DEFAULT)

test_expect_success 'init makes a private CA dir with an encrypted key' '
	ctxmgr ca init >out &&
	test_grep "created CA \"ctxmgr CA\"" out &&
	test "$(stat -c %a "$CA")" = 700 &&
	test "$(stat -c %a "$CA/ca-key.pem")" = 600 &&
	test "$(stat -c %a "$CA/index.json")" = 600 &&
	test_grep -- "-----BEGIN ENCRYPTED PRIVATE KEY-----" "$CA/ca-key.pem" &&
	openssl asn1parse -in "$CA/ca-key.pem" >asn &&
	test_grep ":PBES2" asn && test_grep ":PBKDF2" asn &&
	test_grep ":hmacWithSHA256" asn && test_grep ":aes-256-cbc" asn &&
	test_grep "INTEGER *:0927C0" asn &&
	test_must_fail openssl pkey -in "$CA/ca-key.pem" -passin pass:wrong -noout &&
	openssl pkey -in "$CA/ca-key.pem" -passin file:$TRASH/ca-pass -noout
'

test_expect_success 'the CA certificate has the CA extensions' '
	openssl x509 -in "$CA/ca.pem" -noout -text >text &&
	grep -A1 "Basic Constraints: critical" text >bc &&
	test_grep "CA:TRUE" bc &&
	grep -A1 "Key Usage: critical" text >ku &&
	test_grep "Certificate Sign, CRL Sign" ku &&
	test_grep "Subject Key Identifier" text &&
	test_grep "Authority Key Identifier" text &&
	test_grep "ASN1 OID: prime256v1" text &&
	openssl x509 -in "$CA/ca.pem" -noout -subject >subj &&
	test_grep "CN *= *ctxmgr CA" subj &&
	serial=$(cert_serial "$CA/ca.pem") &&
	test ${#serial} -ge 32 &&
	end=$(openssl x509 -in "$CA/ca.pem" -noout -enddate | cut -d= -f2) &&
	days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 )) &&
	test $days -ge 3649 && test $days -le 3650 &&
	openssl verify -CAfile "$CA/ca.pem" "$CA/ca.pem"
'

test_expect_success 'the database lists the CA; ls needs no passphrase' '
	CTXMGR_CA_PASSPHRASE_FILE=/nonexistent ctxmgr ca ls --format json >ls.json &&
	python3 -c "
import json,sys
v=json.load(open(\"ls.json\"))
assert len(v)==1 and v[0][\"kind\"]==\"ca\" and v[0][\"status\"]==\"valid\", v
assert v[0][\"keyType\"]==\"ecdsa-p256\"
" &&
	test_grep "^signature: " "$CA/index.json"
'

test_expect_success 'init refuses to overwrite a CA; nothing changes' '
	ca_snapshot >before &&
	test_expect_code 1 ctxmgr ca init 2>err &&
	test_grep "a CA already exists in" err &&
	test_expect_code 1 ctxmgr ca init --dir "$CA" 2>err &&
	ca_snapshot >after && test_cmp before after
'

test_expect_success 'init refuses a non-empty dir without a CA, takes an empty one' '
	mkdir -p other && echo x >other/file &&
	test_expect_code 1 ctxmgr ca init --dir other 2>err &&
	test_grep "exists and is not empty" err &&
	test "$(ls other)" = file &&
	mkdir empty && ctxmgr ca init --dir empty >/dev/null &&
	test -f empty/ca.pem && test "$(stat -c %a empty)" = 700
'

test_expect_success 'every key type and --cn, --days' '
	for t in ecdsa-p384 ed25519 rsa-3072; do
		ca_init_fast --dir ca-$t --key-type $t --cn "CA $t" --days 30 >/dev/null &&
		ctxmgr ca ls --dir ca-$t --format json >j &&
		test_grep "\"keyType\": \"$t\"" j &&
		openssl x509 -in ca-$t/ca.pem -noout -subject >s &&
		test_grep "CA $t" s || return 1
	done &&
	openssl x509 -in ca-ed25519/ca.pem -noout -text >t &&
	test_grep "Signature Algorithm: ED25519" t
'

test_expect_success 'a weak passphrase is refused unless --allow-weak' '
	printf "password1\n" >weak && chmod 600 weak &&
	test_expect_code 1 ctxmgr ca init --dir w1 --passphrase-file weak 2>err &&
	test_grep "too weak for a CA key" err &&
	! test -e w1 &&
	ctxmgr ca init --dir w1 --passphrase-file weak --allow-weak >out 2>err &&
	test_grep "warning: the passphrase is" err &&
	test -f w1/ca.pem
'

test_expect_success 'passphrase sources: env file, --passphrase-file -, bad files' '
	ctxmgr ca init --dir p1 --passphrase-file - <"$TRASH/ca-pass" >/dev/null &&
	printf "correct horse battery staple\n" >open && chmod 644 open &&
	test_expect_code 1 ctxmgr ca init --dir p2 --passphrase-file open 2>err &&
	test_grep "must not be accessible by group or others" err &&
	! test -e p2 &&
	test_expect_code 1 ctxmgr ca init --dir p2 --passphrase-file /nonexistent 2>err &&
	test_grep "cannot read passphrase file" err &&
	: >empty-pass && chmod 600 empty-pass &&
	test_expect_code 1 ctxmgr ca init --dir p2 --passphrase-file empty-pass 2>err &&
	test_grep "the passphrase is empty" err &&
	(unset CTXMGR_CA_PASSPHRASE_FILE; test_expect_code 2 setsid -w "$CTXMGR" ca init --dir p2 2>err) &&
	test_grep "no terminal to ask for the CA passphrase" err &&
	! test -e p2
'

test_expect_success 'the terminal prompt: a weak passphrase is refused before it is asked again' '
	test_expect_code 1 env -u CTXMGR_CA_PASSPHRASE_FILE "$TEST_LIB_DIR/tty-answer.py" \
		"password1" -- "$CTXMGR" ca init --dir tty0 >out 2>&1 &&
	test_grep "New CA passphrase:" out &&
	! grep -q "Same passphrase again:" out &&
	test_grep "too weak for a CA key: .*(score [0-3] of 4, less than a second to guess offline)" out &&
	! grep -q "about less" out &&
	! test -e tty0
'

test_expect_success 'the estimate reads as English: "about N units" or "centuries"' '
	printf "vintage2019!\n" >mid && chmod 600 mid &&
	test_expect_code 1 ctxmgr ca init --dir w2 --passphrase-file mid 2>err &&
	test_grep "(score 2 of 4, about 24 minutes to guess offline)" err &&
	! test -e w2
'

test_expect_success 'the terminal prompt: no echo, asked twice, mismatch refused' '
	pw="correct horse battery staple" &&
	env -u CTXMGR_CA_PASSPHRASE_FILE "$TEST_LIB_DIR/tty-answer.py" "$pw" "$pw" -- \
		"$CTXMGR" ca init --dir tty1 --kdf-iterations 2048 >out &&
	test_grep "New CA passphrase:" out &&
	test_grep "Same passphrase again:" out &&
	! grep -q "horse" out &&
	test -f tty1/ca.pem &&
	test_expect_code 1 env -u CTXMGR_CA_PASSPHRASE_FILE "$TEST_LIB_DIR/tty-answer.py" \
		"$pw" "correct horse battery stable" -- \
		"$CTXMGR" ca init --dir tty2 >out &&
	test_grep "the passphrases do not match" out &&
	! test -e tty2 &&
	env -u CTXMGR_CA_PASSPHRASE_FILE "$TEST_LIB_DIR/tty-answer.py" "$pw" -- \
		"$CTXMGR" ca crl --dir tty1 --out c.pem >out &&
	test_grep "^CA passphrase:" out && ! grep -q "horse" out &&
	test -s c.pem
'

test_expect_success 'bad options: key type, days, kdf iterations, cn' '
	test_expect_code 2 ctxmgr ca init --dir b --key-type dsa 2>err &&
	test_grep "must be one of ecdsa-p256|ecdsa-p384|ed25519|rsa-3072|rsa-4096" err &&
	test_expect_code 2 ctxmgr ca init --dir b --days 0 2>err &&
	test_grep "days must be a whole number from 1 to 36500" err &&
	test_expect_code 2 ctxmgr ca init --dir b --days -5 2>err &&
	test_expect_code 2 ctxmgr ca init --dir b --days ten 2>err &&
	test_grep "needs an integer" err &&
	test_expect_code 2 ctxmgr ca init --dir b --kdf-iterations 1000 2>err &&
	test_grep "kdf-iterations must be from 2048" err &&
	test_expect_code 1 ctxmgr ca init --dir b --cn "" 2>err &&
	test_grep "common name is empty" err &&
	test_expect_code 1 ctxmgr ca init --dir b --cn "$(printf "a\tb")" 2>err &&
	test_grep "control characters" err &&
	! test -e b
'

test_expect_success 'a missing or half-written CA dir is refused clearly' '
	test_expect_code 1 ctxmgr ca ls --dir nowhere 2>err &&
	test_grep "no CA in \"nowhere\": run \"ctxmgr ca init\" first" err &&
	cp -a "$CA" half && rm half/ca-key.pem &&
	test_expect_code 1 ctxmgr ca ls --dir half 2>err &&
	test_grep "is incomplete: ca-key.pem is missing" err &&
	cp -a "$CA" half2 && rm half2/index.json &&
	test_expect_code 1 ctxmgr ca issue server --dir half2 --cn x --san DNS:x 2>err &&
	test_grep "is incomplete: index.json is missing" err &&
	ls -a . >names && ! grep -q "^\.ca-init" names
'

test_expect_success 'a tampered or foreign database is refused' '
	cp -a "$CA" t1 &&
	sed -i "s/\"status\": \"valid\"/\"status\": \"revoked\"/" t1/index.json &&
	test_expect_code 1 ctxmgr ca ls --dir t1 2>err &&
	test_grep "signature does not match: the database was changed outside ctxmgr" err &&
	cp -a "$CA" t2 && sed -i "\$d" t2/index.json &&
	test_expect_code 1 ctxmgr ca ls --dir t2 2>err &&
	test_grep "signature line is missing" err &&
	cp -a "$CA" t3 && cp ca-ed25519/index.json t3/index.json &&
	test_expect_code 1 ctxmgr ca ls --dir t3 2>err &&
	test_grep "signature does not match" err &&
	cp -a "$CA" t4 && head -c 100 "$CA/index.json" >t4/index.json &&
	test_expect_code 1 ctxmgr ca ls --dir t4 2>err &&
	test_grep "CA database" err &&
	ca_snapshot t4 >before &&
	test_expect_code 1 ctxmgr ca issue server --dir t4 --cn x --san DNS:x 2>err &&
	ca_snapshot t4 >after && test_cmp before after
'

test_expect_success 'a CA certificate that is not PEM, or not a CA, is refused' '
	cp -a "$CA" n1 && echo "not a certificate" >n1/ca.pem &&
	test_expect_code 1 ctxmgr ca ls --dir n1 2>err &&
	test_grep "is not a PEM file" err &&
	cp -a "$CA" n2 && cp ca-ed25519/ca.pem n2/ca.pem &&
	test_expect_code 1 ctxmgr ca ls --dir n2 2>err &&
	test_grep "signature does not match" err
'

test_expect_success 'a wrong passphrase is a clear error and changes nothing' '
	printf "not the passphrase at all\n" >wrong && chmod 600 wrong &&
	ctxmgr create tc --host tcp://127.0.0.1:2376 2>/dev/null &&
	ca_snapshot >before && store_snapshot >sbefore &&
	test_expect_code 1 ctxmgr ca issue client tc --passphrase-file wrong 2>err &&
	test_grep "wrong passphrase for the CA key" err &&
	test_expect_code 1 ctxmgr ca issue server --cn s --san DNS:s --passphrase-file wrong 2>err &&
	test_expect_code 1 ctxmgr ca crl --passphrase-file wrong 2>err &&
	test_grep "wrong passphrase" err &&
	ca_snapshot >after && store_snapshot >safter &&
	test_cmp before after && test_cmp sbefore safter
'

test_expect_success 'a CA key readable by others is refused' '
	cp -a "$CA" m1 && chmod 644 m1/ca-key.pem &&
	test_expect_code 1 ctxmgr ca issue server --dir m1 --cn s --san DNS:s 2>err &&
	test_grep "CA key .* has mode 0644" err
'

test_expect_success 'a writable CA dir or a symlinked CA key is refused' '
	cp -a "$CA" m2 && chmod 777 m2 &&
	test_expect_code 1 ctxmgr ca ls --dir m2 2>err &&
	test_grep "has mode 0777: group or others can write to it" err &&
	cp -a "$CA" m3 && mv m3/ca-key.pem key-elsewhere.pem &&
	ln -s $TRASH/key-elsewhere.pem m3/ca-key.pem &&
	test_expect_code 1 ctxmgr ca crl --dir m3 2>err &&
	test_grep "symbolic link" err
'

test_expect_success 'CTXMGR_CA_DIR picks the CA' '
	CTXMGR_CA_DIR=$TRASH/ca-ed25519 ctxmgr ca ls -q >out &&
	test $(wc -l <out) = 1 &&
	test "$(cat out)" = "$(cert_serial ca-ed25519/ca.pem)"
'
test_done
