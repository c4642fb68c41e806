/* test-password.c: zxcvbn ratings and the passphrase policy. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <math.h>

#include "keystore/pwpolicy.h"

static void
rate(const char *pw, const char *const *words, struct pw_report *r)
{
	struct cm_err err;

	if (password_check(pw, strlen(pw), words, r, &err) != 0)
		fail_msg("%s", err.msg);
}

static int
has_weak(const struct pw_report *r, enum pw_weak_kind k)
{
	size_t i;

	for (i = 0; i < r->nweak; i++)
		if (r->weak[i].kind == k)
			return 1;
	return 0;
}

static void
test_samples(void **state)
{
	struct pw_report r;

	(void)state;
	/* the reference values of the notes (zxcvbn-c as Debian ships it) */
	rate("password", NULL, &r);
	assert_true(r.bits < 0.5);
	assert_int_equal(r.score, 0);
	assert_true(r.blocklisted);
	assert_true(has_weak(&r, PW_WEAK_DICTIONARY));
	rate("P@ssw0rd!", NULL, &r);
	assert_true(fabs(r.bits - 5.0) < 0.5);
	assert_int_equal(r.score, 0);
	assert_true(r.weak[0].leet);
	assert_int_equal(r.classes, 4);
	assert_false(r.nist_length_ok);
	rate("correct horse battery staple", NULL, &r);
	assert_true(fabs(r.bits - 70.3) < 0.5);
	assert_int_equal(r.score, 4);
	assert_true(r.nist_length_ok);
	assert_int_equal(r.length, 28);
	/* a strong passphrase gets no advice about its parts */
	assert_null(strstr(r.feedback, "Common words"));
	rate("wsxcderfvbgt", NULL, &r);
	assert_true(has_weak(&r, PW_WEAK_KEYBOARD));
	rate("abcdefgh12345", NULL, &r);
	assert_true(has_weak(&r, PW_WEAK_SEQUENCE));
	rate("zzzzzzzzzzzzz", NULL, &r);
	assert_true(has_weak(&r, PW_WEAK_REPEAT));
	rate("13/04/1987", NULL, &r);
	assert_true(has_weak(&r, PW_WEAK_DATE));
	/* characters, not bytes */
	rate("\xc3\xa9t\xc3\xa9", NULL, &r);
	assert_int_equal(r.length, 3);
}

static void
test_user_words(void **state)
{
	static const char *const words[] = { "prodbox", "deploy", NULL };
	struct pw_report without, with;

	(void)state;
	rate("Xprodbox77deployQ", NULL, &without);
	rate("Xprodbox77deployQ", words, &with);
	assert_true(with.bits < without.bits);
	assert_true(has_weak(&with, PW_WEAK_USER));
	assert_non_null(strstr(with.feedback, "user, host and context"));
}

static void
test_bad_input(void **state)
{
	struct pw_report r;
	struct cm_err err;

	(void)state;
	assert_int_equal(password_check("", 0, NULL, &r, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(
	    password_check("a\0b", 3, NULL, &r, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "NUL"));
}

/* The feedback never quotes the password. */
static void
test_no_echo(void **state)
{
	static const char *const pws[] = { "hunter2hunter2", "Tr0ub4dor&3",
		"monkey123", "zxcvbnm,./" };
	struct pw_report r;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(pws); i++) {
		rate(pws[i], NULL, &r);
		assert_null(strstr(r.feedback, pws[i]));
	}
}

static void
test_policy(void **state)
{
	struct pw_policy pol;
	struct pw_report r;
	struct cm_err err;
	int weak;

	(void)state;
	pw_policy_init(&pol);
	assert_int_equal(pol.min_score, 3);
	assert_int_equal(pw_policy_check("password1", 9, &pol, &r, &weak, &err),
	    ERR_INVALID);
	assert_true(weak);
	assert_non_null(strstr(err.msg, "too weak"));
	assert_non_null(strstr(err.msg, "--allow-weak"));
	assert_null(strstr(err.msg, "password1"));
	pol.allow_weak = 1;
	assert_int_equal(
	    pw_policy_check("password1", 9, &pol, &r, &weak, &err), 0);
	assert_true(weak);
	pol.allow_weak = 0;
	assert_int_equal(pw_policy_check("correct horse battery staple", 28,
			     &pol, &r, &weak, &err),
	    0);
	assert_false(weak);
	pol.min_score = 0;
	assert_int_equal(
	    pw_policy_check("password", 8, &pol, &r, &weak, &err), 0);
	assert_int_equal(
	    pw_policy_check("", 0, &pol, &r, &weak, &err), ERR_INVALID);
	assert_non_null(strstr(err.msg, "passphrase"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_user_words),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_no_echo),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
