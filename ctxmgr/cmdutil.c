/* cmdutil.c: glue shared by the commands (see cmdutil.h). */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "common/file.h"

void
cmd_store_open(struct cmd_ctx *ctx, struct store *st)
{
	store_init(st, ctx->config_dir);
}

int
cmd_load_context(struct cmd_ctx *ctx, struct store *st, const char *name,
    struct context **cp)
{
	char *resolved = NULL;
	int r;

	if (name == NULL) {
		if ((r = store_resolve(
			 st, ctx->context, &resolved, NULL, &ctx->err)) != 0)
			return r;
		name = resolved;
	}
	r = store_load(st, name, cp, &ctx->err);
	free(resolved);
	return r;
}

int
cmd_read_input(struct cmd_ctx *ctx, const char *path, size_t max, int flags,
    struct buf *out)
{
	if (strcmp(path, "-") == 0)
		return file_read_fd(
		    STDIN_FILENO, "standard input", max, out, &ctx->err);
	return file_read(path, max, flags, out, &ctx->err);
}

void
cmd_warn_docker_host(struct cmd_ctx *ctx, const char *name)
{
	const char *h = getenv("DOCKER_HOST");

	if (h == NULL || *h == '\0' || ctx->quiet)
		return;
	fprintf(ctx->errout,
	    "warning: DOCKER_HOST overrides the current context; unset "
	    "DOCKER_HOST or pass --context to use \"%s\"\n",
	    name);
}
