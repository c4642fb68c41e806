#!/bin/bash
test_description='audit: what an unprivileged user cannot read is "not checked", never a pass'
. "$(dirname "$0")/../lib/test-lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)
q() { "$PY" "$TEST_LIB_DIR/audit-query.py" "$@"; }
[ "$(id -u)" = 0 ] || test_fatal "this test needs root to become nobody"

# A daemon in a directory nobody may enter, with a private daemon.json
# and a socket opened to everyone (0666) so nobody can reach the API.
D=$(mktemp -d /tmp/ctxmgr-a404.XXXXXX)
chmod 755 "$D"
test_atexit "rm -rf '$D'"
echo '{"userland-proxy": false, "live-restore": false}' >"$D/daemon.json"
chmod 600 "$D/daemon.json"
start_dockerd "$D/d" --config-file "$D/daemon.json"
chmod 755 "$D/d"
chmod 666 "$DOCKERD_SOCK"

# ctxmgr as nobody, with a store of its own
NB=$D/nobody
mkdir -p "$NB/.docker" "$NB/bin"
# a copy nobody can run wherever the checkout is (a 0700 clone dir too);
# the front finds ctxmgr-full beside itself
cp "$CTXMGR" "$(dirname "$CTXMGR")/ctxmgr-full" "$NB/bin/" ||
	test_fatal "cannot copy the binaries for nobody"
chown -R nobody:nogroup "$NB"
chmod 755 "$D" "$NB" "$NB/bin"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env HOME="$NB" DOCKER_CONFIG="$NB/.docker" "$NB/bin/ctxmgr" "$@"
}
as_nobody create perm --host "unix://$DOCKERD_SOCK" >/dev/null 2>&1 ||
	test_fatal "nobody cannot create a context"

test_expect_success 'as nobody: the API answers, the socket is open to all' '
	as_nobody audit perm --no-probes --format json >r.json &&
	test "$(q status r.json containers.privileged)" = pass &&
	q findings r.json exposure.socket-world >out &&
	test_grep "^socket $DOCKERD_SOCK	others may connect: mode 0666, owner 0" out
'

test_expect_success 'settings only daemon.json holds: not checked (permission)' '
	test "$(q status r.json daemon.userland-proxy)" = not_checked &&
	q reason r.json daemon.userland-proxy >out &&
	test_grep "userland-proxy unknown: daemon.json permission denied" out &&
	test "$(q status r.json files.daemon-json)" = pass
'

test_expect_success 'the same audit as root reads daemon.json' '
	ctxmgr create perm --host "unix://$DOCKERD_SOCK" >/dev/null &&
	ctxmgr audit perm --no-probes --format json >root.json &&
	test "$(q status root.json daemon.userland-proxy)" = pass &&
	q findings root.json daemon.live-restore >out &&
	test_grep "live-restore is off" out
'

test_expect_success 'the daemon'"'"'s sockets are unreadable: listeners from its config only' '
	q reason r.json exposure.tcp-public >out &&
	test_grep "could not be read (permission)" out &&
	test "$(q reason root.json exposure.tcp-public)" = ""
'

test_expect_success 'the table says why' '
	as_nobody audit perm --no-probes >t &&
	test_grep "^not checked:" t &&
	test_grep "^  daemon.userland-proxy  *userland-proxy unknown: daemon.json permission denied" t
'
test_done
