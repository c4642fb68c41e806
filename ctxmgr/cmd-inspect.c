/* cmd-inspect.c: contexts as "docker context inspect" shows them. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/gojson.h"
#include "ctxmgr/output.h"
#include "common/xmalloc.h"

/* The object Docker prints for one context. */
static json_t *
inspect_json(const struct store *st, const struct context *c)
{
	struct buf meta;
	json_t *o, *parsed = NULL, *storage;
	char *mdir, *tdir;

	buf_init(&meta, 0);
	o = json_object();
	if (c->is_default) {
		/* Docker shows the default context with empty Metadata */
		json_t *eps = json_object(), *d = json_object();
		json_object_set_new(o, "Name", json_string(c->name));
		json_object_set_new(o, "Metadata", json_object());
		json_object_set_new(d, "Host", json_string(c->host));
		json_object_set_new(d, "SkipTLSVerify", json_false());
		json_object_set_new(eps, "docker", d);
		json_object_set_new(o, "Endpoints", eps);
		json_object_set_new(o, "TLSMaterial", json_object());
		storage = json_object();
		json_object_set_new(
		    storage, "MetadataPath", json_string("<IN MEMORY>"));
		json_object_set_new(
		    storage, "TLSPath", json_string("<IN MEMORY>"));
		json_object_set_new(o, "Storage", storage);
		return o;
	}
	/* reuse the meta.json encoder so field order matches Docker's */
	context_encode_meta(c, &meta);
	gojson_parse(meta.data, meta.len, &parsed, NULL);
	buf_release(&meta);
	json_object_set(o, "Name", json_object_get(parsed, "Name"));
	/* Docker omits a Metadata its meta.json does not have */
	if (!c->no_metadata)
		json_object_set(
		    o, "Metadata", json_object_get(parsed, "Metadata"));
	json_object_set(o, "Endpoints", json_object_get(parsed, "Endpoints"));
	json_decref(parsed);
	json_object_set_new(o, "TLSMaterial", store_tls_material(st, c->name));
	mdir = store_meta_dir(st, c->name);
	tdir = store_tls_dir(st, c->name);
	storage = json_object();
	json_object_set_new(storage, "MetadataPath", json_string(mdir));
	json_object_set_new(storage, "TLSPath", json_string(tdir));
	json_object_set_new(o, "Storage", storage);
	free(mdir);
	free(tdir);
	return o;
}

static int
cmd_inspect_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct context *c;
	struct store st;
	struct buf out;
	json_t *arr = json_array();
	int i, r = 0, failed = 0;

	cmd_store_open(ctx, &st);
	for (i = 0; i == 0 || i < a->argc; i++) {
		const char *name = a->argc ? a->argv[i] : NULL;
		if (cmd_load_context(ctx, &st, name, &c) != 0) {
			cmd_print_error(ctx->errout, ctx->err.msg);
			failed = 1;
			continue;
		}
		json_array_append_new(arr, inspect_json(&st, c));
		if (svc_context_tunnelled(c) && !ctx->quiet) {
			/* stdout stays Docker's bytes: the tunnel on stderr */
			char *ctl = svc_ctl_of(c);
			json_t *stv = svc_status(ctl);
			fprintf(ctx->errout,
			    "ctxmgr: \"%s\" is tunnelled to %s: tunnel %s\n",
			    c->name, context_setting(c, SETTING_SSH_HOST),
			    svc_state_of(stv, c->name));
			json_decref(stv);
			free(ctl);
		}
		context_free(c);
	}
	if (ctx->format == FMT_YAML)
		r = output_value(ctx, arr);
	else {
		/* Docker's layout: four-space indent */
		buf_init(&out, 0);
		if ((r = gojson_encode(arr, "    ", &out)) == 0) {
			fwrite(out.data, 1, out.len, ctx->out);
			fputc('\n', ctx->out);
		}
		buf_release(&out);
	}
	json_decref(arr);
	store_release(&st);
	if (r != 0)
		return err_set(&ctx->err, r, "cannot print the contexts");
	return failed ? 1 : 0;
}

const struct cmd_entry cmd_inspect_entry = {
	.name = "inspect",
	.usage = "[NAME...]",
	.summary = "show contexts in detail, as \"docker context inspect\"",
	.help = "Prints a JSON array with Name, Metadata, Endpoints, "
		"TLSMaterial and Storage\nfor each context (the current one "
		"when no NAME is given).  For a tunnelled context\nthe "
		"ssh:// URL and the tunnel's state (idle, connecting, "
		"connected, failing,\nnot running) go to stderr, unless -q.",
	.args = { 0, -1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_inspect_exec,
	.formats = FMT_BIT(FMT_JSON) | FMT_BIT(FMT_YAML),
	.default_format = FMT_JSON,
};
