/*
 * forward.c: the forwarder's event loop (see forward.h).
 *
 * One turn: reconnect if due, serve the session (process what the server
 * sent, start channel opens, move bytes for every client from a rotating
 * start, close finished channels, keepalive), flush the session's send
 * queue, then poll.  Everything is non-blocking except reconnecting,
 * which is bounded by the connect and step timeouts.
 *
 * libssh2 reads the whole socket into one packet list on any read call,
 * so the loop never trusts the socket alone: each turn it "drains" once
 * (a zero-length read on a channel that can carry no data), then asks
 * every channel how much it holds (libssh2_channel_window_read_ex).
 */
#include "common/compat.h"

#include <ctype.h>
#include <fcntl.h>
#include <malloc.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/httpresp.h"
#include "tunnel/engine.h"
#include "tunnel/forward.h"
#include "tunnel/peeruid.h"
#include "common/log.h"
#include "tunnel/ssh-int.h"
#include "common/util.h"
#include "common/xmalloc.h"

#define CBUF_SMALL 16384
/*
 * A streaming client's buffers and its share of a turn: one send can
 * fill a unix socket's default buffer (208 KiB) and one turn takes what
 * libssh2 reads in one recv() (8 packets); with 128 KiB the tunnel made
 * 1.4x the system calls per byte received (strace, 512 MiB).
 */
#define CBUF_BIG ((size_t)256 << 10)
#define TURN_CAP ((size_t)256 << 10) /* per client, direction and turn */
#define CLOSE_TIMEOUT_US (30ULL * 1000000)
#define MAX_DIAL_STDIO 8 /* session channels at once (sshd MaxSessions) */
#define BACKOFF_MIN_US 250000ULL
#define BACKOFF_MAX_US (30ULL * 1000000)
#define BACKOFF_WAITING_US 1000000ULL /* while clients wait */
/*
 * A channel opened ahead for the next client is renewed this often:
 * dockerd closes a connection that sent no request after 60 s
 * (measured, 20.10), and a spare must never be closing under a client.
 */
#define SPARE_MAX_US (30ULL * 1000000)
#define SPARE_RETRY_US (5ULL * 1000000) /* after a refused spare */
/* channels opened ahead: two, for clients that come back to back */
#define SPARES 2
/* ... and kept when clients leave them reusable (struct reuse) */
#define SPARES_KEPT 4
/* a client that may leave its channel reusable counts as a spare this long */
#define REUSE_HOPE_US 2000000ULL
/* the daemon's last /_ping answer is reused this long at most */
#define PING_MAX_AGE_US (3ULL * 1000000)
/* ... and asked again when this old, this long after a client's (see
 * ping_refresh) */
#define PING_REFRESH_US (2ULL * 1000000)
#define PING_KEEP_US (120ULL * 1000000)
#define PING_REFRESH_MAX_US (5ULL * 1000000) /* gives up after */
#define PING_HEAD_MAX 4096 /* a /_ping request head, to recognise */
#define PING_RESP_MAX 4096 /* a /_ping answer, to keep */
/* ServerAliveInterval when ssh_config has none: a hung host is noticed
 * within 15 s x 3 */
#define ALIVE_INTERVAL_DEFAULT 15
#define REFAIL_US 1000000ULL /* a hung host: failed at once this long */
/* libssh2 keeps every keepalive reply in the session's packet list:
 * an idle session is renewed after this many */
#define KA_RENEW 512

enum cstate { CS_WAIT, CS_OPENING, CS_STARTING, CS_OPEN, CS_CLOSING };

/*
 * Can the channel serve the next client?  Its HTTP exchanges are followed
 * with the strict parser, one request then its answer, and it can when
 * the client leaves between two of them on a connection the daemon keeps
 * open.  Anything else (pipelining, an upgrade, a body delimited by the
 * close, a parse error, a byte the daemon sends unasked) ends following:
 * the channel then closes with its client, as it always did.
 */
struct reuse {
	struct http_resp req, resp;
	int asked; /* a whole request went, its answer did not come yet */
	int dead;
};

struct cbuf {
	char *p;
	size_t off, len, cap; /* data is p[off..off+len) */
};

struct client {
	struct client *next, *prev;
	struct client *wnext; /* wait queue */
	int fd; /* -1 once closed */
	enum cstate st;
	LIBSSH2_CHANNEL *ch;
	struct cbuf up; /* client to remote */
	struct cbuf down; /* remote to client */
	unsigned rd_eof : 1, eof_sent : 1, ch_eof : 1, wr_shut : 1;
	unsigned waiting : 1;
	unsigned up_big : 1; /* a read filled the room: the client streams */
	unsigned sniff : 1; /* the first request may be a /_ping */
	unsigned spare_close : 1; /* no client: a spare channel closing */
	unsigned refresh : 1; /* ours: asks the daemon for a fresh /_ping */
	unsigned session : 1; /* its channel counts in dial_channels */
	unsigned
	    capture : 2; /* keep the answer to it: FWD_PING_GET, FWD_PING_HEAD */
	char *capp; /* the answer so far */
	size_t caplen;
	unsigned seen : 1; /* it sent a byte */
	unsigned http : 1; /* its first bytes were an HTTP request */
	unsigned answered : 1; /* it got a byte from the daemon */
	struct reuse *ru; /* NULL: not followed (not HTTP, or given up) */
	uint64_t since; /* arrival, or when closing began */
	int pi; /* poll index, -1 none */
};

struct forwarder {
	struct fwd_config cfg;
	struct ssh_conn *conn; /* NULL while disconnected */
	LIBSSH2_CHANNEL *idle_ch; /* closed probe channel, for draining */
	enum tunnel_mode mode;
	struct client *head, *tail;
	struct client *wq_head, *wq_tail;
	struct client *opening; /* the channel open in flight */
	unsigned nclients;
	/* session channels open (until their close completes: sshd counts
	 * them against MaxSessions until then) */
	unsigned dial_channels;
	struct fwd_stats st;
	uint64_t next_attempt, backoff;
	uint64_t last_ka;
	uint64_t ka_first; /* the oldest keepalive not answered yet, or 0 */
	unsigned ka_replies; /* replies libssh2 keeps (renew at KA_RENEW) */
	int hung; /* the session was dropped for not answering */
	uint64_t failed_at; /* when the last reconnect failed */
	char hung_msg[160]; /* why it was dropped, while hung */
	int interval, count;
	int busy; /* work left that needs no event */
	struct pollfd *pfd;
	size_t pfdcap;
	/* a channel opened before a client asks for one (streamlocal) */
	LIBSSH2_CHANNEL *spare[SPARES_KEPT];
	uint64_t spare_at[SPARES_KEPT], spare_retry_at;
	unsigned nspare;
	int opening_spare; /* the open in flight is for the spare */
	/* the daemon's last answers to GET and HEAD /_ping, this session */
	struct {
		char *p;
		size_t len;
		uint64_t at;
	} ping[3];
	uint64_t ping_asked[3]; /* when a client last sent that /_ping */
	int rfd; /* our end of the refresh client's socket, or -1 */
	unsigned rkind; /* which /_ping it asks */
	uint64_t rstart;
	/* commands run for the service (struct job) */
	struct job *jobs;
	struct job *jopen; /* the one whose channel open is in flight */
};

/*
 * A "run" request (struct fwd_run): its command and input read from the
 * client, then run with ssh_exec_op on a session channel (counted with
 * the dial-stdio ones against sshd's MaxSessions), then the answer
 * written back.
 */
enum jstate { J_READ, J_WAIT, J_RUN, J_REPLY };

struct job {
	struct job *next;
	int fd;
	enum jstate st;
	struct run_req rq;
	struct buf req; /* the command, then its input */
	char *cmd;
	struct ssh_exec_op op;
	struct ssh_exec_result res;
	uint64_t deadline;
	struct buf ans;
	size_t sent;
	int pi;
};

static void jobs_lost(struct forwarder *f);
static int job_open_step(struct forwarder *f);
static void jobs_step(struct forwarder *f);
static void session_lost(struct forwarder *f, const char *fmt, ...)
    PRINTFLIKE(2, 3);
static void reuse_end(struct client *c);
static int looks_http(const char *p, size_t len);

/* Buffers */

static int
cbuf_room_ensure(struct cbuf *b, size_t want_big)
{
	if (b->cap == 0) {
		b->cap = want_big ? CBUF_BIG : CBUF_SMALL;
		b->p = xmalloc(b->cap);
	}
	if (b->off > 0 && b->off + b->len == b->cap) {
		memmove(b->p, b->p + b->off, b->len);
		b->off = 0;
	}
	if (want_big && b->cap < CBUF_BIG) {
		b->p = xreallocarray(b->p, CBUF_BIG, 1);
		b->cap = CBUF_BIG;
	}
	return (int)(b->cap - b->off - b->len);
}

static void
cbuf_consume(struct cbuf *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}

static void
cbuf_free(struct cbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Clients */

static void
client_unlink_wait(struct forwarder *f, struct client *c)
{
	struct client **pp;

	if (!c->waiting)
		return;
	for (pp = &f->wq_head; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == c) {
			*pp = c->wnext;
			break;
		}
	f->wq_tail = NULL;
	for (struct client *w = f->wq_head; w != NULL; w = w->wnext)
		f->wq_tail = w;
	c->waiting = 0;
	c->wnext = NULL;
}

static void
client_enqueue(struct forwarder *f, struct client *c, int front)
{
	c->st = CS_WAIT;
	c->waiting = 1;
	if (front) {
		c->wnext = f->wq_head;
		f->wq_head = c;
		if (f->wq_tail == NULL)
			f->wq_tail = c;
		return;
	}
	c->wnext = NULL;
	if (f->wq_tail != NULL)
		f->wq_tail->wnext = c;
	else
		f->wq_head = c;
	f->wq_tail = c;
}

static void
client_close_fd(struct forwarder *f, struct client *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
		if (!c->refresh)
			f->st.open_conns--;
	}
}

static void
client_remove(struct forwarder *f, struct client *c)
{
	client_close_fd(f, c);
	client_unlink_wait(f, c);
	if (f->opening == c)
		f->opening = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		f->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		f->tail = c->prev;
	cbuf_free(&c->up);
	cbuf_free(&c->down);
	reuse_end(c);
	free(c->capp);
	if (!c->spare_close && !c->refresh)
		f->nclients--;
	free(c);
}

/* Stop serving a client: its socket now, its channel when closed. */
static void
client_abort(struct forwarder *f, struct client *c, const char *why)
{
	if (why != NULL)
		log_debug("client %p: %s", (void *)c, why);
	client_close_fd(f, c);
	if (c->st == CS_OPENING)
		return; /* the open in flight finishes first */
	if (c->ch != NULL) {
		c->st = CS_CLOSING;
		c->since = now_us();
		return;
	}
	client_remove(f, c);
}

/* A new client record on fd (-1: none), last in the list. */
static struct client *
client_add(struct forwarder *f, int fd)
{
	struct client *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	c->pi = -1;
	c->since = now_us();
	c->prev = f->tail;
	if (f->tail)
		f->tail->next = c;
	else
		f->head = c;
	f->tail = c;
	return c;
}

/* A client on fd; `refresh` for ours (counted nowhere, see ping_refresh). */
static void
client_new(struct forwarder *f, int fd, int refresh)
{
	struct client *c = client_add(f, fd);

	c->sniff = 1;
	c->refresh = refresh != 0;
	if (!refresh) {
		f->nclients++;
		f->st.open_conns++;
		f->st.total_conns++;
		if (f->st.open_conns > f->st.peak_conns)
			f->st.peak_conns = f->st.open_conns;
	}
	client_enqueue(f, c, 0);
}

/* Write what the client should get; 0, or -1 when it is gone. */
static int
client_flush_down(struct forwarder *f, struct client *c)
{
	size_t sent = 0;
	int r;

	if (c->fd < 0 || c->down.len == 0)
		return 0;
	r = send_nb(c->fd, c->down.p + c->down.off, c->down.len, &sent);
	cbuf_consume(&c->down, sent);
	if (sent > 0)
		c->answered = 1;
	f->st.bytes_in += (uint64_t)sent;
	return r;
}

/* Read what the client sent, up to the room left. */
static void
client_read_up(struct forwarder *f, struct client *c)
{
	int room;
	ssize_t n;

	if (c->rd_eof || c->fd < 0)
		return;
	/* grow once a read fills the room: every turn drains the buffer,
	 * so waiting for it to be full at the next read never grows it */
	room = cbuf_room_ensure(&c->up, c->up_big);
	if (room <= 0)
		return;
	n = recv(
	    c->fd, c->up.p + c->up.off + c->up.len, (size_t)room, MSG_DONTWAIT);
	if (n > 0) {
		if ((size_t)n == (size_t)room)
			c->up_big = 1;
		if (!c->seen && c->up.len == 0) {
			c->http = looks_http(c->up.p + c->up.off, (size_t)n);
			if (c->http && f->mode == TUNNEL_STREAMLOCAL) {
				c->ru = xcalloc(1, sizeof(*c->ru));
				http_resp_init_request(&c->ru->req);
			}
		}
		c->seen = 1;
		c->up.len += (size_t)n;
		return;
	}
	if (n == 0) {
		c->rd_eof = 1;
		return;
	}
	if (errno != EAGAIN && errno != EINTR)
		client_abort(f, c, "read error");
}

/* HTTP errors for waiting clients */

static int
looks_http(const char *p, size_t len)
{
	static const char *const methods[] = { "GET ", "HEAD ", "POST ", "PUT ",
		"DELETE ", "OPTIONS ", "PATCH " };
	size_t i, m;

	for (i = 0; i < nitems(methods); i++) {
		m = strlen(methods[i]);
		if (len >= m && memcmp(p, methods[i], m) == 0)
			return 1;
	}
	return 0;
}

static int
has_headers_end(const char *p, size_t len)
{
	return len >= 4 && memmem(p, len, "\r\n\r\n", 4) != NULL;
}

/* The /_ping cache */

static void
ping_forget(struct forwarder *f)
{
	size_t i;

	for (i = 0; i < nitems(f->ping); i++) {
		free(f->ping[i].p);
		f->ping[i].p = NULL;
		f->ping[i].len = 0;
		f->ping[i].at = 0;
	}
}

/* a copy of p[0..len) in lower case, NUL-terminated; NULL if it holds NUL */
static char *
lower_copy(const char *p, size_t len)
{
	char *s;
	size_t i;

	if (memchr(p, '\0', len) != NULL)
		return NULL;
	s = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		s[i] = (char)tolower((unsigned char)p[i]);
	s[len] = '\0';
	return s;
}

/*
 * Is the request head at p[0..len) a plain /_ping: exactly
 * "GET /_ping HTTP/1.1" or "HEAD /_ping HTTP/1.1", and no header that
 * announces a body, an upgrade, an expectation or a connection option?
 * FWD_PING_GET or FWD_PING_HEAD with *headlen set; 0 when it is not one; -1 when
 * more bytes are needed to tell.
 */
int
fwd_ping_request(const char *p, size_t len, size_t *headlen)
{
	static const char *const lines[] = { "", "GET /_ping HTTP/1.1\r\n",
		"HEAD /_ping HTTP/1.1\r\n" };
	static const char *const refused[] = { "\ncontent-length:",
		"\ntransfer-encoding:", "\nupgrade:", "\nexpect:",
		"\nconnection:" };
	const char *end;
	char *head;
	size_t i, m, n;
	int kind = 0;

	for (i = 1; i < nitems(lines) && kind == 0; i++) {
		m = strlen(lines[i]);
		if (memcmp(p, lines[i], len < m ? len : m) == 0)
			kind = (int)i;
	}
	if (kind == 0)
		return 0;
	end = len >= 4 ? memmem(p, len, "\r\n\r\n", 4) : NULL;
	if (end == NULL)
		return len < PING_HEAD_MAX ? -1 : 0;
	n = (size_t)(end - p) + 4;
	if (n > PING_HEAD_MAX || n < strlen(lines[kind]) + 2)
		return 0;
	if ((head = lower_copy(p, n)) == NULL)
		return 0;
	for (i = 0; i < nitems(refused); i++)
		if (strstr(head, refused[i]) != NULL)
			kind = 0;
	free(head);
	*headlen = n;
	return kind;
}

/*
 * Is p[0..len) a whole answer to a /_ping fit to keep (200, a
 * Content-Length, not chunked, no "Connection: close")?  Its length;
 * 0 when more bytes are needed; -1 when it is not fit.
 */
long
fwd_ping_response(const char *p, size_t len, int kind)
{
	const char *end, *cl;
	char *head, *e;
	unsigned long body;
	size_t n;
	long r = -1;

	end = len >= 4 ? memmem(p, len, "\r\n\r\n", 4) : NULL;
	if (end == NULL)
		return len < PING_RESP_MAX ? 0 : -1;
	n = (size_t)(end - p) + 4;
	if (len < 13 || memcmp(p, "HTTP/1.1 200 ", 13) != 0)
		return -1;
	if ((head = lower_copy(p, n)) == NULL)
		return -1;
	if (strstr(head, "\ntransfer-encoding:") != NULL ||
	    strstr(head, "\nconnection: close") != NULL ||
	    (cl = strstr(head, "\ncontent-length:")) == NULL)
		goto out;
	cl += strlen("\ncontent-length:");
	while (*cl == ' ' || *cl == '\t')
		cl++;
	errno = 0;
	body = strtoul(cl, &e, 10);
	if (e == cl || errno != 0 || body > PING_RESP_MAX)
		goto out;
	if (kind == FWD_PING_GET)
		n += body;
	if (n > PING_RESP_MAX)
		goto out;
	r = len < n ? 0 : (long)n;
out:
	free(head);
	return r;
}

/* Keep the bytes c got from the daemon, as the answer to its /_ping. */
static void
ping_capture(struct forwarder *f, struct client *c, const char *p, size_t n)
{
	long whole;

	if (c->caplen + n > PING_RESP_MAX)
		n = PING_RESP_MAX - c->caplen;
	if (c->capp == NULL)
		c->capp = xmalloc(PING_RESP_MAX);
	memcpy(c->capp + c->caplen, p, n);
	c->caplen += n;
	whole = fwd_ping_response(c->capp, c->caplen, c->capture);
	if (whole == 0)
		return;
	if (whole > 0) {
		free(f->ping[c->capture].p);
		f->ping[c->capture].p = c->capp;
		f->ping[c->capture].len = (size_t)whole;
		f->ping[c->capture].at = now_us();
		c->capp = NULL;
	}
	free(c->capp);
	c->capp = NULL;
	c->caplen = 0;
	c->capture = 0;
}

/*
 * A client's first request: a /_ping answered from the daemon's last
 * answer while it is fresh, or a /_ping whose answer is kept, or
 * anything else, passed on untouched.  The rest of the connection
 * always goes to the daemon.
 */
static void
sniff_step(struct forwarder *f, struct client *c)
{
	size_t hl = 0, len;
	int kind;

	if (!c->sniff || c->fd < 0)
		return;
	if (c->up.len == 0) {
		if (c->rd_eof)
			c->sniff = 0;
		return;
	}
	kind = f->conn != NULL
	    ? fwd_ping_request(c->up.p + c->up.off, c->up.len, &hl)
	    : 0;
	if (kind < 0) {
		if (c->rd_eof)
			c->sniff = 0;
		return;
	}
	c->sniff = 0;
	if (kind == 0)
		return;
	if (!c->refresh)
		f->ping_asked[kind] = now_us();
	len = f->ping[kind].len;
	if (f->ping[kind].p == NULL || c->refresh ||
	    now_us() - f->ping[kind].at > PING_MAX_AGE_US || c->down.len != 0) {
		c->capture = (unsigned)kind;
		return;
	}
	if ((size_t)cbuf_room_ensure(&c->down, 0) < len) {
		c->capture = (unsigned)kind;
		return;
	}
	memcpy(c->down.p + c->down.off + c->down.len, f->ping[kind].p, len);
	c->down.len += len;
	cbuf_consume(&c->up, hl);
	f->st.pings_cached++;
	if (client_flush_down(f, c) != 0)
		client_abort(f, c, "client write error");
}

/*
 * Keep the /_ping cache fresh while clients use it: the docker CLI sends
 * HEAD /_ping first on every command, and a command more than 3 s after
 * the last (a user typing) would otherwise pay a round trip for it.  For
 * PING_KEEP_US after a client last sent a /_ping, a copy older than
 * PING_REFRESH_US is asked again by a client of ours: one end of a
 * socket pair served like any client (on a spare, so no channel open,
 * its answer kept as a client's is, the channel left for reuse), the
 * other end read and closed here.  Never while a client waits, never
 * without a spare: it must not cost a client anything.
 */
static uint64_t
ping_refresh_due(const struct forwarder *f, uint64_t now, unsigned *kindp)
{
	uint64_t due = UINT64_MAX, at;
	unsigned k;

	if (f->conn == NULL || f->rfd >= 0 || f->cfg.no_ping)
		return UINT64_MAX;
	for (k = 1; k < nitems(f->ping); k++) {
		if (f->ping[k].p == NULL || f->ping_asked[k] == 0 ||
		    now - f->ping_asked[k] >= PING_KEEP_US)
			continue;
		at = f->ping[k].at + PING_REFRESH_US;
		at = at > now ? at - now : 0;
		if (at < due) {
			due = at;
			*kindp = k;
		}
	}
	return due;
}

static void
ping_refresh(struct forwarder *f, uint64_t now)
{
	static const char *const req[] = { "",
		"GET /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n",
		"HEAD /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n" };
	char sink[4096];
	unsigned kind = 0;
	int sv[2];

	if (f->rfd >= 0) {
		while (recv(f->rfd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
			;
		if (f->ping[f->rkind].at >= f->rstart ||
		    now - f->rstart > PING_REFRESH_MAX_US || f->conn == NULL) {
			close(f->rfd); /* our client leaves, done or not */
			f->rfd = -1;
		}
		return;
	}
	if (ping_refresh_due(f, now, &kind) != 0 || f->nspare == 0 ||
	    f->wq_head != NULL)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		sv) != 0)
		return;
	if (send(sv[0], req[kind], strlen(req[kind]), MSG_NOSIGNAL) !=
	    (ssize_t)strlen(req[kind])) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	f->rfd = sv[0];
	f->rkind = kind;
	f->rstart = now;
	client_new(f, sv[1], 1);
	log_debug("refreshing the cached /_ping");
}

/* Send the 502 with {"message": msg}; the request was read. */
static void
http_error_send(int fd, const char *msg)
{
	char body[1024], resp[1400];
	size_t b = 0;
	const char *m;
	int hl;

	/* {"message":"..."}, escaped by JSON's rules */
	b = (size_t)snprintf(body, sizeof(body), "{\"message\":\"");
	for (m = msg; *m != '\0' && b < sizeof(body) - 16; m++) {
		unsigned char ch = (unsigned char)*m;
		if (ch == '"' || ch == '\\')
			b += (size_t)snprintf(
			    body + b, sizeof(body) - b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			b += (size_t)snprintf(
			    body + b, sizeof(body) - b, "\\u%04x", ch);
		else
			body[b++] = (char)ch;
	}
	b += (size_t)snprintf(body + b, sizeof(body) - b, "\"}\n");
	hl = snprintf(resp, sizeof(resp),
	    "HTTP/1.1 502 Bad Gateway\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s",
	    b, body);
	if (hl > 0)
		(void)send(fd, resp, (size_t)hl, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)shutdown(fd, SHUT_WR);
}

void
fwd_http_error(int fd, const char *got, size_t len, const char *msg)
{
	char req[8192];
	size_t n = 0;
	uint64_t deadline = now_us() + 1000000;
	struct pollfd pfd;
	ssize_t k;

	if (len > sizeof(req))
		len = sizeof(req);
	if (len > 0)
		memcpy(req, got, len);
	n = len;
	/* the rest of the request head, briefly */
	while (!has_headers_end(req, n) && n < sizeof(req) &&
	    now_us() < deadline) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)((deadline - now_us()) / 1000) + 1) <= 0)
			break;
		k = recv(fd, req + n, sizeof(req) - n, MSG_DONTWAIT);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	if (!looks_http(req, n))
		return;
	http_error_send(fd, msg);
}

/* Answer every client still waiting for a channel with `msg`. */
static void
fail_waiting(struct forwarder *f, const char *msg)
{
	struct client *c, *next;

	for (c = f->head; c != NULL; c = next) {
		next = c->next;
		if (c->st != CS_WAIT)
			continue;
		if (c->fd >= 0 && c->down.len == 0)
			fwd_http_error(c->fd,
			    c->up.p ? c->up.p + c->up.off : "", c->up.len, msg);
		client_abort(f, c, "no session");
	}
}

/* Session */

static void
session_ready(struct forwarder *f)
{
	struct ssh_conn *cn = f->conn;
	const char *m;

	f->st.up_since_us = now_us();
	f->backoff = 0;
	f->last_ka = now_us();
	f->ka_first = 0;
	f->ka_replies = 0;
	f->hung = 0;
	/*
	 * A reply is asked: a stopped sshd's kernel still acknowledges
	 * every byte, so only an answer shows the peer is alive.  libssh2
	 * keeps the replies; an idle session is renewed after KA_RENEW.
	 */
	libssh2_keepalive_config(
	    cn->s, 1, (unsigned)(f->interval > 0 ? f->interval : 0));
	if (f->interval > 0) {
		unsigned ut = (unsigned)(f->interval * f->count * 1000);
		int on = 1;
		(void)setsockopt(
		    cn->x.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut));
		(void)setsockopt(
		    cn->x.fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	}
	m = libssh2_session_methods(cn->s, LIBSSH2_METHOD_CRYPT_CS);
	snprintf(f->st.cipher, sizeof(f->st.cipher), "%s", m ? m : "");
}

static ssize_t
stream_read(void *arg, void *p, size_t n, struct cm_err *err)
{
	return ssh_stream_read(arg, p, n, err);
}

static int
stream_write(void *arg, const void *p, size_t n, struct cm_err *err)
{
	return ssh_stream_write(arg, p, n, err);
}

/* Open one channel, ask the daemon for /_ping; keep the channel closed. */
static int
probe(struct forwarder *f, enum tunnel_mode mode, struct cm_err *err)
{
	struct ssh_stream *s = NULL;
	struct engine_response resp;
	struct engine_io io = { 0 };
	int r;

	engine_response_init(&resp, 4096);
	if ((r = ssh_stream_open(f->conn, mode, &s, NULL, err)) != 0)
		goto out;
	if (f->cfg.no_ping) {
		/* the channel opened: enough for a socket that is no Docker
		 * daemon; it may have started talking, so it is not kept */
		ssh_stream_close(s);
		s = NULL;
		r = 0;
		goto out;
	}
	io.read = stream_read;
	io.write = stream_write;
	io.arg = s;
	if ((r = engine_get(&io, "/_ping", &resp, err)) != 0) {
		if (mode == TUNNEL_DIAL_STDIO)
			err_prefix(err,
			    "\"docker system dial-stdio\" on \"%s\" gave no "
			    "answer (is docker installed there, and the "
			    "daemon running?)",
			    f->conn->info.alias);
		else
			err_prefix(err, "the Docker daemon at \"%s\" on \"%s\"",
			    f->conn->info.remote_socket, f->conn->info.alias);
		goto out;
	}
	if (resp.status != 200) {
		r = err_set(err, ERR_PROTO,
		    "the Docker daemon on \"%s\" answered /_ping with HTTP %d",
		    f->conn->info.alias, resp.status);
		goto out;
	}
	r = 0;
out:
	if (s != NULL) {
		if (r == 0 && f->idle_ch == NULL)
			f->idle_ch = ssh_stream_keep_closed(s);
		else
			ssh_stream_close(s);
	}
	engine_response_release(&resp);
	return r;
}

/* Check the remote end; AUTO settles on a mode here. */
static int
probe_modes(struct forwarder *f, struct cm_err *err)
{
	struct cm_err first;
	int r;

	if (f->mode != TUNNEL_AUTO)
		return probe(f, f->mode, err);
	err_init(&first);
	if ((r = probe(f, TUNNEL_STREAMLOCAL, &first)) == 0) {
		f->mode = TUNNEL_STREAMLOCAL;
		return 0;
	}
	if (first.code == ERR_NET && f->conn->x.error != 0)
		return err_set(err, first.code, "%s", first.msg);
	log_info("stream-local forwarding failed (%s); trying dial-stdio",
	    first.msg);
	if ((r = probe(f, TUNNEL_DIAL_STDIO, err)) == 0) {
		f->mode = TUNNEL_DIAL_STDIO;
		return 0;
	}
	{
		char second[sizeof(err->msg)];
		snprintf(second, sizeof(second), "%s", err->msg);
		return err_set(
		    err, r, "%s; and before that: %s", second, first.msg);
	}
}

static void
conn_drop(struct ssh_conn *c)
{
	c->x.dead = 1;
	ssh_close(c);
}

static void
session_lost(struct forwarder *f, const char *fmt, ...)
{
	struct client *c, *next;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->st.last_error, sizeof(f->st.last_error), fmt, ap);
	va_end(ap);
	log_warn("session to \"%s\" lost: %s", f->conn->info.alias,
	    f->st.last_error);
	for (c = f->head; c != NULL; c = next) {
		next = c->next;
		c->ch = NULL; /* freed with the session */
		if (c->st == CS_OPENING && c->fd >= 0) {
			client_enqueue(f, c, 1); /* not served yet: retry */
			continue;
		}
		if (c->st == CS_WAIT)
			continue;
		client_remove(f, c); /* caught in the drop: closed */
	}
	jobs_lost(f);
	f->opening = NULL;
	f->idle_ch = NULL;
	f->nspare = 0; /* freed with the session */
	f->opening_spare = 0;
	ping_forget(f); /* no answer from a daemon we cannot reach */
	if (f->rfd >= 0) {
		close(f->rfd);
		f->rfd = -1;
	}
	f->dial_channels = 0;
	conn_drop(f->conn);
	f->conn = NULL;
	f->st.up_since_us = 0;
	f->backoff = 0;
	f->next_attempt = now_us();
}

static void
maybe_reconnect(struct forwarder *f, uint64_t now)
{
	struct ssh_conn *c = NULL;
	struct cm_err err;

	if (now < f->next_attempt)
		return;
	err_init(&err);
	if (ssh_connect(f->cfg.ssh, &c, &err) == 0) {
		f->conn = c;
		f->st.reconnects++;
		session_ready(f);
		if (probe(f, f->mode, &err) != 0)
			log_warn("reconnected to \"%s\", but: %s",
			    c->info.alias, err.msg);
		else
			log_info("reconnected to \"%s\"", c->info.alias);
		return;
	}
	if (f->hung) /* the cause stays first: reconnecting only failed */
		snprintf(f->st.last_error, sizeof(f->st.last_error),
		    "%s; reconnecting: %s", f->hung_msg, err.msg);
	else
		snprintf(
		    f->st.last_error, sizeof(f->st.last_error), "%s", err.msg);
	f->failed_at = now_us();
	f->backoff = f->backoff == 0          ? BACKOFF_MIN_US
	    : f->backoff * 2 > BACKOFF_MAX_US ? BACKOFF_MAX_US
					      : f->backoff * 2;
	f->next_attempt = now_us() + f->backoff;
	log_warn("reconnect failed (next try in %llu ms): %s",
	    (unsigned long long)(f->backoff / 1000), err.msg);
}

/* Serving */

/* The channel a zero-length read may use to drain, or NULL. */
static LIBSSH2_CHANNEL *
drain_channel(struct forwarder *f)
{
	LIBSSH2_CHANNEL *ch = f->idle_ch;
	unsigned long avail = 0, initial = 0, window;
	struct client *c;
	unsigned i;

	/*
	 * A zero-length read may send a window adjustment when the window
	 * ran low; never on a closed channel (the server would drop the
	 * session), so the idle channel is used only while its window is
	 * untouched enough.
	 */
	if (ch != NULL) {
		window = libssh2_channel_window_read_ex(ch, &avail, &initial);
		if (avail > 0 || window < initial / 4 * 3)
			ch = NULL;
	}

	for (c = f->head; ch == NULL && c != NULL; c = c->next)
		if (c->ch != NULL && c->st != CS_CLOSING && !c->ch_eof)
			ch = c->ch;
	for (i = 0; ch == NULL && i < f->nspare; i++)
		if (!libssh2_channel_eof(f->spare[i]))
			ch = f->spare[i];
	return ch;
}

/* Process what the server sent; 0, or -1 when the session died. */
static int
drain(struct forwarder *f)
{
	LIBSSH2_CHANNEL *ch = drain_channel(f);
	ssize_t n;
	char dummy;

	if (ch == NULL)
		return 0;
	n = libssh2_channel_read(ch, &dummy, 0);
	if (n < 0 && n != LIBSSH2_ERROR_EAGAIN && ssh_session_broken((int)n)) {
		session_lost(f,
		    "the server closed the connection or the link "
		    "died");
		return -1;
	}
	return 0;
}

/* 1 if libssh2 said the session is gone (and it was dropped). */
static int
check_broken(struct forwarder *f, int rc, const char *what)
{
	if (!ssh_session_broken(rc))
		return 0;
	session_lost(f, "%s failed (libssh2 error %d)", what, rc);
	return 1;
}

/* Spare channel */

/* Let go of a channel nobody reads (a spare, a command's session
 * channel): it closes like a client's. */
static void
channel_drop(struct forwarder *f, LIBSSH2_CHANNEL *ch, int session)
{
	struct client *c = client_add(f, -1);

	c->spare_close = 1;
	c->session = session != 0;
	c->ch = ch;
	c->st = CS_CLOSING;
}

static void
spare_drop(struct forwarder *f, unsigned i)
{
	channel_drop(f, f->spare[i], 0);
	f->nspare--;
	memmove(&f->spare[i], &f->spare[i + 1],
	    (f->nspare - i) * sizeof(f->spare[0]));
	memmove(&f->spare_at[i], &f->spare_at[i + 1],
	    (f->nspare - i) * sizeof(f->spare_at[0]));
}

/*
 * The spare must be a channel nobody has used: dropped when the daemon
 * sent anything or closed its end, and renewed now and then.
 */
static void
spare_check(struct forwarder *f, uint64_t now)
{
	unsigned long avail;
	unsigned i;

	for (i = f->nspare; i-- > 0;) {
		avail = 0;
		(void)libssh2_channel_window_read_ex(f->spare[i], &avail, NULL);
		if (avail > 0 || libssh2_channel_eof(f->spare[i]) ||
		    now - f->spare_at[i] > SPARE_MAX_US) {
			log_debug("spare channel dropped");
			spare_drop(f, i);
		}
	}
}

/*
 * A spare is opened when there are fewer than SPARES, counting the
 * channels of HTTP clients that came in the last REUSE_HOPE_US, which
 * will likely come back (struct reuse): an open costs sshd a small
 * answer, which holds the next answer back for a round trip.
 */
static int
spare_wanted(const struct forwarder *f)
{
	const struct client *c;
	uint64_t now = now_us();
	unsigned n = f->nspare;

	if (f->mode != TUNNEL_STREAMLOCAL || f->cfg.no_ping ||
	    now < f->spare_retry_at)
		return 0;
	for (c = f->head; c != NULL && n < SPARES; c = c->next)
		if (c->ru != NULL && c->st == CS_OPEN &&
		    now - c->since < REUSE_HOPE_US)
			n++;
	return n < SPARES;
}

/*
 * Ready spares serve waiting clients at once, also while another open is
 * in flight: waiting for that open cost a client coming right after the
 * last one a round trip (over 50 ms: 93 against 58 ms).
 */
static void
spare_hand_out(struct forwarder *f)
{
	struct client *c;

	while (f->wq_head != NULL && f->nspare > 0) {
		c = f->wq_head;
		client_unlink_wait(f, c);
		if (c->fd < 0) {
			client_remove(f, c);
			continue;
		}
		/* checked this turn: never used, not closed */
		c->ch = f->spare[--f->nspare];
		c->st = CS_OPEN;
		f->st.spares_used++;
	}
}

static void
open_step(struct forwarder *f)
{
	struct ssh_conn *cn = f->conn;
	LIBSSH2_CHANNEL *ch;
	struct client *c;
	int rc;

	while (f->conn != NULL) {
		spare_hand_out(f);
		if (f->opening == NULL && !f->opening_spare) {
			if (job_open_step(f))
				return;
			if (f->wq_head == NULL) {
				if (!spare_wanted(f))
					return;
				f->opening_spare = 1;
				goto open;
			}
			if (f->mode == TUNNEL_DIAL_STDIO &&
			    f->dial_channels >= MAX_DIAL_STDIO)
				return;
			c = f->wq_head;
			client_unlink_wait(f, c);
			if (c->fd < 0) {
				client_remove(f, c);
				continue;
			}
			c->st = CS_OPENING;
			f->opening = c;
		}
	open:
		c = f->opening;
		if (f->mode == TUNNEL_DIAL_STDIO)
			ch = libssh2_channel_open_session(cn->s);
		else
			ch = libssh2_channel_direct_streamlocal_ex(
			    cn->s, cn->info.remote_socket, "127.0.0.1", 0);
		if (ch == NULL) {
			rc = libssh2_session_last_errno(cn->s);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return;
			if (check_broken(f, rc, "opening a channel"))
				return;
			if (f->opening_spare) {
				/* the next client will see why */
				f->opening_spare = 0;
				f->spare_retry_at = now_us() + SPARE_RETRY_US;
				if (f->wq_head == NULL)
					return;
				continue;
			}
			f->opening = NULL;
			f->st.failed_conns++;
			snprintf(f->st.last_error, sizeof(f->st.last_error),
			    "\"%s\" refused a channel to \"%s\" (is the "
			    "daemon running?)",
			    cn->info.alias, cn->info.remote_socket);
			log_warn("%s", f->st.last_error);
			c->st = CS_WAIT; /* no channel: the client goes now */
			if (c->fd >= 0)
				fwd_http_error(c->fd,
				    c->up.p ? c->up.p + c->up.off : "",
				    c->up.len, f->st.last_error);
			client_abort(f, c, "channel refused");
			continue;
		}
		if (f->opening_spare) {
			f->opening_spare = 0;
			f->spare_at[f->nspare] = now_us();
			f->spare[f->nspare++] = ch;
			continue;
		}
		f->opening = NULL;
		c->ch = ch;
		if (f->mode == TUNNEL_DIAL_STDIO) {
			f->dial_channels++;
			c->session = 1;
			c->st = CS_STARTING;
		} else
			c->st = CS_OPEN;
		if (c->fd < 0) /* the client left while we waited */
			client_abort(f, c, NULL);
	}
}

static void
start_step(struct forwarder *f, struct client *c)
{
	int rc = libssh2_channel_exec(c->ch, f->conn->dial_cmd);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc != 0) {
		if (check_broken(f, rc, "starting dial-stdio"))
			return;
		f->st.failed_conns++;
		client_abort(f, c, "dial-stdio refused");
		return;
	}
	libssh2_channel_handle_extended_data2(
	    c->ch, LIBSSH2_CHANNEL_EXTENDED_DATA_IGNORE);
	c->st = CS_OPEN;
}

/* Channel reuse (struct reuse) */

static void
reuse_end(struct client *c)
{
	if (c->ru == NULL)
		return;
	http_resp_release(&c->ru->req);
	http_resp_release(&c->ru->resp);
	free(c->ru);
	c->ru = NULL;
}

/*
 * Bytes went from the client to the daemon (`up`) or back: a request is
 * followed while none is asked, an answer while one is.
 */
static void
reuse_feed(struct client *c, int up, const char *p, size_t n)
{
	struct reuse *ru = c->ru;
	struct http_resp *m;
	struct cm_err err;
	size_t used;
	int rc;

	if (ru == NULL)
		return;
	m = up ? &ru->req : &ru->resp;
	rc = ru->asked != up ? http_resp_feed(m, p, n, &used, &err) : -1;
	if (rc < 0 ||
	    (rc == 1 && (used != n || m->upgrade || !m->keep_alive))) {
		reuse_end(c); /* pipelined, upgraded, closing, not HTTP... */
		return;
	}
	if (rc != 1)
		return;
	ru->asked = up;
	http_resp_release(&ru->resp);
	if (up) {
		http_resp_init(&ru->resp, 0);
		ru->resp.discard = 1;
		ru->resp.no_body = ru->req.head;
	} else {
		http_resp_release(&ru->req);
		http_resp_init_request(&ru->req);
	}
}

/*
 * The client left between two exchanges: its channel becomes a spare
 * (no close, no open: both cost a round trip, and sshd's small answer
 * to either holds the next answer back until our ACK of it arrives, as
 * sshd sets no TCP_NODELAY without a terminal).  1 when it did.
 */
static int
reuse_keep(struct forwarder *f, struct client *c)
{
	struct reuse *ru = c->ru;
	unsigned long avail = 1;

	if (ru == NULL || ru->asked || !http_resp_fresh(&ru->req) ||
	    c->up.len != 0 || c->sniff || c->eof_sent || c->down.len != 0 ||
	    c->ch_eof || c->st != CS_OPEN || f->conn == NULL ||
	    f->nspare >= SPARES_KEPT)
		return 0;
	(void)libssh2_channel_window_read_ex(c->ch, &avail, NULL);
	if (avail != 0 || libssh2_channel_eof(c->ch))
		return 0;
	f->spare_at[f->nspare] = now_us();
	f->spare[f->nspare++] = c->ch;
	if (!c->refresh)
		f->st.reused++;
	c->ch = NULL;
	reuse_end(c);
	client_abort(f, c, NULL);
	return 1;
}

/* Move bytes both ways for one client; 0, or -1 if the session died. */
static int
move_step(struct forwarder *f, struct client *c)
{
	struct ssh_conn *cn = f->conn;
	size_t budget;
	unsigned long avail = 0;
	ssize_t n;
	int rc;

	/* client to remote, while the window and the send queue allow */
	budget = TURN_CAP;
	while (c->up.len > 0 && budget > 0 && !c->sniff) {
		if (xport_queued(&cn->x) >= XPORT_HIGH_WATER ||
		    libssh2_channel_window_write_ex(c->ch, NULL) == 0)
			break;
		n = libssh2_channel_write(c->ch, c->up.p + c->up.off,
		    c->up.len < budget ? c->up.len : budget);
		if (n > 0) {
			reuse_feed(c, 1, c->up.p + c->up.off, (size_t)n);
			cbuf_consume(&c->up, (size_t)n);
			f->st.bytes_out += (uint64_t)n;
			budget -= (size_t)n;
			continue;
		}
		if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
			break;
		if (check_broken(f, (int)n, "channel write"))
			return -1;
		client_abort(f, c, "channel write refused");
		return 0;
	}
	if (budget == 0)
		f->busy = 1;
	if (c->rd_eof && reuse_keep(f, c))
		return 0;
	if (c->rd_eof && c->up.len == 0 && !c->eof_sent && !c->sniff) {
		rc = libssh2_channel_send_eof(c->ch);
		if (rc == 0)
			c->eof_sent = 1;
		else if (rc != LIBSSH2_ERROR_EAGAIN) {
			if (check_broken(f, rc, "channel EOF"))
				return -1;
			client_abort(f, c, "cannot send EOF");
			return 0;
		}
	}

	/* remote to client, while the client takes it */
	budget = TURN_CAP;
	while (!c->ch_eof && budget > 0 && c->fd >= 0) {
		int room;
		(void)libssh2_channel_window_read_ex(c->ch, &avail, NULL);
		if (avail == 0) {
			if (libssh2_channel_eof(c->ch))
				c->ch_eof = 1;
			break;
		}
		room = cbuf_room_ensure(&c->down, avail > CBUF_SMALL);
		if (room <= 0) {
			if (client_flush_down(f, c) != 0) {
				client_abort(f, c, "client write error");
				return 0;
			}
			room = cbuf_room_ensure(&c->down, 1);
			if (room <= 0)
				break; /* the client is full: POLLOUT wakes us */
		}
		if ((size_t)room > budget)
			room = (int)budget;
		n = libssh2_channel_read(
		    c->ch, c->down.p + c->down.off + c->down.len, (size_t)room);
		if (n > 0) {
			if (c->capture)
				ping_capture(f, c,
				    c->down.p + c->down.off + c->down.len,
				    (size_t)n);
			reuse_feed(c, 0, c->down.p + c->down.off + c->down.len,
			    (size_t)n);
			c->down.len += (size_t)n;
			budget -= (size_t)n;
			if (client_flush_down(f, c) != 0) {
				client_abort(f, c, "client write error");
				return 0;
			}
			continue;
		}
		if (n == 0) {
			c->ch_eof = 1;
			break;
		}
		if (n == LIBSSH2_ERROR_EAGAIN)
			break;
		if (check_broken(f, (int)n, "channel read"))
			return -1;
		client_abort(f, c, "channel read error");
		return 0;
	}
	if (c->down.len > 0 && client_flush_down(f, c) != 0) {
		client_abort(f, c, "client write error");
		return 0;
	}
	/*
	 * More to do without any event: the client took what was waiting
	 * (perhaps just now), and libssh2 holds more -- the socket, read
	 * empty by libssh2, would not wake us for it.
	 */
	if (budget == 0 ||
	    (!c->ch_eof && c->fd >= 0 && c->down.len < CBUF_SMALL &&
		(libssh2_channel_window_read_ex(c->ch, &avail, NULL),
		    avail > 0)))
		f->busy = 1;
	if (c->ch_eof && c->down.len == 0 && !c->wr_shut && c->fd >= 0) {
		shutdown(c->fd, SHUT_WR);
		c->wr_shut = 1;
	}
	if (c->wr_shut && c->rd_eof && c->eof_sent)
		client_abort(f, c, NULL); /* done both ways */
	return 0;
}

static void
close_step(struct forwarder *f, struct client *c)
{
	int rc = libssh2_channel_close(c->ch);

	if (rc == LIBSSH2_ERROR_EAGAIN &&
	    now_us() - c->since < CLOSE_TIMEOUT_US)
		return;
	if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN &&
	    check_broken(f, rc, "channel close"))
		return;
	if (rc == 0)
		(void)libssh2_channel_free(c->ch);
	else
		log_warn("a channel did not close in time; leaving it");
	if (c->session)
		f->dial_channels--;
	c->ch = NULL;
	client_remove(f, c);
}

/*
 * The server did not answer keepalives for interval x count: drop the
 * session; clients that asked and got nothing, and clients waiting for
 * a channel, get an HTTP error that says why.
 */
static void
session_hung(struct forwarder *f, uint64_t silent_us)
{
	char msg[256];
	struct client *c;

	snprintf(msg, sizeof(msg),
	    "\"%s\" did not answer for %llu s (ServerAliveInterval %d x "
	    "ServerAliveCountMax %d): the host or its sshd hangs",
	    f->conn->info.alias, (unsigned long long)(silent_us / 1000000),
	    f->interval, f->count);
	snprintf(f->hung_msg, sizeof(f->hung_msg), "%s", msg);
	for (c = f->head; c != NULL; c = c->next)
		if ((c->st == CS_OPEN || c->st == CS_STARTING) && c->fd >= 0 &&
		    c->http && !c->answered && c->down.len == 0)
			http_error_send(c->fd, msg);
	session_lost(f, "%s", msg);
	f->hung = 1;
	fail_waiting(f, f->st.last_error);
}

/* Drop an idle session quietly, to be opened again (KA_RENEW). */
static void
session_renew(struct forwarder *f)
{
	log_info("renewing the idle session to \"%s\" (%u keepalive "
		 "replies kept)",
	    f->conn->info.alias, f->ka_replies);
	f->idle_ch = NULL;
	conn_drop(f->conn);
	f->conn = NULL;
	f->st.up_since_us = 0;
	f->backoff = 0;
	f->next_attempt = now_us();
}

/*
 * Keepalives every interval the server is quiet, also when no client
 * is there; any byte from the server answers them.  Unanswered for
 * interval x count (and the oldest for an interval at least): hung.
 */
static void
keepalive_step(struct forwarder *f, uint64_t now)
{
	uint64_t iv = (uint64_t)f->interval * 1000000;
	uint64_t rx = f->conn->x.last_rx_us;
	size_t before;
	int next = 0;

	if (f->interval <= 0)
		return;
	if ((f->ka_first != 0 && rx >= f->ka_first) || drain_channel(f) == NULL)
		f->ka_first = 0; /* answered, or nothing reads the answer */
	if (f->ka_first != 0 && now - rx >= iv * (uint64_t)f->count &&
	    now - f->ka_first >= iv) {
		session_hung(f, now - rx);
		return;
	}
	if (f->ka_first == 0 && f->ka_replies >= KA_RENEW && f->nclients == 0) {
		session_renew(f);
		return;
	}
	if (now - rx < iv || now - f->last_ka < iv)
		return;
	before = xport_queued(&f->conn->x);
	if (libssh2_keepalive_send(f->conn->s, &next) != 0) {
		session_lost(f, "keepalive failed");
		return;
	}
	if (xport_queued(&f->conn->x) == before) {
		/* libssh2 counts whole seconds (and an interval of 1 as
		 * 2): not sent yet, try again shortly */
		f->last_ka = now - iv + 200000;
		return;
	}
	f->last_ka = now;
	f->ka_replies++;
	if (f->ka_first == 0)
		f->ka_first = now;
}

/* Microseconds until keepalive_step has something to do. */
static uint64_t
keepalive_due(const struct forwarder *f, uint64_t now)
{
	uint64_t iv = (uint64_t)f->interval * 1000000, at, t;
	uint64_t rx = f->conn->x.last_rx_us;

	if (f->interval <= 0)
		return UINT64_MAX;
	at = (rx > f->last_ka ? rx : f->last_ka) + iv;
	if (f->ka_first != 0) {
		t = rx + iv * (uint64_t)f->count;
		if (t < f->ka_first + iv)
			t = f->ka_first + iv;
		if (t < at)
			at = t;
	}
	return at > now ? at - now : 0;
}

static void
service(struct forwarder *f)
{
	struct client *c, *next, *first;

	f->busy = 0;
	if (drain(f) != 0)
		return;
	spare_check(f, now_us());
	open_step(f);
	if (f->conn == NULL)
		return;
	jobs_step(f);
	if (f->conn == NULL)
		return;
	/* rotate: the first served last time goes to the back */
	if (f->head != NULL && f->head != f->tail) {
		first = f->head;
		f->head = first->next;
		f->head->prev = NULL;
		first->prev = f->tail;
		first->next = NULL;
		f->tail->next = first;
		f->tail = first;
	}
	for (c = f->head; c != NULL && f->conn != NULL; c = next) {
		next = c->next;
		switch (c->st) {
		case CS_STARTING:
			start_step(f, c);
			if (f->conn != NULL && c->st == CS_OPEN)
				(void)move_step(f, c);
			break;
		case CS_OPEN:
			(void)move_step(f, c);
			break;
		case CS_CLOSING:
			close_step(f, c);
			break;
		default:
			break;
		}
	}
	if (f->conn != NULL)
		ping_refresh(f, now_us());
	if (f->conn != NULL)
		keepalive_step(f, now_us());
}

/* Commands (struct job) */

struct fwd_run *
fwd_run_new(int fd, const struct run_req *rq, const char *pre, size_t plen)
{
	struct fwd_run *r = xmalloc(sizeof(*r) + plen + 1);

	r->fd = fd;
	r->rq = *rq;
	r->plen = plen;
	memcpy(r->pre, pre, plen);
	return r;
}

void
fwd_run_fail(struct fwd_run *r, const char *msg)
{
	struct buf b;
	size_t sent = 0;

	buf_init(&b, 65536);
	run_answer_error(&b, msg);
	(void)send_nb(r->fd, b.data, b.len, &sent);
	buf_release(&b);
	close(r->fd);
	free(r);
}

static void
job_free(struct forwarder *f, struct job *j)
{
	struct job **pp;

	for (pp = &f->jobs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	if (j->fd >= 0)
		close(j->fd);
	buf_release(&j->req);
	buf_release(&j->ans);
	ssh_exec_result_release(&j->res);
	free(j->cmd);
	free(j);
}

/* Write what the answer still holds; freed once it is all sent. */
static void
job_send(struct forwarder *f, struct job *j)
{
	if (send_nb(j->fd, j->ans.data, j->ans.len, &j->sent) != 0 ||
	    j->sent == j->ans.len)
		job_free(f, j);
}

/* The command cannot run, or has not finished in time: say why. */
static void
job_fail(struct forwarder *f, struct job *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->op.ch != NULL) {
		/* counted in dial_channels until its close completes */
		channel_drop(f, j->op.ch, 1);
		j->op.ch = NULL;
	} else if (j->st == J_RUN)
		f->dial_channels--;
	buf_reset(&j->ans);
	run_answer_error(&j->ans, msg);
	j->st = J_REPLY;
	job_send(f, j);
}

/* Its command and input are all here: it waits for a channel. */
static void
job_ready(struct job *j)
{
	j->cmd = xstrndup(j->req.data, j->rq.cmdlen);
	ssh_exec_result_init(&j->res, j->rq.outcap);
	buf_release(&j->res.err);
	buf_init(&j->res.err, RUN_ERR_MAX);
	ssh_exec_op_init(
	    &j->op, j->cmd, j->req.data + j->rq.cmdlen, j->rq.inlen, &j->res);
	j->deadline = now_us() + (uint64_t)j->rq.timeout_ms * 1000;
	j->st = J_WAIT;
}

static size_t
job_need(const struct job *j)
{
	return j->rq.cmdlen + j->rq.inlen - j->req.len;
}

/* Requests the service handed over. */
static void
jobs_take(struct forwarder *f)
{
	struct fwd_run *r;
	struct job *j;

	while (read(f->cfg.run_fd, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
		j = xcalloc(1, sizeof(*j));
		j->fd = r->fd;
		j->rq = r->rq;
		j->pi = -1;
		(void)fcntl(j->fd, F_SETFL, fcntl(j->fd, F_GETFL) | O_NONBLOCK);
		buf_init(&j->req, j->rq.cmdlen + j->rq.inlen);
		buf_init(&j->ans, RUN_OUT_MAX + RUN_ERR_MAX + 4096);
		j->next = f->jobs;
		f->jobs = j;
		if (r->plen > job_need(j)) {
			free(r);
			job_fail(
			    f, j, "more bytes than the run request counts");
			continue;
		}
		(void)buf_add(&j->req, r->pre, r->plen);
		free(r);
		if (job_need(j) == 0)
			job_ready(j);
	}
}

/* Read the command and its input. */
static void
job_read(struct forwarder *f, struct job *j)
{
	char tmp[65536];
	size_t need = job_need(j);
	ssize_t n;

	n = recv(
	    j->fd, tmp, need < sizeof(tmp) ? need : sizeof(tmp), MSG_DONTWAIT);
	if (n > 0) {
		(void)buf_add(&j->req, tmp, (size_t)n);
		if (job_need(j) == 0)
			job_ready(j);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		job_free(f, j); /* gone before its request was whole */
}

/*
 * Open a waiting job's channel, when no other open is in flight (libssh2
 * keeps one per session): 1 while that open is in flight.
 */
static int
job_open_step(struct forwarder *f)
{
	struct job *j;
	struct cm_err err;
	int progress = 0, r;

	for (j = f->jopen ? f->jopen : f->jobs; f->jopen == NULL && j != NULL;
	     j = j->next)
		if (j->st == J_WAIT)
			break;
	if (j == NULL ||
	    (f->jopen == NULL && f->dial_channels >= MAX_DIAL_STDIO))
		return 0;
	err_init(&err);
	r = ssh_exec_op_step(f->conn, &j->op, &progress, &err);
	if (r == 1 && j->op.stage == XOP_OPEN) {
		f->jopen = j;
		return 1;
	}
	f->jopen = NULL;
	if (j->op.stage > XOP_OPEN) {
		/* a channel was opened (and may be freed by now) */
		f->dial_channels++;
		j->st = J_RUN;
	}
	if (r < 0) {
		if (check_broken(f, libssh2_session_last_errno(f->conn->s),
			"opening a session channel"))
			return 1;
		job_fail(f, j, "%s", err.msg);
		return 0;
	}
	if (r == 0)
		f->busy = 1; /* done at once: answered by jobs_step */
	return 0;
}

/* Run the commands a turn further; answer those done or out of time. */
static void
jobs_step(struct forwarder *f)
{
	struct job *j, *next;
	struct cm_err err;
	int progress, r;

	for (j = f->jobs; j != NULL && f->conn != NULL; j = next) {
		next = j->next;
		if (j->st != J_RUN)
			continue;
		progress = 0;
		err_init(&err);
		r = j->op.stage == XOP_DONE
		    ? 0
		    : ssh_exec_op_step(f->conn, &j->op, &progress, &err);
		if (r == 1) {
			if (progress)
				f->busy = 1;
			continue;
		}
		if (r < 0) {
			if (check_broken(f,
				libssh2_session_last_errno(f->conn->s),
				"running a command"))
				return;
			job_fail(f, j, "%s", err.msg);
			continue;
		}
		f->dial_channels--;
		f->st.runs++;
		f->busy = 1; /* the counters, for `tunnel ls` */
		run_answer(&j->ans, &j->res, f->conn->info.host);
		j->st = J_REPLY;
		job_send(f, j);
	}
}

/* Commands past their time (never with an open in flight). */
static void
jobs_expire(struct forwarder *f)
{
	struct job *j, *next;
	uint64_t now = now_us();

	for (j = f->jobs; j != NULL; j = next) {
		next = j->next;
		if ((j->st == J_WAIT || j->st == J_RUN) && j != f->jopen &&
		    now > j->deadline)
			job_fail(f, j,
			    "the command did not finish in %d s%s%s%s",
			    (j->rq.timeout_ms + 999) / 1000,
			    f->conn ? " on \"" : "",
			    f->conn ? f->conn->info.alias : "",
			    f->conn ? "\"" : "");
	}
}

/* The session is gone: running commands with it; waiting ones wait. */
static void
jobs_lost(struct forwarder *f)
{
	struct job *j, *next;

	if (f->jopen != NULL)
		ssh_exec_op_init(&f->jopen->op, f->jopen->cmd,
		    f->jopen->req.data + f->jopen->rq.cmdlen,
		    f->jopen->rq.inlen, &f->jopen->res);
	f->jopen = NULL;
	for (j = f->jobs; j != NULL; j = next) {
		next = j->next;
		if (j->st != J_RUN)
			continue;
		/* freed with the session, and no longer counted (the session
		 * resets dial_channels) */
		j->op.ch = NULL;
		j->st = J_WAIT;
		job_fail(f, j,
		    "the SSH session was lost while the command "
		    "ran: %s",
		    f->st.last_error);
	}
}

/* Listeners and the control socket */

static void
accept_clients(struct forwarder *f, int lfd)
{
	int fd, n;
	unsigned max =
	    f->cfg.max_clients > 0 ? (unsigned)f->cfg.max_clients : 1024;

	for (n = 0; n < 64 && f->nclients < max; n++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (lfd == f->cfg.tcp_fd &&
		    tcp_peer_uid(fd) != (long)geteuid()) {
			/* --listen: only this user's processes (issue 14) */
			log_warn("refused a TCP client of another user");
			close(fd);
			continue;
		}
		client_new(f, fd, 0);
	}
}

static void
answer_ctl(struct forwarder *f)
{
	struct fwd_stats st;
	struct buf out;
	int fd;

	while ((fd = accept4(f->cfg.ctl_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		fwd_get_stats(f, &st);
		buf_init(&out, 65536);
		if (f->cfg.status != NULL)
			f->cfg.status(f->cfg.status_arg, &st, &out);
		(void)send(fd, out.data, out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		buf_release(&out);
	}
}

/* The loop */

static struct pollfd *
pfd_slot(struct forwarder *f, size_t i)
{
	if (i >= f->pfdcap) {
		f->pfdcap = f->pfdcap ? f->pfdcap * 2 : 64;
		f->pfd = xreallocarray(f->pfd, f->pfdcap, sizeof(*f->pfd));
	}
	memset(&f->pfd[i], 0, sizeof(f->pfd[i]));
	return &f->pfd[i];
}

static int
has_channels(const struct forwarder *f)
{
	const struct client *c;
	const struct job *j;

	if (f->idle_ch != NULL || f->nspare > 0 || f->opening_spare ||
	    f->jopen != NULL)
		return 1;
	for (j = f->jobs; j != NULL; j = j->next)
		if (j->st == J_RUN)
			return 1;
	for (c = f->head; c != NULL; c = c->next)
		if (c->ch != NULL || c->st == CS_OPENING)
			return 1;
	return 0;
}

int
fwd_run(struct forwarder *f, struct cm_err *err)
{
	enum { P_STOP, P_UNIX, P_TCP, P_CTL, P_SSH, P_RUN, P_FIRST };
	struct client *c, *next;
	struct job *j, *jnext;
	size_t n;
	int timeout, rc;
	uint64_t now, hold, idle_since = 0;
	unsigned max =
	    f->cfg.max_clients > 0 ? (unsigned)f->cfg.max_clients : 1024;

	hold = (uint64_t)(f->cfg.hold_ms > 0 ? f->cfg.hold_ms : 15000) * 1000;
	(void)err;
	/*
	 * libssh2 allocates and frees a buffer per packet: keep freed heap
	 * at the top instead of handing it back to the kernel each time.
	 */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	mallopt(M_TOP_PAD, 4 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	for (;;) {
		now = now_us();
		if (f->cfg.stats_out != NULL) {
			pthread_mutex_lock(f->cfg.stats_mu);
			fwd_get_stats(f, f->cfg.stats_out);
			pthread_mutex_unlock(f->cfg.stats_mu);
		}
		if (f->nclients > 0 || f->jobs != NULL)
			idle_since = 0;
		else if (idle_since == 0)
			idle_since = now;
		else if (f->cfg.idle_ms > 0 &&
		    now - idle_since >= (uint64_t)f->cfg.idle_ms * 1000)
			return 0;
		if (f->conn == NULL && f->cfg.fail_fast) {
			/* lazy service: no clients, no session needed */
			if (f->hung) {
				fail_waiting(f, f->st.last_error);
				return err_set(
				    err, ERR_TIMEOUT, "%s", f->st.last_error);
			}
			if (f->nclients == 0 && f->jobs == NULL)
				return 0;
			f->next_attempt = now;
			maybe_reconnect(f, now);
			if (f->conn == NULL) {
				fail_waiting(f, f->st.last_error);
				return err_set(
				    err, ERR_NET, "%s", f->st.last_error);
			}
		}
		if (f->conn == NULL)
			maybe_reconnect(f, now);
		jobs_expire(f);
		if (f->conn != NULL)
			service(f);
		else {
			/*
			 * clients waiting too long for the session, or, while
			 * the host hangs, that saw a reconnect fail or came
			 * within REFAIL_US of it: told why, closed
			 */
			now = now_us();
			for (c = f->head; c != NULL; c = next) {
				next = c->next;
				if (c->st != CS_WAIT ||
				    (!(f->hung &&
					 c->since <=
					     f->failed_at + REFAIL_US) &&
					now - c->since <= hold))
					continue;
				if (c->fd >= 0 && c->down.len == 0)
					fwd_http_error(c->fd,
					    c->up.p ? c->up.p + c->up.off : "",
					    c->up.len,
					    f->st.last_error[0]
						? f->st.last_error
						: "no SSH session");
				client_abort(f, c, "no session");
			}
		}
		if (f->conn != NULL && xport_flush(&f->conn->x) != 0)
			session_lost(
			    f, "cannot send: %s", strerror(f->conn->x.error));

		/* what to wait for */
		for (n = 0; n < P_FIRST; n++)
			pfd_slot(f, n)->fd = -1;
		f->pfd[P_STOP].fd = f->cfg.stop_fd;
		f->pfd[P_STOP].events = POLLIN;
		if (f->nclients < max) {
			f->pfd[P_UNIX].fd = f->cfg.unix_fd;
			f->pfd[P_UNIX].events = POLLIN;
			f->pfd[P_TCP].fd = f->cfg.tcp_fd;
			f->pfd[P_TCP].events = POLLIN;
		}
		f->pfd[P_CTL].fd = f->cfg.ctl_fd;
		f->pfd[P_CTL].events = POLLIN;
		f->pfd[P_RUN].fd = f->cfg.run_fd;
		f->pfd[P_RUN].events = POLLIN;
		if (f->conn != NULL) {
			f->pfd[P_SSH].fd = f->conn->x.fd;
			f->pfd[P_SSH].events = (has_channels(f) ? POLLIN : 0) |
			    (xport_queued(&f->conn->x) ? POLLOUT : 0);
		}
		n = P_FIRST;
		for (c = f->head; c != NULL; c = c->next) {
			struct pollfd *p;
			c->pi = -1;
			if (c->fd < 0)
				continue;
			p = pfd_slot(f, n);
			p->fd = c->fd;
			if (!c->rd_eof &&
			    (c->up.cap == 0 || c->up.len < c->up.cap))
				p->events |= POLLIN;
			if (c->down.len > 0)
				p->events |= POLLOUT;
			c->pi = (int)n++;
		}
		for (j = f->jobs; j != NULL; j = j->next) {
			struct pollfd *p;
			j->pi = -1;
			if (j->st != J_READ && j->st != J_REPLY)
				continue;
			p = pfd_slot(f, n);
			p->fd = j->fd;
			p->events = j->st == J_READ ? POLLIN : POLLOUT;
			j->pi = (int)n++;
		}
		timeout = 1000;
		if (f->conn != NULL) {
			unsigned k;
			uint64_t due = keepalive_due(f, now_us()),
				 rdue = ping_refresh_due(f, now_us(), &k);
			if (rdue < due)
				due = rdue;
			if (due < 1000000)
				timeout = (int)(due / 1000) + 1;
		}
		if (f->busy)
			timeout = 0;
		if (f->cfg.idle_ms > 0 && f->cfg.idle_ms < timeout)
			timeout = f->cfg.idle_ms;
		if (f->conn == NULL) {
			now = now_us();
			uint64_t at = f->next_attempt;
			if (f->wq_head != NULL &&
			    at > now + BACKOFF_WAITING_US) {
				at = now + BACKOFF_WAITING_US;
				f->next_attempt = at;
			}
			/* a hung host: each new client gets one try now */
			if (f->wq_head != NULL && f->hung && at > now &&
			    now > f->failed_at + REFAIL_US) {
				at = now;
				f->next_attempt = at;
			}
			if (at <= now)
				timeout = 0;
			else if (at - now < 1000000)
				timeout = (int)((at - now) / 1000) + 1;
		}
		rc = poll(f->pfd, n, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(err, "poll");
		}
		if (f->pfd[P_STOP].revents)
			return 0;
		if (f->pfd[P_UNIX].revents & POLLIN)
			accept_clients(f, f->cfg.unix_fd);
		if (f->pfd[P_TCP].revents & POLLIN)
			accept_clients(f, f->cfg.tcp_fd);
		if (f->pfd[P_CTL].revents & POLLIN)
			answer_ctl(f);
		if (f->pfd[P_RUN].revents & POLLIN)
			jobs_take(f);
		for (j = f->jobs; j != NULL; j = jnext) {
			jnext = j->next;
			if (j->pi < 0 || f->pfd[j->pi].revents == 0)
				continue;
			if (j->st == J_READ)
				job_read(f, j);
			else if (j->st == J_REPLY)
				job_send(f, j);
		}
		for (c = f->head; c != NULL; c = next) {
			short ev;
			next = c->next;
			if (c->pi < 0 || c->fd < 0)
				continue;
			ev = f->pfd[c->pi].revents;
			if (ev & (POLLIN | POLLHUP | POLLERR)) {
				client_read_up(f, c);
				sniff_step(f, c);
			}
			if (c->fd < 0)
				continue;
			if ((ev & POLLOUT) && client_flush_down(f, c) != 0) {
				client_abort(f, c, "client write error");
				continue;
			}
			if ((ev & (POLLHUP | POLLERR)) && c->rd_eof) {
				if (!reuse_keep(f, c))
					client_abort(f, c, "client hung up");
				continue;
			}
			/* a waiting client that left before any byte */
			if (c->st == CS_WAIT && c->rd_eof && c->up.len == 0 &&
			    c->down.len == 0)
				client_remove(f, c);
		}
		if (f->conn != NULL && (f->pfd[P_SSH].revents & POLLOUT) &&
		    xport_flush(&f->conn->x) != 0)
			session_lost(
			    f, "cannot send: %s", strerror(f->conn->x.error));
		if (f->conn != NULL &&
		    (f->pfd[P_SSH].revents & (POLLERR | POLLHUP)) &&
		    !has_channels(f))
			session_lost(f, "the connection was closed");
	}
}

int
fwd_new(const struct fwd_config *cfg, struct ssh_conn *conn,
    struct forwarder **fp, struct cm_err *err)
{
	struct forwarder *f = xcalloc(1, sizeof(*f));
	int r;

	*fp = NULL;
	f->cfg = *cfg;
	f->conn = conn;
	f->mode = cfg->mode;
	f->rfd = -1;
	f->interval = cfg->alive_interval < 0
	    ? (conn->info.alive_interval >= 0 ? conn->info.alive_interval
					      : ALIVE_INTERVAL_DEFAULT)
	    : cfg->alive_interval;
	f->count = cfg->alive_count > 0
	    ? cfg->alive_count
	    : (conn->info.alive_count > 0 ? conn->info.alive_count : 3);
	f->st.started_us = now_us();
	if ((r = probe_modes(f, err)) != 0) {
		ssh_close(conn);
		free(f);
		return r;
	}
	f->st.mode = f->mode;
	session_ready(f);
	*fp = f;
	return 0;
}

void
fwd_get_stats(const struct forwarder *f, struct fwd_stats *st)
{
	*st = f->st;
	st->mode = f->mode;
}

void
fwd_free(struct forwarder *f)
{
	if (f == NULL)
		return;
	while (f->jobs != NULL) {
		struct job *j = f->jobs;
		if (j->st != J_REPLY) {
			buf_reset(&j->ans);
			run_answer_error(&j->ans,
			    f->st.last_error[0] ? f->st.last_error
						: "the tunnel stopped");
			j->sent = 0;
		}
		(void)send_nb(j->fd, j->ans.data, j->ans.len, &j->sent);
		j->op.ch = NULL; /* freed with the session */
		job_free(f, j);
	}
	while (f->head != NULL) {
		f->head->ch = NULL;
		client_remove(f, f->head);
	}
	if (f->conn != NULL)
		ssh_close(f->conn);
	ping_forget(f);
	if (f->rfd >= 0)
		close(f->rfd);
	free(f->pfd);
	free(f);
}
