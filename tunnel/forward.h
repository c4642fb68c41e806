/*
 * forward.h: the forwarder -- one single-threaded, non-blocking event loop
 * that serves local clients (a unix socket and, optionally, a 127.0.0.1
 * TCP listener) over one SSH session, one channel per client connection:
 * direct-streamlocal@openssh.com to the remote Docker socket, or
 * `docker system dial-stdio` on a session channel.
 *
 * Guarantees:
 *  - fairness: every turn serves every client, starting from a rotating
 *    position, moving at most a bounded number of bytes per client and
 *    direction; channel opens are queued (one in flight per session);
 *  - backpressure both ways: a client is not read while its bytes wait
 *    for the SSH window or the socket; a channel is not read while its
 *    client has not taken what was read before;
 *  - half-close: a client's shutdown(SHUT_WR) becomes channel EOF, and
 *    channel EOF becomes shutdown(SHUT_WR) towards the client;
 *  - keepalives (asking for a reply) whenever the server has been quiet
 *    for ServerAliveInterval, with or without clients: a server silent
 *    for interval x ServerAliveCountMax is taken as hung, its session
 *    dropped, and every client that waits for it gets an HTTP 502 that
 *    names the cause (TCP_USER_TIMEOUT of the same length catches a
 *    link that stops acknowledging);
 *  - a dropped session closes the clients that were using it (never a
 *    hang), then reconnects with backoff; clients that arrive meanwhile
 *    wait (at most hold_ms) and are served once the session is back.
 */
#ifndef CTXMGR_FORWARD_H
#define CTXMGR_FORWARD_H

#include "common/buf.h"
#include "common/err.h"
#include "tunnel/runwire.h"
#include "tunnel/ssh.h"

/* Counters, as `tunnel ls` shows them. */
struct fwd_stats {
	uint64_t started_us; /* monotonic */
	uint64_t up_since_us; /* 0 while disconnected */
	unsigned open_conns; /* clients connected now */
	uint64_t total_conns;
	uint64_t failed_conns; /* the remote refused a channel */
	uint64_t bytes_in; /* remote to clients */
	uint64_t bytes_out; /* clients to remote */
	unsigned reconnects;
	unsigned peak_conns;
	uint64_t spares_used; /* clients given a channel opened ahead */
	uint64_t reused; /* channels a client left at an HTTP boundary */
	uint64_t pings_cached; /* /_ping answered from the cached copy */
	uint64_t runs; /* commands run for "run" requests */
	enum tunnel_mode mode; /* the mode in use */
	char cipher[64];
	char last_error[256];
};

struct forwarder;

struct fwd_config {
	const struct ssh_params *ssh; /* how to reconnect */
	enum tunnel_mode mode; /* as asked (AUTO resolved on connect) */
	int unix_fd; /* listening sockets (non-blocking), -1 if none */
	int tcp_fd;
	int ctl_fd; /* control socket: status to whoever connects */
	int stop_fd; /* readable: stop (a signal self-pipe) */
	int run_fd; /* a pipe of struct fwd_run pointers, or -1 */
	int alive_interval; /* seconds; 0 none, <0 ssh_config's or 15 */
	int alive_count; /* <= 0: 3 */
	int max_clients; /* 0: 1024 */
	int hold_ms; /* 0: 15000 */
	int no_ping; /* check the remote socket by opening a channel only,
			without GET /_ping (it need not be Docker) */
	/*
	 * The tunnel service (service.h): return from fwd_run after
	 * idle_ms without clients (0: never); with fail_fast, a lost
	 * session that one reconnect cannot bring back ends fwd_run with
	 * its error, after answering waiting HTTP clients with it.
	 */
	int idle_ms;
	int fail_fast;
	/* when set, the counters are copied there (under stats_mu) every
	 * turn, for another thread to read */
	struct fwd_stats *stats_out;
	void *stats_mu; /* pthread_mutex_t * */
	/* Write the status the control socket returns (JSON text). */
	void (*status)(void *arg, const struct fwd_stats *st, struct buf *out);
	void *status_arg;
};

/*
 * Make a forwarder on an already connected session (owned from now on)
 * and check the remote end with one probe channel (mode AUTO picks
 * streamlocal, else dial-stdio).  On failure `conn` is closed.
 */
int fwd_new(const struct fwd_config *cfg, struct ssh_conn *conn,
    struct forwarder **fp, struct cm_err *err);

/*
 * A command for the session's host, handed over by the tunnel service
 * (its "run" request, runwire.h): the forwarder reads the command and its
 * input from `fd`, after the `plen` bytes the service read already, runs
 * it on a session channel of its own between its clients, answers on
 * `fd` and closes it.  Owned by whoever holds the pointer.
 */
struct fwd_run {
	int fd;
	struct run_req rq;
	size_t plen;
	char pre[];
};
struct fwd_run *fwd_run_new(
    int fd, const struct run_req *rq, const char *pre, size_t plen);
/* Answer `r` with an error (best effort, never blocking) and free it. */
void fwd_run_fail(struct fwd_run *r, const char *msg);

/* Serve until stop_fd becomes readable; 0, or an error that stopped it. */
int fwd_run(struct forwarder *f, struct cm_err *err);

/*
 * Answer a client that is waiting for the daemon with an HTTP 502 whose
 * JSON body {"message": msg} the docker CLI prints as "Error response
 * from daemon: msg", when what it sent (`got`, and what it sends within
 * a moment) is an HTTP request.  Never for a stream that already
 * carries data.  The caller closes `fd`.
 */
void fwd_http_error(int fd, const char *got, size_t len, const char *msg);

/*
 * The /_ping cache's parsers (untrusted bytes; exposed for tests).
 * fwd_ping_request: is the request head at p[0..len) exactly
 * "GET /_ping HTTP/1.1" or "HEAD /_ping HTTP/1.1" with no header that
 * announces a body, an upgrade, an expectation or a connection option?
 * FWD_PING_GET or FWD_PING_HEAD with *headlen set; 0 not one; -1 more
 * bytes needed.  fwd_ping_response: is p[0..len) a whole answer to
 * that method fit to keep (200, Content-Length, not chunked, no
 * "Connection: close")?  Its length; 0 more bytes needed; -1 not fit.
 */
enum { FWD_PING_GET = 1, FWD_PING_HEAD = 2 };
int fwd_ping_request(const char *p, size_t len, size_t *headlen);
long fwd_ping_response(const char *p, size_t len, int kind);

void fwd_get_stats(const struct forwarder *f, struct fwd_stats *st);

/* Close every client and the session; free. */
void fwd_free(struct forwarder *f);

#endif
