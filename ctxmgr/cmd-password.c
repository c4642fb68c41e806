/* cmd-password.c: the "password" group: rate a password or passphrase. */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/output.h"
#include "keystore/passphrase.h"
#include "keystore/pwpolicy.h"
#include "ctxmgr/userwords.h"

#define CLASSIC_MIN_LENGTH 12 /* the classic advice: 12-22+ characters */
#define CLASSIC_MIN_CLASSES 3 /* of lower, upper, digits, others */

static const struct cmd_flag password_check_flags[] = {
	{ "user", 'u', FLAG_LIST, COMPLETE_NONE, "NAME",
	    "a user name the password must not lean on (repeatable; the "
	    "login name, host and context names are always added)" },
	{ "min-score", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "exit 1 below this zxcvbn score, 0 to 4 (default 3)" },
	{ "stdin", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "read the password from standard input, not the terminal" },
	{ "min-length", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "exit 1 below N characters (default 15, NIST SP 800-63B's "
	    "minimum for a password used alone; lower is warned about)" },
	{ "strict", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "kept for scripts: the 15-character minimum is the default" },
	{ 0 }
};

static int
read_password(struct cmd_ctx *ctx, struct cmd_args *a, struct buf *pw)
{
	int r;

	if (args_has(a, "stdin")) {
		if (isatty(STDIN_FILENO))
			return err_set(&ctx->err, ERR_USAGE,
			    "standard input is a terminal, which would echo "
			    "the password: leave out --stdin to be asked "
			    "without echo");
		r = passphrase_from_fd(
		    STDIN_FILENO, PASSPHRASE_MAX, pw, &ctx->err);
		if (r == ERR_TOOBIG)
			return err_set(&ctx->err, ERR_TOOBIG,
			    "the password on standard input is longer than %d "
			    "bytes",
			    PASSPHRASE_MAX);
		if (r != 0)
			return r;
		if (memchr(pw->data, '\n', pw->len) != NULL)
			return err_set(&ctx->err, ERR_INVALID,
			    "standard input holds more than one line: give "
			    "the password alone");
	} else {
		r = passphrase_prompt("Password: ", 0, pw, &ctx->err);
		if (r == ERR_NOTFOUND)
			return err_set(&ctx->err, ERR_USAGE,
			    "no terminal to ask for the password on: use "
			    "--stdin");
		if (r != 0)
			return r;
	}
	if (pw->len == 0)
		return err_set(&ctx->err, ERR_INVALID, "the password is empty");
	return 0;
}

static json_t *
report_json(const struct pw_report *r, int min_score, int min_length,
    int classic_ok, const char *verdict)
{
	json_t *o = json_object(), *nist = json_object(),
	       *classic = json_object(), *weak = json_array(), *w;
	char when[64];
	size_t i;

	json_object_set_new(o, "score", json_integer(r->score));
	json_object_set_new(
	    o, "scoreLabel", json_string(password_score_label(r->score)));
	json_object_set_new(o, "minScore", json_integer(min_score));
	json_object_set_new(o, "minLength", json_integer(min_length));
	json_object_set_new(o, "bits", json_real(r->bits));
	json_object_set_new(o, "log10Guesses", json_real(r->log10_guesses));
	json_object_set_new(
	    o, "crackSecondsFastHash", json_real(r->crack_seconds_fast));
	password_duration(r->crack_seconds_fast, when, sizeof(when));
	json_object_set_new(o, "crackTimeFastHash", json_string(when));
	json_object_set_new(
	    o, "crackSecondsSlowHash", json_real(r->crack_seconds_slow));
	password_duration(r->crack_seconds_slow, when, sizeof(when));
	json_object_set_new(o, "crackTimeSlowHash", json_string(when));
	json_object_set_new(o, "length", json_integer((json_int_t)r->length));
	json_object_set_new(o, "classes", json_integer(r->classes));
	json_object_set_new(
	    nist, "minLength", json_integer(PW_NIST_MIN_LENGTH));
	json_object_set_new(nist, "lengthOk", json_boolean(r->nist_length_ok));
	json_object_set_new(nist, "blocklisted", json_boolean(r->blocklisted));
	json_object_set_new(
	    nist, "ok", json_boolean(r->nist_length_ok && !r->blocklisted));
	json_object_set_new(o, "nist", nist);
	json_object_set_new(
	    classic, "minLength", json_integer(CLASSIC_MIN_LENGTH));
	json_object_set_new(
	    classic, "minClasses", json_integer(CLASSIC_MIN_CLASSES));
	json_object_set_new(classic, "ok", json_boolean(classic_ok));
	json_object_set_new(classic, "advisory", json_true());
	json_object_set_new(o, "classic", classic);
	for (i = 0; i < r->nweak; i++) {
		w = json_object();
		json_object_set_new(w, "kind",
		    json_string(password_weak_name(r->weak[i].kind)));
		json_object_set_new(w, "leet", json_boolean(r->weak[i].leet));
		json_object_set_new(
		    w, "start", json_integer(r->weak[i].begin + 1));
		json_object_set_new(
		    w, "length", json_integer(r->weak[i].length));
		json_object_set_new(w, "bits", json_real(r->weak[i].bits));
		json_array_append_new(weak, w);
	}
	json_object_set_new(o, "weaknesses", weak);
	json_object_set_new(o, "feedback", json_string(r->feedback));
	json_object_set_new(o, "verdict", json_string(verdict));
	return o;
}

static void
print_report(struct cmd_ctx *ctx, const struct pw_report *r, int min_score,
    int min_length, int classic_ok, const char *verdict)
{
	char fast[64], slow[64];
	size_t i;

	password_duration(r->crack_seconds_fast, fast, sizeof(fast));
	password_duration(r->crack_seconds_slow, slow, sizeof(slow));
	fprintf(ctx->out, "score:       %d of 4 (%s); %d needed\n", r->score,
	    password_score_label(r->score), min_score);
	fprintf(ctx->out, "entropy:     %.1f bits, about 10^%.1f guesses\n",
	    r->bits, r->log10_guesses);
	fprintf(ctx->out,
	    "crack time:  %s offline against a slow hash (10^4 "
	    "guesses/s), %s against a fast one (10^10/s)\n",
	    slow, fast);
	fprintf(ctx->out,
	    "NIST:        %zu characters, %s (SP 800-63B: at least %d for "
	    "a password used alone)%s\n",
	    r->length, r->nist_length_ok ? "long enough" : "too short",
	    PW_NIST_MIN_LENGTH,
	    r->blocklisted ? "; a common password or known name" : "");
	if (min_length < PW_NIST_MIN_LENGTH)
		fprintf(ctx->out,
		    "warning:     --min-length %d is below NIST SP 800-63B's "
		    "%d characters for a password used alone\n",
		    min_length, PW_NIST_MIN_LENGTH);
	fprintf(ctx->out,
	    "classic:     %d of 4 character classes, %s (advisory: %d-22+ "
	    "characters mixing classes)\n",
	    r->classes, classic_ok ? "met" : "not met", CLASSIC_MIN_LENGTH);
	if (r->nweak > 0) {
		fputs("weak parts: ", ctx->out);
		for (i = 0; i < r->nweak; i++) {
			const struct pw_weakness *w = &r->weak[i];
			if (w->length > 1)
				fprintf(ctx->out, "%s characters %d-%d",
				    i ? ";" : "", w->begin + 1,
				    w->begin + w->length);
			else
				fprintf(ctx->out, "%s character %d",
				    i ? ";" : "", w->begin + 1);
			fprintf(ctx->out, ": %s%s", password_weak_name(w->kind),
			    w->leet ? " (l33t)" : "");
		}
		fputc('\n', ctx->out);
	}
	fprintf(ctx->out, "feedback:    %s\n", r->feedback);
	fprintf(ctx->out, "verdict:     %s\n", verdict);
}

static int
cmd_password_check_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	long long min_score =
	    args_get_int(a, "min-score", PW_MIN_SCORE_DEFAULT);
	long long min_length =
	    args_get_int(a, "min-length", PW_NIST_MIN_LENGTH);
	struct strv words = { NULL, 0 };
	struct pw_report rep;
	struct buf pw;
	const char *verdict;
	int r, classic_ok, fail;
	json_t *o;

	if (min_score < 0 || min_score > 4)
		return err_set(&ctx->err, ERR_USAGE,
		    "--min-score takes 0 to 4, not %lld", min_score);
	if (min_length < 1 || min_length > PASSPHRASE_MAX)
		return err_set(&ctx->err, ERR_USAGE,
		    "--min-length takes 1 to %d, not %lld", PASSPHRASE_MAX,
		    min_length);
	if (min_length < PW_NIST_MIN_LENGTH &&
	    (ctx->format != FMT_TABLE || ctx->quiet))
		fprintf(ctx->errout,
		    "ctxmgr: warning: --min-length %lld is below NIST SP "
		    "800-63B's %d characters for a password used alone\n",
		    min_length, PW_NIST_MIN_LENGTH);
	buf_init_secret(&pw, PASSPHRASE_MAX);
	if ((r = read_password(ctx, a, &pw)) != 0)
		goto out;
	cmd_user_words(ctx, args_get_all(a, "user"), &words);
	r = password_check(
	    pw.data, pw.len, (const char *const *)words.v, &rep, &ctx->err);
	buf_release(&pw); /* wiped: nothing below needs it */
	if (r != 0)
		goto out;
	classic_ok = rep.length >= CLASSIC_MIN_LENGTH &&
	    rep.classes >= CLASSIC_MIN_CLASSES;
	/* the length rule of SP 800-63B rev. 4 (5.1.1.2) is the default */
	fail = rep.score < min_score || rep.blocklisted ||
	    rep.length < (size_t)min_length;
	verdict = fail                               ? "fail"
	    : (!rep.nist_length_ok || rep.score < 4) ? "warn"
						     : "ok";
	if (ctx->format != FMT_TABLE) {
		o = report_json(
		    &rep, (int)min_score, (int)min_length, classic_ok, verdict);
		r = output_value(ctx, o);
		json_decref(o);
		if (r != 0)
			goto out;
	} else if (!ctx->quiet)
		print_report(ctx, &rep, (int)min_score, (int)min_length,
		    classic_ok, verdict);
	r = fail ? 1 : 0;
out:
	buf_release(&pw);
	strv_free(&words);
	return r;
}

const struct cmd_entry cmd_password_check_entry = {
	.name = "check",
	.usage = "[--user NAME] [--min-score N] [--min-length N] [--stdin]",
	.summary = "rate a password or passphrase (zxcvbn, NIST SP 800-63B)",
	.help = "Reads the password from the terminal without echo, or from "
		"standard input with\n--stdin.  It is never printed or "
		"stored, and is wiped from memory as soon as\nit is rated.  "
		"Shows zxcvbn's score (0-4), entropy, guesses and offline "
		"crack\ntimes, and the weak parts (dictionary words, names, "
		"dates, sequences, repeats,\nkeyboard patterns) by position; "
		"user, host and context names count as\ndictionary words.  "
		"NIST SP 800-63B asks for 15 characters for a password "
		"used\nalone and no composition rules; the classic 12+ "
		"characters of mixed classes is\nshown as advice.  Exit "
		"status 1 below --min-score (default 3), below\n"
		"--min-length (default 15; a lower value is warned about) "
		"or for a common\npassword.",
	.flags = password_check_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_password_check_exec,
	.attrs = CMD_SECRET,
};

static const struct cmd_entry *const password_subcommands[] = {
	&cmd_password_check_entry, NULL
};

const struct cmd_entry cmd_password_entry = {
	.name = "password",
	.usage = "check ...",
	.summary = "check the strength of passwords and passphrases",
	.subcommands = password_subcommands,
};
