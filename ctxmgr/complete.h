/*
 * complete.h: what to offer for the word being typed, read from the
 * command table.  The shell's readline completion uses it directly; the
 * bash, zsh and fish scripts (completion-gen.c) follow the same rules.
 */
#ifndef CTXMGR_COMPLETE_H
#define CTXMGR_COMPLETE_H

#include "ctxmgr/cmd.h"
#include "common/util.h"

enum complete_result {
	COMPLETE_WORDS, /* the candidates in `words` */
	COMPLETE_FILES, /* file names (the caller lists them) */
	COMPLETE_DIRS /* directory names */
};

struct completion {
	enum complete_result kind;
	struct strv words; /* candidates starting with the typed prefix */
	const char *prefix; /* what is being completed (after any "=") */
};

/* Words the shell adds to the commands of the table. */
#define COMPLETE_SHELL_WORDS "docker", "exit", "quit"

/*
 * Complete words[n-1] (may be "") after words[0..n-2] (the words after
 * "ctxmgr").  `config_dir` is where context names come from (a --config
 * on the line wins); `shell` adds the shell's own words and hides
 * CMD_NO_SHELL commands.  Release with completion_release.
 */
void complete_line(const char *config_dir, char **words, int n, int shell,
    struct completion *out);
void completion_release(struct completion *c);

/* The names of every context in a store, "default" included. */
void complete_context_names(const char *config_dir, struct strv *out);
/* The same, only contexts of `scheme` ("ssh" counts tunnelled ones,
 * "tcp", "unix"); NULL for all. */
void complete_context_names_of(
    const char *config_dir, const char *scheme, struct strv *out);

#endif
