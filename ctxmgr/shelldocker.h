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

/*
 * Completion for a "docker ..." line: asks the Docker CLI itself
 * (`docker __complete WORDS...`, cobra's protocol: "word<TAB>help" lines,
 * then ":DIRECTIVE") with DOCKER_CONFIG set to `config_dir`.  words[0] is
 * "docker", words[n - 1] the word being completed.  Fills `out` and
 * *directivep (DOCKER_COMPLETE_* bits); -1 when docker cannot answer
 * within a few seconds.
 */
#define DOCKER_COMPLETE_NOFILE 0x04
#define DOCKER_COMPLETE_DIRS 0x10
int shell_docker_complete(const char *config_dir, char **words, int n,
    struct strv *out, unsigned *directivep);

/*
 * The words of cobra's answer in `text` (NUL-terminated, changed in
 * place): "word<TAB>help" lines, ":N" the directive.  Words with control
 * characters, cobra's active help and words past the 2000th are dropped.
 */
void shell_docker_complete_parse(
    char *text, struct strv *out, unsigned *directivep);

/* Shared with shell.c: wait for a child (Ctrl-C goes to the child). */
int shell_wait(pid_t pid);

/* In a child: the default signal dispositions back. */
void shell_child_signals(void);

#endif
