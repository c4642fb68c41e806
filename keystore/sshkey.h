/*
 * sshkey.h: SSH keys as files hold them, read without trusting a byte.
 *
 * Reads OpenSSH private keys (openssh-key-v1: type, size, cipher and KDF
 * rounds come from the unencrypted part, no passphrase needed), PEM
 * private keys (PKCS#1, PKCS#8, SEC1; encrypted or not), public keys in
 * OpenSSH's one-line form, RFC 4716 and PEM SubjectPublicKeyInfo, and
 * OpenSSH certificates.  Every length is checked against what is left and
 * every size is capped; failures are messages, never crashes.  No secret
 * material is kept: the info holds only public facts.
 *
 * Writes keys too (sshkey_write_private): openssh-key-v1, encrypted the
 * way ssh-keygen does (bcrypt_pbkdf + aes256-ctr), from an OpenSSL key.
 */
#ifndef CTXMGR_SSHKEY_H
#define CTXMGR_SSHKEY_H

#include <openssl/evp.h>

#include "common/buf.h"
#include "common/err.h"

#define SSHKEY_FILE_MAX ((size_t)1 << 20) /* OpenSSH's MAX_KEY_FILE_SIZE */
#define SSHKEY_BLOB_MAX 16384 /* OpenSSH's SSH_MAX_PUBKEY_BYTES */
#define SSHKEY_RSA_MIN_BITS 1024 /* below this OpenSSH refuses a key */
#define SSHKEY_RSA_MAX_BITS 16384
#define SSHKEY_COMMENT_MAX 1024
#define SSHKEY_ROUNDS_DEFAULT 16 /* ssh-keygen's default -a */
#define SSHKEY_ROUNDS_MAX 1000000

enum sshkey_type {
	SSHKEY_UNKNOWN,
	SSHKEY_RSA,
	SSHKEY_DSA,
	SSHKEY_ECDSA,
	SSHKEY_ED25519,
	SSHKEY_ECDSA_SK, /* FIDO security key */
	SSHKEY_ED25519_SK,
};

enum sshkey_format {
	SSHKEY_FMT_NONE,
	SSHKEY_FMT_PUBLIC, /* "ssh-ed25519 AAAA... comment" */
	SSHKEY_FMT_RFC4716, /* ---- BEGIN SSH2 PUBLIC KEY ---- */
	SSHKEY_FMT_SPKI, /* -----BEGIN PUBLIC KEY----- */
	SSHKEY_FMT_OPENSSH, /* -----BEGIN OPENSSH PRIVATE KEY----- */
	SSHKEY_FMT_PKCS1, /* BEGIN RSA or DSA PRIVATE KEY */
	SSHKEY_FMT_SEC1, /* BEGIN EC PRIVATE KEY */
	SSHKEY_FMT_PKCS8, /* BEGIN PRIVATE KEY */
	SSHKEY_FMT_PKCS8_ENC, /* BEGIN ENCRYPTED PRIVATE KEY */
};

/* What a key file or line says about a key; public facts only. */
struct sshkey_info {
	enum sshkey_type type;
	char type_name[64]; /* wire name, "ssh-rsa-cert-v01@openssh.com" */
	int bits; /* 0 when unknown (an encrypted PEM key) */
	char curve[16]; /* "nistp256" for ECDSA */
	int known; /* type, bits and fingerprint are known */
	char fingerprint[64]; /* "SHA256:..." as ssh-keygen -l prints it */
	char *comment; /* NULL when none */
	enum sshkey_format format;
	int is_private;
	int encrypted;
	char cipher[48]; /* "aes256-ctr", "AES-256-CBC"; "none" */
	char kdf[16]; /* "bcrypt", "pbkdf2", "scrypt", "md5" (legacy PEM) */
	unsigned long kdf_rounds; /* bcrypt rounds or PBKDF2 iterations */
	/* OpenSSH certificates: the key they certify is described above */
	int cert;
	int cert_host; /* a host certificate (else a user one) */
	char cert_key_id[128];
	enum sshkey_type ca_type;
	char ca_type_name[64];
	int ca_bits;
	char ca_fingerprint[64];
	/* the plain public key blob (a certificate's key, not the cert) */
	unsigned char *blob;
	size_t bloblen;
};

void sshkey_info_init(struct sshkey_info *k);
void sshkey_info_release(struct sshkey_info *k);

/*
 * A public key blob (SSH wire form, RFC 4253 section 6.6, or an OpenSSH
 * certificate): type, bits, fingerprint.  Trailing bytes, lengths past
 * the end, unknown types and points off their curve are ERR_INVALID.
 */
int sshkey_parse_blob(const unsigned char *blob, size_t len,
    struct sshkey_info *k, struct cm_err *err);

/* "TYPE BASE64 [COMMENT]" (one line, no options in front). */
int sshkey_parse_public_line(
    const char *line, size_t len, struct sshkey_info *k, struct cm_err *err);

/*
 * Any single-key file: private keys (openssh-key-v1, PEM), public keys
 * (one line, RFC 4716, PEM SubjectPublicKeyInfo).  ERR_NOTFOUND when the
 * text holds none of these (it may be an authorized_keys file).
 */
int sshkey_parse(
    const char *data, size_t len, struct sshkey_info *k, struct cm_err *err);

/*
 * A new string: at most `max` of the `len` bytes at `s`, with control
 * characters (and with `ascii`, every byte outside printable ASCII)
 * replaced by '?', for text from a key file in a message or a report.
 */
char *sshkey_printable(const char *s, size_t len, size_t max, int ascii);

/* 1 if the `len` bytes at `name` are a key type OpenSSH knows. */
int sshkey_type_known(const char *name, size_t len);

/* "RSA", "ED25519", ... as ssh-keygen -l shows it ("UNKNOWN"). */
const char *sshkey_type_label(enum sshkey_type t);

/* The format as a short name ("openssh-key-v1", "pem-pkcs8"). */
const char *sshkey_format_name(enum sshkey_format f);

/*
 * The key type a public key blob names ("ssh-ed25519") into `out`, NUL
 * terminated; -1 when the blob is malformed, or the name is not printable
 * or longer than `outlen` - 1.  Only the name is read (a host key of a
 * type ctxmgr does not know still gets its name).
 */
int sshkey_blob_type(
    const unsigned char *blob, size_t len, char *out, size_t outlen);

/* sshkey_type_label for a wire type name ("ssh-ed25519": "ED25519"). */
const char *sshkey_type_name_label(const char *name);

/* The SHA256:base64 fingerprint of a blob into out[64]. */
void sshkey_fingerprint(const unsigned char *blob, size_t len, char out[64]);

/*
 * Check a passphrase against an openssh-key-v1 private key: 0 when it
 * decrypts the key and the key is whole, ERR_AUTH when it does not.
 * The decrypted copy is wiped.
 */
int sshkey_check_passphrase(const char *data, size_t len, const char *pass,
    size_t passlen, struct cm_err *err);

/*
 * A new key: SSHKEY_ED25519, SSHKEY_ECDSA (bits 256, 384 or 521) or
 * SSHKEY_RSA (SSHKEY_RSA_MIN_BITS..SSHKEY_RSA_MAX_BITS bits).
 */
int sshkey_generate(
    enum sshkey_type type, int bits, EVP_PKEY **out, struct cm_err *err);

/* The public blob of an OpenSSL key (ERR_INVALID for types SSH lacks). */
int sshkey_blob_from_pkey(EVP_PKEY *pk, struct buf *blob, struct cm_err *err);

/* Fill `k` from an OpenSSL key (type, bits, blob, fingerprint). */
int sshkey_info_from_pkey(
    EVP_PKEY *pk, struct sshkey_info *k, struct cm_err *err);

/*
 * The openssh-key-v1 text of a private key into `out` (made secret).
 * With a passphrase (passlen > 0): bcrypt_pbkdf with `rounds` and a
 * random 16-byte salt, aes256-ctr, as ssh-keygen writes them.
 */
int sshkey_write_private(EVP_PKEY *pk, const char *comment, const char *pass,
    size_t passlen, unsigned rounds, struct buf *out, struct cm_err *err);

/* "TYPE BASE64 COMMENT\n" for a .pub file or authorized_keys. */
int sshkey_write_public(
    EVP_PKEY *pk, const char *comment, struct buf *out, struct cm_err *err);

#endif
