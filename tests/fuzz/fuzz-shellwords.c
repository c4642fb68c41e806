/* fuzz-shellwords.c: shell lines, split whole and for completion. */
#include "common/compat.h"

#include "common/shellwords.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = xstrndup((const char *)data, size);
	struct strv w = { 0 }, p = { 0 };
	struct cm_err err;
	int q;

	if (shellwords_split(line, &w, &err) == 0) {
		/* a line that splits has no open quote */
		shellwords_split_partial(line, &p, &q);
		if (q != 0)
			abort();
	}
	strv_free(&w);
	strv_free(&p);
	shellwords_split_partial(line, &p, &q);
	if (p.n == 0)
		abort();
	strv_free(&p);
	free(line);
	return 0;
}
