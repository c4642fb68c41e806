/*
 * archive.h: context export archives, the tar files "docker context
 * export" and "import" use: meta.json plus tls/<endpoint>/<file>.
 * archive_read trusts nothing: only those paths, only regular files and
 * their directories, clean relative paths, bounded sizes.
 */
#ifndef CTXMGR_ARCHIVE_H
#define CTXMGR_ARCHIVE_H

#include "common/buf.h"
#include "common/err.h"
#include "store/store.h"

#define ARCHIVE_MAX ((size_t)10 << 20)
#define ARCHIVE_MAX_FILES 64

struct archive_file {
	char endpoint[65];
	char name[65];
	const char *data; /* points into the archive */
	size_t size;
};

struct archive {
	const char *meta;
	size_t meta_len;
	struct archive_file files[ARCHIVE_MAX_FILES];
	size_t nfiles;
};

/* Check and index an archive held in memory (no copy is made). */
int archive_read(
    const char *data, size_t len, struct archive *ar, struct cm_err *err);

/* Build a complete tar archive of a stored context. */
int archive_write(const struct store *st, const struct context *c,
    struct buf *out, struct cm_err *err);

#endif
