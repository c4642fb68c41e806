/* cmd-exec.c: run a command with DOCKER_HOST pointing at a context. */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/sshctx.h"

static int
cmd_exec_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = NULL;
	struct strv env = { 0 };
	char **argv;
	size_t i;
	int r;

	if (a->dashdash < 0 || a->dashdash > 1 || a->argc <= a->dashdash)
		return err_set(&ctx->err, ERR_USAGE,
		    "usage: ctxmgr exec [NAME] -- COMMAND [ARGS...]");
	if (a->dashdash == 1)
		name = a->argv[0];
	argv = a->argv + a->dashdash;
	if ((r = cmd_docker_env(ctx, name, &env)) != 0)
		goto out;
	unsetenv("DOCKER_TLS_VERIFY");
	unsetenv("DOCKER_TLS");
	unsetenv("DOCKER_CERT_PATH");
	unsetenv("DOCKER_CONTEXT");
	for (i = 0; i < env.n; i++) {
		char *eq = strchr(env.v[i], '=');
		*eq = '\0';
		setenv(env.v[i], eq + 1, 1);
	}
	fflush(NULL);
	execvp(argv[0], argv);
	r = errno == ENOENT ? 127 : 126;
	fprintf(ctx->errout, "ctxmgr: cannot run \"%s\": %s\n", argv[0],
	    strerror(errno));
	strv_free(&env);
	return r;
out:
	strv_free(&env);
	return r;
}

static const struct cmd_flag exec_flags[] = { FLAG_ACCEPT_NEW, { 0 } };

const struct cmd_entry cmd_exec_entry = {
	.name = "exec",
	.usage = "[NAME] -- COMMAND [ARGS...]",
	.summary = "run a command with DOCKER_HOST set for a context",
	.help = "The command replaces ctxmgr (its exit status is the "
		"command's); for an\nssh:// context the tunnel is started when "
		"none runs.\n\n  ctxmgr exec prod -- docker ps -a",
	.flags = exec_flags,
	.args = { 1, -1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_exec_exec,
	.attrs = CMD_NO_SHELL,
};
