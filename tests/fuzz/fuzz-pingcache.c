/* fuzz-pingcache.c: the tunnel's /_ping cache parsers (client request
 * heads and daemon answers). */
#include "common/compat.h"

#include "tunnel/forward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t hl = 0;
	long n;
	int k;

	k = fwd_ping_request(p, size, &hl);
	if (k > 0 && (hl == 0 || hl > size))
		abort();
	for (k = FWD_PING_GET; k <= FWD_PING_HEAD; k++) {
		n = fwd_ping_response(p, size, k);
		if (n > (long)size)
			abort();
	}
	return 0;
}
