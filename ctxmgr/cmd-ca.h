/*
 * cmd-ca.h: glue shared by the `ca` commands (cmd-ca.c, cmd-ca-issue.c):
 * where the CA lives, getting its passphrase, and the flags every
 * subcommand takes.
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

extern const struct cmd_entry cmd_ca_issue_entry;
extern const struct cmd_entry cmd_ca_rotate_entry;
extern const struct cmd_entry cmd_ca_deploy_entry;
extern const struct cmd_entry cmd_ca_agent_entry;

/*
 * In a worker of the CA agent whose CA is ca->dir: give `ca` the agent's
 * key and set *done.  Elsewhere nothing happens (0, *done = 0).
 */
int ca_agent_unlock(struct cmd_ctx *ctx, struct ca *ca, int *done);

/* The CA directory whose key this process holds as the agent, or NULL. */
const char *ca_agent_dir(void);

#endif
