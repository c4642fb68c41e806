/* sshwire.c: base64, key blobs, fingerprints (see sshwire.h). */
#include "common/compat.h"

#include <openssl/evp.h>

#include "keystore/sshcodec.h"
#include "tunnel/sshwire.h"

int
sshwire_string(const unsigned char *blob, size_t len, size_t *pos,
    const unsigned char **sp, size_t *slen)
{
	uint32_t n;

	if (*pos > len || len - *pos < 4)
		return -1;
	n = (uint32_t)blob[*pos] << 24 | (uint32_t)blob[*pos + 1] << 16 |
	    (uint32_t)blob[*pos + 2] << 8 | blob[*pos + 3];
	*pos += 4;
	if (n > len - *pos)
		return -1;
	*sp = blob + *pos;
	*slen = n;
	*pos += n;
	return 0;
}

int
sshwire_key_type(
    const unsigned char *blob, size_t len, char *out, size_t outlen)
{
	const unsigned char *s;
	size_t pos = 0, n, i;

	if (sshwire_string(blob, len, &pos, &s, &n) != 0 || n == 0 ||
	    n >= outlen)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

void
ssh_fingerprint(const unsigned char *blob, size_t len, char out[64])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	struct buf b;

	EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL);
	buf_init(&b, 128);
	base64_encode(md, sizeof(md), &b);
	while (b.len > 0 && b.data[b.len - 1] == '=')
		b.data[--b.len] = '\0';
	snprintf(out, 64, "SHA256:%s", b.data);
	buf_release(&b);
}

const char *
ssh_key_label(const char *type)
{
	if (strcmp(type, "ssh-ed25519") == 0)
		return "ED25519";
	if (strncmp(type, "ecdsa-", 6) == 0)
		return "ECDSA";
	if (strcmp(type, "ssh-rsa") == 0 || strncmp(type, "rsa-", 4) == 0)
		return "RSA";
	if (strcmp(type, "ssh-dss") == 0)
		return "DSA";
	if (strncmp(type, "sk-", 3) == 0)
		return "SK";
	return "UNKNOWN";
}

/* The base64 body between a BEGIN and an END line, without whitespace. */
static int
pem_body(const char *text, size_t len, const char *label, struct buf *out,
    int *headers)
{
	char begin[96], end[96];
	const char *b, *e, *p;
	size_t i;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	if ((b = memmem(text, len, begin, strlen(begin))) == NULL)
		return -1;
	p = b + strlen(begin);
	if ((e = memmem(p, len - (size_t)(p - text), end, strlen(end))) == NULL)
		return -1;
	*headers = 0;
	/* legacy PEM headers ("Proc-Type: 4,ENCRYPTED") end at a blank line */
	if (memmem(p, (size_t)(e - p), ":", 1) != NULL) {
		const char *h = memmem(p, (size_t)(e - p), "ENCRYPTED", 9);
		*headers = h != NULL;
		const char *blank = memmem(p, (size_t)(e - p), "\n\n", 2);
		if (blank != NULL)
			p = blank + 2;
	}
	for (i = 0; p + i < e; i++) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (buf_addc(out, c) != 0)
			return -1;
	}
	return 0;
}

int
privkey_inspect(
    const char *text, size_t len, struct privkey_info *pi, struct cm_err *err)
{
	static const char magic[] = "openssh-key-v1";
	const unsigned char *s, *blob;
	struct buf body, raw;
	size_t pos, n, bloblen;
	int headers = 0, r = ERR_INVALID;

	memset(pi, 0, sizeof(*pi));
	buf_init(&pi->pubkey, 65536);
	buf_init(&body, 1 << 20);
	buf_init_secret(&raw, 1 << 20);
	if (pem_body(text, len, "OPENSSH PRIVATE KEY", &body, &headers) == 0) {
		pi->format = PRIVKEY_OPENSSH;
		if (base64_decode(body.data, body.len, &raw) != 0 ||
		    raw.len < sizeof(magic) ||
		    memcmp(raw.data, magic, sizeof(magic)) != 0)
			goto bad;
		const unsigned char *u = (const unsigned char *)raw.data;
		pos = sizeof(magic);
		/* cipher, kdf, kdf options, number of keys, public key */
		if (sshwire_string(u, raw.len, &pos, &s, &n) != 0)
			goto bad;
		pi->encrypted = !(n == 4 && memcmp(s, "none", 4) == 0);
		if (sshwire_string(u, raw.len, &pos, &s, &n) != 0 ||
		    sshwire_string(u, raw.len, &pos, &s, &n) != 0 ||
		    raw.len - pos < 4)
			goto bad;
		pos += 4;
		if (sshwire_string(u, raw.len, &pos, &blob, &bloblen) != 0 ||
		    bloblen == 0 || buf_add(&pi->pubkey, blob, bloblen) != 0)
			goto bad;
		r = 0;
		goto out;
	}
	buf_reset(&body);
	if (pem_body(text, len, "ENCRYPTED PRIVATE KEY", &body, &headers) ==
	    0) {
		pi->format = PRIVKEY_PEM;
		pi->encrypted = 1;
		r = 0;
		goto out;
	}
	static const char *const labels[] = { "RSA PRIVATE KEY",
		"EC PRIVATE KEY", "DSA PRIVATE KEY", "PRIVATE KEY" };
	for (size_t i = 0; i < nitems(labels); i++) {
		buf_reset(&body);
		if (pem_body(text, len, labels[i], &body, &headers) == 0) {
			pi->format = PRIVKEY_PEM;
			pi->encrypted = headers;
			r = 0;
			goto out;
		}
	}
	r = err_set(err, ERR_INVALID, "not a private key");
	goto out;
bad:
	r = err_set(err, ERR_INVALID, "malformed OpenSSH private key");
out:
	buf_release(&body);
	buf_release(&raw);
	return r;
}

void
privkey_info_release(struct privkey_info *pi)
{
	buf_release(&pi->pubkey);
}

int
pubkey_parse_line(const char *text, size_t len, struct buf *blob)
{
	const char *p = text, *end = text + len, *b64;
	char type[64];

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	b64 = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	if (p == b64 || base64_decode(b64, (size_t)(p - b64), blob) != 0)
		return -1;
	return sshwire_key_type(
	    (const unsigned char *)blob->data, blob->len, type, sizeof(type));
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
