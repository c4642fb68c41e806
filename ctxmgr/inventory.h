/*
 * inventory.h: host inventories in YAML, read into a list of contexts to
 * create.  Three shapes are understood:
 *
 *  - ctxmgr's own: a list of hosts (or {defaults: {...}, hosts: [...]}),
 *    each with name, host, user, port, identity, description, tags and
 *    socket (the remote Docker socket); host may also be a full Docker
 *    endpoint URL.
 *  - what `ctxmgr ls --format yaml` and `ctxmgr inspect --format yaml`
 *    print (Name, DockerEndpoint, Description / Metadata, Endpoints), so
 *    a listing can be read back.
 *  - Ansible's YAML inventory: groups (all, children, hosts, vars),
 *    ansible_host, ansible_user, ansible_port,
 *    ansible_ssh_private_key_file, host ranges such as web[01:20], group
 *    variables inherited as Ansible does (parents first, then deeper
 *    groups, then the host's own).  A host's groups become its tags.
 *  - Ansible's INI inventory ([group], [group:vars], [group:children],
 *    "host[:port] key=value ...") and the JSON of `ansible-inventory
 *    --list` (so any dynamic inventory works through Ansible itself):
 *    both become the tree of a YAML inventory and follow the same rules.
 *
 * Nothing is trusted: every name must pass Docker's context-name rule,
 * every endpoint must parse (no option injection), and an error names
 * the file, line and column.  Parsing never touches the store.
 */
#ifndef CTXMGR_INVENTORY_H
#define CTXMGR_INVENTORY_H

#include <jansson.h>

#include "common/err.h"
#include "common/util.h"

#define INVENTORY_MAX_BYTES ((size_t)4 << 20)
#define INVENTORY_MAX_HOSTS 10000

enum inventory_format {
	INV_CTXMGR,
	INV_LISTING,
	INV_ANSIBLE,
	INV_ANSIBLE_INI,
	INV_ANSIBLE_LIST,
	INV_SSH_CONFIG
};

struct inv_host {
	char *name; /* context name, prefix applied */
	char *endpoint; /* Docker endpoint URL, checked */
	char *description; /* NULL when none */
	char *identity; /* NULL when none */
	json_t *settings; /* other ctxmgr settings (strings), or NULL */
	struct strv tags;
	int skip_tls_verify;
	int line, col; /* where the host is defined */
};

struct inventory {
	enum inventory_format format;
	struct inv_host *hosts;
	size_t n;
	struct strv notes; /* entries skipped, and why */
};

/*
 * Read an inventory; `name` is the file name for messages, `prefix` is
 * put before every context name (may be NULL).  On error nothing is
 * returned (the inventory is empty).
 */
int inventory_parse(const char *data, size_t len, const char *name,
    const char *prefix, struct inventory *inv, struct cm_err *err);
void inventory_release(struct inventory *inv);

/*
 * The `Host` aliases of an ssh_config file as an inventory: ssh://ALIAS
 * each (HostName, User, Port and keys stay in the file); patterns are
 * skipped with a note.
 */
int inventory_from_ssh_config(const char *data, size_t len, const char *name,
    const char *prefix, struct inventory *inv, struct cm_err *err);

/* "ctxmgr", "listing", "ansible", "ansible-ini", "ansible-list" or
 * "ssh-config". */
const char *inventory_format_name(enum inventory_format f);

/*
 * Expand an Ansible host pattern ("web[01:03].example.com",
 * "db-[a:c]") into names; ERR_INVALID for a malformed range or more
 * than `max` names.
 */
int inventory_expand_range(
    const char *pattern, size_t max, struct strv *out, struct cm_err *err);

#endif
