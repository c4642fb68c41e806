/*
 * cmd-init.c: the shell function behind per-shell contexts.  A program
 * cannot change its shell's environment, so `ctxmgr use --shell NAME`
 * prints shell code (cmd-use.c) and this function, named ctxmgr like
 * the program, evaluates it.  Every other command line goes to the
 * program untouched, outside any command substitution, so interactive
 * commands keep the terminal and job control.
 */
#include "common/compat.h"

#include "ctxmgr/cmdutil.h"

#define INIT_SHELLS "bash|zsh|fish"

/* bash and zsh read the same function; only CTXMGR_SHELL differs. */
static const char posix_fn[] =
    "# ctxmgr init %s: \"ctxmgr use --shell NAME\" sets DOCKER_CONTEXT in "
    "this shell\n"
    "# only; \"ctxmgr use --shell -\" goes back.  Load it with\n"
    "#   eval \"$(ctxmgr init %s)\"\n"
    "ctxmgr() {\n"
    "\tlocal __ctxmgr_a __ctxmgr_use= __ctxmgr_sh= __ctxmgr_code "
    "__ctxmgr_st\n"
    "\tfor __ctxmgr_a in \"$@\"; do\n"
    "\t\tcase $__ctxmgr_a in\n"
    "\t\tuse) __ctxmgr_use=1 ;;\n"
    "\t\t-s | --shell | --shell=*) __ctxmgr_sh=1 ;;\n"
    "\t\t--) break ;;\n"
    "\t\tesac\n"
    "\tdone\n"
    "\tif [ -z \"$__ctxmgr_use\" ] || [ -z \"$__ctxmgr_sh\" ]; then\n"
    "\t\tcommand ctxmgr \"$@\"\n"
    "\t\treturn\n"
    "\tfi\n"
    "\t__ctxmgr_st=0\n"
    "\t__ctxmgr_code=$(" CTXMGR_SHELL_ENV
    "=%s command ctxmgr \"$@\") || __ctxmgr_st=$?\n"
    "\tcase $__ctxmgr_code in\n"
    "\t'# ctxmgr shell code'*) eval \"$__ctxmgr_code\" ;;\n"
    "\t?*) printf '%%s\\n' \"$__ctxmgr_code\" ;;\n"
    "\tesac\n"
    "\treturn $__ctxmgr_st\n"
    "}\n";

static const char fish_fn[] =
    "# ctxmgr init fish: \"ctxmgr use --shell NAME\" sets DOCKER_CONTEXT "
    "in this shell\n"
    "# only; \"ctxmgr use --shell -\" goes back.  Load it with\n"
    "#   ctxmgr init fish | source\n"
    "function ctxmgr --description 'ctxmgr; use --shell switches this "
    "shell only'\n"
    "    if not contains -- use $argv\n"
    "        or not begin\n"
    "            contains -- -s $argv\n"
    "            or contains -- --shell $argv\n"
    "            or string match -q -- '--shell=*' $argv\n"
    "        end\n"
    "        command ctxmgr $argv\n"
    "        return\n"
    "    end\n"
    "    set -l __ctxmgr_code (" CTXMGR_SHELL_ENV
    "=fish command ctxmgr $argv)\n"
    "    set -l __ctxmgr_st $status\n"
    "    if test \"$__ctxmgr_code[1]\" = '# ctxmgr shell code'\n"
    "        string join \\n -- $__ctxmgr_code | source\n"
    "    else if test (count $__ctxmgr_code) -gt 0\n"
    "        printf '%s\\n' $__ctxmgr_code\n"
    "    end\n"
    "    return $__ctxmgr_st\n"
    "end\n";

static int
cmd_init_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *sh = a->argv[0];

	if (strcmp(sh, "bash") != 0 && strcmp(sh, "zsh") != 0 &&
	    strcmp(sh, "fish") != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "unknown shell \"%s\" (use bash, zsh or fish)", sh);
	if (strcmp(sh, "fish") == 0)
		fputs(fish_fn, ctx->out);
	else
		fprintf(ctx->out, posix_fn, sh, sh, sh);
	return 0;
}

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = INIT_SHELLS,
	.summary = "print the shell function for per-shell contexts "
		   "(use --shell)",
	.help = "Defines a shell function named ctxmgr that runs the program "
		"and, for\n\"ctxmgr use --shell NAME\", sets DOCKER_CONTEXT in "
		"that shell only: other\nshells and config.json keep the "
		"current context.  \"ctxmgr use --shell -\"\nreturns to the "
		"shell's previous choice; show and prompt follow it.\n\n"
		"  # bash (~/.bashrc), zsh (~/.zshrc)\n"
		"  eval \"$(ctxmgr init bash)\"\n"
		"  eval \"$(ctxmgr init zsh)\"\n"
		"  # fish (~/.config/fish/config.fish)\n"
		"  ctxmgr init fish | source",
	.args = { 1, 1, COMPLETE_CHOICE, INIT_SHELLS },
	.exec = cmd_init_exec,
	.formats = FMT_BIT(FMT_TABLE),
};
