/* fuzz-engine.c: Docker Engine HTTP answers and the pins file. */
#include "common/compat.h"

#include "tunnel/engine.h"
#include "tunnel/pins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_response r;
	struct pin *pins = NULL;
	size_t n, bad, i;
	struct cm_err err;

	engine_response_init(&r, 4096);
	if (engine_parse_response((const char *)data, size, &r, &err) == 0 &&
	    r.body.len > 4096)
		abort();
	engine_response_release(&r);
	pins_parse((const char *)data, size, &pins, &n, &bad);
	for (i = 0; i < n; i++)
		if (pins[i].name[0] == '\0' || pins[i].port > 65535)
			abort();
	free(pins);
	return 0;
}
