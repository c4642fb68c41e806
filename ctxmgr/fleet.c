/* fleet.c: one command's work once per selected context (fleet.h). */
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
#include "ctxmgr/fleet.h"
#include "ctxmgr/intr.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "ctxmgr/select.h"
#include "ctxmgr/svckick.h"

#define FLEET_JOBS_DEFAULT 8
/* After SIGTERM at the deadline, SIGKILL this much later. */
#define FLEET_KILL_GRACE_US 1000000

enum job_state { J_WAIT, J_RUN, J_DONE, J_NOSTART };

struct job {
	const struct context *c;
	const char *name;
	pid_t pid;
	enum job_state state;
	int fd[2]; /* the child's stdout and stderr; -1 once closed */
	struct buf out[2]; /* a partial line, or (--group) everything */
	int cont[2]; /* out[] continues a line already cut */
	int truncated[2];
	int reaped;
	int status; /* wait status */
	int killed; /* 1 by the deadline, 2 on Ctrl-C */
	uint64_t term_at; /* when SIGTERM went, 0 if not */
	char why[128]; /* J_NOSTART: why, when not the deadline */
};

struct fleet {
	struct cmd_ctx *ctx;
	const struct fleet_opts *o;
	struct context **list;
	struct job *jobs;
	size_t n;
	int width; /* of the longest name */
	int interrupted; /* SIGINT, SIGTERM or SIGHUP came */
	int group; /* o->group or o->json: keep everything */
	fleet_fn fn;
	void *arg;
	json_t *docs; /* o->json: the array */
	/* a status line on stderr when it is a terminal, cleared before
	 * each line or block printed and drawn again after */
	struct progress pg;
	size_t pg_done;
	char pg_item[160];
	uint64_t pg_at;
};

/* Redraw the status line when something changed or time passed: how
 * many are done, and the oldest context still running. */
static void
show_progress(struct fleet *fl, size_t done)
{
	char item[160] = "";
	size_t i, running = 0;
	const char *first = NULL;
	uint64_t t;

	if (fl->pg.f == NULL)
		return;
	for (i = 0; i < fl->n; i++)
		if (fl->jobs[i].state == J_RUN) {
			if (first == NULL)
				first = fl->jobs[i].name;
			running++;
		}
	if (first != NULL && running > 1)
		snprintf(
		    item, sizeof(item), "%s and %zu more", first, running - 1);
	else if (first != NULL)
		snprintf(item, sizeof(item), "%s", first);
	t = now_us();
	if (fl->pg.shown && done == fl->pg_done &&
	    strcmp(item, fl->pg_item) == 0 && t - fl->pg_at < 200000)
		return;
	fl->pg_done = done;
	snprintf(fl->pg_item, sizeof(fl->pg_item), "%s", item);
	fl->pg_at = t;
	progress_set(&fl->pg, done, item);
}

/* One line (without its newline) of job `j`, prefixed. */
static void
emit_line(struct fleet *fl, struct job *j, int s, const char *p, size_t n)
{
	FILE *f = s ? fl->ctx->errout : fl->ctx->out;

	progress_hide(&fl->pg);
	fprintf(f, "%-*s %c ", fl->width, j->name, j->cont[s] ? '+' : '|');
	fwrite(p, 1, n, f);
	fputc('\n', f);
}

/*
 * Bytes from a child.  Only whole lines reach the output, each with its
 * prefix: a line over FLEET_LINE_MAX is cut, and a last line without a
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
		room = FLEET_GROUP_MAX - b->len;
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
		if (b->len + take > FLEET_LINE_MAX) {
			room = FLEET_LINE_MAX - b->len;
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
		snprintf(out, len, "%s",
		    j->why[0] ? j->why : "not started (deadline)");
	else if (j->killed)
		snprintf(out, len, "%s",
		    j->killed == 2 ? "interrupted" : "timed out");
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
	char res[160];
	int s;

	job_result(j, res, sizeof(res));
	progress_hide(&fl->pg);
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
			    j->name, FLEET_GROUP_MAX);
		fflush(f);
	}
	buf_release(&j->out[0]);
	buf_release(&j->out[1]);
}

/* The child: its own process group (the deadline kills all of it),
 * stdin from /dev/null, output on the pipes; then the work. */
static void __attribute__((noreturn))
job_child(struct fleet *fl, struct job *j, int po, int pe)
{
	struct cmd_ctx *ctx = fl->ctx;
	int fd, r;

	setpgid(0, 0);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(po, 1);
	dup2(pe, 2);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	ctx->errout = stderr;
	ctx->out = stdout;
	if (fl->o->json)
		ctx->format = FMT_JSON; /* the parent parses it */
	err_init(&ctx->err);
	r = fl->fn(ctx, j->c, fl->arg);
	if (r < 0 && ctx->err.msg[0] != '\0')
		cmd_print_error(stderr, ctx->err.msg);
	fflush(stdout);
	fflush(stderr);
	_exit(cmd_exit_status(r));
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

/* --format json: a host's document joins the array; one that did not
 * give one is an object naming it, its result and its last error line. */
static void
collect_doc(struct fleet *fl, struct job *j)
{
	json_t *v = NULL;
	json_error_t je;
	char res[160], *last, *nl;

	job_result(j, res, sizeof(res));
	if (j->out[0].len > 0 && !j->truncated[0])
		v = json_loadb(j->out[0].data, j->out[0].len, 0, &je);
	if (!json_is_object(v)) {
		json_decref(v);
		v = json_object();
	}
	if (json_object_get(v, "Context") == NULL)
		json_object_set_new(v, "Context", json_string(j->name));
	json_object_set_new(v, "Result", json_string(res));
	if (!job_ok(j) && json_object_get(v, "Error") == NULL) {
		buf_rtrim(&j->out[1]);
		last = j->out[1].data;
		while ((nl = strchr(last, '\n')) != NULL)
			last = nl + 1;
		if (str_has_prefix(last, "ctxmgr: "))
			last += strlen("ctxmgr: ");
		/* NULL for bytes that are not UTF-8: then no Error */
		json_t *s = json_string(last);
		if (s != NULL)
			json_object_set_new(v, "Error", s);
	}
	json_array_append_new(fl->docs, v);
	buf_release(&j->out[0]);
	buf_release(&j->out[1]);
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
fleet_loop(struct fleet *fl, long long jobs, long long timeout)
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
			fl->interrupted = 1;
			progress_hide(&fl->pg);
			fprintf(ctx->errout,
			    "ctxmgr: %s: interrupted, stopping what "
			    "still runs\n",
			    fl->o->what);
		}
		if (!expired && deadline != 0 && now_us() >= deadline) {
			expired = 1;
			progress_hide(&fl->pg);
			fprintf(ctx->errout,
			    "ctxmgr: %s: the deadline (--timeout %llds) "
			    "passed, stopping what still runs\n",
			    fl->o->what, timeout);
		}
		if (expired) {
			for (; next < fl->n; next++, done++)
				fl->jobs[next].state = J_NOSTART;
			for (i = 0; i < fl->n; i++) {
				struct job *j = &fl->jobs[i];
				if (j->state != J_RUN || j->reaped)
					continue;
				if (j->term_at == 0) {
					j->killed = fl->interrupted ? 2 : 1;
					j->term_at = now_us();
					job_signal(j, SIGTERM);
				} else if (now_us() - j->term_at >
				    FLEET_KILL_GRACE_US)
					job_signal(j, SIGKILL);
			}
		}
		while (!expired && running < (size_t)jobs && next < fl->n) {
			struct job *j = &fl->jobs[next++];
			struct cm_err e2;
			if (job_start(fl, j, &e2) == 0) {
				running++;
				continue;
			}
			/* out of processes or descriptors: this one fails,
			 * the others go on */
			j->state = J_NOSTART;
			snprintf(
			    j->why, sizeof(j->why), "not started: %s", e2.msg);
			done++;
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
				if (fl->o->json)
					collect_doc(fl, j);
				else if (fl->group)
					print_block(fl, j);
			} else if (j->reaped && j->killed) {
				/* a killed group's strays may hold the pipes */
				job_signal(j, SIGKILL);
			}
		}
		if (done == fl->n)
			break;
		show_progress(fl, done);
		for (np = 0, i = 0; i < fl->n; i++)
			for (s = 0; s < 2; s++)
				if (fl->jobs[i].state == J_RUN &&
				    fl->jobs[i].fd[s] >= 0) {
					pfd[np].fd = fl->jobs[i].fd[s];
					pfd[np].events = POLLIN;
					pj[np] = &fl->jobs[i];
					ps[np++] = s;
				}
		/* a slot came free: fill it before waiting */
		if (!expired && next < fl->n && running < (size_t)jobs)
			continue;
		wait_ms = 200;
		/* streams closed but not reaped yet: look again soon */
		for (i = 0; i < fl->n; i++)
			if (fl->jobs[i].state == J_RUN &&
			    fl->jobs[i].fd[0] < 0 && fl->jobs[i].fd[1] < 0)
				wait_ms = 5;
		if (deadline != 0 && !expired) {
			uint64_t t = now_us();
			uint64_t left = deadline > t ? deadline - t : 0;
			if (left / 1000 < (uint64_t)wait_ms)
				wait_ms = (int)(left / 1000) + 1;
		}
		if (np == 0) {
			poll(NULL, 0, wait_ms);
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
	progress_end(&fl->pg);
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
	char res[160];

	for (i = 0; i < fl->n; i++)
		ok += job_ok(&fl->jobs[i]);
	fprintf(f, "ctxmgr: %s: %zu of %zu contexts succeeded\n", fl->o->what,
	    ok, fl->n);
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

	if (fl->interrupted)
		return 130;
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

int
fleet_wanted(const struct cmd_args *a)
{
	return args_has(a, "all") || args_get_all(a, "filter")->n > 0;
}

int
fleet_opts_parse(struct cmd_ctx *ctx, const struct cmd_args *a,
    const char *what, struct fleet_opts *o)
{
	const char *t = args_get(a, "timeout");

	memset(o, 0, sizeof(*o));
	o->what = what;
	o->jobs = args_get_int(a, "jobs", FLEET_JOBS_DEFAULT);
	o->group = args_has(a, "group");
	if (o->jobs < 1 || o->jobs > FLEET_JOBS_MAX)
		return err_set(&ctx->err, ERR_USAGE, "--jobs must be 1 to %d",
		    FLEET_JOBS_MAX);
	if (t != NULL &&
	    (config_parse_duration(t, &o->timeout) != 0 || o->timeout <= 0))
		return err_set(&ctx->err, ERR_USAGE,
		    "--timeout \"%s\" is not a duration such as 30s or 5m", t);
	return 0;
}

int
fleet_run(struct cmd_ctx *ctx, const struct cmd_args *a,
    const struct fleet_opts *o, fleet_fn fn, void *arg)
{
	struct context **list = NULL;
	struct fleet fl;
	struct store st;
	size_t i, n = 0;
	int r;

	memset(&fl, 0, sizeof(fl));
	cmd_store_open(ctx, &st);
	if ((r = ctx_select(&st, args_get_all(a, "filter"), args_has(a, "all"),
		 CTX_SELECT_LOAD | CTX_SELECT_NO_DEFAULT, &list, &n,
		 &ctx->err)) != 0)
		goto out;
	if (o->ssh_only) {
		size_t kept = 0;
		for (i = 0; i < n; i++)
			if (svc_context_ssh_url(list[i]) != NULL)
				list[kept++] = list[i];
			else
				context_free(list[i]);
		n = kept;
	}
	if (n == 0) {
		r = err_set(&ctx->err, ERR_NOTFOUND, "no %scontext matches",
		    o->ssh_only ? "ssh " : "");
		goto out;
	}
	kick_service(ctx, list, n);
	store_release(&st);
	fl.ctx = ctx;
	fl.o = o;
	fl.list = list;
	fl.n = n;
	fl.group = o->group || o->json;
	fl.fn = fn;
	fl.arg = arg;
	if (o->json)
		fl.docs = json_array();
	fl.jobs = xcalloc(n, sizeof(*fl.jobs));
	for (i = 0; i < n; i++) {
		struct job *j = &fl.jobs[i];
		j->c = list[i];
		j->name = list[i]->name;
		j->fd[0] = j->fd[1] = -1;
		buf_init(&j->out[0], fl.group ? FLEET_GROUP_MAX : 0);
		buf_init(&j->out[1], fl.group ? FLEET_GROUP_MAX : 0);
		if ((int)strlen(j->name) > fl.width)
			fl.width = (int)strlen(j->name);
	}
	progress_init(&fl.pg, ctx, o->what, n);
	if ((r = fleet_loop(&fl, o->jobs, o->timeout)) != 0)
		goto out;
	if (o->json && (r = output_value(ctx, fl.docs)) != 0)
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
	json_decref(fl.docs);
	context_list_free(list, n);
	store_release(&st);
	return r;
}
