/*
 * jump.c: ProxyJump.  The next session runs over one end of a socketpair;
 * a thread owns the hop's session and pumps bytes between the other end
 * and a direct-tcpip channel of the hop, so the next session looks like
 * any TCP connection to the code above it.  When either side ends, the
 * pump closes its end and the next session sees the connection drop.
 */
#include "common/compat.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "tunnel/ssh-int.h"
#include "common/util.h"
#include "common/xmalloc.h"

#define PUMP_BUF 65536

struct jump {
	struct ssh_conn *via;
	LIBSSH2_CHANNEL *ch;
	int sp; /* our end of the socketpair */
	int stop[2]; /* a byte here ends the pump */
	pthread_t th;
	char up[PUMP_BUF]; /* socketpair -> channel */
	size_t uplen;
	char down[PUMP_BUF]; /* channel -> socketpair */
	size_t downoff, downlen;
	char *host;
	int port;
	int started; /* the thread runs */
};

static void *
pump(void *arg)
{
	struct jump *j = arg;
	struct ssh_conn *c = j->via;
	int sp_eof = 0, ch_eof = 0, eof_sent = 0, shut = 0, interval;
	uint64_t last_ka = now_us();
	struct pollfd pfd[3];
	ssize_t n;

	interval = c->info.alive_interval > 0 ? c->info.alive_interval : 30;
	libssh2_keepalive_config(c->s, 0, (unsigned)interval);
	for (;;) {
		size_t up_before = j->uplen, down_before = j->downlen;
		int progress;
		/* channel side: write what the next session sent */
		while (j->uplen > 0 && xport_queued(&c->x) < XPORT_HIGH_WATER) {
			n = libssh2_channel_write(j->ch, j->up, j->uplen);
			if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
				break;
			if (n < 0)
				goto done;
			memmove(j->up, j->up + n, j->uplen - (size_t)n);
			j->uplen -= (size_t)n;
		}
		if (sp_eof && j->uplen == 0 && !eof_sent) {
			if (libssh2_channel_send_eof(j->ch) != 0)
				goto done;
			eof_sent = 1;
		}
		while (!ch_eof && j->downlen < PUMP_BUF) {
			n = libssh2_channel_read(
			    j->ch, j->down + j->downlen, PUMP_BUF - j->downlen);
			if (n > 0) {
				j->downlen += (size_t)n;
				continue;
			}
			if (n == 0)
				ch_eof = 1;
			else if (n != LIBSSH2_ERROR_EAGAIN)
				goto done;
			break;
		}
		while (j->downoff < j->downlen) {
			n = send(j->sp, j->down + j->downoff,
			    j->downlen - j->downoff,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				goto done;
			}
			j->downoff += (size_t)n;
		}
		if (j->downoff == j->downlen)
			j->downoff = j->downlen = 0;
		if (ch_eof && j->downlen == 0 && !shut) {
			shutdown(j->sp, SHUT_WR);
			shut = 1;
		}
		if ((sp_eof && ch_eof && j->downlen == 0) || (shut && eof_sent))
			goto done;
		if (now_us() - c->x.last_rx_us > (uint64_t)interval * 1000000 &&
		    now_us() - last_ka > (uint64_t)interval * 1000000) {
			int next;
			libssh2_keepalive_send(c->s, &next);
			last_ka = now_us();
		}
		if (xport_flush(&c->x) != 0)
			goto done;
		/* bytes moved: libssh2 may hold more that no event announces */
		progress = j->uplen != up_before || j->downlen != down_before ||
		    j->downlen == 0;
		if (progress && j->downlen == 0) {
			unsigned long avail = 0;
			libssh2_channel_window_read_ex(j->ch, &avail, NULL);
			progress = avail > 0;
		}

		pfd[0].fd = c->x.fd;
		pfd[0].events = POLLIN | (xport_queued(&c->x) ? POLLOUT : 0);
		pfd[1].fd = j->sp;
		pfd[1].events = (!sp_eof && j->uplen < PUMP_BUF ? POLLIN : 0) |
		    (j->downlen > j->downoff ? POLLOUT : 0);
		pfd[2].fd = j->stop[0];
		pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		if (poll(pfd, 3, progress ? 0 : interval * 1000) < 0 &&
		    errno != EINTR)
			goto done;
		if (pfd[2].revents)
			goto done;
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR) && !sp_eof) {
			n = recv(j->sp, j->up + j->uplen, PUMP_BUF - j->uplen,
			    MSG_DONTWAIT);
			if (n == 0)
				sp_eof = 1;
			else if (n > 0)
				j->uplen += (size_t)n;
			else if (errno != EAGAIN && errno != EINTR)
				goto done;
		}
		if (pfd[0].revents & (POLLERR | POLLHUP) &&
		    !(pfd[0].revents & POLLIN))
			goto done;
	}
done:
	log_debug("ProxyJump pump to \"%s\" port %d ends", j->host, j->port);
	shutdown(j->sp, SHUT_RDWR);
	return NULL;
}

int
jump_start(struct ssh_conn *via, const char *host, int port, struct jump **jp,
    int *fdp, struct cm_err *err)
{
	uint64_t deadline = ssh_deadline(via->timeout_ms);
	struct jump *j;
	int sv[2], rc;

	*jp = NULL;
	*fdp = -1;
	j = xcalloc(1, sizeof(*j));
	j->via = via;
	j->sp = j->stop[0] = j->stop[1] = -1;
	j->host = xstrdup(host);
	j->port = port;
	while ((j->ch = libssh2_channel_direct_tcpip_ex(
		    via->s, host, port, "127.0.0.1", 0)) == NULL) {
		rc = libssh2_session_last_errno(via->s);
		if (rc != LIBSSH2_ERROR_EAGAIN) {
			char what[600];
			snprintf(what, sizeof(what),
			    "\"%s\" cannot open a connection to \"%s\" port "
			    "%d (does it allow TCP forwarding?)",
			    via->info.alias, host, port);
			ssh_lib_error(via->s, err, ERR_NET, what);
			goto fail;
		}
		if (ssh_wait(via, deadline, err) != 0)
			goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    pipe2(j->stop, O_CLOEXEC) != 0) {
		err_sys(err, "socketpair");
		goto fail;
	}
	j->sp = sv[1];
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	if ((rc = pthread_create(&j->th, NULL, pump, j)) != 0) {
		errno = rc;
		close(sv[0]);
		err_sys(err, "cannot start the ProxyJump thread");
		goto fail;
	}
	j->started = 1;
	*jp = j;
	*fdp = sv[0];
	return 0;
fail:
	if (j->sp >= 0)
		close(j->sp);
	j->sp = -1;
	jump_stop(j);
	return err->code;
}

void
jump_stop(struct jump *j)
{
	if (j == NULL)
		return;
	if (j->started) {
		if (write(j->stop[1], "x", 1) < 0)
			log_debug("cannot wake the ProxyJump thread");
		pthread_join(j->th, NULL);
	}
	if (j->ch != NULL) {
		j->via->x.dead = 1;
		(void)libssh2_channel_free(j->ch);
	}
	ssh_close(j->via);
	if (j->sp >= 0)
		close(j->sp);
	if (j->stop[0] >= 0)
		close(j->stop[0]);
	if (j->stop[1] >= 0)
		close(j->stop[1]);
	free(j->host);
	free(j);
}
