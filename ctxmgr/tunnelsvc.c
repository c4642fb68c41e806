/* tunnelsvc.c: tunnelled contexts and the service (see tunnelsvc.h). */
#include "common/compat.h"

#include <unistd.h>

#include <jansson.h>

#include "common/gojson.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/sshctx.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"

char *
cmd_svc_run_dir(struct cmd_ctx *ctx)
{
	return svc_run_dir(ctx->config_dir);
}

const char *
cmd_context_ssh_url(const struct context *c)
{
	return svc_context_ssh_url(c);
}

int
cmd_tunnel_convert(
    struct cmd_ctx *ctx, struct context *c, int enable, struct cm_err *err)
{
	const char *url = cmd_context_ssh_url(c);
	char *run_dir, *sock = NULL, *u;
	int r;

	if (url == NULL)
		return err_set(err, ERR_INVALID,
		    "context \"%s\" is not an ssh:// context (its endpoint is "
		    "\"%s\")",
		    c->name, c->host ? c->host : "");
	u = xstrdup(url);
	if (!enable) {
		free(c->host);
		c->host = u;
		context_set_setting(c, SETTING_SSH_HOST, NULL);
		return 0;
	}
	run_dir = cmd_svc_run_dir(ctx);
	r = svc_socket_path(run_dir, c->name, &sock, err);
	free(run_dir);
	if (r != 0) {
		free(u);
		return r;
	}
	free(c->host);
	c->host = xasprintf("unix://%s", sock);
	context_set_setting(c, SETTING_SSH_HOST, u);
	free(sock);
	free(u);
	return 0;
}

static int
spec_from(struct context *c, struct svc_spec *s)
{
	const char *v;

	memset(s, 0, sizeof(*s));
	v = context_setting(c, SETTING_HOST_KEY_CHECK);
	if (v == NULL || *v == '\0')
		s->hkp = HKP_UNSET;
	else if (strcmp(v, "yes") == 0)
		s->hkp = HKP_YES;
	else if (strcmp(v, "accept-new") == 0)
		s->hkp = HKP_ACCEPT_NEW;
	else if (strcmp(v, "no") == 0)
		s->hkp = HKP_NO;
	else
		return -1;
	if (tunnel_mode_parse(
		context_setting(c, SETTING_TUNNEL_MODE), &s->mode) != 0)
		return -1;
	s->name = xstrdup(c->name);
	v = context_setting(c, SETTING_SSH_HOST);
	s->url = xstrdup(v != NULL ? v : "");
	v = context_setting(c, SETTING_IDENTITY);
	s->identity = v != NULL && *v != '\0' ? xstrdup(v) : NULL;
	if (str_has_prefix(c->host, "unix://"))
		s->socket = xstrdup(c->host + strlen("unix://"));
	return 0;
}

/* The pinned direct contexts, after the `k` tunnelled ones in *listp. */
static size_t
add_pinned(
    struct store *st, const char *config_dir, struct svc_spec **listp, size_t k)
{
	char *run_dir = svc_run_dir(config_dir);
	struct pin *pins = NULL;
	struct context *c;
	struct cm_err e2;
	size_t n = 0, i, j;

	err_init(&e2);
	if (pins_load(run_dir, &pins, &n, &e2) != 0) {
		log_warn("not serving pinned contexts: %s", e2.msg);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		struct svc_spec *s;
		for (j = 0; j < k; j++)
			if (strcmp((*listp)[j].name, pins[i].name) == 0)
				break;
		if (j < k)
			continue; /* tunnelled now: served as such */
		if (store_load(st, pins[i].name, &c, &e2) != 0)
			continue; /* gone: rm forgets the pin */
		if (c->host == NULL || !str_has_prefix(c->host, "ssh://")) {
			context_free(c);
			continue;
		}
		*listp = xreallocarray(*listp, k + 1, sizeof(**listp));
		s = &(*listp)[k];
		if (spec_from(c, s) != 0 ||
		    svc_socket_path(run_dir, c->name, &s->socket, &e2) != 0) {
			svc_spec_free(s);
			context_free(c);
			continue;
		}
		free(s->url);
		s->url = xstrdup(c->host);
		s->mode = pins[i].mode;
		s->pinned = 1;
		s->no_ping = pins[i].no_ping;
		s->port = pins[i].port;
		k++;
		context_free(c);
	}
	free(pins);
	free(run_dir);
	return k;
}

int
cmd_svc_load(void *arg, struct svc_spec **listp, size_t *np, struct cm_err *err)
{
	struct context **all = NULL, *c;
	struct svc_spec *list = NULL;
	struct store st;
	size_t n = 0, i, k = 0;
	struct cm_err e2;
	int r;

	*listp = NULL;
	*np = 0;
	store_init(&st, arg);
	if ((r = store_list(&st, &all, &n, err)) != 0) {
		store_release(&st);
		return r;
	}
	for (i = 0; i < n; i++) {
		if (all[i]->error != NULL || all[i]->is_default ||
		    all[i]->host == NULL ||
		    !str_has_prefix(all[i]->host, "unix://"))
			continue;
		if (store_load(&st, all[i]->name, &c, &e2) != 0)
			continue;
		if (svc_context_tunnelled(c)) {
			list = xreallocarray(list, k + 1, sizeof(*list));
			if (spec_from(c, &list[k]) == 0)
				k++;
			else
				svc_spec_free(&list[k]);
		}
		context_free(c);
	}
	context_list_free(all, n);
	k = add_pinned(&st, arg, &list, k);
	store_release(&st);
	*listp = list;
	*np = k;
	return 0;
}

void
cmd_svc_reload(struct cmd_ctx *ctx)
{
	char *run_dir = cmd_svc_run_dir(ctx);
	struct cm_err e2;
	struct buf b;

	buf_init(&b, 1 << 16);
	(void)svc_request(run_dir, "reload", 10000, &b, &e2);
	buf_release(&b);
	free(run_dir);
}

void
cmd_svc_after_save(
    struct cmd_ctx *ctx, struct store *st, const struct context *c)
{
	struct cmd_ctx tmp = *ctx;

	if (!svc_context_tunnelled(c))
		return;
	store_unlock(st);
	err_init(&tmp.err);
	if (cmd_svc_ensure(&tmp, 1) != 0)
		fprintf(ctx->errout, "ctxmgr: warning: %s\n", tmp.err.msg);
}

int
cmd_svc_ensure(struct cmd_ctx *ctx, int reload)
{
	char *run_dir = cmd_svc_run_dir(ctx);
	char *ctl = xasprintf("%s/%s", run_dir, SVC_CTL);
	int r = 0;

	if (svc_ctl_alive(ctl)) {
		if (reload)
			cmd_svc_reload(ctx);
	} else
		r = svc_spawn(ctx->config_dir, ctl, &ctx->err);
	free(ctl);
	free(run_dir);
	return r;
}

/* Ask the service to connect `name` now; 0, or its error. */
int
cmd_svc_connect(struct cmd_ctx *ctx, const char *name, struct cm_err *err)
{
	char *run_dir = cmd_svc_run_dir(ctx), *req;
	json_t *o = NULL;
	struct buf b;
	int r;

	buf_init(&b, 1 << 16);
	req = xasprintf("connect %s relay", name);
	if ((r = svc_request_ask(
		 run_dir, req, 120000, cmd_passphrase, ctx, &b, err)) == 0 &&
	    (r = gojson_parse(b.data, b.len, &o, err)) == 0) {
		if (!json_is_true(json_object_get(o, "ok"))) {
			json_t *e = json_object_get(o, "error");
			r = err_set(err, ERR_FAIL,
			    "the tunnel for \"%s\" is failing: %s", name,
			    json_is_string(e) ? json_string_value(e)
					      : "unknown error");
		}
	}
	json_decref(o);
	free(req);
	buf_release(&b);
	free(run_dir);
	return r;
}

int
cmd_direct_unpin(
    const char *config_dir, const char *name, int *wasp, struct cm_err *err)
{
	char *run_dir = svc_run_dir(config_dir);
	struct cm_err e2;
	struct buf b;
	int r;

	*wasp = 0;
	if ((r = svc_run_dir_check(run_dir, 0, err)) == 0 &&
	    (r = pins_edit(run_dir, name, NULL, NULL, wasp, err)) == 0 &&
	    *wasp) {
		buf_init(&b, 1 << 16);
		(void)svc_request(run_dir, "reload", 10000, &b, &e2);
		buf_release(&b);
	} else if (r != 0 && err->code == ERR_NOTFOUND)
		r = 0; /* no run dir: nothing pinned */
	free(run_dir);
	return r;
}

int
cmd_direct_serve(struct cmd_ctx *ctx, const struct context *c,
    const struct pin *opts, int *newlyp, char **sockp)
{
	char *run_dir = cmd_svc_run_dir(ctx);
	struct pin want, old;
	struct cm_err e2;
	int r, was = 0, tries;

	*newlyp = 0;
	*sockp = NULL;
	if (ctx->accept_new) {
		/* --accept-new: record the host key first, as ssh would */
		struct ssh_conn *conn = NULL;
		if ((r = cmd_ssh_connect(ctx, c->name, 1, &conn)) != 0) {
			free(run_dir);
			return r;
		}
		ssh_close(conn);
	}
	memset(&want, 0, sizeof(want));
	if (opts != NULL)
		want = *opts;
	else if (tunnel_mode_parse(
		     context_setting(c, SETTING_TUNNEL_MODE), &want.mode) != 0)
		want.mode = TUNNEL_AUTO;
	snprintf(want.name, sizeof(want.name), "%s", c->name);
	if ((r = svc_run_dir_check(run_dir, 1, &ctx->err)) != 0 ||
	    (r = svc_socket_path(run_dir, c->name, sockp, &ctx->err)) != 0)
		goto out;
	if (opts == NULL) {
		/* keep a pin as it is: add one only when there is none */
		struct pin *list = NULL;
		size_t n = 0, i;
		if ((r = pins_load(run_dir, &list, &n, &ctx->err)) != 0)
			goto out;
		for (i = 0; i < n; i++)
			if (strcmp(list[i].name, c->name) == 0)
				was = 1;
		free(list);
		if (!was &&
		    (r = pins_edit(
			 run_dir, c->name, &want, NULL, NULL, &ctx->err)) != 0)
			goto out;
	} else if ((r = pins_edit(
			run_dir, c->name, &want, &old, &was, &ctx->err)) != 0)
		goto out;
	*newlyp = !was;
	for (tries = 0;; tries++) {
		err_init(&ctx->err);
		/* a pin kept as it was needs no reload (env, exec) */
		if ((r = cmd_svc_ensure(
			 ctx, !was || opts != NULL || tries > 0)) == 0)
			r = cmd_svc_connect(ctx, c->name, &ctx->err);
		/* a service that was just winding down (nothing left to
		 * serve) did not take the pin: the next one will */
		if (r == 0 || tries >= 20 ||
		    (ctx->err.code == ERR_FAIL &&
			strstr(ctx->err.msg, "not served") == NULL &&
			strstr(ctx->err.msg, "no longer served") == NULL &&
			strstr(ctx->err.msg, "did not start") == NULL))
			break;
		usleep(50000);
	}
	if (r != 0) {
		/* nothing left behind: the pin as it was */
		err_init(&e2);
		if (!was)
			(void)pins_edit(
			    run_dir, c->name, NULL, NULL, NULL, &e2);
		else if (opts != NULL)
			(void)pins_edit(
			    run_dir, c->name, &old, NULL, NULL, &e2);
		cmd_svc_reload(ctx);
	}
out:
	if (r != 0) {
		free(*sockp);
		*sockp = NULL;
	}
	free(run_dir);
	return r;
}

void
cmd_pins_moved(struct cmd_ctx *ctx, const char *from, const char *to)
{
	char *run_dir = cmd_svc_run_dir(ctx);
	struct pin old;
	struct cm_err e2;
	int was = 0;

	err_init(&e2);
	if (svc_run_dir_check(run_dir, 0, &e2) != 0) {
		free(run_dir); /* no run dir: nothing pinned */
		return;
	}
	if (pins_edit(run_dir, from, NULL, &old, &was, &e2) == 0 && was &&
	    to != NULL) {
		snprintf(old.name, sizeof(old.name), "%s", to);
		(void)pins_edit(run_dir, to, &old, NULL, NULL, &e2);
	}
	if (e2.code != 0)
		fprintf(ctx->errout, "ctxmgr: warning: %s\n", e2.msg);
	free(run_dir);
}
