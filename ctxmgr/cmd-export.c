/* cmd-export.c: export and import contexts as Docker's tar archives. */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"
#include "common/endpoint.h"
#include "store/archive.h"
#include "common/file.h"
#include "common/xmalloc.h"

static int
cmd_export_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = a->argv[0];
	const char *dest = a->argc > 1 ? a->argv[1] : NULL;
	struct context *c = NULL;
	char *defname = NULL;
	struct store st;
	struct buf tar;
	int r;

	cmd_store_open(ctx, &st);
	buf_init_secret(&tar, 0);
	if (dest != NULL && strcmp(dest, "-") == 0 && isatty(STDOUT_FILENO)) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "refusing to write a tar archive to a terminal; give a "
		    "file name or redirect the output");
		goto out;
	}
	if ((r = store_load(&st, name, &c, &ctx->err)) != 0)
		goto out;
	if (c->is_default) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "the default context cannot be exported");
		goto out;
	}
	/* a tunnelled context leaves as the portable ssh:// form, which
	 * "docker context import" anywhere can use */
	if (svc_context_tunnelled(c) &&
	    (r = cmd_tunnel_convert(ctx, c, 0, &ctx->err)) != 0)
		goto out;
	if ((r = archive_write(&st, c, &tar, &ctx->err)) != 0)
		goto out;
	if (dest != NULL && strcmp(dest, "-") == 0) {
		if (fd_write_all(STDOUT_FILENO, tar.data, tar.len) != 0)
			r = err_sys(&ctx->err, "cannot write the archive");
		goto out;
	}
	if (dest == NULL)
		dest = defname = xasprintf("%s.dockercontext", name);
	if ((r = file_write_atomic(
		 dest, tar.data, tar.len, 0600, FILE_EXCL, &ctx->err)) != 0)
		goto out;
	if (!ctx->quiet)
		fprintf(ctx->errout, "Written file \"%s\"\n", dest);
out:
	buf_release(&tar);
	context_free(c);
	free(defname);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "NAME [FILE | -]",
	.summary = "export a context to a tar archive Docker can import",
	.help = "Writes NAME.dockercontext (created exclusively, mode 0600) "
		"unless FILE is\ngiven; \"-\" writes to standard output, but "
		"never to a terminal.  The\narchive holds meta.json and "
		"tls/<endpoint>/<file>, as Docker's does, and\nis a complete "
		"tar file.",
	.args = { 1, 2, COMPLETE_CONTEXT, NULL },
	.exec = cmd_export_exec,
	.formats = FMT_BIT(FMT_TABLE),
};

static const struct cmd_flag import_flags[] = {
	IMPORT_ALLOW_INSECURE_FLAG,
	{ "direct", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "keep an ssh:// context for Docker's own ssh transport (not "
	    "tunnelled)" },
	{ 0 },
};

/* Drop what the archive may not set without --allow-insecure. */
static void
guard_archive(struct cmd_ctx *ctx, struct context *c, int allow)
{
	struct import_guard g = { 0 };

	g.name = c->name;
	g.source = "the archive";
	g.skip_tls_verify = c->skip_tls_verify;
	g.host_key_check = context_setting(c, SETTING_HOST_KEY_CHECK);
	g.identity = context_setting(c, SETTING_IDENTITY);
	if (cmd_import_guard(ctx, &g, allow) == 0 || allow)
		return;
	c->skip_tls_verify = g.skip_tls_verify;
	if (g.host_key_check != NULL)
		context_set_setting(
		    c, SETTING_HOST_KEY_CHECK, g.host_key_check);
	if (g.identity == NULL)
		context_set_setting(c, SETTING_IDENTITY, NULL);
}

static int
cmd_import_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = a->argv[0], *src = a->argv[1];
	struct context *c = NULL;
	struct archive ar;
	struct endpoint ep;
	struct store st;
	struct buf in;
	size_t i;
	int r, saved = 0;

	cmd_store_open(ctx, &st);
	buf_init_secret(&in, ARCHIVE_MAX);
	if ((r = context_name_check(name, &ctx->err)) != 0)
		goto out;
	if (store_exists(&st, name)) {
		r = err_set(&ctx->err, ERR_EXISTS,
		    "context \"%s\" already exists", name);
		goto out;
	}
	if ((r = cmd_read_input(ctx, src, ARCHIVE_MAX, 0, &in)) != 0) {
		if (r == ERR_TOOBIG)
			err_set(
			    &ctx->err, r, "the archive is larger than 10 MiB");
		goto bad;
	}
	if ((r = archive_read(in.data, in.len, &ar, &ctx->err)) != 0 ||
	    (r = context_parse_meta(ar.meta, ar.meta_len, &c, &ctx->err)) != 0)
		goto bad;
	free(c->name);
	c->name = xstrdup(name);
	guard_archive(ctx, c, args_has(a, "allow-insecure"));
	if (svc_context_ssh_url(c) != NULL) {
		r = endpoint_parse(svc_context_ssh_url(c), &ep, &ctx->err);
		endpoint_free(&ep);
		if (r != 0) {
			err_prefix(&ctx->err, "refusing the imported endpoint");
			goto bad;
		}
		/* ssh://: tunnelled unless --direct, with this machine's
		 * socket whatever the archive named */
		if ((r = cmd_tunnel_convert(
			 ctx, c, !args_has(a, "direct"), &ctx->err)) != 0)
			goto bad;
	} else
		context_set_setting(c, SETTING_SSH_HOST, NULL);
	if ((r = store_lock(&st, &ctx->err)) != 0 ||
	    (r = store_save(&st, c, STORE_CREATE, &ctx->err)) != 0)
		goto out;
	saved = 1;
	for (i = 0; i < ar.nfiles; i++)
		if ((r = store_tls_write(&st, name, ar.files[i].endpoint,
			 ar.files[i].name, ar.files[i].data, ar.files[i].size,
			 &ctx->err)) != 0)
			goto out;
	fprintf(ctx->out, "%s\n", name);
	if (!ctx->quiet)
		fprintf(ctx->errout, "Successfully imported context \"%s\"\n",
		    name);
	cmd_svc_after_save(ctx, &st, c);
	goto out;
bad:
	err_prefix(&ctx->err, "cannot import \"%s\"", src);
out:
	if (r != 0 && saved) {
		struct cm_err e2;
		(void)store_remove(&st, name, &e2);
	}
	context_free(c);
	buf_release(&in);
	store_release(&st);
	return r;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "NAME FILE | -",
	.summary = "import a context from an archive made by export or Docker",
	.help = "Accepts archives from \"ctxmgr export\" and \"docker context "
		"export\" (including\nthe truncated ones Docker 28 writes).  "
		"Only meta.json and\ntls/<endpoint>/<file> are accepted; "
		"links, devices, unsafe paths and\narchives over 10 MiB are "
		"refused, and nothing is written unless all is\nwell.  "
		"Settings that "
		"lower host-key or TLS checking (SkipTLSVerify,\n"
		"strictHostKeyChecking no or accept-new, an identity file "
		"outside\n~/.ssh) are dropped unless --allow-insecure is "
		"given.  An ssh:// context becomes tunnelled unless "
		"--direct is given.",
	.flags = import_flags,
	.args = { 2, 2, COMPLETE_FILE, NULL },
	.exec = cmd_import_exec,
	.formats = FMT_BIT(FMT_TABLE),
};
