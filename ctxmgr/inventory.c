/* inventory.c: host inventories, the parts every format shares (see
 * inventory.h; the formats are in inventory-*.c). */
#include "common/compat.h"

#include "common/endpoint.h"
#include "common/xmalloc.h"
#include "ctxmgr/inventory-int.h"
#include "ctxmgr/select.h"
#include "store/store.h"

const char *
inventory_format_name(enum inventory_format f)
{
	static const char *const names[] = { "ctxmgr", "listing", "ansible",
		"ansible-ini", "ansible-list", "ssh-config" };

	return names[f];
}

static void
host_release(struct inv_host *h)
{
	free(h->name);
	free(h->endpoint);
	free(h->description);
	free(h->identity);
	json_decref(h->settings);
	strv_free(&h->tags);
}

void
inventory_release(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		host_release(&inv->hosts[i]);
	free(inv->hosts);
	strv_free(&inv->notes);
	memset(inv, 0, sizeof(*inv));
}

void
inv_note(struct reader *rd, const struct ynode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strv_push_owned(&rd->inv->notes,
	    xasprintf("%s:%d:%d: %s", rd->d->name, n->line, n->col, msg));
}

/* A plain string: not empty, no control characters. */
int
inv_text(struct reader *rd, const struct ynode *n, const char *what,
    const char **out)
{
	int r;

	if ((r = ynode_string(rd->d, n, what, out, rd->err)) != 0)
		return r;
	if (**out == '\0' || str_has_ctrl(*out))
		return ydoc_error(rd->d, n, rd->err, ERR_INVALID,
		    "\"%s\" must not be empty or hold control characters",
		    what);
	if (strstr(*out, "{{") != NULL)
		return ydoc_error(rd->d, n, rd->err, ERR_INVALID,
		    "\"%s\": templated values are not supported", what);
	return 0;
}

int
inv_tag_list(struct reader *rd, const struct ynode *n, struct strv *tags)
{
	struct cm_err e2;
	const char *t;
	size_t i, j;
	int r;

	if (ynode_is_null(n))
		return 0;
	if (n->type != YNODE_SEQ)
		return ydoc_error(rd->d, n, rd->err, ERR_INVALID,
		    "\"tags\" must be a list of strings, not %s",
		    ynode_kind(n));
	for (i = 0; i < n->n; i++) {
		if ((r = inv_text(rd, n->items[i], "tags", &t)) != 0)
			return r;
		if (ctx_tag_check(t, &e2) != 0)
			return ydoc_error(rd->d, n->items[i], rd->err,
			    ERR_INVALID, "%s", e2.msg);
		for (j = 0; j < tags->n; j++)
			if (strcmp(tags->v[j], t) == 0)
				break;
		if (j == tags->n)
			strv_push(tags, t);
	}
	return 0;
}

/* ssh://[user@]host[:port][socket], checked. */
int
inv_make_endpoint(struct reader *rd, const struct ynode *at, const char *host,
    const char *user, long long port, const char *socket, char **out)
{
	struct endpoint ep;
	struct buf b;
	int r;

	buf_init(&b, 0);
	if (strstr(host, "://") != NULL) {
		if (user != NULL || port > 0 || socket != NULL) {
			buf_release(&b);
			return ydoc_error(rd->d, at, rd->err, ERR_INVALID,
			    "give user, port and socket inside the URL "
			    "\"%s\" or beside a plain host name, not both",
			    host);
		}
		buf_adds(&b, host);
	} else {
		buf_adds(&b, "ssh://");
		if (user != NULL)
			buf_printf(&b, "%s@", user);
		buf_printf(&b, strchr(host, ':') ? "[%s]" : "%s", host);
		if (port > 0)
			buf_printf(&b, ":%lld", port);
		if (socket != NULL)
			buf_adds(&b, socket);
	}
	r = endpoint_parse(b.data, &ep, rd->err);
	endpoint_free(&ep);
	if (r != 0) {
		char why[sizeof(rd->err->msg)];
		snprintf(why, sizeof(why), "%s", rd->err->msg);
		buf_release(&b);
		return ydoc_error(rd->d, at, rd->err, ERR_INVALID,
		    "not a usable endpoint: %s", why);
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

/* A new host entry named prefix+name, its name checked. */
int
inv_new_host(struct reader *rd, const struct ynode *at, const char *name,
    struct inv_host **hp)
{
	struct inventory *inv = rd->inv;
	struct inv_host *h;
	struct cm_err e2;
	char *full;

	if (inv->n >= INVENTORY_MAX_HOSTS)
		return ydoc_error(rd->d, at, rd->err, ERR_TOOBIG,
		    "more than %d hosts", INVENTORY_MAX_HOSTS);
	full = xasprintf("%s%s", rd->prefix ? rd->prefix : "", name);
	if (context_name_check(full, &e2) != 0) {
		free(full);
		return ydoc_error(
		    rd->d, at, rd->err, ERR_INVALID, "%s", e2.msg);
	}
	inv->hosts = xreallocarray(inv->hosts, inv->n + 1, sizeof(*inv->hosts));
	h = &inv->hosts[inv->n++];
	memset(h, 0, sizeof(*h));
	h->name = full;
	h->line = at->line;
	h->col = at->col;
	*hp = h;
	return 0;
}

int
inv_check_keys(struct reader *rd, const struct ynode *m,
    const char *const *keys, size_t nkeys, const char *where)
{
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		const struct ynode *key = m->items[2 * i];
		for (k = 0; k < nkeys; k++)
			if (strcmp(key->value, keys[k]) == 0)
				break;
		if (k == nkeys)
			return ydoc_error(rd->d, key, rd->err, ERR_INVALID,
			    "unknown key \"%s\" in %s", key->value, where);
	}
	return 0;
}

const struct ynode *
inv_pick(const struct ynode *m, const char *key, const struct ynode *def)
{
	const struct ynode *v = ynode_get(m, key);

	return v != NULL && !ynode_is_null(v) ? v : def;
}

static int
cmp_host_name(const void *a, const void *b)
{
	const struct inv_host *x = *(struct inv_host *const *)a;
	const struct inv_host *y = *(struct inv_host *const *)b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->line < y->line ? -1 : x->line > y->line);
}

static int
check_unique(struct reader *rd)
{
	struct inv_host **v;
	size_t i;
	int r = 0;

	if (rd->inv->n < 2)
		return 0;
	v = xcalloc(rd->inv->n, sizeof(*v));
	for (i = 0; i < rd->inv->n; i++)
		v[i] = &rd->inv->hosts[i];
	qsort(v, rd->inv->n, sizeof(*v), cmp_host_name);
	for (i = 1; i < rd->inv->n && r == 0; i++)
		if (strcmp(v[i]->name, v[i - 1]->name) == 0)
			r = err_set(rd->err, ERR_INVALID,
			    "%s:%d:%d: context \"%s\" is defined twice (first "
			    "at line %d)",
			    rd->d->name, v[i]->line, v[i]->col, v[i]->name,
			    v[i - 1]->line);
	free(v);
	return r;
}

int
inventory_parse(const char *data, size_t len, const char *name,
    const char *prefix, struct inventory *inv, struct cm_err *err)
{
	struct reader rd;
	struct defaults df;
	int r;

	memset(inv, 0, sizeof(*inv));
	memset(&df, 0, sizeof(df));
	if (len > INVENTORY_MAX_BYTES)
		return err_set(err, ERR_TOOBIG, "%s: larger than %zu bytes",
		    name, INVENTORY_MAX_BYTES);
	memset(&rd, 0, sizeof(rd));
	rd.prefix = prefix;
	rd.inv = inv;
	rd.err = err;
	if (inv_ini_looks_like(data, len)) {
		if ((r = inv_ini_tree(data, len, name, &rd.d, err)) != 0)
			return r;
		inv->format = INV_ANSIBLE_INI;
	} else if ((r = ydoc_parse(data, len, name, &rd.d, err)) != 0)
		return r;
	else if (!ynode_is_null(rd.d->root) &&
	    rd.d->root->type == YNODE_SCALAR) {
		/* "host1 ansible_host=..." alone reads as one YAML string */
		ydoc_free(rd.d);
		if ((r = inv_ini_tree(data, len, name, &rd.d, err)) != 0)
			return r;
		inv->format = INV_ANSIBLE_INI;
	}
	if (inv->format == INV_ANSIBLE_INI)
		r = inv_read_ansible(&rd, rd.d->root);
	else if (ynode_is_null(rd.d->root))
		r = err_set(err, ERR_INVALID, "%s: no hosts in the file", name);
	else if (rd.d->root->type == YNODE_SEQ) {
		inv->format = INV_CTXMGR;
		r = inv_read_list(&rd, rd.d->root, &df);
	} else if (rd.d->root->type == YNODE_MAP &&
	    inv_is_own_mapping(rd.d->root)) {
		inv->format = INV_CTXMGR;
		r = inv_read_own(&rd, rd.d->root);
	} else if (rd.d->root->type == YNODE_MAP &&
	    inv_list_json_looks_like(rd.d->root)) {
		inv->format = INV_ANSIBLE_LIST;
		if ((r = inv_list_json_tree(rd.d, err)) == 0)
			r = inv_read_ansible(&rd, rd.d->root);
	} else if (rd.d->root->type == YNODE_MAP) {
		inv->format = INV_ANSIBLE;
		r = inv_read_ansible(&rd, rd.d->root);
	} else
		r = ydoc_error(rd.d, rd.d->root, err, ERR_INVALID,
		    "an inventory is a list of hosts or a mapping of groups, "
		    "not %s",
		    ynode_kind(rd.d->root));
	if (r == 0)
		r = check_unique(&rd);
	if (r == 0 && inv->n == 0 && inv->notes.n == 0)
		r = err_set(err, ERR_INVALID, "%s: no hosts in the file", name);
	ydoc_free(rd.d);
	if (r != 0)
		inventory_release(inv);
	return r;
}
