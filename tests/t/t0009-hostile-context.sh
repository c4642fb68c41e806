#!/bin/bash
test_description='hostile contexts: endpoints that are not URLs, shell quoting, terminal escapes'
. "$(dirname "$0")/../lib/test-lib.sh"

# The endpoint the attacking review used (issue 14, finding 1), and one
# without spaces that only a character check can stop.
EVIL="tcp://staging:2376\\';echo PWNED > $TRASH/pwned;#"
EVIL2="tcp://staging:2376\\';touch\${IFS}$TRASH/pwned2;#"

# mk_archive FILE HOST [SETTINGS-JSON]: an export archive naming HOST.
mk_archive() {
	python3 - "$@" <<'PY'
import io, json, sys, tarfile
out, host = sys.argv[1], sys.argv[2]
meta = {"Name": "x", "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}
data = json.dumps(meta).encode()
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    ti = tarfile.TarInfo("meta.json"); ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
PY
}

# plant NAME HOST [DESCRIPTION]: a meta.json written by someone else.
plant() {
	mkdir -p "$DOCKER_CONFIG/contexts/meta/$(ctx_dir "$1")" &&
	python3 -c '
import json, sys
name, host, desc = sys.argv[1], sys.argv[2], sys.argv[3]
m = {"Name": name, "Metadata": {"Description": desc} if desc else {},
     "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": False}}}
sys.stdout.write(json.dumps(m))' "$1" "$2" "${3:-}" \
		>"$DOCKER_CONFIG/contexts/meta/$(ctx_dir "$1")/meta.json"
}

test_expect_success 'setup: one good context' '
	ctxmgr create good --host tcp://h:2376
'

test_expect_success 'import refuses an endpoint that is not a URL' '
	for h in "$EVIL" "$EVIL2" "unix:///tmp/a\$(id)" "tcp://h:1\`id\`" \
		"ssh://u@h/x;id" "npipe:////./pipe/a'"'"'b"; do
		mk_archive evil.tar "$h" &&
		store_snapshot >before &&
		test_must_fail ctxmgr import staging evil.tar 2>err &&
		test_grep "not a valid URL" err &&
		test $(wc -l <err) -eq 1 &&
		store_snapshot >after && test_cmp before after || return 1
	done &&
	test ! -e pwned && test ! -e pwned2
'

test_expect_success 'a fine archive still imports, npipe too' '
	mk_archive ok.tar tcp://staging:2376 &&
	ctxmgr import staging ok.tar &&
	mk_archive np.tar npipe:////./pipe/docker_engine &&
	ctxmgr import win np.tar &&
	ctxmgr rm win staging
'

test_expect_success 'create and update refuse such endpoints for every scheme' '
	store_snapshot >before &&
	for h in "$EVIL2" "unix:///tmp/a'"'"';id" "unix:///tmp/x|y" \
		"tcp://h:2376\\" "ssh://h/\$(id)"; do
		test_must_fail ctxmgr create bad --host "$h" 2>err &&
		test_grep "not allowed" err &&
		test_must_fail ctxmgr update good --host "$h" 2>err &&
		test_grep "not allowed" err || return 1
	done &&
	store_snapshot >after && test_cmp before after
'

test_expect_success 'a planted meta.json with such an endpoint is refused when loaded' '
	plant staging "$EVIL2" &&
	ctxmgr ls >out &&
	test_grep "^staging .*not a valid URL" out &&
	! grep -F "touch" out &&
	test_must_fail ctxmgr env staging --shell fish >env.fish 2>err &&
	test_grep "not a valid URL" err &&
	test ! -s env.fish &&
	test_must_fail ctxmgr inspect staging 2>err &&
	test_must_fail ctxmgr use staging 2>err &&
	test_grep "not a valid URL" err &&
	ctxmgr rm staging &&
	test ! -e pwned2
'

# What each shell sees after evaluating `ctxmgr env`: the default context
# prints DOCKER_HOST as given, the simplest way to get quotes and
# backslashes through.
WEIRD=$(cat <<'EOW'
unix:///tmp/it's a \' test\\ $HOME `id`;# \
EOW
)

test_expect_success 'fish sees the exact value (fish quoting rules)' '
	DOCKER_HOST="$WEIRD" ctxmgr env default --shell fish >env.fish &&
	fish --no-config -c "source env.fish; printf %s \$DOCKER_HOST" >got &&
	printf %s "$WEIRD" >want &&
	test_cmp want got
'

test_expect_success 'bash, dash and zsh see the exact value' '
	DOCKER_HOST="$WEIRD" ctxmgr env default >env.sh &&
	printf %s "$WEIRD" >want &&
	for sh in bash dash zsh; do
		$sh -c ". ./env.sh; printf %s \"\$DOCKER_HOST\"" >got &&
		test_cmp want got || return 1
	done
'

test_expect_success 'a TLS cert path with quotes and backslashes survives every shell' '
	cfg="$TRASH/it'"'"'s\\x" &&
	mkdir -p "$cfg" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.pem -subj /CN=ca -days 1 2>/dev/null &&
	DOCKER_CONFIG="$cfg" ctxmgr create tls --host tcp://h:2376 --ca ca.pem &&
	DOCKER_CONFIG="$cfg" ctxmgr env tls --shell fish >env.fish &&
	DOCKER_CONFIG="$cfg" ctxmgr env tls >env.sh &&
	fish --no-config -c "source env.fish; printf %s \$DOCKER_CERT_PATH" >got.fish &&
	bash -c ". ./env.sh; printf %s \"\$DOCKER_CERT_PATH\"" >got.sh &&
	test_cmp got.fish got.sh &&
	case "$(cat got.fish)" in "$cfg"/contexts/tls/*/docker) ;; *) false ;; esac
'

test_expect_success 'C1 controls in a description never reach the terminal' '
	plant c1 tcp://h:1 "$(printf "a\302\2332Jb \033[31mred")" &&
	ctxmgr ls >out &&
	! grep -q "$(printf "\302\233")" out &&
	! grep -q "$(printf "\033")" out &&
	test_grep -F "a\\u009b2Jb \\x1b[31mred" out &&
	ctxmgr ls --format json >out.json &&
	python3 -c "import json; d=[c for c in json.load(open(\"out.json\")) if c[\"Name\"]==\"c1\"][0]; assert d[\"Description\"] == \"a\\u009b2Jb \\u001b[31mred\", repr(d)"
'
test_expect_success 'error messages escape what they quote' '
	bad="$(printf "a\033]0;pwned\007b\302\233c\377")" &&
	test_must_fail ctxmgr import imp "$bad" 2>err &&
	! grep -q "$(printf "\033")" err &&
	! grep -q "$(printf "\302\233")" err &&
	! grep -q "$(printf "\377")" err &&
	test_grep -F "a\x1b]0;pwned\x07b\u009bc\xff" err
'
test_done
