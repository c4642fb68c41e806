#!/bin/bash
test_description='the man page as man(1) renders it: headings whole, ENVIRONMENT complete'
. "$(dirname "$0")/../lib/test-lib.sh"

command -v man >/dev/null && command -v groff >/dev/null ||
	test_fatal "man and groff are needed (run scripts/install-deps)"

test_expect_success 'render the page with man -l (groff), wide and at 80 columns' '
	ctxmgr manpage >ctxmgr.1 &&
	MANWIDTH=400 man -l ctxmgr.1 >wide 2>err &&
	test_must_fail test -s err &&
	MANWIDTH=80 man -l ctxmgr.1 >page 2>err &&
	test_must_fail test -s err &&
	test_grep "^ENVIRONMENT$" page
'

test_expect_success 'a usage of several lines renders as lines, the summary after' '
	grep -n -A3 "^   ctxmgr audit \[NAME\]" wide >audit &&
	test_grep "^[0-9]*-       ctxmgr audit --all | --filter KEY=VALUE... \[-j N\] \.\.\.$" audit &&
	test_grep "^[0-9]*-       ctxmgr audit image IMAGE | seccomp FILE | checks | explain CHECK$" audit &&
	test_grep "^[0-9]*-       audit a Docker daemon.s exposure, configuration and containers\.$" audit &&
	test_must_fail grep "checks\" audit" page &&
	test_must_fail grep "checks\" audit" wide
'

test_expect_success 'every command: its heading and its summary on lines of their own' '
	ctxmgr help | sed -n "/^commands:/,/^$/p" | sed "1d;/^$/d" >commands &&
	while read -r name summary; do
		grep -q "^   ctxmgr $name\( \|$\)" wide ||
			{ echo "no heading for $name"; exit 1; }
		# a group (tunnel, ca, ...) has only its subcommands'"'"' sections
		ctxmgr $name --help | grep -q "^commands:$" && continue
		grep -qxF "       $summary." wide ||
			{ echo "summary of $name is not a line: $summary"; exit 1; }
	done <commands &&
	test_must_fail grep -n "^   ctxmgr .*\"" wide
'

# Every CTXMGR_* variable the program reads.
test_expect_success 'ENVIRONMENT names every CTXMGR_ variable the program reads' '
	sed -n "/^ENVIRONMENT$/,/^EXIT STATUS$/p" wide >env &&
	grep -rhoE "\"CTXMGR_[A-Z_]+\"" "$SRC_ROOT/ctxmgr" "$SRC_ROOT/common" \
		"$SRC_ROOT/store" "$SRC_ROOT/tunnel" "$SRC_ROOT/keystore" \
		"$SRC_ROOT/audit" --include="*.[ch]" | tr -d "\"" |
		grep -v "_H$" | sort -u >vars &&
	test_grep -x CTXMGR_SHELL vars &&
	test_grep -x CTXMGR_PASSPHRASE_FILE vars &&
	while read -r v; do
		grep -q "^       $v$" env || { echo "ENVIRONMENT lacks $v"; exit 1; }
	done <vars &&
	for v in DOCKER_CONFIG DOCKER_HOST DOCKER_CONTEXT NO_COLOR XDG_STATE_HOME; do
		grep -q "^       $v$" env || { echo "ENVIRONMENT lacks $v"; exit 1; }
	done
'

test_expect_success 'the environment entries have their text under them' '
	grep -A1 "^       CTXMGR_SHELL_PREVIOUS$" env >entry &&
	test_grep "^              The shell.s DOCKER_CONTEXT before its last use --shell" entry
'
test_done
