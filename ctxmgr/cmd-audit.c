/*
 * cmd-audit.c: audit a daemon's exposure and containers (`audit [NAME]`,
 * `audit --all`), one image (`audit image`), a seccomp profile (`audit
 * seccomp`), and list the checks (`audit checks`).
 *
 * This file turns a context into plain values for the audit module (how
 * to reach the Engine API, how to run the fact script, what to probe),
 * prints the report and maps it to the exit status:
 *   0  nothing at or above --fail-on (or no --fail-on)
 *   1  a finding at or above --fail-on; or an error before any report
 *   2  usage error
 *   3  the audit is incomplete: something could not be gathered because
 *      an answer was missing or broken (listed under errors)
 */
#include "common/compat.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/select.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"
#include "common/endpoint.h"
#include "common/file.h"
#include "common/gojson.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "audit/policy.h"
#include "audit/seccomp.h"
#include "tunnel/runwire.h"
#include "tunnel/ssh.h"
#include "ctxmgr/settings.h"
#include "ctxmgr/sshctx.h"
#include "ctxmgr/version.h"
#include "common/xmalloc.h"

#define AUDIT_EXIT_FINDINGS 1
#define AUDIT_EXIT_INCOMPLETE 3
#define AUDIT_JOBS_DEFAULT 4
#define AUDIT_JOBS_MAX 64

/* The options every audit takes. */
#define AUDIT_FLAG_FAIL_ON                                                     \
	{                                                                      \
		"fail-on", 0, FLAG_STRING, COMPLETE_CHOICE, "LEVEL",           \
		    "exit 1 when a finding is this severe or worse",           \
		    "critical|high|medium|low|none"                            \
	}
#define AUDIT_FLAG_POLICY                                                      \
	{                                                                      \
		"policy", 0, FLAG_STRING, COMPLETE_FILE, "FILE",               \
		    "YAML policy: checks ignored, containers allowed"          \
	}
#define AUDIT_FLAG_TIMEOUT                                                     \
	{                                                                      \
		"timeout", 0, FLAG_INT, COMPLETE_NONE, "SECONDS",              \
		    "give up on a silent daemon (default 10)"                  \
	}

static const struct cmd_flag audit_flags[] = { AUDIT_FLAG_FAIL_ON,
	AUDIT_FLAG_POLICY,
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "audit every context (the default one left out), in parallel" },
	{ "filter", 'f', FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "audit the contexts that match (name=GLOB, scheme=ssh|tcp|unix, "
	    "tag=T, tunnel=on|off), in parallel" },
	{ "jobs", 'j', FLAG_INT, COMPLETE_NONE, "N",
	    "contexts audited at once with --all/--filter (default 4)" },
	{ "no-probes", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "do not probe the host's TCP ports" },
	AUDIT_FLAG_TIMEOUT, FLAG_ACCEPT_NEW, { 0 } };

static const struct cmd_flag audit_image_flags[] = { AUDIT_FLAG_FAIL_ON,
	AUDIT_FLAG_POLICY, AUDIT_FLAG_TIMEOUT, FLAG_ACCEPT_NEW, { 0 } };

static const struct cmd_flag audit_seccomp_flags[] = { AUDIT_FLAG_FAIL_ON,
	AUDIT_FLAG_POLICY, { 0 } };

/* ---- options shared by the subcommands ---- */

struct audit_opts {
	struct policy policy;
	int have_policy;
	int fail_on; /* enum severity, or -1 */
	int timeout_ms;
	int probes;
};

static int
opts_load(struct cmd_ctx *ctx, struct cmd_args *a, struct audit_opts *o)
{
	const struct ctxmgr_config *cfg;
	const char *v;
	struct buf b;
	enum severity sev;
	long long n;
	int r;

	memset(o, 0, sizeof(o[0]));
	o->fail_on = -1;
	o->probes = !args_has(a, "no-probes");
	o->timeout_ms = 10000;
	if ((n = args_get_int(a, "timeout", 10)) < 1 || n > 3600)
		return err_set(&ctx->err, ERR_USAGE,
		    "--timeout must be between 1 and 3600 seconds");
	o->timeout_ms = (int)n * 1000;
	if ((r = settings_get(ctx, &cfg)) != 0)
		return r;
	/* --policy, else audit.policy of config.yaml */
	if ((v = args_get(a, "policy")) == NULL)
		v = cfg->audit_policy;
	if (v != NULL) {
		buf_init(&b, POLICY_MAX_SIZE);
		r = cmd_read_input(ctx, v, POLICY_MAX_SIZE, 0, &b);
		if (r == 0)
			r = policy_parse(
			    b.data, b.len, v, &o->policy, &ctx->err);
		buf_release(&b);
		if (r != 0)
			return r;
		o->have_policy = 1;
		o->fail_on = o->policy.fail_on;
	}
	/* --fail-on, else the policy's, else audit.fail-on of config.yaml */
	if ((v = args_get(a, "fail-on")) == NULL && o->fail_on < 0)
		v = cfg->audit_fail_on;
	if (v != NULL) {
		if (strcmp(v, "none") == 0)
			o->fail_on = -1;
		else if (severity_parse(v, &sev) == 0)
			o->fail_on = (int)sev;
	}
	return 0;
}

static void
opts_release(struct audit_opts *o)
{
	if (o->have_policy)
		policy_free(&o->policy);
}

/* The exit status a finished report earns. */
static int
report_exit(const struct audit_report *r, int fail_on)
{
	size_t st[5];

	if (fail_on >= 0 && report_worst(r) >= fail_on)
		return AUDIT_EXIT_FINDINGS;
	report_status_counts(r, st);
	return st[CS_ERROR] > 0 || r->errors.n > 0 ? AUDIT_EXIT_INCOMPLETE : 0;
}

/* ---- from a context to an audit target ---- */

struct conn {
	struct endpoint ep;
	struct buf ca, cert, key;
	struct http_tls tls;
	struct audit_target t;
	char host[256];
	char no_facts[320];
	/* ssh:// */
	char probe_host[256]; /* the URL's host, then HostName once known */
	char *tunnel_sock;
	char *run_dir; /* the tunnel service's */
	char *config_dir; /* with stop_after */
	char *stop_after; /* a direct context's tunnel this audit started */
	char *svc_stop_after; /* a tunnelled context's session, likewise */
	char *svc_connect; /* a tunnelled context: connect in conn_ready */
	struct cmd_ctx *ctx;
};

static int conn_ready(struct cmd_ctx *ctx, struct conn *cn, struct cm_err *err);

/*
 * The fact script on an ssh:// context's host: `sh -s` with the script on
 * its standard input, run by the tunnel service over the session it holds
 * for the Engine API (no second SSH login).  Runs in the audit's host
 * thread; the host name ssh_config resolves to becomes the host to probe.
 */
static int
svc_run_facts(
    void *arg, const char *script, struct buf *out, struct cm_err *err)
{
	struct conn *cn = arg;
	struct ssh_exec_result res;
	size_t n;
	int r;

	/* connected first: a key's passphrase is asked here, not failed on */
	if ((r = conn_ready(cn->ctx, cn, err)) != 0)
		return r;
	ssh_exec_result_init(&res, FACTS_MAX_OUTPUT);
	r = svc_run_command(cn->run_dir, cn->t.context, "sh -s", script,
	    strlen(script), FACTS_TIMEOUT_MS, &res, cn->probe_host,
	    sizeof(cn->probe_host), err);
	if (r == 0 && res.out_truncated)
		r = err_set(err, ERR_TOOBIG,
		    "the fact script printed more than %zu bytes",
		    FACTS_MAX_OUTPUT);
	else if (r == 0 && res.exit_status != 0) {
		n = strcspn(res.err.data, "\n");
		r = err_set(err, ERR_FAIL,
		    "the fact script failed on %s (status %d)%s%.*s",
		    cn->ep.host, res.exit_status, n ? ": " : "",
		    (int)(n < 200 ? n : 200), res.err.data);
	} else if (r == 0 && buf_add(out, res.out.data, res.out.len) != 0)
		r = err_set(
		    err, ERR_TOOBIG, "the fact script's output is too big");
	ssh_exec_result_release(&res);
	return r;
}

static int
is_loopback_host(const char *h)
{
	return strcmp(h, "localhost") == 0 || str_has_prefix(h, "127.") ||
	    strcmp(h, "::1") == 0;
}

/* The context's TLS files, as the Docker CLI would use them. */
static int
load_tls(struct store *st, const struct context *c, struct conn *cn,
    struct cm_err *err)
{
	struct cm_err e;
	int have = 0, r;

	err_init(&e);
	r = store_tls_read(st, c->name, "docker", "ca.pem", &cn->ca, &e);
	if (r != 0 && r != ERR_NOTFOUND)
		return err_set(err, r, "%s", e.msg);
	have |= r == 0;
	r = store_tls_read(st, c->name, "docker", "cert.pem", &cn->cert, &e);
	if (r != 0 && r != ERR_NOTFOUND)
		return err_set(err, r, "%s", e.msg);
	have |= r == 0;
	r = store_tls_read(st, c->name, "docker", "key.pem", &cn->key, &e);
	if (r != 0 && r != ERR_NOTFOUND)
		return err_set(err, r, "%s", e.msg);
	have |= r == 0;
	return have;
}

static int conn_api_ready(void *arg, struct cm_err *err);

static int
conn_open(struct cmd_ctx *ctx, struct store *st, const struct context *c,
    int probes, int timeout_ms, struct conn *cn, struct cm_err *err)
{
	struct audit_target *t = &cn->t;
	int r;

	memset(cn, 0, sizeof(*cn));
	buf_init(&cn->ca, STORE_TLS_MAX);
	buf_init(&cn->cert, STORE_TLS_MAX);
	buf_init_secret(&cn->key, STORE_TLS_MAX);
	if (c->host == NULL)
		return err_set(err, ERR_INVALID,
		    "context \"%s\" has no Docker endpoint", c->name);
	if ((r = endpoint_parse(svc_context_tunnelled(c)
		     ? context_setting(c, SETTING_SSH_HOST)
		     : c->host,
		 &cn->ep, err)) != 0)
		return err_prefix(err, "context \"%s\"", c->name);
	t->context = c->name;
	t->endpoint = svc_context_ssh_url(c) ? svc_context_ssh_url(c) : c->host;
	t->api.timeout_ms = timeout_ms;
	t->api.total_ms = timeout_ms * 6;
	t->api.nconn = 8;
	t->api.user_agent = "ctxmgr/" CTXMGR_VERSION;
	t->probe_timeout_ms = 2000;
	switch (cn->ep.scheme) {
	case EP_UNIX:
		t->api.unix_path = cn->ep.path;
		t->socket_path = cn->ep.path;
		t->run_facts = facts_run_local;
		if (gethostname(cn->host, sizeof(cn->host)) != 0)
			snprintf(cn->host, sizeof(cn->host), "localhost");
		cn->host[sizeof(cn->host) - 1] = '\0';
		t->host = cn->host;
		t->probe_host = probes ? "127.0.0.1" : NULL;
		t->probe_local = 1;
		return 0;
	case EP_TCP:
		if ((r = load_tls(st, c, cn, err)) < 0)
			return r;
		t->api.host = cn->ep.host;
		t->api.port = cn->ep.port ? cn->ep.port : r ? 2376 : 2375;
		if (r) {
			cn->tls.ca = cn->ca.data;
			cn->tls.ca_len = cn->ca.len;
			cn->tls.cert = cn->cert.data;
			cn->tls.cert_len = cn->cert.len;
			cn->tls.key = cn->key.data;
			cn->tls.key_len = cn->key.len;
			cn->tls.verify = !c->skip_tls_verify;
			t->api.tls = &cn->tls;
		}
		t->host = cn->ep.host;
		t->tcp_port = t->api.port;
		t->probe_host = probes ? cn->ep.host : NULL;
		t->probe_ports[0] = t->api.port;
		/* a loopback address is this machine: its facts are ours */
		if (is_loopback_host(cn->ep.host)) {
			t->run_facts = facts_run_local;
			t->probe_local = 1;
		} else {
			snprintf(cn->no_facts, sizeof(cn->no_facts),
			    "no shell access to %s through a tcp:// endpoint",
			    cn->ep.host);
			t->no_facts = cn->no_facts;
		}
		return 0;
	case EP_SSH:
		break;
	}
	/*
	 * ssh://: the tunnel service's session (the context's tunnel, or
	 * its pin made here) carries the Engine API and the fact script;
	 * the probes go to the host the SSH config names.
	 */
	{
		struct cmd_ctx local = *ctx;
		int newly = 0;

		err_init(&local.err);
		cn->run_dir = cmd_svc_run_dir(&local);
		if (svc_context_tunnelled(c)) {
			/* the tunnel service serves it: its socket */
			if (local.accept_new) {
				/* --accept-new: record the host key first */
				struct ssh_conn *sc = NULL;
				if (cmd_ssh_connect(&local, c->name, 1, &sc) !=
				    0)
					return err_set(err, local.err.code,
					    "%s", local.err.msg);
				ssh_close(sc);
			}
			cn->tunnel_sock = xstrdup(c->host + strlen("unix://"));
			if (svc_kick(local.config_dir, c, &local.err) != 0)
				return err_set(
				    err, local.err.code, "%s", local.err.msg);
			{
				/* not connected before: the session this
				 * audit opens is closed after it */
				char *ctl = svc_ctl_of(c);
				json_t *stv = svc_status(ctl);
				if (strcmp(svc_state_of(stv, c->name),
					"connected") != 0)
					cn->svc_stop_after = xstrdup(c->name);
				json_decref(stv);
				free(ctl);
			}
			cn->svc_connect = xstrdup(c->name);
			t->api_ready = conn_api_ready;
			t->api_ready_arg = cn;
			goto served;
		}
		/* direct: pinned to the service for the audit, unpinned
		 * after it when the user had not pinned it */
		if ((r = cmd_direct_serve(
			 &local, c, NULL, &newly, &cn->tunnel_sock)) != 0) {
			err_set(err, local.err.code, "%s", local.err.msg);
			return err_prefix(err, "context \"%s\"", c->name);
		}
		if (newly) {
			cn->stop_after = xstrdup(c->name);
			cn->config_dir = xstrdup(local.config_dir);
		}
	}
served:
	t->api.unix_path = cn->tunnel_sock;
	t->socket_path =
	    cn->ep.path ? cn->ep.path : ENDPOINT_DEFAULT_REMOTE_SOCKET;
	t->run_facts = svc_run_facts;
	t->run_arg = cn;
	cn->ctx = ctx;
	t->host = cn->ep.host;
	snprintf(cn->probe_host, sizeof(cn->probe_host), "%s", cn->ep.host);
	t->probe_host = probes ? cn->probe_host : NULL;
	return 0;
}

/*
 * The service connects a tunnelled context's session (an SSH handshake,
 * many round trips on a slow link) when asked.  Not in conn_open: that
 * runs in the main thread for every context of --all, one after the
 * other.  The audit's two threads call this (audit_daemon's api_ready,
 * and svc_run_facts) and both wait for the one connect: hosts connect at
 * once, and a key's passphrase is asked once.
 */
static int
conn_ready(struct cmd_ctx *ctx, struct conn *cn, struct cm_err *err)
{
	struct cmd_ctx local = *ctx;

	if (cn->svc_connect == NULL)
		return 0;
	err_init(&local.err);
	if (cmd_svc_connect(&local, cn->svc_connect, &local.err) != 0)
		return err_set(err, local.err.code, "%s", local.err.msg);
	return 0;
}

/* audit_daemon's api_ready: connect while the host facts are gathered. */
static int
conn_api_ready(void *arg, struct cm_err *err)
{
	struct conn *cn = arg;

	return conn_ready(cn->ctx, cn, err);
}

static void
conn_close(struct conn *cn)
{
	if (cn->stop_after != NULL) {
		/* leave no tunnel behind that the user did not ask for */
		struct cm_err e2;
		int was;
		(void)cmd_direct_unpin(
		    cn->config_dir, cn->stop_after, &was, &e2);
		free(cn->stop_after);
		free(cn->config_dir);
	}
	if (cn->svc_stop_after != NULL) {
		/* close the session; the socket stays, as the user made it */
		char *req = xasprintf("stop %s", cn->svc_stop_after);
		struct cm_err e2;
		struct buf b;
		buf_init(&b, 1 << 16);
		(void)svc_request(cn->run_dir, req, 10000, &b, &e2);
		buf_release(&b);
		free(req);
		free(cn->svc_stop_after);
	}
	free(cn->svc_connect);
	free(cn->tunnel_sock);
	free(cn->run_dir);
	endpoint_free(&cn->ep);
	buf_release(&cn->ca);
	buf_release(&cn->cert);
	buf_release(&cn->key);
}

/* ---- printing ---- */

static const char *
sev_color(enum severity s)
{
	return s >= SEV_HIGH ? C_RED : s == SEV_MEDIUM ? C_YELLOW : NULL;
}

static void
upper(char *dst, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		dst[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i];
	dst[i] = '\0';
}

static void
print_summary_line(struct cmd_ctx *ctx, const struct audit_report *r)
{
	size_t counts[SEV_COUNT];
	int s, first = 1;

	report_counts(r, counts);
	fprintf(ctx->out, "findings:");
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--) {
		fprintf(ctx->out, "%s %zu %s", first ? "" : ",", counts[s],
		    severity_name((enum severity)s));
		first = 0;
	}
	if (r->suppressed)
		fprintf(
		    ctx->out, " (%zu suppressed by the policy)", r->suppressed);
	fputc('\n', ctx->out);
}

/*
 * The objects a check's findings name, each once: "bad, web-1, +12
 * more".  Returns how many findings the check has.
 */
static size_t
affects(
    const struct audit_report *r, const struct check_def *c, struct buf *out)
{
	size_t i, j, n = 0, nobj = 0;

	for (i = 0; i < r->nf; i++) {
		if (r->f[i].check != c)
			continue;
		n++;
		for (j = 0; j < i; j++)
			if (r->f[j].check == c &&
			    strcmp(r->f[j].name, r->f[i].name) == 0)
				break;
		if (j < i)
			continue;
		if (nobj < 3)
			buf_printf(out, "%s%s", nobj ? ", " : "", r->f[i].name);
		nobj++;
	}
	if (nobj > 3)
		buf_printf(out, ", +%zu more", nobj - 3);
	return n;
}

/* -v: each object's evidence and the fix, under the check. */
static void
print_details(struct cmd_ctx *ctx, const struct audit_report *r,
    const size_t *order, size_t n)
{
	size_t i, j;
	char *s;

	for (i = 0; i < n; i++) {
		const struct check_def *c = &audit_checks[order[i]];
		fprintf(ctx->out, "\n%s%s%s (%s%s%s): %s\n",
		    cmd_color(ctx, C_BOLD), c->id, cmd_color(ctx, C_RESET),
		    severity_name(r->res[order[i]].sev),
		    *c->cis ? ", CIS " : "", c->cis, c->title);
		for (j = 0; j < r->nf; j++) {
			if (r->f[j].check != c)
				continue;
			s = output_safe(r->f[j].name);
			fprintf(ctx->out, "  %s %s: ", r->f[j].kind, s);
			free(s);
			s = output_safe(r->f[j].evidence);
			fprintf(ctx->out, "%s\n", s);
			free(s);
		}
		fprintf(ctx->out, "  fix: %s\n", c->remediation);
	}
}

/*
 * One row per failed check, with the objects it affects, in severity
 * order; -v adds each object's evidence and the fix.  JSON and SARIF
 * keep one result per object.
 */
static void
print_findings(struct cmd_ctx *ctx, const struct audit_report *r)
{
	static const char *const headers[] = { "SEVERITY", "CHECK", "CIS",
		"AFFECTS", "FINDING" };
	size_t counts[SEV_COUNT], i, k, *order, n = 0, nfind;
	struct table *t;
	struct buf objs;
	char sev[32], up[32], *done;
	int last = -1;

	if (r->nf == 0) {
		fprintf(ctx->out, "no findings\n");
		return;
	}
	report_counts(r, counts);
	done = xcalloc(audit_ncheck, 1);
	order = xcalloc(audit_ncheck, sizeof(*order));
	buf_init(&objs, 0);
	t = table_new(5, headers);
	for (i = 0; i < r->nf; i++) {
		const struct finding *f = &r->f[i];
		const char *cells[5];
		k = check_index(f->check);
		if (done[k])
			continue;
		done[k] = 1;
		order[n++] = k;
		sev[0] = '\0';
		if ((int)f->sev != last) {
			upper(up, sizeof(up), severity_name(f->sev));
			snprintf(
			    sev, sizeof(sev), "%s (%zu)", up, counts[f->sev]);
			last = (int)f->sev;
		}
		buf_reset(&objs);
		/* one finding: its own evidence; several: what they share */
		nfind = affects(r, f->check, &objs);
		cells[0] = sev;
		cells[1] = f->check->id;
		cells[2] = f->check->cis;
		cells[3] = objs.data;
		cells[4] = nfind == 1 ? f->evidence : f->check->title;
		table_add(t, cells);
		if (sev_color(f->sev) != NULL)
			table_color_last(t, sev_color(f->sev));
	}
	table_print(ctx, t);
	if (ctx->verbose)
		print_details(ctx, r, order, n);
	else
		fprintf(ctx->out,
		    "\n-v shows the evidence for each object and how to fix "
		    "it; \"ctxmgr audit explain\nCHECK\" explains a check.\n");
	buf_release(&objs);
	free(order);
	free(done);
}

/* Checks that did not run, and the errors, as plain lines. */
static void
print_gaps(struct cmd_ctx *ctx, const struct audit_report *r)
{
	size_t i, n = 0;
	char *s;

	for (i = 0; i < audit_ncheck; i++) {
		const struct check_result *res = &r->res[i];
		if (!res->in_scope ||
		    (res->st != CS_NOT_CHECKED && res->st != CS_ERROR))
			continue;
		if (n++ == 0)
			fprintf(ctx->out, "\nnot checked:\n");
		s = output_safe(res->reason ? res->reason : "");
		fprintf(ctx->out, "  %-32s %s%s\n", audit_checks[i].id,
		    res->st == CS_ERROR ? "error: " : "", s);
		free(s);
	}
	for (i = 0; i < r->errors.n; i++) {
		if (i == 0)
			fprintf(ctx->out, "\nerrors:\n");
		s = output_safe(r->errors.v[i]);
		fprintf(ctx->out, "  %s\n", s);
		free(s);
	}
}

static void
print_header(struct cmd_ctx *ctx, const struct audit_report *r)
{
	const char *v;
	char *ver = NULL, *api = NULL;
	size_t st[5];
	char *ep, *host;

	/* the daemon's own words: escaped like every remote string */
	if (r->daemon != NULL) {
		v = json_string_value(json_object_get(r->daemon, "version"));
		ver = v ? output_safe(v) : NULL;
		v = json_string_value(
		    json_object_get(r->daemon, "api_version"));
		api = v ? output_safe(v) : NULL;
	}
	ep = output_safe(r->endpoint ? r->endpoint : "");
	host = output_safe(r->host ? r->host : "");
	report_status_counts(r, st);
	fprintf(ctx->out, "%saudit of context \"%s\"%s (%s on %s)\n",
	    cmd_color(ctx, C_BOLD), r->context ? r->context : "",
	    cmd_color(ctx, C_RESET), ep, host);
	fprintf(ctx->out,
	    "daemon: %s%s%s%s; %zu containers, %zu images; %llu ms\n",
	    ver ? "Docker " : "unreachable", ver ? ver : "",
	    api ? ", API " : "", api ? api : "", r->ncontainers, r->nimages,
	    (unsigned long long)r->duration_ms);
	fprintf(ctx->out,
	    "checks: %zu passed, %zu failed, %zu not checked, %zu errors, "
	    "%zu ignored\n\n",
	    st[CS_PASS], st[CS_FAIL], st[CS_NOT_CHECKED], st[CS_ERROR],
	    st[CS_IGNORED]);
	free(ep);
	free(host);
	free(ver);
	free(api);
}

static int
print_json(struct cmd_ctx *ctx, json_t *v)
{
	enum output_format f = ctx->format;
	int r;

	if (ctx->format == FMT_SARIF)
		ctx->format = FMT_JSON;
	r = output_value(ctx, v);
	ctx->format = f;
	return r;
}

static int
print_report(struct cmd_ctx *ctx, struct audit_report *r)
{
	json_t *v;
	int rc;

	if (ctx->format == FMT_SARIF) {
		v = report_sarif(&r, 1, CTXMGR_VERSION);
		rc = print_json(ctx, v);
		json_decref(v);
		return rc;
	}
	if (ctx->format != FMT_TABLE) {
		v = report_json(r);
		rc = output_value(ctx, v);
		json_decref(v);
		return rc;
	}
	if (ctx->quiet) {
		print_summary_line(ctx, r);
		return 0;
	}
	if (strcmp(r->kind, "daemon") == 0)
		print_header(ctx, r);
	print_findings(ctx, r);
	print_gaps(ctx, r);
	fputc('\n', ctx->out);
	print_summary_line(ctx, r);
	return 0;
}

/* ---- audit [NAME] ---- */

static int
audit_one(struct cmd_ctx *ctx, struct store *st, const struct context *c,
    const struct audit_opts *o, struct audit_report **out, struct cm_err *err)
{
	struct conn cn;
	int r;

	if ((r = conn_open(ctx, st, c, o->probes, o->timeout_ms, &cn, err)) ==
	    0)
		r = audit_daemon(&cn.t, out, err);
	conn_close(&cn);
	if (r == 0)
		report_finish(*out, o->have_policy ? &o->policy : NULL);
	return r;
}

/*
 * --all: every context's connection is prepared first, in this thread
 * (starting the tunnel service forks, which must not happen while other
 * threads run), then a pool of threads audits them.
 */
struct all_job {
	const struct audit_opts *o;
	struct context **list;
	struct conn *conns;
	int *open_rc;
	struct cm_err *open_err;
	size_t n, next;
	struct audit_report **reps;
	pthread_mutex_t mu;
	struct progress pg; /* on stderr when a terminal */
};

/* A context that cannot be audited is a report too: all errors. */
static struct audit_report *
failed_report(const struct context *c, const char *msg)
{
	struct audit_report *r = report_new("daemon");
	size_t k;

	r->context = xstrdup(c->name);
	r->endpoint =
	    xstrdup(svc_context_ssh_url(c) ? svc_context_ssh_url(c) : c->host);
	for (k = 0; k < audit_ncheck; k++)
		if (audit_checks[k].group != G_SECCOMP)
			report_error(r, audit_checks[k].id, "%s", msg);
	report_finish(r, NULL);
	return r;
}

static void *
all_worker(void *arg)
{
	struct all_job *j = arg;
	struct cm_err err;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&j->mu);
		i = j->next++;
		pthread_mutex_unlock(&j->mu);
		if (i >= j->n)
			return NULL;
		progress_item(&j->pg, j->list[i]->name);
		err_init(&err);
		if (j->open_rc[i] != 0)
			j->reps[i] =
			    failed_report(j->list[i], j->open_err[i].msg);
		else if (audit_daemon(&j->conns[i].t, &j->reps[i], &err) != 0)
			j->reps[i] = failed_report(j->list[i], err.msg);
		else
			report_finish(j->reps[i],
			    j->o->have_policy ? &j->o->policy : NULL);
		progress_done_one(&j->pg);
	}
}

/* --all, after the table: each host with checks in error (not audited
 * at all, or incomplete) and the first cause, so no host's failure is a
 * bare count. */
static void
print_incomplete(struct cmd_ctx *ctx, struct audit_report **reps, size_t n)
{
	size_t i, k, s[5], shown = 0;
	int w = 0;
	const char *why;
	char *name, *safe;

	for (i = 0; i < n; i++)
		if (reps[i]->context != NULL &&
		    (int)strlen(reps[i]->context) > w)
			w = (int)strlen(reps[i]->context);
	for (i = 0; i < n; i++) {
		report_status_counts(reps[i], s);
		if (s[CS_ERROR] == 0 && reps[i]->errors.n == 0)
			continue;
		why = reps[i]->errors.n > 0 ? reps[i]->errors.v[0] : NULL;
		for (k = 0; why == NULL && k < audit_ncheck; k++)
			if (reps[i]->res[k].in_scope &&
			    reps[i]->res[k].st == CS_ERROR)
				why = reps[i]->res[k].reason;
		if (shown++ == 0)
			fprintf(ctx->out, "\nnot audited or incomplete:\n");
		name = output_safe(reps[i]->context ? reps[i]->context : "");
		safe = output_safe(why ? why : "unknown error");
		fprintf(ctx->out, "  %-*s  %zu check%s in error: %s\n", w, name,
		    s[CS_ERROR], s[CS_ERROR] == 1 ? "" : "s", safe);
		free(name);
		free(safe);
	}
}

static int
audit_all(struct cmd_ctx *ctx, struct cmd_args *a, const struct audit_opts *o)
{
	static const char *const headers[] = { "CONTEXT", "ENDPOINT",
		"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "NOT CHECKED",
		"ERRORS", "TIME" };
	struct context **all = NULL, **ssh;
	struct all_job job;
	struct store st;
	pthread_t th[AUDIT_JOBS_MAX];
	size_t n = 0, nssh = 0, i, nth;
	long long jobs = args_get_int(a, "jobs", AUDIT_JOBS_DEFAULT);
	int r, worst = 0, e;
	json_t *v, *arr;

	if (jobs < 1 || jobs > AUDIT_JOBS_MAX)
		return err_set(&ctx->err, ERR_USAGE,
		    "--jobs must be between 1 and %d", AUDIT_JOBS_MAX);
	if (a->argc > 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "--all and --filter choose the contexts: give no NAME");
	cmd_store_open(ctx, &st);
	if ((r = ctx_select(&st, args_get_all(a, "filter"), args_has(a, "all"),
		 CTX_SELECT_LOAD | CTX_SELECT_NO_DEFAULT, &all, &n,
		 &ctx->err)) != 0)
		goto out;
	if (n == 0) {
		r = err_set(&ctx->err, ERR_NOTFOUND, "no context matches");
		goto out;
	}
	ssh = xcalloc(n + 1, sizeof(*ssh));
	for (i = 0; i < n; i++)
		ssh[nssh++] = all[i];
	memset(&job, 0, sizeof(job));
	job.o = o;
	job.list = ssh;
	job.n = nssh;
	job.reps = xcalloc(nssh, sizeof(*job.reps));
	job.conns = xcalloc(nssh, sizeof(*job.conns));
	job.open_rc = xcalloc(nssh, sizeof(*job.open_rc));
	job.open_err = xcalloc(nssh, sizeof(*job.open_err));
	progress_init(&job.pg, ctx, "connecting", nssh);
	for (i = 0; i < nssh; i++) {
		progress_item(&job.pg, ssh[i]->name);
		err_init(&job.open_err[i]);
		if (ssh[i]->error != NULL || ssh[i]->host == NULL)
			job.open_rc[i] = err_set(&job.open_err[i], ERR_INVALID,
			    "context \"%s\": %s", ssh[i]->name,
			    ssh[i]->error != NULL ? ssh[i]->error
						  : "no Docker endpoint");
		else
			job.open_rc[i] = conn_open(ctx, &st, ssh[i], o->probes,
			    o->timeout_ms, &job.conns[i], &job.open_err[i]);
		progress_done_one(&job.pg);
	}
	progress_end(&job.pg);
	progress_init(&job.pg, ctx, "auditing", nssh);
	pthread_mutex_init(&job.mu, NULL);
	nth = (size_t)jobs < nssh ? (size_t)jobs : nssh;
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, all_worker, &job) != 0)
			break;
	nth = i;
	if (nth == 0)
		all_worker(&job);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&job.mu);
	progress_end(&job.pg);

	for (i = 0; i < nssh; i++)
		if ((e = report_exit(job.reps[i], o->fail_on)) != 0 &&
		    (worst == 0 || e == AUDIT_EXIT_FINDINGS))
			worst = e;
	if (ctx->format == FMT_SARIF) {
		v = report_sarif(job.reps, nssh, CTXMGR_VERSION);
		r = print_json(ctx, v);
		json_decref(v);
	} else if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; i < nssh; i++)
			json_array_append_new(arr, report_json(job.reps[i]));
		v = json_pack("{s:s,s:o}", "schema", "ctxmgr-audit-all/1",
		    "reports", arr);
		r = output_value(ctx, v);
		json_decref(v);
	} else {
		struct table *t = table_new(10, headers);
		for (i = 0; i < nssh; i++) {
			size_t c[SEV_COUNT], s[5];
			char num[7][24], ms[32];
			const char *cells[10];
			int k;
			report_counts(job.reps[i], c);
			report_status_counts(job.reps[i], s);
			for (k = 0; k < SEV_COUNT; k++)
				snprintf(num[k], sizeof(num[k]), "%zu",
				    c[SEV_CRITICAL - k]);
			snprintf(
			    num[5], sizeof(num[5]), "%zu", s[CS_NOT_CHECKED]);
			snprintf(num[6], sizeof(num[6]), "%zu", s[CS_ERROR]);
			snprintf(ms, sizeof(ms), "%llu ms",
			    (unsigned long long)job.reps[i]->duration_ms);
			cells[0] = ssh[i]->name;
			cells[1] = svc_context_ssh_url(ssh[i])
			    ? svc_context_ssh_url(ssh[i])
			    : ssh[i]->host;
			for (k = 0; k < 7; k++)
				cells[2 + k] = num[k];
			cells[9] = ms;
			table_add(t, cells);
			if (report_worst(job.reps[i]) >= SEV_HIGH ||
			    s[CS_ERROR] > 0)
				table_color_last(t, C_RED);
		}
		table_print(ctx, t);
		print_incomplete(ctx, job.reps, nssh);
	}
	for (i = 0; i < nssh; i++) {
		report_free(job.reps[i]);
		conn_close(&job.conns[i]);
	}
	free(job.reps);
	free(job.conns);
	free(job.open_rc);
	free(job.open_err);
	free(ssh);
	if (r == 0)
		r = worst;
out:
	context_list_free(all, n);
	store_release(&st);
	return r;
}

static int
cmd_audit_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct audit_report *rep = NULL;
	struct context *c = NULL;
	struct audit_opts o;
	struct store st;
	int r;

	if ((r = opts_load(ctx, a, &o)) != 0)
		return r;
	if (args_has(a, "all") || args_get_all(a, "filter")->n > 0) {
		r = audit_all(ctx, a, &o);
		opts_release(&o);
		return r;
	}
	cmd_store_open(ctx, &st);
	if ((r = cmd_load_context(ctx, &st, a->argc ? a->argv[0] : NULL, &c)) !=
	    0)
		goto out;
	if ((r = audit_one(ctx, &st, c, &o, &rep, &ctx->err)) != 0)
		goto out;
	if ((r = print_report(ctx, rep)) == 0)
		r = report_exit(rep, o.fail_on);
out:
	report_free(rep);
	context_free(c);
	store_release(&st);
	opts_release(&o);
	return r;
}

/* ---- audit image IMAGE ---- */

static void
human_size(long long n, char *out, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1000 && u + 1 < nitems(units)) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%lldB", n);
	else
		snprintf(out, len, "%.3g%s", v, units[u]);
}

static void
print_layers(struct cmd_ctx *ctx, const struct audit_report *r)
{
	static const char *const headers[] = { "STEP", "CREATED", "SIZE",
		"CREATED BY", "FLAGS" };
	json_t *layers = json_object_get(r->extra, "layers"), *l, *fl, *x;
	const char *user = json_string_value(json_object_get(r->extra, "user"));
	const char *id = json_string_value(json_object_get(r->extra, "id"));
	long long total = json_integer_value(json_object_get(r->extra, "size"));
	struct table *t;
	size_t i, k;
	char *safe, sz[32];

	safe = output_safe(r->subject);
	human_size(total, sz, sizeof(sz));
	fprintf(ctx->out, "%simage %s%s  %.19s  %s  user %s\n\n",
	    cmd_color(ctx, C_BOLD), safe, cmd_color(ctx, C_RESET),
	    id ? id : "?", sz, user && *user ? user : "root (none set)");
	free(safe);
	t = table_new(5, headers);
	json_array_foreach(layers, i, l)
	{
		char step[16], when[32], by[120], flags[64];
		const char *cells[5];
		time_t ct =
		    (time_t)json_integer_value(json_object_get(l, "created"));
		struct tm tm;
		const char *cb =
		    json_string_value(json_object_get(l, "created_by"));
		snprintf(step, sizeof(step), "%zu", i + 1);
		if (ct > 0 && gmtime_r(&ct, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		else
			snprintf(when, sizeof(when), "-");
		human_size(json_integer_value(json_object_get(l, "size")), sz,
		    sizeof(sz));
		snprintf(by, sizeof(by), "%.100s%s", cb ? cb : "",
		    cb && strlen(cb) > 100 ? "..." : "");
		flags[0] = '\0';
		fl = json_object_get(l, "flags");
		json_array_foreach(fl, k, x) snprintf(flags + strlen(flags),
		    sizeof(flags) - strlen(flags), "%s%s", k ? "," : "",
		    json_string_value(x));
		cells[0] = step;
		cells[1] = when;
		cells[2] = sz;
		cells[3] = by;
		cells[4] = flags;
		table_add(t, cells);
		if (flags[0] != '\0')
			table_color_last(t, C_YELLOW);
	}
	table_print(ctx, t);
	fputc('\n', ctx->out);
}

static int
cmd_audit_image_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct audit_report *rep = NULL;
	struct context *c = NULL;
	struct audit_opts o;
	struct store st;
	struct conn cn;
	int r;

	if ((r = opts_load(ctx, a, &o)) != 0)
		return r;
	memset(&cn, 0, sizeof(cn));
	cmd_store_open(ctx, &st);
	if ((r = cmd_load_context(ctx, &st, NULL, &c)) != 0)
		goto out;
	if ((r = conn_open(ctx, &st, c, 0, o.timeout_ms, &cn, &ctx->err)) ==
		0 &&
	    (r = conn_ready(ctx, &cn, &ctx->err)) == 0)
		r = audit_image(&cn.t, a->argv[0], &rep, &ctx->err);
	conn_close(&cn);
	if (r != 0)
		goto out;
	report_finish(rep, o.have_policy ? &o.policy : NULL);
	if (ctx->format == FMT_TABLE && !ctx->quiet)
		print_layers(ctx, rep);
	if ((r = print_report(ctx, rep)) == 0)
		r = report_exit(rep, o.fail_on);
out:
	report_free(rep);
	context_free(c);
	store_release(&st);
	opts_release(&o);
	return r;
}

/* ---- audit seccomp FILE ---- */

static int
cmd_audit_seccomp_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct audit_report *rep = NULL;
	struct audit_opts o;
	struct buf b;
	int r;

	if ((r = opts_load(ctx, a, &o)) != 0)
		return r;
	buf_init(&b, SECCOMP_MAX_SIZE);
	if ((r = cmd_read_input(ctx, a->argv[0], SECCOMP_MAX_SIZE, 0, &b)) ==
	    0) {
		audit_seccomp(a->argv[0], b.data, b.len, &rep);
		report_finish(rep, o.have_policy ? &o.policy : NULL);
		if ((r = print_report(ctx, rep)) == 0)
			r = report_exit(rep, o.fail_on);
	}
	buf_release(&b);
	report_free(rep);
	opts_release(&o);
	return r;
}

/* ---- audit checks ---- */

/* A check as `audit checks` and `audit explain` print it in JSON. */
static json_t *
check_json(const struct check_def *d)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", d->id, "group",
	    group_name(d->group), "cis", d->cis, "severity",
	    severity_name(d->sev), "title", d->title, "rationale", d->rationale,
	    "remediation", d->remediation);
}

static int
cmd_audit_checks_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "CHECK", "SEVERITY", "CIS",
		"TITLE" };
	struct table *t;
	json_t *arr, *o;
	size_t i;
	int r;

	(void)a;
	if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; i < audit_ncheck; i++) {
			o = check_json(&audit_checks[i]);
			json_array_append_new(arr, o);
		}
		r = output_value(ctx, arr);
		json_decref(arr);
		return r;
	}
	if (ctx->quiet) {
		for (i = 0; i < audit_ncheck; i++)
			fprintf(ctx->out, "%s\n", audit_checks[i].id);
		return 0;
	}
	t = table_new(4, headers);
	for (i = 0; i < audit_ncheck; i++) {
		const struct check_def *d = &audit_checks[i];
		const char *cells[4] = { d->id, severity_name(d->sev), d->cis,
			d->title };
		table_add(t, cells);
	}
	table_print(ctx, t);
	return 0;
}

/* ---- audit explain ID ---- */

static int
cmd_audit_explain_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct check_def *d = check_find(a->argv[0]);
	json_t *o;
	int r;

	if (d == NULL)
		return err_set(&ctx->err, ERR_NOTFOUND,
		    "no check \"%s\" (\"ctxmgr audit checks\" lists them)",
		    a->argv[0]);
	if (ctx->format != FMT_TABLE) {
		o = check_json(d);
		r = output_value(ctx, o);
		json_decref(o);
		return r;
	}
	fprintf(ctx->out, "%s%s%s: %s\n", cmd_color(ctx, C_BOLD), d->id,
	    cmd_color(ctx, C_RESET), d->title);
	fprintf(ctx->out, "severity: %s\n", severity_name(d->sev));
	fprintf(ctx->out, "CIS Docker Benchmark v1.6: %s\n",
	    *d->cis ? d->cis : "(no matching recommendation)");
	fprintf(
	    ctx->out, "\nwhy: %s\n\nfix: %s\n", d->rationale, d->remediation);
	return 0;
}

static const struct cmd_entry cmd_audit_image_entry = {
	.name = "image",
	.usage = "IMAGE [--fail-on LEVEL] [--format FORMAT]",
	.summary = "audit one image: its configuration and layer history",
	.help = "Runs the image checks (root user, no HEALTHCHECK, secrets "
		"named in ENV, ADD from\nURLs, downloads piped into a shell) "
		"and shows the history layer by layer,\noldest first, with "
		"sizes and the flagged steps.  Uses the current context\n(or "
		"--context).  Values of ENV entries are never shown.",
	.flags = audit_image_flags,
	.args = { 1, 1, COMPLETE_NONE, NULL },
	.exec = cmd_audit_image_exec,
	.formats = FMTS_DEFAULT | FMT_BIT(FMT_SARIF),
};

static const struct cmd_entry cmd_audit_seccomp_entry = {
	.name = "seccomp",
	.usage = "FILE [--fail-on LEVEL] [--format FORMAT]",
	.summary = "lint a seccomp profile",
	.help = "Flags a defaultAction that allows (a deny-list), dangerous "
		"calls (mount, ptrace,\nkexec_load, bpf, unshare, ...) "
		"allowed without a capability or argument\ncondition, unknown "
		"system call names and malformed profiles.  FILE may be\n\"-\" "
		"for standard input.",
	.flags = audit_seccomp_flags,
	.args = { 1, 1, COMPLETE_FILE, NULL },
	.exec = cmd_audit_seccomp_exec,
	.formats = FMTS_DEFAULT | FMT_BIT(FMT_SARIF),
};

static const struct cmd_entry cmd_audit_checks_entry = {
	.name = "checks",
	.usage = "[-q] [--format table|json|yaml]",
	.summary = "list the audit's checks with their CIS references",
	.help = "Ids are stable: use them in policies (ignore, severity, "
		"allow ... checks).",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_audit_checks_exec,
};

static const struct cmd_entry cmd_audit_explain_entry = {
	.name = "explain",
	.usage = "CHECK [--format table|json|yaml]",
	.summary = "explain a check: why it matters, how to fix it, its CIS "
		   "reference",
	.args = { 1, 1, COMPLETE_NONE, NULL },
	.exec = cmd_audit_explain_exec,
};

static const struct cmd_entry *const audit_subcommands[] = {
	&cmd_audit_image_entry, &cmd_audit_seccomp_entry,
	&cmd_audit_checks_entry, &cmd_audit_explain_entry, NULL
};

const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.usage = "[NAME] [--fail-on LEVEL] [--policy FILE] [--format FORMAT]\n"
		 "       ctxmgr audit --all | --filter KEY=VALUE... [-j N] "
		 "...\n"
		 "       ctxmgr audit image IMAGE | seccomp FILE | checks | "
		 "explain CHECK",
	.summary = "audit a Docker daemon's exposure, configuration and "
		   "containers",
	.help = "Audits the daemon of context NAME (default: the current "
		"one) from three sources:\nthe Engine API, a fixed fact script "
		"run on the host (locally for unix://\ncontexts, over SSH for "
		"ssh:// ones) and probes of the host's Docker ports\nfrom this "
		"machine.  Findings carry a stable check id, the CIS Docker\n"
		"Benchmark v1.6 reference and a severity; \"ctxmgr audit "
		"checks\" lists them.\n\nExit status: 0 nothing at or above "
		"--fail-on; 1 a finding at or above it;\n2 usage error; 3 the "
		"audit is incomplete (a check could not run because\nan answer "
		"was missing or broken).  Checks that could not look (no "
		"shell on the\nhost, permission) are reported as not checked "
		"and never pass.\n\n--all (every context but the default "
		"one) and --filter (as \"ls --filter\")\naudit many "
		"contexts of any scheme, -j at a time: one table, one JSON "
		"document\nor one SARIF log; a context that cannot be "
		"reached is listed with its errors.",
	.flags = audit_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_audit_exec,
	.subcommands = audit_subcommands,
	.formats = FMTS_DEFAULT | FMT_BIT(FMT_SARIF),
};
