/*
 * tunnel.h: background tunnels.  One process per context keeps an SSH
 * session to the context's host and serves the remote Docker socket on a
 * local unix socket (see forward.h), so `docker` talks to it as to a
 * local daemon.  Everything here takes plain values: the command layer
 * turns a context into a tunnel_spec.
 *
 * Files of tunnel NAME, in the run dir (0700, owned by the user):
 *
 *	NAME.sock	the Docker socket (0600): DOCKER_HOST=unix://...
 *	NAME.ctl	control socket: whoever connects gets the status JSON
 *	NAME.pid	the tunnel's pid
 *	NAME.lock	flock(2)ed by the tunnel for its whole life; whoever
 *			holds it owns the other files
 *	NAME.log	the tunnel's log (NAME.log.1 after 1 MiB)
 *
 * Starting is race-free: the starter takes NAME.lock before it forks,
 * the tunnel inherits it, and a second starter that finds it held waits
 * for the running tunnel instead of starting another.
 */
#ifndef CTXMGR_TUNNEL_H
#define CTXMGR_TUNNEL_H

#include <limits.h>

#include "common/err.h"
#include "tunnel/ssh.h"

struct tunnel_status {
	char name[256];
	char socket[PATH_MAX];
	char listen[64]; /* "127.0.0.1:PORT" or "" */
	char url[1024]; /* the ssh:// URL it serves */
	long pid;
	int connected; /* the SSH session is up now */
	int starting; /* holds the lock but does not answer yet */
	int not_answering; /* runs, but its control socket did not answer
			      (last_error says how) */
	uint64_t uptime_s;
	unsigned open_conns;
	unsigned peak_conns;
	uint64_t total_conns;
	uint64_t failed_conns;
	uint64_t bytes_in; /* remote to clients */
	uint64_t bytes_out; /* clients to remote */
	unsigned reconnects;
	char mode[16];
	char cipher[64];
	char last_error[256];
	uint64_t peak_rss_kb; /* the tunnel process's VmHWM */
};

struct tunnel_spec {
	const char *name; /* the context name: also the file names */
	const char *run_dir; /* tunnel_run_dir() */
	struct ssh_params ssh; /* its passphrase callback runs in the
				  starting process, before it returns */
	enum tunnel_mode mode;
	const char *listen; /* "127.0.0.1:PORT" (also a TCP listener) */
	int foreground; /* serve in this process until SIGINT/SIGTERM */
	int no_ping; /* the remote socket need not be Docker (no /_ping) */
	/* foreground: called once the socket serves */
	void (*on_ready)(void *arg, const struct tunnel_status *st);
	void *on_ready_arg;
};

/*
 * The run dir for a Docker config dir: $XDG_RUNTIME_DIR/ctxmgr/<8 hex
 * digits of the config dir's SHA-256> (contexts of two config dirs may
 * share a name), else <config>/ctxmgr/run.  A new string.
 */
char *tunnel_run_dir(const char *config_dir);

/* Create the run dir 0700, refusing one another user owns or others
 * can enter. */
int tunnel_run_dir_ensure(const char *run_dir, struct cm_err *err);

/* The socket path of tunnel `name`; ERR_TOOBIG when it does not fit a
 * unix socket address (107 bytes), saying how to shorten it. */
int tunnel_socket_path(
    const char *run_dir, const char *name, char **outp, struct cm_err *err);

/* Check a --listen value: 127.0.0.1:PORT (or localhost:PORT) only. */
int tunnel_listen_check(const char *listen, int *portp, struct cm_err *err);

/*
 * Start tunnel spec->name: connect, check the remote Docker socket with
 * one /_ping, then serve -- detached (pidfile, log file) unless
 * spec->foreground.  When one is running already, *already is set, `st`
 * describes it and nothing else happens.  Errors (unreachable host,
 * host key, auth, remote socket) come back here; nothing is left running
 * after an error.
 */
int tunnel_start(const struct tunnel_spec *spec, struct tunnel_status *st,
    int *already, struct cm_err *err);

/* The socket of a running tunnel, starting it in the background when
 * none runs.  *sockp is a new string. */
int tunnel_ensure(
    const struct tunnel_spec *spec, char **sockp, struct cm_err *err);

/* The status of tunnel `name`: ERR_NOTFOUND when none runs. */
int tunnel_query(const char *run_dir, const char *name,
    struct tunnel_status *st, struct cm_err *err);

/* Every running tunnel in the run dir, sorted by name (free the list). */
int tunnel_list(const char *run_dir, struct tunnel_status **listp, size_t *np,
    struct cm_err *err);

/*
 * Stop tunnel `name` (SIGTERM, then SIGKILL after `wait_ms`) and remove
 * its socket, control socket and pidfile.  ERR_NOTFOUND when none runs
 * (stale files are removed all the same).
 */
int tunnel_stop(
    const char *run_dir, const char *name, int wait_ms, struct cm_err *err);

/* Parse the control socket's JSON (exposed for tests and the fuzzer). */
int tunnel_status_parse(
    const char *json, size_t len, struct tunnel_status *st, struct cm_err *err);

#endif
