#!/bin/bash
test_description='password check: zxcvbn score, NIST SP 800-63B, never the password itself'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-keys.sh"

test_expect_success 'a strong passphrase passes' '
	echo "correct horse battery staple" |
		ctxmgr password check --stdin >out &&
	test_grep "^score:       4 of 4 (very strong); 3 needed" out &&
	test_grep "^entropy:     70.3 bits" out &&
	test_grep "^NIST:        28 characters, long enough" out &&
	test_grep "^verdict:     ok" out
'

test_expect_success 'a common password fails with feedback, and exit 1' '
	echo "P@ssw0rd!" >pw &&
	test_expect_code 1 ctxmgr password check --stdin <pw >out &&
	test_grep "^score:       0 of 4 (very weak)" out &&
	test_grep "dictionary word (l33t)" out &&
	test_grep "l33t substitutions" out &&
	test_grep "Use at least 15 characters" out &&
	test_grep "^verdict:     fail" out
'

test_expect_success '--min-score moves the bar' '
	echo "Tr0ub4dor&3" >pw &&
	ctxmgr password check --stdin --min-length 11 <pw >out &&
	test_grep "^score:       4 of 4" out &&
	echo "vintage2019!" >pw &&
	test_expect_code 1 ctxmgr password check --stdin --min-length 12 <pw >out &&
	ctxmgr password check --stdin --min-score 1 --min-length 12 <pw >out &&
	test_expect_code 2 ctxmgr password check --stdin --min-score 5 <pw 2>err &&
	test_grep "0 to 4" err
'

test_expect_success 'below 15 characters fails by default (NIST SP 800-63B rev. 4)' '
	echo "Tr0ub4dor&3" >pw &&
	test_expect_code 1 ctxmgr password check --stdin <pw >out &&
	test_grep "^NIST:        11 characters, too short" out &&
	test_grep "^verdict:     fail" out &&
	! grep -q "^warning:" out &&
	test_expect_code 1 ctxmgr password check --stdin --strict <pw >out &&
	test_expect_code 1 ctxmgr -q password check --stdin <pw >out &&
	! test -s out &&
	echo "correct horse bat" >pw &&
	ctxmgr password check --stdin <pw >out &&
	test_grep "^verdict:     ok" out
'

test_expect_success '--min-length lowers the bar, with a warning in the output' '
	echo "Tr0ub4dor&3" >pw &&
	ctxmgr password check --stdin --min-length 11 <pw >out &&
	test_grep "^warning:     --min-length 11 is below NIST SP 800-63B.s 15" out &&
	test_grep "^verdict:     warn" out &&
	test_expect_code 1 ctxmgr password check --stdin --min-length 12 <pw >out &&
	ctxmgr password check --stdin --min-length 11 --format json <pw >out.json 2>err &&
	test "$(jq out.json "d[\"minLength\"]")" = 11 &&
	test_grep "warning: --min-length 11 is below" err &&
	test_expect_code 2 ctxmgr password check --stdin --min-length 0 <pw 2>err &&
	test_grep "1 to 4096" err
'

test_expect_success 'json: every figure, the NIST and classic policies' '
	echo "Tr0ub4dor&3" >pw &&
	ctxmgr password check --stdin --min-length 11 --format json <pw >out.json &&
	test "$(jq out.json "d[\"score\"]")" = 4 &&
	test "$(jq out.json "d[\"length\"]")" = 11 &&
	test "$(jq out.json "d[\"classes\"]")" = 4 &&
	test "$(jq out.json "d[\"nist\"][\"minLength\"]")" = 15 &&
	test "$(jq out.json "d[\"nist\"][\"lengthOk\"]")" = false &&
	test "$(jq out.json "d[\"classic\"][\"advisory\"]")" = true &&
	test "$(jq out.json "d[\"verdict\"]")" = warn &&
	jq out.json "sorted(d.keys())" >keys &&
	for k in bits log10Guesses crackSecondsFastHash crackTimeFastHash \
		crackSecondsSlowHash crackTimeSlowHash weaknesses feedback; do
		test_grep -x "$k" keys || exit 1
	done &&
	ctxmgr password check --stdin --min-length 11 --format yaml <pw >out.yaml &&
	test_grep "^score: 4" out.yaml
'

test_expect_success 'the password is never printed, in any format' '
	for pw in "hunter2hunter2" "Tr0ub4dor&3" "correct horse battery staple"; do
		for fmt in table json yaml; do
			echo "$pw" | ctxmgr password check --stdin --format $fmt \
				>out 2>&1 || :
			! grep -F -q "$pw" out || exit 1
		done
	done
'

test_expect_success 'user, host and context names count as dictionary words' '
	echo "Zanzibar7Quokka!Lumen" >pw &&
	ctxmgr password check --stdin --format json <pw >before.json &&
	ctxmgr password check --stdin --format json --user zanzibar <pw >user.json &&
	test "$(jq user.json "[w[\"kind\"] for w in d[\"weaknesses\"]][0]")" = "user, host or context name" &&
	python3 -c "import json; a = json.load(open(\"before.json\")); b = json.load(open(\"user.json\")); assert b[\"bits\"] < a[\"bits\"]" &&
	echo "lumenquokka1" >pw &&
	ctxmgr password check --stdin --format json <pw >before.json || :
	jq before.json "[w[\"kind\"] for w in d[\"weaknesses\"]]" >kinds &&
	! grep -q "user, host or context name" kinds &&
	ctxmgr create quokka-prod --host ssh://deploy@lumen.example.org &&
	ctxmgr password check --stdin --min-length 12 --format json <pw >ctx.json &&
	jq ctx.json "[w[\"kind\"] for w in d[\"weaknesses\"]]" >kinds &&
	test_grep "user, host or context name" kinds &&
	python3 -c "import json; a = json.load(open(\"before.json\")); b = json.load(open(\"ctx.json\")); assert b[\"bits\"] < a[\"bits\"]" &&
	jq ctx.json "d[\"feedback\"]" >fb &&
	test_grep "Leave out user, host and context names" fb
'

test_expect_success 'a 10 MB password on stdin: a clear error, no crash' '
	head -c 10485760 /dev/zero | tr "\\0" a >big &&
	test_expect_code 1 ctxmgr password check --stdin <big >out 2>err &&
	test_grep "^ctxmgr: the password on standard input is longer than 4096 bytes$" err &&
	test ! -s out
'

test_expect_success 'empty, several lines, or a NUL: clear errors' '
	test_expect_code 1 ctxmgr password check --stdin </dev/null 2>err &&
	test_grep "the password is empty" err &&
	echo >nl && test_expect_code 1 ctxmgr password check --stdin <nl 2>err &&
	test_grep "the password is empty" err &&
	printf "one\ntwo\n" >two &&
	test_expect_code 1 ctxmgr password check --stdin <two 2>err &&
	test_grep "more than one line" err &&
	printf "a\0b" >nul &&
	test_expect_code 1 ctxmgr password check --stdin <nul 2>err &&
	test_grep "NUL" err
'

test_expect_success 'the terminal: read without echo' '
	"$PTY_FEED" "correct horse battery staple" -- "$CTXMGR" password check >out &&
	test_grep "^Password: " out &&
	test_grep "verdict:     ok" out &&
	! grep -q "correct horse" out
'

test_expect_success '--stdin on a terminal is refused: it would echo' '
	test_expect_code 2 "$PTY_FEED" -- sh -c "\"$CTXMGR\" password check --stdin </dev/tty" >out &&
	test_grep "leave out --stdin" out
'

test_expect_success 'no terminal and no --stdin: a usage error' '
	test_expect_code 2 setsid -w "$CTXMGR" password check </dev/null 2>err &&
	test_grep "use --stdin" err
'
test_done
