/*
 * pingload.c: a load generator for bench/tunnel.sh.  Keeps CONC clients
 * busy against a Docker socket, each sending "GET /_ping" on a new
 * connection (as the docker CLI opens one per command), until TOTAL
 * requests are answered.  Prints requests, errors, seconds and
 * requests per second.
 *
 *	pingload SOCKET CONC TOTAL
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAXC 1024

static const char req[] =
    "GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n";

struct slot {
	int fd;
	size_t sent;
	char resp[512];
	size_t got;
};

static struct sockaddr_un sa;

static int
start(struct slot *s)
{
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	s->sent = s->got = 0;
	if (s->fd < 0)
		return -1;
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    errno != EINPROGRESS && errno != EAGAIN) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static struct slot slots[MAXC];
	static struct pollfd pfd[MAXC];
	long conc, total, started = 0, done = 0, errors = 0;
	double t0, t1;
	long i;

	if (argc != 4) {
		fprintf(stderr, "usage: pingload SOCKET CONC TOTAL\n");
		return 2;
	}
	conc = atol(argv[2]);
	total = atol(argv[3]);
	if (conc < 1 || conc > MAXC || total < conc)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	t0 = now();
	for (i = 0; i < conc; i++) {
		if (start(&slots[i]) != 0)
			errors++;
		started++;
	}
	while (done + errors < total) {
		for (i = 0; i < conc; i++) {
			pfd[i].fd = slots[i].fd;
			pfd[i].events =
			    slots[i].sent < sizeof(req) - 1 ? POLLOUT : POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)conc, 30000) <= 0) {
			fprintf(stderr, "pingload: stalled\n");
			return 1;
		}
		for (i = 0; i < conc; i++) {
			struct slot *s = &slots[i];
			ssize_t n;
			int finished = 0, failed = 0;
			if (s->fd < 0 || pfd[i].revents == 0)
				continue;
			if (s->sent < sizeof(req) - 1) {
				n = write(s->fd, req + s->sent,
				    sizeof(req) - 1 - s->sent);
				if (n > 0)
					s->sent += (size_t)n;
				else if (n < 0 && errno != EAGAIN)
					failed = 1;
			} else {
				n = read(s->fd, s->resp + s->got,
				    sizeof(s->resp) - 1 - s->got);
				if (n > 0)
					s->got += (size_t)n;
				else if (n == 0)
					finished = 1;
				else if (errno != EAGAIN)
					failed = 1;
				if (s->got == sizeof(s->resp) - 1)
					finished = 1;
			}
			if (finished) {
				s->resp[s->got] = '\0';
				if (strncmp(s->resp, "HTTP/1.1 200", 12) == 0 &&
				    strstr(s->resp, "\r\n\r\nOK") != NULL)
					done++;
				else
					errors++;
			} else if (failed)
				errors++;
			if (finished || failed) {
				close(s->fd);
				s->fd = -1;
				if (started < total) {
					started++;
					if (start(s) != 0)
						errors++;
				}
			}
		}
	}
	t1 = now();
	printf("requests %ld errors %ld seconds %.3f rps %.0f\n", done, errors,
	    t1 - t0, (double)done / (t1 - t0));
	return errors ? 1 : 0;
}
