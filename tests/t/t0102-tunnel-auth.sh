#!/bin/bash
test_description='authentication: ed25519, ecdsa and RSA (rsa-sha2) keys, passphrases, ssh-agent, key permissions'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd au
AK=$SSHD_DIR/authorized_keys
URL="ssh://127.0.0.1:$SSHD_PORT$DOCKERD_SOCK"
mkdir -p keys && chmod 700 keys

# newkey NAME TYPE [PASSPHRASE]: a key in keys/, authorized on the server
newkey() {
	ssh-keygen -q -t "$2" -N "${3:-}" -C "$1" -f "keys/$1" &&
		cat "keys/$1.pub" >>"$AK"
}

# alias NAME IDENTITYFILE [more lines]: a Host block that names only
# that key (so the default keys are not tried)
alias_for() {
	a=$1
	shift
	{
		echo "Host $a"
		echo "	HostName 127.0.0.1"
		echo "	Port $SSHD_PORT"
		echo "	IdentityFile $1"
		shift
		for l in "$@"; do echo "	$l"; done
		echo
	} >>"$HOME/.ssh/config"
	ctxmgr create "$a" --direct --host "ssh://$a$DOCKERD_SOCK" >/dev/null
}

fp() {
	ssh-keygen -lf "$1" | cut -d' ' -f2
}

test_expect_success 'ed25519, ecdsa and RSA keys (RSA signs with rsa-sha2)' '
	newkey ed ed25519 && newkey ec ecdsa && newkey rsa rsa &&
	for k in ed:ED25519 ec:ECDSA rsa:RSA; do
		name=${k%%:*} label=${k#*:}
		ctxmgr create "k-$name" --direct --host "$URL" --identity "$TRASH/keys/$name" &&
		ctxmgr ping "k-$name" >out &&
		test_grep "^auth .*key $TRASH/keys/$name $label $(fp keys/$name.pub) as " out ||
		exit 1
	done &&
	test_grep "Accepted publickey for .* ssh2: RSA $(fp keys/rsa.pub)" "$SSHD_DIR/log"
'

test_expect_success 'a passphrase-protected key, passphrase from CTXMGR_PASSPHRASE_FILE' '
	newkey pp ed25519 "s3cret pass" &&
	alias_for au-pp "$TRASH/keys/pp" &&
	(umask 077; echo "s3cret pass" >pass) &&
	CTXMGR_PASSPHRASE_FILE=$TRASH/pass ctxmgr ping au-pp >out &&
	test_grep "^auth .*key $TRASH/keys/pp ED25519" out &&
	(umask 077; echo "wrong" >badpass) &&
	test_expect_code 1 env CTXMGR_PASSPHRASE_FILE=$TRASH/badpass "$CTXMGR" ping au-pp 2>err &&
	test_grep "wrong passphrase for private key \"$TRASH/keys/pp\"" err &&
	chmod 644 pass &&
	test_expect_code 1 env CTXMGR_PASSPHRASE_FILE=$TRASH/pass "$CTXMGR" ping au-pp 2>err &&
	test_grep "pass" err &&
	chmod 600 pass
'

test_expect_success 'without a passphrase or a terminal the key is skipped' '
	test_expect_code 1 setsid -w "$CTXMGR" ping au-pp 2>err </dev/null &&
	test_grep "no key was accepted" err &&
	test_grep "keys/pp\" skipped (no passphrase)" err &&
	test_grep "for a skipped key: no terminal to ask on: put the passphrase in a file (mode 0600) named by CTXMGR_PASSPHRASE_FILE, or add the key to ssh-agent (ssh-add $TRASH/keys/pp)" err
'

# The default key ~/.ssh/id_ed25519 is authorized too: falling back to it
# would log in as someone the context did not name.
test_expect_success 'the context identity needing a passphrase is an error, not another key' '
	ctxmgr create k-pp --direct --host "$URL" --identity "$TRASH/keys/pp" &&
	test_expect_code 1 setsid -w "$CTXMGR" ping k-pp >out 2>err </dev/null &&
	test_grep "the identity \"$TRASH/keys/pp\" needs its passphrase: no terminal to ask on" err &&
	test_grep "CTXMGR_PASSPHRASE_FILE" err &&
	test_grep "ssh-agent" err &&
	! grep -q "Accepted publickey" out &&
	test_expect_code 1 setsid -w "$CTXMGR" tunnel start k-pp 2>err </dev/null &&
	test_grep "the identity \"$TRASH/keys/pp\" needs its passphrase: no terminal" err &&
	wait_for 5 no_tunnel_left k-pp &&
	CTXMGR_PASSPHRASE_FILE=$TRASH/pass setsid -w "$CTXMGR" ping k-pp >out </dev/null &&
	test_grep "^auth .*key $TRASH/keys/pp ED25519" out
'

test_expect_success 'an IdentityFile that does not exist is reported, as ssh does' '
	newkey ed2 ed25519 &&
	alias_for au-miss "$TRASH/keys/no-such-key" "IdentityFile $TRASH/keys/ed2" &&
	ctxmgr ping au-miss >out 2>err &&
	test_grep "^auth .*key $TRASH/keys/ed2 ED25519" out &&
	test_grep "no such identity: $TRASH/keys/no-such-key: No such file or directory" err &&
	alias_for au-miss2 "$TRASH/keys/no-such-key" &&
	test_expect_code 1 ctxmgr ping au-miss2 2>err &&
	test_grep "keys/no-such-key\" (IdentityFile) does not exist" err
'

test_expect_success '-v lists every identity tried and what became of it' '
	ctxmgr -v ping au-miss >out 2>err &&
	test_grep "identity: \"$TRASH/keys/no-such-key\" (IdentityFile) does not exist" err &&
	test_grep "identity: \"$TRASH/keys/ed2\" accepted" err
'

test_expect_success 'the passphrase prompt on the terminal does not echo' '
	{ sleep 2; printf "s3cret pass\r"; sleep 5; } |
		script -qec "$CTXMGR ping au-pp" /dev/null >typescript &&
	test_grep "Enter passphrase for key \"$TRASH/keys/pp\":" typescript &&
	test_grep "^auth .*keys/pp ED25519" typescript &&
	! grep -q "s3cret" typescript
'

test_expect_success 'a background tunnel gets the passphrase once and reconnects with it' '
	CTXMGR_PASSPHRASE_FILE=$TRASH/pass ctxmgr tunnel start au-pp >/dev/null &&
	test_when_finished "ctxmgr tunnel stop au-pp" &&
	sock=$(tunnel_field au-pp Socket) &&
	docker -H "unix://$sock" version >/dev/null &&
	kill_sshd au &&
	restart_sshd au &&
	timeout 60 docker -H "unix://$sock" version >/dev/null &&
	test "$(tunnel_field au-pp Reconnects)" -ge 1
'

test_expect_success 'ssh-agent (started here) is tried first' '
	eval "$(ssh-agent -s -a "$TRASH/agent.sock")" >/dev/null &&
	test_atexit "kill $SSH_AGENT_PID" &&
	echo "$SSH_AGENT_PID" >agent.pid &&
	newkey agentkey ed25519 &&
	ssh-add -q keys/agentkey &&
	mv keys/agentkey keys/agentkey.pub "$TRASH/" &&
	alias_for au-agent "$TRASH/keys/none" &&
	ctxmgr ping au-agent >out 2>err &&
	test_grep "^auth .*agent ED25519 $(fp "$TRASH/agentkey.pub") as " out &&
	test_grep "no such identity: $TRASH/keys/none: No such file or directory" err
'

test_expect_success 'a context identity: the agent offers that key only' '
	export SSH_AUTH_SOCK=$TRASH/agent.sock &&
	test_expect_code 1 setsid -w "$CTXMGR" -v ping k-pp >out 2>err </dev/null &&
	test_grep "the identity \"$TRASH/keys/pp\" needs its passphrase" err &&
	test_grep "agent key .* skipped (not the context.s identity" err &&
	cp keys/pp pp-plain && chmod 600 pp-plain &&
	ssh-keygen -q -p -P "s3cret pass" -N "" -f pp-plain >/dev/null &&
	ssh-add -q pp-plain &&
	setsid -w "$CTXMGR" ping k-pp >out 2>err </dev/null &&
	test_grep "^auth .*agent ED25519 $(fp keys/pp.pub) as " out &&
	cp keys/pp pp-nopub && chmod 600 pp-nopub &&
	ctxmgr create k-nopub --host "$URL" --identity "$TRASH/pp-nopub" &&
	setsid -w "$CTXMGR" ping k-nopub >out 2>err </dev/null &&
	test_grep "^auth .*agent ED25519 $(fp keys/pp.pub) as " out &&
	ssh-add -q -d pp-plain
'

test_expect_success 'IdentitiesOnly keeps other agent keys back' '
	export SSH_AUTH_SOCK=$TRASH/agent.sock &&
	alias_for au-only "$TRASH/keys/ec" "IdentitiesOnly yes" &&
	ctxmgr ping au-only >out &&
	test_grep "^auth .*key $TRASH/keys/ec ECDSA" out &&
	ssh-keygen -q -t ed25519 -N "" -f unauth &&
	chmod 600 unauth &&
	alias_for au-only2 "$TRASH/unauth" "IdentitiesOnly yes" &&
	test_expect_code 1 ctxmgr ping au-only2 2>err &&
	test_grep "no key was accepted" err &&
	! grep -q "agent: [1-9]" err
'

test_expect_success 'a private key readable by others is refused' '
	cp keys/ed loose && chmod 644 loose &&
	ctxmgr create k-loose --direct --host "$URL" --identity "$TRASH/loose" &&
	test_expect_code 1 ctxmgr ping k-loose 2>err &&
	test_grep "private key \"$TRASH/loose\" has mode 0644" err &&
	test_grep "chmod 600" err &&
	alias_for au-loose "$TRASH/loose" &&
	test_expect_code 1 ctxmgr ping au-loose 2>err &&
	test_grep "no key was accepted" err &&
	test_grep "readable by others" err &&
	test_expect_code 1 ctxmgr tunnel start k-loose 2>err &&
	no_tunnel_left k-loose
'

test_expect_success 'no usable key: a clear error, nothing left running' '
	alias_for au-none "$TRASH/unauth" &&
	test_expect_code 1 ctxmgr ping au-none 2>err &&
	test_grep "no key was accepted for \"$(id -un)\" on \"au-none\"" err &&
	test_grep "unauth\" refused by the server" err &&
	: the service runs with the environment of the command that started &&
	: it -- here the create of a tunnelled context under the agent above &&
	ctxmgr tunnel shutdown >/dev/null &&
	test_expect_code 1 ctxmgr tunnel start au-none 2>err &&
	test_grep "no key was accepted" err &&
	no_tunnel_left au-none &&
	ctxmgr create k-missing --direct --host "$URL" --identity "$TRASH/no/such/key" &&
	test_expect_code 1 ctxmgr ping k-missing 2>err &&
	test_grep "identity file \"$TRASH/no/such/key\"" err
'

test_expect_success 'IdentityFile tokens and ~ are expanded' '
	cp keys/ed "$HOME/.ssh/tok_$(id -un)_$SSHD_PORT" &&
	alias_for au-tok "~/.ssh/tok_%u_%p" &&
	ctxmgr ping au-tok >out &&
	test_grep "^auth .*key $HOME/.ssh/tok_$(id -un)_$SSHD_PORT ED25519" out
'
test_done
