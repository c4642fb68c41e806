/* test-select.c: --filter matching and tag checks and edits. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "ctxmgr/select.h"

static struct context *
tagged(const char *name, const char *host, const char *tags_json)
{
	struct context *c = context_new(name);
	json_t *s = json_object();

	c->host = xstrdup(host);
	if (tags_json != NULL)
		json_object_set_new(s, "tags", json_loads(tags_json, 0, NULL));
	json_object_set_new(c->metadata, STORE_SETTINGS_KEY, s);
	return c;
}

static void
test_tag_check(void **state)
{
	static const char *const bad[] = { "", "a,b", "a b", "a\tb", "x\033[2J",
		"\n", "\xff", "\xc2\x9b", "a\x7f" };
	char longest[CTX_TAG_MAX + 2];
	struct cm_err err;
	size_t i;

	(void)state;
	assert_int_equal(ctx_tag_check("web", &err), 0);
	assert_int_equal(ctx_tag_check("eu-west_1.a=b", &err), 0);
	assert_int_equal(ctx_tag_check("caf\xc3\xa9", &err), 0);
	for (i = 0; i < nitems(bad); i++)
		assert_int_equal(ctx_tag_check(bad[i], &err), ERR_USAGE);
	memset(longest, 'a', sizeof(longest));
	longest[CTX_TAG_MAX] = '\0';
	assert_int_equal(ctx_tag_check(longest, &err), 0);
	longest[CTX_TAG_MAX] = 'a';
	longest[CTX_TAG_MAX + 1] = '\0';
	assert_int_equal(ctx_tag_check(longest, &err), ERR_USAGE);
}

static void
test_tags_edit(void **state)
{
	struct context *c = tagged("w", "tcp://w:1", "[\"zz\", \"web\", 7]");
	struct strv add = { 0 }, del = { 0 }, got = { 0 };
	struct cm_err err;

	(void)state;
	strv_push(&add, "eu");
	strv_push(&add, "web");
	strv_push(&del, "zz");
	assert_int_equal(ctx_tags_edit(c, &add, &del, &err), 0);
	ctx_tags_get(c, &got);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.v[0], "eu");
	assert_string_equal(got.v[1], "web");
	strv_free(&got);
	/* a bad tag changes nothing */
	strv_push(&add, "a,b");
	assert_int_equal(ctx_tags_edit(c, &add, NULL, &err), ERR_USAGE);
	ctx_tags_get(c, &got);
	assert_int_equal(got.n, 2);
	strv_free(&got);
	/* the last tag gone: the ctxmgr key goes too */
	strv_free(&del);
	strv_push(&del, "eu");
	strv_push(&del, "web");
	assert_int_equal(ctx_tags_edit(c, NULL, &del, &err), 0);
	assert_null(json_object_get(c->metadata, STORE_SETTINGS_KEY));
	strv_free(&add);
	strv_free(&del);
	context_free(c);
}

static void
test_filter_match(void **state)
{
	struct context *web = tagged("web1", "tcp://w:1", "[\"web\", \"eu\"]");
	struct context *db = tagged("db1", "unix:///x.sock", "[\"db\"]");
	struct ctx_filter f;
	struct cm_err err;

	(void)state;
	ctx_filter_init(&f);
	assert_int_equal(ctx_filter_add(&f, "tag=web", &err), 0);
	assert_int_equal(ctx_filter_add(&f, "tag=db", &err), 0);
	assert_true(ctx_filter_match(&f, web));
	assert_true(ctx_filter_match(&f, db));
	assert_int_equal(ctx_filter_add(&f, "scheme=unix", &err), 0);
	assert_false(ctx_filter_match(&f, web));
	assert_true(ctx_filter_match(&f, db));
	assert_int_equal(ctx_filter_add(&f, "name=web*", &err), 0);
	assert_false(ctx_filter_match(&f, db));
	ctx_filter_release(&f);
	assert_int_equal(ctx_filter_add(&f, "colour=red", &err), ERR_USAGE);
	assert_int_equal(ctx_filter_add(&f, "=x", &err), ERR_USAGE);
	assert_int_equal(ctx_filter_add(&f, "tag=", &err), ERR_USAGE);
	assert_int_equal(ctx_filter_add(&f, "tunnel=maybe", &err), ERR_USAGE);
	ctx_filter_release(&f);
	context_free(web);
	context_free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tag_check),
		cmocka_unit_test(test_tags_edit),
		cmocka_unit_test(test_filter_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
