/* cmd-config.c: show and check config.yaml. */
#include "common/compat.h"

#include "ctxmgr/cmd.h"
#include "ctxmgr/config.h"
#include "ctxmgr/output.h"
#include "common/xmalloc.h"

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
int_or_null(long long v)
{
	return v != CONFIG_UNSET ? json_integer(v) : json_null();
}

/*
 * What each key is when the file does not set it: what the commands do
 * then (the policy of ssh_config and ssh, step-ca's renewal rule...).
 */
static const char *const defaults[] = {
	NULL, /* file */
	"ssh_config's IdentityFile, else ~/.ssh/id_rsa, id_ecdsa, id_ed25519",
	"yes (strict; ssh_config's StrictHostKeyChecking when it sets one)",
	"30m (the tunnel service closes a context's idle SSH session)",
	NULL, /* ca.dir: always set */
	"the last third of the lifetime (step-ca's rule)",
	"none (exit 0 whatever is found; --fail-on sets it per run)",
	"none (every check at its own severity)",
};

static int
cmd_config_show_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const headers[] = { "KEY", "VALUE", "FROM" };
	struct ctxmgr_config cfg;
	json_t *o, *s;
	char *path = config_path(ctx->config_dir), *rot = NULL, *idle = NULL;
	int r;

	(void)a;
	if ((r = config_load(ctx->config_dir, &cfg, &ctx->err)) != 0)
		goto out;
	if (cfg.ca_rotation_percent != CONFIG_UNSET)
		rot = xasprintf("%d%%", cfg.ca_rotation_percent);
	else if (cfg.ca_rotation_window != CONFIG_UNSET)
		rot = xasprintf("%llds", cfg.ca_rotation_window);
	if (cfg.tunnel_idle_timeout != CONFIG_UNSET)
		idle = xasprintf("%llds", cfg.tunnel_idle_timeout);
	if (ctx->format == FMT_TABLE) {
		struct table *t = table_new(3, headers);
		char *def_ca = xasprintf("%s/ctxmgr/ca", ctx->config_dir);
		const char *rows[][2] = {
			{ "file", cfg.path ? cfg.path : "(none)" },
			{ "ssh.identity", cfg.ssh_identity },
			{ "ssh.known-hosts", cfg.ssh_known_hosts },
			{ "tunnel.idle-timeout", idle },
			{ "ca.dir", cfg.ca_dir },
			{ "ca.rotation-window", rot },
			{ "audit.fail-on", cfg.audit_fail_on },
			{ "audit.policy", cfg.audit_policy },
		};
		size_t i;
		int set;
		for (i = 0; i < nitems(rows); i++) {
			set = rows[i][1] != NULL;
			/* ca.dir is always filled: the file's, else the default */
			if (i == 4)
				set = strcmp(cfg.ca_dir, def_ca) != 0;
			const char *cells[3] = { rows[i][0],
				rows[i][1] ? rows[i][1] : defaults[i],
				i == 0    ? ""
				    : set ? "config.yaml"
					  : "default" };
			table_add(t, cells);
		}
		free(def_ca);
		table_print(ctx, t);
		goto out;
	}
	o = json_object();
	json_object_set_new(o, "file", str_or_null(cfg.path));
	s = json_object();
	json_object_set_new(s, "identity", str_or_null(cfg.ssh_identity));
	json_object_set_new(s, "known-hosts", str_or_null(cfg.ssh_known_hosts));
	json_object_set_new(o, "ssh", s);
	s = json_object();
	json_object_set_new(
	    s, "idle-timeout", int_or_null(cfg.tunnel_idle_timeout));
	json_object_set_new(o, "tunnel", s);
	s = json_object();
	json_object_set_new(s, "dir", str_or_null(cfg.ca_dir));
	json_object_set_new(s, "rotation-window", str_or_null(rot));
	json_object_set_new(o, "ca", s);
	s = json_object();
	json_object_set_new(s, "fail-on", str_or_null(cfg.audit_fail_on));
	json_object_set_new(s, "policy", str_or_null(cfg.audit_policy));
	json_object_set_new(o, "audit", s);
	r = output_value(ctx, o);
	json_decref(o);
out:
	config_release(&cfg);
	free(path);
	free(rot);
	free(idle);
	return r;
}

static const struct cmd_entry cmd_config_show_entry = {
	.name = "show",
	.usage = "[--format table|json|yaml]",
	.summary = "check config.yaml and print the values in effect",
	.help = "Reads <config>/ctxmgr/config.yaml; an unknown key or a "
		"value of the wrong\ntype is reported with its line and "
		"column.  Durations are shown in\nseconds.  A key the file "
		"does not set shows the default in effect, and\nFROM says "
		"which it is; JSON gives null for such a key.",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_config_show_exec,
};

static int
cmd_config_path_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	char *path = config_path(ctx->config_dir);

	(void)a;
	fprintf(ctx->out, "%s\n", path);
	free(path);
	return 0;
}

static const struct cmd_entry cmd_config_path_entry = {
	.name = "path",
	.usage = "",
	.summary = "print where config.yaml is read from",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_config_path_exec,
	.formats = FMT_BIT(FMT_TABLE),
};

static const struct cmd_entry *const config_subcommands[] = {
	&cmd_config_show_entry, &cmd_config_path_entry, NULL
};

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.usage = "show | path",
	.summary = "ctxmgr's settings file (config.yaml)",
	.help =
	    "<config>/ctxmgr/config.yaml holds defaults; a flag, "
	    "then an environment\nvariable where there is one, come first.  "
	    "Paths are absolute or start\nwith ~/.\n\n"
	    "  ssh:\n"
	    "    identity: ~/.ssh/id_ed25519   # key to log in with\n"
	    "    known-hosts: yes              # yes, accept-new or no\n"
	    "  tunnel:\n"
	    "    idle-timeout: 30m             # 0 = never stop\n"
	    "  ca:\n"
	    "    dir: ~/ca                     # default "
	    "<config>/ctxmgr/ca\n"
	    "    rotation-window: 30d          # or a share of the "
	    "lifetime: 33%\n"
	    "  audit:\n"
	    "    fail-on: high                 # critical, high, medium or "
	    "low\n"
	    "    policy: ~/audit-policy.yaml",
	.subcommands = config_subcommands,
};
