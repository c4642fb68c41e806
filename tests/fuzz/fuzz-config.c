/* fuzz-config.c: config.yaml through the bounded YAML reader. */
#include "common/compat.h"

#include "ctxmgr/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctxmgr_config cfg;
	struct cm_err err;

	config_init(&cfg, "/cfg");
	if (config_parse((const char *)data, size, "fuzz.yaml", &cfg, &err) ==
	    0) {
		/* what is accepted is in range */
		if (cfg.ca_rotation_percent != CONFIG_UNSET &&
		    (cfg.ca_rotation_percent < 1 ||
			cfg.ca_rotation_percent > 99))
			abort();
		if (cfg.tunnel_idle_timeout < CONFIG_UNSET)
			abort();
	} else if (err.msg[0] == '\0')
		abort();
	config_release(&cfg);
	return 0;
}
