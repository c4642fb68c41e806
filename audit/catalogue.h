/*
 * catalogue.h: every audit check, once.  An id is stable across releases
 * (policies and SARIF alerts refer to it); a check may change its
 * wording, never its meaning.  CIS references are to the CIS Docker
 * Benchmark v1.6.0.
 */
#ifndef CTXMGR_CATALOGUE_H
#define CTXMGR_CATALOGUE_H

#include "common/compat.h"

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };
#define SEV_COUNT 5

enum check_group {
	G_EXPOSURE,
	G_DAEMON,
	G_FILES,
	G_IMAGES,
	G_CONTAINERS,
	G_SPRAWL,
	G_SECCOMP
};

/* What a check needs: the Engine API, the host facts, the probes. */
#define NEED_API 0x1
#define NEED_HOST 0x2
#define NEED_PROBE 0x4

struct check_def {
	const char *id; /* "containers.privileged" */
	const char *cis; /* "5.5"; "" when the benchmark has none */
	enum severity sev;
	enum check_group group;
	unsigned needs; /* any one of these sources is enough */
	const char *title;
	const char *rationale;
	const char *remediation;
};

extern const struct check_def audit_checks[];
extern const size_t audit_ncheck;

/* The check with that id, or NULL. */
const struct check_def *check_find(const char *id);

/* Its index in audit_checks. */
size_t check_index(const struct check_def *c);

/* "critical", "high", "medium", "low", "info" and back. */
const char *severity_name(enum severity s);
int severity_parse(const char *s, enum severity *out);

/* The group's name ("containers"). */
const char *group_name(enum check_group g);

#endif
