/* cmd-completion.c: completion scripts and the man page. */
#include "common/compat.h"

#include "ctxmgr/cmd.h"
#include "ctxmgr/completion-gen.h"

static int
cmd_completion_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	if ((r = completion_gen(a->argv[0], &b, &ctx->err)) == 0)
		fwrite(b.data, 1, b.len, ctx->out);
	buf_release(&b);
	return r;
}

const struct cmd_entry cmd_completion_entry = {
	.name = "completion",
	.usage = COMPLETION_SHELLS,
	.summary = "print a completion script for bash, zsh or fish",
	.help = "The script is generated from the command table; context "
		"names are read with\n\"ctxmgr ls -q\" when you press Tab.\n\n"
		"  # bash (~/.bashrc)\n"
		"  source <(ctxmgr completion bash)\n"
		"  # zsh (~/.zshrc, after compinit)\n"
		"  source <(ctxmgr completion zsh)\n"
		"  # fish\n"
		"  ctxmgr completion fish > "
		"~/.config/fish/completions/ctxmgr.fish\n\n"
		"\"make install\" installs all three where the shells look "
		"for them.",
	.args = { 1, 1, COMPLETE_CHOICE, COMPLETION_SHELLS },
	.exec = cmd_completion_exec,
	.formats = FMT_BIT(FMT_TABLE),
};

static int
cmd_manpage_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct buf b;

	(void)a;
	buf_init(&b, 0);
	manpage_gen(&b);
	fwrite(b.data, 1, b.len, ctx->out);
	buf_release(&b);
	return 0;
}

const struct cmd_entry cmd_manpage_entry = {
	.name = "manpage",
	.usage = "",
	.summary = "print the ctxmgr(1) man page (roff)",
	.args = { 0, 0, COMPLETE_NONE, NULL },
	.exec = cmd_manpage_exec,
	.attrs = CMD_HIDDEN,
	.formats = FMT_BIT(FMT_TABLE),
};
