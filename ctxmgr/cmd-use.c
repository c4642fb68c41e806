/*
 * cmd-use.c: switch the current context; "use -" goes back; "use
 * --shell" switches one shell only, through the function "ctxmgr init"
 * defines (cmd-init.c).  Runs in the front binary: libc and the store
 * only.  With no name it picks one on a terminal (cmd_use_picker, set
 * by the full binary, which the front hands that command line to).
 */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"

int (*cmd_use_picker)(struct cmd_ctx *ctx, char **namep);

/*
 * The first line of what `use --shell` prints for the shell function:
 * the function evaluates the rest only after it, and prints anything
 * else as it is.
 */
#define SHELL_CODE_MARK "# ctxmgr shell code"

/* `s` in single quotes, by the rules of POSIX shells or of fish. */
static void
put_quoted(FILE *f, const char *s, int fish)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs(fish ? "\\'" : "'\\''", f);
		else if (*s == '\\' && fish)
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* Shell code setting `var` to `value`, or unsetting it when NULL. */
static void
put_assign(FILE *f, const char *var, const char *value, int fish)
{
	if (value == NULL)
		fprintf(f, fish ? "set -e -g %s\n" : "unset %s\n", var);
	else {
		fprintf(f, fish ? "set -g -x %s " : "export %s=", var);
		put_quoted(f, value, fish);
		fputc('\n', f);
	}
}

/* The shell `use --shell` talks to: "bash", "zsh", "fish" or NULL. */
static const char *
function_shell(void)
{
	static const char *const names[] = { "bash", "zsh", "fish" };
	const char *sh = getenv(CTXMGR_SHELL_ENV);
	size_t i;

	for (i = 0; sh != NULL && i < nitems(names); i++)
		if (strcmp(sh, names[i]) == 0)
			return names[i];
	return NULL;
}

/*
 * use --shell: DOCKER_CONTEXT for this shell only.  The shell's previous
 * choice is CTXMGR_SHELL_PREVIOUS: a name, or empty for "no
 * DOCKER_CONTEXT" (the global current context).
 */
static int
use_shell(struct cmd_ctx *ctx, const char *want)
{
	const char *sh = function_shell(), *cur, *prev;
	struct context *c = NULL;
	struct store st;
	int r, fish;

	if (!ctx->interactive && sh == NULL)
		return err_set(&ctx->err, ERR_USAGE,
		    "\"use --shell\" needs the ctxmgr shell function, which "
		    "sets DOCKER_CONTEXT in the shell itself: run "
		    "eval \"$(ctxmgr init bash)\" (zsh: ctxmgr init zsh; fish: "
		    "ctxmgr init fish | source), or add that line to your "
		    "shell's startup file");
	cur = getenv("DOCKER_CONTEXT");
	if (cur != NULL && *cur == '\0')
		cur = NULL;
	if (strcmp(want, "-") == 0) {
		if ((prev = getenv(CTXMGR_SHELL_PREVIOUS_ENV)) == NULL)
			return err_set(&ctx->err, ERR_NOTFOUND,
			    "no previous context in this shell to go back to");
		want = *prev != '\0' ? prev : NULL;
	}
	cmd_store_open(ctx, &st);
	if (want != NULL && (r = store_load(&st, want, &c, &ctx->err)) != 0)
		goto out;
	if (ctx->interactive) {
		/*
		 * inside `ctxmgr shell`: its own environment is the shell's.
		 * `cur` points into the environment: set it aside first.
		 */
		setenv(CTXMGR_SHELL_PREVIOUS_ENV, cur ? cur : "", 1);
		if (c != NULL)
			setenv("DOCKER_CONTEXT", c->name, 1);
		else
			unsetenv("DOCKER_CONTEXT");
	} else {
		fish = strcmp(sh, "fish") == 0;
		fprintf(ctx->out, "%s\n", SHELL_CODE_MARK);
		put_assign(
		    ctx->out, "DOCKER_CONTEXT", c ? c->name : NULL, fish);
		put_assign(
		    ctx->out, CTXMGR_SHELL_PREVIOUS_ENV, cur ? cur : "", fish);
	}
	if (!ctx->quiet && c != NULL)
		fprintf(ctx->errout, "Context in this shell is now \"%s\"\n",
		    c->name);
	else if (!ctx->quiet)
		fprintf(ctx->errout,
		    "This shell follows the current context again\n");
	if (c != NULL && strcmp(c->name, STORE_DEFAULT_NAME) != 0)
		cmd_warn_docker_host(ctx, c->name);
	r = 0;
out:
	context_free(c);
	store_release(&st);
	return r;
}

/*
 * The context `use -` goes to: the one current before the last switch,
 * whoever made it.  When config.json names another context than the
 * one ctxmgr last set, the docker CLI (or an editor) switched since,
 * and the context before that switch is the one ctxmgr set.
 */
static int
use_previous(
    struct store *st, const char *cur, char **namep, struct cm_err *err)
{
	char *prev = NULL, *set = NULL;
	int r;

	*namep = NULL;
	if ((r = store_get_switch(st, &prev, &set, err)) != 0)
		return r;
	if (set != NULL && strcmp(set, cur ? cur : STORE_DEFAULT_NAME) != 0 &&
	    (strcmp(set, STORE_DEFAULT_NAME) == 0 || store_exists(st, set))) {
		*namep = set;
		set = NULL;
	} else {
		*namep = prev;
		prev = NULL;
	}
	free(prev);
	free(set);
	if (*namep == NULL)
		return err_set(
		    err, ERR_NOTFOUND, "no previous context to go back to");
	return 0;
}

static int
cmd_use_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *want = a->argc > 0 ? a->argv[0] : NULL, *env;
	struct context *c = NULL;
	char *cur = NULL, *prev = NULL, *picked = NULL;
	struct store st;
	int r;

	if (want == NULL) {
		if (cmd_use_picker == NULL || !isatty(STDIN_FILENO) ||
		    !isatty(STDERR_FILENO))
			return err_set(&ctx->err, ERR_USAGE,
			    "\"use\" needs a context name, or \"-\" (on a "
			    "terminal it offers a picker)");
		if ((r = cmd_use_picker(ctx, &picked)) != 0)
			return r;
		want = picked;
	}
	if (args_has(a, "shell")) {
		r = use_shell(ctx, want);
		free(picked);
		return r;
	}
	cmd_store_open(ctx, &st);
	if ((r = store_lock(&st, &ctx->err)) != 0)
		goto out;
	if ((r = store_get_current(&st, &cur, &ctx->err)) != 0)
		goto out;
	if (strcmp(want, "-") == 0) {
		if ((r = use_previous(&st, cur, &prev, &ctx->err)) != 0)
			goto out;
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
	if ((env = getenv("DOCKER_CONTEXT")) != NULL && *env != '\0' &&
	    strcmp(env, c->name) != 0 && !ctx->quiet)
		fprintf(ctx->errout,
		    "warning: DOCKER_CONTEXT=\"%s\" is set: this shell stays "
		    "on it (\"ctxmgr use --shell -\" or unset "
		    "DOCKER_CONTEXT)\n",
		    env);
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
	free(picked);
	store_release(&st);
	return r;
}

static const struct cmd_flag use_flags[] = {
	{ "shell", 's', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "switch this shell only (DOCKER_CONTEXT; needs \"ctxmgr init\")" },
	{ 0 }
};

const struct cmd_entry cmd_use_entry = {
	.name = "use",
	.usage = "[-s] [NAME | -]",
	.summary =
	    "switch the current context (\"-\": back to the previous one)",
	.help = "Sets currentContext in config.json, changing nothing else "
		"in that file.\n\"use -\" returns to the context that was "
		"current before the last switch,\nlike \"cd -\", also when "
		"the docker CLI made that switch.\n\n"
		"With --shell (-s), only this shell switches: the shell "
		"function that\n\"ctxmgr init\" defines sets DOCKER_CONTEXT, "
		"and \"use --shell -\" returns to\nthe shell's previous "
		"choice.  Load it once per shell (or in ~/.bashrc):\n\n"
		"  eval \"$(ctxmgr init bash)\"\n\n"
		"With no name on a terminal, a picker offers the contexts: "
		"fzf when it is\non PATH, else a filter (type part of a "
		"name, then a number or Enter).",
	.flags = use_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, "-" },
	.exec = cmd_use_exec,
};
