/* ydoc.c: bounded YAML trees with positions (see ydoc.h). */
#include "common/compat.h"

#include <strings.h>

#include <yaml.h>

#include "common/util.h"
#include "common/xmalloc.h"
#include "common/ydoc.h"

struct anchor {
	char *name;
	struct ynode *node;
};

struct frame {
	struct ynode *node;
	char *anchor;
	size_t cap;
};

struct builder {
	struct ydoc *d;
	struct frame stack[YDOC_MAX_DEPTH];
	int depth;
	struct anchor *anchors;
	size_t nanchors;
	unsigned flags;
	struct cm_err *err;
};

int
ydoc_error(const struct ydoc *d, const struct ynode *n, struct cm_err *err,
    int code, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n != NULL)
		return err_set(
		    err, code, "%s:%d:%d: %s", d->name, n->line, n->col, msg);
	return err_set(err, code, "%s: %s", d->name, msg);
}

static int error_at(struct builder *b, const yaml_mark_t *m, const char *fmt,
    ...) PRINTFLIKE(3, 4);

static int
error_at(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[sizeof(b->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(b->err, ERR_INVALID, "%s:%zu:%zu: %s", b->d->name,
	    m->line + 1, m->column + 1, msg);
}

static struct ynode *
node_new(struct builder *b, enum ynode_type type, const yaml_mark_t *m)
{
	struct ydoc *d = b->d;
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->type = type;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	n->weight = 1;
	if (d->nall == d->capall) {
		d->capall = d->capall ? d->capall * 2 : 64;
		d->all = xreallocarray(d->all, d->capall, sizeof(*d->all));
	}
	d->all[d->nall++] = n;
	return n;
}

static size_t
sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Hang a finished node under the open container (or make it the root). */
static int
attach(struct builder *b, struct ynode *n, const yaml_mark_t *m)
{
	struct frame *f;

	if (b->depth == 0) {
		b->d->root = n;
		if (n->weight > YDOC_MAX_NODES)
			goto toobig;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->node->items = xreallocarray(
		    f->node->items, f->cap, sizeof(*f->node->items));
	}
	f->node->items[f->node->n++] = n;
	f->node->weight = sat_add(f->node->weight, n->weight);
	if (f->node->weight > YDOC_MAX_NODES)
		goto toobig;
	return 0;
toobig:
	return error_at(b, m,
	    "document too large: more than %d nodes (aliases counted as "
	    "their copies)",
	    YDOC_MAX_NODES);
}

static void
add_anchor(struct builder *b, const char *name, struct ynode *n)
{
	b->anchors =
	    xreallocarray(b->anchors, b->nanchors + 1, sizeof(*b->anchors));
	b->anchors[b->nanchors].name = xstrdup(name);
	b->anchors[b->nanchors].node = n;
	b->nanchors++;
}

static struct ynode *
find_anchor(struct builder *b, const char *name)
{
	size_t i;

	/* the latest definition wins, as in YAML */
	for (i = b->nanchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return b->anchors[i - 1].node;
	return NULL;
}

struct keyref {
	const struct ynode *key;
	const struct ynode *value;
	size_t order;
	int merged;
};

static int
cmp_key(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
	int c = memcmp(x->key->value, y->key->value, n);

	if (c != 0)
		return c;
	if (x->key->len != y->key->len)
		return x->key->len < y->key->len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
cmp_order(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static int
is_merge_key(const struct ynode *k)
{
	return k->plain && k->len == 2 && memcmp(k->value, "<<", 2) == 0;
}

/* Push the pairs of mapping `src` (merged in) onto refs. */
static void
push_pairs(const struct ynode *src, struct keyref **refs, size_t *n,
    size_t *cap, int merged)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*refs = xreallocarray(*refs, *cap, sizeof(**refs));
		}
		(*refs)[*n].key = src->items[2 * i];
		(*refs)[*n].value = src->items[2 * i + 1];
		(*refs)[*n].order = *n;
		(*refs)[*n].merged = merged;
		(*n)++;
	}
}

/*
 * A finished mapping: keys must be scalars and unique; "<<" merges the
 * pairs of the mapping(s) it names, explicit keys winning.
 */
static int
finish_map(struct builder *b, struct ynode *m)
{
	struct keyref *refs = NULL;
	struct ynode tmp, **items;
	size_t n = 0, cap = 0, i, j, out;
	int r = 0;

	memset(&tmp, 0, sizeof(tmp));
	tmp.items = m->items;
	for (i = 0; i < m->n / 2; i++) {
		struct ynode *k = m->items[2 * i], *v = m->items[2 * i + 1];
		if (k->type != YNODE_SCALAR) {
			r = ydoc_error(b->d, k, b->err, ERR_INVALID,
			    "a mapping key must be a string, not %s",
			    ynode_kind(k));
			goto out;
		}
		if (!is_merge_key(k))
			continue;
		if (v->type == YNODE_SEQ) {
			for (j = 0; j < v->n; j++)
				if (v->items[j]->type != YNODE_MAP) {
					r = ydoc_error(b->d, v->items[j],
					    b->err, ERR_INVALID,
					    "\"<<\" merges mappings, not %s",
					    ynode_kind(v->items[j]));
					goto out;
				}
		} else if (v->type != YNODE_MAP) {
			r = ydoc_error(b->d, v, b->err, ERR_INVALID,
			    "\"<<\" merges mappings, not %s", ynode_kind(v));
			goto out;
		}
	}
	/* explicit pairs first, so they win over merged ones */
	for (i = 0; i < m->n / 2; i++) {
		tmp.items = m->items + 2 * i;
		tmp.n = 1;
		if (!is_merge_key(m->items[2 * i]))
			push_pairs(&tmp, &refs, &n, &cap, 0);
	}
	for (i = 0; i < m->n / 2; i++) {
		struct ynode *v = m->items[2 * i + 1];
		if (!is_merge_key(m->items[2 * i]))
			continue;
		if (v->type == YNODE_MAP)
			push_pairs(v, &refs, &n, &cap, 1);
		else
			for (j = 0; j < v->n; j++)
				push_pairs(v->items[j], &refs, &n, &cap, 1);
	}
	if (n > 1)
		qsort(refs, n, sizeof(*refs), cmp_key);
	for (i = 1; i < n; i++) {
		if (refs[i].key->len != refs[i - 1].key->len ||
		    memcmp(refs[i].key->value, refs[i - 1].key->value,
			refs[i].key->len) != 0)
			continue;
		if (!refs[i].merged && !refs[i - 1].merged) {
			r = ydoc_error(b->d, refs[i].key, b->err, ERR_INVALID,
			    "duplicate key \"%s\" (first at line %d)",
			    refs[i].key->value, refs[i - 1].key->line);
			goto out;
		}
	}
	/* keep the first of each key, then restore the written order */
	for (i = 0, out = 0; i < n; i++)
		if (i == 0 || refs[i].key->len != refs[out - 1].key->len ||
		    memcmp(refs[i].key->value, refs[out - 1].key->value,
			refs[i].key->len) != 0)
			refs[out++] = refs[i];
	n = out;
	if (n > 1)
		qsort(refs, n, sizeof(*refs), cmp_order);
	items = xcalloc(2 * n + 1, sizeof(*items));
	m->weight = 1;
	for (i = 0; i < n; i++) {
		items[2 * i] = (struct ynode *)refs[i].key;
		items[2 * i + 1] = (struct ynode *)refs[i].value;
		m->weight = sat_add(m->weight,
		    sat_add(refs[i].key->weight, refs[i].value->weight));
	}
	free(m->items);
	m->items = items;
	m->n = n;
out:
	free(refs);
	return r;
}

static char *
dup_text(const yaml_char_t *s)
{
	return s != NULL ? xstrdup((const char *)s) : NULL;
}

static int
on_event(struct builder *b, yaml_event_t *ev, int *ndocs)
{
	struct ynode *n;
	struct frame *f;
	const char *anchor = NULL;
	int r;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndocs > 1)
			return error_at(b, &ev->start_mark,
			    "more than one YAML document in the file");
		return 0;
	case YAML_ALIAS_EVENT:
		if (b->flags & YDOC_NO_ALIASES)
			return error_at(
			    b, &ev->start_mark, "aliases are not allowed");
		n = find_anchor(b, (const char *)ev->data.alias.anchor);
		if (n == NULL)
			return error_at(b, &ev->start_mark,
			    "alias \"*%s\" names no finished anchor (it is "
			    "undefined or refers to itself)",
			    ev->data.alias.anchor);
		return attach(b, n, &ev->start_mark);
	case YAML_SCALAR_EVENT:
		n = node_new(b, YNODE_SCALAR, &ev->start_mark);
		n->len = ev->data.scalar.length;
		n->value =
		    xstrndup((const char *)ev->data.scalar.value, n->len);
		n->tag = dup_text(ev->data.scalar.tag);
		n->plain = ev->data.scalar.plain_implicit &&
		    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen(n->value) != n->len)
			return error_at(b, &ev->start_mark,
			    "a NUL character inside a string");
		if (ev->data.scalar.anchor != NULL) {
			if (b->flags & YDOC_NO_ALIASES)
				return error_at(b, &ev->start_mark,
				    "anchors are not allowed");
			add_anchor(b, (const char *)ev->data.scalar.anchor, n);
		}
		return attach(b, n, &ev->start_mark);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (b->depth == YDOC_MAX_DEPTH)
			return error_at(b, &ev->start_mark,
			    "nested deeper than %d levels", YDOC_MAX_DEPTH);
		n = node_new(b,
		    ev->type == YAML_SEQUENCE_START_EVENT ? YNODE_SEQ
							  : YNODE_MAP,
		    &ev->start_mark);
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			n->tag = dup_text(ev->data.sequence_start.tag);
			anchor = (const char *)ev->data.sequence_start.anchor;
		} else {
			n->tag = dup_text(ev->data.mapping_start.tag);
			anchor = (const char *)ev->data.mapping_start.anchor;
		}
		if (anchor != NULL && (b->flags & YDOC_NO_ALIASES))
			return error_at(
			    b, &ev->start_mark, "anchors are not allowed");
		f = &b->stack[b->depth++];
		f->node = n;
		f->cap = 0;
		f->anchor = anchor != NULL ? xstrdup(anchor) : NULL;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		f = &b->stack[--b->depth];
		n = f->node;
		if (n->type == YNODE_MAP) {
			/* items are key, value, key, value... until here */
			if ((r = finish_map(b, n)) != 0) {
				free(f->anchor);
				f->anchor = NULL;
				return r;
			}
		}
		if (f->anchor != NULL) {
			add_anchor(b, f->anchor, n);
			free(f->anchor);
			f->anchor = NULL;
		}
		return attach(b, n, &ev->end_mark);
	default:
		return 0;
	}
}

int
ydoc_parse(const char *data, size_t len, const char *name, struct ydoc **docp,
    struct cm_err *err)
{
	return ydoc_parse_flags(data, len, name, 0, docp, err);
}

int
ydoc_parse_flags(const char *data, size_t len, const char *name, unsigned flags,
    struct ydoc **docp, struct cm_err *err)
{
	struct builder b;
	yaml_parser_t p;
	yaml_event_t ev;
	int r = 0, done = 0, ndocs = 0;
	size_t i;

	*docp = NULL;
	memset(&b, 0, sizeof(b));
	b.d = xcalloc(1, sizeof(*b.d));
	b.d->name = xstrdup(name);
	b.flags = flags;
	b.err = err;
	if (!yaml_parser_initialize(&p)) {
		ydoc_free(b.d);
		return err_set(err, ERR_NOMEM, "cannot start the YAML parser");
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!done && r == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_mark_t m = p.problem_mark;
			if (p.context != NULL)
				r = error_at(&b, &m, "%s (%s)",
				    p.problem ? p.problem : "syntax error",
				    p.context);
			else
				r = error_at(&b, &m, "%s",
				    p.problem ? p.problem : "syntax error");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		r = on_event(&b, &ev, &ndocs);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	for (i = 0; i < (size_t)b.depth; i++)
		free(b.stack[i].anchor);
	for (i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	if (r != 0) {
		ydoc_free(b.d);
		return r;
	}
	*docp = b.d;
	return 0;
}

struct ydoc *
ydoc_new(const char *name)
{
	struct ydoc *d = xcalloc(1, sizeof(*d));

	d->name = xstrdup(name);
	return d;
}

struct ynode *
ydoc_node(
    struct ydoc *d, enum ynode_type type, const char *value, int line, int col)
{
	struct builder b;
	yaml_mark_t m;
	struct ynode *n;

	memset(&b, 0, sizeof(b));
	memset(&m, 0, sizeof(m));
	b.d = d;
	m.line = line > 0 ? (size_t)line - 1 : 0;
	m.column = col > 0 ? (size_t)col - 1 : 0;
	n = node_new(&b, type, &m);
	if (type == YNODE_SCALAR) {
		n->value = xstrdup(value != NULL ? value : "");
		n->len = strlen(n->value);
		n->plain = 1;
	}
	return n;
}

/* Room for item number `used`: capacities are 8 and its doublings. */
static void
grow(struct ynode *n, size_t used)
{
	if (used == 0)
		n->items = xreallocarray(n->items, 8, sizeof(*n->items));
	else if (used >= 8 && (used & (used - 1)) == 0)
		n->items = xreallocarray(n->items, used * 2, sizeof(*n->items));
}

void
ynode_push(struct ynode *seq, struct ynode *item)
{
	grow(seq, seq->n);
	seq->items[seq->n++] = item;
	seq->weight = sat_add(seq->weight, item->weight);
}

void
ynode_put(struct ynode *map, struct ynode *key, struct ynode *value)
{
	grow(map, 2 * map->n);
	map->items[2 * map->n] = key;
	grow(map, 2 * map->n + 1);
	map->items[2 * map->n + 1] = value;
	map->n++;
	map->weight = sat_add(map->weight, key->weight + value->weight);
}

void
ydoc_free(struct ydoc *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nall; i++) {
		free(d->all[i]->value);
		free(d->all[i]->tag);
		free(d->all[i]->items);
		free(d->all[i]);
	}
	free(d->all);
	free(d->name);
	free(d);
}

int
ynode_is_null(const struct ynode *n)
{
	return n == NULL ||
	    (n->type == YNODE_SCALAR && n->plain &&
		(n->len == 0 || strcmp(n->value, "~") == 0 ||
		    strcasecmp(n->value, "null") == 0));
}

static int
is_bool_word(const char *s, int *val)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	size_t i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*val = 1;
			return 1;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*val = 0;
			return 1;
		}
	}
	return 0;
}

const char *
ynode_kind(const struct ynode *n)
{
	long long v;
	int b;

	if (n == NULL || ynode_is_null(n))
		return "null";
	if (n->type == YNODE_MAP)
		return "a mapping";
	if (n->type == YNODE_SEQ)
		return "a list";
	if (n->plain && is_bool_word(n->value, &b))
		return "a boolean";
	if (n->plain && parse_int(n->value, INT64_MIN, INT64_MAX, &v) == 0)
		return "a number";
	return "a string";
}

struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	size_t i, len = strlen(key);

	if (map == NULL || map->type != YNODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (map->items[2 * i]->len == len &&
		    memcmp(map->items[2 * i]->value, key, len) == 0)
			return map->items[2 * i + 1];
	return NULL;
}

int
ynode_string(const struct ydoc *d, const struct ynode *n, const char *what,
    const char **out, struct cm_err *err)
{
	if (n == NULL || n->type != YNODE_SCALAR || ynode_is_null(n))
		return ydoc_error(d, n, err, ERR_INVALID,
		    "\"%s\" must be a string, not %s", what, ynode_kind(n));
	if (n->tag != NULL && strcmp(n->tag, "tag:yaml.org,2002:str") != 0)
		return ydoc_error(d, n, err, ERR_INVALID,
		    "\"%s\": values tagged %s are not supported", what, n->tag);
	*out = n->value;
	return 0;
}

/* The scalar quoted and cut short for a message, or its kind. */
static void
show_value(const struct ynode *n, char *out, size_t size)
{
	size_t i, o = 0;

	if (n == NULL || n->type != YNODE_SCALAR || ynode_is_null(n)) {
		snprintf(out, size, "%s", ynode_kind(n));
		return;
	}
	out[o++] = '"';
	for (i = 0; i < n->len && i < 40 && o + 5 < size; i++)
		out[o++] =
		    (unsigned char)n->value[i] < 0x20 ? '?' : n->value[i];
	if (i < n->len && o + 5 < size)
		o += (size_t)snprintf(out + o, size - o, "...");
	out[o++] = '"';
	out[o] = '\0';
}

int
ynode_int(const struct ydoc *d, const struct ynode *n, const char *what,
    long long min, long long max, long long *out, struct cm_err *err)
{
	char shown[64];

	if (n == NULL || n->type != YNODE_SCALAR ||
	    parse_int(n->value, min, max, out) != 0) {
		show_value(n, shown, sizeof(shown));
		return ydoc_error(d, n, err, ERR_INVALID,
		    "\"%s\" must be a whole number from %lld to %lld, not %s",
		    what, min, max, shown);
	}
	return 0;
}

int
ynode_bool(const struct ydoc *d, const struct ynode *n, const char *what,
    int *out, struct cm_err *err)
{
	if (n == NULL || n->type != YNODE_SCALAR || !n->plain ||
	    !is_bool_word(n->value, out))
		return ydoc_error(d, n, err, ERR_INVALID,
		    "\"%s\" must be true or false, not %s", what,
		    ynode_kind(n));
	return 0;
}
