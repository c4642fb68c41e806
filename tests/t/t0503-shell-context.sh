#!/bin/bash
test_description='per-shell contexts: ctxmgr init bash|zsh|fish and use --shell in real interactive shells'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tmux.sh"

# the shells run the program by name, as a user's would
BIN_DIR=$TRASH/bin-ctxmgr
mkdir -p "$BIN_DIR" && ln -s "$CTXMGR" "$BIN_DIR/ctxmgr"
PATH=$BIN_DIR:$PATH
export PATH

current_in_config() {
	sed -n 's/.*"currentContext": *"\([^"]*\)".*/\1/p' "$DOCKER_CONFIG/config.json"
}

test_expect_success 'setup: a dockerd, a context to it and two others' '
	use_dockerd &&
	ctxmgr create live --host "unix://$DOCKERD_SOCK" -q >/dev/null &&
	ctxmgr create web --host unix:///nonexistent/web.sock -q >/dev/null &&
	ctxmgr create ci --host unix:///nonexistent/ci.sock -q >/dev/null &&
	ctxmgr use ci -q >/dev/null &&
	docker -H "unix://$DOCKERD_SOCK" info --format "{{.ID}}" >daemon-id &&
	test -s daemon-id
'

test_expect_success 'use --shell without the function says how to load it' '
	test_expect_code 2 ctxmgr use --shell web 2>err &&
	test_grep "ctxmgr init bash" err &&
	test_grep "ctxmgr init fish | source" err &&
	test "$(current_in_config)" = ci
'

test_expect_success 'init rejects an unknown shell' '
	test_expect_code 2 ctxmgr init tcsh 2>err &&
	test_grep "bash" err
'

# run_shell NAME CMD: start CMD in tmux and wait for it to take input
run_shell() {
	tmux_start "cd '$TRASH' && env PATH='$PATH' $2" &&
	sleep 0.3
}

# type_line TEXT: type one command line and Enter
type_line() {
	tmux_type "$1" && tmux_keys Enter
}

# A check run inside the shell, into out-$1: what ctxmgr and the docker
# CLI (the daemon's ID through a unix:// context) see there.
posix_probe='{ echo "show=$(ctxmgr show)"; echo "docker=$(docker context show)"; echo "prompt=$(ctxmgr prompt)"; echo "id=$(docker info --format {{.ID}} 2>/dev/null)"; echo "dc=${DOCKER_CONTEXT-unset}"; }'
fish_probe='begin; echo "show="(ctxmgr show); echo "docker="(docker context show); echo "prompt="(ctxmgr prompt); echo "id="(docker info --format "{{.ID}}" 2>/dev/null); set -q DOCKER_CONTEXT; and echo "dc=$DOCKER_CONTEXT"; or echo dc=unset; end'

# check_switched FILE: the shell was on "live" while the rest stayed on ci
check_switched() {
	test_grep "^show=live$" "$1" &&
	test_grep "^docker=live$" "$1" &&
	test_grep "^prompt=live$" "$1" &&
	test_grep "^id=$(cat daemon-id)$" "$1" &&
	test_grep "^dc=live$" "$1" &&
	test "$(ctxmgr show)" = ci &&
	test "$(docker context show)" = ci &&
	test "$(current_in_config)" = ci
}

# check_back FILE: after "use --shell -" the shell follows config.json
check_back() {
	test_grep "^show=ci$" "$1" &&
	test_grep "^docker=ci$" "$1" &&
	test_grep "^dc=unset$" "$1"
}

for sh in bash zsh; do
	case $sh in
	bash) cmd="bash --norc --noprofile -i" ;;
	zsh) cmd="zsh -f -i" ;;
	esac
	test_expect_success "$sh -i: use --shell switches this shell only" '
		run_shell '"$sh"' "'"$cmd"'" &&
		type_line "eval \"\$(ctxmgr init '"$sh"')\"" &&
		type_line "ctxmgr use -s live && $posix_probe >out-'"$sh"'-1 2>&1; echo step1 >done-'"$sh"'-1" &&
		wait_for 10 test -s done-'"$sh"'-1 &&
		check_switched out-'"$sh"'-1
	'
	test_expect_success "$sh -i: use --shell - returns, plain use stays global" '
		type_line "ctxmgr use --shell - && $posix_probe >out-'"$sh"'-2 2>&1; ctxmgr use web -q; $posix_probe >out-'"$sh"'-3 2>&1; ctxmgr use ci -q; echo step2 >done-'"$sh"'-2" &&
		wait_for 10 test -s done-'"$sh"'-2 &&
		check_back out-'"$sh"'-2 &&
		test_grep "^show=web$" out-'"$sh"'-3 &&
		test_grep "^dc=unset$" out-'"$sh"'-3 &&
		tmux_stop
	'
done

test_expect_success 'fish -i: use --shell switches this shell only, and back' '
	run_shell fish "fish --no-config -i" &&
	type_line "ctxmgr init fish | source" &&
	type_line "ctxmgr use -s live; and $fish_probe >out-fish-1 2>&1; echo step1 >done-fish-1" &&
	wait_for 10 test -s done-fish-1 &&
	check_switched out-fish-1 &&
	type_line "ctxmgr use --shell -; and $fish_probe >out-fish-2 2>&1; echo step2 >done-fish-2" &&
	wait_for 10 test -s done-fish-2 &&
	check_back out-fish-2 &&
	tmux_stop
'

test_expect_success 'bash: use -s - toggles like cd -, a bad name changes nothing' '
	bash --norc -c "eval \"\$(ctxmgr init bash)\"
		ctxmgr use -s web -q && ctxmgr use -s live -q &&
		ctxmgr use -s - -q && echo \"a=\$DOCKER_CONTEXT\" &&
		ctxmgr use -s - -q && echo \"b=\$DOCKER_CONTEXT\" &&
		{ ctxmgr use -s wbe 2>err; echo \"st=\$?\"; } &&
		echo \"c=\$DOCKER_CONTEXT\"" >out &&
	printf "a=web\nb=live\nst=1\nc=live\n" >expect &&
	test_cmp expect out &&
	test_grep "did you mean \"web\"" err
'

test_expect_success 'use -s with no previous in this shell is an error' '
	test_must_fail bash --norc -c "eval \"\$(ctxmgr init bash)\"; ctxmgr use -s -" 2>err &&
	test_grep "no previous context in this shell" err
'

test_expect_success 'the function keeps the exit status and plain output' '
	bash --norc -c "eval \"\$(ctxmgr init bash)\"
		ctxmgr use --shell=false web; echo st=\$?" >out 2>err &&
	printf "web\nst=0\n" >expect && test_cmp expect out &&
	ctxmgr use ci -q >/dev/null &&
	zsh -f -c "eval \"\$(ctxmgr init zsh)\"
		ctxmgr use -s nope; echo st=\$?" >out 2>err &&
	test_grep "^st=1$" out &&
	bash --norc -c "set -eu; eval \"\$(ctxmgr init bash)\"
		ctxmgr use -s nope || echo st=\$?; ctxmgr use -s web -q
		echo \"dc=\$DOCKER_CONTEXT\"" >out 2>err &&
	printf "st=1\ndc=web\n" >expect && test_cmp expect out &&
	zsh -f -c "setopt err_exit nounset; eval \"\$(ctxmgr init zsh)\"
		ctxmgr use -s nope || echo st=\$?; ctxmgr use -s web -q
		echo \"dc=\$DOCKER_CONTEXT\"" >out 2>err &&
	test_cmp expect out
'

# The previous value comes from the environment: anything may be in it,
# and it must come back byte for byte in every shell.
odd="it's a \\ \"odd\" \$(touch pwned) value"
test_expect_success 'hostile DOCKER_CONTEXT values are quoted for bash, zsh and fish' '
	DOCKER_CONTEXT="$odd" bash --norc -c "eval \"\$(ctxmgr init bash)\"
		ctxmgr use -s web -q && printf %s \"\$CTXMGR_SHELL_PREVIOUS\"" >out-bash &&
	DOCKER_CONTEXT="$odd" zsh -f -c "eval \"\$(ctxmgr init zsh)\"
		ctxmgr use -s web -q && printf %s \"\$CTXMGR_SHELL_PREVIOUS\"" >out-zsh &&
	DOCKER_CONTEXT="$odd" fish --no-config -c "ctxmgr init fish | source
		ctxmgr use -s web -q; and printf %s \"\$CTXMGR_SHELL_PREVIOUS\"" >out-fish &&
	printf %s "$odd" >expect &&
	test_cmp expect out-bash && test_cmp expect out-zsh &&
	test_cmp expect out-fish &&
	test_must_fail test -e pwned
'

cat >expect-fish.code <<'EOF'
# ctxmgr shell code
set -g -x DOCKER_CONTEXT 'web'
set -g -x CTXMGR_SHELL_PREVIOUS 'a\'b\\c'
EOF
cat >expect-bash.code <<'EOF'
# ctxmgr shell code
export DOCKER_CONTEXT='web'
export CTXMGR_SHELL_PREVIOUS='a'\''b\c'
EOF
test_expect_success 'the code use --shell prints quotes by each shell'"'"'s rules' '
	DOCKER_CONTEXT="a'"'"'b\\c" CTXMGR_SHELL=fish ctxmgr use -s web -q >fish.code &&
	test_cmp expect-fish.code fish.code &&
	DOCKER_CONTEXT="a'"'"'b\\c" CTXMGR_SHELL=bash ctxmgr use -s web -q >bash.code &&
	test_cmp expect-bash.code bash.code
'

test_expect_success 'a hostile CTXMGR_SHELL_PREVIOUS is refused, not run' '
	CTXMGR_SHELL_PREVIOUS="\$(touch pwned2)" DOCKER_CONTEXT=web \
		bash --norc -c "eval \"\$(ctxmgr init bash)\"
		ctxmgr use -s -; echo st=\$? dc=\$DOCKER_CONTEXT" >out 2>err &&
	test_grep "^st=1 dc=web$" out &&
	test_grep "is invalid" err &&
	test_must_fail test -e pwned2
'

test_expect_success 'use --shell warns when DOCKER_HOST overrides the choice' '
	DOCKER_HOST=unix:///x CTXMGR_SHELL=bash ctxmgr use -s web >code 2>err &&
	test_grep "warning: DOCKER_HOST overrides" err &&
	DOCKER_HOST=unix:///x ctxmgr use web 2>err &&
	test_grep "warning: DOCKER_HOST overrides" err &&
	ctxmgr use ci -q
'

test_expect_success 'plain use warns when this shell holds DOCKER_CONTEXT' '
	DOCKER_CONTEXT=live ctxmgr use web 2>err &&
	test_grep "DOCKER_CONTEXT=\"live\" is set" err &&
	ctxmgr use ci -q
'

test_expect_success 'inside ctxmgr shell, use --shell switches the shell itself' '
	printf "use -s live\nshow\nuse -s -\nshow\n" |
		ctxmgr shell >out 2>err &&
	printf "live\nci\n" >expect &&
	test_cmp expect out &&
	test "$(current_in_config)" = ci
'
test_done
