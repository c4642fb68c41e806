/*
 * fuzz-inventory.c: host inventories (ctxmgr, listing, Ansible YAML, INI
 * and --list JSON) through the bounded readers; whatever is accepted must
 * hold valid context names and endpoints.
 */
#include "common/compat.h"

#include "common/endpoint.h"
#include "ctxmgr/inventory.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory inv;
	struct endpoint ep;
	struct cm_err err;
	size_t i;

	if (inventory_parse((const char *)data, size, "fuzz.yaml",
		size % 2 ? "p-" : NULL, &inv, &err) != 0) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	for (i = 0; i < inv.n; i++) {
		if (context_name_check(inv.hosts[i].name, &err) != 0)
			abort();
		if (endpoint_parse(inv.hosts[i].endpoint, &ep, &err) != 0)
			abort();
		endpoint_free(&ep);
	}
	inventory_release(&inv);
	return 0;
}
