/* cmd-rm.c: remove contexts; rename: rename one. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/intr.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"

static const struct cmd_flag rm_flags[] = {
	{ "force", 'f', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "remove the current context too (it reverts to default); no "
	    "error for missing ones" },
	{ 0 }
};

static int
cmd_rm_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	int force = args_has(a, "force"), i, r, failed = 0;
	struct store st;
	char *cur = NULL;

	cmd_store_open(ctx, &st);
	if ((r = store_lock(&st, &ctx->err)) != 0 ||
	    (r = store_get_current(&st, &cur, &ctx->err)) != 0)
		goto out;
	for (i = 0; i < a->argc; i++) {
		const char *name = a->argv[i];
		err_init(&ctx->err);
		if (strcmp(name, STORE_DEFAULT_NAME) == 0) {
			err_set(&ctx->err, ERR_INVALID,
			    "the default context cannot be removed");
			goto failed;
		}
		if (context_name_check(name, &ctx->err) != 0)
			goto failed;
		if (!store_exists(&st, name)) {
			if (force) {
				fprintf(ctx->out, "%s\n", name);
				continue;
			}
			store_not_found(&st, name, &ctx->err);
			goto failed;
		}
		if (cur != NULL && strcmp(cur, name) == 0) {
			if (!force) {
				err_set(&ctx->err, ERR_INVALID,
				    "context \"%s\" is in use; use -f to "
				    "remove it and switch to default",
				    name);
				goto failed;
			}
			if (store_set_current(&st, NULL, &ctx->err) != 0)
				goto failed;
			free(cur);
			cur = NULL;
		}
		if (store_remove(&st, name, &ctx->err) != 0)
			goto failed;
		cmd_pins_moved(ctx, name, NULL);
		fprintf(ctx->out, "%s\n", name);
		continue;
	failed:
		cmd_print_error(ctx->errout, ctx->err.msg);
		failed = 1;
	}
	r = failed ? 1 : 0;
out:
	free(cur);
	store_release(&st);
	cmd_svc_reload(ctx); /* a removed tunnelled context: its socket goes */
	return r;
}

const struct cmd_entry cmd_rm_entry = {
	.name = "rm",
	.usage = "[-f] NAME...",
	.summary = "remove contexts and their TLS files",
	.help = "The current context is only removed with -f, which also "
		"switches back to\n\"default\".",
	.flags = rm_flags,
	.args = { 1, -1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_rm_exec,
	.formats = FMT_BIT(FMT_TABLE),
};

static int
cmd_rename_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct store st;
	struct context *c = NULL;
	struct intr in;
	int r, resumed;

	cmd_store_open(ctx, &st);
	if ((r = store_lock(&st, &ctx->err)) != 0)
		goto out;
	/* a few steps that finish once begun: Ctrl-C waits for them */
	intr_hold(&in);
	if ((r = store_rename(
		 &st, a->argv[0], a->argv[1], &resumed, &ctx->err)) == 0 &&
	    (r = store_load(&st, a->argv[1], &c, &ctx->err)) == 0 &&
	    svc_context_tunnelled(c)) {
		/* its socket is named after the name */
		if ((r = cmd_tunnel_convert(ctx, c, 1, &ctx->err)) == 0)
			r = store_save(&st, c, 0, &ctx->err);
	}
	context_free(c);
	if (r == 0) {
		cmd_pins_moved(ctx, a->argv[0], a->argv[1]);
		fprintf(ctx->out, "%s\n", a->argv[1]);
		if (!ctx->quiet)
			fprintf(ctx->errout,
			    "Renamed context \"%s\" to \"%s\"%s\n", a->argv[0],
			    a->argv[1],
			    resumed ? " (finishing an interrupted rename)"
				    : "");
	}
	intr_release(ctx, &in, r);
out:
	store_release(&st);
	cmd_svc_reload(ctx);
	return r;
}

const struct cmd_entry cmd_rename_entry = {
	.name = "rename",
	.usage = "OLD NEW",
	.summary = "rename a context, moving its TLS files",
	.help = "If OLD is the current context, NEW becomes current.  Ctrl-C "
		"waits for the\nrename to finish; after a kill, the same "
		"command finishes it.",
	.args = { 2, 2, COMPLETE_CONTEXT, NULL },
	.exec = cmd_rename_exec,
	.formats = FMT_BIT(FMT_TABLE),
};
