/* ctlconn.c: connecting to our control sockets (see ctlconn.h). */
#include "common/compat.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/util.h"
#include "tunnel/ctlconn.h"

int
unix_sockaddr(const char *path, struct sockaddr_un *sa, struct cm_err *err)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n >= sizeof(sa->sun_path))
		return err_set(err, ERR_TOOBIG, "\"%s\" is too long", path);
	memcpy(sa->sun_path, path, n);
	return 0;
}

int
ctl_connect_unix(const char *path, int timeout_ms, struct cm_err *err)
{
	struct sockaddr_un sa;
	struct pollfd pfd;
	struct ucred uc;
	socklen_t l = sizeof(uc), sl;
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;
	int fd, soerr = 0;

	if (unix_sockaddr(path, &sa, err) != 0)
		return ERR_TOOBIG;
	for (;;) {
		fd = socket(
		    AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			return err_sys(err, "socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		/* a full backlog: EAGAIN, and the socket is not connecting */
		if (errno == EAGAIN) {
			close(fd);
			if (now_us() >= deadline)
				return err_set(err, ERR_TIMEOUT,
				    "\"%s\" does not answer", path);
			usleep(2000);
			continue;
		}
		if (errno != EINPROGRESS) {
			int e = errno;
			close(fd);
			errno = e;
			return err_sys(err, "cannot connect to \"%s\"", path);
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		sl = sizeof(soerr);
		if (poll(&pfd, 1, timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
		    soerr != 0) {
			close(fd);
			errno = soerr != 0 ? soerr : ETIMEDOUT;
			return err_sys(err, "cannot connect to \"%s\"", path);
		}
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) != 0 ||
	    uc.uid != geteuid()) {
		close(fd);
		return err_set(err, ERR_PERM,
		    "\"%s\" is served by another user: refusing it", path);
	}
	return fd;
}
