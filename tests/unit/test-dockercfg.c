/* test-dockercfg.c: byte-preserving config.json edits. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "store/dockercfg.h"

static void
expect_set(const char *in, const char *name, const char *want)
{
	struct cm_err err;
	struct buf out;

	buf_init(&out, 0);
	err_init(&err);
	if (dockercfg_set_current(in, strlen(in), name, &out, &err) != 0)
		fail_msg("set on \"%s\": %s", in, err.msg);
	assert_string_equal(out.data, want);
	buf_release(&out);
}

static void
expect_current(const char *in, const char *want)
{
	struct cm_err err;
	char *cur = NULL;

	assert_int_equal(dockercfg_current(in, strlen(in), &cur, &err), 0);
	if (want == NULL)
		assert_null(cur);
	else
		assert_string_equal(cur, want);
	free(cur);
}

static void
test_replace_keeps_everything_else(void **state)
{
	(void)state;
	expect_set("{\n\t\"auths\": {},\n\t\"currentContext\": \"bar\"\n}",
	    "foo", "{\n\t\"auths\": {},\n\t\"currentContext\": \"foo\"\n}");
	expect_set("{\"currentContext\":\"a\",\"x\":{\"currentContext\":1}}",
	    "b", "{\"currentContext\":\"b\",\"x\":{\"currentContext\":1}}");
	/* odd spacing and unknown keys survive byte for byte */
	expect_set("{ \"z\" : [1, {\"}\":\"{\"}] ,  \"currentContext\" :  "
		   "\"old\"  }\n",
	    "new",
	    "{ \"z\" : [1, {\"}\":\"{\"}] ,  \"currentContext\" :  \"new\"  "
	    "}\n");
}

static void
test_insert_copies_layout(void **state)
{
	(void)state;
	expect_set("{\n\t\"auths\": {\n\t\t\"r\": {}\n\t}\n}", "foo",
	    "{\n\t\"auths\": {\n\t\t\"r\": {}\n\t},\n\t\"currentContext\": "
	    "\"foo\"\n}");
	expect_set("{\"a\":1}", "x", "{\"a\":1,\"currentContext\":\"x\"}");
	expect_set("{\n  \"a\": 1\n}\n", "x",
	    "{\n  \"a\": 1,\n  \"currentContext\": \"x\"\n}\n");
	expect_set("{}", "x", "{\n\t\"currentContext\": \"x\"\n}");
	expect_set("", "x", "{\n\t\"currentContext\": \"x\"\n}");
	/* names are escaped as Go would */
	expect_set("{}", "a<b", "{\n\t\"currentContext\": \"a\\u003cb\"\n}");
}

static void
test_remove(void **state)
{
	(void)state;
	expect_set("{\n\t\"auths\": {},\n\t\"currentContext\": \"bar\"\n}",
	    NULL, "{\n\t\"auths\": {}\n}");
	expect_set("{\"currentContext\":\"a\",\"b\":2}", NULL, "{\"b\":2}");
	expect_set("{\"currentContext\":\"a\"}", NULL, "{}");
	expect_set("{\"b\":2}", NULL, "{\"b\":2}");
	expect_set("", NULL, "");
	/* several members fold to currentContext: all go, commas stay right */
	expect_set("{\"currentContext\":\"a\",\"CurrentContext\":\"a\","
		   "\"x\":1,\"currentcontext\":\"b\"}",
	    NULL, "{\"x\":1}");
	expect_set(
	    "{\"x\":1,\"currentContext\":\"a\",\"CurrentContext\":\"a\"}", NULL,
	    "{\"x\":1}");
}

static void
test_case_folding_and_duplicates(void **state)
{
	(void)state;
	/* Go matches struct fields case-insensitively; the last one wins */
	expect_current("{\"CurrentContext\":\"a\"}", "a");
	expect_current(
	    "{\"currentContext\":\"a\",\"CURRENTCONTEXT\":\"b\"}", "b");
	expect_current("{\"currentContext\":\"\"}", NULL);
	expect_current("{\"currentContext\":null}", NULL);
	expect_current("{\"auths\":{}}", NULL);
	expect_set("{\"currentContext\":\"a\",\"CURRENTCONTEXT\":\"b\"}", "c",
	    "{\"currentContext\":\"c\",\"CURRENTCONTEXT\":\"c\"}");
	expect_set("{\"current\\u0043ontext\":\"a\"}", "c",
	    "{\"current\\u0043ontext\":\"c\"}");
}

static void
test_refuses_bad_input(void **state)
{
	static const char *const bad[] = { "{", "[]", "\"x\"", "{\"a\":}",
		"{\"currentContext\":\"a\"} {}", "nul\0" };
	struct cm_err err;
	struct buf out;
	char *cur;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		buf_init(&out, 0);
		assert_int_not_equal(dockercfg_set_current(bad[i],
					 strlen(bad[i]), "x", &out, &err),
		    0);
		assert_int_equal(out.len, 0);
		buf_release(&out);
	}
	assert_int_equal(
	    dockercfg_current("{\"currentContext\":1}", 20, &cur, &err),
	    ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_keeps_everything_else),
		cmocka_unit_test(test_insert_copies_layout),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_case_folding_and_duplicates),
		cmocka_unit_test(test_refuses_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
