/* cmd-env.c: the shell lines that point docker at a context. */
#include "common/compat.h"

#include <jansson.h>
#include <unistd.h>

#include "common/buf.h"
#include "ctxmgr/output.h"
#include "tunnel/shquote.h"
#include "ctxmgr/sshctx.h"

static const char *const env_vars[] = { "DOCKER_HOST", "DOCKER_TLS_VERIFY",
	"DOCKER_TLS", "DOCKER_CERT_PATH" };

static const struct cmd_flag env_flags[] = {
	{ "unset", 'u', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "print the lines that undo it" },
	{ "shell", 0, FLAG_STRING, COMPLETE_CHOICE, "SHELL",
	    "syntax: sh (bash, zsh...) or fish", "sh|fish" },
	FLAG_ACCEPT_NEW, { 0 }
};

/*
 * fish reads \\ and \' as escapes inside single quotes (POSIX shells do
 * not), so the POSIX '\'' trick ends fish's quote early: quote by fish's
 * own rules instead.
 */
static void
fish_quote(struct buf *out, const char *arg)
{
	/* plain words stay bare, as shell_quote leaves them */
	if (*arg != '\0' &&
	    strspn(arg,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789_./:=@+,-") == strlen(arg)) {
		buf_adds(out, arg);
		return;
	}
	buf_addc(out, '\'');
	for (; *arg != '\0'; arg++) {
		if (*arg == '\\' || *arg == '\'')
			buf_addc(out, '\\');
		buf_addc(out, *arg);
	}
	buf_addc(out, '\'');
}

static int
cmd_env_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *shell = args_get(a, "shell");
	int fish = shell != NULL && strcmp(shell, "fish") == 0;
	struct strv env = { 0 };
	struct buf line;
	size_t i;
	json_t *o;
	int r;

	if (shell != NULL && !fish && strcmp(shell, "sh") != 0)
		return err_set(&ctx->err, ERR_USAGE,
		    "--shell takes sh or fish, not \"%s\"", shell);
	buf_init(&line, 0);
	if (args_has(a, "unset")) {
		if (a->argc > 0) {
			r = err_set(&ctx->err, ERR_USAGE,
			    "--unset takes no context name");
			goto out;
		}
		if (ctx->format != FMT_TABLE) {
			o = json_object();
			for (i = 0; i < nitems(env_vars); i++)
				json_object_set_new(
				    o, env_vars[i], json_null());
			r = output_value(ctx, o);
			json_decref(o);
			goto out;
		}
		for (i = 0; i < nitems(env_vars); i++)
			fprintf(ctx->out, fish ? "set -e %s;\n" : "unset %s\n",
			    env_vars[i]);
		r = 0;
		goto out;
	}
	if ((r = cmd_docker_env(ctx, a->argc ? a->argv[0] : NULL, &env)) != 0)
		goto out;
	if (ctx->format != FMT_TABLE) {
		o = json_object();
		for (i = 0; i < env.n; i++) {
			char *eq = strchr(env.v[i], '=');
			*eq = '\0';
			json_object_set_new(o, env.v[i], json_string(eq + 1));
			*eq = '=';
		}
		r = output_value(ctx, o);
		json_decref(o);
		goto out;
	}
	for (i = 0; i < env.n; i++) {
		char *eq = strchr(env.v[i], '=');
		buf_reset(&line);
		*eq = '\0';
		if (fish) {
			buf_printf(&line, "set -gx %s ", env.v[i]);
			fish_quote(&line, eq + 1);
		} else {
			buf_printf(&line, "export %s=", env.v[i]);
			shell_quote(&line, eq + 1);
		}
		*eq = '=';
		fprintf(ctx->out, "%s%s\n", line.data, fish ? ";" : "");
	}
	if (!ctx->quiet && isatty(fileno(ctx->out)))
		fprintf(ctx->out, "# to use it: eval \"$(ctxmgr env%s%s)\"\n",
		    a->argc ? " " : "", a->argc ? a->argv[0] : "");
out:
	strv_free(&env);
	buf_release(&line);
	return r;
}

const struct cmd_entry cmd_env_entry = {
	.name = "env",
	.usage = "[NAME] [--unset] [--shell sh|fish]",
	.summary = "print the DOCKER_HOST lines for a context (tunnel started)",
	.help =
	    "For an ssh:// context the tunnel is started when none runs, "
	    "and DOCKER_HOST\npoints at its local socket; other contexts "
	    "print their own endpoint\n(with DOCKER_CERT_PATH for TLS).  Use "
	    "it as eval \"$(ctxmgr env prod)\".",
	.flags = env_flags,
	.args = { 0, 1, COMPLETE_CONTEXT, NULL },
	.exec = cmd_env_exec,
};
