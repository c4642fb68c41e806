#!/bin/bash
test_description='keys gen: keys OpenSSH, a real sshd and libssh2 accept'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-keys.sh"

[ -x "$HELPERS/ssh2-login" ] ||
	test_fatal "$HELPERS/ssh2-login is missing (run make integration)"

PASS="correct horse battery staple"

test_expect_success 'setup: a passphrase file and a real sshd' '
	printf "%s\n" "$PASS" >pass && chmod 600 pass &&
	start_sshd box &&
	echo "$SSHD_PORT $SSHD_DIR" >sshd.info
'
read -r SSHD_PORT SSHD_DIR <sshd.info 2>/dev/null
SSH_USER=$(id -un)

# ssh_login KEY [PASSPHRASE]: OpenSSH's client logs in with KEY alone.
ssh_login() {
	printf '#!/bin/sh\necho "%s"\n' "${2:-}" >askpass && chmod 700 askpass
	SSH_ASKPASS=$PWD/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=none \
		setsid -w ssh -F none -i "$1" -o IdentitiesOnly=yes \
		-o IdentityAgent=none -o BatchMode=no \
		-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
		-o UserKnownHostsFile="$HOME/.ssh/known_hosts" \
		-o StrictHostKeyChecking=yes -p "$SSHD_PORT" \
		"$SSH_USER@127.0.0.1" true </dev/null
}

for spec in ed25519: ecdsa:256 ecdsa:384 ecdsa:521 rsa:2048 rsa:3072; do
	t=${spec%:*} b=${spec#*:}
	name=$t${b:+-$b}
	test_expect_success "$name, encrypted: ssh-keygen, sshd and libssh2 read it" "
		ctxmgr keys gen --type $t ${b:+--bits $b} --passphrase-file pass \
			-C 'gen $name' keys/$name >out 2>err &&
		test_grep '^verdict: ' out &&
		test \$(stat -c %a keys/$name) = 600 &&
		test \$(stat -c %a keys/$name.pub) = 644 &&
		test \$(stat -c %a keys) = 700 &&
		head -n 1 keys/$name >first &&
		echo '-----BEGIN OPENSSH PRIVATE KEY-----' >want &&
		test_cmp want first &&
		ssh-keygen -y -P '$PASS' -f keys/$name >y &&
		test_cmp keys/$name.pub y &&
		! ssh-keygen -y -P 'wrong' -f keys/$name >/dev/null 2>&1 &&
		ssh-keygen -l -f keys/$name.pub >l &&
		test_grep 'gen $name' l &&
		ctxmgr keys check --format json keys/$name >c.json &&
		test \"\$(jq c.json 'd[0][\"kdf\"]')\" = bcrypt &&
		test \"\$(jq c.json 'd[0][\"cipher\"]')\" = aes256-ctr &&
		test \"\$(jq c.json 'd[0][\"kdfRounds\"]')\" = 16 &&
		cat keys/$name.pub >>\"\$SSHD_DIR/authorized_keys\" &&
		ssh_login keys/$name '$PASS' &&
		\"\$HELPERS/ssh2-login\" $SSHD_PORT $SSH_USER keys/$name pass
	"
done

test_expect_success 'unencrypted keys work too, with a warning' '
	ctxmgr keys gen --no-passphrase keys/plain >out 2>err &&
	test_grep "warning: the private key is not encrypted" err &&
	test_grep "^verdict:     warn" out &&
	ssh-keygen -y -f keys/plain >y && test_cmp keys/plain.pub y &&
	cat keys/plain.pub >>"$SSHD_DIR/authorized_keys" &&
	ssh_login keys/plain &&
	"$HELPERS/ssh2-login" $SSHD_PORT $SSH_USER keys/plain
'

test_expect_success 'sshd refuses a key it was not given (the check can fail)' '
	ctxmgr keys gen --no-passphrase keys/stranger 2>/dev/null >/dev/null &&
	! ssh_login keys/stranger 2>/dev/null &&
	test_must_fail "$HELPERS/ssh2-login" $SSHD_PORT $SSH_USER keys/stranger 2>/dev/null
'

test_expect_success 'never overwrites the key or its .pub' '
	cp keys/plain.pub before.pub && cp keys/plain before &&
	test_expect_code 1 ctxmgr keys gen --no-passphrase keys/plain 2>err &&
	test_grep "\"keys/plain\" already exists" err &&
	test_cmp before keys/plain && test_cmp before.pub keys/plain.pub &&
	touch keys/lonely.pub &&
	test_expect_code 1 ctxmgr keys gen --no-passphrase keys/lonely 2>err &&
	test_grep "lonely.pub\" already exists" err &&
	test ! -e keys/lonely &&
	ln -s elsewhere keys/link &&
	test_expect_code 1 ctxmgr keys gen --no-passphrase keys/link 2>err &&
	test ! -e elsewhere
'

test_expect_success 'a weak key is refused; --allow-weak makes it' '
	test_expect_code 1 ctxmgr keys gen -t rsa -b 1024 --no-passphrase keys/weak 2>err &&
	test_grep "refusing to make a weak key: RSA 1024 bits" err &&
	test_grep -- "--allow-weak" err &&
	test ! -e keys/weak && test ! -e keys/weak.pub &&
	ctxmgr keys gen -t rsa -b 1024 --no-passphrase --allow-weak keys/weak >out 2>err &&
	test_grep "warning: RSA 1024 bits" err &&
	test_grep "^verdict:     fail" out &&
	ssh-keygen -y -f keys/weak >y && test_cmp keys/weak.pub y
'

test_expect_success 'RSA 2048 and ECDSA are made with a warning' '
	ctxmgr keys gen -t rsa -b 2048 --no-passphrase keys/r2k >/dev/null 2>err &&
	test_grep "warning: RSA 2048 bits: 112-bit security" err &&
	ctxmgr keys gen -t ecdsa --no-passphrase keys/ec >/dev/null 2>err &&
	test_grep "warning: ECDSA on a NIST curve" err
'

test_expect_success 'out-of-range sizes and types are usage errors' '
	test_expect_code 2 ctxmgr keys gen -t ecdsa -b 300 --no-passphrase keys/x 2>err &&
	test_grep "256, 384 or 521" err &&
	test_expect_code 2 ctxmgr keys gen -t rsa -b 512 --no-passphrase keys/x 2>err &&
	test_expect_code 2 ctxmgr keys gen -t ed25519 -b 384 --no-passphrase keys/x 2>err &&
	test_expect_code 2 ctxmgr keys gen -t dsa --no-passphrase keys/x 2>err &&
	test ! -e keys/x
'

test_expect_success 'a weak passphrase is refused with advice; --allow-weak keeps it' '
	printf "password1\n" >weakpass && chmod 600 weakpass &&
	test_expect_code 1 ctxmgr keys gen --passphrase-file weakpass keys/wp 2>err &&
	test_grep "the passphrase is too weak: score 0 of 4" err &&
	test_grep "^hint: " err &&
	! grep -q password1 err &&
	test ! -e keys/wp &&
	ctxmgr keys gen --passphrase-file weakpass --allow-weak keys/wp >/dev/null 2>err &&
	test_grep "kept because of --allow-weak" err &&
	ssh-keygen -y -P password1 -f keys/wp >/dev/null
'

test_expect_success 'the passphrase file must be private, and not empty' '
	cp pass openpass && chmod 644 openpass &&
	test_expect_code 1 ctxmgr keys gen --passphrase-file openpass keys/o 2>err &&
	test_grep "mode 0644" err &&
	: >emptypass && chmod 600 emptypass &&
	test_expect_code 1 ctxmgr keys gen --passphrase-file emptypass keys/o 2>err &&
	test_grep "is empty" err &&
	test ! -e keys/o
'

test_expect_success 'CTXMGR_PASSPHRASE_FILE is the same route' '
	CTXMGR_PASSPHRASE_FILE=$PWD/pass ctxmgr keys gen keys/env >/dev/null &&
	ssh-keygen -y -P "$PASS" -f keys/env >/dev/null
'

test_expect_success '--rounds raises the KDF cost; below 16 needs --allow-weak' '
	ctxmgr keys gen --rounds 32 --passphrase-file pass keys/r32 >/dev/null &&
	ctxmgr keys check --format json keys/r32 >c.json &&
	test "$(jq c.json "d[0][\"kdfRounds\"]")" = 32 &&
	ssh-keygen -y -P "$PASS" -f keys/r32 >/dev/null &&
	test_expect_code 1 ctxmgr keys gen --rounds 4 --passphrase-file pass keys/r4 2>err &&
	test_grep "fewer than 16" err
'

test_expect_success 'no terminal and no passphrase option: a clear usage error' '
	test_expect_code 2 setsid -w "$CTXMGR" keys gen keys/notty </dev/null 2>err &&
	test_grep "use --passphrase-file FILE or --no-passphrase" err &&
	test ! -e keys/notty
'

test_expect_success 'the terminal: asked twice without echo' '
	"$PTY_FEED" "$PASS" "$PASS" -- "$CTXMGR" keys gen keys/tty >out &&
	test $(grep -c "assphrase" out) = 2 &&
	! grep -q "$PASS" out &&
	ssh-keygen -y -P "$PASS" -f keys/tty >/dev/null
'

test_expect_success 'the terminal: different answers are refused' '
	test_expect_code 1 "$PTY_FEED" "$PASS" "another one" -- "$CTXMGR" keys gen keys/tty2 >out &&
	test_grep "the passphrases do not match" out &&
	test ! -e keys/tty2
'

test_expect_success 'the terminal: a weak passphrase is refused before it is asked again' '
	test_expect_code 1 "$PTY_FEED" "password1" -- "$CTXMGR" keys gen keys/tty5 >out &&
	test $(grep -c "assphrase for the new key" out) = 1 &&
	! grep -q "Same passphrase again" out &&
	test_grep "too weak" out &&
	test_grep "hint: " out &&
	test ! -e keys/tty5
'

test_expect_success 'the terminal: Ctrl-C cancels and echo comes back' '
	"$PTY_FEED" "^C" -- sh -c "trap \"\" INT; \"$CTXMGR\" keys gen keys/tty3; echo rc=\$?; stty -a" >out &&
	test_grep "rc=1" out &&
	test_grep " echo " out &&
	! grep -q -- "-echo " out &&
	test ! -e keys/tty3
'

test_expect_success 'an empty answer on the terminal makes an unencrypted key' '
	"$PTY_FEED" "" "" -- "$CTXMGR" keys gen keys/tty4 >out &&
	test_grep "not encrypted" out &&
	ssh-keygen -y -f keys/tty4 >/dev/null
'

test_expect_success 'json output' '
	ctxmgr keys gen --format json --passphrase-file pass -C "json key" keys/j >out.json &&
	test "$(jq out.json "d[\"path\"]")" = keys/j &&
	test "$(jq out.json "d[\"publicPath\"]")" = keys/j.pub &&
	test "$(jq out.json "d[\"type\"]")" = ED25519 &&
	test "$(jq out.json "d[\"encrypted\"]")" = true &&
	test "$(jq out.json "d[\"comment\"]")" = "json key" &&
	test "$(jq out.json "d[\"fingerprint\"]")" = "$(keygen_fp keys/j.pub | cut -d" " -f2)"
'

test_expect_success 'a comment with control characters is refused' '
	test_expect_code 2 ctxmgr keys gen --no-passphrase -C "$(printf "a\nb")" keys/c 2>err &&
	test ! -e keys/c
'
test_done
