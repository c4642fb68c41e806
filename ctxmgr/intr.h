/*
 * intr.h: SIGINT, SIGTERM and SIGHUP during commands of several steps.
 * A command either holds them for steps that must finish once begun
 * (rename: the signal is delivered after its output is flushed), or
 * catches them and stops between steps, saying what was done
 * (import-hosts).
 */
#ifndef CTXMGR_INTR_H
#define CTXMGR_INTR_H

#include <signal.h>

#include "ctxmgr/cmd.h"

struct intr {
	sigset_t old_mask;
	struct sigaction old[3];
};

/* Block the three signals until intr_release. */
void intr_hold(struct intr *in);

/* Flush the command's output (with the error of a command that failed,
 * `r`, when a signal waits), then unblock: that signal is delivered now. */
void intr_release(struct cmd_ctx *ctx, struct intr *in, int r);

/* Catch the three signals: intr_caught() says which came first. */
void intr_catch(struct intr *in);
void intr_restore(struct intr *in);

/* The signal caught since intr_catch, or 0. */
int intr_caught(void);

#endif
