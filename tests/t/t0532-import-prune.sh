#!/bin/bash
test_description='import-hosts --prune: only the departed hosts of the same inventory go; hostile inventories remove nothing'
. "$(dirname "$0")/../lib/test-lib.sh"
. "$TEST_LIB_DIR/lib-tunnel.sh"

names() {
	docker context ls --format "{{.Name}}" | grep -v "^default$" | sort
}

test_expect_success 'setup: two inventories, one imported twice with a prefix, contexts made by hand' '
	printf "[web]\nweb[1:3].example.com\n\n[db]\ndb1.example.com\n" >a.ini &&
	printf "[x]\nother1\nother2\n" >b.ini &&
	ctxmgr import-hosts a.ini >out 2>err &&
	test_grep "created 4" err &&
	ctxmgr import-hosts --prefix p- a.ini >/dev/null 2>&1 &&
	ctxmgr import-hosts b.ini >/dev/null 2>&1 &&
	ctxmgr create hand --host ssh://hand.example.com -q &&
	docker context create dk --docker host=ssh://dk.example.com >/dev/null &&
	json "$DOCKER_CONFIG/contexts/meta/$(ctx_dir web1.example.com)/meta.json" \
		"d[\"Metadata\"][\"ctxmgr\"][\"importSource\"]" >src &&
	echo "$PWD/a.ini" >expect && test_cmp expect src
'

test_expect_success '--dry-run shows what would go and changes nothing' '
	printf "[web]\nweb[1:2].example.com\nhand\ndk\n" >a.ini &&
	store_snapshot >before &&
	ctxmgr import-hosts --prune --dry-run a.ini >out 2>err &&
	store_snapshot >after && test_cmp before after &&
	test_grep "^web3.example.com .* remove " out &&
	test_grep "^db1.example.com .* remove " out &&
	test "$(grep -c " remove " out)" = 2 &&
	test_grep "would remove 2" err && test_grep "dry run, nothing written" err
'

test_expect_success 'prune removes only the departed hosts of the same inventory and prefix' '
	names >before &&
	ctxmgr import-hosts --prune a.ini --format json >out 2>err &&
	test_grep "created 0, updated 0, removed 2, unchanged 0, left alone 4" err &&
	python3 -c "import json,sys; [print(o[\"Name\"]) for o in json.load(open(sys.argv[1])) if o[\"Action\"] == \"removed\"]" out | sort >got &&
	printf "db1.example.com\nweb3.example.com\n" >expect &&
	test_cmp expect got &&
	names >after &&
	grep -v -x -e web3.example.com -e db1.example.com before >expect &&
	test_cmp expect after &&
	test_grep -x p-web3.example.com after && test_grep -x other2 after &&
	test_grep -x hand after && test_grep -x dk after &&
	ctxmgr import-hosts --prune a.ini >out 2>err &&
	test_grep "removed 0" err
'

test_expect_success 'a context whose endpoint changed since the import is kept, and said so' '
	ctxmgr update p-db1.example.com --host ssh://moved.example.com -q &&
	printf "[web]\nweb1.example.com\n" >a2.ini &&
	cp a.ini a.ini.keep && cp a2.ini a.ini &&
	ctxmgr import-hosts --prune --prefix p- a.ini >out 2>err &&
	test_grep "removed 2, kept 1" err &&
	test_grep "\"p-db1.example.com\" is no longer in the inventory but is kept: its endpoint was changed" err &&
	ctxmgr inspect p-db1.example.com >/dev/null &&
	test_must_fail ctxmgr inspect p-web3.example.com 2>/dev/null &&
	test_must_fail ctxmgr inspect p-web2.example.com 2>/dev/null &&
	ctxmgr inspect p-web1.example.com >/dev/null &&
	cp a.ini.keep a.ini
'

test_expect_success 'the current context is kept as rm keeps it: exit 1, the others go' '
	ctxmgr use other1 -q &&
	printf "[x]\nnew1\n" >b.ini &&
	test_expect_code 1 ctxmgr import-hosts --prune b.ini >out 2>err &&
	test_grep "removed 1, kept 1" err &&
	test_grep "\"other1\" is no longer in the inventory but is kept: it is the current context" err &&
	test "$(ctxmgr show)" = other1 &&
	test_must_fail ctxmgr inspect other2 2>/dev/null &&
	ctxmgr inspect new1 >/dev/null &&
	ctxmgr use default -q &&
	ctxmgr import-hosts --prune b.ini >out 2>err &&
	test_grep "removed 1" err &&
	test_must_fail ctxmgr inspect other1 2>/dev/null
'

test_expect_success '--update takes over another import'"'"'s context but never claims one made by hand' '
	printf "[web]\nweb[1:2].example.com\nhand\nnew1\n" >a.ini &&
	ctxmgr import-hosts --update a.ini >out 2>err &&
	test_grep "^hand .* updated" out &&
	test_grep "^new1 .* updated" out &&
	printf "[web]\nweb[1:2].example.com\n" >a.ini &&
	ctxmgr import-hosts --prune a.ini >out 2>err &&
	test_grep "removed 1" err && test_grep "^new1 .* removed" out &&
	ctxmgr inspect hand >/dev/null && ctxmgr inspect dk >/dev/null &&
	printf "[x]\nother9\n" >b.ini &&
	ctxmgr import-hosts --prune b.ini >out 2>err &&
	test_grep "removed 0" err
'

test_expect_success 'standard input: --prune needs --source, which names the import' '
	printf "[s]\ns1\ns2\n" >s.ini &&
	test_expect_code 2 ctxmgr import-hosts --prune - <s.ini 2>err &&
	test_grep "needs --source NAME" err &&
	ctxmgr import-hosts --source dyn - <s.ini >/dev/null 2>&1 &&
	printf "[s]\ns1\n" | ctxmgr import-hosts --source dyn --prune - >out 2>err &&
	test_grep "^s2 .* removed" out &&
	printf "[s]\ns1\n" | ctxmgr import-hosts --source other --prune - >out 2>err &&
	test_grep "removed 0" err &&
	ctxmgr inspect web1.example.com >/dev/null
'

test_expect_success 'a listing read back keeps its contexts'"'"' records; --prune refuses a listing' '
	ctxmgr inspect web1.example.com --format yaml >l.yaml &&
	ctxmgr --config other import-hosts l.yaml >/dev/null 2>&1 &&
	json "$PWD/other/contexts/meta/$(ctx_dir web1.example.com)/meta.json" \
		"d[\"Metadata\"][\"ctxmgr\"][\"importSource\"]" >src &&
	echo "$PWD/a.ini" >expect && test_cmp expect src &&
	store_snapshot >before &&
	test_expect_code 2 ctxmgr import-hosts --prune l.yaml 2>err &&
	test_grep "does not apply to a listing" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success 'the same hosts from a moved file: unchanged, and the new file owns them' '
	cp a.ini moved.ini &&
	ctxmgr import-hosts --update moved.ini >out 2>err &&
	test_grep "updated 0, unchanged 2" err &&
	ctxmgr import-hosts --prune a.ini >out 2>err &&
	test_grep "removed 0" err &&
	printf "[web]\nweb1.example.com\n" >moved.ini &&
	ctxmgr import-hosts --prune moved.ini >out 2>err &&
	test_grep "^web2.example.com .* removed" out
'

test_expect_success 'the path names the inventory: a link moved to a new version is the same one' '
	printf "[v]\nv1\nv2\n" >v1.ini && printf "[v]\nv1\n" >v2.ini &&
	ln -s v1.ini cur.ini &&
	ctxmgr import-hosts ./cur.ini >/dev/null 2>&1 &&
	ln -sfn v2.ini cur.ini && mkdir -p x &&
	ctxmgr import-hosts --prune "$PWD/x/../cur.ini" >out 2>err &&
	test_grep "^v2 .* removed" out && ctxmgr inspect v1 >/dev/null
'

# bad FILE TEXT: exit 1, the error names the line, nothing removed or made
bad() {
	store_snapshot >before &&
	test_expect_code 1 ctxmgr import-hosts --prune "$1" >out 2>err &&
	test_grep -F "$2" err &&
	store_snapshot >after && test_cmp before after
}

test_expect_success 'hostile or broken inventories with --prune remove nothing' '
	printf "[web]\nweb1.example.com\n[web\nweb2.example.com\n" >h1.ini &&
	cp h1.ini a.ini && bad a.ini "a.ini:3:" &&
	printf "[web]\nweb[1:1000000000].example.com\n" >a.ini &&
	bad a.ini "a.ini:2:" &&
	printf "[a:children]\nb\n[b:children]\na\n[a]\nx1\n" >a.ini &&
	bad a.ini "cycle" &&
	printf "[web]\nweb1.example.com ansible_connection=local\n" >a.ini &&
	bad a.ini "every host was skipped: --prune would remove every context imported from it; refused" &&
	printf "[web]\nweb1.example.com ansible_port=99999\n" >a.ini &&
	bad a.ini "a.ini:2:" &&
	ctxmgr inspect web1.example.com >/dev/null
'

test_expect_success 'a tunnelled context that left: removed, and the service lets its socket go' '
	use_dockerd && start_sshd pv &&
	printf "[t]\ntun1 ansible_host=pv\ntun2 ansible_host=pv\n" >t.ini &&
	sed -i "s|ansible_host=pv|ansible_host=pv ctxmgr_docker_socket=$DOCKERD_SOCK|" t.ini &&
	ctxmgr import-hosts t.ini >/dev/null 2>&1 &&
	ctxmgr tunnel enable tun1 >/dev/null &&
	ctxmgr tunnel enable tun2 >/dev/null &&
	docker --context tun2 version --format "{{.Server.Version}}" >v && test -s v &&
	sock=$(docker context inspect tun2 --format "{{.Endpoints.docker.Host}}") &&
	sock=${sock#unix://} && test -S "$sock" &&
	printf "[t]\ntun1 ansible_host=pv ctxmgr_docker_socket=$DOCKERD_SOCK\n" >t.ini &&
	ctxmgr import-hosts --prune t.ini >out 2>err &&
	test_grep "^tun2 .* removed" out &&
	ctxmgr tunnel ls -q >tl && ! grep -qx tun2 tl &&
	test ! -e "$sock" &&
	docker --context tun1 version --format "{{.Server.Version}}" >v && test -s v
'

test_done
