/*
 * shell.h: `ctxmgr shell`, a readline REPL over the command table, and
 * its history file.  Each line is one command line for cmd_main, run in
 * a child process so that Ctrl-C stops the command and never the shell;
 * a line starting with "docker" runs the Docker CLI against the current
 * context.
 */
#ifndef CTXMGR_SHELL_H
#define CTXMGR_SHELL_H

#include "ctxmgr/cmd.h"

#define SHELL_HISTORY_MAX 1000 /* lines kept */
#define SHELL_HISTORY_LINE_MAX 4096 /* longer lines are not stored */
#define SHELL_HISTORY_FILE_MAX ((size_t)1 << 20)

/* Run the shell until Ctrl-D or "exit"; returns the exit status. */
int shell_run(struct cmd_ctx *ctx);

/* $XDG_STATE_HOME/ctxmgr/history, else ~/.local/state/ctxmgr/history. */
char *shell_history_path(void);

/* The last `max` lines of the history file (a missing file is empty). */
int shell_history_load(
    const char *path, size_t max, struct strv *lines, struct cm_err *err);

/*
 * Append one line (0600 file in a 0700 dir, created as needed; a file
 * with looser permissions is tightened, a symlink refused).
 */
int shell_history_append(
    const char *path, const char *line, struct cm_err *err);

/* Keep only the last `max` lines, rewriting the file atomically. */
int shell_history_trim(const char *path, size_t max, struct cm_err *err);

/*
 * 1 if the line must stay out of the history: it cannot be split, is
 * too long, starts with a blank, or carries a secret (cmd_line_is_secret,
 * or a docker login with a password).
 */
int shell_line_is_private(const char *line);

#endif
