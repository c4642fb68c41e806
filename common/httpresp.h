/*
 * httpresp.h: a strict, incremental HTTP/1.1 response parser, for answers
 * from peers that are not trusted (a remote Docker daemon, a tunnel's far
 * end).  It takes Content-Length and chunked bodies only, caps the head,
 * every line and the body, refuses conflicting lengths, obsolete line
 * folding and control characters.
 */
#ifndef CTXMGR_HTTPRESP_H
#define CTXMGR_HTTPRESP_H

#include "common/buf.h"
#include "common/err.h"
#include "common/util.h"

#define HTTP_MAX_BODY ((size_t)16 << 20)
#define HTTP_MAX_HEAD ((size_t)64 << 10)
#define HTTP_MAX_LINE ((size_t)8 << 10)
#define HTTP_MAX_HEADERS 100

/* An incremental response parser (one response). */
struct http_resp {
	size_t max_body;
	int status; /* 100..599 once the status line is read */
	int minor; /* HTTP/1.minor */
	struct strv names, values; /* headers, names as sent */
	struct buf body;
	int keep_alive; /* the connection may carry another request */
	/* set before feeding: */
	int no_body; /* the answer to a HEAD: no body whatever it says */
	int discard; /* count the body, keep none of it (no size cap) */
	/* requests (http_resp_init_request): */
	int request; /* the start line is a request line */
	int head; /* the method is HEAD */
	int upgrade; /* it asks for another protocol (Upgrade) */
	/* parser state */
	int state;
	struct buf line;
	uint64_t remaining;
	uint64_t content_length;
	int have_length, chunked, interim;
	size_t head_bytes;
};

/* Start a parser; `max_body` 0 means HTTP_MAX_BODY. */
void http_resp_init(struct http_resp *r, size_t max_body);
/*
 * Start a parser of one request, with the same rules: a body only with a
 * Content-Length or chunked (bodies are counted, not kept), `request`,
 * `head`, `upgrade` and `keep_alive` set from the head.
 */
void http_resp_init_request(struct http_resp *r);
void http_resp_release(struct http_resp *r);

/*
 * Feed bytes.  Returns 1 when the response is complete (`*used` says how
 * many bytes of `data` it took), 0 when it needs more, or a negative
 * ERR_* with a message.
 */
int http_resp_feed(struct http_resp *r, const char *data, size_t len,
    size_t *used, struct cm_err *err);

/* 1 when nothing was fed since the parser was started. */
int http_resp_fresh(const struct http_resp *r);

/* The peer closed: completes a body delimited by the close, else fails. */
int http_resp_eof(struct http_resp *r, struct cm_err *err);

/* A header's value (the first, names compared without case), or NULL. */
const char *http_resp_header(const struct http_resp *r, const char *name);

#endif
