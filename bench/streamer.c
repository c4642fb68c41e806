/*
 * bench/streamer.c: a source and a sink for stream benchmarks that are not
 * the bottleneck: 1 MiB writes and reads, the content checked with one
 * memcmp per read against a known pattern.
 *
 *   streamer serve SOCKET        listen on a unix socket, one child per
 *                                connection (until killed)
 *   streamer get SOCKET BYTES    read BYTES from the server (remote -> local)
 *   streamer put SOCKET BYTES    write BYTES to the server (local -> remote)
 *
 * A client sends one request (a letter and the byte count); the server
 * then writes BYTES, or reads BYTES and answers one status byte once it
 * has them all.  The client prints "BYTES MICROSECONDS" from connect to
 * the last byte (get) or to the server's status (put), and fails when the
 * count or the content is wrong.
 *
 * The stream is a pseudo-random pattern P bytes long, repeated; P is not
 * a power of two, so a lost, doubled or reordered block shows as a
 * mismatch.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)
#define PAT ((1 << 20) + 4099)

static unsigned char *pat; /* 2 * PAT bytes: the pattern twice */

static void die(const char *) __attribute__((noreturn));

static void
die(const char *what)
{
	fprintf(stderr, "streamer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
make_pattern(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	if ((pat = malloc(2 * PAT)) == NULL)
		die("malloc");
	for (i = 0; i < PAT; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pat[i] = (unsigned char)(x >> 24);
	}
	memcpy(pat + PAT, pat, PAT);
}

static int
unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write n bytes of the stream. */
static int
send_stream(int fd, uint64_t n)
{
	uint64_t off = 0;
	size_t len;

	while (off < n) {
		len = n - off < CHUNK ? (size_t)(n - off) : CHUNK;
		if (write_all(fd, pat + off % PAT, len) < 0)
			return -1;
		off += len;
	}
	return 0;
}

/* Read n bytes of the stream and check them; -1 on error, -2 on a short
 * or wrong stream. */
static int
recv_stream(int fd, uint64_t n, unsigned char *buf)
{
	uint64_t off = 0;
	size_t want;
	ssize_t r;

	while (off < n) {
		want = n - off < CHUNK ? (size_t)(n - off) : CHUNK;
		if ((r = read(fd, buf, want)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			fprintf(stderr,
			    "streamer: end of stream after %" PRIu64
			    " of %" PRIu64 " bytes\n",
			    off, n);
			return -2;
		}
		if (memcmp(buf, pat + off % PAT, (size_t)r) != 0) {
			fprintf(stderr,
			    "streamer: wrong content in bytes %" PRIu64
			    "-%" PRIu64 "\n",
			    off, off + (uint64_t)r);
			return -2;
		}
		off += (uint64_t)r;
	}
	return 0;
}

static int
read_all(int fd, unsigned char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -2;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
serve_one(int fd, unsigned char *buf)
{
	unsigned char req[9], ok;
	uint64_t n = 0;
	int i, rc;

	if (read_all(fd, req, sizeof(req)) != 0)
		_exit(1);
	for (i = 1; i < 9; i++)
		n = n << 8 | req[i];
	if (req[0] == 'G')
		_exit(send_stream(fd, n) == 0 ? 0 : 1);
	if (req[0] != 'P')
		_exit(1);
	rc = recv_stream(fd, n, buf);
	ok = rc == 0 ? 'k' : 'x';
	(void)write_all(fd, &ok, 1);
	_exit(rc == 0 ? 0 : 1);
}

static int
serve(const char *path)
{
	struct sockaddr_un sun;
	unsigned char *buf;
	int lfd, fd;

	signal(SIGCHLD, SIG_IGN);
	if ((buf = malloc(CHUNK)) == NULL)
		die("malloc");
	if (unix_addr(path, &sun) < 0)
		die(path);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		die("socket");
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(lfd, 64) < 0)
		die(path);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		switch (fork()) {
		case -1:
			die("fork");
		case 0:
			close(lfd);
			serve_one(fd, buf);
			_exit(0);
		default:
			close(fd);
		}
	}
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
client(const char *path, int put, uint64_t n)
{
	struct sockaddr_un sun;
	unsigned char req[9], ok, *buf;
	uint64_t t0, t1;
	int fd, i, rc;

	if ((buf = malloc(CHUNK)) == NULL)
		die("malloc");
	if (unix_addr(path, &sun) < 0)
		die(path);
	t0 = now_us();
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die(path);
	req[0] = put ? 'P' : 'G';
	for (i = 8; i >= 1; i--)
		req[i] = (unsigned char)(n >> (8 * (8 - i)));
	if (write_all(fd, req, sizeof(req)) < 0)
		die("write");
	if (put) {
		if (send_stream(fd, n) < 0)
			die("write");
		if ((rc = read_all(fd, &ok, 1)) != 0 || ok != 'k') {
			fprintf(stderr, "streamer: the server %s\n",
			    rc == 0 ? "got a wrong stream" : "gave no status");
			return 1;
		}
	} else if ((rc = recv_stream(fd, n, buf)) != 0) {
		if (rc == -1)
			die("read");
		return 1;
	}
	t1 = now_us();
	close(fd);
	printf("%" PRIu64 " %" PRIu64 "\n", n, t1 - t0);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	make_pattern();
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2]);
	if (argc == 4 &&
	    (strcmp(argv[1], "get") == 0 || strcmp(argv[1], "put") == 0))
		return client(
		    argv[2], argv[1][0] == 'p', strtoull(argv[3], NULL, 10));
	fprintf(
	    stderr, "usage: streamer serve SOCKET | get|put SOCKET BYTES\n");
	return 2;
}
