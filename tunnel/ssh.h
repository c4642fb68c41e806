/*
 * ssh.h: authenticated SSH connections to a Docker host, from plain
 * inputs, and blocking remote commands on them.  The audit, `ca deploy`,
 * `keys check --context`, `ping` and the tunnel all connect through here.
 *
 * A connection is made the way OpenSSH's ssh would make it for the same
 * ssh:// URL: ~/.ssh/config is applied (see sshconfig.h), ProxyJump hops
 * are crossed through direct-tcpip channels, the host key is checked
 * against known_hosts (strict unless told otherwise), and the user is
 * authenticated with the ssh-agent first, then identity files
 * (ed25519, ecdsa, RSA with rsa-sha2-256/512).  Private keys readable by
 * group or others are refused.  Nothing here prints, prompts or reads the
 * context store: passphrases come through a callback the caller supplies.
 *
 *	struct ssh_params p = SSH_PARAMS_INIT;
 *	p.url = "ssh://deploy@prod.example.com";
 *	if (ssh_connect(&p, &c, &err) == 0) {
 *		ssh_exec_result_init(&res, 1 << 20);
 *		r = ssh_exec(c, "cat /etc/docker/daemon.json", NULL, 0, 0,
 *		    &res, &err);
 *		...
 *		ssh_exec_result_release(&res);
 *		ssh_close(c);
 *	}
 *
 * Remote commands are run by the remote user's shell: build them with
 * shell_quote() (shquote.h) for every argument that is not a constant.
 */
#ifndef CTXMGR_SSH_H
#define CTXMGR_SSH_H

#include "common/buf.h"
#include "common/err.h"
#include "tunnel/sshconfig.h"

/* How the tunnel reaches the remote Docker socket. */
enum tunnel_mode {
	TUNNEL_AUTO = 0, /* streamlocal, else dial-stdio */
	TUNNEL_STREAMLOCAL, /* direct-streamlocal@openssh.com channel */
	TUNNEL_DIAL_STDIO /* `docker system dial-stdio` on a session */
};

/*
 * Asked for the passphrase of an encrypted private key.  `attempt` is 1
 * for the first try and grows after a wrong passphrase (ssh_connect
 * gives up after 3).  Put the passphrase in `out` (a secret buffer) and
 * return 0; return ERR_CANCEL to skip this key, or another ERR_* (with
 * `err` filled) to stop connecting.
 */
typedef int (*ssh_passphrase_fn)(void *arg, const char *key_path, int attempt,
    struct buf *out, struct cm_err *err);

struct ssh_params {
	const char *url; /* ssh://[user@]host[:port][/socket], required */
	const char *identity; /* key tried first, after the agent; or NULL */
	enum hostkey_policy host_key_policy; /* HKP_UNSET: ssh_config, yes */
	/* when neither the above nor ssh_config sets one; HKP_UNSET: yes */
	enum hostkey_policy host_key_default;
	const char *ssh_config; /* NULL: ~/.ssh/config; "none": no config */
	const char *known_hosts; /* NULL: UserKnownHostsFile, ~/.ssh/... */
	const char *home; /* NULL: $HOME (for ~ and the defaults) */
	const char *agent_socket; /* NULL: IdentityAgent, $SSH_AUTH_SOCK;
				     "none": no agent */
	int connect_timeout_ms; /* TCP connect; 0: ConnectTimeout or 10 s */
	int timeout_ms; /* each later step; 0: 30 s */
	ssh_passphrase_fn passphrase; /* NULL: encrypted keys are skipped */
	void *passphrase_arg;
};
#define SSH_PARAMS_INIT                                                        \
	{                                                                      \
		0                                                              \
	}

/* Facts about an open connection (for ping, logs and messages). */
struct ssh_info {
	char alias[256]; /* the host as the URL names it */
	char host[256]; /* after HostName */
	int port;
	char user[256];
	char remote_socket[256]; /* URL path, or /var/run/docker.sock */
	char hostkey_type[64]; /* "ssh-ed25519" */
	char hostkey_fp[64]; /* "SHA256:..." */
	int hostkey_added; /* recorded in known_hosts by this connect */
	char cipher[64]; /* client to server */
	char mac[64];
	char kex[64];
	char auth[320]; /* "agent ED25519 SHA256:..." or "key /path" */
	int jumps; /* ProxyJump hops crossed */
	int alive_interval; /* ServerAliveInterval (s); 0: none */
	int alive_count; /* ServerAliveCountMax */
	/* how long each phase took, in microseconds */
	uint64_t tcp_us; /* name lookup and TCP connect (and hops) */
	uint64_t kex_us; /* key exchange and host key check */
	uint64_t auth_us;
};

struct ssh_conn;

/* Connect and authenticate; *connp is set only on success. */
int ssh_connect(
    const struct ssh_params *p, struct ssh_conn **connp, struct cm_err *err);

const struct ssh_info *ssh_conn_info(const struct ssh_conn *c);

/* Close the connection (politely when it is still up) and free it. */
void ssh_close(struct ssh_conn *c);

/* What a remote command produced. */
struct ssh_exec_result {
	struct buf out; /* stdout, at most the cap given at init */
	struct buf err; /* stderr, likewise */
	int out_truncated; /* more was produced than the cap */
	int err_truncated;
	int exit_status; /* -1 when the command died of a signal */
	char exit_signal[32]; /* "KILL" when it did */
};

void ssh_exec_result_init(struct ssh_exec_result *r, size_t cap);
void ssh_exec_result_release(struct ssh_exec_result *r);

/*
 * Run `command` with the remote user's shell, feed it `inlen` bytes of
 * `in` (then end of file), and capture stdout, stderr and the exit
 * status.  `timeout_ms` 0 means the connection's timeout, -1 none.  A
 * non-zero exit status is no error: look at res->exit_status.
 */
int ssh_exec(struct ssh_conn *c, const char *command, const void *in,
    size_t inlen, int timeout_ms, struct ssh_exec_result *res,
    struct cm_err *err);

/*
 * A blocking byte stream to the remote Docker socket over `c` (mode
 * AUTO tries stream-local forwarding, then dial-stdio).  *modep, when
 * not NULL, receives the mode used.
 */
struct ssh_stream;
int ssh_stream_open(struct ssh_conn *c, enum tunnel_mode mode,
    struct ssh_stream **sp, enum tunnel_mode *modep, struct cm_err *err);
/* Write all of `len` bytes; 0 or a negative ERR_*. */
int ssh_stream_write(
    struct ssh_stream *s, const void *p, size_t len, struct cm_err *err);
/* Read up to `len` bytes: the count, 0 at end of stream, or ERR_*. */
ssize_t ssh_stream_read(
    struct ssh_stream *s, void *p, size_t len, struct cm_err *err);
void ssh_stream_close(struct ssh_stream *s);

/* "streamlocal" and so on; tunnel_mode_parse returns -1 for junk. */
const char *tunnel_mode_name(enum tunnel_mode m);
int tunnel_mode_parse(const char *s, enum tunnel_mode *m);

/* The remote command of the dial-stdio mode for a remote socket path. */
char *ssh_dial_stdio_command(const char *remote_socket);

#endif
