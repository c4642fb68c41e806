/* cmd-create.c: create a context in Docker's store. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/select.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"
#include "common/xmalloc.h"

static const struct cmd_flag create_flags[] = { CONTEXT_ENDPOINT_FLAGS,
	{ "from", 0, FLAG_STRING, COMPLETE_CONTEXT, "NAME",
	    "copy the endpoint, TLS files and settings of another context" },
	{ "use", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "switch to the new context afterwards" },
	{ "direct", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "an ssh:// context Docker's own ssh transport serves (as "
	    "\"docker context create\" makes it), not tunnelled" },
	{ "tag", 0, FLAG_LIST, COMPLETE_NONE, "TAG",
	    "add a tag (repeatable; ls --filter tag=TAG selects by it)" },
	{ 0 } };

/* Copy every TLS file of `from` into `to` (lock held). */
static int
copy_tls(
    struct cmd_ctx *ctx, struct store *st, const char *from, const char *to)
{
	json_t *m = store_tls_material(st, from), *files, *f;
	const char *ep;
	struct buf b;
	size_t i;
	int r = 0;

	buf_init_secret(&b, STORE_TLS_MAX);
	json_object_foreach(m, ep, files)
	{
		json_array_foreach(files, i, f)
		{
			buf_reset(&b);
			if ((r = store_tls_read(st, from, ep,
				 json_string_value(f), &b, &ctx->err)) != 0 ||
			    (r = store_tls_write(st, to, ep,
				 json_string_value(f), b.data, b.len,
				 &ctx->err)) != 0)
				goto out;
		}
	}
out:
	buf_release(&b);
	json_decref(m);
	return r;
}

static int
cmd_create_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = a->argv[0], *from = args_get(a, "from");
	struct context *c = NULL;
	struct tls_input tls;
	struct store st;
	char *cur = NULL;
	int r, saved = 0;

	cmd_store_open(ctx, &st);
	tls_input_init(&tls);
	if ((r = context_name_check(name, &ctx->err)) != 0)
		goto out;
	if (from == NULL && args_get(a, "host") == NULL &&
	    args_get(a, "docker") == NULL) {
		/* like Docker: no endpoint given copies the current one */
		if ((r = store_resolve(
			 &st, ctx->context, &cur, NULL, &ctx->err)) != 0)
			goto out;
		from = cur;
	}
	if (from != NULL) {
		if ((r = store_load(&st, from, &c, &ctx->err)) != 0)
			goto out;
		free(c->name);
		c->name = xstrdup(name);
		free(c->description);
		c->description = NULL;
		c->is_default = 0;
	} else
		c = context_new(name);
	if ((r = cmd_apply_endpoint_flags(ctx, a, c, &tls)) != 0 ||
	    (r = ctx_tags_edit(c, args_get_all(a, "tag"), NULL, &ctx->err)) !=
		0)
		goto out;
	if (c->host == NULL) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "context \"%s\" needs an endpoint: give --host URL", name);
		goto out;
	}

	/* ssh://: tunnelled unless --direct */
	if (cmd_context_ssh_url(c) != NULL && !args_has(a, "direct") &&
	    (r = cmd_tunnel_convert(ctx, c, 1, &ctx->err)) != 0)
		goto out;
	if (args_has(a, "direct") && svc_context_tunnelled(c) &&
	    (r = cmd_tunnel_convert(ctx, c, 0, &ctx->err)) != 0)
		goto out;
	if ((r = store_lock(&st, &ctx->err)) != 0)
		goto out;
	if ((r = store_save(&st, c, STORE_CREATE, &ctx->err)) != 0)
		goto out;
	saved = 1;
	if (from != NULL && strcmp(from, STORE_DEFAULT_NAME) != 0 &&
	    (r = copy_tls(ctx, &st, from, name)) != 0)
		goto out;
	if ((r = cmd_write_tls(ctx, &st, name, &tls)) != 0)
		goto out;
	if (args_has(a, "use")) {
		char *prev = NULL;
		if ((r = store_get_current(&st, &prev, &ctx->err)) == 0 &&
		    (r = store_set_current(&st, name, &ctx->err)) == 0)
			r = store_set_previous(&st, prev, &ctx->err);
		free(prev);
		if (r != 0)
			goto out;
	}
	fprintf(ctx->out, "%s\n", name);
	if (!ctx->quiet)
		fprintf(
		    ctx->errout, "Successfully created context \"%s\"\n", name);
	cmd_svc_after_save(ctx, &st, c);
out:
	if (r != 0 && saved) {
		/* leave nothing half-made behind */
		struct cm_err e2;
		(void)store_remove(&st, name, &e2);
	}
	store_release(&st);
	tls_input_release(&tls);
	context_free(c);
	free(cur);
	return r;
}

const struct cmd_entry cmd_create_entry = {
	.name = "create",
	.usage = "NAME --host URL [options]",
	.summary = "create a context in Docker's context store",
	.help =
	    "The context is written where the Docker CLI keeps contexts, "
	    "byte for byte as\n\"docker context create\" writes it, so "
	    "both tools see it.  Without --host,\n--docker or --from the "
	    "current context's endpoint is copied, as Docker does.\n\n"
	    "examples:\n"
	    "  ctxmgr create prod --host ssh://deploy@prod.example.com\n"
	    "  ctxmgr create ci --host tcp://ci.example.com:2376 --ca ca.pem "
	    "\\\n      --cert cert.pem --key key.pem",
	.flags = create_flags,
	.args = { 1, 1, COMPLETE_NONE, NULL },
	.exec = cmd_create_exec,
};
