/* httpresp.c: the strict HTTP/1.1 response parser (see httpresp.h). */
#include "common/compat.h"

#include <strings.h>

#include "common/httpresp.h"

enum {
	RS_STATUS,
	RS_HEADERS,
	RS_BODY_LEN,
	RS_BODY_CLOSE,
	RS_CHUNK_SIZE,
	RS_CHUNK_DATA,
	RS_CHUNK_END,
	RS_TRAILERS,
	RS_DONE
};

#define HTTP_MAX_INTERIM 8 /* 1xx answers skipped before the real one */

void
http_resp_init(struct http_resp *r, size_t max_body)
{
	memset(r, 0, sizeof(*r));
	r->max_body = max_body ? max_body : HTTP_MAX_BODY;
	buf_init(&r->body, r->max_body);
	buf_init(&r->line, HTTP_MAX_LINE);
	r->state = RS_STATUS;
}

void
http_resp_init_request(struct http_resp *r)
{
	http_resp_init(r, 0);
	r->request = 1;
	r->discard = 1;
}

void
http_resp_release(struct http_resp *r)
{
	strv_free(&r->names);
	strv_free(&r->values);
	buf_release(&r->body);
	buf_release(&r->line);
}

const char *
http_resp_header(const struct http_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->names.n; i++)
		if (strcasecmp(r->names.v[i], name) == 0)
			return r->values.v[i];
	return NULL;
}

static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * Collect one CRLF-terminated line into r->line (without the CRLF).
 * Returns 1 with a line, 0 when more input is needed, or an error.
 */
static int
take_line(struct http_resp *r, const char *data, size_t len, size_t *pos,
    struct cm_err *err)
{
	const char *nl;
	size_t n;

	nl = memchr(data + *pos, '\n', len - *pos);
	n = nl ? (size_t)(nl - (data + *pos)) + 1 : len - *pos;
	if (r->state != RS_CHUNK_SIZE && r->state != RS_CHUNK_END) {
		r->head_bytes += n;
		if (r->head_bytes > HTTP_MAX_HEAD)
			return err_set(err, ERR_TOOBIG,
			    "response head over %zu bytes", HTTP_MAX_HEAD);
	}
	if (buf_add(&r->line, data + *pos, n) != 0)
		return err_set(err, ERR_TOOBIG, "response line over %zu bytes",
		    HTTP_MAX_LINE);
	*pos += n;
	if (nl == NULL)
		return 0;
	if (r->line.len < 2 || r->line.data[r->line.len - 2] != '\r')
		return err_set(
		    err, ERR_PROTO, "response line not ended by CRLF");
	r->line.len -= 2;
	r->line.data[r->line.len] = '\0';
	return 1;
}

/* METHOD SP request-target SP HTTP/1.x */
static int
parse_request_line(struct http_resp *r, struct cm_err *err)
{
	const unsigned char *s = (const unsigned char *)r->line.data;
	size_t i, m, t;

	for (m = 0; is_tchar(s[m]); m++)
		;
	for (t = m + 1; m > 0 && s[m] == ' ' && s[t] > 0x20 && s[t] < 0x7f; t++)
		;
	if (m == 0 || s[m] != ' ' || t == m + 1 || r->line.len != t + 9 ||
	    memcmp(s + t, " HTTP/1.", 8) != 0 ||
	    (s[t + 8] != '0' && s[t + 8] != '1'))
		return err_set(err, ERR_PROTO, "malformed request line");
	for (i = 0; i < r->line.len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return err_set(err, ERR_PROTO,
			    "control character in the request line");
	r->minor = s[t + 8] - '0';
	r->head = m == 4 && memcmp(s, "HEAD", 4) == 0;
	r->keep_alive = r->minor == 1;
	return 0;
}

static int
parse_status(struct http_resp *r, struct cm_err *err)
{
	const unsigned char *s = (const unsigned char *)r->line.data;
	size_t i;

	if (r->line.len < 12 || memcmp(s, "HTTP/1.", 7) != 0 ||
	    (s[7] != '0' && s[7] != '1') || s[8] != ' ' || s[9] < '1' ||
	    s[9] > '5' || s[10] < '0' || s[10] > '9' || s[11] < '0' ||
	    s[11] > '9' || (r->line.len > 12 && s[12] != ' '))
		return err_set(err, ERR_PROTO, "malformed status line");
	for (i = 12; i < r->line.len; i++)
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return err_set(err, ERR_PROTO,
			    "control character in the status line");
	r->minor = s[7] - '0';
	r->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	r->keep_alive = r->minor == 1;
	return 0;
}

/* Parse Content-Length: digits only, no overflow, within the body cap. */
static int
parse_length(struct http_resp *r, const char *v, struct cm_err *err)
{
	uint64_t n = 0;
	const char *p;

	if (*v == '\0')
		return err_set(err, ERR_PROTO, "empty Content-Length");
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return err_set(
			    err, ERR_PROTO, "malformed Content-Length");
		if (n > (UINT64_MAX - 9) / 10)
			return err_set(
			    err, ERR_TOOBIG, "Content-Length overflows");
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (r->have_length && n != r->content_length)
		return err_set(err, ERR_PROTO, "conflicting Content-Length");
	if (n > r->max_body && !r->discard)
		return err_set(err, ERR_TOOBIG,
		    "response body of %llu bytes is over the %zu byte limit",
		    (unsigned long long)n, r->max_body);
	r->have_length = 1;
	r->content_length = n;
	return 0;
}

/* 1 if the comma-separated header value holds `token`. */
static int
has_token(const char *v, const char *token)
{
	size_t tl = strlen(token), n;
	const char *p = v;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		n = strcspn(p, ", \t");
		if (n == tl && strncasecmp(p, token, tl) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* One header line (or trailer with `trailer` set). */
static int
parse_header(struct http_resp *r, int trailer, struct cm_err *err)
{
	char *s = r->line.data, *colon, *v, *end;
	size_t i;

	if (*s == ' ' || *s == '\t')
		return err_set(err, ERR_PROTO, "obsolete header line folding");
	if (r->names.n >= HTTP_MAX_HEADERS)
		return err_set(
		    err, ERR_TOOBIG, "more than %d headers", HTTP_MAX_HEADERS);
	for (i = 0; is_tchar((unsigned char)s[i]); i++)
		;
	if (i == 0 || s[i] != ':')
		return err_set(err, ERR_PROTO, "malformed header line");
	colon = s + i;
	*colon = '\0';
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = s + r->line.len;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (i = 0; v + i < end; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return err_set(err, ERR_PROTO,
			    "control character in header \"%s\"", s);
	}
	if (!trailer) {
		if (strcasecmp(s, "Content-Length") == 0 &&
		    parse_length(r, v, err) != 0)
			return err->code;
		if (strcasecmp(s, "Transfer-Encoding") == 0) {
			if (strcasecmp(v, "chunked") != 0)
				return err_set(err, ERR_PROTO,
				    "unsupported Transfer-Encoding");
			if (r->chunked)
				return err_set(err, ERR_PROTO,
				    "repeated Transfer-Encoding");
			r->chunked = 1;
		}
		if (strcasecmp(s, "Upgrade") == 0)
			r->upgrade = 1;
		if (strcasecmp(s, "Connection") == 0) {
			if (has_token(v, "upgrade"))
				r->upgrade = 1;
			if (has_token(v, "close"))
				r->keep_alive = 0;
			else if (has_token(v, "keep-alive"))
				r->keep_alive = 1;
		}
	}
	strv_push(&r->names, s);
	strv_push(&r->values, v);
	return 0;
}

/* The head is complete: decide how the body is delimited. */
static int
end_of_head(struct http_resp *r, struct cm_err *err)
{
	if (r->request) {
		if (r->chunked && r->have_length)
			return err_set(err, ERR_PROTO,
			    "both Content-Length and Transfer-Encoding");
		if (r->chunked)
			r->state = RS_CHUNK_SIZE;
		else
			r->state = r->content_length ? RS_BODY_LEN : RS_DONE;
		r->remaining = r->content_length;
		return 0;
	}
	if (r->status >= 100 && r->status < 200) {
		if (r->status == 101)
			return err_set(
			    err, ERR_PROTO, "unexpected switch of protocols");
		if (++r->interim > HTTP_MAX_INTERIM)
			return err_set(
			    err, ERR_PROTO, "too many interim responses");
		strv_free(&r->names);
		strv_free(&r->values);
		r->have_length = r->chunked = 0;
		r->state = RS_STATUS;
		return 0;
	}
	if (r->chunked && r->have_length)
		return err_set(err, ERR_PROTO,
		    "both Content-Length and Transfer-Encoding");
	if (r->status == 204 || r->status == 304 || r->no_body) {
		r->state = RS_DONE;
		return 0;
	}
	if (r->chunked)
		r->state = RS_CHUNK_SIZE;
	else if (r->have_length) {
		r->remaining = r->content_length;
		r->state = r->remaining ? RS_BODY_LEN : RS_DONE;
	} else {
		r->keep_alive = 0;
		r->state = RS_BODY_CLOSE;
	}
	return 0;
}

static int
parse_chunk_size(struct http_resp *r, struct cm_err *err)
{
	const char *s = r->line.data;
	uint64_t n = 0;
	size_t i;
	int h;

	for (i = 0; (h = hex_digit((unsigned char)s[i])) >= 0; i++) {
		if (i >= 15)
			return err_set(err, ERR_TOOBIG, "chunk size overflows");
		n = n * 16 + (uint64_t)h;
	}
	if (i == 0)
		return err_set(err, ERR_PROTO, "malformed chunk size");
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] != '\0' && s[i] != ';')
		return err_set(err, ERR_PROTO, "malformed chunk size");
	for (; s[i] != '\0'; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return err_set(err, ERR_PROTO,
			    "control character in a chunk extension");
	if (!r->discard && n > r->max_body - r->body.len)
		return err_set(err, ERR_TOOBIG,
		    "response body is over the %zu byte limit", r->max_body);
	r->remaining = n;
	r->state = n ? RS_CHUNK_DATA : RS_TRAILERS;
	return 0;
}

/* Copy body bytes: up to r->remaining, or everything when close-delimited. */
static int
take_body(struct http_resp *r, const char *data, size_t len, size_t *pos,
    struct cm_err *err)
{
	size_t n = len - *pos;

	if (r->state != RS_BODY_CLOSE && n > r->remaining)
		n = (size_t)r->remaining;
	if (!r->discard && buf_add(&r->body, data + *pos, n) != 0)
		return err_set(err, ERR_TOOBIG,
		    "response body is over the %zu byte limit", r->max_body);
	*pos += n;
	if (r->state != RS_BODY_CLOSE)
		r->remaining -= n;
	return 0;
}

int
http_resp_feed(struct http_resp *r, const char *data, size_t len, size_t *used,
    struct cm_err *err)
{
	size_t pos = 0;
	int rc;

	while (r->state != RS_DONE && pos < len) {
		switch (r->state) {
		case RS_BODY_LEN:
		case RS_CHUNK_DATA:
		case RS_BODY_CLOSE:
			if ((rc = take_body(r, data, len, &pos, err)) != 0)
				return rc;
			if (r->state == RS_BODY_LEN && r->remaining == 0)
				r->state = RS_DONE;
			else if (r->state == RS_CHUNK_DATA && r->remaining == 0)
				r->state = RS_CHUNK_END;
			continue;
		default:
			break;
		}
		if ((rc = take_line(r, data, len, &pos, err)) <= 0) {
			if (rc < 0)
				return rc;
			break;
		}
		rc = 0;
		switch (r->state) {
		case RS_STATUS:
			rc = r->request ? parse_request_line(r, err)
					: parse_status(r, err);
			r->state = RS_HEADERS;
			break;
		case RS_HEADERS:
			rc = r->line.len == 0 ? end_of_head(r, err)
					      : parse_header(r, 0, err);
			break;
		case RS_CHUNK_SIZE:
			rc = parse_chunk_size(r, err);
			break;
		case RS_CHUNK_END:
			if (r->line.len != 0)
				rc = err_set(err, ERR_PROTO,
				    "chunk data not followed by CRLF");
			r->state = RS_CHUNK_SIZE;
			break;
		case RS_TRAILERS:
			if (r->line.len == 0)
				r->state = RS_DONE;
			else
				rc = parse_header(r, 1, err);
			break;
		}
		buf_reset(&r->line);
		if (rc != 0)
			return rc;
	}
	*used = pos;
	return r->state == RS_DONE;
}

int
http_resp_fresh(const struct http_resp *r)
{
	return r->state == RS_STATUS && r->line.len == 0 &&
	    r->head_bytes == 0 && r->interim == 0;
}

int
http_resp_eof(struct http_resp *r, struct cm_err *err)
{
	if (r->state == RS_DONE)
		return 0;
	if (r->state == RS_BODY_CLOSE) {
		r->state = RS_DONE;
		return 0;
	}
	if (r->state == RS_STATUS && r->line.len == 0 && r->interim == 0)
		return err_set(
		    err, ERR_PROTO, "connection closed before a response");
	return err_set(err, ERR_PROTO, "connection closed in the middle of %s",
	    r->state == RS_STATUS || r->state == RS_HEADERS
		? "the response head"
		: "the response body");
}
