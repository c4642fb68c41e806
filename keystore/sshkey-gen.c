/*
 * sshkey-gen.c: OpenSSL keys as SSH keys -- public blobs, new keys, and
 * openssh-key-v1 private key files as ssh-keygen writes them (see
 * sshkey.h).
 */
#include "common/compat.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "keystore/bcrypt-pbkdf.h"
#include "keystore/sshkey-int.h"
#include "keystore/sshcodec.h"
#include "common/xmalloc.h"

/* A BIGNUM parameter of `pk` as an mpint. */
static int
put_bn(struct buf *b, EVP_PKEY *pk, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char *tmp;
	int n, r;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) != 1)
		return ERR_CRYPTO;
	n = BN_num_bytes(bn);
	tmp = xmalloc(n > 0 ? (size_t)n : 1);
	BN_bn2bin(bn, tmp);
	r = sshwr_mpint(b, tmp, (size_t)n);
	OPENSSL_cleanse(tmp, n > 0 ? (size_t)n : 1);
	free(tmp);
	BN_clear_free(bn);
	return r;
}

static const char *
curve_of_group(const char *group, int *nid)
{
	static const struct {
		const char *group, *curve;
		int nid;
	} map[] = {
		{ "prime256v1", "nistp256", NID_X9_62_prime256v1 },
		{ "P-256", "nistp256", NID_X9_62_prime256v1 },
		{ "secp384r1", "nistp384", NID_secp384r1 },
		{ "P-384", "nistp384", NID_secp384r1 },
		{ "secp521r1", "nistp521", NID_secp521r1 },
		{ "P-521", "nistp521", NID_secp521r1 },
	};
	size_t i;

	for (i = 0; i < nitems(map); i++)
		if (strcmp(map[i].group, group) == 0) {
			*nid = map[i].nid;
			return map[i].curve;
		}
	return NULL;
}

/* The uncompressed public point of an EC key. */
static int
put_ec_point(struct buf *b, EVP_PKEY *pk, int nid)
{
	unsigned char oct[256], unc[256];
	size_t len = 0, ulen;
	EC_GROUP *g = NULL;
	EC_POINT *pt = NULL;
	int r = ERR_CRYPTO;

	if (EVP_PKEY_get_octet_string_param(
		pk, OSSL_PKEY_PARAM_PUB_KEY, oct, sizeof(oct), &len) != 1 ||
	    len == 0)
		return ERR_CRYPTO;
	if (oct[0] == 0x04)
		return sshwr_string(b, oct, len);
	/* a compressed point: expand it, as SSH wants it uncompressed */
	if ((g = EC_GROUP_new_by_curve_name(nid)) == NULL ||
	    (pt = EC_POINT_new(g)) == NULL ||
	    EC_POINT_oct2point(g, pt, oct, len, NULL) != 1 ||
	    (ulen = EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED,
		 unc, sizeof(unc), NULL)) == 0)
		goto out;
	r = sshwr_string(b, unc, ulen);
out:
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return r;
}

int
sshkey_blob_from_pkey(EVP_PKEY *pk, struct buf *blob, struct cm_err *err)
{
	const struct sshkey_kt *kt;
	unsigned char raw[64];
	char group[64];
	const char *curve;
	size_t len = sizeof(raw);
	int id = EVP_PKEY_get_base_id(pk), nid = 0, r = 0;

	switch (id) {
	case EVP_PKEY_RSA:
		if ((r = sshwr_cstring(blob, "ssh-rsa")) != 0 ||
		    (r = put_bn(blob, pk, OSSL_PKEY_PARAM_RSA_E)) != 0 ||
		    (r = put_bn(blob, pk, OSSL_PKEY_PARAM_RSA_N)) != 0)
			goto fail;
		return 0;
	case EVP_PKEY_DSA:
		if ((r = sshwr_cstring(blob, "ssh-dss")) != 0 ||
		    (r = put_bn(blob, pk, OSSL_PKEY_PARAM_FFC_P)) != 0 ||
		    (r = put_bn(blob, pk, OSSL_PKEY_PARAM_FFC_Q)) != 0 ||
		    (r = put_bn(blob, pk, OSSL_PKEY_PARAM_FFC_G)) != 0 ||
		    (r = put_bn(blob, pk, OSSL_PKEY_PARAM_PUB_KEY)) != 0)
			goto fail;
		return 0;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(pk,
			OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
			NULL) != 1) {
			ERR_clear_error();
			return err_set(err, ERR_INVALID,
			    "an EC key without a named curve, which SSH "
			    "cannot use");
		}
		if ((curve = curve_of_group(group, &nid)) == NULL) {
			return err_set(err, ERR_INVALID,
			    "an EC key on curve \"%s\", which SSH cannot use "
			    "(only NIST P-256, P-384 and P-521)",
			    group);
		}
		kt = sshkey_kt_plain(SSHKEY_ECDSA, curve);
		if ((r = sshwr_cstring(blob, kt->name)) != 0 ||
		    (r = sshwr_cstring(blob, curve)) != 0 ||
		    (r = put_ec_point(blob, pk, nid)) != 0)
			goto fail;
		return 0;
	case EVP_PKEY_ED25519:
		if (EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1 ||
		    len != 32)
			goto fail;
		if ((r = sshwr_cstring(blob, "ssh-ed25519")) != 0 ||
		    (r = sshwr_string(blob, raw, len)) != 0)
			goto fail;
		return 0;
	default:
		break;
	}
	return err_set(err, ERR_INVALID, "a %s key, which SSH cannot use",
	    id != NID_undef ? OBJ_nid2sn(id) : "unknown");
fail:
	ERR_clear_error();
	if (r == ERR_TOOBIG)
		return err_set(
		    err, ERR_TOOBIG, "the key is larger than OpenSSH accepts");
	return err_set(err, ERR_CRYPTO, "cannot read the key's parameters");
}

int
sshkey_info_from_pkey(EVP_PKEY *pk, struct sshkey_info *k, struct cm_err *err)
{
	struct buf blob;
	int r;

	buf_init(&blob, SSHKEY_BLOB_MAX);
	if ((r = sshkey_blob_from_pkey(pk, &blob, err)) == 0)
		r = sshkey_parse_blob(
		    (const unsigned char *)blob.data, blob.len, k, err);
	buf_release(&blob);
	return r;
}

int
sshkey_generate(
    enum sshkey_type type, int bits, EVP_PKEY **out, struct cm_err *err)
{
	EVP_PKEY *pk = NULL;

	*out = NULL;
	switch (type) {
	case SSHKEY_ED25519:
		if (bits != 0 && bits != 256)
			return err_set(err, ERR_INVALID,
			    "Ed25519 keys have 256 bits, not %d", bits);
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case SSHKEY_ECDSA:
		if (bits == 0)
			bits = 256;
		if (bits != 256 && bits != 384 && bits != 521)
			return err_set(err, ERR_INVALID,
			    "ECDSA keys have 256, 384 or 521 bits, not %d",
			    bits);
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    bits == 256       ? "P-256"
			: bits == 384 ? "P-384"
				      : "P-521");
		break;
	case SSHKEY_RSA:
		if (bits == 0)
			bits = 3072;
		if (bits < SSHKEY_RSA_MIN_BITS || bits > SSHKEY_RSA_MAX_BITS)
			return err_set(err, ERR_INVALID,
			    "RSA keys have %d to %d bits (OpenSSH's limits), "
			    "not %d",
			    SSHKEY_RSA_MIN_BITS, SSHKEY_RSA_MAX_BITS, bits);
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	default:
		return err_set(err, ERR_INVALID,
		    "ctxmgr makes Ed25519, ECDSA and RSA keys only");
	}
	if (pk == NULL) {
		ERR_clear_error();
		return err_set(err, ERR_CRYPTO, "key generation failed");
	}
	*out = pk;
	return 0;
}

/* The private fields of openssh-key-v1 for `pk`, whose blob is `pub`. */
static int
put_private_fields(struct buf *b, EVP_PKEY *pk, const struct buf *pub)
{
	const unsigned char *a, *c;
	unsigned char seed[32];
	size_t al, cl, len = sizeof(seed);
	struct sshrd r;
	int rc;

	sshrd_init(&r, pub->data, pub->len);
	if (sshrd_string(&r, &a, &al) != 0)
		return ERR_INVALID;
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA: /* n e d iqmp p q */
		if ((rc = put_bn(b, pk, OSSL_PKEY_PARAM_RSA_N)) != 0 ||
		    (rc = put_bn(b, pk, OSSL_PKEY_PARAM_RSA_E)) != 0 ||
		    (rc = put_bn(b, pk, OSSL_PKEY_PARAM_RSA_D)) != 0 ||
		    (rc = put_bn(b, pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)) !=
			0 ||
		    (rc = put_bn(b, pk, OSSL_PKEY_PARAM_RSA_FACTOR1)) != 0 ||
		    (rc = put_bn(b, pk, OSSL_PKEY_PARAM_RSA_FACTOR2)) != 0)
			return rc;
		return 0;
	case EVP_PKEY_EC: /* curve Q d */
		if (sshrd_string(&r, &a, &al) != 0 ||
		    sshrd_string(&r, &c, &cl) != 0)
			return ERR_INVALID;
		if ((rc = sshwr_string(b, a, al)) != 0 ||
		    (rc = sshwr_string(b, c, cl)) != 0 ||
		    (rc = put_bn(b, pk, OSSL_PKEY_PARAM_PRIV_KEY)) != 0)
			return rc;
		return 0;
	case EVP_PKEY_ED25519: /* pk, seed || pk */
		if (sshrd_string(&r, &a, &al) != 0 || al != 32)
			return ERR_INVALID;
		if (EVP_PKEY_get_raw_private_key(pk, seed, &len) != 1 ||
		    len != 32) {
			OPENSSL_cleanse(seed, sizeof(seed));
			return ERR_CRYPTO;
		}
		rc = sshwr_string(b, a, al);
		if (rc == 0)
			rc = sshwr_u32(b, 64);
		if (rc == 0)
			rc = buf_add(b, seed, 32);
		if (rc == 0)
			rc = buf_add(b, a, 32);
		OPENSSL_cleanse(seed, sizeof(seed));
		return rc;
	default:
		return ERR_INVALID;
	}
}

/* Encrypt `b` in place with aes256-ctr under bcrypt_pbkdf(pass, salt). */
static int
encrypt_aes256ctr(struct buf *b, const char *pass, size_t passlen,
    const unsigned char *salt, size_t saltlen, unsigned rounds)
{
	unsigned char keyiv[48];
	EVP_CIPHER_CTX *cx = NULL;
	int outl = 0, fin = 0, r = ERR_CRYPTO;

	if (b->len > INT32_MAX ||
	    bcrypt_pbkdf(pass, passlen, salt, saltlen, keyiv, sizeof(keyiv),
		rounds) != 0)
		goto out;
	if ((cx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(
		cx, EVP_aes_256_ctr(), NULL, keyiv, keyiv + 32) != 1 ||
	    EVP_EncryptUpdate(cx, (unsigned char *)b->data, &outl,
		(unsigned char *)b->data, (int)b->len) != 1 ||
	    EVP_EncryptFinal_ex(cx, (unsigned char *)b->data + outl, &fin) !=
		1 ||
	    (size_t)(outl + fin) != b->len)
		goto out;
	r = 0;
out:
	OPENSSL_cleanse(keyiv, sizeof(keyiv));
	EVP_CIPHER_CTX_free(cx);
	ERR_clear_error();
	return r;
}

int
sshkey_write_private(EVP_PKEY *pk, const char *comment, const char *pass,
    size_t passlen, unsigned rounds, struct buf *out, struct cm_err *err)
{
	struct buf pub, priv, kdfopts, body;
	unsigned char check[4], salt[16];
	const char *cipher = passlen > 0 ? "aes256-ctr" : "none";
	size_t blocksize = passlen > 0 ? 16 : 8, i, col;
	int r;

	out->secret = 1;
	buf_init(&pub, SSHKEY_BLOB_MAX);
	buf_init(&kdfopts, 64);
	buf_init_secret(&priv, SSHKEY_FILE_MAX);
	buf_init_secret(&body, SSHKEY_FILE_MAX);
	if (passlen > 0 && (rounds < 1 || rounds > SSHKEY_ROUNDS_MAX)) {
		r = err_set(err, ERR_INVALID,
		    "KDF rounds must be 1 to %d, not %u", SSHKEY_ROUNDS_MAX,
		    rounds);
		goto out;
	}
	if ((r = sshkey_blob_from_pkey(pk, &pub, err)) != 0)
		goto out;
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_DSA) {
		r = err_set(err, ERR_INVALID, "ctxmgr does not write DSA keys");
		goto out;
	}
	if (RAND_bytes(check, sizeof(check)) != 1 ||
	    RAND_bytes(salt, sizeof(salt)) != 1) {
		r = err_set(err, ERR_CRYPTO, "no random bytes");
		goto out;
	}
	{
		struct sshrd rd;
		const unsigned char *t;
		size_t tl;
		sshrd_init(&rd, pub.data, pub.len);
		sshrd_string(&rd, &t, &tl);
		buf_add(&priv, check, 4);
		buf_add(&priv, check, 4);
		sshwr_string(&priv, t, tl);
	}
	if ((r = put_private_fields(&priv, pk, &pub)) != 0) {
		r = err_set(err, ERR_CRYPTO, "cannot read the private key");
		goto out;
	}
	if ((r = sshwr_cstring(&priv, comment ? comment : "")) != 0)
		goto toobig;
	for (i = 1; priv.len % blocksize != 0; i++)
		buf_addc(&priv, (int)i);
	if (passlen > 0) {
		if ((r = encrypt_aes256ctr(&priv, pass, passlen, salt,
			 sizeof(salt), rounds)) != 0) {
			r = err_set(err, ERR_CRYPTO, "cannot encrypt the key");
			goto out;
		}
		sshwr_string(&kdfopts, salt, sizeof(salt));
		sshwr_u32(&kdfopts, rounds);
	}
	if ((r = buf_add(&body, SSHKEY_MAGIC, SSHKEY_MAGIC_LEN)) != 0 ||
	    (r = sshwr_cstring(&body, cipher)) != 0 ||
	    (r = sshwr_cstring(&body, passlen > 0 ? "bcrypt" : "none")) != 0 ||
	    (r = sshwr_string(&body, kdfopts.data, kdfopts.len)) != 0 ||
	    (r = sshwr_u32(&body, 1)) != 0 ||
	    (r = sshwr_string(&body, pub.data, pub.len)) != 0 ||
	    (r = sshwr_string(&body, priv.data, priv.len)) != 0)
		goto toobig;
	/* armour: base64 in lines of 70, as ssh-keygen writes it */
	buf_reset(&priv);
	if ((r = base64_encode(body.data, body.len, &priv)) != 0)
		goto toobig;
	buf_adds(out, SSHKEY_BEGIN "\n");
	for (col = 0; col < priv.len; col += 70) {
		size_t n = priv.len - col < 70 ? priv.len - col : 70;
		if ((r = buf_add(out, priv.data + col, n)) != 0 ||
		    (r = buf_addc(out, '\n')) != 0)
			goto toobig;
	}
	if ((r = buf_adds(out, SSHKEY_END "\n")) != 0)
		goto toobig;
	r = 0;
	goto out;
toobig:
	r = err_set(err, ERR_TOOBIG, "the key file would be too big");
out:
	OPENSSL_cleanse(check, sizeof(check));
	buf_release(&pub);
	buf_release(&kdfopts);
	buf_release(&priv);
	buf_release(&body);
	if (r != 0)
		buf_reset(out);
	return r;
}

int
sshkey_write_public(
    EVP_PKEY *pk, const char *comment, struct buf *out, struct cm_err *err)
{
	struct buf blob;
	struct sshrd rd;
	const unsigned char *t;
	size_t tl;
	int r;

	buf_init(&blob, SSHKEY_BLOB_MAX);
	if ((r = sshkey_blob_from_pkey(pk, &blob, err)) != 0)
		goto out;
	sshrd_init(&rd, blob.data, blob.len);
	sshrd_string(&rd, &t, &tl);
	if (buf_add(out, t, tl) != 0 || buf_addc(out, ' ') != 0 ||
	    base64_encode(blob.data, blob.len, out) != 0 ||
	    (comment != NULL && *comment != '\0' &&
		buf_printf(out, " %s", comment) != 0) ||
	    buf_addc(out, '\n') != 0)
		r = err_set(err, ERR_TOOBIG, "the public key is too big");
out:
	buf_release(&blob);
	return r;
}
