#!/bin/bash
test_description='tunnel enable/disable, export and import of tunnelled contexts, bad input'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd cv
unset DOCKER_HOST DOCKER_CONTEXT
meta() {
	echo "$DOCKER_CONFIG/contexts/meta/$(ctx_dir "$1")/meta.json"
}

test_expect_success 'tunnel enable on a context docker made, and disable gives its bytes back' '
	docker context create dk --description "made by docker" --docker "host=ssh://cv$DOCKERD_SOCK" &&
	cp "$(meta dk)" dk.before &&
	ctxmgr tunnel enable dk >out &&
	test_grep "context \"dk\" is tunnelled: unix://" out &&
	test "$(json "$(meta dk)" "d[\"Metadata\"][\"ctxmgr\"][\"sshHost\"]")" = "ssh://cv$DOCKERD_SOCK" &&
	test "$(json "$(meta dk)" "d[\"Metadata\"][\"Description\"]")" = "made by docker" &&
	docker --context dk version --format "{{.Server.Version}}" >v &&
	test -s v &&
	test "$(svc_field dk Sessions)" = 1 &&
	docker context inspect dk --format "{{.Endpoints.docker.Host}}" >h &&
	grep -q "^unix://" h &&
	ctxmgr tunnel disable dk >out &&
	test_grep "context \"dk\" is direct: ssh://cv" out &&
	python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); a[\"Metadata\"].pop(\"ctxmgr\", None); sys.exit(a != b)" "$(meta dk)" dk.before
'

test_expect_success 'enable --all and disable --all' '
	ctxmgr create d1 --direct --host "ssh://cv$DOCKERD_SOCK" -q &&
	ctxmgr create t1 --host "tcp://127.0.0.1:1" -q &&
	ctxmgr tunnel enable --all >out &&
	test_grep "\"d1\" is tunnelled" out &&
	test_grep "\"dk\" is tunnelled" out &&
	! grep -q t1 out &&
	ctxmgr tunnel disable --all >out &&
	test_grep "\"d1\" is direct" out &&
	test "$(json "$(meta d1)" "d[\"Endpoints\"][\"docker\"][\"Host\"]")" = "ssh://cv$DOCKERD_SOCK" &&
	test_expect_code 1 ctxmgr tunnel enable t1 2>err &&
	test_grep "not an ssh:// context" err
'

test_expect_success 'export writes the portable ssh:// form; docker context import elsewhere reads it' '
	ctxmgr create tx --host "ssh://cv$DOCKERD_SOCK" -q &&
	ctxmgr export tx tx.tar &&
	mkdir other &&
	DOCKER_CONFIG=$PWD/other docker context import tx2 tx.tar &&
	DOCKER_CONFIG=$PWD/other docker context inspect tx2 --format "{{.Endpoints.docker.Host}}" >h &&
	echo "ssh://cv$DOCKERD_SOCK" >expect &&
	test_cmp expect h
'

test_expect_success 'import makes an ssh:// context tunnelled again, or direct with --direct' '
	ctxmgr import tx3 tx.tar &&
	json "$(meta tx3)" "d[\"Endpoints\"][\"docker\"][\"Host\"]" >h &&
	grep -q "^unix://$XDG_RUNTIME_DIR/ctxmgr/" h &&
	docker --context tx3 version --format "{{.Server.Version}}" >v &&
	test -s v &&
	ctxmgr import tx4 --direct tx.tar &&
	test "$(json "$(meta tx4)" "d[\"Endpoints\"][\"docker\"][\"Host\"]")" = "ssh://cv$DOCKERD_SOCK"
'

test_expect_success 'an archive naming someone else'"'"'s socket gets this machine'"'"'s' '
	mkdir -p evil &&
	printf "%s" "{\"Name\":\"ev\",\"Metadata\":{\"ctxmgr\":{\"sshHost\":\"ssh://cv$DOCKERD_SOCK\"}},\"Endpoints\":{\"docker\":{\"Host\":\"unix:///tmp/attacker.sock\",\"SkipTLSVerify\":false}}}" >evil/meta.json &&
	tar -C evil -cf evil.tar meta.json &&
	ctxmgr import ev evil.tar &&
	json "$(meta ev)" "d[\"Endpoints\"][\"docker\"][\"Host\"]" >h &&
	! grep -q attacker h &&
	grep -q "^unix://$XDG_RUNTIME_DIR/ctxmgr/" h
'

test_expect_success 'ping of a tunnelled context goes over SSH and opens no service session' '
	ctxmgr tunnel stop --all >/dev/null &&
	s0=$(svc_field tx Sessions) &&
	ctxmgr ping tx >out &&
	test_grep "host key" out &&
	test "$(svc_field tx Sessions)" = "$s0"
'

test_expect_success 'tunnel start --accept-new on a tunnelled context records the host key, then connects' '
	cp "$HOME/.ssh/known_hosts" kh.save &&
	test_when_finished "cp kh.save \"$HOME/.ssh/known_hosts\"" &&
	: >"$HOME/.ssh/known_hosts" &&
	ctxmgr tunnel stop tx >/dev/null &&
	test_expect_code 1 ctxmgr tunnel start tx 2>err &&
	test_grep "failing: .*not known" err &&
	ctxmgr tunnel start tx --accept-new >out &&
	test_grep "tunnel \"tx\" connected: unix://" out &&
	test -s "$HOME/.ssh/known_hosts"
'

test_expect_success 'a long name gets a short socket path' '
	long=$(printf "n%.0s" $(seq 1 200)) &&
	ctxmgr create "$long" --host "ssh://cv$DOCKERD_SOCK" -q &&
	json "$(meta "$long")" "d[\"Endpoints\"][\"docker\"][\"Host\"]" >h &&
	test "$(wc -c <h)" -lt 108 &&
	docker --context "$long" version --format "{{.Server.Version}}" >v &&
	test -s v
'

test_expect_success 'Metadata.ctxmgr with wrong types: not tunnelled, nothing breaks' '
	d=$DOCKER_CONFIG/contexts/meta/$(ctx_dir badmeta) &&
	mkdir -p "$d" &&
	printf "%s" "{\"Name\":\"badmeta\",\"Metadata\":{\"ctxmgr\":{\"sshHost\":42,\"identity\":[]}},\"Endpoints\":{\"docker\":{\"Host\":\"unix:///x.sock\",\"SkipTLSVerify\":false}}}" >"$d/meta.json" &&
	ctxmgr ls >out &&
	test_grep "^badmeta" out &&
	ctxmgr tunnel ls --format json >ls.json &&
	! grep -q badmeta ls.json &&
	test_expect_code 1 ctxmgr tunnel enable badmeta 2>err &&
	test_grep "not an ssh:// context" err
'

test_expect_success 'rename moves the socket with the name' '
	old=$(svc_field tx Socket) &&
	ctxmgr rename tx ty &&
	json "$(meta ty)" "d[\"Endpoints\"][\"docker\"][\"Host\"]" >h &&
	! grep -q "$old" h &&
	wait_for 5 sh -c "! test -e $old" &&
	docker --context ty version --format "{{.Server.Version}}" >v &&
	test -s v
'

test_done
