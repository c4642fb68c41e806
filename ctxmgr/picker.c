/*
 * picker.c: "ctxmgr use" with no name on a terminal.  fzf when it is on
 * PATH, as kubectx does: the names on its stdin (the current one
 * marked), the choice on its stdout.  Otherwise a small filter with
 * readline: type part of a name to narrow the list, then a number or
 * Enter for the first match.  Full binary only (readline).
 */
#include "common/compat.h"

#include <sys/wait.h>
#include <unistd.h>

#include <readline/readline.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/picker.h"
#include "common/xmalloc.h"

#define PICK_SHOWN 20 /* the filter lists at most this many matches */

/* The full path of `prog` on PATH, or NULL. */
static char *
path_find(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	char *full;
	size_t len;

	for (p = path; p != NULL && *p != '\0';
	     p = *colon ? colon + 1 : colon) {
		colon = strchr(p, ':');
		if (colon == NULL)
			colon = p + strlen(p);
		len = (size_t)(colon - p);
		full = len ? xasprintf("%.*s/%s", (int)len, p, prog)
			   : xasprintf("./%s", prog);
		if (access(full, X_OK) == 0)
			return full;
		free(full);
	}
	return NULL;
}

/* The context names (default included) and the effective one. */
static int
pick_names(struct cmd_ctx *ctx, struct strv *names, char **curp)
{
	struct context **list = NULL;
	struct store st;
	size_t n = 0, i;
	int r;

	cmd_store_open(ctx, &st);
	if ((r = store_list(&st, &list, &n, &ctx->err)) == 0)
		r = store_resolve(&st, ctx->context, curp, NULL, &ctx->err);
	for (i = 0; r == 0 && i < n; i++)
		strv_push(names, list[i]->name);
	context_list_free(list, n);
	store_release(&st);
	return r;
}

/* fzf: names in, the chosen line out; 130 is Esc or Ctrl-C, 1 no match. */
static int
pick_fzf(struct cmd_ctx *ctx, const char *fzf, const struct strv *names,
    const char *cur, char **namep)
{
	int in[2], out[2], status;
	char line[512], *tab;
	size_t i, len = 0;
	ssize_t k;
	pid_t pid;
	FILE *f;

	if (pipe(in) != 0 || pipe(out) != 0)
		return err_sys(&ctx->err, "cannot run fzf");
	fflush(NULL);
	if ((pid = fork()) < 0)
		return err_sys(&ctx->err, "cannot run fzf");
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(fzf, "fzf", "--no-multi", "--ansi", "--nth=1",
		    "--delimiter=\t", "--prompt=context> ",
		    "--header=Enter: switch, Esc: cancel", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if ((f = fdopen(in[1], "w")) != NULL) {
		for (i = 0; i < names->n; i++)
			if (strcmp(names->v[i], cur) == 0)
				fprintf(f, "%s\t%s(current)%s\n", names->v[i],
				    cmd_color(ctx, C_GREEN),
				    cmd_color(ctx, C_RESET));
			else
				fprintf(f, "%s\n", names->v[i]);
		fclose(f);
	} else
		close(in[1]);
	while (len < sizeof(line) - 1 &&
	    (k = read(out[0], line + len, sizeof(line) - 1 - len)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		len += (size_t)k;
	}
	line[len] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 130 ||
	    WEXITSTATUS(status) == 1)
		return err_set(&ctx->err, ERR_CANCEL, "no context chosen");
	if (WEXITSTATUS(status) != 0)
		return err_set(&ctx->err, ERR_FAIL,
		    "fzf failed (exit status %d)", WEXITSTATUS(status));
	if ((tab = strpbrk(line, "\t\n")) != NULL)
		*tab = '\0';
	if (line[0] == '\0')
		return err_set(&ctx->err, ERR_CANCEL, "no context chosen");
	*namep = xstrdup(line);
	return 0;
}

/* 1 if `name` holds `filter`, ignoring case. */
static int
matches(const char *name, const char *filter)
{
	return strcasestr(name, filter) != NULL;
}

/* The built-in filter, on stderr (stdout may be the shell function's). */
static int
pick_builtin(struct cmd_ctx *ctx, const struct strv *names, const char *cur,
    char **namep)
{
	FILE *saved_out = rl_outstream;
	rl_completion_func_t *saved_comp = rl_attempted_completion_function;
	char *filter = xstrdup(""), *line = NULL;
	size_t i, shown, total;
	long long num;
	int r = 0;

	rl_outstream = stderr;
	rl_attempted_completion_function = NULL;
	for (;;) {
		const char *first = NULL;
		shown = total = 0;
		for (i = 0; i < names->n; i++) {
			if (!matches(names->v[i], filter))
				continue;
			if (first == NULL)
				first = names->v[i];
			if (++total > PICK_SHOWN)
				continue;
			shown++;
			fprintf(stderr, "%3zu) %s%s\n", shown, names->v[i],
			    strcmp(names->v[i], cur) == 0 ? "  (current)" : "");
		}
		if (total > shown)
			fprintf(stderr, "     ... %zu more: type to narrow\n",
			    total - shown);
		if (total == 0)
			fprintf(
			    stderr, "     no context matches \"%s\"\n", filter);
		free(line);
		line = readline(
		    total > 0 ? "filter, number or Enter for 1> " : "filter> ");
		if (line == NULL) {
			fputc('\n', stderr);
			r = err_set(&ctx->err, ERR_CANCEL, "no context chosen");
			break;
		}
		if (line[0] == '\0' && first != NULL) {
			*namep = xstrdup(first);
			break;
		}
		if (line[0] != '\0' &&
		    parse_int(line, 1, (long long)shown, &num) == 0) {
			for (i = 0, shown = 0; i < names->n; i++)
				if (matches(names->v[i], filter) &&
				    ++shown == (size_t)num)
					break;
			*namep = xstrdup(names->v[i]);
			break;
		}
		free(filter);
		filter = xstrdup(line);
	}
	free(line);
	free(filter);
	rl_outstream = saved_out;
	rl_attempted_completion_function = saved_comp;
	return r;
}

int
picker_pick(struct cmd_ctx *ctx, char **namep)
{
	struct strv names = { 0 };
	char *cur = NULL, *fzf;
	int r;

	*namep = NULL;
	if ((r = pick_names(ctx, &names, &cur)) != 0)
		goto out;
	if ((fzf = path_find("fzf")) != NULL) {
		r = pick_fzf(ctx, fzf, &names, cur, namep);
		free(fzf);
	} else
		r = pick_builtin(ctx, &names, cur, namep);
out:
	strv_free(&names);
	free(cur);
	return r;
}
