/*
 * cmd-ca-issue.c: `ca issue server` and `ca issue client`, and the
 * installing of client certificates that `ca rotate` (cmd-ca-rotate.c)
 * shares.  Client certificates go into a context's TLS store as one set
 * (store_tls_stage and store_tls_commit), so a docker command never finds
 * a new certificate beside an old key in the directory.
 */
#include "common/compat.h"

#include <time.h>
#include <unistd.h>

#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/dirswap.h"
#include "common/endpoint.h"
#include "common/fault.h"
#include "common/file.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "common/xmalloc.h"

#define TLS_EP "docker"

/* ---- installing client certificates ---- */

/*
 * Copy the files of a swapped-out TLS dir into the CA's archive: its
 * ca.pem (the CAs the context trusted before), and with `foreign` (its
 * certificate came from another CA) its certificate and key too.
 */
static int
archive_old(struct cmd_ctx *ctx, struct ca *ca, const char *name,
    const char *old, int foreign, char **wherep)
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
	for (i = 0; i < (foreign ? nitems(files) : 1) && r == 0; i++) {
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

int
ca_cmd_check_tls_context(struct cmd_ctx *ctx, const struct context *c)
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

X509 *
ca_cmd_context_cert(struct store *st, const char *name)
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

void
ca_client_jobs_free(struct ca_client_job *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].name);
		free(v[i].host);
		free(v[i].cn);
		free(v[i].reason);
		free(v[i].old_serial);
		free(v[i].archived);
		ca_issued_release(&v[i].is);
	}
	free(v);
}

static void
job_fail(struct ca_client_job *j, const char *why)
{
	j->failed = 1;
	free(j->reason);
	j->reason = xstrdup(why);
}

/* Job `j` failed after its certificate was issued: out of the database
 * again (not saved yet), counted in *undo. */
static void
job_undo(struct ca *ca, struct ca_client_job *j, const char *why, size_t *undo)
{
	job_fail(j, why);
	ca_forget(ca, j->is.info.serial, j->old_serial);
	(*undo)++;
}

/*
 * Issue a client certificate for job `j` into the in-memory database,
 * marking the certificate it replaces superseded; nothing is saved or
 * installed yet.  *foreignp: the context holds another CA's certificate.
 */
static int
prepare_client(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    struct ca_client_job *j, int *foreignp)
{
	struct ca_issue_opts o;
	struct cadb_entry *prev = NULL;
	X509 *cur;
	int r;

	*foreignp = 0;
	if ((cur = ca_cmd_context_cert(st, j->name)) != NULL) {
		prev = ca_lookup(ca, cur);
		*foreignp = prev == NULL;
		X509_free(cur);
	}
	if (prev != NULL)
		j->old_serial = xstrdup(prev->serial);
	memset(&o, 0, sizeof(o));
	o.kind = CERT_CLIENT;
	o.cn = j->cn;
	o.context = j->name;
	o.key_type = j->key_type;
	o.days = j->days;
	if ((r = ca_issue(ca, &o, &j->is, &ctx->err)) != 0) {
		free(j->old_serial);
		j->old_serial = NULL;
		return r;
	}
	/* ca_issue may have moved the entries: look the old one up again */
	if (j->old_serial != NULL)
		ca_supersede(
		    cadb_find(&ca->db, j->old_serial), j->is.info.serial);
	return 0;
}

/*
 * The context, read again under the store lock: still there, with the
 * endpoint it had when its certificate was issued.
 */
static int
recheck(struct cmd_ctx *ctx, struct store *st, const struct ca_client_job *j)
{
	struct context *c = NULL;
	struct cm_err e2;
	int r = 0;

	if (store_load(st, j->name, &c, &e2) != 0)
		return err_set(&ctx->err, ERR_NOTFOUND,
		    "context \"%s\" was removed or renamed while its "
		    "certificate was issued: nothing installed",
		    j->name);
	if (c->host == NULL || strcmp(c->host, j->host) != 0)
		r = err_set(&ctx->err, ERR_INVALID,
		    "context \"%s\" changed while its certificate was issued "
		    "(its endpoint is no longer %s): nothing installed",
		    j->name, j->host);
	context_free(c);
	return r;
}

/* Whether the context's ca.pem is other than exactly this CA's. */
static int
trusts_others(struct ca *ca, struct store *st, const char *name)
{
	struct cm_err e2;
	struct buf b;
	int r;

	buf_init(&b, STORE_TLS_MAX);
	r = store_tls_read(st, name, TLS_EP, "ca.pem", &b, &e2) == 0 &&
	    (b.len != ca->cert_pem.len ||
		memcmp(b.data, ca->cert_pem.data, b.len) != 0);
	buf_release(&b);
	return r;
}

/* Stage job `j`'s new set (ca.pem holds this CA only). */
static int
stage_client(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    struct ca_client_job *j, int flags, char **stagep)
{
	const struct dirswap_file files[3] = {
		{ "ca.pem", ca->cert_pem.data, ca->cert_pem.len, 0600 },
		{ "cert.pem", j->is.cert_pem.data, j->is.cert_pem.len, 0600 },
		{ "key.pem", j->is.key_pem.data, j->is.key_pem.len, 0600 },
	};

	return store_tls_stage(st, j->name, TLS_EP, files, nitems(files), flags,
	    stagep, &ctx->err);
}

/* The test-only pause before installing (CA_TEST_PAUSE_ENV). */
static void
test_pause(void)
{
	const char *s = getenv(CA_TEST_PAUSE_ENV);
	long long ms;
	struct timespec ts;

	if (s == NULL || parse_int(s, 1, 60000, &ms) != 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- the intent record: contexts/tls swaps a kill may interrupt ---- */

/*
 * CA_PENDING_FILE in the CA dir lists, while client certificates are
 * being installed, each context, the serial of its new certificate and
 * the staging dir (a .ctxmgr-swap-* base name in contexts/tls) that held
 * the new set and, once swapped in, holds the old one.  The database is
 * saved only after every swap: while the record is there, the database
 * on disk lists a new serial exactly when its install was complete.
 */
static int
pending_write(struct cmd_ctx *ctx, struct ca *ca, struct ca_client_job *v,
    char **stage, size_t n)
{
	json_t *root = json_object(), *arr = json_array(), *o;
	char *text, *path;
	const char *base;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if (v[i].failed)
			continue;
		o = json_object();
		json_object_set_new(o, "context", json_string(v[i].name));
		json_object_set_new(
		    o, "serial", json_string(v[i].is.info.serial));
		if (stage[i] != NULL) {
			base = strrchr(stage[i], '/');
			json_object_set_new(o, "stage",
			    json_string(base ? base + 1 : stage[i]));
		}
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "installs", arr);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	path = path_join(ca->dir, CA_PENDING_FILE);
	r = file_write_atomic(path, text, strlen(text), 0600, 0, &ctx->err);
	free(path);
	free(text);
	return r;
}

static void
pending_remove(struct ca *ca)
{
	char *path = path_join(ca->dir, CA_PENDING_FILE);

	(void)unlink(path);
	(void)dir_sync(ca->dir, NULL);
	free(path);
}

/* The serial of the certificate in the context's TLS dir ("" if none). */
static void
context_serial(struct store *st, const char *name, char out[64])
{
	struct x509_info info;
	struct cm_err e2;
	X509 *x;

	out[0] = '\0';
	if ((x = ca_cmd_context_cert(st, name)) == NULL)
		return;
	memset(&info, 0, sizeof(info));
	if (x509_info_get(x, &info, &e2) == 0)
		snprintf(out, 64, "%s", info.serial);
	x509_info_release(&info);
	X509_free(x);
}

int
ca_cmd_recover(struct cmd_ctx *ctx, struct ca *ca, struct store *st, int killed)
{
	char *path = path_join(ca->dir, CA_PENDING_FILE), cur[64];
	size_t signed_len, i, kept_new = 0, kept_old = 0, swaps;
	json_t *root = NULL, *arr, *o;
	const char *name, *serial, *stage;
	struct cadb disk;
	struct buf b, sig, dbb;
	struct cm_err e2;
	char *dbpath;
	int r = 0;

	cadb_init(&disk);
	buf_init(&b, 1 << 20);
	buf_init(&sig, 64 << 10);
	if (access(path, F_OK) != 0)
		goto out;
	if ((r = store_lock(st, &ctx->err)) != 0 ||
	    (r = file_read(path, 1 << 20, FILE_NOFOLLOW, &b, &ctx->err)) != 0)
		goto out;
	/*
	 * What the database on disk lists: read again, since a save that
	 * failed after its rename (a directory sync) did replace it; else
	 * db_bytes, the database as last read or saved.
	 */
	dbpath = path_join(ca->dir, CA_DB_FILE);
	buf_init(&dbb, CADB_MAX_BYTES);
	if (file_read(dbpath, CADB_MAX_BYTES, FILE_NOFOLLOW, &dbb, &e2) != 0 ||
	    cadb_read(dbb.data, dbb.len, X509_get0_pubkey(ca->cert), &disk,
		&e2) != 0) {
		cadb_release(&disk);
		if ((r = cadb_split(ca->db_bytes.data, ca->db_bytes.len,
			 &signed_len, &sig, &ctx->err)) == 0)
			r = cadb_parse(
			    ca->db_bytes.data, signed_len, &disk, &ctx->err);
	}
	buf_release(&dbb);
	free(dbpath);
	if (r != 0)
		goto out;
	root = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
	arr = json_object_get(root, "installs");
	if (!json_is_array(arr)) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "\"%s\" is not an install record: remove it to go on",
		    path);
		goto out;
	}
	json_array_foreach(arr, i, o)
	{
		name = json_string_value(json_object_get(o, "context"));
		serial = json_string_value(json_object_get(o, "serial"));
		stage = json_string_value(json_object_get(o, "stage"));
		if (name == NULL || serial == NULL ||
		    context_name_check(name, &e2) != 0 || *serial == '\0' ||
		    strspn(serial, "0123456789ABCDEF") != strlen(serial) ||
		    (stage != NULL &&
			(strncmp(stage, ".ctxmgr-swap-", 13) != 0 ||
			    strchr(stage, '/') != NULL))) {
			fprintf(ctx->errout,
			    "warning: \"%s\": install %zu is not valid; "
			    "skipped\n",
			    path, i + 1);
			continue;
		}
		if (cadb_find(&disk, serial) != NULL) {
			/* recorded: the install was complete */
			kept_new++;
			if (stage != NULL)
				store_tls_drop_stage(st, stage);
			continue;
		}
		context_serial(st, name, cur);
		if (stage != NULL && strcasecmp(cur, serial) == 0 &&
		    store_tls_swap_back(st, name, TLS_EP, stage, &e2) != 0) {
			fprintf(ctx->errout,
			    "warning: context \"%s\" holds certificate %s that "
			    "the database does not list, and its old set "
			    "cannot be put back: %s\n",
			    name, serial, e2.msg);
			continue;
		}
		if (stage != NULL)
			store_tls_drop_stage(st, stage);
		ca_discard(ca, serial);
		kept_old++;
	}
	swaps = store_tls_tidy_swaps(st);
	if (store_tls_sync(st, &e2) != 0)
		fprintf(ctx->errout, "warning: %s\n", e2.msg);
	pending_remove(ca);
	if (killed)
		fprintf(ctx->errout,
		    "ctxmgr: recovered an interrupted certificate install: %zu "
		    "context%s kept the new certificate, %zu the old one",
		    kept_new, kept_new == 1 ? "" : "s", kept_old);
	else
		fprintf(ctx->errout,
		    "ctxmgr: the database was not written: %zu context%s "
		    "got the old certificate back",
		    kept_old, kept_old == 1 ? "" : "s");
	if (swaps > 0)
		fprintf(ctx->errout, " (%zu staging dir%s removed)", swaps,
		    swaps == 1 ? "" : "s");
	fprintf(ctx->errout, "\n");
out:
	json_decref(root);
	cadb_release(&disk);
	buf_release(&sig);
	buf_release(&b);
	free(path);
	return r;
}

void
ca_cmd_issue_clients(struct cmd_ctx *ctx, struct ca *ca, struct store *st,
    struct ca_client_job *v, size_t n, const char *verb)
{
	int *foreign = xcalloc(n, sizeof(*foreign));
	int *others = xcalloc(n, sizeof(*others));
	char **stage = xcalloc(n, sizeof(*stage));
	char **old = xcalloc(n, sizeof(*old));
	int bulk = n > 1, flags = bulk ? DIRSWAP_NOSYNC : 0, r;
	size_t i, issued = 0, staged = 0, installed = 0, undo = 0;
	struct progress pg;

	progress_init(&pg, ctx, verb, bulk ? n : 0);
	for (i = 0; i < n; i++) {
		if (v[i].failed)
			continue;
		err_init(&ctx->err);
		progress_item(&pg, v[i].name);
		r = prepare_client(ctx, ca, st, &v[i], &foreign[i]);
		progress_done_one(&pg);
		if (r != 0)
			job_fail(&v[i], ctx->err.msg);
		else
			issued++;
	}
	progress_end(&pg);
	if (issued == 0)
		goto out;
	/*
	 * Stage every set, record the intent, swap, then save the database:
	 * a kill anywhere leaves the intent record for ca_cmd_recover, which
	 * puts back the old set of each context whose new certificate the
	 * database does not list yet.
	 */
	test_pause();
	err_init(&ctx->err);
	/* an empty record first: a kill while staging leaves keys in
	 * staging dirs that the next CA command must remove */
	if ((r = store_lock(st, &ctx->err)) != 0 ||
	    (r = pending_write(ctx, ca, v, stage, n)) != 0) {
		for (i = 0; i < n; i++)
			if (!v[i].failed)
				job_undo(ca, &v[i], ctx->err.msg, &undo);
		goto out;
	}
	/* staging dirs no record names (left before records were kept) */
	(void)store_tls_tidy_swaps(st);
	for (i = 0; i < n; i++) {
		if (v[i].failed)
			continue;
		err_init(&ctx->err);
		others[i] = foreign[i] || trusts_others(ca, st, v[i].name);
		if (recheck(ctx, st, &v[i]) != 0 ||
		    stage_client(ctx, ca, st, &v[i], flags, &stage[i]) != 0)
			job_undo(ca, &v[i], ctx->err.msg, &undo);
		else
			staged++;
		(void)fault_point("ca-stage", v[i].name);
	}
	if (staged == 0) {
		pending_remove(ca);
		goto out;
	}
	err_init(&ctx->err);
	if ((bulk && (r = store_tls_sync(st, &ctx->err)) != 0) ||
	    (r = pending_write(ctx, ca, v, stage, n)) != 0) {
		for (i = 0; i < n; i++)
			if (stage[i] != NULL) {
				(void)dir_remove_tree(stage[i], NULL);
				job_undo(ca, &v[i], ctx->err.msg, &undo);
			}
		pending_remove(ca);
		goto out;
	}
	(void)fault_point("ca-intent", NULL);
	for (i = 0; i < n; i++) {
		if (stage[i] == NULL)
			continue;
		err_init(&ctx->err);
		if (store_tls_commit(st, v[i].name, TLS_EP, stage[i], flags,
			&old[i], &ctx->err) != 0) {
			job_undo(ca, &v[i], ctx->err.msg, &undo);
			continue;
		}
		installed++;
		(void)fault_point("ca-swap", v[i].name);
		/* the new set is in place: an archive failure only warns */
		if (old[i] != NULL && others[i] &&
		    archive_old(ctx, ca, v[i].name, old[i], foreign[i],
			&v[i].archived) != 0)
			fprintf(ctx->errout,
			    "warning: cannot archive the old TLS files of "
			    "\"%s\": %s\n",
			    v[i].name, ctx->err.msg);
	}
	if (bulk && installed > 0 && store_tls_sync(st, &ctx->err) != 0)
		fprintf(ctx->errout, "warning: %s\n", ctx->err.msg);
	(void)fault_point("ca-swapped", NULL);
	err_init(&ctx->err);
	if (installed > 0 && (r = ca_save(ca, &ctx->err)) != 0) {
		/* the database does not list them: every context goes back */
		struct cm_err why = ctx->err;
		for (i = 0; i < n; i++)
			if (stage[i] != NULL && !v[i].failed)
				job_fail(&v[i], why.msg);
		err_init(&ctx->err);
		if (ca_cmd_recover(ctx, ca, st, 0) != 0)
			fprintf(ctx->errout, "warning: %s\n", ctx->err.msg);
		goto out;
	}
	(void)fault_point("ca-saved", NULL);
	/* recorded: the swapped-out sets (old keys) go, then the record */
	for (i = 0; i < n; i++)
		if (old[i] != NULL)
			(void)dir_remove_tree(old[i], NULL);
	if (installed > 0 && bulk && store_tls_sync(st, &ctx->err) != 0)
		fprintf(ctx->errout, "warning: %s\n", ctx->err.msg);
	pending_remove(ca);
out:
	err_init(&ctx->err);
	for (i = 0; i < n; i++) {
		free(stage[i]);
		free(old[i]);
	}
	free(stage);
	free(old);
	free(foreign);
	free(others);
}

/* ---- ca issue server ---- */

static int
parse_key_type(struct cmd_ctx *ctx, struct cmd_args *a, enum x509_key_type *t)
{
	const char *s = args_get(a, "key-type");

	*t = KEY_ECDSA_P256;
	return s ? x509_key_type_parse(s, t, &ctx->err) : 0;
}

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
			{ "ca.pem", ca.cert_pem.data, ca.cert_pem.len, 0444 },
			{ "server-cert.pem", is.cert_pem.data, is.cert_pem.len,
			    0444 },
			{ "server-key.pem", is.key_pem.data, is.key_pem.len,
			    0400 },
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
		"key is unencrypted PKCS#8, mode\n0400, because dockerd "
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
	    "common name (default: the context name; one context only)" },
	{ "days", 0, FLAG_INT, COMPLETE_NONE, "N",
	    "lifetime in days (default 90)" },
	{ "key-type", 't', FLAG_STRING, COMPLETE_CHOICE, "TYPE",
	    "key type (default ecdsa-p256)", X509_KEY_TYPES },
	{ 0 } };

/* A job for context `name`, failed already when it cannot take one
 * (then the error is in ctx->err too). */
static int
plan_client(struct cmd_ctx *ctx, struct store *st, const char *name,
    const char *cn, enum x509_key_type kt, int days, struct ca_client_job *j)
{
	struct context *c = NULL;
	int r;

	j->name = xstrdup(name);
	j->cn = xstrdup(cn ? cn : name);
	j->key_type = kt;
	j->days = days;
	err_init(&ctx->err);
	if ((r = context_name_check(name, &ctx->err)) == 0 &&
	    (r = store_load(st, name, &c, &ctx->err)) == ERR_NOTFOUND)
		err_set(&ctx->err, ERR_NOTFOUND,
		    "context \"%s\" not found: create it first with "
		    "\"ctxmgr create %s --host tcp://HOST:2376\"",
		    name, name);
	if (r == 0 && (r = ca_cmd_check_tls_context(ctx, c)) == 0)
		j->host = xstrdup(c->host);
	if (r != 0)
		job_fail(j, ctx->err.msg);
	context_free(c);
	return r;
}

static json_t *
client_json(const struct ca_client_job *j)
{
	json_t *o = json_object();
	char until[16];

	json_object_set_new(o, "context", json_string(j->name));
	if (j->failed) {
		json_object_set_new(o, "error", json_string(j->reason));
		return o;
	}
	ca_cmd_date(j->is.info.not_after, until);
	json_object_set_new(o, "serial", json_string(j->is.info.serial));
	json_object_set_new(o, "subject", json_string(j->is.info.subject));
	json_object_set_new(o, "keyType", json_string(j->is.info.key_type));
	json_object_set_new(o, "notAfter", json_string(until));
	if (j->old_serial)
		json_object_set_new(o, "replaces", json_string(j->old_serial));
	if (j->archived)
		json_object_set_new(o, "archived", json_string(j->archived));
	return o;
}

static void
print_client(struct cmd_ctx *ctx, const struct ca_client_job *j)
{
	char until[16];

	if (j->failed) {
		fprintf(ctx->errout, "ctxmgr: context \"%s\": %s\n", j->name,
		    j->reason);
		return;
	}
	ca_cmd_date(j->is.info.not_after, until);
	fprintf(ctx->out,
	    "issued client certificate for context \"%s\" (serial %s, %s, "
	    "valid until %s)\n",
	    j->name, j->is.info.serial, j->is.info.key_type, until);
	if (j->old_serial)
		fprintf(ctx->out, "  replaces serial %s\n", j->old_serial);
	if (j->archived)
		fprintf(ctx->out,
		    "  the context's previous CA files are kept in %s\n",
		    j->archived);
	fprintf(ctx->out, "try: docker --context %s version\n", j->name);
}

static int
cmd_ca_issue_client_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *cn = args_get(a, "cn");
	size_t i, n = (size_t)a->argc, failed = 0;
	struct ca_client_job *v = NULL;
	enum x509_key_type kt;
	struct store st;
	struct ca ca;
	int r, days;

	memset(&ca, 0, sizeof(ca));
	ca.lock_fd = -1;
	cmd_store_open(ctx, &st);
	if ((r = ca_cmd_days(ctx, a, CA_CLIENT_DAYS_DEFAULT, &days)) != 0 ||
	    (r = parse_key_type(ctx, a, &kt)) != 0 ||
	    (cn != NULL && (r = x509_cn_check(cn, &ctx->err)) != 0))
		goto out;
	if (cn != NULL && n > 1) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "--cn names one certificate: give one context with it");
		goto out;
	}
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++)
		if ((r = plan_client(
			 ctx, &st, a->argv[i], cn, kt, days, &v[i])) != 0) {
			failed++;
			if (n == 1) /* its error is the command's */
				goto out;
		}
	/* one unlock for every context */
	if (failed < n &&
	    ((r = ca_cmd_open(ctx, a, &ca, CA_OPEN_LOCK)) != 0 ||
		(r = ca_cmd_unlock(ctx, a, &ca)) != 0))
		goto out;
	ca_cmd_issue_clients(ctx, &ca, &st, v, n, "issuing");
	for (failed = 0, i = 0; i < n; i++)
		failed += v[i].failed;
	if (n == 1 && failed) {
		r = err_set(&ctx->err, ERR_FAIL, "%s", v[0].reason);
		goto out;
	}
	if (ctx->format != FMT_TABLE) {
		json_t *out = n == 1 ? client_json(&v[0]) : json_array();
		for (i = 0; n > 1 && i < n; i++)
			json_array_append_new(out, client_json(&v[i]));
		r = output_value(ctx, out);
		json_decref(out);
	} else
		for (i = 0; i < n; i++)
			print_client(ctx, &v[i]);
	if (r == 0 && failed)
		r = 1;
out:
	ca_client_jobs_free(v, n);
	ca_close(&ca);
	store_release(&st);
	return r;
}

static const struct cmd_entry cmd_ca_issue_client_entry = {
	.name = "client",
	.usage = "CONTEXT... [--cn NAME] [--days N] [--key-type TYPE]",
	.summary = "client certificates, written into contexts",
	.help =
	    "EKU clientAuth.  The certificate, its key (unencrypted: "
	    "Docker refuses\nencrypted client keys) and the CA certificate "
	    "go into the context's TLS\nstore (ca.pem, cert.pem, key.pem, "
	    "0600), replaced as one set, so\n\"docker --context CONTEXT\" "
	    "uses them with no further step.  The context\nmust be tcp://. "
	    " Its ca.pem then holds this CA only; the CAs it trusted\n"
	    "before (and another CA's certificate and key) are kept in the "
	    "CA\ndirectory's archive/.  Several contexts are issued with one "
	    "passphrase;\neach is reported, and the exit status is 1 when "
	    "any failed.",
	.flags = ca_issue_client_flags,
	.args = { 1, -1, COMPLETE_CONTEXT_TCP, NULL },
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
