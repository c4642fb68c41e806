/*
 * keycheck.h: strength checks of SSH keys and key files -- the policy
 * behind `ctxmgr keys check` (README.md, "Key policy", gives it with its
 * sources).
 *
 * A check produces findings: one per private or public key file, one per
 * key line of an authorized_keys or known_hosts file, and one for a file
 * that cannot be read or holds no key.  Each has a verdict (ok, warn,
 * fail) and the reasons for it.  Nothing secret is ever put in a finding:
 * private key files are read only for their public facts.
 */
#ifndef CTXMGR_KEYCHECK_H
#define CTXMGR_KEYCHECK_H

#include <sys/stat.h>

#include "common/err.h"
#include "keystore/sshkey.h"

enum key_verdict { KEY_OK, KEY_WARN, KEY_FAIL };

enum key_kind {
	KEY_KIND_FILE, /* the file as a whole: unreadable, empty, its mode */
	KEY_KIND_PRIVATE,
	KEY_KIND_PUBLIC,
	KEY_KIND_AUTHORIZED, /* a line of authorized_keys */
	KEY_KIND_KNOWN_HOST, /* a line of known_hosts */
};

struct key_reason {
	enum key_verdict level; /* KEY_OK: a note that changes nothing */
	char *text;
};

struct key_finding {
	char *path;
	unsigned line; /* 1-based line of a key file; 0 for a whole file */
	enum key_kind kind;
	struct sshkey_info key; /* key.known is 0 when it was not read */
	char *options; /* authorized_keys options, as written */
	char *hosts; /* known_hosts host patterns ("(hashed)" if hashed) */
	int hashed;
	char *marker; /* "@cert-authority", "@revoked" or NULL */
	int cert_authority; /* the key signs certificates */
	int have_stat; /* the fields below are set */
	uid_t uid;
	char owner[64]; /* user name, or the uid as text */
	mode_t mode; /* permission bits */
	enum key_verdict verdict;
	int skipped; /* not a key file (ssh_config, a socket...): verdict
			ok, the reason says what it is */
	struct key_reason *reasons;
	size_t nreasons;
};

struct key_report {
	struct key_finding *v;
	size_t n;
};

/* keycheck_text flags */
#define KEYCHECK_AUTHORIZED 0x01 /* the text is an authorized_keys file */
#define KEYCHECK_KNOWN_HOSTS 0x02 /* the text is a known_hosts file */
#define KEYCHECK_EMPTY_OK 0x04 /* no key at all is not a failure */

/* Longest line of an authorized_keys or known_hosts file. */
#define KEYCHECK_LINE_MAX 65536
/* Lines that are not keys before a file is given up on. */
#define KEYCHECK_MAX_BAD_LINES 100

void key_report_init(struct key_report *rep);
void key_report_release(struct key_report *rep);

/*
 * Check one file: a private key, a public key, an authorized_keys or a
 * known_hosts file (told apart by content, and by the name for
 * known_hosts).  Never fails: a file that cannot be read is a finding
 * with verdict fail.  Permissions and owner come from the opened file.
 * What a normal ~/.ssh holds besides keys -- ssh_config, an environment
 * file, the rc script, known_hosts.old, sockets, directories -- is a
 * skipped finding (verdict ok, `skipped` set) that says what it is.
 */
void keycheck_file(const char *path, struct key_report *rep);

/* A skipped finding for `path`, `why` saying what it is. */
void keycheck_skip(struct key_report *rep, const char *path, const char *why);

/*
 * Check text that came from elsewhere (standard input, a remote
 * authorized_keys): the same checks without file facts (owner, mode, a
 * .pub beside it); `name` labels the findings.
 */
void keycheck_text(const char *name, const char *data, size_t len, int flags,
    struct key_report *rep);

/*
 * A remote authorized_keys, as `keys check --context` reads it: run
 * KEYCHECK_REMOTE_COMMAND on the remote host (any login shell: it hands
 * itself to sh) and give its standard output to keycheck_remote_output.
 * The command prints a version line, the remote uid, the mode and owner
 * of ~/.ssh/authorized_keys, ~/.ssh and ~ (what sshd's StrictModes
 * checks), then "present" and the file, or "absent".  Nothing in it
 * comes from the context.
 */
#define KEYCHECK_REMOTE_COMMAND                                                \
	"sh -c 'f=\"$HOME/.ssh/authorized_keys\"; echo ctxmgr-keys 1; "        \
	"id -u; for p in \"$f\" \"$HOME/.ssh\" \"$HOME\"; do "                 \
	"stat -L -c \"%a %u\" \"$p\" 2>/dev/null || echo -; done; "            \
	"if [ -f \"$f\" ]; then echo present; cat \"$f\"; "                    \
	"else echo absent; fi'"

/*
 * Findings for the output of KEYCHECK_REMOTE_COMMAND: the keys (as
 * authorized_keys lines) and a file finding when the modes or owners let
 * someone else add keys, or when there is no file.  `name` labels them
 * ("prod:~/.ssh/authorized_keys").  ERR_PROTO when the output is not
 * what the command prints (another shell, a hostile host).
 */
int keycheck_remote_output(const char *name, const char *out, size_t len,
    struct key_report *rep, struct cm_err *err);

/* The worst verdict in a report (KEY_OK when empty). */
enum key_verdict key_report_worst(const struct key_report *rep);

/* "ok", "warn", "fail" */
const char *key_verdict_name(enum key_verdict v);

/* "file", "private-key", "public-key", "authorized-keys", "known-hosts" */
const char *key_kind_name(enum key_kind k);

/*
 * The policy for a key's type and size alone (no file facts), as keys
 * gen and the CA apply it before making a key: the verdict, and why in
 * `why` (empty for ok) when it is not NULL.
 */
enum key_verdict keycheck_type_policy(
    enum sshkey_type type, int bits, char *why, size_t whylen);

#endif
