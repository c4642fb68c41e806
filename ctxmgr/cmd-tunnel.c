/* cmd-tunnel.c: tunnel start, stop and ls. */
#include "common/compat.h"

#include <jansson.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/output.h"
#include "ctxmgr/sshctx.h"
#include "tunnel/tunnel.h"
#include "common/xmalloc.h"

static json_t *
status_to_json(const struct tunnel_status *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "Context", json_string(s->name));
	json_object_set_new(o, "Socket", json_string(s->socket));
	json_object_set_new(o, "Listen", json_string(s->listen));
	json_object_set_new(o, "URL", json_string(s->url));
	json_object_set_new(o, "Pid", json_integer(s->pid));
	json_object_set_new(o, "Connected", json_boolean(s->connected));
	json_object_set_new(o, "Starting", json_boolean(s->starting));
	json_object_set_new(o, "Uptime", json_integer((json_int_t)s->uptime_s));
	json_object_set_new(o, "Connections", json_integer(s->open_conns));
	json_object_set_new(o, "PeakConnections", json_integer(s->peak_conns));
	json_object_set_new(
	    o, "TotalConnections", json_integer((json_int_t)s->total_conns));
	json_object_set_new(
	    o, "FailedConnections", json_integer((json_int_t)s->failed_conns));
	json_object_set_new(
	    o, "BytesIn", json_integer((json_int_t)s->bytes_in));
	json_object_set_new(
	    o, "BytesOut", json_integer((json_int_t)s->bytes_out));
	json_object_set_new(o, "Reconnects", json_integer(s->reconnects));
	json_object_set_new(o, "Mode", json_string(s->mode));
	json_object_set_new(o, "Cipher", json_string(s->cipher));
	json_object_set_new(o, "LastError", json_string(s->last_error));
	json_object_set_new(
	    o, "PeakRssKiB", json_integer((json_int_t)s->peak_rss_kb));
	return o;
}

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

static void
human_duration(uint64_t s, char *out, size_t len)
{
	if (s < 60)
		snprintf(out, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(out, len, "%llum%02llus", (unsigned long long)(s / 60),
		    (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(out, len, "%lluh%02llum",
		    (unsigned long long)(s / 3600),
		    (unsigned long long)(s % 3600 / 60));
	else
		snprintf(out, len, "%llud%02lluh",
		    (unsigned long long)(s / 86400),
		    (unsigned long long)(s % 86400 / 3600));
}

/* start */

static const struct cmd_flag start_flags[] = {
	{ "foreground", 'f', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "serve in this process until Ctrl-C (logs on stderr)" },
	{ "listen", 0, FLAG_STRING, COMPLETE_NONE, "127.0.0.1:PORT",
	    "also listen on this loopback TCP port (anyone on this machine "
	    "can reach it)" },
	{ "mode", 0, FLAG_STRING, COMPLETE_CHOICE, "MODE",
	    "auto, streamlocal or dial-stdio (default: the context's, else "
	    "auto)",
	    "auto|streamlocal|dial-stdio" },
	FLAG_ACCEPT_NEW,
	{ "no-ping", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "do not check the remote socket with GET /_ping (it need not "
	    "be a Docker daemon)" },
	{ 0 }
};

struct ready_arg {
	struct cmd_ctx *ctx;
};

static void
print_started(
    struct cmd_ctx *ctx, const struct tunnel_status *st, const char *what)
{
	json_t *o;

	if (ctx->format != FMT_TABLE) {
		o = status_to_json(st);
		output_value(ctx, o);
		json_decref(o);
		return;
	}
	if (ctx->quiet) {
		fprintf(ctx->out, "%s\n", st->socket);
		return;
	}
	fprintf(ctx->out, "tunnel \"%s\" %s: unix://%s (pid %ld, %s%s%s)\n",
	    st->name, what, st->socket, st->pid, st->mode,
	    st->listen[0] ? ", also " : "", st->listen);
}

static void
on_ready(void *arg, const struct tunnel_status *st)
{
	struct ready_arg *ra = arg;

	print_started(ra->ctx, st, "serving");
	if (!ra->ctx->quiet && ra->ctx->format == FMT_TABLE)
		fputs("press Ctrl-C to stop it\n", ra->ctx->errout);
	fflush(ra->ctx->out);
}

static int
cmd_tunnel_start_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct tunnel_spec spec;
	struct tunnel_status st;
	struct ready_arg ra = { ctx };
	struct context *c = NULL;
	struct store store;
	char *run_dir = NULL;
	int r, already = 0;

	cmd_store_open(ctx, &store);
	if ((r = cmd_load_ssh_context(
		 ctx, &store, a->argc ? a->argv[0] : NULL, &c)) != 0 ||
	    (r = cmd_tunnel_spec(ctx, c, args_get(a, "mode"),
		 args_has(a, "accept-new"), &spec, &run_dir)) != 0)
		goto out;
	spec.listen = args_get(a, "listen");
	spec.foreground = args_has(a, "foreground");
	spec.no_ping = args_has(a, "no-ping");
	spec.on_ready = on_ready;
	spec.on_ready_arg = &ra;
	if ((r = tunnel_start(&spec, &st, &already, &ctx->err)) != 0)
		goto out;
	if (spec.foreground && !already)
		goto out;
	print_started(ctx, &st, already ? "is already running" : "started");
out:
	free(run_dir);
	context_free(c);
	store_release(&store);
	return r;
}

static const struct cmd_entry cmd_tunnel_start_entry = {
	.name = "start",
	.usage =
	    "[NAME] [--foreground] [--listen 127.0.0.1:PORT] [--mode MODE]",
	.summary = "keep an SSH tunnel to a context's Docker daemon",
	.help =
	    "Connects to the ssh:// context (the current one without NAME) "
	    "the way ssh\nwould (~/.ssh/config, known_hosts, ssh-agent, "
	    "identity files), checks\nthe remote Docker socket with one "
	    "/_ping, then serves it on a private\nunix socket from a "
	    "background process.  A second start is a no-op that\nsays so.  "
	    "Point docker at it with \"ctxmgr env\" or \"ctxmgr exec\".",
	.flags = start_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_tunnel_start_exec,
};

/* stop */

static const struct cmd_flag stop_flags[] = {
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL, "stop every tunnel" },
	{ 0 }
};

static int
cmd_tunnel_stop_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct tunnel_status *list = NULL;
	struct context *c = NULL;
	struct store store;
	char *run_dir = cmd_tunnel_run_dir(ctx), *name = NULL;
	size_t n = 0, i;
	int r = 0;

	cmd_store_open(ctx, &store);
	if (args_has(a, "all")) {
		if (a->argc > 0) {
			r = err_set(&ctx->err, ERR_USAGE,
			    "give a NAME or --all, not both");
			goto out;
		}
		if ((r = tunnel_list(run_dir, &list, &n, &ctx->err)) != 0)
			goto out;
		for (i = 0; i < n; i++) {
			if ((r = tunnel_stop(
				 run_dir, list[i].name, 0, &ctx->err)) != 0 &&
			    r != ERR_NOTFOUND)
				goto out;
			if (!ctx->quiet && r == 0)
				fprintf(ctx->out, "tunnel \"%s\" stopped\n",
				    list[i].name);
		}
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
	if ((r = context_name_check(name, &ctx->err)) != 0 &&
	    strcmp(name, STORE_DEFAULT_NAME) != 0)
		goto out;
	err_init(&ctx->err);
	if ((r = tunnel_stop(run_dir, name, 0, &ctx->err)) != 0)
		goto out;
	if (!ctx->quiet)
		fprintf(ctx->out, "tunnel \"%s\" stopped\n", name);
out:
	free(list);
	free(name);
	free(run_dir);
	context_free(c);
	store_release(&store);
	return r;
}

static const struct cmd_entry cmd_tunnel_stop_entry = {
	.name = "stop",
	.usage = "[NAME | --all]",
	.summary = "stop a context's tunnel (its process and socket go)",
	.flags = stop_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_tunnel_stop_exec,
};

/* ls */

static int
cmd_tunnel_ls_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "CONTEXT", "SOCKET", "PID",
		"UPTIME", "CONNS", "IN", "OUT", "RECONNECTS", "STATE" };
	struct tunnel_status *list = NULL;
	char *run_dir = cmd_tunnel_run_dir(ctx);
	size_t n = 0, i;
	struct table *t;
	json_t *arr;
	int r;

	(void)a;
	if ((r = tunnel_list(run_dir, &list, &n, &ctx->err)) != 0)
		goto out;
	if (ctx->quiet && ctx->format == FMT_TABLE) {
		for (i = 0; i < n; i++)
			fprintf(ctx->out, "%s\n", list[i].name);
		goto out;
	}
	if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, status_to_json(&list[i]));
		r = output_value(ctx, arr);
		json_decref(arr);
		goto out;
	}
	t = table_new(nitems(headers), headers);
	for (i = 0; i < n; i++) {
		const struct tunnel_status *s = &list[i];
		char pid[32], up[32], conns[32], in[32], out[32], rec[32];
		const char *cells[nitems(headers)];
		snprintf(pid, sizeof(pid), "%ld", s->pid);
		human_duration(s->uptime_s, up, sizeof(up));
		snprintf(conns, sizeof(conns), "%u", s->open_conns);
		human_bytes(s->bytes_in, in, sizeof(in));
		human_bytes(s->bytes_out, out, sizeof(out));
		snprintf(rec, sizeof(rec), "%u", s->reconnects);
		cells[0] = s->name;
		cells[1] = s->socket;
		cells[2] = pid;
		cells[3] = s->starting ? "" : up;
		cells[4] = s->starting ? "" : conns;
		cells[5] = s->starting ? "" : in;
		cells[6] = s->starting ? "" : out;
		cells[7] = s->starting ? "" : rec;
		cells[8] = s->starting ? "starting"
		    : s->connected     ? "connected"
				       : "reconnecting";
		table_add(t, cells);
		if (!s->starting && !s->connected)
			table_color_last(t, C_YELLOW);
	}
	table_print(ctx, t);
out:
	free(list);
	free(run_dir);
	return r;
}

static const struct cmd_entry cmd_tunnel_ls_entry = {
	.name = "ls",
	.usage = "[-q] [--format table|json|yaml]",
	.summary = "list running tunnels with their counters",
	.help = "Columns: CONTEXT, SOCKET, PID, UPTIME, CONNS (connections "
		"open now), IN\n(bytes from the daemon), OUT (bytes to it), "
		"RECONNECTS, STATE.  JSON adds\nthe mode, the cipher, peak "
		"connections, failed connections, the last\nerror and the "
		"tunnel's peak memory (PeakRssKiB).",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_tunnel_ls_exec,
};

static const struct cmd_entry *const tunnel_subcommands[] = {
	&cmd_tunnel_start_entry, &cmd_tunnel_stop_entry, &cmd_tunnel_ls_entry,
	NULL
};

const struct cmd_entry cmd_tunnel_entry = {
	.name = "tunnel",
	.usage = "start|stop|ls",
	.summary = "background SSH tunnels to remote Docker daemons",
	.help = "A tunnel keeps one SSH session per context and opens one "
		"channel per\nclient connection, so docker through it answers "
		"about as fast as a local\ndaemon.",
	.subcommands = tunnel_subcommands,
};
