/*
 * sshkey-int.h: shared between sshkey.c, sshkey-private.c and
 * sshkey-gen.c only.
 */
#ifndef CTXMGR_SSHKEY_INT_H
#define CTXMGR_SSHKEY_INT_H

#include "keystore/sshkey.h"

struct sshkey_kt {
	const char *name; /* wire name */
	enum sshkey_type type;
	int cert;
	const char *curve; /* "nistp256" for ECDSA types */
	int nid; /* OpenSSL curve NID for ECDSA types */
};

/* A key type by its wire name (len bytes), or NULL. */
const struct sshkey_kt *sshkey_kt_by_name(const char *name, size_t len);

/* The plain key type for a base type (and curve for ECDSA), or NULL. */
const struct sshkey_kt *sshkey_kt_plain(
    enum sshkey_type type, const char *curve);

/* 1 if `q` is an uncompressed point on curve `nid` (not infinity). */
int sshkey_ec_point_ok(int nid, const unsigned char *q, size_t len);

/* 256, 384, 521 for the NIST curve names, else 0. */
int sshkey_curve_bits(const char *curve);

/* A comment with surrounding blanks dropped and control characters
 * replaced, capped at SSHKEY_COMMENT_MAX; NULL when empty. */
char *sshkey_clean_comment(const char *s, size_t len);

/* Base64 of a key blob, capped at what OpenSSH accepts. */
int sshkey_decode_b64_blob(
    const char *s, size_t len, struct buf *blob, struct cm_err *err);

/* openssh-key-v1 ciphers. */
struct sshkey_cipher {
	const char *name;
	size_t keylen, ivlen, blocksize, authlen;
	const char *evp; /* OpenSSL cipher name, NULL when not decryptable */
};
const struct sshkey_cipher *sshkey_cipher_by_name(const char *name);

#define SSHKEY_MAGIC "openssh-key-v1"
#define SSHKEY_MAGIC_LEN 15 /* with its NUL */
#define SSHKEY_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define SSHKEY_END "-----END OPENSSH PRIVATE KEY-----"

#endif
