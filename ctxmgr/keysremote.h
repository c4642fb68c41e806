/*
 * keysremote.h: `keys check --context NAME` -- the authorized_keys of the
 * context's SSH user, read over SSH and checked like a local file.
 */
#ifndef CTXMGR_KEYSREMOTE_H
#define CTXMGR_KEYSREMOTE_H

#include "ctxmgr/cmd.h"
#include "keystore/keycheck.h"

/* Add findings for the remote ~/.ssh/authorized_keys of context `name`. */
int keys_check_remote(
    struct cmd_ctx *ctx, const char *name, struct key_report *rep);

#endif
