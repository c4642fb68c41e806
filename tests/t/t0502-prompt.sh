#!/bin/bash
test_description='ctxmgr prompt, and the README prompt snippets for bash and zsh'
. "$(dirname "$0")/../lib/test-lib.sh"

BIN_DIR=$TRASH/bin-ctxmgr
mkdir -p "$BIN_DIR" && ln -s "$CTXMGR" "$BIN_DIR/ctxmgr"
PATH=$BIN_DIR:$PATH

# The code block that follows the README line starting with $1.
readme_block() {
	awk -v start="$1" '
		index($0, start) == 1 { found = 1; next }
		found && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' "$SRC_ROOT/README.md"
}

test_expect_success 'prompt: empty for default, the name otherwise' '
	ctxmgr prompt >out && test_must_fail test -s out &&
	ctxmgr create prod --host ssh://a@prod.example.com -q >/dev/null &&
	ctxmgr use prod -q >/dev/null &&
	test "$(ctxmgr prompt)" = prod &&
	test "$(DOCKER_CONTEXT=default ctxmgr prompt)" = "" &&
	test "$(DOCKER_HOST=unix:///x ctxmgr prompt)" = ""
'

test_expect_success 'prompt needs no context metadata: only config.json' '
	chmod 000 "$DOCKER_CONFIG/contexts" &&
	test "$(ctxmgr prompt)" = prod &&
	chmod 755 "$DOCKER_CONFIG/contexts"
'

test_expect_success 'the README bash snippet' '
	readme_block "bash (\`~/.bashrc\`):" >snippet.bash &&
	test_grep __ctxmgr_ps1 snippet.bash &&
	bash -c ". ./snippet.bash; echo \"\${PS1@P}\"" >out &&
	test_grep "^\[prod\] " out &&
	ctxmgr use default -q >/dev/null &&
	bash -c "PS1=\"\\\$ \"; . ./snippet.bash; echo \"\${PS1@P}\"" >out &&
	test "$(cat out)" = "\$ " &&
	ctxmgr use prod -q >/dev/null
'

test_expect_success 'the README zsh snippet' '
	readme_block "zsh (\`~/.zshrc\`):" >snippet.zsh &&
	test_grep prompt_subst snippet.zsh &&
	zsh -f -c "PROMPT=\"%# \"; . ./snippet.zsh; print -P \"\$PROMPT\"" >out &&
	test_grep "^\[prod\] " out
'

test_expect_success 'the README starship module runs ctxmgr prompt' '
	readme_block "[starship]" >starship.toml &&
	test_grep "command = \"ctxmgr prompt\"" starship.toml &&
	test_grep "format = \"\[(" starship.toml
'
test_done
