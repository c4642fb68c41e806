/* cmd-ping.c: reach a context's daemon and time each step. */
#include "common/compat.h"

#include <jansson.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "audit/tlsutil.h"
#include "ctxmgr/fleet.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/endpoint.h"
#include "tunnel/ctlconn.h"
#include "tunnel/engine.h"
#include "common/gojson.h"
#include "ctxmgr/output.h"
#include "tunnel/shquote.h"
#include "ctxmgr/sshctx.h"
#include "common/xmalloc.h"

#define MAX_PHASES 8
#define PING_TIMEOUT_S 10

struct phase {
	const char *name;
	uint64_t us;
	char detail[512];
};

struct ping {
	struct phase ph[MAX_PHASES];
	int n;
	const char *failed; /* the step that failed, or NULL */
	char version[64], api[32], os[32], arch[32];
};

static struct phase *
add_phase(struct ping *p, const char *name, uint64_t us)
{
	struct phase *ph = &p->ph[p->n++];

	ph->name = name;
	ph->us = us;
	ph->detail[0] = '\0';
	return ph;
}

static ssize_t
stream_read(void *arg, void *b, size_t n, struct cm_err *err)
{
	return ssh_stream_read(arg, b, n, err);
}

static int
stream_write(void *arg, const void *b, size_t n, struct cm_err *err)
{
	return ssh_stream_write(arg, b, n, err);
}

static void
version_fields(struct ping *p, const struct engine_response *resp)
{
	json_t *o = NULL, *v;
	struct cm_err e2;

	if (gojson_parse(resp->body.data, resp->body.len, &o, &e2) != 0)
		return;
	if ((v = json_object_get(o, "Version")) && json_is_string(v))
		snprintf(
		    p->version, sizeof(p->version), "%s", json_string_value(v));
	if ((v = json_object_get(o, "ApiVersion")) && json_is_string(v))
		snprintf(p->api, sizeof(p->api), "%s", json_string_value(v));
	if ((v = json_object_get(o, "Os")) && json_is_string(v))
		snprintf(p->os, sizeof(p->os), "%s", json_string_value(v));
	if ((v = json_object_get(o, "Arch")) && json_is_string(v))
		snprintf(p->arch, sizeof(p->arch), "%s", json_string_value(v));
	json_decref(o);
}

/* GET /_ping then GET /version through `io_open` streams. */
static int
ask_daemon(struct cmd_ctx *ctx, struct ping *p,
    int (*io_open)(void *arg, struct engine_io *io, struct cm_err *err),
    void (*io_close)(void *arg, struct engine_io *io), void *arg)
{
	struct engine_response resp;
	struct engine_io io;
	uint64_t t;
	int r, i;

	engine_response_init(&resp, 1 << 20);
	for (i = 0; i < 2; i++) {
		if ((r = io_open(arg, &io, &ctx->err)) != 0)
			goto out; /* io_open set p->failed */
		t = now_us();
		p->failed = i == 0 ? "_ping" : "version";
		r = engine_get(
		    &io, i == 0 ? "/_ping" : "/version", &resp, &ctx->err);
		io_close(arg, &io);
		if (r != 0)
			goto out;
		if (resp.status != 200) {
			r = err_set(&ctx->err, ERR_PROTO,
			    "the daemon answered %s with HTTP %d",
			    i == 0 ? "/_ping" : "/version", resp.status);
			goto out;
		}
		p->failed = NULL;
		struct phase *ph =
		    add_phase(p, i == 0 ? "_ping" : "version", now_us() - t);
		if (i == 0) {
			char *body = output_safe(resp.body.data);
			snprintf(ph->detail, sizeof(ph->detail), "%.40s%s%s",
			    body, resp.api_version[0] ? ", API " : "",
			    resp.api_version);
			free(body);
		} else {
			version_fields(p, &resp);
			char *v = output_safe(p->version);
			snprintf(
			    ph->detail, sizeof(ph->detail), "Docker %s", v);
			free(v);
		}
	}
out:
	engine_response_release(&resp);
	return r;
}

/* ssh:// */

struct ssh_arg {
	struct ping *p;
	struct ssh_conn *conn;
	enum tunnel_mode mode;
	struct ssh_stream *s;
	int first;
};

static int
ssh_io_open(void *arg, struct engine_io *io, struct cm_err *err)
{
	struct ssh_arg *sa = arg;
	enum tunnel_mode used;
	uint64_t t = now_us();
	int r;

	if ((r = ssh_stream_open(sa->conn, sa->mode, &sa->s, &used, err)) !=
	    0) {
		sa->p->failed = "channel";
		return r;
	}
	if (sa->first) {
		struct phase *ph = add_phase(sa->p, "channel", now_us() - t);
		snprintf(ph->detail, sizeof(ph->detail), "%s %s",
		    tunnel_mode_name(used),
		    ssh_conn_info(sa->conn)->remote_socket);
		sa->mode = used;
		sa->first = 0;
	}
	io->read = stream_read;
	io->write = stream_write;
	io->arg = sa->s;
	return 0;
}

static void
ssh_io_close(void *arg, struct engine_io *io)
{
	struct ssh_arg *sa = arg;

	(void)io;
	ssh_stream_close(sa->s);
	sa->s = NULL;
}

/*
 * The channel to the remote socket failed, or nothing answered on it:
 * look at the socket over SSH (a fixed command; the path is its quoted
 * argument) and put the cause first in err.
 */
static void
remote_socket_cause(struct ssh_conn *conn, struct cm_err *err)
{
	const struct ssh_info *in = ssh_conn_info(conn);
	const char *path = in->remote_socket;
	struct ssh_exec_result res;
	char *q = shell_quote_str(path), *cmd, *cause = NULL, *user;
	struct cm_err e2;

	cmd = xasprintf("sh -c 'p=$1; if [ -S \"$p\" ]; then "
			"if [ -r \"$p\" ] && [ -w \"$p\" ]; then echo socket; "
			"else echo denied; fi; elif [ -e \"$p\" ]; then "
			"echo other; else echo missing; fi; id -un' sh %s",
	    q);
	err_init(&e2);
	ssh_exec_result_init(&res, 4096);
	if (ssh_exec(conn, cmd, NULL, 0, PING_TIMEOUT_S * 1000, &res, &e2) !=
		0 ||
	    res.exit_status != 0)
		goto out;
	buf_rtrim(&res.out);
	user = strchr(res.out.data, '\n');
	if (user == NULL)
		goto out;
	*user++ = '\0';
	user = output_safe(user);
	if (strcmp(res.out.data, "missing") == 0)
		cause = xasprintf("the remote socket \"%s\" does not exist on "
				  "\"%s\": is dockerd running there, on that "
				  "socket?",
		    path, in->host);
	else if (strcmp(res.out.data, "denied") == 0)
		cause = xasprintf("\"%s\" on \"%s\" may not use the socket "
				  "\"%s\" (permission denied): add the user "
				  "to the docker group",
		    user, in->host, path);
	else if (strcmp(res.out.data, "other") == 0)
		cause = xasprintf(
		    "\"%s\" on \"%s\" is not a socket", path, in->host);
	else if (strcmp(res.out.data, "socket") == 0)
		cause =
		    xasprintf("the remote socket \"%s\" on \"%s\" refused "
			      "the connection or closed it at once: dockerd "
			      "is not running (the socket was left "
			      "behind), or it is not a Docker daemon",
			path, in->host);
	free(user);
	if (cause != NULL) {
		char was[sizeof(err->msg)];
		snprintf(was, sizeof(was), "%s", err->msg);
		err_set(err, err->code ? err->code : ERR_NET, "%s (%s)", cause,
		    was);
		free(cause);
	}
out:
	ssh_exec_result_release(&res);
	free(cmd);
	free(q);
}

static int
ping_ssh(struct cmd_ctx *ctx, const struct context *c, struct cmd_args *a,
    struct ping *p)
{
	struct ssh_params sp;
	struct ssh_arg sa = { p, NULL, TUNNEL_AUTO, NULL, 1 };
	const struct ssh_info *in;
	const char *mode = args_get(a, "mode");
	struct phase *ph;
	int r;

	if (mode == NULL)
		mode = context_setting(c, SETTING_TUNNEL_MODE);
	if (tunnel_mode_parse(mode, &sa.mode) != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "tunnel mode \"%s\" is not auto, streamlocal or dial-stdio",
		    mode);
	if ((r = cmd_ssh_params(ctx, c, args_has(a, "accept-new"), &sp)) != 0)
		return r;
	if ((r = ssh_connect(&sp, &sa.conn, &ctx->err)) != 0) {
		p->failed = r == ERR_HOSTKEY ? "host key"
		    : r == ERR_AUTH          ? "auth"
					     : "connect";
		return r;
	}
	in = ssh_conn_info(sa.conn);
	ph = add_phase(p, "connect", in->tcp_us);
	snprintf(ph->detail, sizeof(ph->detail), "%s port %d%s", in->host,
	    in->port, in->jumps ? " (through ProxyJump)" : "");
	ph = add_phase(p, "host key", in->kex_us);
	snprintf(ph->detail, sizeof(ph->detail), "%s %s%s, %s",
	    in->hostkey_type, in->hostkey_fp,
	    in->hostkey_added ? " (added to known_hosts)" : "", in->cipher);
	ph = add_phase(p, "auth", in->auth_us);
	snprintf(
	    ph->detail, sizeof(ph->detail), "%s as %s", in->auth, in->user);
	r = ask_daemon(ctx, p, ssh_io_open, ssh_io_close, &sa);
	if (r != 0 && p->failed != NULL &&
	    (strcmp(p->failed, "channel") == 0 ||
		strcmp(p->failed, "_ping") == 0))
		remote_socket_cause(sa.conn, &ctx->err);
	ssh_close(sa.conn);
	return r;
}

/* unix:// */

struct unix_arg {
	struct ping *p;
	const char *path;
	int fd;
	int first;
};

static int
unix_io_open(void *arg, struct engine_io *io, struct cm_err *err)
{
	struct unix_arg *ua = arg;
	struct sockaddr_un sa;
	uint64_t t = now_us();

	if (unix_sockaddr(ua->path, &sa, err) != 0)
		return ERR_TOOBIG;
	if ((ua->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_sys(err, "socket");
	if (connect(ua->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		close(ua->fd);
		ua->fd = -1;
		ua->p->failed = "connect";
		return err_set(err, ERR_NET, "cannot connect to \"%s\": %s%s",
		    ua->path, strerror(e),
		    e == ENOENT ? " (is dockerd running, on that socket?)"
			: e == ECONNREFUSED
			? " (nothing listens on it: dockerd is not running)"
			: e == EACCES ? " (add yourself to the docker group)"
				      : "");
	}
	if (ua->first) {
		struct phase *ph = add_phase(ua->p, "connect", now_us() - t);
		snprintf(ph->detail, sizeof(ph->detail), "%s", ua->path);
		ua->first = 0;
	}
	return engine_fd_io_make(&ua->fd, io);
}

static void
unix_io_close(void *arg, struct engine_io *io)
{
	struct unix_arg *ua = arg;

	(void)io;
	if (ua->fd >= 0)
		close(ua->fd);
	ua->fd = -1;
}

/* tcp:// (TLS with the context's files, as the Docker CLI uses them) */

struct tcp_arg {
	struct ping *p;
	const char *host;
	int port;
	SSL_CTX *sctx; /* NULL: plain HTTP (no TLS files) */
	int verify;
	const char *name; /* the context */
	int have_cert; /* the context has a client certificate */
	char cert_note[256]; /* the client certificate has expired */
	SSL *ssl;
	int fd;
	int first;
};

/* Blocking TCP connect, PING_TIMEOUT_S for each send, receive and the
 * connect itself. */
static int
tcp_open(const char *host, int port, int *fdp, struct cm_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = { PING_TIMEOUT_S, 0 };
	char ps[16];
	int fd = -1, rc, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%d", port);
	if ((rc = getaddrinfo(host, ps, &hints, &res)) != 0)
		return err_set(err, ERR_NET, "cannot resolve \"%s\": %s", host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(err, e == EINPROGRESS ? ERR_TIMEOUT : ERR_NET,
		    "cannot connect to \"%s\" port %d: %s%s", host, port,
		    e == EINPROGRESS ? "timed out" : strerror(e),
		    e == ECONNREFUSED
			? " (is dockerd listening there, -H tcp://...?)"
			: "");
	*fdp = fd;
	return 0;
}

/* Say the client certificate's expiry with any TLS failure. */
static int
tls_fail(struct tcp_arg *ta, struct cm_err *err)
{
	size_t len = strlen(err->msg);

	if (ta->cert_note[0] != '\0')
		snprintf(err->msg + len, sizeof(err->msg) - len, "; %s",
		    ta->cert_note);
	else if (!ta->have_cert && strstr(err->msg, "certificate") != NULL)
		snprintf(err->msg + len, sizeof(err->msg) - len,
		    "; \"%s\" has no client certificate, which a daemon "
		    "running --tlsverify asks for (ctxmgr ca issue client %s)",
		    ta->name, ta->name);
	return err->code;
}

static ssize_t
tls_read(void *arg, void *b, size_t n, struct cm_err *err)
{
	struct tcp_arg *ta = arg;
	int r = SSL_read(ta->ssl, b, n > INT_MAX ? INT_MAX : (int)n), e;

	if (r > 0)
		return r;
	e = SSL_get_error(ta->ssl, r);
	if (e == SSL_ERROR_ZERO_RETURN ||
	    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && r == 0))
		return 0;
	if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		err_sys(err, "receive");
	else
		tls_error(err, "TLS");
	return tls_fail(ta, err);
}

static int
tls_write(void *arg, const void *b, size_t n, struct cm_err *err)
{
	struct tcp_arg *ta = arg;
	const char *p = b;
	int r;

	while (n > 0) {
		r = SSL_write(ta->ssl, p, n > INT_MAX ? INT_MAX : (int)n);
		if (r <= 0) {
			tls_error(err, "TLS send");
			return tls_fail(ta, err);
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Days from now to `t` (negative: past). */
static int
days_until(const ASN1_TIME *t)
{
	int days = 0, secs = 0;

	(void)ASN1_TIME_diff(&days, &secs, NULL, t);
	return days;
}

/* "TLSv1.3 TLS_AES_256_GCM_SHA384, daemon CN=x, expires in N days" */
static void
tls_detail(SSL *ssl, char *out, size_t len)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	char cn[128] = "", *safe;
	int left;

	if (peer == NULL) {
		snprintf(out, len, "%s %s", SSL_get_version(ssl),
		    SSL_get_cipher_name(ssl));
		return;
	}
	(void)X509_NAME_get_text_by_NID(
	    X509_get_subject_name(peer), NID_commonName, cn, sizeof(cn));
	left = days_until(X509_get0_notAfter(peer));
	safe = output_safe(cn);
	snprintf(out, len, "%s %s, daemon certificate CN=%s, %s %d day%s",
	    SSL_get_version(ssl), SSL_get_cipher_name(ssl), safe,
	    left < 0 ? "expired" : "expires in", left < 0 ? -left : left,
	    left == 1 || left == -1 ? "" : "s");
	free(safe);
	X509_free(peer);
}

static int
tcp_io_open(void *arg, struct engine_io *io, struct cm_err *err)
{
	struct tcp_arg *ta = arg;
	struct phase *ph;
	uint64_t t = now_us();
	int r;

	if ((r = tcp_open(ta->host, ta->port, &ta->fd, err)) != 0) {
		ta->p->failed = "connect";
		return r;
	}
	if (ta->first) {
		ph = add_phase(ta->p, "connect", now_us() - t);
		snprintf(ph->detail, sizeof(ph->detail), "%s port %d%s",
		    ta->host, ta->port,
		    ta->sctx ? "" : " (plain HTTP: no TLS)");
	}
	if (ta->sctx == NULL) {
		ta->first = 0;
		return engine_fd_io_make(&ta->fd, io);
	}
	t = now_us();
	if ((ta->ssl = SSL_new(ta->sctx)) == NULL ||
	    SSL_set_fd(ta->ssl, ta->fd) != 1) {
		ta->p->failed = "tls";
		return tls_error(err, "cannot set up TLS");
	}
	if ((r = tls_set_peer_name(ta->ssl, ta->host, ta->verify, err)) != 0) {
		ta->p->failed = "tls";
		return r;
	}
	if (SSL_connect(ta->ssl) != 1) {
		ta->p->failed = "tls";
		tls_error(err, "TLS handshake");
		tls_verify_detail(ta->ssl, err);
		if (SSL_get_verify_result(ta->ssl) ==
		    X509_V_ERR_CERT_HAS_EXPIRED) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof(err->msg) - len,
			    ": the daemon's certificate has expired");
		}
		return tls_fail(ta, err);
	}
	if (ta->first) {
		ph = add_phase(ta->p, "tls", now_us() - t);
		tls_detail(ta->ssl, ph->detail, sizeof(ph->detail));
		ta->first = 0;
	}
	io->read = tls_read;
	io->write = tls_write;
	io->arg = ta;
	return 0;
}

static void
tcp_io_close(void *arg, struct engine_io *io)
{
	struct tcp_arg *ta = arg;

	(void)io;
	if (ta->ssl != NULL)
		SSL_free(ta->ssl);
	ta->ssl = NULL;
	if (ta->fd >= 0)
		close(ta->fd);
	ta->fd = -1;
}

/* A note when the client certificate has expired (the daemon will
 * refuse it; with TLS 1.3 only after the handshake). */
static void
client_cert_note(struct tcp_arg *ta, const struct buf *cert, const char *name)
{
	BIO *bio = BIO_new_mem_buf(cert->data, (int)cert->len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int left;

	if (x != NULL && (left = days_until(X509_get0_notAfter(x))) < 0 &&
	    X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		snprintf(ta->cert_note, sizeof(ta->cert_note),
		    "the client certificate of \"%s\" expired %d day%s ago "
		    "(renew it: ctxmgr ca issue client %s)",
		    name, -left, left == -1 ? "" : "s", name);
	else if (x != NULL && X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		snprintf(ta->cert_note, sizeof(ta->cert_note),
		    "the client certificate of \"%s\" has expired (renew "
		    "it: ctxmgr ca issue client %s)",
		    name, name);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
}

static int
ping_tcp(struct cmd_ctx *ctx, struct store *st, const struct context *c,
    const struct endpoint *ep, struct ping *p)
{
	struct tcp_arg ta;
	struct buf ca, cert, key;
	struct cm_err e;
	int r, have = 0, i;
	struct buf *b[3] = { &ca, &cert, &key };
	static const char *const files[3] = { "ca.pem", "cert.pem", "key.pem" };

	memset(&ta, 0, sizeof(ta));
	ta.p = p;
	ta.host = ep->host;
	ta.port = ep->port;
	ta.fd = -1;
	ta.first = 1;
	ta.verify = !c->skip_tls_verify;
	ta.name = c->name;
	buf_init(&ca, 1 << 20);
	buf_init(&cert, 1 << 20);
	buf_init_secret(&key, 1 << 20);
	for (i = 0; i < 3; i++) {
		err_init(&e);
		r = store_tls_read(st, c->name, "docker", files[i], b[i], &e);
		if (r != 0 && r != ERR_NOTFOUND) {
			r = err_set(&ctx->err, r, "%s", e.msg);
			goto out;
		}
		have |= r == 0;
	}
	if (have) {
		ta.sctx = tls_client_ctx(ca.data, ca.len, cert.data, cert.len,
		    key.data, key.len, ta.verify, &ctx->err);
		if (ta.sctx == NULL) {
			p->failed = "tls";
			r = err_prefix(
			    &ctx->err, "the TLS files of \"%s\"", c->name);
			goto out;
		}
		ta.have_cert = cert.len > 0;
		if (cert.len > 0)
			client_cert_note(&ta, &cert, c->name);
	}
	if (ta.port == 0)
		ta.port = have ? 2376 : 2375; /* the Docker CLI's defaults */
	r = ask_daemon(ctx, p, tcp_io_open, tcp_io_close, &ta);
out:
	tcp_io_close(&ta, NULL);
	SSL_CTX_free(ta.sctx);
	buf_release(&ca);
	buf_release(&cert);
	buf_release(&key);
	return r;
}

static const struct cmd_flag ping_flags[] = {
	{ "mode", 0, FLAG_STRING, COMPLETE_CHOICE, "MODE",
	    "ssh: auto, streamlocal or dial-stdio",
	    "auto|streamlocal|dial-stdio" },
	FLEET_FLAGS, FLAG_ACCEPT_NEW, { 0 }
};

/*
 * A failed ping: the steps that passed (table output), then the error
 * naming the step that failed.
 */
static void
fail_report(
    struct cmd_ctx *ctx, const struct context *c, const struct ping *p, int r)
{
	static const char *const headers[] = { "PHASE", "TIME", "DETAIL" };
	char was[sizeof(ctx->err.msg)], ms[32];
	const char *cells[3];
	struct table *t;
	int i;

	if (p->failed == NULL)
		return;
	if (ctx->format == FMT_TABLE && !ctx->quiet) {
		t = table_new(3, headers);
		for (i = 0; i <= p->n; i++) {
			snprintf(ms, sizeof(ms), "%.1f ms",
			    i < p->n ? (double)p->ph[i].us / 1000 : 0);
			cells[0] = i < p->n ? p->ph[i].name : p->failed;
			cells[1] = i < p->n ? ms : "FAILED";
			cells[2] = i < p->n ? p->ph[i].detail : "see below";
			table_add(t, cells);
		}
		table_color_last(t, C_RED);
		table_print(ctx, t);
	}
	snprintf(was, sizeof(was), "%s", ctx->err.msg);
	err_set(&ctx->err, r, "ping \"%s\": the %s step failed: %s", c->name,
	    p->failed, was);
}

/* Ping context `name` (NULL: the effective one). */
static int
ping_one(struct cmd_ctx *ctx, struct cmd_args *a, const char *name)
{
	static const char *const headers[] = { "PHASE", "TIME", "DETAIL" };
	struct ping p;
	struct context *c = NULL;
	struct endpoint ep;
	struct store st;
	uint64_t total = 0;
	struct table *t;
	json_t *o, *arr;
	int r, i;

	memset(&p, 0, sizeof(p));
	memset(&ep, 0, sizeof(ep));
	cmd_store_open(ctx, &st);
	if ((r = cmd_load_context(ctx, &st, name, &c)) != 0)
		goto out;
	if (svc_context_tunnelled(c)) {
		/* a tunnelled context: ping its host over SSH, as a direct
		 * one (the service's session is not touched) */
		free(c->host);
		c->host = xstrdup(context_setting(c, SETTING_SSH_HOST));
	}
	if (c->host == NULL ||
	    (r = endpoint_parse(c->host, &ep, &ctx->err)) != 0) {
		r = c->host
		    ? r
		    : err_set(&ctx->err, ERR_INVALID,
			  "context \"%s\" has no Docker endpoint", c->name);
		goto out;
	}
	if (ep.scheme == EP_SSH)
		r = ping_ssh(ctx, c, a, &p);
	else if (ep.scheme == EP_UNIX) {
		struct unix_arg ua = { &p, ep.path, -1, 1 };
		r = ask_daemon(ctx, &p, unix_io_open, unix_io_close, &ua);
	} else if (ep.scheme == EP_TCP)
		r = ping_tcp(ctx, &st, c, &ep, &p);
	else
		r = err_set(&ctx->err, ERR_INVALID,
		    "ping handles ssh://, tcp:// and unix:// contexts; \"%s\" "
		    "is %s",
		    c->name, c->host);
	if (r != 0) {
		fail_report(ctx, c, &p, r);
		goto out;
	}
	for (i = 0; i < p.n; i++)
		total += p.ph[i].us;
	if (ctx->format != FMT_TABLE) {
		o = json_object();
		arr = json_array();
		for (i = 0; i < p.n; i++) {
			json_t *e = json_object();
			json_object_set_new(
			    e, "Phase", json_string(p.ph[i].name));
			json_object_set_new(e, "Microseconds",
			    json_integer((json_int_t)p.ph[i].us));
			json_object_set_new(
			    e, "Detail", json_string(p.ph[i].detail));
			json_array_append_new(arr, e);
		}
		json_object_set_new(o, "Context", json_string(c->name));
		json_object_set_new(o, "Phases", arr);
		json_object_set_new(
		    o, "TotalMicroseconds", json_integer((json_int_t)total));
		json_object_set_new(o, "Version", json_string(p.version));
		json_object_set_new(o, "ApiVersion", json_string(p.api));
		json_object_set_new(o, "Os", json_string(p.os));
		json_object_set_new(o, "Arch", json_string(p.arch));
		r = output_value(ctx, o);
		json_decref(o);
		goto out;
	}
	t = table_new(3, headers);
	for (i = 0; i <= p.n; i++) {
		char ms[32];
		const char *cells[3];
		uint64_t us = i < p.n ? p.ph[i].us : total;
		snprintf(ms, sizeof(ms), "%.1f ms", (double)us / 1000);
		cells[0] = i < p.n ? p.ph[i].name : "total";
		cells[1] = ms;
		cells[2] = i < p.n ? p.ph[i].detail : "";
		table_add(t, cells);
	}
	table_print(ctx, t);
	{
		char *v = output_safe(p.version), *api = output_safe(p.api);
		char *os = output_safe(p.os), *arch = output_safe(p.arch);
		fprintf(ctx->out, "daemon: Docker %s (API %s, %s/%s)\n", v, api,
		    os, arch);
		free(v);
		free(api);
		free(os);
		free(arch);
	}
out:
	endpoint_free(&ep);
	context_free(c);
	store_release(&st);
	return r;
}

/* In a fleet child (--filter, --all). */
static int
ping_in(struct cmd_ctx *ctx, const struct context *c, void *arg)
{
	return ping_one(ctx, arg, c->name);
}

static int
cmd_ping_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct fleet_opts o;
	int r;

	if (!fleet_wanted(a))
		return ping_one(ctx, a, a->argc ? a->argv[0] : NULL);
	if (a->argc > 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "--all and --filter choose the contexts: give no NAME");
	if ((r = fleet_opts_parse(ctx, a, "ping", &o)) != 0)
		return r;
	o.json = ctx->format != FMT_TABLE;
	return fleet_run(ctx, a, &o, ping_in, a);
}

const struct cmd_entry cmd_ping_entry = {
	.name = "ping",
	.usage = "[NAME | --filter KEY=VALUE... | --all] [--mode MODE]",
	.summary = "reach a context's daemon and time each step",
	.help =
	    "For an ssh:// context: TCP connect, key exchange and host "
	    "key check, auth,\nthe channel to the Docker socket, GET /_ping "
	    "and GET /version, each\ntimed; no tunnel is used or started.  "
	    "For tcp://: TCP connect, the TLS\nhandshake with the "
	    "context's TLS files (plain HTTP without them), GET /_ping\nand "
	    "GET /version.  unix:// contexts are pinged directly.  A "
	    "failure names\nthe step and its cause: a remote socket that "
	    "is missing or refuses (looked at\nover SSH), the TLS "
	    "handshake's reason, an expired certificate.  With -v, "
	    "every\nidentity tried and what became of it is logged.\n\n"
	    "--filter and --all ping many contexts, -j at a time, each "
	    "one's table\nprefixed with its name (as \"exec --filter\"), "
	    "then a summary on stderr; with\n--format json, one array of "
	    "the contexts' documents, each with Context and\nResult (and "
	    "Error when it failed).  Exit status 0 only when every "
	    "context\nanswered.",
	.flags = ping_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_ping_exec,
};
