/* fuzz-daemonjson.c: daemon.json from a remote host, merged for deploy. */
#include "common/compat.h"

#include "keystore/daemonjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b, b2;
	struct cm_err err;
	int changed;

	buf_init(&b, 0);
	buf_init(&b2, 0);
	if (daemonjson_merge_tls((const char *)data, size, "/a", "/b", "/c", &b,
		&changed, &err) == 0) {
		/* merging again changes nothing */
		if (daemonjson_merge_tls(b.data, b.len, "/a", "/b", "/c", &b2,
			&changed, &err) != 0 ||
		    changed || b.len != b2.len ||
		    memcmp(b.data, b2.data, b.len) != 0)
			abort();
	}
	buf_release(&b);
	buf_release(&b2);
	return 0;
}
