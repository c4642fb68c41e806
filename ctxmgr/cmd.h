/*
 * cmd.h: the command table.  One constant `struct cmd_entry` per command
 * (one file each, tmux style), listed once in cmd_table[].  That table
 * alone drives argument parsing, `help`, `COMMAND --help`, the man page,
 * the interactive shell, readline completion and the generated bash, zsh
 * and fish completions.
 */
#ifndef CTXMGR_CMD_H
#define CTXMGR_CMD_H

#include "common/compat.h"
#include "common/err.h"
#include "common/util.h"

enum flag_type {
	FLAG_BOOL, /* --name, --name=true|false */
	FLAG_STRING, /* --name VALUE, --name=VALUE */
	FLAG_INT, /* as string, checked to be an integer */
	FLAG_LIST /* repeatable; every value kept in order */
};

/* What a flag value or argument is, for completion and the man page. */
enum complete_kind {
	COMPLETE_NONE,
	COMPLETE_CONTEXT, /* a context name */
	COMPLETE_CONTEXT_SSH, /* an ssh context (direct or tunnelled) */
	COMPLETE_CONTEXT_TCP, /* a tcp:// context */
	COMPLETE_FILE,
	COMPLETE_DIR,
	COMPLETE_CHOICE, /* one of `choices` ("a|b|c") */
	COMPLETE_COMMAND /* a command name (help) */
};

struct cmd_flag {
	const char *name; /* long name without "--" */
	int short_name; /* 0 when none */
	enum flag_type type;
	enum complete_kind complete;
	const char *metavar; /* "FILE"; NULL for booleans */
	const char *help;
	const char *choices; /* "a|b|c" for COMPLETE_CHOICE */
	unsigned attrs; /* FLAG_ATTR_* */
};

/* The flag of every command that can connect over SSH: a host seen for
 * the first time is recorded (sets cmd_ctx.accept_new). */
#define FLAG_ACCEPT_NEW                                                        \
	{                                                                      \
		"accept-new", 0, FLAG_BOOL, COMPLETE_NONE, NULL,               \
		    "record the host key of a host seen for the first time"    \
	}

/* cmd_flag.attrs */
#define FLAG_ATTR_SECRET 0x01 /* the value is a secret: never in history */

struct cmd_argspec {
	int min;
	int max; /* -1: no limit */
	enum complete_kind complete;
	const char *choices;
};

enum output_format { FMT_TABLE, FMT_JSON, FMT_YAML, FMT_SARIF };
#define FMT_BIT(f) (1u << (f))
#define FMTS_DEFAULT                                                           \
	(FMT_BIT(FMT_TABLE) | FMT_BIT(FMT_JSON) | FMT_BIT(FMT_YAML))

/* cmd_entry.attrs */
#define CMD_SECRET 0x01 /* the shell never stores this line in history */
#define CMD_NO_SHELL 0x02 /* not offered inside the shell */
#define CMD_HIDDEN 0x04 /* left out of help and completion lists */

struct cmd_ctx;
struct cmd_args;

struct cmd_entry {
	const char *name;
	const char *usage; /* after "ctxmgr NAME " */
	const char *summary; /* one line, lower case, no full stop */
	const char *help; /* paragraphs for --help and the man page */
	const struct cmd_flag *flags; /* terminated by { 0 } */
	struct cmd_argspec args;
	int (*exec)(struct cmd_ctx *ctx, struct cmd_args *args);
	const struct cmd_entry *const *subcommands; /* NULL-terminated */
	unsigned attrs;
	unsigned formats; /* FMT_BIT()s accepted; 0 = FMTS_DEFAULT */
	enum output_format default_format;
};

/* State shared by every command run: global options and output. */
struct cmd_ctx {
	const char *config_dir; /* --config, $DOCKER_CONFIG or ~/.docker */
	const char *context; /* --context, or NULL */
	enum output_format format;
	int format_set; /* --format was given */
	int quiet;
	int verbose;
	int color; /* colours on stdout */
	int interactive; /* inside `ctxmgr shell` */
	int accept_new; /* --accept-new (FLAG_ACCEPT_NEW) was given */
	FILE *out;
	FILE *errout;
	struct cm_err err; /* filled by a failing exec */
	char cmd_path[128]; /* "ca issue client", for messages */
	char *owned_config_dir;
};

struct flag_value {
	int set;
	struct strv values; /* every value given, in order */
};

struct cmd_args {
	const struct cmd_entry *entry;
	int argc;
	char **argv; /* positional arguments */
	struct flag_value *values; /* parallel to entry->flags */
	int dashdash; /* positional arguments before "--", -1 without */
};

extern const struct cmd_entry *const cmd_table[];
extern const struct cmd_flag global_flags[];

/* The global option a command-line word names ("--name", "--name=V",
 * "-x"), or NULL. */
const struct cmd_flag *cmd_global_flag(const char *word);

/*
 * The index in argv (argv[0] the program) of the command's first word,
 * after the global options; -1 when there is none, or "--", --help or
 * --version comes first.
 */
int cmd_first_word(int argc, char **argv);

/*
 * Run one command line (argv[0] is the first word after "ctxmgr" and any
 * global options).  Prints errors as "ctxmgr: message" and returns the
 * exit status: 0 success, 1 failure, 2 usage error.
 */
int cmd_main(struct cmd_ctx *ctx, int argc, char **argv);

/* Parse global options at the front of argv; returns how many were used
 * or -1 (message printed) on a usage error. */
int cmd_parse_globals(struct cmd_ctx *ctx, int argc, char **argv);

/* Set up and free a context's defaults (colour, format, config dir). */
void cmd_ctx_init(struct cmd_ctx *ctx);
void cmd_ctx_release(struct cmd_ctx *ctx);

/* Find a command or subcommand by exact name among `table`. */
const struct cmd_entry *cmd_find(
    const struct cmd_entry *const *table, const char *name);

/* Print --help for an entry (`path` like "ca issue"). */
void cmd_print_help(FILE *f, const struct cmd_entry *e, const char *path);

/* Print the overview of all commands. */
void cmd_print_overview(FILE *f);

/* Flag access for exec functions. */
int args_has(const struct cmd_args *a, const char *flag);
const char *args_get(const struct cmd_args *a, const char *flag);
const struct strv *args_get_all(const struct cmd_args *a, const char *flag);
/* Integer flag value or `def` when absent (parsing checked it already). */
long long args_get_int(
    const struct cmd_args *a, const char *flag, long long def);

/*
 * 1 if a command line (words after "ctxmgr") carries a secret: a
 * CMD_SECRET command, or a flag marked FLAG_ATTR_SECRET or whose name
 * says passphrase, password or secret.  The shell never stores such
 * lines in its history.
 */
int cmd_line_is_secret(int argc, char **argv);

/*
 * Walk a command line as the parser would, without running anything:
 * the command reached (NULL when none yet), its path ("ca issue"), the
 * number of positional arguments, and the flag still waiting for its
 * value at the end (NULL when none).  Unknown words stop nothing.
 */
struct cmd_walk {
	const struct cmd_entry *entry;
	char path[128];
	int nargs;
	int only_args; /* "--" was seen */
	const struct cmd_flag *pending; /* flag whose value comes next */
	const char *config_dir; /* --config given on the line, or NULL */
	int unknown_command; /* the first word is not a command */
};
void cmd_walk(int argc, char **argv, struct cmd_walk *w);

/* A flag in one NULL-terminated set, by long name (len bytes) or short
 * letter; NULL when absent (flags may be NULL). */
const struct cmd_flag *cmd_flag_long(
    const struct cmd_flag *flags, const char *name, size_t len);
const struct cmd_flag *cmd_flag_short(const struct cmd_flag *flags, int c);

/* Find a flag by long name among an entry's flags, then the globals. */
const struct cmd_flag *cmd_flag_find(
    const struct cmd_entry *e, const char *name, size_t len);

/* Exit status of an exec return value (see cmd_main). */
int cmd_exit_status(int r);

/* An ANSI colour sequence, or "" when colour is off for ctx->out. */
const char *cmd_color(const struct cmd_ctx *ctx, const char *seq);

/* Print "ctxmgr: MSG" with terminal controls in MSG made visible. */
void cmd_print_error(FILE *f, const char *msg);
#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

#endif
