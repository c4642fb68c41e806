/*
 * service.c: the tunnel service (see service.h).
 *
 * Threads: the main thread owns the context list, the listeners of idle
 * contexts and the control socket.  A worker owns one context's session
 * and forwarder while it runs; it reports through `mu` (state, counters,
 * last error) and a notify pipe (the context pointer), and the main
 * thread joins it then.  A context's listener belongs to its worker
 * while one runs.
 */
#include "common/compat.h"

#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common/file.h"
#include "common/gojson.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "tunnel/ctlconn.h"
#include "tunnel/forward.h"
#include "tunnel/peeruid.h"
#include "tunnel/service.h"

#define CTL_MAX 4096
#define MAX_WAITERS 1024 /* `connect` requests waiting per context */
#define WORKER_STACK ((size_t)512 << 10)
/* a client of a context that failed this recently gets that failure
 * again at once, instead of one more connect attempt (the docker CLI
 * retries its first request several times) */
#define REFAIL_US (1ULL * 1000000)
#define MAX_CACHED 8 /* passphrases kept per context */
#define ASK_WAIT_MS 120000 /* for a passphrase typed on the client side */

enum sstate { SS_IDLE, SS_CONNECTING, SS_CONNECTED, SS_FAILING };

static const char *const state_names[] = { "idle", "connecting", "connected",
	"failing" };

struct cached_pass {
	char *path;
	struct buf pass;
};

struct sctx {
	struct svc_spec spec;
	int tfd; /* 127.0.0.1:PORT of a pinned context, or -1 */
	/* passphrases given through a `connect NAME relay` client, to
	 * reconnect without one (worker only) */
	struct cached_pass cache[MAX_CACHED];
	size_t ncache;
	int relay; /* that client, while connecting (under svc->mu) */
	int want_relay; /* a waiting `connect` asked to be the relay */
	int replacing; /* its spec changed: replaced once its worker ends */
	struct ssh_params ssh;
	struct svc *svc;
	int lfd; /* -1: not served (problem says why) */
	char problem[1024];
	int busy; /* a worker runs (main thread only) */
	int gone; /* left the store: freed once its worker ends */
	int stop[2];
	int stopw; /* a `stop NAME` client, answered when the worker ended */
	pthread_t th;
	/* under svc->mu */
	enum sstate state;
	struct fwd_stats fs; /* the running session's */
	uint64_t acc_in, acc_out, acc_total, acc_failed, acc_runs;
	unsigned sessions;
	unsigned peak; /* most clients at once, over all sessions */
	char last_error[1024]; /* a connect error in full (both modes) */
	uint64_t failed_us; /* when it last failed (0: not failing) */
	int force; /* connect even if it failed just now ("connect") */
	/* control clients waiting for "connect" */
	int *waiters; /* grows to MAX_WAITERS */
	int nwaiters, capwaiters;
	/* "run" requests waiting for the session, and the pipe that hands
	 * them to the worker's forwarder (while a worker runs) */
	struct fwd_run **runs;
	int nruns, capruns;
	int runp[2];
};

struct svc {
	const struct svc_config *cfg;
	pthread_mutex_t mu;
	struct sctx **ctx;
	size_t n;
	int notify[2];
	int ctl_fd;
	char *ctl_path;
	int need_reload;
	int shutdown;
	uint64_t started_us;
	struct timespec watch_mtime;
	/* sockets passed by systemd (LISTEN_FDS) not yet claimed */
	int *passed;
	size_t npassed;
};

void
svc_spec_free(struct svc_spec *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->url);
	free(s->identity);
	free(s->socket);
	memset(s, 0, sizeof(*s));
}

/* Paths */

static int
fits_sun_path(const char *dir)
{
	struct sockaddr_un sa;

	/* dir + "/_" + 16 hex + ".sock" */
	return strlen(dir) + 2 + 16 + 5 < sizeof(sa.sun_path);
}

/* 1 if `dir` is a real directory of this user, mode 0700. */
static int
private_dir(const char *dir)
{
	struct stat st;

	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && (st.st_mode & 077) == 0;
}

char *
svc_run_dir(const char *config_dir)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char hex[65], *real, *d;

	real = realpath(config_dir, NULL);
	sha256_hex(
	    real ? real : config_dir, strlen(real ? real : config_dir), hex);
	free(real);
	if (x != NULL && x[0] == '/' && private_dir(x)) {
		d = xasprintf("%s/ctxmgr/%.8s", x, hex);
		if (fits_sun_path(d))
			return d;
		free(d);
	}
	d = xasprintf("%s/ctxmgr/run", config_dir);
	if (config_dir[0] == '/' && fits_sun_path(d))
		return d;
	free(d);
	return xasprintf("/tmp/ctxmgr-%ld/%.8s", (long)geteuid(), hex);
}

/* The base a run dir hangs from, and the parts ctxmgr makes. */
static int
base_of(const char *run_dir, char **basep)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char prefix[64];
	size_t n;

	*basep = NULL;
	if (x != NULL && x[0] == '/') {
		n = strlen(x);
		if (strncmp(run_dir, x, n) == 0 &&
		    strncmp(run_dir + n, "/ctxmgr/", 8) == 0) {
			*basep = xstrndup(x, n);
			return 0;
		}
	}
	snprintf(prefix, sizeof(prefix), "/tmp/ctxmgr-%ld/", (long)geteuid());
	if (strncmp(run_dir, prefix, strlen(prefix)) == 0) {
		*basep = xstrdup("/tmp");
		return 0;
	}
	n = strlen(run_dir);
	if (n > 11 && strcmp(run_dir + n - 11, "/ctxmgr/run") == 0) {
		*basep = xstrndup(run_dir, n - 11);
		return 0;
	}
	return -1;
}

/* A directory on the way: no symlink, owned by us or root, not
 * writable by others unless sticky (as OpenSSH checks ~/.ssh). */
static int
check_on_way(const char *dir, struct cm_err *err)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return err_sys(err, "cannot stat \"%s\"", dir);
	if (!S_ISDIR(st.st_mode))
		return err_set(err, ERR_PERM,
		    "\"%s\" is not a directory (a symlink?): refusing to "
		    "put sockets under it",
		    dir);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return err_set(err, ERR_PERM,
		    "\"%s\" belongs to another user (uid %ld): refusing "
		    "to put sockets under it",
		    dir, (long)st.st_uid);
	if ((st.st_mode & 022) != 0 && !(st.st_mode & S_ISVTX))
		return err_set(err, ERR_PERM,
		    "\"%s\" is writable by others (mode %03o): refusing to "
		    "put sockets under it",
		    dir, (unsigned)(st.st_mode & 0777));
	return 0;
}

/* A directory ctxmgr made: ours, 0700, no symlink. */
static int
check_own(const char *dir, int create, struct cm_err *err)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT || !create)
			return err_sys(err, "cannot stat \"%s\"", dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return err_sys(err, "cannot create \"%s\"", dir);
		if (lstat(dir, &st) != 0)
			return err_sys(err, "cannot stat \"%s\"", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(err, ERR_PERM,
		    "\"%s\" is not a directory (a symlink?): refusing to "
		    "use it for sockets",
		    dir);
	if (st.st_uid != geteuid())
		return err_set(err, ERR_PERM,
		    "\"%s\" belongs to another user (uid %ld): refusing to "
		    "use it for sockets",
		    dir, (long)st.st_uid);
	if ((st.st_mode & 077) != 0)
		return err_set(err, ERR_PERM,
		    "\"%s\" has mode %03o, not 700: refusing to use it for "
		    "sockets (fix it with chmod 700)",
		    dir, (unsigned)(st.st_mode & 0777));
	return 0;
}

int
svc_run_dir_check(const char *run_dir, int create, struct cm_err *err)
{
	char *base = NULL, *p, *q;
	int r = 0;

	if (run_dir[0] != '/' || base_of(run_dir, &base) != 0)
		return err_set(err, ERR_INVALID,
		    "\"%s\" is not a tunnel run dir", run_dir);
	/* the base and everything above it */
	p = xstrdup(base);
	for (;;) {
		if ((r = check_on_way(p[0] ? p : "/", err)) != 0)
			break;
		if ((q = strrchr(p, '/')) == NULL || p[0] == '\0')
			break;
		*q = '\0';
	}
	free(p);
	/* below the base: made by ctxmgr */
	for (q = strchr(run_dir + strlen(base) + 1, '/'); r == 0;
	     q = strchr(q + 1, '/')) {
		p = q ? xstrndup(run_dir, (size_t)(q - run_dir))
		      : xstrdup(run_dir);
		r = check_own(p, create, err);
		free(p);
		if (q == NULL)
			break;
	}
	free(base);
	return r;
}

int
svc_socket_path(
    const char *run_dir, const char *name, char **outp, struct cm_err *err)
{
	char hex[65];

	*outp = NULL;
	if (!fits_sun_path(run_dir))
		return err_set(err, ERR_TOOBIG,
		    "the tunnel run dir \"%s\" is too long for a unix "
		    "socket path",
		    run_dir);
	sha256_hex(name, strlen(name), hex);
	*outp = xasprintf("%s/_%.16s.sock", run_dir, hex);
	return 0;
}

/* Sockets */

static int
peer_is_me(int fd)
{
	struct ucred uc;
	socklen_t l = sizeof(uc);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 &&
	    uc.uid == geteuid();
}

static int
connect_ctl(const char *path, int timeout_ms, struct cm_err *err)
{
	int fd = ctl_connect_unix(path, timeout_ms, err);

	if (fd == ERR_TIMEOUT)
		return err_set(
		    err, ERR_TIMEOUT, "the tunnel service does not answer");
	if (fd < 0 && fd != ERR_PERM && fd != ERR_TOOBIG)
		return err_set(
		    err, ERR_NOTFOUND, "no tunnel service is running");
	return fd;
}

int
svc_alive(const char *run_dir)
{
	struct cm_err e;
	char *p = xasprintf("%s/%s", run_dir, SVC_CTL);
	int fd = connect_ctl(p, 100, &e);

	free(p);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* A "P ATTEMPT PATH" line of the service: ask, answer "p HEX" or
 * "c REASON". */
static int
answer_ask(int fd, char *line, svc_ask_fn ask, void *arg)
{
	struct buf pass, msg;
	struct cm_err e2;
	char *path;
	long long attempt;
	size_t i;
	int r;

	if ((path = strchr(line + 2, ' ')) == NULL)
		return -1;
	*path++ = '\0';
	if (parse_int(line + 2, 1, 100, &attempt) != 0)
		return -1;
	err_init(&e2);
	buf_init_secret(&pass, 4096);
	buf_init_secret(&msg, 16384);
	r = ask != NULL ? ask(arg, path, (int)attempt, &pass, &e2)
			: err_set(&e2, ERR_CANCEL, "no one to ask");
	if (r == 0) {
		(void)buf_add(&msg, "p ", 2);
		for (i = 0; i < pass.len; i++)
			buf_printf(&msg, "%02x", (unsigned char)pass.data[i]);
	} else {
		buf_printf(&msg, "c %s", e2.msg);
		for (i = 2; i < msg.len; i++)
			if (msg.data[i] == '\n')
				msg.data[i] = ' ';
	}
	(void)buf_add(&msg, "\n", 1);
	r = fd_write_all(fd, msg.data, msg.len);
	buf_release(&pass);
	buf_release(&msg);
	return r;
}

int
svc_request(const char *run_dir, const char *req, int timeout_ms,
    struct buf *out, struct cm_err *err)
{
	return svc_request_ask(run_dir, req, timeout_ms, NULL, NULL, out, err);
}

/* Write p[0..n) to non-blocking fd, waiting for room until the deadline. */
static int
send_until(int fd, const void *p, size_t n, uint64_t deadline)
{
	const char *c = p;
	struct pollfd pfd;
	ssize_t k;

	while (n > 0) {
		k = write(fd, c, n);
		if (k > 0) {
			c += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (now_us() >= deadline ||
		    poll(&pfd, 1, (int)((deadline - now_us()) / 1000) + 1) < 0)
			return -1;
	}
	return 0;
}

int
svc_request_ask(const char *run_dir, const char *req, int timeout_ms,
    svc_ask_fn ask, void *ask_arg, struct buf *out, struct cm_err *err)
{
	return svc_request_body(
	    run_dir, req, NULL, 0, timeout_ms, ask, ask_arg, out, err);
}

int
svc_request_body(const char *run_dir, const char *req, const void *body,
    size_t bodylen, int timeout_ms, svc_ask_fn ask, void *ask_arg,
    struct buf *out, struct cm_err *err)
{
	char *p = xasprintf("%s/%s", run_dir, SVC_CTL), tmp[4096];
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;
	struct pollfd pfd;
	int fd, r = 0;
	ssize_t n;

	fd = connect_ctl(p, 1000, err);
	free(p);
	if (fd < 0)
		return fd;
	if (send_until(fd, req, strlen(req), deadline) != 0 ||
	    send_until(fd, "\n", 1, deadline) != 0 ||
	    send_until(fd, body, bodylen, deadline) != 0) {
		close(fd);
		return err_sys(err, "cannot talk to the tunnel service");
	}
	for (;;) {
		uint64_t now = now_us();
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (now >= deadline ||
		    poll(&pfd, 1, (int)((deadline - now) / 1000) + 1) <= 0) {
			r = err_set(err, ERR_TIMEOUT,
			    "the tunnel service does not answer");
			break;
		}
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (buf_add(out, tmp, (size_t)n) != 0) {
			r = err_set(
			    err, ERR_TOOBIG, "tunnel service answer too large");
			break;
		}
		/* passphrase questions come first, a line each */
		while (out->len > 2 && out->data[0] == 'P' &&
		    out->data[1] == ' ') {
			char *nl = memchr(out->data, '\n', out->len);
			size_t l;
			if (nl == NULL)
				break;
			*nl = '\0';
			l = (size_t)(nl - out->data) + 1;
			(void)answer_ask(fd, out->data, ask, ask_arg);
			memmove(out->data, out->data + l, out->len - l);
			out->len -= l;
			out->data[out->len] = '\0';
			deadline = now_us() + (uint64_t)timeout_ms * 1000;
		}
	}
	close(fd);
	return r;
}

/* Bind `path` unless something that is not our stale socket is there. */
static int
listen_at(const char *path, int backlog, struct cm_err *err)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old;
	int fd;

	if (unix_sockaddr(path, &sa, err) != 0)
		return ERR_TOOBIG;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_set(err, ERR_EXISTS,
			    "\"%s\" exists and is no socket (%s): not "
			    "touching it",
			    path, S_ISLNK(st.st_mode) ? "a symlink" : "a file");
		if (st.st_uid != geteuid())
			return err_set(err, ERR_PERM,
			    "\"%s\" belongs to another user: not touching it",
			    path);
		/* our stale socket: the service lock says no one serves it */
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		close(fd);
		return err_sys(err, "cannot bind \"%s\"", path);
	}
	umask(old);
	if (listen(fd, backlog) != 0) {
		close(fd);
		(void)unlink(path);
		return err_sys(err, "cannot listen on \"%s\"", path);
	}
	return fd;
}

/* 127.0.0.1:port for a pinned context's --listen. */
static int
listen_tcp(int port, struct cm_err *err)
{
	struct sockaddr_in sa;
	int fd, on = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 512) != 0) {
		close(fd);
		return err_sys(err, "cannot listen on 127.0.0.1:%d", port);
	}
	return fd;
}

/* A socket systemd passed for `path`, or -1. */
static int
take_passed(struct svc *s, const char *path)
{
	struct sockaddr_un sa;
	socklen_t l;
	size_t i;
	int fd;

	for (i = 0; i < s->npassed; i++) {
		l = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		if (getsockname(s->passed[i], (struct sockaddr *)&sa, &l) !=
			0 ||
		    sa.sun_family != AF_UNIX ||
		    strncmp(sa.sun_path, path, sizeof(sa.sun_path)) != 0)
			continue;
		fd = s->passed[i];
		s->passed[i] = s->passed[--s->npassed];
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		return fd;
	}
	return -1;
}

/* sd_listen_fds(3): LISTEN_PID is us, LISTEN_FDS from fd 3. */
static void
collect_passed(struct svc *s)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	long long np, nf;
	int i;

	if (pid == NULL || n == NULL || parse_int(pid, 1, INT_MAX, &np) != 0 ||
	    np != (long long)getpid() || parse_int(n, 1, 4096, &nf) != 0)
		return;
	s->passed = xcalloc((size_t)nf, sizeof(int));
	for (i = 0; i < (int)nf; i++)
		s->passed[s->npassed++] = 3 + i;
	log_info("%lld sockets passed by the service manager", nf);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* Workers */

static void
answer_backlog(int lfd, int tcp, const char *msg)
{
	int fd;

	if (lfd < 0)
		return;
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		/* over TCP only peers of this user hear anything */
		if (!tcp || tcp_peer_uid(fd) == (long)geteuid())
			fwd_http_error(fd, "", 0, msg);
		close(fd);
	}
}

/* Passphrases: the ones given before, then the `connect ... relay`
 * client, which asks on its terminal. */
static struct cached_pass *
cache_find(struct sctx *x, const char *path)
{
	size_t i;

	for (i = 0; i < x->ncache; i++)
		if (strcmp(x->cache[i].path, path) == 0)
			return &x->cache[i];
	return NULL;
}

static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Read one line from `fd` into `line` (NUL-terminated, no newline). */
static int
read_line(int fd, struct buf *line, int timeout_ms)
{
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;
	struct pollfd pfd;
	char c;
	ssize_t n;

	for (;;) {
		uint64_t now = now_us();
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (now >= deadline ||
		    poll(&pfd, 1, (int)((deadline - now) / 1000) + 1) <= 0)
			return -1;
		n = read(fd, &c, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		if (c == '\n')
			return 0;
		if (buf_add(line, &c, 1) != 0)
			return -1;
	}
}

static int
svc_passphrase(void *arg, const char *path, int attempt, struct buf *out,
    struct cm_err *err)
{
	struct sctx *x = arg;
	struct cached_pass *cp = cache_find(x, path);
	struct buf line;
	char *q;
	int fd, r = 0, hi, lo;
	size_t i;

	if (cp != NULL && attempt == 1)
		return buf_add(out, cp->pass.data, cp->pass.len) == 0
		    ? 0
		    : err_set(err, ERR_TOOBIG, "passphrase too long");
	pthread_mutex_lock(&x->svc->mu);
	fd = x->relay;
	x->relay = -1; /* ours while we ask */
	pthread_mutex_unlock(&x->svc->mu);
	if (fd < 0)
		return err_set(err, ERR_CANCEL,
		    "the tunnel service has no terminal to ask on: add the "
		    "key to ssh-agent (ssh-add %s), or run \"ctxmgr tunnel "
		    "start %s\" where the passphrase can be typed",
		    path, x->spec.name);
	q = xasprintf("P %d %s\n", attempt, path);
	buf_init_secret(&line, 16384);
	if (fd_write_all(fd, q, strlen(q)) != 0 ||
	    read_line(fd, &line, ASK_WAIT_MS) != 0 || line.len < 2) {
		r = err_set(err, ERR_CANCEL,
		    "the client asking for \"%s\" went away", x->spec.name);
		close(fd);
		fd = -1;
	} else if (line.data[0] == 'c')
		r = err_set(err, ERR_CANCEL, "%s", line.data + 2);
	else if (line.data[0] != 'p' || (line.len - 2) % 2 != 0)
		r = err_set(
		    err, ERR_CANCEL, "a garbled answer from the client");
	else
		for (i = 2; i + 1 < line.len && r == 0; i += 2) {
			hi = unhex(line.data[i]);
			lo = unhex(line.data[i + 1]);
			if (hi < 0 || lo < 0)
				r = err_set(err, ERR_CANCEL,
				    "a garbled answer from the client");
			else {
				char ch = (char)(hi << 4 | lo);
				if (buf_add(out, &ch, 1) != 0)
					r = err_set(err, ERR_TOOBIG,
					    "passphrase too long");
				OPENSSL_cleanse(&ch, 1);
			}
		}
	buf_release(&line);
	free(q);
	pthread_mutex_lock(&x->svc->mu);
	x->relay = fd; /* back, for the next question */
	pthread_mutex_unlock(&x->svc->mu);
	if (r != 0)
		return r;
	if (cp == NULL && x->ncache < MAX_CACHED) {
		cp = &x->cache[x->ncache++];
		cp->path = xstrdup(path);
		buf_init_secret(&cp->pass, 4096);
	}
	if (cp != NULL) {
		buf_reset(&cp->pass);
		(void)buf_add(&cp->pass, out->data, out->len);
	}
	return 0;
}

/* The relay is for the first connect only: later reconnects use the
 * kept passphrases. */
static void
drop_relay(struct sctx *x)
{
	pthread_mutex_lock(&x->svc->mu);
	if (x->relay >= 0)
		close(x->relay);
	x->relay = -1;
	pthread_mutex_unlock(&x->svc->mu);
}

/* "run" requests: queued while the session is not up */
static void
runs_add(struct sctx *x, struct fwd_run *r)
{
	if (x->nruns == x->capruns) {
		x->capruns = x->capruns ? x->capruns * 2 : 8;
		x->runs = xreallocarray(
		    x->runs, (size_t)x->capruns, sizeof(*x->runs));
	}
	x->runs[x->nruns++] = r;
}

/* ... and handed to the worker once it is (or failed with `msg`). */
static void
runs_hand(struct sctx *x, struct fwd_run *r, const char *msg)
{
	if (msg == NULL && x->runp[1] >= 0 &&
	    write(x->runp[1], &r, sizeof(r)) == (ssize_t)sizeof(r))
		return;
	fwd_run_fail(r, msg ? msg : "too many commands at once");
}

/* To the main thread: connected (done 0) or the worker's end (done 1). */
struct note {
	struct sctx *x;
	int done;
};

static void
notify_main(struct sctx *x, int done)
{
	struct note m = { x, done };
	ssize_t n;

	do
		n = write(x->svc->notify[1], &m, sizeof(m));
	while (n < 0 && errno == EINTR);
}

static void *
worker(void *arg)
{
	struct sctx *x = arg;
	struct svc *s = x->svc;
	struct ssh_conn *conn = NULL;
	struct forwarder *f = NULL;
	struct fwd_config fc;
	struct fwd_stats fs;
	struct cm_err err;
	int r;

	err_init(&err);
	pthread_mutex_lock(&s->mu);
	if (!x->force && x->failed_us != 0 &&
	    now_us() - x->failed_us < REFAIL_US) {
		r = err_set(&err, ERR_NET, "%s", x->last_error);
		pthread_mutex_unlock(&s->mu);
		goto failed;
	}
	x->force = 0;
	pthread_mutex_unlock(&s->mu);
	log_info("\"%s\": connecting to %s", x->spec.name, x->spec.url);
	r = ssh_connect(&x->ssh, &conn, &err);
	drop_relay(x);
	if (r == 0) {
		memset(&fc, 0, sizeof(fc));
		fc.ssh = &x->ssh;
		fc.mode = x->spec.mode;
		fc.unix_fd = x->lfd;
		fc.tcp_fd = x->tfd;
		fc.no_ping = x->spec.no_ping;
		fc.ctl_fd = -1;
		fc.stop_fd = x->stop[0];
		fc.run_fd = x->runp[0];
		fc.alive_interval = -1;
		fc.idle_ms = s->cfg->idle_s > 0
		    ? (int)(s->cfg->idle_s > 86400 * 20 ? 86400 * 20 * 1000LL
							: s->cfg->idle_s * 1000)
		    : 0;
		fc.fail_fast = 1;
		if (x->spec.pinned) {
			/* asked for: kept up, reconnecting as long as it
			 * takes */
			fc.idle_ms = 0;
			fc.fail_fast = 0;
		}
		fc.stats_out = &x->fs;
		fc.stats_mu = &s->mu;
		r = fwd_new(&fc, conn, &f, &err);
	}
	if (r == 0) {
		pthread_mutex_lock(&s->mu);
		x->state = SS_CONNECTED;
		x->sessions++;
		x->last_error[0] = '\0';
		x->failed_us = 0;
		pthread_mutex_unlock(&s->mu);
		notify_main(x, 0);
		log_info("\"%s\": connected", x->spec.name);
		r = fwd_run(f, &err);
		fwd_get_stats(f, &fs);
		fwd_free(f);
		pthread_mutex_lock(&s->mu);
		x->acc_in += fs.bytes_in;
		x->acc_out += fs.bytes_out;
		x->acc_total += fs.total_conns;
		x->acc_failed += fs.failed_conns;
		x->acc_runs += fs.runs;
		memset(&x->fs, 0, sizeof(x->fs));
		pthread_mutex_unlock(&s->mu);
		log_info("\"%s\": session closed%s%s", x->spec.name,
		    r ? ": " : "", r ? err.msg : "");
	}
	if (r != 0) {
		pthread_mutex_lock(&s->mu);
		x->failed_us = now_us();
		pthread_mutex_unlock(&s->mu);
		log_warn("\"%s\": %s", x->spec.name, err.msg);
	}
failed:
	pthread_mutex_lock(&s->mu);
	if (r != 0) {
		x->state = SS_FAILING;
		snprintf(x->last_error, sizeof(x->last_error), "%s", err.msg);
	} else
		x->state = SS_IDLE;
	pthread_mutex_unlock(&s->mu);
	if (r != 0) {
		answer_backlog(x->lfd, 0, err.msg);
		answer_backlog(x->tfd, 1, err.msg);
	}
	notify_main(x, 1);
	return NULL;
}

/* The worker ended: requests it did not take wait again. */
static void
runs_pipe_close(struct sctx *x)
{
	struct fwd_run *r;

	if (x->runp[0] < 0)
		return;
	while (read(x->runp[0], &r, sizeof(r)) == (ssize_t)sizeof(r))
		runs_add(x, r);
	close(x->runp[0]);
	close(x->runp[1]);
	x->runp[0] = x->runp[1] = -1;
}

static void
start_worker(struct sctx *x)
{
	pthread_attr_t at;
	char c;

	if (x->busy || x->lfd < 0)
		return;
	while (read(x->stop[0], &c, 1) > 0)
		; /* an old stop */
	if (pipe2(x->runp, O_CLOEXEC | O_NONBLOCK) != 0)
		x->runp[0] = x->runp[1] = -1;
	pthread_mutex_lock(&x->svc->mu);
	x->state = SS_CONNECTING;
	pthread_mutex_unlock(&x->svc->mu);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, WORKER_STACK);
	if (pthread_create(&x->th, &at, worker, x) == 0)
		x->busy = 1;
	else {
		log_error("\"%s\": cannot start a thread", x->spec.name);
		x->state = SS_FAILING;
		runs_pipe_close(x);
	}
	pthread_attr_destroy(&at);
}

static void
stop_worker(struct sctx *x)
{
	if (x->busy && write(x->stop[1], "s", 1) < 0) {
		/* full: a stop is pending */
	}
}

/* Contexts */

static void reply(int fd, const char *text);
static void reply_error(int fd, const char *msg);

static void
ctx_free(struct sctx *x)
{
	int i;

	size_t k;

	if (x->lfd >= 0) {
		close(x->lfd);
		if (x->spec.socket != NULL)
			(void)unlink(x->spec.socket);
	}
	if (x->tfd >= 0)
		close(x->tfd);
	if (x->relay >= 0)
		close(x->relay);
	for (k = 0; k < x->ncache; k++) {
		free(x->cache[k].path);
		buf_release(&x->cache[k].pass);
	}
	for (i = 0; i < x->nwaiters; i++)
		reply_error(x->waiters[i], "no longer served");
	free(x->waiters);
	for (i = 0; i < x->nruns; i++)
		fwd_run_fail(x->runs[i], "no longer served");
	free(x->runs);
	if (x->stopw >= 0)
		reply(x->stopw, "{\"ok\":true}");
	close(x->stop[0]);
	close(x->stop[1]);
	svc_spec_free(&x->spec);
	free(x);
}

static void
set_params(struct sctx *x)
{
	memset(&x->ssh, 0, sizeof(x->ssh));
	x->ssh.url = x->spec.url;
	x->ssh.identity = x->spec.identity;
	x->ssh.host_key_policy = x->spec.hkp;
	/* ssh-agent, a key without a passphrase, or one given through
	 * a `connect NAME relay` client (then kept for reconnects) */
	x->ssh.passphrase = svc_passphrase;
	x->ssh.passphrase_arg = x;
}

static struct sctx *
ctx_new(struct svc *s, struct svc_spec *spec)
{
	struct sctx *x = xcalloc(1, sizeof(*x));
	struct cm_err err;
	char *want = NULL;

	x->spec = *spec;
	memset(spec, 0, sizeof(*spec));
	x->svc = s;
	x->lfd = -1;
	x->tfd = -1;
	x->relay = -1;
	x->want_relay = -1;
	x->stopw = -1;
	x->runp[0] = x->runp[1] = -1;
	if (pipe2(x->stop, O_CLOEXEC | O_NONBLOCK) != 0)
		x->stop[0] = x->stop[1] = -1;
	set_params(x);
	err_init(&err);
	/* only the path this service would choose, in its own run dir */
	if (svc_socket_path(s->cfg->run_dir, x->spec.name, &want, &err) != 0)
		snprintf(x->problem, sizeof(x->problem), "%s", err.msg);
	else if (x->spec.socket == NULL || strcmp(want, x->spec.socket) != 0)
		snprintf(x->problem, sizeof(x->problem),
		    "its socket \"%s\" is not this service's \"%s\" (ctxmgr "
		    "tunnel enable %s rewrites it)",
		    x->spec.socket ? x->spec.socket : "", want, x->spec.name);
	else if ((x->lfd = take_passed(s, want)) < 0 &&
	    (x->lfd = listen_at(want, 512, &err)) < 0)
		snprintf(x->problem, sizeof(x->problem), "%s", err.msg);
	else if (x->spec.port > 0 &&
	    (x->tfd = listen_tcp(x->spec.port, &err)) < 0) {
		snprintf(x->problem, sizeof(x->problem), "%s", err.msg);
		close(x->lfd);
		(void)unlink(want);
	}
	if (x->problem[0] != '\0') {
		x->lfd = -1;
		x->tfd = -1;
		log_warn("not serving \"%s\": %s", x->spec.name, x->problem);
	}
	free(want);
	return x;
}

static int
same_spec(const struct svc_spec *a, const struct svc_spec *b)
{
	return strcmp(a->url, b->url) == 0 &&
	    strcmp(a->identity ? a->identity : "",
		b->identity ? b->identity : "") == 0 &&
	    a->hkp == b->hkp && a->mode == b->mode && a->pinned == b->pinned &&
	    a->no_ping == b->no_ping && a->port == b->port &&
	    strcmp(a->socket ? a->socket : "", b->socket ? b->socket : "") == 0;
}

static struct sctx *
find_ctx(struct svc *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->ctx[i]->gone && strcmp(s->ctx[i]->spec.name, name) == 0)
			return s->ctx[i];
	return NULL;
}

static void
remove_at(struct svc *s, size_t i)
{
	struct sctx *x = s->ctx[i];

	if (x->busy) {
		x->gone = 1;
		stop_worker(x);
		return;
	}
	ctx_free(x);
	s->ctx[i] = s->ctx[--s->n];
}

static void restart_for_waiters(struct sctx *x);

/* `connect` clients of a context being replaced, for its successor. */
struct carry {
	char *name;
	int *waiters;
	int nwaiters, capwaiters;
	int want_relay;
};

static int
reload(struct svc *s, struct cm_err *err)
{
	struct svc_spec *list = NULL;
	struct carry *carry = NULL;
	size_t n = 0, i, j, ncarry = 0;
	struct sctx *x;
	char *seen;
	int r;

	s->need_reload = 0;
	if ((r = s->cfg->load(s->cfg->load_arg, &list, &n, err)) != 0)
		return r;
	seen = xcalloc(n + 1, 1);
	/* drop or update what is there */
	for (i = 0; i < s->n;) {
		x = s->ctx[i];
		if (x->gone) {
			i++;
			continue;
		}
		for (j = 0; j < n; j++)
			if (!seen[j] && strcmp(list[j].name, x->spec.name) == 0)
				break;
		if (j == n) {
			log_info("\"%s\" is no longer tunnelled", x->spec.name);
			remove_at(s, i);
			if (i < s->n && s->ctx[i] != x)
				continue;
			i++;
			continue;
		}
		seen[j] = 1;
		if (!same_spec(&x->spec, &list[j])) {
			if (x->busy) {
				/* again once its session is closed */
				stop_worker(x);
				x->replacing = 1;
				s->need_reload = 1;
			} else {
				log_info("\"%s\" changed", x->spec.name);
				if (x->nwaiters > 0) {
					struct carry *c;
					carry = xreallocarray(
					    carry, ncarry + 1, sizeof(*carry));
					c = &carry[ncarry++];
					c->name = xstrdup(x->spec.name);
					c->waiters = x->waiters;
					c->nwaiters = x->nwaiters;
					c->capwaiters = x->capwaiters;
					c->want_relay = x->want_relay;
					x->waiters = NULL;
					x->nwaiters = x->capwaiters = 0;
				}
				remove_at(s, i);
				seen[j] = 0;
				continue;
			}
		}
		i++;
	}
	/* add the new ones (not while an old one of the name winds down) */
	for (j = 0; j < n; j++) {
		size_t k;
		int winding = 0;
		if (seen[j])
			continue;
		for (k = 0; k < s->n; k++)
			if (strcmp(s->ctx[k]->spec.name, list[j].name) == 0)
				winding = 1;
		if (winding) {
			s->need_reload = 1;
			continue;
		}
		s->ctx = xreallocarray(s->ctx, s->n + 1, sizeof(*s->ctx));
		s->ctx[s->n++] = ctx_new(s, &list[j]);
		log_info("serving \"%s\"", s->ctx[s->n - 1]->spec.name);
	}
	for (j = 0; j < n; j++)
		svc_spec_free(&list[j]);
	free(list);
	free(seen);
	/* the waiting `connect` clients go to the new context */
	for (j = 0; j < ncarry; j++) {
		x = find_ctx(s, carry[j].name);
		if (x != NULL && !x->busy && x->nwaiters == 0) {
			free(x->waiters);
			x->waiters = carry[j].waiters;
			x->nwaiters = carry[j].nwaiters;
			x->capwaiters = carry[j].capwaiters;
			x->want_relay = carry[j].want_relay;
		} else {
			for (i = 0; i < (size_t)carry[j].nwaiters; i++)
				reply_error(
				    carry[j].waiters[i], "no longer served");
			free(carry[j].waiters);
		}
		free(carry[j].name);
	}
	free(carry);
	/* contexts with waiting `connect` clients and no worker (it
	 * stopped for this reload): connect now */
	if (!s->need_reload)
		for (i = 0; i < s->n; i++)
			if ((s->ctx[i]->nwaiters > 0 || s->ctx[i]->nruns > 0) &&
			    !s->ctx[i]->busy && !s->ctx[i]->gone)
				restart_for_waiters(s->ctx[i]);
	return 0;
}

static int
watch_changed(struct svc *s)
{
	struct stat st;

	if (s->cfg->watch == NULL)
		return 0;
	if (stat(s->cfg->watch, &st) != 0)
		memset(&st, 0, sizeof(st)); /* gone: changed once */
	if (st.st_mtim.tv_sec == s->watch_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == s->watch_mtime.tv_nsec)
		return 0;
	s->watch_mtime = st.st_mtim;
	return 1;
}

/* Control */

static void
status_json(struct svc *s, struct buf *out, int full)
{
	json_t *o = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(o, "pid", json_integer((json_int_t)getpid()));
	json_object_set_new(o, "run_dir", json_string(s->cfg->run_dir));
	json_object_set_new(o, "uptime",
	    json_integer((json_int_t)((now_us() - s->started_us) / 1000000)));
	json_object_set_new(
	    o, "idle_timeout", json_integer((json_int_t)s->cfg->idle_s));
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->n; i++) {
		struct sctx *x = s->ctx[i];
		json_t *c;
		if (x->gone)
			continue;
		c = json_object();
		json_object_set_new(c, "name", json_string(x->spec.name));
		/* the states alone: what a listing of many contexts needs */
		if (!full) {
			int down2 = x->state == SS_CONNECTED &&
			    x->fs.started_us != 0 && x->fs.up_since_us == 0;
			json_object_set_new(c, "state",
			    json_string(x->lfd < 0 ? "not served"
				    : down2        ? "reconnecting"
						   : state_names[x->state]));
			json_array_append_new(arr, c);
			continue;
		}
		json_object_set_new(c, "socket", json_string(x->spec.socket));
		json_object_set_new(c, "pinned", json_boolean(x->spec.pinned));
		if (x->spec.port > 0)
			json_object_set_new(c, "listen",
			    json_sprintf("127.0.0.1:%d", x->spec.port));
		json_object_set_new(c, "url", json_string(x->spec.url));
		/* the forwarder runs but lost its session: reconnecting */
		int down = x->state == SS_CONNECTED && x->fs.started_us != 0 &&
		    x->fs.up_since_us == 0;
		json_object_set_new(c, "state",
		    json_string(x->lfd < 0 ? "not served"
			    : down         ? "reconnecting"
					   : state_names[x->state]));
		json_object_set_new(c, "sessions", json_integer(x->sessions));
		json_object_set_new(c, "connected",
		    json_boolean(x->state == SS_CONNECTED && !down));
		json_object_set_new(c, "open", json_integer(x->fs.open_conns));
		if (x->fs.peak_conns > x->peak)
			x->peak = x->fs.peak_conns;
		json_object_set_new(c, "peak", json_integer(x->peak));
		json_object_set_new(c, "total",
		    json_integer(
			(json_int_t)(x->acc_total + x->fs.total_conns)));
		json_object_set_new(c, "failed",
		    json_integer(
			(json_int_t)(x->acc_failed + x->fs.failed_conns)));
		json_object_set_new(c, "in",
		    json_integer((json_int_t)(x->acc_in + x->fs.bytes_in)));
		json_object_set_new(c, "out",
		    json_integer((json_int_t)(x->acc_out + x->fs.bytes_out)));
		json_object_set_new(
		    c, "reconnects", json_integer(x->fs.reconnects));
		json_object_set_new(c, "spares_used",
		    json_integer((json_int_t)x->fs.spares_used));
		json_object_set_new(c, "pings_cached",
		    json_integer((json_int_t)x->fs.pings_cached));
		json_object_set_new(
		    c, "reused", json_integer((json_int_t)x->fs.reused));
		json_object_set_new(c, "runs",
		    json_integer((json_int_t)(x->acc_runs + x->fs.runs)));
		json_object_set_new(c, "mode",
		    json_string(x->state == SS_CONNECTED
			    ? tunnel_mode_name(x->fs.mode)
			    : tunnel_mode_name(x->spec.mode)));
		json_object_set_new(c, "cipher", json_string(x->fs.cipher));
		json_object_set_new(c, "last_error",
		    json_string(x->lfd < 0 ? x->problem
			    : down         ? x->fs.last_error
					   : x->last_error));
		json_array_append_new(arr, c);
	}
	pthread_mutex_unlock(&s->mu);
	json_object_set_new(o, "contexts", arr);
	{
		struct buf b;
		struct cm_err e2;
		const char *p;
		uint64_t kb = 0, cur = 0;
		buf_init(&b, 65536);
		if (file_read("/proc/self/status", 65536, 0, &b, &e2) == 0) {
			if ((p = strstr(b.data, "VmHWM:")) != NULL)
				kb = strtoull(p + 6, NULL, 10);
			if ((p = strstr(b.data, "VmRSS:")) != NULL)
				cur = strtoull(p + 6, NULL, 10);
		}
		buf_release(&b);
		json_object_set_new(
		    o, "peak_rss_kb", json_integer((json_int_t)kb));
		json_object_set_new(o, "rss_kb", json_integer((json_int_t)cur));
	}
	gojson_encode(o, NULL, out);
	json_decref(o);
}

static void
reply(int fd, const char *text)
{
	(void)fd_write_all(fd, text, strlen(text));
	close(fd);
}

static void
reply_result(int fd, struct sctx *x)
{
	json_t *o = json_object();
	struct buf b;

	pthread_mutex_lock(&x->svc->mu);
	json_object_set_new(o, "ok", json_boolean(x->state == SS_CONNECTED));
	json_object_set_new(o, "state", json_string(state_names[x->state]));
	json_object_set_new(o, "error",
	    json_string(x->state == SS_CONNECTED ? "" : x->last_error));
	pthread_mutex_unlock(&x->svc->mu);
	buf_init(&b, 65536);
	gojson_encode(o, NULL, &b);
	json_decref(o);
	(void)fd_write_all(fd, b.data, b.len);
	buf_release(&b);
	close(fd);
}

static void
reply_error(int fd, const char *msg)
{
	json_t *o = json_object();
	struct buf b;

	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error", json_string(msg));
	buf_init(&b, 65536);
	gojson_encode(o, NULL, &b);
	json_decref(o);
	(void)fd_write_all(fd, b.data, b.len);
	buf_release(&b);
	close(fd);
}

static enum sstate
ctx_state(struct sctx *x)
{
	enum sstate st;

	pthread_mutex_lock(&x->svc->mu);
	st = x->state;
	pthread_mutex_unlock(&x->svc->mu);
	return st;
}

/* After `tunnel stop` the next client tries afresh (no REFAIL_US). */
static void
forget_failure(struct sctx *x)
{
	pthread_mutex_lock(&x->svc->mu);
	x->failed_us = 0;
	pthread_mutex_unlock(&x->svc->mu);
}

static void answer_waiters(struct sctx *x);

/*
 * "run NAME CMDLEN INLEN TIMEOUT_MS OUTCAP" (runwire.h), `pre` the bytes
 * read past its line: to the worker when the session is up, else queued
 * and the session connected as for "connect".
 */
static void
run_request(struct svc *s, int fd, char *args, const char *pre, size_t plen)
{
	struct run_req rq;
	struct cm_err err;
	struct sctx *x;
	char *sp = strchr(args, ' ');

	err_init(&err);
	if (sp == NULL || run_req_parse(sp + 1, &rq, &err) != 0) {
		reply_error(fd, "bad run request");
		return;
	}
	*sp = '\0';
	if ((x = find_ctx(s, args)) == NULL) {
		reply_error(fd, "not served");
		return;
	}
	if (x->lfd < 0) {
		reply_error(fd, x->problem);
		return;
	}
	if (ctx_state(x) == SS_CONNECTED && x->busy && !x->replacing) {
		runs_hand(x, fwd_run_new(fd, &rq, pre, plen), NULL);
		return;
	}
	if (x->nruns >= MAX_WAITERS) {
		reply_error(fd, "busy");
		return;
	}
	runs_add(x, fwd_run_new(fd, &rq, pre, plen));
	pthread_mutex_lock(&s->mu);
	x->force = 1;
	pthread_mutex_unlock(&s->mu);
	start_worker(x);
	if (!x->busy)
		answer_waiters(x); /* could not start: say so */
}

static void
handle_ctl(struct svc *s, int fd)
{
	char req[CTL_MAX];
	size_t n = 0;
	uint64_t deadline = now_us() + 1000000;
	struct pollfd pfd;
	struct cm_err err;
	struct buf out;
	struct sctx *x;
	ssize_t k;
	char *nl;
	size_t i;

	if (!peer_is_me(fd)) {
		close(fd);
		return;
	}
	while (n < sizeof(req) - 1 && memchr(req, '\n', n) == NULL &&
	    now_us() < deadline) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		k = read(fd, req + n, sizeof(req) - 1 - n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	req[n] = '\0';
	if ((nl = strchr(req, '\n')) == NULL) {
		close(fd);
		return;
	}
	*nl = '\0';
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	err_init(&err);
	if (strcmp(req, "status") == 0 || strcmp(req, "states") == 0) {
		buf_init(&out, 1 << 24);
		status_json(s, &out, strcmp(req, "status") == 0);
		(void)fd_write_all(fd, out.data, out.len);
		buf_release(&out);
		close(fd);
	} else if (strcmp(req, "reload") == 0) {
		if (reload(s, &err) != 0)
			reply_error(fd, err.msg);
		else
			reply(fd, "{\"ok\":true}");
	} else if (strcmp(req, "shutdown") == 0) {
		s->shutdown = 1;
		reply(fd, "{\"ok\":true}");
	} else if (strcmp(req, "stop *") == 0) {
		for (i = 0; i < s->n; i++) {
			stop_worker(s->ctx[i]);
			forget_failure(s->ctx[i]);
		}
		reply(fd, "{\"ok\":true}");
	} else if (strncmp(req, "stop ", 5) == 0) {
		/* answered once the session is closed, so a `tunnel ls`
		 * right after no longer shows it connected */
		if ((x = find_ctx(s, req + 5)) == NULL)
			reply_error(fd, "not served");
		else {
			stop_worker(x);
			forget_failure(x);
			if (x->busy && x->stopw < 0)
				x->stopw = fd;
			else
				reply(fd, "{\"ok\":true}");
		}
	} else if (strncmp(req, "run ", 4) == 0) {
		run_request(s, fd, req + 4, nl + 1, n - (size_t)(nl + 1 - req));
	} else if (strncmp(req, "connect ", 8) == 0) {
		/* "connect NAME relay": this client answers passphrase
		 * questions (names have no spaces) */
		char *sp = strchr(req + 8, ' ');
		int relay = sp != NULL && strcmp(sp, " relay") == 0;
		if (sp != NULL)
			*sp = '\0';
		if ((x = find_ctx(s, req + 8)) == NULL)
			reply_error(fd, "not served");
		else if (x->lfd < 0)
			reply_error(fd, x->problem);
		else if (ctx_state(x) == SS_CONNECTED && !x->replacing)
			reply_result(fd, x);
		else if (x->nwaiters >= MAX_WAITERS)
			reply_error(fd, "busy");
		else {
			if (x->nwaiters == x->capwaiters) {
				x->capwaiters =
				    x->capwaiters ? x->capwaiters * 2 : 8;
				x->waiters = xreallocarray(x->waiters,
				    (size_t)x->capwaiters, sizeof(int));
			}
			x->waiters[x->nwaiters++] = fd;
			pthread_mutex_lock(&s->mu);
			x->force = 1;
			if (relay && !x->busy && x->relay < 0)
				x->relay = fcntl(fd, F_DUPFD_CLOEXEC, 3);
			else if (relay && x->busy)
				x->want_relay = fd;
			pthread_mutex_unlock(&s->mu);
			start_worker(x);
		}
	} else
		reply_error(fd, "unknown request");
}

static void
answer_waiters(struct sctx *x)
{
	int i;

	char why[sizeof(x->last_error)];
	const char *msg = NULL;

	for (i = 0; i < x->nwaiters; i++)
		reply_result(x->waiters[i], x);
	x->nwaiters = 0;
	x->want_relay = -1; /* one of those, closed now */
	if (x->nruns == 0)
		return;
	pthread_mutex_lock(&x->svc->mu);
	if (x->state != SS_CONNECTED || !x->busy) {
		snprintf(why, sizeof(why), "%s",
		    x->state == SS_FAILING && x->last_error[0]
			? x->last_error
			: "the tunnel is not connected");
		msg = why;
	}
	pthread_mutex_unlock(&x->svc->mu);
	for (i = 0; i < x->nruns; i++)
		runs_hand(x, x->runs[i], msg);
	x->nruns = 0;
}

/* Waiting `connect` clients and no worker: start one for them. */
static void
restart_for_waiters(struct sctx *x)
{
	int i;

	if (x->lfd < 0) {
		for (i = 0; i < x->nwaiters; i++)
			reply_error(x->waiters[i], x->problem);
		x->nwaiters = 0;
		for (i = 0; i < x->nruns; i++)
			fwd_run_fail(x->runs[i], x->problem);
		x->nruns = 0;
		x->want_relay = -1;
		return;
	}
	pthread_mutex_lock(&x->svc->mu);
	x->force = 1;
	if (x->want_relay >= 0 && x->relay < 0)
		x->relay = fcntl(x->want_relay, F_DUPFD_CLOEXEC, 3);
	x->want_relay = -1;
	pthread_mutex_unlock(&x->svc->mu);
	start_worker(x);
	if (!x->busy)
		answer_waiters(x); /* could not start: say so */
}

/* A worker said something: connected (it goes on) or done. */
static void
on_notify(struct svc *s, struct sctx *x, int done)
{
	size_t i;

	if (!done) {
		answer_waiters(x);
		return;
	}
	pthread_join(x->th, NULL);
	x->busy = 0;
	runs_pipe_close(x);
	if (x->stopw >= 0) {
		reply(x->stopw, "{\"ok\":true}");
		x->stopw = -1;
	}
	if ((x->nwaiters > 0 || x->nruns > 0) && !x->gone &&
	    ctx_state(x) == SS_IDLE) {
		/* stopped (a reload, a stop) just as someone asked for a
		 * connect: connect again, once a changed spec is in place */
		if (!s->need_reload)
			restart_for_waiters(x);
		return;
	}
	answer_waiters(x);
	if (x->gone)
		for (i = 0; i < s->n; i++)
			if (s->ctx[i] == x) {
				ctx_free(x);
				s->ctx[i] = s->ctx[--s->n];
				break;
			}
}

/* The loop */

static int
lock_service(const char *run_dir, int *fdp, struct cm_err *err)
{
	char *p = xasprintf("%s/%s", run_dir, SVC_LOCK), pid[32];
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	ssize_t n;

	if (fd < 0) {
		err_sys(err, "cannot open \"%s\"", p);
		free(p);
		return err->code;
	}
	free(p);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		return err_set(err, ERR_EXISTS,
		    "a tunnel service already runs for this Docker config "
		    "dir (pid %s)",
		    pid[0] ? pid : "?");
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
		/* the pid is for people; the lock is what counts */
	}
	*fdp = fd;
	return 0;
}

static size_t
served_count(const struct svc *s)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++)
		if (!s->ctx[i]->gone)
			k++;
	return k;
}

int
svc_run(const struct svc_config *cfg, struct cm_err *err)
{
	struct svc s;
	struct pollfd *pfd = NULL;
	struct sctx **who = NULL;
	int lock_fd = -1, r, rc;
	uint64_t last_watch = now_us();
	size_t i, np;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.ctl_fd = -1;
	s.notify[0] = s.notify[1] = -1;
	s.started_us = now_us();
	pthread_mutex_init(&s.mu, NULL);
	collect_passed(&s);
	if ((r = svc_run_dir_check(cfg->run_dir, 1, err)) != 0 ||
	    (r = lock_service(cfg->run_dir, &lock_fd, err)) != 0)
		goto out;
	if (pipe2(s.notify, O_CLOEXEC) != 0) {
		r = err_sys(err, "pipe");
		goto out;
	}
	s.ctl_path = xasprintf("%s/%s", cfg->run_dir, SVC_CTL);
	if ((s.ctl_fd = take_passed(&s, s.ctl_path)) < 0 &&
	    (s.ctl_fd = listen_at(s.ctl_path, 512, err)) < 0) {
		r = s.ctl_fd;
		goto out;
	}
	(void)watch_changed(&s);
	if ((r = reload(&s, err)) != 0)
		goto out;
	for (i = 0; i < s.npassed; i++)
		close(s.passed[i]); /* nothing of ours: not kept */
	s.npassed = 0;
	log_info("tunnel service (pid %ld) serving %zu contexts from %s",
	    (long)getpid(), s.n, cfg->run_dir);
	if (cfg->ready_fd >= 0) {
		(void)fd_write_all(cfg->ready_fd, "R", 1);
		close(cfg->ready_fd);
	}
	for (;;) {
		if (s.shutdown || (served_count(&s) == 0 && !s.need_reload)) {
			size_t busy = 0;
			for (i = 0; i < s.n; i++)
				if (s.ctx[i]->busy) {
					stop_worker(s.ctx[i]);
					busy++;
				}
			if (busy == 0) {
				/* no new requests: a starter that finds no
				 * one starts a new service */
				close(s.ctl_fd);
				(void)unlink(s.ctl_path);
				s.ctl_fd = -1;
				break;
			}
		}
		pfd = xreallocarray(pfd, 2 * s.n + 3, sizeof(*pfd));
		who = xreallocarray(who, 2 * s.n + 3, sizeof(*who));
		np = 0;
		pfd[np].fd = s.notify[0];
		pfd[np++].events = POLLIN;
		pfd[np].fd = s.ctl_fd;
		pfd[np++].events = POLLIN;
		pfd[np].fd = cfg->stop_fd;
		pfd[np++].events = POLLIN;
		for (i = 0; i < s.n; i++) {
			struct sctx *x = s.ctx[i];
			if (x->busy || x->lfd < 0 || x->gone || s.shutdown)
				continue;
			who[np] = x;
			pfd[np].fd = x->lfd;
			pfd[np].events = POLLIN;
			pfd[np++].revents = 0;
			if (x->tfd < 0)
				continue;
			who[np] = x;
			pfd[np].fd = x->tfd;
			pfd[np].events = POLLIN;
			pfd[np++].revents = 0;
		}
		for (i = 0; i < 3; i++)
			pfd[i].revents = 0;
		rc = poll(pfd, np, 2000);
		if (rc < 0 && errno != EINTR) {
			/* stop, but only once every worker has ended */
			log_error("poll: %s", strerror(errno));
			s.shutdown = 1;
			usleep(100000);
			continue;
		}
		/* the store, every 2 s however busy the loop is */
		if (now_us() - last_watch >= 2000000) {
			last_watch = now_us();
			if (watch_changed(&s) || s.need_reload)
				(void)reload(&s, err);
			continue; /* the list may have changed; poll again */
		}
		if (rc <= 0)
			continue;
		if (pfd[2].revents & POLLIN)
			s.shutdown = 1;
		if (pfd[0].revents & POLLIN) {
			struct note m;
			if (read(s.notify[0], &m, sizeof(m)) == sizeof(m))
				on_notify(&s, m.x, m.done);
			if (s.need_reload)
				(void)reload(&s, err);
			continue; /* the list may have changed */
		}
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(s.ctl_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				handle_ctl(&s, fd);
			continue; /* reload may have changed the list */
		}
		for (i = 3; i < np; i++)
			if (pfd[i].revents & POLLIN)
				start_worker(who[i]); /* once: busy then */
	}
	r = 0;
	log_info("tunnel service stopping");
out:
	for (i = 0; i < s.n; i++)
		ctx_free(s.ctx[i]);
	free(s.ctx);
	free(pfd);
	free(who);
	for (i = 0; i < s.npassed; i++)
		close(s.passed[i]);
	free(s.passed);
	if (s.ctl_fd >= 0) {
		close(s.ctl_fd);
		(void)unlink(s.ctl_path);
	}
	free(s.ctl_path);
	if (s.notify[0] >= 0) {
		close(s.notify[0]);
		close(s.notify[1]);
	}
	if (lock_fd >= 0)
		close(lock_fd);
	pthread_mutex_destroy(&s.mu);
	return r;
}
