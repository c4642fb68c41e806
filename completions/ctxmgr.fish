# fish completion for ctxmgr, generated from its command table by
# "ctxmgr completion fish" -- do not edit; run "make completions" instead.
# Context names come from "ctxmgr ls -q" when you press Tab.

# The subcommands of a command path ("" is the top level), with summaries.
function __ctxmgr_subcommands --argument-names path
    switch $path
        case ''
            printf '%s\t%s\n' create 'create a context in Docker\'s context store'
            printf '%s\t%s\n' ls 'list contexts; * marks the current one'
            printf '%s\t%s\n' use 'switch the current context ("-": back to the previous one)'
            printf '%s\t%s\n' show 'print the name of the current context'
            printf '%s\t%s\n' prompt 'print the current context for a shell prompt (empty for default)'
            printf '%s\t%s\n' inspect 'show contexts in detail, as "docker context inspect"'
            printf '%s\t%s\n' update 'change a context\'s endpoint, description or TLS files'
            printf '%s\t%s\n' rm 'remove contexts and their TLS files'
            printf '%s\t%s\n' rename 'rename a context, moving its TLS files'
            printf '%s\t%s\n' export 'export a context to a tar archive Docker can import'
            printf '%s\t%s\n' import 'import a context from an archive made by export or Docker'
            printf '%s\t%s\n' shell 'interactive shell with tab completion and history'
            printf '%s\t%s\n' completion 'print a completion script for bash, zsh or fish'
            printf '%s\t%s\n' config 'ctxmgr\'s settings file (config.yaml)'
            printf '%s\t%s\n' import-hosts 'create ssh contexts from a YAML host inventory'
            printf '%s\t%s\n' help 'show help for ctxmgr or one of its commands'
            printf '%s\t%s\n' version 'print the version and the libraries in use'
        case 'config'
            printf '%s\t%s\n' show 'check config.yaml and print the settings in effect'
            printf '%s\t%s\n' path 'print where config.yaml is read from'
    end
end

# The options of a command path, then the global ones.
function __ctxmgr_flags --argument-names path
    switch $path
        case 'create'
            printf '%s\t%s\n' --host 'Docker endpoint: ssh://[user@]host[:port][/socket], tcp://host:port or unix:///path'
            printf '%s\t%s\n' --description 'description shown by "ls"'
            printf '%s\t%s\n' --docker 'Docker CLI syntax: host=,ca=,cert=,key=,skip-tls-verify='
            printf '%s\t%s\n' --ca 'CA certificate(s) to trust (PEM)'
            printf '%s\t%s\n' --cert 'client certificate (PEM)'
            printf '%s\t%s\n' --key 'client private key (PEM, unencrypted)'
            printf '%s\t%s\n' --skip-tls-verify 'do not verify the daemon\'s TLS certificate'
            printf '%s\t%s\n' --identity 'ssh: private key to log in with'
            printf '%s\t%s\n' --strict-host-key-checking 'ssh: yes, accept-new or no'
            printf '%s\t%s\n' --tunnel-mode 'ssh: auto, streamlocal or dial-stdio'
            printf '%s\t%s\n' --from 'copy the endpoint, TLS files and settings of another context'
            printf '%s\t%s\n' --use 'switch to the new context afterwards'
        case 'update'
            printf '%s\t%s\n' --host 'Docker endpoint: ssh://[user@]host[:port][/socket], tcp://host:port or unix:///path'
            printf '%s\t%s\n' --description 'description shown by "ls"'
            printf '%s\t%s\n' --docker 'Docker CLI syntax: host=,ca=,cert=,key=,skip-tls-verify='
            printf '%s\t%s\n' --ca 'CA certificate(s) to trust (PEM)'
            printf '%s\t%s\n' --cert 'client certificate (PEM)'
            printf '%s\t%s\n' --key 'client private key (PEM, unencrypted)'
            printf '%s\t%s\n' --skip-tls-verify 'do not verify the daemon\'s TLS certificate'
            printf '%s\t%s\n' --identity 'ssh: private key to log in with'
            printf '%s\t%s\n' --strict-host-key-checking 'ssh: yes, accept-new or no'
            printf '%s\t%s\n' --tunnel-mode 'ssh: auto, streamlocal or dial-stdio'
            printf '%s\t%s\n' --clear-tls 'remove the context\'s TLS files (before adding new ones)'
        case 'rm'
            printf '%s\t%s\n' --force 'remove the current context too (it reverts to default); no error for missing ones'
        case 'import-hosts'
            printf '%s\t%s\n' --dry-run 'show what would be created or updated; write nothing'
            printf '%s\t%s\n' --prefix 'put P before every context name ("prod-")'
            printf '%s\t%s\n' --update 'change contexts that exist already (they are left alone otherwise)'
    end
            printf '%s\t%s\n' --config 'Docker config dir (default $DOCKER_CONFIG, else ~/.docker)'
            printf '%s\t%s\n' --context 'context to act on instead of the current one'
            printf '%s\t%s\n' --format 'output format: table, json or yaml'
            printf '%s\t%s\n' --quiet 'print less (names only for listings)'
            printf '%s\t%s\n' --no-color 'no colours (also when NO_COLOR is set)'
            printf '%s\t%s\n' --verbose 'explain what is being done on stderr'
            printf '%s\t%s\n' --version 'print the version and the libraries in use'
            printf '%s\t%s\n' --help 'show help'
end

# What the value of an option is: context, file, dir, "choice A B...", none;
# nothing for options that take no value.
function __ctxmgr_value --argument-names path flag
    switch "$path $flag"
        case 'create --host' 'create -H'
            echo 'none'
        case 'create --description' 'create -d'
            echo 'none'
        case 'create --docker'
            echo 'none'
        case 'create --ca'
            echo 'file'
        case 'create --cert'
            echo 'file'
        case 'create --key'
            echo 'file'
        case 'create --identity' 'create -i'
            echo 'file'
        case 'create --strict-host-key-checking'
            echo 'choice yes accept-new no'
        case 'create --tunnel-mode'
            echo 'choice auto streamlocal dial-stdio'
        case 'create --from'
            echo 'context'
        case 'create --format'
            echo 'choice table json yaml'
        case 'ls --format'
            echo 'choice table json yaml'
        case 'use --format'
            echo 'choice table json yaml'
        case 'show --format'
            echo 'choice table json yaml'
        case 'prompt --format'
            echo 'choice table'
        case 'inspect --format'
            echo 'choice json yaml'
        case 'update --host' 'update -H'
            echo 'none'
        case 'update --description' 'update -d'
            echo 'none'
        case 'update --docker'
            echo 'none'
        case 'update --ca'
            echo 'file'
        case 'update --cert'
            echo 'file'
        case 'update --key'
            echo 'file'
        case 'update --identity' 'update -i'
            echo 'file'
        case 'update --strict-host-key-checking'
            echo 'choice yes accept-new no'
        case 'update --tunnel-mode'
            echo 'choice auto streamlocal dial-stdio'
        case 'update --format'
            echo 'choice table json yaml'
        case 'rm --format'
            echo 'choice table'
        case 'rename --format'
            echo 'choice table'
        case 'export --format'
            echo 'choice table'
        case 'import --format'
            echo 'choice table'
        case 'shell --format'
            echo 'choice table'
        case 'completion --format'
            echo 'choice table'
        case 'config show --format'
            echo 'choice table json yaml'
        case 'config path --format'
            echo 'choice table'
        case 'import-hosts --prefix' 'import-hosts -p'
            echo 'none'
        case 'import-hosts --format'
            echo 'choice table json yaml'
        case 'help --format'
            echo 'choice table'
        case 'version --format'
            echo 'choice table json yaml'
        case '*'
            switch $flag
                case --config
                    echo 'dir'
                case --context -c
                    echo 'context'
                case --format
                    echo 'choice table json yaml sarif'
            end
    end
end

# A command's arguments: the most it takes (-1: any) and their kind.
function __ctxmgr_args --argument-names path
    switch $path
        case 'create'
            echo '1 none'
        case 'ls'
            echo '0 none'
        case 'use'
            echo '1 context'
        case 'show'
            echo '0 none'
        case 'prompt'
            echo '0 none'
        case 'inspect'
            echo '-1 context'
        case 'update'
            echo '1 context'
        case 'rm'
            echo '-1 context'
        case 'rename'
            echo '2 context'
        case 'export'
            echo '2 context'
        case 'import'
            echo '2 file'
        case 'shell'
            echo '0 none'
        case 'completion'
            echo '1 choice bash zsh fish'
        case 'config'
            echo '0 none'
        case 'config show'
            echo '0 none'
        case 'config path'
            echo '0 none'
        case 'import-hosts'
            echo '1 file'
        case 'help'
            echo '3 command'
        case 'version'
            echo '0 none'
        case '*'
            echo '0 none'
    end
end

function __ctxmgr_contexts --argument-names cfg
    set -l bin (commandline -opc)[1]
    if test -n "$cfg"
        $bin --config $cfg ls -q 2>/dev/null
    else
        $bin ls -q 2>/dev/null
    end
end

# Print the words of a completion kind (context, file, dir, "choice A
# B...", none) that start with $cur, each after $prefix.
function __ctxmgr_offer --argument-names kind cfg cur prefix
    switch $kind
        case context
            for w in (__ctxmgr_contexts $cfg)
                echo $prefix$w
            end
        case file
            for w in (__fish_complete_path $cur)
                echo $prefix$w
            end
        case dir
            for w in (__fish_complete_directories $cur)
                echo $prefix$w
            end
        case 'choice *'
            for w in (string split ' ' -- (string replace 'choice ' '' -- $kind))
                echo $prefix$w
            end
    end
end

function __ctxmgr_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -e words[1]
    set -l cmdpath ''
    set -l pending ''
    set -l cfg ''
    set -l args ''
    set -l only 0
    set -l nargs 0
    for word in $words
        if test -n "$pending"
            test "$pending" = --config; and set cfg $word
            set pending ''
            continue
        end
        if test $only = 0; and test "$word" = --
            set only 1
            continue
        end
        if test $only = 0; and string match -qr -- '^-.' $word
            if string match -qr -- '^--.*=' $word
                set -l kv (string split -m 1 = -- $word)
                test "$kv[1]" = --config; and set cfg $kv[2]
                continue
            end
            set -l v (__ctxmgr_value "$cmdpath" $word)
            test -n "$v"; and set pending $word
            continue
        end
        if test $nargs = 0
            if contains -- $word (__ctxmgr_subcommands "$cmdpath" | string replace -r '\t.*' '')
                set cmdpath (string trim -- "$cmdpath $word")
                continue
            end
            test -z "$cmdpath"; and return
        end
        set nargs (math $nargs + 1)
        set args (string trim -- "$args $word")
    end
    set -l prefix ''
    if test -z "$pending"; and test $only = 0; and string match -qr -- '^--.*=' $cur
        set -l kv (string split -m 1 = -- $cur)
        set -l v (__ctxmgr_value "$cmdpath" $kv[1])
        test -z "$v"; and return
        set pending $kv[1]
        set prefix $kv[1]=
        set cur $kv[2]
    end
    if test -n "$pending"
        __ctxmgr_offer (__ctxmgr_value "$cmdpath" $pending) "$cfg" "$cur" "$prefix"
        return
    end
    if test $only = 0; and string match -q -- '-*' $cur
        __ctxmgr_flags "$cmdpath"
        return
    end
    if test $nargs = 0
        __ctxmgr_subcommands "$cmdpath"
    end
    test -z "$cmdpath"; and return
    set -l spec (string split -m 1 ' ' -- (__ctxmgr_args "$cmdpath"))
    if test $spec[1] -ge 0; and test $nargs -ge $spec[1]
        return
    end
    if test "$spec[2]" = command
        __ctxmgr_subcommands "$args"
        return
    end
    __ctxmgr_offer "$spec[2]" "$cfg" "$cur" ''
end

complete -c ctxmgr -f -a '(__ctxmgr_complete)'
