/*
 * report.h: an audit's result -- which checks ran and how each ended,
 * the findings (check, severity, object, evidence), what could not be
 * gathered -- and its JSON and SARIF 2.1.0 forms.
 *
 * A check ends as one of:
 *   pass         it ran over everything it needed and found nothing
 *   fail         it found something (findings)
 *   not_checked  it could not look (permission, no host access, no data);
 *                never counted as a pass
 *   error        gathering failed (a broken or hostile answer): the audit
 *                is incomplete
 *   ignored      a policy switched it off
 *
 * The JSON schema ("ctxmgr-audit/1") is documented in README.md and only
 * ever grows: keys are never renamed or removed within version 1.
 */
#ifndef CTXMGR_REPORT_H
#define CTXMGR_REPORT_H

#include <jansson.h>

#include "audit/catalogue.h"
#include "common/util.h"

#define REPORT_SCHEMA "ctxmgr-audit/1"

enum check_status { CS_PASS, CS_FAIL, CS_NOT_CHECKED, CS_ERROR, CS_IGNORED };

struct finding {
	const struct check_def *check;
	enum severity sev; /* after the policy */
	char *kind; /* container, image, file, socket, listener, daemon, ... */
	char *name; /* the object's name: "web", "tcp://10.0.0.5:2375" */
	char *evidence;
	json_t *labels; /* container labels (for the policy), or NULL */
};

struct check_result {
	int in_scope; /* part of this kind of audit */
	enum check_status st;
	char *reason; /* for not_checked, error and notes on partial data */
	size_t nfind;
	enum severity sev; /* after the policy */
};

struct policy;

struct audit_report {
	char *kind; /* "daemon", "image", "seccomp" */
	char *context; /* NULL for seccomp files */
	char *endpoint;
	char *host;
	char *subject; /* image name or profile path */
	json_t *daemon; /* version facts, or NULL */
	json_t *extra; /* kind-specific data (image history) */
	struct check_result *res; /* one per audit_checks entry */
	struct finding *f;
	size_t nf, capf;
	struct strv errors;
	size_t suppressed; /* findings removed by the policy */
	size_t ncontainers, nimages;
	char started[32]; /* RFC 3339, UTC */
	uint64_t duration_ms;
	int finished;
};

struct audit_report *report_new(const char *kind);
void report_free(struct audit_report *r);

/* Put every check of a group in scope (it will pass unless told). */
void report_scope_group(struct audit_report *r, enum check_group g);
void report_scope(struct audit_report *r, const char *id);

/* Add a finding for check `id` on object kind/name; labels may be NULL. */
void report_add(struct audit_report *r, const char *id, const char *kind,
    const char *name, json_t *labels, const char *fmt, ...) PRINTFLIKE(6, 7);

/* The check could not look: not_checked with a reason (first one kept). */
void report_not_checked(struct audit_report *r, const char *id, const char *fmt,
    ...) PRINTFLIKE(3, 4);

/* A note on a check that ran (what it could cover); first one kept. */
void report_note(struct audit_report *r, const char *id, const char *fmt, ...)
    PRINTFLIKE(3, 4);

/*
 * Gathering failed for check `id` (NULL: no single check); the message
 * goes into the report's errors and the check ends in error unless it
 * found something.
 */
void report_error(struct audit_report *r, const char *id, const char *fmt, ...)
    PRINTFLIKE(3, 4);

/* Apply the policy (may be NULL), settle every status, sort findings. */
void report_finish(struct audit_report *r, const struct policy *p);

/* Findings per severity; the worst severity found (-1 when none). */
void report_counts(const struct audit_report *r, size_t counts[SEV_COUNT]);
int report_worst(const struct audit_report *r);

/* Checks in scope per status (indexed by enum check_status). */
void report_status_counts(const struct audit_report *r, size_t counts[5]);

/* "pass", "fail", "not_checked", "error", "ignored" */
const char *check_status_name(enum check_status st);

/* The documented JSON form (a new reference). */
json_t *report_json(const struct audit_report *r);

/* SARIF 2.1.0 for one or more reports (one run each); `version` is
 * ctxmgr's. */
json_t *report_sarif(
    struct audit_report *const *reps, size_t n, const char *version);

/* A stable fingerprint of a finding: sha256 of id, kind and name. */
void finding_fingerprint(const struct finding *f, char out[65]);

#endif
