/* cmd-ping.c: reach a context's daemon and time each step. */
#include "common/compat.h"

#include <jansson.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/endpoint.h"
#include "tunnel/engine.h"
#include "common/gojson.h"
#include "ctxmgr/output.h"
#include "ctxmgr/sshctx.h"
#include "common/xmalloc.h"

#define MAX_PHASES 8

struct phase {
	const char *name;
	uint64_t us;
	char detail[512];
};

struct ping {
	struct phase ph[MAX_PHASES];
	int n;
	char version[64], api[32], os[32], arch[32];
};

static struct phase *
add_phase(struct ping *p, const char *name, uint64_t us)
{
	struct phase *ph = &p->ph[p->n++];

	ph->name = name;
	ph->us = us;
	ph->detail[0] = '\0';
	return ph;
}

static ssize_t
stream_read(void *arg, void *b, size_t n, struct cm_err *err)
{
	return ssh_stream_read(arg, b, n, err);
}

static int
stream_write(void *arg, const void *b, size_t n, struct cm_err *err)
{
	return ssh_stream_write(arg, b, n, err);
}

static void
version_fields(struct ping *p, const struct engine_response *resp)
{
	json_t *o = NULL, *v;
	struct cm_err e2;

	if (gojson_parse(resp->body.data, resp->body.len, &o, &e2) != 0)
		return;
	if ((v = json_object_get(o, "Version")) && json_is_string(v))
		snprintf(
		    p->version, sizeof(p->version), "%s", json_string_value(v));
	if ((v = json_object_get(o, "ApiVersion")) && json_is_string(v))
		snprintf(p->api, sizeof(p->api), "%s", json_string_value(v));
	if ((v = json_object_get(o, "Os")) && json_is_string(v))
		snprintf(p->os, sizeof(p->os), "%s", json_string_value(v));
	if ((v = json_object_get(o, "Arch")) && json_is_string(v))
		snprintf(p->arch, sizeof(p->arch), "%s", json_string_value(v));
	json_decref(o);
}

/* GET /_ping then GET /version through `io_open` streams. */
static int
ask_daemon(struct cmd_ctx *ctx, struct ping *p,
    int (*io_open)(void *arg, struct engine_io *io, struct cm_err *err),
    void (*io_close)(void *arg, struct engine_io *io), void *arg)
{
	struct engine_response resp;
	struct engine_io io;
	uint64_t t;
	int r, i;

	engine_response_init(&resp, 1 << 20);
	for (i = 0; i < 2; i++) {
		if ((r = io_open(arg, &io, &ctx->err)) != 0)
			goto out;
		t = now_us();
		r = engine_get(
		    &io, i == 0 ? "/_ping" : "/version", &resp, &ctx->err);
		io_close(arg, &io);
		if (r != 0)
			goto out;
		if (resp.status != 200) {
			r = err_set(&ctx->err, ERR_PROTO,
			    "the daemon answered %s with HTTP %d",
			    i == 0 ? "/_ping" : "/version", resp.status);
			goto out;
		}
		struct phase *ph =
		    add_phase(p, i == 0 ? "_ping" : "version", now_us() - t);
		if (i == 0) {
			char *body = output_safe(resp.body.data);
			snprintf(ph->detail, sizeof(ph->detail), "%.40s%s%s",
			    body, resp.api_version[0] ? ", API " : "",
			    resp.api_version);
			free(body);
		} else {
			version_fields(p, &resp);
			char *v = output_safe(p->version);
			snprintf(
			    ph->detail, sizeof(ph->detail), "Docker %s", v);
			free(v);
		}
	}
out:
	engine_response_release(&resp);
	return r;
}

/* ssh:// */

struct ssh_arg {
	struct ping *p;
	struct ssh_conn *conn;
	enum tunnel_mode mode;
	struct ssh_stream *s;
	int first;
};

static int
ssh_io_open(void *arg, struct engine_io *io, struct cm_err *err)
{
	struct ssh_arg *sa = arg;
	enum tunnel_mode used;
	uint64_t t = now_us();
	int r;

	if ((r = ssh_stream_open(sa->conn, sa->mode, &sa->s, &used, err)) != 0)
		return r;
	if (sa->first) {
		struct phase *ph = add_phase(sa->p, "channel", now_us() - t);
		snprintf(ph->detail, sizeof(ph->detail), "%s %s",
		    tunnel_mode_name(used),
		    ssh_conn_info(sa->conn)->remote_socket);
		sa->mode = used;
		sa->first = 0;
	}
	io->read = stream_read;
	io->write = stream_write;
	io->arg = sa->s;
	return 0;
}

static void
ssh_io_close(void *arg, struct engine_io *io)
{
	struct ssh_arg *sa = arg;

	(void)io;
	ssh_stream_close(sa->s);
	sa->s = NULL;
}

static int
ping_ssh(struct cmd_ctx *ctx, const struct context *c, struct cmd_args *a,
    struct ping *p)
{
	struct ssh_params sp;
	struct ssh_arg sa = { p, NULL, TUNNEL_AUTO, NULL, 1 };
	const struct ssh_info *in;
	const char *mode = args_get(a, "mode");
	struct phase *ph;
	int r;

	if (mode == NULL)
		mode = context_setting(c, SETTING_TUNNEL_MODE);
	if (tunnel_mode_parse(mode, &sa.mode) != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "tunnel mode \"%s\" is not auto, streamlocal or dial-stdio",
		    mode);
	if ((r = cmd_ssh_params(ctx, c, args_has(a, "accept-new"), &sp)) != 0)
		return r;
	if ((r = ssh_connect(&sp, &sa.conn, &ctx->err)) != 0)
		return r;
	in = ssh_conn_info(sa.conn);
	ph = add_phase(p, "connect", in->tcp_us);
	snprintf(ph->detail, sizeof(ph->detail), "%s port %d%s", in->host,
	    in->port, in->jumps ? " (through ProxyJump)" : "");
	ph = add_phase(p, "host key", in->kex_us);
	snprintf(ph->detail, sizeof(ph->detail), "%s %s%s, %s",
	    in->hostkey_type, in->hostkey_fp,
	    in->hostkey_added ? " (added to known_hosts)" : "", in->cipher);
	ph = add_phase(p, "auth", in->auth_us);
	snprintf(
	    ph->detail, sizeof(ph->detail), "%s as %s", in->auth, in->user);
	r = ask_daemon(ctx, p, ssh_io_open, ssh_io_close, &sa);
	ssh_close(sa.conn);
	return r;
}

/* unix:// */

struct unix_arg {
	struct ping *p;
	const char *path;
	int fd;
	int first;
};

static int
unix_io_open(void *arg, struct engine_io *io, struct cm_err *err)
{
	struct unix_arg *ua = arg;
	struct sockaddr_un sa;
	uint64_t t = now_us();

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(ua->path) >= sizeof(sa.sun_path))
		return err_set(err, ERR_TOOBIG, "\"%s\" is too long", ua->path);
	memcpy(sa.sun_path, ua->path, strlen(ua->path));
	if ((ua->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return err_sys(err, "socket");
	if (connect(ua->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(ua->fd);
		ua->fd = -1;
		return err_sys(err, "cannot connect to \"%s\"", ua->path);
	}
	if (ua->first) {
		struct phase *ph = add_phase(ua->p, "connect", now_us() - t);
		snprintf(ph->detail, sizeof(ph->detail), "%s", ua->path);
		ua->first = 0;
	}
	return engine_fd_io_make(&ua->fd, io);
}

static void
unix_io_close(void *arg, struct engine_io *io)
{
	struct unix_arg *ua = arg;

	(void)io;
	if (ua->fd >= 0)
		close(ua->fd);
	ua->fd = -1;
}

static const struct cmd_flag ping_flags[] = {
	{ "mode", 0, FLAG_STRING, COMPLETE_CHOICE, "MODE",
	    "ssh: auto, streamlocal or dial-stdio",
	    "auto|streamlocal|dial-stdio" },
	{ "accept-new", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "record the host key of a host seen for the first time" },
	{ 0 }
};

static int
cmd_ping_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "PHASE", "TIME", "DETAIL" };
	struct ping p;
	struct context *c = NULL;
	struct endpoint ep;
	struct store st;
	uint64_t total = 0;
	struct table *t;
	json_t *o, *arr;
	int r, i;

	memset(&p, 0, sizeof(p));
	memset(&ep, 0, sizeof(ep));
	cmd_store_open(ctx, &st);
	if ((r = cmd_load_context(ctx, &st, a->argc ? a->argv[0] : NULL, &c)) !=
	    0)
		goto out;
	if (svc_context_tunnelled(c)) {
		/* a tunnelled context: ping its host over SSH, as a direct
		 * one (the service's session is not touched) */
		free(c->host);
		c->host = xstrdup(context_setting(c, SETTING_SSH_HOST));
	}
	if (c->host == NULL ||
	    (r = endpoint_parse(c->host, &ep, &ctx->err)) != 0) {
		r = c->host
		    ? r
		    : err_set(&ctx->err, ERR_INVALID,
			  "context \"%s\" has no Docker endpoint", c->name);
		goto out;
	}
	if (ep.scheme == EP_SSH)
		r = ping_ssh(ctx, c, a, &p);
	else if (ep.scheme == EP_UNIX) {
		struct unix_arg ua = { &p, ep.path, -1, 1 };
		r = ask_daemon(ctx, &p, unix_io_open, unix_io_close, &ua);
	} else
		r = err_set(&ctx->err, ERR_INVALID,
		    "ping handles ssh:// and unix:// contexts; \"%s\" is %s",
		    c->name, c->host);
	if (r != 0)
		goto out;
	for (i = 0; i < p.n; i++)
		total += p.ph[i].us;
	if (ctx->format != FMT_TABLE) {
		o = json_object();
		arr = json_array();
		for (i = 0; i < p.n; i++) {
			json_t *e = json_object();
			json_object_set_new(
			    e, "Phase", json_string(p.ph[i].name));
			json_object_set_new(e, "Microseconds",
			    json_integer((json_int_t)p.ph[i].us));
			json_object_set_new(
			    e, "Detail", json_string(p.ph[i].detail));
			json_array_append_new(arr, e);
		}
		json_object_set_new(o, "Context", json_string(c->name));
		json_object_set_new(o, "Phases", arr);
		json_object_set_new(
		    o, "TotalMicroseconds", json_integer((json_int_t)total));
		json_object_set_new(o, "Version", json_string(p.version));
		json_object_set_new(o, "ApiVersion", json_string(p.api));
		json_object_set_new(o, "Os", json_string(p.os));
		json_object_set_new(o, "Arch", json_string(p.arch));
		r = output_value(ctx, o);
		json_decref(o);
		goto out;
	}
	t = table_new(3, headers);
	for (i = 0; i <= p.n; i++) {
		char ms[32];
		const char *cells[3];
		uint64_t us = i < p.n ? p.ph[i].us : total;
		snprintf(ms, sizeof(ms), "%.1f ms", (double)us / 1000);
		cells[0] = i < p.n ? p.ph[i].name : "total";
		cells[1] = ms;
		cells[2] = i < p.n ? p.ph[i].detail : "";
		table_add(t, cells);
	}
	table_print(ctx, t);
	{
		char *v = output_safe(p.version), *api = output_safe(p.api);
		char *os = output_safe(p.os), *arch = output_safe(p.arch);
		fprintf(ctx->out, "daemon: Docker %s (API %s, %s/%s)\n", v, api,
		    os, arch);
		free(v);
		free(api);
		free(os);
		free(arch);
	}
out:
	endpoint_free(&ep);
	context_free(c);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_ping_entry = {
	.name = "ping",
	.usage = "[NAME] [--mode MODE]",
	.summary = "reach a context's daemon and time each step",
	.help =
	    "For an ssh:// context: TCP connect, key exchange and host "
	    "key check, auth,\nthe channel to the Docker socket, GET /_ping "
	    "and GET /version, each\ntimed; no tunnel is used or started.  "
	    "unix:// contexts are pinged\ndirectly.",
	.flags = ping_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_ping_exec,
};
