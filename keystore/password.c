/* password.c: strength of passwords and passphrases (see password.h). */
#include "common/compat.h"

#include <ctype.h>
#include <math.h>

#include <zxcvbn.h>

#include "keystore/password.h"

const char *
password_score_label(int score)
{
	static const char *const labels[] = { "very weak", "weak", "fair",
		"strong", "very strong" };

	return labels[score < 0 ? 0 : score > 4 ? 4 : score];
}

const char *
password_weak_name(enum pw_weak_kind k)
{
	switch (k) {
	case PW_WEAK_DICTIONARY:
		return "dictionary word";
	case PW_WEAK_USER:
		return "user, host or context name";
	case PW_WEAK_REPEAT:
		return "repeat";
	case PW_WEAK_SEQUENCE:
		return "sequence";
	case PW_WEAK_KEYBOARD:
		return "keyboard pattern";
	case PW_WEAK_DATE:
		return "date or year";
	}
	return "pattern";
}

void
password_duration(double s, char *buf, size_t len)
{
	static const struct {
		double secs;
		const char *unit;
	} units[] = { { 31557600.0 * 100, "centuries" },
		{ 31557600.0, "years" }, { 2629800.0, "months" },
		{ 86400.0, "days" }, { 3600.0, "hours" }, { 60.0, "minutes" },
		{ 1.0, "seconds" } };
	size_t i;

	if (s < 1) {
		snprintf(buf, len, "less than a second");
		return;
	}
	if (s >= units[0].secs) {
		snprintf(buf, len, "centuries");
		return;
	}
	for (i = 1; i < nitems(units); i++)
		if (s >= units[i].secs) {
			double n = floor(s / units[i].secs);
			snprintf(buf, len, "%.0f %.*s", n,
			    (int)strlen(units[i].unit) - (n == 1 ? 1 : 0),
			    units[i].unit);
			return;
		}
}

/* Characters, not bytes: count UTF-8 lead bytes. */
static size_t
char_count(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int
class_count(const char *s, size_t len)
{
	int lower = 0, upper = 0, digit = 0, other = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || (!isalnum(c)))
			other = 1;
		else if (islower(c))
			lower = 1;
		else if (isupper(c))
			upper = 1;
		else
			digit = 1;
	}
	return lower + upper + digit + other;
}

static void
add_feedback(struct pw_report *r, const char *text)
{
	size_t n = strlen(r->feedback);

	snprintf(r->feedback + n, sizeof(r->feedback) - n, "%s%s", n ? " " : "",
	    text);
}

int
password_check(const char *pw, size_t len, const char *const *user_words,
    struct pw_report *r, struct cm_err *err)
{
	ZxcMatch_t *info = NULL, *m;
	int seen[PW_WEAK_DATE + 1] = { 0 };
	double bits;

	memset(r, 0, sizeof(*r));
	if (len == 0)
		return err_set(err, ERR_INVALID, "the password is empty");
	if (memchr(pw, '\0', len) != NULL || strlen(pw) != len)
		return err_set(
		    err, ERR_INVALID, "the password holds a NUL byte");
	bits = ZxcvbnMatch(pw, (const char **)user_words, &info);
	r->bits = bits < 0 ? 0 : bits;
	r->log10_guesses = r->bits * log10(2.0);
	/* zxcvbn v4 score from guesses: < 1e3, 1e6, 1e8, 1e10 */
	r->score = r->bits < 9.97 ? 0
	    : r->bits < 19.93     ? 1
	    : r->bits < 26.58     ? 2
	    : r->bits < 33.22     ? 3
				  : 4;
	r->crack_seconds_fast = pow(2.0, r->bits) / 1e10;
	r->crack_seconds_slow = pow(2.0, r->bits) / 1e4;
	r->length = char_count(pw, len);
	r->classes = class_count(pw, len);
	r->nist_length_ok = r->length >= PW_NIST_MIN_LENGTH;

	for (m = info; m != NULL && r->nweak < PW_MAX_WEAK; m = m->Next) {
		struct pw_weakness *w = &r->weak[r->nweak];
		int type = (int)m->Type & ~MULTIPLE_MATCH;
		switch (type) {
		case DICTIONARY_MATCH:
		case DICT_LEET_MATCH:
			w->kind = PW_WEAK_DICTIONARY;
			w->leet = type == DICT_LEET_MATCH;
			break;
		case USER_MATCH:
		case USER_LEET_MATCH:
			w->kind = PW_WEAK_USER;
			w->leet = type == USER_LEET_MATCH;
			break;
		case REPEATS_MATCH:
			w->kind = PW_WEAK_REPEAT;
			break;
		case SEQUENCE_MATCH:
			w->kind = PW_WEAK_SEQUENCE;
			break;
		case SPATIAL_MATCH:
			w->kind = PW_WEAK_KEYBOARD;
			break;
		case DATE_MATCH:
		case YEAR_MATCH:
			w->kind = PW_WEAK_DATE;
			break;
		default:
			continue; /* brute force parts are not weaknesses */
		}
		w->begin = m->Begin;
		w->length = m->Length;
		w->bits = m->Entrpy;
		if ((w->kind == PW_WEAK_DICTIONARY ||
			w->kind == PW_WEAK_USER) &&
		    (size_t)m->Length >= r->length)
			r->blocklisted = 1;
		seen[w->kind] = 1;
		r->nweak++;
	}
	ZxcvbnFreeInfo(info);

	/* a very strong password needs no advice about its parts */
	if (r->score >= 4)
		memset(seen, 0, sizeof(seen));
	if (r->blocklisted)
		add_feedback(r,
		    "It is a common password or a name from your "
		    "setup: attackers try those first.");
	if (seen[PW_WEAK_USER] && !r->blocklisted)
		add_feedback(r, "Leave out user, host and context names.");
	if (seen[PW_WEAK_DICTIONARY] && !r->blocklisted)
		add_feedback(r,
		    "Common words are guessed quickly; l33t "
		    "substitutions (p@ssw0rd) do not help.");
	if (seen[PW_WEAK_KEYBOARD])
		add_feedback(r, "Avoid keyboard patterns such as qwerty.");
	if (seen[PW_WEAK_SEQUENCE])
		add_feedback(r, "Avoid sequences such as abcd or 1234.");
	if (seen[PW_WEAK_REPEAT])
		add_feedback(r, "Avoid repeated characters and words.");
	if (seen[PW_WEAK_DATE])
		add_feedback(r, "Avoid dates and years.");
	if (!r->nist_length_ok)
		add_feedback(r,
		    "Use at least 15 characters (NIST SP 800-63B); "
		    "a passphrase of four or more random words is "
		    "long and easy to type.");
	if (r->score >= 3 && r->nist_length_ok && r->feedback[0] == '\0')
		add_feedback(r, "Strong: keep it unique to this use.");
	return 0;
}
