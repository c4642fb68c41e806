/*
 * http.c: the Engine API client -- connections, TLS and the poll(2) loop
 * that spreads a batch of requests over several keep-alive connections
 * (see http.h).  The response parser is in http-parse.c.
 */
#include "common/compat.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "audit/http.h"
#include "audit/tlsutil.h"
#include "common/xmalloc.h"
#include "tunnel/ctlconn.h"

#define HTTP_MAX_CONN 16

enum conn_state { C_FREE, C_CONNECTING, C_TLS, C_SEND, C_RECV };

struct conn {
	enum conn_state st;
	int fd;
	SSL *ssl;
	int want; /* POLLIN/POLLOUT the TLS layer waits for */
	size_t req; /* the request being served */
	int served; /* requests completed on this connection */
	int got_bytes; /* any response byte for the current request */
	struct buf out;
	size_t off;
	struct http_resp resp;
	uint64_t deadline;
	struct addrinfo *ai; /* tcp: the address being tried */
};

struct run {
	const struct http_target *t;
	struct http_req *reqs;
	size_t n;
	size_t next, done;
	size_t *retry; /* requests to run again on a fresh connection */
	size_t nretry;
	char *retried; /* per request: already retried once */
	int down; /* the target refused: fail what is left */
	struct cm_err down_err;
	struct addrinfo *addrs;
	SSL_CTX *ctx;
	uint64_t timeout_us, end_us;
	char host_header[300];
};

void
http_req_init(struct http_req *q, const char *path)
{
	memset(q, 0, sizeof(*q));
	q->path = path;
	buf_init(&q->body, 0);
	err_init(&q->err);
}

void
http_req_release(struct http_req *q)
{
	strv_free(&q->names);
	strv_free(&q->values);
	buf_release(&q->body);
}

const char *
http_req_header(const struct http_req *q, const char *name)
{
	struct http_resp r;

	/* http_resp_header only reads the names and values */
	memset(&r, 0, sizeof(r));
	r.names = q->names;
	r.values = q->values;
	return http_resp_header(&r, name);
}

int
http_path_escape(struct buf *out, const char *s)
{
	const unsigned char *p;
	int r = 0;

	for (p = (const unsigned char *)s; *p != '\0' && r == 0; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:@/", *p) != NULL)
			r = buf_addc(out, *p);
		else
			r = buf_printf(out, "%%%02X", *p);
	}
	return r;
}

static void
conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->st = C_FREE;
	c->served = 0;
	buf_release(&c->out);
	http_resp_release(&c->resp);
}

static void
finish_req(struct run *run, size_t i, int rc, const struct cm_err *e)
{
	struct http_req *q = &run->reqs[i];

	q->rc = rc;
	if (rc != 0 && e != NULL)
		q->err = *e;
	run->done++;
}

/* A request failed on connection c: retry it once if that is safe. */
static void
fail_req(struct run *run, struct conn *c, int rc, const struct cm_err *e)
{
	size_t i = c->req;

	if (c->served > 0 && !c->got_bytes && !run->retried[i] &&
	    (rc == ERR_NET || rc == ERR_PROTO)) {
		run->retried[i] = 1;
		run->retry[run->nretry++] = i;
		return;
	}
	finish_req(run, i, rc, e);
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Start connecting; returns 0 (maybe in progress) or an error. */
static int
conn_connect(struct run *run, struct conn *c, struct cm_err *err)
{
	const struct http_target *t = run->t;

	if (t->unix_path != NULL) {
		struct sockaddr_un sa;
		if (unix_sockaddr(t->unix_path, &sa, err) != 0)
			return err_prefix(err, "socket path");
		if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) <
		    0)
			return err_sys(err, "socket");
		/* a local connect completes at once; no need to poll it */
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			int r = err_sys(
			    err, "cannot connect to \"%s\"", t->unix_path);
			close(c->fd);
			c->fd = -1;
			if (r == ERR_NOTFOUND || r == ERR_IO)
				err->code = ERR_NET;
			return err->code;
		}
		if (set_nonblock(c->fd) != 0)
			return err_sys(err, "fcntl");
		c->st = C_SEND;
		return 0;
	}
	if (c->ai == NULL)
		c->ai = run->addrs;
	for (; c->ai != NULL; c->ai = c->ai->ai_next) {
		int one = 1;
		c->fd = socket(c->ai->ai_family,
		    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (c->fd < 0)
			continue;
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->fd, c->ai->ai_addr, c->ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			c->st = C_CONNECTING;
			return 0;
		}
		err_sys(err, "cannot connect to %s port %d", t->host, t->port);
		close(c->fd);
		c->fd = -1;
	}
	if (err->msg[0] == '\0')
		err_set(err, ERR_NET, "cannot connect to %s port %d", t->host,
		    t->port);
	return err->code = ERR_NET;
}

static int
tls_start(struct run *run, struct conn *c, struct cm_err *err)
{
	if ((c->ssl = SSL_new(run->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return tls_error(err, "cannot set up TLS");
	if (tls_set_peer_name(c->ssl, run->t->host,
		run->t->tls != NULL && run->t->tls->verify, err) != 0)
		return err->code;
	c->st = C_TLS;
	return 0;
}

/* Queue the request line for request i on c. */
static void
conn_assign(struct run *run, struct conn *c, size_t i)
{
	c->req = i;
	c->got_bytes = 0;
	c->off = 0;
	buf_release(&c->out);
	buf_printf(&c->out,
	    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
	    "Accept: application/json\r\n\r\n",
	    run->reqs[i].path, run->host_header,
	    run->t->user_agent ? run->t->user_agent : "ctxmgr");
	http_resp_release(&c->resp);
	http_resp_init(&c->resp, run->t->max_body);
	c->deadline = now_us() + run->timeout_us;
	if (c->st != C_CONNECTING && c->st != C_TLS)
		c->st = C_SEND;
}

/*
 * The next request to run, or -1.  A request being retried goes only to
 * a fresh connection: the kept-alive one it failed on may not be alone.
 */
static long
next_req(struct run *run, int fresh)
{
	if (run->down)
		return -1;
	if (fresh && run->nretry > 0)
		return (long)run->retry[--run->nretry];
	if (run->next < run->n)
		return (long)run->next++;
	return -1;
}

/* The target refused a fresh connection: fail everything not started. */
static void
mark_down(struct run *run, const struct cm_err *e)
{
	long i;

	if (!run->down)
		run->down_err = *e;
	while ((i = next_req(run, 1)) >= 0)
		finish_req(run, (size_t)i, e->code, e);
	run->down = 1;
}

static void
conn_open(struct run *run, struct conn *c)
{
	struct cm_err e;
	long i;

	if ((i = next_req(run, 1)) < 0)
		return;
	err_init(&e);
	c->fd = -1;
	c->ai = NULL;
	buf_init(&c->out, 0);
	http_resp_init(&c->resp, run->t->max_body);
	c->st = C_FREE;
	conn_assign(run, c, (size_t)i);
	c->st = C_CONNECTING;
	if (conn_connect(run, c, &e) != 0) {
		finish_req(run, (size_t)i, e.code, &e);
		conn_close(c);
		mark_down(run, &e);
		return;
	}
	if (c->st == C_SEND && run->ctx != NULL && tls_start(run, c, &e) != 0) {
		finish_req(run, (size_t)i, e.code, &e);
		conn_close(c);
	}
}

/* The response on c is complete. */
static void
conn_done(struct run *run, struct conn *c, int leftover)
{
	struct http_req *q = &run->reqs[c->req];
	long i;

	q->status = c->resp.status;
	q->body = c->resp.body;
	buf_init(&c->resp.body, 0);
	q->names = c->resp.names;
	q->values = c->resp.values;
	memset(&c->resp.names, 0, sizeof(c->resp.names));
	memset(&c->resp.values, 0, sizeof(c->resp.values));
	finish_req(run, c->req, 0, NULL);
	c->served++;
	/* bytes after the response mean the stream cannot be trusted */
	if (!c->resp.keep_alive || leftover || (i = next_req(run, 0)) < 0) {
		conn_close(c);
		return;
	}
	conn_assign(run, c, (size_t)i);
}

/* Map an SSL_ERROR_* to polling, or fill err.  Returns 1 to wait. */
static int
tls_wait(struct conn *c, int ret, const char *what, struct cm_err *err)
{
	int e = SSL_get_error(c->ssl, ret);

	if (e == SSL_ERROR_WANT_READ) {
		c->want = POLLIN;
		return 1;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		c->want = POLLOUT;
		return 1;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return err_set(err, ERR_NET, "%s: TLS connection closed", what);
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
		if (errno == 0 || ret == 0)
			return err_set(
			    err, ERR_NET, "%s: connection closed", what);
		return err_sys(err, "%s", what);
	}
	return tls_error(err, what);
}

static int
conn_handshake(struct conn *c, struct cm_err *err)
{
	int r;

	ERR_clear_error();
	if ((r = SSL_connect(c->ssl)) == 1) {
		c->st = C_SEND;
		c->want = 0;
		return 0;
	}
	if (tls_wait(c, r, "TLS handshake", err) == 1)
		return 0;
	tls_verify_detail(c->ssl, err);
	return err->code;
}

static int
conn_send(struct conn *c, struct cm_err *err)
{
	ssize_t n;
	int r;

	while (c->off < c->out.len) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_write(c->ssl, c->out.data + c->off,
			    (int)(c->out.len - c->off));
			if (r <= 0)
				return tls_wait(c, r, "send", err) == 1
				    ? 0
				    : err->code;
			n = r;
		} else {
			n = send(c->fd, c->out.data + c->off,
			    c->out.len - c->off, MSG_NOSIGNAL);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n < 0) {
				err_sys(err, "send");
				return err->code = ERR_NET;
			}
		}
		c->off += (size_t)n;
	}
	c->want = 0;
	c->st = C_RECV;
	return 0;
}

/* Read what is there; returns 1 when the response completed. */
static int
conn_recv(struct run *run, struct conn *c, struct cm_err *err)
{
	char tmp[16384];
	size_t used;
	ssize_t n;
	int r;

	for (;;) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_read(c->ssl, tmp, sizeof(tmp));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_ZERO_RETURN ||
				    (e == SSL_ERROR_SYSCALL &&
					ERR_peek_error() == 0 && r == 0))
					n = 0;
				else if (tls_wait(c, r, "receive", err) == 1)
					return 0;
				else
					return err->code;
			} else
				n = r;
		} else {
			n = recv(c->fd, tmp, sizeof(tmp), 0);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n < 0) {
				err_sys(err, "receive");
				return err->code = ERR_NET;
			}
		}
		if (n == 0) {
			if ((r = http_resp_eof(&c->resp, err)) != 0)
				return r;
			conn_done(run, c, 0);
			return 1;
		}
		c->got_bytes = 1;
		c->deadline = now_us() + run->timeout_us;
		r = http_resp_feed(&c->resp, tmp, (size_t)n, &used, err);
		if (r < 0)
			return r;
		if (r == 1) {
			conn_done(run, c, used < (size_t)n);
			return 1;
		}
	}
}

static void
conn_fail(struct run *run, struct conn *c, struct cm_err *e)
{
	char what[64];

	snprintf(what, sizeof(what), "GET %.40s", run->reqs[c->req].path);
	err_prefix(e, "%s", what);
	fail_req(run, c, e->code, e);
	conn_close(c);
}

/* Advance c after poll said it is ready (or to start it). */
static void
conn_step(struct run *run, struct conn *c, short revents)
{
	struct cm_err e;
	int so = 0, r = 0;
	socklen_t sl = sizeof(so);

	err_init(&e);
	if (c->st == C_CONNECTING) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 ||
		    so != 0) {
			errno = so;
			err_sys(&e, "cannot connect to %s port %d",
			    run->t->host, run->t->port);
			close(c->fd);
			c->fd = -1;
			if (c->ai != NULL && c->ai->ai_next != NULL) {
				c->ai = c->ai->ai_next;
				if (conn_connect(run, c, &e) == 0)
					return;
			}
			e.code = ERR_NET;
			finish_req(run, c->req, e.code, &e);
			conn_close(c);
			mark_down(run, &e);
			return;
		}
		c->st = C_SEND;
		if (run->ctx != NULL && tls_start(run, c, &e) != 0) {
			finish_req(run, c->req, e.code, &e);
			conn_close(c);
			return;
		}
	}
	if (c->st == C_TLS) {
		if ((r = conn_handshake(c, &e)) != 0) {
			/* a handshake failure repeats for every request */
			finish_req(run, c->req, r, &e);
			conn_close(c);
			mark_down(run, &e);
			return;
		}
		if (c->st == C_TLS)
			return;
	}
	if (c->st == C_SEND && (r = conn_send(c, &e)) != 0) {
		conn_fail(run, c, &e);
		return;
	}
	while (c->st == C_RECV) {
		if ((r = conn_recv(run, c, &e)) < 0) {
			conn_fail(run, c, &e);
			return;
		}
		if (r == 0)
			return;
		/* a new request was assigned: send it now */
		if (c->st == C_SEND && (r = conn_send(c, &e)) != 0) {
			conn_fail(run, c, &e);
			return;
		}
	}
}

static short
conn_events(const struct conn *c)
{
	if (c->st == C_CONNECTING)
		return POLLOUT;
	if (c->ssl != NULL && c->want != 0)
		return (short)c->want;
	if (c->st == C_SEND)
		return POLLOUT;
	return POLLIN;
}

static int
resolve(struct run *run, struct cm_err *err)
{
	struct addrinfo hints;
	char port[16];
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	snprintf(port, sizeof(port), "%d", run->t->port);
	if ((r = getaddrinfo(run->t->host, port, &hints, &run->addrs)) != 0)
		return err_set(err, ERR_NET, "cannot resolve \"%s\": %s",
		    run->t->host, gai_strerror(r));
	return 0;
}

static void
fail_all(struct run *run, struct conn *conns, size_t nconn, struct cm_err *e)
{
	size_t i;

	for (i = 0; i < nconn; i++)
		if (conns[i].st != C_FREE) {
			finish_req(run, conns[i].req, e->code, e);
			conn_close(&conns[i]);
		}
	mark_down(run, e);
}

int
http_run(const struct http_target *t, struct http_req *reqs, size_t n,
    struct cm_err *err)
{
	struct conn conns[HTTP_MAX_CONN];
	struct pollfd pfd[HTTP_MAX_CONN];
	size_t nconn, i, np, map[HTTP_MAX_CONN];
	struct run run;
	struct cm_err e;
	uint64_t now, first;
	int r = 0, timeout;

	memset(&run, 0, sizeof(run));
	run.t = t;
	run.reqs = reqs;
	run.n = n;
	run.retry = xcalloc(n + 1, sizeof(*run.retry));
	run.retried = xcalloc(n + 1, 1);
	run.timeout_us =
	    (uint64_t)(t->timeout_ms > 0 ? t->timeout_ms : 10000) * 1000;
	run.end_us =
	    now_us() + (uint64_t)(t->total_ms > 0 ? t->total_ms : 60000) * 1000;
	nconn = t->nconn > 0 ? (size_t)t->nconn : 4;
	if (nconn > HTTP_MAX_CONN)
		nconn = HTTP_MAX_CONN;
	if (nconn > n)
		nconn = n;
	memset(conns, 0, sizeof(conns));
	for (i = 0; i < nconn; i++) {
		conns[i].st = C_FREE;
		conns[i].fd = -1;
		buf_init(&conns[i].out, 0);
		http_resp_init(&conns[i].resp, t->max_body);
	}
	if (t->unix_path != NULL)
		snprintf(run.host_header, sizeof(run.host_header),
		    "api.moby.localhost");
	else if (strchr(t->host, ':') != NULL)
		snprintf(run.host_header, sizeof(run.host_header), "[%s]:%d",
		    t->host, t->port);
	else
		snprintf(run.host_header, sizeof(run.host_header), "%s:%d",
		    t->host, t->port);
	err_init(&e);
	if (t->unix_path == NULL && t->tls != NULL &&
	    (run.ctx = tls_client_ctx(t->tls->ca, t->tls->ca_len, t->tls->cert,
		 t->tls->cert_len, t->tls->key, t->tls->key_len, t->tls->verify,
		 err)) == NULL) {
		r = err->code;
		goto out;
	}
	if (t->unix_path == NULL && resolve(&run, &e) != 0) {
		mark_down(&run, &e);
		goto out;
	}

	while (run.done < n) {
		for (i = 0; i < nconn; i++)
			if (conns[i].st == C_FREE) {
				conn_open(&run, &conns[i]);
				if (conns[i].st != C_FREE)
					conn_step(&run, &conns[i], 0);
			}
		now = now_us();
		first = run.end_us;
		for (i = np = 0; i < nconn; i++) {
			if (conns[i].st == C_FREE)
				continue;
			if (conns[i].deadline < first)
				first = conns[i].deadline;
			pfd[np].fd = conns[i].fd;
			pfd[np].events = conn_events(&conns[i]);
			pfd[np].revents = 0;
			map[np++] = i;
		}
		if (np == 0) {
			if (run.done < n && run.nretry == 0 &&
			    run.next >= run.n)
				break; /* nothing left that could run */
			continue;
		}
		timeout = first > now ? (int)((first - now + 999) / 1000) : 0;
		if (poll(pfd, np, timeout) < 0 && errno != EINTR) {
			err_sys(&e, "poll");
			fail_all(&run, conns, nconn, &e);
			break;
		}
		now = now_us();
		if (now >= run.end_us) {
			err_set(&e, ERR_TIMEOUT,
			    "no complete answer within %d ms",
			    t->total_ms > 0 ? t->total_ms : 60000);
			fail_all(&run, conns, nconn, &e);
			break;
		}
		for (i = 0; i < np; i++) {
			struct conn *c = &conns[map[i]];
			if (pfd[i].revents != 0)
				conn_step(&run, c, pfd[i].revents);
			else if (c->st != C_FREE && now >= c->deadline) {
				err_set(&e, ERR_TIMEOUT,
				    "GET %.40s: no answer within %d ms",
				    reqs[c->req].path,
				    t->timeout_ms > 0 ? t->timeout_ms : 10000);
				finish_req(&run, c->req, ERR_TIMEOUT, &e);
				conn_close(c);
			}
		}
	}
out:
	for (i = 0; i < nconn; i++)
		conn_close(&conns[i]);
	if (run.addrs != NULL)
		freeaddrinfo(run.addrs);
	SSL_CTX_free(run.ctx);
	free(run.retry);
	free(run.retried);
	return r;
}
