/*
 * cmd-ca-rotate.c: `ca rotate`: renew the client certificates that are
 * due, all with one passphrase, one database write and one syncfs(2)
 * before and after the swaps (ca_cmd_issue_clients), and say which server
 * certificates are due and how to reissue them.
 */
#include "common/compat.h"

#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/output.h"
#include "ctxmgr/settings.h"
#include "ctxmgr/svckick.h"
#include "common/xmalloc.h"
#include "ctxmgr/select.h"

static const struct cmd_flag ca_rotate_flags[] = { CA_FLAG_DIR,
	CA_FLAG_PASSPHRASE,
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "every context holding a certificate of this CA, and the "
	    "server certificates" },
	{ "filter", 0, FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "every matching context holding a certificate of this CA "
	    "(name=GLOB, scheme=tcp, tag=T; no server certificates)" },
	{ "renew-before", 0, FLAG_STRING, COMPLETE_NONE, "PERCENT|DURATION",
	    "renew when this much of the lifetime is left: \"33%\" (the "
	    "default, i.e. past two thirds; else ca.rotation-window of "
	    "config.yaml) or \"30d\", \"12h\"" },
	{ "dry-run", 'n', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "say what would be renewed; change nothing" },
	{ "force", 'f', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "renew even when not due" },
	{ 0 } };

enum rot_action { ROT_RENEWED, ROT_WOULD, ROT_SKIPPED, ROT_DUE, ROT_FAILED };

static const char *const rot_names[] = { "renewed", "would renew", "skipped",
	"due", "failed" };

struct rot_item {
	char *name; /* context or server CN */
	enum cert_kind kind;
	enum rot_action action;
	char *reason;
	char *old_serial, *new_serial;
	time_t not_after;
	/* for a renewal */
	char *host;
	char *cn;
	enum x509_key_type key_type;
	int days;
};

struct rot_list {
	struct rot_item *v;
	size_t n;
};

static struct rot_item *
rot_add(struct rot_list *l, const char *name, enum cert_kind kind)
{
	struct rot_item *it;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	it->name = xstrdup(name);
	it->kind = kind;
	return it;
}

static void
rot_free(struct rot_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].reason);
		free(l->v[i].old_serial);
		free(l->v[i].new_serial);
		free(l->v[i].cn);
		free(l->v[i].host);
	}
	free(l->v);
}

static void
set_reason(struct rot_item *it, enum rot_action act, char *reason)
{
	it->action = act;
	free(it->reason);
	it->reason = reason;
}

static int
key_type_of_name(const char *s, enum x509_key_type *t)
{
	struct cm_err e2;

	return x509_key_type_parse(s, t, &e2) == 0;
}

/* Decide what to do for context `name`. */
static void
plan_context(struct ca *ca, struct store *st, const char *name, int named,
    const struct ca_renew_rule *rule, int force, time_t now, struct rot_list *l)
{
	struct context *c = NULL;
	struct cm_err e2;
	struct cadb_entry *e;
	struct rot_item *it;
	struct x509_info info;
	char when[16];
	X509 *x;
	time_t due_at, nb, na;

	memset(&info, 0, sizeof(info));
	if (store_load(st, name, &c, &e2) != 0) {
		if (named)
			set_reason(rot_add(l, name, CERT_CLIENT), ROT_FAILED,
			    xstrdup(e2.msg));
		return;
	}
	if ((x = ca_cmd_context_cert(st, name)) == NULL) {
		if (named)
			set_reason(rot_add(l, name, CERT_CLIENT), ROT_FAILED,
			    xstrdup("the context holds no client "
				    "certificate: use \"ca issue client\""));
		context_free(c);
		return;
	}
	it = rot_add(l, name, CERT_CLIENT);
	if (!x509_issued_by(x, ca->cert)) {
		set_reason(it, named ? ROT_FAILED : ROT_SKIPPED,
		    xstrdup("its certificate was not issued by this CA"));
		goto out;
	}
	(void)x509_info_get(x, &info, &e2);
	/* ours but no longer listed (pruned after expiry): the certificate
	 * itself says all that renewal needs */
	nb = info.not_before;
	na = info.not_after;
	it->old_serial = xstrdup(info.serial);
	it->not_after = na;
	if ((e = cadb_find(&ca->db, info.serial)) != NULL &&
	    e->status == CADB_REVOKED) {
		set_reason(it, ROT_SKIPPED,
		    xasprintf("its certificate is revoked: issue a new one "
			      "with \"ctxmgr ca issue client %s\"",
			name));
		goto out;
	}
	if (svc_context_ssh_url(c) != NULL) {
		set_reason(it, ROT_SKIPPED,
		    xstrdup("ssh:// context: TLS files are not used"));
		goto out;
	}
	it->cn = x509_common_name(x);
	it->host = c->host != NULL ? xstrdup(c->host) : xstrdup("");
	if (!key_type_of_name(info.key_type, &it->key_type))
		it->key_type = KEY_ECDSA_P256;
	it->days = (int)((na - nb - CA_BACKDATE + 43200) / 86400);
	if (it->days < 1)
		it->days = 1;
	due_at = ca_renew_at(nb, na, rule);
	ca_cmd_date(due_at, when);
	if (force)
		set_reason(it, ROT_WOULD, xstrdup("--force"));
	else if (now >= na)
		set_reason(it, ROT_WOULD, xstrdup("expired"));
	else if (now >= due_at)
		set_reason(it, ROT_WOULD,
		    xasprintf("due since %s (%ld days left)", when,
			ca_cmd_days_left(na, now)));
	else
		set_reason(it, ROT_SKIPPED,
		    xasprintf("not due: %ld days left, renews from %s",
			ca_cmd_days_left(na, now), when));
out:
	x509_info_release(&info);
	X509_free(x);
	context_free(c);
}

/* Server certificates are never swapped under a running dockerd: say
 * which are due and how to reissue them. */
static void
plan_servers(struct ca *ca, const struct ca_renew_rule *rule, int force,
    time_t now, struct rot_list *l, const struct strv *names)
{
	size_t i, j;
	struct buf cmd;

	buf_init(&cmd, 0);
	for (i = 0; i < ca->db.n; i++) {
		const struct cadb_entry *e = &ca->db.v[i];
		const char *cn = ca_server_cn(e);
		struct rot_item *it;
		time_t due_at;
		long left;
		int match = names->n == 0;
		if (cn == NULL || e->status != CADB_VALID)
			continue;
		for (j = 0; j < names->n; j++)
			match |= strcmp(names->v[j], cn) == 0;
		if (!match)
			continue;
		it = rot_add(l, cn, CERT_SERVER);
		it->old_serial = xstrdup(e->serial);
		it->not_after = e->not_after;
		due_at = ca_renew_at(e->not_before, e->not_after, rule);
		if (!force && now < due_at) {
			set_reason(it, ROT_SKIPPED,
			    xasprintf("not due: %ld days left",
				ca_cmd_days_left(e->not_after, now)));
			continue;
		}
		buf_reset(&cmd);
		buf_printf(&cmd, "ctxmgr ca issue server --cn %s --san ", cn);
		for (j = 0; j < e->sans.n; j++)
			buf_printf(&cmd, "%s%s", j ? "," : "", e->sans.v[j]);
		buf_printf(&cmd, " --days %ld",
		    (long)((e->not_after - e->not_before - CA_BACKDATE +
			       43200) /
			86400));
		left = ca_cmd_days_left(e->not_after, now);
		set_reason(it, ROT_DUE,
		    xasprintf("%s %ld day%s%s: reissue with \"%s\", then "
			      "\"ctxmgr ca deploy %s --restart\"",
			left < 0 ? "expired" : "", left < 0 ? -left : left,
			(left == 1 || left == -1) ? "" : "s",
			left < 0 ? " ago" : " left", cmd.data, cn));
	}
	buf_release(&cmd);
}

static void
print_rotation(struct cmd_ctx *ctx, const struct rot_list *l)
{
	static const char *const headers[] = { "ACTION", "KIND", "NAME",
		"SERIAL", "DETAIL" };
	struct table *t;
	char date[32];
	size_t i;

	if (ctx->format != FMT_TABLE) {
		json_t *arr = json_array();
		for (i = 0; i < l->n; i++) {
			const struct rot_item *it = &l->v[i];
			json_t *o = json_object();
			json_object_set_new(
			    o, "action", json_string(rot_names[it->action]));
			json_object_set_new(
			    o, "kind", json_string(x509_kind_name(it->kind)));
			json_object_set_new(o, "name", json_string(it->name));
			json_object_set_new(o, "serial",
			    json_string(it->old_serial ? it->old_serial : ""));
			if (it->new_serial)
				json_object_set_new(o, "newSerial",
				    json_string(it->new_serial));
			if (it->not_after) {
				x509_time_format(it->not_after, date);
				json_object_set_new(
				    o, "notAfter", json_string(date));
			}
			json_object_set_new(o, "reason",
			    json_string(it->reason ? it->reason : ""));
			json_array_append_new(arr, o);
		}
		(void)output_value(ctx, arr);
		json_decref(arr);
		return;
	}
	if (l->n == 0) {
		fprintf(ctx->out, "nothing to rotate\n");
		return;
	}
	t = table_new(nitems(headers), headers);
	for (i = 0; i < l->n; i++) {
		const struct rot_item *it = &l->v[i];
		char serial[48];
		const char *cells[5];
		if (it->new_serial)
			snprintf(serial, sizeof(serial), "%.16s -> %.16s",
			    it->old_serial ? it->old_serial : "",
			    it->new_serial);
		else
			snprintf(serial, sizeof(serial), "%.16s",
			    it->old_serial ? it->old_serial : "");
		cells[0] = rot_names[it->action];
		cells[1] = x509_kind_name(it->kind);
		cells[2] = it->name;
		cells[3] = serial;
		cells[4] = it->reason;
		table_add(t, cells);
		if (it->action == ROT_FAILED)
			table_color_last(t, C_RED);
		else if (it->action == ROT_RENEWED)
			table_color_last(t, C_GREEN);
		else if (it->action == ROT_DUE)
			table_color_last(t, C_YELLOW);
	}
	table_print(ctx, t);
}

/* Renew every item marked ROT_WOULD, all at once. */
static void
renew_all(
    struct cmd_ctx *ctx, struct ca *ca, struct store *st, struct rot_list *l)
{
	struct ca_client_job *v = xcalloc(l->n, sizeof(*v));
	size_t i, n = 0, *at = xcalloc(l->n, sizeof(*at));
	char date[16];

	for (i = 0; i < l->n; i++) {
		struct rot_item *it = &l->v[i];
		if (it->action != ROT_WOULD)
			continue;
		v[n].name = xstrdup(it->name);
		v[n].host = xstrdup(it->host);
		v[n].cn = xstrdup(it->cn);
		v[n].key_type = it->key_type;
		v[n].days = it->days;
		at[n++] = i;
	}
	ca_cmd_issue_clients(ctx, ca, st, v, n, "renewing");
	for (i = 0; i < n; i++) {
		struct rot_item *it = &l->v[at[i]];
		if (v[i].failed) {
			set_reason(it, ROT_FAILED, xstrdup(v[i].reason));
			continue;
		}
		it->new_serial = xstrdup(v[i].is.info.serial);
		it->not_after = v[i].is.info.not_after;
		ca_cmd_date(v[i].is.info.not_after, date);
		set_reason(it, ROT_RENEWED,
		    xasprintf("%s: new key and certificate, valid until %s%s%s",
			it->reason, date,
			v[i].archived ? "; its previous CA files are kept in "
				      : "",
			v[i].archived ? v[i].archived : ""));
	}
	ca_client_jobs_free(v, n);
	free(at);
}

static int
cmd_ca_rotate_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct ca_renew_rule rule;
	const char *rb = args_get(a, "renew-before");
	int all = args_has(a, "all"), force = args_has(a, "force");
	const struct strv *filters = args_get_all(a, "filter");
	int sel = all || filters->n > 0;
	int dry = args_has(a, "dry-run"), r, failed = 0, want = 0;
	struct strv names = { 0 };
	struct context **list = NULL;
	struct rot_list l = { 0 };
	struct store st;
	struct ca ca;
	time_t now = ca_now();
	size_t i, n = 0;

	memset(&ca, 0, sizeof(ca));
	ca.lock_fd = -1;
	cmd_store_open(ctx, &st);
	if (sel == (a->argc > 0) || (all && filters->n > 0)) {
		r = err_set(&ctx->err, ERR_USAGE,
		    sel ? "give context names, --all or --filter: one of them"
			: "name the contexts to rotate, or give --all or "
			  "--filter");
		goto out;
	}
	if ((r = settings_renew_rule(ctx, rb, &rule)) != 0)
		goto out;
	/* one rotation at a time: cron runs that overlap wait their turn */
	if ((r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0)
		goto out;
	if (sel) {
		if ((r = ctx_select(&st, filters, all, CTX_SELECT_NO_DEFAULT,
			 &list, &n, &ctx->err)) != 0)
			goto out;
		for (i = 0; i < n; i++)
			if (!list[i]->is_default && list[i]->error == NULL)
				plan_context(&ca, &st, list[i]->name, 0, &rule,
				    force, now, &l);
	} else
		for (i = 0; i < (size_t)a->argc; i++) {
			size_t j;
			int server = 0;
			for (j = 0; j < ca.db.n; j++)
				server |= ca_server_cn(&ca.db.v[j]) != NULL &&
				    strcmp(ca_server_cn(&ca.db.v[j]),
					a->argv[i]) == 0;
			if (server) {
				strv_push(&names, a->argv[i]);
				continue;
			}
			plan_context(
			    &ca, &st, a->argv[i], 1, &rule, force, now, &l);
		}
	if (all || names.n > 0)
		plan_servers(&ca, &rule, force, now, &l, &names);
	for (i = 0; i < l.n; i++)
		want |= l.v[i].action == ROT_WOULD;
	if (want && !dry) {
		if ((r = ca_cmd_unlock(ctx, a, &ca)) != 0)
			goto out;
		renew_all(ctx, &ca, &st, &l);
		err_init(&ctx->err);
	}
	for (i = 0; i < l.n; i++)
		failed += l.v[i].action == ROT_FAILED;
	print_rotation(ctx, &l);
	r = failed ? 1 : 0;
out:
	strv_free(&names);
	rot_free(&l);
	context_list_free(list, n);
	ca_close(&ca);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_ca_rotate_entry = {
	.name = "rotate",
	.usage = "CONTEXT... | --all | --filter KEY=VALUE... "
		 "[--renew-before PERCENT|DURATION] "
		 "[--dry-run] [--force]",
	.summary = "renew client certificates before they expire",
	.help = "Renews each client certificate past two thirds of its "
		"lifetime (step-ca's\nrule; --renew-before changes it) with a "
		"fresh key and the same lifetime,\nswapped into the context as "
		"one set.  The old certificate stays in the\nCA's issued/ "
		"directory, marked superseded; its key is destroyed.  Server\n"
		"certificates are listed when due with the command that "
		"reissues them:\ndockerd must restart to load a new one.  "
		"Idempotent and safe to run from\ncron (runs take turns on a "
		"lock); the passphrase is read only when\nsomething is due.  "
		"Exit status 1 when a renewal failed.  --filter (as \"ls "
		"--filter\") takes the\nmatching contexts of --all, without "
		"the server certificates.\n\n"
		"example crontab line:\n"
		"  17 3 * * * CTXMGR_CA_PASSPHRASE_FILE=$HOME/.ca-pass ctxmgr "
		"ca rotate --all -q",
	.flags = ca_rotate_flags,
	.args = { 0, -1, COMPLETE_CONTEXT_TCP, NULL },
	.exec = cmd_ca_rotate_exec,
	.attrs = CMD_SECRET,
};
