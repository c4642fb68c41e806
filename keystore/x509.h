/*
 * x509.h: the certificate work of the TLS CA, on OpenSSL 3: key
 * generation for the key types Docker accepts, subjectAltName checks,
 * building and signing CA, server and client certificates, PEM in and
 * out (the CA key as encrypted PKCS#8), facts about a certificate, and
 * chain verification with a TLS purpose.  No file I/O: see ca.h.
 */
#ifndef CTXMGR_X509_H
#define CTXMGR_X509_H

#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"

enum x509_key_type {
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_ED25519,
	KEY_RSA_3072,
	KEY_RSA_4096,
};
#define X509_KEY_TYPES "ecdsa-p256|ecdsa-p384|ed25519|rsa-3072|rsa-4096"

enum cert_kind { CERT_CA, CERT_SERVER, CERT_CLIENT };

/*
 * Start libcrypto for a short-lived command: without reading the system
 * openssl.cnf (about 1 ms, and nothing in it applies to certificate
 * work) and without the clean-up pass at exit.  Call before any other
 * OpenSSL function; later calls do nothing.
 */
void x509_lib_init(void);

/* "ecdsa-p256" <-> KEY_ECDSA_P256; parse fails with ERR_USAGE. */
int x509_key_type_parse(
    const char *s, enum x509_key_type *t, struct cm_err *err);
const char *x509_key_type_name(enum x509_key_type t);

/* The key type of a key ("ecdsa-p256"), or "unknown". */
const char *x509_key_type_of(const EVP_PKEY *pk);

/* "ca", "server", "client"; parse returns -1 for anything else. */
const char *x509_kind_name(enum cert_kind k);
int x509_kind_parse(const char *s);

/* A fresh key pair. */
int x509_keygen(enum x509_key_type t, EVP_PKEY **out, struct cm_err *err);

/*
 * Check and normalise a comma-separated list "DNS:name,IP:addr,..." into
 * `out` ("DNS:docker.example.com", "IP:192.0.2.7", IPv6 in its canonical
 * form).  DNS names are checked as host names (an optional leading "*."
 * aside); anything else is refused with a message naming the entry.
 */
int x509_san_parse(const char *spec, struct strv *out, struct cm_err *err);

/* Check one normalised entry ("DNS:x" or "IP:y"). */
int x509_san_check(const char *san, struct cm_err *err);

/* The subjectAltNames of a certificate, as "DNS:x" and "IP:y" ("?" for
 * what cannot be shown). */
void x509_cert_sans(X509 *x, struct strv *out);

/* A common name: 1..64 printable characters, no control characters. */
int x509_cn_check(const char *cn, struct cm_err *err);

struct x509_req {
	enum cert_kind kind;
	const char *cn;
	const struct strv *sans; /* server: required; NULL otherwise */
	time_t not_before, not_after;
	EVP_PKEY *key; /* the subject's key (public part used) */
	X509 *issuer; /* NULL: self-signed (kind CERT_CA) */
	EVP_PKEY *issuer_key; /* signs */
};

/*
 * Build and sign a certificate with a random 159-bit serial and the
 * extensions of its kind: CA (critical CA:TRUE, pathlen 0, keyCertSign
 * and cRLSign), server (EKU serverAuth, SANs), client (EKU clientAuth);
 * SKI and AKI on all.
 */
int x509_build(const struct x509_req *req, X509 **out, struct cm_err *err);

/* The digest to sign with for a key (NULL for Ed25519). */
const EVP_MD *x509_sign_md(const EVP_PKEY *pk);

/* Append PEM text. */
int x509_cert_pem(X509 *x, struct buf *out);
/* Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"); `out` should be secret. */
int x509_key_pem(EVP_PKEY *pk, struct buf *out);
/* PKCS#8 encrypted with AES-256-CBC, PBKDF2-HMAC-SHA256 `iter` rounds. */
int x509_key_pem_encrypted(EVP_PKEY *pk, const char *pass, size_t passlen,
    int iter, struct buf *out, struct cm_err *err);

/*
 * Read a private key from PEM text, decrypting with `pass` when it is
 * encrypted (pass NULL refuses encrypted keys).  A wrong passphrase is
 * ERR_AUTH.
 */
int x509_key_load(const char *pem, size_t len, const char *pass, size_t passlen,
    EVP_PKEY **out, struct cm_err *err);

/* The first certificate in PEM text (`what` names the input). */
int x509_cert_load(const char *pem, size_t len, const char *what, X509 **out,
    struct cm_err *err);

/* Every certificate in PEM text; at least one (the caller frees). */
int x509_certs_load(const char *pem, size_t len, const char *what,
    STACK_OF(X509) * *out, struct cm_err *err);

struct x509_info {
	char serial[64]; /* upper-case hex, as "openssl x509 -serial" */
	char subject[512]; /* RFC 2253, "CN=prod" */
	char issuer[512];
	struct strv sans; /* "DNS:x", "IP:y" */
	time_t not_before, not_after;
	char key_type[16];
	char sha256[65]; /* fingerprint of the DER, lower-case hex */
	int is_ca;
	int server_auth, client_auth; /* EKU present (or no EKU at all) */
};

/* Facts about a certificate; free `sans` with x509_info_release. */
int x509_info_get(X509 *x, struct x509_info *info, struct cm_err *err);
void x509_info_release(struct x509_info *info);

/* The common name, or "" (new string). */
char *x509_common_name(X509 *x);

/*
 * Verify `leaf` against the trust anchor `ca` for a TLS purpose
 * (X509_PURPOSE_SSL_SERVER or _SSL_CLIENT) at time `at` (0: now).
 */
int x509_verify(
    X509 *ca, X509 *leaf, int purpose, time_t at, struct cm_err *err);

/* 1 if `x` was signed by `ca`'s key and names it as issuer. */
int x509_issued_by(X509 *x, X509 *ca);

/* RFC 3339 UTC ("2025-01-02T03:04:05Z") <-> time_t. */
void x509_time_format(time_t t, char out[32]);
int x509_time_parse(const char *s, time_t *out);

/* Sign / verify bytes with a key, digest as x509_sign_md. */
int x509_sign_data(EVP_PKEY *pk, const void *data, size_t len, struct buf *sig,
    struct cm_err *err);
int x509_verify_data(
    EVP_PKEY *pk, const void *data, size_t len, const void *sig, size_t siglen);

#endif
