/* cmd-keys-check.c: rate SSH keys, key files, authorized_keys and
 * known_hosts files. */
#include "common/compat.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "common/file.h"
#include "keystore/keycheck.h"
#include "ctxmgr/keysremote.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "ctxmgr/select.h"
#include "ctxmgr/svckick.h"
#include "common/xmalloc.h"

static const struct cmd_flag keys_check_flags[] = {
	{ "strict", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "exit 1 on warnings too, not only on failures" },
	{ "filter", 'f', FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",
	    "also the remote authorized_keys of every ssh context that "
	    "matches (name=GLOB, tag=T, tunnel=on|off)" },
	{ "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "also the remote authorized_keys of every ssh context" },
	FLAG_ACCEPT_NEW, { 0 }
};

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL && *v != '\0')
		json_object_set_new(o, key, json_string(v));
}

/* One finding as JSON (camelCase keys; absent when not known). */
static json_t *
finding_json(const struct key_finding *f)
{
	const struct sshkey_info *k = &f->key;
	json_t *o = json_object(), *reasons = json_array(), *c;
	char mode[8];
	size_t i;

	json_object_set_new(o, "path", json_string(f->path));
	if (f->line > 0)
		json_object_set_new(o, "line", json_integer(f->line));
	json_object_set_new(o, "kind", json_string(key_kind_name(f->kind)));
	if (k->format != SSHKEY_FMT_NONE)
		json_object_set_new(
		    o, "format", json_string(sshkey_format_name(k->format)));
	if (k->known || k->type != SSHKEY_UNKNOWN) {
		json_object_set_new(
		    o, "type", json_string(sshkey_type_label(k->type)));
		set_str(o, "keyType", k->type_name);
	}
	if (k->bits > 0)
		json_object_set_new(o, "bits", json_integer(k->bits));
	set_str(o, "curve", k->curve);
	set_str(o, "fingerprint", k->fingerprint);
	set_str(o, "comment", k->comment);
	if (k->cert) {
		c = json_object();
		json_object_set_new(
		    c, "type", json_string(k->cert_host ? "host" : "user"));
		json_object_set_new(c, "keyId", json_string(k->cert_key_id));
		json_object_set_new(
		    c, "caType", json_string(sshkey_type_label(k->ca_type)));
		json_object_set_new(c, "caBits", json_integer(k->ca_bits));
		json_object_set_new(
		    c, "caFingerprint", json_string(k->ca_fingerprint));
		json_object_set_new(o, "certificate", c);
	}
	if (f->kind == KEY_KIND_PRIVATE) {
		json_object_set_new(o, "encrypted", json_boolean(k->encrypted));
		set_str(o, "cipher", k->cipher);
		set_str(o, "kdf", k->kdf);
		if (k->kdf_rounds > 0)
			json_object_set_new(o, "kdfRounds",
			    json_integer((json_int_t)k->kdf_rounds));
	}
	set_str(o, "options", f->options);
	if (f->cert_authority)
		json_object_set_new(o, "certAuthority", json_true());
	set_str(o, "hosts", f->hosts);
	if (f->kind == KEY_KIND_KNOWN_HOST)
		json_object_set_new(o, "hashed", json_boolean(f->hashed));
	set_str(o, "marker", f->marker);
	if (f->have_stat) {
		snprintf(mode, sizeof(mode), "%04o", (unsigned)f->mode);
		json_object_set_new(o, "owner", json_string(f->owner));
		json_object_set_new(o, "uid", json_integer(f->uid));
		json_object_set_new(o, "mode", json_string(mode));
	}
	json_object_set_new(o, "verdict",
	    json_string(f->skipped ? "skip" : key_verdict_name(f->verdict)));
	for (i = 0; i < f->nreasons; i++) {
		c = json_object();
		json_object_set_new(c, "level",
		    json_string(f->reasons[i].level == KEY_OK
			    ? "note"
			    : key_verdict_name(f->reasons[i].level)));
		json_object_set_new(c, "text", json_string(f->reasons[i].text));
		json_array_append_new(reasons, c);
	}
	json_object_set_new(o, "reasons", reasons);
	return o;
}

static void
print_table(struct cmd_ctx *ctx, const struct key_report *rep)
{
	static const char *const headers[] = { "FILE", "TYPE", "BITS",
		"FINGERPRINT", "COMMENT", "VERDICT", "REASONS" };
	size_t i, j, counts[3] = { 0, 0, 0 }, skipped = 0;
	struct table *t = table_new(7, headers);

	for (i = 0; i < rep->n; i++) {
		const struct key_finding *f = &rep->v[i];
		const struct sshkey_info *k = &f->key;
		const char *cells[7];
		char *file, *type, bits[16];
		struct buf why;

		buf_init(&why, 0);
		/* failures and warnings first, then notes */
		for (j = 0; j < f->nreasons; j++)
			if (f->reasons[j].level != KEY_OK)
				buf_printf(&why, "%s%s", why.len ? "; " : "",
				    f->reasons[j].text);
		for (j = 0; j < f->nreasons; j++)
			if (f->reasons[j].level == KEY_OK)
				buf_printf(&why, "%s%s", why.len ? "; " : "",
				    f->reasons[j].text);
		file = f->line > 0 ? xasprintf("%s:%u", f->path, f->line)
				   : xstrdup(f->path);
		if (k->known || k->type != SSHKEY_UNKNOWN)
			type = xasprintf("%s%s", sshkey_type_label(k->type),
			    k->cert ? "-CERT" : "");
		else
			type = xstrdup("-");
		if (k->bits > 0)
			snprintf(bits, sizeof(bits), "%d", k->bits);
		else
			snprintf(bits, sizeof(bits), "-");
		cells[0] = file;
		cells[1] = type;
		cells[2] = bits;
		cells[3] = k->fingerprint[0] ? k->fingerprint : "-";
		cells[4] = k->comment;
		cells[5] = f->skipped ? "skip" : key_verdict_name(f->verdict);
		cells[6] = why.data;
		table_add(t, cells);
		if (f->verdict == KEY_FAIL)
			table_color_last(t, C_RED);
		else if (f->verdict == KEY_WARN)
			table_color_last(t, C_YELLOW);
		if (f->skipped)
			skipped++;
		else
			counts[f->verdict]++;
		free(file);
		free(type);
		buf_release(&why);
	}
	table_print(ctx, t);
	fprintf(ctx->out, "%zu checked: %zu ok, %zu warn, %zu fail",
	    rep->n - skipped, counts[KEY_OK], counts[KEY_WARN],
	    counts[KEY_FAIL]);
	if (skipped > 0)
		fprintf(ctx->out, "; %zu skipped (not key files)", skipped);
	fputc('\n', ctx->out);
}

/* "-": the text on standard input, read once. */
static int
check_stdin(struct cmd_ctx *ctx, struct key_report *rep, int *done)
{
	struct buf b;
	int r;

	if ((*done)++)
		return err_set(&ctx->err, ERR_USAGE,
		    "standard input (\"-\") can be read only once");
	buf_init_secret(&b, SSHKEY_FILE_MAX);
	r = file_read_fd(
	    STDIN_FILENO, "standard input", SSHKEY_FILE_MAX, &b, &ctx->err);
	if (r == 0)
		keycheck_text("-", b.data, b.len, 0, rep);
	buf_release(&b);
	return r;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of the user's own ~/.ssh ($HOME), sorted, as ~/.ssh/ * would
 * give them. */
static int
own_ssh_files(struct cmd_ctx *ctx, struct strv *out)
{
	const char *home = getenv("HOME");
	struct dirent *de;
	char *dir;
	DIR *d;

	if (home == NULL || *home == '\0')
		return err_set(&ctx->err, ERR_USAGE,
		    "HOME is not set: give key files to check");
	dir = path_join(home, ".ssh");
	if ((d = opendir(dir)) == NULL) {
		err_set(&ctx->err, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
		    "cannot read \"%s\": %s (give key files to check, or "
		    "--context NAME for a remote authorized_keys)",
		    dir, strerror(errno));
		free(dir);
		return ctx->err.code;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			strv_push_owned(out, path_join(dir, de->d_name));
	closedir(d);
	free(dir);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

/* PATH.pub whose private key PATH is checked in the same run. */
static const char *
paired_pub(char *const *paths, int n, const char *path)
{
	size_t len = strlen(path);
	struct stat st;
	int i;

	if (len <= 4 || strcmp(path + len - 4, ".pub") != 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (strlen(paths[i]) == len - 4 &&
		    strncmp(paths[i], path, len - 4) == 0 &&
		    stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
			return paths[i];
	return NULL;
}

/*
 * --filter/--all: each selected ssh context's authorized_keys, one after
 * the other into one report; a context that cannot be read is a failed
 * finding naming the cause, and the others are still checked.
 */
static int
check_selected(struct cmd_ctx *ctx, struct cmd_args *a, struct key_report *rep)
{
	struct context **list = NULL;
	struct store st;
	struct key_finding *f;
	struct progress pg;
	size_t i, n = 0, nssh = 0;
	char *label;
	int r;

	cmd_store_open(ctx, &st);
	if ((r = ctx_select(&st, args_get_all(a, "filter"), args_has(a, "all"),
		 CTX_SELECT_LOAD | CTX_SELECT_NO_DEFAULT, &list, &n,
		 &ctx->err)) != 0)
		goto out;
	store_release(&st);
	for (i = 0; i < n; i++)
		nssh += svc_context_ssh_url(list[i]) != NULL;
	progress_init(&pg, ctx, "checking", nssh);
	nssh = 0;
	for (i = 0; i < n; i++) {
		if (svc_context_ssh_url(list[i]) == NULL)
			continue;
		nssh++;
		err_init(&ctx->err);
		progress_item(&pg, list[i]->name);
		r = keys_check_remote(ctx, list[i]->name, rep);
		progress_done_one(&pg);
		if (r == 0)
			continue;
		label = xasprintf("%s:~/.ssh/authorized_keys", list[i]->name);
		keycheck_skip(rep, label, ctx->err.msg);
		f = &rep->v[rep->n - 1];
		f->skipped = 0;
		f->verdict = KEY_FAIL;
		f->reasons[0].level = KEY_FAIL;
		free(label);
	}
	progress_end(&pg);
	err_init(&ctx->err);
	r = 0;
	if (nssh == 0)
		r = err_set(&ctx->err, ERR_NOTFOUND, "no ssh context matches");
out:
	context_list_free(list, n);
	store_release(&st);
	return r;
}

static int
cmd_keys_check_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct strv own = { NULL, 0 };
	struct key_report rep;
	enum key_verdict worst;
	const char *priv;
	char **paths = a->argv, *why;
	int i, n = a->argc, r = 0, stdin_done = 0;
	int fleet = args_has(a, "all") || args_get_all(a, "filter")->n > 0;
	json_t *arr;

	key_report_init(&rep);
	if (n == 0 && ctx->context == NULL && !fleet) {
		/* no path: the user's own ~/.ssh */
		if ((r = own_ssh_files(ctx, &own)) != 0)
			goto out;
		paths = own.v;
		n = (int)own.n;
	}
	for (i = 0; i < n; i++)
		if (strcmp(paths[i], "-") == 0) {
			if ((r = check_stdin(ctx, &rep, &stdin_done)) != 0)
				goto out;
		} else if ((priv = paired_pub(paths, n, paths[i])) != NULL) {
			why = xasprintf("the public half of \"%s\", checked "
					"with it: skipped",
			    priv);
			keycheck_skip(&rep, paths[i], why);
			free(why);
		} else
			keycheck_file(paths[i], &rep);
	if (ctx->context != NULL &&
	    (r = keys_check_remote(ctx, ctx->context, &rep)) != 0)
		goto out;
	if (fleet && (r = check_selected(ctx, a, &rep)) != 0)
		goto out;
	if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; (size_t)i < rep.n; i++)
			json_array_append_new(arr, finding_json(&rep.v[i]));
		r = output_value(ctx, arr);
		json_decref(arr);
		if (r != 0)
			goto out;
	} else if (!ctx->quiet)
		print_table(ctx, &rep);
	worst = key_report_worst(&rep);
	r = worst == KEY_FAIL || (worst == KEY_WARN && args_has(a, "strict"))
	    ? 1
	    : 0;
out:
	key_report_release(&rep);
	strv_free(&own);
	return r;
}

const struct cmd_entry cmd_keys_check_entry = {
	.name = "check",
	.usage = "[--strict] [--format table|json|yaml] [PATH|-]... "
		 "[--context NAME | --filter KEY=VALUE... | --all]",
	.summary = "rate SSH keys, key files, authorized_keys and known_hosts",
	.help = "Reads OpenSSH private keys (openssh-key-v1: type, size, "
		"cipher and KDF rounds\nwithout the passphrase), PEM private "
		"keys (PKCS#1, PKCS#8, SEC1), public keys\n(.pub, RFC 4716, "
		"PEM), certificates, and authorized_keys and known_hosts "
		"files\n(one finding per key line, options noted); \"-\" "
		"reads standard input.  Without a\npath it checks every file "
		"of your own ~/.ssh.  What a ~/.ssh holds besides keys\n"
		"(ssh_config, environment, rc, known_hosts.old, sockets, "
		"directories, a .pub\nchecked with its private key) is "
		"skipped with a note.  Each\nfinding gets a verdict, ok, "
		"warn or fail, with its reasons; the policy and its\nsources "
		"are in the README.  With --context NAME, the authorized_keys "
		"of the\ncontext's SSH user is read over SSH and checked "
		"too; --filter and --all do that\nfor each selected ssh "
		"context, one after the other (one that cannot be read is\n"
		"a failed finding naming the cause).\n\nExit status: 1 when "
		"anything fails (with --strict, "
		"also on warnings), so it\ncan gate CI.  -q prints nothing: "
		"the exit status alone answers.",
	.flags = keys_check_flags,
	.args = { 0, -1, COMPLETE_FILE, NULL },
	.exec = cmd_keys_check_exec,
};
