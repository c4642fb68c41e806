/* cmd-import-hosts.c: create ssh contexts from a host inventory. */
#include "common/compat.h"

#include "common/fault.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/intr.h"
#include "ctxmgr/inventory.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "common/xmalloc.h"

static const struct cmd_flag import_hosts_flags[] = {
	{ "dry-run", 'n', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "show what would be created or updated; write nothing" },
	{ "prefix", 'p', FLAG_STRING, COMPLETE_NONE, "P",
	    "put P before every context name (\"prod-\")" },
	{ "update", 'u', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "change contexts that exist already (they are left alone "
	    "otherwise)" },
	{ "ssh-config", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "FILE is an ssh_config (default ~/.ssh/config): one context "
	    "per Host alias" },
	IMPORT_ALLOW_INSECURE_FLAG, { 0 }
};

enum action { ACT_CREATE, ACT_UPDATE, ACT_UNCHANGED, ACT_EXISTS, ACT_NOT_DONE };
static const char *const action_names[2][5] = {
	{ "created", "updated", "unchanged", "exists", "not done" },
	{ "create", "update", "unchanged", "exists",
	    "not done" }, /* --dry-run */
};

struct plan {
	struct inv_host *h;
	enum action act;
	struct context *old; /* the stored context, for updates */
	struct context *want; /* what will be written */
};

/* Apply an inventory entry to a context (new or loaded). */
static void
apply_host(struct context *c, const struct inv_host *h, int replace)
{
	const char *key;
	json_t *v, *settings, *tags;
	size_t i;

	free(c->host);
	c->host = xstrdup(h->endpoint);
	c->has_docker = 1;
	if (replace || h->skip_tls_verify)
		c->skip_tls_verify = h->skip_tls_verify;
	if (h->description != NULL) {
		free(c->description);
		c->description = xstrdup(h->description);
	}
	if (h->identity != NULL)
		context_set_setting(c, SETTING_IDENTITY, h->identity);
	json_object_foreach(h->settings, key, v)
	    context_set_setting(c, key, json_string_value(v));
	if (h->tags.n > 0) {
		settings = json_object_get(c->metadata, STORE_SETTINGS_KEY);
		if (!json_is_object(settings)) {
			settings = json_object();
			json_object_set_new(
			    c->metadata, STORE_SETTINGS_KEY, settings);
		}
		tags = json_array();
		for (i = 0; i < h->tags.n; i++)
			json_array_append_new(tags, json_string(h->tags.v[i]));
		json_object_set_new(settings, "tags", tags);
	}
}

/* Drop what the inventory may not set without --allow-insecure. */
static void
guard_host(struct cmd_ctx *ctx, struct inv_host *h, int allow)
{
	struct import_guard g = { 0 };
	json_t *hk = json_object_get(h->settings, SETTING_HOST_KEY_CHECK);

	g.name = h->name;
	g.source = "the inventory";
	g.skip_tls_verify = h->skip_tls_verify;
	g.host_key_check = json_string_value(hk);
	g.identity = h->identity;
	if (cmd_import_guard(ctx, &g, allow) == 0 || allow)
		return;
	h->skip_tls_verify = g.skip_tls_verify;
	if (hk != NULL)
		json_object_set_new(
		    h->settings, SETTING_HOST_KEY_CHECK, json_string("yes"));
	if (g.identity == NULL) {
		free(h->identity);
		h->identity = NULL;
	}
}

static int
same_meta(const struct context *a, const struct context *b)
{
	struct buf x, y;
	int same;

	buf_init(&x, 0);
	buf_init(&y, 0);
	same = context_encode_meta(a, &x) == 0 &&
	    context_encode_meta(b, &y) == 0 && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0;
	buf_release(&x);
	buf_release(&y);
	return same;
}

static int
make_plan(struct cmd_ctx *ctx, struct store *st, struct inventory *inv,
    int update, struct plan *plan)
{
	size_t i;
	int r;

	for (i = 0; i < inv->n; i++) {
		struct plan *p = &plan[i];
		p->h = &inv->hosts[i];
		if (!store_exists(st, p->h->name)) {
			p->act = ACT_CREATE;
			p->want = context_new(p->h->name);
			apply_host(p->want, p->h, 1);
			continue;
		}
		if (!update) {
			p->act = ACT_EXISTS;
			continue;
		}
		if ((r = store_load(st, p->h->name, &p->old, &ctx->err)) != 0)
			return r;
		if ((r = store_load(st, p->h->name, &p->want, &ctx->err)) != 0)
			return r;
		apply_host(p->want, p->h, 0);
		p->act =
		    same_meta(p->old, p->want) ? ACT_UNCHANGED : ACT_UPDATE;
	}
	return 0;
}

/*
 * Write the plan; on a failure, put back what was written.  SIGINT,
 * SIGTERM or SIGHUP (intr_catch) stop it between two contexts: what was
 * written stays, the rest is marked not done (the same command run
 * again finishes it, as it does after a kill).
 */
static int
run_plan(struct cmd_ctx *ctx, struct store *st, struct plan *plan, size_t n)
{
	struct cm_err e2;
	struct progress pg;
	size_t i, done;
	int r = 0;

	progress_init(&pg, ctx, "importing", n);
	for (done = 0; done < n && r == 0; done++) {
		struct plan *p = &plan[done];
		if (intr_caught() != 0) {
			for (i = done; i < n; i++)
				if (plan[i].act == ACT_CREATE ||
				    plan[i].act == ACT_UPDATE)
					plan[i].act = ACT_NOT_DONE;
			progress_end(&pg);
			return 0;
		}
		progress_item(&pg, p->h->name);
		if (p->act == ACT_CREATE)
			r = store_save(st, p->want, STORE_CREATE, &ctx->err);
		else if (p->act == ACT_UPDATE)
			r = store_save(st, p->want, 0, &ctx->err);
		if (r == 0 && (p->act == ACT_CREATE || p->act == ACT_UPDATE))
			(void)fault_point("import-host", NULL);
		progress_done_one(&pg);
	}
	progress_end(&pg);
	if (r == 0)
		return 0;
	for (i = 0; i + 1 < done; i++) {
		if (plan[i].act == ACT_CREATE)
			(void)store_remove(st, plan[i].h->name, &e2);
		else if (plan[i].act == ACT_UPDATE)
			(void)store_save(st, plan[i].old, 0, &e2);
	}
	return err_prefix(&ctx->err, "nothing imported");
}

static void
print_plan(struct cmd_ctx *ctx, struct plan *plan, size_t n, int dry)
{
	static const char *const headers[] = { "NAME", "DOCKER ENDPOINT",
		"ACTION", "TAGS" };
	struct table *t;
	struct buf tags;
	json_t *arr, *o, *ta;
	size_t i, j;

	if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; i < n; i++) {
			o = json_object();
			json_object_set_new(
			    o, "Name", json_string(plan[i].h->name));
			json_object_set_new(o, "DockerEndpoint",
			    json_string(plan[i].h->endpoint));
			json_object_set_new(o, "Action",
			    json_string(action_names[dry][plan[i].act]));
			ta = json_array();
			for (j = 0; j < plan[i].h->tags.n; j++)
				json_array_append_new(
				    ta, json_string(plan[i].h->tags.v[j]));
			json_object_set_new(o, "Tags", ta);
			json_array_append_new(arr, o);
		}
		(void)output_value(ctx, arr);
		json_decref(arr);
		return;
	}
	if (ctx->quiet) {
		for (i = 0; i < n; i++)
			if (plan[i].act == ACT_CREATE ||
			    plan[i].act == ACT_UPDATE)
				fprintf(ctx->out, "%s\n", plan[i].h->name);
		return;
	}
	t = table_new(4, headers);
	buf_init(&tags, 0);
	for (i = 0; i < n; i++) {
		const char *cells[4];
		buf_reset(&tags);
		for (j = 0; j < plan[i].h->tags.n; j++)
			buf_printf(
			    &tags, "%s%s", j ? "," : "", plan[i].h->tags.v[j]);
		cells[0] = plan[i].h->name;
		cells[1] = plan[i].h->endpoint;
		cells[2] = action_names[dry][plan[i].act];
		cells[3] = tags.data;
		table_add(t, cells);
		if (plan[i].act == ACT_EXISTS || plan[i].act == ACT_NOT_DONE)
			table_color_last(t, C_YELLOW);
		else if (plan[i].act != ACT_UNCHANGED)
			table_color_last(t, C_GREEN);
	}
	buf_release(&tags);
	table_print(ctx, t);
}

static int
cmd_import_hosts_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *file = a->argc > 0 ? a->argv[0] : NULL;
	const char *prefix = args_get(a, "prefix");
	int dry = args_has(a, "dry-run"), update = args_has(a, "update");
	int sshcfg = args_has(a, "ssh-config");
	char *deffile = NULL;
	struct inventory inv;
	struct plan *plan = NULL;
	struct store st;
	struct buf data;
	size_t i, count[5] = { 0 };
	struct intr in;
	int r, locked = 0, sig;

	memset(&inv, 0, sizeof(inv));
	cmd_store_open(ctx, &st);
	buf_init(&data, INVENTORY_MAX_BYTES);
	if (file == NULL && sshcfg) {
		const char *home = getenv("HOME");
		file = deffile = xasprintf("%s/.ssh/config", home ? home : "");
	} else if (file == NULL) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "import-hosts needs a FILE (or --ssh-config)");
		goto out;
	}
	if ((r = cmd_read_input(ctx, file, INVENTORY_MAX_BYTES, 0, &data)) != 0)
		goto out;
	if (sshcfg)
		r = inventory_from_ssh_config(data.data, data.len,
		    strcmp(file, "-") == 0 ? "standard input" : file, prefix,
		    &inv, &ctx->err);
	else
		r = inventory_parse(data.data, data.len,
		    strcmp(file, "-") == 0 ? "standard input" : file, prefix,
		    &inv, &ctx->err);
	if (r != 0)
		goto out;
	for (i = 0; i < inv.notes.n; i++)
		if (!ctx->quiet)
			fprintf(ctx->errout, "note: %s\n", inv.notes.v[i]);
	for (i = 0; i < inv.n; i++)
		guard_host(ctx, &inv.hosts[i], args_has(a, "allow-insecure"));
	if (!dry) {
		if ((r = store_lock(&st, &ctx->err)) != 0)
			goto out;
		locked = 1;
	}
	plan = xcalloc(inv.n + 1, sizeof(*plan));
	if ((r = make_plan(ctx, &st, &inv, update, plan)) != 0)
		goto out;
	if (!dry) {
		intr_catch(&in);
		r = run_plan(ctx, &st, plan, inv.n);
		intr_restore(&in);
		if (r != 0)
			goto out;
	}
	print_plan(ctx, plan, inv.n, dry);
	for (i = 0; i < inv.n; i++)
		count[plan[i].act]++;
	if ((sig = intr_caught()) != 0) {
		fprintf(ctx->errout,
		    "ctxmgr: interrupted by SIG%s: created %zu, updated %zu; "
		    "%zu not done (run the same command again to finish)\n",
		    sig == SIGINT        ? "INT"
			: sig == SIGTERM ? "TERM"
					 : "HUP",
		    count[ACT_CREATE], count[ACT_UPDATE], count[ACT_NOT_DONE]);
		r = 128 + sig;
		goto out;
	}
	if (!ctx->quiet)
		fprintf(ctx->errout,
		    "%s %zu, %s %zu, unchanged %zu, left alone %zu%s (%s "
		    "inventory)%s\n",
		    dry ? "would create" : "created", count[ACT_CREATE],
		    dry ? "would update" : "updated", count[ACT_UPDATE],
		    count[ACT_UNCHANGED], count[ACT_EXISTS],
		    count[ACT_EXISTS] ? " (they exist; --update changes them)"
				      : "",
		    inventory_format_name(inv.format),
		    dry ? "; dry run, nothing written" : "");
out:
	for (i = 0; plan != NULL && i < inv.n; i++) {
		context_free(plan[i].old);
		context_free(plan[i].want);
	}
	free(plan);
	if (locked)
		store_unlock(&st);
	inventory_release(&inv);
	buf_release(&data);
	store_release(&st);
	free(deffile);
	return r;
}

const struct cmd_entry cmd_import_hosts_entry = {
	.name = "import-hosts",
	.usage =
	    "FILE [--dry-run] [--prefix P] [--update] [--allow-insecure] | "
	    "--ssh-config [FILE]",
	.summary = "create ssh contexts from a host inventory",
	.help =
	    "FILE (\"-\" for stdin) is ctxmgr's own inventory, a listing "
	    "printed by\n\"ctxmgr ls --format yaml\" or \"ctxmgr inspect "
	    "--format yaml\", an Ansible inventory\n(YAML or INI), or the "
	    "JSON of \"ansible-inventory --list\", so any dynamic\n"
	    "inventory works through Ansible itself:\n\n"
	    "  ansible-inventory -i aws_ec2.yml --list | ctxmgr import-hosts "
	    "-\n\n"
	    "With --ssh-config, FILE (default ~/.ssh/config) is an "
	    "ssh_config: each Host\nalias without wildcards becomes "
	    "ssh://ALIAS.  ctxmgr's format:\n\n"
	    "  defaults:                  # optional, for every host\n"
	    "    user: deploy\n"
	    "  hosts:\n"
	    "    - name: prod\n"
	    "      host: prod.example.com # or ssh://user@host:port\n"
	    "      port: 2222\n"
	    "      identity: ~/.ssh/id_ed25519\n"
	    "      description: production\n"
	    "      tags: [eu, web]\n\n"
	    "(a plain list of hosts works too).  From Ansible: the "
	    "inventory host name is\nthe context name; ansible_host, "
	    "ansible_user, ansible_port and\nansible_ssh_private_key_file "
	    "are used, group vars inherited; the host's\ngroups become its "
	    "tags.  Hosts with another ansible_connection are skipped.\n\n"
	    "The whole file is checked first: any error (with its line and "
	    "column) and\nnothing is created.  Existing contexts are "
	    "reported and left alone unless\n--update is given.  Settings "
	    "that lower host-key or TLS checking\n(SkipTLSVerify, "
	    "strictHostKeyChecking no or accept-new, an identity file\n"
	    "outside ~/.ssh) are dropped unless --allow-insecure is "
	    "given.  Ctrl-C\n(or SIGTERM) stops between two contexts, keeps "
	    "what was written and lists\nthe rest as \"not done\"; run the "
	    "same command again to finish (also\nafter a kill).",
	.flags = import_hosts_flags,
	.args = { 0, 1, COMPLETE_FILE, NULL },
	.exec = cmd_import_hosts_exec,
};
