/*
 * policy.h: audit policies (`--policy FILE.yaml`).
 *
 *   fail-on: high                 # default for --fail-on
 *   ignore:                       # checks switched off (ids or globs)
 *     - daemon.live-restore
 *     - sprawl.*
 *   severity:                     # severities overridden
 *     containers.no-healthcheck: info
 *   allow:                        # containers whose findings are dropped
 *     - name: ci-runner-*         # glob on the container name
 *     - label: com.example.audit=exempt   # KEY=VALUE, or KEY for any value
 *       checks: [containers.privileged]   # only these (ids or globs)
 *
 * Read as a ydoc tree (common/ydoc.h), strictly: unknown keys, unknown check ids, anchors
 * and aliases, and wrong types are errors that give the line and column.
 */
#ifndef CTXMGR_POLICY_H
#define CTXMGR_POLICY_H

#include <jansson.h>

#include "audit/catalogue.h"
#include "common/err.h"
#include "common/util.h"

#define POLICY_MAX_SIZE ((size_t)1 << 20)

struct policy_allow {
	char *name; /* glob, or NULL */
	char *label_key; /* or NULL */
	char *label_value; /* NULL: any value */
	struct strv checks; /* empty: every check */
};

struct policy_sev {
	char *pattern;
	enum severity sev;
};

struct policy {
	int fail_on; /* an enum severity, or -1 */
	struct strv ignore;
	struct policy_sev *sev;
	size_t nsev;
	struct policy_allow *allow;
	size_t nallow;
};

/* Parse policy text; `name` is used in messages.  Free with policy_free. */
int policy_parse(const char *data, size_t len, const char *name,
    struct policy *p, struct cm_err *err);
void policy_free(struct policy *p);

/* 1 if the policy switches check `id` off. */
int policy_ignores(const struct policy *p, const char *id);

/* 1 (and *out) if the policy sets the severity of check `id`. */
int policy_severity(const struct policy *p, const char *id, enum severity *out);

/* 1 if a finding of check `id` on that object is allow-listed. */
int policy_allows(const struct policy *p, const char *id, const char *kind,
    const char *name, const json_t *labels);

#endif
