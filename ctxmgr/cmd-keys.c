/* cmd-keys.c: the "keys" group: check and gen. */
#include "common/compat.h"

#include "ctxmgr/cmd.h"

extern const struct cmd_entry cmd_keys_check_entry;
extern const struct cmd_entry cmd_keys_gen_entry;

static const struct cmd_entry *const keys_subcommands[] = {
	&cmd_keys_check_entry, &cmd_keys_gen_entry, NULL
};

const struct cmd_entry cmd_keys_entry = {
	.name = "keys",
	.usage = "check|gen ...",
	.summary = "check SSH keys for weaknesses, make new key pairs",
	.subcommands = keys_subcommands,
};
