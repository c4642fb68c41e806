/*
 * cmdutil-import.c: what an archive or an inventory made by someone else
 * may not do to the user's security (see cmdutil.h).
 */
#include "common/compat.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "common/util.h"
#include "common/xmalloc.h"

/* Say what happened to one setting, on stderr. */
static void
say(struct cmd_ctx *ctx, const struct import_guard *g, int allow,
    const char *what, const char *instead)
{
	char *w = str_term_safe(what);

	if (allow)
		fprintf(ctx->errout,
		    "warning: \"%s\": keeping %s from %s (--allow-insecure)\n",
		    g->name, w, g->source);
	else
		fprintf(ctx->errout,
		    "warning: \"%s\": %s from %s %s; pass --allow-insecure "
		    "to keep it\n",
		    g->name, w, g->source, instead);
	free(w);
}

/*
 * 1 if `path` ("~/..." or absolute) is a file of the user's own in
 * ~/.ssh: no worse than the keys ssh offers by default.
 */
static int
identity_is_own(const char *path)
{
	const char *home = getenv("HOME");
	char *p, *dir, real[PATH_MAX], realdir[PATH_MAX];
	struct stat sb;
	size_t n;
	int ok = 0;

	if (home == NULL || *home != '/')
		return 0;
	if (str_has_prefix(path, "~/"))
		p = xasprintf("%s/%s", home, path + 2);
	else if (*path == '/')
		p = xstrdup(path);
	else
		return 0;
	dir = xasprintf("%s/.ssh", home);
	if (realpath(p, real) != NULL && realpath(dir, realdir) != NULL &&
	    stat(real, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_uid == getuid() && (sb.st_mode & 022) == 0) {
		n = strlen(realdir);
		ok = strncmp(real, realdir, n) == 0 && real[n] == '/';
	}
	free(p);
	free(dir);
	return ok;
}

int
cmd_import_guard(struct cmd_ctx *ctx, struct import_guard *g, int allow)
{
	char buf[4200];
	int n = 0;

	if (g->skip_tls_verify) {
		say(ctx, g, allow, "SkipTLSVerify: true", "dropped");
		if (!allow)
			g->skip_tls_verify = 0;
		n++;
	}
	if (g->host_key_check != NULL &&
	    (strcmp(g->host_key_check, "no") == 0 ||
		strcmp(g->host_key_check, "accept-new") == 0)) {
		snprintf(buf, sizeof(buf), "strictHostKeyChecking \"%s\"",
		    g->host_key_check);
		say(ctx, g, allow, buf, "replaced by \"yes\"");
		if (!allow)
			g->host_key_check = "yes";
		n++;
	}
	if (g->identity != NULL && *g->identity != '\0' &&
	    !identity_is_own(g->identity)) {
		snprintf(buf, sizeof(buf), "identity \"%.4096s\"", g->identity);
		say(ctx, g, allow, buf, "dropped");
		if (!allow)
			g->identity = NULL;
		n++;
	}
	return n;
}
