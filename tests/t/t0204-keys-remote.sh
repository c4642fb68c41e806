#!/bin/bash
test_description='keys check --context: the remote authorized_keys over a real sshd'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-daemons.sh"
. "$TEST_LIB_DIR/lib-keys.sh"

# The remote user's home is a private directory: sshd sets HOME from
# the password database, SetEnv overrides it for the session.
RHOME="$TRASH/rhome"

test_expect_success 'setup: an sshd whose user has a weak and a strong key' '
	mkdir -p "$RHOME/.ssh" && chmod 700 "$RHOME" "$RHOME/.ssh" &&
	start_sshd box "SetEnv HOME=$RHOME" &&
	ssh-keygen -q -t rsa -b 1024 -N "" -C weak-rsa -f weak &&
	ssh-keygen -q -t ed25519 -N "" -C good-ed -f good &&
	{
		cat weak.pub &&
		echo "restrict,from=\"10.0.0.0/8\" $(cat good.pub)"
	} >"$RHOME/.ssh/authorized_keys" &&
	chmod 600 "$RHOME/.ssh/authorized_keys" &&
	ctxmgr create box --host ssh://box
'

test_expect_success 'the weak remote key fails, the good one passes' '
	test_expect_code 1 ctxmgr keys check --context box --format json >out.json &&
	jq out.json "[f[\"comment\"] + \" \" + f[\"verdict\"] for f in d if f.get(\"comment\")]" >got &&
	printf "%s\n" "weak-rsa fail" "good-ed ok" >want &&
	test_cmp want got &&
	jq out.json "d[0][\"path\"]" >path &&
	echo "box:~/.ssh/authorized_keys" >want &&
	test_cmp want path
'

test_expect_success 'the fingerprints are those of ssh-keygen' '
	jq out.json "[f[\"fingerprint\"] for f in d if f.get(\"fingerprint\")]" >got &&
	for k in weak good; do ssh-keygen -lf $k.pub | cut -d" " -f2; done >want &&
	test_cmp want got
'

test_expect_success 'a group-writable authorized_keys is reported' '
	chmod 620 "$RHOME/.ssh/authorized_keys" &&
	test_expect_code 1 ctxmgr keys check --context box >out4 &&
	grep "mode 0620: group or others can write" out4 &&
	chmod 600 "$RHOME/.ssh/authorized_keys"
'

test_expect_success 'only good keys: exit 0, and local files go with it' '
	cat good.pub >"$RHOME/.ssh/authorized_keys" &&
	ctxmgr keys check --context box good.pub >out5 &&
	test "$(grep -c good-ed out5)" -ge 2
'

test_expect_success 'no remote file: nothing can log in with a key, so ok' '
	rm "$RHOME/.ssh/authorized_keys" &&
	ctxmgr keys check --context box >out6 &&
	grep "no authorized_keys file" out6
'

test_expect_success 'an unknown host key is refused with its fingerprint' '
	cp "$HOME/.ssh/known_hosts" kh.save &&
	: >"$HOME/.ssh/known_hosts" &&
	test_expect_code 1 ctxmgr keys check --context box 2>err &&
	grep "SHA256:" err &&
	cp kh.save "$HOME/.ssh/known_hosts"
'

test_expect_success 'a non-ssh context is a clear error' '
	ctxmgr create local --host unix:///nowhere.sock &&
	test_expect_code 1 ctxmgr keys check --context local 2>err &&
	grep "ssh://" err
'

test_done
