/* svckick.c: start the tunnel service on demand (see svckick.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "common/xmalloc.h"
#include "ctxmgr/svckick.h"

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

int
svc_ctl_alive(const char *ctl)
{
	struct sockaddr_un sa;
	struct ucred uc;
	socklen_t l = sizeof(uc);
	int fd, ok;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(ctl) >= sizeof(sa.sun_path))
		return 0;
	memcpy(sa.sun_path, ctl, strlen(ctl));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0 &&
	    uc.uid == geteuid();
	close(fd);
	return ok;
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
	/* lost a race with another starter: its service is as good */
	if (ctl != NULL && svc_ctl_alive(ctl))
		return 0;
	return err_set(err, ERR_FAIL,
	    "the tunnel service did not start (see its log, _service.log "
	    "in its run dir, or run \"ctxmgr tunnel serve\")");
}

int
svc_kick(const char *config_dir, const struct context *c, struct cm_err *err)
{
	char *dir, *ctl, *slash;
	int r;

	if (!svc_context_tunnelled(c))
		return 0;
	dir = xstrdup(c->host + strlen("unix://"));
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	ctl = xasprintf("%s/_service.ctl", dir);
	r = svc_ctl_alive(ctl) ? 0 : svc_spawn(config_dir, ctl, err);
	free(ctl);
	free(dir);
	return r;
}
