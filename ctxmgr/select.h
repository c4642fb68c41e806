/*
 * select.h: choosing contexts with --filter, one syntax for every
 * command that takes it:
 *
 *	name=GLOB	the context name (fnmatch)
 *	scheme=S	ssh (direct or tunnelled), tcp or unix (not tunnelled)
 *	tag=T		Metadata.ctxmgr.tags holds T
 *	tunnel=on|off	tunnelled through the tunnel service, or not
 *
 * Filters on the same key are alternatives; filters on different keys
 * must all hold (as `docker ps --filter`).  The built-in default
 * context matches only name=... and scheme=...
 */
#ifndef CTXMGR_SELECT_H
#define CTXMGR_SELECT_H

#include "common/err.h"
#include "common/util.h"
#include "store/store.h"

struct ctx_filter {
	struct strv names, schemes, tags;
	int tunnel; /* -1 any, 0 off, 1 on */
};

void ctx_filter_init(struct ctx_filter *f);
void ctx_filter_release(struct ctx_filter *f);

/* Add one KEY=VALUE; ERR_USAGE naming what is wrong. */
int ctx_filter_add(struct ctx_filter *f, const char *spec, struct cm_err *err);

/* 1 when no filter was added. */
int ctx_filter_empty(const struct ctx_filter *f);

/* 1 when matching needs the context's settings (store_load), not only
 * what a listing holds. */
int ctx_filter_needs_settings(const struct ctx_filter *f);

/* 1 if context `c` passes every filter. */
int ctx_filter_match(const struct ctx_filter *f, const struct context *c);

/*
 * The contexts a fleet command acts on: those of the store that pass
 * every --filter in `specs` (none given: all, when `all`; else
 * ERR_USAGE).  CTX_SELECT_LOAD gives fully loaded contexts (settings,
 * TLS flags); contexts that cannot be read are kept as listed, with
 * their error.  CTX_SELECT_NO_DEFAULT leaves out the built-in default
 * context.  Free the list with context_list_free().
 */
#define CTX_SELECT_LOAD 0x01
#define CTX_SELECT_NO_DEFAULT 0x02
int ctx_select(struct store *st, const struct strv *specs, int all,
    unsigned flags, struct context ***listp, size_t *np, struct cm_err *err);

/*
 * Tags: Metadata.ctxmgr.tags, a JSON array of strings (what
 * import-hosts writes; Docker ignores it).
 */
#define CTX_TAG_MAX 64 /* bytes */

/* 0 when `tag` is a usable tag: 1..CTX_TAG_MAX bytes, no control
 * characters, commas, '=' or spaces; else ERR_USAGE naming it. */
int ctx_tag_check(const char *tag, struct cm_err *err);

/* The tags of `c` (strings of the array only), appended to `out`. */
void ctx_tags_get(const struct context *c, struct strv *out);

/* Add `add` and drop `del` from the tags of `c`, which stay sorted and
 * unique; the key goes when none is left.  Checks every new tag. */
int ctx_tags_edit(struct context *c, const struct strv *add,
    const struct strv *del, struct cm_err *err);

#endif
