/*
 * cmd-ca.h: glue shared by the `ca` commands (cmd-ca.c, cmd-ca-issue.c,
 * cmd-ca-rotate.c): where the CA lives, getting its passphrase, the flags
 * every subcommand takes, and issuing client certificates into contexts.
 */
#ifndef CTXMGR_CMD_CA_H
#define CTXMGR_CMD_CA_H

#include "keystore/ca.h"
#include "ctxmgr/cmd.h"
#include "store/store.h"

#define CA_DIR_ENV "CTXMGR_CA_DIR"
#define CA_PASSPHRASE_ENV "CTXMGR_CA_PASSPHRASE_FILE"

#define CA_FLAG_DIR                                                            \
	{                                                                      \
		"dir", 0, FLAG_STRING, COMPLETE_DIR, "DIR",                    \
		    "CA directory (default $CTXMGR_CA_DIR, else ca.dir of "    \
		    "config.yaml, else <config>/ctxmgr/ca)"                    \
	}
#define CA_FLAG_PASSPHRASE                                                     \
	{                                                                      \
		"passphrase-file", 0, FLAG_STRING, COMPLETE_FILE, "FILE",      \
		    "read the CA passphrase from FILE (\"-\": standard "       \
		    "input; "                                                  \
		    "default $CTXMGR_CA_PASSPHRASE_FILE, else the terminal)"   \
	}

/* The text every revocation message carries. */
#define CA_CRL_CAVEAT                                                          \
	"Docker does not check CRLs: dockerd keeps accepting a revoked "       \
	"certificate\nuntil it expires.  To cut it off now, replace the CA "   \
	"(ca init --dir NEW,\nreissue the server and client certificates, "    \
	"restart dockerd); keep client\nlifetimes short so that expiry does "  \
	"the work (the default is 90 days)."

/* The CA directory for this run (settings.h; *dirp a new string). */
int ca_cmd_dir(struct cmd_ctx *ctx, struct cmd_args *a, char **dirp);

/* Read the passphrase: --passphrase-file, $CTXMGR_CA_PASSPHRASE_FILE,
 * else the terminal (asked twice when `confirm`). */
int ca_cmd_passphrase(
    struct cmd_ctx *ctx, struct cmd_args *a, int confirm, struct buf *out);

/* Open the CA (CA_OPEN_LOCK for writers). */
int ca_cmd_open(
    struct cmd_ctx *ctx, struct cmd_args *a, struct ca *ca, int flags);

/* Ask for the passphrase and decrypt the CA key. */
int ca_cmd_unlock(struct cmd_ctx *ctx, struct cmd_args *a, struct ca *ca);

/* A --days value: the flag, else `def`; 1..CA_DAYS_MAX or a usage error. */
int ca_cmd_days(struct cmd_ctx *ctx, struct cmd_args *a, int def, int *daysp);

/* "2025-01-31" for tables. */
void ca_cmd_date(time_t t, char out[16]);

/* Whole days from now to `t`, toward zero (negative when past). */
long ca_cmd_days_left(time_t t, time_t now);

/* The displayed status: valid, due, expired, revoked, superseded. */
const char *ca_cmd_status(
    const struct cadb_entry *e, time_t now, const struct ca_renew_rule *rule);

/*
 * Test-only fault hook: milliseconds to sleep after the certificates are
 * issued and recorded, before the store lock is taken to install them,
 * so that a test can change the context at that point.
 */
#define CA_TEST_PAUSE_ENV "CTXMGR_TEST_PAUSE_BEFORE_INSTALL"

/* A client certificate to issue into a context, and what became of it. */
struct ca_client_job {
	char *name; /* the context */
	char *host; /* its endpoint when planned: checked again */
	char *cn;
	enum x509_key_type key_type;
	int days;
	/* results */
	int failed;
	char *reason; /* why it failed */
	char *old_serial; /* the certificate it replaced, or NULL */
	char *archived; /* where the context's old TLS files went, or NULL */
	struct ca_issued is;
};

/* The jobs' strings and results. */
void ca_client_jobs_free(struct ca_client_job *v, size_t n);

/*
 * Issue the client certificate of every job not failed yet (CA locked
 * and unlocked) and install each into its context.  The database is
 * written once (ca_save); then, under the store lock, each context is
 * checked again (still there, same tcp:// endpoint) and gets its new set
 * (ca.pem: this CA only; any other CA's files are kept in the CA's
 * archive/).  With more than one job the sets are staged unsynced and
 * made durable with one syncfs(2) before and after the swaps.  A job
 * that fails is taken out of the database again and says why.  `verb`
 * ("issuing", "renewing") heads the progress line of a batch.
 */
void ca_cmd_issue_clients(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    struct ca_client_job *v, size_t n, const char *verb);

/* The client certificate a context holds now, or NULL. */
X509 *ca_cmd_context_cert(struct store *st, const char *name);

/*
 * Finish what a killed `ca issue client` or `ca rotate` left (the intent
 * record CA_PENDING_FILE, see cmd-ca-issue.c): each context keeps the new
 * set when the database lists its certificate, else gets its old set
 * back; every staging dir goes.  Takes the store lock; CA lock held.
 * `killed`: after a kill (else a failed save of this command) -- only
 * the message differs.
 */
#define CA_PENDING_FILE "pending.json"
int ca_cmd_recover(
    struct cmd_ctx *ctx, struct ca *ca, struct store *st, int killed);

/* A context that can take a client certificate: tcp:// only. */
int ca_cmd_check_tls_context(struct cmd_ctx *ctx, const struct context *c);

extern const struct cmd_entry cmd_ca_issue_entry;
extern const struct cmd_entry cmd_ca_rotate_entry;
extern const struct cmd_entry cmd_ca_deploy_entry;

#endif
