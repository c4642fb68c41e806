/* test-gojson.c: Go-compatible JSON encoding. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "common/gojson.h"

static void
expect_float(double f, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(gojson_float(f, &b), 0);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void
test_floats(void **state)
{
	(void)state;
	/* values and strings from Go's encoding/json */
	expect_float(0, "0");
	expect_float(2.5, "2.5");
	expect_float(100, "100");
	expect_float(-3, "-3");
	expect_float(0.1, "0.1");
	expect_float(1e20, "100000000000000000000");
	expect_float(1e21, "1e+21");
	expect_float(1.5e300, "1.5e+300");
	expect_float(0.000001, "0.000001");
	expect_float(0.0000001, "1e-7");
	expect_float(1.234e-10, "1.234e-10");
	expect_float(12345678901234567890.0, "12345678901234567000");
	expect_float(3.141592653589793, "3.141592653589793");
	expect_float(9007199254740993.0, "9007199254740992");
}

static void
expect_quote(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(gojson_quote(in, len, &b), 0);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void
test_strings(void **state)
{
	(void)state;
	expect_quote("d <&>", 5, "\"d \\u003c\\u0026\\u003e\"");
	expect_quote("a/b\"c\\", 6, "\"a/b\\\"c\\\\\"");
	expect_quote(
	    "\b\f\n\r\t\x01\x1f", 7, "\"\\b\\f\\n\\r\\t\\u0001\\u001f\"");
	expect_quote("\x7f", 1, "\"\x7f\"");
	expect_quote("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	expect_quote("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"");
	/* invalid UTF-8: one U+FFFD per bad byte, as Go does */
	expect_quote("a\xff"
		     "b",
	    3, "\"a\\ufffdb\"");
	expect_quote("\xc3", 1, "\"\\ufffd\"");
	expect_quote("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	expect_quote("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	expect_quote("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
	expect_quote("a\0b", 3, "\"a\\u0000b\"");
}

static void
test_encode_indent_and_sort(void **state)
{
	json_t *v, *s;
	struct buf b;

	(void)state;
	v = json_pack("{s:i, s:[], s:{}, s:[i, s], s:b}", "z", 1, "a", "m", "b",
	    2, "x", "y", 1);
	s = gojson_sorted(v);
	buf_init(&b, 0);
	assert_int_equal(gojson_encode(s, NULL, &b), 0);
	assert_string_equal(
	    b.data, "{\"a\":[],\"b\":[2,\"x\"],\"m\":{},\"y\":true,\"z\":1}");
	buf_reset(&b);
	assert_int_equal(gojson_encode(json_object_get(s, "b"), "    ", &b), 0);
	assert_string_equal(b.data, "[\n    2,\n    \"x\"\n]");
	buf_release(&b);
	json_decref(v);
	json_decref(s);
}

static void
test_parse_errors(void **state)
{
	struct cm_err err;
	json_t *v = NULL;

	(void)state;
	assert_int_equal(gojson_parse("", 0, &v, &err), ERR_INVALID);
	assert_int_equal(gojson_parse("{\"a\":1} x", 9, &v, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "line 1"));
	assert_int_equal(gojson_parse("\0\0\0", 3, &v, &err), ERR_INVALID);
	/* numbers become reals, as Go's interface{} decoding does */
	assert_int_equal(gojson_parse("{\"n\":2.50}", 10, &v, &err), 0);
	assert_true(json_is_real(json_object_get(v, "n")));
	json_decref(v);
	/* duplicate keys: the last wins, as in Go */
	assert_int_equal(gojson_parse("{\"a\":1,\"a\":2}", 13, &v, &err), 0);
	assert_true(json_real_value(json_object_get(v, "a")) == 2.0);
	json_decref(v);
}

static void
test_get_fold(void **state)
{
	json_t *v = json_pack("{s:s, s:s}", "NAME", "x", "other", "y");

	(void)state;
	assert_string_equal(json_string_value(gojson_get_fold(v, "Name")), "x");
	assert_null(gojson_get_fold(v, "missing"));
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_encode_indent_and_sort),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_get_fold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
