/*
 * privfile.h: files that hold secrets -- private keys, CA keys,
 * passphrase files.  On top of file.h's atomic writes: the directory is
 * private (0700, yours, not writable by others), a new file is created
 * 0600 in one step and never through a symlink or over an existing file,
 * and reading checks owner and mode on the opened file (no race between
 * the check and the read).  Messages say what is wrong and how to fix it.
 */
#ifndef CTXMGR_PRIVFILE_H
#define CTXMGR_PRIVFILE_H

#include <sys/stat.h>

#include "common/buf.h"
#include "common/err.h"

/* privfile_write flags */
#define PRIVFILE_REPLACE 0x01 /* replace an existing file atomically */
#define PRIVFILE_NOSYNC 0x02 /* skip fsync (tests only) */

/*
 * Check that `dir` is fit to hold secret files: a directory (a symlink to
 * one is followed, as ~/.ssh often is one), owned by you or root, and not
 * writable by group or others unless it is sticky (/tmp).  With `create`,
 * a missing directory is made 0700, parents included.
 */
int privdir_check(const char *dir, int create, struct cm_err *err);

/*
 * Write a secret file: mode `mode` (0600 for keys), created in one step
 * (a temporary file opened O_CREAT|O_EXCL, which never follows a
 * symlink, then link(2) or rename(2)), so nobody sees it partly written.  An existing file or symlink at `path` is
 * refused with ERR_EXISTS unless PRIVFILE_REPLACE (a symlink is refused
 * then too).  The parent directory is checked with privdir_check and
 * created 0700 when missing.
 */
int privfile_write(const char *path, const void *data, size_t len, mode_t mode,
    int flags, struct cm_err *err);

/*
 * Check an open secret file: regular, owned by you, no access for group
 * or others.  `what` names it in the message ("private key").
 */
int privfile_check_fd(
    int fd, const char *path, const char *what, struct cm_err *err);

/*
 * Read a secret file (`out` made secret), capped at `max` bytes: opened
 * with O_NOFOLLOW, checked with privfile_check_fd before any byte is read.
 */
int privfile_read(const char *path, const char *what, size_t max,
    struct buf *out, struct cm_err *err);

#endif
