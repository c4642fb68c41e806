#!/bin/bash
test_description='rename and import-hosts interrupted (SIGINT, SIGTERM, SIGKILL) at each step'
. "$(dirname "$0")/../lib/test-lib.sh"

# CTXMGR_TEST_FAULT (common/fault.h) signals ctxmgr at a precise point.
with_fault() {
	CTXMGR_TEST_FAULT=$1 "$CTXMGR" "${@:2}"
}

tlsdir() { echo "$DOCKER_CONFIG/contexts/tls/$(ctx_dir "$1")/docker"; }

# complete NAME: the context exists, and its three TLS files are those
# created in setup
complete() {
	ctxmgr inspect "$1" >/dev/null &&
		for f in ca cert key; do
			cmp "$f.pem" "$(tlsdir "$1")/$f.pem" || return 1
		done
}

# no_aside: nothing set aside or half copied is left in contexts/tls
no_aside() {
	! ls -a "$DOCKER_CONFIG/contexts/tls" | grep -q "^\.ctxmgr-"
}

test_expect_success 'setup: a TLS context, current' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca-key.pem -out ca.pem -subj /CN=ca -days 2 2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout key.pem -out req.csr -subj /CN=client 2>/dev/null &&
	openssl x509 -req -in req.csr -CA ca.pem -CAkey ca-key.pem \
		-CAcreateserial -out cert.pem -days 2 2>/dev/null &&
	ctxmgr create r1 --host tcp://127.0.0.1:2376 --ca ca.pem --cert cert.pem --key key.pem -q &&
	ctxmgr create other --host ssh://other -q &&
	ctxmgr use r1 -q && complete r1
'

for point in rename-meta rename-tls rename-current rename-tls-aside; do
	test_expect_success "rename killed at $point: current complete, rerun finishes" '
		test_expect_code 137 with_fault $point:kill rename r1 r2 &&
		cur=$(ctxmgr show) &&
		complete "$cur" &&
		docker context inspect "$cur" >/dev/null &&
		ctxmgr rename r1 r2 >out 2>err &&
		test_grep "finishing an interrupted rename" err &&
		test "$(ctxmgr show)" = r2 && complete r2 &&
		test_must_fail ctxmgr inspect r1 2>/dev/null &&
		test ! -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir r1)" &&
		test ! -e "$DOCKER_CONFIG/contexts/meta/$(ctx_dir r1)" &&
		ctxmgr rename r2 r1 -q && no_aside
	'
done

test_expect_success 'rename killed after the old meta went: done; the aside copy goes next' '
	test_expect_code 137 with_fault rename-old-meta:kill rename r1 r2 &&
	test "$(ctxmgr show)" = r2 && complete r2 &&
	test_must_fail ctxmgr inspect r1 2>/dev/null &&
	test ! -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir r1)" &&
	ctxmgr create x1 --host ssh://x1 -q && no_aside &&
	ctxmgr rename r2 r1 -q
'

test_expect_success 'rename out of space: undone, the old context untouched' '
	test_expect_code 1 with_fault rename-meta:enospc rename r1 r2 2>err &&
	test_grep "No space left on device" err &&
	test "$(ctxmgr show)" = r1 && complete r1 &&
	test_must_fail ctxmgr inspect r2 2>/dev/null &&
	test ! -e "$DOCKER_CONFIG/contexts/meta/$(ctx_dir r2)" &&
	test ! -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir r2)" && no_aside
'

test_expect_success 'SIGINT and SIGTERM during rename: it finishes, says so, then ends' '
	test_expect_code 130 with_fault rename-tls:int rename r1 r2 >out 2>err &&
	test_grep "^r2$" out && test_grep "Renamed context" err &&
	test "$(ctxmgr show)" = r2 && complete r2 && no_aside &&
	test_expect_code 143 with_fault rename-meta:term rename r2 r1 >out 2>err &&
	test_grep "^r1$" out &&
	test "$(ctxmgr show)" = r1 && complete r1 && no_aside
'

test_expect_success 'an unrelated context of the new name is not taken for a copy' '
	test_must_fail ctxmgr rename r1 other 2>err &&
	test_grep "already exists" err && complete r1 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout key2.pem -out req2.csr -subj /CN=client2 2>/dev/null &&
	openssl x509 -req -in req2.csr -CA ca.pem -CAkey ca-key.pem \
		-CAcreateserial -out cert2.pem -days 2 2>/dev/null &&
	ctxmgr create twin --host tcp://127.0.0.1:2376 --ca ca.pem --cert cert2.pem --key key2.pem -q &&
	test_must_fail ctxmgr rename r1 twin 2>err &&
	test_grep "already exists" err && complete r1 &&
	cmp key2.pem "$(tlsdir twin)/key.pem"
'

test_expect_success 'rm killed after setting the TLS dir aside: no TLS dir for a later context' '
	ctxmgr create gone --host tcp://127.0.0.1:2376 --ca ca.pem --cert cert.pem --key key.pem -q &&
	test_expect_code 137 with_fault rm-tls-aside:kill rm gone &&
	test ! -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir gone)" &&
	ctxmgr inspect gone >/dev/null &&
	ctxmgr rm gone -q >/dev/null &&
	test_must_fail ctxmgr inspect gone 2>/dev/null && no_aside &&
	ctxmgr create gone --host tcp://127.0.0.1:2376 -q &&
	test ! -e "$DOCKER_CONFIG/contexts/tls/$(ctx_dir gone)"
'

test_expect_success 'import-hosts: inventory of 60' '
	{
		echo "hosts:"
		for i in $(seq -w 1 60); do echo "  - {name: h$i, host: h$i.example}"; done
	} >inv.yaml
'

count_h() {
	ctxmgr ls -q | grep -c "^h[0-9][0-9]$" || true
}

test_expect_success 'SIGINT during import-hosts: stops between contexts and says what was done' '
	test_expect_code 130 with_fault import-host:int:20 import-hosts inv.yaml >out 2>err &&
	test_grep "interrupted by SIGINT: created 20, updated 0; 40 not done" err &&
	test_grep "run the same command again" err &&
	test "$(grep -c " created " out)" = 20 &&
	test "$(grep -c " not done " out)" = 40 &&
	test "$(count_h)" = 20 &&
	ctxmgr import-hosts inv.yaml >out 2>err &&
	test_grep "created 40, updated 0, unchanged 0, left alone 20" err &&
	test "$(count_h)" = 60
'

test_expect_success 'SIGTERM and SIGKILL during import-hosts: the next run completes' '
	for i in $(seq -w 1 60); do ctxmgr rm "h$i" -q >/dev/null || exit 1; done &&
	test_expect_code 143 with_fault import-host:term:5 import-hosts inv.yaml >out 2>err &&
	test_grep "interrupted by SIGTERM: created 5" err &&
	# writes are committed in batches: a kill loses the batch at hand,
	# never part of a file, and leaves no name behind
	test_expect_code 137 with_fault import-host:kill:30 import-hosts inv.yaml >out 2>err &&
	test "$(count_h)" = 5 &&
	test -z "$(find "$DOCKER_CONFIG/contexts/meta" -name "*.tmp-*")" &&
	docker context ls -q >names && test "$(grep -c "^h[0-9][0-9]$" names)" = 5 &&
	ctxmgr import-hosts inv.yaml 2>err >/dev/null &&
	test_grep "created 55, updated 0, unchanged 0, left alone 5" err &&
	test "$(count_h)" = 60 &&
	docker context ls -q >names && test "$(grep -c "^h[0-9][0-9]$" names)" = 60
'
test_expect_success 'import-hosts --prune interrupted or killed between removals: the rerun finishes' '
	{
		echo "hosts:"
		for i in $(seq -w 1 20); do echo "  - {name: h$i, host: h$i.example}"; done
	} >inv20.yaml &&
	cp inv20.yaml inv.yaml.now &&
	cp inv.yaml inv.yaml.all && cp inv20.yaml inv.yaml &&
	test_expect_code 130 with_fault prune-remove:int:5 import-hosts --prune inv.yaml >out 2>err &&
	test_grep "interrupted by SIGINT: created 0, updated 0, removed 5; 35 not done" err &&
	test "$(grep -c " removed " out)" = 5 &&
	test "$(grep -c " not done " out)" = 35 &&
	test "$(count_h)" = 55 &&
	test_expect_code 137 with_fault prune-remove:kill:10 import-hosts --prune inv.yaml >out 2>err &&
	test "$(count_h)" = 45 &&
	ctxmgr import-hosts --prune inv.yaml >out 2>err &&
	test_grep "created 0, updated 0, removed 25, unchanged 0, left alone 20" err &&
	test "$(count_h)" = 20 &&
	docker context ls -q >names && test "$(grep -c "^h[0-9][0-9]$" names)" = 20 &&
	ctxmgr import-hosts --prune inv.yaml >out 2>err &&
	test_grep "removed 0" err
'
test_done
