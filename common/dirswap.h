/*
 * dirswap.h: replace a directory of files as one.  The new files are
 * written into a fresh directory beside the target (same file system),
 * synced, and swapped in with renameat2(RENAME_EXCHANGE), so at every
 * instant the target path names either the complete old set or the
 * complete new set -- never a new certificate beside an old key.  Used
 * for a context's TLS files and the CA's server certificates.
 */
#ifndef CTXMGR_DIRSWAP_H
#define CTXMGR_DIRSWAP_H

#include <sys/stat.h>

#include "common/err.h"

struct dirswap_file {
	const char *name; /* a plain file name */
	const void *data;
	size_t len;
	mode_t mode;
};

/*
 * Make `target` (mode `dir_mode`) hold exactly `files`, plus the regular
 * files of the old `target` whose names are not in `files` when
 * `keep_others` is set.  The staging directory is created in `stage_dir`,
 * which must be on the same file system.  When an old directory was
 * swapped out, *oldp is its new path (inside `stage_dir`), for the caller
 * to read and remove (the old key with it); otherwise NULL.  On failure `target` is unchanged.
 */
int dirswap_replace(const char *target, mode_t dir_mode,
    const struct dirswap_file *files, size_t n, int keep_others,
    const char *stage_dir, char **oldp, struct cm_err *err);

/*
 * The same in steps, for many directories at once: stage each (with
 * DIRSWAP_NOSYNC nothing is synced), make everything durable with one
 * dirswap_sync, commit each (with DIRSWAP_NOSYNC the parent is not
 * synced: call dirswap_sync again at the end).  *stagep is the staging
 * directory (new string); dirswap_commit consumes it, also on failure,
 * and gives *oldp as dirswap_replace does.
 */
#define DIRSWAP_NOSYNC 0x01
int dirswap_stage(const char *target, mode_t dir_mode,
    const struct dirswap_file *files, size_t n, int keep_others,
    const char *stage_dir, int flags, char **stagep, struct cm_err *err);
int dirswap_commit(const char *target, const char *stage, int flags,
    char **oldp, struct cm_err *err);

/* syncfs(2) on the file system that holds `path`. */
int dirswap_sync(const char *path, struct cm_err *err);

#endif
