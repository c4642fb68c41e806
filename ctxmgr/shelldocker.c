/* shelldocker.c: "docker ..." lines in the shell (see shelldocker.h). */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/shelldocker.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/sshctx.h"
#include "store/store.h"
#include "common/xmalloc.h"

/* Where the Docker CLI should connect for context `c`. */
struct docker_target {
	char *context; /* DOCKER_CONTEXT, or NULL to leave the env alone */
	char *host; /* DOCKER_HOST (a tunnel socket), or NULL */
};

static int
resolve_target(struct cmd_ctx *ctx, struct docker_target *t)
{
	enum context_source src;
	struct context *c = NULL;
	struct store st;
	char *name = NULL, *sock = NULL;
	int r;

	memset(t, 0, sizeof(*t));
	store_init(&st, ctx->config_dir);
	if ((r = store_resolve(&st, ctx->context, &name, &src, &ctx->err)) != 0)
		goto out;
	if (src == SRC_DOCKER_HOST) {
		/* DOCKER_HOST is in the environment: docker uses it */
		r = 0;
		goto out;
	}
	if ((r = store_load(&st, name, &c, &ctx->err)) != 0)
		goto out;
	/*
	 * ssh:// contexts go through their ctxmgr tunnel (started when none
	 * runs), not through Docker's ssh transport with an ssh process per
	 * connection; other contexts are Docker's to use as they are.
	 */
	if (c->host != NULL && str_has_prefix(c->host, "ssh://")) {
		if ((r = cmd_context_tunnel_socket(ctx, c, &sock)) != 0)
			goto out;
		t->host = xasprintf("unix://%s", sock);
	} else {
		/* a tunnelled context: its service must run */
		if ((r = svc_kick(ctx->config_dir, c, &ctx->err)) != 0)
			goto out;
		t->context = xstrdup(name);
	}
out:
	context_free(c);
	free(sock);
	free(name);
	store_release(&st);
	return r;
}

int
shell_docker(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct docker_target t;
	pid_t pid;

	(void)argc;
	fflush(ctx->out);
	fflush(ctx->errout);
	if ((pid = fork()) < 0) {
		fprintf(
		    ctx->errout, "ctxmgr: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid != 0)
		return shell_wait(pid);
	/*
	 * In the child: finding the context (and starting a tunnel) may
	 * take a while, and Ctrl-C must be able to stop it.
	 */
	shell_child_signals();
	err_init(&ctx->err);
	if (resolve_target(ctx, &t) != 0) {
		fprintf(ctx->errout, "ctxmgr: %s\n", ctx->err.msg);
		_exit(1);
	}
	setenv("DOCKER_CONFIG", ctx->config_dir, 1);
	if (t.host != NULL) {
		setenv("DOCKER_HOST", t.host, 1);
		unsetenv("DOCKER_CONTEXT");
	} else if (t.context != NULL) {
		setenv("DOCKER_CONTEXT", t.context, 1);
		unsetenv("DOCKER_HOST");
	}
	execvp("docker", argv);
	fprintf(stderr, "ctxmgr: cannot run docker: %s\n", strerror(errno));
	_exit(127);
}
