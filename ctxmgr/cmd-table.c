/*
 * cmd-table.c: every command, listed once.  This table drives parsing,
 * help, the man page, the shell and the completion scripts.  Keep each
 * group together; new groups go in their own block.
 */
#include "common/compat.h"

#include "ctxmgr/cmd.h"

/* contexts */
extern const struct cmd_entry cmd_create_entry;
extern const struct cmd_entry cmd_ls_entry;
extern const struct cmd_entry cmd_use_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_prompt_entry;
extern const struct cmd_entry cmd_inspect_entry;
extern const struct cmd_entry cmd_update_entry;
extern const struct cmd_entry cmd_rm_entry;
extern const struct cmd_entry cmd_rename_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_import_entry;

/* tunnel */
extern const struct cmd_entry cmd_tunnel_entry;
extern const struct cmd_entry cmd_env_entry;
extern const struct cmd_entry cmd_exec_entry;
extern const struct cmd_entry cmd_ping_entry;
extern const struct cmd_entry cmd_remote_exec_entry;

/* keys and passwords */
extern const struct cmd_entry cmd_keys_entry;
extern const struct cmd_entry cmd_password_entry;

/* TLS CA */
extern const struct cmd_entry cmd_ca_entry;

/* audit */
extern const struct cmd_entry cmd_audit_entry;

/* shell, completion, inventories */
extern const struct cmd_entry cmd_shell_entry;
extern const struct cmd_entry cmd_completion_entry;
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_manpage_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_import_hosts_entry;

/* misc */
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_version_entry;

const struct cmd_entry *const cmd_table[] = {
	/* contexts */
	&cmd_create_entry, &cmd_ls_entry, &cmd_use_entry, &cmd_show_entry,
	&cmd_prompt_entry, &cmd_inspect_entry, &cmd_update_entry, &cmd_rm_entry,
	&cmd_rename_entry, &cmd_export_entry, &cmd_import_entry,

	/* tunnel */
	&cmd_tunnel_entry, &cmd_env_entry, &cmd_exec_entry, &cmd_ping_entry,
	&cmd_remote_exec_entry,

	/* keys and passwords */
	&cmd_keys_entry, &cmd_password_entry,

	/* TLS CA */
	&cmd_ca_entry,

	/* audit */
	&cmd_audit_entry,

	/* shell, completion, inventories */
	&cmd_shell_entry, &cmd_init_entry, &cmd_completion_entry,
	&cmd_manpage_entry, &cmd_config_entry, &cmd_import_hosts_entry,

	/* misc */
	&cmd_help_entry, &cmd_version_entry, NULL
};
