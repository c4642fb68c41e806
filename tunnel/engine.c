/* engine.c: a tiny HTTP/1.1 client for the Docker Engine (see engine.h). */
#include "common/compat.h"

#include <ctype.h>
#include <unistd.h>

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

static const char *
header_value(const char *hdrs, size_t len, const char *name)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		size_t start = i;
		while (i < len && hdrs[i] != '\n')
			i++;
		if (i - start > nl + 1 &&
		    strncasecmp(hdrs + start, name, nl) == 0 &&
		    hdrs[start + nl] == ':') {
			const char *v = hdrs + start + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return v;
		}
		i++;
	}
	return NULL;
}

/* Decode a chunked body from `p` (len bytes) into `out`; -1 if malformed. */
static int
dechunk(const char *p, size_t len, struct buf *out, int *complete)
{
	size_t i = 0;

	*complete = 0;
	while (i < len) {
		size_t n = 0, digits = 0;
		while (i < len && isxdigit((unsigned char)p[i])) {
			if (++digits > 8)
				return -1;
			n = n * 16 +
			    (size_t)(isdigit((unsigned char)p[i])
				    ? p[i] - '0'
				    : (tolower((unsigned char)p[i]) - 'a' +
					  10));
			i++;
		}
		if (digits == 0)
			return -1;
		while (i < len && p[i] != '\n')
			i++; /* chunk extensions */
		if (i >= len)
			return 0;
		i++;
		if (n == 0) {
			*complete = 1;
			return 0;
		}
		if (len - i < n)
			return 0;
		if (buf_add(out, p + i, n) != 0)
			return -1;
		i += n;
		if (i < len && p[i] == '\r')
			i++;
		if (i < len && p[i] == '\n')
			i++;
	}
	return 0;
}

int
engine_parse_response(const char *data, size_t len,
    struct engine_response *resp, struct cm_err *err)
{
	const char *end, *v, *body;
	size_t hlen, blen;
	long long clen = -1;
	int complete = 0;

	buf_reset(&resp->body);
	resp->status = 0;
	resp->api_version[0] = '\0';
	if ((end = memmem(data, len, "\r\n\r\n", 4)) == NULL) {
		if (len >= ENGINE_HEADERS_MAX)
			return err_set(err, ERR_PROTO,
			    "the daemon's answer has too long a header");
		return err_set(err, ERR_PROTO,
		    "the daemon's answer ended before its header did");
	}
	hlen = (size_t)(end - data);
	if (hlen < 12 || memcmp(data, "HTTP/1.", 7) != 0 || data[8] != ' ' ||
	    !isdigit((unsigned char)data[9]) ||
	    !isdigit((unsigned char)data[10]) ||
	    !isdigit((unsigned char)data[11]))
		return err_set(
		    err, ERR_PROTO, "the daemon did not answer HTTP");
	resp->status =
	    (data[9] - '0') * 100 + (data[10] - '0') * 10 + (data[11] - '0');
	if ((v = header_value(data, hlen, "Api-Version")) != NULL) {
		size_t n = 0;
		while (n + 1 < sizeof(resp->api_version) && v + n < end &&
		    (isalnum((unsigned char)v[n]) || v[n] == '.'))
			n++;
		memcpy(resp->api_version, v, n);
		resp->api_version[n] = '\0';
	}
	body = end + 4;
	blen = len - (size_t)(body - data);
	if ((v = header_value(data, hlen, "Transfer-Encoding")) != NULL &&
	    strncasecmp(v, "chunked", 7) == 0) {
		if (dechunk(body, blen, &resp->body, &complete) != 0)
			return err_set(err, ERR_PROTO,
			    "the daemon's chunked answer is malformed or too "
			    "large");
		return 0;
	}
	if ((v = header_value(data, hlen, "Content-Length")) != NULL) {
		clen = 0;
		while (isdigit((unsigned char)*v) && clen < (1LL << 40))
			clen = clen * 10 + (*v++ - '0');
		if ((size_t)clen < blen)
			blen = (size_t)clen;
		else if ((size_t)clen > blen)
			return err_set(err, ERR_PROTO,
			    "the daemon's answer is shorter than it said");
	}
	if (buf_add(&resp->body, body, blen) != 0)
		return err_set(
		    err, ERR_TOOBIG, "the daemon's answer is too large");
	return 0;
}

int
engine_get(const struct engine_io *io, const char *path,
    struct engine_response *resp, struct cm_err *err)
{
	struct buf req, raw;
	char tmp[8192];
	ssize_t n;
	int r;

	buf_init(&req, 4096);
	buf_init(&raw, resp->body.max + ENGINE_HEADERS_MAX);
	buf_printf(&req,
	    "GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: ctxmgr\r\n"
	    "Connection: close\r\n\r\n",
	    path);
	if ((r = io->write(io->arg, req.data, req.len, err)) != 0)
		goto out;
	for (;;) {
		n = io->read(io->arg, tmp, sizeof(tmp), err);
		if (n < 0) {
			r = (int)n;
			goto out;
		}
		if (n == 0)
			break;
		if (buf_add(&raw, tmp, (size_t)n) != 0) {
			r = err_set(err, ERR_TOOBIG,
			    "the daemon's answer is too large");
			goto out;
		}
		/* a complete Content-Length answer ends the wait early */
		const char *e = memmem(raw.data, raw.len, "\r\n\r\n", 4);
		const char *cl = e
		    ? header_value(
			  raw.data, (size_t)(e - raw.data), "Content-Length")
		    : NULL;
		if (cl != NULL &&
		    raw.len - (size_t)(e + 4 - raw.data) >= (size_t)atoll(cl))
			break;
	}
	r = engine_parse_response(raw.data, raw.len, resp, err);
out:
	buf_release(&req);
	buf_release(&raw);
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
