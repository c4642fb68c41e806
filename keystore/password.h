/*
 * password.h: password and passphrase strength (zxcvbn, NIST SP 800-63B).
 * Used by `password check`, by `keys gen` and by the CA when they set a
 * passphrase.  The password is never copied outside the caller's buffer,
 * never logged, and nothing in a report quotes it.
 */
#ifndef CTXMGR_PASSWORD_H
#define CTXMGR_PASSWORD_H

#include "common/err.h"

enum pw_weak_kind {
	PW_WEAK_DICTIONARY, /* a common password or word */
	PW_WEAK_USER, /* the user, host or context name */
	PW_WEAK_REPEAT, /* "aaaa", "abcabc" */
	PW_WEAK_SEQUENCE, /* "abcd", "4321" */
	PW_WEAK_KEYBOARD, /* "qwerty", "zxcvbn" */
	PW_WEAK_DATE, /* dates and years */
};

struct pw_weakness {
	enum pw_weak_kind kind;
	int leet; /* matched with l33t substitutions */
	int begin; /* character position (never the text itself) */
	int length; /* characters */
	double bits; /* entropy zxcvbn gives this part */
};

#define PW_MAX_WEAK 16
#define PW_NIST_MIN_LENGTH 15 /* SP 800-63B rev 4, single-factor */

struct pw_report {
	double bits; /* zxcvbn entropy estimate */
	int score; /* 0..4 with zxcvbn v4's thresholds */
	double log10_guesses; /* bits * log10(2) */
	double crack_seconds_fast; /* offline, fast hash: 1e10 guesses/s */
	double crack_seconds_slow; /* offline, slow hash: 1e4 guesses/s */
	size_t length; /* characters (UTF-8 code points) */
	int classes; /* of lower, upper, digit, other */
	int nist_length_ok; /* length >= PW_NIST_MIN_LENGTH */
	int blocklisted; /* wholly a dictionary word or user word */
	struct pw_weakness weak[PW_MAX_WEAK];
	size_t nweak;
	char feedback[768]; /* advice; never contains the password */
};

/*
 * Rate `pw` (len bytes, no NUL inside).  `user_words` (NULL-terminated,
 * may be NULL) are extra dictionary words: user, host and context names.
 */
int password_check(const char *pw, size_t len, const char *const *user_words,
    struct pw_report *r, struct cm_err *err);

/* "very weak" .. "very strong" */
const char *password_score_label(int score);

/* Human text for a duration in seconds ("3 hours", "centuries"). */
void password_duration(double seconds, char *buf, size_t len);

/* Name of a weakness kind ("dictionary word"). */
const char *password_weak_name(enum pw_weak_kind k);

#endif
