/* cmd-exec.c: run a command with DOCKER_HOST pointing at a context, or
 * once per context of a selection (--filter/--all), in parallel. */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/fleet.h"
#include "ctxmgr/sshctx.h"

/* Set the DOCKER_* variables of `env` in this process's environment. */
static void
exec_setenv(struct strv *env)
{
	size_t i;

	unsetenv("DOCKER_TLS_VERIFY");
	unsetenv("DOCKER_TLS");
	unsetenv("DOCKER_CERT_PATH");
	unsetenv("DOCKER_CONTEXT");
	for (i = 0; i < env->n; i++) {
		char *eq = strchr(env->v[i], '=');
		*eq = '\0';
		setenv(env->v[i], eq + 1, 1);
		*eq = '=';
	}
}

/* One context: run `argv` in place of ctxmgr. */
static int
exec_one(struct cmd_ctx *ctx, const char *name, char **argv)
{
	struct strv env = { 0 };
	int r;

	if ((r = cmd_docker_env(ctx, name, &env)) != 0)
		goto out;
	exec_setenv(&env);
	fflush(NULL);
	execvp(argv[0], argv);
	r = errno == ENOENT ? 127 : 126;
	fprintf(ctx->errout, "ctxmgr: cannot run \"%s\": %s\n", argv[0],
	    strerror(errno));
out:
	strv_free(&env);
	return r;
}

/* In a fleet child: the context's environment, then the command. */
static int
exec_in(struct cmd_ctx *ctx, const struct context *c, void *arg)
{
	return exec_one(ctx, c->name, arg);
}

static int
cmd_exec_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct fleet_opts o;
	int fleet = fleet_wanted(a), r;

	if (fleet && a->dashdash == 0 && a->argc > 0) {
		if ((r = fleet_opts_parse(ctx, a, "exec", &o)) != 0)
			return r;
		return fleet_run(ctx, a, &o, exec_in, a->argv);
	}
	if (fleet)
		return err_set(&ctx->err, ERR_USAGE,
		    "usage: ctxmgr exec --filter KEY=VALUE... | --all -- "
		    "COMMAND [ARGS...] (no NAME with --filter or --all)");
	if (a->dashdash < 0 || a->dashdash > 1 || a->argc <= a->dashdash)
		return err_set(&ctx->err, ERR_USAGE,
		    "usage: ctxmgr exec [NAME] -- COMMAND [ARGS...]");
	return exec_one(
	    ctx, a->dashdash == 1 ? a->argv[0] : NULL, a->argv + a->dashdash);
}

static const struct cmd_flag exec_flags[] = { FLEET_FLAGS, FLAG_ACCEPT_NEW,
	{ 0 } };

const struct cmd_entry cmd_exec_entry = {
	.name = "exec",
	.usage = "[NAME | --filter KEY=VALUE... | --all] -- COMMAND [ARGS...]",
	.summary = "run a command with DOCKER_HOST set for a context, or "
		   "for many",
	.help = "With NAME (or none: the current context) the command replaces "
		"ctxmgr (its\nexit status is the command's); for an ssh:// "
		"context the tunnel is started\nwhen none runs.\n\n"
		"With --filter or --all it runs once per selected context (the "
		"default context\nleft out), -j at a time, stdin from "
		"/dev/null, each with the environment that\npoints docker at "
		"that context (tunnelled contexts go through the tunnel\n"
		"service, started once).  Each line of output is prefixed with "
		"the context's\nname (\"web1 | ...\"; stderr lines go to "
		"stderr); a line longer than 8 KiB is\ncut and its next pieces "
		"are marked \"web1 + ...\", and a last line without a\nnewline "
		"gets one, so one host's output never runs on behind another's "
		"name.\n--group prints each context's output as one block when "
		"it ends (at most 4 MiB\nper stream).  A summary of exit "
		"statuses goes to stderr.  --timeout is one\ndeadline for the "
		"whole run: what still runs gets SIGTERM (its whole process\n"
		"group), SIGKILL a second later, and is reported as timed "
		"out.  Exit status: 0\nwhen every context succeeded, else 1; "
		"with one context selected, its own\n(124 when timed out); 130 "
		"after Ctrl-C, which stops them all.\n\n"
		"  ctxmgr exec prod -- docker ps -a\n"
		"  ctxmgr exec --filter tag=web -j 16 -- docker ps -q",
	.flags = exec_flags,
	.args = { 1, -1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_exec_exec,
	.attrs = CMD_NO_SHELL,
};
