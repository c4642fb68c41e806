#!/bin/bash
test_description='completion scripts: in sync with the table, and real completion in bash, zsh and fish'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tmux.sh"

BIN_DIR=$TRASH/bin-ctxmgr
mkdir -p "$BIN_DIR" && ln -s "$CTXMGR" "$BIN_DIR/ctxmgr"
PATH=$BIN_DIR:$PATH

test_expect_success 'setup: contexts' '
	ctxmgr create prod --host ssh://deploy@prod.example.com -q >/dev/null &&
	ctxmgr create prod-eu --host ssh://deploy@eu.example.com -q >/dev/null &&
	ctxmgr create staging --host ssh://deploy@staging.example.com -q >/dev/null
'

for sh in bash zsh fish; do
	case $sh in
	bash) f=ctxmgr.bash ;;
	zsh) f=_ctxmgr ;;
	fish) f=ctxmgr.fish ;;
	esac
	test_expect_success "completions/$f is what \"ctxmgr completion $sh\" prints" "
		ctxmgr completion $sh >gen-$sh &&
		if ! cmp -s '$SRC_ROOT/completions/$f' gen-$sh; then
			echo 'completions/$f is stale: run \"make completions\"' >&2
			diff -u '$SRC_ROOT/completions/$f' gen-$sh | head -n 40 >&2
			false
		fi
	"
done

test_expect_success 'an unknown shell is a usage error' '
	test_expect_code 2 ctxmgr completion tcsh 2>err &&
	test_grep "bash, zsh or fish" err
'

test_expect_success 'the scripts parse: bash -n, zsh -n, fish -n' '
	bash -n gen-bash && zsh -n gen-zsh && fish -n gen-fish
'

test_expect_success 'every visible command of the table is in every script' '
	ctxmgr help | sed -n "/^commands:/,/^$/p" | awk "NF {print \$1}" |
		sed 1d >commands &&
	test -s commands &&
	while read -r c; do
		grep -q -- "$c" gen-bash && grep -q -- "$c" gen-zsh &&
			grep -q -- "$c" gen-fish || { echo "missing $c"; exit 1; }
	done <commands
'

# bash: drive the completion function through COMP_WORDS/COMP_CWORD.
bash_complete() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(( $# - 1 ))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_ctxmgr
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' bash-complete gen-bash "$@" | sort
}

test_expect_success 'bash: command names' '
	bash_complete ctxmgr "im" >out &&
	printf "import\nimport-hosts\n" >expect && test_cmp expect out &&
	bash_complete ctxmgr "" >out &&
	test_grep -x shell out && test_grep -x create out &&
	! grep -x manpage out
'

test_expect_success 'bash: subcommands' '
	bash_complete ctxmgr config "" >out &&
	printf "path\nshow\n" >expect && test_cmp expect out
'

test_expect_success 'bash: flags of a command and the global ones' '
	bash_complete ctxmgr import-hosts --d >out &&
	printf "%s\n" --dry-run >expect && test_cmp expect out &&
	bash_complete ctxmgr create x --con >out &&
	printf "%s\n" --config --context >expect && test_cmp expect out
'

test_expect_success 'bash: flag values from their choices, per command' '
	bash_complete ctxmgr inspect --format "" >out &&
	printf "json\nyaml\n" >expect && test_cmp expect out &&
	bash_complete ctxmgr create x --strict-host-key-checking a >out &&
	echo accept-new >expect && test_cmp expect out &&
	bash_complete ctxmgr ls --format = y >out &&
	echo yaml >expect && test_cmp expect out
'

test_expect_success 'bash: context names, read at run time' '
	bash_complete ctxmgr use pr >out &&
	printf "prod\nprod-eu\n" >expect && test_cmp expect out &&
	bash_complete ctxmgr -c "" >out &&
	printf "default\nprod\nprod-eu\nstaging\n" >expect && test_cmp expect out &&
	ctxmgr create added-later --host ssh://x@y.example.com -q >/dev/null &&
	bash_complete ctxmgr rm add >out &&
	echo added-later >expect && test_cmp expect out
'

test_expect_success 'bash: context names from the --config given on the line' '
	mkdir other &&
	ctxmgr --config other create elsewhere --host ssh://a@b.example.com -q >/dev/null &&
	bash_complete ctxmgr --config other rm "" >out &&
	printf "default\nelsewhere\n" >expect && test_cmp expect out
'

test_expect_success 'bash: files where an argument is a file, nothing after the last argument' '
	mkdir -p inv && touch inv/hosts.yaml inv/hosts.yml &&
	bash_complete ctxmgr import-hosts inv/hosts.y >out &&
	printf "inv/hosts.yaml\ninv/hosts.yml\n" >expect && test_cmp expect out &&
	bash_complete ctxmgr use prod "" >out &&
	test_must_fail test -s out
'

test_expect_success 'bash: help completes command paths' '
	bash_complete ctxmgr help con >out &&
	echo config >expect && test_cmp expect out &&
	bash_complete ctxmgr help config "" >out &&
	printf "path\nshow\n" >expect && test_cmp expect out
'

fish_complete() {
	fish -N -c "source gen-fish; complete -C '$1'" | cut -f1 | sort
}

test_expect_success 'fish: commands, flags, values and context names' '
	fish_complete "ctxmgr imp" >out &&
	printf "import\nimport-hosts\n" >expect && test_cmp expect out &&
	fish_complete "ctxmgr import-hosts --dr" >out &&
	echo --dry-run >expect && test_cmp expect out &&
	fish_complete "ctxmgr inspect --format " >out &&
	printf "json\nyaml\n" >expect && test_cmp expect out &&
	fish_complete "ctxmgr ls --format=y" >out &&
	echo --format=yaml >expect && test_cmp expect out &&
	fish_complete "ctxmgr use prod" >out &&
	printf "prod\nprod-eu\n" >expect && test_cmp expect out &&
	fish_complete "ctxmgr config " >out &&
	printf "path\nshow\n" >expect && test_cmp expect out
'

test_expect_success 'fish: descriptions come from the table' '
	fish -N -c "source gen-fish; complete -C \"ctxmgr sh\"" >out &&
	test_grep "shell	interactive shell" out
'

test_expect_success 'bash and fish: use offers "-" (back to the previous) with the names' '
	bash_complete ctxmgr use "" >out &&
	test_grep -x -- - out && test_grep -x prod out &&
	bash_complete ctxmgr rm "" >out &&
	test_must_fail grep -x -- - out &&
	fish_complete "ctxmgr use " >out &&
	test_grep -x -- - out && test_grep -x staging out
'

test_expect_success 'zsh: real completion in an interactive zsh' '
	mkdir -p zfuncs && cp gen-zsh zfuncs/_ctxmgr &&
	tmux_start "env -i HOME=$HOME DOCKER_CONFIG=$DOCKER_CONFIG TERM=xterm PATH=$PATH zsh -f" &&
	tmux_wait "." &&
	tmux_type "fpath=($TRASH/zfuncs \$fpath); autoload -U compinit; compinit -u -D; PS1=\"%% \"" &&
	tmux_keys Enter && tmux_wait_cursor "%" &&
	tmux_type "ctxmgr import-h" && tmux_keys Tab &&
	tmux_wait_cursor "% ctxmgr import-hosts" &&
	tmux_keys C-u && tmux_type "ctxmgr use stag" && tmux_keys Tab &&
	tmux_wait_cursor "% ctxmgr use staging" &&
	tmux_keys C-u && tmux_type "ctxmgr use " && tmux_keys Tab &&
	tmux_wait "^- +added-later +default +prod +prod-eu +staging" &&
	tmux_keys C-u && tmux_type "ctxmgr import-hosts --dr" && tmux_keys Tab &&
	tmux_wait_cursor "% ctxmgr import-hosts --dry-run" &&
	tmux_keys C-u && tmux_type "ctxmgr inspect --format y" && tmux_keys Tab &&
	tmux_wait_cursor "% ctxmgr inspect --format yaml" &&
	tmux_keys C-u && tmux_type "ctxmgr ls --format=j" && tmux_keys Tab &&
	tmux_wait_cursor "% ctxmgr ls --format=json" &&
	tmux_keys C-u && tmux_type "ctxmgr con" && tmux_keys Tab &&
	tmux_wait_cursor "% ctxmgr config" &&
	tmux_keys " " Tab &&
	tmux_wait "show +-- check config.yaml" &&
	tmux_stop
'
test_done
