#!/bin/bash
test_description='import-hosts: ctxmgr, listing and Ansible inventories; bad YAML changes nothing'
. "$(dirname "$0")/../lib/test-lib.sh"

# name endpoint description identity tags, one line per context
summary() {
	for n in "$@"; do
		ctxmgr inspect "$n" | python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
m = c["Metadata"]; s = m.get("ctxmgr", {})
print(c["Name"], c["Endpoints"]["docker"]["Host"], m.get("Description", "-"),
      s.get("identity", "-"), ",".join(s.get("tags", [])) or "-")'
	done
}

# the identities the inventories name are the user's own keys in ~/.ssh
# (one elsewhere would be dropped: see t0108-import-insecure)
mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh" &&
	for k in id_web web; do
		: >"$HOME/.ssh/$k" && chmod 600 "$HOME/.ssh/$k"
	done

test_expect_success 'ctxmgr format: defaults, ports, IPv6, tags, identity' '
	cat >hosts.yaml <<-\EOF &&
	defaults:
	  user: deploy
	  tags: [fleet]
	hosts:
	  - name: web1
	    host: web1.example.com
	    port: 2222
	    identity: ~/.ssh/id_web
	    description: first web server
	    tags: [web, eu]
	  - name: db
	    host: "2001:db8::7"
	    socket: /run/user/1000/docker.sock
	  - name: legacy
	    host: ssh://root@old.example.com:2200
	EOF
	ctxmgr import-hosts hosts.yaml >out 2>err &&
	test_grep "created 3, updated 0" err &&
	summary web1 db legacy >got &&
	cat >expect <<-\EOF &&
	web1 ssh://deploy@web1.example.com:2222 first web server ~/.ssh/id_web fleet,web,eu
	db ssh://deploy@[2001:db8::7]/run/user/1000/docker.sock - - fleet
	legacy ssh://root@old.example.com:2200 - - fleet
	EOF
	test_cmp expect got &&
	docker context ls --format "{{.Name}} {{.DockerEndpoint}}" >dk &&
	test_grep -x "web1 ssh://deploy@web1.example.com:2222" dk
'

test_expect_success 'a plain list of hosts, from stdin, with a prefix' '
	printf -- "- name: aa\n  host: a.example.com\n- {name: bb, host: b.example.com, user: u}\n" |
		ctxmgr import-hosts --prefix lab- - >out 2>err &&
	summary lab-aa lab-bb >got &&
	printf "lab-aa ssh://a.example.com - - -\nlab-bb ssh://u@b.example.com - - -\n" >expect &&
	test_cmp expect got
'

test_expect_success 'existing contexts are reported and left alone' '
	sed "s/first web server/changed/" hosts.yaml >hosts2.yaml &&
	store_snapshot >before &&
	ctxmgr import-hosts hosts2.yaml >out 2>err &&
	store_snapshot >after && test_cmp before after &&
	test_grep "web1 .* exists" out &&
	test_grep "left alone 3 (they exist; --update changes them)" err
'

test_expect_success '--dry-run writes nothing, --update changes what differs' '
	store_snapshot >before &&
	ctxmgr import-hosts --update --dry-run hosts2.yaml >out 2>err &&
	store_snapshot >after && test_cmp before after &&
	test_grep "web1 .* update " out && test_grep "db .* unchanged" out &&
	test_grep "dry run, nothing written" err &&
	ctxmgr import-hosts --update hosts2.yaml --format json >out &&
	test_grep "\"Action\": \"updated\"" out &&
	summary web1 >got &&
	echo "web1 ssh://deploy@web1.example.com:2222 changed ~/.ssh/id_web fleet,web,eu" >expect &&
	test_cmp expect got
'

test_expect_success 'Ansible: groups, children, vars inherited, ranges, host vars win' '
	cat >ansible.yaml <<-\EOF &&
	all:
	  vars:
	    ansible_user: admin
	    ansible_port: 22
	  hosts:
	    mail.example.com:
	    localhost:
	      ansible_connection: local
	  children:
	    web:
	      vars:
	        ansible_port: 2200
	        ansible_ssh_private_key_file: ~/.ssh/web
	      hosts:
	        www[01:03].example.com:
	        special.example.com:
	          ansible_host: 192.0.2.9
	          ansible_user: root
	    db:
	      hosts:
	        one.example.com:
	      children:
	        eu_db:
	          vars:
	            ansible_port: 5522
	          hosts:
	            two.example.com:
	              ctxmgr_description: primary database
	# a top-level group is a child of all too
	monitoring:
	  vars: {ansible_user: watcher}
	  hosts:
	    www01.example.com:
	EOF
	ctxmgr import-hosts --prefix a- ansible.yaml >out 2>err &&
	test_grep "skipped" err && test_grep "localhost" err &&
	test_grep "created 7" err && test_grep "(ansible inventory)" err &&
	summary a-mail.example.com a-www01.example.com a-www03.example.com \
		a-special.example.com a-one.example.com a-two.example.com >got &&
	cat >expect <<-\EOF &&
	a-mail.example.com ssh://admin@mail.example.com:22 - - -
	a-www01.example.com ssh://watcher@www01.example.com:2200 - ~/.ssh/web monitoring,web
	a-www03.example.com ssh://admin@www03.example.com:2200 - ~/.ssh/web web
	a-special.example.com ssh://root@192.0.2.9:2200 - ~/.ssh/web web
	a-one.example.com ssh://admin@one.example.com:22 - - db
	a-two.example.com ssh://admin@two.example.com:5522 primary database - db,eu_db
	EOF
	test_cmp expect got &&
	test_must_fail ctxmgr inspect a-localhost 2>/dev/null
'

test_expect_success 'ls and inspect --format yaml read back into another store' '
	ctxmgr ls --format yaml >ls.yaml &&
	ctxmgr inspect web1 db a-two.example.com --format yaml >inspect.yaml &&
	ctxmgr --config other import-hosts ls.yaml >out 2>err &&
	test_grep "\"default\" is built in: skipped" err &&
	ctxmgr ls -q | grep -v "^default$" >names.1 &&
	ctxmgr --config other ls -q | grep -v "^default$" >names.2 &&
	test_cmp names.1 names.2 &&
	ctxmgr --config other2 import-hosts inspect.yaml >out &&
	for n in web1 db a-two.example.com; do
		ctxmgr inspect $n | python3 -c "import json,sys; c=json.load(sys.stdin)[0]; print(json.dumps([c[k] for k in (\"Name\",\"Metadata\",\"Endpoints\")]))" >a &&
		ctxmgr --config other2 inspect $n | python3 -c "import json,sys; c=json.load(sys.stdin)[0]; print(json.dumps([c[k] for k in (\"Name\",\"Metadata\",\"Endpoints\")]))" >b &&
		test_cmp a b || exit 1
	done
'

# bad FILE LOCATION-AND-MESSAGE: exit 1, one clear line, nothing written.
bad() {
	store_snapshot >before &&
	test_expect_code 1 ctxmgr import-hosts "$1" >out 2>err &&
	test_grep -F "ctxmgr: $1:$2" err &&
	test "$(wc -l <err)" = 1 &&
	store_snapshot >after && test_cmp before after
}

test_expect_success 'syntax errors and YAML bombs: line and column, nothing created' '
	printf "hosts:\n  - name: x\n    host: [unclosed\n" >b1.yaml &&
	bad b1.yaml "4:1: did not find expected" &&
	printf "all:\n  hosts: &h\n    a.example.com:\n      x: *h\n" >b2.yaml &&
	bad b2.yaml "4:10: alias \"*h\" names no finished anchor" &&
	{
		echo "x0: &x0 [a, a, a, a, a, a, a, a, a, a]"
		for i in 1 2 3 4 5 6 7 8 9; do
			p=$((i - 1))
			echo "x$i: &x$i [*x$p, *x$p, *x$p, *x$p, *x$p, *x$p, *x$p, *x$p, *x$p, *x$p]"
		done
	} >b3.yaml &&
	bad b3.yaml "" && test_grep "document too large" err &&
	python3 -c "print(\"- name: aa\n  host: a.example.com\n  description: \" + \"x\" * (5 << 20))" >b4.yaml &&
	store_snapshot >before &&
	test_expect_code 1 ctxmgr import-hosts b4.yaml 2>err &&
	test_grep "larger than" err &&
	store_snapshot >after && test_cmp before after
'

test_expect_success 'wrong types and unknown keys' '
	printf -- "- name: pp\n  host: p.example.com\n  port: twenty\n" >t1.yaml &&
	bad t1.yaml "3:9: \"port\" must be a whole number from 1 to 65535, not \"twenty\"" &&
	printf -- "- name: pp\n  host: p.example.com\n  tags: web\n" >t2.yaml &&
	bad t2.yaml "3:9: \"tags\" must be a list of strings, not a string" &&
	printf -- "- name: pp\n  hostname: p.example.com\n" >t3.yaml &&
	bad t3.yaml "2:3: unknown key \"hostname\" in a host" &&
	printf "all:\n  hostz:\n    a.example.com:\n" >t4.yaml &&
	bad t4.yaml "2:3: unknown key \"hostz\" in group \"all\"" &&
	printf "all:\n  hosts:\n    a.example.com:\n      ansible_port: 70000\n" >t5.yaml &&
	bad t5.yaml "4:21: \"ansible_port\" must be a whole number from 1 to 65535" &&
	printf -- "- a.example.com\n" >t6.yaml &&
	bad t6.yaml "1:3: a host must be a mapping, not a string"
'

test_expect_success 'names and hosts that fail the rules' '
	printf -- "- name: ok1\n  host: ok.example.com\n- name: \"bad name\"\n  host: x.example.com\n" >n1.yaml &&
	bad n1.yaml "3:3: " && test_grep "bad name" err &&
	printf -- "- name: default\n  host: x.example.com\n" >n2.yaml &&
	bad n2.yaml "1:3: " &&
	printf -- "- name: evil\n  host: -oProxyCommand=touch\n" >n3.yaml &&
	bad n3.yaml "2:9: not a usable endpoint" && test_grep "could be taken for an option" err &&
	printf -- "- name: evil\n  host: h.example.com\n  user: \"-oProxyCommand=x\"\n" >n4.yaml &&
	bad n4.yaml "2:9: not a usable endpoint" && test_grep "could be taken for an option" err &&
	printf -- "- name: aa\n  host: a.example.com\n- name: aa\n  host: b.example.com\n" >n5.yaml &&
	bad n5.yaml "3:3: context \"aa\" is defined twice (first at line 1)" &&
	printf "all:\n  hosts:\n    \"{{ lookup(1) }}\":\n" >n6.yaml &&
	bad n6.yaml "3:5: " &&
	printf "all:\n  hosts:\n    a.example.com:\n      ansible_host: \"{{ ip }}\"\n" >n7.yaml &&
	bad n7.yaml "4:21: \"ansible_host\": templated values are not supported" &&
	printf "all:\n  hosts:\n    web[1:20000].example.com:\n" >n8.yaml &&
	bad n8.yaml "3:5: host pattern" &&
	printf "a:\n  children:\n    b:\n      children:\n        a:\n      hosts:\n        x.example.com:\n" >n9.yaml &&
	bad n9.yaml " groups are children of each other in a cycle" &&
	test ! -e pwned
'

test_expect_success 'an empty inventory or a missing file is an error' '
	: >e.yaml &&
	test_expect_code 1 ctxmgr import-hosts e.yaml 2>err &&
	test_grep "no hosts in the file" err &&
	test_expect_code 1 ctxmgr import-hosts nosuch.yaml 2>err &&
	test_grep "nosuch.yaml" err
'
test_done
