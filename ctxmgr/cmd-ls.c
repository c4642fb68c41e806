/* cmd-ls.c: list contexts. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/output.h"
#include "ctxmgr/select.h"
#include "ctxmgr/svckick.h"
#include "common/xmalloc.h"

/* The ERROR column, as docker context ls fills it. */
static const char *
ls_error(const struct context *c)
{
	if (c->error != NULL)
		return c->error;
	if (c->docker_null)
		return "endpoint \"docker\" is not of type EndpointMeta";
	if (!c->has_docker)
		return "cannot find docker endpoint in context";
	return NULL;
}

/*
 * Tunnelled contexts: their ssh:// URL (listing entries carry it) and the
 * service's state, asked once.  urls and states are parallel to the list
 * (NULL: not tunnelled).
 */
static json_t *
ls_tunnels(struct context **list, size_t n, char **urls, const char **states)
{
	json_t *status = NULL;
	size_t i;
	int asked = 0;

	for (i = 0; i < n; i++) {
		if (!svc_context_tunnelled(list[i]))
			continue;
		urls[i] = xstrdup(context_setting(list[i], SETTING_SSH_HOST));
		if (!asked) {
			char *ctl = svc_ctl_of(list[i]);
			status = svc_status(ctl);
			free(ctl);
			asked = 1;
		}
		states[i] = svc_state_of(status, list[i]->name);
	}
	return status;
}

/* The tags of listed context `c` (a listing holds no metadata: load it). */
static void
ls_tags_get(struct store *st, const struct context *c, struct strv *tags)
{
	struct context *full;
	struct cm_err e2;

	if (c->is_default || c->error != NULL ||
	    store_load(st, c->name, &full, &e2) != 0)
		return;
	ctx_tags_get(full, tags);
	context_free(full);
}

/* The tags of `c` joined with commas (a new string), NULL when none. */
static char *
ls_tags(struct store *st, const struct context *c)
{
	struct strv tags = { 0 };
	struct buf b;
	size_t i;

	ls_tags_get(st, c, &tags);
	if (tags.n == 0)
		return NULL;
	buf_init(&b, 0);
	for (i = 0; i < tags.n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", tags.v[i]);
	strv_free(&tags);
	return buf_detach(&b, NULL);
}

static int
cmd_ls_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "NAME", "DESCRIPTION",
		"DOCKER ENDPOINT", "ERROR", "TAGS" };
	struct context **list = NULL;
	struct store st;
	struct table *t;
	char *cur = NULL, *name;
	size_t n = 0, i;
	json_t *arr, *o, *status = NULL;
	char **urls = NULL;
	const char **states = NULL;
	int r, wide = args_has(a, "tags");

	cmd_store_open(ctx, &st);
	if ((r = store_resolve(&st, ctx->context, &cur, NULL, &ctx->err)) !=
		0 ||
	    (r = ctx_select(&st, args_get_all(a, "filter"), 1, 0, &list, &n,
		 &ctx->err)) != 0)
		goto out;
	if (ctx->quiet && ctx->format == FMT_TABLE) {
		for (i = 0; i < n; i++)
			fprintf(ctx->out, "%s\n", list[i]->name);
		goto out;
	}
	urls = xcalloc(n + 1, sizeof(*urls));
	states = xcalloc(n + 1, sizeof(*states));
	status = ls_tunnels(list, n, urls, states);
	if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; i < n; i++) {
			struct context *c = list[i];
			o = json_object();
			json_object_set_new(o, "Name", json_string(c->name));
			json_object_set_new(o, "Description",
			    json_string(c->description ? c->description : ""));
			json_object_set_new(o, "DockerEndpoint",
			    json_string(c->host ? c->host : ""));
			json_object_set_new(o, "Current",
			    json_boolean(strcmp(c->name, cur) == 0));
			json_object_set_new(o, "Error",
			    json_string(ls_error(c) ? ls_error(c) : ""));
			struct strv tags = { 0 };
			ls_tags_get(&st, c, &tags);
			if (tags.n > 0) {
				/* Docker's keys stay; these are added */
				json_t *ta = json_array();
				for (size_t j = 0; j < tags.n; j++)
					json_array_append_new(
					    ta, json_string(tags.v[j]));
				json_object_set_new(o, "Tags", ta);
			}
			strv_free(&tags);
			if (urls[i] != NULL) {
				json_object_set_new(
				    o, "SSHHost", json_string(urls[i]));
				json_object_set_new(
				    o, "Tunnel", json_string(states[i]));
			}
			json_array_append_new(arr, o);
		}
		r = output_value(ctx, arr);
		json_decref(arr);
		goto out;
	}
	t = table_new(wide ? 5 : 4, headers);
	for (i = 0; i < n; i++) {
		struct context *c = list[i];
		int current = strcmp(c->name, cur) == 0;
		const char *cells[5];
		char *ep = NULL, *tags = wide ? ls_tags(&st, c) : NULL;
		name = current ? xasprintf("%s *", c->name) : NULL;
		if (urls[i] != NULL)
			ep = xasprintf("%s (tunnel: %s)", urls[i], states[i]);
		cells[0] = name ? name : c->name;
		cells[1] = c->description;
		cells[2] = ep ? ep : c->host;
		cells[3] = ls_error(c);
		cells[4] = tags;
		table_add(t, cells);
		if (cells[3] != NULL)
			table_color_last(t, C_RED);
		else if (current)
			table_color_last(t, C_GREEN);
		free(name);
		free(ep);
		free(tags);
	}
	table_print(ctx, t);
	if (getenv("DOCKER_HOST") != NULL && ctx->context == NULL) {
		char *cfg = NULL;
		if (store_get_current(&st, &cfg, NULL) == 0 && cfg != NULL)
			cmd_warn_docker_host(ctx, cfg);
		free(cfg);
	}
out:
	for (i = 0; urls != NULL && i < n; i++)
		free(urls[i]);
	free(urls);
	free(states);
	json_decref(status);
	context_list_free(list, n);
	free(cur);
	store_release(&st);
	return r;
}

static const struct cmd_flag ls_flags[] = {
	{ "filter", 'f', FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "only contexts that match (name=GLOB, scheme=ssh|tcp|unix, "
	    "tag=T, tunnel=on|off)" },
	{ "tags", 't', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "add a TAGS column (the tags of create/update --tag)" },
	{ 0 }
};

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.usage = "[-q] [-t] [--filter KEY=VALUE]... [--format "
		 "table|json|yaml]",
	.summary = "list contexts; * marks the current one",
	.help =
	    "Columns as \"docker context ls\": NAME, DESCRIPTION, DOCKER "
	    "ENDPOINT, ERROR.\nA context whose meta.json cannot be read, or "
	    "that has no usable docker\nendpoint, is listed with the reason "
	    "under ERROR, in docker's words.\nWith --format json, an "
	    "array of objects with the keys Name, Description,\n"
	    "DockerEndpoint, Current and Error; Tags (an array) for a "
	    "tagged context.  "
	    "--tags adds a TAGS\ncolumn to the table.  A tunnelled context "
	    "shows "
	    "its ssh:// URL\nand the tunnel's state (idle, connecting, "
	    "connected, failing, not running)\nas its endpoint; JSON adds "
	    "SSHHost and Tunnel.\n\n"
	    "--filter keeps the contexts that match: name=GLOB, "
	    "scheme=ssh|tcp|unix\n(ssh counts tunnelled contexts), tag=T "
	    "(Metadata.ctxmgr.tags), tunnel=on|off.\nFilters on one key "
	    "are alternatives; on different keys all must hold.",
	.flags = ls_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_ls_exec,
};
