#!/bin/bash
test_description='import-hosts: Ansible INI, ansible-inventory --list JSON and ssh_config; hostile ones change nothing'
. "$(dirname "$0")/../lib/test-lib.sh"

# NAME ENDPOINT TAGS of a dry run, one line per host
plan() {
	ctxmgr import-hosts --dry-run "$@" 2>/dev/null |
		awk 'NR > 1 { print $1, $2, ($4 == "" ? "-" : $4) }'
}

test_expect_success 'INI: groups, :vars, :children, ranges, host:port' '
	# after the examples of Ansible'\''s "How to build your inventory"
	cat >hosts.ini <<-\EOF &&
	mail.example.com

	[webservers]
	foo.example.com
	bar.example.com ansible_user=deploy

	[dbservers]
	one.example.com
	two.example.com:2222
	three.example.com ansible_host=192.0.2.50 ansible_port=5555

	[web_r]
	www[01:03].example.com

	; a comment
	[atlanta]
	host1
	host2 ansible_connection=local

	[atlanta:vars]
	ansible_user = "ops"
	ctxmgr_docker_socket=/run/docker.sock

	[southeast:children]
	atlanta
	EOF
	plan hosts.ini >got &&
	cat >expect <<-\EOF &&
	mail.example.com ssh://mail.example.com -
	foo.example.com ssh://foo.example.com webservers
	bar.example.com ssh://deploy@bar.example.com webservers
	one.example.com ssh://one.example.com dbservers
	two.example.com ssh://two.example.com:2222 dbservers
	three.example.com ssh://192.0.2.50:5555 dbservers
	www01.example.com ssh://www01.example.com web_r
	www02.example.com ssh://www02.example.com web_r
	www03.example.com ssh://www03.example.com web_r
	host1 ssh://ops@host1/run/docker.sock atlanta,southeast
	EOF
	test_cmp expect got &&
	ctxmgr import-hosts hosts.ini >out 2>err &&
	test_grep "created 10, updated 0" err &&
	test_grep "ansible-ini inventory" err &&
	test_grep "host \"host2\" uses connection \"local\", not ssh: skipped" err &&
	docker context ls --format "{{.Name}}" >names &&
	test_grep -x "www02.example.com" names &&
	test_grep -x "host1" names
'

test_expect_success 'INI: hosts before any section, no section at all' '
	printf "solo ansible_host=10.1.2.3 ansible_port=2200 ansible_user=me\n" >one.ini &&
	plan one.ini >got &&
	echo "solo ssh://me@10.1.2.3:2200 -" >expect &&
	test_cmp expect got
'

test_expect_success 'ansible-inventory --list JSON, from stdin' '
	cat >list.json <<-\EOF &&
	{
	    "_meta": {
	        "hostvars": {
	            "web1": {"ansible_host": "10.0.0.1", "ansible_user": "deploy", "ansible_port": 2200},
	            "db1": {"ansible_host": "db1.example.com", "ansible_user": "dbadmin"},
	            "local1": {"ansible_connection": "local"}
	        }
	    },
	    "all": {"children": ["ungrouped", "web", "db"]},
	    "ungrouped": {"hosts": ["local1"]},
	    "web": {"hosts": ["web1"]},
	    "db": {"hosts": ["db1"], "children": []}
	}
	EOF
	plan - <list.json >got &&
	printf "web1 ssh://deploy@10.0.0.1:2200 web\ndb1 ssh://dbadmin@db1.example.com db\n" >expect &&
	test_cmp expect got &&
	ctxmgr import-hosts -n - <list.json 2>err >/dev/null &&
	test_grep "ansible-list inventory" err
'

test_expect_success 'ssh_config: one context per Host alias, patterns skipped' '
	mkdir -p home/.ssh &&
	cat >home/.ssh/config <<-\EOF &&
	Host *
	  ServerAliveInterval 30
	Host prod prod-eu *.internal
	  HostName 10.0.0.5
	  User deploy
	Host=build
	Include conf.d/*
	Host !neg
	EOF
	HOME=$PWD/home ctxmgr import-hosts --ssh-config >out 2>err &&
	test_grep "created 3" err &&
	test_grep "pattern \"\*.internal\" names no single host: skipped" err &&
	test_grep "Include is not followed" err &&
	docker context ls --format "{{.Name}}" >names &&
	test_grep -x "prod-eu" names &&
	test_grep -x "build" names &&
	test_expect_code 2 ctxmgr import-hosts 2>err &&
	test_grep "needs a FILE" err
'

test_expect_success 'hostile INI and JSON: a clear error with the line, nothing created' '
	store_snapshot >before &&
	printf "[web\nhost1\n" >bad1.ini &&
	test_expect_code 1 ctxmgr import-hosts bad1.ini 2>err &&
	test_grep "bad1.ini:[0-9]" err &&
	printf "[web]\nweb[0:999999999].example.com\n" >billion.ini &&
	test_expect_code 1 ctxmgr import-hosts billion.ini 2>err &&
	test_grep "billion.ini:2:1: host pattern .* gives more than 10000 names" err &&
	printf "[a:children]\nb\n[b:children]\na\n[a]\nh1\n" >loop.ini &&
	test_expect_code 1 ctxmgr import-hosts loop.ini 2>err &&
	test_grep "in a cycle" err &&
	printf "[web:nope]\nh\n" >kind.ini &&
	test_expect_code 1 ctxmgr import-hosts kind.ini 2>err &&
	test_grep "kind.ini:1: unknown section kind" err &&
	printf "[web]\nh1 ansible_port\n" >kv.ini &&
	test_expect_code 1 ctxmgr import-hosts kv.ini 2>err &&
	test_grep "kv.ini:2: \"ansible_port\" is not KEY=VALUE" err &&
	printf "[web]\nh1 ansible_host=\"a;b\n" >quote.ini &&
	test_expect_code 1 ctxmgr import-hosts quote.ini 2>err &&
	test_grep "quote.ini:2:" err &&
	printf "[web]\nh1 ansible_host=-oProxyCommand=x\n" >inject.ini &&
	test_expect_code 1 ctxmgr import-hosts inject.ini 2>err &&
	printf "{\"_meta\": [], \"web\": {\"hosts\": [\"a\"]}}\n" >meta.json &&
	test_expect_code 1 ctxmgr import-hosts meta.json 2>err &&
	test_grep "_meta\" must be a mapping" err &&
	printf "{\"web\": {\"hosts\": [[1]]}}\n" >nested.json &&
	test_expect_code 1 ctxmgr import-hosts nested.json 2>err &&
	test_grep "must be a string" err &&
	store_snapshot >after &&
	test_cmp before after
'

test_done
