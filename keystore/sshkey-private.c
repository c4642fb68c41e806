/*
 * sshkey-private.c: key files -- openssh-key-v1 (read without the
 * passphrase, decrypted only to check one), PEM private keys through
 * OpenSSL, RFC 4716 and PEM public keys (see sshkey.h).
 */
#include "common/compat.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "keystore/bcrypt-pbkdf.h"
#include "keystore/pem.h"
#include "keystore/sshkey-int.h"
#include "keystore/sshcodec.h"
#include "common/xmalloc.h"

static const struct sshkey_cipher ciphers[] = {
	{ "none", 0, 0, 8, 0, NULL },
	{ "aes128-ctr", 16, 16, 16, 0, "AES-128-CTR" },
	{ "aes192-ctr", 24, 16, 16, 0, "AES-192-CTR" },
	{ "aes256-ctr", 32, 16, 16, 0, "AES-256-CTR" },
	{ "aes128-cbc", 16, 16, 16, 0, "AES-128-CBC" },
	{ "aes192-cbc", 24, 16, 16, 0, "AES-192-CBC" },
	{ "aes256-cbc", 32, 16, 16, 0, "AES-256-CBC" },
	{ "aes128-gcm@openssh.com", 16, 12, 16, 16, "AES-128-GCM" },
	{ "aes256-gcm@openssh.com", 32, 12, 16, 16, "AES-256-GCM" },
	{ "chacha20-poly1305@openssh.com", 64, 0, 8, 16, NULL },
	{ "3des-cbc", 24, 8, 8, 0, "DES-EDE3-CBC" },
};

const struct sshkey_cipher *
sshkey_cipher_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(ciphers); i++)
		if (strcmp(ciphers[i].name, name) == 0)
			return &ciphers[i];
	return NULL;
}

/* A name from the file, made printable for a message. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* The parts of an openssh-key-v1 file; pointers into the decoded bytes. */
struct osk {
	const struct sshkey_cipher *cipher;
	int bcrypt;
	const unsigned char *salt;
	size_t saltlen;
	uint32_t rounds;
	const unsigned char *priv;
	size_t privlen;
};

/* The base64 between the BEGIN and END lines, decoded into `out`. */
static int
openssh_unarmor(
    const char *data, size_t len, struct buf *out, struct cm_err *err)
{
	const char *p = data + strlen(SSHKEY_BEGIN), *end = data + len, *nl;
	struct buf b64;
	int rc = ERR_INVALID, ended = 0;
	size_t n;

	buf_init_secret(&b64, SSHKEY_FILE_MAX);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n >= strlen(SSHKEY_END) &&
		    memcmp(p, SSHKEY_END, strlen(SSHKEY_END)) == 0) {
			ended = 1;
			p += n;
			break;
		}
		if (buf_add(&b64, p, n) != 0) {
			rc = err_set(err, ERR_TOOBIG, "the key is too big");
			goto out;
		}
		p = nl ? nl + 1 : end;
	}
	if (!ended) {
		rc = err_set(err, ERR_INVALID,
		    "the key is truncated (no \"%s\" line)", SSHKEY_END);
		goto out;
	}
	for (; p < end; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t') {
			rc = err_set(err, ERR_INVALID,
			    "unexpected text after the END line");
			goto out;
		}
	if (base64_decode(b64.data, b64.len, out) != 0) {
		rc = err_set(err, ERR_INVALID,
		    "the key is not valid base64 (corrupted or truncated)");
		goto out;
	}
	rc = 0;
out:
	buf_release(&b64);
	return rc;
}

/* The unencrypted header of openssh-key-v1 and its public key. */
static int
osk_parse(const unsigned char *d, size_t len, struct osk *o,
    struct sshkey_info *k, struct cm_err *err)
{
	const unsigned char *opts, *pub;
	size_t optslen, publen;
	char cipher[64], kdf[64];
	struct sshrd r, kr;
	uint32_t nkeys;
	int rc;

	memset(o, 0, sizeof(*o));
	sshrd_init(&r, d, len);
	if (len < SSHKEY_MAGIC_LEN ||
	    memcmp(d, SSHKEY_MAGIC, SSHKEY_MAGIC_LEN) != 0)
		return err_set(
		    err, ERR_INVALID, "not an openssh-key-v1 key (bad magic)");
	sshrd_skip(&r, SSHKEY_MAGIC_LEN);
	if (sshrd_cstring(&r, cipher, sizeof(cipher) - 1) != 0 ||
	    sshrd_cstring(&r, kdf, sizeof(kdf) - 1) != 0 ||
	    sshrd_string(&r, &opts, &optslen) != 0 ||
	    sshrd_u32(&r, &nkeys) != 0)
		return err_set(err, ERR_INVALID,
		    "the key header is truncated or corrupted");
	printable(cipher);
	printable(kdf);
	if ((o->cipher = sshkey_cipher_by_name(cipher)) == NULL)
		return err_set(err, ERR_INVALID,
		    "unknown cipher \"%s\" (OpenSSH cannot read this key)",
		    cipher);
	snprintf(k->cipher, sizeof(k->cipher), "%s", cipher);
	k->encrypted = strcmp(cipher, "none") != 0;
	if (strcmp(kdf, "none") == 0) {
		if (k->encrypted || optslen != 0)
			return err_set(err, ERR_INVALID,
			    "cipher \"%s\" without a KDF", cipher);
		snprintf(k->kdf, sizeof(k->kdf), "none");
	} else if (strcmp(kdf, "bcrypt") == 0) {
		if (!k->encrypted)
			return err_set(err, ERR_INVALID,
			    "a bcrypt KDF on an unencrypted key");
		sshrd_init(&kr, opts, optslen);
		if (sshrd_string(&kr, &o->salt, &o->saltlen) != 0 ||
		    sshrd_u32(&kr, &o->rounds) != 0 || sshrd_left(&kr) != 0)
			return err_set(err, ERR_INVALID,
			    "the bcrypt KDF options are corrupted");
		if (o->saltlen == 0 || o->saltlen > 1024 || o->rounds == 0)
			return err_set(err, ERR_INVALID,
			    "the bcrypt KDF options are out of range (salt "
			    "%zu bytes, %u rounds)",
			    o->saltlen, (unsigned)o->rounds);
		o->bcrypt = 1;
		snprintf(k->kdf, sizeof(k->kdf), "bcrypt");
		k->kdf_rounds = o->rounds;
	} else
		return err_set(err, ERR_INVALID, "unknown KDF \"%s\"", kdf);
	if (nkeys != 1)
		return err_set(err, ERR_INVALID,
		    "the file holds %u keys; OpenSSH reads files with one",
		    (unsigned)nkeys);
	if (sshrd_string(&r, &pub, &publen) != 0)
		return err_set(
		    err, ERR_INVALID, "the key is truncated (public key)");
	if ((rc = sshkey_parse_blob(pub, publen, k, err)) != 0)
		return err_prefix(err, "public key");
	if (k->cert)
		return err_set(err, ERR_INVALID,
		    "a certificate in place of the public key");
	if (sshrd_string(&r, &o->priv, &o->privlen) != 0)
		return err_set(
		    err, ERR_INVALID, "the key is truncated (private part)");
	if (o->privlen == 0 || o->privlen % o->cipher->blocksize != 0)
		return err_set(err, ERR_INVALID,
		    "the private part has %zu bytes, not a multiple of the "
		    "cipher block size %zu",
		    o->privlen, o->cipher->blocksize);
	if (sshrd_left(&r) != o->cipher->authlen)
		return err_set(err, ERR_INVALID,
		    "%zu unexpected bytes after the private part",
		    sshrd_left(&r));
	return 0;
}

/*
 * Check a plaintext private part: the check words agree, the key matches
 * the public key, the padding is 1, 2, 3...  ERR_AUTH when the check
 * words differ (a wrong passphrase); ERR_INVALID for other damage.
 */
static int
osk_check_private(const unsigned char *p, size_t n, size_t blocksize,
    const struct sshkey_info *k, char **commentp, struct cm_err *err)
{
	const struct sshkey_kt *kt;
	const unsigned char *a, *b, *c, *d, *e, *f, *t;
	size_t al, bl, cl, dl, el, fl, tl, i;
	uint32_t c1, c2;
	struct sshrd r;
	struct buf plain;
	int rc = ERR_INVALID;

	buf_init(&plain, SSHKEY_BLOB_MAX + 64);
	sshrd_init(&r, p, n);
	if (sshrd_u32(&r, &c1) != 0 || sshrd_u32(&r, &c2) != 0)
		goto trunc;
	if (c1 != c2) {
		rc = err_set(err, ERR_AUTH, "the check words differ");
		goto out;
	}
	if (sshrd_string(&r, &t, &tl) != 0)
		goto trunc;
	if ((kt = sshkey_kt_by_name((const char *)t, tl)) == NULL || kt->cert ||
	    strcmp(kt->name, k->type_name) != 0) {
		rc = err_set(err, ERR_INVALID,
		    "the private key type differs from the public key's");
		goto out;
	}
	sshwr_cstring(&plain, kt->name);
	switch (kt->type) {
	case SSHKEY_RSA: /* n e d iqmp p q */
		if (sshrd_mpint(&r, &a, &al) != 0 ||
		    sshrd_mpint(&r, &b, &bl) != 0 ||
		    sshrd_mpint(&r, &c, &cl) != 0 ||
		    sshrd_mpint(&r, &d, &dl) != 0 ||
		    sshrd_mpint(&r, &e, &el) != 0 ||
		    sshrd_mpint(&r, &f, &fl) != 0)
			goto trunc;
		sshwr_mpint(&plain, b, bl);
		sshwr_mpint(&plain, a, al);
		break;
	case SSHKEY_DSA: /* p q g y x */
		if (sshrd_mpint(&r, &a, &al) != 0 ||
		    sshrd_mpint(&r, &b, &bl) != 0 ||
		    sshrd_mpint(&r, &c, &cl) != 0 ||
		    sshrd_mpint(&r, &d, &dl) != 0 ||
		    sshrd_mpint(&r, &e, &el) != 0)
			goto trunc;
		sshwr_mpint(&plain, a, al);
		sshwr_mpint(&plain, b, bl);
		sshwr_mpint(&plain, c, cl);
		sshwr_mpint(&plain, d, dl);
		break;
	case SSHKEY_ECDSA: /* curve Q d */
		if (sshrd_string(&r, &a, &al) != 0 ||
		    sshrd_string(&r, &b, &bl) != 0 ||
		    sshrd_mpint(&r, &c, &cl) != 0)
			goto trunc;
		sshwr_string(&plain, a, al);
		sshwr_string(&plain, b, bl);
		break;
	case SSHKEY_ED25519: /* pk sk(seed || pk) */
		if (sshrd_string(&r, &a, &al) != 0 ||
		    sshrd_string(&r, &b, &bl) != 0)
			goto trunc;
		if (al != 32 || bl != 64 || memcmp(b + 32, a, 32) != 0) {
			rc = err_set(err, ERR_INVALID,
			    "the Ed25519 private key is corrupted");
			goto out;
		}
		sshwr_string(&plain, a, al);
		break;
	case SSHKEY_ECDSA_SK: /* curve Q application flags handle reserved */
	case SSHKEY_ED25519_SK: /* pk application flags handle reserved */
		if (sshrd_string(&r, &a, &al) != 0)
			goto trunc;
		sshwr_string(&plain, a, al);
		if (kt->type == SSHKEY_ECDSA_SK) {
			if (sshrd_string(&r, &b, &bl) != 0)
				goto trunc;
			sshwr_string(&plain, b, bl);
		}
		if (sshrd_string(&r, &c, &cl) != 0 || sshrd_skip(&r, 1) != 0 ||
		    sshrd_string(&r, &d, &dl) != 0 ||
		    sshrd_string(&r, &e, &el) != 0)
			goto trunc;
		sshwr_string(&plain, c, cl);
		break;
	case SSHKEY_UNKNOWN:
		goto trunc;
	}
	if (plain.len != k->bloblen ||
	    memcmp(plain.data, k->blob, k->bloblen)) {
		rc = err_set(err, ERR_INVALID,
		    "the private key does not match its public key");
		goto out;
	}
	if (sshrd_string(&r, &a, &al) != 0) /* comment */
		goto trunc;
	if (commentp != NULL) {
		free(*commentp);
		*commentp = sshkey_clean_comment((const char *)a, al);
	}
	/* padding: 1, 2, 3, ... up to less than a block */
	if (sshrd_left(&r) >= blocksize) {
		rc = err_set(err, ERR_INVALID, "too much padding");
		goto out;
	}
	for (i = 0; sshrd_left(&r) > 0; i++) {
		if (r.p[r.off] != (unsigned char)(i + 1)) {
			rc =
			    err_set(err, ERR_INVALID, "the padding is corrupt");
			goto out;
		}
		r.off++;
	}
	rc = 0;
	goto out;
trunc:
	rc = err_set(
	    err, ERR_INVALID, "the private part is truncated or corrupted");
out:
	buf_release(&plain);
	return rc;
}

static int
parse_openssh(
    const char *data, size_t len, struct sshkey_info *k, struct cm_err *err)
{
	struct buf dec;
	struct osk o;
	int rc;

	buf_init_secret(&dec, SSHKEY_FILE_MAX);
	k->format = SSHKEY_FMT_OPENSSH;
	k->is_private = 1;
	if ((rc = openssh_unarmor(data, len, &dec, err)) != 0 ||
	    (rc = osk_parse(
		 (const unsigned char *)dec.data, dec.len, &o, k, err)) != 0)
		goto out;
	if (!k->encrypted &&
	    (rc = osk_check_private(o.priv, o.privlen, o.cipher->blocksize, k,
		 &k->comment, err)) != 0) {
		if (rc == ERR_AUTH)
			rc = err_set(err, ERR_INVALID,
			    "the private part is corrupted (check words "
			    "differ)");
		goto out;
	}
	rc = 0;
out:
	buf_release(&dec);
	return rc;
}

int
sshkey_check_passphrase(const char *data, size_t len, const char *pass,
    size_t passlen, struct cm_err *err)
{
	unsigned char keyiv[64 + 16], *plain = NULL;
	struct sshkey_info k;
	EVP_CIPHER_CTX *cx = NULL;
	EVP_CIPHER *ciph = NULL;
	struct buf dec;
	struct osk o;
	int rc, outl = 0, fin = 0;

	sshkey_info_init(&k);
	buf_init_secret(&dec, SSHKEY_FILE_MAX);
	if (len < strlen(SSHKEY_BEGIN) ||
	    memcmp(data, SSHKEY_BEGIN, strlen(SSHKEY_BEGIN)) != 0) {
		rc = err_set(err, ERR_INVALID, "not an OpenSSH private key");
		goto out;
	}
	if ((rc = openssh_unarmor(data, len, &dec, err)) != 0 ||
	    (rc = osk_parse(
		 (const unsigned char *)dec.data, dec.len, &o, &k, err)) != 0)
		goto out;
	if (!k.encrypted) {
		rc = osk_check_private(
		    o.priv, o.privlen, o.cipher->blocksize, &k, NULL, err);
		goto out;
	}
	if (o.rounds > SSHKEY_ROUNDS_MAX) {
		rc = err_set(err, ERR_INVALID,
		    "%u KDF rounds: more than the %d ctxmgr tries",
		    (unsigned)o.rounds, SSHKEY_ROUNDS_MAX);
		goto out;
	}
	if (o.cipher->evp == NULL || o.privlen > INT32_MAX) {
		rc = err_set(err, ERR_INVALID, "cannot decrypt cipher \"%s\"",
		    o.cipher->name);
		goto out;
	}
	if (passlen == 0 ||
	    bcrypt_pbkdf(pass, passlen, o.salt, o.saltlen, keyiv,
		o.cipher->keylen + o.cipher->ivlen, o.rounds) != 0) {
		rc = err_set(err, ERR_AUTH, "wrong passphrase");
		goto out;
	}
	plain = xmalloc(o.privlen);
	if ((ciph = EVP_CIPHER_fetch(NULL, o.cipher->evp, NULL)) == NULL ||
	    (cx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex2(cx, ciph, NULL, NULL, NULL) != 1 ||
	    (o.cipher->authlen > 0 &&
		EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_SET_IVLEN,
		    (int)o.cipher->ivlen, NULL) != 1) ||
	    EVP_DecryptInit_ex2(
		cx, NULL, keyiv, keyiv + o.cipher->keylen, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(cx, 0) != 1) {
		rc = err_set(
		    err, ERR_CRYPTO, "cannot set up %s", o.cipher->name);
		goto out;
	}
	if (o.cipher->authlen > 0 &&
	    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_SET_TAG,
		(int)o.cipher->authlen, (void *)(o.priv + o.privlen)) != 1) {
		rc = err_set(
		    err, ERR_CRYPTO, "cannot set up %s", o.cipher->name);
		goto out;
	}
	if (EVP_DecryptUpdate(cx, plain, &outl, o.priv, (int)o.privlen) != 1 ||
	    EVP_DecryptFinal_ex(cx, plain + outl, &fin) != 1) {
		rc = err_set(err, ERR_AUTH, "wrong passphrase");
		goto out;
	}
	rc = osk_check_private(
	    plain, o.privlen, o.cipher->blocksize, &k, NULL, err);
	if (rc == ERR_AUTH)
		err_set(err, ERR_AUTH, "wrong passphrase");
out:
	if (plain != NULL) {
		OPENSSL_cleanse(plain, o.privlen);
		free(plain);
	}
	OPENSSL_cleanse(keyiv, sizeof(keyiv));
	EVP_CIPHER_CTX_free(cx);
	EVP_CIPHER_free(ciph);
	ERR_clear_error();
	buf_release(&dec);
	sshkey_info_release(&k);
	return rc;
}

/* The label of the first "-----BEGIN LABEL-----" line into `label`. */
static const char *
pem_label(const char *data, size_t len, char *label, size_t lsize)
{
	const char *b = memmem(data, len, "-----BEGIN ", 11), *e;
	size_t n;

	if (b == NULL)
		return NULL;
	e = memmem(b + 11, len - (size_t)(b + 11 - data), "-----", 5);
	if (e == NULL || memchr(b, '\n', (size_t)(e - b)) != NULL)
		return NULL;
	n = (size_t)(e - (b + 11));
	if (n >= lsize)
		n = lsize - 1;
	memcpy(label, b + 11, n);
	label[n] = '\0';
	printable(label);
	return b;
}

/* The value of a legacy PEM header ("DEK-Info") into `out`. */
static int
pem_header(
    const char *data, size_t len, const char *name, char *out, size_t osize)
{
	const char *p = data, *end = data + len, *nl;
	size_t nlen = strlen(name), n;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > nlen + 1 && memcmp(p, name, nlen) == 0 &&
		    p[nlen] == ':') {
			const char *v = p + nlen + 1;
			while (v < p + n && *v == ' ')
				v++;
			n = (size_t)(p + n - v);
			while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == ' '))
				n--;
			if (n >= osize)
				n = osize - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			printable(out);
			return 1;
		}
		/* headers follow the BEGIN line and hold a colon */
		if (p != data && memchr(p, ':', n) == NULL)
			break;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* KDF and cipher of an encrypted PKCS#8 key, from its unencrypted part. */
static int
pkcs8_enc_params(BIO *bio, struct sshkey_info *k, struct cm_err *err)
{
	const X509_ALGOR *alg = NULL;
	PBE2PARAM *pbe2 = NULL;
	PBKDF2PARAM *kdf = NULL;
	SCRYPT_PARAMS *sc = NULL;
	X509_SIG *p8;
	int nid, rc = 0;

	if ((p8 = PEM_read_bio_PKCS8(bio, NULL, pem_no_passphrase, NULL)) ==
	    NULL)
		return err_set(
		    err, ERR_INVALID, "the encrypted PKCS#8 key is corrupted");
	X509_SIG_get0(p8, &alg, NULL);
	nid = OBJ_obj2nid(alg->algorithm);
	if (nid != NID_pbes2) {
		/* PKCS#5 v1.5 or PKCS#12 schemes: MD5/SHA-1, DES, RC2 */
		snprintf(k->kdf, sizeof(k->kdf), "pbes1");
		snprintf(k->cipher, sizeof(k->cipher), "%s",
		    nid != NID_undef ? OBJ_nid2sn(nid) : "unknown");
		k->kdf_rounds = 0;
		goto out;
	}
	if ((pbe2 = ASN1_TYPE_unpack_sequence(
		 ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)) == NULL) {
		rc = err_set(
		    err, ERR_INVALID, "the PBES2 parameters are corrupted");
		goto out;
	}
	nid = OBJ_obj2nid(pbe2->encryption->algorithm);
	snprintf(k->cipher, sizeof(k->cipher), "%s",
	    nid != NID_undef ? OBJ_nid2sn(nid) : "unknown");
	nid = OBJ_obj2nid(pbe2->keyfunc->algorithm);
	if (nid == NID_id_pbkdf2) {
		snprintf(k->kdf, sizeof(k->kdf), "pbkdf2");
		kdf = ASN1_TYPE_unpack_sequence(
		    ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter);
		if (kdf == NULL) {
			rc = err_set(err, ERR_INVALID,
			    "the PBKDF2 parameters are corrupted");
			goto out;
		}
		long it = ASN1_INTEGER_get(kdf->iter);
		k->kdf_rounds = it > 0 ? (unsigned long)it : 0;
	} else if (nid == NID_id_scrypt) {
		uint64_t cost = 0;
		snprintf(k->kdf, sizeof(k->kdf), "scrypt");
		sc = ASN1_TYPE_unpack_sequence(
		    ASN1_ITEM_rptr(SCRYPT_PARAMS), pbe2->keyfunc->parameter);
		if (sc == NULL ||
		    ASN1_INTEGER_get_uint64(&cost, sc->costParameter) != 1) {
			rc = err_set(err, ERR_INVALID,
			    "the scrypt parameters are corrupted");
			goto out;
		}
		k->kdf_rounds = (unsigned long)cost;
	} else
		snprintf(k->kdf, sizeof(k->kdf), "unknown");
out:
	SCRYPT_PARAMS_free(sc);
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(pbe2);
	X509_SIG_free(p8);
	ERR_clear_error();
	return rc;
}

static int
parse_pem(const char *data, size_t len, const char *begin, const char *label,
    struct sshkey_info *k, struct cm_err *err)
{
	EVP_PKEY *pk = NULL;
	BIO *bio;
	char value[128];
	int rc, pub = strcmp(label, "PUBLIC KEY") == 0;

	if (strcmp(label, "RSA PRIVATE KEY") == 0) {
		k->format = SSHKEY_FMT_PKCS1;
		k->type = SSHKEY_RSA;
	} else if (strcmp(label, "DSA PRIVATE KEY") == 0) {
		k->format = SSHKEY_FMT_PKCS1;
		k->type = SSHKEY_DSA;
	} else if (strcmp(label, "EC PRIVATE KEY") == 0) {
		k->format = SSHKEY_FMT_SEC1;
		k->type = SSHKEY_ECDSA;
	} else if (strcmp(label, "PRIVATE KEY") == 0)
		k->format = SSHKEY_FMT_PKCS8;
	else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
		k->format = SSHKEY_FMT_PKCS8_ENC;
	else if (pub)
		k->format = SSHKEY_FMT_SPKI;
	else
		return err_set(
		    err, ERR_INVALID, "a PEM \"%s\", not an SSH key", label);
	k->is_private = !pub;
	if (len > INT32_MAX)
		return err_set(err, ERR_TOOBIG, "the key is too big");
	bio = BIO_new_mem_buf(begin, (int)(len - (size_t)(begin - data)));
	if (k->format == SSHKEY_FMT_PKCS8_ENC) {
		k->encrypted = 1;
		rc = pkcs8_enc_params(bio, k, err);
		goto out;
	}
	if (k->format != SSHKEY_FMT_PKCS8 && !pub &&
	    pem_header(begin, len - (size_t)(begin - data), "Proc-Type", value,
		sizeof(value)) &&
	    strstr(value, "ENCRYPTED") != NULL) {
		/* legacy PEM encryption: EVP_BytesToKey, one MD5 round */
		k->encrypted = 1;
		snprintf(k->kdf, sizeof(k->kdf), "md5");
		k->kdf_rounds = 1;
		if (pem_header(begin, len - (size_t)(begin - data), "DEK-Info",
			value, sizeof(value))) {
			char *comma = strchr(value, ',');
			if (comma != NULL)
				*comma = '\0';
			snprintf(k->cipher, sizeof(k->cipher), "%s", value);
		} else
			snprintf(k->cipher, sizeof(k->cipher), "unknown");
		rc = 0;
		goto out;
	}
	snprintf(k->cipher, sizeof(k->cipher), "none");
	if (pub)
		pk = PEM_read_bio_PUBKEY(bio, NULL, pem_no_passphrase, NULL);
	else
		pk =
		    PEM_read_bio_PrivateKey(bio, NULL, pem_no_passphrase, NULL);
	if (pk == NULL) {
		rc = err_set(err, ERR_INVALID,
		    "the PEM %s is corrupted or truncated",
		    pub ? "public key" : "private key");
		goto out;
	}
	rc = sshkey_info_from_pkey(pk, k, err);
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

#define RFC4716_BEGIN "---- BEGIN SSH2 PUBLIC KEY ----"
#define RFC4716_END "---- END SSH2 PUBLIC KEY ----"

/* RFC 4716: headers ("Comment: ..."), continued with '\', then base64. */
static int
parse_rfc4716(const char *data, size_t len, const char *begin,
    struct sshkey_info *k, struct cm_err *err)
{
	const char *p = begin + strlen(RFC4716_BEGIN), *end = data + len, *nl;
	struct buf b64, blob, comment;
	int rc = ERR_INVALID, ended = 0, cont = 0, in_comment = 0;
	size_t n;

	buf_init(&b64, SSHKEY_FILE_MAX);
	buf_init(&blob, SSHKEY_BLOB_MAX + 4);
	buf_init(&comment, SSHKEY_COMMENT_MAX + 1);
	k->format = SSHKEY_FMT_RFC4716;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n >= strlen(RFC4716_END) &&
		    memcmp(p, RFC4716_END, strlen(RFC4716_END)) == 0) {
			ended = 1;
			break;
		}
		if (cont || memchr(p, ':', n) != NULL) {
			const char *v = p;
			size_t vn = n;
			if (!cont) {
				const char *colon = memchr(p, ':', n);
				in_comment = (size_t)(colon - p) == 7 &&
				    strncasecmp(p, "Comment", 7) == 0;
				v = colon + 1;
				vn = n - (size_t)(v - p);
			}
			cont = vn > 0 && v[vn - 1] == '\\';
			if (cont)
				vn--;
			if (in_comment)
				(void)buf_add(&comment, v, vn);
		} else if (buf_add(&b64, p, n) != 0) {
			rc = err_set(err, ERR_TOOBIG, "the key is too big");
			goto out;
		}
		p = nl ? nl + 1 : end;
	}
	if (!ended) {
		rc = err_set(err, ERR_INVALID,
		    "the key is truncated (no \"%s\" line)", RFC4716_END);
		goto out;
	}
	if ((rc = sshkey_decode_b64_blob(b64.data, b64.len, &blob, err)) != 0 ||
	    (rc = sshkey_parse_blob(
		 (const unsigned char *)blob.data, blob.len, k, err)) != 0)
		goto out;
	/* a quoted comment loses its quotes */
	buf_rtrim(&comment);
	{
		const char *c = comment.data;
		size_t cl = comment.len;
		while (cl > 0 && *c == ' ') {
			c++;
			cl--;
		}
		if (cl >= 2 && c[0] == '"' && c[cl - 1] == '"') {
			c++;
			cl -= 2;
		}
		free(k->comment);
		k->comment = sshkey_clean_comment(c, cl);
	}
	rc = 0;
out:
	buf_release(&b64);
	buf_release(&blob);
	buf_release(&comment);
	return rc;
}

int
sshkey_parse(
    const char *data, size_t len, struct sshkey_info *k, struct cm_err *err)
{
	const char *begin, *p, *end = data + len, *line = NULL, *nl;
	char label[64];
	size_t n, line_len = 0;
	int lines = 0;

	if (len > SSHKEY_FILE_MAX)
		return err_set(err, ERR_TOOBIG,
		    "the key file is larger than %zu bytes", SSHKEY_FILE_MAX);
	if (len == 0)
		return err_set(err, ERR_INVALID, "the file is empty");
	if (memchr(data, '\0', len) != NULL)
		return err_set(err, ERR_INVALID,
		    "binary data, not a key in text form (DER keys are not "
		    "read: convert with \"openssl pkey -in KEY -out "
		    "KEY.pem\")");
	if (len >= strlen(SSHKEY_BEGIN) &&
	    memcmp(data, SSHKEY_BEGIN, strlen(SSHKEY_BEGIN)) == 0)
		return parse_openssh(data, len, k, err);
	if (memmem(data, len, SSHKEY_BEGIN, strlen(SSHKEY_BEGIN)) != NULL)
		return err_set(err, ERR_INVALID,
		    "text before the \"%s\" line (OpenSSH refuses it)",
		    SSHKEY_BEGIN);
	if ((begin = memmem(data, len, RFC4716_BEGIN, strlen(RFC4716_BEGIN))) !=
	    NULL)
		return parse_rfc4716(data, len, begin, k, err);
	if ((begin = pem_label(data, len, label, sizeof(label))) != NULL)
		return parse_pem(data, len, begin, label, k, err);
	/* one public key line, comments and blank lines aside */
	for (p = data; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#' || (n == 1 && *p == '\r'))
			continue;
		line = p;
		line_len = n;
		lines++;
	}
	if (lines != 1 || sshkey_parse_public_line(line, line_len, k, err) != 0)
		return err_set(err, ERR_NOTFOUND,
		    "not a single key in a format ctxmgr reads");
	return 0;
}
