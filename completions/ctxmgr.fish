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
            printf '%s\t%s\n' tunnel 'background SSH tunnels to remote Docker daemons'
            printf '%s\t%s\n' env 'print the DOCKER_HOST lines for a context (tunnel started)'
            printf '%s\t%s\n' exec 'run a command with DOCKER_HOST set for a context'
            printf '%s\t%s\n' ping 'reach a context\'s daemon and time each step'
            printf '%s\t%s\n' keys 'check SSH keys for weaknesses, make new key pairs'
            printf '%s\t%s\n' password 'check the strength of passwords and passphrases'
            printf '%s\t%s\n' ca 'a small TLS CA for Docker daemons and their clients'
            printf '%s\t%s\n' audit 'audit a Docker daemon\'s exposure, configuration and containers'
            printf '%s\t%s\n' shell 'interactive shell with tab completion and history'
            printf '%s\t%s\n' completion 'print a completion script for bash, zsh or fish'
            printf '%s\t%s\n' config 'ctxmgr\'s settings file (config.yaml)'
            printf '%s\t%s\n' import-hosts 'create ssh contexts from a host inventory'
            printf '%s\t%s\n' help 'show help for ctxmgr or one of its commands'
            printf '%s\t%s\n' version 'print the version and the libraries in use'
        case 'tunnel'
            printf '%s\t%s\n' start 'keep an SSH tunnel to a context\'s Docker daemon'
            printf '%s\t%s\n' stop 'stop a context\'s tunnel (its process and socket go)'
            printf '%s\t%s\n' ls 'list running tunnels with their counters'
        case 'keys'
            printf '%s\t%s\n' check 'rate SSH keys, key files, authorized_keys and known_hosts'
            printf '%s\t%s\n' gen 'make an SSH key pair (FILE and FILE.pub)'
        case 'password'
            printf '%s\t%s\n' check 'rate a password or passphrase (zxcvbn, NIST SP 800-63B)'
        case 'ca'
            printf '%s\t%s\n' init 'create the CA: certificate, encrypted key, database'
            printf '%s\t%s\n' issue 'issue a server or client certificate'
            printf '%s\t%s\n' rotate 'renew client certificates before they expire'
            printf '%s\t%s\n' deploy 'install a server certificate on its Docker host over SSH'
            printf '%s\t%s\n' ls 'list issued certificates and their status'
            printf '%s\t%s\n' revoke 'mark a certificate revoked and write a CRL'
            printf '%s\t%s\n' crl 'write a CRL of the revoked certificates'
        case 'ca issue'
            printf '%s\t%s\n' server 'a server certificate for dockerd --tlsverify'
            printf '%s\t%s\n' client 'client certificates, written into contexts'
        case 'audit'
            printf '%s\t%s\n' image 'audit one image: its configuration and layer history'
            printf '%s\t%s\n' seccomp 'lint a seccomp profile'
            printf '%s\t%s\n' checks 'list the audit\'s checks with their CIS references'
            printf '%s\t%s\n' explain 'explain a check: why it matters, how to fix it, its CIS reference'
        case 'config'
            printf '%s\t%s\n' show 'check config.yaml and print the values it sets'
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
        case 'import'
            printf '%s\t%s\n' --allow-insecure 'keep SkipTLSVerify, strictHostKeyChecking no/accept-new and identity files from the input'
        case 'tunnel start'
            printf '%s\t%s\n' --foreground 'serve in this process until Ctrl-C (logs on stderr)'
            printf '%s\t%s\n' --listen 'also listen on this loopback TCP port (anyone on this machine can reach it)'
            printf '%s\t%s\n' --mode 'auto, streamlocal or dial-stdio (default: the context\'s, else auto)'
            printf '%s\t%s\n' --accept-new 'record the host key of a host seen for the first time'
            printf '%s\t%s\n' --no-ping 'do not check the remote socket with GET /_ping (it need not be a Docker daemon)'
        case 'tunnel stop'
            printf '%s\t%s\n' --all 'stop every tunnel'
        case 'env'
            printf '%s\t%s\n' --unset 'print the lines that undo it'
            printf '%s\t%s\n' --shell 'syntax: sh (bash, zsh...) or fish'
        case 'ping'
            printf '%s\t%s\n' --mode 'ssh: auto, streamlocal or dial-stdio'
            printf '%s\t%s\n' --accept-new 'record the host key of a host seen for the first time'
        case 'keys check'
            printf '%s\t%s\n' --strict 'exit 1 on warnings too, not only on failures'
        case 'keys gen'
            printf '%s\t%s\n' --type 'ed25519 (default), ecdsa or rsa'
            printf '%s\t%s\n' --bits 'key size: rsa 3072 (default) to 16384; ecdsa 256 (default), 384 or 521'
            printf '%s\t%s\n' --comment 'comment in the key (default: user@host)'
            printf '%s\t%s\n' --passphrase-file 'read the passphrase from the first line of FILE (mode 0600; also $CTXMGR_PASSPHRASE_FILE)'
            printf '%s\t%s\n' --no-passphrase 'write the private key unencrypted (warned about)'
            printf '%s\t%s\n' --rounds 'bcrypt KDF rounds for the passphrase (default 16, as ssh-keygen)'
            printf '%s\t%s\n' --allow-weak 'make the key even if its type, size or passphrase fails the policy'
        case 'password check'
            printf '%s\t%s\n' --user 'a user name the password must not lean on (repeatable; the login name, host and context names are always added)'
            printf '%s\t%s\n' --min-score 'exit 1 below this zxcvbn score, 0 to 4 (default 3)'
            printf '%s\t%s\n' --stdin 'read the password from standard input, not the terminal'
            printf '%s\t%s\n' --strict 'also exit 1 below NIST SP 800-63B\'s 15 characters'
        case 'ca init'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --cn 'the CA\'s common name (default "ctxmgr CA")'
            printf '%s\t%s\n' --key-type 'key type (default ecdsa-p256)'
            printf '%s\t%s\n' --days 'lifetime of the CA certificate (default 3650)'
            printf '%s\t%s\n' --passphrase-file 'read the CA passphrase from FILE ("-": standard input; default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)'
            printf '%s\t%s\n' --allow-weak 'accept a passphrase the strength check rejects'
            printf '%s\t%s\n' --kdf-iterations 'PBKDF2-HMAC-SHA256 rounds protecting the key (default 600000)'
        case 'ca issue server'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --passphrase-file 'read the CA passphrase from FILE ("-": standard input; default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)'
            printf '%s\t%s\n' --cn 'the server\'s name (also names its directory in the CA)'
            printf '%s\t%s\n' --san 'names clients connect to (required; repeatable)'
            printf '%s\t%s\n' --days 'lifetime in days (default 365)'
            printf '%s\t%s\n' --key-type 'key type (default ecdsa-p256)'
            printf '%s\t%s\n' --out 'also write ca.pem, server-cert.pem, server-key.pem to DIR'
        case 'ca issue client'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --passphrase-file 'read the CA passphrase from FILE ("-": standard input; default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)'
            printf '%s\t%s\n' --cn 'common name (default: the context name; one context only)'
            printf '%s\t%s\n' --days 'lifetime in days (default 90)'
            printf '%s\t%s\n' --key-type 'key type (default ecdsa-p256)'
        case 'ca rotate'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --passphrase-file 'read the CA passphrase from FILE ("-": standard input; default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)'
            printf '%s\t%s\n' --all 'every context holding a certificate of this CA, and the server certificates'
            printf '%s\t%s\n' --renew-before 'renew when this much of the lifetime is left: "33%" (the default, i.e. past two thirds; else ca.rotation-window of config.yaml) or "30d", "12h"'
            printf '%s\t%s\n' --dry-run 'say what would be renewed; change nothing'
            printf '%s\t%s\n' --force 'renew even when not due'
        case 'ca deploy'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --remote-dir 'where the files go on the host (default /etc/docker/tls)'
            printf '%s\t%s\n' --daemon-json 'the daemon.json to update (default /etc/docker/daemon.json)'
            printf '%s\t%s\n' --restart 'restart dockerd afterwards (systemctl, else service)'
            printf '%s\t%s\n' --dry-run 'show the files and the daemon.json diff; change nothing'
        case 'ca ls'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --all 'also list certificates that were superseded by a renewal'
        case 'ca revoke'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --passphrase-file 'read the CA passphrase from FILE ("-": standard input; default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)'
        case 'ca crl'
            printf '%s\t%s\n' --dir 'CA directory (default $CTXMGR_CA_DIR, else ca.dir of config.yaml, else <config>/ctxmgr/ca)'
            printf '%s\t%s\n' --passphrase-file 'read the CA passphrase from FILE ("-": standard input; default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)'
            printf '%s\t%s\n' --out 'write the CRL to FILE (default: standard output)'
            printf '%s\t%s\n' --days 'days until the CRL\'s next update (default 30)'
        case 'audit'
            printf '%s\t%s\n' --fail-on 'exit 1 when a finding is this severe or worse'
            printf '%s\t%s\n' --policy 'YAML policy: checks ignored, containers allowed'
            printf '%s\t%s\n' --all 'audit every ssh:// context, in parallel'
            printf '%s\t%s\n' --jobs 'contexts audited at once with --all (default 4)'
            printf '%s\t%s\n' --no-probes 'do not probe the host\'s TCP ports'
            printf '%s\t%s\n' --timeout 'give up on a silent daemon (default 10)'
        case 'audit image'
            printf '%s\t%s\n' --fail-on 'exit 1 when a finding is this severe or worse'
            printf '%s\t%s\n' --policy 'YAML policy: checks ignored, containers allowed'
            printf '%s\t%s\n' --timeout 'give up on a silent daemon (default 10)'
        case 'audit seccomp'
            printf '%s\t%s\n' --fail-on 'exit 1 when a finding is this severe or worse'
            printf '%s\t%s\n' --policy 'YAML policy: checks ignored, containers allowed'
        case 'import-hosts'
            printf '%s\t%s\n' --dry-run 'show what would be created or updated; write nothing'
            printf '%s\t%s\n' --prefix 'put P before every context name ("prod-")'
            printf '%s\t%s\n' --update 'change contexts that exist already (they are left alone otherwise)'
            printf '%s\t%s\n' --ssh-config 'FILE is an ssh_config (default ~/.ssh/config): one context per Host alias'
            printf '%s\t%s\n' --allow-insecure 'keep SkipTLSVerify, strictHostKeyChecking no/accept-new and identity files from the input'
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
        case 'tunnel start --listen'
            echo 'none'
        case 'tunnel start --mode'
            echo 'choice auto streamlocal dial-stdio'
        case 'tunnel start --format'
            echo 'choice table json yaml'
        case 'tunnel stop --format'
            echo 'choice table json yaml'
        case 'tunnel ls --format'
            echo 'choice table json yaml'
        case 'env --shell'
            echo 'choice sh fish'
        case 'env --format'
            echo 'choice table json yaml'
        case 'exec --format'
            echo 'choice table json yaml'
        case 'ping --mode'
            echo 'choice auto streamlocal dial-stdio'
        case 'ping --format'
            echo 'choice table json yaml'
        case 'keys check --format'
            echo 'choice table json yaml'
        case 'keys gen --type' 'keys gen -t'
            echo 'choice ed25519 ecdsa rsa'
        case 'keys gen --bits' 'keys gen -b'
            echo 'none'
        case 'keys gen --comment' 'keys gen -C'
            echo 'none'
        case 'keys gen --passphrase-file'
            echo 'file'
        case 'keys gen --rounds' 'keys gen -a'
            echo 'none'
        case 'keys gen --format'
            echo 'choice table json yaml'
        case 'password check --user' 'password check -u'
            echo 'none'
        case 'password check --min-score'
            echo 'none'
        case 'password check --format'
            echo 'choice table json yaml'
        case 'ca init --dir'
            echo 'dir'
        case 'ca init --cn'
            echo 'none'
        case 'ca init --key-type' 'ca init -t'
            echo 'choice ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096'
        case 'ca init --days'
            echo 'none'
        case 'ca init --passphrase-file'
            echo 'file'
        case 'ca init --kdf-iterations'
            echo 'none'
        case 'ca init --format'
            echo 'choice table json yaml'
        case 'ca issue server --dir'
            echo 'dir'
        case 'ca issue server --passphrase-file'
            echo 'file'
        case 'ca issue server --cn'
            echo 'none'
        case 'ca issue server --san'
            echo 'none'
        case 'ca issue server --days'
            echo 'none'
        case 'ca issue server --key-type' 'ca issue server -t'
            echo 'choice ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096'
        case 'ca issue server --out' 'ca issue server -o'
            echo 'dir'
        case 'ca issue server --format'
            echo 'choice table json yaml'
        case 'ca issue client --dir'
            echo 'dir'
        case 'ca issue client --passphrase-file'
            echo 'file'
        case 'ca issue client --cn'
            echo 'none'
        case 'ca issue client --days'
            echo 'none'
        case 'ca issue client --key-type' 'ca issue client -t'
            echo 'choice ecdsa-p256 ecdsa-p384 ed25519 rsa-3072 rsa-4096'
        case 'ca issue client --format'
            echo 'choice table json yaml'
        case 'ca rotate --dir'
            echo 'dir'
        case 'ca rotate --passphrase-file'
            echo 'file'
        case 'ca rotate --renew-before'
            echo 'none'
        case 'ca rotate --format'
            echo 'choice table json yaml'
        case 'ca deploy --dir'
            echo 'dir'
        case 'ca deploy --remote-dir'
            echo 'none'
        case 'ca deploy --daemon-json'
            echo 'none'
        case 'ca deploy --format'
            echo 'choice table json yaml'
        case 'ca ls --dir'
            echo 'dir'
        case 'ca ls --format'
            echo 'choice table json yaml'
        case 'ca revoke --dir'
            echo 'dir'
        case 'ca revoke --passphrase-file'
            echo 'file'
        case 'ca revoke --format'
            echo 'choice table json yaml'
        case 'ca crl --dir'
            echo 'dir'
        case 'ca crl --passphrase-file'
            echo 'file'
        case 'ca crl --out' 'ca crl -o'
            echo 'file'
        case 'ca crl --days'
            echo 'none'
        case 'ca crl --format'
            echo 'choice table json yaml'
        case 'audit --fail-on'
            echo 'choice critical high medium low none'
        case 'audit --policy'
            echo 'file'
        case 'audit --jobs' 'audit -j'
            echo 'none'
        case 'audit --timeout'
            echo 'none'
        case 'audit --format'
            echo 'choice table json yaml sarif'
        case 'audit image --fail-on'
            echo 'choice critical high medium low none'
        case 'audit image --policy'
            echo 'file'
        case 'audit image --timeout'
            echo 'none'
        case 'audit image --format'
            echo 'choice table json yaml sarif'
        case 'audit seccomp --fail-on'
            echo 'choice critical high medium low none'
        case 'audit seccomp --policy'
            echo 'file'
        case 'audit seccomp --format'
            echo 'choice table json yaml sarif'
        case 'audit checks --format'
            echo 'choice table json yaml'
        case 'audit explain --format'
            echo 'choice table json yaml'
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
        case 'tunnel'
            echo '0 none'
        case 'tunnel start'
            echo '1 context'
        case 'tunnel stop'
            echo '1 context'
        case 'tunnel ls'
            echo '0 none'
        case 'env'
            echo '1 context'
        case 'exec'
            echo '-1 context'
        case 'ping'
            echo '1 context'
        case 'keys'
            echo '0 none'
        case 'keys check'
            echo '-1 file'
        case 'keys gen'
            echo '1 file'
        case 'password'
            echo '0 none'
        case 'password check'
            echo '0 none'
        case 'ca'
            echo '0 none'
        case 'ca init'
            echo '0 none'
        case 'ca issue'
            echo '0 none'
        case 'ca issue server'
            echo '0 none'
        case 'ca issue client'
            echo '-1 context'
        case 'ca rotate'
            echo '-1 context'
        case 'ca deploy'
            echo '1 none'
        case 'ca ls'
            echo '0 none'
        case 'ca revoke'
            echo '1 context'
        case 'ca crl'
            echo '0 none'
        case 'audit'
            echo '1 context'
        case 'audit image'
            echo '1 none'
        case 'audit seccomp'
            echo '1 file'
        case 'audit checks'
            echo '0 none'
        case 'audit explain'
            echo '1 none'
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
