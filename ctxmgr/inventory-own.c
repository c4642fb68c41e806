/* inventory-own.c: ctxmgr's own inventory format (see inventory.h). */
#include "common/compat.h"

#include "common/xmalloc.h"
#include "ctxmgr/inventory-int.h"

static const char *const own_keys[] = { "name", "host", "user", "port",
	"identity", "description", "tags", "socket" };

/* One host of ctxmgr's own format. */
static int
own_host(struct reader *rd, const struct ynode *m, const struct defaults *df)
{
	const char *name, *host, *user = NULL, *s, *socket = NULL;
	const struct ynode *v;
	struct defaults urldf;
	struct inv_host *h;
	long long port = 0;
	int r;

	if ((r = inv_check_keys(rd, m, own_keys, nitems(own_keys), "a host")) !=
	    0)
		return r;
	if ((v = ynode_get(m, "name")) == NULL)
		return ydoc_error(
		    rd->d, m, rd->err, ERR_INVALID, "a host needs a \"name\"");
	if ((r = inv_text(rd, v, "name", &name)) != 0)
		return r;
	if ((v = ynode_get(m, "host")) == NULL)
		return ydoc_error(rd->d, m, rd->err, ERR_INVALID,
		    "host \"%s\" needs a \"host\" (name, address or URL)",
		    name);
	if ((r = inv_text(rd, v, "host", &host)) != 0)
		return r;
	if (strstr(host, "://") != NULL) {
		/* a URL carries its own user, port and socket */
		memset(&urldf, 0, sizeof(urldf));
		urldf.identity = df->identity;
		urldf.tags = df->tags;
		df = &urldf;
	}
	if ((v = inv_pick(m, "user", df->user)) != NULL &&
	    (r = inv_text(rd, v, "user", &user)) != 0)
		return r;
	if ((v = inv_pick(m, "port", df->port)) != NULL &&
	    (r = ynode_int(rd->d, v, "port", 1, 65535, &port, rd->err)) != 0)
		return r;
	if ((v = inv_pick(m, "socket", df->socket)) != NULL) {
		if ((r = inv_text(rd, v, "socket", &socket)) != 0)
			return r;
		if (socket[0] != '/')
			return ydoc_error(rd->d, v, rd->err, ERR_INVALID,
			    "\"socket\" must be an absolute path");
	}
	if ((r = inv_new_host(rd, m, name, &h)) != 0)
		return r;
	if ((r = inv_make_endpoint(rd, ynode_get(m, "host"), host, user, port,
		 socket, &h->endpoint)) != 0)
		return r;
	if ((v = inv_pick(m, "identity", df->identity)) != NULL) {
		if ((r = inv_text(rd, v, "identity", &s)) != 0)
			return r;
		h->identity = xstrdup(s);
	}
	if ((v = inv_pick(m, "description", NULL)) != NULL) {
		if ((r = inv_text(rd, v, "description", &s)) != 0)
			return r;
		h->description = xstrdup(s);
	}
	if ((r = inv_tag_list(rd, df->tags, &h->tags)) != 0)
		return r;
	return inv_tag_list(rd, ynode_get(m, "tags"), &h->tags);
}

int
inv_read_list(
    struct reader *rd, const struct ynode *seq, const struct defaults *df)
{
	size_t i;
	int r;

	for (i = 0; i < seq->n; i++) {
		const struct ynode *m = seq->items[i];
		if (m->type != YNODE_MAP)
			return ydoc_error(rd->d, m, rd->err, ERR_INVALID,
			    "a host must be a mapping, not %s", ynode_kind(m));
		if (ynode_get(m, "Name") != NULL) {
			rd->inv->format = INV_LISTING;
			r = inv_listing_host(rd, m);
		} else
			r = own_host(rd, m, df);
		if (r != 0)
			return r;
	}
	return 0;
}

int
inv_read_own(struct reader *rd, const struct ynode *root)
{
	static const char *const top[] = { "hosts", "defaults" };
	static const char *const dkeys[] = { "user", "port", "identity",
		"socket", "tags" };
	const struct ynode *d = ynode_get(root, "defaults");
	struct defaults df;
	int r;

	memset(&df, 0, sizeof(df));
	if ((r = inv_check_keys(rd, root, top, nitems(top), "the inventory")) !=
	    0)
		return r;
	if (d != NULL && !ynode_is_null(d)) {
		if (d->type != YNODE_MAP)
			return ydoc_error(rd->d, d, rd->err, ERR_INVALID,
			    "\"defaults\" must be a mapping, not %s",
			    ynode_kind(d));
		if ((r = inv_check_keys(
			 rd, d, dkeys, nitems(dkeys), "\"defaults\"")) != 0)
			return r;
		df.user = inv_pick(d, "user", NULL);
		df.port = inv_pick(d, "port", NULL);
		df.identity = inv_pick(d, "identity", NULL);
		df.socket = inv_pick(d, "socket", NULL);
		df.tags = inv_pick(d, "tags", NULL);
	}
	return inv_read_list(rd, ynode_get(root, "hosts"), &df);
}

/* 1 if `root` is ctxmgr's {hosts: [...]} form rather than Ansible's. */
int
inv_is_own_mapping(const struct ynode *root)
{
	const struct ynode *h = ynode_get(root, "hosts");

	return h != NULL && h->type == YNODE_SEQ;
}
