/* cmd-tunnel.c: tunnel start, stop and ls. */
#include "common/compat.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/file.h"
#include "common/gojson.h"
#include "common/log.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/fleet.h"
#include "ctxmgr/config.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "ctxmgr/sshctx.h"
#include "common/xmalloc.h"

static void
human_bytes(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < nitems(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%llu B", (unsigned long long)n);
	else
		snprintf(out, len, "%.1f %s", v, units[u]);
}

/* A service that runs but does not answer: its contexts, each listed
 * as "not answering" with the reason (never a silently empty list). */
static json_t *
service_silent(struct cmd_ctx *ctx, const char *why)
{
	struct svc_spec *list = NULL;
	struct cm_err e2;
	json_t *arr = json_array(), *t;
	size_t n = 0, i;

	if (cmd_svc_load((void *)ctx->config_dir, &list, &n, &e2) != 0)
		return arr;
	for (i = 0; i < n; i++) {
		t = json_object();
		json_object_set_new(t, "Context", json_string(list[i].name));
		json_object_set_new(t, "Socket", json_string(list[i].socket));
		json_object_set_new(t, "Listen", json_string(""));
		json_object_set_new(t, "URL", json_string(list[i].url));
		json_object_set_new(t, "State", json_string("not answering"));
		json_object_set_new(t, "Connected", json_false());
		json_object_set_new(t, "Starting", json_false());
		json_object_set_new(t, "LastError",
		    json_pack("s+", "the tunnel service: ", why));
		json_object_set_new(t, "Service", json_true());
		json_array_append_new(arr, t);
		svc_spec_free(&list[i]);
	}
	free(list);
	return arr;
}

/* The service's status, one JSON object per context it serves, in
 * `tunnel ls` keys; NULL when no service runs. */
static json_t *
service_contexts(struct cmd_ctx *ctx, long *pidp)
{
	char *run_dir = cmd_svc_run_dir(ctx);
	struct cm_err e2;
	json_t *o = NULL, *arr = NULL, *c;
	struct buf b;
	size_t i;

	*pidp = 0;
	err_init(&e2);
	buf_init(&b, 1 << 24);
	if (svc_request(run_dir, "status", 5000, &b, &e2) != 0 ||
	    gojson_parse(b.data, b.len, &o, &e2) != 0 || !json_is_object(o)) {
		if (e2.code != ERR_NOTFOUND)
			arr = service_silent(ctx, e2.msg);
		goto out;
	}
	*pidp = (long)json_number_value(json_object_get(o, "pid"));
	arr = json_array();
	json_array_foreach(json_object_get(o, "contexts"), i, c)
	{
		json_t *t = json_object();
#define CP(to, from)                                                           \
	json_object_set(t, to,                                                 \
	    json_object_get(c, from) ? json_object_get(c, from) : json_null())
		CP("Context", "name");
		CP("Socket", "socket");
		json_object_set_new(t, "Listen",
		    json_string(json_is_string(json_object_get(c, "listen"))
			    ? json_string_value(json_object_get(c, "listen"))
			    : ""));
		json_object_set(t, "Pinned",
		    json_is_true(json_object_get(c, "pinned")) ? json_true()
							       : json_false());
		CP("URL", "url");
		json_object_set_new(t, "Pid", json_integer(*pidp));
		CP("State", "state");
		CP("Connected", "connected");
		json_object_set_new(t, "Starting", json_false());
		json_object_set(t, "Uptime", json_object_get(o, "uptime"));
		CP("Sessions", "sessions");
		CP("Connections", "open");
		CP("PeakConnections", "peak");
		CP("TotalConnections", "total");
		CP("FailedConnections", "failed");
		CP("BytesIn", "in");
		CP("BytesOut", "out");
		CP("Reconnects", "reconnects");
		CP("SparesUsed", "spares_used");
		CP("PingsCached", "pings_cached");
		CP("ChannelsReused", "reused");
		CP("CommandsRun", "runs");
		CP("Mode", "mode");
		CP("Cipher", "cipher");
		CP("LastError", "last_error");
		json_object_set(
		    t, "PeakRssKiB", json_object_get(o, "peak_rss_kb"));
		json_object_set_new(t, "Service", json_true());
#undef CP
		json_array_append_new(arr, t);
	}
out:
	json_decref(o);
	buf_release(&b);
	free(run_dir);
	return arr;
}

/* 1 if a context loaded by cmd_load_ssh_context is a tunnelled one. */
static int
loaded_tunnelled(const struct context *c)
{
	const char *u = context_setting(c, SETTING_SSH_HOST);

	return u != NULL && c->host != NULL && strcmp(u, c->host) == 0;
}

/* start */

static const struct cmd_flag start_flags[] = {
	{ "listen", 0, FLAG_STRING, COMPLETE_NONE, "127.0.0.1:PORT",
	    "also listen on this loopback TCP port (connections from other "
	    "users are refused)" },
	{ "mode", 0, FLAG_STRING, COMPLETE_CHOICE, "MODE",
	    "auto, streamlocal or dial-stdio (default: the context's, else "
	    "auto)",
	    "auto|streamlocal|dial-stdio" },
	FLAG_ACCEPT_NEW,
	{ "no-ping", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "do not check the remote socket with GET /_ping (it need not "
	    "be a Docker daemon)" },
	{ "filter", 0, FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "every ssh context that matches (name=GLOB, tag=T, "
	    "tunnel=on|off)" },
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL, "every ssh context" },
	{ "jobs", 'j', FLAG_INT, COMPLETE_NONE, "N",
	    "with --filter/--all: at most N at once (default 8)" },
	{ "timeout", 0, FLAG_STRING, COMPLETE_NONE, "DURATION",
	    "with --filter/--all: stop waiting after DURATION" },
	{ 0 }
};

/* The service's entry for context `name` in `tunnel ls` keys (a new
 * reference), or NULL. */
static json_t *
service_entry(struct cmd_ctx *ctx, const char *name)
{
	json_t *arr, *o, *found = NULL;
	long pid;
	size_t i;

	if ((arr = service_contexts(ctx, &pid)) == NULL)
		return NULL;
	json_array_foreach(arr, i, o)
	{
		json_t *n = json_object_get(o, "Context");
		if (json_is_string(n) &&
		    strcmp(json_string_value(n), name) == 0) {
			found = json_incref(o);
			break;
		}
	}
	json_decref(arr);
	return found;
}

/* A direct context: pinned to the service and connected now. */
static int
start_direct(struct cmd_ctx *ctx, struct cmd_args *a, struct context *c)
{
	const char *mode = args_get(a, "mode"), *listen = args_get(a, "listen");
	struct pin p, *opts = NULL;
	char *sock = NULL;
	json_t *o;
	int r, newly, already;

	memset(&p, 0, sizeof(p));
	if (mode != NULL || listen != NULL || args_has(a, "no-ping")) {
		/* options given: the pin becomes these */
		if (mode == NULL)
			mode = context_setting(c, SETTING_TUNNEL_MODE);
		if (tunnel_mode_parse(mode, &p.mode) != 0)
			return err_set(&ctx->err, ERR_USAGE,
			    "tunnel mode \"%s\" is not auto, streamlocal or "
			    "dial-stdio",
			    mode);
		if (listen != NULL &&
		    (r = pins_listen_check(listen, &p.port, &ctx->err)) != 0)
			return r;
		p.no_ping = args_has(a, "no-ping");
		snprintf(p.name, sizeof(p.name), "%s", c->name);
		opts = &p;
	}
	if (args_has(a, "accept-new")) {
		struct ssh_conn *conn = NULL;
		if ((r = cmd_ssh_connect(ctx, c->name, 1, &conn)) != 0)
			return r;
		ssh_close(conn);
	}
	o = service_entry(ctx, c->name);
	already = o != NULL && json_is_true(json_object_get(o, "Connected")) &&
	    json_is_true(json_object_get(o, "Pinned"));
	json_decref(o);
	if ((r = cmd_direct_serve(ctx, c, opts, &newly, &sock)) != 0)
		return r;
	if ((o = service_entry(ctx, c->name)) == NULL)
		o = json_object();
	if (ctx->format != FMT_TABLE)
		output_value(ctx, o);
	else if (ctx->quiet)
		fprintf(ctx->out, "%s\n", sock);
	else {
		json_t *m = json_object_get(o, "Mode"),
		       *l = json_object_get(o, "Listen");
		const char *ls = json_is_string(l) ? json_string_value(l) : "";
		fprintf(ctx->out,
		    "tunnel \"%s\" %s: unix://%s (tunnel service pid %lld, "
		    "%s%s%s)\n",
		    c->name, already ? "is already running" : "started", sock,
		    (long long)json_integer_value(json_object_get(o, "Pid")),
		    json_is_string(m) ? json_string_value(m) : "",
		    *ls ? ", also " : "", ls);
	}
	json_decref(o);
	free(sock);
	return 0;
}

/* Start the tunnel of context `name` (NULL: the effective one). */
static int
start_one(struct cmd_ctx *ctx, struct cmd_args *a, const char *name)
{
	struct context *c = NULL;
	struct store store;
	int r;

	cmd_store_open(ctx, &store);
	if ((r = cmd_load_ssh_context(ctx, &store, name, &c)) != 0)
		goto out;
	if (loaded_tunnelled(c)) {
		char *run_dir2 = cmd_svc_run_dir(ctx), *sock = NULL;
		if (args_get(a, "listen") || args_get(a, "mode") ||
		    args_has(a, "no-ping")) {
			r = err_set(&ctx->err, ERR_USAGE,
			    "\"%s\" is tunnelled: the tunnel service serves it "
			    "as its context says (--listen, --mode and "
			    "--no-ping are for direct ssh:// contexts)",
			    c->name);
			free(run_dir2);
			goto out;
		}
		if (args_has(a, "accept-new")) {
			struct ssh_conn *conn = NULL;
			if ((r = cmd_ssh_connect(ctx, c->name, 1, &conn)) !=
			    0) {
				free(run_dir2);
				goto out;
			}
			ssh_close(conn);
		}
		(void)svc_socket_path(run_dir2, c->name, &sock, &ctx->err);
		free(run_dir2);
		/* the first connect can take ConnectTimeout: say so on a
		 * terminal (no passphrase prompt here: the service has none) */
		struct progress pg;
		progress_init(&pg, ctx, "connecting", 1);
		progress_item(&pg, c->name);
		if ((r = cmd_svc_ensure(ctx, 1)) == 0)
			r = cmd_svc_connect(ctx, c->name, &ctx->err);
		progress_done_one(&pg);
		progress_end(&pg);
		if (r == 0 && !ctx->quiet)
			fprintf(ctx->out,
			    "tunnel \"%s\" connected: unix://%s (tunnel "
			    "service)\n",
			    c->name, sock ? sock : "");
		else if (r == 0)
			fprintf(ctx->out, "%s\n", sock ? sock : "");
		free(sock);
		goto out;
	}
	r = start_direct(ctx, a, c);
out:
	context_free(c);
	store_release(&store);
	return r;
}

static int
start_in(struct cmd_ctx *ctx, const struct context *c, void *arg)
{
	return start_one(ctx, arg, c->name);
}

static int
cmd_tunnel_start_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct fleet_opts o;
	int r;

	if (!fleet_wanted(a))
		return start_one(ctx, a, a->argc ? a->argv[0] : NULL);
	if (a->argc > 0 || args_get(a, "listen") != NULL)
		return err_set(&ctx->err, ERR_USAGE,
		    "--all and --filter choose the contexts: give no NAME "
		    "or --listen");
	if ((r = fleet_opts_parse(ctx, a, "tunnel start", &o)) != 0)
		return r;
	o.json = ctx->format != FMT_TABLE;
	o.ssh_only = 1;
	return fleet_run(ctx, a, &o, start_in, a);
}

static const struct cmd_entry cmd_tunnel_start_entry = {
	.name = "start",
	.usage = "[NAME | --filter KEY=VALUE... | --all] [--listen "
		 "127.0.0.1:PORT] [--mode MODE] [--no-ping]",
	.summary = "keep an SSH tunnel to a context's Docker daemon",
	.help =
	    "Has the tunnel service connect the ssh:// context (the current "
	    "one without\nNAME) now, the way ssh would (~/.ssh/config, "
	    "known_hosts, ssh-agent,\nidentity files; a key's passphrase is "
	    "asked here and kept by the service\nin memory), and check the "
	    "remote Docker socket with one /_ping.  A direct\ncontext is "
	    "pinned: the service serves it on a private unix socket,\n"
	    "reconnecting as needed, until \"tunnel stop\".  A second start "
	    "says so.\nPoint docker at it with \"ctxmgr env\" or \"ctxmgr "
	    "exec\".\n\n"
	    "--filter and --all start the tunnel of every selected ssh "
	    "context, -j at a\ntime, each line prefixed with its name, then "
	    "a summary on stderr.",
	.flags = start_flags,
	.args = { 0, 1, COMPLETE_CONTEXT_SSH, NULL },
	.exec = cmd_tunnel_start_exec,
};

/* stop */

static const struct cmd_flag stop_flags[] = {
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL, "stop every tunnel" },
	{ "filter", 'f', FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "stop the tunnel of every ssh context that matches (name=GLOB, "
	    "tag=T, tunnel=on|off)" },
	{ 0 }
};

static int stop_one(struct cmd_ctx *ctx, const char *name);

static int
stop_in(struct cmd_ctx *ctx, const struct context *c, void *arg)
{
	(void)arg;
	return stop_one(ctx, c->name);
}

/* Wait (a moment at most) until the service let go of `sock`. */
static void
wait_socket_gone(const char *sock)
{
	int i;

	for (i = 0; i < 200 && file_exists(sock); i++)
		usleep(25000);
}

/* Unpin direct context `name`: 1 if it was pinned, 0 not, or ERR_*. */
static int
unpin_one(struct cmd_ctx *ctx, const char *name)
{
	char *run_dir = cmd_svc_run_dir(ctx), *sock = NULL;
	int r, was = 0;

	if ((r = cmd_direct_unpin(ctx->config_dir, name, &was, &ctx->err)) ==
		0 &&
	    was) {
		if (svc_socket_path(run_dir, name, &sock, &ctx->err) == 0)
			wait_socket_gone(sock);
		free(sock);
		if (!ctx->quiet)
			fprintf(ctx->out, "tunnel \"%s\" stopped\n", name);
	}
	free(run_dir);
	return r != 0 ? r : was;
}

static int
cmd_tunnel_stop_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct store store;
	char *name = NULL, *run_dir = cmd_svc_run_dir(ctx);
	struct pin *pins = NULL;
	size_t n = 0, i;
	int r = 0;

	cmd_store_open(ctx, &store);
	if (args_get_all(a, "filter")->n > 0) {
		struct fleet_opts o;
		if (a->argc > 0 || args_has(a, "all")) {
			r = err_set(&ctx->err, ERR_USAGE,
			    "give a NAME, --all or --filter, not two");
			goto out;
		}
		if ((r = fleet_opts_parse(ctx, a, "tunnel stop", &o)) == 0) {
			o.ssh_only = 1;
			r = fleet_run(ctx, a, &o, stop_in, NULL);
		}
		goto out;
	}
	if (args_has(a, "all")) {
		struct buf b;
		struct cm_err e2;
		if (a->argc > 0) {
			r = err_set(&ctx->err, ERR_USAGE,
			    "give a NAME or --all, not both");
			goto out;
		}
		/* the pinned direct contexts go, the tunnelled ones are
		 * disconnected */
		err_init(&e2);
		if (svc_run_dir_check(run_dir, 0, &e2) == 0 &&
		    (r = pins_load(run_dir, &pins, &n, &ctx->err)) != 0)
			goto out;
		for (i = 0; i < n; i++)
			if ((r = unpin_one(ctx, pins[i].name)) < 0)
				goto out;
		buf_init(&b, 1 << 16);
		if (svc_request(run_dir, "stop *", 10000, &b, &e2) == 0 &&
		    !ctx->quiet)
			fprintf(
			    ctx->out, "tunnel service: every session closed\n");
		buf_release(&b);
		r = 0;
		goto out;
	}
	if (a->argc > 0)
		name = xstrdup(a->argv[0]);
	else {
		if ((r = store_resolve(
			 &store, ctx->context, &name, NULL, &ctx->err)) != 0)
			goto out;
	}
	r = stop_one(ctx, name);
out:
	free(pins);
	free(name);
	free(run_dir);
	store_release(&store);
	return r;
}

/* Stop the tunnel of context `name`: a pinned direct context is
 * unpinned (the service lets its socket go), a tunnelled one's session
 * closes (the socket stays). */
static int
stop_one(struct cmd_ctx *ctx, const char *name)
{
	char *sd, *req;
	struct buf b;
	struct cm_err e2;
	json_t *o = NULL;
	int r, ok = 0;

	if ((r = context_name_check(name, &ctx->err)) != 0 &&
	    strcmp(name, STORE_DEFAULT_NAME) != 0)
		return r;
	err_init(&ctx->err);
	if ((r = unpin_one(ctx, name)) != 0)
		return r < 0 ? r : 0;
	sd = cmd_svc_run_dir(ctx);
	buf_init(&b, 1 << 16);
	req = xasprintf("stop %s", name);
	if (svc_request(sd, req, 10000, &b, &e2) == 0 &&
	    gojson_parse(b.data, b.len, &o, &e2) == 0)
		ok = json_is_true(json_object_get(o, "ok"));
	json_decref(o);
	buf_release(&b);
	free(req);
	free(sd);
	if (!ok)
		return err_set(&ctx->err, ERR_NOTFOUND,
		    "no tunnel for \"%s\" is running", name);
	if (!ctx->quiet)
		fprintf(ctx->out,
		    "tunnel \"%s\" disconnected (the service keeps its "
		    "socket)\n",
		    name);
	return 0;
}

static const struct cmd_entry cmd_tunnel_stop_entry = {
	.name = "stop",
	.usage = "[NAME | --all | --filter KEY=VALUE...]",
	.summary = "stop a context's tunnel (a direct context's socket goes)",
	.flags = stop_flags,
	.args = { 0, 1, COMPLETE_CONTEXT_SSH, NULL },
	.exec = cmd_tunnel_stop_exec,
};

/* ls */

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static uint64_t
jnum(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	double d = json_is_number(v) ? json_number_value(v) : 0;

	return d > 0 ? (uint64_t)d : 0;
}

static int
cmd_tunnel_ls_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "CONTEXT", "STATE", "SESSIONS",
		"CLIENTS", "IN", "OUT", "RECONNECTS", "PID", "LAST ERROR" };
	size_t i;
	struct table *t;
	json_t *arr, *svc, *o;
	long svc_pid;
	int r = 0;

	(void)a;
	arr = json_array();
	if ((svc = service_contexts(ctx, &svc_pid)) != NULL) {
		json_array_extend(arr, svc);
		json_decref(svc);
	}
	if (ctx->quiet && ctx->format == FMT_TABLE) {
		json_array_foreach(arr, i, o)
		    fprintf(ctx->out, "%s\n", jstr(o, "Context"));
		goto done;
	}
	if (ctx->format != FMT_TABLE) {
		r = output_value(ctx, arr);
		goto done;
	}
	if (json_array_size(arr) == 0) {
		if (!ctx->quiet)
			fprintf(ctx->errout,
			    "no tunnels: the tunnel service is %s\n",
			    svc_pid ? "running but serves no context"
				    : "not running");
		goto done;
	}
	t = table_new(nitems(headers), headers);
	json_array_foreach(arr, i, o)
	{
		char pid[32], ses[32], conns[32], in[32], out[32], rec[32];
		const char *cells[nitems(headers)];
		const char *st = jstr(o, "State");
		snprintf(pid, sizeof(pid), "%llu",
		    (unsigned long long)jnum(o, "Pid"));
		if (json_is_true(json_object_get(o, "Service")))
			snprintf(ses, sizeof(ses), "%llu",
			    (unsigned long long)jnum(o, "Sessions"));
		else
			snprintf(ses, sizeof(ses), "-");
		snprintf(conns, sizeof(conns), "%llu",
		    (unsigned long long)jnum(o, "Connections"));
		human_bytes(jnum(o, "BytesIn"), in, sizeof(in));
		human_bytes(jnum(o, "BytesOut"), out, sizeof(out));
		snprintf(rec, sizeof(rec), "%llu",
		    (unsigned long long)jnum(o, "Reconnects"));
		cells[0] = jstr(o, "Context");
		cells[1] = st;
		cells[2] = ses;
		cells[3] = conns;
		cells[4] = in;
		cells[5] = out;
		cells[6] = rec;
		cells[7] = pid;
		cells[8] = jstr(o, "LastError");
		table_add(t, cells);
		if (strcmp(st, "failing") == 0 || strcmp(st, "not served") == 0)
			table_color_last(t, C_RED);
		else if (strcmp(st, "reconnecting") == 0 ||
		    strcmp(st, "not answering") == 0)
			table_color_last(t, C_YELLOW);
	}
	table_print(ctx, t);
done:
	json_decref(arr);
	return r;
}

static const struct cmd_entry cmd_tunnel_ls_entry = {
	.name = "ls",
	.usage = "[-q] [--format table|json|yaml]",
	.summary = "list served and running tunnels with their counters",
	.help =
	    "Every context the tunnel service serves: tunnelled ones and "
	    "the direct ones\npinned by tunnel start, env, exec, shell or "
	    "audit.  Columns: CONTEXT, STATE\n(idle, connecting, connected, "
	    "failing, reconnecting, not answering, not\nserved), SESSIONS "
	    "(SSH sessions opened), CLIENTS (connections open now),\nIN "
	    "(bytes from the daemon), OUT (bytes to it), RECONNECTS, PID, "
	    "LAST ERROR.\nJSON adds the socket, the URL, the --listen "
	    "address, Pinned, the mode, the\ncipher, total, peak and failed "
	    "connections and the peak memory (PeakRssKiB).",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_tunnel_ls_exec,
};

/* serve: the tunnel service itself */

static int svc_stop_pipe[2] = { -1, -1 };

static void
on_svc_signal(int sig)
{
	int e = errno;

	(void)sig;
	if (write(svc_stop_pipe[1], "s", 1) < 0) {
		/* full: a stop is pending */
	}
	errno = e;
}

static void
svc_log_sink(enum log_level level, const char *msg, void *arg)
{
	static const char *const names[] = { "error", "warning", "info",
		"debug" };
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	(void)arg;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s: %s\n", ts, names[level], msg);
	fflush(stderr);
}

static const struct cmd_flag serve_flags[] = {
	{ "ready-fd", 0, FLAG_STRING, COMPLETE_NONE, "FD",
	    "write R to this descriptor once serving, and log to the run "
	    "dir's _service.log (ctxmgr uses it when it starts the service)" },
	{ 0 }
};

static int
cmd_tunnel_serve_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct ctxmgr_config cfg;
	struct svc_config sc;
	struct sigaction sa;
	struct rlimit rl;
	struct store st;
	const char *rf = args_get(a, "ready-fd");
	char *run_dir = cmd_svc_run_dir(ctx);
	long long fdv = -1;
	int r;

	memset(&sc, 0, sizeof(sc));
	cmd_store_open(ctx, &st);
	if (rf != NULL && parse_int(rf, 0, 65535, &fdv) != 0) {
		r = err_set(&ctx->err, ERR_USAGE, "--ready-fd \"%s\"", rf);
		goto out;
	}
	if ((r = config_load(ctx->config_dir, &cfg, &ctx->err)) != 0) {
		config_release(&cfg);
		goto out;
	}
	sc.idle_s = cfg.tunnel_idle_timeout == CONFIG_UNSET
	    ? 30 * 60
	    : cfg.tunnel_idle_timeout;
	config_release(&cfg);
	if ((r = svc_run_dir_check(run_dir, 1, &ctx->err)) != 0)
		goto out;
	if (fdv >= 0) {
		char *logp = xasprintf("%s/%s", run_dir, SVC_LOG);
		int fd = open(logp,
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		    0600);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		free(logp);
	}
	prctl(PR_SET_NAME, "ctxmgr-tunnel");
	log_set_sink(svc_log_sink, NULL, ctx->verbose ? LOG_DEBUG : LOG_INFO);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 8192 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 8192 ? rl.rlim_max : 8192;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (pipe2(svc_stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		r = err_sys(&ctx->err, "pipe");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_svc_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (chdir("/") != 0) {
		/* harmless */
	}
	sc.run_dir = run_dir;
	sc.load = cmd_svc_load;
	sc.load_arg = (void *)ctx->config_dir;
	sc.watch = st.meta_root;
	sc.ready_fd = (int)fdv;
	sc.stop_fd = svc_stop_pipe[0];
	r = svc_run(&sc, &ctx->err);
	if (r != 0)
		log_error("%s", ctx->err.msg);
out:
	store_release(&st);
	free(run_dir);
	return r;
}

static const struct cmd_entry cmd_tunnel_serve_entry = {
	.name = "serve",
	.usage = "[--ready-fd FD]",
	.summary = "run the tunnel service in the foreground",
	.help = "Serves every tunnelled context of this Docker config dir on "
		"its unix socket,\nconnecting to a context's host on its first "
		"client and closing the session\nafter tunnel.idle-timeout "
		"(config.yaml, default 30m) without clients.\nctxmgr starts it "
		"by itself when needed; systemd can run it with socket\n"
		"activation (ctxmgr tunnel install).  A second one is refused.",
	.flags = serve_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_tunnel_serve_exec,
};

/* enable, disable */

static const struct cmd_flag convert_flags[] = {
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL, "every ssh:// context" },
	{ 0 }
};

static int
convert(struct cmd_ctx *ctx, struct cmd_args *a, int enable)
{
	struct context **all = NULL, *c = NULL;
	struct strv names = { NULL, 0 };
	struct store st;
	size_t n = 0, i;
	int r = 0, changed = 0;

	cmd_store_open(ctx, &st);
	if (args_has(a, "all") == (a->argc > 0)) {
		r = err_set(&ctx->err, ERR_USAGE, "give NAME... or --all");
		goto out;
	}
	if ((r = store_lock(&st, &ctx->err)) != 0)
		goto out;
	if (args_has(a, "all")) {
		if ((r = store_list(&st, &all, &n, &ctx->err)) != 0)
			goto out;
		for (i = 0; i < n; i++)
			if (!all[i]->is_default && all[i]->error == NULL &&
			    all[i]->host != NULL &&
			    (str_has_prefix(all[i]->host, "ssh://") ||
				str_has_prefix(all[i]->host, "unix://")))
				strv_push(&names, all[i]->name);
	} else
		for (i = 0; i < (size_t)a->argc; i++)
			strv_push(&names, a->argv[i]);
	for (i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		int was;
		context_free(c);
		c = NULL;
		if ((r = cmd_load_context(ctx, &st, name, &c)) != 0)
			goto out;
		if (cmd_context_ssh_url(c) == NULL) {
			if (args_has(a, "all"))
				continue;
			r = err_set(&ctx->err, ERR_INVALID,
			    "context \"%s\" is not an ssh:// context (its "
			    "endpoint is \"%s\")",
			    c->name, c->host ? c->host : "");
			goto out;
		}
		was = svc_context_tunnelled(c);
		if (!enable && !was) {
			if (!ctx->quiet)
				fprintf(ctx->out,
				    "context \"%s\" is direct already\n",
				    c->name);
			continue;
		}
		if ((r = cmd_tunnel_convert(ctx, c, enable, &ctx->err)) != 0 ||
		    (r = store_save(&st, c, 0, &ctx->err)) != 0)
			goto out;
		changed++;
		if (enable)
			cmd_pins_moved(ctx, c->name, NULL); /* served anyway */
		if (!ctx->quiet)
			fprintf(ctx->out,
			    enable ? "context \"%s\" is tunnelled: %s\n"
				   : "context \"%s\" is direct: %s\n",
			    c->name, c->host);
	}
out:
	store_release(&st);
	if (changed > 0 || r == 0) {
		struct cm_err e2;
		err_init(&e2);
		if (enable) {
			struct cmd_ctx tmp = *ctx;
			err_init(&tmp.err);
			if (cmd_svc_ensure(&tmp, 1) != 0)
				fprintf(ctx->errout, "ctxmgr: warning: %s\n",
				    tmp.err.msg);
		} else
			cmd_svc_reload(ctx);
	}
	context_free(c);
	context_list_free(all, n);
	strv_free(&names);
	return r;
}

static int
cmd_tunnel_enable_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	return convert(ctx, a, 1);
}

static int
cmd_tunnel_disable_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	return convert(ctx, a, 0);
}

static const struct cmd_entry cmd_tunnel_enable_entry = {
	.name = "enable",
	.usage = "NAME... | --all",
	.summary = "make ssh:// contexts tunnelled (through the service)",
	.help = "Moves the context's ssh:// URL into Metadata.ctxmgr.sshHost "
		"and points its\nDocker endpoint at the tunnel service's "
		"socket, so every Docker client\ngoes through the tunnel.  "
		"Works on contexts made by \"docker context\ncreate\" too; "
		"nothing else in the context changes.",
	.flags = convert_flags,
	.args = { 0, -1, COMPLETE_CONTEXT_SSH, NULL },
	.exec = cmd_tunnel_enable_exec,
};

static const struct cmd_entry cmd_tunnel_disable_entry = {
	.name = "disable",
	.usage = "NAME... | --all",
	.summary = "make tunnelled contexts plain Docker ssh:// contexts",
	.help = "Puts the ssh:// URL back into the Docker endpoint, as "
		"\"docker context\ncreate\" writes it.",
	.flags = convert_flags,
	.args = { 0, -1, COMPLETE_CONTEXT_SSH, NULL },
	.exec = cmd_tunnel_disable_exec,
};

/* shutdown */

static int
cmd_tunnel_shutdown_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	char *run_dir = cmd_svc_run_dir(ctx);
	struct cm_err e2;
	struct buf b;
	int r;

	(void)a;
	buf_init(&b, 1 << 16);
	r = svc_request(run_dir, "shutdown", 10000, &b, &e2);
	if (r == 0) {
		/* gone once its lock is free: its sockets are removed then */
		char *lock = xasprintf("%s/%s", run_dir, SVC_LOCK);
		int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), i;
		for (i = 0; fd >= 0 && i < 200; i++) {
			if (flock(fd, LOCK_SH | LOCK_NB) == 0)
				break;
			usleep(50000);
		}
		if (fd >= 0)
			close(fd);
		free(lock);
	}
	if (r == 0 && !ctx->quiet)
		fprintf(ctx->out, "tunnel service stopped\n");
	else if (r == ERR_NOTFOUND) {
		if (!ctx->quiet)
			fprintf(ctx->out, "no tunnel service is running\n");
		r = 0;
	} else if (r != 0)
		err_set(&ctx->err, r, "%s", e2.msg);
	buf_release(&b);
	free(run_dir);
	return r;
}

static const struct cmd_entry cmd_tunnel_shutdown_entry = {
	.name = "shutdown",
	.usage = "",
	.summary = "stop the tunnel service (ctxmgr starts it again when "
		   "needed)",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_tunnel_shutdown_exec,
};

/* install: systemd user units with socket activation */

static const struct cmd_flag install_flags[] = {
	{ "dir", 0, FLAG_STRING, COMPLETE_DIR, "DIR",
	    "write the units there (default: ~/.config/systemd/user)" },
	{ 0 }
};

static int
cmd_tunnel_install_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *dir = args_get(a, "dir"), *x;
	char *own_dir = NULL, *run_dir = cmd_svc_run_dir(ctx), *bin = NULL;
	char *sock_unit = NULL, *svc_unit = NULL, self[PATH_MAX];
	struct svc_spec *list = NULL;
	struct buf b;
	size_t n = 0, i;
	ssize_t k;
	int r;

	buf_init(&b, 1 << 20);
	if (dir == NULL) {
		x = getenv("XDG_CONFIG_HOME");
		if (x != NULL && x[0] == '/')
			dir = own_dir = xasprintf("%s/systemd/user", x);
		else if ((x = getenv("HOME")) != NULL && x[0] == '/')
			dir = own_dir = xasprintf("%s/.config/systemd/user", x);
		else {
			r = err_set(
			    &ctx->err, ERR_USAGE, "no HOME: give --dir DIR");
			goto out;
		}
	}
	if ((k = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		r = err_sys(&ctx->err, "cannot find my own binary");
		goto out;
	}
	self[k] = '\0';
	bin = xstrdup(self);
	if ((r = cmd_svc_load((void *)ctx->config_dir, &list, &n, &ctx->err)) !=
		0 ||
	    (r = dir_ensure(dir, 0755, &ctx->err)) != 0)
		goto out;
	/* the socket unit: the control socket and every context's */
	buf_printf(&b,
	    "# written by \"ctxmgr tunnel install\": run it again after "
	    "adding\n# tunnelled contexts (the service binds new ones "
	    "itself meanwhile)\n"
	    "[Unit]\nDescription=ctxmgr tunnel service sockets\n\n"
	    "[Socket]\nListenStream=%s/%s\n",
	    run_dir, SVC_CTL);
	for (i = 0; i < n; i++)
		if (list[i].socket != NULL)
			buf_printf(&b, "ListenStream=%s\n", list[i].socket);
	buf_printf(&b,
	    "SocketMode=0600\nDirectoryMode=0700\nRemoveOnStop=yes\n\n"
	    "[Install]\nWantedBy=sockets.target\n");
	sock_unit = path_join(dir, "ctxmgr-tunnel.socket");
	if ((r = file_write_atomic(
		 sock_unit, b.data, b.len, 0644, 0, &ctx->err)) != 0)
		goto out;
	buf_reset(&b);
	buf_printf(&b,
	    "# written by \"ctxmgr tunnel install\"\n"
	    "[Unit]\nDescription=ctxmgr tunnel service\n"
	    "Requires=ctxmgr-tunnel.socket\n\n"
	    "[Service]\nEnvironment=DOCKER_CONFIG=%s\n"
	    "ExecStart=%s tunnel serve\nRestart=on-failure\n\n"
	    "[Install]\nAlso=ctxmgr-tunnel.socket\n",
	    ctx->config_dir, bin);
	svc_unit = path_join(dir, "ctxmgr-tunnel.service");
	if ((r = file_write_atomic(
		 svc_unit, b.data, b.len, 0644, 0, &ctx->err)) != 0)
		goto out;
	fprintf(ctx->out, "wrote %s\nwrote %s\n", sock_unit, svc_unit);
	if (system("systemctl --user daemon-reload >/dev/null 2>&1 && "
		   "systemctl --user enable --now ctxmgr-tunnel.socket "
		   ">/dev/null 2>&1") == 0)
		fprintf(ctx->out,
		    "enabled ctxmgr-tunnel.socket: the service starts with "
		    "the first client\n");
	else
		fprintf(ctx->out,
		    "no systemd user manager answered; to use the units "
		    "once it does:\n"
		    "  systemctl --user daemon-reload\n"
		    "  systemctl --user enable --now ctxmgr-tunnel.socket\n"
		    "without systemd, start the service at login (e.g. from "
		    "~/.profile):\n"
		    "  %s tunnel serve --ready-fd 1 >/dev/null &\n"
		    "or let ctxmgr start it when needed (use, create, env, "
		    "exec do)\n",
		    bin);
out:
	for (i = 0; i < n; i++)
		svc_spec_free(&list[i]);
	free(list);
	buf_release(&b);
	free(sock_unit);
	free(svc_unit);
	free(bin);
	free(own_dir);
	free(run_dir);
	return r;
}

static const struct cmd_entry cmd_tunnel_install_entry = {
	.name = "install",
	.usage = "[--dir DIR]",
	.summary = "write systemd user units that start the tunnel service "
		   "on demand",
	.help = "Writes ctxmgr-tunnel.socket (the control socket and every "
		"tunnelled\ncontext's socket, passed to the service by "
		"socket activation) and\nctxmgr-tunnel.service, then enables "
		"the socket unit when a systemd user\nmanager answers; "
		"otherwise prints the steps.",
	.flags = install_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_tunnel_install_exec,
};

static const struct cmd_entry *const tunnel_subcommands[] = {
	&cmd_tunnel_start_entry, &cmd_tunnel_stop_entry, &cmd_tunnel_ls_entry,
	&cmd_tunnel_enable_entry, &cmd_tunnel_disable_entry,
	&cmd_tunnel_serve_entry, &cmd_tunnel_shutdown_entry,
	&cmd_tunnel_install_entry, NULL
};

const struct cmd_entry cmd_tunnel_entry = {
	.name = "tunnel",
	.usage = "start|stop|ls|enable|disable|serve|shutdown|install",
	.summary = "SSH tunnels to remote Docker daemons (one service per "
		   "user)",
	.help =
	    "One tunnel service per user serves every tunnelled context "
	    "and every\ndirect one pinned by tunnel start: it keeps one SSH "
	    "session per context and\nopens one channel per client "
	    "connection, so docker through it answers about\nas fast as a "
	    "local daemon.",
	.subcommands = tunnel_subcommands,
};
