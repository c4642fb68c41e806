/*
 * cmdwalk.c: reading a command line against the table without running
 * it -- for completion in the shell and for keeping secrets out of the
 * shell's history (see cmd.h).
 */
#include "common/compat.h"

#include "ctxmgr/cmd.h"

const struct cmd_flag *
cmd_flag_find(const struct cmd_entry *e, const char *name, size_t len)
{
	const struct cmd_flag *f;

	f = cmd_flag_long(e != NULL ? e->flags : NULL, name, len);
	return f != NULL ? f : cmd_flag_long(global_flags, name, len);
}

static const struct cmd_flag *
flag_find_short(const struct cmd_entry *e, int c)
{
	const struct cmd_flag *f;

	f = cmd_flag_short(e != NULL ? e->flags : NULL, c);
	return f != NULL ? f : cmd_flag_short(global_flags, c);
}

/* One option word: returns the flag still waiting for a value, or NULL;
 * *valuep gets an inline value ("--config=DIR", "-cNAME"). */
static const struct cmd_flag *
walk_option(const struct cmd_entry *e, const char *word,
    const struct cmd_flag **lastp, const char **valuep)
{
	const struct cmd_flag *f = NULL;
	const char *eq, *p;

	*valuep = NULL;
	*lastp = NULL;
	if (word[1] == '-') {
		eq = strchr(word + 2, '=');
		f = cmd_flag_find(e, word + 2,
		    eq ? (size_t)(eq - word - 2) : strlen(word + 2));
		*lastp = f;
		if (f == NULL || f->type == FLAG_BOOL)
			return NULL;
		if (eq != NULL) {
			*valuep = eq + 1;
			return NULL;
		}
		return f;
	}
	for (p = word + 1; *p != '\0'; p++) {
		if ((f = flag_find_short(e, *p)) == NULL)
			return NULL;
		*lastp = f;
		if (f->type != FLAG_BOOL) {
			if (p[1] != '\0') {
				*valuep = p + 1;
				return NULL;
			}
			return f;
		}
	}
	return NULL;
}

void
cmd_walk(int argc, char **argv, struct cmd_walk *w)
{
	const struct cmd_entry *sub;
	const struct cmd_flag *last;
	const char *value;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < argc; i++) {
		const char *word = argv[i];
		if (w->pending != NULL) {
			if (strcmp(w->pending->name, "config") == 0)
				w->config_dir = word;
			w->pending = NULL;
			continue;
		}
		if (!w->only_args && strcmp(word, "--") == 0) {
			w->only_args = 1;
			continue;
		}
		if (!w->only_args && word[0] == '-' && word[1] != '\0') {
			w->pending = walk_option(w->entry, word, &last, &value);
			if (last != NULL && value != NULL &&
			    strcmp(last->name, "config") == 0)
				w->config_dir = value;
			continue;
		}
		if (w->entry == NULL) {
			if (w->unknown_command)
				continue;
			w->entry = cmd_find(cmd_table, word);
			if (w->entry == NULL) {
				w->unknown_command = 1;
				continue;
			}
			snprintf(w->path, sizeof(w->path), "%s", word);
			continue;
		}
		if (w->nargs == 0 && w->entry->subcommands != NULL &&
		    (sub = cmd_find(w->entry->subcommands, word)) != NULL) {
			w->entry = sub;
			snprintf(w->path + strlen(w->path),
			    sizeof(w->path) - strlen(w->path), " %s", word);
			continue;
		}
		w->nargs++;
	}
}

static int
flag_is_secret(const struct cmd_flag *f)
{
	return (f->attrs & FLAG_ATTR_SECRET) ||
	    strstr(f->name, "passphrase") != NULL ||
	    strstr(f->name, "password") != NULL ||
	    strstr(f->name, "secret") != NULL;
}

int
cmd_line_is_secret(int argc, char **argv)
{
	const struct cmd_entry *e = NULL, *sub;
	const struct cmd_flag *last;
	const char *value;
	int i, only_args = 0, nargs = 0, unknown = 0;

	for (i = 0; i < argc; i++) {
		const char *word = argv[i];
		if (!only_args && strcmp(word, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (!only_args && word[0] == '-' && word[1] != '\0') {
			if (word[1] == '-' &&
			    (strstr(word, "passphrase") ||
				strstr(word, "password") ||
				strstr(word, "secret")))
				return 1;
			if (walk_option(e, word, &last, &value) != NULL)
				i++; /* its value */
			if (last != NULL && flag_is_secret(last))
				return 1;
			continue;
		}
		if (unknown)
			continue;
		if (e == NULL) {
			/* an unknown command: its options still count */
			if ((e = cmd_find(cmd_table, word)) == NULL) {
				unknown = 1;
				continue;
			}
		} else if (nargs == 0 && e->subcommands != NULL &&
		    (sub = cmd_find(e->subcommands, word)) != NULL)
			e = sub;
		else
			nargs++;
		if (e->attrs & CMD_SECRET)
			return 1;
	}
	return 0;
}
