#!/bin/bash
test_description='ca ls and ca rotate agree on the days a certificate has left, whatever the hour'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

ca_passphrase
export CTXMGR_CA_PASSPHRASE_FILE
ctxmgr_at -60d ca init --kdf-iterations 2048 >/dev/null 2>&1 ||
	test_fatal "ca init failed"
# issued at different times of day, so days left fall on both sides of a
# rounding boundary; never within minutes of one, since ca ls and ca
# rotate run a moment apart
for spec in "d1 -20.3d" "d2 -20.5d" "d3 -40.3d" "d4 -59.96d"; do
	set -- $spec
	ctxmgr create "$1" --host tcp://127.0.0.1:2376 2>/dev/null &&
		ctxmgr_at "$2" ca issue client "$1" >/dev/null ||
		test_fatal "cannot set up context $1"
done

# NAME DAYS for each context: from ca ls, then from ca rotate's reasons
days_ls() {
	ctxmgr_at "$1" ca ls --format json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e.get("context"):
        print(e["context"],
              "expired" if e["status"] == "expired" else e["daysLeft"])' |
		sort
}
days_rotate() {
	ctxmgr_at "$1" ca rotate --all --dry-run --format json | python3 -c '
import json, re, sys
for e in json.load(sys.stdin):
    if e["kind"] != "client":
        continue
    m = re.search(r"(-?\d+) days left", e["reason"])
    print(e["name"], "expired" if e["reason"] == "expired" else
          m.group(1) if m else "?")' | sort
}

for at in +0d +0.21d +0.48d +30d +30.54d; do
	test_expect_success "the same days left at $at" "
		days_ls $at >ls.out &&
		days_rotate $at >rotate.out &&
		test \"\$(wc -l <ls.out)\" = 4 &&
		test_cmp ls.out rotate.out
	"
done

test_done
