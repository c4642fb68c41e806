/*
 * settings.h: the value of a setting for this command, from the first
 * place that gives it: the command-line flag, the environment variable
 * (where there is one), config.yaml (config.h), the built-in default.
 * A broken config.yaml is an error of every command that needs a
 * setting (the message names the file, line and column).
 */
#ifndef CTXMGR_SETTINGS_H
#define CTXMGR_SETTINGS_H

#include "ctxmgr/cmd.h"
#include "ctxmgr/config.h"
#include "keystore/ca.h"

/* config.yaml for ctx->config_dir (kept for the whole command). */
int settings_get(struct cmd_ctx *ctx, const struct ctxmgr_config **cfgp);

/* The CA dir: `flag` (--dir), $CTXMGR_CA_DIR, ca.dir, <config>/ctxmgr/ca. */
int settings_ca_dir(struct cmd_ctx *ctx, const char *flag, char **dirp);

/* When to renew: `flag` (--renew-before), ca.rotation-window, 33%. */
int settings_renew_rule(
    struct cmd_ctx *ctx, const char *flag, struct ca_renew_rule *rule);

#endif
