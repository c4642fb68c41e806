/*
 * shquote.h: quoting for POSIX shells, for building remote commands that
 * ssh_exec hands to the remote user's shell.  Every argument that is not
 * a constant of the caller must pass through here.
 *
 * Arguments are wrapped in single quotes, with each ' written as '\'',
 * so nothing inside is special to sh, bash, dash, zsh or ksh; plain
 * words (only [A-Za-z0-9_./:=@%+,-], not starting with '=') are left bare
 * for readability, and the empty string becomes ''.  Quoting does not
 * stop a word that starts with '-' from being read as an option by the
 * command: put "--" before such arguments where the command allows.
 */
#ifndef CTXMGR_SHQUOTE_H
#define CTXMGR_SHQUOTE_H

#include "common/buf.h"

/* Append `arg` quoted; -1 (nothing appended) past the buffer's cap. */
int shell_quote(struct buf *out, const char *arg);

/* Append argv[0..n) quoted and separated by spaces (argv NULL-ended when
 * n < 0). */
int shell_quote_argv(struct buf *out, const char *const *argv, int n);

/* A new string holding `arg` quoted. */
char *shell_quote_str(const char *arg);

#endif
