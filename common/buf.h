/*
 * buf.h: growable byte buffers with a hard size cap (after OpenSSH's sshbuf
 * and git's strbuf).
 *
 * Invariants: after buf_init, `data` is never NULL and data[len] is always
 * '\0' (so text can be used as a C string); len never exceeds max.  A buffer
 * marked secret is wiped with explicit_bzero whenever memory is released or
 * moved.
 */
#ifndef CTXMGR_BUF_H
#define CTXMGR_BUF_H

#include "common/compat.h"
#include "common/err.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len */
	int secret; /* wipe on release and regrowth */
};

#define BUF_MAX_DEFAULT ((size_t)64 << 20)

/* Initialise with a cap (0 = BUF_MAX_DEFAULT). */
void buf_init(struct buf *b, size_t max);

/* As buf_init, and wipe the contents whenever they are released. */
void buf_init_secret(struct buf *b, size_t max);

/* Free the memory (wiping a secret buffer); the buffer is re-initialised. */
void buf_release(struct buf *b);

/* Forget the contents but keep the memory (wiped if secret). */
void buf_reset(struct buf *b);

/* Make room for `extra` more bytes; ERR_TOOBIG past the cap. */
int buf_grow(struct buf *b, size_t extra);

/* Append bytes; ERR_TOOBIG past the cap (the buffer is unchanged then). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...) PRINTFLIKE(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Take ownership of the data (caller frees); the buffer is re-initialised. */
char *buf_detach(struct buf *b, size_t *lenp);

/* Drop trailing whitespace. */
void buf_rtrim(struct buf *b);

#endif
