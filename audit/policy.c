/* policy.c: audit policies, read as ydoc trees (see policy.h). */
#include "common/compat.h"

#include <fnmatch.h>
#include "audit/policy.h"
#include "common/xmalloc.h"
#include "common/ydoc.h"

/* Reading state: the document, for positions in messages. */
struct yload {
	const struct ydoc *d;
	struct cm_err *err;
};

static int yerr(struct yload *y, const struct ynode *n, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static int
yerr(struct yload *y, const struct ynode *n, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return ydoc_error(y->d, n, y->err, ERR_INVALID, "%s", tmp);
}

static int
want(
    struct yload *y, const struct ynode *n, enum ynode_type t, const char *what)
{
	static const char *const names[] = { "a string", "a list",
		"a mapping" };

	if (n->type != t)
		return yerr(y, n, "%s must be %s", what, names[t]);
	return 0;
}

/* A check id or glob that must name at least one check. */
static int
check_pattern(struct yload *y, const struct ynode *n)
{
	size_t i;

	if (want(y, n, YNODE_SCALAR, "a check id") != 0)
		return y->err->code;
	for (i = 0; i < audit_ncheck; i++)
		if (fnmatch(n->value, audit_checks[i].id, 0) == 0)
			return 0;
	return yerr(y, n, "unknown check \"%s\"", n->value);
}

static int
read_checks(
    struct yload *y, const struct ynode *n, struct strv *out, const char *what)
{
	size_t i;

	if (want(y, n, YNODE_SEQ, what) != 0)
		return y->err->code;
	for (i = 0; i < n->n; i++) {
		if (check_pattern(y, n->items[i]) != 0)
			return y->err->code;
		strv_push(out, n->items[i]->value);
	}
	return 0;
}

static int
read_allow(struct yload *y, const struct ynode *n, struct policy_allow *a)
{
	const struct ynode *k, *v;
	size_t i;

	if (want(y, n, YNODE_MAP, "an allow entry") != 0)
		return y->err->code;
	for (i = 0; i < n->n; i++) {
		k = n->items[2 * i];
		v = n->items[2 * i + 1];
		if (want(y, k, YNODE_SCALAR, "a key") != 0)
			return y->err->code;
		if (strcmp(k->value, "name") == 0) {
			if (want(y, v, YNODE_SCALAR, "name") != 0)
				return y->err->code;
			if (*v->value == '\0')
				return yerr(y, v, "name is empty");
			free(a->name);
			a->name = xstrdup(v->value);
		} else if (strcmp(k->value, "label") == 0) {
			char *eq;
			if (want(y, v, YNODE_SCALAR, "label") != 0)
				return y->err->code;
			if (*v->value == '\0' || *v->value == '=')
				return yerr(
				    y, v, "label needs a KEY or KEY=VALUE");
			free(a->label_key);
			free(a->label_value);
			a->label_key = xstrdup(v->value);
			a->label_value = NULL;
			if ((eq = strchr(a->label_key, '=')) != NULL) {
				*eq = '\0';
				a->label_value = xstrdup(eq + 1);
			}
		} else if (strcmp(k->value, "checks") == 0) {
			strv_free(&a->checks);
			if (read_checks(y, v, &a->checks, "checks") != 0)
				return y->err->code;
		} else
			return yerr(y, k,
			    "unknown key \"%s\" (use name, label or checks)",
			    k->value);
	}
	if (a->name == NULL && a->label_key == NULL)
		return yerr(y, n, "an allow entry needs a name or a label");
	return 0;
}

static int
read_severities(struct yload *y, const struct ynode *v, struct policy *p)
{
	const struct ynode *ck, *cv;
	enum severity sev;
	size_t j;

	if (want(y, v, YNODE_MAP, "severity") != 0)
		return y->err->code;
	for (j = 0; j < v->n; j++) {
		ck = v->items[2 * j];
		cv = v->items[2 * j + 1];
		if (check_pattern(y, ck) != 0)
			return y->err->code;
		if (want(y, cv, YNODE_SCALAR, "a severity") != 0)
			return y->err->code;
		if (severity_parse(cv->value, &sev) != 0)
			return yerr(y, cv,
			    "unknown severity \"%s\" (use critical, high, "
			    "medium, low or info)",
			    cv->value);
		p->sev = xreallocarray(p->sev, p->nsev + 1, sizeof(*p->sev));
		p->sev[p->nsev].pattern = xstrdup(ck->value);
		p->sev[p->nsev++].sev = sev;
	}
	return 0;
}

static int
interpret(struct yload *y, const struct ynode *root, struct policy *p)
{
	const struct ynode *k, *v;
	enum severity sev;
	size_t i, j;

	if (ynode_is_null(root))
		return 0; /* an empty policy changes nothing */
	if (want(y, root, YNODE_MAP, "the policy") != 0)
		return y->err->code;
	for (i = 0; i < root->n; i++) {
		k = root->items[2 * i];
		v = root->items[2 * i + 1];
		if (want(y, k, YNODE_SCALAR, "a key") != 0)
			return y->err->code;
		if (strcmp(k->value, "version") == 0) {
			if (want(y, v, YNODE_SCALAR, "version") != 0)
				return y->err->code;
			if (strcmp(v->value, "1") != 0)
				return yerr(y, v,
				    "unsupported policy version \"%s\"",
				    v->value);
		} else if (strcmp(k->value, "fail-on") == 0) {
			if (want(y, v, YNODE_SCALAR, "fail-on") != 0)
				return y->err->code;
			if (strcmp(v->value, "none") == 0)
				p->fail_on = -1;
			else if (severity_parse(v->value, &sev) != 0 ||
			    sev == SEV_INFO)
				return yerr(y, v,
				    "fail-on must be critical, high, medium, "
				    "low or none");
			else
				p->fail_on = (int)sev;
		} else if (strcmp(k->value, "ignore") == 0) {
			if (read_checks(y, v, &p->ignore, "ignore") != 0)
				return y->err->code;
		} else if (strcmp(k->value, "severity") == 0) {
			if (read_severities(y, v, p) != 0)
				return y->err->code;
		} else if (strcmp(k->value, "allow") == 0) {
			if (want(y, v, YNODE_SEQ, "allow") != 0)
				return y->err->code;
			for (j = 0; j < v->n; j++) {
				p->allow = xreallocarray(
				    p->allow, p->nallow + 1, sizeof(*p->allow));
				memset(
				    &p->allow[p->nallow], 0, sizeof(*p->allow));
				p->nallow++;
				if (read_allow(y, v->items[j],
					&p->allow[p->nallow - 1]) != 0)
					return y->err->code;
			}
		} else
			return yerr(y, k,
			    "unknown key \"%s\" (use fail-on, ignore, "
			    "severity or allow)",
			    k->value);
	}
	return 0;
}

int
policy_parse(const char *data, size_t len, const char *name, struct policy *p,
    struct cm_err *err)
{
	struct ydoc *d = NULL;
	struct yload y;
	int r;

	memset(p, 0, sizeof(*p));
	p->fail_on = -1;
	if (len > POLICY_MAX_SIZE)
		return err_set(err, ERR_TOOBIG,
		    "policy \"%s\" is over %zu bytes", name, POLICY_MAX_SIZE);
	if ((r = ydoc_parse_flags(data, len, name, YDOC_NO_ALIASES, &d, err)) !=
	    0)
		return r;
	y.d = d;
	y.err = err;
	r = interpret(&y, d->root, p);
	ydoc_free(d);
	if (r != 0)
		policy_free(p);
	return r;
}

void
policy_free(struct policy *p)
{
	size_t i;

	strv_free(&p->ignore);
	for (i = 0; i < p->nsev; i++)
		free(p->sev[i].pattern);
	free(p->sev);
	for (i = 0; i < p->nallow; i++) {
		free(p->allow[i].name);
		free(p->allow[i].label_key);
		free(p->allow[i].label_value);
		strv_free(&p->allow[i].checks);
	}
	free(p->allow);
	memset(p, 0, sizeof(*p));
	p->fail_on = -1;
}

static int
any_match(const struct strv *patterns, const char *id)
{
	size_t i;

	for (i = 0; i < patterns->n; i++)
		if (fnmatch(patterns->v[i], id, 0) == 0)
			return 1;
	return 0;
}

int
policy_ignores(const struct policy *p, const char *id)
{
	return any_match(&p->ignore, id);
}

int
policy_severity(const struct policy *p, const char *id, enum severity *out)
{
	size_t i;
	int found = 0;

	/* the last matching entry wins, as later lines refine earlier */
	for (i = 0; i < p->nsev; i++)
		if (fnmatch(p->sev[i].pattern, id, 0) == 0) {
			*out = p->sev[i].sev;
			found = 1;
		}
	return found;
}

int
policy_allows(const struct policy *p, const char *id, const char *kind,
    const char *name, const json_t *labels)
{
	const struct policy_allow *a;
	const json_t *v;
	size_t i;

	if (strcmp(kind, "container") != 0)
		return 0;
	for (i = 0; i < p->nallow; i++) {
		a = &p->allow[i];
		if (a->checks.n > 0 && !any_match(&a->checks, id))
			continue;
		if (a->name != NULL && fnmatch(a->name, name, 0) != 0)
			continue;
		if (a->label_key != NULL) {
			v = labels ? json_object_get(labels, a->label_key)
				   : NULL;
			if (v == NULL || !json_is_string(v))
				continue;
			if (a->label_value != NULL &&
			    strcmp(json_string_value(v), a->label_value) != 0)
				continue;
		}
		return 1;
	}
	return 0;
}
