/*
 * cadb.h: the CA's database of issued certificates (index.json in the CA
 * dir).  A JSON document followed by one line "signature: BASE64", a
 * signature by the CA key over every byte before that line, so `ca ls`
 * can check the file with the CA certificate alone and a database edited
 * outside ctxmgr (or copied from another CA) is refused.  The reader
 * trusts nothing: every field is checked, sizes are capped.
 */
#ifndef CTXMGR_CADB_H
#define CTXMGR_CADB_H

#include <time.h>

#include <openssl/evp.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"
#include "keystore/x509.h"

#define CADB_MAX_BYTES ((size_t)16 << 20)
#define CADB_MAX_ENTRIES 100000
#define CADB_VERSION 1

enum cadb_status {
	CADB_VALID, /* issued, in use (may be due or expired by date) */
	CADB_REVOKED,
	CADB_SUPERSEDED, /* replaced by a newer certificate */
};

struct cadb_entry {
	char *serial; /* upper-case hex */
	enum cert_kind kind;
	enum cadb_status status;
	char *subject; /* "CN=prod" */
	struct strv sans;
	char *context; /* client: the context it was issued into; or "" */
	char *key_type;
	time_t not_before, not_after;
	char *sha256; /* DER fingerprint, lower-case hex */
	time_t revoked_at; /* CADB_REVOKED */
	char *replaced_by; /* CADB_SUPERSEDED: serial, or "" */
};

struct cadb {
	unsigned long long crl_number; /* last CRL number used */
	struct cadb_entry *v;
	size_t n, cap;
};

void cadb_init(struct cadb *db);
void cadb_release(struct cadb *db);

/* "valid", "revoked", "superseded"; parse returns -1 for others. */
const char *cadb_status_name(enum cadb_status s);
int cadb_status_parse(const char *s);

/*
 * Parse the JSON part (no signature).  On error `db` is left empty and
 * the message says what is wrong and where ("certificate 3: ...").
 */
int cadb_parse(
    const char *data, size_t len, struct cadb *db, struct cm_err *err);

/* The JSON part, as cadb_parse reads it (jansson, indented). */
int cadb_encode(const struct cadb *db, struct buf *out);

/*
 * Split a whole file: the length of the signed part and the decoded
 * signature.  ERR_INVALID when there is no well-formed signature line.
 */
int cadb_split(const char *data, size_t len, size_t *signed_len,
    struct buf *sig, struct cm_err *err);

/* Split, verify with `pub` (the CA's key), parse. */
int cadb_read(const char *data, size_t len, EVP_PKEY *pub, struct cadb *db,
    struct cm_err *err);

/* Encode, sign with the CA's private key, append the signature line. */
int cadb_write(
    const struct cadb *db, EVP_PKEY *key, struct buf *out, struct cm_err *err);

/* Free an entry's strings (the entry itself belongs to the array). */
void cadb_entry_release(struct cadb_entry *e);

/* Append a new zeroed entry (owned strings empty) and return it. */
struct cadb_entry *cadb_add(struct cadb *db);

/* The entry with exactly this serial (case-insensitive), or NULL. */
struct cadb_entry *cadb_find(const struct cadb *db, const char *serial);

/*
 * Entries whose serial starts with `prefix` (case-insensitive, at least 8
 * hex digits): 0 and *ep set when exactly one, ERR_NOTFOUND, or
 * ERR_INVALID when ambiguous.
 */
int cadb_find_prefix(const struct cadb *db, const char *prefix,
    struct cadb_entry **ep, struct cm_err *err);

#endif
