/*
 * caagent.h: the wire protocol of the CA agent (`ctxmgr ca agent`), a
 * process that holds an unlocked CA key, like ssh-agent holds SSH keys,
 * and runs CA command lines for its user in a forked copy of itself, with
 * OpenSSL already set up.  Libc only: the front binary speaks it.
 *
 * A request is one header (magic, type, payload length) sent with
 * SCM_RIGHTS, then the payload.  A RUN request passes the client's
 * standard input, output, error and working directory as descriptors;
 * its payload is argc, the arguments and the environment, each
 * NUL-terminated.  The answer to RUN is the exit status (4 bytes, network
 * order); to INFO, a length and a line of text; to STOP, a zero status.
 */
#ifndef CTXMGR_CAAGENT_H
#define CTXMGR_CAAGENT_H

#include <stddef.h>
#include <stdint.h>

/* The environment variable that names the agent's socket. */
#define CAAGENT_ENV "CTXMGR_CA_AGENT"
#define CAAGENT_PID_ENV "CTXMGR_CA_AGENT_PID"

#define CAAGENT_MAGIC "CMA1"
#define CAAGENT_MAX_PAYLOAD (1024 * 1024)
#define CAAGENT_NFDS 4
#define CAAGENT_MAX_TEXT 65536 /* an INFO answer */

enum caagent_type { CAAGENT_RUN = 1, CAAGENT_INFO = 2, CAAGENT_STOP = 3 };

struct caagent_req {
	enum caagent_type type;
	int fds[CAAGENT_NFDS]; /* RUN: stdin, stdout, stderr, cwd */
	int nfds;
	char *payload; /* NUL-terminated strings */
	size_t len;
};

/*
 * Whether a command (argv[0] its first word, after the global options)
 * is one the agent runs: `ca` and one of issue, rotate, revoke, crl, ls.
 */
int caagent_wants(int argc, char **argv);

struct sockaddr_un;

/* The address of socket `path`; -1 (ENAMETOOLONG) when it does not fit. */
int caagent_sockaddr(const char *path, struct sockaddr_un *sun);

/* Connect to the agent's socket; -1 with errno set when it cannot. */
int caagent_connect(const char *path);

/*
 * Send a request on `fd`: the header with `fds` attached, then the
 * payload.  0, or -1 with errno set.
 */
int caagent_send(int fd, enum caagent_type type, const int *fds, int nfds,
    const void *payload, size_t len);

/*
 * Read one request: the header, its descriptors and the payload (at most
 * CAAGENT_MAX_PAYLOAD bytes).  0, or -1 on a short, oversized or
 * malformed request (errno set; no descriptor is left open).
 */
int caagent_recv(int fd, struct caagent_req *req);
void caagent_req_free(struct caagent_req *req);

/* Encode argc/argv and envp as a RUN payload (malloc'd). */
char *caagent_pack_run(char **argv, int argc, char **envp, size_t *lenp);

/*
 * Split a RUN payload into argv and envp (NULL-terminated vectors that
 * point into the payload).  0, or -1 when the payload is malformed.
 */
int caagent_unpack_run(
    char *payload, size_t len, int *argcp, char ***argvp, char ***envpp);

/*
 * Hand command line argv to the agent at `path` and wait for its exit
 * status.  Returns the status (0-255), or -1 when the agent could not be
 * reached or did not answer (errno set, *sent says whether the command
 * line reached it: then it may have run).
 */
int caagent_run(const char *path, int argc, char **argv, int *sent);

/* Write and read a 4-byte status in network order. */
int caagent_put_u32(int fd, uint32_t v);
int caagent_get_u32(int fd, uint32_t *v);

/* Write and read a length and a text (at most CAAGENT_MAX_TEXT bytes;
 * the text read is malloc'd, NULL on error with errno set). */
int caagent_put_text(int fd, const char *text);
char *caagent_get_text(int fd);

#endif
