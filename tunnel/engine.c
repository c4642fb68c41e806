/* engine.c: a tiny HTTP/1.1 client for the Docker Engine (see engine.h). */
#include "common/compat.h"

#include <ctype.h>
#include <unistd.h>

#include "common/httpresp.h"
#include "tunnel/engine.h"

void
engine_response_init(struct engine_response *r, size_t max_body)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, max_body);
}

void
engine_response_release(struct engine_response *r)
{
	buf_release(&r->body);
}

/* Copy what the caller keeps of a finished answer. */
static int
take_answer(
    struct http_resp *h, struct engine_response *resp, struct cm_err *err)
{
	const char *v;
	size_t n = 0;

	resp->status = h->status;
	if ((v = http_resp_header(h, "Api-Version")) != NULL) {
		while (n + 1 < sizeof(resp->api_version) &&
		    (isalnum((unsigned char)v[n]) || v[n] == '.'))
			n++;
		memcpy(resp->api_version, v, n);
		resp->api_version[n] = '\0';
	}
	if (buf_add(&resp->body, h->body.data, h->body.len) != 0)
		return err_set(
		    err, ERR_TOOBIG, "the daemon's answer is too large");
	return 0;
}

/* Feed `len` bytes (0 with eof set: the peer closed); 1 when the answer
 * is complete. */
static int
feed(struct http_resp *h, const char *data, size_t len, int eof,
    struct cm_err *err)
{
	size_t used;
	int r;

	if (eof)
		r = http_resp_eof(h, err) == 0 ? 1 : err->code;
	else
		r = http_resp_feed(h, data, len, &used, err);
	if (r < 0)
		return err_prefix(err, "the daemon's answer is not valid HTTP");
	return r;
}

int
engine_parse_response(const char *data, size_t len,
    struct engine_response *resp, struct cm_err *err)
{
	struct http_resp h;
	int r;

	buf_reset(&resp->body);
	resp->status = 0;
	resp->api_version[0] = '\0';
	http_resp_init(&h, resp->body.max);
	if ((r = feed(&h, data, len, 0, err)) == 0)
		r = feed(&h, NULL, 0, 1, err);
	if (r == 1)
		r = take_answer(&h, resp, err);
	http_resp_release(&h);
	return r;
}

int
engine_get(const struct engine_io *io, const char *path,
    struct engine_response *resp, struct cm_err *err)
{
	struct http_resp h;
	struct buf req;
	char tmp[8192];
	ssize_t n;
	int r;

	buf_reset(&resp->body);
	resp->status = 0;
	resp->api_version[0] = '\0';
	buf_init(&req, 4096);
	http_resp_init(&h, resp->body.max);
	buf_printf(&req,
	    "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: ctxmgr\r\n"
	    "Connection: close\r\n\r\n",
	    path);
	if ((r = io->write(io->arg, req.data, req.len, err)) != 0)
		goto out;
	do {
		if ((n = io->read(io->arg, tmp, sizeof(tmp), err)) < 0) {
			r = (int)n;
			goto out;
		}
		/* a complete answer ends the wait, before the close */
		r = feed(&h, tmp, (size_t)n, n == 0, err);
	} while (r == 0);
	if (r == 1)
		r = take_answer(&h, resp, err);
out:
	http_resp_release(&h);
	buf_release(&req);
	return r;
}

static ssize_t
fd_read(void *arg, void *p, size_t n, struct cm_err *err)
{
	ssize_t r;

	do
		r = read(*(int *)arg, p, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(err, "read from the daemon");
	return r;
}

static int
fd_write(void *arg, const void *p, size_t n, struct cm_err *err)
{
	const char *s = p;
	ssize_t r;

	while (n > 0) {
		r = write(*(int *)arg, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_sys(err, "write to the daemon");
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

const struct engine_io engine_fd_io = { fd_read, fd_write, NULL };

int
engine_fd_io_make(int *fdp, struct engine_io *io)
{
	*io = engine_fd_io;
	io->arg = fdp;
	return 0;
}
