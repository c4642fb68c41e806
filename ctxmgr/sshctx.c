/* sshctx.c: contexts to tunnel inputs (see sshctx.h). */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"
#include "common/endpoint.h"
#include "common/file.h"
#include "keystore/passphrase.h"
#include "ctxmgr/settings.h"
#include "ctxmgr/sshctx.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"
#include "common/xmalloc.h"

int
cmd_passphrase(void *arg, const char *key_path, int attempt, struct buf *out,
    struct cm_err *err)
{
	const char *file = getenv("CTXMGR_PASSPHRASE_FILE");
	char prompt[512];
	int r;

	(void)arg;
	if (file != NULL && *file != '\0') {
		if (attempt > 1)
			return err_set(err, ERR_AUTH,
			    "wrong passphrase for private key \"%s\" (from "
			    "CTXMGR_PASSPHRASE_FILE)",
			    key_path);
		if ((r = passphrase_from_file(file, out, err)) != 0)
			return err_prefix(err, "CTXMGR_PASSPHRASE_FILE");
		return 0;
	}
	snprintf(prompt, sizeof(prompt), "%sEnter passphrase for key \"%s\": ",
	    attempt > 1 ? "Wrong passphrase. " : "", key_path);
	r = passphrase_prompt(prompt, 0, out, err);
	/* no terminal, or nothing typed: the key is skipped, and why says
	 * how else to give the passphrase */
	if (r == ERR_NOTFOUND)
		return err_set(err, ERR_CANCEL,
		    "no terminal to ask on: put the passphrase in a file "
		    "(mode 0600) named by CTXMGR_PASSPHRASE_FILE, or add the "
		    "key to ssh-agent (ssh-add %s)",
		    key_path);
	if (r == 0 && out->len == 0)
		return err_set(err, ERR_CANCEL,
		    "none typed; CTXMGR_PASSPHRASE_FILE or ssh-agent (ssh-add "
		    "%s) can give it",
		    key_path);
	return r;
}

/* "yes", "accept-new" or "no"; -1 for anything else. */
static int
host_key_policy(const char *v)
{
	if (strcmp(v, "yes") == 0)
		return HKP_YES;
	if (strcmp(v, "accept-new") == 0)
		return HKP_ACCEPT_NEW;
	if (strcmp(v, "no") == 0)
		return HKP_NO;
	return -1;
}

/*
 * The identity and host key policy: --accept-new, then the context's own
 * settings (create/update --identity, --strict-host-key-checking), then
 * ~/.ssh/config for the host key policy, then config.yaml's ssh.* (the
 * identity is tried before ssh_config's IdentityFile, as ssh -i is).
 */
int
cmd_ssh_params(struct cmd_ctx *ctx, const struct context *c, int accept_new,
    struct ssh_params *p)
{
	const struct ctxmgr_config *cfg;
	const char *v;
	int r, pol;

	memset(p, 0, sizeof(*p));
	if ((r = settings_get(ctx, &cfg)) != 0)
		return r;
	p->url = svc_context_tunnelled(c) ? context_setting(c, SETTING_SSH_HOST)
					  : c->host;
	p->identity = context_setting(c, SETTING_IDENTITY);
	if (p->identity == NULL || *p->identity == '\0')
		p->identity = cfg->ssh_identity;
	p->passphrase = cmd_passphrase;
	p->passphrase_arg = ctx;
	if (cfg->ssh_known_hosts != NULL)
		p->host_key_default = host_key_policy(cfg->ssh_known_hosts);
	v = context_setting(c, SETTING_HOST_KEY_CHECK);
	if (accept_new || ctx->accept_new)
		p->host_key_policy = HKP_ACCEPT_NEW;
	else if (v == NULL || *v == '\0')
		p->host_key_policy = HKP_UNSET;
	else if ((pol = host_key_policy(v)) >= 0)
		p->host_key_policy = pol;
	else
		return err_set(&ctx->err, ERR_INVALID,
		    "context \"%s\": strictHostKeyChecking \"%s\" is not yes, "
		    "accept-new or no",
		    c->name, v);
	return 0;
}

int
cmd_load_ssh_context(struct cmd_ctx *ctx, struct store *st, const char *name,
    struct context **cp)
{
	int r;

	if ((r = cmd_load_context(ctx, st, name, cp)) != 0)
		return r;
	if (svc_context_tunnelled(*cp)) {
		/* a tunnelled context: its ssh:// URL, in memory only */
		free((*cp)->host);
		(*cp)->host = xstrdup(context_setting(*cp, SETTING_SSH_HOST));
		return 0;
	}
	if ((*cp)->host == NULL || !str_has_prefix((*cp)->host, "ssh://")) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "context \"%s\" is not an ssh:// context (its endpoint is "
		    "\"%s\"): it needs no tunnel",
		    (*cp)->name, (*cp)->host ? (*cp)->host : "");
		context_free(*cp);
		*cp = NULL;
	}
	return r;
}

int
cmd_ssh_connect(struct cmd_ctx *ctx, const char *name, int accept_new,
    struct ssh_conn **connp)
{
	struct context *c = NULL;
	struct ssh_params p;
	struct store st;
	int r;

	*connp = NULL;
	cmd_store_open(ctx, &st);
	if ((r = cmd_load_ssh_context(ctx, &st, name, &c)) == 0 &&
	    (r = cmd_ssh_params(ctx, c, accept_new, &p)) == 0)
		r = ssh_connect(&p, connp, &ctx->err);
	context_free(c);
	store_release(&st);
	return r;
}

int
cmd_tunnel_socket(struct cmd_ctx *ctx, const char *name, char **sockp)
{
	struct context *c = NULL;
	struct store st;
	int r;

	*sockp = NULL;
	cmd_store_open(ctx, &st);
	if ((r = cmd_load_ssh_context(ctx, &st, name, &c)) == 0)
		r = cmd_context_tunnel_socket(ctx, c, sockp);
	context_free(c);
	store_release(&st);
	return r;
}

int
cmd_context_tunnel_socket(
    struct cmd_ctx *ctx, const struct context *c, char **sockp)
{
	char *run_dir = NULL;
	int r, newly;

	*sockp = NULL;
	if (context_setting(c, SETTING_SSH_HOST) != NULL && c->host != NULL &&
	    strcmp(context_setting(c, SETTING_SSH_HOST), c->host) == 0) {
		/* tunnelled (loaded by cmd_load_ssh_context): the service */
		run_dir = cmd_svc_run_dir(ctx);
		if ((r = svc_socket_path(run_dir, c->name, sockp, &ctx->err)) ==
		    0)
			r = cmd_svc_ensure(ctx, 0);
		free(run_dir);
		return r;
	}
	/* direct: pinned to the service (kept as it is when it was) */
	return cmd_direct_serve(ctx, c, NULL, &newly, sockp);
}

int
cmd_docker_env(struct cmd_ctx *ctx, const char *name, struct strv *env)
{
	struct context *c = NULL;
	struct store st;
	char *sock = NULL, *tls = NULL, *dir = NULL;
	int r;

	cmd_store_open(ctx, &st);
	if ((r = cmd_load_context(ctx, &st, name, &c)) != 0)
		goto out;
	if (c->host == NULL) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "context \"%s\" has no Docker endpoint", c->name);
		goto out;
	}
	if (str_has_prefix(c->host, "ssh://")) {
		if ((r = cmd_context_tunnel_socket(ctx, c, &sock)) != 0)
			goto out;
		strv_push_owned(env, xasprintf("DOCKER_HOST=unix://%s", sock));
		goto out;
	}
	if (svc_context_tunnelled(c) &&
	    (r = svc_kick(ctx->config_dir, c, &ctx->err)) != 0)
		goto out;
	strv_push_owned(env, xasprintf("DOCKER_HOST=%s", c->host));
	if (str_has_prefix(c->host, "tcp://") && !c->is_default) {
		tls = store_tls_dir(&st, c->name);
		dir = path_join(tls, "docker");
		char *ca = path_join(dir, "ca.pem");
		if (file_exists(ca)) {
			strv_push_owned(
			    env, xasprintf("DOCKER_CERT_PATH=%s", dir));
			strv_push(env,
			    c->skip_tls_verify ? "DOCKER_TLS=1"
					       : "DOCKER_TLS_VERIFY=1");
		}
		free(ca);
	}
	r = 0;
out:
	free(sock);
	free(tls);
	free(dir);
	context_free(c);
	store_release(&st);
	return r;
}
