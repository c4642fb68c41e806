/* fuzz-meta.c: the meta.json reader, and the encoder on what it accepts. */
#include "common/compat.h"

#include "common/gojson.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct context *c = NULL, *c2 = NULL;
	struct cm_err err;
	struct buf b;

	if (context_parse_meta((const char *)data, size, &c, &err) != 0)
		return 0;
	buf_init(&b, 0);
	/* what we write must read back the same */
	if (context_encode_meta(c, &b) == 0) {
		if (context_parse_meta(b.data, b.len, &c2, &err) != 0)
			abort();
		if (strcmp(c->name, c2->name) != 0 ||
		    (c->host == NULL) != (c2->host == NULL))
			abort();
	}
	buf_release(&b);
	context_free(c);
	context_free(c2);
	return 0;
}
