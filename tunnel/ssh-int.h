/*
 * ssh-int.h: the inside of an SSH connection, shared by the files of
 * tunnel/ only (ssh.c, sshauth.c, jump.c, forward.c).  Not for commands.
 *
 * Every session sends through `struct xport`: libssh2's send callback
 * never blocks in loop mode, it appends the encrypted bytes to a queue
 * that the owner flushes when the socket is writable.  So libssh2 never
 * sees EAGAIN on a send, and none of its "finish the pending send first"
 * rules (keepalives, window adjusts, channel opens) can wedge a session;
 * the owner applies backpressure by not producing while the queue is
 * above XPORT_HIGH_WATER.  The receive callback counts bytes and notes
 * when the server last spoke.
 */
#ifndef CTXMGR_SSH_INT_H
#define CTXMGR_SSH_INT_H

#include <libssh2.h>

#include "common/buf.h"
#include "common/err.h"
#include "tunnel/ssh.h"

#define XPORT_HIGH_WATER ((size_t)512 << 10)
#define XPORT_MAX ((size_t)64 << 20) /* a session error beyond this */

struct xport {
	int fd;
	int loop_mode; /* queue sends instead of sending them */
	int dead; /* fail every call (teardown) */
	int tcp; /* a TCP socket (not a ProxyJump socketpair) */
	char *q; /* queued bytes: q[qoff..qlen) */
	size_t qoff, qlen, qcap;
	uint64_t rx_bytes, tx_bytes;
	uint64_t last_rx_us; /* monotonic time the server last sent */
	int error; /* errno of the first socket failure */
};

struct jump; /* a ProxyJump hop (jump.c) */

struct ssh_conn {
	LIBSSH2_SESSION *s;
	struct xport x;
	struct jump *jump; /* the hop carrying this session, or NULL */
	struct ssh_info info;
	int timeout_ms;
	char *dial_cmd; /* dial-stdio command for the remote socket */
};

/* Set up `x` for `fd` and hook it into session `s`. */
void xport_attach(struct xport *x, LIBSSH2_SESSION *s, int fd);
void xport_release(struct xport *x);
/* Send what is queued; 0, or -1 when the socket failed. */
int xport_flush(struct xport *x);
static inline size_t
xport_queued(const struct xport *x)
{
	return x->qlen - x->qoff;
}

/*
 * Send without blocking what the socket takes now; *sent grows by that.
 * 0 (all sent, or the socket is full), or -1 with errno on failure.
 */
int send_nb(int fd, const char *p, size_t len, size_t *sent);

/*
 * A remote command as steps on a non-blocking session: ssh_exec runs one
 * to the end, the forwarder runs the tunnel service's "run" requests
 * with it between its clients.  Each step does what it can without
 * waiting.  The first opens the channel: the caller sees to it that no
 * other open is in flight on the session (libssh2 keeps one at a time).
 */
enum { XOP_OPEN, XOP_EXEC, XOP_IO, XOP_CLOSE, XOP_WAIT, XOP_FREE, XOP_DONE };
struct ssh_exec_op {
	int stage;
	LIBSSH2_CHANNEL *ch; /* from XOP_EXEC on, until freed */
	const char *command;
	const char *in;
	size_t inlen, sent;
	int eof_sent, out_eof, err_eof;
	struct ssh_exec_result *res;
};
void ssh_exec_op_init(struct ssh_exec_op *op, const char *command,
    const void *in, size_t inlen, struct ssh_exec_result *res);
/*
 * 0: done, res complete, the channel freed; 1: call again once the
 * socket has news (*progress is set when anything moved); else ERR_*,
 * with a channel still in op->ch for the caller to close.
 */
int ssh_exec_op_step(struct ssh_conn *c, struct ssh_exec_op *op, int *progress,
    struct cm_err *err);

/* libssh2 session with the transport, in blocking mode. */
LIBSSH2_SESSION *xport_session_new(struct xport *x, int fd);

/*
 * Switch a connected session to loop mode (non-blocking, sends queued).
 * Blocking-looking helpers below then wait with poll().
 */
void ssh_loop_mode(struct ssh_conn *c);

/*
 * Wait until the session socket is readable (or writable while bytes are
 * queued), flushing the queue; ERR_TIMEOUT past `deadline_us` (0: none),
 * ERR_NET when the socket failed.
 */
int ssh_wait(struct ssh_conn *c, uint64_t deadline_us, struct cm_err *err);

/* Deadline `ms` from now (0 when ms < 0: none). */
uint64_t ssh_deadline(int ms);

/* Fill `err` from libssh2's last error: "what: message". */
int ssh_lib_error(
    LIBSSH2_SESSION *s, struct cm_err *err, int code, const char *what);

/* 1 if a libssh2 error code means the session itself is gone. */
int ssh_session_broken(int rc);

/* Open a channel to the remote Docker socket (blocking style). */
int ssh_open_docker_channel(struct ssh_conn *c, enum tunnel_mode mode,
    LIBSSH2_CHANNEL **chp, enum tunnel_mode *used, struct cm_err *err);

/*
 * Close a stream's channel (EOF, close, the peer's close) but keep the
 * channel allocated: a channel that can never carry data again, on which
 * libssh2_channel_read(ch, buf, 0) processes whatever the server sent
 * for the whole session.  NULL when the close did not complete.
 */
LIBSSH2_CHANNEL *ssh_stream_keep_closed(struct ssh_stream *s);

/*
 * Authentication (sshauth.c): agent, then identity files.  `ids` are the
 * expanded identity files in order; `explicit_id` the one the caller
 * named (errors about it are fatal, a skipped passphrase too); the first
 * `nnamed` ids were named (the caller's, IdentityFile): a missing one is
 * warned about, as ssh does, where a missing default key is not.
 */
struct ssh_auth_input {
	const char *user;
	const char *agent_socket; /* NULL or "none": no agent */
	const struct strv *ids;
	const char *explicit_id;
	int identities_only;
	ssh_passphrase_fn passphrase;
	void *passphrase_arg;
	size_t nnamed;
};
int ssh_auth(
    struct ssh_conn *c, const struct ssh_auth_input *in, struct cm_err *err);

/*
 * ProxyJump (jump.c): connect to the hop `via` already authenticated,
 * open a direct-tcpip channel to host:port through it, and return a
 * socket (one end of a socketpair) that carries the byte stream; a
 * thread pumps between the two.  `via` is owned by the hop from then on.
 */
int jump_start(struct ssh_conn *via, const char *host, int port,
    struct jump **jp, int *fdp, struct cm_err *err);
/* Stop the pump and close the hop (its session and its own hops). */
void jump_stop(struct jump *j);

#endif
