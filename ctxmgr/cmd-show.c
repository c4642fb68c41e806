/* cmd-show.c and prompt: print the effective context. */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/output.h"

static const char *const source_names[] = { "--context", "DOCKER_HOST",
	"DOCKER_CONTEXT", "config.json", "default" };

static int
cmd_show_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	enum context_source src;
	struct store st;
	char *name = NULL;
	json_t *o;
	int r;

	(void)a;
	cmd_store_open(ctx, &st);
	if ((r = store_resolve(&st, ctx->context, &name, &src, &ctx->err)) != 0)
		goto out;
	if (ctx->format == FMT_TABLE)
		fprintf(ctx->out, "%s\n", name);
	else {
		o = json_object();
		json_object_set_new(o, "Name", json_string(name));
		json_object_set_new(
		    o, "Source", json_string(source_names[src]));
		r = output_value(ctx, o);
		json_decref(o);
	}
out:
	free(name);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "",
	.summary = "print the name of the current context",
	.help = "The effective context, in Docker's order: --context, "
		"DOCKER_HOST (which means\n\"default\"), DOCKER_CONTEXT, "
		"currentContext in config.json, default.\nWith --format json "
		"the source is shown too.",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_show_exec,
};

/* For shell prompts: reads config.json only, prints nothing for default. */
static int
cmd_prompt_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct store st;
	char *name = NULL;
	int r;

	(void)a;
	cmd_store_open(ctx, &st);
	r = store_resolve(&st, ctx->context, &name, NULL, &ctx->err);
	if (r == 0 && strcmp(name, STORE_DEFAULT_NAME) != 0)
		fprintf(ctx->out, "%s\n", name);
	free(name);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_prompt_entry = {
	.name = "prompt",
	.usage = "",
	.summary = "print the current context for a shell prompt (empty for "
		   "default)",
	.help = "Fast enough to run on every prompt: it reads config.json "
		"and nothing else.\n\n"
		"bash/zsh:  PS1='$(ctxmgr prompt) '\"$PS1\"",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_prompt_exec,
	.formats = FMT_BIT(FMT_TABLE),
};
