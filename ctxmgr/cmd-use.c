/* cmd-use.c: switch the current context; "use -" goes back. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"

static int
cmd_use_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *want = a->argv[0];
	struct context *c = NULL;
	char *cur = NULL, *prev = NULL;
	struct store st;
	int r;

	cmd_store_open(ctx, &st);
	if ((r = store_lock(&st, &ctx->err)) != 0)
		goto out;
	if ((r = store_get_current(&st, &cur, &ctx->err)) != 0)
		goto out;
	if (strcmp(want, "-") == 0) {
		if ((r = store_get_previous(&st, &prev, &ctx->err)) != 0)
			goto out;
		if (prev == NULL) {
			r = err_set(&ctx->err, ERR_NOTFOUND,
			    "no previous context to go back to");
			goto out;
		}
		want = prev;
	}
	if ((r = store_load(&st, want, &c, &ctx->err)) != 0)
		goto out;
	if ((r = store_set_current(&st, c->name, &ctx->err)) != 0)
		goto out;
	if (strcmp(cur ? cur : STORE_DEFAULT_NAME, c->name) != 0 &&
	    (r = store_set_previous(&st, cur, &ctx->err)) != 0)
		goto out;
	fprintf(ctx->out, "%s\n", c->name);
	if (!ctx->quiet)
		fprintf(
		    ctx->errout, "Current context is now \"%s\"\n", c->name);
	if (strcmp(c->name, STORE_DEFAULT_NAME) != 0)
		cmd_warn_docker_host(ctx, c->name);
	{
		/* a tunnelled context: its service must run (a connect) */
		struct cm_err e2;
		err_init(&e2);
		if (svc_kick(ctx->config_dir, c, &e2) != 0)
			fprintf(ctx->errout, "ctxmgr: warning: %s\n", e2.msg);
	}
out:
	context_free(c);
	free(cur);
	free(prev);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_use_entry = {
	.name = "use",
	.usage = "NAME | -",
	.summary =
	    "switch the current context (\"-\": back to the previous one)",
	.help = "Sets currentContext in config.json, changing nothing else "
		"in that file.\n\"use -\" returns to the context that was "
		"current before, like \"cd -\".",
	.args = { 1, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_use_exec,
};
