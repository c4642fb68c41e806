/* test-http.c: the strict HTTP/1.1 response parser and path escaping. */
#define UNIT_IMPLEMENTATION
#include "unit.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "audit/http.h"

/* Feed `s` in pieces of `step` bytes; returns the final result. */
static int
feed(struct http_resp *r, const char *s, size_t step, struct cm_err *e)
{
	size_t len = strlen(s), off = 0, n, used;
	int rc = 0;

	while (off < len) {
		n = len - off < step ? len - off : step;
		rc = http_resp_feed(r, s + off, n, &used, e);
		if (rc != 0)
			return rc;
		off += n;
	}
	return rc;
}

static void
expect_ok(const char *s, int status, const char *body, int keep_alive)
{
	static const size_t steps[] = { 1, 2, 7, 4096 };
	struct http_resp r;
	struct cm_err e;
	size_t i;
	int rc;

	for (i = 0; i < nitems(steps); i++) {
		http_resp_init(&r, 1024);
		rc = feed(&r, s, steps[i], &e);
		if (rc == 0)
			rc = http_resp_eof(&r, &e) == 0 ? 1 : -1;
		if (rc != 1)
			fail_msg("step %zu: %s", steps[i], e.msg);
		assert_int_equal(r.status, status);
		assert_int_equal(r.body.len, strlen(body));
		assert_memory_equal(r.body.data, body, r.body.len);
		assert_int_equal(r.keep_alive, keep_alive);
		http_resp_release(&r);
	}
}

static void
expect_err(const char *s, size_t max_body, int code, const char *msg)
{
	struct http_resp r;
	struct cm_err e;
	int rc;

	err_init(&e);
	http_resp_init(&r, max_body);
	rc = feed(&r, s, 3, &e);
	if (rc == 0)
		rc = http_resp_eof(&r, &e);
	if (rc >= 0)
		fail_msg("accepted: %s", s);
	assert_int_equal(rc, code);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg);
	http_resp_release(&r);
}

static void
test_valid(void **state)
{
	(void)state;
	expect_ok(
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", 200, "OK", 1);
	expect_ok("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "3\r\nabc\r\n1;ext=1\r\nd\r\n0\r\nX-Trailer: y\r\n\r\n",
	    200, "abcd", 1);
	expect_ok("HTTP/1.0 200 OK\r\n\r\nuntil close", 200, "until close", 0);
	expect_ok("HTTP/1.1 204 No Content\r\n\r\n", 204, "", 1);
	expect_ok("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
		  "0\r\n\r\n",
	    200, "", 0);
	expect_ok("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n"
		  "Content-Length: 3\r\n\r\nnot",
	    404, "not", 1);
	expect_ok("HTTP/1.1 200\r\nContent-Length: 1\r\nX-Empty:\r\n\r\nx", 200,
	    "x", 1);
	/* two identical lengths are one length */
	expect_ok("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: "
		  "1\r\n\r\nz",
	    200, "z", 1);
}

static void
test_headers(void **state)
{
	struct http_resp r;
	struct cm_err e;
	size_t used;
	const char *s = "HTTP/1.1 200 OK\r\nApi-Version:  1.41 \r\nServer: "
			"Docker/20.10\r\nContent-Length: 0\r\n\r\n";

	(void)state;
	http_resp_init(&r, 0);
	assert_int_equal(http_resp_feed(&r, s, strlen(s), &used, &e), 1);
	assert_int_equal(used, strlen(s));
	assert_string_equal(http_resp_header(&r, "api-version"), "1.41");
	assert_string_equal(http_resp_header(&r, "SERVER"), "Docker/20.10");
	assert_null(http_resp_header(&r, "Ostype"));
	http_resp_release(&r);
}

static void
test_leftover(void **state)
{
	struct http_resp r;
	struct cm_err e;
	size_t used;
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxEXTRA";

	(void)state;
	http_resp_init(&r, 0);
	assert_int_equal(http_resp_feed(&r, s, strlen(s), &used, &e), 1);
	assert_int_equal(used, strlen(s) - 5);
	http_resp_release(&r);
}

static void
test_errors(void **state)
{
	char big[HTTP_MAX_LINE + 100], many[HTTP_MAX_HEADERS * 8 + 200];
	size_t i;

	(void)state;
	expect_err("HTTP/2 200 OK\r\n\r\n", 0, ERR_PROTO, "status line");
	expect_err("HTTP/1.1 20 OK\r\n\r\n", 0, ERR_PROTO, "status line");
	expect_err("HTTP/1.1 200OK\r\n\r\n", 0, ERR_PROTO, "status line");
	expect_err("HTTP/1.1 700 Huh\r\n\r\n", 0, ERR_PROTO, "status line");
	expect_err("HTTP/1.1 200 OK\n\n", 0, ERR_PROTO, "CRLF");
	expect_err("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", 0, ERR_PROTO,
	    "malformed header");
	expect_err("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", 0, ERR_PROTO,
	    "folding");
	expect_err("HTTP/1.1 200 OK\r\nX: a\001b\r\n\r\n", 0, ERR_PROTO,
	    "control character");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding:"
		   " chunked\r\n\r\n",
	    0, ERR_PROTO, "both");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: "
		   "2\r\n\r\nx",
	    0, ERR_PROTO, "conflicting");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0,
	    ERR_PROTO, "Content-Length");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n", 0,
	    ERR_PROTO, "Content-Length");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: "
		   "99999999999999999999999\r\n\r\n",
	    0, ERR_TOOBIG, "overflows");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", 1000,
	    ERR_TOOBIG, "limit");
	expect_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0,
	    ERR_PROTO, "Transfer-Encoding");
	expect_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "zz\r\n",
	    0, ERR_PROTO, "chunk size");
	expect_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "ffffffffffffffffff\r\n",
	    0, ERR_TOOBIG, "overflows");
	expect_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "3\r\nabcX\r\n0\r\n\r\n",
	    0, ERR_PROTO, "CRLF");
	expect_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "800\r\n",
	    1000, ERR_TOOBIG, "limit");
	expect_err("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n"
		   "ab",
	    0, ERR_PROTO, "middle of the response body");
	expect_err("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0,
	    ERR_PROTO, "middle");
	expect_err(
	    "HTTP/1.1 200 OK\r\nContent-Le", 0, ERR_PROTO, "response head");
	expect_err("", 0, ERR_PROTO, "before a response");
	expect_err("HTTP/1.1 101 Switching\r\n\r\n", 0, ERR_PROTO,
	    "switch of protocols");
	/* a line over the cap */
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', sizeof(big) - 21);
	big[sizeof(big) - 1] = '\0';
	expect_err(big, 0, ERR_TOOBIG, "line over");
	/* too many headers */
	snprintf(many, sizeof(many), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i <= HTTP_MAX_HEADERS; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "X: 1\r\n");
	expect_err(many, 0, ERR_TOOBIG, "headers");
}

/* Requests: one whole request, all of it taken, and its flags. */
static void
expect_req(const char *s, int head, int upgrade, int ka)
{
	static const size_t steps[] = { 1, 3, 4096 };
	struct http_resp r;
	struct cm_err e;
	size_t i, off, n, used = 0, len = strlen(s);
	int rc = 0;

	for (i = 0; i < nitems(steps); i++) {
		http_resp_init_request(&r);
		assert_true(http_resp_fresh(&r));
		for (off = 0; off < len; off += used) {
			n = len - off < steps[i] ? len - off : steps[i];
			rc = http_resp_feed(&r, s + off, n, &used, &e);
			if (rc != 0)
				break;
		}
		if (rc != 1)
			fail_msg("step %zu: %d %s", steps[i], rc, e.msg);
		assert_int_equal(off + used, len);
		assert_false(http_resp_fresh(&r));
		assert_int_equal(r.head, head);
		assert_int_equal(r.upgrade, upgrade);
		assert_int_equal(r.keep_alive, ka);
		assert_int_equal(r.body.len, 0); /* counted, not kept */
		http_resp_release(&r);
	}
}

static void
test_requests(void **state)
{
	struct http_resp r;
	struct cm_err e;
	size_t used;
	const char *two = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b";
	const char *huge =
	    "PUT /x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\nabc";

	(void)state;
	expect_req(
	    "GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n", 0, 0, 1);
	expect_req("HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n", 1, 0, 1);
	expect_req("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 0, 0, 1);
	expect_req("PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "2\r\nab\r\n0\r\n\r\n",
	    0, 0, 1);
	expect_req("POST /containers/x/attach HTTP/1.1\r\nConnection: "
		   "Upgrade\r\nUpgrade: tcp\r\n\r\n",
	    0, 1, 1);
	expect_req("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 0, 0);
	expect_req("GET / HTTP/1.0\r\n\r\n", 0, 0, 0);
	/* a body far over any response cap is only counted */
	http_resp_init_request(&r);
	assert_int_equal(http_resp_feed(&r, huge, strlen(huge), &used, &e), 0);
	assert_int_equal(used, strlen(huge));
	http_resp_release(&r);
	/* pipelined: the first request ends where the second begins */
	http_resp_init_request(&r);
	assert_int_equal(http_resp_feed(&r, two, strlen(two), &used, &e), 1);
	assert_int_equal(used, strlen(two) - 6);
	http_resp_release(&r);
	/* malformed request lines */
	static const char *const bad[] = { "GET\r\n\r\n",
		"GET / HTTP/2\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1 \r\n\r\n", "G(T / HTTP/1.1\r\n\r\n",
		"GET /\001 HTTP/1.1\r\n\r\n", "\r\nGET / HTTP/1.1\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
		"chunked\r\n\r\n" };
	size_t i;
	for (i = 0; i < nitems(bad); i++) {
		http_resp_init_request(&r);
		if (http_resp_feed(&r, bad[i], strlen(bad[i]), &used, &e) >= 0)
			fail_msg("taken: %s", bad[i]);
		http_resp_release(&r);
	}
}

/* The answer to a HEAD has no body, whatever its length says. */
static void
test_no_body_discard(void **state)
{
	struct http_resp r;
	struct cm_err e;
	size_t used;
	const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
	const char *big = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
	char body[5000];

	(void)state;
	http_resp_init(&r, 0);
	r.no_body = 1;
	assert_int_equal(http_resp_feed(&r, h, strlen(h), &used, &e), 1);
	assert_int_equal(used, strlen(h));
	http_resp_release(&r);
	/* discard: over the cap, counted and not kept */
	http_resp_init(&r, 100);
	r.discard = 1;
	assert_int_equal(http_resp_feed(&r, big, strlen(big), &used, &e), 0);
	memset(body, 'x', sizeof(body));
	assert_int_equal(http_resp_feed(&r, body, sizeof(body), &used, &e), 1);
	assert_int_equal(used, sizeof(body));
	assert_int_equal(r.body.len, 0);
	http_resp_release(&r);
}

static void
test_interim_limit(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < 20; i++)
		buf_adds(&b, "HTTP/1.1 100 Continue\r\n\r\n");
	expect_err(b.data, 0, ERR_PROTO, "interim");
	buf_release(&b);
}

static void
test_path_escape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(http_path_escape(&b, "ctxmgr-test/busybox:latest"), 0);
	assert_string_equal(b.data, "ctxmgr-test/busybox:latest");
	buf_reset(&b);
	assert_int_equal(http_path_escape(&b, "a b?c#d%e\n"), 0);
	assert_string_equal(b.data, "a%20b%3Fc%23d%25e%0A");
	buf_release(&b);
}

/*
 * A tiny server on a unix socket for the client: each connection answers
 * `per_conn` requests with keep-alive, then closes without answering the
 * next one -- what an idle keep-alive timeout on the daemon looks like.
 */
struct server {
	char path[108];
	int fd;
	int per_conn;
	int conns; /* accepted */
	int answered;
	volatile int stop;
	pthread_t th;
};

static void *
serve(void *arg)
{
	struct server *sv = arg;
	char buf[4096], resp[256];
	int c, i, n;

	while (!sv->stop && (c = accept(sv->fd, NULL, NULL)) >= 0) {
		sv->conns++;
		for (i = 0;; i++) {
			size_t got = 0;
			/* read one request head */
			while (got < sizeof(buf) - 1 &&
			    (n = (int)read(
				 c, buf + got, sizeof(buf) - 1 - got)) > 0) {
				got += (size_t)n;
				buf[got] = '\0';
				if (strstr(buf, "\r\n\r\n") != NULL)
					break;
			}
			if (got > 0 && sv->per_conn < 0) {
				/* hold the request, never answer */
				while (!sv->stop)
					usleep(10000);
				break;
			}
			if (got == 0 || i >= sv->per_conn)
				break;
			snprintf(resp, sizeof(resp),
			    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n%02d",
			    sv->answered++ % 100);
			if (write(c, resp, strlen(resp)) < 0)
				break;
		}
		close(c);
	}
	return NULL;
}

static void
server_start(struct server *sv, const char *dir, int per_conn)
{
	struct sockaddr_un sa;

	memset(sv, 0, sizeof(*sv));
	snprintf(sv->path, sizeof(sv->path), "%s/s.sock", dir);
	sv->per_conn = per_conn;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sv->path, strlen(sv->path));
	sv->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sv->fd >= 0);
	assert_int_equal(bind(sv->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(sv->fd, 64), 0);
	assert_int_equal(pthread_create(&sv->th, NULL, serve, sv), 0);
}

static void
server_stop(struct server *sv)
{
	sv->stop = 1;
	shutdown(sv->fd, SHUT_RDWR);
	close(sv->fd);
	pthread_join(sv->th, NULL);
}

static void
test_client_keepalive_retry(void **state)
{
	char *dir = unit_tmpdir();
	struct http_target t;
	struct http_req q[40];
	struct server sv;
	struct cm_err e;
	size_t i;

	(void)state;
	/* two answers per connection, then a silent close: every third
	 * request lands on a dead keep-alive connection and is retried */
	server_start(&sv, dir, 2);
	memset(&t, 0, sizeof(t));
	t.unix_path = sv.path;
	t.nconn = 3;
	for (i = 0; i < nitems(q); i++)
		http_req_init(&q[i], "/_ping");
	assert_int_equal(http_run(&t, q, nitems(q), &e), 0);
	for (i = 0; i < nitems(q); i++) {
		if (q[i].rc != 0)
			fail_msg("request %zu: %s", i, q[i].err.msg);
		assert_int_equal(q[i].status, 200);
		assert_int_equal(q[i].body.len, 2);
		http_req_release(&q[i]);
	}
	server_stop(&sv);
	assert_int_equal(sv.answered, (int)nitems(q));
	/* keep-alive was used: far fewer connections than requests */
	assert_true(sv.conns <= (int)nitems(q) / 2 + 3);
	unit_rmtree(dir);
	free(dir);
}

static void
test_client_refused_and_timeout(void **state)
{
	char *dir = unit_tmpdir();
	struct http_target t;
	struct http_req q[5];
	struct server sv;
	struct cm_err e;
	size_t i;
	uint64_t t0;

	(void)state;
	/* no socket: every request fails at once, with the reason */
	memset(&t, 0, sizeof(t));
	t.unix_path = "/nonexistent/ctxmgr-test.sock";
	for (i = 0; i < nitems(q); i++)
		http_req_init(&q[i], "/info");
	assert_int_equal(http_run(&t, q, nitems(q), &e), 0);
	for (i = 0; i < nitems(q); i++) {
		assert_int_equal(q[i].rc, ERR_NET);
		assert_non_null(strstr(q[i].err.msg, "cannot connect"));
		http_req_release(&q[i]);
	}
	/* a server that never answers: the idle timeout */
	server_start(&sv, dir, -1);
	t.unix_path = sv.path;
	t.timeout_ms = 200;
	t.nconn = 2;
	for (i = 0; i < 2; i++)
		http_req_init(&q[i], "/slow");
	t0 = now_us();
	assert_int_equal(http_run(&t, q, 2, &e), 0);
	assert_true(now_us() - t0 < 2000000);
	for (i = 0; i < 2; i++) {
		assert_int_equal(q[i].rc, ERR_TIMEOUT);
		http_req_release(&q[i]);
	}
	server_stop(&sv);
	unit_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_leftover),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_interim_limit),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_no_body_discard),
		cmocka_unit_test(test_path_escape),
		cmocka_unit_test(test_client_keepalive_retry),
		cmocka_unit_test(test_client_refused_and_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
