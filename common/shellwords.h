/*
 * shellwords.h: split a command line into words as sh does for simple
 * commands, without any expansion: blanks separate words, '...' is
 * literal, "..." keeps \" \\ \$ \` and a backslash-newline as escapes,
 * a backslash outside quotes quotes the next character, and a word that
 * starts with # begins a comment.  Used by `ctxmgr shell` for its lines
 * and for completion.
 */
#ifndef CTXMGR_SHELLWORDS_H
#define CTXMGR_SHELLWORDS_H

#include "common/err.h"
#include "common/util.h"

#define SHELLWORDS_MAX_LINE ((size_t)1 << 20)

/*
 * Append the words of `line` to `out`.  ERR_INVALID (message with the
 * column) for a quote left open or a final lone backslash; `out` is left
 * empty then.
 */
int shellwords_split(const char *line, struct strv *out, struct cm_err *err);

/*
 * For completion: the words of a line that may end inside a word or a
 * quote.  The last word of `out` is the one being typed (empty when the
 * line ends with a blank); *quotep is the quote character left open
 * ('\'' or '"') or 0.  Never fails.
 */
void shellwords_split_partial(const char *line, struct strv *out, int *quotep);

/* A new string: `s` quoted for sh when it needs quoting. */
char *shellwords_quote(const char *s);

#endif
