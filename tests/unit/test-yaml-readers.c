/* test-yaml-readers.c: the YAML tree (ydoc), config.yaml and inventories. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "ctxmgr/config.h"
#include "ctxmgr/inventory.h"
#include "common/xmalloc.h"
#include "common/ydoc.h"

static int
parse(const char *text, struct ydoc **d, struct cm_err *err)
{
	return ydoc_parse(text, strlen(text), "t.yaml", d, err);
}

static void
test_ydoc_tree(void **state)
{
	struct ydoc *d;
	struct cm_err err;
	struct ynode *n;
	long long v;
	int b;

	(void)state;
	assert_int_equal(
	    parse("a: 1\nb: [x, 'y']\nc: ~\nd: \"true\"\n", &d, &err), 0);
	assert_int_equal(d->root->type, YNODE_MAP);
	assert_int_equal(d->root->n, 4);
	n = ynode_get(d->root, "a");
	assert_int_equal(ynode_int(d, n, "a", 0, 9, &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ynode_int(d, n, "a", 2, 9, &v, &err), ERR_INVALID);
	assert_string_equal(err.msg,
	    "t.yaml:1:4: \"a\" must be a whole number from 2 to 9, not \"1\"");
	n = ynode_get(d->root, "b");
	assert_int_equal(n->type, YNODE_SEQ);
	assert_int_equal(n->line, 2);
	assert_int_equal(n->col, 4);
	assert_true(n->items[0]->plain);
	assert_false(n->items[1]->plain);
	assert_true(ynode_is_null(ynode_get(d->root, "c")));
	assert_string_equal(ynode_kind(ynode_get(d->root, "d")), "a string");
	assert_int_equal(
	    ynode_bool(d, ynode_get(d->root, "d"), "d", &b, &err), ERR_INVALID);
	ydoc_free(d);

	assert_int_equal(parse("", &d, &err), 0);
	assert_null(d->root);
	ydoc_free(d);
}

static void
test_ydoc_merge_and_aliases(void **state)
{
	struct ydoc *d;
	struct cm_err err;
	struct ynode *h;

	(void)state;
	assert_int_equal(parse("base: &b {user: a, port: 1}\n"
			       "host:\n  <<: *b\n  port: 2\n",
			     &d, &err),
	    0);
	h = ynode_get(d->root, "host");
	assert_int_equal(h->n, 2);
	assert_string_equal(ynode_get(h, "user")->value, "a");
	assert_string_equal(ynode_get(h, "port")->value, "2");
	assert_null(ynode_get(h, "<<"));
	ydoc_free(d);

	assert_int_equal(parse("a: &a [*a]\n", &d, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "t.yaml:1:8: alias \"*a\""));
	assert_int_equal(parse("a: *nope\n", &d, &err), ERR_INVALID);
	assert_int_equal(parse("a: 1\na: 2\n", &d, &err), ERR_INVALID);
	assert_string_equal(
	    err.msg, "t.yaml:2:1: duplicate key \"a\" (first at line 1)");
	assert_int_equal(parse("? [a]\n: 1\n", &d, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "must be a string, not a list"));
	assert_int_equal(parse("a: \"x\\0y\"\n", &d, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_int_equal(parse("<<: 3\n", &d, &err), ERR_INVALID);
}

static void
test_ydoc_limits(void **state)
{
	struct ydoc *d;
	struct cm_err err;
	struct buf b;
	int i, j;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < 70; i++)
		buf_addc(&b, '[');
	assert_int_equal(ydoc_parse(b.data, b.len, "t", &d, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "nested deeper than 64"));
	buf_reset(&b);
	/* a billion laughs: 10^9 nodes if expanded */
	buf_adds(&b, "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
	for (i = 1; i < 10; i++) {
		buf_printf(&b, "l%d: &l%d [", i, i);
		for (j = 0; j < 10; j++)
			buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
		buf_adds(&b, "]\n");
	}
	assert_int_equal(ydoc_parse(b.data, b.len, "t", &d, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "document too large"));
	buf_release(&b);
	assert_int_equal(parse("a: 1\n--- \nb: 2\n", &d, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "more than one YAML document"));
}

static void
test_config(void **state)
{
	struct ctxmgr_config cfg;
	struct cm_err err;
	long long s;
	const char *text = "ssh:\n  known-hosts: no\ntunnel:\n  "
			   "idle-timeout: 0\nca:\n  rotation-window: 2w\n";

	(void)state;
	assert_int_equal(config_parse_duration("90", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(config_parse_duration("1h30m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(config_parse_duration("1d1s", &s), 0);
	assert_int_equal(s, 86401);
	assert_int_equal(config_parse_duration("5x", &s), ERR_INVALID);
	assert_int_equal(config_parse_duration("h", &s), ERR_INVALID);
	assert_int_equal(config_parse_duration("", &s), ERR_INVALID);
	assert_int_equal(
	    config_parse_duration("99999999999999999999s", &s), ERR_INVALID);

	config_init(&cfg, "/cfg");
	assert_string_equal(cfg.ca_dir, "/cfg/ctxmgr/ca");
	assert_int_equal(cfg.tunnel_idle_timeout, CONFIG_UNSET);
	assert_int_equal(config_parse(text, strlen(text), "c", &cfg, &err), 0);
	assert_string_equal(cfg.ssh_known_hosts, "no");
	assert_int_equal(cfg.tunnel_idle_timeout, 0);
	assert_int_equal(cfg.ca_rotation_window, 14 * 86400);
	assert_int_equal(cfg.ca_rotation_percent, CONFIG_UNSET);
	assert_null(cfg.audit_fail_on);
	config_release(&cfg);

	/* a relative path would depend on the directory a command runs in */
	config_init(&cfg, "/cfg");
	text = "ca:\n  dir: ca\n";
	assert_int_equal(
	    config_parse(text, strlen(text), "c", &cfg, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "must be an absolute path"));
	text = "audit:\n  policy: ~/p.yaml\n";
	assert_int_equal(config_parse(text, strlen(text), "c", &cfg, &err), 0);
	config_release(&cfg);
}

static void
test_host_ranges(void **state)
{
	struct strv out = { 0 };
	struct cm_err err;

	(void)state;
	assert_int_equal(
	    inventory_expand_range("web[01:03].x", 100, &out, &err), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.v[0], "web01.x");
	assert_string_equal(out.v[2], "web03.x");
	strv_free(&out);
	assert_int_equal(
	    inventory_expand_range("db-[a:c]-[1:2]", 100, &out, &err), 0);
	assert_int_equal(out.n, 6);
	assert_string_equal(out.v[5], "db-c-2");
	strv_free(&out);
	assert_int_equal(
	    inventory_expand_range("n[0:10:5]", 100, &out, &err), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.v[2], "n10");
	strv_free(&out);
	assert_int_equal(
	    inventory_expand_range("n[1:1000]", 100, &out, &err), ERR_TOOBIG);
	assert_int_equal(
	    inventory_expand_range("n[5:1]", 100, &out, &err), ERR_INVALID);
	assert_int_equal(
	    inventory_expand_range("n[1-2]", 100, &out, &err), ERR_INVALID);
	strv_free(&out);
}

static void
test_inventory_ansible_precedence(void **state)
{
	const char *text = "all:\n"
			   "  vars: {ansible_user: root, ansible_port: 1}\n"
			   "  children:\n"
			   "    aa:\n"
			   "      vars: {ansible_port: 2}\n"
			   "      hosts: {h1.x: , h2.x: {ansible_port: 9}}\n"
			   "    bb:\n"
			   "      vars: {ansible_port: 3, ansible_user: bee}\n"
			   "      hosts: {h1.x: }\n"
			   "      children:\n"
			   "        cc:\n"
			   "          vars: {ansible_port: 4}\n"
			   "          hosts: {h3.x: }\n";
	struct inventory inv;
	struct cm_err err;

	(void)state;
	assert_int_equal(
	    inventory_parse(text, strlen(text), "a.yaml", NULL, &inv, &err), 0);
	assert_int_equal(inv.format, INV_ANSIBLE);
	assert_int_equal(inv.n, 3);
	/* same depth: bb sorts after aa, so bb wins */
	assert_string_equal(inv.hosts[0].name, "h1.x");
	assert_string_equal(inv.hosts[0].endpoint, "ssh://bee@h1.x:3");
	assert_string_equal(inv.hosts[1].endpoint, "ssh://root@h2.x:9");
	/* deeper groups win over their parents */
	assert_string_equal(inv.hosts[2].endpoint, "ssh://bee@h3.x:4");
	assert_int_equal(inv.hosts[2].tags.n, 2);
	assert_string_equal(inv.hosts[2].tags.v[0], "bb");
	assert_string_equal(inv.hosts[2].tags.v[1], "cc");
	inventory_release(&inv);
}

static void
test_inventory_errors(void **state)
{
	struct inventory inv;
	struct cm_err err;
	const char *cases[][2] = {
		{ "- {name: ok1, host: a.x}\n- {name: ok1, host: b.x}\n",
		    "i.yaml:2:3: context \"ok1\" is defined twice" },
		{ "- {name: ok1, host: a.x, port: 0}\n",
		    "i.yaml:1:32: \"port\" must be a whole number" },
		{ "- {name: ok1, host: \"a.x\\n\"}\n",
		    "i.yaml:1:21: \"host\" must not be empty" },
		{ "hosts: [{name: ok1}]\n",
		    "i.yaml:1:9: host \"ok1\" needs a \"host\"" },
		{ "all: [a]\n", "i.yaml:1:6: group \"all\" must be a mapping" },
		{ "- 3\n", "i.yaml:1:3: a host must be a mapping" },
		/* a lone word reads as an INI host line */
		{ "3\n", "i.yaml:1:1: context name \"3\" is invalid" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		if (inventory_parse(cases[i][0], strlen(cases[i][0]), "i.yaml",
			NULL, &inv, &err) == 0)
			fail_msg("accepted: %s", cases[i][0]);
		if (strstr(err.msg, cases[i][1]) != err.msg)
			fail_msg("case %zu: got \"%s\"", i, err.msg);
		assert_int_equal(inv.n, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ydoc_tree),
		cmocka_unit_test(test_ydoc_merge_and_aliases),
		cmocka_unit_test(test_ydoc_limits),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_host_ranges),
		cmocka_unit_test(test_inventory_ansible_precedence),
		cmocka_unit_test(test_inventory_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
