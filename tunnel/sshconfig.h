/*
 * sshconfig.h: OpenSSH client configuration (ssh_config(5)), the subset
 * ctxmgr needs to reach a host the way `ssh` would.
 *
 * Semantics follow OpenSSH: `Host` and `Match` blocks are evaluated in
 * file order against the host name as given (the alias), and for each
 * option the first value obtained wins; IdentityFile accumulates.
 * Patterns take `*`, `?` and a leading `!` (negation), case-insensitive.
 * `Include` takes globs, relative to ~/.ssh, nested at most 16 deep, and
 * inside a block applies only when the block matches.  `Match` supports
 * all, host, originalhost, user, localuser, canonical and final (the last
 * two are true); `Match exec` is never run and never matches.
 *
 * Untrusted input: lines are capped, control characters refused, and
 * every value of an option ctxmgr uses is checked (ports, numbers, yes/no).
 * Options ctxmgr does not know are ignored, as they may be meant for ssh.
 */
#ifndef CTXMGR_SSHCONFIG_H
#define CTXMGR_SSHCONFIG_H

#include "common/err.h"
#include "common/util.h"

#define SSHCONFIG_MAX_FILE ((size_t)1 << 20) /* per file */
#define SSHCONFIG_MAX_LINE 8192
#define SSHCONFIG_MAX_DEPTH 16 /* Include nesting */

/* StrictHostKeyChecking, and the per-context policy. */
enum hostkey_policy {
	HKP_UNSET = 0,
	HKP_YES, /* unknown and changed keys refused */
	HKP_ACCEPT_NEW, /* unknown keys recorded, changed keys refused */
	HKP_NO, /* unknown keys recorded; changed keys still refused */
	HKP_ASK /* as yes: ctxmgr never asks */
};

/* What the configuration says about one host; unset fields as noted. */
struct ssh_host_config {
	char *hostname; /* HostName, %h expanded; NULL unset */
	char *user; /* NULL unset */
	int port; /* 0 unset */
	struct strv identity_files; /* raw (tokens not expanded), in order */
	int identities_only; /* -1 unset, else 0 or 1 */
	struct strv known_hosts; /* UserKnownHostsFile words (raw) */
	enum hostkey_policy strict; /* HKP_UNSET when not given */
	int connect_timeout; /* seconds; -1 unset, 0 none */
	int alive_interval; /* ServerAliveInterval seconds; -1 unset */
	int alive_count; /* ServerAliveCountMax; -1 unset */
	char *proxy_jump; /* raw; "none" kept as given */
	char *proxy_command; /* set: ctxmgr refuses (it runs no commands) */
	char *host_key_alias;
	char *identity_agent; /* IdentityAgent: path, "none", SSH_AUTH_SOCK */
	char *ciphers; /* Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms */
	char *macs;
	char *kex;
	char *hostkey_algorithms;
	int batch_mode; /* -1 unset */
	struct strv warnings; /* things ignored on purpose (Match exec...) */
};

/* Values the matching and token expansion need. */
struct ssh_config_env {
	const char *home; /* for ~ and %d */
	const char *local_user; /* for %u and Match localuser */
	const char *user; /* remote user when known before the config */
};

void sshconfig_init(struct ssh_host_config *c);
void sshconfig_release(struct ssh_host_config *c);

/*
 * Read the configuration at `path` for `host` (the alias as given) into
 * `c`, which sshconfig_init prepared and which may hold values already
 * (they win, as command-line options win in ssh).  A missing file is no
 * error.  Errors name the file and line.
 */
int sshconfig_load(const char *path, const char *host,
    const struct ssh_config_env *env, struct ssh_host_config *c,
    struct cm_err *err);

/* As sshconfig_load for text in memory (`name` is used in messages). */
int sshconfig_parse(const char *text, size_t len, const char *name,
    const char *host, const struct ssh_config_env *env,
    struct ssh_host_config *c, struct cm_err *err);

/*
 * The host aliases of the file's `Host` lines (no pattern with `*`, `?`,
 * `!` or a comma), each once, in file order, for importing them as
 * contexts.  Patterns skipped and `Include` lines (not followed) go to
 * `notes` as "FILE:LINE: ..." text.
 */
int sshconfig_list_hosts(const char *text, size_t len, const char *name,
    struct strv *aliases, struct strv *notes, struct cm_err *err);

/*
 * 1 if `name` matches the comma-separated OpenSSH pattern list `list`
 * (`*`, `?`, `!negation`), case-insensitively; a matching negated
 * pattern makes the whole list fail.
 */
int ssh_pattern_list_match(const char *name, const char *list);

/* Tokens for sshconfig_expand. */
struct ssh_tokens {
	const char *home; /* %d, ~ */
	const char *host; /* %h: the host name after HostName */
	const char *alias; /* %n: the host as given */
	const char *user; /* %r: remote user */
	const char *local_user; /* %u */
	int port; /* %p */
};

/*
 * Expand a leading `~/` and the tokens %d %h %n %r %u %p %% of a path
 * option (IdentityFile, UserKnownHostsFile, IdentityAgent).  An unknown
 * token is an error.  Returns a new string in *outp.
 */
int sshconfig_expand(const char *raw, const struct ssh_tokens *t, char **outp,
    struct cm_err *err);

#endif
