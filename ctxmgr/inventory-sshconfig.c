/*
 * inventory-sshconfig.c: the `Host` entries of an ssh_config file as an
 * inventory (see inventory.h).  Each alias becomes ssh://ALIAS, so
 * HostName, User, Port and IdentityFile keep coming from the file when
 * ctxmgr connects, as they do for ssh.
 */
#include "common/compat.h"

#include "common/endpoint.h"
#include "common/xmalloc.h"
#include "ctxmgr/inventory.h"
#include "store/store.h"
#include "tunnel/sshconfig.h"

int
inventory_from_ssh_config(const char *data, size_t len, const char *name,
    const char *prefix, struct inventory *inv, struct cm_err *err)
{
	struct strv aliases = { 0 };
	struct endpoint ep;
	struct inv_host *h;
	struct cm_err e2;
	char *full, *url;
	size_t i;
	int r;

	memset(inv, 0, sizeof(*inv));
	inv->format = INV_SSH_CONFIG;
	if (len > INVENTORY_MAX_BYTES)
		return err_set(err, ERR_TOOBIG, "%s: larger than %zu bytes",
		    name, INVENTORY_MAX_BYTES);
	if ((r = sshconfig_list_hosts(
		 data, len, name, &aliases, &inv->notes, err)) != 0)
		goto out;
	for (i = 0; i < aliases.n; i++) {
		full = xasprintf("%s%s", prefix ? prefix : "", aliases.v[i]);
		url = xasprintf("ssh://%s", aliases.v[i]);
		if (context_name_check(full, &e2) != 0 ||
		    endpoint_parse(url, &ep, &e2) != 0) {
			strv_push_owned(&inv->notes,
			    xasprintf("%s: host \"%s\" skipped: %s", name,
				aliases.v[i], e2.msg));
			free(full);
			free(url);
			continue;
		}
		endpoint_free(&ep);
		if (inv->n >= INVENTORY_MAX_HOSTS) {
			free(full);
			free(url);
			r = err_set(err, ERR_TOOBIG, "%s: more than %d hosts",
			    name, INVENTORY_MAX_HOSTS);
			goto out;
		}
		inv->hosts =
		    xreallocarray(inv->hosts, inv->n + 1, sizeof(*inv->hosts));
		h = &inv->hosts[inv->n++];
		memset(h, 0, sizeof(*h));
		h->name = full;
		h->endpoint = url;
	}
	if (inv->n == 0 && inv->notes.n == 0)
		r = err_set(err, ERR_INVALID, "%s: no Host entries", name);
out:
	strv_free(&aliases);
	if (r != 0)
		inventory_release(inv);
	return r;
}
