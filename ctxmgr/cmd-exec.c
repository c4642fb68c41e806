/* cmd-exec.c: run a command with DOCKER_HOST pointing at a context, or
 * once per context of a selection (--filter/--all), in parallel. */
#include "common/compat.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/config.h"
#include "ctxmgr/intr.h"
#include "ctxmgr/select.h"
#include "ctxmgr/sshctx.h"
#include "ctxmgr/svckick.h"

#define EXEC_JOBS_DEFAULT 8
#define EXEC_JOBS_MAX 256
/* A longer line is cut: its next pieces carry "+" instead of "|". */
#define EXEC_LINE_MAX 8192
/* --group keeps at most this much of each host's stdout and stderr. */
#define EXEC_GROUP_MAX ((size_t)4 << 20)
/* After SIGTERM at the deadline, SIGKILL this much later. */
#define EXEC_KILL_GRACE_US 1000000

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

enum job_state { J_WAIT, J_RUN, J_DONE, J_NOSTART };

struct job {
	const char *name;
	pid_t pid;
	enum job_state state;
	int fd[2]; /* the child's stdout and stderr; -1 once closed */
	struct buf out[2]; /* a partial line, or (--group) everything */
	int cont[2]; /* out[] continues a line already cut */
	int truncated[2];
	int reaped;
	int status; /* wait status */
	int killed; /* by the deadline or a signal */
	uint64_t term_at; /* when SIGTERM went, 0 if not */
};

struct fleet {
	struct cmd_ctx *ctx;
	struct job *jobs;
	size_t n;
	int width; /* of the longest name */
	int group;
	char **argv;
};

/* One line (without its newline) of job `j`, prefixed. */
static void
emit_line(struct fleet *fl, struct job *j, int s, const char *p, size_t n)
{
	FILE *f = s ? fl->ctx->errout : fl->ctx->out;

	fprintf(f, "%-*s %c ", fl->width, j->name, j->cont[s] ? '+' : '|');
	fwrite(p, 1, n, f);
	fputc('\n', f);
}

/*
 * Bytes from a child.  Only whole lines reach the output, each with its
 * prefix: a line over EXEC_LINE_MAX is cut, and a last line without a
 * newline gets one, so no host's bytes ever run on behind another's
 * prefix.
 */
static void
feed(struct fleet *fl, struct job *j, int s, const char *p, size_t n)
{
	struct buf *b = &j->out[s];
	const char *nl;
	size_t take, room;

	if (fl->group) {
		room = EXEC_GROUP_MAX - b->len;
		if (n > room) {
			n = room;
			j->truncated[s] = 1;
		}
		(void)buf_add(b, p, n);
		return;
	}
	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (b->len + take > EXEC_LINE_MAX) {
			room = EXEC_LINE_MAX - b->len;
			(void)buf_add(b, p, room);
			emit_line(fl, j, s, b->data, b->len);
			j->cont[s] = 1;
			buf_reset(b);
			p += room;
			n -= room;
			continue;
		}
		(void)buf_add(b, p, take);
		if (nl == NULL)
			return;
		emit_line(fl, j, s, b->data, b->len);
		j->cont[s] = 0;
		buf_reset(b);
		p += take + 1;
		n -= take + 1;
	}
}

/* A stream of `j` reached its end. */
static void
feed_end(struct fleet *fl, struct job *j, int s)
{
	if (!fl->group && j->out[s].len > 0) {
		emit_line(fl, j, s, j->out[s].data, j->out[s].len);
		buf_reset(&j->out[s]);
	}
	close(j->fd[s]);
	j->fd[s] = -1;
}

/* What happened to `j`, for the summary ("exit 0", "timed out", ...). */
static void
job_result(const struct job *j, char *out, size_t len)
{
	if (j->state == J_NOSTART)
		snprintf(out, len, "not started (deadline)");
	else if (j->killed)
		snprintf(out, len, "timed out");
	else if (WIFEXITED(j->status))
		snprintf(out, len, "exit %d", WEXITSTATUS(j->status));
	else if (WIFSIGNALED(j->status))
		snprintf(out, len, "killed by signal %d", WTERMSIG(j->status));
	else
		snprintf(out, len, "unknown status");
}

static int
job_ok(const struct job *j)
{
	return j->state == J_DONE && !j->killed && WIFEXITED(j->status) &&
	    WEXITSTATUS(j->status) == 0;
}

/* --group: one host's output as one block, when it is done. */
static void
print_block(struct fleet *fl, struct job *j)
{
	char res[64];
	int s;

	job_result(j, res, sizeof(res));
	for (s = 0; s < 2; s++) {
		FILE *f = s ? fl->ctx->errout : fl->ctx->out;
		if (s == 1 && j->out[1].len == 0)
			continue;
		fprintf(
		    f, "=== %s%s (%s) ===\n", j->name, s ? " stderr" : "", res);
		fwrite(j->out[s].data, 1, j->out[s].len, f);
		if (j->out[s].len > 0 &&
		    j->out[s].data[j->out[s].len - 1] != '\n')
			fputc('\n', f);
		if (j->truncated[s])
			fprintf(f, "=== %s: output cut at %zu bytes ===\n",
			    j->name, EXEC_GROUP_MAX);
		fflush(f);
	}
	buf_release(&j->out[0]);
	buf_release(&j->out[1]);
}

/* The child: its own process group (the deadline kills all of it),
 * stdin from /dev/null, the context's environment, then the command. */
static void __attribute__((noreturn))
job_child(struct fleet *fl, struct job *j, int po, int pe)
{
	struct cmd_ctx *ctx = fl->ctx;
	struct strv env = { 0 };
	int fd;

	setpgid(0, 0);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(po, 1);
	dup2(pe, 2);
	signal(SIGPIPE, SIG_DFL);
	ctx->errout = stderr;
	ctx->out = stdout;
	err_init(&ctx->err);
	if (cmd_docker_env(ctx, j->name, &env) != 0) {
		cmd_print_error(stderr, ctx->err.msg);
		fflush(stderr);
		_exit(125);
	}
	exec_setenv(&env);
	execvp(fl->argv[0], fl->argv);
	fprintf(stderr, "ctxmgr: cannot run \"%s\": %s\n", fl->argv[0],
	    strerror(errno));
	fflush(stderr);
	_exit(errno == ENOENT ? 127 : 126);
}

static int
job_start(struct fleet *fl, struct job *j, struct cm_err *err)
{
	int po[2], pe[2];

	if (pipe2(po, O_CLOEXEC) != 0)
		return err_set(err, ERR_IO, "pipe: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		return err_set(err, ERR_IO, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	if ((j->pid = fork()) < 0) {
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return err_set(err, ERR_IO, "fork: %s", strerror(errno));
	}
	if (j->pid == 0)
		job_child(fl, j, po[1], pe[1]);
	setpgid(j->pid, j->pid); /* no race with the child's own */
	close(po[1]);
	close(pe[1]);
	j->fd[0] = po[0];
	j->fd[1] = pe[0];
	j->state = J_RUN;
	return 0;
}

/* Signal a running job's process group. */
static void
job_signal(struct job *j, int sig)
{
	if (j->state == J_RUN && !j->reaped)
		kill(-j->pid, sig);
}

/* The environment for one tunnelled context starts the tunnel service
 * when none runs: do it once here, not in every child at once. */
static void
kick_service(struct cmd_ctx *ctx, struct context **list, size_t n)
{
	struct cm_err e2;
	size_t i;

	for (i = 0; i < n; i++)
		if (svc_context_tunnelled(list[i])) {
			err_init(&e2);
			(void)svc_kick(ctx->config_dir, list[i], &e2);
			return;
		}
}

static int
fleet_run(struct fleet *fl, long long jobs, long long timeout)
{
	struct cmd_ctx *ctx = fl->ctx;
	struct pollfd *pfd = xcalloc(fl->n * 2 + 1, sizeof(*pfd));
	struct job **pj = xcalloc(fl->n * 2 + 1, sizeof(*pj));
	int *ps = xcalloc(fl->n * 2 + 1, sizeof(*ps));
	uint64_t deadline = timeout > 0 ? now_us() + timeout * 1000000ull : 0;
	size_t next = 0, running = 0, done = 0, i, np;
	int expired = 0, r = 0, s, wait_ms;
	struct intr in;
	char rbuf[16384];
	ssize_t got;

	intr_catch(&in);
	while (done < fl->n) {
		if (!expired && intr_caught()) {
			expired = 1;
			fprintf(ctx->errout,
			    "ctxmgr: exec: interrupted, "
			    "stopping what still runs\n");
		}
		if (!expired && deadline != 0 && now_us() >= deadline) {
			expired = 1;
			fprintf(ctx->errout,
			    "ctxmgr: exec: the deadline (--timeout %llds) "
			    "passed, stopping what still runs\n",
			    timeout);
		}
		if (expired) {
			for (; next < fl->n; next++, done++)
				fl->jobs[next].state = J_NOSTART;
			for (i = 0; i < fl->n; i++) {
				struct job *j = &fl->jobs[i];
				if (j->state != J_RUN || j->reaped)
					continue;
				if (j->term_at == 0) {
					j->killed = 1;
					j->term_at = now_us();
					job_signal(j, SIGTERM);
				} else if (now_us() - j->term_at >
				    EXEC_KILL_GRACE_US)
					job_signal(j, SIGKILL);
			}
		}
		while (!expired && running < (size_t)jobs && next < fl->n) {
			if ((r = job_start(fl, &fl->jobs[next], &ctx->err)) !=
			    0)
				goto out;
			next++;
			running++;
		}
		/* reap, and finish jobs whose streams ended */
		for (i = 0; i < fl->n; i++) {
			struct job *j = &fl->jobs[i];
			if (j->state != J_RUN)
				continue;
			if (!j->reaped &&
			    waitpid(j->pid, &j->status, WNOHANG) == j->pid)
				j->reaped = 1;
			if (j->reaped && j->fd[0] < 0 && j->fd[1] < 0) {
				j->state = J_DONE;
				running--;
				done++;
				if (fl->group)
					print_block(fl, j);
			} else if (j->reaped && j->killed) {
				/* a killed group's strays may hold the pipes */
				job_signal(j, SIGKILL);
			}
		}
		if (done == fl->n)
			break;
		for (np = 0, i = 0; i < fl->n; i++)
			for (s = 0; s < 2; s++)
				if (fl->jobs[i].state == J_RUN &&
				    fl->jobs[i].fd[s] >= 0) {
					pfd[np].fd = fl->jobs[i].fd[s];
					pfd[np].events = POLLIN;
					pj[np] = &fl->jobs[i];
					ps[np++] = s;
				}
		/* streams closed but not reaped yet: look again soon */
		wait_ms = 200;
		if (deadline != 0 && !expired) {
			uint64_t t = now_us();
			uint64_t left = deadline > t ? deadline - t : 0;
			if (left / 1000 < (uint64_t)wait_ms)
				wait_ms = (int)(left / 1000) + 1;
		}
		if (np == 0) {
			poll(NULL, 0, wait_ms < 20 ? wait_ms : 20);
			continue;
		}
		if (poll(pfd, np, wait_ms) < 0 && errno != EINTR) {
			r = err_set(
			    &ctx->err, ERR_IO, "poll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < np; i++) {
			if (pfd[i].revents == 0)
				continue;
			got = read(pfd[i].fd, rbuf, sizeof(rbuf));
			if (got > 0)
				feed(fl, pj[i], ps[i], rbuf, (size_t)got);
			else if (got == 0 ||
			    (errno != EINTR && errno != EAGAIN))
				feed_end(fl, pj[i], ps[i]);
		}
		fflush(ctx->out);
		fflush(ctx->errout);
	}
out:
	intr_restore(&in);
	free(pfd);
	free(pj);
	free(ps);
	return r;
}

static void
print_summary(struct fleet *fl)
{
	FILE *f = fl->ctx->errout;
	size_t i, ok = 0;
	char res[64];

	for (i = 0; i < fl->n; i++)
		ok += job_ok(&fl->jobs[i]);
	fprintf(f, "ctxmgr: exec: %zu of %zu contexts succeeded\n", ok, fl->n);
	for (i = 0; i < fl->n; i++) {
		job_result(&fl->jobs[i], res, sizeof(res));
		fprintf(f, "  %-*s  %s\n", fl->width, fl->jobs[i].name, res);
	}
}

/* The exit status: the one child's own when one context was selected. */
static int
fleet_status(const struct fleet *fl)
{
	const struct job *j = &fl->jobs[0];
	size_t i;

	if (fl->n == 1) {
		if (j->state == J_NOSTART || j->killed)
			return 124;
		if (WIFEXITED(j->status))
			return WEXITSTATUS(j->status);
		if (WIFSIGNALED(j->status))
			return 128 + WTERMSIG(j->status);
		return 1;
	}
	for (i = 0; i < fl->n; i++)
		if (!job_ok(&fl->jobs[i]))
			return 1;
	return 0;
}

static int
exec_fleet(struct cmd_ctx *ctx, struct cmd_args *a, char **argv)
{
	struct context **list = NULL;
	struct fleet fl;
	struct store st;
	long long jobs = args_get_int(a, "jobs", EXEC_JOBS_DEFAULT);
	long long timeout = 0;
	size_t i, n = 0;
	int r;

	memset(&fl, 0, sizeof(fl));
	cmd_store_open(ctx, &st);
	if (jobs < 1 || jobs > EXEC_JOBS_MAX) {
		r = err_set(&ctx->err, ERR_USAGE, "--jobs must be 1 to %d",
		    EXEC_JOBS_MAX);
		goto out;
	}
	if (args_get(a, "timeout") != NULL &&
	    (config_parse_duration(args_get(a, "timeout"), &timeout) != 0 ||
		timeout <= 0)) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "--timeout \"%s\" is not a duration such as 30s or 5m",
		    args_get(a, "timeout"));
		goto out;
	}
	if ((r = ctx_select(&st, args_get_all(a, "filter"), args_has(a, "all"),
		 CTX_SELECT_LOAD | CTX_SELECT_NO_DEFAULT, &list, &n,
		 &ctx->err)) != 0)
		goto out;
	if (n == 0) {
		r = err_set(&ctx->err, ERR_NOTFOUND, "no context matches");
		goto out;
	}
	kick_service(ctx, list, n);
	store_release(&st);
	fl.ctx = ctx;
	fl.n = n;
	fl.group = args_has(a, "group");
	fl.argv = argv;
	fl.jobs = xcalloc(n, sizeof(*fl.jobs));
	for (i = 0; i < n; i++) {
		struct job *j = &fl.jobs[i];
		j->name = list[i]->name;
		j->fd[0] = j->fd[1] = -1;
		buf_init(&j->out[0], fl.group ? EXEC_GROUP_MAX : 0);
		buf_init(&j->out[1], fl.group ? EXEC_GROUP_MAX : 0);
		if ((int)strlen(j->name) > fl.width)
			fl.width = (int)strlen(j->name);
	}
	if ((r = fleet_run(&fl, jobs, timeout)) != 0)
		goto out;
	fflush(ctx->out);
	print_summary(&fl);
	r = fleet_status(&fl);
out:
	for (i = 0; fl.jobs != NULL && i < fl.n; i++) {
		buf_release(&fl.jobs[i].out[0]);
		buf_release(&fl.jobs[i].out[1]);
		if (fl.jobs[i].fd[0] >= 0)
			close(fl.jobs[i].fd[0]);
		if (fl.jobs[i].fd[1] >= 0)
			close(fl.jobs[i].fd[1]);
	}
	free(fl.jobs);
	context_list_free(list, n);
	store_release(&st);
	return r;
}

static int
cmd_exec_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	int fleet = args_has(a, "all") || args_get_all(a, "filter")->n > 0;

	if (fleet && a->dashdash == 0 && a->argc > 0)
		return exec_fleet(ctx, a, a->argv);
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

static const struct cmd_flag exec_flags[] = {
	{ "filter", 'f', FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "run once in each context that matches (name=GLOB, "
	    "scheme=ssh|tcp|unix, tag=T, tunnel=on|off)" },
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "run once in every context of the store" },
	{ "jobs", 'j', FLAG_INT, COMPLETE_NONE, "N",
	    "with --filter/--all: at most N at once (default 8)" },
	{ "group", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "with --filter/--all: each context's output as one block, not "
	    "prefixed lines" },
	{ "timeout", 0, FLAG_STRING, COMPLETE_NONE, "DURATION",
	    "with --filter/--all: stop what still runs after DURATION "
	    "(30s, 5m)" },
	FLAG_ACCEPT_NEW, { 0 }
};

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
		"with one context selected, its own\n(124 when timed out).\n\n"
		"  ctxmgr exec prod -- docker ps -a\n"
		"  ctxmgr exec --filter tag=web -j 16 -- docker ps -q",
	.flags = exec_flags,
	.args = { 1, -1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_exec_exec,
	.attrs = CMD_NO_SHELL,
};
