#!/bin/bash
test_description='host keys: known_hosts (plain, hashed, [host]:port, @revoked), unknown and changed keys, policies'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd hk
KH=$HOME/.ssh/known_hosts
cp "$KH" "$TRASH/kh.good"
FP=$(host_fp hk)
NAME="[127.0.0.1]:$SSHD_PORT"
URL="ssh://127.0.0.1:$SSHD_PORT$DOCKERD_SOCK"
ctxmgr create hk --direct --host "$URL" >/dev/null 2>&1

test_expect_success 'a known host connects; the fingerprint is shown' '
	ctxmgr ping hk >out &&
	test_grep "^host key .*ssh-ed25519 $FP" out
'

test_expect_success 'an unknown host is refused with its fingerprint and how to accept it' '
	: >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	test_expect_code 1 ctxmgr ping hk 2>err &&
	test_grep "the host key of \"\[127.0.0.1\]:$SSHD_PORT\" is not known (ED25519 $FP)" err &&
	test_grep -- "--accept-new" err &&
	test_grep "StrictHostKeyChecking accept-new" err &&
	test_expect_code 1 ctxmgr tunnel start hk 2>err &&
	test_grep "is not known" err &&
	no_tunnel_left hk &&
	! test -s "$KH"
'

test_expect_success '--accept-new records a new host key, then it is known' '
	rm -f "$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	ctxmgr ping hk --accept-new >out &&
	test_grep "added to known_hosts" out &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$KH" &&
	test "$(stat -c %a "$KH")" = 600 &&
	ctxmgr ping hk >out &&
	! grep -q "added to known_hosts" out
'

test_expect_success 'a changed host key is refused with both fingerprints, whatever the policy' '
	ssh-keygen -q -t ed25519 -N "" -f other &&
	OFP=$(ssh-keygen -lf other.pub | cut -d" " -f2) &&
	echo "$NAME $(cut -d" " -f1,2 other.pub)" >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	cp "$KH" kh.before &&
	test_expect_code 1 ctxmgr ping hk 2>err &&
	test_grep "the host key of \"\[127.0.0.1\]:$SSHD_PORT\" has changed: known ED25519 $OFP" err &&
	test_grep "offered ED25519 $FP" err &&
	test_expect_code 1 ctxmgr ping hk --accept-new 2>err &&
	test_grep "has changed" err &&
	ctxmgr create hkno --direct --host "$URL" --strict-host-key-checking no &&
	test_expect_code 1 ctxmgr ping hkno 2>err &&
	test_grep "has changed" err &&
	test_expect_code 1 ctxmgr tunnel start hk --accept-new 2>err &&
	test_grep "has changed" err &&
	no_tunnel_left hk &&
	test_cmp kh.before "$KH"
'

test_expect_success 'hashed known_hosts entries match' '
	cp "$TRASH/kh.good" "$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	ssh-keygen -q -H -f "$KH" 2>/dev/null &&
	test_grep "^|1|" "$KH" &&
	! grep -q 127.0.0.1 "$KH" &&
	ctxmgr ping hk >/dev/null
'

test_expect_success 'an entry without the port does not vouch for another port' '
	echo "127.0.0.1 $(cut -d" " -f1,2 "$TRASH/sshd-hk/host_ed25519.pub")" >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	test_expect_code 1 ctxmgr ping hk 2>err &&
	test_grep "is not known" err
'

test_expect_success 'a key marked @revoked is refused' '
	{ cat "$TRASH/kh.good" &&
	  echo "@revoked * $(cut -d" " -f1,2 "$TRASH/sshd-hk/host_ed25519.pub")"; } >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	test_expect_code 1 ctxmgr ping hk 2>err &&
	test_grep "@revoked" err
'

test_expect_success 'bad lines in known_hosts are skipped, not fatal' '
	{ echo "garbage"; echo "[x]:1 ssh-ed25519 !!!"; printf "\001\002\n";
	  cat "$TRASH/kh.good"; } >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	ctxmgr ping hk >/dev/null
'

test_expect_success 'the context policy accept-new records unknown keys' '
	: >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	ctxmgr create hkan --direct --host "$URL" --strict-host-key-checking accept-new &&
	ctxmgr ping hkan >/dev/null &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519" "$KH"
'

test_expect_success 'ssh_config StrictHostKeyChecking and UserKnownHostsFile are obeyed' '
	cp "$HOME/.ssh/config" config.saved &&
	test_when_finished "cp config.saved \"$HOME/.ssh/config\"" &&
	cat >>"$HOME/.ssh/config" <<-EOF &&
	Host kh-alias
		HostName 127.0.0.1
		Port $SSHD_PORT
		UserKnownHostsFile ~/.ssh/kh-%n
		StrictHostKeyChecking accept-new
	EOF
	ctxmgr create hkcfg --direct --host "ssh://kh-alias$DOCKERD_SOCK" &&
	ctxmgr ping hkcfg >out &&
	test_grep "added to known_hosts" out &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519" "$HOME/.ssh/kh-kh-alias" &&
	cmp "$TRASH/kh.good" "$KH"
'

test_expect_success 'the key types known_hosts holds are offered first' '
	mkdir -p hk2 &&
	ssh-keygen -q -t rsa -b 2048 -N "" -f hk2/rsa &&
	ssh-keygen -q -t ecdsa -N "" -f hk2/ecdsa &&
	start_sshd multi "HostKey $TRASH/hk2/rsa" "HostKey $TRASH/hk2/ecdsa" &&
	url2="ssh://127.0.0.1:$SSHD_PORT$DOCKERD_SOCK" &&
	ctxmgr create multi --direct --host "$url2" &&
	grep -v "^\[127.0.0.1\]:$SSHD_PORT " "$KH" >kh.other &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	{ cat kh.other; echo "[127.0.0.1]:$SSHD_PORT $(cut -d" " -f1,2 hk2/rsa.pub)"; } >"$KH" &&
	ctxmgr ping multi >out &&
	test_grep "^host key .*ssh-rsa $(ssh-keygen -lf hk2/rsa.pub | cut -d" " -f2)" out &&
	{ cat kh.other; echo "[127.0.0.1]:$SSHD_PORT $(cut -d" " -f1,2 hk2/ecdsa.pub)"; } >"$KH" &&
	ctxmgr ping multi >out &&
	test_grep "^host key .*ecdsa-sha2-nistp256" out
'

test_expect_success 'StrictHostKeyChecking no accepts an unknown host' '
	: >"$KH" &&
	test_when_finished "cp \"$TRASH/kh.good\" \"$KH\"" &&
	ctxmgr ping hkno >/dev/null
'

# The unknown-host error says "connect once with --accept-new": every
# command that can connect must then take it.
test_expect_success 'every command that connects takes --accept-new' '
	for cmd in exec env shell ping "tunnel start" "remote-exec" audit \
		"audit image" "keys check" "ca deploy"; do
		ctxmgr $cmd --help >help &&
		test_grep -- "--accept-new" help || exit 1
	done
'

test_expect_success 'exec, env and keys check: refused with the hint, then --accept-new works' '
	: >"$KH" &&
	test_when_finished "ctxmgr tunnel stop hk >/dev/null 2>&1; cp \"$TRASH/kh.good\" \"$KH\"" &&
	test_expect_code 1 ctxmgr exec hk -- true 2>err &&
	test_grep "is not known" err &&
	test_grep -- "--accept-new" err &&
	test_expect_code 1 ctxmgr env hk 2>err &&
	test_grep -- "--accept-new" err &&
	wait_for 5 no_tunnel_left hk &&
	! test -s "$KH" &&
	ctxmgr exec --accept-new hk -- docker version --format "{{.Server.Os}}" >out &&
	test_grep "^linux$" out &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$KH" &&
	ctxmgr tunnel stop hk >/dev/null &&
	: >"$KH" &&
	ctxmgr env --accept-new hk >out &&
	test_grep "DOCKER_HOST=unix://" out &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$KH" &&
	: >"$KH" &&
	test_expect_code 1 ctxmgr keys check --context hk 2>err &&
	test_grep -- "--accept-new" err &&
	{ ctxmgr keys check --context hk --accept-new >out 2>err || :; } &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$KH"
'
test_expect_success 'ctxmgr shell --accept-new passes it to its lines' '
	: >"$KH" &&
	test_when_finished "ctxmgr tunnel stop hk >/dev/null 2>&1; ctxmgr use default >/dev/null 2>&1; cp \"$TRASH/kh.good\" \"$KH\"" &&
	printf "%s\n" "use hk" "docker version --format {{.Server.Os}}" >lines &&
	{ ctxmgr shell <lines >out 2>err || :; } &&
	test_grep -- "--accept-new" err &&
	! test -s "$KH" &&
	wait_for 5 no_tunnel_left hk &&
	ctxmgr shell --accept-new <lines >out 2>err &&
	test_grep "^linux$" out &&
	test_grep "^\[127.0.0.1\]:$SSHD_PORT ssh-ed25519 " "$KH"
'
test_done
