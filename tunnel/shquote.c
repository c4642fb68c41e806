/* shquote.c: quoting for POSIX shells (see shquote.h). */
#include "common/compat.h"

#include "tunnel/shquote.h"
#include "common/xmalloc.h"

static int
plain_word(const char *s)
{
	if (*s == '\0' || *s == '=')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || strchr("_./:=@%+,-", *s)))
			return 0;
	return 1;
}

int
shell_quote(struct buf *out, const char *arg)
{
	size_t start = out->len;
	const char *p;

	if (plain_word(arg))
		return buf_adds(out, arg) == 0 ? 0 : -1;
	if (buf_addc(out, '\'') != 0)
		goto full;
	for (p = arg; *p != '\0'; p++) {
		if (*p == '\'') {
			if (buf_adds(out, "'\\''") != 0)
				goto full;
		} else if (buf_addc(out, *p) != 0)
			goto full;
	}
	if (buf_addc(out, '\'') == 0)
		return 0;
full:
	out->len = start;
	out->data[start] = '\0';
	return -1;
}

int
shell_quote_argv(struct buf *out, const char *const *argv, int n)
{
	int i;

	for (i = 0; n < 0 ? argv[i] != NULL : i < n; i++) {
		if (i > 0 && buf_addc(out, ' ') != 0)
			return -1;
		if (shell_quote(out, argv[i]) != 0)
			return -1;
	}
	return 0;
}

char *
shell_quote_str(const char *arg)
{
	struct buf b;

	buf_init(&b, 0);
	if (shell_quote(&b, arg) != 0)
		abort();
	return buf_detach(&b, NULL);
}
