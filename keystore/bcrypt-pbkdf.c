/* bcrypt-pbkdf.c: Blowfish and bcrypt_pbkdf (see bcrypt-pbkdf.h). */
#include "common/compat.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "keystore/bcrypt-pbkdf.h"
#include "keystore/blowfish-pi.h"
#include "common/err.h"

#define F(bf, x)                                                               \
	((((bf)->s[0][(x) >> 24] + (bf)->s[1][((x) >> 16) & 0xff]) ^           \
	     (bf)->s[2][((x) >> 8) & 0xff]) +                                  \
	    (bf)->s[3][(x)&0xff])

void
blowfish_init(struct blowfish *bf)
{
	memcpy(bf->p, blowfish_pi_p, sizeof(bf->p));
	memcpy(bf->s, blowfish_pi_s, sizeof(bf->s));
}

/*
 * Sixteen Feistel rounds, two at a time so the halves never need
 * swapping; the result is Schneier's (swap after each round, undo the
 * last swap, then xor P17 and P18).
 */
void
blowfish_encrypt(const struct blowfish *bf, uint32_t *lp, uint32_t *rp)
{
	uint32_t l = *lp, r = *rp;
	int i;

	for (i = 0; i < 16; i += 2) {
		l ^= bf->p[i];
		r ^= F(bf, l);
		r ^= bf->p[i + 1];
		l ^= F(bf, r);
	}
	*lp = r ^ bf->p[17];
	*rp = l ^ bf->p[16];
}

void
blowfish_decrypt(const struct blowfish *bf, uint32_t *lp, uint32_t *rp)
{
	uint32_t l = *lp, r = *rp;
	int i;

	for (i = 17; i > 1; i -= 2) {
		l ^= bf->p[i];
		r ^= F(bf, l);
		r ^= bf->p[i - 1];
		l ^= F(bf, r);
	}
	*lp = r ^ bf->p[0];
	*rp = l ^ bf->p[1];
}

/* The next 32 bits of `data`, big-endian, wrapping around at the end. */
static uint32_t
stream_word(const unsigned char *data, size_t len, size_t *pos)
{
	uint32_t w = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (*pos >= len)
			*pos = 0;
		w = w << 8 | data[(*pos)++];
	}
	return w;
}

void
blowfish_expand(struct blowfish *bf, const unsigned char *data, size_t datalen,
    const unsigned char *key, size_t keylen)
{
	uint32_t l = 0, r = 0;
	size_t kpos = 0, dpos = 0;
	int i, k;

	for (i = 0; i < 18; i++)
		bf->p[i] ^= stream_word(key, keylen, &kpos);
	for (i = 0; i < 18; i += 2) {
		if (data != NULL) {
			l ^= stream_word(data, datalen, &dpos);
			r ^= stream_word(data, datalen, &dpos);
		}
		blowfish_encrypt(bf, &l, &r);
		bf->p[i] = l;
		bf->p[i + 1] = r;
	}
	for (i = 0; i < 4; i++)
		for (k = 0; k < 256; k += 2) {
			if (data != NULL) {
				l ^= stream_word(data, datalen, &dpos);
				r ^= stream_word(data, datalen, &dpos);
			}
			blowfish_encrypt(bf, &l, &r);
			bf->s[i][k] = l;
			bf->s[i][k + 1] = r;
		}
}

void
blowfish_setkey(struct blowfish *bf, const unsigned char *key, size_t keylen)
{
	blowfish_init(bf);
	blowfish_expand(bf, NULL, 0, key, keylen);
}

#define BCRYPT_WORDS 8
#define BCRYPT_HASHSIZE (BCRYPT_WORDS * 4)

/* The bcrypt-based core of bcrypt_pbkdf: 32 bytes from two SHA-512s. */
static void
bcrypt_hash(const unsigned char sha2pass[64], const unsigned char sha2salt[64],
    unsigned char out[BCRYPT_HASHSIZE])
{
	static const unsigned char magic[BCRYPT_HASHSIZE] =
	    "OxychromaticBlowfishSwatDynamite";
	struct blowfish bf;
	uint32_t cdata[BCRYPT_WORDS];
	size_t pos = 0;
	int i, k;

	blowfish_init(&bf);
	blowfish_expand(&bf, sha2salt, 64, sha2pass, 64);
	for (i = 0; i < 64; i++) {
		blowfish_expand(&bf, NULL, 0, sha2salt, 64);
		blowfish_expand(&bf, NULL, 0, sha2pass, 64);
	}
	for (i = 0; i < BCRYPT_WORDS; i++)
		cdata[i] = stream_word(magic, sizeof(magic), &pos);
	for (i = 0; i < 64; i++)
		for (k = 0; k < BCRYPT_WORDS; k += 2)
			blowfish_encrypt(&bf, &cdata[k], &cdata[k + 1]);
	/* the words come out little-endian */
	for (i = 0; i < BCRYPT_WORDS; i++) {
		out[4 * i + 3] = (unsigned char)(cdata[i] >> 24);
		out[4 * i + 2] = (unsigned char)(cdata[i] >> 16);
		out[4 * i + 1] = (unsigned char)(cdata[i] >> 8);
		out[4 * i + 0] = (unsigned char)cdata[i];
	}
	OPENSSL_cleanse(cdata, sizeof(cdata));
	OPENSSL_cleanse(&bf, sizeof(bf));
}

static void
sha512(const void *p, size_t len, unsigned char out[64])
{
	unsigned int n = 64;

	EVP_Digest(p, len, out, &n, EVP_sha512(), NULL);
}

int
bcrypt_pbkdf(const char *pass, size_t passlen, const unsigned char *salt,
    size_t saltlen, unsigned char *key, size_t keylen, unsigned rounds)
{
	unsigned char sha2pass[64], sha2salt[64], tmp[BCRYPT_HASHSIZE];
	unsigned char out[BCRYPT_HASHSIZE], *countsalt;
	size_t stride, amt, i, dest, origlen = keylen;
	uint32_t count;
	unsigned r;

	if (rounds < 1 || passlen == 0 || saltlen == 0 || keylen == 0 ||
	    keylen > sizeof(out) * sizeof(out) || saltlen > (1u << 20))
		return ERR_INVALID;
	stride = (keylen + sizeof(out) - 1) / sizeof(out);
	amt = (keylen + stride - 1) / stride;
	if ((countsalt = malloc(saltlen + 4)) == NULL)
		return ERR_NOMEM;
	memcpy(countsalt, salt, saltlen);
	sha512(pass, passlen, sha2pass);

	for (count = 1; keylen > 0; count++) {
		countsalt[saltlen + 0] = (unsigned char)(count >> 24);
		countsalt[saltlen + 1] = (unsigned char)(count >> 16);
		countsalt[saltlen + 2] = (unsigned char)(count >> 8);
		countsalt[saltlen + 3] = (unsigned char)count;
		sha512(countsalt, saltlen + 4, sha2salt);
		bcrypt_hash(sha2pass, sha2salt, tmp);
		memcpy(out, tmp, sizeof(out));
		for (r = 1; r < rounds; r++) {
			sha512(tmp, sizeof(tmp), sha2salt);
			bcrypt_hash(sha2pass, sha2salt, tmp);
			for (i = 0; i < sizeof(out); i++)
				out[i] ^= tmp[i];
		}
		/* spread the block over the key: byte i of block n goes to
		 * position i * stride + n */
		if (amt > keylen)
			amt = keylen;
		for (i = 0; i < amt; i++) {
			dest = i * stride + (count - 1);
			if (dest >= origlen)
				break;
			key[dest] = out[i];
		}
		keylen -= i;
	}
	OPENSSL_cleanse(sha2pass, sizeof(sha2pass));
	OPENSSL_cleanse(sha2salt, sizeof(sha2salt));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	OPENSSL_cleanse(out, sizeof(out));
	OPENSSL_cleanse(countsalt, saltlen + 4);
	free(countsalt);
	return 0;
}
