/* userwords.c: user dictionary words for password ratings (see
 * userwords.h). */
#include "common/compat.h"

#include <pwd.h>
#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "ctxmgr/svckick.h"
#include "common/endpoint.h"
#include "ctxmgr/userwords.h"
#include "common/xmalloc.h"

static void
add_word(struct strv *out, const char *w, size_t len)
{
	size_t i;

	if (len < 3 || len > 128)
		return;
	for (i = 0; i < out->n; i++)
		if (strlen(out->v[i]) == len && memcmp(out->v[i], w, len) == 0)
			return;
	strv_push_owned(out, xstrndup(w, len));
}

/* A name, and each of its parts: "acme-prod.example.com" adds "acme",
 * "prod" and "example" too (the last part is a top-level domain or too
 * common to matter). */
static void
add_name(struct strv *out, const char *name)
{
	const char *p = name, *sep;

	add_word(out, name, strlen(name));
	while ((sep = strpbrk(p, ".-_+")) != NULL) {
		add_word(out, p, (size_t)(sep - p));
		p = sep + 1;
	}
	if (p != name && strchr(name, '.') == NULL)
		add_word(out, p, strlen(p));
}

void
cmd_user_words(struct cmd_ctx *ctx, const struct strv *users, struct strv *out)
{
	struct context **list = NULL;
	struct passwd *pw;
	struct store st;
	struct cm_err err;
	char host[256];
	size_t n = 0, i;

	if (users != NULL)
		for (i = 0; i < users->n; i++)
			add_word(out, users->v[i], strlen(users->v[i]));
	if ((pw = getpwuid(geteuid())) != NULL)
		add_word(out, pw->pw_name, strlen(pw->pw_name));
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		add_name(out, host);
	}
	cmd_store_open(ctx, &st);
	if (store_list(&st, &list, &n, &err) == 0)
		for (i = 0; i < n; i++) {
			struct context *full = NULL;
			struct endpoint ep;
			const char *url = list[i]->host;
			if (!list[i]->is_default)
				add_word(
				    out, list[i]->name, strlen(list[i]->name));
			/* a tunnelled context keeps its ssh:// URL in its
			 * settings, which a listing does not read */
			if (url != NULL && str_has_prefix(url, "unix://") &&
			    !list[i]->is_default &&
			    store_load(&st, list[i]->name, &full, &err) == 0 &&
			    svc_context_ssh_url(full) != NULL)
				url = svc_context_ssh_url(full);
			if (url == NULL ||
			    endpoint_parse(url, &ep, &err) != 0) {
				if (url != NULL)
					endpoint_free(&ep);
				context_free(full);
				continue;
			}
			context_free(full);
			if (ep.user != NULL)
				add_word(out, ep.user, strlen(ep.user));
			if (ep.host != NULL)
				add_name(out, ep.host);
			endpoint_free(&ep);
		}
	context_list_free(list, n);
	store_release(&st);
}
