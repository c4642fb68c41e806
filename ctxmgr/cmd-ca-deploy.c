/*
 * cmd-ca-deploy.c: `ca deploy`: install a server certificate of the CA
 * on a Docker host over SSH and point its daemon.json at it.
 *
 * Order, so that a refusal changes nothing: connect; `id -u` must say 0;
 * read daemon.json and merge the TLS settings locally (invalid JSON or
 * duplicate keys stop here); upload every file under a temporary name
 * beside its target; then one remote step checks daemon.json is still
 * what was read, keeps a timestamped copy of it and renames everything
 * into place.  A failed upload removes the temporary files.  Every path
 * reaches the remote shell through shell_quote; the key travels only on
 * the channel's standard input and is never printed.
 */
#include "common/compat.h"

#include <limits.h>
#include <time.h>

#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "keystore/daemonjson.h"
#include "common/file.h"
#include "ctxmgr/output.h"
#include "tunnel/shquote.h"
#include "ctxmgr/sshctx.h"
#include "common/xmalloc.h"

#include <openssl/rand.h>

#define DEPLOY_REMOTE_DIR "/etc/docker/tls"
#define DEPLOY_DAEMON_JSON "/etc/docker/daemon.json"
#define DEPLOY_PATH_MAX 1024
#define DEPLOY_PEM_MAX ((size_t)1 << 20) /* as the CA reads them */
#define DEPLOY_OUT_CAP ((size_t)64 << 10)
#define DEPLOY_RESTART_TIMEOUT_MS (3 * 60 * 1000)
#define DEPLOY_DIFF_MAX_CELLS ((size_t)4 << 20) /* LCS table cap */

/* Exit status of the read step when there is no daemon.json. */
#define DEPLOY_NO_JSON 3

static const struct cmd_flag ca_deploy_flags[] = { CA_FLAG_DIR,
	{ "remote-dir", 0, FLAG_STRING, COMPLETE_NONE, "DIR",
	    "where the files go on the host (default /etc/docker/tls)" },
	{ "daemon-json", 0, FLAG_STRING, COMPLETE_NONE, "PATH",
	    "the daemon.json to update (default /etc/docker/daemon.json)" },
	{ "restart", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "restart dockerd afterwards (systemctl, else service)" },
	{ "dry-run", 'n', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "show the files and the daemon.json diff; change nothing" },
	FLAG_ACCEPT_NEW, { 0 } };

struct deploy_file {
	const char *name; /* as on the host: ca.pem */
	const char *local; /* as in servers/CN */
	int mode;
	struct buf data;
	char *path; /* remote target */
	char *tmp; /* remote temporary name */
};

struct deploy {
	const char *server;
	const char *context;
	const char *dir; /* remote */
	const char *dj; /* remote daemon.json */
	char *dj_dir;
	char *dj_tmp;
	struct deploy_file files[3];
	struct buf old_json, new_json;
	int had_json, changed;
	char old_sha[65];
	char stamp[32];
	char token[17];
	char *backup; /* as made on the host */
	char restart_cmd[64];
	struct ssh_conn *conn;
};

static void
deploy_init(struct deploy *d)
{
	static const struct {
		const char *name, *local;
		int mode;
	} f[3] = { { "ca.pem", "ca.pem", 0444 },
		{ "server-cert.pem", "server-cert.pem", 0444 },
		{ "server-key.pem", "server-key.pem", 0400 } };
	size_t i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < nitems(d->files); i++) {
		d->files[i].name = f[i].name;
		d->files[i].local = f[i].local;
		d->files[i].mode = f[i].mode;
		if (f[i].mode == 0400)
			buf_init_secret(&d->files[i].data, DEPLOY_PEM_MAX);
		else
			buf_init(&d->files[i].data, DEPLOY_PEM_MAX);
	}
	buf_init(&d->old_json, DAEMONJSON_MAX);
	buf_init(&d->new_json, 2 * DAEMONJSON_MAX);
}

static void
deploy_release(struct deploy *d)
{
	size_t i;

	for (i = 0; i < nitems(d->files); i++) {
		buf_release(&d->files[i].data);
		free(d->files[i].path);
		free(d->files[i].tmp);
	}
	buf_release(&d->old_json);
	buf_release(&d->new_json);
	free(d->dj_dir);
	free(d->dj_tmp);
	free(d->backup);
	ssh_close(d->conn);
}

/* A remote path from the command line: absolute, printable, not "/". */
static int
check_remote_path(struct cmd_ctx *ctx, const char *flag, const char *p)
{
	if (str_has_ctrl(p))
		return err_set(&ctx->err, ERR_USAGE,
		    "--%s holds control characters", flag);
	if (*p != '/' || strcmp(p, "/") == 0 || strlen(p) > DEPLOY_PATH_MAX)
		return err_set(&ctx->err, ERR_USAGE,
		    "--%s must be an absolute path below \"/\", not \"%s\"",
		    flag, p);
	return 0;
}

/* A path without its trailing slashes (new string). */
static char *
strip_slashes(const char *p)
{
	char *s = xstrdup(p);
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/*
 * Read servers/NAME from the CA and check the certificate can still be
 * used: issued by this CA, not revoked, not expired.
 */
static int
load_server(struct cmd_ctx *ctx, struct cmd_args *a, struct deploy *d)
{
	struct ca ca;
	struct cadb_entry *e;
	struct x509_info info;
	struct cm_err e2;
	X509 *x = NULL;
	char *dir = NULL, *p;
	size_t i;
	int r;

	memset(&ca, 0, sizeof(ca));
	memset(&info, 0, sizeof(info));
	ca.lock_fd = -1;
	if (ca_server_name_check(d->server, &e2) != 0) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "invalid server name%s%s%s: server certificates are named "
		    "by a plain host name (ca issue server --cn NAME)",
		    str_has_ctrl(d->server) ? "" : " \"",
		    str_has_ctrl(d->server) ? "" : d->server,
		    str_has_ctrl(d->server) ? "" : "\"");
		goto out;
	}
	if ((r = ca_cmd_open(ctx, a, &ca, 0)) != 0)
		goto out;
	dir = ca_server_dir(&ca, d->server);
	if (!file_exists(dir)) {
		r = err_set(&ctx->err, ERR_NOTFOUND,
		    "no server certificate \"%s\" in the CA at %s: issue one "
		    "with \"ctxmgr ca issue server --cn %s --san "
		    "DNS:NAME,IP:ADDR\" (\"ctxmgr ca ls\" lists them)",
		    d->server, ca.dir, d->server);
		goto out;
	}
	for (i = 0; i < nitems(d->files); i++) {
		p = path_join(dir, d->files[i].local);
		r = file_read(p, DEPLOY_PEM_MAX, FILE_NOFOLLOW,
		    &d->files[i].data, &ctx->err);
		free(p);
		if (r != 0)
			goto out;
	}
	if ((r = x509_cert_load(d->files[1].data.data, d->files[1].data.len,
		 "server-cert.pem", &x, &ctx->err)) != 0 ||
	    (r = x509_info_get(x, &info, &ctx->err)) != 0)
		goto out;
	e = ca_lookup(&ca, x);
	if (e != NULL && e->status == CADB_REVOKED) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "the server certificate \"%s\" (serial %s) is revoked: "
		    "issue a new one first",
		    d->server, info.serial);
		goto out;
	}
	if (info.not_after <= ca_now()) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "the server certificate \"%s\" (serial %s) has expired: "
		    "issue a new one first",
		    d->server, info.serial);
		goto out;
	}
	r = 0;
out:
	x509_info_release(&info);
	X509_free(x);
	free(dir);
	ca_close(&ca);
	return r;
}

/* Append `name=QUOTED; ` to a remote script. */
static void
sh_var(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "%s=", name);
	shell_quote(b, value);
	buf_adds(b, "; ");
}

/*
 * Run a remote script; a non-zero exit is an error naming `what`, with
 * the script's standard error (control characters shown, cut short).
 * *statusp, when not NULL, gets the exit status instead of an error.
 */
static int
remote_run(struct cmd_ctx *ctx, struct deploy *d, const char *what,
    const struct buf *script, const void *in, size_t inlen, int timeout_ms,
    struct ssh_exec_result *res, int *statusp)
{
	char *msg;
	int r;

	if (script->len >= script->max)
		return err_set(
		    &ctx->err, ERR_TOOBIG, "%s: script too long", what);
	if (ctx->verbose)
		fprintf(
		    ctx->errout, "ctxmgr: %s on \"%s\"\n", what, d->context);
	if ((r = ssh_exec(d->conn, script->data, in, inlen, timeout_ms, res,
		 &ctx->err)) != 0)
		return err_prefix(&ctx->err, "%s", what);
	if (statusp != NULL && res->exit_signal[0] == '\0') {
		*statusp = res->exit_status;
		return 0;
	}
	if (res->exit_status == 0 && res->exit_signal[0] == '\0')
		return 0;
	buf_rtrim(&res->err);
	msg = output_safe(res->err.data);
	if (res->exit_signal[0] != '\0')
		r = err_set(&ctx->err, ERR_FAIL, "%s: killed by SIG%s", what,
		    res->exit_signal);
	else
		r = err_set(&ctx->err, ERR_FAIL, "%s: exit status %d%s%.300s",
		    what, res->exit_status, *msg ? ": " : "", msg);
	free(msg);
	return r;
}

/* The remote user must be root: checked before anything is written. */
static int
check_root(struct cmd_ctx *ctx, struct deploy *d)
{
	const struct ssh_info *in = ssh_conn_info(d->conn);
	struct ssh_exec_result res;
	struct buf s;
	int r;

	buf_init(&s, 0);
	buf_adds(&s, "id -u");
	ssh_exec_result_init(&res, DEPLOY_OUT_CAP);
	if ((r = remote_run(ctx, d, "checking the remote user", &s, NULL, 0, 0,
		 &res, NULL)) != 0)
		goto out;
	buf_rtrim(&res.out);
	if (strcmp(res.out.data, "0") != 0) {
		char *uid = output_safe(res.out.data);
		r = err_set(&ctx->err, ERR_PERM,
		    "the remote user \"%s\" on \"%s\" is not root (uid %.20s): "
		    "ca deploy writes %s and %s as root; give the context a "
		    "root login (ssh://root@HOST); nothing was changed",
		    in->user, d->context, *uid ? uid : "?", d->dir, d->dj);
		free(uid);
	}
out:
	ssh_exec_result_release(&res);
	buf_release(&s);
	return r;
}

/*
 * Read the remote daemon.json (absent is fine; a symlink or a non-file
 * is refused) and check the target dir can be used, then merge.
 */
static int
read_daemon_json(struct cmd_ctx *ctx, struct deploy *d)
{
	struct ssh_exec_result res;
	struct cm_err e2;
	struct buf s;
	char *p;
	int r, status;

	buf_init(&s, 0);
	ssh_exec_result_init(&res, DAEMONJSON_MAX + 1);
	sh_var(&s, "d", d->dir);
	sh_var(&s, "f", d->dj);
	buf_printf(&s,
	    "if [ -L \"$d\" ] || { [ -e \"$d\" ] && [ ! -d \"$d\" ]; }; then "
	    "echo \"$d is not a directory\" >&2; exit 1; fi; "
	    "if [ -L \"$f\" ]; then echo \"$f is a symbolic link: edit its "
	    "target, or name it with --daemon-json\" >&2; exit 1; fi; "
	    "if [ ! -e \"$f\" ]; then exit %d; fi; "
	    "if [ ! -f \"$f\" ]; then echo \"$f is not a regular file\" >&2; "
	    "exit 1; fi; "
	    "exec cat -- \"$f\"",
	    DEPLOY_NO_JSON);
	if ((r = remote_run(ctx, d, "reading daemon.json", &s, NULL, 0, 0, &res,
		 &status)) != 0)
		goto out;
	if (status == DEPLOY_NO_JSON)
		d->had_json = 0;
	else if (status == 0)
		d->had_json = 1;
	else {
		buf_rtrim(&res.err);
		p = output_safe(res.err.data);
		r = err_set(&ctx->err, ERR_FAIL,
		    "refusing to deploy: %.300s (on \"%s\", exit status %d); "
		    "nothing was changed",
		    *p ? p : "cannot read daemon.json", d->context, status);
		free(p);
		goto out;
	}
	if (res.out_truncated || res.out.len > DAEMONJSON_MAX) {
		r = err_set(&ctx->err, ERR_TOOBIG,
		    "%s on \"%s\" is larger than %zu KiB; nothing was changed",
		    d->dj, d->context, DAEMONJSON_MAX >> 10);
		goto out;
	}
	buf_add(&d->old_json, res.out.data, res.out.len);
	sha256_hex(d->old_json.data, d->old_json.len, d->old_sha);
	if ((r = daemonjson_merge_tls(d->old_json.data, d->old_json.len,
		 d->files[0].path, d->files[1].path, d->files[2].path,
		 &d->new_json, &d->changed, &e2)) != 0)
		r = err_set(&ctx->err, r,
		    "refusing to deploy: %s on \"%s\": %s; nothing was changed",
		    d->dj, d->context,
		    str_has_prefix(e2.msg, "daemon.json: ") ? e2.msg + 13
							    : e2.msg);
out:
	ssh_exec_result_release(&res);
	buf_release(&s);
	return r;
}

/* Remove the temporary files (after a failure; errors ignored). */
static void
remove_temps(struct cmd_ctx *ctx, struct deploy *d)
{
	struct ssh_exec_result res;
	struct cm_err e2;
	struct buf s;
	size_t i;

	buf_init(&s, 0);
	buf_adds(&s, "rm -f --");
	for (i = 0; i < nitems(d->files); i++) {
		buf_addc(&s, ' ');
		shell_quote(&s, d->files[i].tmp);
	}
	buf_addc(&s, ' ');
	shell_quote(&s, d->dj_tmp);
	ssh_exec_result_init(&res, DEPLOY_OUT_CAP);
	if (ssh_exec(d->conn, s.data, NULL, 0, 0, &res, &e2) != 0 ||
	    res.exit_status != 0)
		fprintf(ctx->errout,
		    "warning: cannot remove the temporary files .ctxmgr-%s-* "
		    "on \"%s\"\n",
		    d->token, d->context);
	ssh_exec_result_release(&res);
	buf_release(&s);
}

/*
 * Write one file under its temporary name: the directory is made when
 * missing (0700, parents 0755) and root-owned, not group or other
 * writable; the file is root-owned with `mode`.  The byte count is read
 * back to catch a short write.
 */
static int
upload_one(struct cmd_ctx *ctx, struct deploy *d, const char *dir, int dirmode,
    const char *tmp, int mode, const struct buf *data, const char *what)
{
	struct ssh_exec_result res;
	struct buf s;
	long long n;
	int r;

	buf_init(&s, 0);
	ssh_exec_result_init(&res, DEPLOY_OUT_CAP);
	sh_var(&s, "d", dir);
	sh_var(&s, "t", tmp);
	buf_printf(&s,
	    "set -e; umask 077; "
	    "if [ ! -d \"$d\" ]; then (umask 022; mkdir -p -- \"$d\"); "
	    "chmod %04o -- \"$d\"; fi; "
	    "chown 0:0 -- \"$d\"; chmod go-w -- \"$d\"; "
	    "set -C; cat >\"$t\"; chown 0:0 -- \"$t\"; chmod %04o -- \"$t\"; "
	    "wc -c <\"$t\"",
	    dirmode, mode);
	if ((r = remote_run(
		 ctx, d, what, &s, data->data, data->len, 0, &res, NULL)) != 0)
		goto out;
	buf_rtrim(&res.out);
	if (parse_int(res.out.data + strspn(res.out.data, " "), 0, LLONG_MAX,
		&n) != 0 ||
	    (size_t)n != data->len)
		r = err_set(&ctx->err, ERR_IO,
		    "%s: the host holds %s bytes, not %zu", what,
		    str_has_ctrl(res.out.data) ? "?" : res.out.data, data->len);
out:
	ssh_exec_result_release(&res);
	buf_release(&s);
	return r;
}

static int
upload(struct cmd_ctx *ctx, struct deploy *d)
{
	char what[128];
	size_t i;
	int r = 0;

	for (i = 0; i < nitems(d->files) && r == 0; i++) {
		snprintf(what, sizeof(what), "uploading %s", d->files[i].name);
		r = upload_one(ctx, d, d->dir, 0700, d->files[i].tmp,
		    d->files[i].mode, &d->files[i].data, what);
	}
	if (r == 0 && d->changed)
		r = upload_one(ctx, d, d->dj_dir, 0755, d->dj_tmp, 0644,
		    &d->new_json, "uploading daemon.json");
	return r;
}

/*
 * One remote step: daemon.json must still be what was read; keep a copy
 * of it (mode and owner too), then rename every file into place.
 */
static int
commit(struct cmd_ctx *ctx, struct deploy *d)
{
	struct ssh_exec_result res;
	struct buf s;
	char *bak;
	size_t i;
	int r;

	buf_init(&s, 0);
	ssh_exec_result_init(&res, DEPLOY_OUT_CAP);
	bak = xasprintf("%s.bak-%s", d->dj, d->stamp);
	sh_var(&s, "f", d->dj);
	sh_var(&s, "b", bak);
	buf_adds(&s, "set -e; ");
	if (d->changed) {
		if (d->had_json)
			buf_printf(&s,
			    "[ -f \"$f\" ] && [ ! -L \"$f\" ] && "
			    "[ \"$(sha256sum <\"$f\" | cut -c1-64)\" = %s ] || "
			    "{ echo \"$f changed while deploying: run again\" "
			    ">&2; exit 1; }; "
			    "if [ -e \"$b\" ] || [ -L \"$b\" ]; then "
			    "b=\"$b-%s\"; fi; "
			    "cp -p -- \"$f\" \"$b\"; echo \"$b\"; ",
			    d->old_sha, d->token);
		else
			buf_adds(&s,
			    "[ ! -e \"$f\" ] && [ ! -L \"$f\" ] || "
			    "{ echo \"$f appeared while deploying: run again\" "
			    ">&2; exit 1; }; ");
	}
	for (i = 0; i < nitems(d->files); i++) {
		buf_adds(&s, "mv -f -- ");
		shell_quote(&s, d->files[i].tmp);
		buf_addc(&s, ' ');
		shell_quote(&s, d->files[i].path);
		buf_adds(&s, "; ");
	}
	if (d->changed) {
		buf_adds(&s, "mv -f -- ");
		shell_quote(&s, d->dj_tmp);
		buf_adds(&s, " \"$f\"; ");
	}
	buf_adds(&s, "sync 2>/dev/null || :");
	if ((r = remote_run(ctx, d, "installing the files", &s, NULL, 0, 0,
		 &res, NULL)) != 0)
		goto out;
	buf_rtrim(&res.out);
	if (d->changed && d->had_json)
		d->backup = xstrdup(res.out.data);
out:
	free(bak);
	ssh_exec_result_release(&res);
	buf_release(&s);
	return r;
}

/* systemctl when systemd runs, else service; the first output line
 * names the command that ran. */
static int
restart(struct cmd_ctx *ctx, struct deploy *d)
{
	struct ssh_exec_result res;
	struct buf s;
	char *nl;
	int r;

	buf_init(&s, 0);
	ssh_exec_result_init(&res, DEPLOY_OUT_CAP);
	buf_adds(&s,
	    "if [ -d /run/systemd/system ] && command -v systemctl "
	    ">/dev/null 2>&1; then echo systemctl restart docker; "
	    "exec systemctl restart docker; "
	    "else echo service docker restart; exec service docker restart; "
	    "fi");
	r = remote_run(ctx, d, "restarting dockerd", &s, NULL, 0,
	    DEPLOY_RESTART_TIMEOUT_MS, &res, NULL);
	if ((nl = strchr(res.out.data, '\n')) != NULL)
		*nl = '\0';
	if (str_has_prefix(res.out.data, "systemctl ") ||
	    str_has_prefix(res.out.data, "service "))
		snprintf(
		    d->restart_cmd, sizeof(d->restart_cmd), "%s", res.out.data);
	ssh_exec_result_release(&res);
	buf_release(&s);
	return r;
}

/* Split text into lines (pointers into `text`, which is cut at '\n'). */
static char **
split_lines(char *text, size_t len, size_t *np)
{
	char **v = NULL, *p = text, *end = text + len, *nl;
	size_t n = 0;

	while (p < end) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = p;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	*np = n;
	return v;
}

/*
 * A unified diff of the whole file as one hunk (daemon.json is small):
 * the longest common subsequence of lines, or every line removed and
 * added when the table would be too big.
 */
static void
diff_lines(struct buf *out, const char *name, const struct buf *oldb,
    const struct buf *newb)
{
	char *a_text = xstrdup(oldb->data), *b_text = xstrdup(newb->data);
	size_t n, m, i, j, w;
	char **a = split_lines(a_text, oldb->len, &n);
	char **b = split_lines(b_text, newb->len, &m);
	unsigned *t = NULL;

	buf_printf(out, "--- %s\n+++ %s (merged)\n@@ -%zu,%zu +%zu,%zu @@\n",
	    name, name, n ? (size_t)1 : 0, n, m ? (size_t)1 : 0, m);
	w = m + 1;
	if ((n + 1) * w <= DEPLOY_DIFF_MAX_CELLS) {
		t = xcalloc((n + 1) * w, sizeof(*t));
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				t[i * w + j] = strcmp(a[i], b[j]) == 0
				    ? t[(i + 1) * w + j + 1] + 1
				    : t[(i + 1) * w + j] > t[i * w + j + 1]
				    ? t[(i + 1) * w + j]
				    : t[i * w + j + 1];
	}
	i = j = 0;
	while (i < n || j < m) {
		if (t != NULL && i < n && j < m && strcmp(a[i], b[j]) == 0) {
			buf_printf(out, " %s\n", a[i++]);
			j++;
		} else if (i < n &&
		    (j == m || t == NULL ||
			t[(i + 1) * w + j] >= t[i * w + j + 1]))
			buf_printf(out, "-%s\n", a[i++]);
		else
			buf_printf(out, "+%s\n", b[j++]);
	}
	free(t);
	free(a);
	free(b);
	free(a_text);
	free(b_text);
}

static void
print_result(struct cmd_ctx *ctx, struct deploy *d, int dry, int restarted,
    const struct buf *diff)
{
	const struct ssh_info *in = ssh_conn_info(d->conn);
	char where[600];
	size_t i;

	snprintf(
	    where, sizeof(where), "%s@%s:%d", in->user, in->host, in->port);
	if (ctx->format != FMT_TABLE) {
		json_t *o = json_object(), *files = json_array(), *dj, *f;
		char mode[8];
		json_object_set_new(o, "server", json_string(d->server));
		json_object_set_new(o, "context", json_string(d->context));
		json_object_set_new(o, "host", json_string(where));
		json_object_set_new(o, "dryRun", json_boolean(dry));
		json_object_set_new(o, "remoteDir", json_string(d->dir));
		for (i = 0; i < nitems(d->files); i++) {
			f = json_object();
			snprintf(mode, sizeof(mode), "%04o", d->files[i].mode);
			json_object_set_new(
			    f, "path", json_string(d->files[i].path));
			json_object_set_new(f, "mode", json_string(mode));
			json_object_set_new(f, "owner", json_string("root"));
			json_object_set_new(f, "bytes",
			    json_integer((json_int_t)d->files[i].data.len));
			json_array_append_new(files, f);
		}
		json_object_set_new(o, "files", files);
		dj = json_object();
		json_object_set_new(dj, "path", json_string(d->dj));
		json_object_set_new(dj, "existed", json_boolean(d->had_json));
		json_object_set_new(dj, "changed", json_boolean(d->changed));
		if (d->backup != NULL)
			json_object_set_new(
			    dj, "backup", json_string(d->backup));
		if (diff != NULL)
			json_object_set_new(
			    dj, "diff", json_string(diff->data));
		json_object_set_new(o, "daemonJson", dj);
		json_object_set_new(o, "restarted", json_boolean(restarted));
		if (restarted)
			json_object_set_new(
			    o, "restartCommand", json_string(d->restart_cmd));
		(void)output_value(ctx, o);
		json_decref(o);
		return;
	}
	fprintf(ctx->out, "%s server certificate \"%s\" to \"%s\" (%s)\n",
	    dry ? "would deploy" : "deployed", d->server, d->context, where);
	for (i = 0; i < nitems(d->files); i++)
		fprintf(ctx->out, "  %04o root %6zu bytes  %s\n",
		    d->files[i].mode, d->files[i].data.len, d->files[i].path);
	if (!d->changed)
		fprintf(ctx->out, "  %s: the TLS settings are there already\n",
		    d->dj);
	else if (dry)
		fprintf(ctx->out, "  %s: %s\n", d->dj,
		    d->had_json ? "TLS settings merged (diff below), the old "
				  "file kept as .bak-TIME"
				: "created (diff below)");
	else if (d->backup != NULL)
		fprintf(ctx->out,
		    "  %s: TLS settings merged; the old file is kept as %s\n",
		    d->dj, d->backup);
	else
		fprintf(
		    ctx->out, "  %s: created with the TLS settings\n", d->dj);
	if (diff != NULL && d->changed)
		fprintf(ctx->out, "\n%s", diff->data);
	if (restarted)
		fprintf(ctx->out, "restarted dockerd: ran \"%s\"\n",
		    d->restart_cmd);
	else if (!dry && !ctx->quiet)
		fprintf(ctx->out,
		    "dockerd reads its certificates only when it starts: "
		    "restart it (--restart does)\n");
	if (!ctx->quiet && strstr(d->new_json.data, "\"hosts\"") == NULL)
		fprintf(ctx->out,
		    "note: daemon.json has no \"hosts\": dockerd takes TLS "
		    "clients only when its\nservice also listens on tcp:// "
		    "(-H tcp://0.0.0.0:2376)\n");
}

static int
cmd_ca_deploy_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *rdir = args_get(a, "remote-dir");
	const char *dj = args_get(a, "daemon-json");
	int dry = args_has(a, "dry-run"), want_restart = args_has(a, "restart");
	int r, uploading = 0, restarted = 0;
	struct context *c = NULL;
	struct deploy d;
	struct store st;
	struct buf diff;
	unsigned char rnd[8];
	struct tm tm;
	time_t now;
	char *dir = NULL;
	size_t i;

	deploy_init(&d);
	buf_init(&diff, 0);
	cmd_store_open(ctx, &st);
	d.server = a->argv[0];
	if (rdir == NULL)
		rdir = DEPLOY_REMOTE_DIR;
	if (dj == NULL)
		dj = DEPLOY_DAEMON_JSON;
	if ((r = check_remote_path(ctx, "remote-dir", rdir)) != 0 ||
	    (r = check_remote_path(ctx, "daemon-json", dj)) != 0)
		goto out;
	dir = strip_slashes(rdir);
	d.dir = dir;
	d.dj = dj;
	d.dj_dir = path_dirname(dj);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		r = err_set(&ctx->err, ERR_CRYPTO, "no random bytes");
		goto out;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(d.token + 2 * i, 3, "%02x", rnd[i]);
	now = ca_now();
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(d.stamp, sizeof(d.stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(d.stamp, sizeof(d.stamp), "%lld", (long long)now);
	for (i = 0; i < nitems(d.files); i++) {
		char *base =
		    xasprintf(".ctxmgr-%s-%s", d.token, d.files[i].name);
		d.files[i].path = path_join(dir, d.files[i].name);
		d.files[i].tmp = path_join(dir, base);
		free(base);
	}
	{
		char *base = xasprintf(".ctxmgr-%s-daemon.json", d.token);
		d.dj_tmp = path_join(d.dj_dir, base);
		free(base);
	}
	if ((r = load_server(ctx, a, &d)) != 0)
		goto out;

	/* --context names the host; without it, the context named like
	 * the server certificate */
	d.context = ctx->context != NULL ? ctx->context : d.server;
	if (ctx->context == NULL && !store_exists(&st, d.server)) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "no context \"%s\" to deploy to: name the ssh:// context "
		    "of the host with --context (ctxmgr ca deploy %s "
		    "--context CONTEXT)",
		    d.server, d.server);
		goto out;
	}
	if ((r = cmd_load_context(ctx, &st, d.context, &c)) != 0)
		goto out;
	if (svc_context_ssh_url(c) == NULL) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "context \"%s\" is not an ssh:// context (its endpoint is "
		    "\"%s\"): ca deploy reaches the host over SSH; %s",
		    c->name, c->host ? c->host : "",
		    ctx->context != NULL
			? "give an ssh:// context with --context"
			: "name the ssh:// context of the host with --context");
		goto out;
	}
	if ((r = cmd_ssh_connect(ctx, d.context, 0, &d.conn)) != 0 ||
	    (r = check_root(ctx, &d)) != 0 ||
	    (r = read_daemon_json(ctx, &d)) != 0)
		goto out;
	if (dry || ctx->verbose)
		diff_lines(&diff, d.dj, &d.old_json, &d.new_json);
	if (dry) {
		print_result(ctx, &d, 1, 0, &diff);
		goto out;
	}
	uploading = 1;
	if ((r = upload(ctx, &d)) != 0 || (r = commit(ctx, &d)) != 0) {
		err_prefix(
		    &ctx->err, "nothing was installed on \"%s\"", d.context);
		goto out;
	}
	uploading = 0;
	if (want_restart) {
		if ((r = restart(ctx, &d)) != 0) {
			err_prefix(&ctx->err,
			    "the files are installed on \"%s\" but dockerd did "
			    "not restart (%s)",
			    d.context,
			    *d.restart_cmd ? d.restart_cmd : "no command ran");
			goto out;
		}
		restarted = 1;
	}
	print_result(ctx, &d, 0, restarted, ctx->verbose ? &diff : NULL);
out:
	if (r != 0 && uploading && d.conn != NULL)
		remove_temps(ctx, &d);
	context_free(c);
	store_release(&st);
	buf_release(&diff);
	deploy_release(&d);
	free(dir);
	return r;
}

const struct cmd_entry cmd_ca_deploy_entry = {
	.name = "deploy",
	.usage = "NAME [--context CONTEXT] [--remote-dir DIR] "
		 "[--daemon-json PATH] [--restart] [--dry-run]",
	.summary = "install a server certificate on its Docker host over SSH",
	.help = "Uploads ca.pem, server-cert.pem and server-key.pem of the "
		"server certificate\n"
		"NAME (from \"ca issue server --cn NAME\") into --remote-dir, "
		"root-owned (the\n"
		"directory 0700 when made here, never group or other writable; "
		"the certificates\n"
		"0444, the key 0400, as CIS 3.9-3.14 ask), and sets "
		"\"tlsverify\", \"tlscacert\",\n"
		"\"tlscert\" and \"tlskey\" in daemon.json, keeping every "
		"other key in its order\n"
		"and the old file as PATH.bak-TIME.  The host is the ssh:// "
		"context given with\n"
		"--context (-c); without it, the context named NAME.  The "
		"remote user must be\n"
		"root: that is checked first, and invalid JSON or duplicate "
		"keys in daemon.json\n"
		"stop the deploy before anything is written.  Files go up "
		"under temporary names\n"
		"and are renamed into place in one step.  No CA passphrase is "
		"needed: the\n"
		"server key is stored unencrypted for dockerd.  --restart then "
		"runs \"systemctl\n"
		"restart docker\" (with systemd) or \"service docker restart\" "
		"and says which.\n\n"
		"examples:\n"
		"  ctxmgr ca deploy docker1 --context admin-docker1 --restart\n"
		"  ctxmgr ca deploy docker1 --dry-run   # context docker1 is "
		"ssh://",
	.flags = ca_deploy_flags,
	.args = { 1, 1, COMPLETE_NONE, NULL },
	.exec = cmd_ca_deploy_exec,
};
