#!/bin/bash
test_description='dial-stdio: the fallback when sshd forbids stream-local forwarding, with the remote --host quoted'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd plain
start_sshd nofwd "AllowStreamLocalForwarding no"

test_expect_success 'auto mode falls back to dial-stdio and carries docker' '
	ctxmgr create nofwd --direct --host "ssh://nofwd$DOCKERD_SOCK" &&
	ctxmgr tunnel start nofwd >out &&
	test_grep "dial-stdio)" out &&
	test "$(tunnel_field nofwd Mode)" = dial-stdio &&
	sock=$(tunnel_field nofwd Socket) &&
	export DOCKER_HOST=unix://$sock &&
	docker version --format "{{.Server.Version}}" >v &&
	test -s v &&
	docker ps >/dev/null &&
	echo hi | timeout 60 docker run -i --rm --network none $BUSYBOX_IMAGE cat >out &&
	echo hi >expect &&
	test_cmp expect out
'

test_expect_success 'more concurrent clients than sshd allows sessions (MaxSessions 10)' '
	sock=$(tunnel_field nofwd Socket) &&
	for i in $(seq 24); do
		curl -s --max-time 60 --unix-socket "$sock" http://docker/_ping >"ping.$i" &
	done &&
	wait &&
	for i in $(seq 24); do
		test "$(cat "ping.$i")" = OK || { echo "client $i: $(cat "ping.$i")"; exit 1; }
	done &&
	test "$(tunnel_field nofwd FailedConnections)" = 0 &&
	ctxmgr tunnel stop nofwd
'

test_expect_success 'streamlocal mode against that server fails clearly' '
	test_expect_code 1 ctxmgr tunnel start nofwd --mode streamlocal 2>err &&
	test_grep "refused a stream-local channel" err &&
	test_grep "mode dial-stdio" err &&
	no_tunnel_left nofwd &&
	test_expect_code 1 ctxmgr ping nofwd --mode streamlocal 2>err &&
	ctxmgr ping nofwd >out &&
	test_grep "^channel .*dial-stdio" out
'

test_expect_success 'the context tunnel mode picks dial-stdio on any server' '
	ctxmgr create plainds --direct --host "ssh://plain$DOCKERD_SOCK" --tunnel-mode dial-stdio &&
	ctxmgr tunnel start plainds >/dev/null &&
	test "$(tunnel_field plainds Mode)" = dial-stdio &&
	docker -H "unix://$(tunnel_field plainds Socket)" version >/dev/null &&
	ctxmgr tunnel stop plainds
'

test_expect_success 'a hostile remote socket path reaches docker quoted' '
	# unquoted, the quote would break the remote command line
	weird="$TRASH/dock er'"'"'\$(id)\`id\`;x \"*.sock" &&
	ln -s "$DOCKERD_SOCK" "$weird" &&
	enc=$(python3 -c "import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))" "$weird") &&
	ctxmgr create weird --direct --host "ssh://nofwd$enc" &&
	ctxmgr tunnel start weird >/dev/null &&
	test_when_finished "ctxmgr tunnel stop weird" &&
	test "$(tunnel_field weird Mode)" = dial-stdio &&
	docker -H "unix://$(tunnel_field weird Socket)" version >/dev/null
'
test_done
