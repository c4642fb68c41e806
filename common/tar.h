/*
 * tar.h: the small ustar subset Docker context exports use.  The writer
 * produces complete archives (uid/gid 0, mtime 0, two zero blocks at the
 * end); the reader checks every header and accepts an archive that simply
 * stops after the last member's data, as Docker 28's exports do.
 */
#ifndef CTXMGR_TAR_H
#define CTXMGR_TAR_H

#include "common/buf.h"
#include "common/err.h"

/* The longest member name: a 155-byte prefix, "/" and a 100-byte name. */
#define TAR_NAME_MAX (155 + 1 + 100)

enum tar_type {
	TAR_FILE,
	TAR_DIR,
	TAR_OTHER /* links, devices, fifos, extended headers */
};

struct tar_entry {
	char name[TAR_NAME_MAX + 1]; /* prefix "/" name, NUL-terminated */
	enum tar_type type;
	char typeflag;
	unsigned mode;
	const char *data; /* TAR_FILE: points into the archive */
	size_t size;
};

int tar_add_dir(struct buf *out, const char *name, unsigned mode);
int tar_add_file(struct buf *out, const char *name, unsigned mode,
    const void *data, size_t len);
int tar_finish(struct buf *out);

/* Called for each member; a non-zero return stops the walk with it. */
typedef int (*tar_entry_fn)(
    const struct tar_entry *e, void *arg, struct cm_err *err);

/* Walk an archive held in memory. */
int tar_walk(const char *data, size_t len, tar_entry_fn fn, void *arg,
    struct cm_err *err);

#endif
