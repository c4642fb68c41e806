/* sshkey.c: key types, public key blobs and lines, fingerprints (see
 * sshkey.h).  Private key files are read in sshkey-private.c, keys are
 * written in sshkey-gen.c. */
#include "common/compat.h"

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "keystore/sshkey-int.h"
#include "keystore/sshcodec.h"
#include "common/xmalloc.h"

static const struct sshkey_kt keytypes[] = {
	{ "ssh-rsa", SSHKEY_RSA, 0, NULL, 0 },
	{ "ssh-dss", SSHKEY_DSA, 0, NULL, 0 },
	{ "ecdsa-sha2-nistp256", SSHKEY_ECDSA, 0, "nistp256",
	    NID_X9_62_prime256v1 },
	{ "ecdsa-sha2-nistp384", SSHKEY_ECDSA, 0, "nistp384", NID_secp384r1 },
	{ "ecdsa-sha2-nistp521", SSHKEY_ECDSA, 0, "nistp521", NID_secp521r1 },
	{ "ssh-ed25519", SSHKEY_ED25519, 0, NULL, 0 },
	{ "sk-ecdsa-sha2-nistp256@openssh.com", SSHKEY_ECDSA_SK, 0, "nistp256",
	    NID_X9_62_prime256v1 },
	{ "sk-ssh-ed25519@openssh.com", SSHKEY_ED25519_SK, 0, NULL, 0 },
	{ "ssh-rsa-cert-v01@openssh.com", SSHKEY_RSA, 1, NULL, 0 },
	{ "ssh-dss-cert-v01@openssh.com", SSHKEY_DSA, 1, NULL, 0 },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", SSHKEY_ECDSA, 1,
	    "nistp256", NID_X9_62_prime256v1 },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", SSHKEY_ECDSA, 1,
	    "nistp384", NID_secp384r1 },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", SSHKEY_ECDSA, 1,
	    "nistp521", NID_secp521r1 },
	{ "ssh-ed25519-cert-v01@openssh.com", SSHKEY_ED25519, 1, NULL, 0 },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", SSHKEY_ECDSA_SK, 1,
	    "nistp256", NID_X9_62_prime256v1 },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", SSHKEY_ED25519_SK, 1, NULL,
	    0 },
};

const struct sshkey_kt *
sshkey_kt_by_name(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nitems(keytypes); i++)
		if (strlen(keytypes[i].name) == len &&
		    memcmp(keytypes[i].name, name, len) == 0)
			return &keytypes[i];
	return NULL;
}

int
sshkey_type_known(const char *name, size_t len)
{
	return sshkey_kt_by_name(name, len) != NULL;
}

/* The plain (not certificate) key type for a base type and curve. */
const struct sshkey_kt *
sshkey_kt_plain(enum sshkey_type type, const char *curve)
{
	size_t i;

	for (i = 0; i < nitems(keytypes); i++)
		if (keytypes[i].type == type && !keytypes[i].cert &&
		    (curve == NULL || keytypes[i].curve == NULL ||
			strcmp(curve, keytypes[i].curve) == 0))
			return &keytypes[i];
	return NULL;
}

void
sshkey_info_init(struct sshkey_info *k)
{
	memset(k, 0, sizeof(*k));
}

void
sshkey_info_release(struct sshkey_info *k)
{
	free(k->comment);
	free(k->blob);
	sshkey_info_init(k);
}

const char *
sshkey_type_label(enum sshkey_type t)
{
	switch (t) {
	case SSHKEY_RSA:
		return "RSA";
	case SSHKEY_DSA:
		return "DSA";
	case SSHKEY_ECDSA:
		return "ECDSA";
	case SSHKEY_ED25519:
		return "ED25519";
	case SSHKEY_ECDSA_SK:
		return "ECDSA-SK";
	case SSHKEY_ED25519_SK:
		return "ED25519-SK";
	case SSHKEY_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

const char *
sshkey_format_name(enum sshkey_format f)
{
	switch (f) {
	case SSHKEY_FMT_PUBLIC:
		return "openssh-public";
	case SSHKEY_FMT_RFC4716:
		return "rfc4716";
	case SSHKEY_FMT_SPKI:
		return "pem-spki";
	case SSHKEY_FMT_OPENSSH:
		return "openssh-key-v1";
	case SSHKEY_FMT_PKCS1:
		return "pem-pkcs1";
	case SSHKEY_FMT_SEC1:
		return "pem-sec1";
	case SSHKEY_FMT_PKCS8:
		return "pem-pkcs8";
	case SSHKEY_FMT_PKCS8_ENC:
		return "pem-pkcs8-encrypted";
	case SSHKEY_FMT_NONE:
		break;
	}
	return "unknown";
}

int
sshkey_blob_type(
    const unsigned char *blob, size_t len, char *out, size_t outlen)
{
	const unsigned char *s;
	struct sshrd r;
	size_t n, i;

	sshrd_init(&r, blob, len);
	if (sshrd_string(&r, &s, &n) != 0 || n == 0 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

const char *
sshkey_type_name_label(const char *name)
{
	const struct sshkey_kt *kt = sshkey_kt_by_name(name, strlen(name));

	return sshkey_type_label(kt != NULL ? kt->type : SSHKEY_UNKNOWN);
}

void
sshkey_fingerprint(const unsigned char *blob, size_t len, char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf b;

	EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL);
	buf_init(&b, 128);
	buf_adds(&b, "SHA256:");
	base64_encode(md, mdlen, &b);
	/* OpenSSH drops the base64 padding */
	while (b.len > 0 && b.data[b.len - 1] == '=')
		b.data[--b.len] = '\0';
	snprintf(out, 64, "%s", b.data);
	buf_release(&b);
}

/* 1 if Q is an uncompressed point on the curve `nid`. */
int
sshkey_ec_point_ok(int nid, const unsigned char *q, size_t len)
{
	EC_GROUP *g;
	EC_POINT *pt = NULL;
	int ok = 0;

	if (len == 0 || q[0] != 0x04)
		return 0;
	if ((g = EC_GROUP_new_by_curve_name(nid)) == NULL)
		goto out;
	if ((pt = EC_POINT_new(g)) == NULL)
		goto out;
	/* oct2point checks the point lies on the curve */
	if (EC_POINT_oct2point(g, pt, q, len, NULL) != 1)
		goto out;
	ok = EC_POINT_is_at_infinity(g, pt) == 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	ERR_clear_error();
	return ok;
}

int
sshkey_curve_bits(const char *curve)
{
	if (strcmp(curve, "nistp256") == 0)
		return 256;
	if (strcmp(curve, "nistp384") == 0)
		return 384;
	if (strcmp(curve, "nistp521") == 0)
		return 521;
	return 0;
}

/*
 * Read the key fields of type `kt` (after the type name, and after the
 * nonce of a certificate) and append the plain public blob to `plain`.
 */
static int
parse_key_fields(struct sshrd *r, const struct sshkey_kt *kt,
    struct sshkey_info *k, struct buf *plain, struct cm_err *err)
{
	const struct sshkey_kt *pkt = sshkey_kt_plain(kt->type, kt->curve);
	const unsigned char *a, *b, *c, *d;
	size_t al, bl, cl, dl;
	char curve[16];

	sshwr_cstring(plain, pkt->name);
	switch (kt->type) {
	case SSHKEY_RSA:
		if (sshrd_mpint(r, &a, &al) != 0 ||
		    sshrd_mpint(r, &b, &bl) != 0)
			goto trunc;
		/* e, n: both odd and non-zero for a real RSA key */
		if (al == 0 || bl == 0 || (a[al - 1] & 1) == 0 ||
		    (b[bl - 1] & 1) == 0)
			return err_set(
			    err, ERR_INVALID, "not a valid RSA public key");
		k->bits = sshcodec_bits(b, bl);
		sshwr_mpint(plain, a, al);
		sshwr_mpint(plain, b, bl);
		break;
	case SSHKEY_DSA:
		if (sshrd_mpint(r, &a, &al) != 0 ||
		    sshrd_mpint(r, &b, &bl) != 0 ||
		    sshrd_mpint(r, &c, &cl) != 0 ||
		    sshrd_mpint(r, &d, &dl) != 0)
			goto trunc;
		if (al == 0 || bl == 0 || cl == 0 || dl == 0)
			return err_set(
			    err, ERR_INVALID, "not a valid DSA public key");
		k->bits = sshcodec_bits(a, al);
		sshwr_mpint(plain, a, al);
		sshwr_mpint(plain, b, bl);
		sshwr_mpint(plain, c, cl);
		sshwr_mpint(plain, d, dl);
		break;
	case SSHKEY_ECDSA:
	case SSHKEY_ECDSA_SK:
		if (sshrd_string(r, &a, &al) != 0)
			goto trunc;
		if (al >= sizeof(curve) || memchr(a, '\0', al) != NULL ||
		    strlen(kt->curve) != al || memcmp(a, kt->curve, al) != 0)
			return err_set(err, ERR_INVALID,
			    "the curve does not match the key type \"%s\"",
			    kt->name);
		if (sshrd_string(r, &b, &bl) != 0)
			goto trunc;
		if (!sshkey_ec_point_ok(kt->nid, b, bl))
			return err_set(err, ERR_INVALID,
			    "the ECDSA public key is not a point on %s",
			    kt->curve);
		snprintf(k->curve, sizeof(k->curve), "%s", kt->curve);
		k->bits = sshkey_curve_bits(kt->curve);
		sshwr_string(plain, a, al);
		sshwr_string(plain, b, bl);
		if (kt->type == SSHKEY_ECDSA_SK) {
			if (sshrd_string(r, &c, &cl) != 0)
				goto trunc;
			sshwr_string(plain, c, cl);
		}
		break;
	case SSHKEY_ED25519:
	case SSHKEY_ED25519_SK:
		if (sshrd_string(r, &a, &al) != 0)
			goto trunc;
		if (al != 32)
			return err_set(err, ERR_INVALID,
			    "an Ed25519 public key has 32 bytes, not %zu", al);
		k->bits = 256;
		sshwr_string(plain, a, al);
		if (kt->type == SSHKEY_ED25519_SK) {
			if (sshrd_string(r, &c, &cl) != 0)
				goto trunc;
			sshwr_string(plain, c, cl);
		}
		break;
	case SSHKEY_UNKNOWN:
		return err_set(err, ERR_INVALID, "unknown key type");
	}
	return 0;
trunc:
	return err_set(err, ERR_INVALID,
	    "the %s key is truncated (a length points past the end)",
	    sshkey_type_label(kt->type));
}

/* The rest of an OpenSSH certificate after its key fields. */
static int
parse_cert_tail(struct sshrd *r, struct sshkey_info *k, struct cm_err *err)
{
	const unsigned char *p;
	struct sshkey_info ca;
	uint32_t hi, lo, type;
	size_t n;
	int i, rc;

	if (sshrd_u32(r, &hi) != 0 || sshrd_u32(r, &lo) != 0 || /* serial */
	    sshrd_u32(r, &type) != 0)
		goto trunc;
	if (type != 1 && type != 2)
		return err_set(err, ERR_INVALID,
		    "the certificate type %u is neither user nor host",
		    (unsigned)type);
	k->cert_host = type == 2;
	if (sshrd_string(r, &p, &n) != 0)
		goto trunc;
	if (memchr(p, '\0', n) != NULL)
		return err_set(
		    err, ERR_INVALID, "the certificate key id holds a NUL");
	snprintf(k->cert_key_id, sizeof(k->cert_key_id), "%.*s",
	    (int)(n < sizeof(k->cert_key_id) ? n : sizeof(k->cert_key_id) - 1),
	    (const char *)p);
	if (sshrd_string(r, &p, &n) != 0) /* principals */
		goto trunc;
	for (i = 0; i < 4; i++) /* valid after, valid before */
		if (sshrd_u32(r, &hi) != 0)
			goto trunc;
	for (i = 0; i < 3; i++) /* critical options, extensions, reserved */
		if (sshrd_string(r, &p, &n) != 0)
			goto trunc;
	if (sshrd_string(r, &p, &n) != 0) /* signature key */
		goto trunc;
	sshkey_info_init(&ca);
	rc = sshkey_parse_blob(p, n, &ca, err);
	if (rc == 0 && ca.cert)
		rc = err_set(err, ERR_INVALID,
		    "the certificate is signed by another certificate");
	if (rc != 0) {
		sshkey_info_release(&ca);
		return err_prefix(err, "certificate authority key");
	}
	k->ca_type = ca.type;
	snprintf(k->ca_type_name, sizeof(k->ca_type_name), "%s", ca.type_name);
	k->ca_bits = ca.bits;
	memcpy(k->ca_fingerprint, ca.fingerprint, sizeof(k->ca_fingerprint));
	sshkey_info_release(&ca);
	if (sshrd_string(r, &p, &n) != 0) /* signature */
		goto trunc;
	return 0;
trunc:
	return err_set(err, ERR_INVALID,
	    "the certificate is truncated (a length points past the end)");
}

int
sshkey_parse_blob(const unsigned char *blob, size_t len, struct sshkey_info *k,
    struct cm_err *err)
{
	const struct sshkey_kt *kt;
	const unsigned char *p;
	struct sshrd r;
	struct buf plain;
	size_t n;
	int rc;

	if (len > SSHKEY_BLOB_MAX)
		return err_set(err, ERR_TOOBIG,
		    "the key blob has %zu bytes, more than the %d OpenSSH "
		    "accepts",
		    len, SSHKEY_BLOB_MAX);
	sshrd_init(&r, blob, len);
	if (sshrd_string(&r, &p, &n) != 0)
		return err_set(err, ERR_INVALID,
		    "the key blob is truncated (no key type)");
	if ((kt = sshkey_kt_by_name((const char *)p, n)) == NULL) {
		char *safe = sshkey_printable((const char *)p, n, 64, 1);
		rc = err_set(err, ERR_INVALID, "unknown key type \"%s\"", safe);
		free(safe);
		return rc;
	}
	buf_init(&plain, SSHKEY_BLOB_MAX + 64);
	k->type = kt->type;
	k->cert = kt->cert;
	snprintf(k->type_name, sizeof(k->type_name), "%s", kt->name);
	if (kt->cert && sshrd_string(&r, &p, &n) != 0) { /* nonce */
		rc = err_set(err, ERR_INVALID,
		    "the certificate is truncated (no nonce)");
		goto out;
	}
	if ((rc = parse_key_fields(&r, kt, k, &plain, err)) != 0)
		goto out;
	if (kt->cert && (rc = parse_cert_tail(&r, k, err)) != 0)
		goto out;
	if (sshrd_left(&r) != 0) {
		rc = err_set(err, ERR_INVALID,
		    "%zu unexpected bytes after the key", sshrd_left(&r));
		goto out;
	}
	free(k->blob);
	k->bloblen = plain.len;
	k->blob = (unsigned char *)buf_detach(&plain, NULL);
	sshkey_fingerprint(k->blob, k->bloblen, k->fingerprint);
	k->known = 1;
	rc = 0;
out:
	buf_release(&plain);
	if (rc != 0) {
		k->type = SSHKEY_UNKNOWN;
		k->bits = 0;
		k->cert = 0;
	}
	return rc;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

char *
sshkey_printable(const char *s, size_t len, size_t max, int ascii)
{
	char *c;
	size_t i;

	c = xstrndup(s, len < max ? len : max);
	for (i = 0; c[i] != '\0'; i++)
		if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f ||
		    (ascii && (unsigned char)c[i] >= 0x80))
			c[i] = '?';
	return c;
}

char *
sshkey_clean_comment(const char *s, size_t len)
{
	while (len > 0 && (is_space(s[0]))) {
		s++;
		len--;
	}
	while (len > 0 &&
	    (is_space(s[len - 1]) || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len == 0)
		return NULL;
	return sshkey_printable(s, len, SSHKEY_COMMENT_MAX, 0);
}

int
sshkey_decode_b64_blob(
    const char *s, size_t len, struct buf *blob, struct cm_err *err)
{
	if (len > (SSHKEY_BLOB_MAX + 2) / 3 * 4)
		return err_set(err, ERR_TOOBIG,
		    "the base64 key is longer than OpenSSH accepts");
	if (base64_decode(s, len, blob) != 0)
		return err_set(err, ERR_INVALID, "the key is not valid base64");
	return 0;
}

int
sshkey_parse_public_line(
    const char *line, size_t len, struct sshkey_info *k, struct cm_err *err)
{
	const char *p = line, *end = line + len, *t, *b;
	struct buf blob;
	size_t tl, bl;
	int rc;

	while (p < end && is_space(*p))
		p++;
	for (t = p; p < end && !is_space(*p); p++)
		;
	tl = (size_t)(p - t);
	while (p < end && is_space(*p))
		p++;
	for (b = p; p < end && !is_space(*p) && *p != '\r' && *p != '\n'; p++)
		;
	bl = (size_t)(p - b);
	if (tl == 0 || bl == 0)
		return err_set(err, ERR_INVALID,
		    "not a public key line (want \"TYPE BASE64 [COMMENT]\")");
	if (sshkey_kt_by_name(t, tl) == NULL) {
		char *name = sshkey_printable(t, tl, 40, 1);
		rc = err_set(err, ERR_INVALID, "unknown key type \"%s\"", name);
		free(name);
		return rc;
	}
	buf_init(&blob, SSHKEY_BLOB_MAX + 4);
	if ((rc = sshkey_decode_b64_blob(b, bl, &blob, err)) != 0 ||
	    (rc = sshkey_parse_blob(
		 (const unsigned char *)blob.data, blob.len, k, err)) != 0)
		goto out;
	if (strlen(k->type_name) != tl || memcmp(k->type_name, t, tl) != 0) {
		rc = err_set(err, ERR_INVALID,
		    "the line says \"%.*s\" but the key is \"%s\"",
		    (int)(tl < 64 ? tl : 64), t, k->type_name);
		goto out;
	}
	free(k->comment);
	k->comment = sshkey_clean_comment(p, (size_t)(end - p));
	k->format = SSHKEY_FMT_PUBLIC;
	rc = 0;
out:
	buf_release(&blob);
	return rc;
}
