#!/bin/bash
test_description='audit: containers made unsafe on purpose, and a safe one'
. "$(dirname "$0")/../lib/test-lib.sh"

use_dockerd
export DOCKER_HOST=unix://$DOCKERD_SOCK
PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }

# An image whose / is 0755, so an unprivileged user can run it.
p=a400-$$-
IMG=ctxmgr-test/audit400-$$:1
root=$TRASH/img
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
chmod 755 "$root"
cp "$(command -v busybox || echo /bin/busybox)" "$root/bin/busybox"
for c in sh sleep true cat; do ln -s busybox "$root/bin/$c"; done
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
tar -C "$root" -cf "$TRASH/img.tar" . &&
	docker import -c 'CMD ["/bin/sh"]' "$TRASH/img.tar" "$IMG" >/dev/null ||
	test_fatal "cannot import the test image"
test_atexit "docker rm -f \$(docker ps -aq --filter name=$p) >/dev/null 2>&1; docker rmi -f $IMG >/dev/null 2>&1"

# What every container of that image gets unless told otherwise.
BASE="containers.no-cpu-limit
containers.no-healthcheck
containers.no-memory-limit
containers.no-new-privileges
containers.no-pids-limit
containers.root-user
containers.writable-rootfs"

# made NAME [start] ARGS...: create a container, maybe start it.
made() {
	n=$p$1
	start=$2
	shift 2
	docker create --name "$n" "$@" "$IMG" sleep 600 >/dev/null || return 1
	if [ "$start" = start ]; then
		docker start "$n" >/dev/null 2>&1 || true
	fi
}

# expect NAME IDS...: the report holds exactly these check ids on the
# container (plus sprawl.stopped-containers when it is not running).
expect() {
	n=$p$1
	shift
	{
		for id in "$@"; do printf '%s\n' "$id"; done
		if [ "$(docker inspect -f '{{.State.Running}}' "$n")" != true ]; then
			echo sprawl.stopped-containers
		fi
	} | sed '/^$/d' | sort >"expect.$n"
	q ids report.json container "$n" >"got.$n"
	test_cmp "expect.$n" "got.$n"
}

cat >default-allow.json <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}
EOF

test_expect_success 'set up the containers' '
	made safe start --network none --memory 64m --cpus 0.5 \
		--pids-limit 64 --cap-drop ALL --read-only --user 65534:65534 \
		--security-opt no-new-privileges --health-cmd true &&
	test "$(docker inspect -f "{{.State.Running}}" ${p}safe)" = true &&
	made priv start --network none --privileged &&
	made sysadmin start --network none --cap-add SYS_ADMIN &&
	made sysadmin-created create --network none --cap-add SYS_ADMIN &&
	made seccomp start --network none --security-opt seccomp=unconfined &&
	made sock start --network none -v "$DOCKERD_SOCK:/var/run/docker.sock" &&
	made port create -p 0.0.0.0:8080:80 &&
	made port6 create -p "[::]:8081:80" &&
	made nolimits start --network none &&
	made nnpfalse start --network none --memory 64m --cpus 0.5 \
		--pids-limit 64 --cap-drop ALL --read-only --user 65534:65534 \
		--security-opt no-new-privileges:false --health-cmd true &&
	made custom create --network none \
		--security-opt seccomp=default-allow.json &&
	ctxmgr create shared --host "unix://$DOCKERD_SOCK" >/dev/null &&
	ctxmgr audit shared --no-probes --format json >report.json
'

test_expect_success 'the safe container has no container finding at all' '
	expect safe &&
	q findings report.json containers.privileged >out &&
	! grep "container ${p}safe" out
'

test_expect_success 'privileged, created (this kernel refuses to start it)' '
	expect priv $BASE containers.privileged &&
	q findings report.json containers.privileged >out &&
	test_grep "container ${p}priv	HostConfig.Privileged is true" out
'

test_expect_success 'SYS_ADMIN, started and created alike' '
	expect sysadmin $BASE containers.cap-add-dangerous &&
	expect sysadmin-created $BASE containers.cap-add-dangerous &&
	q findings report.json containers.cap-add-dangerous >out &&
	test_grep "${p}sysadmin-created	CapAdd: SYS_ADMIN" out
'

test_expect_success 'seccomp=unconfined' '
	expect seccomp $BASE containers.seccomp-unconfined
'

test_expect_success 'docker.sock mounted' '
	expect sock $BASE containers.docker-socket &&
	q findings report.json containers.docker-socket >out &&
	test_grep "${p}sock	$DOCKERD_SOCK mounted at /var/run/docker.sock" out
'

test_expect_success 'configured port bindings on 0.0.0.0 and ::' '
	expect port $BASE containers.ports-all-interfaces &&
	expect port6 $BASE containers.ports-all-interfaces &&
	q findings report.json containers.ports-all-interfaces >out &&
	test_grep "${p}port	0.0.0.0:8080->80/tcp" out &&
	test_grep "${p}port6	\[::\]:8081->80/tcp" out
'

test_expect_success 'no limits at all' '
	expect nolimits $BASE
'

test_expect_success 'no-new-privileges:false counts as unset' '
	expect nnpfalse containers.no-new-privileges &&
	q findings report.json containers.no-new-privileges >out &&
	test_grep "${p}nnpfalse	SecurityOpt no-new-privileges:false" out
'

test_expect_success 'a custom seccomp profile is linted with its container' '
	expect custom $BASE containers.seccomp-custom seccomp.default-allow \
		seccomp.dangerous-syscall &&
	q findings report.json seccomp.dangerous-syscall >out &&
	test_grep "${p}custom	custom seccomp profile: mount is not denied" out &&
	! grep "reboot" out
'

test_expect_success 'the image checks see the test image' '
	q ids report.json image "$IMG" >out &&
	test_grep images.root-user out &&
	test_grep images.no-healthcheck out
'

test_expect_success 'exit status follows --fail-on' '
	test_expect_code 0 ctxmgr audit shared --no-probes -q &&
	test_expect_code 1 ctxmgr audit shared --no-probes -q --fail-on critical &&
	test_expect_code 1 ctxmgr audit shared --no-probes -q --fail-on low &&
	test_expect_code 0 ctxmgr audit shared --no-probes -q --fail-on none
'

test_expect_success 'the table: one row per failed check with the objects it affects' '
	ctxmgr audit shared --no-probes >table &&
	test_grep "^SEVERITY  *CHECK  *CIS  *AFFECTS  *FINDING" table &&
	test_grep "^CRITICAL ([0-9]*)  *containers.docker-socket  *5.32  *.*${p}sock" table &&
	test_grep "^HIGH ([0-9]*) " table &&
	test_grep "^findings: [0-9]* critical, [0-9]* high, [0-9]* medium, [0-9]* low, [0-9]* info" table &&
	test "$(grep -c "^CRITICAL" table)" = 1 &&
	# every check once, however many containers it affects
	for id in containers.root-user containers.no-healthcheck; do
		test "$(grep -c " $id " table)" = 1 || return 1
	done &&
	test_grep " containers.root-user .*, +[0-9]* more  *Container runs as root" table &&
	test_grep "^-v shows the evidence" table &&
	! grep -q "^  fix: " table
'

test_expect_success '-v: each object with its evidence, and the fix under the check' '
	ctxmgr -v audit shared --no-probes >verbose &&
	test_grep "^containers.privileged (critical, CIS 5.5): Privileged container$" verbose &&
	test_grep "^  container ${p}priv: HostConfig.Privileged is true$" verbose &&
	test_grep "^  fix: Run without --privileged" verbose
'

test_expect_success 'audit explain ID: rationale, remediation, CIS reference' '
	ctxmgr audit explain containers.privileged >out &&
	test_grep "^containers.privileged: Privileged container$" out &&
	test_grep "^severity: critical$" out &&
	test_grep "^CIS Docker Benchmark v1.6: 5.5$" out &&
	test_grep "^why: --privileged gives" out &&
	test_grep "^fix: Run without --privileged" out &&
	ctxmgr audit explain containers.privileged --format json >out.json &&
	python3 -c "import json; d=json.load(open(\"out.json\")); assert d[\"cis\"] == \"5.5\" and d[\"remediation\"], d" &&
	test_expect_code 1 ctxmgr audit explain no.such-check 2>err &&
	test_grep "no check \"no.such-check\"" err
'

test_expect_success 'JSON keeps one result per object' '
	ctxmgr audit shared --no-probes --format json >all.json &&
	test "$(q findings all.json containers.root-user | wc -l)" -gt 3
'
test_done
