/*
 * service.h: the tunnel service -- one process per user and Docker config
 * dir that serves every tunnelled context on its own unix socket.
 *
 * The main thread polls the listening socket of every context that has
 * no session, and the control socket.  The first client of an idle
 * context hands it to a worker thread, which connects (ssh.h), checks
 * the remote socket and runs the forwarder (forward.h) on that context's
 * listener until `idle_s` pass without clients; then the session closes
 * and the listener goes back to the main thread.  A failed connect
 * answers the waiting clients with an HTTP error naming the cause.
 *
 * Files, in the run dir (every directory on the way owned by the user,
 * not writable by others; the last one 0700):
 *
 *	_<16 hex of SHA-256(name)>.sock	a context's Docker socket (0600)
 *	_service.ctl	the control socket (peers of another uid refused)
 *	_service.lock	flock(2)ed by the running service; holds its pid
 *	_service.log	its log (stderr of a detached service)
 *	_pins		the direct contexts the user pinned (pins.h)
 *
 * The service never reads the store: the command layer gives it a
 * loader that lists the tunnelled contexts.
 */
#ifndef CTXMGR_SERVICE_H
#define CTXMGR_SERVICE_H

#include "common/buf.h"
#include "common/err.h"
#include "tunnel/ssh.h"

#define SVC_CTL "_service.ctl"
#define SVC_LOCK "_service.lock"
#define SVC_LOG "_service.log"

/* One context to serve, as the loader gives it (all strings owned). */
struct svc_spec {
	char *name;
	char *url; /* ssh://... */
	char *identity; /* or NULL */
	enum hostkey_policy hkp;
	enum tunnel_mode mode;
	char *socket; /* the path the context's endpoint names */
	/* a direct context the user pinned (pins.h): its session stays
	 * (no idle timeout) and reconnects like a held tunnel */
	int pinned;
	int no_ping; /* the remote socket need not be Docker */
	int port; /* also serve 127.0.0.1:PORT (peers of this uid only) */
};

void svc_spec_free(struct svc_spec *s);

typedef int (*svc_load_fn)(
    void *arg, struct svc_spec **listp, size_t *np, struct cm_err *err);

struct svc_config {
	const char *run_dir;
	long long idle_s; /* close a session after this long without
			     clients; 0 never */
	svc_load_fn load;
	void *load_arg;
	const char *watch; /* a directory whose mtime changes when contexts
			      come and go (reload then); or NULL */
	int ready_fd; /* written "R" once serving (then closed); -1 */
	int stop_fd; /* readable: shut down (signal pipe); -1 */
};

/*
 * The run dir for a config dir: $XDG_RUNTIME_DIR/ctxmgr/<8 hex of the
 * config dir's SHA-256> when XDG_RUNTIME_DIR is an absolute directory of
 * the user's, mode 0700; else <config>/ctxmgr/run when its socket paths
 * fit; else /tmp/ctxmgr-<uid>/<8 hex>.  A new string.
 */
char *svc_run_dir(const char *config_dir);

/*
 * Check (and with `create`, make) the run dir: every directory from the
 * base (XDG_RUNTIME_DIR, the config dir, or /tmp) down must be a real
 * directory (no symlink), owned by the user or root, not writable by
 * others unless sticky; the ones ctxmgr makes must be the user's with
 * mode 0700 exactly.
 */
int svc_run_dir_check(const char *run_dir, int create, struct cm_err *err);

/* The socket of context `name`: <run dir>/_<16 hex>.sock (a new string).
 * Always fits sun_path when the run dir does (ERR_TOOBIG if not). */
int svc_socket_path(
    const char *run_dir, const char *name, char **outp, struct cm_err *err);

/* Serve until told to stop (control "shutdown", stop_fd) or no context
 * is left.  ERR_EXISTS when another service holds the lock. */
int svc_run(const struct svc_config *cfg, struct cm_err *err);

/*
 * Send one control request ("status", "reload", "stop NAME", "stop *",
 * "connect NAME", "shutdown") and read the JSON answer into `out`.
 * ERR_NOTFOUND when no service answers; ERR_PERM when the socket's peer
 * is another user.
 */
int svc_request(const char *run_dir, const char *req, int timeout_ms,
    struct buf *out, struct cm_err *err);

/*
 * The same for "connect NAME relay": while the service connects, it may
 * ask for a key's passphrase (it has no terminal); `ask` is called with
 * the key's path and the attempt and fills `pass`, or returns ERR_CANCEL
 * with the reason (sent back; the key is skipped).  The service keeps a
 * passphrase it was given, in memory only, to reconnect.
 */
typedef int (*svc_ask_fn)(void *arg, const char *key_path, int attempt,
    struct buf *pass, struct cm_err *err);
int svc_request_ask(const char *run_dir, const char *req, int timeout_ms,
    svc_ask_fn ask, void *ask_arg, struct buf *out, struct cm_err *err);
/* The same with `bodylen` bytes after the request line (a "run"
 * request's command and input), written as the service takes them. */
int svc_request_body(const char *run_dir, const char *req, const void *body,
    size_t bodylen, int timeout_ms, svc_ask_fn ask, void *ask_arg,
    struct buf *out, struct cm_err *err);

/* 1 if a service answers on the run dir's control socket (a connect and
 * a peer check: microseconds). */
int svc_alive(const char *run_dir);

#endif
