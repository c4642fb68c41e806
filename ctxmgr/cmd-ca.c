/*
 * cmd-ca.c: the `ca` group (a small TLS CA for Docker daemons): init, ls,
 * revoke, crl and the helpers the other ca commands share.  Issue and
 * rotate live in cmd-ca-issue.c.
 */
#include "common/compat.h"

#include <ctype.h>
#include <unistd.h>

#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/cmdutil.h"
#include "common/file.h"
#include "ctxmgr/output.h"
#include "keystore/passphrase.h"
#include "keystore/password.h"
#include "ctxmgr/settings.h"
#include "common/xmalloc.h"

int
ca_cmd_dir(struct cmd_ctx *ctx, struct cmd_args *a, char **dirp)
{
	return settings_ca_dir(ctx, args_get(a, "dir"), dirp);
}

int
ca_cmd_passphrase(
    struct cmd_ctx *ctx, struct cmd_args *a, int confirm, struct buf *out)
{
	const char *f = args_get(a, "passphrase-file");
	int r;

	if (f == NULL || *f == '\0')
		f = getenv(CA_PASSPHRASE_ENV);
	if (f != NULL && *f != '\0') {
		if (strcmp(f, "-") == 0)
			r = passphrase_from_fd(
			    STDIN_FILENO, PASSPHRASE_MAX, out, &ctx->err);
		else
			r = passphrase_from_file(f, out, &ctx->err);
	} else {
		r = passphrase_prompt(
		    confirm ? "New CA passphrase: " : "CA passphrase: ",
		    confirm, out, &ctx->err);
		if (r == ERR_NOTFOUND)
			return err_set(&ctx->err, ERR_USAGE,
			    "no terminal to ask for the CA passphrase: give "
			    "--passphrase-file FILE or set %s",
			    CA_PASSPHRASE_ENV);
	}
	if (r == 0 && out->len == 0)
		r = err_set(&ctx->err, ERR_INVALID, "the passphrase is empty");
	if (r == 0 && memchr(out->data, '\0', out->len) != NULL)
		r = err_set(
		    &ctx->err, ERR_INVALID, "the passphrase holds a NUL byte");
	if (r != 0)
		buf_reset(out);
	return r;
}

int
ca_cmd_open(struct cmd_ctx *ctx, struct cmd_args *a, struct ca *ca, int flags)
{
	struct store st;
	char *dir, *pending;
	int r;

	if ((r = ca_cmd_dir(ctx, a, &dir)) != 0)
		return r;
	r = ca_open(ca, dir, flags, &ctx->err);
	free(dir);
	if (r != 0)
		return r;
	/* a killed install left its record: finish it under both locks */
	pending = path_join(ca->dir, CA_PENDING_FILE);
	if (access(pending, F_OK) == 0) {
		if (!(flags & CA_OPEN_LOCK)) {
			dir = xstrdup(ca->dir);
			ca_close(ca);
			r = ca_open(ca, dir, flags | CA_OPEN_LOCK, &ctx->err);
			free(dir);
		}
		if (r == 0) {
			cmd_store_open(ctx, &st);
			r = ca_cmd_recover(ctx, ca, &st, 1);
			store_release(&st);
		}
		if (r == 0 && !(flags & CA_OPEN_LOCK)) {
			/* readers do not keep the writers' lock */
			file_unlock(ca->lock_fd);
			ca->lock_fd = -1;
		}
	}
	free(pending);
	return r;
}

int
ca_cmd_unlock(struct cmd_ctx *ctx, struct cmd_args *a, struct ca *ca)
{
	struct buf pass;
	int r;

	buf_init_secret(&pass, PASSPHRASE_MAX);
	if ((r = ca_cmd_passphrase(ctx, a, 0, &pass)) == 0)
		r = ca_unlock(ca, pass.data, pass.len, &ctx->err);
	buf_release(&pass);
	return r;
}

int
ca_cmd_days(struct cmd_ctx *ctx, struct cmd_args *a, int def, int *daysp)
{
	const char *s = args_get(a, "days");
	long long n;

	*daysp = def;
	if (s == NULL)
		return 0;
	if (parse_int(s, 1, CA_DAYS_MAX, &n) != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "--days must be a whole number from 1 to %d, not \"%s\"",
		    CA_DAYS_MAX, s);
	*daysp = (int)n;
	return 0;
}

void
ca_cmd_date(time_t t, char out[16])
{
	char full[32];

	x509_time_format(t, full);
	snprintf(out, 16, "%.10s", full);
}

long
ca_cmd_days_left(time_t t, time_t now)
{
	/* whole days, rounded toward zero either side */
	return (long)(difftime(t, now) / 86400.0);
}

const char *
ca_cmd_status(
    const struct cadb_entry *e, time_t now, const struct ca_renew_rule *rule)
{
	if (e->status == CADB_REVOKED)
		return "revoked";
	if (e->status == CADB_SUPERSEDED)
		return "superseded";
	if (now >= e->not_after)
		return "expired";
	if (now < e->not_before)
		return "not-yet-valid"; /* or the clock is wrong */
	if (now >= ca_renew_at(e->not_before, e->not_after, rule))
		return "due";
	return "valid";
}

/* ---- ca init ---- */

static const struct cmd_flag ca_init_flags[] = { CA_FLAG_DIR,
	{ "cn", 0, FLAG_STRING, COMPLETE_NONE, "NAME",
	    "the CA's common name (default \"ctxmgr CA\")" },
	{ "key-type", 't', FLAG_STRING, COMPLETE_CHOICE, "TYPE",
	    "key type (default ecdsa-p256)", X509_KEY_TYPES },
	{ "days", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "lifetime of the CA certificate (default 3650)" },
	CA_FLAG_PASSPHRASE,
	{ "allow-weak", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "accept a passphrase the strength check rejects" },
	{ "kdf-iterations", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "PBKDF2-HMAC-SHA256 rounds protecting the key (default 600000)" },
	{ 0 } };

/* Refuse a weak passphrase unless --allow-weak (then only warn). */
static int
check_strength(struct cmd_ctx *ctx, struct cmd_args *a, const struct buf *pass,
    const char *cn)
{
	const char *words[4] = { cn, "ctxmgr", "docker", NULL };
	struct pw_report rep;
	char crack[64];
	int r;

	if ((r = password_check(
		 pass->data, pass->len, words, &rep, &ctx->err)) != 0)
		return err_prefix(&ctx->err, "the passphrase");
	if (rep.score >= CA_PASSPHRASE_MIN_SCORE)
		return 0;
	/* "about 3 hours", but "less than a second", "centuries" */
	snprintf(crack, sizeof(crack), "about ");
	password_duration(rep.crack_seconds_slow, crack + 6, sizeof(crack) - 6);
	if (!isdigit((unsigned char)crack[6]))
		memmove(crack, crack + 6, strlen(crack + 6) + 1);
	if (args_has(a, "allow-weak")) {
		if (!ctx->quiet)
			fprintf(ctx->errout,
			    "warning: the passphrase is %s (score %d of 4, "
			    "%s to guess offline); kept because of "
			    "--allow-weak\n",
			    password_score_label(rep.score), rep.score, crack);
		return 0;
	}
	return err_set(&ctx->err, ERR_INVALID,
	    "the passphrase is too weak for a CA key: %s (score %d of 4, "
	    "%s to guess offline). %s Use a stronger one, or "
	    "--allow-weak",
	    password_score_label(rep.score), rep.score, crack, rep.feedback);
}

struct strength_arg {
	struct cmd_ctx *ctx;
	struct cmd_args *a;
	const char *cn;
};

static int
strength_cb(void *arg, const struct buf *pass, struct cm_err *err)
{
	struct strength_arg *s = arg;

	(void)err; /* check_strength fills ctx->err, which err is */
	return check_strength(s->ctx, s->a, pass, s->cn);
}

/* The new CA passphrase: on the terminal, rated after the first entry,
 * before it is asked for again; else from the file, then rated. */
static int
init_passphrase(
    struct cmd_ctx *ctx, struct cmd_args *a, const char *cn, struct buf *pass)
{
	struct strength_arg sa = { ctx, a, cn };
	const char *f = args_get(a, "passphrase-file");
	int r;

	if ((f == NULL || *f == '\0') &&
	    ((f = getenv(CA_PASSPHRASE_ENV)) == NULL || *f == '\0')) {
		r = passphrase_prompt_checked(
		    "New CA passphrase: ", strength_cb, &sa, pass, &ctx->err);
		if (r != ERR_NOTFOUND)
			return r;
	}
	if ((r = ca_cmd_passphrase(ctx, a, 1, pass)) != 0)
		return r;
	return check_strength(ctx, a, pass, cn);
}

static int
cmd_ca_init_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct ca_init_opts o;
	struct ca ca;
	struct buf pass;
	const char *kt = args_get(a, "key-type");
	char until[16], *dir = NULL, *key_path = NULL;
	long long iter = args_get_int(a, "kdf-iterations", CA_KDF_ITER_DEFAULT);
	int r;

	memset(&o, 0, sizeof(o));
	memset(&ca, 0, sizeof(ca));
	ca.lock_fd = -1;
	buf_init_secret(&pass, PASSPHRASE_MAX);
	if ((r = ca_cmd_dir(ctx, a, &dir)) != 0)
		goto out;
	o.dir = dir;
	o.cn = args_get(a, "cn") ? args_get(a, "cn") : "ctxmgr CA";
	o.key_type = KEY_ECDSA_P256;
	if ((kt != NULL &&
		(r = x509_key_type_parse(kt, &o.key_type, &ctx->err)) != 0) ||
	    (r = ca_cmd_days(ctx, a, CA_DAYS_DEFAULT, &o.days)) != 0 ||
	    (r = x509_cn_check(o.cn, &ctx->err)) != 0)
		goto out;
	if (iter < CA_KDF_ITER_MIN || iter > 100000000) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "--kdf-iterations must be from %d to 100000000",
		    CA_KDF_ITER_MIN);
		goto out;
	}
	o.kdf_iter = (int)iter;
	/* fail early, before asking for a passphrase */
	{
		char *cert = path_join(dir, CA_CERT_FILE);
		int exists = file_exists(cert);
		free(cert);
		if (exists) {
			r = err_set(&ctx->err, ERR_EXISTS,
			    "a CA already exists in \"%s\" (refusing to "
			    "overwrite it; use --dir for another one)",
			    dir);
			goto out;
		}
	}
	if ((r = init_passphrase(ctx, a, o.cn, &pass)) != 0)
		goto out;
	o.pass = pass.data;
	o.passlen = pass.len;
	if ((r = ca_init(&o, &ca, &ctx->err)) != 0)
		goto out;
	buf_release(&pass);
	ca_cmd_date(ca.db.v[0].not_after, until);
	key_path = path_join(dir, CA_KEY_FILE);
	if (ctx->format != FMT_TABLE) {
		json_t *v = json_object();
		json_object_set_new(v, "dir", json_string(dir));
		json_object_set_new(
		    v, "subject", json_string(ca.db.v[0].subject));
		json_object_set_new(
		    v, "serial", json_string(ca.db.v[0].serial));
		json_object_set_new(
		    v, "keyType", json_string(ca.db.v[0].key_type));
		json_object_set_new(v, "notAfter", json_string(until));
		json_object_set_new(v, "kdfIterations", json_integer(iter));
		r = output_value(ctx, v);
		json_decref(v);
		goto out;
	}
	fprintf(ctx->out,
	    "created CA \"%s\" in %s (%s, valid until %s)\n"
	    "  certificate  %s/%s\n"
	    "  key          %s (PKCS#8, AES-256-CBC, PBKDF2-HMAC-SHA256, "
	    "%lld rounds)\n"
	    "next: ctxmgr ca issue server --cn HOST --san "
	    "DNS:HOST,IP:ADDRESS\n",
	    o.cn, dir, ca.db.v[0].key_type, until, dir, CA_CERT_FILE, key_path,
	    iter);
out:
	buf_release(&pass);
	ca_close(&ca);
	free(key_path);
	free(dir);
	return r;
}

static const struct cmd_entry cmd_ca_init_entry = {
	.name = "init",
	.usage = "[--dir DIR] [--cn NAME] [--key-type TYPE] [--days N]",
	.summary = "create the CA: certificate, encrypted key, database",
	.help =
	    "The CA key is stored as encrypted PKCS#8 (AES-256-CBC, "
	    "PBKDF2-HMAC-SHA256)\nunder a passphrase that must pass the "
	    "strength check (zxcvbn score 4);\n--allow-weak overrides it.  "
	    "The CA certificate has a critical CA:TRUE\n(path length 0) and "
	    "keyCertSign, cRLSign.  An existing CA is never\noverwritten; the "
	    "directory appears complete or not at all.\n\n"
	    "examples:\n"
	    "  ctxmgr ca init\n"
	    "  ctxmgr ca init --key-type ed25519 --passphrase-file ~/.ca-pass",
	.flags = ca_init_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_ca_init_exec,
	.attrs = CMD_SECRET,
};

/* ---- ca ls ---- */

static const struct cmd_flag ca_ls_flags[] = { CA_FLAG_DIR,
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "also list certificates that were superseded by a renewal" },
	{ 0 } };

static json_t *
entry_json(
    const struct cadb_entry *e, time_t now, const struct ca_renew_rule *rule)
{
	json_t *o = json_object(), *sans = json_array();
	char t[32];
	size_t i;

	json_object_set_new(o, "serial", json_string(e->serial));
	json_object_set_new(o, "kind", json_string(x509_kind_name(e->kind)));
	json_object_set_new(o, "subject", json_string(e->subject));
	for (i = 0; i < e->sans.n; i++)
		json_array_append_new(sans, json_string(e->sans.v[i]));
	json_object_set_new(o, "sans", sans);
	json_object_set_new(o, "context", json_string(e->context));
	json_object_set_new(o, "keyType", json_string(e->key_type));
	x509_time_format(e->not_before, t);
	json_object_set_new(o, "notBefore", json_string(t));
	x509_time_format(e->not_after, t);
	json_object_set_new(o, "notAfter", json_string(t));
	json_object_set_new(
	    o, "daysLeft", json_integer(ca_cmd_days_left(e->not_after, now)));
	json_object_set_new(
	    o, "status", json_string(ca_cmd_status(e, now, rule)));
	if (e->status == CADB_REVOKED) {
		x509_time_format(e->revoked_at, t);
		json_object_set_new(o, "revokedAt", json_string(t));
	}
	if (*e->replaced_by != '\0')
		json_object_set_new(
		    o, "replacedBy", json_string(e->replaced_by));
	json_object_set_new(o, "sha256", json_string(e->sha256));
	return o;
}

static int
cmd_ca_ls_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "SERIAL", "KIND", "SUBJECT",
		"CONTEXT", "NOT AFTER", "DAYS LEFT", "STATUS" };
	struct ca ca;
	struct table *t;
	struct ca_renew_rule rule;
	time_t now = ca_now();
	int all = args_has(a, "all"), r;
	size_t i;

	if ((r = settings_renew_rule(ctx, NULL, &rule)) != 0)
		return r;
	if ((r = ca_cmd_open(ctx, a, &ca, 0)) != 0)
		goto out;
	if (ctx->format != FMT_TABLE) {
		json_t *arr = json_array();
		for (i = 0; i < ca.db.n; i++)
			if (all || ca.db.v[i].status != CADB_SUPERSEDED)
				json_array_append_new(
				    arr, entry_json(&ca.db.v[i], now, &rule));
		r = output_value(ctx, arr);
		json_decref(arr);
		goto out;
	}
	if (ctx->quiet) {
		for (i = 0; i < ca.db.n; i++)
			if (all || ca.db.v[i].status != CADB_SUPERSEDED)
				fprintf(ctx->out, "%s\n", ca.db.v[i].serial);
		goto out;
	}
	t = table_new(nitems(headers), headers);
	for (i = 0; i < ca.db.n; i++) {
		const struct cadb_entry *e = &ca.db.v[i];
		const char *cells[7], *st = ca_cmd_status(e, now, &rule);
		char serial[20], date[16], left[24];
		if (!all && e->status == CADB_SUPERSEDED)
			continue;
		snprintf(serial, sizeof(serial), "%.16s", e->serial);
		ca_cmd_date(e->not_after, date);
		snprintf(left, sizeof(left), "%ld",
		    ca_cmd_days_left(e->not_after, now));
		cells[0] = serial;
		cells[1] = x509_kind_name(e->kind);
		cells[2] = e->subject;
		cells[3] = e->context;
		cells[4] = date;
		cells[5] = left;
		cells[6] = st;
		table_add(t, cells);
		if (strcmp(st, "expired") == 0 || strcmp(st, "revoked") == 0)
			table_color_last(t, C_RED);
		else if (strcmp(st, "due") == 0)
			table_color_last(t, C_YELLOW);
		else if (strcmp(st, "superseded") == 0)
			table_color_last(t, C_DIM);
	}
	table_print(ctx, t);
out:
	ca_close(&ca);
	return r;
}

static const struct cmd_entry cmd_ca_ls_entry = {
	.name = "ls",
	.usage = "[--all] [--format table|json|yaml]",
	.summary = "list issued certificates and their status",
	.help = "STATUS is valid, not-yet-valid (the clock is before its "
		"notBefore),\ndue (past two thirds of its lifetime: \"ca "
		"rotate\" renews it), expired,\nrevoked, or superseded "
		"(replaced by a renewal; shown with --all).  SERIAL\nshows "
		"the first 16 hex digits; --format json gives all of it.  "
		"The\ndatabase signature is checked with the CA certificate, "
		"so no passphrase\nis needed.",
	.flags = ca_ls_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_ca_ls_exec,
};

/* ---- ca revoke ---- */

static const struct cmd_flag ca_revoke_flags[] = { CA_FLAG_DIR,
	CA_FLAG_PASSPHRASE, { 0 } };

/* The certificate `arg` names: a context's client certificate, a server
 * CN, or a serial (prefix). */
static int
resolve_target(
    struct cmd_ctx *ctx, struct ca *ca, const char *arg, struct cadb_entry **ep)
{
	struct cadb_entry *by_name = NULL, *by_serial = NULL;
	struct cm_err e2;
	struct store st;
	struct buf b;
	X509 *x = NULL;
	size_t i;

	*ep = NULL;
	cmd_store_open(ctx, &st);
	buf_init(&b, STORE_TLS_MAX);
	if (context_name_check(arg, &e2) == 0 && store_exists(&st, arg) &&
	    store_tls_read(&st, arg, "docker", "cert.pem", &b, &e2) == 0 &&
	    x509_cert_load(b.data, b.len, "cert.pem", &x, &e2) == 0)
		by_name = ca_lookup(ca, x);
	X509_free(x);
	buf_release(&b);
	store_release(&st);
	for (i = 0; by_name == NULL && i < ca->db.n; i++) {
		struct cadb_entry *e = &ca->db.v[i];
		if (e->status == CADB_VALID && ca_server_cn(e) != NULL &&
		    strcmp(ca_server_cn(e), arg) == 0)
			by_name = e;
	}
	(void)cadb_find_prefix(&ca->db, arg, &by_serial, &e2);
	if (by_name != NULL && by_serial != NULL && by_name != by_serial)
		return err_set(&ctx->err, ERR_INVALID,
		    "\"%s\" names both a context or server and another "
		    "certificate's serial: give the full serial",
		    arg);
	*ep = by_name ? by_name : by_serial;
	if (*ep != NULL)
		return 0;
	if (cadb_find_prefix(&ca->db, arg, &by_serial, &ctx->err) ==
	    ERR_INVALID)
		return ERR_INVALID;
	return err_set(&ctx->err, ERR_NOTFOUND,
	    "no certificate of this CA matches \"%s\" (a serial, a context "
	    "or a server name)",
	    str_has_ctrl(arg) ? "..." : arg);
}

static int
cmd_ca_revoke_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct cadb_entry *e;
	struct ca ca;
	struct buf old, crl;
	char until[16], when[32];
	size_t i, nrev = 0;
	int r;

	buf_init(&old, CADB_MAX_BYTES);
	buf_init(&crl, 0);
	if ((r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0 ||
	    (r = resolve_target(ctx, &ca, a->argv[0], &e)) != 0)
		goto out;
	if (e->kind == CERT_CA) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "the CA cannot revoke itself: to stop trusting it, "
		    "replace it (ca init --dir NEW) and reissue");
		goto out;
	}
	if (e->status == CADB_REVOKED) {
		x509_time_format(e->revoked_at, when);
		fprintf(ctx->out, "certificate %s was revoked on %s already\n",
		    e->serial, when);
		goto out;
	}
	if ((r = ca_cmd_unlock(ctx, a, &ca)) != 0)
		goto out;
	buf_add(&old, ca.db_bytes.data, ca.db_bytes.len);
	e->status = CADB_REVOKED;
	e->revoked_at = ca_now();
	/* the CRL number moves with the database: save after the CRL */
	if ((r = ca_crl(&ca, 30, &crl, &ctx->err)) != 0 ||
	    (r = ca_save(&ca, &ctx->err)) != 0) {
		struct cm_err e2;
		(void)ca_rollback(&ca, &old, &e2);
		goto out;
	}
	for (i = 0; i < ca.db.n; i++)
		nrev += ca.db.v[i].status == CADB_REVOKED;
	ca_cmd_date(e->not_after, until);
	fprintf(ctx->out,
	    "revoked %s certificate %s (%s%s%s%s)\n"
	    "CRL written to %s/%s (%zu revoked)\n\n%s\n"
	    "This certificate stays usable against dockerd until %s.\n",
	    x509_kind_name(e->kind), e->serial, e->subject,
	    *e->context ? ", context \"" : "", e->context,
	    *e->context ? "\"" : "", ca.dir, CA_CRL_FILE, nrev, CA_CRL_CAVEAT,
	    until);
out:
	buf_release(&old);
	buf_release(&crl);
	ca_close(&ca);
	return r;
}

static const struct cmd_entry cmd_ca_revoke_entry = {
	.name = "revoke",
	.usage = "SERIAL | CONTEXT | SERVER-CN",
	.summary = "mark a certificate revoked and write a CRL",
	.help = "SERIAL may be the first 8 or more hex digits.  A context "
		"name revokes the\nclient certificate it holds; a server "
		"name the current server certificate.\n\n" CA_CRL_CAVEAT,
	.flags = ca_revoke_flags,
	.args = { 1, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_ca_revoke_exec,
	.attrs = CMD_SECRET,
};

/* ---- ca crl ---- */

static const struct cmd_flag ca_crl_flags[] = { CA_FLAG_DIR, CA_FLAG_PASSPHRASE,
	{ "out", 'o', FLAG_STRING, COMPLETE_FILE, "FILE",
	    "write the CRL to FILE (default: standard output)" },
	{ "days", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "days until the CRL's next update (default 30)" },
	{ 0 } };

static int
cmd_ca_crl_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *out = args_get(a, "out");
	struct ca ca;
	struct buf old, crl;
	int r, days;

	buf_init(&old, CADB_MAX_BYTES);
	buf_init(&crl, 0);
	if ((r = ca_cmd_days(ctx, a, 30, &days)) != 0 ||
	    (r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0 ||
	    (r = ca_cmd_unlock(ctx, a, &ca)) != 0)
		goto out;
	buf_add(&old, ca.db_bytes.data, ca.db_bytes.len);
	if ((r = ca_crl(&ca, days, &crl, &ctx->err)) != 0 ||
	    (r = ca_save(&ca, &ctx->err)) != 0) {
		struct cm_err e2;
		(void)ca_rollback(&ca, &old, &e2);
		goto out;
	}
	if (out != NULL && strcmp(out, "-") != 0) {
		if ((r = file_write_atomic(
			 out, crl.data, crl.len, 0644, 0, &ctx->err)) != 0)
			goto out;
		fprintf(ctx->out, "CRL written to %s\n", out);
	} else
		fwrite(crl.data, 1, crl.len, ctx->out);
	if (!ctx->quiet)
		fprintf(ctx->errout, "%s\n", CA_CRL_CAVEAT);
out:
	buf_release(&old);
	buf_release(&crl);
	ca_close(&ca);
	return r;
}

static const struct cmd_entry cmd_ca_crl_entry = {
	.name = "crl",
	.usage = "[--out FILE] [--days N]",
	.summary = "write a CRL of the revoked certificates",
	.help = "The CRL is also kept as crl.pem in the CA directory, for "
		"tools that check\nit (a reverse proxy in front of dockerd, "
		"for example).\n\n" CA_CRL_CAVEAT,
	.flags = ca_crl_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_ca_crl_exec,
	.attrs = CMD_SECRET,
};

static const struct cmd_entry *const ca_subcommands[] = { &cmd_ca_init_entry,
	&cmd_ca_issue_entry, &cmd_ca_rotate_entry, &cmd_ca_deploy_entry,
	&cmd_ca_ls_entry, &cmd_ca_revoke_entry, &cmd_ca_crl_entry, NULL };

const struct cmd_entry cmd_ca_entry = {
	.name = "ca",
	.usage = "COMMAND [options]",
	.summary = "a small TLS CA for Docker daemons and their clients",
	.help =
	    "Replaces the dozen openssl commands of Docker's \"Protect "
	    "the Docker daemon\nsocket\" guide: one CA, server "
	    "certificates for dockerd --tlsverify, client\ncertificates "
	    "written into Docker contexts, and rotation before they "
	    "expire.\n\n"
	    "  ctxmgr ca init\n"
	    "  ctxmgr ca issue server --cn docker1 --san "
	    "DNS:docker1.example.com,IP:192.0.2.7\n"
	    "  ctxmgr ca deploy docker1 --context admin1 --restart  # over "
	    "SSH\n"
	    "  ctxmgr create docker1 --host tcp://docker1.example.com:2376\n"
	    "  ctxmgr ca issue client docker1\n"
	    "  ctxmgr ca rotate --all     # from cron, with "
	    "CTXMGR_CA_PASSPHRASE_FILE",
	.subcommands = ca_subcommands,
};
