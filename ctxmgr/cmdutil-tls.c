/*
 * cmdutil-tls.c: the endpoint and TLS options create and update share
 * (see cmdutil.h).  Kept apart from cmdutil.c so that the commands that
 * only read the store (the fast front binary: ls, use, show, prompt)
 * do not pull in OpenSSL.
 */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/endpoint.h"
#include "common/file.h"
#include "keystore/pem.h"
#include "common/xmalloc.h"

void
tls_input_init(struct tls_input *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->ca, STORE_TLS_MAX);
	buf_init(&t->cert, STORE_TLS_MAX);
	buf_init_secret(&t->key, STORE_TLS_MAX);
}

void
tls_input_release(struct tls_input *t)
{
	buf_release(&t->ca);
	buf_release(&t->cert);
	buf_release(&t->key);
}

/* Split Docker's "--docker host=...,ca=..." into the same flags. */
static int
parse_docker_opt(struct cmd_ctx *ctx, const char *spec, const char **host,
    const char **ca, const char **cert, const char **key, int *skip,
    char **owned)
{
	char *copy = xstrdup(spec), *p = copy, *next, *eq;

	*owned = copy;
	for (; p != NULL && *p != '\0'; p = next) {
		next = strchr(p, ',');
		if (next != NULL)
			*next++ = '\0';
		if ((eq = strchr(p, '=')) == NULL)
			return err_set(&ctx->err, ERR_USAGE,
			    "--docker: \"%s\" is not KEY=VALUE", p);
		*eq++ = '\0';
		if (strcmp(p, "host") == 0)
			*host = eq;
		else if (strcmp(p, "ca") == 0)
			*ca = eq;
		else if (strcmp(p, "cert") == 0)
			*cert = eq;
		else if (strcmp(p, "key") == 0)
			*key = eq;
		else if (strcmp(p, "skip-tls-verify") == 0) {
			if (strcmp(eq, "true") != 0 && strcmp(eq, "false") != 0)
				return err_set(&ctx->err, ERR_USAGE,
				    "--docker: skip-tls-verify takes true or "
				    "false");
			*skip = strcmp(eq, "true") == 0;
		} else if (strcmp(p, "from") == 0)
			return err_set(&ctx->err, ERR_USAGE,
			    "--docker: use --from NAME instead of from=");
		else
			return err_set(&ctx->err, ERR_USAGE,
			    "--docker: unknown key \"%s\"", p);
	}
	return 0;
}

static int
read_tls_file(struct cmd_ctx *ctx, const char *flag, const char *path,
    struct buf *b, int *have)
{
	char what[512];
	int r;

	if ((r = file_read(path, STORE_TLS_MAX, 0, b, &ctx->err)) != 0)
		return err_prefix(&ctx->err, "--%s", flag);
	snprintf(what, sizeof(what), "--%s \"%s\"", flag, path);
	if (strcmp(flag, "key") == 0)
		r = pem_check_key(b->data, b->len, what, &ctx->err);
	else
		r = pem_check_certs(b->data, b->len, what, &ctx->err);
	*have = r == 0;
	return r;
}

static int
check_ssh_setting(
    struct cmd_ctx *ctx, const struct context *c, const char *flag)
{
	if (svc_context_ssh_url(c) == NULL)
		return err_set(&ctx->err, ERR_USAGE,
		    "--%s applies to ssh:// contexts only", flag);
	return 0;
}

int
cmd_apply_endpoint_flags(struct cmd_ctx *ctx, struct cmd_args *a,
    struct context *c, struct tls_input *tls)
{
	const char *host = args_get(a, "host"), *ca = args_get(a, "ca");
	const char *cert = args_get(a, "cert"), *key = args_get(a, "key");
	const char *desc = args_get(a, "description"), *v;
	char *owned = NULL;
	struct endpoint ep;
	int r, skip = -1;

	if (args_get(a, "docker") != NULL &&
	    (r = parse_docker_opt(ctx, args_get(a, "docker"), &host, &ca, &cert,
		 &key, &skip, &owned)) != 0)
		goto out;
	if (host != NULL) {
		r = endpoint_parse(host, &ep, &ctx->err);
		endpoint_free(&ep);
		if (r != 0) {
			err_prefix(&ctx->err, "invalid --host");
			goto out;
		}
		if (svc_context_tunnelled(c) && str_has_prefix(host, "ssh://"))
			/* tunnelled stays tunnelled: the URL moves */
			context_set_setting(c, SETTING_SSH_HOST, host);
		else {
			context_set_setting(c, SETTING_SSH_HOST, NULL);
			free(c->host);
			c->host = xstrdup(host);
		}
		c->has_docker = 1;
	}
	if (desc != NULL) {
		free(c->description);
		c->description = *desc ? xstrdup(desc) : NULL;
	}
	if (args_get(a, "skip-tls-verify") != NULL)
		skip = args_has(a, "skip-tls-verify");
	if (skip >= 0)
		c->skip_tls_verify = skip;
	if ((cert == NULL) != (key == NULL)) {
		r = err_set(
		    &ctx->err, ERR_USAGE, "--cert and --key go together");
		goto out;
	}
	if ((ca != NULL &&
		(r = read_tls_file(ctx, "ca", ca, &tls->ca, &tls->have_ca)) !=
		    0) ||
	    (cert != NULL &&
		(r = read_tls_file(
		     ctx, "cert", cert, &tls->cert, &tls->have_cert)) != 0) ||
	    (key != NULL &&
		(r = read_tls_file(
		     ctx, "key", key, &tls->key, &tls->have_key)) != 0))
		goto out;
	if (cert != NULL &&
	    (r = pem_check_pair(tls->cert.data, tls->cert.len, tls->key.data,
		 tls->key.len, &ctx->err)) != 0) {
		err_prefix(
		    &ctx->err, "--cert \"%s\" and --key \"%s\"", cert, key);
		goto out;
	}
	if ((tls->have_ca || tls->have_cert) &&
	    svc_context_ssh_url(c) != NULL) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "TLS files do not apply to an ssh:// endpoint (SSH "
		    "protects the connection)");
		goto out;
	}

	if ((v = args_get(a, "identity")) != NULL) {
		if ((r = check_ssh_setting(ctx, c, "identity")) != 0)
			goto out;
		context_set_setting(c, SETTING_IDENTITY, *v ? v : NULL);
	}
	if ((v = args_get(a, "strict-host-key-checking")) != NULL) {
		if ((r = check_ssh_setting(
			 ctx, c, "strict-host-key-checking")) != 0)
			goto out;
		context_set_setting(c, SETTING_HOST_KEY_CHECK, v);
	}
	if ((v = args_get(a, "tunnel-mode")) != NULL) {
		if ((r = check_ssh_setting(ctx, c, "tunnel-mode")) != 0)
			goto out;
		context_set_setting(c, SETTING_TUNNEL_MODE, v);
	}
	r = 0;
out:
	free(owned);
	return r;
}

int
cmd_write_tls(struct cmd_ctx *ctx, struct store *st, const char *name,
    struct tls_input *tls)
{
	int r = 0;

	if (tls->have_ca)
		r = store_tls_write(st, name, "docker", "ca.pem", tls->ca.data,
		    tls->ca.len, &ctx->err);
	if (r == 0 && tls->have_cert)
		r = store_tls_write(st, name, "docker", "cert.pem",
		    tls->cert.data, tls->cert.len, &ctx->err);
	if (r == 0 && tls->have_key)
		r = store_tls_write(st, name, "docker", "key.pem",
		    tls->key.data, tls->key.len, &ctx->err);
	return r;
}
