#!/bin/bash
test_description='contexts made by docker work in ctxmgr and the reverse'
. "$(dirname "$0")/../lib/test-lib.sh"

use_dockerd

test_expect_success 'docker-made context: ctxmgr lists, inspects, uses, updates' '
	docker context create dk --description "by docker" --docker host=unix://$DOCKERD_SOCK >/dev/null 2>&1 &&
	ctxmgr ls -q >out && test_grep "^dk$" out &&
	ctxmgr inspect dk >a && docker context inspect dk >b && test_cmp b a &&
	ctxmgr use dk -q &&
	docker version --format "{{.Server.Version}}" >v && test -s v &&
	ctxmgr update dk --description "changed by ctxmgr" -q &&
	docker context ls --format "{{.Name}} {{.Description}}" >out &&
	test_grep "^dk changed by ctxmgr$" out
'

test_expect_success 'ctxmgr-made context: docker lists, inspects, uses, updates' '
	ctxmgr create cm --host unix://$DOCKERD_SOCK --description "by ctxmgr" -q &&
	docker context inspect cm >b && ctxmgr inspect cm >a && test_cmp b a &&
	docker context use cm >/dev/null 2>&1 &&
	test "$(ctxmgr show)" = cm &&
	docker --context cm version --format "{{.Server.Version}}" >v && test -s v &&
	docker context update cm --description "changed by docker" >/dev/null 2>&1 &&
	ctxmgr ls --format json >out &&
	test_grep "changed by docker" out
'

test_expect_success 'extra metadata written by ctxmgr survives docker update, and Go re-encodes it as we do' '
	ctxmgr create meta1 --host ssh://u@h --identity /k/id -q &&
	f=$DOCKER_CONFIG/contexts/meta/$(ctx_dir meta1)/meta.json &&
	python3 - "$f" <<-\PY &&
	import json, sys
	p = sys.argv[1]
	d = json.load(open(p))
	d["Metadata"]["zNumbers"] = [2.50, 1e21, 0.0000001, 12345678901234567890, 100]
	d["Metadata"]["Alpha"] = "<&>"
	d["Endpoints"]["kubernetes"] = {"b": 1, "a": {"y": True}}
	open(p, "w").write(json.dumps(d))
	PY
	docker context update meta1 --description go >/dev/null 2>&1 &&
	cp $f by-docker &&
	ctxmgr update meta1 --description go -q &&
	test_cmp by-docker $f &&
	test_grep "\"zNumbers\":\[2.5,1e+21,1e-7,12345678901234567000,100\]" $f &&
	test_grep "\"identity\":\"/k/id\"" $f
'

test_expect_success 'ctxmgr keeps unknown docker-endpoint keys and TLS files on update (docker drops them)' '
	ctxmgr create keep --host tcp://127.0.0.1:2376 -q &&
	f=$DOCKER_CONFIG/contexts/meta/$(ctx_dir keep)/meta.json &&
	sed "s/\"SkipTLSVerify\":false/\"SkipTLSVerify\":false,\"Future\":\"x\"/" $f >tmp && mv tmp $f &&
	ctxmgr update keep --description kept -q &&
	test_grep "\"Future\":\"x\"" $f
'

test_expect_success 'export by ctxmgr, import by docker, and the reverse' '
	ctxmgr export cm cm.tar &&
	tar tf cm.tar >list && test_grep "^meta.json$" list &&
	docker context import cm-by-docker cm.tar >/dev/null 2>&1 &&
	docker --context cm-by-docker version --format "{{.Server.Version}}" >v && test -s v &&
	docker context export dk dk.tar >/dev/null 2>&1 &&
	ctxmgr import dk-by-ctxmgr dk.tar -q &&
	ctxmgr inspect dk-by-ctxmgr >out && test_grep "changed by ctxmgr" out
'

test_expect_success 'TLS material round-trips through export and import both ways' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout k.pem -out c.pem -subj /CN=t -days 2 2>/dev/null &&
	ctxmgr create tlsctx --host tcp://127.0.0.1:2376 --ca c.pem --cert c.pem --key k.pem -q &&
	ctxmgr export tlsctx t.tar &&
	tar tvf t.tar >list &&
	test_grep "^drwx------ 0/0 .* tls/docker$" list &&
	test_grep "^-rw------- 0/0 .* tls/docker/key.pem$" list &&
	docker context import tls-docker t.tar >/dev/null 2>&1 &&
	docker context inspect tls-docker --format "{{json .TLSMaterial}}" >out &&
	echo "{\"docker\":[\"ca.pem\",\"cert.pem\",\"key.pem\"]}" >expect && test_cmp expect out &&
	docker context export tls-docker t2.tar >/dev/null 2>&1 &&
	ctxmgr import tls-back t2.tar -q &&
	cmp k.pem $DOCKER_CONFIG/contexts/tls/$(ctx_dir tls-back)/docker/key.pem &&
	test "$(stat -c %a $DOCKER_CONFIG/contexts/tls/$(ctx_dir tls-back)/docker/key.pem)" = 600
'

test_expect_success 'rm and rename are seen by docker' '
	ctxmgr rename cm-by-docker renamed -q &&
	docker context ls -q >out && test_grep "^renamed$" out && ! grep -q "^cm-by-docker$" out &&
	ctxmgr rm renamed -q && docker context ls -q >out && ! grep -q "^renamed$" out
'
test_expect_success 'contexts without a usable docker endpoint: ls says what docker says' '
	export DOCKER_CONFIG=$TRASH/cfg-noep &&
	m=$DOCKER_CONFIG/contexts/meta &&
	for n in noep nulldocker emptyhost twoeps; do
		mkdir -p $m/$(ctx_dir $n) || return 1
	done &&
	printf "{\"Name\":\"noep\",\"Metadata\":{},\"Endpoints\":{}}" >$m/$(ctx_dir noep)/meta.json &&
	printf "{\"Name\":\"nulldocker\",\"Metadata\":{},\"Endpoints\":{\"docker\":null}}" >$m/$(ctx_dir nulldocker)/meta.json &&
	printf "{\"Name\":\"emptyhost\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"\"}}}" >$m/$(ctx_dir emptyhost)/meta.json &&
	printf "{\"Name\":\"twoeps\",\"Endpoints\":{\"docker\":{\"Host\":\"tcp://h:1\"}},\"Endpoints\":{\"other\":{}}}" >$m/$(ctx_dir twoeps)/meta.json &&
	docker context ls >want &&
	ctxmgr ls >got &&
	test_cmp want got &&
	test_grep "noep .*cannot find docker endpoint in context" got &&
	test_grep "nulldocker .*endpoint \"docker\" is not of type EndpointMeta" got &&
	docker context ls --format "{{.Name}}={{.Error}}" | sort >want &&
	ctxmgr ls --format json | python3 -c "import json,sys; [print(c[\"Name\"] + \"=\" + c[\"Error\"]) for c in json.load(sys.stdin)]" | sort >got &&
	test_cmp want got
'

test_expect_success 'inspect shows Metadata exactly when docker does' '
	export DOCKER_CONFIG=$TRASH/cfg-meta &&
	m=$DOCKER_CONFIG/contexts/meta &&
	ep="\"Endpoints\":{\"docker\":{\"Host\":\"tcp://h:1\",\"SkipTLSVerify\":false}}" &&
	for n in nometa nullmeta emptymeta withdesc; do
		mkdir -p $m/$(ctx_dir $n) || return 1
	done &&
	printf "{\"Name\":\"nometa\",%s}" "$ep" >$m/$(ctx_dir nometa)/meta.json &&
	printf "{\"Name\":\"nullmeta\",\"Metadata\":null,%s}" "$ep" >$m/$(ctx_dir nullmeta)/meta.json &&
	printf "{\"Name\":\"emptymeta\",\"Metadata\":{},%s}" "$ep" >$m/$(ctx_dir emptymeta)/meta.json &&
	printf "{\"Name\":\"withdesc\",\"Metadata\":{\"Description\":\"d\"},%s}" "$ep" >$m/$(ctx_dir withdesc)/meta.json &&
	for n in nometa nullmeta emptymeta withdesc; do
		docker context inspect $n >want &&
		ctxmgr inspect $n >got &&
		test_cmp want got || return 1
	done &&
	ctxmgr inspect nometa >got && ! grep -q "\"Metadata\":" got
'

test_done
