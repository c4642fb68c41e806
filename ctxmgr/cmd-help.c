/* cmd-help.c: help and version. */
#include "common/compat.h"

#include "ctxmgr/cmd.h"
#include "ctxmgr/output.h"
#include "ctxmgr/version.h"

static int
cmd_help_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_entry *e = NULL;
	const struct cmd_entry *const *table = cmd_table;
	char path[128] = "";
	int i;

	if (a->argc == 0) {
		cmd_print_overview(ctx->out);
		return 0;
	}
	for (i = 0; i < a->argc; i++) {
		if ((e = cmd_find(table, a->argv[i])) == NULL)
			return err_set(&ctx->err, ERR_USAGE,
			    "no help for \"%s%s%s\": unknown command", path,
			    *path ? " " : "", a->argv[i]);
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
		    "%s%s", *path ? " " : "", e->name);
		table = e->subcommands;
	}
	cmd_print_help(ctx->out, e, path);
	return 0;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "[COMMAND [SUBCOMMAND]]",
	.summary = "show help for ctxmgr or one of its commands",
	.args = { 0, 3, COMPLETE_COMMAND, NULL },
	.exec = cmd_help_exec,
	.formats = FMT_BIT(FMT_TABLE),
};

static int
cmd_version_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	char libs[512];
	json_t *o;
	int r = 0;

	(void)a;
	version_libraries(libs, sizeof(libs));
	if (ctx->format == FMT_TABLE) {
		fprintf(ctx->out, "ctxmgr %s\n%s\n", CTXMGR_VERSION, libs);
		return 0;
	}
	o = json_object();
	json_object_set_new(o, "Version", json_string(CTXMGR_VERSION));
	json_object_set_new(o, "Libraries", json_string(libs));
	r = output_value(ctx, o);
	json_decref(o);
	return r;
}

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.usage = "",
	.summary = "print the version and the libraries in use",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_version_exec,
};
