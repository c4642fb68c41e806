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

/* Keep the entries of `list` that pass `f` (the others are freed). */
static int
ls_filter(struct cmd_ctx *ctx, struct store *st, struct context **list,
    size_t *np, const struct strv *specs)
{
	struct ctx_filter f;
	struct context *full;
	struct cm_err e2;
	size_t i, kept = 0;
	int r = 0, ok;

	ctx_filter_init(&f);
	for (i = 0; i < specs->n && r == 0; i++)
		r = ctx_filter_add(&f, specs->v[i], &ctx->err);
	if (r != 0 || ctx_filter_empty(&f))
		goto out;
	for (i = 0; i < *np; i++) {
		full = NULL;
		if (ctx_filter_needs_settings(&f) && !list[i]->is_default &&
		    list[i]->error == NULL &&
		    store_load(st, list[i]->name, &full, &e2) != 0)
			full = NULL;
		ok = ctx_filter_match(&f, full != NULL ? full : list[i]);
		context_free(full);
		if (ok)
			list[kept++] = list[i];
		else
			context_free(list[i]);
	}
	*np = kept;
out:
	ctx_filter_release(&f);
	return r;
}

static int
cmd_ls_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "NAME", "DESCRIPTION",
		"DOCKER ENDPOINT", "ERROR" };
	struct context **list = NULL;
	struct store st;
	struct table *t;
	char *cur = NULL, *name;
	size_t n = 0, i;
	json_t *arr, *o, *status = NULL;
	char **urls = NULL;
	const char **states = NULL;
	int r;

	cmd_store_open(ctx, &st);
	if ((r = store_resolve(&st, ctx->context, &cur, NULL, &ctx->err)) !=
		0 ||
	    (r = store_list(&st, &list, &n, &ctx->err)) != 0 ||
	    (r = ls_filter(ctx, &st, list, &n, args_get_all(a, "filter"))) != 0)
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
			if (urls[i] != NULL) {
				/* Docker's keys stay; these are added */
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
	t = table_new(4, headers);
	for (i = 0; i < n; i++) {
		struct context *c = list[i];
		int current = strcmp(c->name, cur) == 0;
		const char *cells[4];
		char *ep = NULL;
		name = current ? xasprintf("%s *", c->name) : NULL;
		if (urls[i] != NULL)
			ep = xasprintf("%s (tunnel: %s)", urls[i], states[i]);
		cells[0] = name ? name : c->name;
		cells[1] = c->description;
		cells[2] = ep ? ep : c->host;
		cells[3] = ls_error(c);
		table_add(t, cells);
		if (cells[3] != NULL)
			table_color_last(t, C_RED);
		else if (current)
			table_color_last(t, C_GREEN);
		free(name);
		free(ep);
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
	{ 0 }
};

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.usage = "[-q] [--filter KEY=VALUE]... [--format table|json|yaml]",
	.summary = "list contexts; * marks the current one",
	.help =
	    "Columns as \"docker context ls\": NAME, DESCRIPTION, DOCKER "
	    "ENDPOINT, ERROR.\nA context whose meta.json cannot be read, or "
	    "that has no usable docker\nendpoint, is listed with the reason "
	    "under ERROR, in docker's words.\nWith --format json, an "
	    "array of objects with the keys Name, Description,\n"
	    "DockerEndpoint, Current and Error.  A tunnelled context shows "
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
