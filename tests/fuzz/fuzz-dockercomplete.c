/* fuzz-dockercomplete.c: what `docker __complete` (or a plugin) prints. */
#include "common/compat.h"

#include "ctxmgr/shelldocker.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct strv words = { 0 };
	unsigned directive = 0;
	size_t i;

	shell_docker_complete_parse(text, &words, &directive);
	/* no word the terminal would act on, none empty */
	for (i = 0; i < words.n; i++)
		if (words.v[i][0] == '\0' || str_has_ctrl(words.v[i]))
			abort();
	if (words.n > 2000)
		abort();
	strv_free(&words);
	free(text);
	return 0;
}
