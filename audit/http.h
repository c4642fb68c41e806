/*
 * http.h: a small, strict HTTP/1.1 client for the Docker Engine API.
 *
 * It talks to a unix socket (the daemon's own, or the local socket of an
 * SSH tunnel) or to tcp://host:port, plain or over TLS with the context's
 * certificates.  A batch of GET requests is spread over several keep-alive
 * connections served by one poll(2) loop, so a hundred inspects cost a few
 * round trips, not a hundred.
 *
 * Nothing from the peer is trusted: the response parser takes
 * Content-Length and chunked bodies only, caps the head, every line and the
 * body, refuses conflicting lengths, obsolete line folding and control
 * characters, and every phase has a deadline.  A failure is recorded per
 * request; one broken answer never stops the others.
 */
#ifndef CTXMGR_HTTP_H
#define CTXMGR_HTTP_H

#include "common/buf.h"
#include "common/err.h"
#include "common/httpresp.h"
#include "common/util.h"

/* TLS settings for a tcp target (PEM text; empty means none). */
struct http_tls {
	const char *ca;
	size_t ca_len;
	const char *cert;
	size_t cert_len;
	const char *key; /* secret: never copied outside OpenSSL */
	size_t key_len;
	int verify; /* check the server's certificate and name */
};

struct http_target {
	const char *unix_path; /* a unix socket, or NULL for tcp */
	const char *host; /* tcp host name or address */
	int port;
	const struct http_tls *tls; /* NULL: plain HTTP */
	int timeout_ms; /* idle limit per request (0: 10 s) */
	int total_ms; /* limit for a whole batch (0: 60 s) */
	size_t max_body; /* per response (0: HTTP_MAX_BODY) */
	int nconn; /* connections used at once (0: 4) */
	const char *user_agent; /* NULL: "ctxmgr" */
};

/* One GET; the caller sets `path`, http_run fills the rest. */
struct http_req {
	const char *path; /* "/containers/json?all=1", already encoded */
	int rc; /* 0, or why there is no complete response */
	struct cm_err err;
	int status;
	struct strv names, values; /* response headers */
	struct buf body;
};

/* Prepare and free requests (the body and headers). */
void http_req_init(struct http_req *q, const char *path);
void http_req_release(struct http_req *q);

/* A response header of a finished request, or NULL. */
const char *http_req_header(const struct http_req *q, const char *name);

/*
 * Run `n` requests against `t`, concurrently over up to t->nconn
 * connections.  Returns 0 once every request has a result (each with its
 * own rc), or a negative code when nothing could be tried at all (bad TLS
 * material).  Requests that failed on a connection that had already served
 * one are retried once on a new connection.
 */
int http_run(const struct http_target *t, struct http_req *reqs, size_t n,
    struct cm_err *err);

/* Append `s` to `out` percent-encoded for use in a URL path segment. */
int http_path_escape(struct buf *out, const char *s);

#endif
