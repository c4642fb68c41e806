/*
 * file.h: careful file handling shared by the store, the keystore and the
 * CA.  Reads are size-capped; writes are atomic (temporary file in the same
 * directory, fsync, rename, fsync of the directory); secret files are
 * created 0600 inside 0700 directories and never through a symlink.
 */
#ifndef CTXMGR_FILE_H
#define CTXMGR_FILE_H

#include <sys/stat.h>

#include "common/buf.h"
#include "common/err.h"

/* file_read and file_write_atomic flags */
#define FILE_NOFOLLOW 0x01 /* refuse a symlink as the final component */
#define FILE_SECRET 0x02 /* contents are secret: wipe buffers */
#define FILE_EXCL 0x04 /* fail with ERR_EXISTS if the target exists */
#define FILE_KEEP_MODE 0x08 /* keep an existing target's mode and owner */
#define FILE_FOLLOW_TARGET 0x10 /* replace a symlink's target, not the link */
#define FILE_NOSYNC 0x20 /* skip fsync (tests and scratch files only) */
/*
 * The caller holds the lock every writer of `path` takes: temporary
 * files a killed writer left for it (.NAME.tmp-XXXXXX) are removed
 * first (file_tidy).
 */
#define FILE_TIDY 0x40

/*
 * Read a whole file into `out` (appending), refusing more than `max` bytes
 * with ERR_TOOBIG.  With FILE_NOFOLLOW a symlink is refused (ERR_PERM).
 */
int file_read(const char *path, size_t max, int flags, struct buf *out,
    struct cm_err *err);

/* Read everything from an open descriptor, capped like file_read. */
int file_read_fd(
    int fd, const char *name, size_t max, struct buf *out, struct cm_err *err);

/*
 * Replace `path` atomically with `len` bytes of `data`, file mode `mode`.
 * A symlink at `path` is refused unless FILE_FOLLOW_TARGET, which writes
 * the link's final target instead.  With FILE_EXCL the target must not
 * exist (checked atomically with link(2)).  The new contents are written
 * to an unnamed file (O_TMPFILE) and named only once complete and
 * synced: with FILE_EXCL straight as `path`, else as .NAME.tmp-XXXXXX,
 * renamed over `path` at once.  A writer killed meanwhile leaves no name
 * behind but in that last instant (FILE_TIDY removes such leftovers).
 * Where O_TMPFILE or /proc is missing, the file is written under the
 * temporary name instead.
 */
int file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, int flags, struct cm_err *err);

/*
 * file_write_atomic in two halves, for many files made durable at once
 * (import-hosts).  file_stage writes the data to an unnamed file beside
 * `path` (a temporary name where O_TMPFILE is missing), unsynced; nothing
 * is visible under `path`.  Once the caller has synced the file system
 * (file_sync_fs), file_stage_place puts it in place (link(2) with
 * FILE_EXCL, else rename), unsynced again: sync once more after the last.
 * So each file is either its old or its whole new self after a crash.
 * Flags: FILE_EXCL and FILE_TIDY as above.  The staged file holds a
 * descriptor until placed or dropped.
 */
struct file_staged {
	char *path; /* the target */
	char *tmp; /* its temporary name; NULL while unnamed */
	int fd; /* the unnamed file, or -1 */
	int flags;
};
int file_stage(const char *path, const void *data, size_t len, mode_t mode,
    int flags, struct file_staged *sf, struct cm_err *err);
int file_stage_place(struct file_staged *sf, struct cm_err *err);
/* Forget a staged file (never placed: it goes). */
void file_stage_drop(struct file_staged *sf);
/* syncfs(2) of the file system holding `path`. */
int file_sync_fs(const char *path, struct cm_err *err);

/* Remove the temporary files (.NAME.tmp-XXXXXX) left beside `path`. */
void file_tidy(const char *path);

/* The same for every file of `dir` (the caller holds the lock all the
 * writers in `dir` take). */
void file_tidy_dir(const char *dir);

/* Whether the file name `name` is such a temporary file for `base`. */
int file_is_tmp_of(const char *name, const char *base);

/* Create `path` and missing parents with `mode`; existing dirs are kept. */
int dir_ensure(const char *path, mode_t mode, struct cm_err *err);

/* fsync a directory so a rename in it is durable. */
int dir_sync(const char *path, struct cm_err *err);

/* Remove a directory tree (no symlink is followed); missing is fine. */
int dir_remove_tree(const char *path, struct cm_err *err);

/*
 * Refuse a private file (key, CA key) that group or others can read or
 * that another user owns, as OpenSSH does; `what` names it in the message.
 */
int file_check_private(const char *path, const struct stat *st,
    const char *what, struct cm_err *err);

/* Take an exclusive flock(2) on `path` (created 0600); returns the fd. */
int file_lock(const char *path, int *fdp, struct cm_err *err);
void file_unlock(int fd);

/* 1 if `path` exists (lstat), 0 if not. */
int file_exists(const char *path);

/* A new string "a/b" (no doubled slash). */
char *path_join(const char *a, const char *b);

/* The directory part of a path, as a new string ("." when none). */
char *path_dirname(const char *path);

/* Write all of `len` bytes to a descriptor, retrying on EINTR/short writes. */
int fd_write_all(int fd, const void *p, size_t len);

#endif
