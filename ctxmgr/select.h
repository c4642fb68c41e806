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

#endif
