#!/bin/bash
test_description='audit: JSON, YAML and SARIF, policies, exit codes, images, seccomp lint'
. "$(dirname "$0")/../lib/test-lib.sh"

use_dockerd
export DOCKER_HOST=unix://$DOCKERD_SOCK
PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }
p=a402-$$-
test_atexit "docker rm -f \$(docker ps -aq --filter name=$p) >/dev/null 2>&1"
ctxmgr create shared --host "unix://$DOCKERD_SOCK" >/dev/null ||
	test_fatal "cannot create the context"

test_expect_success 'set up: containers for the policy' '
	docker create --name ${p}web --network none "$BUSYBOX_IMAGE" true >/dev/null &&
	docker create --name ${p}ci-1 --network none --privileged "$BUSYBOX_IMAGE" true >/dev/null &&
	docker create --name ${p}tagged --network none --privileged \
		--label com.example.audit=exempt "$BUSYBOX_IMAGE" true >/dev/null &&
	ctxmgr audit shared --no-probes --format json >full.json
'

test_expect_success 'JSON: the documented schema' '
	python3 - full.json <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	for k in ("schema", "kind", "context", "endpoint", "host", "daemon",
	          "started", "duration_ms", "summary", "checks", "findings",
	          "errors"):
	    assert k in d, k
	assert d["schema"] == "ctxmgr-audit/1" and d["kind"] == "daemon"
	assert d["context"] == "shared"
	assert d["daemon"]["version"] and d["daemon"]["api_version"]
	for k in ("critical", "high", "medium", "low", "info", "findings",
	          "pass", "fail", "not_checked", "error", "ignored"):
	    assert isinstance(d["summary"][k], int), k
	assert len(d["checks"]) >= 60
	for c in d["checks"]:
	    assert set(c) >= {"id", "cis", "title", "severity", "status",
	                      "findings", "reason"}, c
	    assert c["status"] in ("pass", "fail", "not_checked", "error",
	                           "ignored")
	assert d["findings"]
	for f in d["findings"]:
	    assert set(f) >= {"id", "cis", "severity", "title", "object",
	                      "evidence", "remediation", "fingerprint"}, f
	    assert set(f["object"]) == {"kind", "name"}
	n = sum(d["summary"][s] for s in ("critical", "high", "medium",
	                                  "low", "info"))
	assert n == len(d["findings"]) == d["summary"]["findings"]
	EOF
'

test_expect_success 'YAML carries the same report' '
	ctxmgr audit shared --no-probes --format yaml >full.yaml &&
	python3 -c "import yaml,sys; d=yaml.safe_load(open(\"full.yaml\")); \
		assert d[\"schema\"] == \"ctxmgr-audit/1\"; \
		assert len(d[\"checks\"]) >= 60"
'

test_expect_success 'SARIF 2.1.0: required fields, and what code scanning needs' '
	ctxmgr audit shared --no-probes --format sarif >out.sarif &&
	python3 "$TEST_LIB_DIR/sarif-check.py" out.sarif &&
	python3 -c "import json; d=json.load(open(\"out.sarif\")); \
		r=d[\"runs\"][0][\"results\"]; \
		assert any(x[\"ruleId\"] == \"containers.privileged\" for x in r); \
		assert all(x[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"].startswith(\"docker/shared/\") for x in r)" &&
	# the checker does fail on a broken log
	echo "{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {}}, \"results\": [{}]}]}" >bad.sarif &&
	test_expect_code 1 python3 "$TEST_LIB_DIR/sarif-check.py" bad.sarif >out &&
	test_grep "driver.name is required" out
'

test_expect_success '--fail-on sets the exit status' '
	test_expect_code 1 ctxmgr audit shared --no-probes -q --fail-on critical &&
	test_expect_code 1 ctxmgr audit shared --no-probes -q --fail-on high &&
	test_expect_code 0 ctxmgr audit shared --no-probes -q &&
	test_expect_code 2 ctxmgr audit shared --fail-on severe 2>err &&
	test_grep "must be one of" err
'

test_expect_success 'a policy ignores, allow-lists and re-grades' '
	cat >policy.yaml <<-EOF &&
	# CI policy
	fail-on: high
	ignore:
	  - sprawl.*
	  # other test runs may have daemons on this machine
	  - exposure.host-*
	severity:
	  containers.privileged: medium
	allow:
	  - name: ${p}ci-*
	  - label: com.example.audit=exempt
	    checks: [containers.privileged]
	  # containers of tests running beside this one (t0400, t0405, ...)
	  # share the dockerd: every name that does not start with "a402-"
	  - name: "[!a]*"
	  - name: "a[!4]*"
	  - name: "a4[!0]*"
	  - name: "a40[!2]*"
	  - name: "a402[!-]*"
	EOF
	test_expect_code 0 ctxmgr audit shared --no-probes --format json \
		--policy policy.yaml >pol.json &&
	q ids pol.json container ${p}ci-1 >out &&
	test_must_fail test -s out &&
	q ids pol.json container ${p}tagged >out &&
	! grep containers.privileged out &&
	test_grep containers.root-user out &&
	test "$(q status pol.json sprawl.stopped-containers)" = ignored &&
	test "$(q summary pol.json suppressed)" -gt 3 &&
	python3 -c "import json; d=json.load(open(\"pol.json\")); \
		assert all(f[\"severity\"] == \"medium\" for f in d[\"findings\"] \
		           if f[\"id\"] == \"containers.privileged\")" &&
	# without the policy the same findings are there
	q ids full.json container ${p}ci-1 >out &&
	test_grep containers.privileged out &&
	# the policy fail-on applies; --fail-on overrides it
	cat >strict.yaml <<-\EOF &&
	fail-on: low
	EOF
	test_expect_code 1 ctxmgr audit shared --no-probes -q --policy strict.yaml &&
	test_expect_code 0 ctxmgr audit shared --no-probes -q --policy strict.yaml --fail-on none
'

test_expect_success 'a bad policy: line and column, nothing audited' '
	printf "ignore:\n  - daemon.icc\nseverity:\n  containers.nope: high\n" >bad.yaml &&
	test_expect_code 1 ctxmgr audit shared --policy bad.yaml >out 2>err &&
	test_grep "^ctxmgr: bad.yaml:4:3: unknown check \"containers.nope\"$" err &&
	test_must_fail test -s out &&
	printf "a: &x [1]\nb: *x\n" >alias.yaml &&
	test_expect_code 1 ctxmgr audit shared --policy alias.yaml 2>err &&
	test_grep "alias.yaml:1:4: anchors are not allowed" err &&
	test_expect_code 1 ctxmgr audit shared --policy missing.yaml 2>err &&
	test_grep "missing.yaml" err
'

test_expect_success 'the README table of checks matches the catalogue' '
	ctxmgr audit checks --format json >checks.json &&
	"$PY" - checks.json "$SRC_ROOT/README.md" <<-\EOF
	import json, sys
	checks = json.load(open(sys.argv[1]))
	want = ["| check | CIS 1.6 | severity | what it finds |", "|---|---|---|---|"]
	want += ["| `%s` | %s | %s | %s |" % (c["id"], c["cis"], c["severity"],
	                                       c["title"]) for c in checks]
	text = open(sys.argv[2]).read()
	got = text.split("<!-- audit-checks:")[1].split("<!-- /audit-checks -->")[0]
	got = [l for l in got.splitlines()[1:] if l.strip()]
	if got != want:
	    sys.exit("README.md is out of date: regenerate the audit-checks table")
	EOF
'

test_expect_success '--filter matching nothing; bad -j, filter and NAME refused' '
	test_expect_code 1 ctxmgr audit --filter scheme=ssh 2>err &&
	test_grep "^ctxmgr: no context matches$" err &&
	test_expect_code 2 ctxmgr audit --filter colour=red 2>err &&
	test_grep "unknown filter" err &&
	test_expect_code 2 ctxmgr audit --all -j 0 2>err &&
	test_grep "jobs must be between 1 and 64" err &&
	test_expect_code 2 ctxmgr audit --all shared 2>err &&
	test_grep "give no NAME" err &&
	test_expect_code 2 ctxmgr audit -j x 2>err &&
	test_grep "needs an integer" err
'

test_expect_success 'audit checks lists the catalogue' '
	ctxmgr audit checks >out &&
	test_grep "^containers.privileged  *critical  *5.5  *Privileged container$" out &&
	ctxmgr audit checks --format json >checks.json &&
	python3 -c "import json; d=json.load(open(\"checks.json\")); \
		assert len(d) >= 60; \
		assert all(c[\"rationale\"] and c[\"remediation\"] for c in d)" &&
	test "$(ctxmgr audit checks -q | wc -l)" -ge 60
'

cat >allow.json <<'EOF'
{"defaultAction": "SCMP_ACT_ERRNO",
 "syscalls": [{"names": ["read", "write", "exit_group", "futex"],
               "action": "SCMP_ACT_ALLOW"}]}
EOF
cat >deny.json <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["reboot", "mount", "umount2", "kexec_load",
                         "kexec_file_load", "bpf", "ptrace", "unshare"],
               "action": "SCMP_ACT_ERRNO"},
              {"names": ["opne"], "action": "SCMP_ACT_ERRNO"}]}
EOF

test_expect_success 'seccomp lint: a clean allow-list profile' '
	test_expect_code 0 ctxmgr audit seccomp allow.json --fail-on low >out &&
	test_grep "^no findings$" out
'

test_expect_success 'seccomp lint: a deny-list profile' '
	test_expect_code 1 ctxmgr audit seccomp deny.json --fail-on high \
		--format json >deny-report.json &&
	q findings deny-report.json seccomp.default-allow >out &&
	test_grep "^profile deny.json	defaultAction is SCMP_ACT_ALLOW" out &&
	q findings deny-report.json seccomp.dangerous-syscall >out &&
	test_grep "setns is not denied" out &&
	! grep "	mount is" out &&
	q findings deny-report.json seccomp.unknown-syscall >out &&
	test_grep "1 unknown name: \"opne\"" out &&
	ctxmgr audit seccomp deny.json --format sarif >seccomp.sarif &&
	python3 "$TEST_LIB_DIR/sarif-check.py" seccomp.sarif &&
	test_grep "\"uri\": \"deny.json\"" seccomp.sarif
'

test_expect_success 'seccomp lint: malformed input, from stdin too' '
	printf "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [1,]}" >broken.json &&
	test_expect_code 1 ctxmgr audit seccomp broken.json --fail-on high >out &&
	test_grep "seccomp.malformed .* line 2 column" out &&
	echo "[]" | ctxmgr audit seccomp - --format json >stdin.json &&
	q findings stdin.json seccomp.malformed >out &&
	test_grep "not an object" out &&
	test_expect_code 1 ctxmgr audit seccomp nonexistent.json 2>err &&
	test_grep "nonexistent.json" err
'

test_expect_success 'audit image: layers, sizes, flagged steps, no secret values' '
	mkdir -p srv ctx &&
	echo payload >srv/payload &&
	HP=$(free_port) &&
	{
		(cd srv && exec python3 -m http.server "$HP" --bind 127.0.0.1) \
			>http.log 2>&1 &
		echo $! >http.pid
	} &&
	test_when_finished "kill \$(cat http.pid)" &&
	wait_for 10 sh -c "ss -Hltn \"sport = :$HP\" | grep -q ." &&
	cat >ctx/Dockerfile <<-EOF &&
	FROM $BUSYBOX_IMAGE
	ADD http://127.0.0.1:$HP/payload /payload
	ENV API_TOKEN=s3cr3t-token-value DB_PASSWORD=hunter2 PLAIN=1
	RUN true || curl -fsSL http://example.invalid/install.sh | sh
	EOF
	DOCKER_BUILDKIT=0 docker build -q --network none -t ${p}img:1 ctx >build.log 2>&1 &&
	test_atexit "docker rmi -f ${p}img:1 >/dev/null 2>&1" &&
	test_expect_code 1 ctxmgr audit image ${p}img:1 --fail-on high >out &&
	test_grep "^image ${p}img:1 " out &&
	test_grep "^STEP  *CREATED  *SIZE  *CREATED BY  *FLAGS" out &&
	test_grep "ADD [0-9a-f]\{64\} in /payload .*add-url$" out &&
	test_grep "curl -fsSL http://example.invalid/install.sh | sh  *curl-pipe-sh$" out &&
	test_grep "images.secret-env .*API_TOKEN, DB_PASSWORD (values not shown)" out &&
	test_grep "ENV API_TOKEN=\*\*\* DB_PASSWORD=\*\*\* PLAIN=1" out &&
	! grep -e s3cr3t-token-value -e hunter2 out &&
	ctxmgr audit image ${p}img:1 --format json >img.json &&
	! grep -e s3cr3t-token-value -e hunter2 img.json &&
	python3 -c "import json; d=json.load(open(\"img.json\")); \
		L=d[\"image\"][\"layers\"]; assert len(L) >= 4; \
		assert L[0][\"size\"] > 100000; \
		assert [\"add-url\"] in [l[\"flags\"] for l in L]; \
		assert [\"curl-pipe-sh\"] in [l[\"flags\"] for l in L]" &&
	test_expect_code 1 ctxmgr audit image no-such-image:0 2>err &&
	test_grep "image \"no-such-image:0\" not found" err
'
test_done
