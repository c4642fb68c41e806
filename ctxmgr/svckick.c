/* svckick.c: start the tunnel service on demand (see svckick.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <sys/file.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "common/xmalloc.h"
#include "ctxmgr/svckick.h"
#include "tunnel/ctlconn.h"

#define FULL_NAME "ctxmgr-full"
#define START_WAIT_MS 10000

int
svc_context_tunnelled(const struct context *c)
{
	const char *u = context_setting(c, SETTING_SSH_HOST);

	return u != NULL && str_has_prefix(u, "ssh://") && c->host != NULL &&
	    str_has_prefix(c->host, "unix:///");
}

const char *
svc_context_ssh_url(const struct context *c)
{
	if (svc_context_tunnelled(c))
		return context_setting(c, SETTING_SSH_HOST);
	if (c->host != NULL && str_has_prefix(c->host, "ssh://"))
		return c->host;
	return NULL;
}

/* Connect to a control socket of this user (-1 if none answers). */
static int
ctl_connect(const char *ctl)
{
	struct sockaddr_un sa;
	struct cm_err err;
	struct ucred uc;
	socklen_t l = sizeof(uc);
	int fd;

	if (unix_sockaddr(ctl, &sa, &err) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) != 0 ||
	    uc.uid != geteuid()) {
		close(fd);
		return -1;
	}
	return fd;
}

int
svc_ctl_alive(const char *ctl)
{
	int fd = ctl_connect(ctl);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* The full binary: next to this one, in ../libexec/ctxmgr, or this one. */
static char *
full_binary(void)
{
	char self[PATH_MAX], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	if (strcmp(slash + 1, FULL_NAME) == 0)
		return xstrdup(self);
	*slash = '\0';
	p = xasprintf("%s/%s", self, FULL_NAME);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	p = xasprintf("%s/../libexec/ctxmgr/%s", self, FULL_NAME);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* Another service holds the lock beside `ctl`: wait until it answers
 * (1), or until it lets go of the lock without answering (0). */
static int
lost_race(const char *ctl)
{
	const char *slash = strrchr(ctl, '/');
	char lock[PATH_MAX];
	int fd, i, held = 1;

	if (slash == NULL ||
	    snprintf(lock, sizeof(lock), "%.*s/_service.lock",
		(int)(slash - ctl), ctl) >= (int)sizeof(lock))
		return svc_ctl_alive(ctl);
	fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	for (i = 0; i < START_WAIT_MS / 10 && held; i++) {
		if (svc_ctl_alive(ctl)) {
			if (fd >= 0)
				close(fd);
			return 1;
		}
		held = fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0;
		if (held)
			usleep(10000);
		else if (fd >= 0)
			flock(fd, LOCK_UN); /* never in a new service's way */
	}
	if (fd >= 0)
		close(fd);
	return svc_ctl_alive(ctl);
}

int
svc_spawn(const char *config_dir, const char *ctl, struct cm_err *err)
{
	char *bin, fdarg[16], c = 0;
	int pfd[2], st, fd;
	struct pollfd p;
	pid_t pid;
	ssize_t n;

	if (ctl != NULL && svc_ctl_alive(ctl))
		return 0;
	if ((bin = full_binary()) == NULL)
		return err_set(err, ERR_NOTFOUND,
		    "cannot find %s to start the tunnel service", FULL_NAME);
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		free(bin);
		return err_sys(err, "pipe");
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		free(bin);
		close(pfd[0]);
		close(pfd[1]);
		return err_sys(err, "fork");
	}
	if (pid == 0) {
		/* child: a new session, then the service as a grandchild
		 * that init adopts */
		char *argv[] = { "ctxmgr-tunnel", "tunnel", "serve",
			"--ready-fd", fdarg, NULL };
		setsid();
		if (fork() != 0)
			_exit(0);
		close(pfd[0]);
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		fd = fcntl(pfd[1], F_DUPFD, 3); /* without FD_CLOEXEC */
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		if (fd > 3)
			close_range(3, (unsigned)fd - 1, 0);
		close_range((unsigned)fd + 1, ~0U, 0);
		setenv("DOCKER_CONFIG", config_dir, 1);
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		execv(bin, argv);
		_exit(127);
	}
	free(bin);
	close(pfd[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	p.fd = pfd[0];
	p.events = POLLIN;
	n = 0;
	if (poll(&p, 1, START_WAIT_MS) == 1)
		n = read(pfd[0], &c, 1);
	close(pfd[0]);
	if (n == 1 && c == 'R')
		return 0;
	/* lost a race with another starter: its service is as good, once
	 * it answers (it holds the lock while it gets ready) */
	if (ctl != NULL && lost_race(ctl))
		return 0;
	return err_set(err, ERR_FAIL,
	    "the tunnel service did not start (see its log, _service.log "
	    "in its run dir, or run \"ctxmgr tunnel serve\")");
}

/* Ask the service `req` ("states\n"); its JSON object, or NULL. */
static json_t *
svc_ask(const char *ctl, const char *req)
{
	char *buf = NULL, tmp[65536];
	size_t len = 0, cap = 0;
	struct pollfd p;
	json_t *o = NULL;
	ssize_t n;
	int fd;

	if ((fd = ctl_connect(ctl)) < 0)
		return NULL;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		goto out;
	for (;;) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 2000) != 1)
			goto out;
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || len + (size_t)n > (16u << 20))
			goto out;
		if (n == 0)
			break;
		if (len + (size_t)n + 1 > cap) {
			cap = (len + (size_t)n + 1) * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		memcpy(buf + len, tmp, (size_t)n);
		len += (size_t)n;
	}
	if (buf != NULL)
		o = json_loadb(buf, len, 0, NULL);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
out:
	free(buf);
	close(fd);
	return o;
}

json_t *
svc_status(const char *ctl)
{
	json_t *o = svc_ask(ctl, "states\n");

	/* a service started by an older ctxmgr knows only "status" */
	return o != NULL ? o : svc_ask(ctl, "status\n");
}

/* The status's contexts by name, made once and kept in the status
 * (a listing of a thousand contexts asks a thousand times). */
#define STATE_INDEX "\x01byName"

const char *
svc_state_of(json_t *status, const char *name)
{
	json_t *idx, *c, *nm, *st;
	size_t i;

	if (status == NULL)
		return "not running";
	if ((idx = json_object_get(status, STATE_INDEX)) == NULL) {
		idx = json_object();
		json_array_foreach(json_object_get(status, "contexts"), i, c)
		{
			nm = json_object_get(c, "name");
			st = json_object_get(c, "state");
			if (json_is_string(nm) &&
			    json_object_get(idx, json_string_value(nm)) == NULL)
				json_object_set_new(idx, json_string_value(nm),
				    json_string(json_is_string(st)
					    ? json_string_value(st)
					    : ""));
		}
		json_object_set_new(status, STATE_INDEX, idx);
	}
	c = json_object_get(idx, name);
	return c != NULL ? json_string_value(c) : "not served";
}

char *
svc_ctl_of(const struct context *c)
{
	char *dir = xstrdup(c->host + strlen("unix://")), *slash, *ctl;

	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	ctl = xasprintf("%s/_service.ctl", dir);
	free(dir);
	return ctl;
}

int
svc_kick(const char *config_dir, const struct context *c, struct cm_err *err)
{
	char *ctl;
	int r;

	if (!svc_context_tunnelled(c))
		return 0;
	ctl = svc_ctl_of(c);
	r = svc_ctl_alive(ctl) ? 0 : svc_spawn(config_dir, ctl, err);
	free(ctl);
	return r;
}
