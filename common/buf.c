/* buf.c: bounded growable buffers (see buf.h). */
#include "common/compat.h"

#include "common/buf.h"

static char buf_empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->data = buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_MAX_DEFAULT;
	b->secret = 0;
	buf_empty[0] = '\0';
}

void
buf_init_secret(struct buf *b, size_t max)
{
	buf_init(b, max);
	b->secret = 1;
}

void
buf_release(struct buf *b)
{
	int secret = b->secret;
	size_t max = b->max;

	if (b->cap != 0) {
		if (b->secret)
			explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	buf_init(b, max);
	b->secret = secret;
}

void
buf_reset(struct buf *b)
{
	if (b->cap == 0)
		return;
	if (b->secret)
		explicit_bzero(b->data, b->len);
	b->len = 0;
	b->data[0] = '\0';
}

int
buf_grow(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *n;

	if (extra > b->max || b->len > b->max - extra)
		return ERR_TOOBIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (b->secret) {
		/* never leave a copy behind in memory realloc freed */
		if ((n = malloc(ncap)) == NULL)
			return ERR_NOMEM;
		memcpy(n, b->data, b->len + 1);
		if (b->cap != 0) {
			explicit_bzero(b->data, b->cap);
			free(b->data);
		}
	} else {
		if ((n = realloc(b->cap ? b->data : NULL, ncap)) == NULL)
			return ERR_NOMEM;
		if (b->cap == 0)
			n[0] = '\0';
	}
	b->data = n;
	b->cap = ncap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if ((r = buf_grow(b, n)) != 0)
		return r;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ERR_INVALID;
	if ((r = buf_grow(b, (size_t)n)) != 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

char *
buf_detach(struct buf *b, size_t *lenp)
{
	char *p;

	if (lenp != NULL)
		*lenp = b->len;
	if (b->cap == 0)
		p = strdup("");
	else
		p = b->data;
	buf_init(b, b->max);
	return p;
}

void
buf_rtrim(struct buf *b)
{
	while (b->len > 0 &&
	    (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t' ||
		b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->len--;
	if (b->cap != 0)
		b->data[b->len] = '\0';
}
