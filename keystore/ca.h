/*
 * ca.h: the TLS CA directory.  Layout (every dir 0700):
 *
 *   ca.pem              the CA certificate
 *   ca-key.pem          its key: PKCS#8, AES-256-CBC, PBKDF2-HMAC-SHA256
 *   index.json          the signed database of issued certificates (cadb.h)
 *   issued/SERIAL.pem   every certificate issued, kept as the archive
 *   servers/CN/         the current server certificate for CN: ca.pem,
 *                       server-cert.pem, server-key.pem (0600)
 *   archive/            TLS files of other CAs that `ca issue client`
 *                       replaced in a context
 *   crl.pem             the last CRL written
 *   pending.json        while client certificates are installed: what
 *                       the next CA command finishes after a kill
 *                       (ctxmgr/cmd-ca-issue.c, ca_cmd_recover)
 *   lock                writers serialise on flock(2) of this file
 *
 * `ca init` builds the directory under a temporary name and renames it
 * into place, so a CA dir is complete or absent; ca_open refuses one
 * with missing parts.  Nothing here prints or prompts.
 */
#ifndef CTXMGR_CA_H
#define CTXMGR_CA_H

#include <time.h>

#include <openssl/x509.h>

#include "common/buf.h"
#include "keystore/cadb.h"
#include "common/err.h"
#include "common/file.h"
#include "keystore/x509.h"

#define CA_KDF_ITER_DEFAULT 600000 /* PBKDF2-HMAC-SHA256 rounds */
#define CA_KDF_ITER_MIN 2048 /* OpenSSL's own default */
#define CA_DAYS_DEFAULT 3650
#define CA_SERVER_DAYS_DEFAULT 365
#define CA_CLIENT_DAYS_DEFAULT 90
#define CA_DAYS_MAX 36500
#define CA_BACKDATE 300 /* notBefore 5 minutes early, for clock skew */
#define CA_PASSPHRASE_MIN_SCORE 4 /* zxcvbn: >= 1e10 guesses */

#define CA_CERT_FILE "ca.pem"
#define CA_KEY_FILE "ca-key.pem"
#define CA_DB_FILE "index.json"
#define CA_CRL_FILE "crl.pem"

struct ca {
	char *dir;
	X509 *cert;
	struct buf cert_pem;
	EVP_PKEY *key; /* set by ca_unlock */
	struct cadb db;
	struct buf db_bytes; /* the database as last read or written */
	int lock_fd;
};

struct ca_init_opts {
	const char *dir;
	const char *cn;
	enum x509_key_type key_type;
	int days;
	int kdf_iter;
	const char *pass;
	size_t passlen;
};

/* Create a CA directory; ERR_EXISTS when one is there already. */
int ca_init(const struct ca_init_opts *o, struct ca *out, struct cm_err *err);

#define CA_OPEN_LOCK 0x01 /* take the writers' lock first */

/*
 * Open an existing CA: check the directory is complete, read the
 * certificate and the database (its signature checked with the CA
 * certificate).  ERR_NOTFOUND when there is no CA at `dir`.
 */
int ca_open(struct ca *ca, const char *dir, int flags, struct cm_err *err);

/* Decrypt the CA key; a wrong passphrase is ERR_AUTH, nothing changes. */
int ca_unlock(
    struct ca *ca, const char *pass, size_t passlen, struct cm_err *err);

/* Free everything, wipe the key, release the lock. */
void ca_close(struct ca *ca);

struct ca_issue_opts {
	enum cert_kind kind; /* CERT_SERVER or CERT_CLIENT */
	const char *cn;
	const struct strv *sans;
	const char *context; /* client: recorded in the database */
	enum x509_key_type key_type;
	int days;
	time_t now; /* 0: the current time */
};

struct ca_issued {
	X509 *cert;
	struct buf cert_pem;
	struct buf key_pem; /* secret: unencrypted PKCS#8 */
	struct x509_info info;
};

/*
 * Issue a certificate with a fresh key (CA unlocked): the certificate is
 * kept in issued/SERIAL.pem and added to the in-memory database; call
 * ca_save to record it.  Refused when the clock is before the CA's
 * notBefore or the certificate would outlive the CA (never cut short).
 */
int ca_issue(struct ca *ca, const struct ca_issue_opts *o,
    struct ca_issued *out, struct cm_err *err);
void ca_issued_release(struct ca_issued *is);

/* Sign and write the database atomically (CA unlocked). */
int ca_save(struct ca *ca, struct cm_err *err);

/*
 * Undo a ca_save: write back `old` (a copy of db_bytes taken before) and
 * read the in-memory database from it again.
 */
int ca_rollback(struct ca *ca, const struct buf *old, struct cm_err *err);

/* Mark `e` (may be NULL) superseded by `serial` (in memory). */
void ca_supersede(struct cadb_entry *e, const char *serial);

/* Remove issued/SERIAL.pem of a certificate that was never used. */
void ca_discard(struct ca *ca, const char *serial);

/*
 * Undo an issue: drop the entry `serial` (and its issued/ copy) and make
 * `old_serial` (may be NULL) valid again.  The database is not saved.
 */
void ca_forget(struct ca *ca, const char *serial, const char *old_serial);

/* A CRL of every revoked certificate, valid `days`; kept in crl.pem. */
int ca_crl(struct ca *ca, int days, struct buf *out, struct cm_err *err);

/* servers/CN: the directory for a server certificate (new string). */
char *ca_server_dir(const struct ca *ca, const char *cn);

/* Check a server CN can name a directory (a host-like name). */
int ca_server_name_check(const char *cn, struct cm_err *err);

/*
 * Install a server certificate as servers/CN (ca.pem, server-cert.pem,
 * server-key.pem), replacing the old set as one.  *old_serial is the
 * serial of the certificate it replaced (new string) or NULL.
 */
int ca_store_server(struct ca *ca, const struct ca_issued *is,
    char **old_serial, struct cm_err *err);

/* The name of a server entry ("CN=docker1" gives "docker1"), or NULL
 * when `e` is not a server certificate named that way. */
const char *ca_server_cn(const struct cadb_entry *e);

/* The database entry for a certificate, when this CA issued it. */
struct cadb_entry *ca_lookup(struct ca *ca, X509 *x);

/* The time now. */
time_t ca_now(void);

/*
 * When renewal is due: `percent` of the lifetime left (0 < percent < 100)
 * or, when `seconds` > 0, that long before notAfter.  The default rule is
 * step-ca's: renew once two thirds of the lifetime have passed.
 */
struct ca_renew_rule {
	double percent;
	long long seconds;
};
#define CA_RENEW_PERCENT_DEFAULT (100.0 / 3.0)

/* The time renewal falls due for a certificate valid [nb, na]. */
time_t ca_renew_at(time_t nb, time_t na, const struct ca_renew_rule *rule);

/* Parse "33%" or a duration "30d", "12h", "2w", "90m", "3600s". */
int ca_renew_rule_parse(
    const char *s, struct ca_renew_rule *rule, struct cm_err *err);

#endif
