/*
 * completion-gen.h: bash, zsh and fish completion scripts and the man
 * page, generated from the command table at run time (so commands added
 * to the table appear without editing anything here).  The committed
 * copies under completions/ and docs/ are refreshed by `make completions`
 * and checked by a test.
 */
#ifndef CTXMGR_COMPLETION_GEN_H
#define CTXMGR_COMPLETION_GEN_H

#include "common/buf.h"

#define COMPLETION_SHELLS "bash|zsh|fish"

/* Append the completion script for `shell` (bash, zsh or fish);
 * ERR_INVALID for another shell. */
int completion_gen(const char *shell, struct buf *out, struct cm_err *err);

/* The fixed parts of each script (completion-text.c). */
extern const char completion_bash_main[];
extern const char completion_zsh_main[];
extern const char completion_fish_main[];

/* Append the man page ctxmgr(1), in roff (man macros). */
void manpage_gen(struct buf *out);

#endif
