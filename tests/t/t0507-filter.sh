#!/bin/bash
test_description='ls --filter, and completion that offers only the contexts a command takes'
. "$(dirname "$0")/../lib/test-lib.sh"

BIN_DIR=$TRASH/bin-ctxmgr
mkdir -p "$BIN_DIR" && ln -s "$CTXMGR" "$BIN_DIR/ctxmgr"
PATH=$BIN_DIR:$PATH

test_expect_success 'setup: one context of each kind, two with tags' '
	ctxmgr create web-tcp --host tcp://web.example.com:2376 -q >/dev/null &&
	ctxmgr create ops-ssh --direct --host ssh://deploy@ops.example.com -q >/dev/null &&
	ctxmgr create db-tun --host ssh://deploy@db.example.com -q >/dev/null &&
	ctxmgr create local --host unix:///run/x.sock -q >/dev/null &&
	cat >inv.yaml <<-\EOF &&
	hosts:
	  - {name: web1, host: web1.example.com, tags: [web, eu]}
	  - {name: web2, host: web2.example.com, tags: [web, us]}
	EOF
	ctxmgr import-hosts inv.yaml >/dev/null 2>&1
'

# names the filter keeps, on one line
keep() {
	ctxmgr ls -q "$@" | tr "\n" " "
}

test_expect_success 'scheme, tunnel, name and tag filters' '
	test "$(keep --filter scheme=ssh)" = "db-tun ops-ssh web1 web2 " &&
	test "$(keep --filter scheme=tcp)" = "web-tcp " &&
	test "$(keep -f scheme=unix)" = "default local " &&
	test "$(keep -f tunnel=off -f scheme=ssh)" = "ops-ssh web1 web2 " &&
	test "$(keep -f tunnel=on)" = "db-tun " &&
	test "$(keep -f "name=web*")" = "web-tcp web1 web2 " &&
	test "$(keep -f tag=eu)" = "web1 " &&
	test "$(keep -f tag=eu -f tag=us)" = "web1 web2 " &&
	test "$(keep -f tag=web -f "name=*2")" = "web2 " &&
	ctxmgr ls --filter scheme=tcp --format json >out.json &&
	python3 -c "import json; d = json.load(open(\"out.json\")); assert [c[\"Name\"] for c in d] == [\"web-tcp\"], d"
'

test_expect_success 'a bad filter is a usage error naming what is wrong' '
	test_expect_code 2 ctxmgr ls --filter color=red 2>err &&
	test_grep "unknown filter \"color\" (use name, scheme, tag or tunnel)" err &&
	test_expect_code 2 ctxmgr ls --filter scheme=ftp 2>err &&
	test_grep "scheme is ssh, tcp or unix" err &&
	test_expect_code 2 ctxmgr ls --filter tag 2>err &&
	test_grep "is not KEY=VALUE" err
'

bash_complete() {
	ctxmgr completion bash >gen-bash &&
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(( $# - 1 ))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_ctxmgr
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"
	' bash-complete gen-bash "$@" | sort | tr "\n" " "
}

test_expect_success 'bash: tunnel start offers ssh contexts, ca issue client tcp ones' '
	test "$(bash_complete ctxmgr tunnel start "")" = "db-tun ops-ssh web1 web2 " &&
	test "$(bash_complete ctxmgr ca issue client "")" = "web-tcp " &&
	test "$(bash_complete ctxmgr ca rotate w)" = "web-tcp " &&
	test "$(bash_complete ctxmgr inspect w)" = "web-tcp web1 web2 "
'

test_expect_success 'zsh and fish scripts take the same kinds' '
	ctxmgr completion zsh >gen-zsh && zsh -n gen-zsh &&
	grep -q "context:ssh" gen-zsh && grep -q "context:tcp" gen-zsh &&
	ctxmgr completion fish >gen-fish && fish -n gen-fish &&
	fish -N -c "source gen-fish; complete -C \"ctxmgr tunnel start \"" |
		cut -f1 | sort | tr "\n" " " >got &&
	test "$(cat got)" = "db-tun ops-ssh web1 web2 " &&
	fish -N -c "source gen-fish; complete -C \"ctxmgr ca issue client \"" |
		cut -f1 | sort | tr "\n" " " >got &&
	test "$(cat got)" = "web-tcp "
'

test_done
