/* test-report.c: findings, statuses, the policy, JSON, SARIF; image
 * checks and history flags. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "audit/audit-int.h"
#include "audit/policy.h"
#include "audit/report.h"

static void
test_catalogue(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(audit_ncheck >= 60);
	for (i = 0; i < audit_ncheck; i++) {
		const struct check_def *c = &audit_checks[i];
		assert_non_null(strchr(c->id, '.'));
		assert_true(strlen(c->title) > 5);
		assert_true(strlen(c->rationale) > 20);
		assert_true(strlen(c->remediation) > 10);
		assert_true(c->needs != 0);
		assert_ptr_equal(check_find(c->id), c);
		for (j = 0; j < i; j++)
			assert_string_not_equal(audit_checks[j].id, c->id);
	}
	assert_null(check_find("nope"));
}

static void
test_statuses(void **state)
{
	struct audit_report *r = report_new("daemon");
	size_t st[5], counts[SEV_COUNT];

	(void)state;
	report_scope_group(r, G_DAEMON);
	report_add(
	    r, "daemon.icc", "daemon", "dockerd", NULL, "icc is %s", "true");
	report_not_checked(r, "daemon.iptables", "permission denied");
	report_error(r, "daemon.logging", "GET /info: %s", "broken");
	/* an error does not hide what was found */
	report_error(r, "daemon.icc", "GET /networks/bridge: broken");
	report_finish(r, NULL);
	assert_int_equal(
	    r->res[check_index(check_find("daemon.icc"))].st, CS_FAIL);
	assert_int_equal(r->res[check_index(check_find("daemon.iptables"))].st,
	    CS_NOT_CHECKED);
	assert_int_equal(
	    r->res[check_index(check_find("daemon.logging"))].st, CS_ERROR);
	assert_int_equal(
	    r->res[check_index(check_find("daemon.swarm"))].st, CS_PASS);
	assert_false(
	    r->res[check_index(check_find("images.root-user"))].in_scope);
	report_status_counts(r, st);
	assert_int_equal(st[CS_ERROR], 1);
	report_counts(r, counts);
	assert_int_equal(counts[SEV_MEDIUM], 1);
	assert_int_equal(report_worst(r), SEV_MEDIUM);
	assert_int_equal(r->errors.n, 2);
	report_free(r);
}

static void
test_policy_applied(void **state)
{
	static const char text[] = "ignore: [sprawl.*]\n"
				   "severity:\n  containers.root-user: high\n"
				   "allow:\n  - name: ok-*\n";
	struct audit_report *r = report_new("daemon");
	struct policy p;
	struct cm_err e;

	(void)state;
	assert_int_equal(policy_parse(text, strlen(text), "p", &p, &e), 0);
	report_scope_group(r, G_CONTAINERS);
	report_scope_group(r, G_SPRAWL);
	report_add(r, "containers.root-user", "container", "web", NULL, "x");
	report_add(r, "containers.root-user", "container", "ok-1", NULL, "x");
	report_add(
	    r, "sprawl.stopped-containers", "container", "web", NULL, "x");
	report_finish(r, &p);
	assert_int_equal(r->nf, 1);
	assert_string_equal(r->f[0].name, "web");
	assert_int_equal(r->f[0].sev, SEV_HIGH);
	assert_int_equal(r->suppressed, 2);
	assert_int_equal(
	    r->res[check_index(check_find("sprawl.stopped-containers"))].st,
	    CS_IGNORED);
	policy_free(&p);
	report_free(r);
}

static void
test_json_and_sarif(void **state)
{
	struct audit_report *r = report_new("daemon");
	json_t *j, *s, *run, *res, *rules, *loc;
	const char *keys[] = { "schema", "kind", "context", "endpoint", "host",
		"daemon", "started", "duration_ms", "summary", "checks",
		"findings", "errors" };
	size_t i;

	(void)state;
	r->context = strdup("prod");
	r->endpoint = strdup("ssh://prod");
	r->host = strdup("prod");
	report_scope_group(r, G_CONTAINERS);
	report_add(r, "containers.privileged", "container", "web/1 x", NULL,
	    "HostConfig.Privileged is true");
	report_finish(r, NULL);
	j = report_json(r);
	for (i = 0; i < nitems(keys); i++)
		if (json_object_get(j, keys[i]) == NULL)
			fail_msg("no key %s", keys[i]);
	assert_string_equal(
	    json_string_value(json_object_get(j, "schema")), "ctxmgr-audit/1");
	res = json_array_get(json_object_get(j, "findings"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(res, "cis")), "5.5");
	assert_string_equal(
	    json_string_value(json_object_get(res, "severity")), "critical");
	assert_non_null(json_object_get(res, "remediation"));
	json_decref(j);

	s = report_sarif(&r, 1, "9.9");
	assert_string_equal(
	    json_string_value(json_object_get(s, "version")), "2.1.0");
	run = json_array_get(json_object_get(s, "runs"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(run, "tool"), "driver"),
		"name")),
	    "ctxmgr");
	rules = json_object_get(
	    json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	assert_true(json_array_size(rules) > 20);
	res = json_array_get(json_object_get(run, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(res, "ruleId")),
	    "containers.privileged");
	assert_string_equal(
	    json_string_value(json_object_get(res, "level")), "error");
	assert_non_null(
	    json_object_get(json_object_get(res, "message"), "text"));
	loc = json_array_get(json_object_get(res, "locations"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(loc, "physicalLocation"),
		    "artifactLocation"),
		"uri")),
	    "docker/prod/container/web/1%20x");
	json_decref(s);
	report_free(r);
}

/* The flags of a CreatedBy, joined by commas ("" for none). */
static void
flags_are(const char *by, const char *want)
{
	const char *f[3];
	char got[64] = "";
	size_t i;

	audit_history_flags(by, f);
	for (i = 0; f[i] != NULL; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
		    i ? "," : "", f[i]);
	if (strcmp(got, want) != 0)
		fail_msg("flags of \"%s\": \"%s\", want \"%s\"", by, got, want);
}

static void
test_history_flags(void **state)
{
	(void)state;
	flags_are("/bin/sh -c #(nop) ADD file:abc in / ", "");
	flags_are("/bin/sh -c #(nop) ADD 2fd0f8501638ff27e7a05f20bb95720e71711"
		  "8375422245fe2c4950212b98ddd in /payload ",
	    "add-url");
	flags_are("ADD https://example.com/x.tgz /x # buildkit", "add-url");
	flags_are("ADD --chown=1:1 http://e/x /x # buildkit", "add-url");
	flags_are("/bin/sh -c curl -fsSL https://get.example.com | sh",
	    "curl-pipe-sh");
	flags_are("RUN wget -qO- http://x | sudo bash", "curl-pipe-sh");
	flags_are("/bin/sh -c curl -sL http://x | /bin/sh -", "curl-pipe-sh");
	flags_are("ADD https://x/i.sh /i.sh && curl http://y | sh",
	    "add-url,curl-pipe-sh");
	flags_are("/bin/sh -c curl -o f http://x || true", "");
	flags_are("/bin/sh -c curl http://x | grep y", "");
	flags_are("/bin/sh -c apt-get install -y curl", "");
}

static void
redacts(const char *in, const char *want)
{
	char *got = audit_redact(in);

	if (strcmp(got, want) != 0)
		fail_msg("\"%s\" -> \"%s\", want \"%s\"", in, got, want);
	free(got);
}

static void
test_redact(void **state)
{
	(void)state;
	redacts("/bin/sh -c #(nop)  ENV API_TOKEN=s3cr3t DB_PASSWORD=\"a b\" "
		"PLAIN=1",
	    "/bin/sh -c #(nop)  ENV API_TOKEN=*** DB_PASSWORD=*** PLAIN=1");
	redacts("|2 GITHUB_TOKEN=abc FOO=x /bin/sh -c make",
	    "|2 GITHUB_TOKEN=*** FOO=x /bin/sh -c make");
	redacts("ENV aws_secret_key='x\\'y' z=1", "ENV aws_secret_key=*** z=1");
	redacts("RUN echo hello", "RUN echo hello");
	redacts("ENV KEY=", "ENV KEY=***");
	redacts("", "");
}

static void
test_image_checks(void **state)
{
	struct audit_report *r = report_new("image");
	json_t *ins, *hist;
	size_t i;
	int secret = 0, root = 0, hc = 0, pipe = 0;

	(void)state;
	report_scope_group(r, G_IMAGES);
	ins = json_pack("{s:{s:s,s:[s,s,s]}}", "Config", "User", "", "Env",
	    "PATH=/bin", "DB_PASSWORD=hunter2", "api_token=abc");
	hist = json_pack("[{s:s},{s:s}]", "CreatedBy",
	    "/bin/sh -c curl -s http://x | sh", "CreatedBy", "ADD file:1 in /");
	check_one_image(r, "img:1", ins, hist);
	report_finish(r, NULL);
	for (i = 0; i < r->nf; i++) {
		const char *id = r->f[i].check->id;
		/* values never appear in the evidence */
		assert_null(strstr(r->f[i].evidence, "hunter2"));
		assert_null(strstr(r->f[i].evidence, "abc"));
		secret += strcmp(id, "images.secret-env") == 0;
		root += strcmp(id, "images.root-user") == 0;
		hc += strcmp(id, "images.no-healthcheck") == 0;
		pipe += strcmp(id, "images.curl-pipe-sh") == 0;
		if (strcmp(id, "images.curl-pipe-sh") == 0)
			assert_non_null(strstr(r->f[i].evidence, "step 2"));
		if (strcmp(id, "images.secret-env") == 0)
			assert_non_null(
			    strstr(r->f[i].evidence, "DB_PASSWORD, api_token"));
	}
	assert_int_equal(secret + root + hc + pipe, 4);
	assert_int_equal(r->nf, 4);
	json_decref(ins);
	json_decref(hist);
	report_free(r);

	/* a Config of the wrong type is an error, never a pass */
	r = report_new("image");
	report_scope_group(r, G_IMAGES);
	ins = json_pack("{s:s}", "Config", "oops");
	check_one_image(r, "img:2", ins, NULL);
	report_finish(r, NULL);
	assert_int_equal(
	    r->res[check_index(check_find("images.root-user"))].st, CS_ERROR);
	json_decref(ins);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_policy_applied),
		cmocka_unit_test(test_json_and_sarif),
		cmocka_unit_test(test_history_flags),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_image_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
