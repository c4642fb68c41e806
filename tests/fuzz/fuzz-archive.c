/* fuzz-archive.c: the context archive (tar) importer. */
#include "common/compat.h"

#include "store/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive ar;
	struct cm_err err;
	struct context *c = NULL;
	size_t i;

	if (archive_read((const char *)data, size, &ar, &err) != 0)
		return 0;
	for (i = 0; i < ar.nfiles; i++)
		if (strchr(ar.files[i].endpoint, '/') != NULL ||
		    strcmp(ar.files[i].name, "..") == 0 ||
		    (const uint8_t *)ar.files[i].data + ar.files[i].size >
			data + size)
			abort();
	if (context_parse_meta(ar.meta, ar.meta_len, &c, &err) == 0)
		context_free(c);
	return 0;
}
