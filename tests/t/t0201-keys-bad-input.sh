#!/bin/bash
test_description='keys check on hostile files: a fail finding with a clear reason, no crash, no secret'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-keys.sh"

test_expect_success 'setup: good keys, then damaged copies' '
	ssh-keygen -q -t ed25519 -N "" -C plain -f plain &&
	ssh-keygen -q -t rsa -b 2048 -N "x y z w" -f enc &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out ec.pem &&
	chmod 600 ec.pem &&
	# truncated: half the file, and the END line cut off
	head -c 200 plain >truncated && head -n 5 enc >truncated-enc &&
	head -c 150 ec.pem >truncated.pem &&
	# corrupted: one base64 character changed in the private part
	sed "4s/^\(.....\)./\1!/" plain >corrupt-b64 &&
	python3 - <<-\PY &&
	import base64
	lines = open("plain").read().splitlines()
	raw = bytearray(base64.b64decode("".join(lines[1:-1])))
	def armour(b, name):
	    t = base64.b64encode(bytes(b)).decode()
	    body = "\n".join(t[i:i + 70] for i in range(0, len(t), 70))
	    open(name, "w").write("-----BEGIN OPENSSH PRIVATE KEY-----\n" +
	        body + "\n-----END OPENSSH PRIVATE KEY-----\n")
	bad = bytearray(raw); bad[-40] ^= 0xff; armour(bad, "corrupt-priv")
	# the public key length points far past the end
	bad = bytearray(raw); i = raw.index(b"\x00\x00\x00\x33\x00\x00\x00\x0bssh-ed25519")
	bad[i:i + 4] = b"\x7f\xff\xff\xff"; armour(bad, "len-past-end")
	# an unknown cipher and an unknown key type
	armour(raw.replace(b"\x00\x00\x00\x04none", b"\x00\x00\x00\x04nope", 1),
	    "unknown-cipher")
	armour(raw.replace(b"ssh-ed25519", b"ssh-ed99999"), "unknown-type")
	PY
	head -c 2000000 /dev/urandom | base64 >oversized &&
	cp /bin/true binary &&
	printf "%s\n" "-----BEGIN CERTIFICATE-----" "MIIB" \
		"-----END CERTIFICATE-----" >cert.pem &&
	echo "{\"not\": \"a key\"}" >wrong.json &&
	echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI!!!garbage!!!" >garbage.pub &&
	echo "ssh-ed25519 QUJDRA==" >short.pub &&
	echo "ssh-foo25519 AAAAC3NzaC1lZDI1NTE5AAAA plain" >unknown.pub &&
	: >empty &&
	chmod 600 * &&
	mkfifo fifo && mkdir adir && ln -s loop loop
'

# each line: file, then a phrase its reason must hold
while read -r file reason; do
	[ -n "$file" ] || continue
	test_expect_success "fail finding for $file" "
		test_expect_code 1 ctxmgr keys check --format json $file >out.json 2>err &&
		test ! -s err &&
		test \"\$(jq out.json 'len(d)')\" = 1 &&
		test \"\$(jq out.json 'd[0][\"verdict\"]')\" = fail &&
		jq out.json 'd[0][\"reasons\"][0][\"text\"]' >why &&
		test \$(wc -l <why) = 1 &&
		test_grep -i \"$reason\" why &&
		test_expect_code 1 ctxmgr keys check $file >out.txt 2>&1 &&
		no_secret_in out.json plain && no_secret_in out.txt plain &&
		no_secret_in out.json enc
	"
done <<'CASES'
truncated truncated
truncated-enc truncated
truncated.pem corrupted or truncated
corrupt-b64 base64
corrupt-priv corrupt
len-past-end truncated
unknown-cipher unknown cipher
unknown-type unknown key type
oversized larger than 1048576 bytes
binary binary data
cert.pem CERTIFICATE
wrong.json unknown option
garbage.pub base64
short.pub truncated
unknown.pub unknown key type
empty no SSH key
fifo not a regular file
loop cannot open
missing cannot open
CASES

test_expect_success 'every truncation of a private key: a fail finding, never a crash' '
	n=$(wc -c <enc) i=1 &&
	while [ $i -lt $n ]; do
		head -c $i enc >cut && chmod 600 cut &&
		test_expect_code 1 ctxmgr keys check -q cut || exit 1
		i=$((i + 97))
	done
'

test_expect_success 'the other files are still checked after a bad one' '
	test_expect_code 1 ctxmgr keys check --format json missing plain.pub binary enc >out.json &&
	jq out.json "[x[\"verdict\"] for x in d]" >got &&
	printf "%s\n" fail ok fail warn >want &&
	test_cmp want got
'

test_expect_success 'control characters in a key comment or option stay harmless' '
	printf "restrict,command=\"\033]0;owned\007\" %s x\033[2Jy\n" \
		"$(cut -d" " -f1,2 plain.pub)" >authorized_keys &&
	ctxmgr keys check authorized_keys >out &&
	! grep -q "$(printf "\033")" out &&
	ctxmgr keys check --format json authorized_keys >out.json &&
	test "$(jq out.json "d[0][\"comment\"]")" = "x?[2Jy"
'
test_done
