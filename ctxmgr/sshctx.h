/*
 * sshctx.h: from a context to the tunnel's plain inputs.  The tunnel
 * (tunnel/) never reads the store; commands use these helpers to turn a
 * context and its ctxmgr settings (Metadata.ctxmgr: identity,
 * strictHostKeyChecking, tunnelMode) into ssh_params and tunnel specs.
 *
 * For other areas:
 *  - cmd_ssh_connect() opens an authenticated connection to an ssh://
 *    context (then ssh_exec(), ssh_close(): see tunnel/ssh.h);
 *  - cmd_tunnel_socket() gives the local socket of a context's
 *    background tunnel, starting the tunnel when none runs;
 *  - cmd_docker_env() gives the DOCKER_* variables that make the docker
 *    CLI talk to a context (through its tunnel for ssh://).
 */
#ifndef CTXMGR_SSHCTX_H
#define CTXMGR_SSHCTX_H

#include "ctxmgr/cmd.h"
#include "tunnel/ssh.h"
#include "store/store.h"
#include "common/util.h"

/*
 * ssh_params for context `c` (an ssh:// context): its URL, identity and
 * host key policy (`accept_new` overrides the policy with accept-new),
 * and the passphrase callback commands use, with config.yaml's ssh.*
 * where neither the flag nor the context decides.  Strings point into
 * `c` or into the settings config_get keeps for the command.
 */
int cmd_ssh_params(struct cmd_ctx *ctx, const struct context *c, int accept_new,
    struct ssh_params *p);

/*
 * The passphrase callback of the command line: the first line of
 * $CTXMGR_PASSPHRASE_FILE when set (a wrong one is not asked again),
 * else a prompt on the terminal without echo; no terminal or an empty
 * answer skips the key.
 */
int cmd_passphrase(void *arg, const char *key_path, int attempt,
    struct buf *out, struct cm_err *err);

/* Load context `name` (NULL: the effective one) and check it is ssh://. */
int cmd_load_ssh_context(struct cmd_ctx *ctx, struct store *st,
    const char *name, struct context **cp);

/* Open an authenticated SSH connection to context `name` (NULL: the
 * effective one).  Close it with ssh_close(). */
int cmd_ssh_connect(struct cmd_ctx *ctx, const char *name, int accept_new,
    struct ssh_conn **connp);

/*
 * The local socket path of the tunnel of ssh:// context `name` (NULL:
 * the effective context), served by the tunnel service: a direct
 * context is pinned to it (tunnelsvc.h) and connected when it was not.
 * *sockp is a new string.
 */
int cmd_tunnel_socket(struct cmd_ctx *ctx, const char *name, char **sockp);

/* The same for a context already loaded (an ssh:// one). */
int cmd_context_tunnel_socket(
    struct cmd_ctx *ctx, const struct context *c, char **sockp);

/*
 * The environment ("DOCKER_HOST=unix:///...", and DOCKER_TLS_VERIFY /
 * DOCKER_CERT_PATH for TLS endpoints) that points the docker CLI at
 * context `name` (NULL: the effective one); ssh:// contexts go through
 * their tunnel, started when needed.
 */
int cmd_docker_env(struct cmd_ctx *ctx, const char *name, struct strv *env);

#endif
