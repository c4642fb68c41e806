/*
 * cmd-remote-exec.c: run one command on a context's host through the
 * blocking SSH API (ssh_connect, ssh_exec) -- the path `ca deploy` and
 * `keys check` take (the audit runs its fact script through the tunnel
 * service instead).  Hidden: for tests and debugging.
 */
#include "common/compat.h"

#include <unistd.h>

#include "ctxmgr/cmdutil.h"
#include "tunnel/shquote.h"
#include "ctxmgr/sshctx.h"

#define REMOTE_EXEC_CAP ((size_t)16 << 20)

static const struct cmd_flag remote_exec_flags[] = {
	{ "stdin", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "send standard input to the command" },
	FLAG_ACCEPT_NEW, { 0 }
};

static int
cmd_remote_exec_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct ssh_exec_result res;
	struct ssh_conn *conn = NULL;
	struct buf cmd, in;
	const char *name = NULL;
	int r;

	if (a->dashdash < 0 || a->dashdash > 1 || a->argc <= a->dashdash)
		return err_set(&ctx->err, ERR_USAGE,
		    "usage: ctxmgr remote-exec [NAME] -- COMMAND [ARGS...]");
	if (a->dashdash == 1)
		name = a->argv[0];
	buf_init(&cmd, 1 << 20);
	buf_init(&in, REMOTE_EXEC_CAP);
	ssh_exec_result_init(&res, REMOTE_EXEC_CAP);
	if (shell_quote_argv(&cmd, (const char *const *)a->argv + a->dashdash,
		a->argc - a->dashdash) != 0) {
		r = err_set(&ctx->err, ERR_TOOBIG, "the command is too long");
		goto out;
	}
	if (args_has(a, "stdin") &&
	    (r = cmd_read_input(ctx, "-", REMOTE_EXEC_CAP, 0, &in)) != 0)
		goto out;
	if ((r = cmd_ssh_connect(
		 ctx, name, args_has(a, "accept-new"), &conn)) != 0)
		goto out;
	if ((r = ssh_exec(
		 conn, cmd.data, in.data, in.len, 0, &res, &ctx->err)) != 0)
		goto out;
	fwrite(res.out.data, 1, res.out.len, ctx->out);
	fwrite(res.err.data, 1, res.err.len, ctx->errout);
	fflush(ctx->out);
	if (res.exit_signal[0] != '\0') {
		fprintf(ctx->errout, "ctxmgr: the command died of SIG%s\n",
		    res.exit_signal);
		r = 128;
	} else
		r = res.exit_status;
out:
	ssh_close(conn);
	ssh_exec_result_release(&res);
	buf_release(&cmd);
	buf_release(&in);
	return r;
}

const struct cmd_entry cmd_remote_exec_entry = {
	.name = "remote-exec",
	.usage = "[NAME] [--stdin] -- COMMAND [ARGS...]",
	.summary = "run a command on a context's host over SSH",
	.help = "Each argument is quoted for the remote shell.  Prints the "
		"command's output\nand exits with its status.",
	.flags = remote_exec_flags,
	.args = { 1, -1, COMPLETE_CONTEXT_SSH, NULL },
	.exec = cmd_remote_exec_exec,
	.attrs = CMD_HIDDEN | CMD_NO_SHELL,
};
