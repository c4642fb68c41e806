/*
 * runwire.h: the tunnel service's "run" request -- a command run on a
 * context's host over the session the service already holds, instead of
 * one more SSH connection (a login, a handshake: on a slow link many
 * round trips, on the host ~100 ms of sshd's CPU).
 *
 * On the service's control socket, after the request line
 *
 *	run NAME CMDLEN INLEN TIMEOUT_MS OUTCAP
 *
 * come CMDLEN bytes of command (run by the remote user's shell) and
 * INLEN bytes for its standard input, which then ends.  The answer is
 * one line of JSON and the bytes it counts:
 *
 *	{"ok":true,"status":0,"signal":"","host":"h","out":N,"err":M,
 *	 "out_truncated":false,"err_truncated":false}\n OUT ERR
 *
 * (status -1 when the command died of `signal`; host: the host name
 * after ssh_config's HostName), or {"ok":false,"error":"..."} alone.
 * The service connects the context first when it is not connected.
 */
#ifndef CTXMGR_RUNWIRE_H
#define CTXMGR_RUNWIRE_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "tunnel/ssh.h"

#define RUN_CMD_MAX 8192
#define RUN_IN_MAX ((size_t)4 << 20)
#define RUN_OUT_MAX ((size_t)64 << 20)
#define RUN_ERR_MAX ((size_t)64 << 10) /* stderr kept, at most */
#define RUN_TIMEOUT_MAX (3600 * 1000)

struct run_req {
	size_t cmdlen, inlen, outcap;
	int timeout_ms;
};

/* The request line's numbers (`args`: what follows "run NAME "). */
int run_req_parse(const char *args, struct run_req *rq, struct cm_err *err);

/* The answer for a finished command, or for one that could not run. */
void run_answer(
    struct buf *b, const struct ssh_exec_result *res, const char *host);
void run_answer_error(struct buf *b, const char *msg);

/*
 * An answer (p[0..len), untrusted) into res, as svc_run_command gives it:
 * 0, or ERR_FAIL with the service's error, or ERR_PROTO.
 */
int run_answer_parse(const char *p, size_t len, struct ssh_exec_result *res,
    char *host, size_t hostlen, struct cm_err *err);

/*
 * The client: run `command` on context `name`'s host through the
 * service of `run_dir`, feeding it `in`.  `res` is initialised by the
 * caller (its out cap is OUTCAP); `host` (hostlen bytes, may be NULL)
 * gets the host name.  0, or ERR_* (a non-zero exit status is none:
 * see res->exit_status).
 */
int svc_run_command(const char *run_dir, const char *name, const char *command,
    const void *in, size_t inlen, int timeout_ms, struct ssh_exec_result *res,
    char *host, size_t hostlen, struct cm_err *err);

#endif
