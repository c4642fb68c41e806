#!/bin/bash
test_description='tunnelled contexts: after "ctxmgr use", plain docker goes through the tunnel service'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

use_dockerd
start_sshd box
unset DOCKER_HOST DOCKER_CONTEXT

test_expect_success 'create makes a tunnelled context and starts the service' '
	ctxmgr create prod --host "ssh://box$DOCKERD_SOCK" >out 2>err &&
	d=$DOCKER_CONFIG/contexts/meta/$(ctx_dir prod) &&
	json "$d/meta.json" "d[\"Endpoints\"][\"docker\"][\"Host\"]" >host &&
	grep -q "^unix://$XDG_RUNTIME_DIR/ctxmgr/[0-9a-f]\{8\}/_[0-9a-f]\{16\}\.sock$" host &&
	test "$(json "$d/meta.json" "d[\"Metadata\"][\"ctxmgr\"][\"sshHost\"]")" = "ssh://box$DOCKERD_SOCK" &&
	sock=$(sed "s|^unix://||" host) &&
	test -S "$sock" &&
	test "$(stat -c %a "$sock")" = 600 &&
	test "$(stat -c %a "$(dirname "$sock")")" = 700 &&
	pid=$(svc_pid) && kill -0 "$pid" &&
	test "$(cat /proc/$pid/comm)" = ctxmgr-tunnel &&
	echo "$sock" >"$TRASH/sock"
'
sock=$(cat "$TRASH/sock")

test_expect_success 'the service is lazy: no SSH session before the first client' '
	test "$(svc_field prod State)" = idle &&
	test "$(svc_field prod Sessions)" = 0
'

test_expect_success 'use, then plain docker goes through the service' '
	ctxmgr use prod &&
	docker version --format "{{.Server.Version}}" >v &&
	test -s v &&
	test "$(svc_field prod State)" = connected &&
	test "$(svc_field prod Sessions)" = 1 &&
	in1=$(svc_field prod BytesIn) &&
	docker ps -a >/dev/null &&
	test "$(svc_field prod BytesIn)" -gt "$in1" &&
	docker context inspect prod --format "{{.Endpoints.docker.Host}}" >h &&
	test "$(cat h)" = "unix://$sock" &&
	docker context ls --format "{{.Name}} {{.DockerEndpoint}}" >ls &&
	test_grep "^prod unix://$sock$" ls
'

test_expect_success 'docker run --rm, and -i with a half-close' '
	docker run --rm --network none $BUSYBOX_IMAGE true &&
	echo hi | timeout 60 docker run -i --rm --network none $BUSYBOX_IMAGE cat >out &&
	echo hi >expect &&
	test_cmp expect out
'

test_expect_success 'docker logs -f through the service' '
	id=$(docker run -d --network none $BUSYBOX_IMAGE \
		sh -c "for i in 1 2 3; do echo line\$i; sleep 0.3; done") &&
	test_when_finished "docker rm -f $id >/dev/null 2>&1" &&
	timeout 60 docker logs -f "$id" >out &&
	printf "line1\nline2\nline3\n" >expect &&
	test_cmp expect out
'

test_expect_success 'docker cp of 100 MB in and out keeps every byte' '
	head -c 104857600 /dev/urandom >big &&
	id=$(docker create --network none $BUSYBOX_IMAGE true) &&
	test_when_finished "docker rm -f $id >/dev/null 2>&1; rm -f big back" &&
	timeout 120 docker cp big "$id:/big" &&
	timeout 120 docker cp "$id:/big" back &&
	test "$(sha256sum <big)" = "$(sha256sum <back)"
'

test_expect_success 'tunnel ls shows state, sessions, clients and bytes' '
	ctxmgr tunnel ls >out &&
	test_grep "^CONTEXT *STATE *SESSIONS *CLIENTS" out &&
	test_grep "^prod *connected *1 " out
'

test_expect_success 'ls shows the ssh:// URL and the tunnel state; JSON keeps Docker keys' '
	ctxmgr ls >out &&
	test_grep "^prod \* *ssh://box$DOCKERD_SOCK (tunnel: connected)" out &&
	ctxmgr ls --format json >ls.json &&
	test "$(json ls.json "[c for c in d if c[\"Name\"] == \"prod\"][0][\"DockerEndpoint\"]")" = "unix://$sock" &&
	test "$(json ls.json "[c for c in d if c[\"Name\"] == \"prod\"][0][\"SSHHost\"]")" = "ssh://box$DOCKERD_SOCK" &&
	test "$(json ls.json "[c for c in d if c[\"Name\"] == \"prod\"][0][\"Tunnel\"]")" = connected &&
	test "$(json ls.json "\",\".join(sorted([c for c in d if c[\"Name\"] == \"default\"][0].keys()))")" = "Current,Description,DockerEndpoint,Error,Name"
'

test_expect_success 'inspect: Docker'"'"'s bytes on stdout, the tunnel on stderr' '
	ctxmgr inspect prod >a 2>err &&
	docker context inspect prod >b &&
	test_cmp b a &&
	test_grep "\"prod\" is tunnelled to ssh://box$DOCKERD_SOCK: tunnel connected" err
'

test_expect_success 'env, exec and shell use the tunnelled context as it is' '
	ctxmgr env prod >out &&
	echo "export DOCKER_HOST=unix://$sock" >expect &&
	test_cmp expect out &&
	ctxmgr exec prod -- docker version --format "{{.Server.Version}}" >out &&
	test -s out
'

test_expect_success 'a second service started by hand is refused' '
	test_expect_code 1 ctxmgr tunnel serve 2>err &&
	test_grep "a tunnel service already runs" err
'

test_done
