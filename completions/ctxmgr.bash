# bash completion for ctxmgr, generated from its command table by
# "ctxmgr completion bash" -- do not edit; run "make completions" instead.
# Context names come from "ctxmgr ls -q" when you press Tab.

# The subcommands of a command path ("" is the top level).
_ctxmgr_subcommands()
{
	case $1 in
	'')
		_ctxmgr_r='create ls use show prompt inspect update rm rename export import tunnel env exec ping keys password ca audit shell init completion config import-hosts help version'
		;;
	'tunnel')
		_ctxmgr_r='start stop ls enable disable serve shutdown install'
		;;
	'keys')
		_ctxmgr_r='check gen'
		;;
	'password')
		_ctxmgr_r='check'
		;;
	'ca')
		_ctxmgr_r='init issue rotate deploy ls revoke crl'
		;;
	'ca issue')
		_ctxmgr_r='server client'
		;;
	'audit')
		_ctxmgr_r='image seccomp checks explain'
		;;
	'config')
		_ctxmgr_r='show path'
		;;
	*) _ctxmgr_r='' ;;
	esac
}

# The options of a command path, then the global ones.
_ctxmgr_flags()
{
	case $1 in
	'create')
		_ctxmgr_r='--host --description --docker --ca --cert --key --skip-tls-verify --identity --strict-host-key-checking --tunnel-mode --from --use --direct --tag'
		;;
	'ls')
		_ctxmgr_r='--filter --tags'
		;;
	'use')
		_ctxmgr_r='--shell'
		;;
	'update')
		_ctxmgr_r='--host --description --docker --ca --cert --key --skip-tls-verify --identity --strict-host-key-checking --tunnel-mode --clear-tls --tag --untag'
		;;
	'rm')
		_ctxmgr_r='--force'
		;;
	'import')
		_ctxmgr_r='--allow-insecure --direct'
		;;
	'tunnel start')
		_ctxmgr_r='--listen --mode --accept-new --no-ping --filter --all --jobs --timeout'
		;;
	'tunnel stop')
		_ctxmgr_r='--all --filter'
		;;
	'tunnel enable')
		_ctxmgr_r='--all'
		;;
	'tunnel disable')
		_ctxmgr_r='--all'
		;;
	'tunnel serve')
		_ctxmgr_r='--ready-fd'
		;;
	'tunnel install')
		_ctxmgr_r='--dir'
		;;
	'env')
		_ctxmgr_r='--unset --shell --accept-new'
		;;
	'exec')
		_ctxmgr_r='--filter --all --jobs --group --timeout --accept-new'
		;;
	'ping')
		_ctxmgr_r='--mode --filter --all --jobs --group --timeout --accept-new'
		;;
	'keys check')
		_ctxmgr_r='--strict --filter --all --accept-new'
		;;
	'keys gen')
		_ctxmgr_r='--type --bits --comment --passphrase-file --no-passphrase --rounds --allow-weak'
		;;
	'password check')
		_ctxmgr_r='--user --min-score --stdin --min-length --strict'
		;;
	'ca init')
		_ctxmgr_r='--dir --cn --key-type --days --passphrase-file --allow-weak --kdf-iterations'
		;;
	'ca issue server')
		_ctxmgr_r='--dir --passphrase-file --cn --san --days --key-type --out'
		;;
	'ca issue client')
		_ctxmgr_r='--dir --passphrase-file --cn --days --key-type'
		;;
	'ca rotate')
		_ctxmgr_r='--dir --passphrase-file --all --filter --renew-before --dry-run --force'
		;;
	'ca deploy')
		_ctxmgr_r='--dir --remote-dir --daemon-json --restart --dry-run --accept-new'
		;;
	'ca ls')
		_ctxmgr_r='--dir --all'
		;;
	'ca revoke')
		_ctxmgr_r='--dir --passphrase-file'
		;;
	'ca crl')
		_ctxmgr_r='--dir --passphrase-file --out --days'
		;;
	'audit')
		_ctxmgr_r='--fail-on --policy --all --filter --jobs --no-probes --timeout --accept-new'
		;;
	'audit image')
		_ctxmgr_r='--fail-on --policy --timeout --accept-new'
		;;
	'audit seccomp')
		_ctxmgr_r='--fail-on --policy'
		;;
	'shell')
		_ctxmgr_r='--accept-new'
		;;
	'import-hosts')
		_ctxmgr_r='--dry-run --prefix --update --ssh-config --prune --source --allow-insecure'
		;;
	*) _ctxmgr_r='' ;;
	esac
	_ctxmgr_r+=' --config --context --format --quiet --no-color --verbose --version --help'
}

# What the value of an option is: context, file, dir, "choice A B...", none;
# empty for options that take no value.
_ctxmgr_value()
{
	case "$1 $2" in
	'create --host' | 'create -H') _ctxmgr_r='none' ;;
	'create --description' | 'create -d') _ctxmgr_r='none' ;;
	'create --docker') _ctxmgr_r='none' ;;
	'create --ca') _ctxmgr_r='file' ;;
	'create --cert') _ctxmgr_r='file' ;;
	'create --key') _ctxmgr_r='file' ;;
	'create --identity' | 'create -i') _ctxmgr_r='file' ;;
	'create --strict-host-key-checking') _ctxmgr_r='choice yes accept-new no' ;;
	'create --tunnel-mode') _ctxmgr_r='choice auto streamlocal dial-stdio' ;;
	'create --from') _ctxmgr_r='context' ;;
	'create --tag') _ctxmgr_r='none' ;;
	'create --format') _ctxmgr_r='choice table json yaml' ;;
	'ls --filter' | 'ls -f') _ctxmgr_r='none' ;;
	'ls --format') _ctxmgr_r='choice table json yaml' ;;
	'use --format') _ctxmgr_r='choice table json yaml' ;;
	'show --format') _ctxmgr_r='choice table json yaml' ;;
	'prompt --format') _ctxmgr_r='choice table' ;;
	'inspect --format') _ctxmgr_r='choice json yaml' ;;
	'update --host' | 'update -H') _ctxmgr_r='none' ;;
	'update --description' | 'update -d') _ctxmgr_r='none' ;;
	'update --docker') _ctxmgr_r='none' ;;
	'update --ca') _ctxmgr_r='file' ;;
	'update --cert') _ctxmgr_r='file' ;;
	'update --key') _ctxmgr_r='file' ;;
	'update --identity' | 'update -i') _ctxmgr_r='file' ;;
	'update --strict-host-key-checking') _ctxmgr_r='choice yes accept-new no' ;;
	'update --tunnel-mode') _ctxmgr_r='choice auto streamlocal dial-stdio' ;;
	'update --tag') _ctxmgr_r='none' ;;
	'update --untag') _ctxmgr_r='none' ;;
	'update --format') _ctxmgr_r='choice table json yaml' ;;
	'rm --format') _ctxmgr_r='choice table' ;;
	'rename --format') _ctxmgr_r='choice table' ;;
	'export --format') _ctxmgr_r='choice table' ;;
	'import --format') _ctxmgr_r='choice table' ;;
	'tunnel start --listen') _ctxmgr_r='none' ;;
	'tunnel start --mode') _ctxmgr_r='choice auto streamlocal dial-stdio' ;;
	'tunnel start --filter') _ctxmgr_r='none' ;;
	'tunnel start --jobs' | 'tunnel start -j') _ctxmgr_r='none' ;;
	'tunnel start --timeout') _ctxmgr_r='none' ;;
	'tunnel start --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel stop --filter' | 'tunnel stop -f') _ctxmgr_r='none' ;;
	'tunnel stop --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel ls --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel enable --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel disable --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel serve --ready-fd') _ctxmgr_r='none' ;;
	'tunnel serve --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel shutdown --format') _ctxmgr_r='choice table json yaml' ;;
	'tunnel install --dir') _ctxmgr_r='dir' ;;
	'tunnel install --format') _ctxmgr_r='choice table json yaml' ;;
	'env --shell') _ctxmgr_r='choice sh fish' ;;
	'env --format') _ctxmgr_r='choice table json yaml' ;;
	'exec --filter' | 'exec -f') _ctxmgr_r='none' ;;
	'exec --jobs' | 'exec -j') _ctxmgr_r='none' ;;
	'exec --timeout') _ctxmgr_r='none' ;;
	'exec --format') _ctxmgr_r='choice table json yaml' ;;
	'ping --mode') _ctxmgr_r='choice auto streamlocal dial-stdio' ;;
	'ping --filter' | 'ping -f') _ctxmgr_r='none' ;;
	'ping --jobs' | 'ping -j') _ctxmgr_r='none' ;;
	'ping --timeout') _ctxmgr_r='none' ;;
	'ping --format') _ctxmgr_r='choice table json yaml' ;;
	'keys check --filter' | 'keys check -f') _ctxmgr_r='none' ;;
	'keys check --format') _ctxmgr_r='choice table json yaml' ;;
	'keys gen --type' | 'keys gen -t') _ctxmgr_r='choice ed25519 ecdsa rsa' ;;
	'keys gen --bits' | 'keys gen -b') _ctxmgr_r='none' ;;
	'keys gen --comment' | 'keys gen -C') _ctxmgr_r='none' ;;
	'keys gen --passphrase-file') _ctxmgr_r='file' ;;
	'keys gen --rounds' | 'keys gen -a') _ctxmgr_r='none' ;;
	'keys gen --format') _ctxmgr_r='choice table json yaml' ;;
	'password check --user' | 'password check -u') _ctxmgr_r='none' ;;
	'password check --min-score') _ctxmgr_r='none' ;;
	'password check --min-length') _ctxmgr_r='none' ;;
	'password check --format') _ctxmgr_r='choice table json yaml' ;;
	'ca init --dir') _ctxmgr_r='dir' ;;
	'ca init --cn') _ctxmgr_r='none' ;;
	'ca init --key-type' | 'ca init -t') _ctxmgr_r='choice ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096' ;;
	'ca init --days') _ctxmgr_r='none' ;;
	'ca init --passphrase-file') _ctxmgr_r='file' ;;
	'ca init --kdf-iterations') _ctxmgr_r='none' ;;
	'ca init --format') _ctxmgr_r='choice table json yaml' ;;
	'ca issue server --dir') _ctxmgr_r='dir' ;;
	'ca issue server --passphrase-file') _ctxmgr_r='file' ;;
	'ca issue server --cn') _ctxmgr_r='none' ;;
	'ca issue server --san') _ctxmgr_r='none' ;;
	'ca issue server --days') _ctxmgr_r='none' ;;
	'ca issue server --key-type' | 'ca issue server -t') _ctxmgr_r='choice ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096' ;;
	'ca issue server --out' | 'ca issue server -o') _ctxmgr_r='dir' ;;
	'ca issue server --format') _ctxmgr_r='choice table json yaml' ;;
	'ca issue client --dir') _ctxmgr_r='dir' ;;
	'ca issue client --passphrase-file') _ctxmgr_r='file' ;;
	'ca issue client --cn') _ctxmgr_r='none' ;;
	'ca issue client --days') _ctxmgr_r='none' ;;
	'ca issue client --key-type' | 'ca issue client -t') _ctxmgr_r='choice ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096' ;;
	'ca issue client --format') _ctxmgr_r='choice table json yaml' ;;
	'ca rotate --dir') _ctxmgr_r='dir' ;;
	'ca rotate --passphrase-file') _ctxmgr_r='file' ;;
	'ca rotate --filter') _ctxmgr_r='none' ;;
	'ca rotate --renew-before') _ctxmgr_r='none' ;;
	'ca rotate --format') _ctxmgr_r='choice table json yaml' ;;
	'ca deploy --dir') _ctxmgr_r='dir' ;;
	'ca deploy --remote-dir') _ctxmgr_r='none' ;;
	'ca deploy --daemon-json') _ctxmgr_r='none' ;;
	'ca deploy --format') _ctxmgr_r='choice table json yaml' ;;
	'ca ls --dir') _ctxmgr_r='dir' ;;
	'ca ls --format') _ctxmgr_r='choice table json yaml' ;;
	'ca revoke --dir') _ctxmgr_r='dir' ;;
	'ca revoke --passphrase-file') _ctxmgr_r='file' ;;
	'ca revoke --format') _ctxmgr_r='choice table json yaml' ;;
	'ca crl --dir') _ctxmgr_r='dir' ;;
	'ca crl --passphrase-file') _ctxmgr_r='file' ;;
	'ca crl --out' | 'ca crl -o') _ctxmgr_r='file' ;;
	'ca crl --days') _ctxmgr_r='none' ;;
	'ca crl --format') _ctxmgr_r='choice table json yaml' ;;
	'audit --fail-on') _ctxmgr_r='choice critical high medium low none' ;;
	'audit --policy') _ctxmgr_r='file' ;;
	'audit --filter' | 'audit -f') _ctxmgr_r='none' ;;
	'audit --jobs' | 'audit -j') _ctxmgr_r='none' ;;
	'audit --timeout') _ctxmgr_r='none' ;;
	'audit --format') _ctxmgr_r='choice table json yaml sarif' ;;
	'audit image --fail-on') _ctxmgr_r='choice critical high medium low none' ;;
	'audit image --policy') _ctxmgr_r='file' ;;
	'audit image --timeout') _ctxmgr_r='none' ;;
	'audit image --format') _ctxmgr_r='choice table json yaml sarif' ;;
	'audit seccomp --fail-on') _ctxmgr_r='choice critical high medium low none' ;;
	'audit seccomp --policy') _ctxmgr_r='file' ;;
	'audit seccomp --format') _ctxmgr_r='choice table json yaml sarif' ;;
	'audit checks --format') _ctxmgr_r='choice table json yaml' ;;
	'audit explain --format') _ctxmgr_r='choice table json yaml' ;;
	'shell --format') _ctxmgr_r='choice table' ;;
	'init --format') _ctxmgr_r='choice table' ;;
	'completion --format') _ctxmgr_r='choice table' ;;
	'config show --format') _ctxmgr_r='choice table json yaml' ;;
	'config path --format') _ctxmgr_r='choice table' ;;
	'import-hosts --prefix' | 'import-hosts -p') _ctxmgr_r='none' ;;
	'import-hosts --source') _ctxmgr_r='none' ;;
	'import-hosts --format') _ctxmgr_r='choice table json yaml' ;;
	'help --format') _ctxmgr_r='choice table' ;;
	'version --format') _ctxmgr_r='choice table json yaml' ;;
	*)
		case $2 in
		--config) _ctxmgr_r='dir' ;;
		--context | -c) _ctxmgr_r='context' ;;
		--format) _ctxmgr_r='choice table json yaml sarif' ;;
		*) _ctxmgr_r='' ;;
		esac
		;;
	esac
}

# A command's arguments: the most it takes (-1: any) and their kind.
_ctxmgr_args()
{
	case $1 in
	'create') _ctxmgr_r='1 none' ;;
	'ls') _ctxmgr_r='0 none' ;;
	'use') _ctxmgr_r='1 context -' ;;
	'show') _ctxmgr_r='0 none' ;;
	'prompt') _ctxmgr_r='0 none' ;;
	'inspect') _ctxmgr_r='-1 context' ;;
	'update') _ctxmgr_r='1 context' ;;
	'rm') _ctxmgr_r='-1 context' ;;
	'rename') _ctxmgr_r='2 context' ;;
	'export') _ctxmgr_r='2 context' ;;
	'import') _ctxmgr_r='2 file' ;;
	'tunnel') _ctxmgr_r='0 none' ;;
	'tunnel start') _ctxmgr_r='1 context:ssh' ;;
	'tunnel stop') _ctxmgr_r='1 context:ssh' ;;
	'tunnel ls') _ctxmgr_r='0 none' ;;
	'tunnel enable') _ctxmgr_r='-1 context:ssh' ;;
	'tunnel disable') _ctxmgr_r='-1 context:ssh' ;;
	'tunnel serve') _ctxmgr_r='0 none' ;;
	'tunnel shutdown') _ctxmgr_r='0 none' ;;
	'tunnel install') _ctxmgr_r='0 none' ;;
	'env') _ctxmgr_r='1 context' ;;
	'exec') _ctxmgr_r='-1 context' ;;
	'ping') _ctxmgr_r='1 context' ;;
	'keys') _ctxmgr_r='0 none' ;;
	'keys check') _ctxmgr_r='-1 file' ;;
	'keys gen') _ctxmgr_r='1 file' ;;
	'password') _ctxmgr_r='0 none' ;;
	'password check') _ctxmgr_r='0 none' ;;
	'ca') _ctxmgr_r='0 none' ;;
	'ca init') _ctxmgr_r='0 none' ;;
	'ca issue') _ctxmgr_r='0 none' ;;
	'ca issue server') _ctxmgr_r='0 none' ;;
	'ca issue client') _ctxmgr_r='-1 context:tcp' ;;
	'ca rotate') _ctxmgr_r='-1 context:tcp' ;;
	'ca deploy') _ctxmgr_r='1 none' ;;
	'ca ls') _ctxmgr_r='0 none' ;;
	'ca revoke') _ctxmgr_r='1 context' ;;
	'ca crl') _ctxmgr_r='0 none' ;;
	'audit') _ctxmgr_r='1 context' ;;
	'audit image') _ctxmgr_r='1 none' ;;
	'audit seccomp') _ctxmgr_r='1 file' ;;
	'audit checks') _ctxmgr_r='0 none' ;;
	'audit explain') _ctxmgr_r='1 none' ;;
	'shell') _ctxmgr_r='0 none' ;;
	'init') _ctxmgr_r='1 choice bash zsh fish' ;;
	'completion') _ctxmgr_r='1 choice bash zsh fish' ;;
	'config') _ctxmgr_r='0 none' ;;
	'config show') _ctxmgr_r='0 none' ;;
	'config path') _ctxmgr_r='0 none' ;;
	'import-hosts') _ctxmgr_r='1 file' ;;
	'help') _ctxmgr_r='3 command' ;;
	'version') _ctxmgr_r='0 none' ;;
	*) _ctxmgr_r='0 none' ;;
	esac
}

# _ctxmgr_contexts CONFIG [SCHEME]: context names (of SCHEME only)
_ctxmgr_contexts()
{
	local bin=${COMP_WORDS[0]}
	local -a f=()
	[[ $bin == '~/'* ]] && bin=$HOME/${bin#'~/'}
	[[ -n $2 ]] && f=(--filter "scheme=$2")
	if [[ -n $1 ]]; then
		"$bin" --config "$1" ls -q "${f[@]}" 2>/dev/null
	else
		"$bin" ls -q "${f[@]}" 2>/dev/null
	fi
}

# Offer the words of a completion kind: "context [A B...]", file, dir,
# command, "choice A B...", none.  $2 config dir, $3 the prefix typed, $4 what
# goes before each word ("--flag="), $5 extra words.
_ctxmgr_offer()
{
	local words=$5
	case $1 in
	context | context\ * | context:*)
		local k=${1%% *} s=''
		[[ $k == context:* ]] && s=${k#context:}
		words+=" $(_ctxmgr_contexts "$2" "$s") ${1#"$k"}" ;;
	choice\ *) words+=" ${1#choice }" ;;
	file | dir)
		compopt -o filenames 2>/dev/null
		if [[ $1 == dir ]]; then
			mapfile -t COMPREPLY < <(compgen -d -- "$3")
		else
			mapfile -t COMPREPLY < <(compgen -W "$words" -- "$3"
				compgen -f -- "$3")
		fi
		return
		;;
	esac
	mapfile -t COMPREPLY < <(compgen -P "$4" -W "$words" -- "$3")
}

_ctxmgr()
{
	local cur=${COMP_WORDS[COMP_CWORD]} cmdpath='' word pending='' cfg=''
	local args='' prefix='' kind max subs='' _ctxmgr_r
	local -i i only=0 nargs=0
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if [[ -n $pending ]]; then
			# "--flag=value" arrives as "--flag" "=" "value"
			[[ $word == = ]] && continue
			[[ $pending == --config ]] && cfg=$word
			pending=''
			continue
		fi
		if [[ $word == = ]]; then
			pending=-
			continue
		fi
		if ((!only)) && [[ $word == -- ]]; then
			only=1
			continue
		fi
		if ((!only)) && [[ $word == -?* ]]; then
			if [[ $word == --*=* ]]; then
				[[ ${word%%=*} == --config ]] && cfg=${word#*=}
				continue
			fi
			_ctxmgr_value "$cmdpath" "$word"
			[[ -n $_ctxmgr_r ]] && pending=$word
			continue
		fi
		if ((nargs == 0)); then
			_ctxmgr_subcommands "$cmdpath"
			if [[ " $_ctxmgr_r " == *" $word "* ]]; then
				cmdpath=${cmdpath:+$cmdpath }$word
				continue
			fi
			[[ -z $cmdpath ]] && return 0
		fi
		nargs+=1
		args=${args:+$args }$word
	done
	[[ $cur == = ]] && cur=''
	if [[ -z $pending ]] && ((!only)) && [[ $cur == --*=* ]]; then
		_ctxmgr_value "$cmdpath" "${cur%%=*}"
		[[ -z $_ctxmgr_r ]] && return 0
		pending=${cur%%=*}
		prefix=$pending=
		cur=${cur#*=}
	fi
	if [[ -n $pending ]]; then
		[[ $pending == - ]] && return 0
		_ctxmgr_value "$cmdpath" "$pending"
		_ctxmgr_offer "$_ctxmgr_r" "$cfg" "$cur" "$prefix"
		return 0
	fi
	if ((!only)) && [[ $cur == -* ]]; then
		_ctxmgr_flags "$cmdpath"
		_ctxmgr_offer "choice $_ctxmgr_r" "$cfg" "$cur" ''
		return 0
	fi
	if ((nargs == 0)); then
		_ctxmgr_subcommands "$cmdpath"
		subs=$_ctxmgr_r
	fi
	if [[ -z $cmdpath ]]; then
		_ctxmgr_offer none "$cfg" "$cur" '' "$subs"
		return 0
	fi
	_ctxmgr_args "$cmdpath"
	max=${_ctxmgr_r%% *}
	kind=${_ctxmgr_r#* }
	((max >= 0 && nargs >= max)) && kind=none
	if [[ $kind == command ]]; then
		_ctxmgr_subcommands "$args"
		kind="choice $_ctxmgr_r"
	fi
	_ctxmgr_offer "$kind" "$cfg" "$cur" '' "$subs"
	return 0
}

complete -F _ctxmgr ctxmgr
