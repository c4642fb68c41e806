#!/bin/bash
test_description='fleets: tags from create/update, shown by ls; one --filter/--all selection for exec, ping and audit'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-ca.sh"
. "$TEST_LIB_DIR/lib-daemons.sh"

test_expect_success 'create --tag and update --tag/--untag keep tags in Metadata.ctxmgr.tags' '
	ctxmgr create web1 --host tcp://web1.example.com:2376 --tag web --tag eu -q >/dev/null &&
	ctxmgr create db1 --host tcp://db1.example.com:2376 --tag db -q >/dev/null &&
	ctxmgr create bare --host tcp://bare.example.com:2376 -q >/dev/null &&
	ctxmgr update web1 --tag zz --untag eu --tag web -q >/dev/null &&
	python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
assert m[\"Metadata\"][\"ctxmgr\"][\"tags\"] == [\"web\", \"zz\"], m
" "$DOCKER_CONFIG/contexts/meta/$(ctx_dir web1)/meta.json" &&
	ctxmgr update web1 --untag zz --untag web -q >/dev/null &&
	python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
assert \"ctxmgr\" not in m[\"Metadata\"], m
" "$DOCKER_CONFIG/contexts/meta/$(ctx_dir web1)/meta.json" &&
	ctxmgr update web1 --tag web --tag eu -q >/dev/null
'

test_expect_success 'docker reads a tagged context and keeps its tags' '
	docker context inspect web1 >out &&
	test_grep "\"tags\"" out &&
	docker context update web1 --description "by docker" >/dev/null &&
	ctxmgr ls --tags >out &&
	test_grep "^web1 .*by docker.*eu,web" out
'

test_expect_success 'ls keeps docker columns; --tags adds TAGS; json adds Tags' '
	ctxmgr ls >out &&
	head -n1 out >head &&
	test_grep "^NAME *DESCRIPTION *DOCKER ENDPOINT *ERROR *$" head &&
	ctxmgr ls --tags >out &&
	test_grep "^NAME .*ERROR *TAGS *$" out &&
	test_grep "^db1 .*tcp://db1.example.com:2376 *db *$" out &&
	ctxmgr ls --format json >out.json &&
	python3 -c "
import json
d = {c[\"Name\"]: c.get(\"Tags\") for c in json.load(open(\"out.json\"))}
assert d[\"web1\"] == [\"eu\", \"web\"] and d[\"db1\"] == [\"db\"], d
assert d[\"bare\"] is None and d[\"default\"] is None, d
" &&
	test "$(ctxmgr ls -q --filter tag=web)" = web1
'

test_expect_success 'hostile tags are refused and nothing is written' '
	store_snapshot >before &&
	for t in "a,b" "a b" "$(printf "a\tb")" "$(printf "x\033[2J")" "" \
		"$(printf "%065d" 0)" "$(printf "\377")"; do
		test_expect_code 2 ctxmgr update db1 --tag "$t" 2>err &&
		test_grep "tag" err &&
		test_expect_code 2 ctxmgr create t-bad --host tcp://x:1 --tag "$t" 2>/dev/null ||
		exit 1
	done &&
	! grep -q "$(printf "\033")" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_success 'ls --format yaml carries tags and a tunnelled context ssh URL to another store' '
	ctxmgr create tun1 --host ssh://deploy@tun1.example.com --tag edge -q >/dev/null 2>&1 &&
	ctxmgr ls --format yaml >ls.yaml &&
	ctxmgr --config other import-hosts ls.yaml >out 2>err &&
	ctxmgr --config other ls --format json >other.json &&
	python3 -c "
import json
d = {c[\"Name\"]: c for c in json.load(open(\"other.json\"))}
assert d[\"web1\"][\"Tags\"] == [\"eu\", \"web\"], d[\"web1\"]
assert d[\"tun1\"][\"Tags\"] == [\"edge\"], d[\"tun1\"]
t = d[\"tun1\"]
assert t.get(\"SSHHost\", t[\"DockerEndpoint\"]) == \"ssh://deploy@tun1.example.com\", t
" &&
	ctxmgr rm -f tun1 >/dev/null 2>&1
'

test_expect_success 'an inventory tag that create would refuse is refused with its line' '
	printf "hosts:\n  - {name: t1, host: t1.example.com, tags: [web, \"a,b\"]}\n" >badtag.yaml &&
	store_snapshot >before &&
	test_expect_code 1 ctxmgr import-hosts badtag.yaml 2>err &&
	test_grep "badtag.yaml:2:.*tag \"a,b\" is not usable" err &&
	store_snapshot >after &&
	test_cmp before after
'

# real daemons for the fleet commands: two unix:// contexts on the shared
# dockerd, a tunnelled ssh:// one through a real sshd, one unreachable
test_expect_success 'setup: contexts against real daemons, tagged' '
	use_dockerd &&
	# keys check reads the remote HOME: a private one, not the real one
	mkdir -p "$TRASH/rhome/.ssh" && chmod 700 "$TRASH/rhome" "$TRASH/rhome/.ssh" &&
	start_sshd fleet0 "SetEnv HOME=$TRASH/rhome" &&
	ssh-keygen -q -t ed25519 -N "" -C good-ed -f good &&
	cp good.pub "$TRASH/rhome/.ssh/authorized_keys" &&
	dead_port=$(free_port) &&
	echo "$dead_port" >dead_port &&
	ctxmgr create lu1 --host "unix://$DOCKERD_SOCK" --tag lab --tag unixy -q >/dev/null &&
	ctxmgr create lu2 --host "unix://$DOCKERD_SOCK" --tag lab --tag unixy -q >/dev/null &&
	ctxmgr create ls1 --host "ssh://fleet0$DOCKERD_SOCK" --tag lab -q >/dev/null 2>&1 &&
	ctxmgr create ldead --host "ssh://127.0.0.1:$dead_port$DOCKERD_SOCK" --tag lab -q >/dev/null 2>&1
'
unset DOCKER_HOST DOCKER_CONTEXT

test_expect_success 'ping --filter: each context once, prefixed tables, a summary' '
	ctxmgr ping --filter tag=unixy >out 2>err &&
	grep -q "^lu1 | _ping " out &&
	grep -q "^lu2 | _ping " out &&
	test_grep "^ctxmgr: ping: 2 of 2 contexts succeeded" err &&
	ctxmgr ping -f tag=lab -f "name=ls*" >out 2>err &&
	grep -q "^ls1 | auth " out
'

test_expect_success 'ping --filter with an unreachable host: named, exit 1' '
	test_expect_code 1 ctxmgr ping -f tag=lab -j 4 >out 2>err &&
	test_grep "^ctxmgr: ping: 3 of 4 contexts succeeded" err &&
	test_grep "^  ldead  exit 1$" err &&
	test_grep "^ldead | ctxmgr: ping \"ldead\": the connect step failed" err
'

test_expect_success 'ping --filter --format json: one array, failures named' '
	test_expect_code 1 ctxmgr ping -f tag=lab --format json >out.json 2>err &&
	python3 - out.json <<-\PY
	import json, sys
	d = {c["Context"]: c for c in json.load(open(sys.argv[1]))}
	assert sorted(d) == ["ldead", "ls1", "lu1", "lu2"], d
	assert d["lu1"]["Result"] == "exit 0" and d["lu1"]["Version"], d["lu1"]
	assert d["ls1"]["Phases"][0]["Phase"] == "connect", d["ls1"]
	assert d["ldead"]["Result"] == "exit 1", d["ldead"]
	assert "connect step failed" in d["ldead"]["Error"], d["ldead"]
	PY
'

test_expect_success 'ping: --all and a NAME together, or a bad filter, are usage errors' '
	test_expect_code 2 ctxmgr ping lu1 --all 2>err &&
	test_grep "give no NAME" err &&
	test_expect_code 2 ctxmgr ping -f nope=1 2>err &&
	test_grep "unknown filter" err &&
	test_expect_code 1 ctxmgr ping -f tag=nosuch 2>err &&
	test_grep "no context matches" err
'

test_expect_success 'exec --filter name=GLOB and tunnel=on pick the right contexts' '
	ctxmgr exec -f "name=lu*" -- docker ps -q >out 2>err &&
	test_grep "^ctxmgr: exec: 2 of 2 contexts succeeded" err &&
	test_expect_code 1 ctxmgr exec -f tunnel=on -f tag=lab -- docker version --format "{{.Server.Os}}" >out 2>err &&
	test_grep "^ls1 *| linux$" out &&
	test_grep "^  ldead  exit 1$" err &&
	test "$(grep -c "^  l" err)" = 2 &&
	! grep -q "^ldead | linux" out
'

test_expect_success 'keys check --filter: each ssh context, the unreachable one a failure' '
	test_expect_code 1 ctxmgr keys check --filter tag=lab --format json >keys.json 2>err &&
	python3 - keys.json <<-\PY
	import json, sys
	d = json.load(open(sys.argv[1]))
	by = {}
	for f in d:
	    by.setdefault(f["path"], []).append(f)
	assert sorted(by) == ["ldead:~/.ssh/authorized_keys", "ls1:~/.ssh/authorized_keys"], by
	assert [f["verdict"] for f in by["ls1:~/.ssh/authorized_keys"]] == ["ok"], by
	dead = by["ldead:~/.ssh/authorized_keys"]
	assert dead[0]["verdict"] == "fail", dead
	assert "refused" in json.dumps(dead), dead
	PY
	test_expect_code 1 ctxmgr keys check -f tag=unixy 2>err &&
	test_grep "no ssh context matches" err
'

test_expect_success 'tunnel start/stop --filter: every selected ssh context, a summary' '
	test_expect_code 1 ctxmgr tunnel start --filter tag=lab >out 2>err &&
	test_grep "^ls1 *| tunnel \"ls1\" connected" out &&
	test_grep "^ctxmgr: tunnel start: 1 of 2 contexts succeeded" err &&
	test_grep "^  ldead  exit 1$" err &&
	! grep -q "^  lu1" err &&
	ctxmgr tunnel ls >tl &&
	test_grep "^ls1  *connected" tl &&
	ctxmgr tunnel stop --filter "name=ls*" >out 2>err &&
	test_grep "^ls1 | tunnel \"ls1\" disconnected" out &&
	ctxmgr tunnel ls >tl &&
	! grep -q "^ls1  *connected" tl &&
	test_expect_code 1 ctxmgr tunnel start --filter tag=unixy 2>err &&
	test_grep "no ssh context matches" err &&
	test_expect_code 2 ctxmgr tunnel start ls1 --all 2>err
'

test_expect_success 'audit --filter tag=unixy: the unix contexts, one table' '
	rc=0 &&
	{ ctxmgr audit --filter tag=unixy -j 2 --no-probes >out 2>err || rc=$?; } &&
	test "$rc" -le 3 && test "$rc" != 2 &&
	test_grep "^lu1  *unix://" out &&
	test_grep "^lu2  *unix://" out &&
	! grep -q "^ls1 " out
'

test_expect_success 'ca rotate --filter: the matching contexts of --all, no servers' '
	ca_passphrase &&
	ca_init_fast >/dev/null 2>&1 &&
	ctxmgr create tls1 --host tcp://127.0.0.1:2376 --tag edge -q >/dev/null &&
	ctxmgr create tls2 --host tcp://127.0.0.1:2376 -q >/dev/null &&
	ctxmgr ca issue client tls1 >/dev/null &&
	ctxmgr ca issue client tls2 >/dev/null &&
	ctxmgr ca issue server --cn srv1 --san DNS:srv1 --days 10 >/dev/null &&
	ctxmgr ca rotate --filter tag=edge --renew-before 90d --dry-run >out &&
	test_grep "^would renew  *client  *tls1 " out &&
	! grep -q "tls2" out &&
	! grep -q "srv1" out &&
	ctxmgr ca rotate --all --renew-before 90d --dry-run >out &&
	test_grep "tls2" out && test_grep "srv1" out &&
	test_expect_code 2 ctxmgr ca rotate --all --filter tag=edge 2>err &&
	test_expect_code 2 ctxmgr ca rotate tls1 --filter tag=edge 2>err &&
	test_grep "one of them" err
'

test_done
