#!/bin/bash
test_description='the man page follows the table; make install puts everything where it belongs'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'docs/ctxmgr.1 is what "ctxmgr manpage" prints' '
	ctxmgr manpage >gen.1 &&
	if ! cmp -s "$SRC_ROOT/docs/ctxmgr.1" gen.1; then
		echo "docs/ctxmgr.1 is stale: run \"make completions\"" >&2
		diff -u "$SRC_ROOT/docs/ctxmgr.1" gen.1 | head -n 40 >&2
		false
	fi
'

test_expect_success 'the man page is clean roff and names every command and option' '
	groff -man -ww -z gen.1 2>warn && test_must_fail test -s warn &&
	MANWIDTH=100 man -l gen.1 >page 2>/dev/null &&
	# man justifies lines: one or more spaces between the words
	test_grep "ctxmgr  *import-hosts  *FILE" page &&
	test_grep "ctxmgr  *config  *show" page &&
	test_grep -- "--dry-run" page &&
	test_grep -- "--strict-host-key-checking" page &&
	ctxmgr help | sed -n "/^commands:/,/^$/p" | awk "NF {print \$1}" |
		sed 1d >commands &&
	while read -r c; do
		grep -q "^   ctxmgr  *$c" page || { echo "no $c"; exit 1; }
	done <commands
'

test_expect_success 'make install with DESTDIR and PREFIX' '
	make -s -C "$SRC_ROOT" install-files BIN="$CTXMGR" \
		DESTDIR="$TRASH/dest" PREFIX=/opt/cm >install.log 2>&1 &&
	r=$TRASH/dest/opt/cm &&
	test -x "$r/bin/ctxmgr" &&
	test "$(stat -c %a "$r/bin/ctxmgr")" = 755 &&
	test "$(stat -c %a "$r/libexec/ctxmgr/ctxmgr-full")" = 755 &&
	! test -e "$r/bin/ctxmgr-full" &&
	cmp "$r/share/man/man1/ctxmgr.1" gen.1 &&
	cmp "$r/share/bash-completion/completions/ctxmgr" "$SRC_ROOT/completions/ctxmgr.bash" &&
	cmp "$r/share/zsh/site-functions/_ctxmgr" "$SRC_ROOT/completions/_ctxmgr" &&
	cmp "$r/share/fish/vendor_completions.d/ctxmgr.fish" "$SRC_ROOT/completions/ctxmgr.fish" &&
	for f in share/man/man1/ctxmgr.1 share/bash-completion/completions/ctxmgr \
		share/zsh/site-functions/_ctxmgr \
		share/fish/vendor_completions.d/ctxmgr.fish; do
		test "$(stat -c %a "$r/$f")" = 644 || exit 1
	done &&
	"$r/bin/ctxmgr" version >/dev/null
'

test_expect_success 'the installed front runs the full binary from libexec' '
	r=$TRASH/dest/opt/cm &&
	"$r/bin/ctxmgr" --version >v &&
	test_grep "^libssh2 " v &&
	"$r/bin/ctxmgr" show >s && test "$(cat s)" = default &&
	"$r/bin/ctxmgr" keys check --help >h && test_grep "usage: ctxmgr keys check" h
'

test_expect_success 'the installed pieces work from their places' '
	r=$TRASH/dest/opt/cm &&
	ctxmgr create prod --host ssh://a@prod.example.com -q >/dev/null &&
	MANPATH="$r/share/man" man -w ctxmgr >where &&
	test_grep "$r/share/man/man1/ctxmgr.1" where &&
	PATH="$r/bin:$PATH" bash -c "
		. $r/share/bash-completion/completions/ctxmgr
		COMP_WORDS=(ctxmgr use pr); COMP_CWORD=2; _ctxmgr
		echo \${COMPREPLY[*]}" >out &&
	test "$(cat out)" = prod &&
	PATH="$r/bin:$PATH" fish -N -c "
		set fish_complete_path $r/share/fish/vendor_completions.d \$fish_complete_path
		complete -C \"ctxmgr use pr\"" >out &&
	test "$(cat out)" = prod &&
	zsh -n "$r/share/zsh/site-functions/_ctxmgr"
'
test_done
