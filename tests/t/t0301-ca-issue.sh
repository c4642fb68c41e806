#!/bin/bash
test_description='ca issue server/client, ls, revoke, crl; bad input'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
CA=$(CA_DIR_DEFAULT)
ca_init_fast >/dev/null 2>&1 || test_fatal "ca init failed"

test_expect_success 'issue server: files, modes, extensions, dockerd flags' '
	ctxmgr ca issue server --cn docker1 \
		--san DNS:Docker1.Example.com,IP:127.0.0.1 --san IP:::1 >out &&
	test_grep "issued server certificate \"docker1\"" out &&
	test_grep "dockerd --tlsverify --tlscacert=$CA/servers/docker1/ca.pem" out &&
	test_grep "\"tlskey\": \"$CA/servers/docker1/server-key.pem\"" out &&
	d=$CA/servers/docker1 &&
	test "$(stat -c %a $d)" = 700 &&
	test "$(stat -c %a $d/server-key.pem)" = 400 &&
	test "$(stat -c %a $d/server-cert.pem)" = 444 &&
	test "$(stat -c %a $d/ca.pem)" = 444 &&
	test_grep -- "-----BEGIN PRIVATE KEY-----" $d/server-key.pem &&
	openssl verify -purpose sslserver -CAfile $d/ca.pem $d/server-cert.pem &&
	test_must_fail openssl verify -purpose sslclient -CAfile $d/ca.pem $d/server-cert.pem &&
	openssl x509 -in $d/server-cert.pem -noout -text >text &&
	test_grep "DNS:docker1.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1" text &&
	test_grep "TLS Web Server Authentication" text &&
	! grep -q "Client Authentication" text &&
	grep -A1 "Basic Constraints: critical" text | grep -q "CA:FALSE" &&
	openssl pkey -in $d/server-key.pem -pubout >k.pub &&
	openssl x509 -in $d/server-cert.pem -pubkey -noout >c.pub &&
	test_cmp k.pub c.pub &&
	test -f "$CA/issued/$(cert_serial $d/server-cert.pem).pem" &&
	end=$(openssl x509 -in $d/server-cert.pem -noout -enddate | cut -d= -f2) &&
	days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 )) &&
	test $days -ge 364 && test $days -le 365
'

test_expect_success 'issue server --out writes a copy; reissue replaces the set' '
	old=$(cert_serial $CA/servers/docker1/server-cert.pem) &&
	ctxmgr ca issue server --cn docker1 --san DNS:docker1 --days 30 --out srv >out &&
	test_grep "replaces serial $old" out &&
	test_grep "tlscert=$TRASH/srv/server-cert.pem" out &&
	test "$(stat -c %a srv/server-key.pem)" = 400 &&
	test "$(stat -c %a srv/server-cert.pem)" = 444 &&
	cmp srv/server-cert.pem $CA/servers/docker1/server-cert.pem &&
	cmp srv/server-key.pem $CA/servers/docker1/server-key.pem &&
	ctxmgr ca ls --all --format json >ls.json &&
	python3 -c "
import json
v={c[\"serial\"]:c for c in json.load(open(\"ls.json\"))}
assert v[\"$old\"][\"status\"]==\"superseded\", v[\"$old\"]
" &&
	ls -a $CA/servers >names && ! grep -q swap names
'

test_expect_success 'issue server: bad names and options change nothing' '
	ca_snapshot >before &&
	for san in DNS:-bad DNS:a..b DNS:bad_name IP:999.1.1.1 IP:1.2.3 \
		URI:http://x foo "DNS:*.com" "DNS:" "DNS:a,,DNS:b" DNS:1.2.3.4 \
		"DNS:$(printf "a\tb")"; do
		test_expect_code 1 ctxmgr ca issue server --cn s1 --san "$san" 2>err &&
		test_grep "subjectAltName" err || return 1
	done &&
	test_expect_code 1 ctxmgr ca issue server --cn s1 --san DNS:1.2.3.4 2>err &&
	test_grep "an address goes in IP:1.2.3.4" err &&
	test_expect_code 2 ctxmgr ca issue server --cn s1 2>err &&
	test_grep "give the names clients use with --san" err &&
	test_expect_code 2 ctxmgr ca issue server --san DNS:x 2>err &&
	test_grep "give the server.s name with --cn" err &&
	test_expect_code 2 ctxmgr ca issue server --cn ../x --san DNS:x 2>err &&
	test_grep "invalid --cn" err &&
	test_expect_code 2 ctxmgr ca issue server --cn s1 --san DNS:x --days 0 2>err &&
	test_expect_code 2 ctxmgr ca issue server --cn s1 --san DNS:x --days -1 2>err &&
	test_expect_code 2 ctxmgr ca issue server --cn s1 --san DNS:x --key-type rsa-1024 2>err &&
	ca_snapshot >after && test_cmp before after
'

test_expect_success 'issue client writes the context TLS store' '
	ctxmgr create c1 --host tcp://127.0.0.1:2376 2>/dev/null &&
	ctxmgr ca issue client c1 >out &&
	test_grep "issued client certificate for context \"c1\"" out &&
	d=$(ctx_tls c1) &&
	test "$(stat -c %a $d)" = 700 &&
	for f in ca.pem cert.pem key.pem; do
		test "$(stat -c %a $d/$f)" = 600 || return 1
	done &&
	cmp $d/ca.pem $CA/ca.pem &&
	openssl verify -purpose sslclient -CAfile $d/ca.pem $d/cert.pem &&
	test_must_fail openssl verify -purpose sslserver -CAfile $d/ca.pem $d/cert.pem &&
	openssl x509 -in $d/cert.pem -noout -subject -text >text &&
	test_grep "CN *= *c1" text &&
	test_grep "TLS Web Client Authentication" text &&
	! grep -q "Server Authentication" text &&
	end=$(openssl x509 -in $d/cert.pem -noout -enddate | cut -d= -f2) &&
	days=$(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 )) &&
	test $days -ge 89 && test $days -le 90 &&
	docker context inspect c1 --format "{{json .TLSMaterial}}" >tls &&
	test_grep "\"docker\":\[\"ca.pem\",\"cert.pem\",\"key.pem\"\]" tls &&
	ls -a "$DOCKER_CONFIG/contexts/tls" >names && ! grep -q swap names
'

test_expect_success 'reissue: the old set is gone, nothing is left beside the new' '
	old=$(cert_serial $(ctx_tls c1)/cert.pem) &&
	ctxmgr ca issue client c1 >out &&
	test_grep "replaces serial $old" out &&
	openssl verify -purpose sslclient -CAfile "$CA/ca.pem" "$(ctx_tls c1)/cert.pem" &&
	ls -a "$DOCKER_CONFIG/contexts/tls" >names &&
	! grep -q "^\.ctxmgr-" names &&
	ls -a "$CA" >names && ! grep -q "\.tmp-\|\.prev" names &&
	docker context inspect c1 --format "{{json .TLSMaterial}}" >tls &&
	test_grep "\"docker\":\[\"ca.pem\",\"cert.pem\",\"key.pem\"\]" tls
'

test_expect_success 'issue client --cn --days --key-type' '
	ctxmgr create c2 --host tcp://127.0.0.1:2376 2>/dev/null &&
	ctxmgr ca issue client c2 --cn alice --days 7 --key-type ed25519 >/dev/null &&
	d=$(ctx_tls c2) &&
	openssl x509 -in $d/cert.pem -noout -subject -text >text &&
	test_grep "CN *= *alice" text && test_grep "ED25519" text &&
	openssl verify -purpose sslclient -CAfile $d/ca.pem $d/cert.pem
'

test_expect_success 'issue client refuses ssh://, unix://, default, missing contexts' '
	ctxmgr create viassh --host ssh://u@h 2>/dev/null &&
	ctxmgr create local --host unix:///tmp/x.sock 2>/dev/null &&
	ca_snapshot >before && store_snapshot >sbefore &&
	test_expect_code 2 ctxmgr ca issue client viassh 2>err &&
	test_grep "uses ssh://: SSH already protects that connection" err &&
	test_expect_code 2 ctxmgr ca issue client local 2>err &&
	test_grep "uses unix://" err &&
	test_expect_code 1 ctxmgr ca issue client default 2>err &&
	test_expect_code 1 ctxmgr ca issue client nosuch 2>err &&
	test_grep "context \"nosuch\" not found: create it first" err &&
	test_expect_code 2 ctxmgr ca issue client c1 --days 0 2>err &&
	test_expect_code 1 ctxmgr ca issue client c1 --cn "" 2>err &&
	ca_snapshot >after && store_snapshot >safter &&
	test_cmp before after && test_cmp sbefore safter
'

test_expect_success 'an install that fails leaves the CA as it was' '
	ctxmgr create c9 --host tcp://127.0.0.1:2376 2>/dev/null &&
	ctxmgr ca issue client c9 >/dev/null &&
	t=$DOCKER_CONFIG/contexts/tls/$(ctx_dir c9) &&
	mv $t real9 && ln -s $TRASH/real9 $t &&
	ca_snapshot >before &&
	test_expect_code 1 ctxmgr ca issue client c9 2>err &&
	test_grep "symbolic link" err &&
	ca_snapshot >after && test_cmp before after &&
	test_expect_code 1 ctxmgr ca rotate c9 --force >out &&
	test_grep "^failed  *client  *c9 .*symbolic link" out &&
	ca_snapshot >after && test_cmp before after &&
	rm $t && mv real9 $t
'

test_expect_success 'create refuses encrypted client keys and non-PEM files' '
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-aes-256-cbc -pass pass:secretsecret -out enc.key 2>/dev/null &&
	d=$(ctx_tls c1) &&
	test_expect_code 1 ctxmgr create e1 --host tcp://h:2376 --cert $d/cert.pem --key enc.key 2>err &&
	test_grep "is encrypted: Docker cannot use encrypted client keys" err &&
	echo "hello" >notpem &&
	test_expect_code 1 ctxmgr create e1 --host tcp://h:2376 --ca notpem 2>err &&
	test_grep "is not a PEM file" err &&
	! ctxmgr inspect e1 >/dev/null 2>&1
'

test_expect_success 'a context with another CA: files archived, ca.pem is this CA only' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout other-ca.key -out other-ca.pem -subj "/CN=other CA" -days 5 2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout oc.key -out oc.csr -subj "/CN=oc" 2>/dev/null &&
	openssl x509 -req -in oc.csr -CA other-ca.pem -CAkey other-ca.key \
		-CAcreateserial -out oc.pem -days 5 2>/dev/null &&
	ctxmgr create c3 --host tcp://h:2376 --ca other-ca.pem --cert oc.pem --key oc.key 2>/dev/null &&
	ctxmgr ca issue client c3 >out &&
	test_grep "previous CA files are kept in $CA/archive/c3-" out &&
	cmp $CA/archive/c3-*/key.pem oc.key &&
	cmp $CA/archive/c3-*/cert.pem oc.pem &&
	cmp $CA/archive/c3-*/ca.pem other-ca.pem &&
	d=$(ctx_tls c3) &&
	cmp $d/ca.pem $CA/ca.pem &&
	test_must_fail openssl verify -CAfile $d/ca.pem oc.pem &&
	openssl verify -purpose sslclient -CAfile $CA/ca.pem $d/cert.pem
'

test_expect_success 'extra CAs in ca.pem: archived (ca.pem only), then dropped' '
	d=$(ctx_tls c3) &&
	cat other-ca.pem >>$d/ca.pem &&
	cp $d/ca.pem bundle.pem &&
	rm -rf $CA/archive &&
	ctxmgr ca issue client c3 >out &&
	test_grep "previous CA files are kept in $CA/archive/c3-" out &&
	cmp $CA/archive/c3-*/ca.pem bundle.pem &&
	! test -e $CA/archive/c3-*/key.pem &&
	cmp $d/ca.pem $CA/ca.pem &&
	ctxmgr ca issue client c3 >out &&
	! grep -q "previous CA files" out
'

test_expect_success 'ls: table, json, yaml, -q, --all' '
	ctxmgr ca ls >out &&
	test_grep "^SERIAL  *KIND  *SUBJECT  *CONTEXT  *NOT AFTER  *DAYS LEFT  *STATUS" out &&
	test_grep "client   *CN=c1  *c1  .*valid" out &&
	! grep -q superseded out &&
	ctxmgr ca ls --all >out && test_grep superseded out &&
	ctxmgr ca ls --format yaml >out.yaml &&
	test_grep "kind: client" out.yaml && test_grep "status: valid" out.yaml &&
	ctxmgr ca ls --format json >ls.json &&
	python3 -c "
import json
v=json.load(open(\"ls.json\"))
keys={\"serial\",\"kind\",\"subject\",\"sans\",\"context\",\"keyType\",\"notBefore\",\"notAfter\",\"daysLeft\",\"status\",\"sha256\"}
for c in v: assert keys <= set(c), c
assert sorted(c[\"kind\"] for c in v)==[\"ca\",\"client\",\"client\",\"client\",\"client\",\"server\"], v
" &&
	ctxmgr ca ls -q >q && test $(wc -l <q) = 6
'

test_expect_success 'revoke by context: revoked, CRL written, Docker caveat stated' '
	serial=$(cert_serial $(ctx_tls c1)/cert.pem) &&
	ctxmgr ca revoke c1 >out &&
	test_grep "revoked client certificate $serial" out &&
	test_grep "Docker does not check CRLs" out &&
	test_grep "stays usable against dockerd until" out &&
	openssl crl -in $CA/crl.pem -noout -text >crl &&
	test_grep "Serial Number: $serial" crl &&
	test_grep "X509v3 CRL Number" crl &&
	openssl crl -in $CA/crl.pem -CAfile $CA/ca.pem -noout 2>&1 | grep -q "verify OK" &&
	ctxmgr ca ls --format json | grep -A12 "\"$serial\"" | test_grep "\"status\": \"revoked\"" &&
	ctxmgr ca revoke $serial >out &&
	test_grep "was revoked on .* already" out
'

test_expect_success 'revoke by serial prefix and server name; bad targets' '
	s2=$(cert_serial $(ctx_tls c2)/cert.pem) &&
	ctxmgr ca revoke $(echo $s2 | cut -c1-10) >out &&
	test_grep "revoked client certificate $s2" out &&
	ctxmgr ca revoke docker1 >out &&
	test_grep "revoked server certificate" out &&
	test_expect_code 1 ctxmgr ca revoke nosuchthing 2>err &&
	test_grep "no certificate of this CA matches \"nosuchthing\"" err &&
	test_expect_code 1 ctxmgr ca revoke $(cert_serial $CA/ca.pem) 2>err &&
	test_grep "the CA cannot revoke itself" err &&
	test_expect_code 2 ctxmgr ca revoke 2>err
'

test_expect_success 'crl --out FILE and to stdout; crlNumber grows' '
	ctxmgr ca crl --out my.crl >out 2>err &&
	test_grep "Docker does not check CRLs" err &&
	openssl crl -in my.crl -noout -text >t1 &&
	test "$(grep -c "Serial Number:" t1)" = 3 &&
	ctxmgr ca crl --days 7 2>/dev/null >stdout.crl &&
	openssl crl -in stdout.crl -noout -text >t2 &&
	n1=$(grep -A1 "CRL Number" t1 | tail -1 | tr -d " ") &&
	n2=$(grep -A1 "CRL Number" t2 | tail -1 | tr -d " ") &&
	test $n2 -gt $n1
'
test_done
