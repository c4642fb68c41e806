/*
 * tunnelsvc.h: tunnelled contexts and the tunnel service, seen from the
 * commands (tunnel/service.h is the service itself).
 *
 * A tunnelled context keeps its ssh:// URL in Metadata.ctxmgr.sshHost
 * and names the service's socket for it in Endpoints.docker.Host, so
 * every Docker client goes through the service.  A direct one is a plain
 * Docker ssh:// context.
 */
#ifndef CTXMGR_TUNNELSVC_H
#define CTXMGR_TUNNELSVC_H

#include "ctxmgr/cmd.h"
#include "store/store.h"
#include "tunnel/pins.h"
#include "tunnel/service.h"

/* The run dir of ctx->config_dir (a new string). */
char *cmd_svc_run_dir(struct cmd_ctx *ctx);

/* Make `c` tunnelled (its host an ssh:// URL, or already tunnelled:
 * the socket path is rewritten) or direct again, in memory. */
int cmd_tunnel_convert(
    struct cmd_ctx *ctx, struct context *c, int enable, struct cm_err *err);

/* The ssh:// URL of an ssh context, direct or tunnelled; else NULL. */
const char *cmd_context_ssh_url(const struct context *c);

/* Make sure the service runs; with `reload`, have it re-read the store.
 * Warnings only: returns 0, or ERR_* with ctx->err set. */
int cmd_svc_ensure(struct cmd_ctx *ctx, int reload);

/* After `c` was written: a tunnelled context needs the service, which
 * is started (the store lock given up first) or told; a failure is a
 * warning on stderr, since the context itself is saved. */
void cmd_svc_after_save(
    struct cmd_ctx *ctx, struct store *st, const struct context *c);

/* Have a running service re-read the store (none running: nothing). */
void cmd_svc_reload(struct cmd_ctx *ctx);

/* Have the service connect context `name` now: 0, or why it cannot. */
int cmd_svc_connect(struct cmd_ctx *ctx, const char *name, struct cm_err *err);

/*
 * Have the service serve direct (plain ssh://) context `c`: pin it
 * (pins.h), start or tell the service, and connect now, asking for a
 * key's passphrase here.  `opts` NULL keeps an existing pin as it is
 * (env, exec, audit); else the pin becomes *opts.  When connecting
 * fails, the pin is put back as it was.  *newlyp: it was not pinned
 * before.  *sockp: its socket (a new string).
 */
int cmd_direct_serve(struct cmd_ctx *ctx, const struct context *c,
    const struct pin *opts, int *newlyp, char **sockp);

/* Unpin `name` (the service drops it, its socket goes); *wasp: it was
 * pinned.  `config_dir` as ctx->config_dir. */
int cmd_direct_unpin(
    const char *config_dir, const char *name, int *wasp, struct cm_err *err);

/* After rm (`to` NULL) or rename: the pin follows the context.
 * Warnings on stderr only. */
void cmd_pins_moved(struct cmd_ctx *ctx, const char *from, const char *to);

/* The service's loader (arg: the config dir): tunnelled contexts, then
 * the pinned direct ones. */
int cmd_svc_load(
    void *arg, struct svc_spec **listp, size_t *np, struct cm_err *err);

#endif
