/*
 * shelldocker.h: "docker ..." lines in `ctxmgr shell`: the real Docker
 * CLI, run against the shell's current context.
 */
#ifndef CTXMGR_SHELLDOCKER_H
#define CTXMGR_SHELLDOCKER_H

#include <sys/types.h>

#include "ctxmgr/cmd.h"

/*
 * Run argv (argv[0] is "docker") against the effective context: a
 * non-ssh context through DOCKER_CONTEXT, an ssh:// one through its
 * ctxmgr tunnel.  Returns the exit status; errors are printed.
 */
int shell_docker(struct cmd_ctx *ctx, int argc, char **argv);

/* Shared with shell.c: wait for a child (Ctrl-C goes to the child). */
int shell_wait(pid_t pid);

/* In a child: the default signal dispositions back. */
void shell_child_signals(void);

#endif
