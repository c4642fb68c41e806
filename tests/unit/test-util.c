/* test-util.c: SHA-256 against OpenSSL, small helpers. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <openssl/evp.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "common/util.h"

static void
test_sha256_vectors(void **state)
{
	char hex[65];

	(void)state;
	sha256_hex("", 0, hex);
	assert_string_equal(hex,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
	    "934ca495991b7852b855");
	sha256_hex("foo", 3, hex);
	assert_string_equal(hex,
	    "2c26b46b68ffc68ff99b453c1d30413413422d706483"
	    "bfa0f98a5e886266e7ae");
}

static void
test_sha256_matches_openssl(void **state)
{
	unsigned char data[300], ours[32], theirs[32];
	struct sha256_ctx c;
	unsigned int n;
	size_t len, i, split;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + 7);
	/* every length across block boundaries, fed in two pieces */
	for (len = 0; len <= sizeof(data); len++) {
		split = len / 3;
		sha256_init(&c);
		sha256_update(&c, data, split);
		sha256_update(&c, data + split, len - split);
		sha256_final(&c, ours);
		EVP_Digest(data, len, theirs, &n, EVP_sha256(), NULL);
		assert_memory_equal(ours, theirs, 32);
	}
}

static void
test_helpers(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(str_distance("craete", "create"), 1);
	assert_int_equal(str_distance("ls", "rm"), 2);
	assert_true(str_has_ctrl("a\x1b"));
	assert_false(str_has_ctrl("caf\xc3\xa9"));
	assert_int_equal(parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int("4x", 0, 100, &v), ERR_INVALID);
	assert_int_equal(parse_int("101", 0, 100, &v), ERR_INVALID);
	assert_int_equal(parse_int("", 0, 100, &v), ERR_INVALID);
}

static void
check_safe(const char *in, const char *want)
{
	char *got = str_term_safe(in);

	if (strcmp(got, want) != 0)
		fail_msg("str_term_safe: got \"%s\", want \"%s\"", got, want);
	assert_int_equal(str_needs_escape(in), strcmp(in, want) != 0);
	free(got);
}

/* Hostile text: C0, DEL, C1 (raw and as UTF-8), invalid UTF-8. */
static void
test_escape_term(void **state)
{
	struct buf b;

	(void)state;
	check_safe("plain text", "plain text");
	check_safe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", /* é € whale */
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	check_safe("a\x1b]0;pwned\x07"
		   "b",
	    "a\\x1b]0;pwned\\x07b");
	check_safe("x\ny\tz\rw\x7f", "x\\x0ay\\x09z\\x0dw\\x7f");
	/* U+009B (CSI) and U+0080, U+009F encoded as UTF-8 */
	check_safe("\xc2\x9b"
		   "31mred",
	    "\\u009b31mred");
	check_safe("\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0");
	/* a bare C1 byte, truncated, overlong and surrogate sequences */
	check_safe("\x9b"
		   "2J",
	    "\\x9b2J");
	check_safe("ab\xc3", "ab\\xc3");
	check_safe("\xc0\xaf", "\\xc0\\xaf");
	check_safe("\xed\xa0\x80", "\\xed\\xa0\\x80");
	check_safe("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	/* keep_nl keeps newlines only */
	buf_init(&b, 0);
	str_escape_term(&b, "one\ntwo\x1b[2J", 1);
	assert_string_equal(b.data, "one\ntwo\\x1b[2J");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_matches_openssl),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_escape_term),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
