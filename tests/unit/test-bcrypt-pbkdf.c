/* test-bcrypt-pbkdf.c: Blowfish and bcrypt_pbkdf against published
 * vectors.  (Interoperation with ssh-keygen is tested in test-sshkey.) */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include "keystore/bcrypt-pbkdf.h"

static void
hex(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sscanf(s + 2 * i, "%2hhx", &out[i]);
}

static void
test_blowfish(void **state)
{
	/* Eric Young's Blowfish vectors: key, plaintext, ciphertext */
	static const char *const v[][3] = {
		{ "0000000000000000", "0000000000000000", "4ef997456198dd78" },
		{ "ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a" },
		{ "3000000000000000", "1000000000000001", "7d856f9a613063f2" },
		{ "0123456789abcdef", "1111111111111111", "61f9c3802281b096" },
		{ "fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d" },
	};
	struct blowfish bf;
	unsigned char key[8], pt[8], ct[8];
	uint32_t l, r;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(v); i++) {
		hex(v[i][0], key, 8);
		hex(v[i][1], pt, 8);
		hex(v[i][2], ct, 8);
		blowfish_setkey(&bf, key, 8);
		l = (uint32_t)pt[0] << 24 | (uint32_t)pt[1] << 16 |
		    (uint32_t)pt[2] << 8 | pt[3];
		r = (uint32_t)pt[4] << 24 | (uint32_t)pt[5] << 16 |
		    (uint32_t)pt[6] << 8 | pt[7];
		blowfish_encrypt(&bf, &l, &r);
		assert_int_equal(l,
		    (uint32_t)ct[0] << 24 | (uint32_t)ct[1] << 16 |
			(uint32_t)ct[2] << 8 | ct[3]);
		assert_int_equal(r,
		    (uint32_t)ct[4] << 24 | (uint32_t)ct[5] << 16 |
			(uint32_t)ct[6] << 8 | ct[7]);
		blowfish_decrypt(&bf, &l, &r);
		assert_int_equal(l,
		    (uint32_t)pt[0] << 24 | (uint32_t)pt[1] << 16 |
			(uint32_t)pt[2] << 8 | pt[3]);
	}
}

static void
expect_kdf(const char *pass, size_t passlen, const char *salt, size_t saltlen,
    unsigned rounds, const char *want)
{
	unsigned char got[64], exp[64];
	size_t n = strlen(want) / 2;

	hex(want, exp, n);
	assert_int_equal(
	    bcrypt_pbkdf(pass, passlen, (const unsigned char *)salt, saltlen,
		got, n, rounds),
	    0);
	assert_memory_equal(got, exp, n);
}

static void
test_bcrypt_pbkdf(void **state)
{
	(void)state;
	/* the vectors of OpenBSD's regress tests for bcrypt_pbkdf */
	expect_kdf("password", 8, "salt", 4, 4,
	    "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9");
	expect_kdf(
	    "password", 8, "\0", 1, 4, "c12b566235eee04c212598970a579a67");
	expect_kdf("\0", 1, "salt", 4, 4, "6051be18c2f4f82cbf0efee5471b4bb9");
	expect_kdf("password\0", 9, "salt\0", 5, 4,
	    "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050");
}

static void
test_bcrypt_pbkdf_args(void **state)
{
	unsigned char out[2048];

	(void)state;
	assert_int_equal(
	    bcrypt_pbkdf("p", 1, (const unsigned char *)"s", 1, out, 32, 0),
	    ERR_INVALID);
	assert_int_equal(
	    bcrypt_pbkdf("", 0, (const unsigned char *)"s", 1, out, 32, 1),
	    ERR_INVALID);
	assert_int_equal(
	    bcrypt_pbkdf("p", 1, (const unsigned char *)"s", 0, out, 32, 1),
	    ERR_INVALID);
	assert_int_equal(
	    bcrypt_pbkdf("p", 1, (const unsigned char *)"s", 1, out, 1025, 1),
	    ERR_INVALID);
	assert_int_equal(
	    bcrypt_pbkdf("p", 1, (const unsigned char *)"s", 1, out, 0, 1),
	    ERR_INVALID);
	/* the largest key: every byte is written */
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(
	    bcrypt_pbkdf("p", 1, (const unsigned char *)"s", 1, out, 1024, 1),
	    0);
	assert_int_equal(out[1024], 0xa5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blowfish),
		cmocka_unit_test(test_bcrypt_pbkdf),
		cmocka_unit_test(test_bcrypt_pbkdf_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
