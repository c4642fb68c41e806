# lib-keys.sh: helpers for the key and password tests (t02xx).  Sourced
# after test-lib.sh.

PTY_FEED="$TEST_LIB_DIR/pty-feed.py"
HELPERS="$(dirname "$CTXMGR")/tests/helpers"

# jq FILE EXPR: evaluate a Python expression over the JSON in FILE (as
# `d`) and print the result; lists print one item a line.
jq() {
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
if isinstance(v, list):
    for x in v:
        print(x)
elif isinstance(v, bool):
    print("true" if v else "false")
else:
    print(v)
PY
}

# keygen_fp FILE: "BITS FINGERPRINT TYPE" as ssh-keygen -l says them.
keygen_fp() {
	ssh-keygen -l -f "$1" | awk '{ print $1, $2, $NF }'
}

# The base64 lines of a private key file (what must never be printed).
secret_lines() {
	grep -v -e '^-----' -e '^Proc-Type' -e '^DEK-Info' -e '^$' "$1"
}

# no_secret_in FILE KEY: FILE shows no line of KEY's body.
no_secret_in() {
	secret_lines "$2" >"$TRASH/.secret-lines"
	if grep -F -f "$TRASH/.secret-lines" "$1" >/dev/null; then
		echo "secret material of $2 found in $1" >&2
		return 1
	fi
}
