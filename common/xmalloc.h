/*
 * xmalloc.h: allocation that never returns NULL.  Running out of memory is
 * the one failure ctxmgr does not report as an error code: like git's and
 * OpenSSH's xmalloc, these abort, since no caller could do better.
 */
#ifndef CTXMGR_XMALLOC_H
#define CTXMGR_XMALLOC_H

#include "common/compat.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTFLIKE(1, 2);

/* Free a string after wiping it (for passphrases and keys). */
void freezero_str(char *s);

#endif
