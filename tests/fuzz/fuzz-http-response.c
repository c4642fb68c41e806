/*
 * fuzz-http-response.c: the strict HTTP parser, for the Engine API
 * client's responses and for the tunnel's following of a channel's
 * exchanges (requests; answers to HEAD; bodies counted, not kept).  The
 * first byte picks how the rest is cut into reads, as a network would,
 * and the mode; the same bytes read whole must give the same answer, so
 * the parser's state can never depend on where reads end.
 */
#include "common/compat.h"

#include "common/httpresp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse with reads of `step` bytes: 1 complete, or a negative code. */
static int
parse(const uint8_t *data, size_t size, size_t step, int mode,
    struct http_resp *r)
{
	struct cm_err err;
	size_t off = 0, n = 0, used = 0;
	int rc = 0;

	if (mode == 3)
		http_resp_init_request(r);
	else
		http_resp_init(r, 4096);
	r->discard = r->discard || mode == 1;
	r->no_body = mode == 2;
	while (off < size) {
		n = size - off < step ? size - off : step;
		rc =
		    http_resp_feed(r, (const char *)data + off, n, &used, &err);
		if (rc != 0)
			break;
		off += n;
	}
	if (rc == 1 && used > n)
		abort();
	if (rc == 1 && http_resp_fresh(r))
		abort();
	if (rc == 0 && mode != 3)
		rc = http_resp_eof(r, &err) == 0 ? 1 : err.code;
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp a, b;
	size_t step;
	int ra, rb, mode;

	if (size == 0)
		return 0;
	step = (size_t)data[0] % 17 + 1;
	mode = data[0] / 17 % 4;
	data++;
	size--;
	ra = parse(data, size, step, mode, &a);
	rb = parse(data, size, size ? size : 1, mode, &b);
	/* a message complete in pieces is complete whole, and equal */
	if (ra == 1 && mode == 3) {
		if (rb != 1 || a.head != b.head || a.upgrade != b.upgrade ||
		    a.keep_alive != b.keep_alive || a.body.len != 0)
			abort();
	} else if (ra == 1) {
		if (a.status < 100 || a.status > 599 || a.body.len > 4096)
			abort();
		if (mode == 1 && a.body.len != 0)
			abort();
		if (rb != 1 || a.status != b.status ||
		    a.body.len != b.body.len ||
		    memcmp(a.body.data, b.body.data, a.body.len) != 0)
			abort();
		(void)http_resp_header(&a, "Content-Type");
	}
	http_resp_release(&a);
	http_resp_release(&b);
	return 0;
}
