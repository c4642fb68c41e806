/* shellwords.c: sh-style word splitting without expansion. */
#include "common/compat.h"

#include "common/buf.h"
#include "common/shellwords.h"
#include "common/xmalloc.h"

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The one scanner behind both entry points.  Returns 0, or the 1-based
 * column of the construct left open (quote or backslash) with *quotep
 * set to the quote character, or '\\'.
 */
static size_t
scan(const char *line, struct strv *out, int *quotep, int partial)
{
	const char *p = line;
	size_t open_col = 0;
	int quote = 0, in_word = 0;
	struct buf w;

	buf_init(&w, SHELLWORDS_MAX_LINE);
	*quotep = 0;
	for (; *p != '\0'; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else
				buf_addc(&w, *p);
			continue;
		}
		if (quote == '"') {
			if (*p == '"')
				quote = 0;
			else if (*p == '\\' && p[1] != '\0' &&
			    strchr("\"\\$`\n", p[1]) != NULL) {
				if (p[1] != '\n')
					buf_addc(&w, p[1]);
				p++;
			} else
				buf_addc(&w, *p);
			continue;
		}
		if (is_blank(*p)) {
			if (in_word)
				strv_push(out, w.data);
			buf_reset(&w);
			in_word = 0;
			continue;
		}
		if (*p == '#' && !in_word)
			break;
		in_word = 1;
		if (*p == '\'' || *p == '"') {
			quote = *p;
			open_col = (size_t)(p - line) + 1;
		} else if (*p == '\\') {
			if (p[1] == '\0') {
				*quotep = '\\';
				open_col = (size_t)(p - line) + 1;
				break;
			}
			p++;
			if (*p == '\n') {
				/* a line continuation joins, as in sh */
				continue;
			}
			buf_addc(&w, *p);
		} else
			buf_addc(&w, *p);
	}
	if (quote != 0)
		*quotep = quote;
	if (in_word || (partial && *quotep == 0))
		strv_push(out, w.data);
	buf_release(&w);
	return *quotep != 0 ? open_col : 0;
}

int
shellwords_split(const char *line, struct strv *out, struct cm_err *err)
{
	struct strv tmp = { 0 };
	size_t col, i;
	int q;

	if (strlen(line) > SHELLWORDS_MAX_LINE)
		return err_set(err, ERR_TOOBIG, "line longer than %zu bytes",
		    SHELLWORDS_MAX_LINE);
	if ((col = scan(line, &tmp, &q, 0)) != 0) {
		strv_free(&tmp);
		if (q == '\\')
			return err_set(err, ERR_INVALID,
			    "column %zu: backslash at the end of the line",
			    col);
		return err_set(err, ERR_INVALID,
		    "column %zu: unterminated %s quote", col,
		    q == '\'' ? "single" : "double");
	}
	for (i = 0; i < tmp.n; i++)
		strv_push_owned(out, tmp.v[i]);
	free(tmp.v);
	return 0;
}

void
shellwords_split_partial(const char *line, struct strv *out, int *quotep)
{
	struct strv tmp = { 0 };
	size_t i;

	(void)scan(line, &tmp, quotep, 1);
	if (*quotep == '\\')
		*quotep = 0;
	/* an open quote still ends in the word being typed */
	if (tmp.n == 0)
		strv_push(&tmp, "");
	for (i = 0; i < tmp.n; i++)
		strv_push_owned(out, tmp.v[i]);
	free(tmp.v);
}

char *
shellwords_quote(const char *s)
{
	const char *p;
	struct buf b;

	if (*s != '\0' &&
	    strspn(s,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
		"VWXYZ0123456789_-+./:@%=,") == strlen(s))
		return xstrdup(s);
	buf_init(&b, 0);
	buf_addc(&b, '\'');
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addc(&b, *p);
	buf_addc(&b, '\'');
	return buf_detach(&b, NULL);
}
