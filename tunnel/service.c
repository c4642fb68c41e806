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
#include <poll.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "common/file.h"
#include "common/gojson.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "tunnel/ctlconn.h"
#include "tunnel/forward.h"
#include "tunnel/service.h"

#define CTL_MAX 4096
#define MAX_WAITERS 1024 /* `connect` requests waiting per context */
#define WORKER_STACK ((size_t)512 << 10)
/* a client of a context that failed this recently gets that failure
 * again at once, instead of one more connect attempt (the docker CLI
 * retries its first request several times) */
#define REFAIL_US (1ULL * 1000000)

enum sstate { SS_IDLE, SS_CONNECTING, SS_CONNECTED, SS_FAILING };

static const char *const state_names[] = { "idle", "connecting", "connected",
	"failing" };

struct sctx {
	struct svc_spec spec;
	struct ssh_params ssh;
	struct svc *svc;
	int lfd; /* -1: not served (problem says why) */
	char problem[256];
	int busy; /* a worker runs (main thread only) */
	int gone; /* left the store: freed once its worker ends */
	int stop[2];
	pthread_t th;
	/* under svc->mu */
	enum sstate state;
	struct fwd_stats fs; /* the running session's */
	uint64_t acc_in, acc_out, acc_total, acc_failed;
	unsigned sessions;
	char last_error[1024]; /* a connect error in full (both modes) */
	uint64_t failed_us; /* when it last failed (0: not failing) */
	int force; /* connect even if it failed just now ("connect") */
	/* control clients waiting for "connect" */
	int *waiters; /* grows to MAX_WAITERS */
	int nwaiters, capwaiters;
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

int
svc_request(const char *run_dir, const char *req, int timeout_ms,
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
	if (fd_write_all(fd, req, strlen(req)) != 0 ||
	    fd_write_all(fd, "\n", 1) != 0) {
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

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(err, ERR_TOOBIG, "\"%s\" is too long", path);
	memcpy(sa.sun_path, path, strlen(path));
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
answer_backlog(int lfd, const char *msg)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		fwd_http_error(fd, "", 0, msg);
		close(fd);
	}
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
	if (r == 0) {
		memset(&fc, 0, sizeof(fc));
		fc.ssh = &x->ssh;
		fc.mode = x->spec.mode;
		fc.unix_fd = x->lfd;
		fc.tcp_fd = -1;
		fc.ctl_fd = -1;
		fc.stop_fd = x->stop[0];
		fc.alive_interval = -1;
		fc.idle_ms = s->cfg->idle_s > 0
		    ? (int)(s->cfg->idle_s > 86400 * 20 ? 86400 * 20 * 1000LL
							: s->cfg->idle_s * 1000)
		    : 0;
		fc.fail_fast = 1;
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
	if (r != 0)
		answer_backlog(x->lfd, err.msg);
	notify_main(x, 1);
	return NULL;
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

static void
ctx_free(struct sctx *x)
{
	int i;

	if (x->lfd >= 0) {
		close(x->lfd);
		if (x->spec.socket != NULL)
			(void)unlink(x->spec.socket);
	}
	for (i = 0; i < x->nwaiters; i++)
		close(x->waiters[i]);
	free(x->waiters);
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
	x->ssh.passphrase = NULL; /* no one to ask: ssh-agent or no
				     passphrase */
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
	if (x->problem[0] != '\0') {
		x->lfd = -1;
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
	    a->hkp == b->hkp && a->mode == b->mode &&
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

static int
reload(struct svc *s, struct cm_err *err)
{
	struct svc_spec *list = NULL;
	size_t n = 0, i, j;
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
				s->need_reload = 1;
			} else {
				log_info("\"%s\" changed", x->spec.name);
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
		if ((x = find_ctx(s, req + 5)) == NULL)
			reply_error(fd, "not served");
		else {
			stop_worker(x);
			forget_failure(x);
			reply(fd, "{\"ok\":true}");
		}
	} else if (strncmp(req, "connect ", 8) == 0) {
		if ((x = find_ctx(s, req + 8)) == NULL)
			reply_error(fd, "not served");
		else if (x->lfd < 0)
			reply_error(fd, x->problem);
		else if (ctx_state(x) == SS_CONNECTED)
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

	for (i = 0; i < x->nwaiters; i++)
		reply_result(x->waiters[i], x);
	x->nwaiters = 0;
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
			if (busy == 0)
				break;
		}
		pfd = xreallocarray(pfd, s.n + 3, sizeof(*pfd));
		who = xreallocarray(who, s.n + 3, sizeof(*who));
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
				start_worker(who[i]);
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
