/* fuzz-dockercfg.c: the byte-preserving config.json editor. */
#include "common/compat.h"

#include <jansson.h>

#include "store/dockercfg.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct cm_err err;
	char *cur = NULL;
	struct buf out;
	json_t *v;

	(void)dockercfg_current(in, size, &cur, &err);
	free(cur);
	buf_init(&out, 0);
	if (dockercfg_set_current(in, size, "ctx-fuzz", &out, &err) == 0) {
		/* the edit must be valid JSON naming the new context */
		cur = NULL;
		if (dockercfg_current(out.data, out.len, &cur, &err) != 0 ||
		    cur == NULL || strcmp(cur, "ctx-fuzz") != 0)
			abort();
		free(cur);
	}
	buf_reset(&out);
	if (dockercfg_set_current(in, size, NULL, &out, &err) == 0) {
		cur = NULL;
		if (out.len > 0 &&
		    (v = json_loadb(out.data, out.len,
			 JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL)) ==
			NULL &&
		    strspn(out.data, " \t\r\n") != out.len)
			abort();
		else if (out.len > 0)
			json_decref(v);
	}
	buf_release(&out);
	return 0;
}
