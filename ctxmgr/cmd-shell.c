/* cmd-shell.c: the interactive shell (shell.c does the work). */
#include "common/compat.h"

#include "ctxmgr/cmd.h"
#include "ctxmgr/shell.h"

static int
cmd_shell_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	(void)a;
	return shell_run(ctx);
}

static const struct cmd_flag shell_flags[] = { FLAG_ACCEPT_NEW, { 0 } };

const struct cmd_entry cmd_shell_entry = {
	.name = "shell",
	.usage = "",
	.summary = "interactive shell with tab completion and history",
	.help = "Every ctxmgr command works at the prompt, with the same "
		"options and output;\nthe prompt shows the current context "
		"(\"ctxmgr [prod]> \") and follows \"use\".\nA line starting "
		"with \"docker\" runs the Docker CLI against the current "
		"context\n(ssh:// contexts through their ctxmgr tunnel).  Tab "
		"completes commands, options,\noption values, context names "
		"and file names.  Ctrl-C cancels the line (or\nstops the "
		"running command); Ctrl-D or \"exit\" leaves.\n\n"
		"History is kept in $XDG_STATE_HOME/ctxmgr/history (0600, the "
		"last 1000 lines);\nlines that carry a secret (passphrase or "
		"password options, \"password check\",\n\"docker login -p\") "
		"and lines starting with a space are never stored.",
	.flags = shell_flags,
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_shell_exec,
	.attrs = CMD_NO_SHELL,
	.formats = FMT_BIT(FMT_TABLE),
};
