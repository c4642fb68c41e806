/*
 * completion-gen.c: the completion scripts' data, written from the
 * command table: for every command path, its subcommands, its options,
 * what each option's value is, and what its arguments are.
 */
#include "common/compat.h"

#include "ctxmgr/cmd.h"
#include "ctxmgr/completion-gen.h"

enum shell { SH_BASH, SH_ZSH, SH_FISH };

struct gen {
	struct buf *out;
	enum shell sh;
	int first;
};

typedef void (*visit_fn)(
    struct gen *g, const char *path, const struct cmd_entry *e);

static const char *const format_names[] = { "table", "json", "yaml", "sarif" };

/* Call fn for the top level (path "", e NULL) and every visible command. */
static void
visit(struct gen *g, const struct cmd_entry *const *table, const char *prefix,
    visit_fn fn)
{
	char path[256];

	if (*prefix == '\0' && table == cmd_table)
		fn(g, "", NULL);
	for (; table != NULL && *table != NULL; table++) {
		if ((*table)->attrs & CMD_HIDDEN)
			continue;
		snprintf(path, sizeof(path), "%s%s%s", prefix,
		    *prefix ? " " : "", (*table)->name);
		fn(g, path, *table);
		visit(g, (*table)->subcommands, path, fn);
	}
}

/* A single-quoted word for the script's shell. */
static void
quote(struct gen *g, const char *s)
{
	const char *p;

	buf_addc(g->out, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			if (g->sh == SH_FISH)
				buf_adds(g->out, "\\'");
			else
				buf_adds(g->out, "'\\''");
		} else if (*p == '\\' && g->sh == SH_FISH)
			buf_adds(g->out, "\\\\");
		else if (*p == '\n')
			buf_addc(g->out, ' ');
		else
			buf_addc(g->out, *p);
	}
	buf_addc(g->out, '\'');
}

/* "context [a b]", "file", "dir", "command", "choice a b c" or "none". */
static void
kind_words(struct buf *b, enum complete_kind k, const char *choices)
{
	const char *p;

	switch (k) {
	case COMPLETE_CONTEXT:
	case COMPLETE_CONTEXT_SSH:
	case COMPLETE_CONTEXT_TCP:
		/* "context - ...": context names and a few fixed words;
		 * "context:ssh": only those of that scheme */
		buf_adds(b, "context");
		if (k != COMPLETE_CONTEXT)
			buf_adds(
			    b, k == COMPLETE_CONTEXT_SSH ? ":ssh" : ":tcp");
		if (choices != NULL && *choices != '\0')
			buf_addc(b, ' ');
		for (p = choices; p != NULL && *p != '\0'; p++)
			buf_addc(b, *p == '|' ? ' ' : *p);
		break;
	case COMPLETE_FILE:
		buf_adds(b, "file");
		break;
	case COMPLETE_DIR:
		buf_adds(b, "dir");
		break;
	case COMPLETE_COMMAND:
		buf_adds(b, "command");
		break;
	case COMPLETE_CHOICE:
		buf_adds(b, "choice ");
		for (p = choices; p != NULL && *p != '\0'; p++)
			buf_addc(b, *p == '|' ? ' ' : *p);
		break;
	case COMPLETE_NONE:
		buf_adds(b, "none");
		break;
	}
}

/* The --format values a command accepts. */
static void
format_words(struct buf *b, const struct cmd_entry *e)
{
	unsigned fmts = e != NULL && e->formats ? e->formats : FMTS_DEFAULT;
	size_t i;

	buf_adds(b, "choice");
	for (i = 0; i < nitems(format_names); i++)
		if (fmts & FMT_BIT(i))
			buf_printf(b, " %s", format_names[i]);
}

static const struct cmd_entry *const *
children(const struct cmd_entry *e)
{
	return e == NULL ? cmd_table : e->subcommands;
}

/* Start and end one `case` arm for `path`. */
static void
arm_start(struct gen *g, const char *path)
{
	switch (g->sh) {
	case SH_BASH:
		buf_adds(g->out, "\t");
		quote(g, path);
		buf_adds(g->out, ")\n");
		break;
	case SH_ZSH:
		buf_adds(g->out, "\t(");
		quote(g, path);
		buf_adds(g->out, ")\n");
		break;
	case SH_FISH:
		buf_adds(g->out, "        case ");
		quote(g, path);
		buf_adds(g->out, "\n");
		break;
	}
}

static void
arm_end(struct gen *g)
{
	if (g->sh != SH_FISH)
		buf_adds(g->out, "\t\t;;\n");
}

/* One word (and its description where the shell shows them). */
static void
item(struct gen *g, const char *word, const char *desc)
{
	char tmp[512];

	switch (g->sh) {
	case SH_BASH:
		buf_printf(g->out, "%s%s", g->first ? "" : " ", word);
		break;
	case SH_ZSH:
		snprintf(tmp, sizeof(tmp), "%s:%s", word, desc ? desc : "");
		buf_adds(g->out, "\t\treply+=(");
		quote(g, tmp);
		buf_adds(g->out, ")\n");
		break;
	case SH_FISH:
		buf_printf(
		    g->out, "            printf '%%s\\t%%s\\n' %s ", word);
		quote(g, desc ? desc : "");
		buf_adds(g->out, "\n");
		break;
	}
	g->first = 0;
}

static void
list_start(struct gen *g)
{
	g->first = 1;
	if (g->sh == SH_BASH)
		buf_adds(g->out, "\t\t_ctxmgr_r='");
}

static void
list_end(struct gen *g)
{
	if (g->sh == SH_BASH)
		buf_adds(g->out, "'\n");
}

static void
subcommands_arm(struct gen *g, const char *path, const struct cmd_entry *e)
{
	const struct cmd_entry *const *t = children(e);

	if (t == NULL)
		return;
	arm_start(g, path);
	list_start(g);
	for (; *t != NULL; t++)
		if (!((*t)->attrs & CMD_HIDDEN))
			item(g, (*t)->name, (*t)->summary);
	list_end(g);
	arm_end(g);
}

static void
flag_items(struct gen *g, const struct cmd_flag *f)
{
	char word[160];

	for (; f != NULL && f->name != NULL; f++) {
		snprintf(word, sizeof(word), "--%s", f->name);
		item(g, word, f->help);
	}
}

static void
flags_arm(struct gen *g, const char *path, const struct cmd_entry *e)
{
	if (e == NULL || e->flags == NULL || e->flags->name == NULL)
		return;
	arm_start(g, path);
	list_start(g);
	flag_items(g, e->flags);
	list_end(g);
	arm_end(g);
}

/* One arm of the value function: "path --flag" (and "path -f"). */
static void
value_arm(struct gen *g, const char *path, const struct cmd_flag *f,
    const struct cmd_entry *e)
{
	char pat[320];
	struct buf kind;

	if (f->type == FLAG_BOOL)
		return;
	buf_init(&kind, 0);
	if (strcmp(f->name, "format") == 0 && f->complete == COMPLETE_CHOICE)
		format_words(&kind, e);
	else
		kind_words(&kind, f->complete, f->choices);
	snprintf(pat, sizeof(pat), "%s%s--%s", path, *path ? " " : "", f->name);
	switch (g->sh) {
	case SH_BASH:
	case SH_ZSH:
		buf_adds(g->out, g->sh == SH_ZSH ? "\t(" : "\t");
		quote(g, pat);
		if (f->short_name) {
			snprintf(pat, sizeof(pat), "%s%s-%c", path,
			    *path ? " " : "", f->short_name);
			buf_adds(g->out, " | ");
			quote(g, pat);
		}
		buf_printf(
		    g->out, ") %s=", g->sh == SH_BASH ? "_ctxmgr_r" : "REPLY");
		quote(g, kind.data);
		buf_adds(g->out, " ;;\n");
		break;
	case SH_FISH:
		buf_adds(g->out, "        case ");
		quote(g, pat);
		if (f->short_name) {
			snprintf(pat, sizeof(pat), "%s%s-%c", path,
			    *path ? " " : "", f->short_name);
			buf_adds(g->out, " ");
			quote(g, pat);
		}
		buf_adds(g->out, "\n            echo ");
		quote(g, kind.data);
		buf_adds(g->out, "\n");
		break;
	}
	buf_release(&kind);
}

static void
values_arms(struct gen *g, const char *path, const struct cmd_entry *e)
{
	const struct cmd_flag *f;

	if (e == NULL)
		return;
	for (f = e->flags; f != NULL && f->name != NULL; f++)
		value_arm(g, path, f, e);
	/* --format takes the formats this command accepts */
	for (f = global_flags; f->name != NULL; f++)
		if (strcmp(f->name, "format") == 0 && e->exec != NULL)
			value_arm(g, path, f, e);
}

static void
args_arm(struct gen *g, const char *path, const struct cmd_entry *e)
{
	struct buf spec;

	if (e == NULL)
		return;
	buf_init(&spec, 0);
	buf_printf(&spec, "%d ", e->exec ? e->args.max : 0);
	kind_words(
	    &spec, e->exec ? e->args.complete : COMPLETE_NONE, e->args.choices);
	switch (g->sh) {
	case SH_BASH:
	case SH_ZSH:
		buf_adds(g->out, g->sh == SH_ZSH ? "\t(" : "\t");
		quote(g, path);
		buf_printf(
		    g->out, ") %s=", g->sh == SH_BASH ? "_ctxmgr_r" : "REPLY");
		quote(g, spec.data);
		buf_adds(g->out, " ;;\n");
		break;
	case SH_FISH:
		buf_adds(g->out, "        case ");
		quote(g, path);
		buf_adds(g->out, "\n            echo ");
		quote(g, spec.data);
		buf_adds(g->out, "\n");
		break;
	}
	buf_release(&spec);
}

/* The global options, offered after every command path. */
static void
global_items(struct gen *g)
{
	if (g->sh == SH_BASH)
		buf_adds(g->out, "\t_ctxmgr_r+=' ");
	g->first = 1;
	flag_items(g, global_flags);
	if (g->sh == SH_BASH)
		buf_adds(g->out, "'\n");
}

/* The value kinds of the global options (after the per-path arms). */
static void
global_values(struct gen *g, const char *indent)
{
	const struct cmd_flag *f;
	struct buf kind;

	for (f = global_flags; f->name != NULL; f++) {
		if (f->type == FLAG_BOOL)
			continue;
		buf_init(&kind, 0);
		kind_words(&kind, f->complete, f->choices);
		if (g->sh == SH_FISH) {
			buf_printf(g->out, "%scase --%s", indent, f->name);
			if (f->short_name)
				buf_printf(g->out, " -%c", f->short_name);
			buf_printf(g->out, "\n%s    echo ", indent);
		} else {
			buf_printf(g->out, "%s%s--%s", indent,
			    g->sh == SH_ZSH ? "(" : "", f->name);
			if (f->short_name)
				buf_printf(g->out, " | -%c", f->short_name);
			buf_printf(g->out,
			    ") %s=", g->sh == SH_BASH ? "_ctxmgr_r" : "REPLY");
		}
		quote(g, kind.data);
		buf_adds(g->out, g->sh == SH_FISH ? "\n" : " ;;\n");
		buf_release(&kind);
	}
}

static void
gen_bash_zsh(struct gen *g)
{
	const char *var = g->sh == SH_BASH ? "_ctxmgr_r" : "REPLY";
	const char *lvar = g->sh == SH_BASH ? "_ctxmgr_r" : "reply";
	char fb[64];

	snprintf(fb, sizeof(fb), "%s=%s", lvar, g->sh == SH_BASH ? "''" : "()");
	if (g->sh == SH_ZSH)
		buf_adds(g->out,
		    "# The subcommands of a command path (\"\" is the top "
		    "level), as name:summary.\n_ctxmgr_subcommands() {\n"
		    "\treply=()\n\tcase $1 in\n");
	else
		buf_adds(g->out,
		    "# The subcommands of a command path (\"\" is the top "
		    "level).\n_ctxmgr_subcommands()\n{\n\tcase $1 in\n");
	visit(g, cmd_table, "", subcommands_arm);
	buf_printf(g->out, "\t%s %s ;;\n\tesac\n}\n\n",
	    g->sh == SH_ZSH ? "(*)" : "*)", fb);

	if (g->sh == SH_ZSH)
		buf_adds(g->out,
		    "# The options of a command path, then the "
		    "global ones.\n_ctxmgr_flags() {\n"
		    "\treply=()\n\tcase $1 in\n");
	else
		buf_adds(g->out,
		    "# The options of a command path, then the "
		    "global ones.\n_ctxmgr_flags()\n{\n"
		    "\tcase $1 in\n");
	visit(g, cmd_table, "", flags_arm);
	buf_printf(
	    g->out, "\t%s %s ;;\n\tesac\n", g->sh == SH_ZSH ? "(*)" : "*)", fb);
	global_items(g);
	buf_adds(g->out, "}\n\n");

	buf_printf(g->out,
	    "# What the value of an option is: context, file, dir, \"choice "
	    "A B...\", none;\n# empty for options that take no value.\n"
	    "_ctxmgr_value()%s\n\tcase \"$1 $2\" in\n",
	    g->sh == SH_BASH ? "\n{" : " {");
	visit(g, cmd_table, "", values_arms);
	buf_printf(
	    g->out, "\t%s\n\t\tcase $2 in\n", g->sh == SH_ZSH ? "(*)" : "*)");
	global_values(g, "\t\t");
	buf_printf(g->out, "\t\t%s %s='' ;;\n\t\tesac\n\t\t;;\n\tesac\n}\n\n",
	    g->sh == SH_ZSH ? "(*)" : "*)", var);

	buf_printf(g->out,
	    "# A command's arguments: the most it takes (-1: any) and "
	    "their kind.\n_ctxmgr_args()%s\n\tcase $1 in\n",
	    g->sh == SH_BASH ? "\n{" : " {");
	visit(g, cmd_table, "", args_arm);
	buf_printf(g->out, "\t%s %s='0 none' ;;\n\tesac\n}\n\n",
	    g->sh == SH_ZSH ? "(*)" : "*)", var);
}

static void
gen_fish(struct gen *g)
{
	buf_adds(g->out,
	    "# The subcommands of a command path (\"\" is the "
	    "top level), with summaries.\n"
	    "function __ctxmgr_subcommands --argument-names "
	    "path\n    switch $path\n");
	visit(g, cmd_table, "", subcommands_arm);
	buf_adds(g->out, "    end\nend\n\n");

	buf_adds(g->out,
	    "# The options of a command path, then the global "
	    "ones.\nfunction __ctxmgr_flags --argument-names "
	    "path\n    switch $path\n");
	visit(g, cmd_table, "", flags_arm);
	buf_adds(g->out, "    end\n");
	global_items(g);
	buf_adds(g->out, "end\n\n");

	buf_adds(g->out,
	    "# What the value of an option is: context, file, dir, \"choice "
	    "A B...\", none;\n# nothing for options that take no value.\n"
	    "function __ctxmgr_value --argument-names path flag\n"
	    "    switch \"$path $flag\"\n");
	visit(g, cmd_table, "", values_arms);
	buf_adds(g->out, "        case '*'\n            switch $flag\n");
	global_values(g, "                ");
	buf_adds(g->out, "            end\n    end\nend\n\n");

	buf_adds(g->out,
	    "# A command's arguments: the most it takes (-1: "
	    "any) and their kind.\nfunction __ctxmgr_args "
	    "--argument-names path\n    switch $path\n");
	visit(g, cmd_table, "", args_arm);
	buf_adds(g->out,
	    "        case '*'\n            echo '0 none'\n"
	    "    end\nend\n\n");
}

int
completion_gen(const char *shell, struct buf *out, struct cm_err *err)
{
	struct gen g = { out, SH_BASH, 0 };

	if (strcmp(shell, "bash") == 0)
		g.sh = SH_BASH;
	else if (strcmp(shell, "zsh") == 0)
		g.sh = SH_ZSH;
	else if (strcmp(shell, "fish") == 0)
		g.sh = SH_FISH;
	else
		return err_set(err, ERR_USAGE,
		    "no completion for shell \"%s\" (use bash, zsh or fish)",
		    shell);
	if (g.sh == SH_ZSH)
		buf_adds(out, "#compdef ctxmgr\n");
	buf_printf(out,
	    "# %s completion for ctxmgr, generated from its command table "
	    "by\n# \"ctxmgr completion %s\" -- do not edit; run \"make "
	    "completions\" instead.\n# Context names come from \"ctxmgr "
	    "ls -q\" when you press Tab.\n\n",
	    shell, shell);
	if (g.sh == SH_FISH) {
		gen_fish(&g);
		buf_adds(out, completion_fish_main);
	} else {
		gen_bash_zsh(&g);
		buf_adds(out,
		    g.sh == SH_BASH ? completion_bash_main
				    : completion_zsh_main);
	}
	return 0;
}
