/* xport.c: the socket under every libssh2 session (see ssh-int.h). */
#include "common/compat.h"

#include <poll.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "tunnel/ssh-int.h"
#include "common/util.h"
#include "common/xmalloc.h"

static pthread_once_t libssh2_once = PTHREAD_ONCE_INIT;

static void
libssh2_setup(void)
{
	(void)libssh2_init(0);
}

static ssize_t
xport_send_cb(
    libssh2_socket_t fd, const void *p, size_t len, int flags, void **abstract)
{
	struct xport *x = *abstract;
	ssize_t n;

	if (x->dead)
		return -EPIPE;
	if (!x->loop_mode) {
		n = send(fd, p, len, flags | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR && x->error == 0)
				x->error = errno;
			return -errno;
		}
		x->tx_bytes += (uint64_t)n;
		return n;
	}
	if (x->qlen - x->qoff + len > XPORT_MAX) {
		x->error = ENOBUFS;
		return -ENOBUFS;
	}
	if (x->qoff > 0 && x->qlen + len > x->qcap) {
		memmove(x->q, x->q + x->qoff, x->qlen - x->qoff);
		x->qlen -= x->qoff;
		x->qoff = 0;
	}
	if (x->qlen + len > x->qcap) {
		size_t cap = x->qcap ? x->qcap : 65536;
		while (cap < x->qlen + len)
			cap *= 2;
		x->q = xreallocarray(x->q, cap, 1);
		x->qcap = cap;
	}
	memcpy(x->q + x->qlen, p, len);
	x->qlen += len;
	return (ssize_t)len;
}

static ssize_t
xport_recv_cb(
    libssh2_socket_t fd, void *p, size_t len, int flags, void **abstract)
{
	struct xport *x = *abstract;
	ssize_t n;

	if (x->dead)
		return -ECONNRESET;
	n = recv(fd, p, len, flags);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR && x->error == 0)
			x->error = errno;
		return -errno;
	}
	if (n == 0 && x->error == 0)
		x->error = ECONNRESET;
	x->rx_bytes += (uint64_t)n;
	if (n > 0) {
		x->last_rx_us = now_us();
		/*
		 * Acknowledge at once: sshd does not set TCP_NODELAY for
		 * forwarded channels, so a small packet it sends after a
		 * reply (EOF, close) waits for our ACK, and a delayed ACK
		 * costs 40 ms per request (measured: 23 against 3400
		 * requests/s on one connection at a time).
		 */
		if (x->tcp) {
			int one = 1;
			(void)setsockopt(
			    fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		}
	}
	return n;
}

void
xport_attach(struct xport *x, LIBSSH2_SESSION *s, int fd)
{
	x->fd = fd;
	libssh2_session_callback_set2(
	    s, LIBSSH2_CALLBACK_SEND, (libssh2_cb_generic *)xport_send_cb);
	libssh2_session_callback_set2(
	    s, LIBSSH2_CALLBACK_RECV, (libssh2_cb_generic *)xport_recv_cb);
}

LIBSSH2_SESSION *
xport_session_new(struct xport *x, int fd)
{
	LIBSSH2_SESSION *s;

	pthread_once(&libssh2_once, libssh2_setup);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	if ((s = libssh2_session_init_ex(NULL, NULL, NULL, x)) == NULL)
		return NULL;
	xport_attach(x, s, fd);
	x->last_rx_us = now_us();
	{
		int one = 1;
		/* our loop sends once a turn: Nagle would only add delay */
		x->tcp = setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			     sizeof(one)) == 0;
	}
	return s;
}

void
xport_release(struct xport *x)
{
	free(x->q);
	x->q = NULL;
	x->qoff = x->qlen = x->qcap = 0;
}

int
send_nb(int fd, const char *p, size_t len, size_t *sent)
{
	ssize_t n;

	while (*sent < len) {
		n = send(
		    fd, p + *sent, len - *sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		*sent += (size_t)n;
		/* the socket took less than all: it is full, and one more
		 * send() would fail with EAGAIN; POLLOUT says when to go on */
		if (*sent < len)
			break;
	}
	return 0;
}

int
xport_flush(struct xport *x)
{
	size_t before = x->qoff;

	if (send_nb(x->fd, x->q, x->qlen, &x->qoff) != 0) {
		if (x->error == 0)
			x->error = errno;
		return -1;
	}
	x->tx_bytes += x->qoff - before;
	if (x->qoff < x->qlen)
		return 0;
	x->qoff = x->qlen = 0;
	if (x->qcap > ((size_t)1 << 20)) {
		/* give back what a burst took */
		free(x->q);
		x->q = NULL;
		x->qcap = 0;
	}
	return 0;
}
