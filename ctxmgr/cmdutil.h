/*
 * cmdutil.h: glue shared by the command files: opening the store,
 * resolving the context a command acts on, reading input files, and the
 * endpoint options that create and update share.
 */
#ifndef CTXMGR_CMDUTIL_H
#define CTXMGR_CMDUTIL_H

#include "common/buf.h"
#include "ctxmgr/cmd.h"
#include "store/store.h"

/* The flags create and update share (expand inside a cmd_flag array). */
#define CONTEXT_ENDPOINT_FLAGS                                                 \
	{ "host", 'H', FLAG_STRING, COMPLETE_NONE, "URL",                      \
		"Docker endpoint: ssh://[user@]host[:port][/socket], "         \
		"tcp://host:port or unix:///path" },                           \
	    { "description", 'd', FLAG_STRING, COMPLETE_NONE, "TEXT",          \
		    "description shown by \"ls\"" },                           \
	    { "docker", 0, FLAG_STRING, COMPLETE_NONE, "K=V,...",              \
		    "Docker CLI syntax: "                                      \
		    "host=,ca=,cert=,key=,skip-tls-verify=" },                 \
	    { "ca", 0, FLAG_STRING, COMPLETE_FILE, "FILE",                     \
		    "CA certificate(s) to trust (PEM)" },                      \
	    { "cert", 0, FLAG_STRING, COMPLETE_FILE, "FILE",                   \
		    "client certificate (PEM)" },                              \
	    { "key", 0, FLAG_STRING, COMPLETE_FILE, "FILE",                    \
		    "client private key (PEM, unencrypted)" },                 \
	    { "skip-tls-verify", 0, FLAG_BOOL, COMPLETE_NONE, NULL,            \
		    "do not verify the daemon's TLS certificate" },            \
	    { "identity", 'i', FLAG_STRING, COMPLETE_FILE, "FILE",             \
		    "ssh: private key to log in with" },                       \
	    { "strict-host-key-checking", 0, FLAG_STRING, COMPLETE_CHOICE,     \
		    "POLICY", "ssh: yes, accept-new or no",                    \
		    "yes|accept-new|no" },                                     \
	{                                                                      \
		"tunnel-mode", 0, FLAG_STRING, COMPLETE_CHOICE, "MODE",        \
		    "ssh: auto, streamlocal or dial-stdio",                    \
		    "auto|streamlocal|dial-stdio"                              \
	}

/* TLS material gathered from --ca/--cert/--key, checked. */
struct tls_input {
	struct buf ca, cert, key;
	int have_ca, have_cert, have_key;
};

/* Open the store of ctx->config_dir. */
void cmd_store_open(struct cmd_ctx *ctx, struct store *st);

/*
 * Load the context named `name`, or the effective one (--context,
 * DOCKER_HOST, DOCKER_CONTEXT, currentContext) when `name` is NULL.
 */
int cmd_load_context(struct cmd_ctx *ctx, struct store *st, const char *name,
    struct context **cp);

/*
 * An archive or inventory comes from someone else: it must not lower the
 * user's host-key or TLS checking.  cmd_import_guard looks at the
 * settings it would set -- SkipTLSVerify true, strictHostKeyChecking
 * "no" or "accept-new", an identity file that is not the user's own in
 * ~/.ssh -- and unless `allow`
 * (--allow-insecure) drops them (strictHostKeyChecking becomes "yes"),
 * saying so on stderr either way.  Returns how many it found.
 */
struct import_guard {
	const char *name; /* the context, for messages */
	const char *source; /* "the archive", "the inventory" */
	int skip_tls_verify;
	const char *host_key_check; /* NULL when not set */
	const char *identity; /* NULL when not set */
};
int cmd_import_guard(struct cmd_ctx *ctx, struct import_guard *g, int allow);

/* The --allow-insecure flag of import and import-hosts. */
#define IMPORT_ALLOW_INSECURE_FLAG                                             \
	{                                                                      \
		"allow-insecure", 0, FLAG_BOOL, COMPLETE_NONE, NULL,           \
		    "keep SkipTLSVerify, strictHostKeyChecking no/accept-new " \
		    "and identity files from the input"                        \
	}

/* Read a file, or stdin for "-", capped at `max` bytes. */
int cmd_read_input(struct cmd_ctx *ctx, const char *path, size_t max, int flags,
    struct buf *out);

/*
 * Per-shell contexts (cmd-use.c, cmd-init.c): the shell function sets
 * CTXMGR_SHELL to its shell for "use --shell", which prints shell code;
 * CTXMGR_SHELL_PREVIOUS holds the shell's previous DOCKER_CONTEXT
 * (empty: none) for "use --shell -".
 */
#define CTXMGR_SHELL_ENV "CTXMGR_SHELL"
#define CTXMGR_SHELL_PREVIOUS_ENV "CTXMGR_SHELL_PREVIOUS"

/*
 * The picker "use" with no name opens on a terminal: set by the full
 * binary (picker.c); NULL in the front, which hands such command lines
 * to the full binary.  Fills *namep (caller frees) or returns an error.
 */
extern int (*cmd_use_picker)(struct cmd_ctx *ctx, char **namep);

/* Warn on stderr when DOCKER_HOST overrides the current context. */
void cmd_warn_docker_host(struct cmd_ctx *ctx, const char *name);

/*
 * Apply the CONTEXT_ENDPOINT_FLAGS given in `a` to `c`, reading and
 * checking TLS files into `tls`.  Only what was given changes.
 */
int cmd_apply_endpoint_flags(struct cmd_ctx *ctx, struct cmd_args *a,
    struct context *c, struct tls_input *tls);

/* Write TLS material into the store for context `name` (lock held). */
int cmd_write_tls(struct cmd_ctx *ctx, struct store *st, const char *name,
    struct tls_input *tls);

void tls_input_init(struct tls_input *t);
void tls_input_release(struct tls_input *t);

#endif
