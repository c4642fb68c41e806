/* test-sshconfig.c: ssh_config parsing, matching and token expansion. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "common/file.h"
#include "tunnel/sshconfig.h"
#include "common/xmalloc.h"

static const struct ssh_config_env env = { "/home/u", "u", NULL };

static void
parse_ok(const char *text, const char *host, struct ssh_host_config *c)
{
	struct cm_err err;

	sshconfig_init(c);
	err_init(&err);
	if (sshconfig_parse(text, strlen(text), "cfg", host, &env, c, &err) !=
	    0)
		fail_msg("\"%s\": %s", text, err.msg);
}

static void
parse_bad(const char *text, const char *want)
{
	struct ssh_host_config c;
	struct cm_err err;

	sshconfig_init(&c);
	err_init(&err);
	if (sshconfig_parse(text, strlen(text), "cfg", "h", &env, &c, &err) ==
	    0)
		fail_msg("\"%s\" was accepted", text);
	if (strstr(err.msg, want) == NULL)
		fail_msg(
		    "\"%s\": message \"%s\" lacks \"%s\"", text, err.msg, want);
	sshconfig_release(&c);
}

static void
test_first_match_wins(void **state)
{
	struct ssh_host_config c;
	const char *cfg = "Host prod\n"
			  "  HostName prod.example.com\n"
			  "  Port 2222\n"
			  "  IdentityFile ~/.ssh/prod\n"
			  "Host *\n"
			  "  Port 22\n"
			  "  User deploy\n"
			  "  IdentityFile ~/.ssh/id_ed25519\n"
			  "  ServerAliveInterval 15\n";

	(void)state;
	parse_ok(cfg, "prod", &c);
	assert_string_equal(c.hostname, "prod.example.com");
	assert_int_equal(c.port, 2222);
	assert_string_equal(c.user, "deploy");
	assert_int_equal(c.identity_files.n, 2);
	assert_string_equal(c.identity_files.v[0], "~/.ssh/prod");
	assert_string_equal(c.identity_files.v[1], "~/.ssh/id_ed25519");
	assert_int_equal(c.alive_interval, 15);
	assert_int_equal(c.alive_count, -1);
	sshconfig_release(&c);

	parse_ok(cfg, "other", &c);
	assert_null(c.hostname);
	assert_int_equal(c.port, 22);
	sshconfig_release(&c);

	/* options before any Host apply to every host */
	parse_ok("User first\nHost x\n User second\n", "x", &c);
	assert_string_equal(c.user, "first");
	sshconfig_release(&c);

	/* values already there (the URL's) win */
	sshconfig_init(&c);
	c.user = xstrdup("fromurl");
	c.port = 2200;
	struct cm_err err;
	assert_int_equal(sshconfig_parse("User cfg\nPort 1\n", 16, "cfg", "x",
			     &env, &c, &err),
	    0);
	assert_string_equal(c.user, "fromurl");
	assert_int_equal(c.port, 2200);
	sshconfig_release(&c);
}

static void
test_patterns(void **state)
{
	struct ssh_host_config c;
	const char *cfg = "Host *.example.com !bad.example.com\n"
			  "  User good\n"
			  "Host db?\n"
			  "  User dbuser\n"
			  "Host *\n"
			  "  User rest\n";

	(void)state;
	parse_ok(cfg, "web.example.com", &c);
	assert_string_equal(c.user, "good");
	sshconfig_release(&c);
	parse_ok(cfg, "BAD.example.com", &c);
	assert_string_equal(c.user, "rest");
	sshconfig_release(&c);
	parse_ok(cfg, "db1", &c);
	assert_string_equal(c.user, "dbuser");
	sshconfig_release(&c);
	parse_ok(cfg, "db12", &c);
	assert_string_equal(c.user, "rest");
	sshconfig_release(&c);

	assert_true(ssh_pattern_list_match("a.b", "x,*.b"));
	assert_false(ssh_pattern_list_match("a.b", "*.b,!a.*"));
	assert_false(ssh_pattern_list_match("a", ""));
	assert_true(ssh_pattern_list_match("", "*"));
	assert_true(ssh_pattern_list_match("abcabc", "*abc"));
	assert_false(ssh_pattern_list_match("abcab", "*abc"));
	assert_true(ssh_pattern_list_match("Host", "h?st"));
	/* no exponential blow-up on hostile patterns */
	assert_false(ssh_pattern_list_match(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
	    "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*ac"));
}

static void
test_syntax(void **state)
{
	struct ssh_host_config c;

	(void)state;
	parse_ok("Host=x\nPort=2022\nUser = bob # trailing comment\n"
		 "IdentityFile \"/path with space/key\"\n"
		 "HostName %h.internal\n"
		 "\r\n\t# comment\n"
		 "UserKnownHostsFile ~/.ssh/kh1 /etc/kh2\n"
		 "UserKnownHostsFile /ignored\n"
		 "StrictHostKeyChecking accept-new\n"
		 "ConnectTimeout 7\n"
		 "ServerAliveCountMax 5\n"
		 "IdentitiesOnly yes\n"
		 "ProxyJump jump1,user@jump2:2200\n"
		 "ProxyCommand nc %h %p\n"
		 "Ciphers aes128-ctr\n"
		 "HostKeyAlias alias.example\n"
		 "SomethingUnknown to ssh or us\n",
	    "x", &c);
	assert_int_equal(c.port, 2022);
	assert_string_equal(c.user, "bob");
	assert_string_equal(c.identity_files.v[0], "/path with space/key");
	assert_string_equal(c.hostname, "x.internal");
	assert_int_equal(c.known_hosts.n, 2);
	assert_string_equal(c.known_hosts.v[1], "/etc/kh2");
	assert_int_equal(c.strict, HKP_ACCEPT_NEW);
	assert_int_equal(c.connect_timeout, 7);
	assert_int_equal(c.alive_count, 5);
	assert_int_equal(c.identities_only, 1);
	assert_string_equal(c.proxy_jump, "jump1,user@jump2:2200");
	assert_null(c.proxy_command); /* ProxyJump came first */
	assert_string_equal(c.ciphers, "aes128-ctr");
	assert_string_equal(c.host_key_alias, "alias.example");
	sshconfig_release(&c);

	parse_ok("ProxyCommand ssh -W %h:%p jump\nProxyJump j\n", "x", &c);
	assert_string_equal(c.proxy_command, "ssh -W %h:%p jump");
	assert_null(c.proxy_jump);
	sshconfig_release(&c);

	parse_ok("StrictHostKeyChecking no\n", "x", &c);
	assert_int_equal(c.strict, HKP_NO);
	sshconfig_release(&c);
	parse_ok("StrictHostKeyChecking ask\n", "x", &c);
	assert_int_equal(c.strict, HKP_ASK);
	sshconfig_release(&c);
	parse_ok("ConnectTimeout none\n", "x", &c);
	assert_int_equal(c.connect_timeout, 0);
	sshconfig_release(&c);
	/* escapes: \" and \\ and an escaped space */
	parse_ok("IdentityFile a\\ b\\\"c\\\\d\n", "x", &c);
	assert_string_equal(c.identity_files.v[0], "a b\"c\\d");
	sshconfig_release(&c);
}

static void
test_match(void **state)
{
	struct ssh_host_config c;
	const char *cfg = "Match host prod,staging user deploy\n"
			  "  Port 1\n"
			  "Match !originalhost prod\n"
			  "  Port 2\n"
			  "Match exec \"true\"\n"
			  "  Port 3\n"
			  "Match all\n"
			  "  Port 4\n";

	(void)state;
	parse_ok("User deploy\n"
		 "Match host prod user deploy\n Port 1\n",
	    "prod", &c);
	assert_int_equal(c.port, 1);
	sshconfig_release(&c);
	parse_ok(cfg, "prod", &c);
	assert_int_equal(c.port, 4); /* the user is u, exec never runs */
	assert_true(c.warnings.n >= 1);
	sshconfig_release(&c);
	parse_ok(cfg, "web", &c);
	assert_int_equal(c.port, 2);
	sshconfig_release(&c);
	parse_ok("Match localuser u\n Port 9\n", "x", &c);
	assert_int_equal(c.port, 9);
	sshconfig_release(&c);
}

static void
test_include(void **state)
{
	char *dir = unit_tmpdir(), *home, *ssh, *p;
	struct ssh_config_env e;
	struct ssh_host_config c;
	struct cm_err err;
	char *cfg;

	(void)state;
	home = xstrdup(dir);
	ssh = xasprintf("%s/.ssh", home);
	assert_int_equal(dir_ensure(ssh, 0700, &err), 0);
	p = xasprintf("%s/.ssh/conf.d", home);
	assert_int_equal(dir_ensure(p, 0700, &err), 0);
	free(p);
	p = xasprintf("%s/.ssh/conf.d/a.conf", home);
	assert_int_equal(file_write_atomic(p, "Host inc\n User included\n", 24,
			     0600, FILE_NOSYNC, &err),
	    0);
	free(p);
	p = xasprintf("%s/.ssh/conf.d/b.conf", home);
	assert_int_equal(
	    file_write_atomic(p, "Port 2345\n", 10, 0600, FILE_NOSYNC, &err),
	    0);
	free(p);
	/* a file that includes itself stops at the depth limit */
	p = xasprintf("%s/.ssh/loop", home);
	assert_int_equal(
	    file_write_atomic(p, "Include loop\n", 13, 0600, FILE_NOSYNC, &err),
	    0);
	free(p);

	e.home = home;
	e.local_user = "u";
	e.user = NULL;
	cfg = "Host other\n  Include conf.d/*.conf\n"
	      "Host *\n  Include conf.d/*.conf\n  Include nonexistent\n";
	sshconfig_init(&c);
	assert_int_equal(
	    sshconfig_parse(cfg, strlen(cfg), "cfg", "inc", &e, &c, &err), 0);
	assert_string_equal(c.user, "included");
	assert_int_equal(c.port, 2345);
	sshconfig_release(&c);

	sshconfig_init(&c);
	assert_int_not_equal(
	    sshconfig_parse("Include loop\n", 13, "cfg", "x", &e, &c, &err), 0);
	assert_non_null(strstr(err.msg, "nested"));
	sshconfig_release(&c);

	/* a missing file is no error */
	p = xasprintf("%s/none", home);
	sshconfig_init(&c);
	assert_int_equal(sshconfig_load(p, "x", &e, &c, &err), 0);
	sshconfig_release(&c);
	free(p);
	free(ssh);
	free(home);
	unit_rmtree(dir);
	free(dir);
}

static void
test_hostile(void **state)
{
	char *longline;

	(void)state;
	parse_bad("Port 0\n", "line 1: Port");
	parse_bad("Host x\nPort 70000\n", "line 2");
	parse_bad("Port 22x\n", "not a number");
	parse_bad("HostName -oProxyCommand=evil\n", "HostName");
	parse_bad("HostName %x\n", "only %h");
	parse_bad("User -oops\n", "User");
	parse_bad("User a;b\n", "User");
	parse_bad("HostName a b$(id)\n", "garbage");
	parse_bad("IdentityFile \"open\n", "unterminated");
	parse_bad("User ok\001\n", "control character");
	parse_bad("Port 22\n\033[2J\n", "line 2: control character");
	parse_bad("StrictHostKeyChecking maybe\n", "StrictHostKeyChecking");
	parse_bad("IdentitiesOnly perhaps\n", "IdentitiesOnly");
	parse_bad("Host\n", "Host needs");
	parse_bad("Match\n", "Match needs");
	parse_bad("Match host\n", "needs an argument");
	parse_bad("Port\n", "needs a value");
	parse_bad("Port 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
		  "21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 "
		  "41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 "
		  "61 62 63 64 65\n",
	    "words");
	longline = xmalloc(SSHCONFIG_MAX_LINE + 100);
	memset(longline, 'a', SSHCONFIG_MAX_LINE + 98);
	memcpy(longline, "User ", 5);
	longline[SSHCONFIG_MAX_LINE + 98] = '\n';
	longline[SSHCONFIG_MAX_LINE + 99] = '\0';
	parse_bad(longline, "longer");
	free(longline);
	{
		struct ssh_host_config c;
		struct cm_err err;
		static const char nul[] = "User a\0b\n";
		sshconfig_init(&c);
		assert_int_not_equal(sshconfig_parse(nul, sizeof(nul) - 1,
					 "cfg", "h", &env, &c, &err),
		    0);
		sshconfig_release(&c);
	}
}

static void
expand_ok(const char *raw, const char *want)
{
	struct ssh_tokens t = { "/home/u", "h.example", "h", "remote", "local",
		2222 };
	struct cm_err err;
	char *out;

	if (sshconfig_expand(raw, &t, &out, &err) != 0)
		fail_msg("%s: %s", raw, err.msg);
	assert_string_equal(out, want);
	free(out);
}

static void
test_expand(void **state)
{
	struct ssh_tokens t = { "/home/u", "h", "h", "r", "l", 22 };
	struct cm_err err;
	char *out;

	(void)state;
	expand_ok("~/.ssh/id_%h_%r", "/home/u/.ssh/id_h.example_remote");
	expand_ok("%d/keys/%u@%n:%p", "/home/u/keys/local@h:2222");
	expand_ok("~", "/home/u");
	expand_ok("100%%", "100%");
	expand_ok("/abs/~/not", "/abs/~/not");
	assert_int_not_equal(sshconfig_expand("%x", &t, &out, &err), 0);
	assert_non_null(strstr(err.msg, "%x"));
	assert_int_not_equal(sshconfig_expand("a%", &t, &out, &err), 0);
	t.home = NULL;
	assert_int_not_equal(sshconfig_expand("~/x", &t, &out, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_match_wins),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_expand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
