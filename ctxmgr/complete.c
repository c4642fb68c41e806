/* complete.c: completion candidates from the command table. */
#include "common/compat.h"

#include "ctxmgr/complete.h"
#include "ctxmgr/select.h"
#include "ctxmgr/shelldocker.h"
#include "store/store.h"

static void
add(struct completion *c, const char *word)
{
	size_t i;

	if (!str_has_prefix(word, c->prefix))
		return;
	for (i = 0; i < c->words.n; i++)
		if (strcmp(c->words.v[i], word) == 0)
			return;
	strv_push(&c->words, word);
}

void
complete_context_names(const char *config_dir, struct strv *out)
{
	complete_context_names_of(config_dir, NULL, out);
}

void
complete_context_names_of(
    const char *config_dir, const char *scheme, struct strv *out)
{
	struct context **list = NULL;
	struct ctx_filter f;
	struct cm_err err;
	struct store st;
	size_t n = 0, i;
	char spec[32];

	ctx_filter_init(&f);
	if (scheme != NULL) {
		snprintf(spec, sizeof(spec), "scheme=%s", scheme);
		(void)ctx_filter_add(&f, spec, &err);
	}
	store_init(&st, config_dir);
	if (store_list(&st, &list, &n, &err) == 0)
		for (i = 0; i < n; i++) {
			if (ctx_filter_match(&f, list[i]))
				strv_push(out, list[i]->name);
		}
	context_list_free(list, n);
	store_release(&st);
	ctx_filter_release(&f);
}

static void
add_choices(struct completion *c, const char *choices)
{
	char word[128];
	const char *p, *bar;
	size_t len;

	for (p = choices; p != NULL && *p != '\0'; p = *bar ? bar + 1 : bar) {
		bar = strchr(p, '|');
		if (bar == NULL)
			bar = p + strlen(p);
		len = (size_t)(bar - p);
		if (len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			add(c, word);
		}
	}
}

static void
add_commands(
    struct completion *c, const struct cmd_entry *const *table, int shell)
{
	for (; table != NULL && *table != NULL; table++)
		if (!((*table)->attrs & CMD_HIDDEN) &&
		    !(shell && ((*table)->attrs & CMD_NO_SHELL)))
			add(c, (*table)->name);
}

static void
add_flags(struct completion *c, const struct cmd_entry *e)
{
	const struct cmd_flag *f;
	char word[160];

	for (f = e != NULL ? e->flags : NULL; f != NULL && f->name; f++) {
		snprintf(word, sizeof(word), "--%s", f->name);
		add(c, word);
	}
	for (f = global_flags; f->name != NULL; f++) {
		/* --version only makes sense before a command */
		if (e != NULL && strcmp(f->name, "version") == 0)
			continue;
		snprintf(word, sizeof(word), "--%s", f->name);
		add(c, word);
	}
}

/* Candidates for a value of kind `kind`. */
static void
add_kind(struct completion *c, enum complete_kind kind, const char *choices,
    const char *config_dir, int shell)
{
	struct strv names = { 0 };
	size_t i;

	switch (kind) {
	case COMPLETE_NONE:
		break;
	case COMPLETE_CONTEXT:
	case COMPLETE_CONTEXT_SSH:
	case COMPLETE_CONTEXT_TCP:
		complete_context_names_of(config_dir,
		    kind == COMPLETE_CONTEXT_SSH       ? "ssh"
			: kind == COMPLETE_CONTEXT_TCP ? "tcp"
						       : NULL,
		    &names);
		for (i = 0; i < names.n; i++)
			add(c, names.v[i]);
		strv_free(&names);
		add_choices(c, choices); /* "-" after use */
		break;
	case COMPLETE_FILE:
		c->kind = COMPLETE_FILES;
		break;
	case COMPLETE_DIR:
		c->kind = COMPLETE_DIRS;
		break;
	case COMPLETE_CHOICE:
		add_choices(c, choices);
		break;
	case COMPLETE_COMMAND:
		add_commands(c, cmd_table, shell);
		break;
	}
}

/* The values of a flag; --format offers what the command accepts. */
static void
add_flag_value(struct completion *c, const struct cmd_entry *e,
    const struct cmd_flag *f, const char *config_dir, int shell)
{
	static const char *const names[] = { "table", "json", "yaml", "sarif" };
	unsigned fmts;
	size_t i;

	if (strcmp(f->name, "format") == 0 && f->complete == COMPLETE_CHOICE &&
	    e != NULL && e->exec != NULL) {
		fmts = e->formats ? e->formats : FMTS_DEFAULT;
		for (i = 0; i < nitems(names); i++)
			if (fmts & FMT_BIT(i))
				add(c, names[i]);
		return;
	}
	add_kind(c, f->complete, f->choices, config_dir, shell);
}

/* "help ca iss<TAB>": the arguments of help are a command path. */
static void
add_help_path(struct completion *c, char **args, int nargs, int shell)
{
	const struct cmd_entry *const *table = cmd_table;
	const struct cmd_entry *e;
	int i;

	for (i = 0; i < nargs; i++) {
		if ((e = cmd_find(table, args[i])) == NULL)
			return;
		table = e->subcommands;
	}
	add_commands(c, table, shell && nargs == 0);
}

/* The Docker CLI's words are its own: ask it (docker __complete). */
static void
add_docker(struct completion *c, const char *config_dir, char **words, int n)
{
	struct strv dw = { 0 };
	unsigned directive = 0;
	size_t i;

	if (shell_docker_complete(config_dir, words, n, &dw, &directive) != 0) {
		c->kind = COMPLETE_FILES; /* no answer: file names, as before */
		return;
	}
	for (i = 0; i < dw.n; i++)
		add(c, dw.v[i]);
	strv_free(&dw);
	if (c->words.n == 0 && !(directive & DOCKER_COMPLETE_NOFILE))
		c->kind = directive & DOCKER_COMPLETE_DIRS ? COMPLETE_DIRS
							   : COMPLETE_FILES;
}

void
complete_line(const char *config_dir, char **words, int n, int shell,
    struct completion *out)
{
	const char *cur = n > 0 ? words[n - 1] : "", *eq;
	const struct cmd_flag *f;
	const struct cmd_entry *e;
	struct cmd_walk w;
	int i;

	memset(out, 0, sizeof(*out));
	out->kind = COMPLETE_WORDS;
	out->prefix = cur;
	cmd_walk(n > 0 ? n - 1 : 0, words, &w);
	if (w.config_dir != NULL)
		config_dir = w.config_dir;
	e = w.entry;
	if (w.pending != NULL) {
		add_flag_value(out, e, w.pending, config_dir, shell);
		return;
	}
	if (shell && n > 1 && strcmp(words[0], "docker") == 0) {
		add_docker(out, config_dir, words, n);
		return;
	}
	if (!w.only_args && str_has_prefix(cur, "--") &&
	    (eq = strchr(cur, '=')) != NULL) {
		f = cmd_flag_find(e, cur + 2, (size_t)(eq - cur - 2));
		out->prefix = eq + 1;
		if (f != NULL && f->type != FLAG_BOOL)
			add_kind(
			    out, f->complete, f->choices, config_dir, shell);
		else if (f != NULL)
			add_choices(out, "true|false");
		return;
	}
	if (!w.only_args && cur[0] == '-') {
		add_flags(out, e);
		return;
	}
	if (w.unknown_command)
		return;
	if (e == NULL) {
		static const char *const extra[] = { COMPLETE_SHELL_WORDS };
		add_commands(out, cmd_table, shell);
		for (i = 0; shell && i < (int)nitems(extra); i++)
			add(out, extra[i]);
		return;
	}
	if (w.nargs == 0 && e->subcommands != NULL)
		add_commands(out, e->subcommands, 0);
	if (e->exec == NULL || (e->args.max >= 0 && w.nargs >= e->args.max))
		return;
	if (e->args.complete == COMPLETE_COMMAND) {
		/* the positional words are the last w.nargs before cur */
		char *args[8];
		int k = 0, j;
		for (j = n - 2; j >= 0 && k < w.nargs && k < 8; j--)
			if (words[j][0] != '-')
				args[k++] = words[j];
		for (j = 0; j < k / 2; j++) {
			char *t = args[j];
			args[j] = args[k - 1 - j];
			args[k - 1 - j] = t;
		}
		add_help_path(out, args, k, shell);
		return;
	}
	add_kind(out, e->args.complete, e->args.choices, config_dir, shell);
}

void
completion_release(struct completion *c)
{
	strv_free(&c->words);
	memset(c, 0, sizeof(*c));
}
