/* test-policy.c: audit policies: parsing, errors with positions, matching. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "audit/policy.h"

static const char good[] = "# a policy\n"
			   "version: 1\n"
			   "fail-on: high\n"
			   "ignore:\n"
			   "  - daemon.live-restore\n"
			   "  - sprawl.*\n"
			   "severity:\n"
			   "  containers.no-healthcheck: info\n"
			   "  containers.*: low\n"
			   "  containers.privileged: critical\n"
			   "allow:\n"
			   "  - name: ci-runner-*\n"
			   "  - label: com.example.audit=exempt\n"
			   "    checks: [containers.privileged]\n"
			   "  - label: team\n";

static void
test_good(void **state)
{
	struct policy p;
	struct cm_err e;
	enum severity sev;
	json_t *labels;

	(void)state;
	if (policy_parse(good, strlen(good), "p.yaml", &p, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(p.fail_on, SEV_HIGH);
	assert_true(policy_ignores(&p, "daemon.live-restore"));
	assert_true(policy_ignores(&p, "sprawl.unused-images"));
	assert_false(policy_ignores(&p, "daemon.icc"));
	/* the last matching line wins */
	assert_true(policy_severity(&p, "containers.no-healthcheck", &sev));
	assert_int_equal(sev, SEV_LOW);
	assert_true(policy_severity(&p, "containers.privileged", &sev));
	assert_int_equal(sev, SEV_CRITICAL);
	assert_false(policy_severity(&p, "images.root-user", &sev));

	assert_true(policy_allows(
	    &p, "containers.root-user", "container", "ci-runner-7", NULL));
	assert_false(policy_allows(
	    &p, "containers.root-user", "image", "ci-runner-7", NULL));
	labels = json_pack("{s:s}", "com.example.audit", "exempt");
	assert_true(policy_allows(
	    &p, "containers.privileged", "container", "web", labels));
	assert_false(policy_allows(
	    &p, "containers.root-user", "container", "web", labels));
	json_decref(labels);
	labels = json_pack("{s:s}", "com.example.audit", "other");
	assert_false(policy_allows(
	    &p, "containers.privileged", "container", "web", labels));
	json_decref(labels);
	labels = json_pack("{s:s}", "team", "");
	assert_true(
	    policy_allows(&p, "containers.devices", "container", "db", labels));
	json_decref(labels);
	policy_free(&p);
}

static void
expect_error(const char *text, const char *msg)
{
	struct policy p;
	struct cm_err e;

	err_init(&e);
	if (policy_parse(text, strlen(text), "p.yaml", &p, &e) == 0)
		fail_msg("accepted: %s", text);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", e.msg, msg);
	assert_true(str_has_prefix(e.msg, "p.yaml:"));
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("ignroe: []\n", "p.yaml:1:1: unknown key \"ignroe\"");
	expect_error("ignore:\n  - daemon.nope\n",
	    "p.yaml:2:5: unknown check \"daemon.nope\"");
	expect_error("ignore: daemon.icc\n",
	    "p.yaml:1:9: ignore must be "
	    "a list");
	expect_error("severity:\n  daemon.icc: fatal\n",
	    "p.yaml:2:15: unknown severity \"fatal\"");
	expect_error("fail-on: info\n", "fail-on must be");
	expect_error(
	    "allow:\n  - checks: [daemon.icc]\n", "needs a name or a label");
	expect_error("allow:\n  - name: x\n    color: red\n",
	    "p.yaml:3:5: unknown key \"color\"");
	expect_error("allow:\n  - label: \"=x\"\n", "KEY or KEY=VALUE");
	expect_error("a: &x 1\nb: *x\n", "anchors are not allowed");
	expect_error("ignore: *x\n", "aliases are not allowed");
	expect_error("ignore: [\n", "p.yaml:2:1: ");
	expect_error("- 1\n", "the policy must be a mapping");
	expect_error("ignore: []\nignore: []\n", "p.yaml:2:1: ");
	expect_error("version: 2\n", "unsupported policy version");
	expect_error("ignore: [daemon.icc]\n---\nignore: []\n",
	    "more than one YAML document");
	expect_error("allow: [[[1]]]\n", "an allow entry must be a mapping");
	{
		char deep[200];
		memset(deep, '[', 100);
		memset(deep + 100, ']', 99);
		deep[199] = '\0';
		expect_error(deep, "nested deeper than");
	}
}

static void
test_empty(void **state)
{
	struct policy p;
	struct cm_err e;

	(void)state;
	assert_int_equal(policy_parse("", 0, "p.yaml", &p, &e), 0);
	assert_int_equal(p.fail_on, -1);
	policy_free(&p);
	assert_int_equal(policy_parse("# nothing\n", 10, "p.yaml", &p, &e), 0);
	policy_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
