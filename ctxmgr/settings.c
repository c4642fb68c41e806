/* settings.c: flag, environment, config.yaml, default (see settings.h). */
#include "common/compat.h"

#include "ctxmgr/cmd-ca.h"
#include "ctxmgr/settings.h"
#include "common/xmalloc.h"

int
settings_get(struct cmd_ctx *ctx, const struct ctxmgr_config **cfgp)
{
	return config_get(ctx->config_dir, cfgp, &ctx->err);
}

int
settings_ca_dir(struct cmd_ctx *ctx, const char *flag, char **dirp)
{
	const struct ctxmgr_config *cfg;
	const char *env = getenv(CA_DIR_ENV);
	int r;

	*dirp = NULL;
	if (flag != NULL && *flag != '\0')
		*dirp = xstrdup(flag);
	else if (env != NULL && *env != '\0')
		*dirp = xstrdup(env);
	else if ((r = settings_get(ctx, &cfg)) != 0)
		return r;
	else
		*dirp = xstrdup(cfg->ca_dir); /* the file's, else the default */
	return 0;
}

int
settings_renew_rule(
    struct cmd_ctx *ctx, const char *flag, struct ca_renew_rule *rule)
{
	const struct ctxmgr_config *cfg;
	int r;

	rule->percent = CA_RENEW_PERCENT_DEFAULT;
	rule->seconds = 0;
	if (flag != NULL)
		return ca_renew_rule_parse(flag, rule, &ctx->err);
	if ((r = settings_get(ctx, &cfg)) != 0)
		return r;
	if (cfg->ca_rotation_percent != CONFIG_UNSET) {
		rule->percent = cfg->ca_rotation_percent;
	} else if (cfg->ca_rotation_window != CONFIG_UNSET) {
		rule->percent = 0;
		rule->seconds = cfg->ca_rotation_window;
	}
	return 0;
}
