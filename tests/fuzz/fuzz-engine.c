/* fuzz-engine.c: Docker Engine HTTP answers and the tunnel status JSON. */
#include "common/compat.h"

#include "tunnel/engine.h"
#include "tunnel/tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_response r;
	struct tunnel_status st;
	struct cm_err err;

	engine_response_init(&r, 4096);
	if (engine_parse_response((const char *)data, size, &r, &err) == 0 &&
	    r.body.len > 4096)
		abort();
	engine_response_release(&r);
	(void)tunnel_status_parse((const char *)data, size, &st, &err);
	return 0;
}
