/*
 * shell.c: `ctxmgr shell` (see shell.h).  Readline runs in its callback
 * mode so that Ctrl-C at the prompt only clears the line; each command
 * runs in a child, so Ctrl-C during a command stops the command and a
 * command can never take the shell down.
 */
#include "common/compat.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "common/buf.h"
#include "ctxmgr/complete.h"
#include "ctxmgr/shell.h"
#include "ctxmgr/shelldocker.h"
#include "common/shellwords.h"
#include "ctxmgr/output.h"
#include "store/store.h"
#include "common/xmalloc.h"

static volatile sig_atomic_t got_sigint;
static volatile sig_atomic_t got_sigwinch;

/* State the readline callbacks need. */
static struct {
	struct cmd_ctx *ctx;
	char *line;
	int done;
	struct completion comp;
	size_t comp_next;
} sh;

static void
on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

static void
on_sigwinch(int sig)
{
	(void)sig;
	got_sigwinch = 1;
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: select must see EINTR */
	sigaction(sig, &sa, NULL);
}

/* "ctxmgr [prod]> ", with the name coloured when colour is on. */
static char *
make_prompt(struct cmd_ctx *ctx)
{
	struct store st;
	struct cm_err err;
	char *name = NULL, *p, *safe;

	store_init(&st, ctx->config_dir);
	if (store_resolve(&st, ctx->context, &name, NULL, &err) != 0)
		name = xstrdup("?");
	store_release(&st);
	safe = output_safe(name);
	if (ctx->color)
		/* \001 \002 tell readline the sequences take no room */
		p = xasprintf(
		    "ctxmgr [\001" C_CYAN "\002%s\001" C_RESET "\002]> ", safe);
	else
		p = xasprintf("ctxmgr [%s]> ", safe);
	free(safe);
	free(name);
	return p;
}

static void
on_line(char *line)
{
	sh.line = line;
	sh.done = 1;
	rl_callback_handler_remove();
}

/* Read a line at the terminal; NULL at end of input (Ctrl-D). */
static char *
read_line_tty(const char *prompt)
{
	fd_set fds;

	sh.line = NULL;
	sh.done = 0;
	rl_callback_handler_install(prompt, on_line);
	while (!sh.done) {
		if (got_sigwinch) {
			got_sigwinch = 0;
			rl_resize_terminal();
		}
		if (got_sigint) {
			/* Ctrl-C: drop the line, start a fresh prompt */
			got_sigint = 0;
			rl_point = rl_end;
			rl_redisplay();
			fputs("^C", rl_outstream);
			rl_crlf();
			rl_free_line_state();
			rl_callback_sigcleanup();
			rl_replace_line("", 0);
			rl_on_new_line();
			rl_redisplay();
		}
		FD_ZERO(&fds);
		FD_SET(STDIN_FILENO, &fds);
		if (select(STDIN_FILENO + 1, &fds, NULL, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			rl_callback_handler_remove();
			break;
		}
		rl_callback_read_char();
	}
	return sh.line;
}

/* A line from a pipe or file, read byte by byte so that a command that
 * reads stdin sees what follows its line, as in sh. */
static char *
read_line_plain(void)
{
	struct buf b;
	char c;
	ssize_t n;

	buf_init(&b, SHELLWORDS_MAX_LINE);
	for (;;) {
		n = read(STDIN_FILENO, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (b.len == 0) {
				buf_release(&b);
				return NULL;
			}
			break;
		}
		if (c == '\n')
			break;
		if (buf_addc(&b, c) != 0)
			break;
	}
	return buf_detach(&b, NULL);
}

/* Completion: readline asks for matches of `text` one at a time. */
static char *
comp_generator(const char *text, int state)
{
	(void)text;
	if (state == 0)
		sh.comp_next = 0;
	if (sh.comp_next < sh.comp.words.n)
		return xstrdup(sh.comp.words.v[sh.comp_next++]);
	return NULL;
}

static char *
dir_generator(const char *text, int state)
{
	struct stat sb;
	char *m;

	while ((m = rl_filename_completion_function(text, state)) != NULL) {
		char *path = tilde_expand(m);
		int isdir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
		free(path);
		if (isdir)
			return m;
		free(m);
		state = 1;
	}
	return NULL;
}

static char **
attempted_completion(const char *text, int start, int end)
{
	struct strv words = { 0 };
	char *upto, **m = NULL;
	int quote, skip = 0;

	(void)start;
	rl_attempted_completion_over = 1;
	upto = xstrndup(rl_line_buffer, (size_t)end);
	shellwords_split_partial(upto, &words, &quote);
	free(upto);
	if (words.n > 1 && strcmp(words.v[0], "ctxmgr") == 0)
		skip = 1;
	completion_release(&sh.comp);
	complete_line(sh.ctx->config_dir, words.v + skip, (int)words.n - skip,
	    1, &sh.comp);
	switch (sh.comp.kind) {
	case COMPLETE_FILES:
		rl_filename_completion_desired = 1;
		m = rl_completion_matches(
		    text, rl_filename_completion_function);
		break;
	case COMPLETE_DIRS:
		rl_filename_completion_desired = 1;
		m = rl_completion_matches(text, dir_generator);
		break;
	case COMPLETE_WORDS:
		m = rl_completion_matches(text, comp_generator);
		break;
	}
	strv_free(&words);
	return m;
}

static void
setup_readline(struct cmd_ctx *ctx)
{
	struct strv lines = { 0 };
	struct cm_err err;
	char *path;
	size_t i;

	rl_readline_name = "ctxmgr";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_attempted_completion_function = attempted_completion;
	rl_completer_word_break_characters = (char *)" \t\n=";
	rl_completer_quote_characters = "'\"";
	rl_filename_quote_characters = " \t\n\\\"'@<>=;|&()#$`?*[!:{";
	stifle_history(SHELL_HISTORY_MAX);
	path = shell_history_path();
	if (shell_history_trim(path, SHELL_HISTORY_MAX, &err) != 0 ||
	    shell_history_load(path, SHELL_HISTORY_MAX, &lines, &err) != 0)
		cmd_print_error(ctx->errout, err.msg);
	for (i = 0; i < lines.n; i++)
		add_history(lines.v[i]);
	strv_free(&lines);
	free(path);
}

static void
remember(struct cmd_ctx *ctx, const char *line)
{
	static int warned;
	HIST_ENTRY *last;
	struct cm_err err;
	char *path, *trimmed;
	size_t n;

	if (*line == '\0' || shell_line_is_private(line))
		return;
	/* "use prod " from completion is stored as "use prod" */
	trimmed = xstrdup(line);
	for (n = strlen(trimmed); n > 0 && trimmed[n - 1] == ' '; n--)
		trimmed[n - 1] = '\0';
	line = trimmed;
	last = history_length > 0
	    ? history_get(history_base + history_length - 1)
	    : NULL;
	if (last == NULL || strcmp(last->line, line) != 0) {
		add_history(line);
		path = shell_history_path();
		if (shell_history_append(path, line, &err) != 0 && !warned++)
			cmd_print_error(ctx->errout, err.msg);
		free(path);
	}
	free(trimmed);
}

/* Wait for a child, the shell ignoring Ctrl-C meanwhile. */
int
shell_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	got_sigint = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGINT)
			fputc('\n', stderr);
		return 128 + WTERMSIG(status);
	}
	return 1;
}

void
shell_child_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGWINCH, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

/* Run one table command in a child process. */
static int
run_command(struct cmd_ctx *ctx, int argc, char **argv)
{
	pid_t pid;
	int r;

	fflush(ctx->out);
	fflush(ctx->errout);
	if ((pid = fork()) < 0) {
		fprintf(
		    ctx->errout, "ctxmgr: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		shell_child_signals();
		signal(SIGPIPE, SIG_IGN); /* as main() has it */
		r = cmd_main(ctx, argc, argv);
		if (fflush(ctx->out) != 0 && r == 0)
			r = 1;
		fflush(ctx->errout);
		/* the shell's own memory is the parent's to free */
		_exit(r);
	}
	return shell_wait(pid);
}

/* "use -s", "use --shell": the shell's own context, not a child's. */
static int
line_has_shell_flag(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-s") == 0 ||
		    str_has_prefix(argv[i], "--shell"))
			return 1;
	return 0;
}

/* One line; returns -1 to leave the shell (status in *exitp). */
static int
run_line(struct cmd_ctx *ctx, const char *line, int *exitp)
{
	struct strv w = { 0 };
	struct cm_err err;
	const struct cmd_entry *e;
	int skip = 0, r = 0;
	char **argv;
	int argc;

	if (shellwords_split(line, &w, &err) != 0) {
		cmd_print_error(ctx->errout, err.msg);
		*exitp = 2;
		return 0;
	}
	if (w.n > 0 && strcmp(w.v[0], "ctxmgr") == 0)
		skip = 1;
	argv = w.v + skip;
	argc = (int)w.n - skip;
	if (argc <= 0)
		goto out;
	if (strcmp(argv[0], "exit") == 0 || strcmp(argv[0], "quit") == 0) {
		long long n = 0;
		if (argc > 1 && parse_int(argv[1], 0, 255, &n) != 0) {
			fprintf(ctx->errout,
			    "ctxmgr: exit takes a status from 0 to 255\n");
			*exitp = 2;
			goto out;
		}
		*exitp = argc > 1 ? (int)n : *exitp;
		r = -1;
		goto out;
	}
	if (strcmp(argv[0], "docker") == 0) {
		*exitp = shell_docker(ctx, argc, argv);
		goto out;
	}
	if ((e = cmd_find(cmd_table, argv[0])) != NULL &&
	    (e->attrs & CMD_NO_SHELL)) {
		fprintf(ctx->errout,
		    "ctxmgr: \"%s\" cannot run inside the shell\n", argv[0]);
		*exitp = 2;
		goto out;
	}
	if (e != NULL && strcmp(e->name, "use") == 0 &&
	    line_has_shell_flag(argc, argv)) {
		/* "use --shell" sets this process's DOCKER_CONTEXT */
		*exitp = cmd_main(ctx, argc, argv);
		goto out;
	}
	*exitp = run_command(ctx, argc, argv);
out:
	strv_free(&w);
	return r;
}

int
shell_run(struct cmd_ctx *parent)
{
	struct cmd_ctx ctx = *parent;
	int tty = isatty(STDIN_FILENO), status = 0;
	char *line, *prompt;

	ctx.interactive = 1;
	sh.ctx = &ctx;
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	if (tty) {
		set_handler(SIGINT, on_sigint);
		set_handler(SIGWINCH, on_sigwinch);
		setup_readline(&ctx);
	} else
		signal(SIGINT, SIG_IGN);
	for (;;) {
		if (tty) {
			prompt = make_prompt(&ctx);
			line = read_line_tty(prompt);
			free(prompt);
		} else
			line = read_line_plain();
		if (line == NULL) {
			/* Ctrl-D at the prompt is a normal way out */
			if (tty) {
				fputc('\n', stdout);
				status = 0;
			}
			break;
		}
		if (tty)
			remember(&ctx, line);
		if (run_line(&ctx, line, &status) < 0) {
			free(line);
			break;
		}
		free(line);
	}
	completion_release(&sh.comp);
	if (tty)
		clear_history();
	return status;
}
