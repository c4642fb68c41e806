/* progress.c: a status line for long work (see progress.h). */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/progress.h"
#include "common/util.h"

void
progress_init(struct progress *p, const struct cmd_ctx *ctx, const char *verb,
    size_t total)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	p->verb = verb;
	p->total = total;
	p->start_us = now_us();
	if (total == 0 || ctx->quiet)
		return;
	if (isatty(fileno(ctx->errout)))
		p->f = ctx->errout;
}

/* Rewrite the line (lock held). */
static void
draw(struct progress *p)
{
	double secs = (double)(now_us() - p->start_us) / 1e6;

	fprintf(p->f, "\r\033[K%s %zu/%zu%s%s (%.1f s)", p->verb, p->done,
	    p->total, p->item[0] ? ": " : "", p->item, secs);
	fflush(p->f);
	p->shown = 1;
}

/* Keep a safe copy of `item` (lock held). */
static void
set_item(struct progress *p, const char *item)
{
	size_t i, j;

	/* names come from the store or an inventory: no control bytes */
	for (i = j = 0;
	     item != NULL && item[i] != '\0' && j + 1 < sizeof(p->item); i++)
		p->item[j++] = (unsigned char)item[i] < 0x20 || item[i] == 0x7f
		    ? '?'
		    : item[i];
	p->item[j] = '\0';
}

void
progress_item(struct progress *p, const char *item)
{
	if (p->f == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	set_item(p, item);
	draw(p);
	pthread_mutex_unlock(&p->mu);
}

void
progress_set(struct progress *p, size_t done, const char *item)
{
	if (p->f == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->done = done < p->total ? done : p->total;
	set_item(p, item);
	draw(p);
	pthread_mutex_unlock(&p->mu);
}

void
progress_hide(struct progress *p)
{
	if (p->f == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->shown) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
		p->shown = 0;
	}
	pthread_mutex_unlock(&p->mu);
}

void
progress_done_one(struct progress *p)
{
	if (p->f == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->done < p->total)
		p->done++;
	draw(p);
	pthread_mutex_unlock(&p->mu);
}

void
progress_end(struct progress *p)
{
	if (p->f != NULL) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	pthread_mutex_destroy(&p->mu);
	p->f = NULL;
}
