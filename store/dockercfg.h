/*
 * dockercfg.h: reading and editing Docker's config.json.  The Docker CLI
 * rewrites the whole file and drops keys it does not know; ctxmgr changes
 * only the bytes of the "currentContext" member and keeps every other key,
 * value, indentation and byte as it was.
 */
#ifndef CTXMGR_DOCKERCFG_H
#define CTXMGR_DOCKERCFG_H

#include "common/buf.h"
#include "common/err.h"

/*
 * The currentContext value of a config.json text (*namep NULL when unset
 * or empty).  Keys match as Go matches struct fields: case-insensitively,
 * the last of duplicates winning.
 */
int dockercfg_current(
    const char *data, size_t len, char **namep, struct cm_err *err);

/*
 * Append to `out` the config.json text with currentContext set to `name`,
 * or removed when `name` is NULL.  Whitespace-only input counts as "{}".
 * The input must be a valid JSON object, or nothing is produced.
 */
int dockercfg_set_current(const char *data, size_t len, const char *name,
    struct buf *out, struct cm_err *err);

#endif
