/* sshcodec.c: SSH wire encoding and strict base64 (see sshcodec.h). */
#include "common/compat.h"

#include "keystore/sshcodec.h"

void
sshrd_init(struct sshrd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

size_t
sshrd_left(const struct sshrd *r)
{
	return r->len - r->off;
}

int
sshrd_u32(struct sshrd *r, uint32_t *v)
{
	const unsigned char *p;

	if (sshrd_left(r) < 4)
		return ERR_INVALID;
	p = r->p + r->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	    (uint32_t)p[3];
	r->off += 4;
	return 0;
}

int
sshrd_string(struct sshrd *r, const unsigned char **p, size_t *len)
{
	size_t save = r->off;
	uint32_t n;

	if (sshrd_u32(r, &n) != 0)
		return ERR_INVALID;
	if (n > sshrd_left(r)) {
		r->off = save;
		return ERR_INVALID;
	}
	*p = r->p + r->off;
	*len = n;
	r->off += n;
	return 0;
}

int
sshrd_cstring(struct sshrd *r, char *out, size_t max)
{
	const unsigned char *p;
	size_t n, save = r->off;

	if (sshrd_string(r, &p, &n) != 0)
		return ERR_INVALID;
	if (n > max || memchr(p, '\0', n) != NULL) {
		r->off = save;
		return ERR_INVALID;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int
sshrd_mpint(struct sshrd *r, const unsigned char **pp, size_t *lenp)
{
	const unsigned char *p;
	size_t n, save = r->off;

	if (sshrd_string(r, &p, &n) != 0)
		return ERR_INVALID;
	/* negative, or a needless leading zero: not what OpenSSH writes */
	if ((n > 0 && (p[0] & 0x80) != 0) ||
	    (n > 1 && p[0] == 0 && (p[1] & 0x80) == 0)) {
		r->off = save;
		return ERR_INVALID;
	}
	if (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	*pp = p;
	*lenp = n;
	return 0;
}

int
sshrd_skip(struct sshrd *r, size_t n)
{
	if (n > sshrd_left(r))
		return ERR_INVALID;
	r->off += n;
	return 0;
}

int
sshcodec_bits(const unsigned char *p, size_t len)
{
	unsigned char top;
	int bits;

	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	if (len == 0)
		return 0;
	if (len > (size_t)(INT32_MAX / 8))
		return INT32_MAX;
	bits = (int)(len - 1) * 8;
	for (top = p[0]; top != 0; top >>= 1)
		bits++;
	return bits;
}

int
sshwr_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4];

	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return buf_add(b, p, 4);
}

int
sshwr_string(struct buf *b, const void *p, size_t len)
{
	int r;

	if (len > UINT32_MAX)
		return ERR_TOOBIG;
	if ((r = sshwr_u32(b, (uint32_t)len)) != 0)
		return r;
	return buf_add(b, p, len);
}

int
sshwr_cstring(struct buf *b, const char *s)
{
	return sshwr_string(b, s, strlen(s));
}

int
sshwr_mpint(struct buf *b, const unsigned char *p, size_t len)
{
	int r, pad;

	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	pad = len > 0 && (p[0] & 0x80) != 0;
	if (len > UINT32_MAX - 1)
		return ERR_TOOBIG;
	if ((r = sshwr_u32(b, (uint32_t)(len + (size_t)pad))) != 0 ||
	    (pad && (r = buf_addc(b, 0)) != 0))
		return r;
	return buf_add(b, p, len);
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
base64_encode(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data;
	char q[4];
	size_t i;
	int r;

	if (len / 3 > (SIZE_MAX - 4) / 4)
		return ERR_TOOBIG;
	if ((r = buf_grow(out, (len + 2) / 3 * 4)) != 0)
		return r;
	for (i = 0; i + 2 < len; i += 3) {
		q[0] = b64chars[p[i] >> 2];
		q[1] = b64chars[(p[i] & 3) << 4 | p[i + 1] >> 4];
		q[2] = b64chars[(p[i + 1] & 0xf) << 2 | p[i + 2] >> 6];
		q[3] = b64chars[p[i + 2] & 0x3f];
		buf_add(out, q, 4);
	}
	if (i < len) {
		q[0] = b64chars[p[i] >> 2];
		if (i + 1 < len) {
			q[1] = b64chars[(p[i] & 3) << 4 | p[i + 1] >> 4];
			q[2] = b64chars[(p[i + 1] & 0xf) << 2];
		} else {
			q[1] = b64chars[(p[i] & 3) << 4];
			q[2] = '=';
		}
		q[3] = '=';
		buf_add(out, q, 4);
	}
	return 0;
}

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
base64_decode(const char *s, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char o[3];
	size_t i, start = out->len;
	int v[4], k, pad, r;

	if (len % 4 != 0)
		return ERR_INVALID;
	if ((r = buf_grow(out, len / 4 * 3)) != 0)
		return r;
	for (i = 0; i < len; i += 4) {
		pad = 0;
		for (k = 0; k < 4; k++) {
			if (p[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = b64val(p[i + k])) < 0)
				goto bad;
		}
		o[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		o[1] = (unsigned char)((v[1] & 0xf) << 4 | v[2] >> 2);
		o[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		/* bits beyond the last byte must be zero */
		if ((pad == 2 && (v[1] & 0xf) != 0) ||
		    (pad == 1 && (v[2] & 3) != 0))
			goto bad;
		buf_add(out, o, (size_t)(3 - pad));
	}
	return 0;
bad:
	if (out->secret && out->len > start)
		memset(out->data + start, 0, out->len - start);
	out->len = start;
	out->data[out->len] = '\0';
	return ERR_INVALID;
}
