/* x509.c: keys and certificates for the TLS CA (see x509.h). */
#include "common/compat.h"

#include <ctype.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "keystore/x509.h"
#include "common/xmalloc.h"

static const char *const key_type_names[] = {
	[KEY_ECDSA_P256] = "ecdsa-p256",
	[KEY_ECDSA_P384] = "ecdsa-p384",
	[KEY_ED25519] = "ed25519",
	[KEY_RSA_3072] = "rsa-3072",
	[KEY_RSA_4096] = "rsa-4096",
};

static const char *const kind_names[] = {
	[CERT_CA] = "ca",
	[CERT_SERVER] = "server",
	[CERT_CLIENT] = "client",
};

/* The first OpenSSL error as text, for messages; clears the queue. */
static const char *
ossl_reason(void)
{
	static char text[256];
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(text, sizeof(text), "unknown error");
	else
		ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	return text;
}

void
x509_lib_init(void)
{
	(void)OPENSSL_init_crypto(
	    OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
}

int
x509_key_type_parse(const char *s, enum x509_key_type *t, struct cm_err *err)
{
	size_t i;

	for (i = 0; i < nitems(key_type_names); i++)
		if (strcmp(s, key_type_names[i]) == 0) {
			*t = (enum x509_key_type)i;
			return 0;
		}
	return err_set(err, ERR_USAGE, "unknown key type \"%s\" (use %s)", s,
	    X509_KEY_TYPES);
}

const char *
x509_key_type_name(enum x509_key_type t)
{
	return (size_t)t < nitems(key_type_names) ? key_type_names[t]
						  : "unknown";
}

const char *
x509_key_type_of(const EVP_PKEY *pk)
{
	char group[64];
	size_t n;

	if (pk == NULL)
		return "unknown";
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_ED25519:
		return "ed25519";
	case EVP_PKEY_RSA:
		switch (EVP_PKEY_get_bits(pk)) {
		case 2048:
			return "rsa-2048";
		case 3072:
			return "rsa-3072";
		case 4096:
			return "rsa-4096";
		}
		return "rsa";
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pk,
			OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
			&n) != 1)
			break;
		if (strcmp(group, "prime256v1") == 0 ||
		    strcmp(group, "P-256") == 0)
			return "ecdsa-p256";
		if (strcmp(group, "secp384r1") == 0 ||
		    strcmp(group, "P-384") == 0)
			return "ecdsa-p384";
		return "ecdsa";
	}
	return "unknown";
}

const char *
x509_kind_name(enum cert_kind k)
{
	return (size_t)k < nitems(kind_names) ? kind_names[k] : "unknown";
}

int
x509_kind_parse(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(kind_names); i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

int
x509_keygen(enum x509_key_type t, EVP_PKEY **out, struct cm_err *err)
{
	EVP_PKEY *pk = NULL;

	switch (t) {
	case KEY_ECDSA_P256:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case KEY_ECDSA_P384:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case KEY_ED25519:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case KEY_RSA_3072:
		pk = EVP_RSA_gen(3072);
		break;
	case KEY_RSA_4096:
		pk = EVP_RSA_gen(4096);
		break;
	}
	if (pk == NULL)
		return err_set(err, ERR_CRYPTO, "cannot generate a %s key: %s",
		    x509_key_type_name(t), ossl_reason());
	*out = pk;
	return 0;
}

int
x509_cn_check(const char *cn, struct cm_err *err)
{
	size_t len = strlen(cn);

	if (len == 0)
		return err_set(err, ERR_INVALID, "the common name is empty");
	if (len > 64)
		return err_set(err, ERR_INVALID,
		    "the common name is longer than 64 characters");
	if (str_has_ctrl(cn))
		return err_set(err, ERR_INVALID,
		    "the common name holds control characters");
	return 0;
}

const EVP_MD *
x509_sign_md(const EVP_PKEY *pk)
{
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519)
		return NULL;
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	    EVP_PKEY_get_bits(pk) > 256)
		return EVP_sha384();
	return EVP_sha256();
}

static int
add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

int
x509_build(const struct x509_req *req, X509 **out, struct cm_err *err)
{
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL;
	X509V3_CTX v3;
	struct buf san;
	const char *ku, *bc, *eku = NULL;
	size_t i;
	int r = ERR_CRYPTO, rsa;

	buf_init(&san, 0);
	if ((r = x509_cn_check(req->cn, err)) != 0)
		goto out;
	r = ERR_CRYPTO;
	if (req->not_after <= req->not_before) {
		r = err_set(err, ERR_INVALID, "the validity period is empty");
		goto out;
	}
	if (req->kind == CERT_SERVER &&
	    (req->sans == NULL || req->sans->n == 0)) {
		r = err_set(err, ERR_INVALID,
		    "a server certificate needs at least one subjectAltName");
		goto out;
	}
	if ((req->issuer == NULL) != (req->kind == CERT_CA)) {
		r = err_set(
		    err, ERR_INVALID, "only a CA certificate is self-signed");
		goto out;
	}
	x = X509_new();
	name = X509_NAME_new();
	bn = BN_new();
	if (x == NULL || name == NULL || bn == NULL)
		goto crypto;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(bn, 159, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto crypto;
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		(const unsigned char *)req->cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(
		x, req->issuer ? X509_get_subject_name(req->issuer) : name))
		goto crypto;
	if (ASN1_TIME_set(X509_getm_notBefore(x), req->not_before) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), req->not_after) == NULL)
		goto crypto;
	if (!X509_set_pubkey(x, req->key))
		goto crypto;

	rsa = EVP_PKEY_get_base_id(req->key) == EVP_PKEY_RSA;
	switch (req->kind) {
	case CERT_CA:
		bc = "critical,CA:TRUE,pathlen:0";
		ku = "critical,keyCertSign,cRLSign";
		break;
	case CERT_SERVER:
		bc = "critical,CA:FALSE";
		ku = rsa ? "critical,digitalSignature,keyEncipherment"
			 : "critical,digitalSignature";
		eku = "serverAuth";
		break;
	default:
		bc = "critical,CA:FALSE";
		ku = "critical,digitalSignature";
		eku = "clientAuth";
		break;
	}
	X509V3_set_ctx(&v3, req->issuer ? req->issuer : x, x, NULL, NULL, 0);
	if (req->issuer == NULL &&
	    !X509V3_set_issuer_pkey(&v3, req->issuer_key))
		goto crypto;
	if (add_ext(x, &v3, NID_basic_constraints, bc) != 0 ||
	    add_ext(x, &v3, NID_key_usage, ku) != 0 ||
	    (eku != NULL && add_ext(x, &v3, NID_ext_key_usage, eku) != 0) ||
	    add_ext(x, &v3, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") != 0)
		goto crypto;
	if (req->sans != NULL && req->sans->n > 0) {
		for (i = 0; i < req->sans->n; i++) {
			if ((r = x509_san_check(req->sans->v[i], err)) != 0)
				goto out;
			buf_printf(&san, "%s%s", i ? "," : "", req->sans->v[i]);
		}
		r = ERR_CRYPTO;
		if (add_ext(x, &v3, NID_subject_alt_name, san.data) != 0)
			goto crypto;
	}
	if (X509_sign(x, req->issuer_key, x509_sign_md(req->issuer_key)) <= 0)
		goto crypto;
	*out = x;
	x = NULL;
	r = 0;
	goto out;
crypto:
	r = err_set(
	    err, ERR_CRYPTO, "cannot build the certificate: %s", ossl_reason());
out:
	buf_release(&san);
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(x);
	return r;
}

/* Move a memory BIO's contents into `out`. */
static int
bio_to_buf(BIO *bio, struct buf *out)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);

	if (n < 0)
		return ERR_CRYPTO;
	return buf_add(out, p, (size_t)n);
}

int
x509_cert_pem(X509 *x, struct buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int r = ERR_CRYPTO;

	if (bio != NULL && PEM_write_bio_X509(bio, x))
		r = bio_to_buf(bio, out);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

int
x509_key_pem(EVP_PKEY *pk, struct buf *out)
{
	BIO *bio;
	int r = ERR_CRYPTO;

	out->secret = 1;
	/* a secure-memory BIO is wiped when freed */
	if ((bio = BIO_new(BIO_s_secmem())) != NULL &&
	    PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL))
		r = bio_to_buf(bio, out);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

int
x509_key_pem_encrypted(EVP_PKEY *pk, const char *pass, size_t passlen, int iter,
    struct buf *out, struct cm_err *err)
{
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_SIG *p8 = NULL;
	BIO *bio = NULL;
	int r = ERR_CRYPTO;

	out->secret = 1;
	if (passlen == 0 || passlen > INT32_MAX)
		return err_set(err, ERR_INVALID, "the passphrase is empty");
	if ((p8inf = EVP_PKEY2PKCS8(pk)) == NULL)
		goto out;
	/* -1: PBES2 with PBKDF2 (HMAC-SHA256 in OpenSSL 3), 16-byte salt */
	p8 = PKCS8_encrypt_ex(-1, EVP_aes_256_cbc(), pass, (int)passlen, NULL,
	    16, iter, p8inf, NULL, NULL);
	if (p8 == NULL || (bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PKCS8(bio, p8))
		goto out;
	r = bio_to_buf(bio, out);
out:
	if (r != 0)
		r = err_set(err, ERR_CRYPTO, "cannot encrypt the key: %s",
		    ossl_reason());
	BIO_free(bio);
	X509_SIG_free(p8);
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	return r;
}

struct pass_arg {
	const char *pass;
	size_t len;
	int asked;
};

static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_arg *pa = u;

	(void)rwflag;
	pa->asked = 1;
	if (pa->pass == NULL || pa->len > (size_t)size)
		return -1;
	memcpy(buf, pa->pass, pa->len);
	return (int)pa->len;
}

int
x509_key_load(const char *pem, size_t len, const char *pass, size_t passlen,
    EVP_PKEY **out, struct cm_err *err)
{
	struct pass_arg pa = { pass, passlen, 0 };
	X509_SIG *p8 = NULL;
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	EVP_PKEY *pk = NULL;
	BIO *bio;
	int encrypted;

	*out = NULL;
	if (len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "the key is too big");
	encrypted =
	    memmem(pem, len, "-----BEGIN ENCRYPTED PRIVATE KEY", 32) != NULL;
	if (encrypted && pass == NULL)
		return err_set(err, ERR_INVALID, "the key is encrypted");
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	if (encrypted) {
		/* decrypt first: a wrong passphrase is told apart */
		p8 = PEM_read_bio_PKCS8(bio, NULL, NULL, NULL);
		if (p8 != NULL)
			p8inf = PKCS8_decrypt(p8, pass, (int)passlen);
		if (p8 != NULL && p8inf == NULL) {
			X509_SIG_free(p8);
			BIO_free(bio);
			ERR_clear_error();
			return err_set(err, ERR_AUTH,
			    "wrong passphrase (or a damaged key file)");
		}
		if (p8inf != NULL)
			pk = EVP_PKCS82PKEY(p8inf);
		X509_SIG_free(p8);
		PKCS8_PRIV_KEY_INFO_free(p8inf);
	} else
		pk = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &pa);
	BIO_free(bio);
	if (pk == NULL) {
		if (pa.asked && pass == NULL)
			return err_set(
			    err, ERR_INVALID, "the key is encrypted");
		if (pa.asked)
			return err_set(err, ERR_AUTH,
			    "wrong passphrase (or a damaged key file)");
		ERR_clear_error();
		return err_set(err, ERR_INVALID, "no usable PEM private key");
	}
	ERR_clear_error();
	*out = pk;
	return 0;
}

int
x509_cert_load(const char *pem, size_t len, const char *what, X509 **out,
    struct cm_err *err)
{
	BIO *bio;
	X509 *x;

	*out = NULL;
	if (len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "%s is too big", what);
	if (memmem(pem, len, "-----BEGIN ", 11) == NULL)
		return err_set(err, ERR_INVALID,
		    "%s is not a PEM file (no \"-----BEGIN\" line)", what);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return err_set(err, ERR_NOMEM, "out of memory");
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (x == NULL)
		return err_set(
		    err, ERR_INVALID, "%s holds no PEM certificate", what);
	*out = x;
	return 0;
}

int
x509_certs_load(const char *pem, size_t len, const char *what,
    STACK_OF(X509) * *out, struct cm_err *err)
{
	STACK_OF(X509) * sk;
	BIO *bio;
	X509 *x;

	*out = NULL;
	if (len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "%s is too big", what);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (sk = sk_X509_new_null()) == NULL) {
		BIO_free(bio);
		return err_set(err, ERR_NOMEM, "out of memory");
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	BIO_free(bio);
	ERR_clear_error();
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return err_set(
		    err, ERR_INVALID, "%s holds no PEM certificate", what);
	}
	*out = sk;
	return 0;
}

static void
name_text(const X509_NAME *name, char *out, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	out[0] = '\0';
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(
		bio, name, 0, (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)) >= 0) {
		n = BIO_get_mem_data(bio, &p);
		if (n > 0)
			snprintf(out, len, "%.*s", (int)n, p);
	}
	BIO_free(bio);
}

static time_t
asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

static void
hex_lower(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
x509_info_get(X509 *x, struct x509_info *info, struct cm_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	BIGNUM *bn;
	char *hex;
	uint32_t xku;

	memset(info, 0, sizeof(*info));
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	BN_free(bn);
	if (hex == NULL) {
		ERR_clear_error();
		return err_set(
		    err, ERR_INVALID, "the certificate has no serial number");
	}
	snprintf(info->serial, sizeof(info->serial), "%s", hex);
	OPENSSL_free(hex);
	name_text(
	    X509_get_subject_name(x), info->subject, sizeof(info->subject));
	name_text(X509_get_issuer_name(x), info->issuer, sizeof(info->issuer));
	x509_cert_sans(x, &info->sans);
	info->not_before = asn1_time_t(X509_get0_notBefore(x));
	info->not_after = asn1_time_t(X509_get0_notAfter(x));
	snprintf(info->key_type, sizeof(info->key_type), "%s",
	    x509_key_type_of(X509_get0_pubkey(x)));
	if (X509_digest(x, EVP_sha256(), md, &mdlen) && mdlen == 32)
		hex_lower(md, mdlen, info->sha256);
	info->is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	xku = X509_get_extended_key_usage(x);
	info->server_auth = (xku & XKU_SSL_SERVER) != 0;
	info->client_auth = (xku & XKU_SSL_CLIENT) != 0;
	ERR_clear_error();
	return 0;
}

void
x509_info_release(struct x509_info *info)
{
	strv_free(&info->sans);
}

char *
x509_common_name(X509 *x)
{
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_ENTRY *e;
	ASN1_STRING *s;
	unsigned char *utf8 = NULL;
	char *cn;
	int i, n;

	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0 || (e = X509_NAME_get_entry(name, i)) == NULL ||
	    (s = X509_NAME_ENTRY_get_data(e)) == NULL ||
	    (n = ASN1_STRING_to_UTF8(&utf8, s)) < 0) {
		ERR_clear_error();
		return xstrdup("");
	}
	cn = xstrndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return cn;
}

int
x509_verify(X509 *ca, X509 *leaf, int purpose, time_t at, struct cm_err *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int r = ERR_CRYPTO, code;

	if (store == NULL || ctx == NULL || !X509_STORE_add_cert(store, ca) ||
	    !X509_STORE_CTX_init(ctx, store, leaf, NULL) ||
	    !X509_STORE_CTX_set_purpose(ctx, purpose)) {
		r = err_set(err, ERR_CRYPTO, "cannot set up verification: %s",
		    ossl_reason());
		goto out;
	}
	if (at != 0)
		X509_STORE_CTX_set_time(ctx, 0, at);
	if (X509_verify_cert(ctx) == 1)
		r = 0;
	else {
		code = X509_STORE_CTX_get_error(ctx);
		r = err_set(err, ERR_INVALID, "certificate does not verify: %s",
		    X509_verify_cert_error_string(code));
	}
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return r;
}

int
x509_issued_by(X509 *x, X509 *ca)
{
	int ok = X509_check_issued(ca, x) == X509_V_OK &&
	    X509_verify(x, X509_get0_pubkey(ca)) == 1;

	ERR_clear_error();
	return ok;
}

void
x509_time_format(time_t t, char out[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "?");
}

int
x509_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	char again[32];
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 20)
		return ERR_INVALID;
	if (tm.tm_year < 1950 || tm.tm_year > 9999 || tm.tm_mon < 1 ||
	    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return ERR_INVALID;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*out = timegm(&tm);
	/* refuse dates that do not exist (Feb 30) */
	x509_time_format(*out, again);
	return strcmp(again, s) == 0 ? 0 : ERR_INVALID;
}

int
x509_sign_data(EVP_PKEY *pk, const void *data, size_t len, struct buf *sig,
    struct cm_err *err)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	size_t siglen = 0;
	int r = ERR_CRYPTO;

	if (mctx == NULL ||
	    EVP_DigestSignInit(mctx, NULL, x509_sign_md(pk), NULL, pk) != 1 ||
	    EVP_DigestSign(mctx, NULL, &siglen, data, len) != 1 ||
	    buf_grow(sig, siglen) != 0 ||
	    EVP_DigestSign(mctx, (unsigned char *)sig->data + sig->len, &siglen,
		data, len) != 1)
		r = err_set(err, ERR_CRYPTO, "cannot sign: %s", ossl_reason());
	else {
		sig->len += siglen;
		sig->data[sig->len] = '\0';
		r = 0;
	}
	EVP_MD_CTX_free(mctx);
	return r;
}

int
x509_verify_data(
    EVP_PKEY *pk, const void *data, size_t len, const void *sig, size_t siglen)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int ok;

	ok = mctx != NULL &&
	    EVP_DigestVerifyInit(mctx, NULL, x509_sign_md(pk), NULL, pk) == 1 &&
	    EVP_DigestVerify(mctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return ok ? 0 : ERR_INVALID;
}
