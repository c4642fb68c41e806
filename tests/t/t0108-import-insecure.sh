#!/bin/bash
test_description='imports never lower host-key or TLS checking without --allow-insecure'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd imp
KH=$HOME/.ssh/known_hosts
URL="ssh://127.0.0.1:$SSHD_PORT$DOCKERD_SOCK"
# a key of someone else's choosing, outside ~/.ssh
ssh-keygen -q -t ed25519 -N "" -f "$TRASH/planted"

# mk_archive FILE HOST SKIP SETTINGS-JSON: an export archive.
mk_archive() {
	python3 - "$@" <<'PY'
import io, json, sys, tarfile
out, host, skip, settings = sys.argv[1], sys.argv[2], sys.argv[3] == "1", json.loads(sys.argv[4])
meta = {"Name": "x", "Metadata": {"ctxmgr": settings},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip}}}
data = json.dumps(meta).encode()
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    ti = tarfile.TarInfo("meta.json"); ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
PY
}

# setting NAME KEY: the context's Metadata.ctxmgr.KEY ("" when unset).
setting() {
	ctxmgr inspect "$1" --format json |
	python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"Metadata\"].get(\"ctxmgr\",{}).get(\"$2\",\"\"))"
}

test_expect_success 'setup: the host key is not known' '
	rm -f "$KH" &&
	mk_archive weak.tar "$URL" 0 "{\"strictHostKeyChecking\":\"no\",\"identity\":\"$TRASH/planted\"}"
'

test_expect_success 'import drops strictHostKeyChecking no and a foreign identity, and says so' '
	ctxmgr import weak weak.tar 2>err &&
	test_grep "strictHostKeyChecking \"no\" from the archive replaced by \"yes\"" err &&
	test_grep "identity \".*planted\" from the archive dropped" err &&
	test_grep -- "--allow-insecure" err &&
	test "$(setting weak strictHostKeyChecking)" = yes &&
	test "$(setting weak identity)" = ""
'

test_expect_success 'ping then refuses the unknown host key and records nothing' '
	test_expect_code 1 ctxmgr ping weak 2>err &&
	test_grep "is not known" err &&
	! test -s "$KH"
'

test_expect_success 'accept-new is lowered too' '
	mk_archive an.tar "$URL" 0 "{\"strictHostKeyChecking\":\"accept-new\"}" &&
	ctxmgr import an an.tar 2>err &&
	test_grep "accept-new" err &&
	test "$(setting an strictHostKeyChecking)" = yes &&
	test_expect_code 1 ctxmgr ping an 2>err &&
	! test -s "$KH"
'

test_expect_success 'SkipTLSVerify from an archive is dropped' '
	mk_archive tls.tar tcp://127.0.0.1:2376 1 "{}" &&
	ctxmgr import tls tls.tar 2>err &&
	test_grep "SkipTLSVerify: true from the archive dropped" err &&
	ctxmgr inspect tls --format json >out &&
	test_grep "\"SkipTLSVerify\": false" out
'

test_expect_success 'an identity of your own in ~/.ssh is kept without a word' '
	mk_archive own.tar "$URL" 0 "{\"identity\":\"~/.ssh/id_ed25519\"}" &&
	ls ~/.ssh/id_ed25519 &&
	ctxmgr import own own.tar 2>err &&
	! grep warning err &&
	test "$(setting own identity)" = "~/.ssh/id_ed25519"
'

test_expect_success 'with --allow-insecure the settings are kept, with a warning' '
	ctxmgr import weak2 weak.tar --allow-insecure 2>err &&
	test_grep "keeping strictHostKeyChecking \"no\" from the archive (--allow-insecure)" err &&
	test "$(setting weak2 strictHostKeyChecking)" = no &&
	test "$(setting weak2 identity)" = "$TRASH/planted"
'

test_expect_success 'import-hosts drops a foreign identity from an inventory' '
	cat >inv.yaml <<-EOF &&
	hosts:
	  - name: inv1
	    host: $URL
	    identity: $TRASH/planted
	EOF
	ctxmgr import-hosts inv.yaml >out 2>err &&
	test_grep "\"inv1\": identity .* from the inventory dropped" err &&
	test "$(setting inv1 identity)" = ""
'

test_expect_success 'import-hosts lowers a listing with strictHostKeyChecking no and SkipTLSVerify' '
	cat >list.yaml <<-EOF &&
	- Name: inv2
	  Metadata:
	    ctxmgr:
	      strictHostKeyChecking: "no"
	  Endpoints:
	    docker:
	      Host: $URL
	      SkipTLSVerify: true
	EOF
	ctxmgr import-hosts list.yaml >out 2>err &&
	test_grep "\"inv2\": strictHostKeyChecking \"no\" from the inventory replaced by \"yes\"" err &&
	test_grep "\"inv2\": SkipTLSVerify: true from the inventory dropped" err &&
	test "$(setting inv2 strictHostKeyChecking)" = yes &&
	ctxmgr inspect inv2 --format json >out &&
	test_grep "\"SkipTLSVerify\": false" out &&
	test_expect_code 1 ctxmgr ping inv2 2>err &&
	test_grep "is not known" err &&
	! test -s "$KH"
'
test_done
