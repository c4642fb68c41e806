/* pwpolicy.c: the passphrase policy of keys gen and the CA (see
 * pwpolicy.h). */
#include "common/compat.h"

#include "keystore/pwpolicy.h"

void
pw_policy_init(struct pw_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->min_score = PW_MIN_SCORE_DEFAULT;
	pol->what = "passphrase";
	pol->override = "--allow-weak";
}

int
pw_policy_check(const char *pw, size_t len, const struct pw_policy *pol,
    struct pw_report *r, int *weak, struct cm_err *err)
{
	char msg[sizeof(err->msg) - 64];
	int rc;

	*weak = 0;
	if ((rc = password_check(pw, len, pol->user_words, r, err)) != 0)
		return err_prefix(err, "%s", pol->what);
	if (r->score >= pol->min_score)
		return 0;
	*weak = 1;
	snprintf(msg, sizeof(msg),
	    "the %s is too weak: score %d of 4 (%s), %d needed", pol->what,
	    r->score, password_score_label(r->score), pol->min_score);
	if (pol->allow_weak) {
		err_set(err, ERR_INVALID, "%s", msg);
		return 0;
	}
	return err_set(
	    err, ERR_INVALID, "%s (%s keeps it anyway)", msg, pol->override);
}
