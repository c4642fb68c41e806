/*
 * svckick.h: make sure the tunnel service runs (tunnel/service.h), from
 * either binary.  Checking costs a connect(2) to its control socket and
 * a peer-credential check; only when none answers is the full binary
 * started as the service ("ctxmgr-full tunnel serve").  Linked into the
 * front binary too: libc and the store only.
 */
#ifndef CTXMGR_SVCKICK_H
#define CTXMGR_SVCKICK_H

#include <jansson.h>

#include "common/err.h"
#include "store/store.h"

/* 1 if `c` is a tunnelled context: Metadata.ctxmgr.sshHost is an ssh://
 * URL and its Docker endpoint a unix:// socket. */
int svc_context_tunnelled(const struct context *c);

/* The ssh:// URL of an ssh context, direct or tunnelled; else NULL. */
const char *svc_context_ssh_url(const struct context *c);

/* 1 if a service of this user answers on `ctl` (a path). */
int svc_ctl_alive(const char *ctl);

/*
 * Start the service for `config_dir` in the background and wait until
 * it serves (or fails: ERR_FAIL, the reason in its log `log_hint`).
 * `ctl` is the control socket to check first (NULL: always start).
 */
int svc_spawn(const char *config_dir, const char *ctl, struct cm_err *err);

/* The control socket beside a tunnelled context's socket (new string). */
char *svc_ctl_of(const struct context *c);

/* The states of the service's contexts (a JSON object for
 * svc_state_of), or NULL when none of this user answers on `ctl`. */
json_t *svc_status(const char *ctl);

/* A context's state in a status: "idle", "connecting", "connected",
 * "failing", "not served"; "not running" without a status. */
const char *svc_state_of(json_t *status, const char *name);

/* For `use` and friends: when `c` is tunnelled and no service answers
 * in the directory of its socket, start one.  0, or ERR_* (the message
 * is a warning: the context was switched all the same). */
int svc_kick(
    const char *config_dir, const struct context *c, struct cm_err *err);

#endif
