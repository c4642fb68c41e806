#!/bin/bash
test_description='ca rotate and ca issue client killed at each step: the next CA command makes the database and the contexts agree, and no private key is left outside a context'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

# CTXMGR_TEST_FAULT (common/fault.h) kills ctxmgr at a precise point:
# ca-stage/NAME after NAME's set is staged, ca-intent once the install
# record lists every staged set, ca-swap/NAME after NAME's set is swapped
# in, ca-swapped after the last swap's sync, ca-saved after the database
# is written.
ca_passphrase
CA=$(CA_DIR_DEFAULT)
TLS=$DOCKER_CONFIG/contexts/tls
N=10
ca_init_fast >/dev/null 2>&1 || test_fatal "ca init failed"
for i in $(seq 1 $N); do
	ctxmgr create c$i --host tcp://127.0.0.1:2376 2>/dev/null ||
		test_fatal "cannot create context c$i"
done
ctxmgr ca issue client $(seq -f c%g 1 $N) >/dev/null ||
	test_fatal "cannot issue the first certificates"

# the serial in each context's cert.pem, "NAME SERIAL" sorted
installed() {
	for i in $(seq 1 $N); do
		echo "c$i $(cert_serial "$(ctx_tls c$i)/cert.pem")"
	done | sort
}

# what the database lists valid for the contexts, "NAME SERIAL" sorted
listed_valid() {
	python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c["context"] and c["status"] == "valid":
        print(c["context"], c["serial"])' <ca.json | sort
}

# After the kill: the next `ca ls` recovers; the database lists as valid
# exactly what the contexts hold; no staging dir, install record or
# stray key.pem is left; Docker reads the store.
agree() {
	ctxmgr ca ls --format json >ca.json 2>recover.err &&
	installed >have && listed_valid >listed &&
	test_cmp have listed &&
	! test -e "$CA/pending.json" &&
	ls -a "$TLS" >names && ! grep -q "^\.ctxmgr-" names &&
	find "$DOCKER_CONFIG" -name key.pem >keys &&
	! grep -v "^$TLS/[0-9a-f]\{64\}/docker/key.pem$" keys &&
	test "$(wc -l <keys)" = $N &&
	for i in $(seq 1 $N); do
		openssl verify -purpose sslclient -CAfile "$(ctx_tls c$i)/ca.pem" \
			"$(ctx_tls c$i)/cert.pem" >/dev/null &&
		openssl x509 -in "$(ctx_tls c$i)/cert.pem" -noout -pubkey >p1 &&
		openssl pkey -in "$(ctx_tls c$i)/key.pem" -pubout >p2 &&
		test_cmp p1 p2 || return 1
	done &&
	docker context ls -q >dk && test "$(grep -c "^c[0-9]*$" dk)" = $N
}

# kill_at SPEC ARGS...: ctxmgr ARGS killed by SIGKILL at SPEC
kill_at() {
	installed >before &&
	test_expect_code 137 env CTXMGR_TEST_FAULT=$1 "$CTXMGR" "${@:2}" \
		>/dev/null 2>&1
}

rotate() {
	echo ca rotate --all --force
}

test_expect_success 'rotate killed while staging: every context keeps its old set' '
	kill_at ca-stage/c4:kill $(rotate) &&
	ls -a "$TLS" | grep -q "^\.ctxmgr-swap-" &&
	test -e "$CA/pending.json" &&
	agree && test_cmp before have &&
	test_grep "recovered an interrupted certificate install: 0 contexts kept the new certificate, $N the old one" recover.err
'

test_expect_success 'rotate killed once the record is written: all keep the old set' '
	kill_at ca-intent:kill $(rotate) &&
	agree && test_cmp before have &&
	test_grep "0 contexts kept the new certificate, $N the old one" recover.err
'

test_expect_success 'rotate killed after some swaps: the swapped ones are put back' '
	kill_at ca-swap:kill:4 $(rotate) &&
	installed >mid && ! test_cmp before mid >/dev/null &&
	agree && test_cmp before have &&
	test_grep "0 contexts kept the new certificate, $N the old one" recover.err
'

test_expect_success 'rotate killed after every swap, before the database: all put back' '
	kill_at ca-swapped:kill $(rotate) &&
	installed >mid && test "$(comm -12 before mid | wc -l)" = 0 &&
	agree && test_cmp before have
'

test_expect_success 'rotate killed after the database is saved: all keep the new set' '
	kill_at ca-saved:kill $(rotate) &&
	agree && test "$(comm -12 before have | wc -l)" = 0 &&
	test_grep "$N contexts kept the new certificate, 0 the old one" recover.err
'

test_expect_success 'the superseded serials of a rotation put back stay valid, the new ones are gone' '
	kill_at ca-swap:kill:2 $(rotate) &&
	ctxmgr ca ls --all --format json >all.json 2>/dev/null &&
	agree && test_cmp before have &&
	python3 -c "
import json
v = json.load(open(\"all.json\"))
live = {l.split()[1] for l in open(\"have\")}
for c in v:
    if c[\"serial\"] in live:
        assert c[\"status\"] == \"valid\", c
" &&
	ls "$CA/issued" | sed "s/\.pem$//" | sort >issued &&
	python3 -c "
import json
for c in json.load(open(\"all.json\")):
    if c[\"kind\"] != \"ca\":
        print(c[\"serial\"])" | sort >db-serials &&
	test_cmp db-serials issued
'

test_expect_success 'a later rotation after a recovery works and leaves nothing' '
	kill_at ca-swap:kill:7 $(rotate) &&
	ctxmgr ca rotate --all --force >out 2>err &&
	test_grep "recovered an interrupted" err &&
	agree && test "$(comm -12 before have | wc -l)" = 0
'

test_expect_success 'ca issue client of several contexts killed after two swaps' '
	kill_at ca-swap:kill:2 ca issue client c1 c2 c3 c4 &&
	agree && test_cmp before have
'

test_expect_success 'ca issue client of several contexts killed after the database' '
	kill_at ca-saved:kill ca issue client c1 c2 c3 &&
	agree && test "$(comm -12 before have | wc -l)" = $((N - 3))
'

test_expect_success 'ca issue client of one context killed after its swap' '
	kill_at ca-swap/c5:kill ca issue client c5 &&
	agree && test_cmp before have
'

test_expect_success 'a context with no TLS files before: put back to none' '
	ctxmgr create fresh --host tcp://127.0.0.1:2376 2>/dev/null &&
	test_expect_code 137 env CTXMGR_TEST_FAULT=ca-swap:kill \
		"$CTXMGR" ca issue client fresh >/dev/null 2>&1 &&
	test -e "$(ctx_tls fresh)/key.pem" &&
	ctxmgr ca ls >/dev/null 2>err &&
	test_grep "0 contexts kept the new certificate, 1 the old one" err &&
	! test -e "$(ctx_tls fresh)" &&
	ctxmgr rm -f fresh 2>/dev/null
'

test_expect_success 'the database cannot be written after the swaps: every context goes back at once' '
	installed >before &&
	test_expect_code 1 env CTXMGR_TEST_FAULT=file-written/index.json:enospc \
		"$CTXMGR" ca rotate --all --force >out 2>err &&
	test_grep "the database was not written: $N contexts got the old certificate back" err &&
	! test -e "$CA/pending.json" &&
	agree && test_cmp before have &&
	! grep -q "recovered" recover.err
'

test_expect_success 'ca revoke recovers too' '
	kill_at ca-swap:kill:3 $(rotate) &&
	serial=$(sed -n "1s/.* //p" before) &&
	ctxmgr ca revoke "$serial" >/dev/null 2>revoke.err &&
	test_grep "recovered an interrupted" revoke.err &&
	! test -e "$CA/pending.json" &&
	ls -a "$TLS" >names && ! grep -q "^\.ctxmgr-" names
'

test_expect_success 'ca issue server killed after its swap: the old server key goes at the next CA command' '
	ctxmgr ca issue server --cn s1 --san DNS:s1 >/dev/null &&
	test_expect_code 137 env CTXMGR_TEST_FAULT=dirswap-exchanged/s1:kill \
		"$CTXMGR" ca issue server --cn s1 --san DNS:s1 >/dev/null 2>&1 &&
	ls -a "$CA/servers" | grep -q "^\.ctxmgr-swap-" &&
	ctxmgr ca issue client c1 >/dev/null &&
	ls -a "$CA/servers" >names && ! grep -q "^\.ctxmgr-swap-" names &&
	find "$CA/servers" -name "*key.pem" >keys && test "$(wc -l <keys)" = 1
'

test_expect_success 'a broken install record: refused with the file named, nothing changed' '
	installed >before &&
	printf "{\"installs\": 7}" >"$CA/pending.json" &&
	test_expect_code 1 ctxmgr ca ls 2>err &&
	test_grep "pending.json\" is not an install record: remove it to go on" err &&
	printf "not json" >"$CA/pending.json" &&
	test_expect_code 1 ctxmgr ca ls 2>err &&
	test_grep "is not an install record" err &&
	installed >after && test_cmp before after &&
	rm "$CA/pending.json"
'

test_expect_success 'hostile install entries are skipped: no path outside the store is touched' '
	mkdir -p "$TRASH/victim" && echo keep >"$TRASH/victim/f" &&
	cat >"$CA/pending.json" <<-EOF &&
	{"version": 1, "installs": [
	  {"context": "../../x", "serial": "AB"},
	  {"context": "c1", "serial": "../../../victim/f"},
	  {"context": "c1", "serial": "AB", "stage": "../../../victim"},
	  {"context": "c1", "serial": "AB", "stage": ".ctxmgr-swap-/../../victim"},
	  {"context": 5, "serial": [], "stage": {}},
	  7
	]}
	EOF
	ctxmgr ca ls >/dev/null 2>err &&
	test "$(grep -c "is not valid; skipped" err)" = 6 &&
	test -f "$TRASH/victim/f" &&
	! test -e "$CA/pending.json" &&
	agree
'

test_done
