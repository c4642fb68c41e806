/*
 * progress.h: one status line on stderr for long work (audit --all,
 * ca rotate --all, import-hosts, the fleet commands of fleet.c, keys
 * check --all): how many of how many, the item at
 * hand and the time so far, rewritten in place.  Only when stderr is a
 * terminal and -q was not given; otherwise every call does nothing, so
 * scripts and logs never see it.  Safe to call from several threads.
 */
#ifndef CTXMGR_PROGRESS_H
#define CTXMGR_PROGRESS_H

#include <pthread.h>
#include <stdio.h>

#include "ctxmgr/cmd.h"

struct progress {
	FILE *f; /* NULL: off */
	const char *verb; /* "auditing" */
	size_t total, done;
	char item[128]; /* the item at hand, made safe to print */
	uint64_t start_us;
	int shown; /* the line is on the terminal now */
	pthread_mutex_t mu;
};

/* Start a line for `total` items; off unless ctx->errout is a terminal
 * and ctx->quiet is not set. */
void progress_init(struct progress *p, const struct cmd_ctx *ctx,
    const char *verb, size_t total);

/* Work on `item` begins (the count does not move). */
void progress_item(struct progress *p, const char *item);

/* One item is finished. */
void progress_done_one(struct progress *p);

/* Set the count and the item at hand, and draw the line (for work that
 * counts itself, such as parallel children). */
void progress_set(struct progress *p, size_t done, const char *item);

/* Clear the line before other output goes to the terminal; the next
 * progress_* call draws it again. */
void progress_hide(struct progress *p);

/* Clear the line and free what init set up. */
void progress_end(struct progress *p);

#endif
