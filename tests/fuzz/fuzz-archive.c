/*
 * fuzz-archive.c: the context archive (tar) importer.
 *
 * Why the fuzzer never found the stack overflow in read_entry (a 155-byte
 * ustar prefix plus a 100-byte name left name[256] unterminated):
 *  - every tar header carries a checksum of its own bytes, so nearly every
 *    mutation of a header was refused before its name, type or size was
 *    read;
 *  - no seed used the prefix field, and turning the 2 x 255 NUL pad bytes
 *    of prefix and name into text by random mutation does not happen
 *    (2 million runs did not, even with valid checksums).
 * So each input is parsed twice: with every header's checksum made valid,
 * and again with the NUL padding of each header's name and prefix filled
 * in (names of the full 256 bytes), checksums fixed after.  The checksum
 * test itself is covered by the unit tests.
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

/*
 * Give every header the walker would read a valid checksum; with `fill`,
 * first fill the NUL padding of its name (0-99) and prefix (345-499).
 */
static void
fix_headers(unsigned char *d, size_t len, int fill)
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
		for (i = 0; fill && i < 500; i++)
			if (h[i] == 0 && (i < 100 || i >= 345))
				h[i] = 'x';
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

static void
check_archive(const unsigned char *copy, size_t size)
{
	struct archive ar;
	struct cm_err err;
	struct context *c = NULL;
	size_t i;

	if (archive_read((const char *)copy, size, &ar, &err) != 0)
		return;
	for (i = 0; i < ar.nfiles; i++)
		if (strchr(ar.files[i].endpoint, '/') != NULL ||
		    strcmp(ar.files[i].name, "..") == 0 ||
		    (const uint8_t *)ar.files[i].data + ar.files[i].size >
			copy + size)
			abort();
	if (context_parse_meta(ar.meta, ar.meta_len, &c, &err) == 0)
		context_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;
	int fill;

	if (size > ARCHIVE_MAX)
		return 0;
	copy = xmalloc(size + 1);
	for (fill = 0; fill < 2; fill++) {
		memcpy(copy, data, size);
		fix_headers(copy, size, fill);
		check_archive(copy, size);
	}
	free(copy);
	return 0;
}
