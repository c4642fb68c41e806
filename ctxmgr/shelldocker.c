/* shelldocker.c: "docker ..." lines in the shell (see shelldocker.h). */
#include "common/compat.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
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
		cmd_print_error(ctx->errout, ctx->err.msg);
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

#define DOCKER_COMPLETE_MS 3000 /* a daemon lookup may take a while */
#define DOCKER_COMPLETE_MAX (256 * 1024)
#define DOCKER_COMPLETE_WORDS 2000

void
shell_docker_complete_parse(char *text, struct strv *out, unsigned *directivep)
{
	char *line = text, *nl, *tab;
	long long d;

	for (; *line != '\0'; line = nl ? nl + 1 : line + strlen(line)) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == ':') {
			if (parse_int(line + 1, 0, 0xffff, &d) == 0)
				*directivep = (unsigned)d;
			continue;
		}
		if ((tab = strchr(line, '\t')) != NULL)
			*tab = '\0';
		/* cobra's active help, empty lines, anything a terminal
		 * would act on: not completions */
		if (line[0] == '\0' || str_has_prefix(line, "_activeHelp_") ||
		    str_has_ctrl(line) || out->n >= DOCKER_COMPLETE_WORDS)
			continue;
		strv_push(out, line);
	}
}

int
shell_docker_complete(const char *config_dir, char **words, int n,
    struct strv *out, unsigned *directivep)
{
	struct buf b;
	struct pollfd pfd;
	uint64_t deadline;
	char **argv;
	int fds[2], status, i, r = -1, devnull;
	ssize_t k;
	pid_t pid;

	*directivep = 0;
	if (n < 2 || pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	argv = xcalloc((size_t)n + 2, sizeof(*argv));
	argv[0] = "docker";
	argv[1] = "__complete";
	for (i = 1; i < n; i++)
		argv[i + 1] = words[i];
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		free(argv);
		return -1;
	}
	if (pid == 0) {
		shell_child_signals();
		devnull = open("/dev/null", O_RDWR);
		dup2(devnull, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		setenv("DOCKER_CONFIG", config_dir, 1);
		execvp("docker", argv);
		_exit(127);
	}
	free(argv);
	close(fds[1]);
	buf_init(&b, DOCKER_COMPLETE_MAX);
	deadline = now_us() + DOCKER_COMPLETE_MS * 1000ULL;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		uint64_t now = now_us();
		char chunk[4096];
		if (now >= deadline)
			break;
		k = poll(&pfd, 1, (int)((deadline - now) / 1000) + 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if ((k = read(fds[0], chunk, sizeof(chunk))) < 0 &&
		    errno == EINTR)
			continue;
		if (k <= 0) {
			r = 0; /* the whole answer */
			break;
		}
		if (buf_add(&b, chunk, (size_t)k) != 0)
			break;
	}
	close(fds[0]);
	if (r != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		shell_docker_complete_parse(b.data, out, directivep);
	else
		r = -1;
	buf_release(&b);
	return r;
}
