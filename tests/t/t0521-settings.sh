#!/bin/bash
test_description='config.yaml settings take effect: flag > environment > config.yaml > default'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"

CFG=$DOCKER_CONFIG/ctxmgr/config.yaml
mkdir -p "$DOCKER_CONFIG/ctxmgr"
unset CTXMGR_CA_DIR
ca_passphrase

test_expect_success 'ca.dir: ca init, issue and ls use it; env and --dir come first' '
	printf "ca:\n  dir: %s\n" "$TRASH/cfgca" >"$CFG" &&
	ca_init_fast >/dev/null &&
	test -f cfgca/ca.pem && test ! -e "$(CA_DIR_DEFAULT)" &&
	ctxmgr create t1 --host tcp://127.0.0.1:2376 -q &&
	ctxmgr ca issue client t1 >/dev/null &&
	ctxmgr ca ls >out && test_grep "client .*t1" out &&
	CTXMGR_CA_DIR=$TRASH/envca ca_init_fast >/dev/null &&
	test -f envca/ca.pem &&
	CTXMGR_CA_DIR=$TRASH/envca ctxmgr ca ls >out &&
	! grep -q t1 out &&
	CTXMGR_CA_DIR=$TRASH/envca ctxmgr ca ls --dir "$TRASH/cfgca" >out &&
	test_grep "client .*t1" out &&
	ctxmgr config show >out && test_grep "ca.dir *$TRASH/cfgca" out
'

test_expect_success 'ca.rotation-window: ca rotate and ca ls judge "due" by it' '
	ctxmgr ca rotate t1 --dry-run >out &&
	test_grep "^skipped  *client  *t1" out &&
	ctxmgr ca ls >out && test_grep "client .*t1 .* valid$" out &&
	printf "ca:\n  dir: %s\n  rotation-window: 13w\n" "$TRASH/cfgca" >"$CFG" &&
	ctxmgr ca rotate t1 --dry-run >out &&
	test_grep "^would renew  *client  *t1" out &&
	ctxmgr ca ls >out && test_grep "client .*t1 .* due$" out &&
	ctxmgr ca rotate t1 --dry-run --renew-before 10d >out &&
	test_grep "^skipped  *client  *t1" out &&
	printf "ca:\n  dir: %s\n  rotation-window: 99%%\n" "$TRASH/cfgca" >"$CFG" &&
	ctxmgr ca rotate t1 --dry-run >out &&
	# 1% of 90 days is 21.6 hours after notBefore: the day of +21 h or
	# of +22 h (they differ between about 02:00 and 03:00 UTC)
	test_grep -E "^skipped  *client  *t1 .*renews from ($(date -u -d "+21 hours" +%F)|$(date -u -d "+22 hours" +%F))" out
'

cat >deny.json <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["reboot", "mount", "umount2", "kexec_load",
                         "kexec_file_load", "bpf", "ptrace", "unshare"],
               "action": "SCMP_ACT_ERRNO"}]}
EOF

test_expect_success 'audit.fail-on: the exit status follows it; --fail-on comes first' '
	: >"$CFG" &&
	test_expect_code 0 ctxmgr audit seccomp deny.json >/dev/null &&
	printf "audit:\n  fail-on: high\n" >"$CFG" &&
	test_expect_code 1 ctxmgr audit seccomp deny.json >/dev/null &&
	test_expect_code 0 ctxmgr audit seccomp deny.json --fail-on none >/dev/null &&
	printf "audit:\n  fail-on: critical\n" >"$CFG" &&
	test_expect_code 0 ctxmgr audit seccomp deny.json >/dev/null
'

test_expect_success 'audit.policy: read when --policy is not given' '
	printf "ignore:\n  - seccomp.*\nfail-on: low\n" >"$TRASH/policy.yaml" &&
	printf "ignore: []\n" >"$TRASH/empty-policy.yaml" &&
	printf "audit:\n  fail-on: high\n  policy: %s\n" "$TRASH/policy.yaml" >"$CFG" &&
	ctxmgr audit seccomp deny.json --format json >out.json &&
	python3 -c "import json; s=json.load(open(\"out.json\"))[\"summary\"]; assert s[\"findings\"] == 0 and s[\"ignored\"] > 0, s" &&
	test_expect_code 1 ctxmgr audit seccomp deny.json --policy "$TRASH/empty-policy.yaml" --format json >out.json &&
	python3 -c "import json; s=json.load(open(\"out.json\"))[\"summary\"]; assert s[\"findings\"] > 0 and s[\"ignored\"] == 0, s"
'

test_expect_success 'a broken config.yaml stops every command that reads it' '
	printf "ca:\n  dri: x\n" >"$CFG" &&
	msg="ctxmgr: $CFG:2:3: unknown key \"dri\" in \"ca\"" &&
	test_expect_code 1 ctxmgr ca ls 2>err && test_grep -F "$msg" err &&
	test_expect_code 1 ctxmgr ca rotate t1 --dry-run 2>err && test_grep -F "$msg" err &&
	test_expect_code 1 ctxmgr audit seccomp deny.json 2>err && test_grep -F "$msg" err &&
	ctxmgr create s1 --host ssh://u@127.0.0.1:1 -q &&
	test_expect_code 1 ctxmgr remote-exec s1 -- true 2>err && test_grep -F "$msg" err &&
	test_expect_code 1 ctxmgr ping s1 2>err && test_grep -F "$msg" err &&
	ctxmgr use s1 && ctxmgr show >out && test_grep "^s1$" out
'

test_expect_success 'relative paths are refused (they would depend on the cwd)' '
	printf "ca:\n  dir: ca\n" >"$CFG" &&
	test_expect_code 1 ctxmgr config show 2>err &&
	test_grep -F "$CFG:2:8: \"ca.dir\" must be an absolute path or start with ~/" err &&
	printf "ssh:\n  identity: keys/k\n" >"$CFG" &&
	test_expect_code 1 ctxmgr config show 2>err &&
	test_grep -F "\"ssh.identity\" must be an absolute path" err
'

# ssh.identity and ssh.known-hosts against a real sshd: only keys/cfgkey
# is authorized, and the host is reached by address (no Host block).
start_sshd st
ssh-keygen -q -t ed25519 -N "" -C cfgkey -f "$TRASH/cfgkey"
cat "$TRASH/cfgkey.pub" >"$SSHD_DIR/authorized_keys"
ctxmgr create s2 --host "ssh://$SSH_USER@127.0.0.1:$SSHD_PORT" -q

test_expect_success 'ssh.identity: the key logged in with' '
	: >"$CFG" &&
	test_must_fail ctxmgr remote-exec s2 -- echo hello 2>err &&
	printf "ssh:\n  identity: %s\n" "$TRASH/cfgkey" >"$CFG" &&
	ctxmgr remote-exec s2 -- echo hello >out &&
	test_grep "^hello$" out
'

test_expect_success 'ssh.identity: the context own --identity comes first' '
	ctxmgr update s2 --identity "$HOME/.ssh/id_ed25519" -q &&
	test_must_fail ctxmgr remote-exec s2 -- true 2>err &&
	ctxmgr update s2 --identity "" -q &&
	ctxmgr remote-exec s2 -- true
'

test_expect_success 'ssh.known-hosts: accept-new records an unknown host; the default refuses it' '
	: >"$HOME/.ssh/known_hosts" &&
	printf "ssh:\n  identity: %s\n" "$TRASH/cfgkey" >"$CFG" &&
	test_must_fail ctxmgr remote-exec s2 -- true 2>err &&
	test_grep "is not known" err &&
	printf "ssh:\n  identity: %s\n  known-hosts: accept-new\n" "$TRASH/cfgkey" >"$CFG" &&
	ctxmgr create s3 --host "ssh://$SSH_USER@127.0.0.1:$SSHD_PORT" \
		--strict-host-key-checking yes -q &&
	test_must_fail ctxmgr remote-exec s3 -- true 2>err &&
	test_grep "is not known" err &&
	ctxmgr remote-exec s2 -- true &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT " "$HOME/.ssh/known_hosts" &&
	ctxmgr remote-exec s3 -- true
'

test_expect_success 'ssh.known-hosts: no connects to an unknown host too; yes refuses' '
	: >"$HOME/.ssh/known_hosts" &&
	printf "ssh:\n  identity: %s\n  known-hosts: \"yes\"\n" "$TRASH/cfgkey" >"$CFG" &&
	test_must_fail ctxmgr remote-exec s2 -- true 2>err &&
	test_grep "is not known" err &&
	printf "ssh:\n  identity: %s\n  known-hosts: no\n" "$TRASH/cfgkey" >"$CFG" &&
	ctxmgr remote-exec s2 -- true
'
test_done
