#!/bin/bash
test_description='ca issue client with several contexts, passphrase files, and a context that changes while its certificate is issued'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
CA=$(CA_DIR_DEFAULT)
ca_init_fast >/dev/null 2>&1 || test_fatal "ca init failed"
for c in b1 b2 b3; do
	ctxmgr create $c --host tcp://127.0.0.1:2376 2>/dev/null ||
		test_fatal "cannot create context $c"
done
ctxmgr create viassh --host ssh://u@h 2>/dev/null

# the number of certificates the database lists as valid for context $1
valid_for() {
	ctxmgr ca ls --format json | python3 -c "
import json, sys
print(sum(1 for c in json.load(sys.stdin)
          if c[\"context\"] == \"$1\" and c[\"status\"] == \"valid\"))"
}

test_expect_success 'several contexts, one passphrase read: each issued and reported' '
	printf "correct horse battery staple\n" >pass.in &&
	CTXMGR_CA_PASSPHRASE_FILE= ctxmgr ca issue client b1 b2 b3 \
		--passphrase-file - <pass.in >out &&
	for c in b1 b2 b3; do
		test_grep "issued client certificate for context \"$c\"" out &&
		openssl verify -purpose sslclient -CAfile "$(ctx_tls $c)/ca.pem" \
			"$(ctx_tls $c)/cert.pem" &&
		openssl x509 -in "$(ctx_tls $c)/cert.pem" -noout -subject |
			grep -q "CN *= *$c" || return 1
	done &&
	test "$(grep -c "^try: docker --context" out)" = 3 &&
	ls -a "$DOCKER_CONFIG/contexts/tls" >names && ! grep -q "^\.ctxmgr-" names
'

test_expect_success 'a failing context is reported, the others issued, exit 1' '
	old1=$(cert_serial "$(ctx_tls b1)/cert.pem") &&
	test_expect_code 1 ctxmgr ca issue client b1 viassh nosuch b2 >out 2>err &&
	test_grep "issued client certificate for context \"b1\"" out &&
	test_grep "issued client certificate for context \"b2\"" out &&
	test_grep "replaces serial $old1" out &&
	test_grep "context \"viassh\": context \"viassh\" uses ssh://" err &&
	test_grep "context \"nosuch\": context \"nosuch\" not found" err &&
	test "$(valid_for b1)" = 1 && test "$(valid_for b2)" = 1
'

test_expect_success 'json: one object per context, errors included' '
	test_expect_code 1 ctxmgr ca issue client b3 nosuch --format json >out.json &&
	python3 -c "
import json
v = json.load(open(\"out.json\"))
assert [o[\"context\"] for o in v] == [\"b3\", \"nosuch\"], v
assert \"serial\" in v[0] and \"error\" not in v[0], v
assert \"not found\" in v[1][\"error\"], v
"
'

test_expect_success '--cn with several contexts is refused before anything' '
	ca_snapshot >before &&
	test_expect_code 2 ctxmgr ca issue client b1 b2 --cn alice 2>err &&
	test_grep "give one context with it" err &&
	ca_snapshot >after && test_cmp before after
'

test_expect_success 'no context can take one: nothing unlocked, nothing written' '
	ca_snapshot >before &&
	test_expect_code 1 env CTXMGR_CA_PASSPHRASE_FILE=/nonexistent \
		"$CTXMGR" ca issue client viassh nosuch >out 2>err &&
	! grep -q "passphrase" err &&
	ca_snapshot >after && test_cmp before after
'

test_expect_success 'CTXMGR_CA_PASSPHRASE_FILE readable by others is refused' '
	cp "$TRASH/ca-pass" open-pass && chmod 644 open-pass &&
	ca_snapshot >before &&
	test_expect_code 1 env CTXMGR_CA_PASSPHRASE_FILE=$TRASH/open-pass \
		"$CTXMGR" ca issue client b1 2>err &&
	test_grep "open-pass" err &&
	test_grep -i "permissions\|readable\|mode" err &&
	ca_snapshot >after && test_cmp before after &&
	chmod 600 open-pass &&
	CTXMGR_CA_PASSPHRASE_FILE=$TRASH/open-pass ctxmgr ca issue client b1 >out &&
	test_grep "issued client certificate for context \"b1\"" out
'

# whether issued/ holds more than $1 certificates
issued_more() {
	test "$(ls "$CA/issued" | wc -l)" -gt "$1"
}

# run `ctxmgr ARGS...` in the background ($bg), paused before it installs
# (the test-only hook); return once its certificates are issued
paused() {
	before=$(ls "$CA/issued" | wc -l)
	CTXMGR_TEST_PAUSE_BEFORE_INSTALL=3000 "$CTXMGR" "$@" >bg.out 2>bg.err &
	bg=$!
	wait_for 20 issued_more "$before"
}

test_expect_success 'removed while its certificate is issued: nothing installed' '
	ctxmgr create xx --host tcp://127.0.0.1:2376 2>/dev/null &&
	tls=$DOCKER_CONFIG/contexts/tls/$(ctx_dir xx) &&
	paused ca issue client xx &&
	ctxmgr rm -f xx &&
	test_expect_code 1 wait $bg &&
	test_grep "context \"xx\" was removed or renamed while its certificate was issued: nothing installed" bg.err &&
	! grep -q "issued client certificate" bg.out &&
	! test -e "$tls" &&
	test "$(valid_for xx)" = 0 &&
	ctxmgr create xx --host tcp://evil.example:2376 2>/dev/null &&
	! test -e "$tls" &&
	ctxmgr rm -f xx
'

test_expect_success 'renamed while its certificate is issued: nothing installed' '
	ctxmgr create yy --host tcp://127.0.0.1:2376 2>/dev/null &&
	paused ca issue client yy &&
	ctxmgr rename yy zz &&
	test_expect_code 1 wait $bg &&
	test_grep "context \"yy\" was removed or renamed" bg.err &&
	! test -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir yy)" &&
	! test -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir zz)" &&
	test "$(valid_for yy)" = 0 &&
	ctxmgr rm -f zz
'

test_expect_success 'switched to ssh:// while its certificate is issued: nothing installed' '
	ctxmgr create ww --host tcp://127.0.0.1:2376 2>/dev/null &&
	paused ca issue client ww &&
	ctxmgr update ww --host ssh://u@h &&
	test_expect_code 1 wait $bg &&
	test_grep "context \"ww\" changed while its certificate was issued (its endpoint is no longer tcp://127.0.0.1:2376): nothing installed" bg.err &&
	! test -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir ww)" &&
	test "$(valid_for ww)" = 0
'

test_expect_success 'in a batch, the changed context fails and the others are installed' '
	ctxmgr create vv --host tcp://127.0.0.1:2376 2>/dev/null &&
	old=$(cert_serial "$(ctx_tls b2)/cert.pem") &&
	paused ca issue client b2 vv &&
	ctxmgr rm -f vv &&
	test_expect_code 1 wait $bg &&
	test_grep "issued client certificate for context \"b2\"" bg.out &&
	test_grep "replaces serial $old" bg.out &&
	test_grep "context \"vv\" was removed or renamed" bg.err &&
	test "$(valid_for b2)" = 1 && test "$(valid_for vv)" = 0 &&
	! test -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir vv)"
'

test_expect_success 'rotate: a context removed meanwhile fails, nothing installed' '
	ctxmgr create uu --host tcp://127.0.0.1:2376 2>/dev/null &&
	ctxmgr ca issue client uu >/dev/null &&
	paused ca rotate uu --force &&
	ctxmgr rm -f uu &&
	test_expect_code 1 wait $bg &&
	test_grep "^failed  *client  *uu .*was removed or renamed" bg.out &&
	! test -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir uu)"
'
test_done
