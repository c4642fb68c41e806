/* inventory-ansible.c: Ansible's YAML inventory (see inventory.h). */
#include "common/compat.h"

#include "common/xmalloc.h"
#include "ctxmgr/inventory-int.h"

/* Ansible's YAML inventory. */

#define ANSIBLE_MAX_GROUPS 5000
#define ANSIBLE_MAX_NESTING 64
#define HOST_SLOTS (1u << 15) /* > 3 * INVENTORY_MAX_HOSTS */

struct agroup {
	char *name;
	struct strv parents;
	const struct ynode **vars; /* mappings of variables, in order */
	size_t nvars;
	int depth;
};

struct ahost {
	char *name;
	const struct ynode **vars;
	size_t nvars;
	struct strv groups; /* the groups that list it */
	const struct ynode *at;
};

struct ansible {
	struct reader *rd;
	struct agroup *groups;
	size_t ngroups;
	struct ahost *hosts;
	size_t nhosts;
	uint32_t *slots; /* host index + 1, open addressing */
};

static void
push_vars(const struct ynode ***v, size_t *n, const struct ynode *m)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = m;
}

static void
strv_add_unique(struct strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return;
	strv_push(sv, s);
}

static struct agroup *
group_get(struct ansible *a, const char *name, const struct ynode *at, int *rp)
{
	size_t i;

	*rp = 0;
	for (i = 0; i < a->ngroups; i++)
		if (strcmp(a->groups[i].name, name) == 0)
			return &a->groups[i];
	if (a->ngroups >= ANSIBLE_MAX_GROUPS) {
		*rp = ydoc_error(a->rd->d, at, a->rd->err, ERR_TOOBIG,
		    "more than %d groups", ANSIBLE_MAX_GROUPS);
		return NULL;
	}
	a->groups =
	    xreallocarray(a->groups, a->ngroups + 1, sizeof(*a->groups));
	memset(&a->groups[a->ngroups], 0, sizeof(a->groups[0]));
	a->groups[a->ngroups].name = xstrdup(name);
	return &a->groups[a->ngroups++];
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct ahost *
host_get(struct ansible *a, const char *name, const struct ynode *at, int *rp)
{
	uint32_t i = hash(name) & (HOST_SLOTS - 1);
	struct ahost *h;

	*rp = 0;
	for (; a->slots[i] != 0; i = (i + 1) & (HOST_SLOTS - 1))
		if (strcmp(a->hosts[a->slots[i] - 1].name, name) == 0)
			return &a->hosts[a->slots[i] - 1];
	if (a->nhosts >= INVENTORY_MAX_HOSTS) {
		*rp = ydoc_error(a->rd->d, at, a->rd->err, ERR_TOOBIG,
		    "more than %d hosts", INVENTORY_MAX_HOSTS);
		return NULL;
	}
	a->hosts = xreallocarray(a->hosts, a->nhosts + 1, sizeof(*a->hosts));
	h = &a->hosts[a->nhosts];
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	h->at = at;
	a->slots[i] = (uint32_t)++a->nhosts;
	return h;
}

static int
expand(const char *pattern, size_t max, struct strv *out, struct cm_err *err,
    int depth)
{
	const char *open = strchr(pattern, '['), *close, *c1, *c2;
	char lo[32], hi[32], *pre, *rest;
	long long a, b, step = 1, v;
	int width = 0, alpha, r = 0;

	if (open == NULL) {
		if (out->n >= max)
			return err_set(err, ERR_TOOBIG,
			    "host pattern \"%s\" gives more than %zu names",
			    pattern, max);
		strv_push(out, pattern);
		return 0;
	}
	if (depth > 4 || (close = strchr(open, ']')) == NULL ||
	    (c1 = memchr(open, ':', (size_t)(close - open))) == NULL)
		return err_set(err, ERR_INVALID,
		    "malformed host range in \"%s\"", pattern);
	c2 = memchr(c1 + 1, ':', (size_t)(close - c1 - 1));
	if ((size_t)(c1 - open - 1) >= sizeof(lo) ||
	    (size_t)((c2 ? c2 : close) - c1 - 1) >= sizeof(hi))
		return err_set(err, ERR_INVALID,
		    "malformed host range in \"%s\"", pattern);
	memcpy(lo, open + 1, (size_t)(c1 - open - 1));
	lo[c1 - open - 1] = '\0';
	memcpy(hi, c1 + 1, (size_t)((c2 ? c2 : close) - c1 - 1));
	hi[(c2 ? c2 : close) - c1 - 1] = '\0';
	if (c2 != NULL) {
		char st[32];
		if ((size_t)(close - c2 - 1) >= sizeof(st))
			return err_set(err, ERR_INVALID,
			    "malformed host range in \"%s\"", pattern);
		memcpy(st, c2 + 1, (size_t)(close - c2 - 1));
		st[close - c2 - 1] = '\0';
		if (parse_int(st, 1, 1000000, &step) != 0)
			return err_set(err, ERR_INVALID,
			    "bad step in host range \"%s\"", pattern);
	}
	alpha = strlen(lo) == 1 && strlen(hi) == 1 &&
	    ((lo[0] >= 'a' && lo[0] <= 'z') || (lo[0] >= 'A' && lo[0] <= 'Z'));
	if (alpha) {
		a = lo[0];
		b = hi[0];
	} else if (parse_int(lo, 0, 999999999, &a) != 0 ||
	    parse_int(hi, 0, 999999999, &b) != 0)
		return err_set(err, ERR_INVALID,
		    "malformed host range in \"%s\"", pattern);
	else if (lo[0] == '0' && lo[1] != '\0')
		width = (int)strlen(lo);
	if (b < a)
		return err_set(err, ERR_INVALID,
		    "host range \"%s\" ends before it starts", pattern);
	if ((b - a) / step + 1 > (long long)max)
		return err_set(err, ERR_TOOBIG,
		    "host pattern \"%s\" gives more than %zu names", pattern,
		    max);
	pre = xstrndup(pattern, (size_t)(open - pattern));
	for (v = a; v <= b && r == 0; v += step) {
		if (alpha)
			rest = xasprintf("%s%c%s", pre, (char)v, close + 1);
		else
			rest =
			    xasprintf("%s%0*lld%s", pre, width, v, close + 1);
		r = expand(rest, max, out, err, depth + 1);
		free(rest);
	}
	free(pre);
	return r;
}

int
inventory_expand_range(
    const char *pattern, size_t max, struct strv *out, struct cm_err *err)
{
	return expand(pattern, max, out, err, 0);
}

static int parse_group(struct ansible *a, const struct ynode *key,
    const struct ynode *body, const char *parent, int depth);

static int
group_hosts(struct ansible *a, const char *gname, const struct ynode *hosts)
{
	struct reader *rd = a->rd;
	struct strv names = { 0 };
	size_t i, j;
	int r = 0;

	if (ynode_is_null(hosts))
		return 0;
	if (hosts->type != YNODE_MAP)
		return ydoc_error(rd->d, hosts, rd->err, ERR_INVALID,
		    "\"hosts\" of group \"%s\" must be a mapping, not %s",
		    gname, ynode_kind(hosts));
	for (i = 0; i < hosts->n && r == 0; i++) {
		const struct ynode *k = hosts->items[2 * i];
		const struct ynode *v = hosts->items[2 * i + 1];
		if (!ynode_is_null(v) && v->type != YNODE_MAP) {
			r = ydoc_error(rd->d, v, rd->err, ERR_INVALID,
			    "the variables of host \"%s\" must be a mapping, "
			    "not %s",
			    k->value, ynode_kind(v));
			break;
		}
		if (str_has_ctrl(k->value) || k->len == 0) {
			r = ydoc_error(rd->d, k, rd->err, ERR_INVALID,
			    "a host name must not be empty or hold control "
			    "characters");
			break;
		}
		strv_free(&names);
		if ((r = inventory_expand_range(k->value, INVENTORY_MAX_HOSTS,
			 &names, rd->err)) != 0) {
			r = ydoc_error(
			    rd->d, k, rd->err, r, "%s", rd->err->msg);
			break;
		}
		for (j = 0; j < names.n && r == 0; j++) {
			struct ahost *h = host_get(a, names.v[j], k, &r);
			if (h == NULL)
				break;
			strv_add_unique(&h->groups, gname);
			if (!ynode_is_null(v))
				push_vars(&h->vars, &h->nvars, v);
		}
	}
	strv_free(&names);
	return r;
}

static int
parse_group(struct ansible *a, const struct ynode *key,
    const struct ynode *body, const char *parent, int depth)
{
	struct reader *rd = a->rd;
	const struct ynode *v;
	struct agroup *g;
	char *name;
	size_t i;
	int r;

	if (depth > ANSIBLE_MAX_NESTING)
		return ydoc_error(rd->d, key, rd->err, ERR_INVALID,
		    "groups nested deeper than %d levels", ANSIBLE_MAX_NESTING);
	if (key->len == 0 || str_has_ctrl(key->value))
		return ydoc_error(rd->d, key, rd->err, ERR_INVALID,
		    "a group name must not be empty or hold control "
		    "characters");
	if ((g = group_get(a, key->value, key, &r)) == NULL)
		return r;
	name = xstrdup(g->name);
	if (parent != NULL)
		strv_add_unique(&g->parents, parent);
	r = 0;
	if (ynode_is_null(body))
		goto out;
	if (body->type != YNODE_MAP) {
		r = ydoc_error(rd->d, body, rd->err, ERR_INVALID,
		    "group \"%s\" must be a mapping of hosts, children and "
		    "vars, not %s",
		    name, ynode_kind(body));
		goto out;
	}
	for (i = 0; i < body->n; i++) {
		const struct ynode *k = body->items[2 * i];
		if (strcmp(k->value, "hosts") != 0 &&
		    strcmp(k->value, "children") != 0 &&
		    strcmp(k->value, "vars") != 0) {
			r = ydoc_error(rd->d, k, rd->err, ERR_INVALID,
			    "unknown key \"%s\" in group \"%s\" (expected "
			    "hosts, children or vars)",
			    k->value, name);
			goto out;
		}
	}
	if ((v = ynode_get(body, "vars")) != NULL && !ynode_is_null(v)) {
		if (v->type != YNODE_MAP) {
			r = ydoc_error(rd->d, v, rd->err, ERR_INVALID,
			    "\"vars\" of group \"%s\" must be a mapping, not "
			    "%s",
			    name, ynode_kind(v));
			goto out;
		}
		g = group_get(a, name, key, &r);
		push_vars(&g->vars, &g->nvars, v);
	}
	if ((r = group_hosts(a, name, ynode_get(body, "hosts"))) != 0)
		goto out;
	if ((v = ynode_get(body, "children")) != NULL && !ynode_is_null(v)) {
		if (v->type != YNODE_MAP) {
			r = ydoc_error(rd->d, v, rd->err, ERR_INVALID,
			    "\"children\" of group \"%s\" must be a mapping, "
			    "not %s",
			    name, ynode_kind(v));
			goto out;
		}
		for (i = 0; i < v->n && r == 0; i++)
			r = parse_group(a, v->items[2 * i], v->items[2 * i + 1],
			    name, depth + 1);
	}
out:
	free(name);
	return r;
}

static struct agroup *
group_find(struct ansible *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->ngroups; i++)
		if (strcmp(a->groups[i].name, name) == 0)
			return &a->groups[i];
	return NULL;
}

/* Depth from "all", as Ansible orders variable precedence. */
static int
group_depths(struct ansible *a)
{
	size_t round, i, j;
	int changed = 1;

	for (i = 0; i < a->ngroups; i++)
		a->groups[i].depth = strcmp(a->groups[i].name, "all") ? 1 : 0;
	for (round = 0; changed && round <= a->ngroups; round++) {
		changed = 0;
		for (i = 0; i < a->ngroups; i++) {
			struct agroup *g = &a->groups[i];
			for (j = 0; j < g->parents.n; j++) {
				struct agroup *p =
				    group_find(a, g->parents.v[j]);
				if (p != NULL && p->depth + 1 > g->depth &&
				    strcmp(g->name, "all") != 0) {
					g->depth = p->depth + 1;
					changed = 1;
				}
			}
		}
	}
	if (changed) {
		for (i = 0; i < a->ngroups; i++)
			if (a->groups[i].depth > (int)a->ngroups)
				break;
		return err_set(a->rd->err, ERR_INVALID,
		    "%s: groups are children of each other in a cycle (at "
		    "\"%s\")",
		    a->rd->d->name, a->groups[i < a->ngroups ? i : 0].name);
	}
	return 0;
}

static int
cmp_group(const void *x, const void *y)
{
	const struct agroup *a = *(struct agroup *const *)x;
	const struct agroup *b = *(struct agroup *const *)y;

	if (a->depth != b->depth)
		return a->depth < b->depth ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The variables ctxmgr reads, each the last value set. */
struct hostvars {
	const struct ynode *host, *user, *port, *key, *conn, *desc, *socket;
};

static void
take_vars(const struct ynode *m, struct hostvars *hv)
{
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ "ansible_host", offsetof(struct hostvars, host) },
		{ "ansible_ssh_host", offsetof(struct hostvars, host) },
		{ "ansible_user", offsetof(struct hostvars, user) },
		{ "ansible_ssh_user", offsetof(struct hostvars, user) },
		{ "ansible_port", offsetof(struct hostvars, port) },
		{ "ansible_ssh_port", offsetof(struct hostvars, port) },
		{ "ansible_ssh_private_key_file",
		    offsetof(struct hostvars, key) },
		{ "ansible_private_key_file", offsetof(struct hostvars, key) },
		{ "ansible_connection", offsetof(struct hostvars, conn) },
		{ "ctxmgr_description", offsetof(struct hostvars, desc) },
		{ "ctxmgr_docker_socket", offsetof(struct hostvars, socket) },
	};
	size_t i, k;

	for (i = 0; i < m->n; i++)
		for (k = 0; k < nitems(known); k++)
			if (strcmp(m->items[2 * i]->value, known[k].name) == 0)
				*(const struct ynode **)((char *)hv +
				    known[k].off) = m->items[2 * i + 1];
}

static int
ansible_host(struct ansible *a, struct ahost *ah)
{
	struct reader *rd = a->rd;
	struct agroup **chain = NULL;
	struct hostvars hv;
	struct strv todo = { 0 }, seen = { 0 };
	const char *host = ah->name, *user = NULL, *s, *socket = NULL;
	struct inv_host *h;
	long long port = 0;
	size_t i, j, n = 0;
	int r = 0;

	/* the groups above the host, "all" always among them */
	strv_push(&todo, "all");
	for (i = 0; i < ah->groups.n; i++)
		strv_push(&todo, ah->groups.v[i]);
	for (i = 0; i < todo.n; i++) {
		struct agroup *g = group_find(a, todo.v[i]);
		if (g == NULL)
			continue;
		for (j = 0; j < seen.n; j++)
			if (strcmp(seen.v[j], g->name) == 0)
				break;
		if (j < seen.n)
			continue;
		strv_push(&seen, g->name);
		chain = xreallocarray(chain, n + 1, sizeof(*chain));
		chain[n++] = g;
		for (j = 0; j < g->parents.n; j++)
			strv_push(&todo, g->parents.v[j]);
	}
	if (n > 1)
		qsort(chain, n, sizeof(*chain), cmp_group);
	memset(&hv, 0, sizeof(hv));
	for (i = 0; i < n; i++)
		for (j = 0; j < chain[i]->nvars; j++)
			take_vars(chain[i]->vars[j], &hv);
	for (i = 0; i < ah->nvars; i++)
		take_vars(ah->vars[i], &hv);

	if (hv.conn != NULL &&
	    (r = inv_text(rd, hv.conn, "ansible_connection", &s)) != 0)
		goto out;
	if (hv.conn != NULL && strcmp(s, "ssh") != 0 &&
	    strcmp(s, "paramiko") != 0 && strcmp(s, "smart") != 0 &&
	    strcmp(s, "ansible.builtin.ssh") != 0) {
		inv_note(rd, ah->at,
		    "host \"%s\" uses connection \"%s\", not ssh: "
		    "skipped",
		    ah->name, s);
		goto out;
	}
	if ((hv.host != NULL &&
		(r = inv_text(rd, hv.host, "ansible_host", &host)) != 0) ||
	    (hv.user != NULL &&
		(r = inv_text(rd, hv.user, "ansible_user", &user)) != 0) ||
	    (hv.port != NULL &&
		(r = ynode_int(rd->d, hv.port, "ansible_port", 1, 65535, &port,
		     rd->err)) != 0) ||
	    (hv.socket != NULL &&
		(r = inv_text(
		     rd, hv.socket, "ctxmgr_docker_socket", &socket)) != 0))
		goto out;
	if (socket != NULL && socket[0] != '/') {
		r = ydoc_error(rd->d, hv.socket, rd->err, ERR_INVALID,
		    "\"ctxmgr_docker_socket\" must be an absolute path");
		goto out;
	}
	if ((r = inv_new_host(rd, ah->at, ah->name, &h)) != 0)
		goto out;
	if ((r = inv_make_endpoint(rd, hv.host ? hv.host : ah->at, host, user,
		 port, socket, &h->endpoint)) != 0)
		goto out;
	if (hv.key != NULL) {
		if ((r = inv_text(
			 rd, hv.key, "ansible_ssh_private_key_file", &s)) != 0)
			goto out;
		h->identity = xstrdup(s);
	}
	if (hv.desc != NULL) {
		if ((r = inv_text(rd, hv.desc, "ctxmgr_description", &s)) != 0)
			goto out;
		h->description = xstrdup(s);
	}
	for (i = 0; i < seen.n; i++)
		if (strcmp(seen.v[i], "all") != 0 &&
		    strcmp(seen.v[i], "ungrouped") != 0)
			strv_push(&h->tags, seen.v[i]);
	strv_sort(&h->tags);
out:
	free(chain);
	strv_free(&todo);
	strv_free(&seen);
	return r;
}

int
inv_read_ansible(struct reader *rd, const struct ynode *root)
{
	struct ansible a;
	size_t i;
	int r = 0;

	memset(&a, 0, sizeof(a));
	a.rd = rd;
	a.slots = xcalloc(HOST_SLOTS, sizeof(*a.slots));
	for (i = 0; i < root->n && r == 0; i++)
		r = parse_group(
		    &a, root->items[2 * i], root->items[2 * i + 1], NULL, 0);
	if (r == 0)
		r = group_depths(&a);
	for (i = 0; i < a.nhosts && r == 0; i++)
		r = ansible_host(&a, &a.hosts[i]);
	for (i = 0; i < a.ngroups; i++) {
		free(a.groups[i].name);
		strv_free(&a.groups[i].parents);
		free(a.groups[i].vars);
	}
	for (i = 0; i < a.nhosts; i++) {
		free(a.hosts[i].name);
		free(a.hosts[i].vars);
		strv_free(&a.hosts[i].groups);
	}
	free(a.groups);
	free(a.hosts);
	free(a.slots);
	return r;
}
