/* fault.c: test-only fault points (see fault.h). */
#include "common/compat.h"

#include <signal.h>
#include <unistd.h>

#include "common/fault.h"

#define FAULT_SPECS 8

/* Whether `spec` (up to `end`) names this point; sets *actp. */
static int
matches(const char *spec, const char *end, const char *point,
    const char *detail, const char **actp)
{
	const char *colon = memchr(spec, ':', (size_t)(end - spec));
	const char *slash;
	size_t plen, dlen;

	if (colon == NULL)
		return 0;
	slash = memchr(spec, '/', (size_t)(colon - spec));
	plen = (size_t)((slash ? slash : colon) - spec);
	if (strlen(point) != plen || strncmp(spec, point, plen) != 0)
		return 0;
	if (slash != NULL) {
		dlen = (size_t)(colon - slash - 1);
		if (detail == NULL || strlen(detail) != dlen ||
		    strncmp(slash + 1, detail, dlen) != 0)
			return 0;
	}
	*actp = colon + 1;
	return 1;
}

int
fault_point(const char *point, const char *detail)
{
	static const char *env;
	static int looked, hits[FAULT_SPECS];
	const char *spec, *end, *act, *n;
	int i;

	if (!looked) {
		env = getenv(FAULT_ENV);
		looked = 1;
	}
	if (env == NULL || *env == '\0')
		return 0;
	/* specs separated by commas, each with its own count */
	for (spec = env, i = 0; *spec != '\0' && i < FAULT_SPECS; i++) {
		end = strchr(spec, ',');
		if (end == NULL)
			end = spec + strlen(spec);
		if (matches(spec, end, point, detail, &act)) {
			n = memchr(act, ':', (size_t)(end - act));
			if (++hits[i] != (n ? atoi(n + 1) : 1))
				return 0;
			if (strncmp(act, "kill", 4) == 0)
				kill(getpid(), SIGKILL);
			else if (strncmp(act, "int", 3) == 0)
				raise(SIGINT);
			else if (strncmp(act, "term", 4) == 0)
				raise(SIGTERM);
			else if (strncmp(act, "enospc", 6) == 0)
				return ENOSPC;
			return 0;
		}
		spec = *end == ',' ? end + 1 : end;
	}
	return 0;
}
