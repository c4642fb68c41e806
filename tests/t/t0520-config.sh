#!/bin/bash
test_description='config.yaml: settings read, bad files reported with line and column'
. "$(dirname "$0")/../lib/test-lib.sh"

CFG=$DOCKER_CONFIG/ctxmgr/config.yaml
mkdir -p "$DOCKER_CONFIG/ctxmgr"

test_expect_success 'no file: defaults, the CA dir under the config dir' '
	ctxmgr config show --format json >out &&
	test_grep "\"file\": null" out &&
	test_grep "\"dir\": \"$DOCKER_CONFIG/ctxmgr/ca\"" out &&
	test "$(ctxmgr config path)" = "$CFG"
'

test_expect_success 'no file: the table shows the default values in effect' '
	ctxmgr config show >out &&
	! grep -q "(default)" out &&
	test_grep "^ssh.known-hosts *yes (strict.* *default$" out &&
	test_grep "^ssh.identity *ssh_config.s IdentityFile, else ~/.ssh/id_rsa" out &&
	test_grep "^tunnel.idle-timeout *30m (the tunnel service" out &&
	test_grep "^ca.dir *$DOCKER_CONFIG/ctxmgr/ca *default$" out &&
	test_grep "^ca.rotation-window *the last third of the lifetime" out &&
	test_grep "^audit.fail-on *none" out &&
	test_grep "^audit.policy *none" out
'

test_expect_success 'every setting is read and typed' '
	cat >"$CFG" <<-\EOF &&
	# ctxmgr settings
	ssh:
	  identity: ~/.ssh/id_deploy
	  known-hosts: accept-new
	tunnel:
	  idle-timeout: 1h30m
	ca:
	  dir: /srv/ca
	  rotation-window: 30d
	audit:
	  fail-on: high
	  policy: ~/policy.yaml
	EOF
	ctxmgr config show --format json >out &&
	cat >expect <<-EOF &&
	{
	  "file": "$CFG",
	  "ssh": {
	    "identity": "$HOME/.ssh/id_deploy",
	    "known-hosts": "accept-new"
	  },
	  "tunnel": {
	    "idle-timeout": 5400
	  },
	  "ca": {
	    "dir": "/srv/ca",
	    "rotation-window": "2592000s"
	  },
	  "audit": {
	    "fail-on": "high",
	    "policy": "$HOME/policy.yaml"
	  }
	}
	EOF
	test_cmp expect out
'

test_expect_success 'a share of the lifetime, an empty section, YAML 1.1 yes' '
	printf "ca:\n  rotation-window: 33%%\nssh:\n  known-hosts: yes\naudit:\n" >"$CFG" &&
	ctxmgr config show >out &&
	test_grep "ca.rotation-window *33% *config.yaml$" out &&
	test_grep "ssh.known-hosts *yes *config.yaml$" out &&
	test_grep "^tunnel.idle-timeout *30m (.* *default$" out
'

test_expect_success 'an empty file is fine' '
	: >"$CFG" && ctxmgr config show >/dev/null
'

bad() {
	printf -- "$1" >"$CFG" &&
	test_expect_code 1 ctxmgr config show >out 2>err &&
	test_grep -F "ctxmgr: $CFG:$2" err &&
	test "$(wc -l <err)" = 1 &&
	test_must_fail test -s out
}

test_expect_success 'unknown keys and sections, with line and column' '
	bad "ssh:\n  identty: x\n" "2:3: unknown key \"identty\" in \"ssh\" (known: identity, known-hosts)" &&
	bad "# c\nshh:\n  identity: x\n" "2:1: unknown section \"shh\" (known: ssh, tunnel, ca, audit)"
'

test_expect_success 'wrong types' '
	bad "ssh:\n  identity: [a, b]\n" "2:13: \"ssh.identity\" must be a string, not a list" &&
	bad "ssh: yes\n" "1:6: \"ssh\" must be a mapping, not a boolean" &&
	bad "tunnel:\n  idle-timeout: soon\n" "2:17: \"tunnel.idle-timeout\" must be a duration" &&
	bad "audit:\n  fail-on: severe\n" "2:12: \"audit.fail-on\" must be one of critical, high, medium, low" &&
	bad "ca:\n  rotation-window: 120%%\n" "2:20: \"ca.rotation-window\": a share of the lifetime goes from 1% to 99%" &&
	bad "ssh:\n  identity: \"\"\n" "2:13: \"ssh.identity\" must not be empty" &&
	bad "- a\n" "1:1: the settings must be a mapping, not a list"
'

test_expect_success 'syntax errors, duplicates, several documents' '
	bad "ssh: {identity: x\n" "2:1: did not find expected" &&
	bad "ssh:\n  identity: a\n  identity: b\n" "3:3: duplicate key \"identity\" (first at line 2)" &&
	bad "ssh: {}\n---\nca: {}\n" "2:1: more than one YAML document" &&
	bad "ssh:\n\tidentity: x\n" "2:1: found character that cannot start any token"
'

test_expect_success 'hostile YAML: alias loops, alias bombs, deep nesting, huge files' '
	bad "a: &a [*a]\n" "1:8: alias \"*a\" names no finished anchor" &&
	{
		echo "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"
		for i in 1 2 3 4 5 6 7 8 9; do
			p=$((i - 1))
			echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
		done
	} >"$CFG" &&
	test_expect_code 1 ctxmgr config show 2>err &&
	test_grep "document too large" err &&
	awk "BEGIN { for (i = 0; i < 100; i++) printf \"[\"; print \"\" }" >"$CFG" &&
	test_expect_code 1 ctxmgr config show 2>err &&
	test_grep "nested deeper than 64 levels" err &&
	head -c 300000 /dev/zero | tr "\0" "#" >"$CFG" &&
	test_expect_code 1 ctxmgr config show 2>err &&
	test_grep "larger than 262144 bytes" err
'
test_done
