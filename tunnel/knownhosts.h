/*
 * knownhosts.h: OpenSSH known_hosts files, read the way ssh reads them:
 * plain host patterns (`*`, `?`, `!`), hashed names (`|1|salt|hash`),
 * `[host]:port` for ports other than 22, `@revoked` (enforced) and
 * `@cert-authority` lines (skipped: ctxmgr has no host certificates).
 * Lines that do not parse are skipped and counted, never fatal.
 *
 * A host is looked up by the name ssh uses: the HostName (or
 * HostKeyAlias), written "[name]:port" when the port is not 22.
 */
#ifndef CTXMGR_KNOWNHOSTS_H
#define CTXMGR_KNOWNHOSTS_H

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"

#define KNOWNHOSTS_MAX_FILE ((size_t)8 << 20)

struct kh_entry {
	char *hosts; /* the host field as written */
	char *type; /* key type name ("ssh-ed25519") */
	unsigned char *blob;
	size_t bloblen;
	int revoked;
	char *file; /* where it came from, for messages */
	int line;
};

struct known_hosts {
	struct kh_entry *v;
	size_t n;
	size_t bad_lines;
};

enum kh_result {
	KH_MATCH, /* the offered key is known for the host */
	KH_UNKNOWN, /* no key is known for the host */
	KH_CHANGED, /* other keys are known for the host */
	KH_REVOKED /* the offered key is marked @revoked */
};

void knownhosts_init(struct known_hosts *kh);
void knownhosts_release(struct known_hosts *kh);

/* Add the entries of a file (a missing file adds nothing). */
int knownhosts_load(
    struct known_hosts *kh, const char *path, struct cm_err *err);

/* Add the entries of text in memory (`name` for messages). */
void knownhosts_parse(
    struct known_hosts *kh, const char *text, size_t len, const char *name);

/* The lookup name: "host" for port 22 (or 0), else "[host]:port". */
char *knownhosts_name(const char *host, int port);

/*
 * Check the key a server offered (its public blob) for `name`.  On
 * KH_CHANGED, *knownp points at the first entry known for the name
 * (preferring one of the same key type).
 */
enum kh_result knownhosts_check(const struct known_hosts *kh, const char *name,
    const unsigned char *blob, size_t len, const struct kh_entry **knownp);

/* The key types known for `name`, in file order, without repeats. */
void knownhosts_types(
    const struct known_hosts *kh, const char *name, struct strv *types);

/* 1 if the host field of a line matches `name` (patterns or |1| hash). */
int knownhosts_host_match(const char *field, const char *name);

/*
 * Record a key for `name` at the end of `path` (created 0600 in a 0700
 * directory when missing), replacing the file atomically and keeping its
 * mode.
 */
int knownhosts_add(const char *path, const char *name,
    const unsigned char *blob, size_t len, struct cm_err *err);

#endif
