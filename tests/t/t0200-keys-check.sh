#!/bin/bash
test_description='keys check: the policy over keys ssh-keygen and openssl make'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-keys.sh"

test_expect_success 'setup: keys of every type and size' '
	mkdir k && cd k &&
	for spec in dsa:1024 rsa:1024 rsa:2048 rsa:3072 ecdsa:256 ecdsa:384 \
		ecdsa:521 ed25519:256; do
		t=${spec%:*} b=${spec#*:}
		ssh-keygen -q -t $t -b $b -N "" -C "$t-$b" -f $t$b
	done &&
	ssh-keygen -q -t ed25519 -N "a long pass phrase" -C enc -f ed-enc &&
	ssh-keygen -q -t ed25519 -a 8 -N "a long pass phrase" -f ed-a8 &&
	ssh-keygen -q -t rsa -b 4096 -a 64 -N "a long pass phrase" -f rsa-enc &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 \
		-out pkcs8.pem 2>/dev/null &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out ec.pem && openssl ec -in ec.pem -out sec1.pem 2>/dev/null &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-aes-256-cbc -pass pass:x -out pkcs8-enc.pem 2>/dev/null &&
	chmod 600 *.pem
'

test_expect_success 'fingerprints, sizes and types are those of ssh-keygen -l' '
	cd k &&
	for f in dsa1024 rsa1024 rsa2048 rsa3072 ecdsa256 ecdsa384 ecdsa521 \
		ed25519256 ed-enc rsa-enc pkcs8.pem sec1.pem; do
		ctxmgr keys check --format json $f $f.pub >out.json 2>/dev/null || :
		jq out.json "\" \".join([str(d[0][\"bits\"]), d[0][\"fingerprint\"], \"(\" + d[0][\"type\"] + \")\"])" >ours &&
		keygen_fp $f >theirs &&
		test_cmp theirs ours || exit 1
	done &&
	for f in dsa1024 ed25519256 ecdsa521; do
		ctxmgr keys check --format json $f.pub >pub.json || :
		keygen_fp $f.pub | cut -d" " -f2 >theirs &&
		jq pub.json "d[0][\"fingerprint\"]" >ours &&
		test_cmp theirs ours || exit 1
	done
'

# ed25519256.pub is skipped: its private key is checked in the same run
test_expect_success 'the verdicts follow the policy' '
	cd k &&
	cat >want <<-\EOF &&
	dsa1024.pub fail
	rsa1024.pub fail
	rsa2048.pub warn
	rsa3072.pub ok
	ecdsa256.pub warn
	ecdsa384.pub warn
	ecdsa521.pub warn
	ed25519256.pub skip
	ed25519256 warn
	ed-enc ok
	ed-a8 warn
	rsa-enc ok
	pkcs8.pem warn
	pkcs8-enc.pem warn
	EOF
	test_expect_code 1 ctxmgr keys check --format json $(cut -d" " -f1 want) >out.json &&
	jq out.json "[x[\"path\"] + \" \" + x[\"verdict\"] for x in d]" >got &&
	test_cmp want got &&
	jq out.json "[r[\"text\"] for x in d for r in x[\"reasons\"]]" >reasons &&
	test_grep "DSA: a 1024-bit key" reasons &&
	test_grep "RSA 1024 bits: below 2048" reasons &&
	test_grep "RSA 2048 bits: 112-bit security" reasons &&
	test_grep "ECDSA on a NIST curve" reasons &&
	test_grep "bcrypt KDF with 8 rounds, fewer than 16" reasons &&
	test_grep "PBKDF2 with 2048 iterations" reasons &&
	test_grep "not encrypted" reasons
'

test_expect_success 'private key facts: encryption, KDF, owner and mode' '
	cd k &&
	ctxmgr keys check --format json rsa-enc >out.json &&
	test "$(jq out.json "d[0][\"kind\"]")" = private-key &&
	test "$(jq out.json "d[0][\"format\"]")" = openssh-key-v1 &&
	test "$(jq out.json "d[0][\"encrypted\"]")" = true &&
	test "$(jq out.json "d[0][\"cipher\"]")" = aes256-ctr &&
	test "$(jq out.json "d[0][\"kdf\"]")" = bcrypt &&
	test "$(jq out.json "d[0][\"kdfRounds\"]")" = 64 &&
	test "$(jq out.json "d[0][\"mode\"]")" = 0600 &&
	test "$(jq out.json "d[0][\"owner\"]")" = "$(id -un)" &&
	test "$(jq out.json "d[0][\"comment\"]")" = "$(cut -d" " -f3 rsa-enc.pub)" &&
	ctxmgr keys check --format yaml ed25519256 >out.yaml &&
	test_grep "^  encrypted: false" out.yaml &&
	test_grep "^  mode: \"0600\"" out.yaml &&
	test_grep "^  comment: ed25519-256" out.yaml
'

test_expect_success 'exit status: 0 for ok and warn, 1 on fail; --strict fails warnings' '
	cd k &&
	ctxmgr keys check ed-enc rsa3072.pub >out &&
	ctxmgr keys check ed25519256 >out &&
	test_expect_code 1 ctxmgr keys check --strict ed25519256 >out &&
	test_expect_code 1 ctxmgr keys check ed-enc dsa1024.pub >out &&
	test_grep "2 checked: 1 ok, 0 warn, 1 fail" out
'

test_expect_success '-q prints nothing; the exit status answers' '
	cd k &&
	test_expect_code 1 ctxmgr -q keys check rsa1024 >out 2>err &&
	test ! -s out && test ! -s err &&
	ctxmgr keys check -q ed-enc >out && test ! -s out
'

test_expect_success 'a private key others can read fails, with the fix' '
	cd k && cp ed-enc open && cp ed-enc.pub open.pub &&
	chmod 644 open &&
	test_expect_code 1 ctxmgr keys check open >out &&
	test_grep "fail .*mode 0644: group or others can read or change it" out &&
	test_grep "chmod 600" out
'

test_expect_success 'a private key owned by another user fails' '
	cd k && cp ed-enc theirs && chmod 600 theirs &&
	chown 65534 theirs &&
	test_expect_code 1 ctxmgr keys check --format json theirs >out.json &&
	test "$(jq out.json "d[0][\"uid\"]")" = 65534 &&
	jq out.json "d[0][\"reasons\"][0][\"text\"]" >why &&
	test_grep "not by you (uid $(id -u))" why
'

test_expect_success 'no byte of an unencrypted private key is printed' '
	cd k &&
	for fmt in table json yaml; do
		ctxmgr keys check --format $fmt ed25519256 rsa2048 sec1.pem \
			pkcs8.pem >out.$fmt 2>&1 || :
		for f in ed25519256 rsa2048 sec1.pem pkcs8.pem; do
			no_secret_in out.$fmt $f || exit 1
		done
	done
'

test_expect_success 'authorized_keys: one finding a line, options noted' '
	cd k && {
		echo "# keys for the deploy user"
		cat ed25519256.pub
		echo "restrict,from=\"10.0.0.0/8\" $(cat rsa3072.pub)"
		echo "command=\"docker system dial-stdio\",no-pty $(cat rsa2048.pub)"
		echo "cert-authority $(cat ecdsa256.pub)"
		echo
		cat dsa1024.pub
		echo "no-such-option $(cat ed25519256.pub)"
	} >authorized_keys &&
	test_expect_code 1 ctxmgr keys check --format json authorized_keys >out.json &&
	jq out.json "[\"%s:%d %s %s\" % (x[\"path\"], x[\"line\"], x[\"kind\"], x[\"verdict\"]) for x in d]" >got &&
	cat >want <<-\EOF &&
	authorized_keys:2 authorized-keys ok
	authorized_keys:3 authorized-keys ok
	authorized_keys:4 authorized-keys warn
	authorized_keys:5 authorized-keys fail
	authorized_keys:7 authorized-keys fail
	authorized_keys:8 authorized-keys fail
	EOF
	test_cmp want got &&
	test "$(jq out.json "d[1][\"options\"]")" = "restrict,from=\"10.0.0.0/8\"" &&
	test "$(jq out.json "d[3][\"certAuthority\"]")" = true &&
	jq out.json "d[3][\"reasons\"][0][\"text\"]" >why &&
	test_grep "certificate authority" why &&
	jq out.json "d[5][\"reasons\"][0][\"text\"]" >why &&
	test_grep "unknown option \"no-such-option\"" why
'

test_expect_success 'known_hosts: hashed entries and markers' '
	cd k && {
		echo "git.example.com,192.0.2.1 $(cut -d" " -f1,2 ed25519256.pub)"
		echo "[box]:2222 $(cut -d" " -f1,2 rsa2048.pub)"
		echo "@revoked * $(cut -d" " -f1,2 dsa1024.pub)"
	} >known_hosts &&
	ssh-keygen -q -H -f known_hosts >/dev/null 2>&1 && rm -f known_hosts.old &&
	ctxmgr keys check --format json known_hosts >out.json &&
	jq out.json "[\"%s %s %s\" % (x[\"kind\"], x[\"hosts\"], x[\"verdict\"]) for x in d]" >got &&
	cat >want <<-\EOF &&
	known-hosts (hashed) ok
	known-hosts (hashed) ok
	known-hosts (hashed) warn
	known-hosts * ok
	EOF
	test_cmp want got &&
	test "$(jq out.json "d[3][\"marker\"]")" = @revoked &&
	test "$(jq out.json "d[0][\"hashed\"]")" = true
'

test_expect_success 'an authorized_keys others can write fails as a file' '
	cd k && cp authorized_keys ak2 && chmod 664 ak2 &&
	test_expect_code 1 ctxmgr keys check --format json ak2 >out.json &&
	jq out.json "[x[\"reasons\"][0][\"text\"] for x in d if x[\"kind\"] == \"file\"]" >why &&
	test_grep "mode 0664: group or others can write it and add login keys" why
'

test_expect_success 'certificates: the key, and the CA that signed it' '
	cd k && cp ed-enc.pub user.pub &&
	ssh-keygen -q -s ecdsa256 -I alice -n alice -V +1d user.pub &&
	test_expect_code 0 ctxmgr keys check --format json user-cert.pub >out.json &&
	test "$(jq out.json "d[0][\"certificate\"][\"caType\"]")" = ECDSA &&
	test "$(jq out.json "d[0][\"certificate\"][\"keyId\"]")" = alice &&
	test "$(jq out.json "d[0][\"fingerprint\"]")" = "$(keygen_fp user-cert.pub | cut -d" " -f2)" &&
	ssh-keygen -q -s dsa1024 -I bob -n bob -V +1d -f user.pub 2>/dev/null ||
		ssh-keygen -q -s dsa1024 -I bob -n bob -V +1d user.pub &&
	test_expect_code 1 ctxmgr keys check user-cert.pub >out &&
	test_grep "certificate authority: DSA" out
'

test_expect_success 'the table: columns, colours off when piped' '
	cd k &&
	ctxmgr keys check ed-enc >out &&
	head -n 1 out >header &&
	test_grep "^FILE  *TYPE  *BITS  *FINGERPRINT  *COMMENT  *VERDICT  *REASONS$" header &&
	test_grep "^ed-enc  *ED25519  *256  *SHA256:" out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success '"-" reads standard input: lines or one key' '
	cd k &&
	cat ed25519256.pub rsa1024.pub |
		test_expect_code 1 ctxmgr keys check --format json - >out.json &&
	jq out.json "[\"%s:%d %s\" % (x[\"path\"], x[\"line\"], x[\"verdict\"]) for x in d]" >got &&
	printf "%s\n" "-:1 ok" "-:2 fail" >want &&
	test_cmp want got &&
	ctxmgr keys check --format json - <ed-enc >out.json &&
	test "$(jq out.json "d[0][\"kind\"]")" = private-key &&
	test "$(jq out.json "\"mode\" in d[0]")" = false &&
	test_expect_code 2 ctxmgr keys check - - </dev/null 2>err &&
	test_grep "only once" err
'

# A ~/.ssh as people have it: keys made by ssh-keygen, an ssh_config,
# known_hosts and the known_hosts.old that ssh-keygen -R leaves, an
# authorized_keys, an environment file, the rc script, a ControlPath
# socket and a directory of them.
test_expect_success 'setup: a normal, healthy ~/.ssh in HOME' '
	S=$HOME/.ssh &&
	mkdir -p "$S/sockets" && chmod 700 "$S" &&
	ssh-keygen -q -t ed25519 -N "a long pass phrase" -C me -f "$S/id_ed25519" &&
	ssh-keygen -q -t rsa -b 3072 -N "" -C ci -f "$S/id_rsa" &&
	cat >"$S/config" <<-\EOF &&
	# my hosts
	Host prod
	    HostName prod.example.org
	    User deploy
	    IdentityFile ~/.ssh/id_ed25519
	    IdentitiesOnly yes

	Host *
	    ServerAliveInterval 30
	    ControlMaster auto
	    ControlPath ~/.ssh/sockets/%r@%h:%p
	    HostKeyAlgorithms ssh-ed25519,rsa-sha2-512
	EOF
	ssh-keygen -q -t ed25519 -N "" -f hostkey &&
	echo "[127.0.0.1]:2222 $(cut -d" " -f1,2 hostkey.pub)" >"$S/known_hosts" &&
	echo "old.example.org $(cut -d" " -f1,2 k/rsa1024.pub)" >"$S/known_hosts.old" &&
	cp "$S/id_ed25519.pub" "$S/authorized_keys" &&
	echo "LANG=C.UTF-8" >"$S/environment" &&
	printf "if read proto cookie; then\n  echo add :0 \$proto \$cookie | xauth -q -\nfi\n" >"$S/rc" &&
	python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$S/cm-me@prod:22" &&
	chmod 600 "$S"/* && chmod 700 "$S/sockets" &&
	test -S "$S/cm-me@prod:22"
'

test_expect_success 'keys check ~/.ssh/* passes on it: the other files are skipped with a note' '
	ctxmgr keys check "$HOME"/.ssh/* >out &&
	test_grep "^4 checked: 3 ok, 1 warn, 0 fail; 8 skipped (not key files)$" out &&
	test_grep "/config .* skip .*an ssh_config file" out &&
	test_grep "/known_hosts.old .* skip .*old copy" out &&
	test_grep "/id_ed25519.pub .* skip .*the public half of" out &&
	test_grep "/cm-me@prod:22 .* skip .*a socket" out &&
	test_grep "/sockets .* skip .*a directory" out &&
	test_grep "/environment .* skip .*environment file" out &&
	test_grep "/rc .* skip .*rc script" out &&
	ctxmgr keys check --format json "$HOME"/.ssh/* >out.json &&
	jq out.json "[x[\"verdict\"] for x in d if x[\"verdict\"] == \"skip\"]" >skips &&
	test $(wc -l <skips) = 8
'

test_expect_success 'keys check with no path checks ~/.ssh itself' '
	ctxmgr keys check >out &&
	test_grep "^4 checked: 3 ok, 1 warn, 0 fail; 8 skipped" out &&
	test_grep "/id_ed25519 .*ED25519 .* ok" out &&
	test_grep "/authorized_keys:1 " out &&
	test_grep "/known_hosts:1 " out &&
	test_expect_code 1 ctxmgr keys check --strict >out &&
	test_grep "/id_rsa .* warn .*not encrypted" out
'

test_expect_success 'a bad key in ~/.ssh still fails; a lone .pub is checked' '
	test_when_finished "rm -f \"$HOME/.ssh/old_dsa\" \"$HOME/.ssh/old_dsa.pub\"" &&
	cp k/dsa1024 k/dsa1024.pub "$HOME/.ssh/" &&
	mv "$HOME/.ssh/dsa1024" "$HOME/.ssh/old_dsa" &&
	mv "$HOME/.ssh/dsa1024.pub" "$HOME/.ssh/old_dsa.pub" &&
	test_expect_code 1 ctxmgr keys check >out &&
	test_grep "/old_dsa .* fail" out &&
	test_expect_code 1 ctxmgr keys check "$HOME/.ssh/old_dsa.pub" >out &&
	test_grep "/old_dsa.pub .* fail" out
'

test_expect_success 'no ~/.ssh at all: a clear error' '
	HOME=$TRASH/nohome test_expect_code 1 ctxmgr keys check 2>err &&
	test_grep "cannot read \".*/nohome/.ssh\"" err
'
test_done
