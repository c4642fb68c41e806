/* select.c: --filter for choosing contexts (see select.h). */
#include "common/compat.h"

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
