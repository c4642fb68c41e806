/*
 * tunnel.c: background tunnel processes (see tunnel.h).
 *
 * Starting: take NAME.lock, fork twice (the tunnel is re-parented to
 * init and leaves the terminal's session), and talk to the tunnel over a
 * SOCK_SEQPACKET pair until it says ready or fails: it asks the starter
 * for passphrases (the starter has the terminal), and sends its error if
 * connecting fails, so `tunnel start` reports it and exits non-zero with
 * nothing left running.  The tunnel keeps the passphrases it was given,
 * in memory only, to reconnect later (see README, security).
 */
#include "common/compat.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common/file.h"
#include "tunnel/forward.h"
#include "tunnel/service.h"
#include "common/gojson.h"
#include "common/log.h"
#include "tunnel/tunnel.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "tunnel/ctlconn.h"

#define RELAY_MAX 8192
#define LOG_MAX ((off_t)1 << 20)
#define START_WAIT_MS 60000
#define MAX_CACHED 8

/* Relay messages, tunnel to starter: 'P' attempt path (passphrase?),
 * 'R' (ready), 'E' code message (failed).  Starter to tunnel: 'p'
 * passphrase, 'c' reason (skip the key), 'x' code message (stop). */

struct cached_pass {
	char *path;
	struct buf pass;
};

struct daemon {
	const struct tunnel_spec *spec;
	int relay; /* to the starter; -1 when none */
	struct cached_pass cache[MAX_CACHED];
	size_t ncache;
	char *sock_path, *ctl_path, *pid_path, *log_path;
	int unix_fd, tcp_fd, ctl_fd;
	struct forwarder *fwd;
	uint64_t started_us;
};

static int stop_pipe[2] = { -1, -1 };

static char *
tfile(const char *run_dir, const char *name, const char *ext)
{
	return xasprintf("%s/%s.%s", run_dir, name, ext);
}

char *
tunnel_run_dir(const char *config_dir)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char hex[65], *real;

	if (x != NULL && x[0] == '/') {
		real = realpath(config_dir, NULL);
		sha256_hex(real ? real : config_dir,
		    strlen(real ? real : config_dir), hex);
		free(real);
		return xasprintf("%s/ctxmgr/%.8s", x, hex);
	}
	return xasprintf("%s/ctxmgr/run", config_dir);
}

int
tunnel_run_dir_ensure(const char *run_dir, struct cm_err *err)
{
	/* every directory on the way, as the tunnel service checks them */
	return svc_run_dir_check(run_dir, 1, err);
}

int
tunnel_socket_path(
    const char *run_dir, const char *name, char **outp, struct cm_err *err)
{
	struct sockaddr_un sa;
	char *p = tfile(run_dir, name, "sock");
	char *ctl = tfile(run_dir, name, "ctl");
	size_t n = strlen(p) > strlen(ctl) ? strlen(p) : strlen(ctl);

	free(ctl);
	*outp = NULL;
	if (n >= sizeof(sa.sun_path)) {
		err_set(err, ERR_TOOBIG,
		    "socket path \"%s\" is %zu bytes, more than a unix socket "
		    "takes (%zu): use a shorter context name or set "
		    "XDG_RUNTIME_DIR to a shorter directory",
		    p, n, sizeof(sa.sun_path) - 1);
		free(p);
		return ERR_TOOBIG;
	}
	*outp = p;
	return 0;
}

int
tunnel_listen_check(const char *listen, int *portp, struct cm_err *err)
{
	const char *colon = strrchr(listen, ':');
	long long port;

	if (colon == NULL ||
	    !((colon - listen == 9 && strncmp(listen, "127.0.0.1", 9) == 0) ||
		(colon - listen == 9 && strncmp(listen, "localhost", 9) == 0)))
		return err_set(err, ERR_USAGE,
		    "--listen \"%s\": only 127.0.0.1:PORT is allowed (anyone "
		    "who reaches the port controls the Docker daemon)",
		    listen);
	if (parse_int(colon + 1, 1, 65535, &port) != 0)
		return err_set(err, ERR_USAGE,
		    "--listen \"%s\": the port must be 1..65535", listen);
	*portp = (int)port;
	return 0;
}

/* 1 if someone holds the lock file, 0 if not (or there is none). */
static int
lock_held(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	int held = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		held = errno == EWOULDBLOCK;
	else
		flock(fd, LOCK_UN);
	close(fd);
	return held;
}

/* Take the lock without waiting: the descriptor, -1 held, or ERR_*. */
static int
lock_try(const char *path, struct cm_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return err_sys(err, "cannot open \"%s\"", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	close(fd);
	if (errno == EWOULDBLOCK)
		return -1;
	return err_sys(err, "cannot lock \"%s\"", path);
}

static void
remove_files(const char *run_dir, const char *name)
{
	static const char *const exts[] = { "sock", "ctl", "pid" };
	size_t i;

	for (i = 0; i < nitems(exts); i++) {
		char *p = tfile(run_dir, name, exts[i]);
		(void)unlink(p);
		free(p);
	}
}

/* Status JSON */

static uint64_t
peak_rss_kb(void)
{
	struct buf b;
	struct cm_err e2;
	const char *p;
	uint64_t kb = 0;

	buf_init(&b, 65536);
	if (file_read("/proc/self/status", 65536, 0, &b, &e2) == 0 &&
	    (p = strstr(b.data, "VmHWM:")) != NULL)
		kb = strtoull(p + 6, NULL, 10);
	buf_release(&b);
	return kb;
}

static void
status_json(void *arg, const struct fwd_stats *s, struct buf *out)
{
	struct daemon *d = arg;
	uint64_t now = now_us();
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(d->spec->name));
	json_object_set_new(o, "pid", json_integer((json_int_t)getpid()));
	json_object_set_new(o, "socket", json_string(d->sock_path));
	json_object_set_new(
	    o, "listen", json_string(d->spec->listen ? d->spec->listen : ""));
	json_object_set_new(o, "url", json_string(d->spec->ssh.url));
	json_object_set_new(o, "connected", json_boolean(s->up_since_us != 0));
	json_object_set_new(o, "uptime",
	    json_integer((json_int_t)((now - d->started_us) / 1000000)));
	json_object_set_new(o, "open", json_integer(s->open_conns));
	json_object_set_new(o, "peak", json_integer(s->peak_conns));
	json_object_set_new(
	    o, "total", json_integer((json_int_t)s->total_conns));
	json_object_set_new(
	    o, "failed", json_integer((json_int_t)s->failed_conns));
	json_object_set_new(o, "in", json_integer((json_int_t)s->bytes_in));
	json_object_set_new(o, "out", json_integer((json_int_t)s->bytes_out));
	json_object_set_new(o, "reconnects", json_integer(s->reconnects));
	json_object_set_new(o, "mode", json_string(tunnel_mode_name(s->mode)));
	json_object_set_new(o, "cipher", json_string(s->cipher));
	json_object_set_new(o, "last_error", json_string(s->last_error));
	json_object_set_new(
	    o, "peak_rss_kb", json_integer((json_int_t)peak_rss_kb()));
	gojson_encode(o, NULL, out);
	json_decref(o);
}

static void
copy_str(char *dst, size_t n, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static uint64_t
get_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	double d = json_is_number(v) ? json_number_value(v) : 0;

	return d > 0 ? (uint64_t)d : 0;
}

int
tunnel_status_parse(
    const char *json, size_t len, struct tunnel_status *st, struct cm_err *err)
{
	json_t *o = NULL;
	int r;

	memset(st, 0, sizeof(*st));
	if ((r = gojson_parse(json, len, &o, err)) != 0)
		return err_prefix(err, "tunnel status");
	if (!json_is_object(o)) {
		json_decref(o);
		return err_set(err, ERR_PROTO, "tunnel status is no object");
	}
	copy_str(st->name, sizeof(st->name), o, "name");
	copy_str(st->socket, sizeof(st->socket), o, "socket");
	copy_str(st->listen, sizeof(st->listen), o, "listen");
	copy_str(st->url, sizeof(st->url), o, "url");
	copy_str(st->mode, sizeof(st->mode), o, "mode");
	copy_str(st->cipher, sizeof(st->cipher), o, "cipher");
	copy_str(st->last_error, sizeof(st->last_error), o, "last_error");
	st->pid = (long)get_num(o, "pid");
	st->connected = json_is_true(json_object_get(o, "connected"));
	st->uptime_s = get_num(o, "uptime");
	st->open_conns = (unsigned)get_num(o, "open");
	st->peak_conns = (unsigned)get_num(o, "peak");
	st->total_conns = get_num(o, "total");
	st->failed_conns = get_num(o, "failed");
	st->bytes_in = get_num(o, "in");
	st->bytes_out = get_num(o, "out");
	st->reconnects = (unsigned)get_num(o, "reconnects");
	st->peak_rss_kb = get_num(o, "peak_rss_kb");
	json_decref(o);
	return 0;
}

static int
connect_unix(const char *path, int timeout_ms, struct cm_err *err)
{
	return ctl_connect_unix(path, timeout_ms, err);
}

int
tunnel_query(const char *run_dir, const char *name, struct tunnel_status *st,
    struct cm_err *err)
{
	char *ctl = tfile(run_dir, name, "ctl");
	char *lock = tfile(run_dir, name, "lock");
	char *pidf = tfile(run_dir, name, "pid");
	struct cm_err e2;
	struct buf b;
	struct pollfd pfd;
	uint64_t deadline = now_us() + 3000000;
	char tmp[4096];
	int fd, r;
	ssize_t n;

	buf_init(&b, 1 << 20);
	memset(st, 0, sizeof(*st));
	if ((fd = connect_unix(ctl, 1000, &e2)) < 0) {
		if (!lock_held(lock)) {
			r = err_set(err, ERR_NOTFOUND,
			    "no tunnel for \"%s\" is running", name);
			goto out;
		}
		/* it holds the lock but does not answer: still starting */
		snprintf(st->name, sizeof(st->name), "%s", name);
		st->starting = 1;
		if (file_read(pidf, 64, 0, &b, &e2) == 0)
			st->pid = atol(b.data);
		r = 0;
		goto out;
	}
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		uint64_t now = now_us();
		if (now >= deadline ||
		    poll(&pfd, 1, (int)((deadline - now) / 1000)) <= 0) {
			r = err_set(err, ERR_TIMEOUT,
			    "the tunnel for \"%s\" does not answer", name);
			goto out;
		}
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (buf_add(&b, tmp, (size_t)n) != 0) {
			r = err_set(err, ERR_TOOBIG, "tunnel status too large");
			goto out;
		}
	}
	r = tunnel_status_parse(b.data, b.len, st, err);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&b);
	free(ctl);
	free(lock);
	free(pidf);
	return r;
}

static int
cmp_status(const void *a, const void *b)
{
	return strcmp(((const struct tunnel_status *)a)->name,
	    ((const struct tunnel_status *)b)->name);
}

int
tunnel_list(const char *run_dir, struct tunnel_status **listp, size_t *np,
    struct cm_err *err)
{
	struct tunnel_status *list = NULL;
	struct dirent *de;
	struct cm_err e2;
	size_t n = 0;
	DIR *d;

	*listp = NULL;
	*np = 0;
	if ((d = opendir(run_dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_sys(err, "cannot read \"%s\"", run_dir);
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		/* "_" files are the service's (no context name starts so) */
		if (len <= 5 || strcmp(de->d_name + len - 5, ".lock") != 0 ||
		    de->d_name[0] == '_')
			continue;
		char *name = xstrndup(de->d_name, len - 5);
		list = xreallocarray(list, n + 1, sizeof(*list));
		if (tunnel_query(run_dir, name, &list[n], &e2) == 0) {
			if (list[n].name[0] == '\0')
				snprintf(list[n].name, sizeof(list[n].name),
				    "%s", name);
			n++;
		} else if (e2.code != ERR_NOTFOUND) {
			/* running (the lock is held) but silent, e.g. in a
			 * blocking reconnect: listed, never dropped */
			char *pidf = tfile(run_dir, name, "pid");
			struct buf b;
			memset(&list[n], 0, sizeof(list[n]));
			snprintf(
			    list[n].name, sizeof(list[n].name), "%s", name);
			list[n].not_answering = 1;
			snprintf(list[n].last_error, sizeof(list[n].last_error),
			    "%s", e2.msg);
			buf_init(&b, 64);
			if (file_read(pidf, 64, 0, &b, &e2) == 0)
				list[n].pid = atol(b.data);
			buf_release(&b);
			free(pidf);
			n++;
		}
		free(name);
	}
	closedir(d);
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_status);
	*listp = list;
	*np = n;
	return 0;
}

/* 1 once `pid` has exited (gone, or a zombie waiting for init). */
static int
pid_gone(pid_t pid)
{
	char path[64], st[256];
	const char *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	st[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	if ((p = strrchr(st, ')')) == NULL || p[1] == '\0')
		return 0;
	return p[2] == 'Z' || p[2] == 'X';
}

int
tunnel_stop(
    const char *run_dir, const char *name, int wait_ms, struct cm_err *err)
{
	char *lock = tfile(run_dir, name, "lock");
	char *pidf = tfile(run_dir, name, "pid");
	struct buf b;
	struct cm_err e2;
	uint64_t deadline;
	long pid = 0;
	int r = 0, i;

	buf_init(&b, 64);
	if (!lock_held(lock)) {
		remove_files(run_dir, name);
		r = err_set(
		    err, ERR_NOTFOUND, "no tunnel for \"%s\" is running", name);
		goto out;
	}
	/* the pidfile is written first thing; give a starting one a moment */
	for (i = 0; i < 20 && pid <= 0; i++) {
		buf_reset(&b);
		if (file_read(pidf, 64, 0, &b, &e2) == 0)
			pid = atol(b.data);
		if (pid <= 0)
			usleep(50000);
	}
	if (pid <= 1) {
		r = err_set(err, ERR_FAIL,
		    "the tunnel for \"%s\" holds its lock but wrote no pid",
		    name);
		goto out;
	}
	(void)kill((pid_t)pid, SIGTERM);
	deadline = now_us() + (uint64_t)(wait_ms > 0 ? wait_ms : 10000) * 1000;
	while (lock_held(lock) && now_us() < deadline)
		usleep(20000);
	if (lock_held(lock)) {
		log_warn("tunnel \"%s\" (pid %ld) ignored SIGTERM; killing it",
		    name, pid);
		(void)kill((pid_t)pid, SIGKILL);
		deadline = now_us() + 5000000;
		while (lock_held(lock) && now_us() < deadline)
			usleep(20000);
	}
	if (lock_held(lock)) {
		r = err_set(err, ERR_FAIL,
		    "tunnel \"%s\" (pid %ld) did not stop", name, pid);
		goto out;
	}
	/* the lock goes with the files, a moment before the process */
	deadline = now_us() + 2000000;
	while (!pid_gone((pid_t)pid) && now_us() < deadline)
		usleep(10000);
	remove_files(run_dir, name);
out:
	buf_release(&b);
	free(lock);
	free(pidf);
	return r;
}

/* The tunnel process */

static void
on_stop_signal(int sig)
{
	int e = errno;

	(void)sig;
	if (write(stop_pipe[1], "s", 1) < 0) {
		/* the pipe is full: a stop is pending anyway */
	}
	errno = e;
}

static int
relay_send(int fd, const void *p, size_t len)
{
	ssize_t n;

	do
		n = send(fd, p, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

static ssize_t
relay_recv(int fd, char *p, size_t len)
{
	ssize_t n;

	do
		n = recv(fd, p, len, 0);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Send an error: tag 'E' (tunnel to starter) or 'x' (the reverse). */
static void
relay_error(int fd, char tag, const struct cm_err *err)
{
	char msg[RELAY_MAX];
	int code = err->code;
	size_t n;

	msg[0] = tag;
	memcpy(msg + 1, &code, sizeof(code));
	n = strlen(err->msg);
	if (n > sizeof(msg) - 1 - sizeof(code))
		n = sizeof(msg) - 1 - sizeof(code);
	memcpy(msg + 1 + sizeof(code), err->msg, n);
	(void)relay_send(fd, msg, 1 + sizeof(code) + n);
}

static struct cached_pass *
cache_find(struct daemon *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->ncache; i++)
		if (strcmp(d->cache[i].path, path) == 0)
			return &d->cache[i];
	return NULL;
}

/* Passphrases: remembered ones first, then the starter (or the user). */
static int
daemon_passphrase(void *arg, const char *path, int attempt, struct buf *out,
    struct cm_err *err)
{
	struct daemon *d = arg;
	struct cached_pass *cp = cache_find(d, path);
	char msg[RELAY_MAX];
	ssize_t n;
	int r;

	if (cp != NULL && attempt == 1)
		return buf_add(out, cp->pass.data, cp->pass.len) == 0
		    ? 0
		    : err_set(err, ERR_TOOBIG, "passphrase too long");
	if (d->relay >= 0) {
		size_t plen = strlen(path);
		if (plen > sizeof(msg) - 2)
			return err_set(err, ERR_TOOBIG, "key path too long");
		msg[0] = 'P';
		msg[1] = (char)attempt;
		memcpy(msg + 2, path, plen);
		if (relay_send(d->relay, msg, plen + 2) != 0 ||
		    (n = relay_recv(d->relay, msg, sizeof(msg))) <= 0)
			return err_set(
			    err, ERR_CANCEL, "the starting process went away");
		if (msg[0] == 'c') {
			/* the reason follows: how else to give the passphrase */
			err_set(err, ERR_CANCEL, "%.*s", (int)(n - 1), msg + 1);
			OPENSSL_cleanse(msg, sizeof(msg));
			return ERR_CANCEL;
		}
		if (msg[0] == 'x') {
			int code = ERR_FAIL;
			if (n >= (ssize_t)(1 + sizeof(code)))
				memcpy(&code, msg + 1, sizeof(code));
			err_set(err, code < 0 ? code : ERR_FAIL, "%.*s",
			    (int)(n - 1 - (ssize_t)sizeof(code)),
			    msg + 1 + sizeof(code));
			return err->code;
		}
		r = buf_add(out, msg + 1, (size_t)(n - 1));
		OPENSSL_cleanse(msg, sizeof(msg));
		if (r != 0)
			return err_set(err, ERR_TOOBIG, "passphrase too long");
	} else if (d->spec->foreground && d->spec->ssh.passphrase != NULL) {
		if ((r = d->spec->ssh.passphrase(d->spec->ssh.passphrase_arg,
			 path, attempt, out, err)) != 0)
			return r;
	} else
		return err_set(err, ERR_AUTH,
		    "the key \"%s\" needs its passphrase again, and no one is "
		    "there to type it (use ssh-agent for unattended tunnels)",
		    path);
	if (cp == NULL && d->ncache < MAX_CACHED) {
		cp = &d->cache[d->ncache++];
		cp->path = xstrdup(path);
		buf_init_secret(&cp->pass, 4096);
	}
	if (cp != NULL) {
		buf_reset(&cp->pass);
		(void)buf_add(&cp->pass, out->data, out->len);
	}
	return 0;
}

static int
listen_unix(const char *path, int backlog, struct cm_err *err)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(err, ERR_TOOBIG, "\"%s\" is too long", path);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	(void)unlink(path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		close(fd);
		return err_sys(err, "cannot bind \"%s\"", path);
	}
	umask(old);
	if (chmod(path, 0600) != 0 || listen(fd, backlog) != 0) {
		close(fd);
		(void)unlink(path);
		return err_sys(err, "cannot listen on \"%s\"", path);
	}
	return fd;
}

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

static void
daemon_cleanup(struct daemon *d)
{
	size_t i;

	if (d->fwd != NULL)
		fwd_free(d->fwd);
	d->fwd = NULL;
	if (d->unix_fd >= 0)
		close(d->unix_fd);
	if (d->tcp_fd >= 0)
		close(d->tcp_fd);
	if (d->ctl_fd >= 0)
		close(d->ctl_fd);
	d->unix_fd = d->tcp_fd = d->ctl_fd = -1;
	remove_files(d->spec->run_dir, d->spec->name);
	for (i = 0; i < d->ncache; i++) {
		free(d->cache[i].path);
		buf_release(&d->cache[i].pass);
	}
	d->ncache = 0;
	free(d->sock_path);
	free(d->ctl_path);
	free(d->pid_path);
	free(d->log_path);
}

static int
write_pidfile(struct daemon *d, struct cm_err *err)
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	return file_write_atomic(
	    d->pid_path, pid, strlen(pid), 0600, FILE_NOSYNC, err);
}

/* Connect, check, listen, then serve until told to stop. */
static int
daemon_serve(struct daemon *d, struct cm_err *err)
{
	const struct tunnel_spec *spec = d->spec;
	struct ssh_params p = spec->ssh;
	struct fwd_config fc;
	struct ssh_conn *conn = NULL;
	struct sigaction sa, old_term, old_int, old_hup;
	int r, port = 0;

	memset(&fc, 0, sizeof(fc));
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return err_sys(err, "pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGHUP, &sa, &old_hup);
	signal(SIGPIPE, SIG_IGN);

	p.passphrase = daemon_passphrase;
	p.passphrase_arg = d;
	if (spec->listen != NULL &&
	    (r = tunnel_listen_check(spec->listen, &port, err)) != 0)
		goto out;
	if ((r = ssh_connect(&p, &conn, err)) != 0)
		goto out;
	log_info("connected to \"%s\" (%s), host key %s %s, auth %s",
	    ssh_conn_info(conn)->alias, ssh_conn_info(conn)->cipher,
	    ssh_conn_info(conn)->hostkey_type, ssh_conn_info(conn)->hostkey_fp,
	    ssh_conn_info(conn)->auth);
	if ((d->unix_fd = listen_unix(d->sock_path, 1024, err)) < 0 ||
	    (d->ctl_fd = listen_unix(d->ctl_path, 512, err)) < 0 ||
	    (port > 0 && (d->tcp_fd = listen_tcp(port, err)) < 0)) {
		r = err->code;
		ssh_close(conn);
		goto out;
	}
	fc.ssh = &p;
	fc.mode = spec->mode;
	fc.unix_fd = d->unix_fd;
	fc.tcp_fd = d->tcp_fd;
	fc.ctl_fd = d->ctl_fd;
	fc.stop_fd = stop_pipe[0];
	fc.alive_interval = -1;
	fc.no_ping = spec->no_ping;
	fc.status = status_json;
	fc.status_arg = d;
	if ((r = fwd_new(&fc, conn, &d->fwd, err)) != 0)
		goto out;
	{
		struct fwd_stats fs;
		fwd_get_stats(d->fwd, &fs);
		log_info("serving %s (mode %s)", d->sock_path,
		    tunnel_mode_name(fs.mode));
	}
	if (d->relay >= 0) {
		(void)relay_send(d->relay, "R", 1);
		close(d->relay);
		d->relay = -1;
	} else if (spec->on_ready != NULL) {
		struct tunnel_status st;
		struct fwd_stats fs;
		struct buf b;
		buf_init(&b, 65536);
		fwd_get_stats(d->fwd, &fs);
		status_json(d, &fs, &b);
		if (tunnel_status_parse(b.data, b.len, &st, err) == 0)
			spec->on_ready(spec->on_ready_arg, &st);
		buf_release(&b);
	}
	r = fwd_run(d->fwd, err);
	log_info("stopping");
out:
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	stop_pipe[0] = stop_pipe[1] = -1;
	return r;
}

static void
daemon_init(struct daemon *d, const struct tunnel_spec *spec)
{
	memset(d, 0, sizeof(*d));
	d->spec = spec;
	d->relay = -1;
	d->unix_fd = d->tcp_fd = d->ctl_fd = -1;
	d->sock_path = tfile(spec->run_dir, spec->name, "sock");
	d->ctl_path = tfile(spec->run_dir, spec->name, "ctl");
	d->pid_path = tfile(spec->run_dir, spec->name, "pid");
	d->log_path = tfile(spec->run_dir, spec->name, "log");
	d->started_us = now_us();
}

/* The log of a background tunnel: timestamped lines on stderr. */
static void
file_sink(enum log_level level, const char *msg, void *arg)
{
	static const char *const names[] = { "error", "warning", "info",
		"debug" };
	struct daemon *d = arg;
	struct stat st;
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s: %s\n", ts, names[level], msg);
	fflush(stderr);
	if (fstat(STDERR_FILENO, &st) == 0 && st.st_size > LOG_MAX) {
		char *old = xasprintf("%s.1", d->log_path);
		int fd;
		(void)rename(d->log_path, old);
		fd = open(d->log_path,
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		free(old);
	}
}

/* The detached tunnel: never returns. */
static void
daemon_main(struct daemon *d, int lock_fd, int relay)
{
	struct cm_err err;
	struct rlimit rl;
	int fd, r, lo, hi;

	d->relay = relay;
	setsid();
	if (fork() != 0)
		_exit(0); /* the grandchild is adopted by init */
	umask(077);
	if (chdir("/") != 0)
		_exit(1);
	prctl(PR_SET_DUMPABLE, 0); /* keeps passphrases out of core dumps */
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	if ((fd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		 0600)) >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	/* nothing of the starter's but the lock and the relay */
	lo = lock_fd < relay ? lock_fd : relay;
	hi = lock_fd < relay ? relay : lock_fd;
	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi - lo > 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	log_set_sink(file_sink, d, LOG_INFO);
	err_init(&err);
	log_info("tunnel \"%s\" starting (pid %ld) for %s", d->spec->name,
	    (long)getpid(), d->spec->ssh.url);
	if ((r = write_pidfile(d, &err)) == 0)
		r = daemon_serve(d, &err);
	if (r != 0) {
		log_error("%s", err.msg);
		if (d->relay >= 0)
			relay_error(d->relay, 'E', &err);
	}
	daemon_cleanup(d);
	close(lock_fd);
	_exit(r == 0 ? 0 : 1);
}

/* Starter: answer the tunnel until it is ready or fails. */
static int
starter_wait(const struct tunnel_spec *spec, int relay, struct cm_err *err)
{
	char msg[RELAY_MAX];
	struct buf pass;
	ssize_t n;
	int r;

	for (;;) {
		n = relay_recv(relay, msg, sizeof(msg));
		if (n <= 0)
			return err_set(err, ERR_FAIL,
			    "the tunnel process for \"%s\" ended early (see "
			    "%s/%s.log)",
			    spec->name, spec->run_dir, spec->name);
		if (msg[0] == 'R')
			return 0;
		if (msg[0] == 'E') {
			int code = ERR_FAIL;
			if (n >= (ssize_t)(1 + sizeof(code)))
				memcpy(&code, msg + 1, sizeof(code));
			return err_set(err, code < 0 ? code : ERR_FAIL, "%.*s",
			    (int)(n - 1 - (ssize_t)sizeof(code)),
			    msg + 1 + sizeof(code));
		}
		if (msg[0] != 'P' || n < 2)
			continue;
		char *path = xstrndup(msg + 2, (size_t)(n - 2));
		buf_init_secret(&pass, RELAY_MAX - 1);
		struct cm_err e2;
		err_init(&e2);
		r = spec->ssh.passphrase
		    ? spec->ssh.passphrase(
			  spec->ssh.passphrase_arg, path, msg[1], &pass, &e2)
		    : ERR_CANCEL;
		free(path);
		if (r == 0) {
			msg[0] = 'p';
			memcpy(msg + 1, pass.data, pass.len);
			(void)relay_send(relay, msg, pass.len + 1);
			OPENSSL_cleanse(msg, sizeof(msg));
		} else if (r == ERR_CANCEL) {
			size_t ml = strnlen(e2.msg, sizeof(msg) - 1);
			msg[0] = 'c';
			memcpy(msg + 1, e2.msg, ml);
			(void)relay_send(relay, msg, ml + 1);
		} else
			relay_error(relay, 'x', &e2);
		buf_release(&pass);
	}
}

static int
start_locked(const struct tunnel_spec *spec, int lock_fd,
    struct tunnel_status *st, struct cm_err *err)
{
	struct daemon d;
	int sv[2], r, status;
	pid_t pid;
	char *log_path, *old;
	struct stat sb;

	remove_files(spec->run_dir, spec->name);
	daemon_init(&d, spec);
	if (spec->foreground) {
		if ((r = write_pidfile(&d, err)) == 0)
			r = daemon_serve(&d, err);
		daemon_cleanup(&d);
		return r;
	}
	log_path = d.log_path;
	if (stat(log_path, &sb) == 0 && sb.st_size > LOG_MAX) {
		old = xasprintf("%s.1", log_path);
		(void)rename(log_path, old);
		free(old);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		daemon_cleanup(&d);
		return err_sys(err, "socketpair");
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		close(sv[0]);
		close(sv[1]);
		daemon_cleanup(&d);
		return err_sys(err, "fork");
	}
	if (pid == 0) {
		close(sv[0]);
		daemon_main(&d, lock_fd, sv[1]);
	}
	close(sv[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r = starter_wait(spec, sv[0], err);
	close(sv[0]);
	/* our copies only: the tunnel keeps its own */
	free(d.sock_path);
	free(d.ctl_path);
	free(d.pid_path);
	free(d.log_path);
	if (r != 0)
		return r;
	return tunnel_query(spec->run_dir, spec->name, st, err);
}

/* A running tunnel must serve the URL the context names now. */
static int
check_same_url(const struct tunnel_spec *spec, const struct tunnel_status *st,
    struct cm_err *err)
{
	if (spec->ssh.url == NULL || strcmp(st->url, spec->ssh.url) == 0)
		return 0;
	return err_set(err, ERR_EXISTS,
	    "the tunnel for \"%s\" serves \"%s\", but the context now "
	    "names \"%s\": stop it first (ctxmgr tunnel stop %s)",
	    spec->name, st->url, spec->ssh.url, spec->name);
}

int
tunnel_start(const struct tunnel_spec *spec, struct tunnel_status *st,
    int *already, struct cm_err *err)
{
	char *lock, *sock = NULL;
	uint64_t deadline = now_us() + (uint64_t)START_WAIT_MS * 1000;
	int fd, r, port;

	*already = 0;
	memset(st, 0, sizeof(*st));
	if ((r = tunnel_run_dir_ensure(spec->run_dir, err)) != 0 ||
	    (r = tunnel_socket_path(spec->run_dir, spec->name, &sock, err)) !=
		0)
		return r;
	free(sock);
	if (spec->listen != NULL &&
	    (r = tunnel_listen_check(spec->listen, &port, err)) != 0)
		return r;
	lock = tfile(spec->run_dir, spec->name, "lock");
	for (;;) {
		if ((fd = lock_try(lock, err)) >= 0) {
			r = start_locked(spec, fd, st, err);
			close(fd);
			break;
		}
		if (fd != -1) {
			r = fd;
			break;
		}
		/* someone holds it: a running tunnel, or one starting */
		r = tunnel_query(spec->run_dir, spec->name, st, err);
		if (r == 0 && !st->starting) {
			*already = 1;
			r = check_same_url(spec, st, err);
			break;
		}
		if (now_us() > deadline) {
			r = err_set(err, ERR_TIMEOUT,
			    "another tunnel for \"%s\" is starting and not "
			    "ready after %d s",
			    spec->name, START_WAIT_MS / 1000);
			break;
		}
		usleep(50000);
	}
	free(lock);
	return r;
}

int
tunnel_ensure(const struct tunnel_spec *spec, char **sockp, struct cm_err *err)
{
	struct tunnel_status st;
	int already, r;

	*sockp = NULL;
	if ((r = tunnel_run_dir_ensure(spec->run_dir, err)) != 0)
		return r;
	/* the socket path is ours to compute: never one read back from a
	 * control socket */
	if (tunnel_query(spec->run_dir, spec->name, &st, err) == 0 &&
	    !st.starting && st.socket[0] != '\0') {
		if ((r = check_same_url(spec, &st, err)) != 0)
			return r;
		return tunnel_socket_path(
		    spec->run_dir, spec->name, sockp, err);
	}
	err_init(err);
	if ((r = tunnel_start(spec, &st, &already, err)) != 0)
		return r;
	return tunnel_socket_path(spec->run_dir, spec->name, sockp, err);
}
