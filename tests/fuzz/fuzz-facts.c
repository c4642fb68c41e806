/*
 * fuzz-facts.c: the fact script's output parser, and what is built on
 * it: finding the audited dockerd and reading its settings.
 */
#include "common/compat.h"

#include "audit/daemonconf.h"
#include "audit/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_facts hf;
	struct daemon_conf dc;
	const struct fact_daemon *d;
	struct cm_err err;
	char why[256];
	size_t i;

	if (facts_parse((const char *)data, size, &hf, &err) == 0) {
		for (i = 0; i < hf.ndaemons; i++) {
			daemon_conf_build(&hf, &hf.daemons[i], &dc);
			daemon_conf_free(&dc);
		}
		d = facts_find_daemon(
		    &hf, "/var/run/docker.sock", 2375, why, sizeof(why));
		if (d == NULL && why[0] == '\0')
			abort();
		(void)facts_stat(&hf, "sock", "/run/docker.sock");
	}
	facts_free(&hf);
	return 0;
}
