/* probe.c: exposure probes (see probe.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "audit/http.h"
#include "audit/probe.h"
#include "audit/tlsutil.h"

#define PING_REQUEST                                                           \
	"GET /_ping HTTP/1.1\r\nHost: %s\r\nUser-Agent: ctxmgr-audit\r\n"      \
	"Connection: close\r\n\r\n"
#define PROBE_MAX_ANSWER ((size_t)64 << 10)

struct job {
	struct probe *p;
	int timeout_ms;
};

/* Connect with a timeout; the socket is left blocking with I/O timeouts. */
static int
dial(struct probe *p, int timeout_ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv;
	struct pollfd pf;
	char port[16];
	int fd = -1, r, so;
	socklen_t sl;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", p->port);
	if ((r = getaddrinfo(p->host, port, &hints, &res)) != 0) {
		snprintf(p->err, sizeof(p->err), "cannot resolve: %s",
		    gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
		    errno != EINPROGRESS) {
			snprintf(p->err, sizeof(p->err), "%s", strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		pf.fd = fd;
		pf.events = POLLOUT;
		so = 0;
		sl = sizeof(so);
		if ((r = poll(&pf, 1, timeout_ms)) <= 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 ||
		    so != 0) {
			snprintf(p->err, sizeof(p->err), "%s",
			    r == 0 ? "no answer (filtered)" : strerror(so));
			close(fd);
			fd = -1;
			continue;
		}
		break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	/* blocking from here on, with timeouts */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Copy a header value, dropping control characters. */
static void
copy_clean(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	for (; src != NULL && *src != '\0' && i + 1 < len; src++)
		if ((unsigned char)*src >= 0x20 && *src != 0x7f)
			dst[i++] = *src;
	dst[i] = '\0';
}

/* Judge a /_ping answer: does it come from the Engine API?  The status. */
static int
judge_answer(struct http_resp *resp, int *docker, char *server, size_t slen,
    char *api, size_t alen)
{
	const char *srv = http_resp_header(resp, "Server");
	const char *av = http_resp_header(resp, "Api-Version");

	*docker = av != NULL ||
	    (srv != NULL && str_has_prefix(srv, "Docker/")) ||
	    (resp->status == 200 && resp->body.len == 2 &&
		memcmp(resp->body.data, "OK", 2) == 0);
	if (server != NULL && srv != NULL)
		copy_clean(server, slen, srv);
	if (api != NULL && av != NULL)
		copy_clean(api, alen, av);
	return resp->status;
}

static void
probe_plain(struct probe *p, int timeout_ms)
{
	struct http_resp resp;
	struct cm_err e;
	char req[512], tmp[4096];
	ssize_t n;
	size_t used;
	int fd, r = 0;

	if ((fd = dial(p, timeout_ms)) < 0)
		return;
	p->open = 1;
	snprintf(req, sizeof(req), PING_REQUEST, p->host);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		close(fd);
		return;
	}
	http_resp_init(&resp, PROBE_MAX_ANSWER);
	while ((n = recv(fd, tmp, sizeof(tmp), 0)) > 0)
		if ((r = http_resp_feed(&resp, tmp, (size_t)n, &used, &e)) != 0)
			break;
	if (n == 0 && r == 0)
		r = http_resp_eof(&resp, &e) == 0;
	if (resp.status != 0) {
		p->http_status = judge_answer(&resp, &p->http_docker, p->server,
		    sizeof(p->server), p->api_version, sizeof(p->api_version));
		p->http_wants_tls = resp.status == 400 &&
		    memmem(resp.body.data, resp.body.len, "HTTPS server", 12) !=
			NULL;
	}
	http_resp_release(&resp);
	close(fd);
}

static int
cert_requested(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	int *flag = SSL_get_app_data(ssl);

	(void)x509;
	(void)pkey;
	if (flag != NULL)
		*flag = 1;
	return 0; /* we have none to give */
}

static void
probe_tls(struct probe *p, int timeout_ms)
{
	struct http_resp resp;
	struct cm_err e;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	char req[512], tmp[4096];
	size_t used;
	int fd, n, r = 0, requested = 0;

	if ((fd = dial(p, timeout_ms)) < 0)
		return;
	err_init(&e);
	if ((ctx = tls_client_ctx(NULL, 0, NULL, 0, NULL, 0, 0, &e)) == NULL ||
	    (ssl = SSL_new(ctx)) == NULL) {
		snprintf(p->tls_err, sizeof(p->tls_err), "%s", e.msg);
		goto out;
	}
	SSL_CTX_set_client_cert_cb(ctx, cert_requested);
	SSL_set_app_data(ssl, &requested);
	SSL_set_fd(ssl, fd);
	tls_set_peer_name(ssl, p->host, 0, &e);
	ERR_clear_error();
	if (SSL_connect(ssl) != 1) {
		tls_error(&e, "handshake");
		snprintf(p->tls_err, sizeof(p->tls_err), "%s", e.msg);
		p->tls_cert_requested = requested;
		goto out;
	}
	p->tls_handshake = 1;
	snprintf(req, sizeof(req), PING_REQUEST, p->host);
	if (SSL_write(ssl, req, (int)strlen(req)) <= 0) {
		tls_error(&e, "send");
		snprintf(p->tls_err, sizeof(p->tls_err), "%s", e.msg);
		p->tls_cert_requested = requested;
		goto out;
	}
	http_resp_init(&resp, PROBE_MAX_ANSWER);
	ERR_clear_error();
	while ((n = SSL_read(ssl, tmp, sizeof(tmp))) > 0)
		if ((r = http_resp_feed(&resp, tmp, (size_t)n, &used, &e)) != 0)
			break;
	if (n <= 0 && resp.status == 0) {
		tls_error(&e, "answer");
		snprintf(p->tls_err, sizeof(p->tls_err), "%s", e.msg);
	}
	p->tls_cert_requested = requested;
	if (resp.status != 0)
		p->tls_status = judge_answer(&resp, &p->tls_docker,
		    p->server[0] ? NULL : p->server, sizeof(p->server),
		    p->api_version[0] ? NULL : p->api_version,
		    sizeof(p->api_version));
	http_resp_release(&resp);
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
}

static void *
probe_one(void *arg)
{
	struct job *j = arg;

	probe_plain(j->p, j->timeout_ms);
	/* TLS only where something listens and it is not plain HTTP */
	if (j->p->open && !j->p->http_docker)
		probe_tls(j->p, j->timeout_ms);
	j->p->done = 1;
	ERR_clear_error();
	return NULL;
}

void
probe_run(struct probe *p, size_t n, int timeout_ms)
{
	pthread_t th[PROBE_MAX];
	struct job jobs[PROBE_MAX];
	int started[PROBE_MAX];
	size_t i;

	if (n > PROBE_MAX)
		n = PROBE_MAX;
	for (i = 0; i < n; i++) {
		jobs[i].p = &p[i];
		jobs[i].timeout_ms = timeout_ms;
		started[i] =
		    pthread_create(&th[i], NULL, probe_one, &jobs[i]) == 0;
		if (!started[i])
			probe_one(&jobs[i]);
	}
	for (i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}
