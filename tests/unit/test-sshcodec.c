/* test-sshcodec.c: the SSH wire reader/writer and strict base64. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "keystore/sshcodec.h"

static void
test_reader_bounds(void **state)
{
	/* string "abc", then a string whose length points past the end */
	static const unsigned char in[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0,
		9, 'x' };
	const unsigned char *p;
	struct sshrd r;
	uint32_t v;
	size_t n;
	char s[8];

	(void)state;
	sshrd_init(&r, in, sizeof(in));
	assert_int_equal(sshrd_string(&r, &p, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "abc", 3);
	assert_int_equal(sshrd_string(&r, &p, &n), ERR_INVALID);
	/* a failed get does not move the reader */
	assert_int_equal(sshrd_left(&r), 5);
	assert_int_equal(sshrd_u32(&r, &v), 0);
	assert_int_equal(v, 9);
	assert_int_equal(sshrd_u32(&r, &v), ERR_INVALID);
	assert_int_equal(sshrd_skip(&r, 2), ERR_INVALID);
	assert_int_equal(sshrd_skip(&r, 1), 0);
	assert_int_equal(sshrd_left(&r), 0);

	/* cstring: too long, or a NUL inside */
	static const unsigned char cs[] = { 0, 0, 0, 4, 'a', 0, 'b', 'c' };
	sshrd_init(&r, cs, sizeof(cs));
	assert_int_equal(sshrd_cstring(&r, s, sizeof(s) - 1), ERR_INVALID);
	sshrd_init(&r, in, sizeof(in));
	assert_int_equal(sshrd_cstring(&r, s, 2), ERR_INVALID);
	assert_int_equal(sshrd_cstring(&r, s, 3), 0);
	assert_string_equal(s, "abc");

	/* a huge length never wraps around */
	static const unsigned char huge[] = { 0xff, 0xff, 0xff, 0xff, 1 };
	sshrd_init(&r, huge, sizeof(huge));
	assert_int_equal(sshrd_string(&r, &p, &n), ERR_INVALID);
}

static void
test_mpint(void **state)
{
	static const unsigned char pos[] = { 0, 0, 0, 2, 0, 0x80 };
	static const unsigned char neg[] = { 0, 0, 0, 1, 0x80 };
	static const unsigned char pad[] = { 0, 0, 0, 2, 0, 0x01 };
	static const unsigned char zero[] = { 0, 0, 0, 0 };
	const unsigned char *p;
	struct sshrd r;
	struct buf b;
	size_t n;

	(void)state;
	sshrd_init(&r, pos, sizeof(pos));
	assert_int_equal(sshrd_mpint(&r, &p, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0], 0x80);
	sshrd_init(&r, neg, sizeof(neg));
	assert_int_equal(sshrd_mpint(&r, &p, &n), ERR_INVALID);
	sshrd_init(&r, pad, sizeof(pad));
	assert_int_equal(sshrd_mpint(&r, &p, &n), ERR_INVALID);
	sshrd_init(&r, zero, sizeof(zero));
	assert_int_equal(sshrd_mpint(&r, &p, &n), 0);
	assert_int_equal(n, 0);

	/* the writer adds the zero for a high bit, drops leading zeros */
	buf_init(&b, 0);
	assert_int_equal(
	    sshwr_mpint(&b, (const unsigned char *)"\0\0\x80", 3), 0);
	assert_int_equal(b.len, sizeof(pos));
	assert_memory_equal(b.data, pos, sizeof(pos));
	buf_release(&b);

	assert_int_equal(
	    sshcodec_bits((const unsigned char *)"\0\x01\0", 3), 9);
	assert_int_equal(sshcodec_bits((const unsigned char *)"\xff", 1), 8);
	assert_int_equal(sshcodec_bits((const unsigned char *)"\0", 1), 0);
}

static void
expect_b64(const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(base64_encode(in, len, &b), 0);
	assert_string_equal(b.data, want);
	buf_reset(&b);
	assert_int_equal(base64_decode(want, strlen(want), &b), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, in, len);
	buf_release(&b);
}

static void
expect_bad_b64(const char *in)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "kept");
	assert_int_equal(base64_decode(in, strlen(in), &b), ERR_INVALID);
	/* what was in the buffer before is left alone */
	assert_string_equal(b.data, "kept");
	buf_release(&b);
}

static void
test_base64(void **state)
{
	(void)state;
	/* RFC 4648 section 10 */
	expect_b64("", 0, "");
	expect_b64("f", 1, "Zg==");
	expect_b64("fo", 2, "Zm8=");
	expect_b64("foo", 3, "Zm9v");
	expect_b64("foob", 4, "Zm9vYg==");
	expect_b64("fooba", 5, "Zm9vYmE=");
	expect_b64("foobar", 6, "Zm9vYmFy");
	expect_b64("\xff\xfe\x00", 3, "//4A");

	expect_bad_b64("Zg"); /* no padding */
	expect_bad_b64("Zh=="); /* stray bits after the last byte */
	expect_bad_b64("Zm9="); /* stray bits */
	expect_bad_b64("Zm9v\n"); /* a line break */
	expect_bad_b64("Z==="); /* too much padding */
	expect_bad_b64("Zg==Zm9v"); /* padding in the middle */
	expect_bad_b64("Zm-v"); /* URL alphabet */
	expect_bad_b64("Zm9v Zg==");
}

/* Every length round-trips; junk, stray padding and blanks are refused
 * (the CA database signature line is read with these). */
static void
test_base64_roundtrip(void **state)
{
	static const char *const bad[] = { "a", "abc", "ab=c", "a=bc",
		"ab==cd==", "ab c", "ab\nc", "====" };
	struct buf b, d;
	size_t i, n;
	char raw[64];

	(void)state;
	for (n = 0; n < sizeof(raw); n++) {
		for (i = 0; i < n; i++)
			raw[i] = (char)(i * 37 + n);
		buf_init(&b, 0);
		buf_init(&d, 0);
		assert_int_equal(base64_encode(raw, n, &b), 0);
		if (n > 0) {
			assert_int_equal(base64_decode(b.data, b.len, &d), 0);
			assert_int_equal(d.len, n);
			assert_memory_equal(d.data, raw, n);
		}
		buf_release(&b);
		buf_release(&d);
	}
	for (i = 0; i < nitems(bad); i++) {
		buf_init(&d, 0);
		assert_int_equal(
		    base64_decode(bad[i], strlen(bad[i]), &d), ERR_INVALID);
		buf_release(&d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_bounds),
		cmocka_unit_test(test_mpint),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
