/* manpage.c: ctxmgr(1) in roff, written from the command table. */
#include "common/compat.h"

#include "ctxmgr/cmd.h"
#include "ctxmgr/completion-gen.h"
#include "ctxmgr/version.h"

/* Text for roff: backslashes doubled, a leading . or ' neutralised;
 * with `opt`, hyphens become \- so options copy and paste right. */
static void
roff(struct buf *b, const char *s, size_t len, int opt)
{
	size_t i;

	if (len > 0 && (s[0] == '.' || s[0] == '\''))
		buf_adds(b, "\\&");
	for (i = 0; i < len; i++) {
		if (s[i] == '\\')
			buf_adds(b, "\\e");
		else if (s[i] == '-' && opt)
			buf_adds(b, "\\-");
		else
			buf_addc(b, s[i]);
	}
}

static void
roffs(struct buf *b, const char *s, int opt)
{
	roff(b, s, strlen(s), opt);
}

/*
 * A help text: blank lines start paragraphs, lines indented by two
 * spaces are examples kept as they are.
 */
static void
paragraphs(struct buf *b, const char *text)
{
	const char *p = text, *nl;
	int in_example = 0;

	buf_adds(b, ".PP\n");
	while (*p != '\0') {
		size_t len;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == 0) {
			if (in_example) {
				buf_adds(b, ".fi\n.RE\n");
				in_example = 0;
			}
			buf_adds(b, ".PP\n");
		} else if (len > 2 && p[0] == ' ' && p[1] == ' ') {
			if (!in_example) {
				buf_adds(b, ".RS 4\n.nf\n");
				in_example = 1;
			}
			roff(b, p + 2, len - 2, 1);
			buf_addc(b, '\n');
		} else {
			if (in_example) {
				buf_adds(b, ".fi\n.RE\n");
				in_example = 0;
			}
			roff(b, p, len, 0);
			buf_addc(b, '\n');
		}
		p = nl ? nl + 1 : p + len;
	}
	if (in_example)
		buf_adds(b, ".fi\n.RE\n");
}

static void
flag_entry(struct buf *b, const struct cmd_flag *f)
{
	buf_adds(b, ".TP\n");
	if (f->short_name)
		buf_printf(b, "\\fB\\-%c\\fR, ", f->short_name);
	buf_adds(b, "\\fB\\-\\-");
	roffs(b, f->name, 1);
	buf_adds(b, "\\fR");
	if (f->metavar != NULL) {
		buf_adds(b, " \\fI");
		roffs(b, f->metavar, 1);
		buf_adds(b, "\\fR");
	}
	buf_addc(b, '\n');
	roffs(b, f->help, 0);
	if (f->type == FLAG_LIST)
		buf_adds(b, " (may be given more than once)");
	buf_addc(b, '\n');
}

/* A heading's text: a double quote would end the .SS argument. */
static void
roff_heading(struct buf *b, const char *s, size_t len)
{
	size_t i, from = 0;

	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '"') {
			roff(b, s + from, i - from, 1);
			if (i < len)
				buf_adds(b, "\\(dq");
			from = i + 1;
		}
}

/*
 * The heading of a command: "ctxmgr PATH USAGE".  A usage of several
 * lines (the other forms, each "ctxmgr ..." on a line of its own) puts
 * the first in the heading and the others in bold lines under it: a
 * newline inside the .SS argument would end it and spill the rest.
 */
static void
synopsis(struct buf *b, const char *path, const char *usage)
{
	const char *nl = strchr(usage, '\n'), *p;
	size_t len;

	buf_adds(b, ".SS \"ctxmgr ");
	roff_heading(b, path, strlen(path));
	len = nl ? (size_t)(nl - usage) : strlen(usage);
	if (len > 0) {
		buf_addc(b, ' ');
		roff_heading(b, usage, len);
	}
	buf_adds(b, "\"\n");
	if (nl == NULL)
		return;
	buf_adds(b, ".nf\n");
	for (p = nl + 1; *p != '\0'; p = nl ? nl + 1 : p + len) {
		while (*p == ' ' || *p == '\t')
			p++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		buf_adds(b, "\\fB");
		roff(b, p, len, 1);
		buf_adds(b, "\\fR\n");
	}
	buf_adds(b, ".fi\n");
}

static void
command(struct buf *b, const struct cmd_entry *e, const char *prefix)
{
	const struct cmd_entry *const *sub;
	const struct cmd_flag *f;
	char path[256];

	if (e->attrs & CMD_HIDDEN)
		return;
	snprintf(
	    path, sizeof(path), "%s%s%s", prefix, *prefix ? " " : "", e->name);
	if (e->exec != NULL || e->subcommands == NULL) {
		synopsis(b, path, e->usage != NULL ? e->usage : "");
		roffs(b, e->summary, 0);
		buf_adds(b, ".\n");
		if (e->help != NULL)
			paragraphs(b, e->help);
		if (e->flags != NULL && e->flags->name != NULL) {
			buf_adds(b, ".PP\nOptions:\n.RS 4\n");
			for (f = e->flags; f->name != NULL; f++)
				flag_entry(b, f);
			buf_adds(b, ".RE\n");
		}
		if (e->attrs & CMD_SECRET)
			buf_adds(b,
			    ".PP\nThe shell never stores this "
			    "command in its history.\n");
	}
	for (sub = e->subcommands; sub != NULL && *sub != NULL; sub++)
		command(b, *sub, path);
}

void
manpage_gen(struct buf *b)
{
	const struct cmd_entry *const *e;
	const struct cmd_flag *f;

	buf_adds(b,
	    ".\\\" ctxmgr(1), generated from the command table by \"ctxmgr "
	    "manpage\".\n.\\\" Do not edit: run \"make completions\" "
	    "instead.\n"
	    ".TH CTXMGR 1 \"\" \"ctxmgr\" \"User Commands\"\n"
	    ".SH NAME\nctxmgr \\- Docker contexts, SSH tunnels, a TLS CA and "
	    "exposure audits for remote Docker hosts\n"
	    ".SH SYNOPSIS\n.B ctxmgr\n[\\fIglobal options\\fR] "
	    "\\fICOMMAND\\fR [\\fIoptions\\fR] [\\fIARGS\\fR]\n.br\n"
	    ".B ctxmgr shell\n"
	    ".SH DESCRIPTION\n"
	    "ctxmgr creates and switches Docker contexts in the Docker CLI's "
	    "own context store\n(\\fB$DOCKER_CONFIG\\fR, else "
	    "\\fB~/.docker\\fR), so that \\fBdocker\\fR and ctxmgr always "
	    "agree.\nIt keeps fast SSH tunnels to remote daemons, checks "
	    "keys and passwords,\nruns a small TLS CA and audits how exposed "
	    "a daemon is.\n.PP\nGlobal options are accepted before the "
	    "command and among its options.\nEvery listing takes "
	    "\\fB\\-\\-format table|json|yaml\\fR; \\fB\\-q\\fR prints names "
	    "only.\n"
	    ".SH GLOBAL OPTIONS\n");
	for (f = global_flags; f->name != NULL; f++)
		flag_entry(b, f);
	buf_adds(b, ".SH COMMANDS\n");
	for (e = cmd_table; *e != NULL; e++)
		command(b, *e, "");
	buf_adds(b,
	    ".SH FILES\n"
	    ".TP\n.I $DOCKER_CONFIG/contexts/, $DOCKER_CONFIG/config.json\n"
	    "Docker's context store, shared with the Docker CLI.\n"
	    ".TP\n.I $DOCKER_CONFIG/ctxmgr/config.yaml\n"
	    "ctxmgr's settings: default identity file, known_hosts policy, "
	    "tunnel idle\ntimeout, CA directory, rotation window, audit "
	    "fail\\-on level and policy file.\n"
	    ".TP\n.I $XDG_STATE_HOME/ctxmgr/history\n"
	    "The shell's history (mode 0600, the last 1000 lines).\n"
	    ".SH ENVIRONMENT\n"
	    ".TP\n.B DOCKER_CONFIG\nWhere the context store is "
	    "(default \\fB~/.docker\\fR).\n"
	    ".TP\n.B DOCKER_HOST\nWhen set, the effective context is "
	    "\\fBdefault\\fR, as in Docker.\n"
	    ".TP\n.B DOCKER_CONTEXT\nThe effective context when neither "
	    "\\fB\\-\\-context\\fR nor DOCKER_HOST is given.\n"
	    ".TP\n.B CTXMGR_PASSPHRASE_FILE\nA file holding the passphrase "
	    "of an SSH private key: the key a context\nlogs in with, and "
	    "the one \\fBkeys gen\\fR writes.  Read instead of asking on "
	    "the terminal.\n"
	    ".TP\n.B CTXMGR_CA_PASSPHRASE_FILE\nA file holding the CA key's "
	    "passphrase (\\fB\\-\\fR: standard input),\nas "
	    "\\fB\\-\\-passphrase\\-file\\fR of the \\fBca\\fR "
	    "commands.\n"
	    ".TP\n.B CTXMGR_CA_DIR\nThe CA directory when \\fB\\-\\-dir\\fR "
	    "is not given (default\n\\fB$DOCKER_CONFIG/ctxmgr/ca\\fR).\n"
	    ".TP\n.B CTXMGR_SHELL\nSet by the shell function of "
	    "\\fBctxmgr init\\fR for \\fBuse \\-\\-shell\\fR: the "
	    "shell\n(bash, zsh or fish) whose code it prints.\n"
	    ".TP\n.B CTXMGR_SHELL_PREVIOUS\nThe shell's DOCKER_CONTEXT before "
	    "its last \\fBuse \\-\\-shell\\fR (empty: none), where\n"
	    "\\fBuse \\-\\-shell \\-\\fR returns.\n"
	    ".TP\n.B CTXMGR_TEST_FAULT\n.TQ\n.B "
	    "CTXMGR_TEST_PAUSE_BEFORE_INSTALL\n"
	    "For ctxmgr's own tests only: they stop or pause the program at "
	    "chosen\npoints to check what survives a kill.  Never set them.\n"
	    ".TP\n.B NO_COLOR\nNo colours when set and not empty.\n"
	    ".TP\n.B XDG_RUNTIME_DIR\nWhere the tunnels' local sockets "
	    "are.\n"
	    ".TP\n.B XDG_STATE_HOME\nWhere the shell keeps its history "
	    "(default \\fB~/.local/state\\fR).\n"
	    ".SH EXIT STATUS\n0 on success, 1 on failure, 2 on a usage "
	    "error.\n"
	    ".SH SEE ALSO\n.BR docker (1),\n.BR ssh (1),\n.BR ssh_config "
	    "(5)\n");
}
