/* archive.c: context export archives (see archive.h). */
#include "common/compat.h"

#include "store/archive.h"
#include "common/tar.h"
#include "common/util.h"
#include "common/xmalloc.h"

/* Go's path.Clean(p) == p, relative, and no backslash. */
static int
path_is_clean(const char *p)
{
	const char *c, *end;
	size_t n;

	if (*p == '\0' || *p == '/' || strchr(p, '\\') != NULL)
		return 0;
	for (c = p;; c = end + 1) {
		end = strchr(c, '/');
		n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
	}
}

/* Split a clean "tls/<ep>/<file>"; 0 or -1. */
static int
split_tls_path(const char *p, char *ep, char *file)
{
	const char *s1 = p + 4, *s2 = strchr(s1, '/');

	if (s2 == NULL || strchr(s2 + 1, '/') != NULL || s2 - s1 > 64 ||
	    strlen(s2 + 1) > 64)
		return -1;
	memcpy(ep, s1, (size_t)(s2 - s1));
	ep[s2 - s1] = '\0';
	snprintf(file, 65, "%s", s2 + 1);
	return 0;
}

static int
read_entry(const struct tar_entry *e, void *arg, struct cm_err *err)
{
	struct archive *ar = arg;
	struct archive_file *f;
	char name[sizeof(e->name)];
	size_t len = strlen(e->name), i;

	memcpy(name, e->name, len + 1);
	if (e->type == TAR_DIR && len > 1 && name[len - 1] == '/')
		name[len - 1] = '\0';
	if (str_has_ctrl(name))
		return err_set(err, ERR_INVALID,
		    "archive member name holds a control character");
	if (!path_is_clean(name))
		return err_set(err, ERR_INVALID,
		    "archive member \"%s\" has an unsafe path", name);
	if (e->type == TAR_OTHER)
		return err_set(err, ERR_INVALID,
		    "archive member \"%s\" is not a regular file: links, "
		    "devices and special files are refused",
		    name);
	if (e->type == TAR_DIR) {
		if (strcmp(name, "tls") == 0 ||
		    (str_has_prefix(name, "tls/") &&
			strchr(name + 4, '/') == NULL))
			return 0;
		return err_set(err, ERR_INVALID,
		    "unexpected directory \"%s\" in the archive", name);
	}
	if (strcmp(name, "meta.json") == 0) {
		if (ar->meta != NULL)
			return err_set(err, ERR_INVALID,
			    "the archive holds meta.json twice");
		if (e->size > STORE_META_MAX)
			return err_set(err, ERR_TOOBIG, "meta.json is too big");
		ar->meta = e->data;
		ar->meta_len = e->size;
		return 0;
	}
	if (!str_has_prefix(name, "tls/"))
		return err_set(err, ERR_INVALID,
		    "unexpected file \"%s\" in the archive", name);
	if (ar->nfiles == ARCHIVE_MAX_FILES)
		return err_set(
		    err, ERR_TOOBIG, "the archive holds too many TLS files");
	f = &ar->files[ar->nfiles];
	if (split_tls_path(name, f->endpoint, f->name) != 0)
		return err_set(err, ERR_INVALID,
		    "unexpected file \"%s\" in the archive", name);
	for (i = 0; i < ar->nfiles; i++)
		if (strcmp(ar->files[i].endpoint, f->endpoint) == 0 &&
		    strcmp(ar->files[i].name, f->name) == 0)
			return err_set(err, ERR_INVALID,
			    "the archive holds \"%s\" twice", name);
	if (e->size > STORE_TLS_MAX)
		return err_set(err, ERR_TOOBIG, "\"%s\" is too big", name);
	f->data = e->data;
	f->size = e->size;
	ar->nfiles++;
	return 0;
}

int
archive_read(
    const char *data, size_t len, struct archive *ar, struct cm_err *err)
{
	int r;

	memset(ar, 0, sizeof(*ar));
	if (len > ARCHIVE_MAX)
		return err_set(
		    err, ERR_TOOBIG, "the archive is larger than 10 MiB");
	if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
		return err_set(err, ERR_INVALID,
		    "zip archives are not supported; export the context as a "
		    "tar archive");
	if ((r = tar_walk(data, len, read_entry, ar, err)) != 0)
		return r;
	if (ar->meta == NULL)
		return err_set(
		    err, ERR_INVALID, "invalid context: no metadata found");
	return 0;
}

int
archive_write(const struct store *st, const struct context *c, struct buf *out,
    struct cm_err *err)
{
	json_t *material, *files, *f;
	struct buf meta, file;
	const char *ep;
	char *path;
	size_t i;
	int r;

	buf_init(&meta, 0);
	buf_init_secret(&file, STORE_TLS_MAX);
	material = store_tls_material(st, c->name);
	if ((r = context_encode_meta(c, &meta)) != 0 ||
	    (r = tar_add_file(out, "meta.json", 0644, meta.data, meta.len)) !=
		0)
		goto toobig;
	if (json_object_size(material) > 0 &&
	    (r = tar_add_dir(out, "tls", 0700)) != 0)
		goto toobig;
	json_object_foreach(material, ep, files)
	{
		path = xasprintf("tls/%s", ep);
		r = tar_add_dir(out, path, 0700);
		free(path);
		if (r != 0)
			goto toobig;
		json_array_foreach(files, i, f)
		{
			buf_reset(&file);
			if ((r = store_tls_read(st, c->name, ep,
				 json_string_value(f), &file, err)) != 0)
				goto out;
			path = xasprintf("tls/%s/%s", ep, json_string_value(f));
			r = tar_add_file(out, path, 0600, file.data, file.len);
			free(path);
			if (r != 0)
				goto toobig;
		}
	}
	if ((r = tar_finish(out)) == 0)
		goto out;
toobig:
	r = err_set(err, r, "cannot build the archive for \"%s\"", c->name);
out:
	json_decref(material);
	buf_release(&meta);
	buf_release(&file);
	return r;
}
