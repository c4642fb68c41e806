/* report.c: audit results and their JSON and SARIF forms (see report.h). */
#include "common/compat.h"

#include <time.h>

#include "common/buf.h"
#include "audit/policy.h"
#include "audit/report.h"
#include "common/xmalloc.h"

#define REPORT_MAX_FINDINGS 100000
#define REPORT_MAX_ERRORS 1000

const char *
check_status_name(enum check_status st)
{
	static const char *const names[] = { "pass", "fail", "not_checked",
		"error", "ignored" };

	return (unsigned)st < nitems(names) ? names[st] : "?";
}

struct audit_report *
report_new(const char *kind)
{
	struct audit_report *r = xcalloc(1, sizeof(*r));
	time_t now = time(NULL);
	struct tm tm;

	r->kind = xstrdup(kind);
	r->res = xcalloc(audit_ncheck, sizeof(*r->res));
	gmtime_r(&now, &tm);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return r;
}

void
report_free(struct audit_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nf; i++) {
		free(r->f[i].kind);
		free(r->f[i].name);
		free(r->f[i].evidence);
		json_decref(r->f[i].labels);
	}
	free(r->f);
	for (i = 0; i < audit_ncheck; i++)
		free(r->res[i].reason);
	free(r->res);
	strv_free(&r->errors);
	json_decref(r->daemon);
	json_decref(r->extra);
	free(r->kind);
	free(r->context);
	free(r->endpoint);
	free(r->host);
	free(r->subject);
	free(r);
}

void
report_scope_group(struct audit_report *r, enum check_group g)
{
	size_t i;

	for (i = 0; i < audit_ncheck; i++)
		if (audit_checks[i].group == g)
			r->res[i].in_scope = 1;
}

void
report_scope(struct audit_report *r, const char *id)
{
	const struct check_def *c = check_find(id);

	if (c != NULL)
		r->res[check_index(c)].in_scope = 1;
}

/* The result slot of a check; unknown ids are a programming error. */
static struct check_result *
slot(struct audit_report *r, const char *id)
{
	const struct check_def *c = check_find(id);

	if (c == NULL)
		abort();
	return &r->res[check_index(c)];
}

void
report_add(struct audit_report *r, const char *id, const char *kind,
    const char *name, json_t *labels, const char *fmt, ...)
{
	struct check_result *res = slot(r, id);
	struct finding *f;
	struct buf b;
	va_list ap;

	res->in_scope = 1;
	res->nfind++;
	if (r->nf >= REPORT_MAX_FINDINGS)
		return;
	if (r->nf == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 32;
		r->f = xreallocarray(r->f, r->capf, sizeof(*r->f));
	}
	f = &r->f[r->nf++];
	memset(f, 0, sizeof(*f));
	f->check = check_find(id);
	f->sev = f->check->sev;
	f->kind = xstrdup(kind);
	f->name = xstrdup(name ? name : "");
	f->labels = labels ? json_incref(labels) : NULL;
	buf_init(&b, 1 << 16);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->evidence = buf_detach(&b, NULL);
}

static void
set_reason(struct check_result *res, const char *fmt, va_list ap)
{
	char tmp[512];

	if (res->reason != NULL)
		return;
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	res->reason = xstrdup(tmp);
}

void
report_not_checked(struct audit_report *r, const char *id, const char *fmt, ...)
{
	struct check_result *res = slot(r, id);
	va_list ap;

	res->in_scope = 1;
	if (res->st == CS_ERROR)
		return;
	res->st = CS_NOT_CHECKED;
	va_start(ap, fmt);
	set_reason(res, fmt, ap);
	va_end(ap);
}

void
report_note(struct audit_report *r, const char *id, const char *fmt, ...)
{
	struct check_result *res = slot(r, id);
	va_list ap;

	va_start(ap, fmt);
	set_reason(res, fmt, ap);
	va_end(ap);
}

void
report_error(struct audit_report *r, const char *id, const char *fmt, ...)
{
	char tmp[1024];
	struct check_result *res;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (id != NULL) {
		res = slot(r, id);
		res->in_scope = 1;
		if (res->st != CS_ERROR) {
			free(res->reason);
			res->reason = xstrdup(tmp);
		}
		res->st = CS_ERROR;
	}
	for (i = 0; i < r->errors.n; i++)
		if (strcmp(r->errors.v[i], tmp) == 0)
			return;
	if (r->errors.n < REPORT_MAX_ERRORS)
		strv_push(&r->errors, tmp);
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if ((c = strcmp(x->check->id, y->check->id)) != 0)
		return c;
	if ((c = strcmp(x->kind, y->kind)) != 0)
		return c;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->evidence, y->evidence);
}

void
report_finish(struct audit_report *r, const struct policy *p)
{
	size_t i, j;
	enum severity sev;

	for (i = 0; i < audit_ncheck; i++) {
		struct check_result *res = &r->res[i];
		const struct check_def *c = &audit_checks[i];
		res->sev = c->sev;
		res->nfind = 0;
		if (p != NULL && policy_severity(p, c->id, &sev))
			res->sev = sev;
		if (res->in_scope && p != NULL && policy_ignores(p, c->id))
			res->st = CS_IGNORED;
	}
	/* drop ignored and allow-listed findings; apply severities */
	for (i = j = 0; i < r->nf; i++) {
		struct finding *f = &r->f[i];
		struct check_result *res = &r->res[check_index(f->check)];
		if (res->st == CS_IGNORED ||
		    (p != NULL &&
			policy_allows(
			    p, f->check->id, f->kind, f->name, f->labels))) {
			r->suppressed++;
			free(f->kind);
			free(f->name);
			free(f->evidence);
			json_decref(f->labels);
			continue;
		}
		f->sev = res->sev;
		res->nfind++;
		r->f[j++] = *f;
	}
	r->nf = j;
	for (i = 0; i < audit_ncheck; i++) {
		struct check_result *res = &r->res[i];
		if (!res->in_scope || res->st == CS_IGNORED)
			continue;
		if (res->nfind > 0)
			res->st = CS_FAIL;
		else if (res->st != CS_ERROR && res->st != CS_NOT_CHECKED)
			res->st = CS_PASS;
	}
	if (r->nf > 1)
		qsort(r->f, r->nf, sizeof(*r->f), cmp_finding);
	r->finished = 1;
}

void
report_counts(const struct audit_report *r, size_t counts[SEV_COUNT])
{
	size_t i;

	memset(counts, 0, SEV_COUNT * sizeof(*counts));
	for (i = 0; i < r->nf; i++)
		counts[r->f[i].sev]++;
}

int
report_worst(const struct audit_report *r)
{
	int worst = -1;
	size_t i;

	for (i = 0; i < r->nf; i++)
		if ((int)r->f[i].sev > worst)
			worst = (int)r->f[i].sev;
	return worst;
}

void
report_status_counts(const struct audit_report *r, size_t counts[5])
{
	size_t i;

	memset(counts, 0, 5 * sizeof(*counts));
	for (i = 0; i < audit_ncheck; i++)
		if (r->res[i].in_scope)
			counts[r->res[i].st]++;
}

void
finding_fingerprint(const struct finding *f, char out[65])
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s\n%s\n%s", f->check->id, f->kind, f->name);
	sha256_hex(b.data, b.len, out);
	buf_release(&b);
}

/* json_string refuses invalid UTF-8: keep the valid parts visible. */
static json_t *
jtext(const char *s)
{
	json_t *v;
	struct buf b;
	const unsigned char *p;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	buf_init(&b, 0);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x80)
			buf_addc(&b, *p);
		else
			buf_printf(&b, "\\x%02x", *p);
	v = json_string(b.data);
	buf_release(&b);
	return v ? v : json_string("?");
}

json_t *
report_json(const struct audit_report *r)
{
	json_t *o = json_object(), *checks = json_array(), *fs = json_array();
	json_t *sum = json_object(), *c, *f, *errs = json_array();
	size_t counts[SEV_COUNT], st[5], i;
	int s;

	json_object_set_new(o, "schema", json_string(REPORT_SCHEMA));
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "context", jtext(r->context));
	json_object_set_new(o, "endpoint", jtext(r->endpoint));
	json_object_set_new(o, "host", jtext(r->host));
	if (r->subject != NULL)
		json_object_set_new(o, "subject", jtext(r->subject));
	json_object_set_new(
	    o, "daemon", r->daemon ? json_incref(r->daemon) : json_null());
	json_object_set_new(o, "started", json_string(r->started));
	json_object_set_new(
	    o, "duration_ms", json_integer((json_int_t)r->duration_ms));
	report_counts(r, counts);
	report_status_counts(r, st);
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		json_object_set_new(sum, severity_name((enum severity)s),
		    json_integer((json_int_t)counts[s]));
	json_object_set_new(sum, "findings", json_integer((json_int_t)r->nf));
	json_object_set_new(
	    sum, "suppressed", json_integer((json_int_t)r->suppressed));
	for (s = CS_PASS; s <= CS_IGNORED; s++)
		json_object_set_new(sum,
		    s == CS_NOT_CHECKED
			? "not_checked"
			: check_status_name((enum check_status)s),
		    json_integer((json_int_t)st[s]));
	json_object_set_new(
	    sum, "containers", json_integer((json_int_t)r->ncontainers));
	json_object_set_new(
	    sum, "images", json_integer((json_int_t)r->nimages));
	json_object_set_new(o, "summary", sum);
	for (i = 0; i < audit_ncheck; i++) {
		const struct check_result *res = &r->res[i];
		const struct check_def *d = &audit_checks[i];
		if (!res->in_scope)
			continue;
		c = json_object();
		json_object_set_new(c, "id", json_string(d->id));
		json_object_set_new(c, "cis", json_string(d->cis));
		json_object_set_new(c, "title", json_string(d->title));
		json_object_set_new(
		    c, "severity", json_string(severity_name(res->sev)));
		json_object_set_new(
		    c, "status", json_string(check_status_name(res->st)));
		json_object_set_new(
		    c, "findings", json_integer((json_int_t)res->nfind));
		json_object_set_new(c, "reason", jtext(res->reason));
		json_array_append_new(checks, c);
	}
	json_object_set_new(o, "checks", checks);
	for (i = 0; i < r->nf; i++) {
		const struct finding *x = &r->f[i];
		char fp[65];
		f = json_object();
		json_object_set_new(f, "id", json_string(x->check->id));
		json_object_set_new(f, "cis", json_string(x->check->cis));
		json_object_set_new(
		    f, "severity", json_string(severity_name(x->sev)));
		json_object_set_new(f, "title", json_string(x->check->title));
		json_object_set_new(f, "object",
		    json_pack("{s:o,s:o}", "kind", jtext(x->kind), "name",
			jtext(x->name)));
		json_object_set_new(f, "evidence", jtext(x->evidence));
		json_object_set_new(
		    f, "remediation", json_string(x->check->remediation));
		finding_fingerprint(x, fp);
		json_object_set_new(f, "fingerprint", json_string(fp));
		json_array_append_new(fs, f);
	}
	json_object_set_new(o, "findings", fs);
	for (i = 0; i < r->errors.n; i++)
		json_array_append_new(errs, jtext(r->errors.v[i]));
	json_object_set_new(o, "errors", errs);
	if (r->extra != NULL)
		json_object_set(o, r->kind, r->extra);
	return o;
}

/* ---- SARIF 2.1.0 ---- */

static const char *
sarif_level(enum severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

/* GitHub reads this property to rank alerts (0.0 .. 10.0). */
static const char *
security_severity(enum severity s)
{
	static const char *const v[SEV_COUNT] = { "0.0", "3.0", "5.5", "8.0",
		"9.5" };

	return v[s];
}

/* "containers.no-pids-limit" -> "ContainersNoPidsLimit" */
static char *
rule_name(const char *id)
{
	struct buf b;
	int up = 1;

	buf_init(&b, 0);
	for (; *id != '\0'; id++) {
		if (*id == '.' || *id == '-') {
			up = 1;
			continue;
		}
		buf_addc(&b, up && *id >= 'a' && *id <= 'z' ? *id - 32 : *id);
		up = 0;
	}
	return buf_detach(&b, NULL);
}

static json_t *
sarif_rule(const struct check_def *d, enum severity sev)
{
	char *name = rule_name(d->id);
	json_t *tags = json_array(), *rule;
	char help[2048];

	json_array_append_new(tags, json_string("security"));
	json_array_append_new(tags, json_string("docker"));
	json_array_append_new(tags, json_string(group_name(d->group)));
	if (*d->cis != '\0') {
		char t[64];
		snprintf(t, sizeof(t), "CIS-Docker-1.6.0-%s", d->cis);
		json_array_append_new(tags, json_string(t));
	}
	snprintf(help, sizeof(help), "%s\n\nRemediation: %s", d->rationale,
	    d->remediation);
	rule = json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:{s:s,s:s},"
			 "s:{s:s},s:{s:s,s:s,s:o}}",
	    "id", d->id, "name", name, "shortDescription", "text", d->title,
	    "fullDescription", "text", d->rationale, "help", "text", help,
	    "markdown", help, "defaultConfiguration", "level", sarif_level(sev),
	    "properties", "security-severity", security_severity(sev), "cis",
	    d->cis, "tags", tags);
	free(name);
	return rule;
}

/* Percent-encode what a relative URI reference may not hold. */
static void
uri_add(struct buf *uri, const char *p)
{
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/:", c) != NULL)
			buf_addc(uri, c);
		else
			buf_printf(uri, "%%%02X", c);
	}
}

/*
 * A location: the profile file itself for `audit seccomp`, else a
 * made-up relative path naming the object (docker/CONTEXT/KIND/NAME),
 * as code scanning wants a location for every result.
 */
static json_t *
sarif_location(const struct audit_report *r, const struct finding *f)
{
	const char *name = f->name;
	struct buf uri;
	json_t *loc;

	buf_init(&uri, 0);
	if (strcmp(r->kind, "seccomp") == 0 && strcmp(f->kind, "profile") == 0)
		buf_adds(&uri, name[0] == '/' ? "file://" : "");
	else {
		buf_adds(&uri, "docker/");
		uri_add(&uri, r->context ? r->context : "local");
		buf_addc(&uri, '/');
		uri_add(&uri, f->kind);
		buf_addc(&uri, '/');
		while (*name == '/')
			name++;
	}
	uri_add(&uri, *name ? name : "-");
	loc = json_pack("{s:{s:{s:s},s:{s:i}},s:[{s:o,s:o}]}",
	    "physicalLocation", "artifactLocation", "uri", uri.data, "region",
	    "startLine", 1, "logicalLocations", "name", jtext(f->name), "kind",
	    jtext(f->kind));
	buf_release(&uri);
	return loc;
}

static json_t *
sarif_run(const struct audit_report *r, const char *version)
{
	json_t *rules = json_array(), *results = json_array(), *notes;
	json_t *run, *res, *inv;
	size_t i, *index = xcalloc(audit_ncheck, sizeof(*index)), n = 0;
	char fp[65], msg[4096], autoid[300];

	for (i = 0; i < audit_ncheck; i++) {
		if (!r->res[i].in_scope)
			continue;
		index[i] = n++;
		json_array_append_new(
		    rules, sarif_rule(&audit_checks[i], r->res[i].sev));
	}
	for (i = 0; i < r->nf; i++) {
		const struct finding *f = &r->f[i];
		size_t ci = check_index(f->check);
		snprintf(msg, sizeof(msg), "%s: %s %s: %s", f->check->title,
		    f->kind, f->name, f->evidence);
		finding_fingerprint(f, fp);
		res = json_pack("{s:s,s:i,s:s,s:{s:o},s:[o],s:{s:s},"
				"s:{s:s,s:s}}",
		    "ruleId", f->check->id, "ruleIndex", (int)index[ci],
		    "level", sarif_level(f->sev), "message", "text", jtext(msg),
		    "locations", sarif_location(r, f), "partialFingerprints",
		    "ctxmgrFinding/v1", fp, "properties", "severity",
		    severity_name(f->sev), "security-severity",
		    security_severity(f->sev));
		json_array_append_new(results, res);
	}
	notes = json_array();
	for (i = 0; i < r->errors.n; i++)
		json_array_append_new(notes,
		    json_pack("{s:{s:o},s:s}", "message", "text",
			jtext(r->errors.v[i]), "level", "error"));
	inv = json_pack("{s:b,s:o}", "executionSuccessful", r->errors.n == 0,
	    "toolExecutionNotifications", notes);
	snprintf(autoid, sizeof(autoid), "ctxmgr-audit/%s/%s/", r->kind,
	    r->context       ? r->context
		: r->subject ? r->subject
			     : "local");
	run = json_pack("{s:{s:{s:s,s:s,s:s,s:s,s:o}},s:o,s:[o],"
			"s:{s:o},s:s}",
	    "tool", "driver", "name", "ctxmgr", "semanticVersion", version,
	    "version", version, "informationUri",
	    "https://docs.docker.com/engine/security/", "rules", rules,
	    "results", results, "invocations", inv, "automationDetails", "id",
	    jtext(autoid), "columnKind", "unicodeCodePoints");
	free(index);
	return run;
}

json_t *
report_sarif(struct audit_report *const *reps, size_t n, const char *version)
{
	json_t *runs = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(runs, sarif_run(reps[i], version));
	return json_pack("{s:s,s:s,s:o}", "$schema",
	    "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
	    "runs", runs);
}
