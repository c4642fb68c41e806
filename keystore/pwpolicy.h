/*
 * pwpolicy.h: the passphrase policy for commands that set one (keys gen,
 * the CA): zxcvbn's score must reach a minimum, or the caller must have
 * said --allow-weak.  The passphrase itself is never copied, logged or
 * quoted in a message.
 *
 * No minimum length here, on purpose: these passphrases unlock a key
 * file (the key is the factor one has), they are not passwords used
 * alone, so NIST SP 800-63B's 15 characters for single-factor passwords
 * (which `password check` applies by default) does not bind them; what
 * an offline guess at a stolen file must beat is the guess count that
 * zxcvbn's score measures.
 */
#ifndef CTXMGR_PWPOLICY_H
#define CTXMGR_PWPOLICY_H

#include "common/err.h"
#include "keystore/password.h"

#define PW_MIN_SCORE_DEFAULT 3

struct pw_policy {
	int min_score; /* 0..4; PW_MIN_SCORE_DEFAULT */
	int allow_weak; /* report weakness but do not refuse */
	const char *const *user_words; /* user, host, context names */
	const char *what; /* "passphrase" (for messages) */
	const char *override; /* "--allow-weak" (named in the refusal) */
};

/* Defaults: min score 3, refuse, "passphrase", "--allow-weak". */
void pw_policy_init(struct pw_policy *pol);

/*
 * Rate `pw` (len bytes) and apply the policy.  Returns 0 when it passes
 * (*weak = 0), or when it fails and allow_weak is set (*weak = 1, the
 * reason in err->msg for a warning); ERR_INVALID when it fails and is
 * refused, with a message saying why and how to override.  `r` is filled
 * whenever the password could be rated: show r->feedback with the error.
 */
int pw_policy_check(const char *pw, size_t len, const struct pw_policy *pol,
    struct pw_report *r, int *weak, struct cm_err *err);

#endif
