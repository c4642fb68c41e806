/*
 * cmd-ca-issue.c: `ca issue server`, `ca issue client` and `ca rotate`:
 * certificates from the CA, written where dockerd and the docker CLI
 * read them.  Client certificates go into a context's TLS store as one
 * set (store_tls_stage and store_tls_commit), so a docker command never
 * finds a new certificate beside an old key in the directory.
 */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/dirswap.h"
#include "common/endpoint.h"
#include "common/file.h"
#include "ctxmgr/output.h"
#include "common/syncset.h"
#include "common/xmalloc.h"

#define TLS_EP "docker"

/* ---- shared ---- */

/*
 * The CA bundle for a context: ours first, then any other CA the
 * context trusted already (rollover, or a daemon signed elsewhere),
 * found by fingerprint: OpenSSL 3.0 would set up a key decoder for
 * each one it parsed.
 */
static void
ca_bundle(struct ca *ca, const struct buf *old_ca, struct buf *out)
{
	char fp[65];

	buf_add(out, ca->cert_pem.data, ca->cert_pem.len);
	/* the usual case, a context that trusts only this CA */
	if (old_ca->len == 0 ||
	    (old_ca->len == ca->cert_pem.len &&
		memcmp(old_ca->data, ca->cert_pem.data, old_ca->len) == 0))
		return;
	if (x509_pem_fingerprint(ca->cert_pem.data, ca->cert_pem.len, fp) == 0)
		(void)x509_pem_certs_except(old_ca->data, old_ca->len, fp, out);
}

/* Copy the files of a swapped-out TLS dir into the CA's archive. */
static int
archive_old(struct cmd_ctx *ctx, struct ca *ca, const char *name,
    const char *old, char **wherep)
{
	static const char *const files[] = { "ca.pem", "cert.pem", "key.pem" };
	char stamp[32], *base, *dir, *from, *to;
	struct buf b;
	size_t i;
	int r = 0;

	x509_time_format(ca_now(), stamp);
	base = path_join(ca->dir, "archive");
	to = xasprintf("%s-%s", name, stamp);
	dir = path_join(base, to);
	free(to);
	buf_init_secret(&b, STORE_TLS_MAX);
	if ((r = dir_ensure(dir, 0700, &ctx->err)) != 0)
		goto out;
	for (i = 0; i < nitems(files) && r == 0; i++) {
		from = path_join(old, files[i]);
		to = path_join(dir, files[i]);
		buf_reset(&b);
		if (file_read(from, STORE_TLS_MAX, FILE_NOFOLLOW, &b, NULL) ==
		    0)
			r = file_write_atomic(
			    to, b.data, b.len, 0600, 0, &ctx->err);
		free(from);
		free(to);
	}
	if (r == 0)
		*wherep = xstrdup(dir);
out:
	buf_release(&b);
	free(dir);
	free(base);
	return r;
}

/* The files a context gets for an issued certificate; `bundle` holds
 * the ca.pem text the first entry points to. */
static void
client_files(struct ca *ca, struct store *st, const char *name,
    const struct ca_issued *is, struct dirswap_file files[3],
    struct buf *bundle)
{
	struct buf old_ca;
	struct cm_err e2;

	buf_init(&old_ca, STORE_TLS_MAX);
	(void)store_tls_read(st, name, TLS_EP, "ca.pem", &old_ca, &e2);
	ca_bundle(ca, &old_ca, bundle);
	buf_release(&old_ca);
	files[0] =
	    (struct dirswap_file){ "ca.pem", bundle->data, bundle->len, 0600 };
	files[1] = (struct dirswap_file){ "cert.pem", is->cert_pem.data,
		is->cert_pem.len, 0600 };
	files[2] = (struct dirswap_file){ "key.pem", is->key_pem.data,
		is->key_pem.len, 0600 };
}

/* After a swap: archive another CA's old files when asked, then remove
 * the old set (its key with it).  The new files are in place, so an
 * archive failure only warns. */
static void
finish_old(struct cmd_ctx *ctx, struct ca *ca, const char *name,
    const char *old, int archive, char **archivedp)
{
	if (old == NULL)
		return;
	if (archive && archive_old(ctx, ca, name, old, archivedp) != 0) {
		fprintf(ctx->errout,
		    "warning: cannot archive the old TLS files of \"%s\": "
		    "%s\n",
		    name, ctx->err.msg);
		err_init(&ctx->err);
	}
	dirswap_discard(old);
}

/*
 * Record an issued client certificate and install it into context
 * `name` (store lock held): the new database and the context's new TLS
 * set are written beside the old ones and synced together (syncset.h),
 * then the database is moved into place and synced, then the TLS set is
 * swapped in.  So a crash never leaves a certificate in a context that
 * the database does not list, and the five fsyncs wait as one.  The old
 * files of another CA are archived when `archive`.  On failure the
 * context is unchanged; the database may have been saved (the caller
 * rolls it back).
 */
static int
save_and_install(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    const char *name, const struct ca_issued *is, int archive, char **archivedp)
{
	struct dirswap_file files[3];
	struct ca_saving sv;
	struct syncset ss;
	struct buf bundle;
	char *stage = NULL, *old = NULL;
	int r;

	*archivedp = NULL;
	buf_init(&bundle, 0);
	syncset_init(&ss);
	client_files(ca, st, name, is, files, &bundle);
	if ((r = ca_save_stage(ca, &sv, &ctx->err)) != 0)
		goto out;
	if ((r = store_tls_stage(st, name, TLS_EP, files, nitems(files), &stage,
		 &ctx->err)) != 0 ||
	    (r = syncset_add(&ss, sv.file.tmp, &ctx->err)) != 0 ||
	    (r = syncset_add_dir(&ss, stage, &ctx->err)) != 0 ||
	    (r = syncset_flush(&ss, &ctx->err)) != 0) {
		ca_save_abort(&sv);
		goto out;
	}
	if ((r = ca_save_commit(ca, &sv, &ctx->err)) != 0)
		goto out;
	r = store_tls_commit(st, name, TLS_EP, stage, 0, &old, &ctx->err);
	free(stage);
	stage = NULL;
	if (r == 0)
		finish_old(ctx, ca, name, old, archive, archivedp);
out:
	if (stage != NULL)
		(void)dir_remove_tree(stage, NULL);
	syncset_release(&ss);
	free(stage);
	free(old);
	buf_release(&bundle);
	return r;
}

/* A context that can take a client certificate: tcp:// only. */
static int
check_tls_context(struct cmd_ctx *ctx, const struct context *c)
{
	struct endpoint ep;
	struct cm_err e2;
	int r, scheme;

	if (c->is_default)
		return err_set(&ctx->err, ERR_USAGE,
		    "the default context has no TLS store: create a context "
		    "with --host tcp://HOST:2376 first");
	if (c->host == NULL)
		return err_set(&ctx->err, ERR_USAGE,
		    "context \"%s\" has no Docker endpoint", c->name);
	r = endpoint_parse(c->host, &ep, &e2);
	scheme = ep.scheme;
	endpoint_free(&ep);
	if (r != 0)
		return err_set(&ctx->err, ERR_INVALID, "context \"%s\": %s",
		    c->name, e2.msg);
	if (scheme == EP_SSH || svc_context_tunnelled(c))
		return err_set(&ctx->err, ERR_USAGE,
		    "context \"%s\" uses ssh://: SSH already protects that "
		    "connection and Docker ignores TLS files there; client "
		    "certificates are for tcp:// contexts",
		    c->name);
	if (scheme != EP_TCP)
		return err_set(&ctx->err, ERR_USAGE,
		    "context \"%s\" uses %s://: client certificates are for "
		    "tcp:// contexts",
		    c->name,
		    endpoint_scheme_name((enum endpoint_scheme)scheme));
	return 0;
}

/*
 * The database entry of the certificate a context holds, found by its
 * fingerprint without parsing it, or NULL (then context_cert and
 * ca_lookup decide).
 */
static struct cadb_entry *
context_entry(struct ca *ca, struct store *st, const char *name)
{
	struct cm_err e2;
	struct buf b;
	char fp[65];
	size_t i;

	buf_init(&b, STORE_TLS_MAX);
	if (store_tls_read(st, name, TLS_EP, "cert.pem", &b, &e2) != 0 ||
	    x509_pem_fingerprint(b.data, b.len, fp) != 0)
		fp[0] = '\0';
	buf_release(&b);
	for (i = 0; fp[0] != '\0' && i < ca->db.n; i++)
		if (ca->db.v[i].sha256 != NULL &&
		    strcmp(ca->db.v[i].sha256, fp) == 0)
			return &ca->db.v[i];
	return NULL;
}

/* The certificate a context holds now, or NULL. */
static X509 *
context_cert(struct store *st, const char *name)
{
	struct cm_err e2;
	struct buf b;
	X509 *x = NULL;

	buf_init(&b, STORE_TLS_MAX);
	if (store_tls_read(st, name, TLS_EP, "cert.pem", &b, &e2) == 0)
		(void)x509_cert_load(b.data, b.len, "cert.pem", &x, &e2);
	buf_release(&b);
	return x;
}

static int
parse_key_type(struct cmd_ctx *ctx, struct cmd_args *a, enum x509_key_type *t)
{
	const char *s = args_get(a, "key-type");

	*t = KEY_ECDSA_P256;
	return s ? x509_key_type_parse(s, t, &ctx->err) : 0;
}

/* ---- ca issue server ---- */

static const struct cmd_flag ca_issue_server_flags[] = { CA_FLAG_DIR,
	CA_FLAG_PASSPHRASE,
	{ "cn", 0, FLAG_STRING, COMPLETE_NONE, "NAME",
	    "the server's name (also names its directory in the CA)" },
	{ "san", 0, FLAG_LIST, COMPLETE_NONE, "DNS:NAME,IP:ADDR",
	    "names clients connect to (required; repeatable)" },
	{ "days", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "lifetime in days (default 365)" },
	{ "key-type", 't', FLAG_STRING, COMPLETE_CHOICE, "TYPE",
	    "key type (default ecdsa-p256)", X509_KEY_TYPES },
	{ "out", 'o', FLAG_STRING, COMPLETE_DIR, "DIR",
	    "also write ca.pem, server-cert.pem, server-key.pem to DIR" },
	{ 0 } };

static void
print_server(struct cmd_ctx *ctx, const char *cn, const struct ca_issued *is,
    const char *dir, const char *old_serial)
{
	char until[16];
	size_t i;

	ca_cmd_date(is->info.not_after, until);
	if (ctx->format != FMT_TABLE) {
		json_t *o = json_object(), *sans = json_array(), *files;
		json_t *dj = json_object(), *hosts = json_array();
		char *p;
		json_object_set_new(o, "serial", json_string(is->info.serial));
		json_object_set_new(
		    o, "subject", json_string(is->info.subject));
		for (i = 0; i < is->info.sans.n; i++)
			json_array_append_new(
			    sans, json_string(is->info.sans.v[i]));
		json_object_set_new(o, "sans", sans);
		json_object_set_new(
		    o, "keyType", json_string(is->info.key_type));
		json_object_set_new(o, "notAfter", json_string(until));
		if (old_serial)
			json_object_set_new(
			    o, "replaces", json_string(old_serial));
		files = json_object();
		p = path_join(dir, "ca.pem");
		json_object_set_new(files, "ca", json_string(p));
		json_object_set_new(dj, "tlscacert", json_string(p));
		free(p);
		p = path_join(dir, "server-cert.pem");
		json_object_set_new(files, "cert", json_string(p));
		json_object_set_new(dj, "tlscert", json_string(p));
		free(p);
		p = path_join(dir, "server-key.pem");
		json_object_set_new(files, "key", json_string(p));
		json_object_set_new(dj, "tlskey", json_string(p));
		free(p);
		json_object_set_new(dj, "tlsverify", json_true());
		json_array_append_new(hosts, json_string("tcp://0.0.0.0:2376"));
		json_object_set_new(dj, "hosts", hosts);
		json_object_set_new(o, "files", files);
		json_object_set_new(o, "daemonJson", dj);
		(void)output_value(ctx, o);
		json_decref(o);
		return;
	}
	fprintf(ctx->out,
	    "issued server certificate \"%s\" (serial %s, %s, valid until "
	    "%s)\n",
	    cn, is->info.serial, is->info.key_type, until);
	if (old_serial)
		fprintf(ctx->out, "  replaces serial %s\n", old_serial);
	fprintf(ctx->out, "  names        ");
	for (i = 0; i < is->info.sans.n; i++)
		fprintf(ctx->out, "%s%s", i ? ", " : "", is->info.sans.v[i]);
	fprintf(ctx->out,
	    "\n  files        %s/{ca.pem,server-cert.pem,server-key.pem}\n\n"
	    "dockerd flags:\n"
	    "  dockerd --tlsverify --tlscacert=%s/ca.pem \\\n"
	    "    --tlscert=%s/server-cert.pem --tlskey=%s/server-key.pem \\\n"
	    "    -H tcp://0.0.0.0:2376 -H unix:///var/run/docker.sock\n\n"
	    "or in /etc/docker/daemon.json (drop \"hosts\" if the service "
	    "already passes -H):\n"
	    "  {\n"
	    "    \"tlsverify\": true,\n"
	    "    \"tlscacert\": \"%s/ca.pem\",\n"
	    "    \"tlscert\": \"%s/server-cert.pem\",\n"
	    "    \"tlskey\": \"%s/server-key.pem\",\n"
	    "    \"hosts\": [\"tcp://0.0.0.0:2376\", "
	    "\"unix:///var/run/docker.sock\"]\n"
	    "  }\n"
	    "Copy the three files to the daemon's host (or use \"ctxmgr ca "
	    "deploy\") and\nrestart dockerd: it reads certificates only when "
	    "it starts.\n",
	    dir, dir, dir, dir, dir, dir, dir);
}

static int
cmd_ca_issue_server_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct strv *specs = args_get_all(a, "san");
	const char *cn = args_get(a, "cn"), *outdir = args_get(a, "out");
	struct ca_issue_opts o;
	struct ca_issued is;
	struct strv sans = { 0 };
	struct ca ca;
	struct buf old;
	struct cadb_entry *prev;
	char *old_serial = NULL, *dir = NULL;
	size_t i;
	int r, days, issued = 0;

	memset(&is, 0, sizeof(is));
	memset(&o, 0, sizeof(o));
	memset(&ca, 0, sizeof(ca));
	ca.lock_fd = -1;
	buf_init(&old, CADB_MAX_BYTES);
	if (cn == NULL) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "give the server's name with --cn NAME");
		goto out;
	}
	if (specs->n == 0) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "give the names clients use with --san DNS:NAME,IP:ADDR "
		    "(Docker's client checks these, not the CN)");
		goto out;
	}
	for (i = 0; i < specs->n; i++)
		if ((r = x509_san_parse(specs->v[i], &sans, &ctx->err)) != 0)
			goto out;
	if ((r = ca_server_name_check(cn, &ctx->err)) != 0 ||
	    (r = ca_cmd_days(ctx, a, CA_SERVER_DAYS_DEFAULT, &days)) != 0 ||
	    (r = parse_key_type(ctx, a, &o.key_type)) != 0)
		goto out;
	if ((r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0 ||
	    (r = ca_cmd_unlock(ctx, a, &ca)) != 0)
		goto out;
	o.kind = CERT_SERVER;
	o.cn = cn;
	o.sans = &sans;
	o.days = days;
	buf_add(&old, ca.db_bytes.data, ca.db_bytes.len);
	if ((r = ca_issue(&ca, &o, &is, &ctx->err)) != 0)
		goto out;
	issued = 1;
	/* the server's previous certificates give way to this one */
	for (i = 0; i < ca.db.n; i++) {
		prev = &ca.db.v[i];
		if (ca_server_cn(prev) != NULL &&
		    strcmp(ca_server_cn(prev), cn) == 0 &&
		    strcmp(prev->serial, is.info.serial) != 0)
			ca_supersede(prev, is.info.serial);
	}
	if ((r = ca_save(&ca, &ctx->err)) != 0)
		goto out;
	if ((r = ca_store_server(&ca, &is, &old_serial, &ctx->err)) != 0) {
		struct cm_err e2;
		(void)ca_rollback(&ca, &old, &e2);
		goto out;
	}
	issued = 0; /* in place: --out failing below undoes nothing */
	dir = ca_server_dir(&ca, cn);
	if (outdir != NULL) {
		struct dirswap_file files[3] = {
			{ "ca.pem", ca.cert_pem.data, ca.cert_pem.len, 0644 },
			{ "server-cert.pem", is.cert_pem.data, is.cert_pem.len,
			    0644 },
			{ "server-key.pem", is.key_pem.data, is.key_pem.len,
			    0600 },
		};
		if ((r = dir_ensure(outdir, 0700, &ctx->err)) != 0)
			goto out;
		for (i = 0; i < nitems(files) && r == 0; i++) {
			char *p = path_join(outdir, files[i].name);
			r = file_write_atomic(p, files[i].data, files[i].len,
			    files[i].mode, 0, &ctx->err);
			free(p);
		}
		if (r != 0) {
			err_prefix(&ctx->err,
			    "the certificate was issued and kept in %s, but "
			    "--out failed",
			    dir);
			goto out;
		}
		free(dir);
		dir = realpath(outdir, NULL);
		if (dir == NULL)
			dir = xstrdup(outdir);
	}
	print_server(ctx, cn, &is, dir, old_serial);
out:
	if (r != 0 && issued)
		ca_discard(&ca, is.info.serial);
	free(dir);
	free(old_serial);
	buf_release(&old);
	strv_free(&sans);
	ca_issued_release(&is);
	ca_close(&ca);
	return r;
}

static const struct cmd_entry cmd_ca_issue_server_entry = {
	.name = "server",
	.usage = "--cn NAME --san DNS:NAME,IP:ADDR [--days N] [--out DIR]",
	.summary = "a server certificate for dockerd --tlsverify",
	.help = "EKU serverAuth, the names in --san (required: Docker's "
		"client checks the\nsubjectAltNames and ignores the CN).  The "
		"key is unencrypted PKCS#8, mode\n0600, because dockerd "
		"cannot read encrypted keys.  The set is kept in the\nCA "
		"directory under servers/NAME; --out writes a copy.  Issuing "
		"again for\nthe same --cn replaces it.",
	.flags = ca_issue_server_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_ca_issue_server_exec,
	.attrs = CMD_SECRET,
};

/* ---- ca issue client ---- */

static const struct cmd_flag ca_issue_client_flags[] = { CA_FLAG_DIR,
	CA_FLAG_PASSPHRASE,
	{ "cn", 0, FLAG_STRING, COMPLETE_NONE, "NAME",
	    "common name (default: the context name)" },
	{ "days", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "lifetime in days (default 90)" },
	{ "key-type", 't', FLAG_STRING, COMPLETE_CHOICE, "TYPE",
	    "key type (default ecdsa-p256)", X509_KEY_TYPES },
	{ 0 } };

/*
 * Issue a client certificate for context `name` into the in-memory
 * database, marking the certificate it replaces superseded; nothing is
 * installed or saved yet.  *old_serialp: the replaced certificate's
 * serial; *foreignp: the context holds another CA's files.  The CA is
 * locked and unlocked by the caller.
 */
static int
prepare_client(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    const char *name, const char *cn, enum x509_key_type kt, int days,
    struct ca_issued *is, char **old_serialp, int *foreignp)
{
	struct ca_issue_opts o;
	struct cadb_entry *prev = NULL;
	X509 *cur;
	int r;

	*old_serialp = NULL;
	*foreignp = 0;
	if ((prev = context_entry(ca, st, name)) == NULL &&
	    (cur = context_cert(st, name)) != NULL) {
		prev = ca_lookup(ca, cur);
		*foreignp = prev == NULL;
		X509_free(cur);
	}
	if (prev != NULL)
		*old_serialp = xstrdup(prev->serial);
	memset(&o, 0, sizeof(o));
	o.kind = CERT_CLIENT;
	o.cn = cn;
	o.context = name;
	o.key_type = kt;
	o.days = days;
	if ((r = ca_issue(ca, &o, is, &ctx->err)) != 0) {
		free(*old_serialp);
		*old_serialp = NULL;
		return r;
	}
	/* ca_issue may have moved the entries: look the old one up again */
	if (*old_serialp != NULL)
		ca_supersede(cadb_find(&ca->db, *old_serialp), is->info.serial);
	return 0;
}

/*
 * Issue and install one client certificate: recorded first, then
 * installed; the record is undone when installing fails.  The store
 * lock is held.
 */
static int
issue_client(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    const char *name, const char *cn, enum x509_key_type kt, int days,
    struct ca_issued *is, char **old_serialp, char **archivedp)
{
	struct buf old;
	int r, foreign;

	buf_init(&old, CADB_MAX_BYTES);
	buf_add(&old, ca->db_bytes.data, ca->db_bytes.len);
	if ((r = prepare_client(ctx, ca, st, name, cn, kt, days, is,
		 old_serialp, &foreign)) != 0)
		goto out;
	if ((r = save_and_install(ctx, ca, st, name, is, foreign, archivedp)) !=
	    0) {
		struct cm_err e2;
		(void)ca_rollback(ca, &old, &e2);
		ca_discard(ca, is->info.serial);
	}
out:
	if (r != 0) {
		free(*old_serialp);
		*old_serialp = NULL;
	}
	buf_release(&old);
	return r;
}

static int
cmd_ca_issue_client_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = a->argv[0], *cn = args_get(a, "cn");
	struct context *c = NULL;
	struct ca_issued is;
	enum x509_key_type kt;
	struct store st;
	struct ca ca;
	char until[16], *old_serial = NULL, *archived = NULL;
	int r, days;

	memset(&is, 0, sizeof(is));
	memset(&ca, 0, sizeof(ca));
	ca.lock_fd = -1;
	cmd_store_open(ctx, &st);
	if ((r = context_name_check(name, &ctx->err)) != 0 ||
	    (r = ca_cmd_days(ctx, a, CA_CLIENT_DAYS_DEFAULT, &days)) != 0 ||
	    (r = parse_key_type(ctx, a, &kt)) != 0 ||
	    (cn != NULL && (r = x509_cn_check(cn, &ctx->err)) != 0))
		goto out;
	if ((r = store_load(&st, name, &c, &ctx->err)) != 0) {
		if (r == ERR_NOTFOUND)
			err_set(&ctx->err, ERR_NOTFOUND,
			    "context \"%s\" not found: create it first with "
			    "\"ctxmgr create %s --host tcp://HOST:2376\"",
			    name, name);
		goto out;
	}
	if ((r = check_tls_context(ctx, c)) != 0 ||
	    (r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0 ||
	    (r = ca_cmd_unlock(ctx, a, &ca)) != 0 ||
	    (r = store_lock(&st, &ctx->err)) != 0)
		goto out;
	if ((r = issue_client(ctx, &ca, &st, name, cn ? cn : name, kt, days,
		 &is, &old_serial, &archived)) != 0)
		goto out;
	ca_cmd_date(is.info.not_after, until);
	if (ctx->format != FMT_TABLE) {
		json_t *o = json_object();
		json_object_set_new(o, "context", json_string(name));
		json_object_set_new(o, "serial", json_string(is.info.serial));
		json_object_set_new(o, "subject", json_string(is.info.subject));
		json_object_set_new(
		    o, "keyType", json_string(is.info.key_type));
		json_object_set_new(o, "notAfter", json_string(until));
		if (old_serial)
			json_object_set_new(
			    o, "replaces", json_string(old_serial));
		if (archived)
			json_object_set_new(
			    o, "archived", json_string(archived));
		r = output_value(ctx, o);
		json_decref(o);
		goto out;
	}
	fprintf(ctx->out,
	    "issued client certificate for context \"%s\" (serial %s, %s, "
	    "valid until %s)\n",
	    name, is.info.serial, is.info.key_type, until);
	if (old_serial)
		fprintf(ctx->out, "  replaces serial %s\n", old_serial);
	if (archived)
		fprintf(ctx->out,
		    "  the context's previous TLS files (another CA's) are "
		    "kept in %s\n",
		    archived);
	fprintf(ctx->out, "try: docker --context %s version\n", name);
out:
	free(old_serial);
	free(archived);
	ca_issued_release(&is);
	ca_close(&ca);
	context_free(c);
	store_release(&st);
	return r;
}

static const struct cmd_entry cmd_ca_issue_client_entry = {
	.name = "client",
	.usage = "CONTEXT [--cn NAME] [--days N] [--key-type TYPE]",
	.summary = "a client certificate, written into a context",
	.help = "EKU clientAuth.  The certificate, its key (unencrypted: "
		"Docker refuses\nencrypted client keys) and the CA certificate "
		"go into the context's TLS\nstore (ca.pem, cert.pem, key.pem, "
		"0600), replaced as one set, so\n\"docker --context CONTEXT\" "
		"uses them with no further step.  The context\nmust be tcp://; "
		"other CAs in its ca.pem are kept, and TLS files of another\n"
		"CA that this replaces are archived in the CA directory.",
	.flags = ca_issue_client_flags,
	.args = { 1, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_ca_issue_client_exec,
	.attrs = CMD_SECRET,
};

static const struct cmd_entry *const ca_issue_subcommands[] = {
	&cmd_ca_issue_server_entry, &cmd_ca_issue_client_entry, NULL
};

const struct cmd_entry cmd_ca_issue_entry = {
	.name = "issue",
	.usage = "server|client [options]",
	.summary = "issue a server or client certificate",
	.subcommands = ca_issue_subcommands,
};

/* ---- ca rotate ---- */

static const struct cmd_flag ca_rotate_flags[] = { CA_FLAG_DIR,
	CA_FLAG_PASSPHRASE,
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "every context holding a certificate of this CA, and the "
	    "server certificates" },
	{ "renew-before", 0, FLAG_STRING, COMPLETE_NONE, "PERCENT|DURATION",
	    "renew when this much of the lifetime is left: \"33%\" (the "
	    "default, i.e. past two thirds) or \"30d\", \"12h\"" },
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
	if ((x = context_cert(st, name)) == NULL) {
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

/*
 * Renew every item marked ROT_WOULD: issue them all and record them with
 * one database write; stage every context's new files unsynced, make
 * them durable with one syncfs, swap each in, and one more syncfs.  An
 * item that fails is taken out of the database again.  A fixed number of
 * writes and syncs instead of several per context keeps a rotation of
 * many contexts fast.
 */
static void
renew_all(
    struct cmd_ctx *ctx, struct ca *ca, struct store *st, struct rot_list *l)
{
	struct ca_issued *is = xcalloc(l->n, sizeof(*is));
	int *foreign = xcalloc(l->n, sizeof(*foreign)), undo = 0;
	char **old = xcalloc(l->n, sizeof(*old)), date[16], *arch, *gone;
	char **stage = xcalloc(l->n, sizeof(*stage));
	size_t i, issued = 0, installed = 0;
	struct dirswap_file files[3];
	struct buf before, bundle;

	buf_init(&before, CADB_MAX_BYTES);
	buf_init(&bundle, 0);
	buf_add(&before, ca->db_bytes.data, ca->db_bytes.len);
	for (i = 0; i < l->n; i++) {
		struct rot_item *it = &l->v[i];
		if (it->action != ROT_WOULD)
			continue;
		err_init(&ctx->err);
		if (prepare_client(ctx, ca, st, it->name, it->cn, it->key_type,
			it->days, &is[i], &old[i], &foreign[i]) != 0) {
			set_reason(it, ROT_FAILED, xstrdup(ctx->err.msg));
			continue;
		}
		issued++;
	}
	if (issued > 0 && ca_save(ca, &ctx->err) != 0) {
		for (i = 0; i < l->n; i++)
			if (l->v[i].action == ROT_WOULD) {
				set_reason(&l->v[i], ROT_FAILED,
				    xstrdup(ctx->err.msg));
				ca_discard(ca, is[i].info.serial);
			}
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		struct rot_item *it = &l->v[i];
		if (it->action != ROT_WOULD)
			continue;
		err_init(&ctx->err);
		buf_reset(&bundle);
		client_files(ca, st, it->name, &is[i], files, &bundle);
		if (store_tls_stage(st, it->name, TLS_EP, files, nitems(files),
			&stage[i], &ctx->err) != 0) {
			set_reason(it, ROT_FAILED, xstrdup(ctx->err.msg));
			ca_forget(ca, is[i].info.serial, old[i]);
			undo = 1;
		}
	}
	if (issued > 0 && store_tls_sync(st, &ctx->err) != 0) {
		for (i = 0; i < l->n; i++)
			if (stage[i] != NULL) {
				(void)dir_remove_tree(stage[i], NULL);
				set_reason(&l->v[i], ROT_FAILED,
				    xstrdup(ctx->err.msg));
				ca_forget(ca, is[i].info.serial, old[i]);
				undo = 1;
			}
		goto undo;
	}
	for (i = 0; i < l->n; i++) {
		struct rot_item *it = &l->v[i];
		if (stage[i] == NULL)
			continue;
		err_init(&ctx->err);
		gone = arch = NULL;
		if (store_tls_commit(st, it->name, TLS_EP, stage[i],
			DIRSWAP_NOSYNC, &gone, &ctx->err) != 0) {
			set_reason(it, ROT_FAILED, xstrdup(ctx->err.msg));
			ca_forget(ca, is[i].info.serial, old[i]);
			undo = 1;
			continue;
		}
		finish_old(ctx, ca, it->name, gone, foreign[i], &arch);
		free(gone);
		free(arch);
		installed++;
		it->new_serial = xstrdup(is[i].info.serial);
		it->not_after = is[i].info.not_after;
		ca_cmd_date(is[i].info.not_after, date);
		set_reason(it, ROT_RENEWED,
		    xasprintf("%s: new key and certificate, valid until %s",
			it->reason, date));
	}
	if (installed > 0 && store_tls_sync(st, &ctx->err) != 0)
		fprintf(ctx->errout, "warning: %s\n", ctx->err.msg);
undo:
	/* nothing installed: the database goes back byte for byte */
	if (undo &&
	    (installed == 0 ? ca_rollback(ca, &before, &ctx->err)
			    : ca_save(ca, &ctx->err)) != 0)
		fprintf(ctx->errout,
		    "warning: the database still lists certificates that were "
		    "not installed: %s\n",
		    ctx->err.msg);
out:
	for (i = 0; i < l->n; i++) {
		ca_issued_release(&is[i]);
		free(old[i]);
		free(stage[i]);
	}
	free(is);
	free(old);
	free(stage);
	free(foreign);
	buf_release(&before);
	buf_release(&bundle);
}

static int
cmd_ca_rotate_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct ca_renew_rule rule = { CA_RENEW_PERCENT_DEFAULT, 0 };
	const char *rb = args_get(a, "renew-before");
	int all = args_has(a, "all"), force = args_has(a, "force");
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
	if (all == (a->argc > 0)) {
		r = err_set(&ctx->err, ERR_USAGE,
		    all ? "give context names or --all, not both"
			: "name the contexts to rotate, or give --all");
		goto out;
	}
	if (rb != NULL && (r = ca_renew_rule_parse(rb, &rule, &ctx->err)) != 0)
		goto out;
	/* one rotation at a time: cron runs that overlap wait their turn */
	if ((r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0)
		goto out;
	if (all) {
		if ((r = store_list(&st, &list, &n, &ctx->err)) != 0)
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
		if ((r = ca_cmd_unlock(ctx, a, &ca)) != 0 ||
		    (r = store_lock(&st, &ctx->err)) != 0)
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
	.usage = "CONTEXT... | --all [--renew-before PERCENT|DURATION] "
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
		"Exit status 1 when a renewal failed.\n\n"
		"example crontab line:\n"
		"  17 3 * * * CTXMGR_CA_PASSPHRASE_FILE=$HOME/.ca-pass ctxmgr "
		"ca rotate --all -q",
	.flags = ca_rotate_flags,
	.args = { 0, -1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_ca_rotate_exec,
	.attrs = CMD_SECRET,
};
