#!/bin/bash
test_description='ca deploy: a server certificate onto a host over a real sshd, then a real dockerd'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-daemons.sh"
. "$TEST_LIB_DIR/lib-ca.sh"
. "$TEST_LIB_DIR/lib-keys.sh"

# The "remote" host is this machine through sshd as root; every path the
# deploy touches is under $R, named with --remote-dir and --daemon-json.
R=$TRASH/remote
PY=$(command -v /usr/bin/python3 || command -v python3)
CA=$(CA_DIR_DEFAULT)
SRV=$CA/servers/docker1

# A systemctl and a service that only record how they were called, first
# on the remote PATH: the machine's own dockerd is never restarted.
mkdir -p "$TRASH/fakebin" "$TRASH/fakeid"
for f in systemctl service; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/restart.log"\n' "$f" "$TRASH" \
		>"$TRASH/fakebin/$f"
	chmod +x "$TRASH/fakebin/$f"
done
# A host whose login is not root: its `id` says so.
printf '#!/bin/sh\necho 1000\n' >"$TRASH/fakeid/id"
chmod +x "$TRASH/fakeid/id"

# deploy ARGS...: ca deploy docker1 into $R (more flags may follow).
deploy() {
	ctxmgr ca deploy docker1 --remote-dir "$R/tls" \
		--daemon-json "$R/daemon.json" "$@"
}

# The keys of a JSON file's top-level object, in order, on one line.
json_keys() {
	python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$1"
}

# Every line of the server key's base64 body must be absent from FILE...
no_key_in() {
	sed '1d;$d' "$SRV/server-key.pem" >key-lines &&
	! grep -F -f key-lines "$@"
}

ca_passphrase

test_expect_success 'setup: a CA, a server certificate, ssh:// contexts' '
	ca_init_fast >/dev/null 2>&1 &&
	ctxmgr ca issue server --cn docker1 --san DNS:localhost,IP:127.0.0.1 \
		>/dev/null &&
	start_sshd box "SetEnv PATH=$TRASH/fakebin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" &&
	start_sshd nonroot "SetEnv PATH=$TRASH/fakeid:/usr/local/bin:/usr/bin:/bin" &&
	ctxmgr create box --host ssh://box 2>/dev/null &&
	ctxmgr create nonroot --host ssh://nonroot 2>/dev/null &&
	mkdir -p "$R" &&
	cat >"$R/daemon.json" <<-\EOF &&
	{
	    "log-level": "warn",
	    "features": {"buildkit": false},
	    "max-concurrent-downloads": 2
	}
	EOF
	cp "$R/daemon.json" daemon.json.orig
'

test_expect_success '--help describes the command and the host choice' '
	ctxmgr ca deploy --help >help &&
	test_grep -e "--remote-dir DIR" help &&
	test_grep -e "--daemon-json PATH" help &&
	test_grep "without it, the" help &&
	ctxmgr ca --help >cahelp &&
	test_grep "deploy" cahelp
'

test_expect_success 'an unknown server name is a clear error' '
	test_expect_code 1 ctxmgr ca deploy nosuch --context box 2>err &&
	test_grep "no server certificate \"nosuch\"" err &&
	test_grep "ca issue server --cn nosuch" err &&
	test_expect_code 2 ctxmgr ca deploy "../x" --context box 2>err &&
	test_grep "invalid server name" err
'

test_expect_success 'no --context and no context named like the server: usage error' '
	test_expect_code 2 deploy 2>err &&
	test_grep "no context \"docker1\" to deploy to" err &&
	test_grep -e "--context" err &&
	test ! -e "$R/tls"
'

test_expect_success 'bad remote paths are refused before connecting' '
	test_expect_code 2 ctxmgr ca deploy docker1 --context box \
		--remote-dir tls 2>err &&
	test_grep "absolute path" err &&
	test_expect_code 2 ctxmgr ca deploy docker1 --context box \
		--daemon-json / 2>err
'

test_expect_success 'a non-root remote user: clear error, nothing changed' '
	mkdir -p "$R/nr" && cp daemon.json.orig "$R/nr/daemon.json" &&
	test_expect_code 1 ctxmgr ca deploy docker1 --context nonroot \
		--remote-dir "$R/nr/tls" --daemon-json "$R/nr/daemon.json" 2>err &&
	test_grep "is not root (uid 1000)" err &&
	test_grep "nothing was changed" err &&
	test ! -e "$R/nr/tls" &&
	test_cmp daemon.json.orig "$R/nr/daemon.json" &&
	test "$(ls -A "$R/nr")" = daemon.json
'

test_expect_success 'invalid JSON or duplicate keys in daemon.json: refused, nothing changed' '
	mkdir -p "$R/bad" &&
	printf "{\"log-level\": \"warn\",\n" >"$R/bad/daemon.json" &&
	cp "$R/bad/daemon.json" bad.orig &&
	test_expect_code 1 ctxmgr ca deploy docker1 --context box \
		--remote-dir "$R/bad/tls" --daemon-json "$R/bad/daemon.json" 2>err &&
	test_grep "daemon.json" err &&
	test_grep "nothing was changed" err &&
	test_cmp bad.orig "$R/bad/daemon.json" &&
	printf "{\"debug\": true, \"debug\": false}\n" >"$R/bad/daemon.json" &&
	cp "$R/bad/daemon.json" bad.orig &&
	test_expect_code 1 ctxmgr ca deploy docker1 --context box \
		--remote-dir "$R/bad/tls" --daemon-json "$R/bad/daemon.json" 2>err &&
	test_grep -i "duplicate" err &&
	test_cmp bad.orig "$R/bad/daemon.json" &&
	test ! -e "$R/bad/tls" &&
	test "$(ls -A "$R/bad")" = daemon.json
'

test_expect_success 'a symlinked daemon.json is refused' '
	mkdir -p "$R/link" && cp daemon.json.orig "$R/link/target.json" &&
	ln -s target.json "$R/link/daemon.json" &&
	test_expect_code 1 ctxmgr ca deploy docker1 --context box \
		--remote-dir "$R/link/tls" --daemon-json "$R/link/daemon.json" 2>err &&
	test_grep "symbolic link" err &&
	test -L "$R/link/daemon.json" && test ! -e "$R/link/tls"
'

test_expect_success '--dry-run shows the files and the diff, changes nothing' '
	deploy --context box --dry-run >out 2>err &&
	test_grep "^would deploy server certificate \"docker1\" to \"box\"" out &&
	test_grep "^  0400 root  *[0-9]* bytes  $R/tls/server-key.pem$" out &&
	test_grep "^+  \"tlsverify\": true,$" out &&
	test_grep "^+  \"tlskey\": \"$R/tls/server-key.pem\"$" out &&
	test_grep "^-    \"log-level\": \"warn\",$" out &&
	test_grep "^+  \"log-level\": \"warn\",$" out &&
	test ! -e "$R/tls" &&
	test_cmp daemon.json.orig "$R/daemon.json" &&
	test "$(ls -A "$R" | grep -c bak)" = 0 &&
	no_key_in out err
'

test_expect_success 'deploy: files with safe modes, daemon.json merged, backup kept' '
	deploy --context box >out 2>err &&
	test_grep "^deployed server certificate \"docker1\" to \"box\"" out &&
	test_grep "restart it (--restart does)" out &&
	test "$(stat -c "%a %U %G" "$R/tls")" = "700 root root" &&
	test "$(stat -c "%a %U %G" "$R/tls/ca.pem")" = "444 root root" &&
	test "$(stat -c "%a %U %G" "$R/tls/server-cert.pem")" = "444 root root" &&
	test "$(stat -c "%a %U %G" "$R/tls/server-key.pem")" = "400 root root" &&
	for f in ca.pem server-cert.pem server-key.pem; do
		cmp "$SRV/$f" "$R/tls/$f" || exit 1
	done &&
	test "$(ls -A "$R/tls" | sort | tr "\n" " ")" = \
		"ca.pem server-cert.pem server-key.pem " &&
	test "$(json_keys "$R/daemon.json")" = \
		"log-level features max-concurrent-downloads tlsverify tlscacert tlscert tlskey" &&
	jq "$R/daemon.json" "d[\"features\"] == {\"buildkit\": False} and d[\"max-concurrent-downloads\"] == 2 and d[\"tlsverify\"] is True" >v &&
	test "$(cat v)" = true &&
	jq "$R/daemon.json" "[d[k] for k in (\"tlscacert\", \"tlscert\", \"tlskey\")]" >paths &&
	printf "%s\n" "$R/tls/ca.pem" "$R/tls/server-cert.pem" \
		"$R/tls/server-key.pem" >want &&
	test_cmp want paths &&
	ls "$R"/daemon.json.bak-* >baks &&
	test "$(wc -l <baks)" = 1 &&
	test_cmp daemon.json.orig "$(cat baks)" &&
	test_grep "the old file is kept as $(cat baks)$" out &&
	test -z "$(find "$R" -name ".ctxmgr-*")" &&
	no_key_in out err
'

test_expect_success 'a real dockerd starts from the merged daemon.json; docker connects with a client certificate' '
	TLS_PORT=$(free_port) &&
	start_dockerd "$TRASH/tlsd" --config-file "$R/daemon.json" \
		-H "tcp://127.0.0.1:$TLS_PORT" &&
	wait_for 20 sh -c "ss -Hltn \"sport = :$TLS_PORT\" | grep -q ." &&
	ctxmgr create tlsbox --host "tcp://127.0.0.1:$TLS_PORT" 2>/dev/null &&
	ctxmgr ca issue client tlsbox >/dev/null &&
	docker --context tlsbox version --format "{{.Server.Version}}" >ver &&
	test -s ver &&
	ctxmgr create nocert --host "tcp://127.0.0.1:$TLS_PORT" \
		--ca "$CA/ca.pem" 2>/dev/null &&
	test_must_fail docker --context nocert version >/dev/null 2>&1 &&
	! grep "level=info" "$TRASH/tlsd/log"
'

test_expect_success 'init, issue server, deploy, issue client: audit finds nothing in the TLS files' '
	ctxmgr create tlsbox-local --host "unix://$TRASH/tlsd/docker.sock" 2>/dev/null &&
	ctxmgr audit tlsbox-local --format json >report.json 2>err
	"$PY" "$TEST_LIB_DIR/audit-query.py" status report.json files.tls-key >st &&
	test "$(cat st)" = pass &&
	"$PY" "$TEST_LIB_DIR/audit-query.py" status report.json files.tls-cert >st &&
	test "$(cat st)" = pass &&
	"$PY" "$TEST_LIB_DIR/audit-query.py" status report.json files.tls-ca >st &&
	test "$(cat st)" = pass
'

test_expect_success 'deploying again: daemon.json already right, no new backup' '
	deploy --context box --format json >out.json &&
	jq out.json "d[\"daemonJson\"][\"changed\"]" >v &&
	test "$(cat v)" = false &&
	test "$(ls "$R"/daemon.json.bak-* | wc -l)" = 1 &&
	jq out.json "[f[\"path\"] + \" \" + f[\"mode\"] for f in d[\"files\"]]" >got &&
	printf "%s\n" "$R/tls/ca.pem 0444" "$R/tls/server-cert.pem 0444" \
		"$R/tls/server-key.pem 0400" >want &&
	test_cmp want got &&
	jq out.json "d[\"server\"] + \" \" + d[\"context\"] + \" \" + str(d[\"restarted\"]) + \" \" + str(d[\"dryRun\"])" >v &&
	test "$(cat v)" = "docker1 box False False" &&
	no_key_in out.json
'

test_expect_success 'unknown and nested keys are kept in their order' '
	mkdir -p "$R/unk" &&
	cat >"$R/unk/daemon.json" <<-\EOF &&
	{
	  "x-vendor": {"z": [1, 2, {"deep": null}], "a": "b"},
	  "tlsverify": false,
	  "log-opts": {"max-size": "10m"},
	  "zzz-last": 1.5
	}
	EOF
	cp "$R/unk/daemon.json" unk.orig &&
	ctxmgr ca deploy docker1 --context box --remote-dir "$R/unk/tls" \
		--daemon-json "$R/unk/daemon.json" >out &&
	test "$(json_keys "$R/unk/daemon.json")" = \
		"x-vendor tlsverify log-opts zzz-last tlscacert tlscert tlskey" &&
	jq "$R/unk/daemon.json" "d[\"x-vendor\"] == {\"z\": [1, 2, {\"deep\": None}], \"a\": \"b\"} and d[\"tlsverify\"] is True and d[\"zzz-last\"] == 1.5 and d[\"log-opts\"] == {\"max-size\": \"10m\"}" >v &&
	test "$(cat v)" = true &&
	test_cmp unk.orig "$(ls "$R"/unk/daemon.json.bak-*)"
'

test_expect_success 'no daemon.json yet: created with the TLS settings, no backup' '
	ctxmgr ca deploy docker1 --context box --remote-dir "$R/new/tls" \
		--daemon-json "$R/new/etc/daemon.json" >out &&
	test_grep "created with the TLS settings" out &&
	test "$(json_keys "$R/new/etc/daemon.json")" = \
		"tlsverify tlscacert tlscert tlskey" &&
	test "$(stat -c %a "$R/new/etc/daemon.json")" = 644 &&
	test "$(ls -A "$R/new/etc")" = daemon.json
'

test_expect_success 'remote paths reach the shell quoted' '
	weird="$R/we ird \$(touch $TRASH/pwned);x" &&
	ctxmgr ca deploy docker1 --context box --remote-dir "$weird/tls" \
		--daemon-json "$weird/daemon.json" >out &&
	test ! -e "$TRASH/pwned" &&
	cmp "$SRV/server-key.pem" "$weird/tls/server-key.pem" &&
	jq "$weird/daemon.json" "d[\"tlskey\"]" >k &&
	echo "$weird/tls/server-key.pem" >want &&
	test_cmp want k
'

test_expect_success '--restart runs the restart command and says which' '
	rm -f "$TRASH/restart.log" &&
	deploy --context box --restart >out &&
	test_grep "^restarted dockerd: ran \"\(systemctl restart docker\|service docker restart\)\"" out &&
	ran=$(sed -n "s/^restarted dockerd: ran \"\(.*\)\"$/\1/p" out) &&
	echo "$ran" >want &&
	test_cmp want "$TRASH/restart.log" &&
	deploy --context box >out2 &&
	test "$(wc -l <"$TRASH/restart.log")" = 1
'

test_expect_success 'a context named like the server is used without --context' '
	ctxmgr create docker1 --host ssh://box 2>/dev/null &&
	deploy --format json >out.json &&
	jq out.json "d[\"context\"]" >v &&
	test "$(cat v)" = docker1
'

test_expect_success 'a tcp:// context is not a way to the host' '
	test_expect_code 2 deploy --context tlsbox 2>err &&
	test_grep "is not an ssh:// context" err
'

test_done
