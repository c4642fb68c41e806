/*
 * endpoint.h: Docker endpoint URLs -- unix:///path, tcp://host[:port] and
 * ssh://[user@]host[:port][/remote/socket].  Stricter than Docker where
 * Docker is unsafe: user or host names that could be read as options
 * ("-oProxyCommand=..."), control characters, passwords, queries and
 * fragments are refused.
 */
#ifndef CTXMGR_ENDPOINT_H
#define CTXMGR_ENDPOINT_H

#include "common/err.h"

enum endpoint_scheme { EP_UNIX, EP_TCP, EP_SSH };

struct endpoint {
	enum endpoint_scheme scheme;
	char *user; /* ssh: NULL when not given */
	char *host; /* tcp, ssh: without IPv6 brackets */
	int port; /* 0 when not given */
	char *path; /* unix: the socket; ssh: remote socket (NULL = default) */
};

#define ENDPOINT_DEFAULT_REMOTE_SOCKET "/var/run/docker.sock"
#define ENDPOINT_UNIX_PATH_MAX 107 /* sun_path less the final NUL */

/* Parse `url` into `ep` (freed with endpoint_free, also after errors). */
int endpoint_parse(const char *url, struct endpoint *ep, struct cm_err *err);
void endpoint_free(struct endpoint *ep);

/*
 * Check an endpoint URL from any source -- a flag, an archive, an
 * inventory, a meta.json someone else wrote -- before it is stored,
 * printed or quoted for a shell: only the characters a URL needs
 * (letters, digits and -._~:/@[]%+,=), never quotes, ";", "$", "`", "\",
 * spaces or control characters.  unix://, tcp:// and ssh:// URLs are
 * then parsed in full (endpoint_parse); npipe:// (Windows) is checked by
 * its characters alone; other schemes are refused.
 */
int endpoint_check_url(const char *url, struct cm_err *err);

/* The scheme's name ("ssh"). */
const char *endpoint_scheme_name(enum endpoint_scheme s);

/* Check a bare host name or user name for option injection and junk. */
int endpoint_check_host(const char *host, struct cm_err *err);
int endpoint_check_user(const char *user, struct cm_err *err);

#endif
