/* cmd.c: command-line parsing and help, driven by cmd_table (see cmd.h). */
#include "common/compat.h"

#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "ctxmgr/cmd.h"
#include "store/store.h"
#include "ctxmgr/version.h"
#include "common/xmalloc.h"

const struct cmd_flag global_flags[] = {
	{ "config", 0, FLAG_STRING, COMPLETE_DIR, "DIR",
	    "Docker config dir (default $DOCKER_CONFIG, else ~/.docker)" },
	{ "context", 'c', FLAG_STRING, COMPLETE_CONTEXT, "NAME",
	    "context to act on instead of the current one" },
	{ "format", 0, FLAG_STRING, COMPLETE_CHOICE, "FORMAT",
	    "output format: table, json or yaml", "table|json|yaml|sarif" },
	{ "quiet", 'q', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "print less (names only for listings)" },
	{ "no-color", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "no colours (also when NO_COLOR is set)" },
	{ "verbose", 'v', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "explain what is being done on stderr" },
	{ "version", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "print the version and the libraries in use" },
	{ "help", 'h', FLAG_BOOL, COMPLETE_NONE, NULL, "show help" }, { 0 }
};

static const char *const format_names[] = { "table", "json", "yaml", "sarif" };

void
cmd_ctx_init(struct cmd_ctx *ctx)
{
	const char *nc = getenv("NO_COLOR");

	memset(ctx, 0, sizeof(*ctx));
	ctx->out = stdout;
	ctx->errout = stderr;
	ctx->owned_config_dir = store_default_config_dir();
	ctx->config_dir = ctx->owned_config_dir;
	ctx->color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	err_init(&ctx->err);
}

void
cmd_ctx_release(struct cmd_ctx *ctx)
{
	free(ctx->owned_config_dir);
	ctx->owned_config_dir = NULL;
}

const char *
cmd_color(const struct cmd_ctx *ctx, const char *seq)
{
	return ctx->color ? seq : "";
}

void
cmd_print_error(FILE *f, const char *msg)
{
	struct buf b;

	buf_init(&b, 0);
	str_escape_term(&b, msg, 1);
	fprintf(f, "ctxmgr: %s\n", b.data);
	buf_release(&b);
}

int
cmd_exit_status(int r)
{
	if (r == 0)
		return 0;
	if (r > 0)
		return r > 255 ? 1 : r;
	return r == ERR_USAGE ? 2 : 1;
}

const struct cmd_entry *
cmd_find(const struct cmd_entry *const *table, const char *name)
{
	for (; table != NULL && *table != NULL; table++)
		if (strcmp((*table)->name, name) == 0)
			return *table;
	return NULL;
}

const struct cmd_flag *
cmd_flag_long(const struct cmd_flag *flags, const char *name, size_t len)
{
	for (; flags != NULL && flags->name != NULL; flags++)
		if (strlen(flags->name) == len &&
		    strncmp(flags->name, name, len) == 0)
			return flags;
	return NULL;
}

const struct cmd_flag *
cmd_flag_short(const struct cmd_flag *flags, int c)
{
	for (; flags != NULL && flags->name != NULL; flags++)
		if (flags->short_name == c)
			return flags;
	return NULL;
}

const struct cmd_flag *
cmd_global_flag(const char *w)
{
	if (w[0] != '-' || w[1] == '\0')
		return NULL;
	if (w[1] == '-')
		return cmd_flag_long(global_flags, w + 2, strcspn(w + 2, "="));
	return w[2] == '\0' ? cmd_flag_short(global_flags, w[1]) : NULL;
}

int
cmd_first_word(int argc, char **argv)
{
	const struct cmd_flag *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return -1;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			return i;
		if ((f = cmd_global_flag(argv[i])) == NULL)
			continue; /* cmd_main reports it */
		if (strcmp(f->name, "help") == 0 ||
		    strcmp(f->name, "version") == 0)
			return -1;
		/* a value in the next word: "--config DIR", "-c NAME" */
		if (f->type != FLAG_BOOL && strchr(argv[i], '=') == NULL)
			i++;
	}
	return -1;
}

static size_t
flag_count(const struct cmd_flag *flags)
{
	size_t n = 0;

	while (flags != NULL && flags[n].name != NULL)
		n++;
	return n;
}

static int usage_error(struct cmd_ctx *ctx, const char *path, const char *fmt,
    ...) PRINTFLIKE(3, 4);

/* Commands in hints: "ctxmgr help", but inside the shell just "help". */
static const char *
hint_prefix(const struct cmd_ctx *ctx)
{
	return ctx->interactive ? "" : "ctxmgr ";
}

static int
usage_error(struct cmd_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list ap;

	fputs("ctxmgr: ", ctx->errout);
	va_start(ap, fmt);
	vfprintf(ctx->errout, fmt, ap);
	va_end(ap);
	if (path != NULL && *path != '\0')
		fprintf(ctx->errout, "\nrun \"%s%s --help\" for usage\n",
		    hint_prefix(ctx), path);
	else
		fprintf(ctx->errout,
		    "\nrun \"%shelp\" for the list of commands\n",
		    hint_prefix(ctx));
	return 2;
}

/* Apply a global flag; returns 0, or 2 after printing a usage error. */
static int
apply_global(struct cmd_ctx *ctx, const struct cmd_flag *f, const char *value,
    const char *path)
{
	size_t i;

	if (strcmp(f->name, "config") == 0)
		ctx->config_dir = value;
	else if (strcmp(f->name, "context") == 0)
		ctx->context = value;
	else if (strcmp(f->name, "format") == 0) {
		for (i = 0; i < nitems(format_names); i++)
			if (strcmp(value, format_names[i]) == 0)
				break;
		if (i == nitems(format_names))
			return usage_error(ctx, path,
			    "unknown format \"%s\" (use table, json or yaml; "
			    "sarif for audits)",
			    value);
		ctx->format = (enum output_format)i;
		ctx->format_set = 1;
	} else if (strcmp(f->name, "quiet") == 0)
		ctx->quiet = strcmp(value, "false") != 0;
	else if (strcmp(f->name, "no-color") == 0)
		ctx->color = ctx->color && strcmp(value, "false") == 0;
	else if (strcmp(f->name, "verbose") == 0)
		ctx->verbose += strcmp(value, "false") != 0;
	return 0;
}

/*
 * Weak, so that linking cmd.c does not pull in version.o and with it
 * libssh2 and OpenSSL: the front binary (ctxmgr/front/) has neither and
 * hands --version to the full one before it gets here.
 */
extern void version_libraries(char *buf, size_t len) __attribute__((weak));

static void
print_version(FILE *f)
{
	char libs[512] = "";

	if (version_libraries != NULL)
		version_libraries(libs, sizeof(libs));
	fprintf(f, "ctxmgr %s\n%s\n", CTXMGR_VERSION, libs);
}

/*
 * One option word (and maybe the next): fills `*fp` and `*valuep`.
 * Returns words consumed, or -1 after a usage error was printed.
 */
static int
parse_option(struct cmd_ctx *ctx, const char *path,
    const struct cmd_flag *flags, int argc, char **argv, int i,
    const struct cmd_flag **fp, const char **valuep, int *globalp,
    char *shortbuf)
{
	const char *word = argv[i], *eq, *name;
	const struct cmd_flag *f;
	size_t len;

	*globalp = 0;
	*valuep = NULL;
	if (word[1] == '-') {
		name = word + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if ((f = cmd_flag_long(flags, name, len)) == NULL) {
			f = cmd_flag_long(global_flags, name, len);
			*globalp = f != NULL;
		}
		if (f == NULL) {
			usage_error(ctx, path, "unknown option \"--%.*s\"",
			    (int)len, name);
			return -1;
		}
		*fp = f;
		if (f->type == FLAG_BOOL) {
			if (eq == NULL)
				*valuep = "true";
			else if (strcmp(eq + 1, "true") == 0 ||
			    strcmp(eq + 1, "false") == 0)
				*valuep = eq + 1;
			else {
				usage_error(ctx, path,
				    "option \"--%s\" takes true or false, not "
				    "\"%s\"",
				    f->name, eq + 1);
				return -1;
			}
			return 1;
		}
		if (eq != NULL) {
			*valuep = eq + 1;
			return 1;
		}
		if (i + 1 >= argc) {
			usage_error(ctx, path, "option \"--%s\" needs a value",
			    f->name);
			return -1;
		}
		*valuep = argv[i + 1];
		return 2;
	}
	/* a short option; clusters are split by the caller */
	if ((f = cmd_flag_short(flags, word[1])) == NULL) {
		f = cmd_flag_short(global_flags, word[1]);
		*globalp = f != NULL;
	}
	if (f == NULL) {
		usage_error(ctx, path, "unknown option \"-%c\"", word[1]);
		return -1;
	}
	*fp = f;
	if (f->type == FLAG_BOOL) {
		*valuep = "true";
		if (word[2] != '\0') {
			/* -qf: hand the rest back as "-f" (word may be
			 * shortbuf itself, hence memmove) */
			size_t rest = strlen(word + 2);
			if (rest > 253)
				rest = 253;
			memmove(shortbuf + 1, word + 2, rest);
			shortbuf[0] = '-';
			shortbuf[rest + 1] = '\0';
			return 0;
		}
		return 1;
	}
	if (word[2] != '\0') {
		*valuep = word + 2;
		return 1;
	}
	if (i + 1 >= argc) {
		usage_error(ctx, path, "option \"-%c\" needs a value", word[1]);
		return -1;
	}
	*valuep = argv[i + 1];
	return 2;
}

static int
check_value(struct cmd_ctx *ctx, const char *path, const struct cmd_flag *f,
    const char *value)
{
	long long n;
	const char *p, *bar;
	size_t len;

	if (f->type == FLAG_INT &&
	    parse_int(value, INT64_MIN, INT64_MAX, &n) != 0)
		return usage_error(ctx, path,
		    "option \"--%s\" needs an integer, not \"%s\"", f->name,
		    value);
	if (f->complete == COMPLETE_CHOICE && f->choices != NULL &&
	    strcmp(f->name, "format") != 0) {
		len = strlen(value);
		for (p = f->choices; *p != '\0'; p = bar + 1) {
			bar = strchr(p, '|');
			if (bar == NULL)
				bar = p + strlen(p);
			if ((size_t)(bar - p) == len &&
			    strncmp(p, value, len) == 0)
				return 0;
			if (*bar == '\0')
				break;
		}
		return usage_error(ctx, path,
		    "option \"--%s\" must be one of %s, not \"%s\"", f->name,
		    f->choices, value);
	}
	return 0;
}

static void
args_release(struct cmd_args *a)
{
	size_t i, n = a->entry ? flag_count(a->entry->flags) : 0;

	for (i = 0; a->values != NULL && i < n; i++)
		strv_free(&a->values[i].values);
	free(a->values);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

static void
suggest(
    struct cmd_ctx *ctx, const struct cmd_entry *const *table, const char *word)
{
	const struct cmd_entry *best = NULL;
	int d, bestd = 3;

	for (; *table != NULL; table++) {
		if ((*table)->attrs & CMD_HIDDEN)
			continue;
		d = str_distance(word, (*table)->name);
		if (str_has_prefix((*table)->name, word) && strlen(word) >= 2)
			d = 1;
		if (d < bestd) {
			bestd = d;
			best = *table;
		}
	}
	if (best != NULL)
		fprintf(
		    ctx->errout, "ctxmgr: did you mean \"%s\"?\n", best->name);
}

int
cmd_main(struct cmd_ctx *parent, int argc, char **argv)
{
	struct cmd_ctx ctx = *parent;
	const struct cmd_entry *e, *sub;
	const struct cmd_flag *f;
	struct cmd_args a;
	char shortbuf[256], path[128];
	char **words;
	int i, n, r, isglobal, nwords, only_args = 0;
	const char *value;

	memset(&a, 0, sizeof(a));
	a.dashdash = -1;
	/* global options before the command */
	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		n = parse_option(&ctx, "", global_flags, argc, argv, i, &f,
		    &value, &isglobal, shortbuf);
		if (n < 0)
			return 2;
		if (n == 0)
			return usage_error(&ctx, NULL,
			    "global options cannot be clustered (\"%s\")",
			    argv[i]);
		if (strcmp(f->name, "help") == 0) {
			cmd_print_overview(ctx.out);
			return 0;
		}
		if (strcmp(f->name, "version") == 0) {
			print_version(ctx.out);
			return 0;
		}
		if (apply_global(&ctx, f, value, NULL) != 0)
			return 2;
		i += n - 1;
	}
	if (i >= argc) {
		cmd_print_overview(ctx.out);
		return 0;
	}
	if ((e = cmd_find(cmd_table, argv[i])) == NULL) {
		fprintf(
		    ctx.errout, "ctxmgr: unknown command \"%s\"\n", argv[i]);
		suggest(&ctx, cmd_table, argv[i]);
		fprintf(ctx.errout, "run \"%shelp\" for the list of commands\n",
		    hint_prefix(&ctx));
		return 2;
	}
	snprintf(path, sizeof(path), "%s", e->name);
	i++;
	while (e->subcommands != NULL) {
		if (i < argc &&
		    (sub = cmd_find(e->subcommands, argv[i])) != NULL) {
			e = sub;
			snprintf(path + strlen(path),
			    sizeof(path) - strlen(path), " %s", e->name);
			i++;
			continue;
		}
		if (e->exec != NULL)
			break;
		if (i < argc &&
		    (strcmp(argv[i], "--help") == 0 ||
			strcmp(argv[i], "-h") == 0)) {
			cmd_print_help(ctx.out, e, path);
			return 0;
		}
		if (i >= argc) {
			cmd_print_help(ctx.errout, e, path);
			return 2;
		}
		fprintf(ctx.errout, "ctxmgr: unknown command \"%s %s\"\n", path,
		    argv[i]);
		suggest(&ctx, e->subcommands, argv[i]);
		fprintf(ctx.errout, "run \"%s%s --help\" for usage\n",
		    hint_prefix(&ctx), path);
		return 2;
	}
	snprintf(ctx.cmd_path, sizeof(ctx.cmd_path), "%s", path);

	a.entry = e;
	a.values = xcalloc(flag_count(e->flags) + 1, sizeof(*a.values));
	a.argv = xcalloc((size_t)argc + 1, sizeof(*a.argv));
	nwords = argc - i;
	words = argv + i;
	for (i = 0; i < nwords; i++) {
		const char *w = words[i];
		if (only_args || w[0] != '-' || w[1] == '\0') {
			a.argv[a.argc++] = words[i];
			continue;
		}
		if (strcmp(w, "--") == 0) {
			only_args = 1;
			a.dashdash = a.argc;
			continue;
		}
		n = parse_option(&ctx, path, e->flags, nwords, words, i, &f,
		    &value, &isglobal, shortbuf);
		if (n < 0) {
			r = 2;
			goto out;
		}
		if (strcmp(f->name, "help") == 0 && isglobal) {
			cmd_print_help(ctx.out, e, path);
			r = 0;
			goto out;
		}
		if (isglobal && strcmp(f->name, "version") == 0) {
			print_version(ctx.out);
			r = 0;
			goto out;
		}
		if (isglobal) {
			if ((r = apply_global(&ctx, f, value, path)) != 0)
				goto out;
		} else {
			struct flag_value *fv = &a.values[f - e->flags];
			if ((r = check_value(&ctx, path, f, value)) != 0)
				goto out;
			if (f->type != FLAG_LIST)
				strv_free(&fv->values);
			strv_push(&fv->values, value);
			fv->set = 1;
		}
		if (n == 0) {
			/* the rest of a short cluster: parse it again */
			words[i] = shortbuf;
			i--;
			continue;
		}
		i += n - 1;
	}
	if (a.argc < e->args.min ||
	    (e->args.max >= 0 && a.argc > e->args.max)) {
		if (e->args.max == 0)
			r = usage_error(
			    &ctx, path, "\"%s\" takes no arguments", path);
		else if (a.argc < e->args.min)
			r = usage_error(&ctx, path,
			    "\"%s\" needs %s%d argument%s", path,
			    e->args.max == e->args.min ? "" : "at least ",
			    e->args.min, e->args.min == 1 ? "" : "s");
		else
			r = usage_error(&ctx, path,
			    "\"%s\" takes at most %d argument%s", path,
			    e->args.max, e->args.max == 1 ? "" : "s");
		goto out;
	}
	if (ctx.format_set &&
	    !((e->formats ? e->formats : FMTS_DEFAULT) & FMT_BIT(ctx.format))) {
		r = usage_error(&ctx, path, "\"%s\" has no %s output", path,
		    format_names[ctx.format]);
		goto out;
	}
	if (!ctx.format_set)
		ctx.format = e->default_format;
	/* kept when set by the caller (`ctxmgr shell --accept-new`) */
	if (args_has(&a, "accept-new"))
		ctx.accept_new = 1;
	err_init(&ctx.err);
	r = e->exec(&ctx, &a);
	if (r < 0 && ctx.err.msg[0] != '\0')
		cmd_print_error(ctx.errout, ctx.err.msg);
	else if (r < 0)
		fprintf(
		    ctx.errout, "ctxmgr: %s failed: %s\n", path, err_name(r));
	fflush(ctx.out);
	r = cmd_exit_status(r);
out:
	/* words[] may point at shortbuf: nothing to free there */
	args_release(&a);
	return r;
}

static void
print_flag_line(FILE *f, const struct cmd_flag *fl)
{
	char left[64];

	if (fl->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", fl->short_name,
		    fl->name, fl->metavar ? " " : "",
		    fl->metavar ? fl->metavar : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", fl->name,
		    fl->metavar ? " " : "", fl->metavar ? fl->metavar : "");
	if (strlen(left) > 26)
		fprintf(f, "  %s\n  %-26s  %s\n", left, "", fl->help);
	else
		fprintf(f, "  %-26s  %s\n", left, fl->help);
}

void
cmd_print_help(FILE *f, const struct cmd_entry *e, const char *path)
{
	const struct cmd_entry *const *sub;
	const struct cmd_flag *fl;

	fprintf(f, "usage: ctxmgr %s%s%s\n\n", path, e->usage ? " " : "",
	    e->usage ? e->usage : "");
	fprintf(f, "%s\n", e->summary);
	if (e->help != NULL)
		fprintf(f, "\n%s\n", e->help);
	if (e->subcommands != NULL) {
		fputs("\ncommands:\n", f);
		for (sub = e->subcommands; *sub != NULL; sub++)
			if (!((*sub)->attrs & CMD_HIDDEN))
				fprintf(f, "  %-12s  %s\n", (*sub)->name,
				    (*sub)->summary);
	}
	if (e->flags != NULL && e->flags->name != NULL) {
		fputs("\noptions:\n", f);
		for (fl = e->flags; fl->name != NULL; fl++)
			print_flag_line(f, fl);
	}
	fputs("\nglobal options:\n", f);
	for (fl = global_flags; fl->name != NULL; fl++)
		if (strcmp(fl->name, "version") != 0)
			print_flag_line(f, fl);
}

void
cmd_print_overview(FILE *f)
{
	const struct cmd_entry *const *e;
	const struct cmd_flag *fl;

	fputs("usage: ctxmgr [global options] COMMAND [options] [ARGS]\n\n"
	      "Docker contexts, fast SSH tunnels, a TLS CA and exposure audits "
	      "for remote\nDocker hosts, in Docker's own context store.\n\n"
	      "commands:\n",
	    f);
	for (e = cmd_table; *e != NULL; e++)
		if (!((*e)->attrs & CMD_HIDDEN))
			fprintf(f, "  %-14s  %s\n", (*e)->name, (*e)->summary);
	fputs("\nglobal options:\n", f);
	for (fl = global_flags; fl->name != NULL; fl++)
		print_flag_line(f, fl);
	fputs("\nrun \"ctxmgr COMMAND --help\" for the options of a command\n",
	    f);
}

static struct flag_value *
value_of(const struct cmd_args *a, const char *flag)
{
	const struct cmd_flag *f;

	for (f = a->entry->flags; f != NULL && f->name != NULL; f++)
		if (strcmp(f->name, flag) == 0)
			return &a->values[f - a->entry->flags];
	return NULL;
}

int
args_has(const struct cmd_args *a, const char *flag)
{
	struct flag_value *v = value_of(a, flag);

	if (v == NULL || !v->set)
		return 0;
	return strcmp(v->values.v[v->values.n - 1], "false") != 0;
}

const char *
args_get(const struct cmd_args *a, const char *flag)
{
	struct flag_value *v = value_of(a, flag);

	if (v == NULL || !v->set)
		return NULL;
	return v->values.v[v->values.n - 1];
}

const struct strv *
args_get_all(const struct cmd_args *a, const char *flag)
{
	static const struct strv empty;
	struct flag_value *v = value_of(a, flag);

	return v != NULL && v->set ? &v->values : &empty;
}

long long
args_get_int(const struct cmd_args *a, const char *flag, long long def)
{
	const char *s = args_get(a, flag);
	long long n;

	if (s == NULL || parse_int(s, INT64_MIN, INT64_MAX, &n) != 0)
		return def;
	return n;
}
