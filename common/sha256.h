/*
 * sha256.h: SHA-256 (FIPS 180-4) without libcrypto.  The store hashes a
 * context name on every lookup; initialising OpenSSL for that costs about
 * half a millisecond, more than the rest of `ctxmgr use`.  Not for keys or
 * signatures: those go through OpenSSL.
 */
#ifndef CTXMGR_SHA256_H
#define CTXMGR_SHA256_H

#include "common/compat.h"

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, unsigned char out[32]);

#endif
