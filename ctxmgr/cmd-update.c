/* cmd-update.c: change what is given, keep everything else. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/select.h"
#include "ctxmgr/tunnelsvc.h"

static const struct cmd_flag update_flags[] = { CONTEXT_ENDPOINT_FLAGS,
	{ "clear-tls", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "remove the context's TLS files (before adding new ones)" },
	{ "tag", 0, FLAG_LIST, COMPLETE_NONE, "TAG", "add a tag (repeatable)" },
	{ "untag", 0, FLAG_LIST, COMPLETE_NONE, "TAG",
	    "remove a tag (repeatable)" },
	{ 0 } };

static int
cmd_update_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = a->argv[0];
	static const char *const files[] = { "ca.pem", "cert.pem", "key.pem" };
	struct context *c = NULL;
	struct tls_input tls;
	struct store st;
	size_t i;
	int r;

	cmd_store_open(ctx, &st);
	tls_input_init(&tls);
	if (strcmp(name, STORE_DEFAULT_NAME) == 0) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "the default context cannot be updated: set DOCKER_HOST "
		    "or create a context");
		goto out;
	}
	if ((r = store_lock(&st, &ctx->err)) != 0 ||
	    (r = store_load(&st, name, &c, &ctx->err)) != 0 ||
	    (r = cmd_apply_endpoint_flags(ctx, a, c, &tls)) != 0 ||
	    (r = ctx_tags_edit(c, args_get_all(a, "tag"),
		 args_get_all(a, "untag"), &ctx->err)) != 0)
		goto out;
	if (args_has(a, "clear-tls"))
		for (i = 0; i < nitems(files); i++)
			if ((r = store_tls_remove(&st, name, "docker", files[i],
				 &ctx->err)) != 0)
				goto out;
	if ((r = store_save(&st, c, 0, &ctx->err)) != 0 ||
	    (r = cmd_write_tls(ctx, &st, name, &tls)) != 0)
		goto out;
	fprintf(ctx->out, "%s\n", name);
	if (!ctx->quiet)
		fprintf(
		    ctx->errout, "Successfully updated context \"%s\"\n", name);
	/* a tunnelled or pinned context may have changed: a running
	 * service re-reads it (none running: a failed connect) */
	store_unlock(&st);
	cmd_svc_reload(ctx);
out:
	context_free(c);
	tls_input_release(&tls);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_update_entry = {
	.name = "update",
	.usage = "NAME [options]",
	.summary = "change a context's endpoint, description or TLS files",
	.help =
	    "Only what is given changes.  Unlike \"docker context update\","
	    " TLS files are\nkept when the host changes (use --clear-tls to "
	    "drop them), and unknown\nmetadata keys and other endpoints "
	    "survive.\n\n--tag and --untag edit the tags kept in "
	    "Metadata.ctxmgr.tags (Docker ignores\nthem); \"ls --tags\" "
	    "shows them.",
	.flags = update_flags,
	.args = { 1, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_update_exec,
};
