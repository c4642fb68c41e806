/*
 * sshcodec.h: the SSH wire encoding (RFC 4251 section 5) and strict
 * base64, for key blobs and openssh-key-v1 files.
 *
 * The reader never trusts a length: every get checks it against what is
 * left and fails with ERR_INVALID instead of reading past the end.  The
 * writer appends to a struct buf, so it inherits the buffer's size cap
 * and, for a secret buffer, its wiping.
 */
#ifndef CTXMGR_SSHCODEC_H
#define CTXMGR_SSHCODEC_H

#include "common/buf.h"
#include "common/err.h"

struct sshrd {
	const unsigned char *p;
	size_t len;
	size_t off;
};

/* Read from `len` bytes at `p` (not copied: keep them alive). */
void sshrd_init(struct sshrd *r, const void *p, size_t len);

/* Bytes not yet read. */
size_t sshrd_left(const struct sshrd *r);

/* uint32, big-endian. */
int sshrd_u32(struct sshrd *r, uint32_t *v);

/* A string: pointer into the input and its length (not NUL-terminated). */
int sshrd_string(struct sshrd *r, const unsigned char **p, size_t *len);

/*
 * A string that must be text for a C string: no NUL inside, at most
 * `max` bytes.  Copied into `out` (max + 1 bytes) with a final NUL.
 */
int sshrd_cstring(struct sshrd *r, char *out, size_t max);

/*
 * An mpint that must be positive (or zero): the minimal two's-complement
 * form OpenSSH writes.  `p`/`len` point at the magnitude, leading zero
 * dropped.
 */
int sshrd_mpint(struct sshrd *r, const unsigned char **p, size_t *len);

/* Skip `n` raw bytes. */
int sshrd_skip(struct sshrd *r, size_t n);

/* Number of significant bits in a big-endian magnitude. */
int sshcodec_bits(const unsigned char *p, size_t len);

int sshwr_u32(struct buf *b, uint32_t v);
int sshwr_string(struct buf *b, const void *p, size_t len);
int sshwr_cstring(struct buf *b, const char *s);
/* A non-negative big-endian magnitude as an mpint (leading zero added
 * when the top bit is set, leading zeros of the input dropped). */
int sshwr_mpint(struct buf *b, const unsigned char *p, size_t len);

/* Base64 (RFC 4648, with padding) of `len` bytes appended to `out`. */
int base64_encode(const void *p, size_t len, struct buf *out);

/*
 * Decode base64 as strictly as OpenSSH does: the standard alphabet, a
 * length that is a multiple of 4, '=' padding only at the end, and no
 * stray bits after the last byte.  No other characters: callers strip
 * line breaks first where the format allows them.
 */
int base64_decode(const char *s, size_t len, struct buf *out);

#endif
