/*
 * inventory-int.h: what the inventory formats (inventory-*.c) share: the
 * reader state and checked readers of names, strings, tags and endpoints.
 * Every error and note names the file, line and column.
 */
#ifndef CTXMGR_INVENTORY_INT_H
#define CTXMGR_INVENTORY_INT_H

#include "common/ydoc.h"
#include "ctxmgr/inventory.h"

struct reader {
	struct ydoc *d;
	const char *prefix;
	struct inventory *inv;
	struct cm_err *err;
};

/* What `defaults:` gives every host of a ctxmgr inventory. */
struct defaults {
	const struct ynode *user, *port, *identity, *socket, *tags;
};

/* Record an entry skipped and why ("FILE:LINE:COL: ..."). */
void inv_note(struct reader *rd, const struct ynode *n, const char *fmt, ...)
    PRINTFLIKE(3, 4);

/* A plain string: not empty, no control characters, no templates. */
int inv_text(struct reader *rd, const struct ynode *n, const char *what,
    const char **out);

/* Add the strings of a list of tags to `tags`, each once. */
int inv_tag_list(struct reader *rd, const struct ynode *n, struct strv *tags);

/* ssh://[user@]host[:port][socket] (or `host` as a URL), checked. */
int inv_make_endpoint(struct reader *rd, const struct ynode *at,
    const char *host, const char *user, long long port, const char *socket,
    char **out);

/* A new host entry named prefix+name, its name checked. */
int inv_new_host(struct reader *rd, const struct ynode *at, const char *name,
    struct inv_host **hp);

/* Refuse a key of mapping `m` not in `keys`. */
int inv_check_keys(struct reader *rd, const struct ynode *m,
    const char *const *keys, size_t nkeys, const char *where);

/* m[key] unless absent or null, else `def`. */
const struct ynode *inv_pick(
    const struct ynode *m, const char *key, const struct ynode *def);

/* The formats. */
int inv_read_list(
    struct reader *rd, const struct ynode *seq, const struct defaults *df);
int inv_read_own(struct reader *rd, const struct ynode *root);
int inv_is_own_mapping(const struct ynode *root);
int inv_listing_host(struct reader *rd, const struct ynode *m);
int inv_read_ansible(struct reader *rd, const struct ynode *root);

/* 1 if the text starts (after comments) with an INI "[section]". */
int inv_ini_looks_like(const char *data, size_t len);
/* An INI inventory as the tree of the same YAML inventory. */
int inv_ini_tree(const char *data, size_t len, const char *name,
    struct ydoc **docp, struct cm_err *err);
/* 1 if `root` has the shape of `ansible-inventory --list` output. */
int inv_list_json_looks_like(const struct ynode *root);
/* Reshape that output (d->root) into the tree of a YAML inventory. */
int inv_list_json_tree(struct ydoc *d, struct cm_err *err);

#endif
