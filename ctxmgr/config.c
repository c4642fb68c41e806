/* config.c: config.yaml (see config.h). */
#include "common/compat.h"

#include "ctxmgr/config.h"
#include "common/file.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "common/ydoc.h"

void
config_init(struct ctxmgr_config *cfg, const char *config_dir)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tunnel_idle_timeout = CONFIG_UNSET;
	cfg->ca_rotation_window = CONFIG_UNSET;
	cfg->ca_rotation_percent = CONFIG_UNSET;
	cfg->ca_dir = xasprintf("%s/ctxmgr/ca", config_dir);
}

void
config_release(struct ctxmgr_config *cfg)
{
	free(cfg->path);
	free(cfg->ssh_identity);
	free(cfg->ssh_known_hosts);
	free(cfg->ca_dir);
	free(cfg->audit_fail_on);
	free(cfg->audit_policy);
	memset(cfg, 0, sizeof(*cfg));
}

char *
config_path(const char *config_dir)
{
	return xasprintf("%s/ctxmgr/%s", config_dir, CONFIG_FILE);
}

int
config_parse_duration(const char *s, long long *secs)
{
	long long total = 0, n;
	const char *p = s;

	if (*s == '\0')
		return ERR_INVALID;
	if (parse_int(s, 0, INT32_MAX, &n) == 0) {
		*secs = n;
		return 0;
	}
	while (*p != '\0') {
		long long unit;
		if (*p < '0' || *p > '9')
			return ERR_INVALID;
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (*p - '0');
			if (n > INT32_MAX)
				return ERR_INVALID;
		}
		switch (*p++) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return ERR_INVALID;
		}
		total += n * unit;
		if (total > (long long)INT32_MAX * 86400)
			return ERR_INVALID;
	}
	*secs = total;
	return 0;
}

/* ~/ from $HOME. */
static char *
expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home != NULL && *home != '\0')
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static int
one_of(const char *choices, const char *v)
{
	const char *p = choices, *bar;
	size_t len = strlen(v);

	for (;;) {
		bar = strchr(p, '|');
		if ((size_t)((bar ? bar : p + strlen(p)) - p) == len &&
		    strncmp(p, v, len) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

struct key {
	const char *section, *name;
	int (*set)(const struct ydoc *d, const struct ynode *v,
	    const char *what, struct ctxmgr_config *cfg, struct cm_err *err);
};

static int
get_string(const struct ydoc *d, const struct ynode *v, const char *what,
    const char *choices, char **out, struct cm_err *err)
{
	const char *s;
	int r;

	if ((r = ynode_string(d, v, what, &s, err)) != 0)
		return r;
	if (*s == '\0' || str_has_ctrl(s))
		return ydoc_error(d, v, err, ERR_INVALID,
		    "\"%s\" must not be empty or hold control characters",
		    what);
	if (choices != NULL && !one_of(choices, s)) {
		char list[128];
		size_t i, o = 0;
		for (i = 0; choices[i] != '\0' && o + 3 < sizeof(list); i++)
			if (choices[i] == '|') {
				list[o++] = ',';
				list[o++] = ' ';
			} else
				list[o++] = choices[i];
		list[o] = '\0';
		return ydoc_error(d, v, err, ERR_INVALID,
		    "\"%s\" must be one of %s", what, list);
	}
	/* a relative path would depend on where the command runs */
	if (choices == NULL && s[0] != '/' && strncmp(s, "~/", 2) != 0)
		return ydoc_error(d, v, err, ERR_INVALID,
		    "\"%s\" must be an absolute path or start with ~/", what);
	free(*out);
	*out = choices != NULL ? xstrdup(s) : expand_home(s);
	return 0;
}

static int
get_duration(const struct ydoc *d, const struct ynode *v, const char *what,
    long long *out, struct cm_err *err)
{
	if (v == NULL || v->type != YNODE_SCALAR || ynode_is_null(v) ||
	    config_parse_duration(v->value, out) != 0)
		return ydoc_error(d, v, err, ERR_INVALID,
		    "\"%s\" must be a duration such as 90s, 30m, 12h or 7d",
		    what);
	return 0;
}

static int
set_identity(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	return get_string(d, v, what, NULL, &cfg->ssh_identity, err);
}

static int
set_known_hosts(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	/* "yes" and "no" are booleans to YAML 1.1 readers: take them too */
	return get_string(
	    d, v, what, CONFIG_KNOWN_HOSTS_CHOICES, &cfg->ssh_known_hosts, err);
}

static int
set_idle(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	return get_duration(d, v, what, &cfg->tunnel_idle_timeout, err);
}

static int
set_ca_dir(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	return get_string(d, v, what, NULL, &cfg->ca_dir, err);
}

static int
set_rotation(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	long long pct;
	char *end;

	if (v != NULL && v->type == YNODE_SCALAR && v->len > 1 &&
	    v->value[v->len - 1] == '%') {
		errno = 0;
		pct = strtoll(v->value, &end, 10);
		if (errno != 0 || end != v->value + v->len - 1 || pct < 1 ||
		    pct > 99 || v->value[0] < '0' || v->value[0] > '9')
			return ydoc_error(d, v, err, ERR_INVALID,
			    "\"%s\": a share of the lifetime goes from 1%% "
			    "to 99%%",
			    what);
		cfg->ca_rotation_percent = (int)pct;
		cfg->ca_rotation_window = CONFIG_UNSET;
		return 0;
	}
	if (get_duration(d, v, what, &cfg->ca_rotation_window, err) != 0)
		return ydoc_error(d, v, err, ERR_INVALID,
		    "\"%s\" must be a duration (30d) or a share of the "
		    "lifetime (33%%)",
		    what);
	cfg->ca_rotation_percent = CONFIG_UNSET;
	return 0;
}

static int
set_fail_on(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	return get_string(
	    d, v, what, CONFIG_FAIL_ON_CHOICES, &cfg->audit_fail_on, err);
}

static int
set_policy(const struct ydoc *d, const struct ynode *v, const char *what,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	return get_string(d, v, what, NULL, &cfg->audit_policy, err);
}

static const struct key keys[] = {
	{ "ssh", "identity", set_identity },
	{ "ssh", "known-hosts", set_known_hosts },
	{ "tunnel", "idle-timeout", set_idle },
	{ "ca", "dir", set_ca_dir },
	{ "ca", "rotation-window", set_rotation },
	{ "audit", "fail-on", set_fail_on },
	{ "audit", "policy", set_policy },
};

/* "identity, known-hosts" for a section, or the sections themselves. */
static void
known_list(const char *section, char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < nitems(keys); i++) {
		const char *w = section ? keys[i].name : keys[i].section;
		if (section != NULL && strcmp(keys[i].section, section) != 0)
			continue;
		if (section == NULL && i > 0 &&
		    strcmp(keys[i - 1].section, w) == 0)
			continue;
		o += (size_t)snprintf(
		    out + o, o < size ? size - o : 0, "%s%s", o ? ", " : "", w);
		if (o >= size)
			break;
	}
}

static int
parse_section(const struct ydoc *d, const struct ynode *sec,
    const struct ynode *body, struct ctxmgr_config *cfg, struct cm_err *err)
{
	char what[128], list[256];
	size_t i, k;
	int r;

	if (ynode_is_null(body))
		return 0;
	if (body->type != YNODE_MAP)
		return ydoc_error(d, body, err, ERR_INVALID,
		    "\"%s\" must be a mapping, not %s", sec->value,
		    ynode_kind(body));
	for (i = 0; i < body->n; i++) {
		const struct ynode *key = body->items[2 * i];
		for (k = 0; k < nitems(keys); k++)
			if (strcmp(keys[k].section, sec->value) == 0 &&
			    strcmp(keys[k].name, key->value) == 0)
				break;
		if (k == nitems(keys)) {
			known_list(sec->value, list, sizeof(list));
			return ydoc_error(d, key, err, ERR_INVALID,
			    "unknown key \"%s\" in \"%s\" (known: %s)",
			    key->value, sec->value, list);
		}
		snprintf(what, sizeof(what), "%s.%s", sec->value, key->value);
		if ((r = keys[k].set(
			 d, body->items[2 * i + 1], what, cfg, err)) != 0)
			return r;
	}
	return 0;
}

int
config_parse(const char *data, size_t len, const char *name,
    struct ctxmgr_config *cfg, struct cm_err *err)
{
	struct ydoc *d = NULL;
	char list[256];
	size_t i, k;
	int r;

	if (len > CONFIG_MAX_BYTES)
		return err_set(err, ERR_TOOBIG, "%s: larger than %zu bytes",
		    name, CONFIG_MAX_BYTES);
	if ((r = ydoc_parse(data, len, name, &d, err)) != 0)
		return r;
	if (ynode_is_null(d->root))
		goto out;
	if (d->root->type != YNODE_MAP) {
		r = ydoc_error(d, d->root, err, ERR_INVALID,
		    "the settings must be a mapping, not %s",
		    ynode_kind(d->root));
		goto out;
	}
	for (i = 0; i < d->root->n; i++) {
		const struct ynode *sec = d->root->items[2 * i];
		for (k = 0; k < nitems(keys); k++)
			if (strcmp(keys[k].section, sec->value) == 0)
				break;
		if (k == nitems(keys)) {
			known_list(NULL, list, sizeof(list));
			r = ydoc_error(d, sec, err, ERR_INVALID,
			    "unknown section \"%s\" (known: %s)", sec->value,
			    list);
			goto out;
		}
		if ((r = parse_section(
			 d, sec, d->root->items[2 * i + 1], cfg, err)) != 0)
			goto out;
	}
out:
	ydoc_free(d);
	return r;
}

int
config_load(
    const char *config_dir, struct ctxmgr_config *cfg, struct cm_err *err)
{
	char *path = config_path(config_dir);
	struct buf b;
	int r;

	config_init(cfg, config_dir);
	buf_init(&b, CONFIG_MAX_BYTES);
	r = file_read(path, CONFIG_MAX_BYTES, 0, &b, err);
	if (r == ERR_NOTFOUND) {
		r = 0;
		goto out;
	}
	if (r == ERR_TOOBIG)
		r = err_set(err, ERR_TOOBIG, "%s: larger than %zu bytes", path,
		    CONFIG_MAX_BYTES);
	if (r != 0)
		goto out;
	if ((r = config_parse(b.data, b.len, path, cfg, err)) == 0) {
		cfg->path = path;
		path = NULL;
	} else {
		/* back to the defaults only */
		config_release(cfg);
		config_init(cfg, config_dir);
	}
out:
	buf_release(&b);
	free(path);
	return r;
}

/* The file of one config dir, read once per process. */
static struct {
	char *dir;
	int r;
	struct cm_err err;
	struct ctxmgr_config cfg;
} cache;

static void
config_forget(void)
{
	if (cache.dir == NULL)
		return;
	free(cache.dir);
	cache.dir = NULL;
	config_release(&cache.cfg);
}

int
config_get(const char *config_dir, const struct ctxmgr_config **cfgp,
    struct cm_err *err)
{
	*cfgp = NULL;
	if (cache.dir == NULL || strcmp(cache.dir, config_dir) != 0) {
		config_forget();
		err_init(&cache.err);
		cache.r = config_load(config_dir, &cache.cfg, &cache.err);
		cache.dir = xstrdup(config_dir);
	}
	if (cache.r != 0)
		return err_set(err, cache.r, "%s", cache.err.msg);
	*cfgp = &cache.cfg;
	return 0;
}
