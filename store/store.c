/* store.c: Docker's context store (see store.h). */
#include "common/compat.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/dirswap.h"
#include "common/endpoint.h"
#include "common/fault.h"
#include "store/dockercfg.h"
#include "common/file.h"
#include "common/gojson.h"
#include "store/metascan.h"
#include "store/store.h"
#include "common/util.h"
#include "common/xmalloc.h"

#define CONFIG_JSON_MAX ((size_t)16 << 20)

char *
store_default_config_dir(void)
{
	const char *home, *env = getenv("DOCKER_CONFIG");
	struct passwd *pw;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	home = getenv("HOME");
	if ((home == NULL || *home == '\0') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	if (home == NULL || *home == '\0')
		home = "/";
	return path_join(home, ".docker");
}

void
store_init(struct store *st, const char *config_dir)
{
	st->config_dir = xstrdup(config_dir);
	st->meta_root = path_join(config_dir, "contexts/meta");
	st->tls_root = path_join(config_dir, "contexts/tls");
	st->config_json = path_join(config_dir, "config.json");
	st->state_dir = path_join(config_dir, "ctxmgr");
	st->lock_fd = -1;
	st->tidied = 0;
	st->last_set = NULL;
	st->batch = 0;
	st->staged = NULL;
	st->staged_dirs = NULL;
	st->nstaged = 0;
}

void
store_release(struct store *st)
{
	store_batch_end(st);
	store_unlock(st);
	free(st->config_dir);
	free(st->meta_root);
	free(st->tls_root);
	free(st->config_json);
	free(st->state_dir);
	free(st->last_set);
	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
}

int
context_name_check(const char *name, struct cm_err *err)
{
	const char *p;

	if (name == NULL || *name == '\0')
		return err_set(
		    err, ERR_INVALID, "context name cannot be empty");
	if (strcmp(name, STORE_DEFAULT_NAME) == 0)
		return err_set(
		    err, ERR_INVALID, "\"default\" is a reserved context name");
	for (p = name; *p != '\0'; p++) {
		int c = (unsigned char)*p;
		int ok = (c < 0x80 && isalnum(c)) ||
		    (p != name &&
			(c == '_' || c == '.' || c == '+' || c == '-'));
		if (!ok || p - name > 200)
			goto bad;
	}
	if (p - name < 2)
		goto bad;
	return 0;
bad:
	if (str_has_ctrl(name) || strlen(name) > 200)
		return err_set(err, ERR_INVALID,
		    "context name is invalid: names must match "
		    "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$");
	return err_set(err, ERR_INVALID,
	    "context name \"%s\" is invalid: names must match "
	    "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$",
	    name);
}

struct context *
context_new(const char *name)
{
	struct context *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(name ? name : "");
	c->metadata = json_object();
	c->endpoints = json_object();
	c->docker_extra = json_object();
	c->top_extra = json_object();
	c->has_docker = 1;
	return c;
}

void
context_free(struct context *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->description);
	free(c->host);
	free(c->error);
	json_decref(c->metadata);
	json_decref(c->endpoints);
	json_decref(c->docker_extra);
	json_decref(c->top_extra);
	free(c);
}

void
context_list_free(struct context **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		context_free(list[i]);
	free(list);
}

struct context *
context_default(void)
{
	struct context *c = context_new(STORE_DEFAULT_NAME);
	const char *h = getenv("DOCKER_HOST");

	c->is_default = 1;
	c->description = xstrdup(STORE_DEFAULT_DESCRIPTION);
	c->host = xstrdup(h != NULL && *h != '\0' ? h : STORE_DEFAULT_HOST);
	return c;
}

/* Go struct field matching: exact or ASCII case-insensitive. */
static int
key_folds(const char *key, const char *field)
{
	return strcasecmp(key, field) == 0;
}

/*
 * A meta.json may come from someone else (an archive, a planted file):
 * its endpoint is refused unless it is a plain URL, so it can never
 * carry shell or terminal syntax to `env`, a table or a message.
 */
static int
host_check(const char *host, struct cm_err *err)
{
	if (host == NULL || endpoint_check_url(host, err) == 0)
		return 0;
	return err_prefix(err, "the docker endpoint is not a valid URL");
}

int
context_parse_meta(
    const char *data, size_t len, struct context **cp, struct cm_err *err)
{
	struct meta_summary sum;
	struct context *c;
	json_t *v = NULL, *meta, *eps, *docker, *item;
	const char *key;
	int r;

	*cp = NULL;
	/* the typed fields, Go's way (the last matching key wins) */
	if ((r = meta_scan(data, len, &sum, err)) != 0)
		return r;
	if ((r = host_check(sum.host, err)) != 0) {
		meta_summary_free(&sum);
		return r;
	}
	/* everything else, kept as it is, through jansson */
	if ((r = gojson_parse(data, len, &v, err)) != 0) {
		meta_summary_free(&sum);
		return err_prefix(err, "invalid meta.json");
	}
	c = context_new(NULL);
	free(c->name);
	c->name = sum.name;
	c->description = sum.description;
	c->host = sum.host;
	c->skip_tls_verify = sum.skip_tls_verify;
	free(sum.ssh_host); /* the full Metadata is kept below */

	meta = gojson_get_fold(v, "Metadata");
	c->no_metadata = meta == NULL || json_is_null(meta);
	json_object_foreach(meta, key, item) if (strcmp(key, "Description") !=
	    0) json_object_set_nocheck(c->metadata, key, item);

	c->has_docker = 0;
	eps = gojson_get_fold(v, "Endpoints");
	json_object_foreach(eps, key, item) if (strcmp(key, "docker") != 0)
	    json_object_set_nocheck(c->endpoints, key, item);
	docker = json_object_get(eps, "docker");
	c->docker_null = json_is_null(docker);
	if (json_is_object(docker)) {
		c->has_docker = 1;
		json_object_foreach(
		    docker, key, item) if (!key_folds(key, "Host") &&
		    !key_folds(key, "SkipTLSVerify"))
		    json_object_set_nocheck(c->docker_extra, key, item);
	}

	json_object_foreach(v, key, item) if (!key_folds(key, "Name") &&
	    !key_folds(key, "Metadata") && !key_folds(key, "Endpoints"))
	    json_object_set_nocheck(c->top_extra, key, item);
	json_decref(v);
	*cp = c;
	return 0;
}

/* Sorted copy of `extra` merged into `dst` (keys of dst win). */
static void
merge_sorted(json_t *dst, const json_t *extra)
{
	json_t *sorted = gojson_sorted(extra);
	const char *key;
	json_t *item;

	json_object_foreach(sorted, key, item) if (json_object_get(dst, key) ==
	    NULL) json_object_set_nocheck(dst, key, item);
	json_decref(sorted);
}

int
context_encode_meta(const struct context *c, struct buf *out)
{
	json_t *top, *meta, *eps, *docker, *tmp;
	int r;

	top = json_object();
	json_object_set_new_nocheck(
	    top, "Name", json_stringn_nocheck(c->name, strlen(c->name)));

	tmp = json_deep_copy(c->metadata);
	if (c->description != NULL && *c->description != '\0')
		json_object_set_new_nocheck(tmp, "Description",
		    json_stringn_nocheck(
			c->description, strlen(c->description)));
	meta = gojson_sorted(tmp);
	json_decref(tmp);
	json_object_set_new_nocheck(top, "Metadata", meta);

	tmp = json_deep_copy(c->endpoints);
	if (c->has_docker || c->host != NULL) {
		docker = json_object();
		if (c->host != NULL && *c->host != '\0')
			json_object_set_new_nocheck(docker, "Host",
			    json_stringn_nocheck(c->host, strlen(c->host)));
		json_object_set_new_nocheck(
		    docker, "SkipTLSVerify", json_boolean(c->skip_tls_verify));
		merge_sorted(docker, c->docker_extra);
		json_object_set_new_nocheck(tmp, "docker", json_null());
		eps = gojson_sorted(tmp);
		/* the docker endpoint is a struct: keep its field order */
		json_object_set_new_nocheck(eps, "docker", docker);
	} else
		eps = gojson_sorted(tmp);
	json_decref(tmp);
	json_object_set_new_nocheck(top, "Endpoints", eps);
	merge_sorted(top, c->top_extra);

	r = gojson_encode(top, NULL, out);
	json_decref(top);
	return r;
}

const char *
context_setting(const struct context *c, const char *key)
{
	json_t *s = json_object_get(c->metadata, STORE_SETTINGS_KEY);
	json_t *v = json_object_get(s, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

void
context_set_setting(struct context *c, const char *key, const char *value)
{
	json_t *s = json_object_get(c->metadata, STORE_SETTINGS_KEY);

	if (!json_is_object(s)) {
		if (value == NULL)
			return;
		s = json_object();
		json_object_set_new_nocheck(c->metadata, STORE_SETTINGS_KEY, s);
	}
	if (value == NULL) {
		json_object_del(s, key);
		if (json_object_size(s) == 0)
			json_object_del(c->metadata, STORE_SETTINGS_KEY);
	} else
		json_object_set_new_nocheck(s, key, json_string(value));
}

static char *
name_dir(const char *root, const char *name)
{
	char hex[65];

	sha256_hex(name, strlen(name), hex);
	return path_join(root, hex);
}

char *
store_meta_dir(const struct store *st, const char *name)
{
	return name_dir(st->meta_root, name);
}

char *
store_tls_dir(const struct store *st, const char *name)
{
	return name_dir(st->tls_root, name);
}

int
store_state_dir(struct store *st, struct cm_err *err)
{
	return dir_ensure(st->state_dir, 0700, err);
}

int
store_lock(struct store *st, struct cm_err *err)
{
	char *path;
	int r;

	if (st->lock_fd >= 0)
		return 0;
	if ((r = store_state_dir(st, err)) != 0)
		return r;
	path = path_join(st->state_dir, "store.lock");
	r = file_lock(path, &st->lock_fd, err);
	free(path);
	return r;
}

void
store_unlock(struct store *st)
{
	if (st->lock_fd >= 0)
		file_unlock(st->lock_fd);
	st->lock_fd = -1;
}

int
store_exists(const struct store *st, const char *name)
{
	char *dir = store_meta_dir(st, name), *path;
	int r;

	path = path_join(dir, "meta.json");
	r = file_exists(path);
	free(path);
	free(dir);
	return r;
}

static int
load_file(const char *path, const char *expect, struct context **cp,
    struct cm_err *err)
{
	struct buf b;
	int r;

	buf_init(&b, STORE_META_MAX);
	if ((r = file_read(path, STORE_META_MAX, FILE_NOFOLLOW, &b, err)) == 0)
		r = context_parse_meta(b.data, b.len, cp, err);
	buf_release(&b);
	if (r == 0 && expect != NULL && strcmp((*cp)->name, expect) != 0) {
		context_free(*cp);
		*cp = NULL;
		return err_set(err, ERR_INVALID,
		    "context \"%s\": meta.json names another context", expect);
	}
	return r;
}

/*
 * `context "wbe" not found`, with a git-style "did you mean" naming the
 * stored contexts closest to `name` (listed only on this error path).
 */
int
store_not_found(const struct store *st, const char *name, struct cm_err *err)
{
	struct context **list = NULL;
	struct cm_err ignored;
	size_t n = 0, i, len = 0;
	char hint[256];
	int d, best = 3, count = 0;

	hint[0] = '\0';
	if (store_list(st, &list, &n, &ignored) != 0)
		n = 0;
	for (i = 0; i < n; i++) {
		d = str_distance(name, list[i]->name);
		if (strlen(name) >= 2 && str_has_prefix(list[i]->name, name))
			d = 1;
		if (d < best) {
			best = d;
			count = 0;
			len = 0;
		}
		if (d != best || count == 3 || len >= sizeof(hint))
			continue;
		len += (size_t)snprintf(hint + len, sizeof(hint) - len,
		    "%s\"%s\"", count == 0 ? "" : " or ", list[i]->name);
		count++;
	}
	context_list_free(list, n);
	if (count == 0)
		return err_set(
		    err, ERR_NOTFOUND, "context \"%s\" not found", name);
	return err_set(err, ERR_NOTFOUND,
	    "context \"%s\" not found; did you mean %s?", name, hint);
}

int
store_load(const struct store *st, const char *name, struct context **cp,
    struct cm_err *err)
{
	char *dir, *path;
	int r;

	*cp = NULL;
	if (name != NULL && strcmp(name, STORE_DEFAULT_NAME) == 0) {
		*cp = context_default();
		return 0;
	}
	if ((r = context_name_check(name, err)) != 0)
		return r;
	dir = store_meta_dir(st, name);
	path = path_join(dir, "meta.json");
	if (!file_exists(path))
		r = store_not_found(st, name, err);
	else if ((r = load_file(path, name, cp, err)) != 0 &&
	    !str_has_prefix(err->msg, "context \""))
		err_prefix(err, "context \"%s\"", name);
	free(path);
	free(dir);
	return r;
}

static int
cmp_context(const void *a, const void *b)
{
	const struct context *ca = *(struct context *const *)a;
	const struct context *cb = *(struct context *const *)b;

	return strcmp(ca->name, cb->name);
}

/* One listing entry from a meta.json file, with the fast scanner. */
static struct context *
list_entry(const char *dirname, const char *path)
{
	struct meta_summary sum;
	struct context *c;
	struct cm_err e;
	struct buf b;
	char hex[65];
	int r;

	buf_init(&b, STORE_META_MAX);
	r = file_read(path, STORE_META_MAX, FILE_NOFOLLOW, &b, &e);
	if (r == ERR_NOTFOUND) {
		buf_release(&b);
		return NULL; /* a folder without meta.json is not a context */
	}
	if (r == 0)
		r = meta_scan(b.data, b.len, &sum, &e);
	buf_release(&b);
	if (r == 0 && host_check(sum.host, &e) != 0) {
		/* named (when the name fits its folder), endpoint not shown */
		sha256_hex(sum.name, strlen(sum.name), hex);
		c = context_new(strcmp(hex, dirname) == 0 ? sum.name : dirname);
		c->error = xstrdup(e.msg);
		meta_summary_free(&sum);
		return c;
	}
	if (r != 0) {
		c = context_new(dirname);
		c->error = xstrdup(e.msg);
		return c;
	}
	/* a light entry: no JSON trees, so it cannot be saved */
	c = xcalloc(1, sizeof(*c));
	c->name = sum.name;
	c->description = sum.description;
	c->host = sum.host;
	c->skip_tls_verify = sum.skip_tls_verify;
	c->has_docker = sum.has_docker;
	c->docker_null = sum.docker_null;
	c->light = 1;
	/* a tunnelled context's ssh:// URL, so listings need not load it */
	if (sum.ssh_host != NULL)
		c->metadata = json_pack("{s:{s:s}}", STORE_SETTINGS_KEY,
		    SETTING_SSH_HOST, sum.ssh_host);
	free(sum.ssh_host);
	sha256_hex(c->name, strlen(c->name), hex);
	if (strcmp(hex, dirname) != 0)
		c->error = xstrdup("meta.json is stored under another "
				   "context's folder");
	return c;
}

int
store_list(const struct store *st, struct context ***listp, size_t *np,
    struct cm_err *err)
{
	struct context **list = NULL, *c;
	struct dirent *de;
	size_t n = 0, cap = 0;
	char *path;
	DIR *d;

	*listp = NULL;
	*np = 0;
	if ((d = opendir(st->meta_root)) == NULL && errno != ENOENT)
		return err_sys(err, "cannot read \"%s\"", st->meta_root);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s/meta.json", st->meta_root, de->d_name);
		c = list_entry(de->d_name, path);
		free(path);
		if (c == NULL)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			list = xreallocarray(list, cap, sizeof(*list));
		}
		list[n++] = c;
	}
	if (d != NULL)
		closedir(d);
	list = xreallocarray(list, n + 1, sizeof(*list));
	list[n++] = context_default();
	qsort(list, n, sizeof(*list), cmp_context);
	*listp = list;
	*np = n;
	return 0;
}

/* FILE_TIDY when this process holds the store lock every writer takes. */
static int
tidy_flag(const struct store *st)
{
	return st->lock_fd >= 0 ? FILE_TIDY : 0;
}

static int
is_sha_name(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return s[64] == '\0';
}

/*
 * Meta dirs without meta.json, left by a create that was killed or ran
 * out of space, and TLS dirs a killed rm or rename set aside (they are
 * ours alone: the store lock is held).  Docker may be between its mkdir and its write, so a dir
 * goes only when it holds nothing but our own temporary files, or when
 * nothing changed in it for STORE_STALE_SECS.
 */
#define STORE_STALE_SECS 10
static void
tidy_meta_dirs(struct store *st)
{
	struct dirent *de, *e2;
	struct stat sb;
	DIR *d, *sub;
	int fd, ours, others;
	char *path;

	st->tidied = 1;
	if ((d = opendir(st->meta_root)) == NULL)
		goto tls;
	while ((de = readdir(d)) != NULL) {
		if (!is_sha_name(de->d_name))
			continue;
		fd = openat(dirfd(d), de->d_name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstatat(fd, "meta.json", &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
		    errno != ENOENT || fstat(fd, &sb) != 0 ||
		    (sub = fdopendir(fd)) == NULL) {
			close(fd);
			continue;
		}
		ours = others = 0;
		while ((e2 = readdir(sub)) != NULL)
			if (strcmp(e2->d_name, ".") != 0 &&
			    strcmp(e2->d_name, "..") != 0) {
				if (file_is_tmp_of(e2->d_name, "meta.json"))
					ours++;
				else
					others++;
			}
		closedir(sub);
		if ((ours > 0 && others == 0) ||
		    time(NULL) - sb.st_mtime > STORE_STALE_SECS) {
			path = path_join(st->meta_root, de->d_name);
			(void)dir_remove_tree(path, NULL);
			free(path);
		}
	}
	closedir(d);
tls:
	/* what a killed rm or rename had set aside or half copied */
	if ((d = opendir(st->tls_root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".ctxmgr-rm-", 11) == 0 ||
		    strncmp(de->d_name, ".ctxmgr-rename-", 15) == 0) {
			path = path_join(st->tls_root, de->d_name);
			(void)dir_remove_tree(path, NULL);
			free(path);
		}
	closedir(d);
}

/* Refuse a symlink where a store directory should be. */
static int
check_not_link(const char *path, struct cm_err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return err_set(err, ERR_PERM,
		    "refusing to use \"%s\": it is a symbolic link", path);
	return 0;
}

static int tls_discard(struct store *st, const char *name, struct cm_err *err);

int
store_save(
    struct store *st, const struct context *c, int flags, struct cm_err *err)
{
	char *dir = NULL, *path = NULL;
	struct buf b;
	int r, e, made_dir = 0;

	buf_init(&b, STORE_META_MAX);
	if (c->light || c->metadata == NULL)
		return err_set(err, ERR_INVALID,
		    "context \"%s\" is a listing entry: load it to save it",
		    c->name);
	if ((r = context_name_check(c->name, err)) != 0)
		goto out;
	dir = store_meta_dir(st, c->name);
	path = path_join(dir, "meta.json");
	if ((flags & STORE_CREATE) && file_exists(path)) {
		r = err_set(
		    err, ERR_EXISTS, "context \"%s\" already exists", c->name);
		goto out;
	}
	if ((r = check_not_link(st->meta_root, err)) != 0 ||
	    (r = check_not_link(dir, err)) != 0)
		goto out;
	if (!file_exists(st->config_dir) &&
	    (r = dir_ensure(st->config_dir, 0700, err)) != 0)
		goto out;
	if ((flags & STORE_CREATE) && st->lock_fd >= 0 && !st->tidied)
		tidy_meta_dirs(st);
	/* a new context never inherits the TLS files of one that is gone */
	if ((flags & STORE_CREATE) && (r = tls_discard(st, c->name, err)) != 0)
		goto out;
	made_dir = !file_exists(dir);
	if ((r = dir_ensure(dir, 0755, err)) != 0)
		goto out;
	if ((e = fault_point("meta-dir", NULL)) != 0) {
		errno = e;
		r = err_sys(err, "cannot write \"%s\"", path);
		goto out;
	}
	if ((r = context_encode_meta(c, &b)) != 0) {
		r = err_set(
		    err, r, "cannot encode meta.json for \"%s\"", c->name);
		goto out;
	}
	if (st->batch) {
		if (st->nstaged == STORE_BATCH_MAX &&
		    (r = store_batch_commit(st, err)) != 0)
			goto out;
		r = file_stage(path, b.data, b.len, 0644,
		    ((flags & STORE_CREATE) ? FILE_EXCL : 0) | tidy_flag(st),
		    &st->staged[st->nstaged], err);
		if (r == 0)
			st->staged_dirs[st->nstaged++] =
			    made_dir ? xstrdup(dir) : NULL;
	} else
		r = file_write_atomic(path, b.data, b.len, 0644,
		    ((flags & STORE_CREATE) ? FILE_EXCL : 0) | tidy_flag(st),
		    err);
	if (r == ERR_EXISTS)
		r = err_set(
		    err, ERR_EXISTS, "context \"%s\" already exists", c->name);
out:
	/* a failed create leaves no meta dir without meta.json behind */
	if (r != 0 && made_dir)
		(void)rmdir(dir);
	buf_release(&b);
	free(path);
	free(dir);
	return r;
}

void
store_batch_begin(struct store *st)
{
	if (st->batch)
		return;
	st->batch = 1;
	st->staged = xcalloc(STORE_BATCH_MAX, sizeof(*st->staged));
	st->staged_dirs = xcalloc(STORE_BATCH_MAX, sizeof(*st->staged_dirs));
	st->nstaged = 0;
}

/* Forget staged file `i`; a meta dir its save made goes with it. */
static void
batch_drop(struct store *st, size_t i)
{
	file_stage_drop(&st->staged[i]);
	if (st->staged_dirs[i] != NULL)
		(void)rmdir(st->staged_dirs[i]);
	free(st->staged_dirs[i]);
	st->staged_dirs[i] = NULL;
}

int
store_batch_commit(struct store *st, struct cm_err *err)
{
	struct cm_err e2;
	size_t i;
	int r, r2;

	if (st->nstaged == 0)
		return 0;
	/* the data first, so no name ever points at a partial file */
	r = file_sync_fs(st->meta_root, err);
	for (i = 0; i < st->nstaged; i++) {
		if (r == 0 &&
		    (r = file_stage_place(&st->staged[i], err)) == 0) {
			free(st->staged_dirs[i]);
			st->staged_dirs[i] = NULL;
		} else
			batch_drop(st, i);
	}
	st->nstaged = 0;
	err_init(&e2);
	/* the names placed, also after a failure */
	r2 = file_sync_fs(st->meta_root, r == 0 ? err : &e2);
	return r != 0 ? r : r2;
}

void
store_batch_end(struct store *st)
{
	size_t i;

	for (i = 0; i < st->nstaged; i++)
		batch_drop(st, i);
	free(st->staged);
	free(st->staged_dirs);
	st->staged = NULL;
	st->staged_dirs = NULL;
	st->nstaged = 0;
	st->batch = 0;
}

/*
 * Move tls/<sha(name)> aside to tls/.ctxmgr-rm-XXXXXX (*asidep, or NULL
 * when there is none): one rename, so a kill never leaves part of it
 * where a later context of that name would pick it up.
 */
static int
tls_move_aside(
    struct store *st, const char *name, char **asidep, struct cm_err *err)
{
	char *tls = store_tls_dir(st, name), *aside;
	int r = 0, fd;

	*asidep = NULL;
	if (!file_exists(tls))
		goto out;
	if ((r = check_not_link(tls, err)) != 0)
		goto out;
	/* a unique name: mkdtemp, then rename over the empty dir */
	aside = path_join(st->tls_root, ".ctxmgr-rm-XXXXXX");
	if (mkdtemp(aside) == NULL || rename(tls, aside) != 0) {
		r = err_sys(err, "cannot remove the TLS files of \"%s\"", name);
		(void)rmdir(aside);
		free(aside);
		goto out;
	}
	*asidep = aside;
	if ((fd = open(st->tls_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
	    0) {
		(void)fsync(fd);
		close(fd);
	}
out:
	free(tls);
	return r;
}

/* Remove tls/<sha(name)>, set aside first. */
static int
tls_discard(struct store *st, const char *name, struct cm_err *err)
{
	char *aside = NULL;
	int r;

	if ((r = tls_move_aside(st, name, &aside, err)) == 0 && aside != NULL)
		r = dir_remove_tree(aside, err);
	free(aside);
	return r;
}

/* Remove a context's meta dir: meta.json first, so it goes at once. */
static int
meta_remove(struct store *st, const char *name, struct cm_err *err)
{
	char *meta = store_meta_dir(st, name);
	char *path = path_join(meta, "meta.json");
	int r = 0;

	if (unlink(path) != 0 && errno != ENOENT)
		r = err_sys(err, "cannot remove \"%s\"", path);
	if (r == 0)
		r = dir_remove_tree(meta, err);
	free(path);
	free(meta);
	return r;
}

int
store_remove(struct store *st, const char *name, struct cm_err *err)
{
	char *aside = NULL;
	int r;

	if ((r = context_name_check(name, err)) != 0)
		return r;
	if (!store_exists(st, name))
		return store_not_found(st, name, err);
	if (st->lock_fd >= 0 && !st->tidied)
		tidy_meta_dirs(st);
	if ((r = tls_move_aside(st, name, &aside, err)) != 0)
		return r;
	(void)fault_point("rm-tls-aside", NULL);
	if ((r = meta_remove(st, name, err)) == 0 && aside != NULL)
		r = dir_remove_tree(aside, err);
	free(aside);
	return r;
}

static void list_dir_sorted(const char *path, int want_dirs, struct strv *out);
static int store_set_switch(
    struct store *st, const char *prev, const char *set, struct cm_err *err);

/* Copy the TLS files of `from` into a new dir `to` (two levels:
 * endpoint dirs, then files; nothing else is copied). */
static int
tls_copy(const char *from, const char *to, struct cm_err *err)
{
	struct strv eps = { 0 }, files = { 0 };
	struct buf b;
	struct stat sb;
	char *src, *dst, *f, *t;
	size_t i, j;
	int r = 0;

	list_dir_sorted(from, 1, &eps);
	for (i = 0; r == 0 && i < eps.n; i++) {
		src = path_join(from, eps.v[i]);
		dst = path_join(to, eps.v[i]);
		strv_free(&files);
		list_dir_sorted(src, 0, &files);
		if (mkdir(dst, 0700) != 0)
			r = err_sys(err, "cannot create \"%s\"", dst);
		for (j = 0; r == 0 && j < files.n; j++) {
			f = path_join(src, files.v[j]);
			t = path_join(dst, files.v[j]);
			buf_init_secret(&b, (size_t)1 << 20);
			if (lstat(f, &sb) != 0)
				r = err_sys(err, "cannot stat \"%s\"", f);
			else if ((r = file_read(f, (size_t)1 << 20,
				      FILE_NOFOLLOW | FILE_SECRET, &b, err)) ==
			    0)
				r = file_write_atomic(t, b.data, b.len,
				    sb.st_mode & 0777, FILE_EXCL, err);
			buf_release(&b);
			free(f);
			free(t);
		}
		if (r == 0)
			r = dir_sync(dst, err);
		free(src);
		free(dst);
	}
	strv_free(&eps);
	strv_free(&files);
	return r;
}

/* tls/<sha(to)> := a copy of tls/<sha(from)>, made beside and renamed in
 * whole; an older tls/<sha(to)> (a context that is gone, or the copy of
 * an interrupted rename) is replaced. */
static int
tls_copy_for_rename(
    struct store *st, const char *from, const char *to, struct cm_err *err)
{
	char *src = store_tls_dir(st, from), *dst = store_tls_dir(st, to);
	char *stage = NULL, *old = NULL;
	int r;

	if (!file_exists(src)) {
		r = 0;
		goto out;
	}
	if ((r = check_not_link(src, err)) != 0 ||
	    (r = check_not_link(dst, err)) != 0)
		goto out;
	stage = path_join(st->tls_root, ".ctxmgr-rename-XXXXXX");
	if (mkdtemp(stage) == NULL) {
		r = err_sys(err, "cannot copy the TLS files of \"%s\"", from);
		free(stage);
		stage = NULL;
		goto out;
	}
	if ((r = tls_copy(src, stage, err)) != 0 ||
	    (r = tls_move_aside(st, to, &old, err)) != 0)
		goto out;
	if (rename(stage, dst) != 0) {
		r = err_sys(err, "cannot copy the TLS files of \"%s\"", from);
		goto out;
	}
	free(stage);
	stage = NULL;
	r = dir_sync(st->tls_root, err);
out:
	if (stage != NULL)
		(void)dir_remove_tree(stage, NULL);
	if (old != NULL)
		(void)dir_remove_tree(old, NULL);
	free(stage);
	free(old);
	free(src);
	free(dst);
	return r;
}

/* Whether two TLS dirs hold the same endpoints, files and bytes. */
static int
tls_same(const char *a, const char *b)
{
	struct strv ea = { 0 }, eb = { 0 }, fa = { 0 }, fb = { 0 };
	struct buf x, y;
	char *da, *db, *pa, *pb;
	size_t i, j;
	int same;

	list_dir_sorted(a, 1, &ea);
	list_dir_sorted(b, 1, &eb);
	same = ea.n == eb.n;
	for (i = 0; same && i < ea.n; i++) {
		same = strcmp(ea.v[i], eb.v[i]) == 0;
		da = path_join(a, ea.v[i]);
		db = path_join(b, eb.v[i]);
		strv_free(&fa);
		strv_free(&fb);
		list_dir_sorted(da, 0, &fa);
		list_dir_sorted(db, 0, &fb);
		same = same && fa.n == fb.n;
		for (j = 0; same && j < fa.n; j++) {
			pa = path_join(da, fa.v[j]);
			pb = path_join(db, fb.v[j]);
			buf_init_secret(&x, (size_t)1 << 20);
			buf_init_secret(&y, (size_t)1 << 20);
			same = strcmp(fa.v[j], fb.v[j]) == 0 &&
			    file_read(pa, (size_t)1 << 20, FILE_NOFOLLOW, &x,
				NULL) == 0 &&
			    file_read(pb, (size_t)1 << 20, FILE_NOFOLLOW, &y,
				NULL) == 0 &&
			    x.len == y.len &&
			    memcmp(x.data, y.data, x.len) == 0;
			buf_release(&x);
			buf_release(&y);
			free(pa);
			free(pb);
		}
		free(da);
		free(db);
	}
	strv_free(&ea);
	strv_free(&eb);
	strv_free(&fa);
	strv_free(&fb);
	return same;
}

/*
 * Whether `to` is the copy an interrupted rename of `from` made: the
 * same meta but the name, and TLS files that are missing on one side
 * or the same bytes on both (so that finishing loses nothing).
 */
static int
is_rename_copy(
    const struct store *st, const struct context *from, const char *to)
{
	struct context *c = NULL, tmp;
	struct buf x, y;
	char *ta = store_tls_dir(st, from->name), *tb = store_tls_dir(st, to);
	int same = 0;

	same = !file_exists(ta) || !file_exists(tb) || tls_same(ta, tb);
	free(ta);
	free(tb);
	if (!same || store_load(st, to, &c, NULL) != 0)
		return 0;
	tmp = *from;
	tmp.name = c->name;
	buf_init(&x, 0);
	buf_init(&y, 0);
	same = context_encode_meta(&tmp, &x) == 0 &&
	    context_encode_meta(c, &y) == 0 && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0;
	buf_release(&x);
	buf_release(&y);
	context_free(c);
	return same;
}

/*
 * A rename never moves anything: the new context is written whole (meta
 * then a copy of the TLS files) beside the old one, currentContext is
 * switched, then the old one goes (TLS moved aside first).  Killed at
 * any point, the current context is complete; the same rename run again
 * finds the copy and finishes (*resumedp).
 */
int
store_rename(struct store *st, const char *from, const char *to, int *resumedp,
    struct cm_err *err)
{
	struct context *c = NULL;
	char *cur = NULL, *prev = NULL, *set = NULL, *aside = NULL;
	int r, e, resumed = 0, made = 0;

	if (resumedp != NULL)
		*resumedp = 0;
	if ((r = context_name_check(to, err)) != 0)
		return r;
	if ((r = store_load(st, from, &c, err)) != 0)
		return r;
	if (c->is_default) {
		r = err_set(
		    err, ERR_INVALID, "the default context cannot be renamed");
		goto out;
	}
	if (strcmp(from, to) == 0) {
		r = err_set(
		    err, ERR_EXISTS, "context \"%s\" already exists", to);
		goto out;
	}
	if (store_exists(st, to)) {
		if (!is_rename_copy(st, c, to)) {
			r = err_set(err, ERR_EXISTS,
			    "context \"%s\" already exists", to);
			goto out;
		}
		resumed = 1;
	}
	free(c->name);
	c->name = xstrdup(to);
	if (!resumed) {
		if ((r = store_save(st, c, STORE_CREATE, err)) != 0)
			goto out;
		made = 1;
	}
	if ((e = fault_point("rename-meta", NULL)) != 0) {
		errno = e;
		r = err_sys(err, "cannot rename \"%s\"", from);
		goto undo;
	}
	if ((r = tls_copy_for_rename(st, from, to, err)) != 0)
		goto undo;
	(void)fault_point("rename-tls", NULL);
	if ((r = store_get_current(st, &cur, err)) != 0)
		goto undo;
	if (cur != NULL && strcmp(cur, from) == 0 &&
	    (r = store_set_current(st, to, err)) != 0)
		goto undo;
	if (store_get_switch(st, &prev, &set, NULL) == 0 &&
	    ((prev != NULL && strcmp(prev, from) == 0) ||
		(set != NULL && strcmp(set, from) == 0)))
		(void)store_set_switch(st,
		    prev != NULL && strcmp(prev, from) == 0 ? to : prev,
		    set != NULL && strcmp(set, from) == 0 ? to : set, NULL);
	(void)fault_point("rename-current", NULL);
	/* from here on the new context is the one in use: only go forward */
	if ((r = tls_move_aside(st, from, &aside, err)) != 0)
		goto out;
	(void)fault_point("rename-tls-aside", NULL);
	if ((r = meta_remove(st, from, err)) != 0)
		goto out;
	(void)fault_point("rename-old-meta", NULL);
	if (aside != NULL)
		r = dir_remove_tree(aside, err);
	if (resumedp != NULL)
		*resumedp = resumed;
	goto out;
undo:
	if (made) {
		char *tls_to = store_tls_dir(st, to);
		(void)meta_remove(st, to, NULL);
		(void)dir_remove_tree(tls_to, NULL);
		free(tls_to);
	}
out:
	free(aside);
	free(cur);
	free(prev);
	free(set);
	context_free(c);
	return r;
}

static int
check_component(const char *s, const char *what, struct cm_err *err)
{
	const char *p;

	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strlen(s) > 64)
		goto bad;
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
		    *p != '-')
			goto bad;
	return 0;
bad:
	return err_set(err, ERR_INVALID, "invalid TLS %s name", what);
}

static char *
tls_path(const struct store *st, const char *name, const char *endpoint,
    const char *file)
{
	char *dir = store_tls_dir(st, name), *epdir, *path;

	epdir = path_join(dir, endpoint);
	path = file ? path_join(epdir, file) : xstrdup(epdir);
	free(epdir);
	free(dir);
	return path;
}

int
store_tls_write(struct store *st, const char *name, const char *endpoint,
    const char *file, const void *data, size_t len, struct cm_err *err)
{
	char *dir = NULL, *epdir = NULL, *path = NULL;
	int r;

	if ((r = check_component(endpoint, "endpoint", err)) != 0 ||
	    (r = check_component(file, "file", err)) != 0)
		return r;
	dir = store_tls_dir(st, name);
	epdir = tls_path(st, name, endpoint, NULL);
	path = tls_path(st, name, endpoint, file);
	if ((r = check_not_link(st->tls_root, err)) != 0 ||
	    (r = check_not_link(dir, err)) != 0 ||
	    (r = check_not_link(epdir, err)) != 0)
		goto out;
	if ((r = dir_ensure(st->tls_root, 0700, err)) != 0 ||
	    (r = dir_ensure(epdir, 0700, err)) != 0)
		goto out;
	r = file_write_atomic(path, data, len, 0600, tidy_flag(st), err);
out:
	free(path);
	free(epdir);
	free(dir);
	return r;
}

int
store_tls_read(const struct store *st, const char *name, const char *endpoint,
    const char *file, struct buf *out, struct cm_err *err)
{
	char *path;
	int r;

	if ((r = check_component(endpoint, "endpoint", err)) != 0 ||
	    (r = check_component(file, "file", err)) != 0)
		return r;
	path = tls_path(st, name, endpoint, file);
	r = file_read(
	    path, STORE_TLS_MAX, FILE_NOFOLLOW | FILE_SECRET, out, err);
	free(path);
	return r;
}

int
store_tls_remove(struct store *st, const char *name, const char *endpoint,
    const char *file, struct cm_err *err)
{
	char *path, *epdir, *dir;
	int r = 0;

	if ((r = check_component(endpoint, "endpoint", err)) != 0 ||
	    (r = check_component(file, "file", err)) != 0)
		return r;
	path = tls_path(st, name, endpoint, file);
	if (unlink(path) != 0 && errno != ENOENT)
		r = err_sys(err, "cannot remove \"%s\"", path);
	free(path);
	/* drop directories left empty, as Docker has no tls/ without TLS */
	epdir = tls_path(st, name, endpoint, NULL);
	dir = store_tls_dir(st, name);
	if (r == 0 && rmdir(epdir) == 0)
		(void)rmdir(dir);
	free(epdir);
	free(dir);
	return r;
}

/* Checks and directories shared by the TLS replace functions. */
static int
tls_replace_prep(struct store *st, const char *name, const char *endpoint,
    const struct dirswap_file *files, size_t n, char **epdirp,
    struct cm_err *err)
{
	char *dir;
	size_t i;
	int r;

	*epdirp = NULL;
	if ((r = context_name_check(name, err)) != 0 ||
	    (r = check_component(endpoint, "endpoint", err)) != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = check_component(files[i].name, "file", err)) != 0)
			return r;
	dir = store_tls_dir(st, name);
	*epdirp = tls_path(st, name, endpoint, NULL);
	if ((r = check_not_link(st->tls_root, err)) == 0 &&
	    (r = check_not_link(dir, err)) == 0 &&
	    (r = check_not_link(*epdirp, err)) == 0 &&
	    (r = dir_ensure(st->tls_root, 0700, err)) == 0)
		r = dir_ensure(dir, 0700, err);
	free(dir);
	if (r != 0) {
		free(*epdirp);
		*epdirp = NULL;
	}
	return r;
}

int
store_tls_stage(struct store *st, const char *name, const char *endpoint,
    const struct dirswap_file *files, size_t n, int flags, char **stagep,
    struct cm_err *err)
{
	char *epdir;
	int r;

	*stagep = NULL;
	if ((r = tls_replace_prep(st, name, endpoint, files, n, &epdir, err)) ==
	    0)
		r = dirswap_stage(
		    epdir, 0700, files, n, 1, st->tls_root, flags, stagep, err);
	free(epdir);
	return r;
}

int
store_tls_commit(struct store *st, const char *name, const char *endpoint,
    const char *stage, int flags, char **oldp, struct cm_err *err)
{
	char *epdir;
	int r;

	*oldp = NULL;
	if ((r = tls_replace_prep(st, name, endpoint, NULL, 0, &epdir, err)) ==
	    0)
		r = dirswap_commit(epdir, stage, flags, oldp, err);
	else
		(void)dir_remove_tree(stage, NULL);
	free(epdir);
	return r;
}

int
store_tls_sync(struct store *st, struct cm_err *err)
{
	return dirswap_sync(st->tls_root, err);
}

#define SWAP_PREFIX ".ctxmgr-swap-"

static int
is_stage_name(const char *s)
{
	return s != NULL && strncmp(s, SWAP_PREFIX, strlen(SWAP_PREFIX)) == 0 &&
	    strchr(s, '/') == NULL && strlen(s) < 64;
}

int
store_tls_swap_back(struct store *st, const char *name, const char *endpoint,
    const char *stage, struct cm_err *err)
{
	struct stat sb;
	char *path = NULL, *epdir, *old = NULL;
	int r;

	if (stage != NULL && !is_stage_name(stage))
		return err_set(err, ERR_INVALID,
		    "\"%s\" is not a staging directory name", stage);
	if ((r = tls_replace_prep(st, name, endpoint, NULL, 0, &epdir, err)) !=
	    0)
		return r;
	if (stage != NULL)
		path = path_join(st->tls_root, stage);
	if (path != NULL && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if ((r = dirswap_commit(epdir, path, 0, &old, err)) == 0 &&
		    old != NULL)
			r = dir_remove_tree(old, err);
	} else
		r = dir_remove_tree(epdir, err);
	free(old);
	free(path);
	free(epdir);
	return r;
}

void
store_tls_drop_stage(struct store *st, const char *stage)
{
	char *path;

	if (!is_stage_name(stage))
		return;
	path = path_join(st->tls_root, stage);
	(void)dir_remove_tree(path, NULL);
	free(path);
}

size_t
store_tls_tidy_swaps(struct store *st)
{
	struct dirent *de;
	size_t n = 0;
	char *path;
	DIR *d;

	if ((d = opendir(st->tls_root)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (is_stage_name(de->d_name)) {
			path = path_join(st->tls_root, de->d_name);
			if (dir_remove_tree(path, NULL) == 0)
				n++;
			free(path);
		}
	closedir(d);
	return n;
}

static void
list_dir_sorted(const char *path, int want_dirs, struct strv *out)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = path_join(path, de->d_name);
		/* files: symlinks too, so that reading them is refused
		 * rather than silently skipped */
		if (lstat(p, &st) == 0 &&
		    (want_dirs ? S_ISDIR(st.st_mode)
			       : S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
			strv_push(out, de->d_name);
		free(p);
	}
	closedir(d);
	strv_sort(out);
}

json_t *
store_tls_material(const struct store *st, const char *name)
{
	struct strv eps = { 0 }, files;
	json_t *m = json_object(), *arr;
	char *dir, *epdir;
	size_t i, j;

	dir = store_tls_dir(st, name);
	list_dir_sorted(dir, 1, &eps);
	for (i = 0; i < eps.n; i++) {
		memset(&files, 0, sizeof(files));
		epdir = path_join(dir, eps.v[i]);
		list_dir_sorted(epdir, 0, &files);
		free(epdir);
		if (files.n == 0)
			continue;
		arr = json_array();
		for (j = 0; j < files.n; j++)
			json_array_append_new(arr, json_string(files.v[j]));
		json_object_set_new(m, eps.v[i], arr);
		strv_free(&files);
	}
	strv_free(&eps);
	free(dir);
	return m;
}

static int
read_config_json(
    const struct store *st, struct buf *b, int *existsp, struct cm_err *err)
{
	int r;

	*existsp = 0;
	r = file_read(st->config_json, CONFIG_JSON_MAX, 0, b, err);
	if (r == ERR_NOTFOUND)
		return 0;
	if (r == 0)
		*existsp = 1;
	return r;
}

int
store_get_current(const struct store *st, char **namep, struct cm_err *err)
{
	struct buf b;
	int r, exists;

	*namep = NULL;
	buf_init(&b, CONFIG_JSON_MAX);
	if ((r = read_config_json(st, &b, &exists, err)) == 0 && exists &&
	    (r = dockercfg_current(b.data, b.len, namep, err)) != 0)
		err_prefix(err, "%s", st->config_json);
	buf_release(&b);
	if (r == 0 && *namep != NULL &&
	    strcmp(*namep, STORE_DEFAULT_NAME) == 0) {
		free(*namep);
		*namep = NULL;
	}
	return r;
}

int
store_set_current(struct store *st, const char *name, struct cm_err *err)
{
	struct buf old, new;
	int r, exists;

	if (name != NULL && strcmp(name, STORE_DEFAULT_NAME) == 0)
		name = NULL;
	buf_init(&old, CONFIG_JSON_MAX);
	buf_init(&new, CONFIG_JSON_MAX);
	if ((r = read_config_json(st, &old, &exists, err)) != 0)
		goto out;
	if (!exists && name == NULL)
		goto out;
	if ((r = dockercfg_set_current(old.data, old.len, name, &new, err)) !=
	    0) {
		err_prefix(err, "%s", st->config_json);
		goto out;
	}
	if (exists && new.len == old.len &&
	    memcmp(new.data, old.data, old.len) == 0)
		goto out; /* nothing changes: like Docker, skip the write */
	if (!file_exists(st->config_dir) &&
	    (r = dir_ensure(st->config_dir, 0700, err)) != 0)
		goto out;
	r = file_write_atomic(st->config_json, new.data, new.len, 0600,
	    FILE_KEEP_MODE | FILE_FOLLOW_TARGET | tidy_flag(st), err);
out:
	if (r == 0) {
		free(st->last_set);
		st->last_set = xstrdup(name ? name : STORE_DEFAULT_NAME);
	}
	buf_release(&old);
	buf_release(&new);
	return r;
}

/* A name as the state file may hold it, or NULL. */
static char *
state_name(const char *s, size_t len)
{
	char *name = xstrndup(s, len);

	if (len > 0 &&
	    (strcmp(name, STORE_DEFAULT_NAME) == 0 ||
		context_name_check(name, NULL) == 0))
		return name;
	free(name);
	return NULL;
}

int
store_get_switch(
    const struct store *st, char **prevp, char **setp, struct cm_err *err)
{
	char *path = path_join(st->state_dir, "previous"), *nl;
	struct buf b;
	int r;

	*prevp = NULL;
	if (setp != NULL)
		*setp = NULL;
	buf_init(&b, 4096);
	r = file_read(path, 4096, FILE_NOFOLLOW, &b, err);
	free(path);
	if (r == ERR_NOTFOUND) {
		buf_release(&b);
		return 0;
	}
	if (r == 0) {
		/* "PREVIOUS\n" then, since issue 16, "SET\n" */
		buf_rtrim(&b);
		nl = memchr(b.data, '\n', b.len);
		*prevp = state_name(b.data, nl ? (size_t)(nl - b.data) : b.len);
		if (setp != NULL && nl != NULL)
			*setp = state_name(
			    nl + 1, b.len - (size_t)(nl + 1 - b.data));
	}
	buf_release(&b);
	return r;
}

int
store_get_previous(const struct store *st, char **namep, struct cm_err *err)
{
	return store_get_switch(st, namep, NULL, err);
}

static int
store_set_switch(
    struct store *st, const char *prev, const char *set, struct cm_err *err)
{
	char *path, *text;
	int fd, r = 0;

	if ((r = store_state_dir(st, err)) != 0)
		return r;
	path = path_join(st->state_dir, "previous");
	text = xasprintf("%s\n%s%s", prev ? prev : STORE_DEFAULT_NAME,
	    set ? set : "", set ? "\n" : "");
	/*
	 * A convenience for `use -`, rewritten in place under the store lock:
	 * no temporary file, no fsync.  A torn write reads back as an invalid
	 * name, which store_get_switch ignores.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fd_write_all(fd, text, strlen(text)) != 0 ||
	    ftruncate(fd, (off_t)strlen(text)) != 0)
		r = err_sys(err, "cannot write \"%s\"", path);
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	return r;
}

int
store_set_previous(struct store *st, const char *name, struct cm_err *err)
{
	return store_set_switch(st, name, st->last_set, err);
}

int
store_resolve(const struct store *st, const char *flag, char **namep,
    enum context_source *srcp, struct cm_err *err)
{
	const char *env;
	enum context_source src;
	char *cur = NULL;
	int r;

	*namep = NULL;
	if (flag != NULL && *flag != '\0') {
		*namep = xstrdup(flag);
		src = SRC_FLAG;
	} else if ((env = getenv("DOCKER_HOST")) != NULL && *env != '\0') {
		*namep = xstrdup(STORE_DEFAULT_NAME);
		src = SRC_DOCKER_HOST;
	} else if ((env = getenv("DOCKER_CONTEXT")) != NULL && *env != '\0') {
		*namep = xstrdup(env);
		src = SRC_DOCKER_CONTEXT;
	} else {
		if ((r = store_get_current(st, &cur, err)) != 0)
			return r;
		src = cur ? SRC_CONFIG : SRC_DEFAULT;
		*namep = cur ? cur : xstrdup(STORE_DEFAULT_NAME);
	}
	if (srcp != NULL)
		*srcp = src;
	return 0;
}
