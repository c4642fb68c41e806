/* util.c: small helpers (see util.h). */
#include "common/compat.h"

#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/sha256.h"
#include "common/util.h"
#include "common/xmalloc.h"

void
sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx c;
	unsigned char md[32];
	int i;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, md);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

int
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int *d, r, cost, v;

	if (la > 64 || lb > 64)
		return 1000;
	d = xcalloc((la + 1) * (lb + 1), sizeof(*d));
#define D(x, y) d[(x) * (lb + 1) + (y)]
	for (i = 0; i <= la; i++)
		D(i, 0) = (int)i;
	for (j = 0; j <= lb; j++)
		D(0, j) = (int)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < v)
				v = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

int
str_has_ctrl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Bytes at p that must be escaped (0 when none): see str_escape_term. */
static size_t
term_bad_len(const unsigned char *p, const unsigned char *end, int keep_nl)
{
	size_t n;

	if (*p < 0x20)
		return *p == '\n' && keep_nl ? 0 : 1;
	if (*p == 0x7f)
		return 1;
	if (*p < 0x80)
		return 0;
	if ((n = utf8_valid_len(p, end)) == 0)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

void
str_escape_term(struct buf *b, const char *s, int keep_nl)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	size_t n;

	while (p < end) {
		n = term_bad_len(p, end, keep_nl);
		if (n == 2)
			buf_printf(b, "\\u%04x", p[1]);
		else if (n == 1)
			buf_printf(b, "\\x%02x", *p);
		else {
			n = *p < 0x80 ? 1 : utf8_valid_len(p, end);
			buf_add(b, p, n);
		}
		p += n;
	}
}

int
str_needs_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);

	for (; p < end; p += *p < 0x80 ? 1 : utf8_valid_len(p, end))
		if (term_bad_len(p, end, 0) != 0)
			return 1;
	return 0;
}

char *
str_term_safe(const char *s)
{
	struct buf b;

	if (!str_needs_escape(s))
		return xstrdup(s);
	buf_init(&b, 0);
	str_escape_term(&b, s, 0);
	return buf_detach(&b, NULL);
}

void
strv_push_owned(struct strv *sv, char *s)
{
	sv->v = xreallocarray(sv->v, sv->n + 2, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_push_owned(sv, xstrdup(s));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return ERR_INVALID;
	*out = v;
	return 0;
}

size_t
utf8_valid_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int
text_next_line(const char *text, size_t len, size_t *pos, const char **linep,
    size_t *lenp, int *ctrlp)
{
	size_t start = *pos, i = *pos, n, k;

	if (start >= len)
		return 0;
	while (i < len && text[i] != '\n')
		i++;
	n = i - start;
	*pos = i < len ? i + 1 : i;
	if (n > 0 && text[start + n - 1] == '\r')
		n--;
	*ctrlp = 0;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)text[start + k];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			*ctrlp = 1;
	}
	*linep = text + start;
	*lenp = n;
	return 1;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
