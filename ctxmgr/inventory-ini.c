/*
 * inventory-ini.c: Ansible's INI inventories and the JSON that
 * `ansible-inventory --list` prints, each turned into the tree an Ansible
 * YAML inventory gives, so that one reader (inventory-ansible.c) applies
 * Ansible's rules to all three (see inventory.h).
 */
#include "common/compat.h"

#include "common/shellwords.h"
#include "common/xmalloc.h"
#include "ctxmgr/inventory-int.h"

#define INI_MAX_LINE ((size_t)64 << 10)

enum section { SEC_HOSTS, SEC_VARS, SEC_CHILDREN };

struct ini {
	struct ydoc *d;
	struct cm_err *err;
	int line;
};

static int ini_error(struct ini *in, const char *fmt, ...) PRINTFLIKE(2, 3);

static int
ini_error(struct ini *in, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(
	    in->err, ERR_INVALID, "%s:%d: %s", in->d->name, in->line, msg);
}

static struct ynode *
scalar(struct ini *in, const char *s)
{
	return ydoc_node(in->d, YNODE_SCALAR, s, in->line, 1);
}

/* The mapping under `key` of map `m`, made when missing. */
static struct ynode *
submap(struct ini *in, struct ynode *m, const char *key)
{
	struct ynode *v = ynode_get(m, key);

	if (v == NULL) {
		v = ydoc_node(in->d, YNODE_MAP, NULL, in->line, 1);
		ynode_put(m, scalar(in, key), v);
	}
	return v;
}

/* A group name as Ansible allows it in a section header. */
static int
group_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '[' || s[i] == ']' ||
		    s[i] == ':' || s[i] == 0x7f)
			return 0;
	return 1;
}

/* "[web]", "[web:vars]", "[web:children]". */
static int
section_header(struct ini *in, const char *line, struct ynode *root,
    struct ynode **groupp, enum section *secp)
{
	const char *end = strchr(line, ']'), *colon;
	char *name;
	size_t n;

	if (end == NULL || end[1] != '\0')
		return ini_error(in, "a section header must end with \"]\"");
	n = (size_t)(end - line - 1);
	colon = memchr(line + 1, ':', n);
	*secp = SEC_HOSTS;
	if (colon != NULL) {
		size_t kl = (size_t)(end - colon - 1);
		if (kl == 4 && strncmp(colon + 1, "vars", 4) == 0)
			*secp = SEC_VARS;
		else if (kl == 8 && strncmp(colon + 1, "children", 8) == 0)
			*secp = SEC_CHILDREN;
		else
			return ini_error(in,
			    "unknown section kind \"%.*s\" (use :vars or "
			    ":children)",
			    (int)kl, colon + 1);
		n = (size_t)(colon - line - 1);
	}
	if (!group_name_ok(line + 1, n))
		return ini_error(
		    in, "bad group name \"%.*s\"", (int)n, line + 1);
	name = xstrndup(line + 1, n);
	*groupp = submap(in, root, name);
	free(name);
	return 0;
}

/* Split "key=value" (blanks around "=" allowed in :vars sections). */
static int
key_value(struct ini *in, const char *word, int blanks, char **kp, char **vp)
{
	const char *eq = strchr(word, '=');
	size_t kl, vl;
	const char *v;

	if (eq == NULL || eq == word)
		return ini_error(in, "\"%s\" is not KEY=VALUE", word);
	kl = (size_t)(eq - word);
	v = eq + 1;
	if (blanks) {
		while (kl > 0 && (word[kl - 1] == ' ' || word[kl - 1] == '\t'))
			kl--;
		while (*v == ' ' || *v == '\t')
			v++;
	}
	vl = strlen(v);
	if (blanks && vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
	    v[vl - 1] == v[0]) {
		v++;
		vl -= 2;
	}
	if (kl == 0)
		return ini_error(in, "\"%s\" is not KEY=VALUE", word);
	*kp = xstrndup(word, kl);
	*vp = xstrndup(v, vl);
	return 0;
}

/* "host[:port] [key=value ...]" in a hosts section. */
static int
host_line(struct ini *in, const char *line, struct ynode *group)
{
	struct strv w = { 0 };
	struct ynode *vars = NULL;
	char *host = NULL, *k, *v, *colon;
	size_t i;
	int r;

	if ((r = shellwords_split(line, &w, in->err)) != 0) {
		char why[sizeof(in->err->msg)];
		snprintf(why, sizeof(why), "%s", in->err->msg);
		return ini_error(in, "%s", why);
	}
	if (w.n == 0)
		goto out;
	host = xstrdup(w.v[0]);
	/* host:port, as Ansible reads it (one colon, digits after it) */
	if ((colon = strrchr(host, ':')) != NULL &&
	    strchr(host, ':') == colon && colon[1] != '\0' &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		vars = ydoc_node(in->d, YNODE_MAP, NULL, in->line, 1);
		ynode_put(
		    vars, scalar(in, "ansible_port"), scalar(in, colon + 1));
		*colon = '\0';
	}
	for (i = 1; i < w.n && r == 0; i++) {
		if ((r = key_value(in, w.v[i], 0, &k, &v)) != 0)
			break;
		if (vars == NULL)
			vars = ydoc_node(in->d, YNODE_MAP, NULL, in->line, 1);
		ynode_put(vars, scalar(in, k), scalar(in, v));
		free(k);
		free(v);
	}
	if (r == 0)
		ynode_put(submap(in, group, "hosts"), scalar(in, host),
		    vars != NULL ? vars : scalar(in, ""));
out:
	free(host);
	strv_free(&w);
	return r;
}

int
inv_ini_looks_like(const char *data, size_t len)
{
	size_t i = 0, s;

	while (i < len) {
		s = i;
		while (i < len && data[i] != '\n')
			i++;
		while (s < i && (data[s] == ' ' || data[s] == '\t'))
			s++;
		if (s == i || data[s] == '#' || data[s] == ';' ||
		    data[s] == '\r') {
			i++;
			continue;
		}
		/* the first line that says something: "[group...]" */
		if (data[s] != '[')
			return 0;
		while (
		    s < i && data[s] != ']' && data[s] != ',' && data[s] != ' ')
			s++;
		return s < i && data[s] == ']';
	}
	return 0;
}

int
inv_ini_tree(const char *data, size_t len, const char *name, struct ydoc **docp,
    struct cm_err *err)
{
	struct ini in;
	struct ynode *root, *group;
	enum section sec = SEC_HOSTS;
	size_t pos = 0, s, e;
	char *line = NULL, *k, *v;
	int r = 0;

	*docp = NULL;
	memset(&in, 0, sizeof(in));
	in.d = ydoc_new(name);
	in.err = err;
	root = in.d->root = ydoc_node(in.d, YNODE_MAP, NULL, 1, 1);
	group = submap(&in, root, "ungrouped");
	if (memchr(data, '\0', len) != NULL)
		r = err_set(
		    err, ERR_INVALID, "%s: a NUL byte in the file", name);
	while (r == 0 && pos < len) {
		in.line++;
		s = pos;
		while (pos < len && data[pos] != '\n')
			pos++;
		e = pos++;
		if (e > s && data[e - 1] == '\r')
			e--;
		while (s < e && (data[s] == ' ' || data[s] == '\t'))
			s++;
		while (e > s && (data[e - 1] == ' ' || data[e - 1] == '\t'))
			e--;
		if (s == e || data[s] == '#' || data[s] == ';')
			continue;
		if (e - s > INI_MAX_LINE) {
			r = ini_error(
			    &in, "line longer than %zu bytes", INI_MAX_LINE);
			break;
		}
		free(line);
		line = xstrndup(data + s, e - s);
		if (str_has_ctrl(line)) {
			r = ini_error(&in, "a control character in the line");
			break;
		}
		if (in.d->nall > YDOC_MAX_NODES) {
			r = ini_error(
			    &in, "more than %d entries", YDOC_MAX_NODES);
			break;
		}
		if (line[0] == '[') {
			r = section_header(&in, line, root, &group, &sec);
			continue;
		}
		switch (sec) {
		case SEC_HOSTS:
			r = host_line(&in, line, group);
			break;
		case SEC_VARS:
			if ((r = key_value(&in, line, 1, &k, &v)) != 0)
				break;
			ynode_put(submap(&in, group, "vars"), scalar(&in, k),
			    scalar(&in, v));
			free(k);
			free(v);
			break;
		case SEC_CHILDREN:
			if (!group_name_ok(line, strlen(line))) {
				r = ini_error(
				    &in, "bad child group name \"%s\"", line);
				break;
			}
			ynode_put(submap(&in, group, "children"),
			    scalar(&in, line), scalar(&in, ""));
			break;
		}
	}
	free(line);
	if (r != 0) {
		ydoc_free(in.d);
		return r;
	}
	*docp = in.d;
	return 0;
}

int
inv_list_json_looks_like(const struct ynode *root)
{
	size_t i;

	if (root == NULL || root->type != YNODE_MAP)
		return 0;
	if (ynode_get(root, "_meta") != NULL)
		return 1;
	for (i = 0; i < root->n; i++) {
		const struct ynode *g = root->items[2 * i + 1];
		const struct ynode *h = ynode_get(g, "hosts");
		const struct ynode *c = ynode_get(g, "children");
		if ((h != NULL && h->type == YNODE_SEQ) ||
		    (c != NULL && c->type == YNODE_SEQ))
			return 1;
	}
	return 0;
}

/* A list of names from `ansible-inventory --list`, as a mapping. */
static int
names_to_map(struct ydoc *d, const struct ynode *seq,
    const struct ynode *hostvars, struct ynode **out, struct cm_err *err)
{
	const struct ynode *it, *hv;
	struct ynode *m;
	size_t i;

	m = ydoc_node(d, YNODE_MAP, NULL, seq->line, seq->col);
	for (i = 0; i < seq->n; i++) {
		it = seq->items[i];
		if (it->type != YNODE_SCALAR || ynode_is_null(it))
			return ydoc_error(d, it, err, ERR_INVALID,
			    "a host or group name must be a string, not %s",
			    ynode_kind(it));
		hv = hostvars != NULL ? ynode_get(hostvars, it->value) : NULL;
		ynode_put(m, (struct ynode *)it,
		    hv != NULL
			? (struct ynode *)hv
			: ydoc_node(d, YNODE_SCALAR, "", it->line, it->col));
	}
	*out = m;
	return 0;
}

int
inv_list_json_tree(struct ydoc *d, struct cm_err *err)
{
	const struct ynode *root = d->root, *meta, *hostvars = NULL, *k, *v;
	struct ynode *nroot, *body, *m;
	size_t i, j;
	int r;

	meta = ynode_get(root, "_meta");
	if (meta != NULL && !ynode_is_null(meta)) {
		if (meta->type != YNODE_MAP)
			return ydoc_error(d, meta, err, ERR_INVALID,
			    "\"_meta\" must be a mapping, not %s",
			    ynode_kind(meta));
		hostvars = ynode_get(meta, "hostvars");
		if (hostvars != NULL && !ynode_is_null(hostvars) &&
		    hostvars->type != YNODE_MAP)
			return ydoc_error(d, hostvars, err, ERR_INVALID,
			    "\"_meta.hostvars\" must be a mapping, not %s",
			    ynode_kind(hostvars));
	}
	nroot = ydoc_node(d, YNODE_MAP, NULL, root->line, root->col);
	for (i = 0; i < root->n; i++) {
		k = root->items[2 * i];
		v = root->items[2 * i + 1];
		if (strcmp(k->value, "_meta") == 0)
			continue;
		if (ynode_is_null(v) || v->type != YNODE_MAP) {
			ynode_put(nroot, (struct ynode *)k, (struct ynode *)v);
			continue; /* the Ansible reader says what is wrong */
		}
		body = ydoc_node(d, YNODE_MAP, NULL, v->line, v->col);
		for (j = 0; j < v->n; j++) {
			const struct ynode *bk = v->items[2 * j];
			const struct ynode *bv = v->items[2 * j + 1];
			m = (struct ynode *)bv;
			if (bv->type == YNODE_SEQ &&
			    (strcmp(bk->value, "hosts") == 0 ||
				strcmp(bk->value, "children") == 0) &&
			    (r = names_to_map(d, bv,
				 strcmp(bk->value, "hosts") == 0 ? hostvars
								 : NULL,
				 &m, err)) != 0)
				return r;
			ynode_put(body, (struct ynode *)bk, m);
		}
		ynode_put(nroot, (struct ynode *)k, body);
	}
	d->root = nroot;
	return 0;
}
