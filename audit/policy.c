/* policy.c: audit policies read with libyaml (see policy.h). */
#include "common/compat.h"

#include <fnmatch.h>
#include <yaml.h>

#include "audit/policy.h"
#include "common/xmalloc.h"

#define YN_MAX_DEPTH 8
#define YN_MAX_NODES 10000

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

/* A YAML node with where it starts; maps hold key, value, key, ... */
struct ynode {
	enum ytype type;
	char *value;
	size_t line, col;
	struct ynode **kids;
	size_t nkids;
};

struct yload {
	yaml_parser_t parser;
	const char *name;
	size_t nodes;
	struct cm_err *err;
};

static void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->value);
	free(n);
}

static int yerr(struct yload *y, size_t line, size_t col, const char *fmt, ...)
    PRINTFLIKE(4, 5);

static int
yerr(struct yload *y, size_t line, size_t col, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return err_set(y->err, ERR_INVALID,
	    "policy \"%s\" line %zu column %zu: %s", y->name, line, col, tmp);
}

static int
parse_error(struct yload *y)
{
	yaml_parser_t *p = &y->parser;

	return yerr(y, p->problem_mark.line + 1, p->problem_mark.column + 1,
	    "%s", p->problem ? p->problem : "malformed YAML");
}

/* Build the node that starts with event `ev` (already taken). */
static int
load_node(struct yload *y, yaml_event_t *ev, int depth, struct ynode **out)
{
	struct ynode *n;
	yaml_event_t kid;
	int r;

	*out = NULL;
	if (ev->type == YAML_ALIAS_EVENT)
		return yerr(y, ev->start_mark.line + 1,
		    ev->start_mark.column + 1, "aliases are not allowed");
	if (++y->nodes > YN_MAX_NODES)
		return yerr(y, ev->start_mark.line + 1,
		    ev->start_mark.column + 1, "too many nodes");
	if (depth > YN_MAX_DEPTH)
		return yerr(y, ev->start_mark.line + 1,
		    ev->start_mark.column + 1, "nested too deeply");
	n = xcalloc(1, sizeof(*n));
	n->line = ev->start_mark.line + 1;
	n->col = ev->start_mark.column + 1;
	*out = n;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor != NULL)
			return yerr(
			    y, n->line, n->col, "anchors are not allowed");
		n->type = Y_SCALAR;
		n->value = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		if (strlen(n->value) != ev->data.scalar.length)
			return yerr(
			    y, n->line, n->col, "NUL character in a value");
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((ev->type == YAML_SEQUENCE_START_EVENT
			    ? ev->data.sequence_start.anchor
			    : ev->data.mapping_start.anchor) != NULL)
			return yerr(
			    y, n->line, n->col, "anchors are not allowed");
		n->type = ev->type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
		for (;;) {
			if (!yaml_parser_parse(&y->parser, &kid))
				return parse_error(y);
			if (kid.type == YAML_SEQUENCE_END_EVENT ||
			    kid.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&kid);
				return 0;
			}
			n->kids = xreallocarray(
			    n->kids, n->nkids + 1, sizeof(*n->kids));
			r = load_node(y, &kid, depth + 1, &n->kids[n->nkids]);
			n->nkids++;
			yaml_event_delete(&kid);
			if (r != 0)
				return r;
		}
	default:
		return yerr(y, n->line, n->col, "unexpected YAML event");
	}
}

/* The document's root node (NULL for an empty document). */
static int
load(struct yload *y, const char *data, size_t len, struct ynode **root)
{
	yaml_event_t ev;
	int r = 0, done = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&y->parser))
		return err_set(y->err, ERR_NOMEM, "cannot start libyaml");
	yaml_parser_set_input_string(
	    &y->parser, (const unsigned char *)data, len);
	while (!done && r == 0) {
		if (!yaml_parser_parse(&y->parser, &ev)) {
			r = parse_error(y);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (*root != NULL)
				r = yerr(y, ev.start_mark.line + 1,
				    ev.start_mark.column + 1,
				    "only one document is allowed");
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			if (*root != NULL)
				r = yerr(y, ev.start_mark.line + 1,
				    ev.start_mark.column + 1,
				    "only one document is allowed");
			else
				r = load_node(y, &ev, 0, root);
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&y->parser);
	return r;
}

static int
want(struct yload *y, const struct ynode *n, enum ytype t, const char *what)
{
	static const char *const names[] = { "a string", "a list",
		"a mapping" };

	if (n->type != t)
		return yerr(
		    y, n->line, n->col, "%s must be %s", what, names[t]);
	return 0;
}

/* A check id or glob that must name at least one check. */
static int
check_pattern(struct yload *y, const struct ynode *n)
{
	size_t i;

	if (want(y, n, Y_SCALAR, "a check id") != 0)
		return y->err->code;
	for (i = 0; i < audit_ncheck; i++)
		if (fnmatch(n->value, audit_checks[i].id, 0) == 0)
			return 0;
	return yerr(y, n->line, n->col, "unknown check \"%s\"", n->value);
}

static int
read_checks(
    struct yload *y, const struct ynode *n, struct strv *out, const char *what)
{
	size_t i;

	if (want(y, n, Y_SEQ, what) != 0)
		return y->err->code;
	for (i = 0; i < n->nkids; i++) {
		if (check_pattern(y, n->kids[i]) != 0)
			return y->err->code;
		strv_push(out, n->kids[i]->value);
	}
	return 0;
}

static int
read_allow(struct yload *y, const struct ynode *n, struct policy_allow *a)
{
	const struct ynode *k, *v;
	size_t i;

	if (want(y, n, Y_MAP, "an allow entry") != 0)
		return y->err->code;
	for (i = 0; i + 1 < n->nkids; i += 2) {
		k = n->kids[i];
		v = n->kids[i + 1];
		if (want(y, k, Y_SCALAR, "a key") != 0)
			return y->err->code;
		if (strcmp(k->value, "name") == 0) {
			if (want(y, v, Y_SCALAR, "name") != 0)
				return y->err->code;
			if (*v->value == '\0')
				return yerr(
				    y, v->line, v->col, "name is empty");
			free(a->name);
			a->name = xstrdup(v->value);
		} else if (strcmp(k->value, "label") == 0) {
			char *eq;
			if (want(y, v, Y_SCALAR, "label") != 0)
				return y->err->code;
			if (*v->value == '\0' || *v->value == '=')
				return yerr(y, v->line, v->col,
				    "label needs a KEY or KEY=VALUE");
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
			return yerr(y, k->line, k->col,
			    "unknown key \"%s\" (use name, label or checks)",
			    k->value);
	}
	if (a->name == NULL && a->label_key == NULL)
		return yerr(y, n->line, n->col,
		    "an allow entry needs a name or a label");
	return 0;
}

static int
interpret(struct yload *y, const struct ynode *root, struct policy *p)
{
	const struct ynode *k, *v;
	size_t i, j;
	enum severity sev;

	if (root == NULL)
		return 0; /* an empty policy changes nothing */
	if (want(y, root, Y_MAP, "the policy") != 0)
		return y->err->code;
	for (i = 0; i + 1 < root->nkids; i += 2) {
		k = root->kids[i];
		v = root->kids[i + 1];
		if (want(y, k, Y_SCALAR, "a key") != 0)
			return y->err->code;
		for (j = 0; j < i; j += 2)
			if (root->kids[j]->type == Y_SCALAR &&
			    strcmp(root->kids[j]->value, k->value) == 0)
				return yerr(y, k->line, k->col,
				    "\"%s\" is given twice", k->value);
		if (strcmp(k->value, "version") == 0) {
			if (want(y, v, Y_SCALAR, "version") != 0)
				return y->err->code;
			if (strcmp(v->value, "1") != 0)
				return yerr(y, v->line, v->col,
				    "unsupported policy version \"%s\"",
				    v->value);
		} else if (strcmp(k->value, "fail-on") == 0) {
			if (want(y, v, Y_SCALAR, "fail-on") != 0)
				return y->err->code;
			if (strcmp(v->value, "none") == 0)
				p->fail_on = -1;
			else if (severity_parse(v->value, &sev) != 0 ||
			    sev == SEV_INFO)
				return yerr(y, v->line, v->col,
				    "fail-on must be critical, high, medium, "
				    "low or none");
			else
				p->fail_on = (int)sev;
		} else if (strcmp(k->value, "ignore") == 0) {
			if (read_checks(y, v, &p->ignore, "ignore") != 0)
				return y->err->code;
		} else if (strcmp(k->value, "severity") == 0) {
			if (want(y, v, Y_MAP, "severity") != 0)
				return y->err->code;
			for (j = 0; j + 1 < v->nkids; j += 2) {
				const struct ynode *ck = v->kids[j],
						   *cv = v->kids[j + 1];
				if (check_pattern(y, ck) != 0)
					return y->err->code;
				if (want(y, cv, Y_SCALAR, "a severity") != 0)
					return y->err->code;
				if (severity_parse(cv->value, &sev) != 0)
					return yerr(y, cv->line, cv->col,
					    "unknown severity \"%s\" (use "
					    "critical, high, medium, low or "
					    "info)",
					    cv->value);
				p->sev = xreallocarray(
				    p->sev, p->nsev + 1, sizeof(*p->sev));
				p->sev[p->nsev].pattern = xstrdup(ck->value);
				p->sev[p->nsev++].sev = sev;
			}
		} else if (strcmp(k->value, "allow") == 0) {
			if (want(y, v, Y_SEQ, "allow") != 0)
				return y->err->code;
			for (j = 0; j < v->nkids; j++) {
				p->allow = xreallocarray(
				    p->allow, p->nallow + 1, sizeof(*p->allow));
				memset(
				    &p->allow[p->nallow], 0, sizeof(*p->allow));
				p->nallow++;
				if (read_allow(y, v->kids[j],
					&p->allow[p->nallow - 1]) != 0)
					return y->err->code;
			}
		} else
			return yerr(y, k->line, k->col,
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
	struct ynode *root = NULL;
	struct yload y;
	int r;

	memset(p, 0, sizeof(*p));
	p->fail_on = -1;
	memset(&y, 0, sizeof(y));
	y.name = name;
	y.err = err;
	if (len > POLICY_MAX_SIZE)
		return err_set(err, ERR_TOOBIG,
		    "policy \"%s\" is over %zu bytes", name, POLICY_MAX_SIZE);
	if ((r = load(&y, data, len, &root)) == 0)
		r = interpret(&y, root, p);
	ynode_free(root);
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
