/*
 * picker.h: the interactive context picker of "ctxmgr use" with no name
 * (fzf when on PATH, else a readline filter); full binary only.
 */
#ifndef CTXMGR_PICKER_H
#define CTXMGR_PICKER_H

#include "ctxmgr/cmd.h"

/* Let the user choose a context on the terminal: 0 and *namep (the
 * caller frees), or ERR_CANCEL when none was chosen. */
int picker_pick(struct cmd_ctx *ctx, char **namep);

#endif
