/* fuzz-endpoint.c: the endpoint URL parser. */
#include "common/compat.h"

#include "common/endpoint.h"
#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = xstrndup((const char *)data, size);
	struct endpoint ep;
	struct cm_err err;

	if (endpoint_parse(url, &ep, &err) == 0) {
		/* nothing that could be read as an option gets through */
		if ((ep.host && ep.host[0] == '-') ||
		    (ep.user && ep.user[0] == '-'))
			abort();
	}
	/* an accepted URL holds nothing a shell or a terminal reads */
	if (endpoint_check_url(url, &err) == 0 &&
	    strspn(url,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-._~:/@[]%+,=?#") != strlen(url))
		abort();
	endpoint_free(&ep);
	free(url);
	return 0;
}
