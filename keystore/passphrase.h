/*
 * passphrase.h: reading secrets.  From the terminal without echo (the
 * terminal is restored even on Ctrl-C), from a file for automation, or
 * from a descriptor.  Results land in secret buffers (buf_init_secret) so
 * they are wiped when released; callers release them as soon as they can.
 */
#ifndef CTXMGR_PASSPHRASE_H
#define CTXMGR_PASSPHRASE_H

#include "common/buf.h"
#include "common/err.h"

#define PASSPHRASE_MAX 4096

/*
 * Ask on /dev/tty with echo off; with `confirm`, ask twice and fail with
 * ERR_INVALID when the two differ (both copies wiped).  ERR_CANCEL on
 * Ctrl-C or end of input; ERR_NOTFOUND when there is no terminal.
 */
int passphrase_prompt(
    const char *prompt, int confirm, struct buf *out, struct cm_err *err);

/* Rates a first entry: 0, or a negative ERR_* with err filled. */
typedef int (*passphrase_check_fn)(
    void *arg, const struct buf *pass, struct cm_err *err);

/*
 * passphrase_prompt with confirm, but `check` rates the first entry
 * before the second is asked for: a passphrase the policy refuses is
 * refused at once (check's error, *out wiped), not after typing it twice.
 */
int passphrase_prompt_checked(const char *prompt, passphrase_check_fn check,
    void *arg, struct buf *out, struct cm_err *err);

/*
 * The first line of a file (no trailing newline).  A file that group or
 * others can read is refused, as it would leak the secret.
 */
int passphrase_from_file(const char *path, struct buf *out, struct cm_err *err);

/* Everything from a descriptor up to `max` bytes, less one final newline;
 * ERR_TOOBIG beyond `max` (nothing is kept then). */
int passphrase_from_fd(int fd, size_t max, struct buf *out, struct cm_err *err);

#endif
