/* fuzz-engine.c: Docker Engine HTTP answers, the pins file, and the tunnel
 * service's "run" request line and answer. */
#include "common/compat.h"

#include "tunnel/engine.h"
#include "tunnel/pins.h"
#include "tunnel/runwire.h"

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
	{
		struct ssh_exec_result res;
		struct run_req rq;
		char *line = strndup((const char *)data, size), host[64];
		if (line != NULL && run_req_parse(line, &rq, &err) == 0 &&
		    (rq.cmdlen == 0 || rq.cmdlen > RUN_CMD_MAX ||
			rq.inlen > RUN_IN_MAX || rq.outcap > RUN_OUT_MAX ||
			rq.timeout_ms <= 0))
			abort();
		free(line);
		ssh_exec_result_init(&res, 256);
		if (run_answer_parse((const char *)data, size, &res, host,
			sizeof(host), &err) == 0 &&
		    (res.out.len > 256 || res.err.len > 256))
			abort();
		ssh_exec_result_release(&res);
	}
	return 0;
}
