/* fuzz-seccomp.c: the seccomp profile lint. */
#include "common/compat.h"

#include "audit/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count(void *arg, const char *id, const char *evidence)
{
	(void)evidence;
	if (strncmp(id, "seccomp.", 8) != 0)
		abort();
	(*(size_t *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;

	if (seccomp_lint((const char *)data, size, count, &n) != n)
		abort();
	return 0;
}
