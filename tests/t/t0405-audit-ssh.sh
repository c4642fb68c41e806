#!/bin/bash
test_description='audit: ssh:// contexts through the tunnel service (the Engine API and the fact script); --all'
. "$(dirname "$0")/../lib/test-lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }
use_dockerd
export DOCKER_HOST=unix://$DOCKERD_SOCK
start_sshd box
test_atexit "\"$CTXMGR\" tunnel stop --all >/dev/null 2>&1"
p=a405-$$-
test_atexit "docker rm -f \$(docker ps -aq --filter name=$p) >/dev/null 2>&1"

test_expect_success 'set up: a context over SSH and one on the socket' '
	docker create --name ${p}priv --network none --privileged \
		--cap-add SYS_ADMIN -p 0.0.0.0:8085:80 "$BUSYBOX_IMAGE" true >/dev/null &&
	ctxmgr create viassh --host "ssh://box$DOCKERD_SOCK" >/dev/null &&
	ctxmgr create local --host "unix://$DOCKERD_SOCK" >/dev/null
'

test_expect_success 'the audit over SSH sees what the local one sees' '
	ctxmgr audit viassh --no-probes --format json >ssh.json &&
	ctxmgr audit local --no-probes --format json >local.json &&
	q ids ssh.json container ${p}priv >ids.ssh &&
	q ids local.json container ${p}priv >ids.local &&
	test_cmp ids.local ids.ssh &&
	test_grep containers.privileged ids.ssh &&
	test_grep containers.ports-all-interfaces ids.ssh &&
	test "$(q summary ssh.json error)" = 0 &&
	"$PY" - ssh.json local.json <<-\EOF
	import json, sys
	a, b = (json.load(open(f)) for f in sys.argv[1:])
	assert a["endpoint"].startswith("ssh://box"), a["endpoint"]
	assert a["daemon"]["id"] == b["daemon"]["id"]
	sa = {c["id"]: c["status"] for c in a["checks"]}
	sb = {c["id"]: c["status"] for c in b["checks"]}
	# the host facts came over SSH: nothing is "not checked" for lack
	# of a shell, and the same dockerd was found
	assert sa == sb, [(k, sa[k], sb[k]) for k in sa if sa[k] != sb[k]]
	EOF
'

test_expect_success 'the probes go to the host ssh_config names' '
	ctxmgr audit viassh --format json >probe.json &&
	test "$(q status probe.json exposure.tcp-plaintext)" = pass &&
	test "$(q reason probe.json exposure.tcp-plaintext)" = ""
'

test_expect_success 'the audit closes the session it opened; the tunnelled context keeps serving' '
	ctxmgr tunnel ls >out &&
	test_grep "^viassh  *idle " out &&
	ctxmgr exec viassh -- docker version --format "{{.Server.Version}}" >out &&
	test -s out
'

test_expect_success 'a direct ssh:// context: the audit leaves no tunnel behind' '
	ctxmgr create viadirect --direct --host "ssh://box$DOCKERD_SOCK" >/dev/null &&
	test_when_finished "ctxmgr rm -f viadirect >/dev/null" &&
	ctxmgr audit viadirect --no-probes --format json >d.json &&
	test "$(q summary d.json error)" = 0 &&
	ctxmgr tunnel ls -q >names &&
	! grep -qx viadirect names &&
	! ls "$XDG_RUNTIME_DIR"/ctxmgr/*/viadirect.sock 2>/dev/null
'

test_expect_success '--filter scheme=ssh -j 2: every ssh:// context, one summary' '
	ctxmgr create viassh2 --host "ssh://box$DOCKERD_SOCK" >/dev/null &&
	ctxmgr audit --filter scheme=ssh -j 2 --no-probes >all.txt &&
	test_grep "^CONTEXT  *ENDPOINT  *CRITICAL  *HIGH  *MEDIUM  *LOW  *INFO  *NOT CHECKED  *ERRORS  *TIME" all.txt &&
	test_grep "^viassh  *ssh://box" all.txt &&
	test_grep "^viassh2  *ssh://box" all.txt &&
	! grep "^local " all.txt &&
	test_expect_code 1 ctxmgr audit -f scheme=ssh --no-probes --fail-on critical --format json >all.json &&
	"$PY" -c "import json; d=json.load(open(\"all.json\")); \
		assert d[\"schema\"] == \"ctxmgr-audit-all/1\"; \
		assert sorted(r[\"context\"] for r in d[\"reports\"]) == [\"viassh\", \"viassh2\"]" &&
	ctxmgr audit -f scheme=ssh --no-probes --format sarif >all.sarif &&
	"$PY" "$TEST_LIB_DIR/sarif-check.py" all.sarif &&
	"$PY" -c "import json; assert len(json.load(open(\"all.sarif\"))[\"runs\"]) == 2"
'

test_expect_success '--all covers every scheme; --filter by tag' '
	ctxmgr audit --all -j 3 --no-probes >all.txt &&
	test_grep "^local  *unix://" all.txt &&
	test_grep "^viassh  *ssh://box" all.txt &&
	test_grep "^viassh2  *ssh://box" all.txt &&
	! grep "^default " all.txt &&
	ctxmgr update local --tag lab -q >/dev/null &&
	ctxmgr audit --filter tag=lab --no-probes --format json >tag.json &&
	"$PY" -c "import json; d=json.load(open(\"tag.json\")); \
		assert [r[\"context\"] for r in d[\"reports\"]] == [\"local\"], d"
'

test_expect_success '--all: an unreachable host is a row of errors, not a stop' '
	P=$(free_port) &&
	ctxmgr create gone --host "ssh://$SSH_USER@127.0.0.1:$P$DOCKERD_SOCK" >/dev/null &&
	test_expect_code 3 ctxmgr audit --all --no-probes >all.txt &&
	test_grep "^gone  *ssh://" all.txt &&
	test_grep "^viassh  *ssh://box" all.txt &&
	test_expect_code 3 ctxmgr audit --all --no-probes --format json >all.json &&
	"$PY" -c "import json; d=json.load(open(\"all.json\")); \
		g=[r for r in d[\"reports\"] if r[\"context\"] == \"gone\"][0]; \
		assert g[\"errors\"] and \"127.0.0.1\" in g[\"errors\"][0], g[\"errors\"]" &&
	ctxmgr rm -f gone >/dev/null
'
test_done
