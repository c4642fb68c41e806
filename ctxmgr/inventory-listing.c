/* inventory-listing.c: `ls`/`inspect --format yaml` read back as an
 * inventory (see inventory.h). */
#include "common/compat.h"

#include "common/xmalloc.h"
#include "ctxmgr/inventory-int.h"
#include "store/store.h"

/* Metadata.ctxmgr of an inspect listing: settings and tags. */
static int
listing_settings(struct reader *rd, const struct ynode *m, struct inv_host *h)
{
	const char *s;
	size_t i;
	int r;

	if (ynode_is_null(m))
		return 0;
	if (m->type != YNODE_MAP)
		return ydoc_error(rd->d, m, rd->err, ERR_INVALID,
		    "\"Metadata.ctxmgr\" must be a mapping, not %s",
		    ynode_kind(m));
	for (i = 0; i < m->n; i++) {
		const struct ynode *k = m->items[2 * i];
		const struct ynode *v = m->items[2 * i + 1];
		if (strcmp(k->value, "tags") == 0) {
			if ((r = inv_tag_list(rd, v, &h->tags)) != 0)
				return r;
			continue;
		}
		if ((r = inv_text(rd, v, k->value, &s)) != 0)
			return r;
		if (strcmp(k->value, SETTING_IDENTITY) == 0) {
			free(h->identity);
			h->identity = xstrdup(s);
			continue;
		}
		if (h->settings == NULL)
			h->settings = json_object();
		json_object_set_new(h->settings, k->value, json_string(s));
	}
	return 0;
}

static const char *const listing_keys[] = { "Name", "Description",
	"DockerEndpoint", "Current", "Error", "Metadata", "Endpoints",
	"TLSMaterial", "Storage", "Tags", "SSHHost", "Tunnel" };

/* One entry of `ls --format yaml` or `inspect --format yaml`. */
int
inv_listing_host(struct reader *rd, const struct ynode *m)
{
	const char *name, *ep = NULL, *desc = NULL;
	const struct ynode *v, *meta, *dock = NULL;
	struct inv_host *h;
	int r, skip = 0;

	if ((r = inv_check_keys(rd, m, listing_keys, nitems(listing_keys),
		 "a listed context")) != 0)
		return r;
	if ((r = inv_text(rd, ynode_get(m, "Name"), "Name", &name)) != 0)
		return r;
	if (strcmp(name, STORE_DEFAULT_NAME) == 0) {
		inv_note(rd, m, "\"default\" is built in: skipped");
		return 0;
	}
	if ((v = ynode_get(m, "Error")) != NULL && !ynode_is_null(v) &&
	    v->type == YNODE_SCALAR && v->len > 0) {
		inv_note(
		    rd, m, "\"%s\" was listed with an error: skipped", name);
		return 0;
	}
	if ((v = ynode_get(m, "DockerEndpoint")) != NULL &&
	    !(v->type == YNODE_SCALAR && v->len == 0) &&
	    (r = inv_text(rd, v, "DockerEndpoint", &ep)) != 0)
		return r;
	if ((v = ynode_get(m, "Endpoints")) != NULL) {
		if (v->type != YNODE_MAP)
			return ydoc_error(rd->d, v, rd->err, ERR_INVALID,
			    "\"Endpoints\" must be a mapping, not %s",
			    ynode_kind(v));
		dock = ynode_get(v, "docker");
		if (dock != NULL && dock->type != YNODE_MAP)
			return ydoc_error(rd->d, dock, rd->err, ERR_INVALID,
			    "\"Endpoints.docker\" must be a mapping, not %s",
			    ynode_kind(dock));
		if (dock != NULL && ynode_get(dock, "Host") != NULL &&
		    (r = inv_text(rd, ynode_get(dock, "Host"), "Host", &ep)) !=
			0)
			return r;
	}
	/* ls of a tunnelled context: its endpoint is the ssh:// URL, not
	 * the local socket of this machine's tunnel service */
	if ((v = ynode_get(m, "SSHHost")) != NULL &&
	    (r = inv_text(rd, v, "SSHHost", &ep)) != 0)
		return r;
	if (ep == NULL)
		return ydoc_error(rd->d, m, rd->err, ERR_INVALID,
		    "context \"%s\" has no Docker endpoint", name);
	meta = ynode_get(m, "Metadata");
	if (meta != NULL && !ynode_is_null(meta) && meta->type != YNODE_MAP)
		return ydoc_error(rd->d, meta, rd->err, ERR_INVALID,
		    "\"Metadata\" must be a mapping, not %s", ynode_kind(meta));
	v = ynode_get(meta, "Description");
	if (v == NULL)
		v = ynode_get(m, "Description");
	if (v != NULL && !(v->type == YNODE_SCALAR && v->len == 0) &&
	    !ynode_is_null(v) &&
	    (r = inv_text(rd, v, "Description", &desc)) != 0)
		return r;
	if ((v = ynode_get(dock, "SkipTLSVerify")) != NULL &&
	    (r = ynode_bool(rd->d, v, "SkipTLSVerify", &skip, rd->err)) != 0)
		return r;
	if ((r = inv_new_host(rd, m, name, &h)) != 0)
		return r;
	h->skip_tls_verify = skip;
	if ((r = inv_make_endpoint(rd, m, ep, NULL, 0, NULL, &h->endpoint)) !=
	    0)
		return r;
	if (desc != NULL)
		h->description = xstrdup(desc);
	if ((r = listing_settings(
		 rd, ynode_get(meta, STORE_SETTINGS_KEY), h)) != 0)
		return r;
	if ((v = ynode_get(m, "Tags")) != NULL &&
	    (r = inv_tag_list(rd, v, &h->tags)) != 0)
		return r;
	if ((v = ynode_get(m, "TLSMaterial")) != NULL && v->type == YNODE_MAP &&
	    v->n > 0)
		inv_note(rd, v,
		    "TLS files of \"%s\" are not in a listing: carry them "
		    "with \"ctxmgr export\" and \"ctxmgr import\"",
		    name);
	return 0;
}
