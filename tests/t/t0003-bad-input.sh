#!/bin/bash
test_description='bad input: a one-line error, a non-zero exit, the store untouched'
. "$(dirname "$0")/../lib/test-lib.sh"

test_expect_success 'setup: one good context' '
	ctxmgr create good --host ssh://u@h
'

# each line: expected exit, then the command
while IFS='|' read -r code args; do
	[ -n "$code" ] || continue
	test_expect_success "refused ($code): ctxmgr $args" "
		store_snapshot >before &&
		test_expect_code $code ctxmgr $args 2>err >out &&
		test \$(wc -l <err) -le \$(( $code == 2 ? 3 : 1 )) &&
		test_grep '^ctxmgr: ' err &&
		store_snapshot >after &&
		test_cmp before after
	"
done <<'CASES'
2|create -oProxyCommand=x --host ssh://h
1|create --host ssh://h -- -oProxyCommand=x
1|create ../x --host ssh://h
1|create a --host ssh://h
1|create default --host ssh://h
1|create 'has space' --host ssh://h
1|create "$(printf 'ctl\001x')" --host ssh://h
1|create good --host ssh://h
1|create x1 --host ssh://-oProxyCommand=x
1|create x1 --host ssh://u@-oProxyCommand=x
1|create x1 --host ssh://u:secret@h
1|create x1 --host ftp://h
1|create x1 --host 'ssh://h?x=1'
1|create x1 --host tcp://h:99999
1|create x1 --host ssh://h --ca /nonexistent
1|use missing
1|inspect missing
1|rm missing
1|update missing --description x
1|rename missing x2
1|rename good default
1|export missing
1|import good /dev/null
2|create
2|create x1 --bogus
2|use
2|rm
2|rename good
2|ls --format xml
2|nosuchcommand
CASES

test_expect_success 'broken meta.json files show in the ERROR column, no crash' '
	m=$DOCKER_CONFIG/contexts/meta &&
	for n in empty nuls notjson baddesc wrongname; do
		mkdir -p $m/$(ctx_dir $n) || return 1
	done &&
	: >$m/$(ctx_dir empty)/meta.json &&
	head -c 64 /dev/zero >$m/$(ctx_dir nuls)/meta.json &&
	echo "{not json" >$m/$(ctx_dir notjson)/meta.json &&
	printf "{\"Name\":\"baddesc\",\"Metadata\":{\"Description\":5}}" >$m/$(ctx_dir baddesc)/meta.json &&
	printf "{\"Name\":\"other\",\"Metadata\":{}}" >$m/$(ctx_dir wrongname)/meta.json &&
	ctxmgr ls >out &&
	test $(grep -c "invalid meta.json\|another context" out) -eq 5 &&
	test_grep "^good " out &&
	ctxmgr ls --format json >out.json &&
	python3 -c "import json,sys; d=json.load(open(\"out.json\")); assert sum(1 for c in d if c[\"Error\"]) == 5" &&
	test_must_fail ctxmgr use baddesc 2>err &&
	test_grep "Description is not a string" err &&
	test_must_fail ctxmgr inspect other 2>err
'

test_expect_success 'a description with control characters cannot drive the terminal' '
	printf "{\"Name\":\"esc\",\"Metadata\":{\"Description\":\"a\\\\u001b[31mred\"},\"Endpoints\":{\"docker\":{\"Host\":\"ssh://h\",\"SkipTLSVerify\":false}}}" \
		>x.json &&
	mkdir -p $DOCKER_CONFIG/contexts/meta/$(ctx_dir esc) &&
	cp x.json $DOCKER_CONFIG/contexts/meta/$(ctx_dir esc)/meta.json &&
	ctxmgr ls >out &&
	! grep -q "$(printf "\033")" out &&
	test_grep "a\\\\x1b\[31mred" out
'

test_expect_success 'symlinked meta.json and TLS files are refused' '
	ctxmgr create linked --host tcp://h:1 &&
	f=$DOCKER_CONFIG/contexts/meta/$(ctx_dir linked)/meta.json &&
	mv $f real.json && ln -s $PWD/real.json $f &&
	test_must_fail ctxmgr inspect linked 2>err &&
	test_grep "symbolic link" err &&
	test_must_fail ctxmgr update linked --description x 2>err &&
	test_grep "symbolic link" err &&
	rm $f && mv real.json $f &&
	mkdir -p $DOCKER_CONFIG/contexts/tls/$(ctx_dir linked)/docker &&
	ln -s /etc/hostname $DOCKER_CONFIG/contexts/tls/$(ctx_dir linked)/docker/ca.pem &&
	test_must_fail ctxmgr export linked out.tar 2>err &&
	test_grep "symbolic link" err &&
	test ! -e out.tar
'

# hostile archives, made with python's tarfile
mk_tar() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
meta = b'{"Name":"x","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://h:1","SkipTLSVerify":false}}}'
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    def add(name, data=b"x", type=tarfile.REGTYPE, link=""):
        ti = tarfile.TarInfo(name); ti.type = type; ti.linkname = link
        ti.size = len(data) if type == tarfile.REGTYPE else 0
        t.addfile(ti, io.BytesIO(data) if type == tarfile.REGTYPE else None)
    if kind != "nometa": add("meta.json", meta)
    if kind == "dotdot": add("tls/docker/../../../evil", b"pem")
    if kind == "abs": add("/etc/evil", b"pem")
    if kind == "symlink": add("tls/docker/ca.pem", type=tarfile.SYMTYPE, link="/etc/shadow")
    if kind == "hardlink": add("tls/docker/ca.pem", type=tarfile.LNKTYPE, link="meta.json")
    if kind == "device": add("tls/docker/ca.pem", type=tarfile.CHRTYPE)
    if kind == "fifo": add("tls/docker/ca.pem", type=tarfile.FIFOTYPE)
    if kind == "other": add("etc/passwd", b"root")
PY
}

for kind in dotdot abs symlink hardlink device fifo other nometa; do
	test_expect_success "import refuses a $kind archive" "
		mk_tar evil-$kind.tar $kind &&
		store_snapshot >before &&
		test_must_fail ctxmgr import imp evil-$kind.tar 2>err &&
		test \$(wc -l <err) -eq 1 &&
		store_snapshot >after && test_cmp before after &&
		test ! -e $DOCKER_CONFIG/../evil && test ! -e /etc/evil
	"
done

test_expect_success 'import refuses archives over 10 MiB and garbage' '
	head -c $((10 * 1024 * 1024 + 1)) /dev/zero >big.tar &&
	test_must_fail ctxmgr import imp big.tar 2>err &&
	test_grep "10 MiB" err &&
	head -c 5000 /dev/urandom >random.tar &&
	test_must_fail ctxmgr import imp random.tar 2>err &&
	test_must_fail ctxmgr import imp - <big.tar 2>err &&
	test_grep "10 MiB" err &&
	test_must_fail ctxmgr inspect imp
'
# scripts/demo shows this line: it must be refused as what it is
test_expect_success 'the demo option-injection example is refused as injection' '
	test_must_fail ctxmgr create evil --host "ssh://-oProxyCommand=touch /tmp/pwned" 2>err &&
	test_grep "could be taken for an option (option injection)" err &&
	! grep -q "holds a space" err &&
	test_must_fail ctxmgr inspect evil
'
test_done
