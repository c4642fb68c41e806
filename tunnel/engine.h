/*
 * engine.h: the smallest HTTP/1.1 client that can ask a Docker Engine a
 * question (GET /_ping, GET /version) over any byte stream: an SSH
 * stream (ssh.h) or a local socket.  Responses are untrusted: they go
 * through the strict parser of common/httpresp.h (capped head, lines and
 * body; Content-Length or chunked; no conflicting lengths).
 */
#ifndef CTXMGR_ENGINE_H
#define CTXMGR_ENGINE_H

#include "common/buf.h"
#include "common/err.h"

#define ENGINE_HEADERS_MAX 16384

struct engine_io {
	/* read up to n bytes: count, 0 at end, negative ERR_* */
	ssize_t (*read)(void *arg, void *p, size_t n, struct cm_err *err);
	/* write all n bytes: 0 or negative ERR_* */
	int (*write)(void *arg, const void *p, size_t n, struct cm_err *err);
	void *arg;
};

struct engine_response {
	int status; /* 200 */
	struct buf body;
	char api_version[32]; /* the Api-Version header, if any */
};

void engine_response_init(struct engine_response *r, size_t max_body);
void engine_response_release(struct engine_response *r);

/* Send "GET path" (Connection: close) and read the response. */
int engine_get(const struct engine_io *io, const char *path,
    struct engine_response *resp, struct cm_err *err);

/* Parse a response held whole in memory (for tests and the fuzzer). */
int engine_parse_response(const char *data, size_t len,
    struct engine_response *resp, struct cm_err *err);

/* engine_io over a connected socket descriptor (arg: pointer to int). */
extern const struct engine_io engine_fd_io;
int engine_fd_io_make(int *fdp, struct engine_io *io);

#endif
