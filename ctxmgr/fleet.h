/*
 * fleet.h: run one command's work once per selected context, in
 * parallel child processes (ctxmgr exec --filter, ping --all, ...).
 *
 * Each context gets a forked child in its own process group, stdin from
 * /dev/null and its stdout and stderr on pipes.  The parent prefixes
 * every line with the context's name ("web1 | ..."): only whole lines
 * go out, a line over FLEET_LINE_MAX is cut and continued with "+", a
 * last line without a newline gets one, so one host's bytes never run
 * on behind another host's name.  With `group` each host's output is
 * one block printed when it ends; with `json` each child's stdout is one
 * JSON document and the parent prints one array of them.  A summary of
 * exit statuses ends the run on stderr; a deadline stops what still runs
 * (SIGTERM to the group, SIGKILL a second later).
 */
#ifndef CTXMGR_FLEET_H
#define CTXMGR_FLEET_H

#include "ctxmgr/cmd.h"
#include "store/store.h"

#define FLEET_JOBS_MAX 256
#define FLEET_LINE_MAX 8192 /* bytes of a line before it is cut */
#define FLEET_GROUP_MAX ((size_t)4 << 20) /* per host and stream */

/* The selection and run flags of a fleet command (inside a cmd_flag
 * array). */
#define FLEET_FLAGS                                                            \
	{ "filter", 'f', FLAG_LIST, COMPLETE_NONE, "KEY=VALUE",                \
		"every context that matches (name=GLOB, "                      \
		"scheme=ssh|tcp|unix, tag=T, tunnel=on|off)" },                \
	    { "all", 'a', FLAG_BOOL, COMPLETE_NONE, NULL,                      \
		    "every context of the store (not the default one)" },      \
	    { "jobs", 'j', FLAG_INT, COMPLETE_NONE, "N",                       \
		    "with --filter/--all: at most N at once (default 8)" },    \
	    { "group", 0, FLAG_BOOL, COMPLETE_NONE, NULL,                      \
		    "with --filter/--all: each context's output as one "       \
		    "block, not prefixed lines" },                             \
	{                                                                      \
		"timeout", 0, FLAG_STRING, COMPLETE_NONE, "DURATION",          \
		    "with --filter/--all: stop what still runs after "         \
		    "DURATION (30s, 5m)"                                       \
	}

/* Runs in the child for context `c`; its return value becomes the
 * child's exit status (cmd_exit_status; errors printed first). */
typedef int (*fleet_fn)(
    struct cmd_ctx *ctx, const struct context *c, void *arg);

struct fleet_opts {
	const char *what; /* the command, for messages: "exec" */
	long long jobs;
	long long timeout; /* seconds; 0: none */
	int group;
	int json; /* collect stdout documents into one JSON array */
	int ssh_only; /* only ssh contexts (direct or tunnelled) */
};

/* 1 when --filter or --all was given. */
int fleet_wanted(const struct cmd_args *a);

/* The options of FLEET_FLAGS in `a` (ERR_USAGE for bad ones). */
int fleet_opts_parse(struct cmd_ctx *ctx, const struct cmd_args *a,
    const char *what, struct fleet_opts *o);

/*
 * Select the contexts of --filter/--all (ctx_select: loaded, the default
 * one left out, only ssh ones with o->ssh_only; none: ERR_NOTFOUND) and run `fn` for each.  Returns the
 * exit status: 0 when every child succeeded, else 1; with one context,
 * that child's own (124 when the deadline stopped it).  Negative ERR_*
 * when nothing could run.
 */
int fleet_run(struct cmd_ctx *ctx, const struct cmd_args *a,
    const struct fleet_opts *o, fleet_fn fn, void *arg);

#endif
