/* select.c: --filter for choosing contexts (see select.h). */
#include "common/compat.h"

#include <ctype.h>
#include <fnmatch.h>

#include "ctxmgr/select.h"
#include "ctxmgr/svckick.h"

void
ctx_filter_init(struct ctx_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->tunnel = -1;
}

void
ctx_filter_release(struct ctx_filter *f)
{
	strv_free(&f->names);
	strv_free(&f->schemes);
	strv_free(&f->tags);
	ctx_filter_init(f);
}

int
ctx_filter_add(struct ctx_filter *f, const char *spec, struct cm_err *err)
{
	const char *eq = strchr(spec, '='), *v;
	size_t kl;

	if (eq == NULL || eq == spec || eq[1] == '\0')
		return err_set(err, ERR_USAGE,
		    "filter \"%s\" is not KEY=VALUE (name, scheme, tag or "
		    "tunnel)",
		    spec);
	kl = (size_t)(eq - spec);
	v = eq + 1;
	if (kl == 4 && strncmp(spec, "name", 4) == 0)
		strv_push(&f->names, v);
	else if (kl == 3 && strncmp(spec, "tag", 3) == 0)
		strv_push(&f->tags, v);
	else if (kl == 6 && strncmp(spec, "scheme", 6) == 0) {
		if (strcmp(v, "ssh") != 0 && strcmp(v, "tcp") != 0 &&
		    strcmp(v, "unix") != 0)
			return err_set(err, ERR_USAGE,
			    "filter \"%s\": scheme is ssh, tcp or unix", spec);
		strv_push(&f->schemes, v);
	} else if (kl == 6 && strncmp(spec, "tunnel", 6) == 0) {
		int on = strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 ||
		    strcmp(v, "true") == 0;
		int off = strcmp(v, "off") == 0 || strcmp(v, "no") == 0 ||
		    strcmp(v, "false") == 0;
		if (!on && !off)
			return err_set(err, ERR_USAGE,
			    "filter \"%s\": tunnel is on or off", spec);
		if (f->tunnel >= 0 && f->tunnel != on)
			f->tunnel = 2; /* on or off: anything */
		else
			f->tunnel = on;
	} else
		return err_set(err, ERR_USAGE,
		    "unknown filter \"%.*s\" (use name, scheme, tag or tunnel)",
		    (int)kl, spec);
	return 0;
}

int
ctx_filter_empty(const struct ctx_filter *f)
{
	return f->names.n == 0 && f->schemes.n == 0 && f->tags.n == 0 &&
	    f->tunnel < 0;
}

int
ctx_filter_needs_settings(const struct ctx_filter *f)
{
	/* listing entries carry the ssh:// URL of tunnelled contexts */
	return f->tags.n > 0;
}

/* "ssh", "tcp", "unix" or NULL, tunnelled contexts counted as ssh. */
static const char *
scheme_of(const struct context *c)
{
	if (svc_context_ssh_url(c) != NULL)
		return "ssh";
	if (c->host == NULL)
		return NULL;
	if (str_has_prefix(c->host, "tcp://"))
		return "tcp";
	if (str_has_prefix(c->host, "unix://"))
		return "unix";
	return NULL;
}

static int
has_tag(const struct context *c, const char *tag)
{
	json_t *s = json_object_get(c->metadata, STORE_SETTINGS_KEY), *tags, *t;
	size_t i;

	tags = json_is_object(s) ? json_object_get(s, "tags") : NULL;
	json_array_foreach(tags, i, t)
	{
		if (json_is_string(t) && strcmp(json_string_value(t), tag) == 0)
			return 1;
	}
	return 0;
}

int
ctx_filter_match(const struct ctx_filter *f, const struct context *c)
{
	const char *scheme = scheme_of(c);
	size_t i;
	int ok;

	if (f->names.n > 0) {
		for (ok = 0, i = 0; i < f->names.n && !ok; i++)
			ok = fnmatch(f->names.v[i], c->name, 0) == 0;
		if (!ok)
			return 0;
	}
	if (f->schemes.n > 0) {
		for (ok = 0, i = 0; i < f->schemes.n && !ok; i++)
			ok = scheme != NULL &&
			    strcmp(f->schemes.v[i], scheme) == 0;
		if (!ok)
			return 0;
	}
	if (f->tags.n > 0) {
		if (c->is_default)
			return 0;
		for (ok = 0, i = 0; i < f->tags.n && !ok; i++)
			ok = has_tag(c, f->tags.v[i]);
		if (!ok)
			return 0;
	}
	if (f->tunnel == 0 || f->tunnel == 1) {
		if (c->is_default || svc_context_tunnelled(c) != f->tunnel)
			return 0;
	}
	return 1;
}

int
ctx_select(struct store *st, const struct strv *specs, int all, unsigned flags,
    struct context ***listp, size_t *np, struct cm_err *err)
{
	struct context **list = NULL, *full;
	struct ctx_filter f;
	struct cm_err e2;
	size_t i, n = 0, kept = 0;
	int r = 0, ok, load;

	*listp = NULL;
	*np = 0;
	ctx_filter_init(&f);
	for (i = 0; specs != NULL && i < specs->n && r == 0; i++)
		r = ctx_filter_add(&f, specs->v[i], err);
	if (r != 0)
		goto out;
	if (ctx_filter_empty(&f) && !all) {
		r = err_set(err, ERR_USAGE, "give --all or --filter KEY=VALUE");
		goto out;
	}
	if ((r = store_list(st, &list, &n, err)) != 0)
		goto out;
	load = (flags & CTX_SELECT_LOAD) || ctx_filter_needs_settings(&f);
	for (i = 0; i < n; i++) {
		full = NULL;
		if ((flags & CTX_SELECT_NO_DEFAULT) && list[i]->is_default) {
			context_free(list[i]);
			continue;
		}
		if (load && !list[i]->is_default && list[i]->error == NULL &&
		    store_load(st, list[i]->name, &full, &e2) != 0)
			full = NULL;
		ok = ctx_filter_match(&f, full != NULL ? full : list[i]);
		if (ok && full != NULL && (flags & CTX_SELECT_LOAD)) {
			context_free(list[i]);
			list[i] = full;
			full = NULL;
		}
		context_free(full);
		if (ok)
			list[kept++] = list[i];
		else
			context_free(list[i]);
	}
	*listp = list;
	*np = kept;
	list = NULL;
out:
	ctx_filter_release(&f);
	return r;
}

int
ctx_tag_check(const char *tag, struct cm_err *err)
{
	size_t len = strlen(tag), i;

	if (len == 0)
		return err_set(err, ERR_USAGE, "a tag cannot be empty");
	if (len > CTX_TAG_MAX || str_needs_escape(tag))
		goto bad;
	for (i = 0; i < len; i++)
		if (tag[i] == ',' || isspace((unsigned char)tag[i]))
			goto bad;
	return 0;
bad:
	return err_set(err, ERR_USAGE,
	    "tag \"%.*s\" is not usable: at most %d bytes of text without "
	    "spaces, commas or control characters",
	    len > CTX_TAG_MAX ? CTX_TAG_MAX : (int)len, tag, CTX_TAG_MAX);
}

void
ctx_tags_get(const struct context *c, struct strv *out)
{
	json_t *s = json_object_get(c->metadata, STORE_SETTINGS_KEY), *tags, *t;
	size_t i;

	tags = json_is_object(s) ? json_object_get(s, "tags") : NULL;
	json_array_foreach(tags, i, t)
	{
		if (json_is_string(t))
			strv_push(out, json_string_value(t));
	}
}

static int
strv_has(const struct strv *sv, const char *s)
{
	size_t i;

	for (i = 0; sv != NULL && i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

int
ctx_tags_edit(struct context *c, const struct strv *add, const struct strv *del,
    struct cm_err *err)
{
	struct strv cur = { 0 }, next = { 0 };
	json_t *s, *arr;
	size_t i;
	int r = 0;

	for (i = 0; add != NULL && i < add->n; i++)
		if ((r = ctx_tag_check(add->v[i], err)) != 0)
			return r;
	ctx_tags_get(c, &cur);
	for (i = 0; i < cur.n; i++)
		if (!strv_has(del, cur.v[i]) && !strv_has(&next, cur.v[i]))
			strv_push(&next, cur.v[i]);
	for (i = 0; add != NULL && i < add->n; i++)
		if (!strv_has(del, add->v[i]) && !strv_has(&next, add->v[i]))
			strv_push(&next, add->v[i]);
	strv_sort(&next);
	s = json_object_get(c->metadata, STORE_SETTINGS_KEY);
	if (next.n == 0) {
		if (json_is_object(s)) {
			json_object_del(s, "tags");
			if (json_object_size(s) == 0)
				json_object_del(
				    c->metadata, STORE_SETTINGS_KEY);
		}
		goto out;
	}
	if (!json_is_object(s)) {
		s = json_object();
		json_object_set_new(c->metadata, STORE_SETTINGS_KEY, s);
	}
	arr = json_array();
	for (i = 0; i < next.n; i++)
		json_array_append_new(arr, json_string(next.v[i]));
	json_object_set_new(s, "tags", arr);
out:
	strv_free(&cur);
	strv_free(&next);
	return r;
}
