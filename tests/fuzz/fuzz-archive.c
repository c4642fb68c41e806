/*
 * fuzz-archive.c: the context archive (tar) importer.
 *
 * Every tar header carries a checksum of its own bytes, so nearly every
 * mutation of a header was refused by the checksum test before the name,
 * type and size were ever read: the fuzzer never reached read_entry with a
 * long prefix and name (a stack overflow it should have found).  The
 * harness therefore rewrites each header's checksum before parsing; the
 * checksum test itself is covered by the unit tests.
 */
#include "common/compat.h"

#include "store/archive.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Octal size field (12 bytes at 124); -1 when not plain octal. */
static long long
header_size(const unsigned char *h)
{
	long long v = 0;
	size_t i;

	for (i = 124; i < 136 && h[i] == ' '; i++)
		;
	for (; i < 136 && h[i] >= '0' && h[i] <= '7'; i++)
		if ((v = v * 8 + (h[i] - '0')) > (1LL << 40))
			return -1;
	return v;
}

/* Give every header the walker would read a valid checksum. */
static void
fix_checksums(unsigned char *d, size_t len)
{
	size_t off = 0, i;
	unsigned sum;
	long long sz;

	while (len - off >= 512) {
		unsigned char *h = d + off;
		for (i = 0; i < 512 && h[i] == 0; i++)
			;
		if (i == 512)
			return;
		memset(h + 148, ' ', 8);
		for (sum = 0, i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum & 0777777);
		h[155] = ' ';
		off += 512;
		if (h[156] == '5')
			continue;
		if ((sz = header_size(h)) < 0 || (size_t)sz > len - off)
			return;
		off += ((size_t)sz + 511) / 512 * 512;
		if (off > len)
			return;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive ar;
	struct cm_err err;
	struct context *c = NULL;
	unsigned char *copy;
	size_t i;

	if (size > ARCHIVE_MAX)
		return 0;
	copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	fix_checksums(copy, size);
	if (archive_read((const char *)copy, size, &ar, &err) != 0)
		goto out;
	for (i = 0; i < ar.nfiles; i++)
		if (strchr(ar.files[i].endpoint, '/') != NULL ||
		    strcmp(ar.files[i].name, "..") == 0 ||
		    (const uint8_t *)ar.files[i].data + ar.files[i].size >
			copy + size)
			abort();
	if (context_parse_meta(ar.meta, ar.meta_len, &c, &err) == 0)
		context_free(c);
out:
	free(copy);
	return 0;
}
