/* fuzz-policy.c: audit policies (YAML through common/ydoc). */
#include "common/compat.h"

#include "audit/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	struct cm_err err;
	enum severity sev;
	json_t *labels;

	if (policy_parse((const char *)data, size, "fuzz", &p, &err) != 0) {
		/* every refusal says where */
		if (strncmp(err.msg, "fuzz:", 5) != 0 &&
		    strncmp(err.msg, "policy \"fuzz\"", 13) != 0)
			abort();
		return 0;
	}
	labels = json_pack("{s:s}", "team", "x");
	(void)policy_ignores(&p, "containers.privileged");
	(void)policy_severity(&p, "daemon.icc", &sev);
	(void)policy_allows(
	    &p, "containers.root-user", "container", "web", labels);
	json_decref(labels);
	policy_free(&p);
	return 0;
}
