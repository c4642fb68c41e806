#!/bin/bash
test_description='ProxyJump: through one and two real sshd hops'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd jump
JUMP_PORT=$SSHD_PORT
start_sshd hop2
HOP2_PORT=$SSHD_PORT
start_sshd target
TARGET_PORT=$SSHD_PORT
cat >>"$HOME/.ssh/config" <<CFG
Host viajump
	HostName 127.0.0.1
	Port $TARGET_PORT
	ProxyJump jump

Host viatwo
	HostName 127.0.0.1
	Port $TARGET_PORT
	ProxyJump jump,hop2

CFG

accepted() {
	grep -c "Accepted publickey" "$TRASH/sshd-$1/log" || true
}

test_expect_success 'ping through a ProxyJump host' '
	ctxmgr create viajump --direct --host "ssh://viajump$DOCKERD_SOCK" &&
	before=$(accepted jump) &&
	ctxmgr ping viajump >out &&
	test_grep "^connect .*127.0.0.1 port $TARGET_PORT (through ProxyJump)" out &&
	test "$(accepted jump)" -gt "$before" &&
	test_grep "^daemon: Docker" out
'

test_expect_success 'a tunnel through the jump host carries docker' '
	ctxmgr tunnel start viajump >/dev/null &&
	test_when_finished "ctxmgr tunnel stop viajump" &&
	sock=$(tunnel_field viajump Socket) &&
	docker -H "unix://$sock" version --format "{{.Server.Version}}" >v &&
	test -s v &&
	echo hi | timeout 60 docker -H "unix://$sock" run -i --rm --network none $BUSYBOX_IMAGE cat >out &&
	echo hi >expect &&
	test_cmp expect out &&
	head -c 5000000 /dev/urandom >blob &&
	id=$(docker -H "unix://$sock" create --network none $BUSYBOX_IMAGE true) &&
	docker -H "unix://$sock" cp blob "$id:/blob" &&
	docker -H "unix://$sock" cp "$id:/blob" back &&
	docker -H "unix://$sock" rm "$id" >/dev/null &&
	cmp blob back
'

test_expect_success 'two hops' '
	ctxmgr create viatwo --direct --host "ssh://viatwo$DOCKERD_SOCK" &&
	b1=$(accepted jump) && b2=$(accepted hop2) &&
	ctxmgr ping viatwo >out &&
	test "$(accepted jump)" -gt "$b1" &&
	test "$(accepted hop2)" -gt "$b2" &&
	test_grep "^daemon: Docker" out
'

test_expect_success 'a jump host with a ProxyJump of its own is reached through it' '
	cat >>"$HOME/.ssh/config" <<-CFG &&
	Host hop2x
	HostName 127.0.0.1
	Port $HOP2_PORT
	ProxyJump jump
	IdentityFile $HOME/.ssh/id_ed25519
	UserKnownHostsFile $HOME/.ssh/known_hosts

	Host nested
	HostName 127.0.0.1
	Port $TARGET_PORT
	ProxyJump hop2x
	IdentityFile $HOME/.ssh/id_ed25519
	UserKnownHostsFile $HOME/.ssh/known_hosts

	CFG
	ctxmgr create nested --direct --host "ssh://nested$DOCKERD_SOCK" &&
	b1=$(accepted jump) && b2=$(accepted hop2) && b3=$(accepted target) &&
	ctxmgr ping nested >out &&
	test "$(accepted jump)" -gt "$b1" &&
	test "$(accepted hop2)" -gt "$b2" &&
	test "$(accepted target)" -gt "$b3" &&
	test_grep "^daemon: Docker" out &&
	# OpenSSH takes the same way
	b1=$(accepted jump) &&
	"$TRASH/bin/ssh" -o BatchMode=yes nested true &&
	test "$(accepted jump)" -gt "$b1"
'

test_expect_success 'jump hosts that jump through each other: an error, not a hang' '
	cat >>"$HOME/.ssh/config" <<-CFG &&
	Host loopa
	HostName 127.0.0.1
	Port $TARGET_PORT
	ProxyJump loopb

	Host loopb
	HostName 127.0.0.1
	Port $JUMP_PORT
	ProxyJump loopa

	CFG
	ctxmgr create loopy --direct --host "ssh://loopa$DOCKERD_SOCK" &&
	test_expect_code 1 timeout 20 "$CTXMGR" ping loopy 2>err &&
	test_grep "ProxyJump: more than 4 hops to reach \"loopa\"" err &&
	test_grep "a loop?" err
'

test_expect_success 'the jump host down: the error names it' '
	kill_sshd jump &&
	test_expect_code 1 ctxmgr ping viajump 2>err &&
	test_grep "port $JUMP_PORT refused" err &&
	test_expect_code 1 ctxmgr tunnel start viajump 2>err &&
	no_tunnel_left viajump &&
	restart_sshd jump
'

test_expect_success 'a jump host that refuses to forward' '
	start_sshd nofwd "AllowTcpForwarding no" &&
	printf "Host vianofwd\n\tHostName 127.0.0.1\n\tPort %s\n\tProxyJump nofwd\n\n" \
		$TARGET_PORT >>"$HOME/.ssh/config" &&
	ctxmgr create vianofwd --direct --host "ssh://vianofwd$DOCKERD_SOCK" &&
	test_expect_code 1 ctxmgr ping vianofwd 2>err &&
	test_grep "\"nofwd\" cannot open a connection to \"127.0.0.1\" port $TARGET_PORT" err
'
test_done
