/* cmd-import-hosts.c: create ssh contexts from a host inventory. */
#include "common/compat.h"

#include "common/fault.h"
#include "ctxmgr/cmdutil.h"
#include "ctxmgr/intr.h"
#include "ctxmgr/inventory.h"
#include "ctxmgr/output.h"
#include "ctxmgr/progress.h"
#include "ctxmgr/svckick.h"
#include "ctxmgr/tunnelsvc.h"
#include "common/xmalloc.h"

/*
 * What import-hosts records in Metadata.ctxmgr of each context it makes,
 * so that --prune knows which contexts are its own: the inventory (the
 * file's absolute path, or --source), the prefix used, and the endpoint
 * it wrote.  Plain strings, like every other setting, so listings read
 * back as inventories.
 */
#define REC_SOURCE "importSource"
#define REC_PREFIX "importPrefix"
#define REC_HOST "importHost"

static const struct cmd_flag import_hosts_flags[] = {
	{ "dry-run", 'n', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "show what would be created, updated or removed; write "
	    "nothing" },
	{ "prefix", 'p', FLAG_STRING, COMPLETE_NONE, "P",
	    "put P before every context name (\"prod-\")" },
	{ "update", 'u', FLAG_BOOL, COMPLETE_NONE, NULL,
	    "change contexts that exist already (they are left alone "
	    "otherwise)" },
	{ "ssh-config", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "FILE is an ssh_config (default ~/.ssh/config): one context "
	    "per Host alias" },
	{ "prune", 0, FLAG_BOOL, COMPLETE_NONE, NULL,
	    "remove contexts an earlier import of this inventory made that "
	    "are no longer in it" },
	{ "source", 0, FLAG_STRING, COMPLETE_NONE, "NAME",
	    "the inventory's name for --prune (default: the file's "
	    "absolute path; needed with \"-\")" },
	IMPORT_ALLOW_INSECURE_FLAG, { 0 }
};

enum action {
	ACT_CREATE,
	ACT_UPDATE,
	ACT_UNCHANGED,
	ACT_EXISTS,
	ACT_NOT_DONE,
	ACT_REMOVE,
	ACT_KEEP,
	ACT_COUNT
};
static const char *const action_names[2][ACT_COUNT] = {
	{ "created", "updated", "unchanged", "exists", "not done", "removed",
	    "kept" },
	{ "create", "update", "unchanged", "exists", "not done", "remove",
	    "keep" }, /* --dry-run */
};

/* Which earlier imports are this one: same source, same prefix. */
struct import_src {
	char *source; /* NULL: nothing recorded (stdin without --source) */
	const char *prefix; /* "" when none */
	int listing; /* a listing read back: it carries its own records */
};

struct plan {
	struct inv_host *h; /* NULL for a context that left the inventory */
	const char *name, *endpoint;
	const struct strv *tags;
	enum action act;
	const char *why; /* ACT_KEEP: why it stays */
	int refused; /* ACT_KEEP: as rm without -f would (exit status 1) */
	struct context *old; /* the stored context, for updates and removals */
	struct context *want; /* what will be written */
	int rewrite; /* ACT_UNCHANGED, but the import record moves here */
	struct strv rtags; /* a removal: the stored context's tags */
};

/* Apply an inventory entry to a context (new or loaded). */
static void
apply_host(struct context *c, const struct inv_host *h, int replace)
{
	const char *key;
	json_t *v, *settings, *tags;
	size_t i;

	free(c->host);
	c->host = xstrdup(h->endpoint);
	c->has_docker = 1;
	if (replace || h->skip_tls_verify)
		c->skip_tls_verify = h->skip_tls_verify;
	if (h->description != NULL) {
		free(c->description);
		c->description = xstrdup(h->description);
	}
	if (h->identity != NULL)
		context_set_setting(c, SETTING_IDENTITY, h->identity);
	json_object_foreach(h->settings, key, v)
	    context_set_setting(c, key, json_string_value(v));
	if (h->tags.n > 0) {
		settings = json_object_get(c->metadata, STORE_SETTINGS_KEY);
		if (!json_is_object(settings)) {
			settings = json_object();
			json_object_set_new(
			    c->metadata, STORE_SETTINGS_KEY, settings);
		}
		tags = json_array();
		for (i = 0; i < h->tags.n; i++)
			json_array_append_new(tags, json_string(h->tags.v[i]));
		json_object_set_new(settings, "tags", tags);
	}
}

/* Write (or, with src->source NULL, drop) the import record of `c`. */
static void
set_record(struct context *c, const struct import_src *src, const char *host)
{
	int on = src->source != NULL;

	context_set_setting(c, REC_SOURCE, on ? src->source : NULL);
	context_set_setting(
	    c, REC_PREFIX, on && src->prefix[0] != '\0' ? src->prefix : NULL);
	context_set_setting(c, REC_HOST, on ? host : NULL);
}

/* Put back the record `old` had (a listing read back may carry one). */
static void
keep_record(struct context *c, const struct context *old)
{
	static const char *const keys[] = { REC_SOURCE, REC_PREFIX, REC_HOST };
	size_t i;

	for (i = 0; i < nitems(keys); i++)
		context_set_setting(c, keys[i],
		    old != NULL ? context_setting(old, keys[i]) : NULL);
}

/* The endpoint a user sees for `c`: its ssh:// URL when tunnelled. */
static const char *
shown_host(const struct context *c)
{
	const char *u = svc_context_ssh_url(c);

	return u != NULL ? u : c->host != NULL ? c->host : "";
}

/* Drop what the inventory may not set without --allow-insecure. */
static void
guard_host(struct cmd_ctx *ctx, struct inv_host *h, int allow)
{
	struct import_guard g = { 0 };
	json_t *hk = json_object_get(h->settings, SETTING_HOST_KEY_CHECK);

	g.name = h->name;
	g.source = "the inventory";
	g.skip_tls_verify = h->skip_tls_verify;
	g.host_key_check = json_string_value(hk);
	g.identity = h->identity;
	if (cmd_import_guard(ctx, &g, allow) == 0 || allow)
		return;
	h->skip_tls_verify = g.skip_tls_verify;
	if (hk != NULL)
		json_object_set_new(
		    h->settings, SETTING_HOST_KEY_CHECK, json_string("yes"));
	if (g.identity == NULL) {
		free(h->identity);
		h->identity = NULL;
	}
}

static int
same_meta(const struct context *a, const struct context *b)
{
	struct buf x, y;
	int same;

	buf_init(&x, 0);
	buf_init(&y, 0);
	same = context_encode_meta(a, &x) == 0 &&
	    context_encode_meta(b, &y) == 0 && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0;
	buf_release(&x);
	buf_release(&y);
	return same;
}

/*
 * Plan the inventory's hosts.  A new context gets the import record; an
 * updated one gets it only when it had one (it was imported, perhaps
 * from another inventory, which this one now takes over): a context
 * made by hand is updated but never claimed, so --prune never removes
 * it.
 */
static int
make_plan(struct cmd_ctx *ctx, struct store *st, struct inventory *inv,
    int update, const struct import_src *src, struct plan *plan)
{
	size_t i;
	int r;

	for (i = 0; i < inv->n; i++) {
		struct plan *p = &plan[i];
		p->h = &inv->hosts[i];
		p->name = p->h->name;
		p->endpoint = p->h->endpoint;
		p->tags = &p->h->tags;
		if (!store_exists(st, p->h->name)) {
			p->act = ACT_CREATE;
			p->want = context_new(p->h->name);
			apply_host(p->want, p->h, 1);
			if (!src->listing)
				set_record(p->want, src, p->h->endpoint);
			continue;
		}
		if (!update) {
			p->act = ACT_EXISTS;
			continue;
		}
		if ((r = store_load(st, p->h->name, &p->old, &ctx->err)) != 0)
			return r;
		if ((r = store_load(st, p->h->name, &p->want, &ctx->err)) != 0)
			return r;
		apply_host(p->want, p->h, 0);
		if (src->listing) {
			p->act = same_meta(p->old, p->want) ? ACT_UNCHANGED
							    : ACT_UPDATE;
			continue;
		}
		keep_record(p->want, p->old);
		p->act =
		    same_meta(p->old, p->want) ? ACT_UNCHANGED : ACT_UPDATE;
		/* what Docker sees is what counts as a change; a record
		 * that moves to this inventory is written all the same */
		if (src->source != NULL &&
		    context_setting(p->old, REC_SOURCE) != NULL) {
			set_record(p->want, src, p->h->endpoint);
			if (p->act == ACT_UNCHANGED &&
			    !same_meta(p->old, p->want))
				p->rewrite = 1;
		}
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 if stored context `c` was made by an import of `src`. */
static int
imported_from(const struct context *c, const struct import_src *src)
{
	const char *s = context_setting(c, REC_SOURCE);
	const char *pfx = context_setting(c, REC_PREFIX);

	return s != NULL && strcmp(s, src->source) == 0 &&
	    strcmp(pfx != NULL ? pfx : "", src->prefix) == 0;
}

/*
 * --prune: append to the plan every stored context that an import of the
 * same source and prefix made and that is no longer in the inventory.
 * One whose endpoint changed since (update, docker context update) is
 * kept, as is the current context (as rm keeps it without -f); both
 * are reported.  Returns the number of rows added in *addedp.
 */
static int
plan_prune(struct cmd_ctx *ctx, struct store *st, struct inventory *inv,
    const struct import_src *src, struct plan **planp, size_t *addedp)
{
	struct plan *plan;
	struct context **list = NULL, *c;
	const char **names, *rec, *key;
	struct cm_err e2;
	char *cur = NULL;
	json_t *tags, *t;
	size_t i, n = 0, k = 0, ti;
	int r;

	*addedp = 0;
	names = xcalloc(inv->n + 1, sizeof(*names));
	for (i = 0; i < inv->n; i++)
		names[i] = inv->hosts[i].name;
	qsort(names, inv->n, sizeof(*names), cmp_str);
	if ((r = store_get_current(st, &cur, &ctx->err)) != 0 ||
	    (r = store_list(st, &list, &n, &ctx->err)) != 0)
		goto out;
	plan = *planp = xreallocarray(*planp, inv->n + n + 1, sizeof(*plan));
	memset(plan + inv->n, 0, (n + 1) * sizeof(*plan));
	for (i = 0; i < n; i++) {
		key = list[i]->name;
		if (list[i]->is_default || list[i]->error != NULL ||
		    bsearch(&key, names, inv->n, sizeof(*names), cmp_str) !=
			NULL)
			continue;
		/* one that cannot be read (gone meanwhile, broken) stays */
		err_init(&e2);
		if (store_load(st, list[i]->name, &c, &e2) != 0)
			continue;
		if (!imported_from(c, src)) {
			context_free(c);
			continue;
		}
		struct plan *p = &plan[inv->n + k++];
		p->old = c;
		p->name = c->name;
		p->endpoint = shown_host(c);
		p->tags = &p->rtags;
		tags = json_object_get(
		    json_object_get(c->metadata, STORE_SETTINGS_KEY), "tags");
		json_array_foreach(tags, ti, t)
		{
			if (json_is_string(t))
				strv_push(&p->rtags, json_string_value(t));
		}
		rec = context_setting(c, REC_HOST);
		if (cur != NULL && strcmp(cur, c->name) == 0) {
			p->act = ACT_KEEP;
			p->refused = 1;
			p->why = "it is the current context (\"ctxmgr rm -f\" "
				 "removes it and switches to default)";
		} else if (rec == NULL || strcmp(rec, shown_host(c)) != 0) {
			p->act = ACT_KEEP;
			p->why =
			    "its endpoint was changed since it was imported";
		} else
			p->act = ACT_REMOVE;
	}
	*addedp = k;
out:
	context_list_free(list, n);
	free(names);
	free(cur);
	return r;
}

/* 1 if the store holds exactly what the plan wrote for `p`. */
static int
written(struct store *st, const struct plan *p)
{
	struct context *c = NULL;
	struct cm_err e2;
	int same;

	if (!store_exists(st, p->name) || store_load(st, p->name, &c, &e2))
		return 0;
	same = same_meta(c, p->want);
	context_free(c);
	return same;
}

/*
 * Write the plan; on a failure, put back what was written.  Writes are
 * batched (store_batch_begin: two syncs per STORE_BATCH_MAX contexts
 * rather than two per context).  Removals (--prune) come last, once
 * every write is committed; one that fails is reported and the others
 * go on (*failedp = 1).  SIGINT, SIGTERM or SIGHUP (intr_catch) stop it
 * between two contexts: what was staged is committed and stays, the
 * rest is marked not done (the same command run again finishes it, as
 * it does after a kill, which loses the batch at hand).
 */
static int
run_plan(struct cmd_ctx *ctx, struct store *st, struct plan *plan, size_t n,
    int *failedp)
{
	struct cm_err e2;
	struct progress pg;
	size_t i, done;
	int r = 0;

	progress_init(&pg, ctx, "importing", n);
	store_batch_begin(st);
	for (done = 0; done < n && r == 0; done++) {
		struct plan *p = &plan[done];
		if (intr_caught() != 0) {
			if ((r = store_batch_commit(st, &ctx->err)) != 0)
				break;
			for (i = done; i < n; i++)
				if (plan[i].act == ACT_CREATE ||
				    plan[i].act == ACT_UPDATE ||
				    plan[i].act == ACT_REMOVE)
					plan[i].act = ACT_NOT_DONE;
			store_batch_end(st);
			progress_end(&pg);
			return 0;
		}
		progress_item(&pg, p->name);
		if (p->act == ACT_REMOVE) {
			if (st->batch) {
				if ((r = store_batch_commit(st, &ctx->err)) !=
				    0)
					break;
				store_batch_end(st);
			}
			err_init(&e2);
			if (store_remove(st, p->name, &e2) != 0) {
				cmd_print_error(ctx->errout, e2.msg);
				p->act = ACT_NOT_DONE;
				*failedp = 1;
			} else
				(void)fault_point("prune-remove", NULL);
			progress_done_one(&pg);
			continue;
		}
		if (p->act == ACT_CREATE)
			r = store_save(st, p->want, STORE_CREATE, &ctx->err);
		else if (p->act == ACT_UPDATE || p->rewrite)
			r = store_save(st, p->want, 0, &ctx->err);
		if (r == 0 && (p->act == ACT_CREATE || p->act == ACT_UPDATE))
			(void)fault_point("import-host", NULL);
		progress_done_one(&pg);
	}
	if (r == 0)
		r = store_batch_commit(st, &ctx->err);
	store_batch_end(st);
	progress_end(&pg);
	if (r == 0)
		return 0;
	/* only what is ours: another writer's context of a name stays */
	for (i = 0; i < done; i++) {
		if (plan[i].act == ACT_CREATE && written(st, &plan[i]))
			(void)store_remove(st, plan[i].name, &e2);
		else if ((plan[i].act == ACT_UPDATE || plan[i].rewrite) &&
		    written(st, &plan[i]))
			(void)store_save(st, plan[i].old, 0, &e2);
	}
	return err_prefix(&ctx->err, "nothing imported");
}

static void
print_plan(struct cmd_ctx *ctx, struct plan *plan, size_t n, int dry)
{
	static const char *const headers[] = { "NAME", "DOCKER ENDPOINT",
		"ACTION", "TAGS" };
	struct table *t;
	struct buf tags;
	json_t *arr, *o, *ta;
	size_t i, j;

	if (ctx->format != FMT_TABLE) {
		arr = json_array();
		for (i = 0; i < n; i++) {
			o = json_object();
			json_object_set_new(
			    o, "Name", json_string(plan[i].name));
			json_object_set_new(
			    o, "DockerEndpoint", json_string(plan[i].endpoint));
			json_object_set_new(o, "Action",
			    json_string(action_names[dry][plan[i].act]));
			ta = json_array();
			for (j = 0; j < plan[i].tags->n; j++)
				json_array_append_new(
				    ta, json_string(plan[i].tags->v[j]));
			json_object_set_new(o, "Tags", ta);
			if (plan[i].why != NULL)
				json_object_set_new(
				    o, "Reason", json_string(plan[i].why));
			json_array_append_new(arr, o);
		}
		(void)output_value(ctx, arr);
		json_decref(arr);
		return;
	}
	if (ctx->quiet) {
		for (i = 0; i < n; i++)
			if (plan[i].act == ACT_CREATE ||
			    plan[i].act == ACT_UPDATE ||
			    plan[i].act == ACT_REMOVE)
				fprintf(ctx->out, "%s\n", plan[i].name);
		return;
	}
	t = table_new(4, headers);
	buf_init(&tags, 0);
	for (i = 0; i < n; i++) {
		const char *cells[4];
		buf_reset(&tags);
		for (j = 0; j < plan[i].tags->n; j++)
			buf_printf(
			    &tags, "%s%s", j ? "," : "", plan[i].tags->v[j]);
		cells[0] = plan[i].name;
		cells[1] = plan[i].endpoint;
		cells[2] = action_names[dry][plan[i].act];
		cells[3] = tags.data;
		table_add(t, cells);
		if (plan[i].act == ACT_EXISTS || plan[i].act == ACT_NOT_DONE ||
		    plan[i].act == ACT_KEEP)
			table_color_last(t, C_YELLOW);
		else if (plan[i].act == ACT_REMOVE)
			table_color_last(t, C_RED);
		else if (plan[i].act != ACT_UNCHANGED)
			table_color_last(t, C_GREEN);
	}
	buf_release(&tags);
	table_print(ctx, t);
}

/*
 * `file` as an absolute path, cleaned lexically (no ".", "..", "//"),
 * symbolic links not followed: the inventory is the one at this path, so
 * a link moved to a new version of the file is still the same inventory.
 */
static char *
source_path(const char *file)
{
	char *cwd = NULL, *full, *out, *end;
	const char *seg, *next;
	size_t len, n;

	if (file[0] != '/' && (cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	full = cwd != NULL ? xasprintf("%s/%s", cwd, file) : xstrdup(file);
	out = xcalloc(strlen(full) + 2, 1);
	len = 0;
	for (seg = full; *seg != '\0'; seg = next) {
		while (*seg == '/')
			seg++;
		next = strchr(seg, '/');
		if (next == NULL)
			next = seg + strlen(seg);
		n = (size_t)(next - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if ((end = strrchr(out, '/')) != NULL)
				*end = '\0';
			len = strlen(out);
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, seg, n);
		len += n;
		out[len] = '\0';
	}
	if (len == 0)
		out[0] = '/';
	free(full);
	free(cwd);
	return out;
}

/* The import's source: --source, the file's absolute path, or none. */
static int
find_source(struct cmd_ctx *ctx, struct cmd_args *a, const char *file,
    int prune, struct import_src *src)
{
	const char *given = args_get(a, "source");
	const char *p;

	if (given != NULL) {
		for (p = given; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				break;
		if (*given == '\0' || *p != '\0')
			return err_set(&ctx->err, ERR_USAGE,
			    "--source must be a name of printable characters");
		src->source = xstrdup(given);
	} else if (strcmp(file, "-") != 0) {
		if ((src->source = source_path(file)) == NULL)
			return err_set(&ctx->err, ERR_IO,
			    "cannot find the current directory: %s",
			    strerror(errno));
	} else if (prune)
		return err_set(&ctx->err, ERR_USAGE,
		    "--prune with standard input needs --source NAME (the "
		    "same at every import) to know which contexts are its "
		    "own");
	return 0;
}

static int
cmd_import_hosts_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *file = a->argc > 0 ? a->argv[0] : NULL;
	const char *prefix = args_get(a, "prefix");
	int dry = args_has(a, "dry-run"), update = args_has(a, "update");
	int sshcfg = args_has(a, "ssh-config"), prune = args_has(a, "prune");
	char *deffile = NULL;
	struct inventory inv;
	struct import_src src = { NULL, prefix != NULL ? prefix : "" };
	struct plan *plan = NULL;
	struct store st;
	struct buf data;
	size_t i, n = 0, nrm = 0, count[ACT_COUNT] = { 0 };
	struct intr in;
	int r, locked = 0, sig, failed = 0, removed = 0;
	char rmtext[64] = "";

	memset(&inv, 0, sizeof(inv));
	cmd_store_open(ctx, &st);
	buf_init(&data, INVENTORY_MAX_BYTES);
	if (file == NULL && sshcfg) {
		const char *home = getenv("HOME");
		file = deffile = xasprintf("%s/.ssh/config", home ? home : "");
	} else if (file == NULL) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "import-hosts needs a FILE (or --ssh-config)");
		goto out;
	}
	if ((r = find_source(ctx, a, file, prune, &src)) != 0)
		goto out;
	if ((r = cmd_read_input(ctx, file, INVENTORY_MAX_BYTES, 0, &data)) != 0)
		goto out;
	if (sshcfg)
		r = inventory_from_ssh_config(data.data, data.len,
		    strcmp(file, "-") == 0 ? "standard input" : file, prefix,
		    &inv, &ctx->err);
	else
		r = inventory_parse(data.data, data.len,
		    strcmp(file, "-") == 0 ? "standard input" : file, prefix,
		    &inv, &ctx->err);
	if (r != 0)
		goto out;
	src.listing = inv.format == INV_LISTING;
	if (prune && src.listing) {
		r = err_set(&ctx->err, ERR_USAGE,
		    "--prune does not apply to a listing read back (its "
		    "contexts keep the import records they had)");
		goto out;
	}
	if (prune && inv.n == 0) {
		r = err_set(&ctx->err, ERR_INVALID,
		    "%s: every host was skipped: --prune would remove every "
		    "context imported from it; refused (\"ctxmgr rm\" "
		    "removes contexts)",
		    strcmp(file, "-") == 0 ? "standard input" : file);
		goto out;
	}
	for (i = 0; i < inv.notes.n; i++)
		if (!ctx->quiet)
			fprintf(ctx->errout, "note: %s\n", inv.notes.v[i]);
	for (i = 0; i < inv.n; i++)
		guard_host(ctx, &inv.hosts[i], args_has(a, "allow-insecure"));
	if (!dry) {
		if ((r = store_lock(&st, &ctx->err)) != 0)
			goto out;
		locked = 1;
	}
	plan = xcalloc(inv.n + 1, sizeof(*plan));
	n = inv.n;
	if ((r = make_plan(ctx, &st, &inv, update, &src, plan)) != 0)
		goto out;
	if (prune) {
		if ((r = plan_prune(ctx, &st, &inv, &src, &plan, &nrm)) != 0)
			goto out;
		n += nrm;
	}
	if (!dry) {
		intr_catch(&in);
		r = run_plan(ctx, &st, plan, n, &failed);
		intr_restore(&in);
		if (r != 0)
			goto out;
	}
	print_plan(ctx, plan, n, dry);
	for (i = 0; i < n; i++)
		count[plan[i].act]++;
	removed = !dry && count[ACT_REMOVE] > 0;
	for (i = inv.n; i < n; i++)
		if (plan[i].act == ACT_KEEP && !ctx->quiet)
			fprintf(ctx->errout,
			    "note: \"%s\" is no longer in the inventory but "
			    "is kept: %s\n",
			    plan[i].name, plan[i].why);
	if (prune)
		snprintf(rmtext, sizeof(rmtext), ", %s %zu",
		    dry ? "would remove" : "removed", count[ACT_REMOVE]);
	if (prune && count[ACT_KEEP] > 0)
		snprintf(rmtext + strlen(rmtext),
		    sizeof(rmtext) - strlen(rmtext), ", kept %zu",
		    count[ACT_KEEP]);
	if ((sig = intr_caught()) != 0) {
		fprintf(ctx->errout,
		    "ctxmgr: interrupted by SIG%s: created %zu, updated %zu%s; "
		    "%zu not done (run the same command again to finish)\n",
		    sig == SIGINT        ? "INT"
			: sig == SIGTERM ? "TERM"
					 : "HUP",
		    count[ACT_CREATE], count[ACT_UPDATE], rmtext,
		    count[ACT_NOT_DONE]);
		r = 128 + sig;
		goto out;
	}
	if (!ctx->quiet)
		fprintf(ctx->errout,
		    "%s %zu, %s %zu%s, unchanged %zu, left alone %zu%s (%s "
		    "inventory)%s\n",
		    dry ? "would create" : "created", count[ACT_CREATE],
		    dry ? "would update" : "updated", count[ACT_UPDATE], rmtext,
		    count[ACT_UNCHANGED], count[ACT_EXISTS],
		    count[ACT_EXISTS] ? " (they exist; --update changes them)"
				      : "",
		    inventory_format_name(inv.format),
		    dry ? "; dry run, nothing written" : "");
	/* as rm: a context it could not remove (the current one, a
	 * failure) makes the exit status 1 */
	for (i = inv.n; i < n; i++)
		failed |= plan[i].refused;
	r = failed ? 1 : 0;
out:
	for (i = 0; plan != NULL && i < n; i++) {
		context_free(plan[i].old);
		context_free(plan[i].want);
		strv_free(&plan[i].rtags);
	}
	free(plan);
	if (locked)
		store_unlock(&st);
	if (removed)
		cmd_svc_reload(ctx); /* a removed tunnelled context's socket */
	inventory_release(&inv);
	buf_release(&data);
	store_release(&st);
	free(deffile);
	free(src.source);
	return r;
}

const struct cmd_entry cmd_import_hosts_entry = {
	.name = "import-hosts",
	.usage = "FILE [--dry-run] [--prefix P] [--update] [--prune] [--source "
		 "NAME] [--allow-insecure] | --ssh-config [FILE]",
	.summary = "create ssh contexts from a host inventory",
	.help =
	    "FILE (\"-\" for stdin) is ctxmgr's own inventory, a listing "
	    "printed by\n\"ctxmgr ls --format yaml\" or \"ctxmgr inspect "
	    "--format yaml\", an Ansible inventory\n(YAML or INI), or the "
	    "JSON of \"ansible-inventory --list\", so any dynamic\n"
	    "inventory works through Ansible itself:\n\n"
	    "  ansible-inventory -i aws_ec2.yml --list | ctxmgr import-hosts "
	    "-\n\n"
	    "With --ssh-config, FILE (default ~/.ssh/config) is an "
	    "ssh_config: each Host\nalias without wildcards becomes "
	    "ssh://ALIAS.  ctxmgr's format:\n\n"
	    "  defaults:                  # optional, for every host\n"
	    "    user: deploy\n"
	    "  hosts:\n"
	    "    - name: prod\n"
	    "      host: prod.example.com # or ssh://user@host:port\n"
	    "      port: 2222\n"
	    "      identity: ~/.ssh/id_ed25519\n"
	    "      description: production\n"
	    "      tags: [eu, web]\n\n"
	    "(a plain list of hosts works too).  From Ansible: the "
	    "inventory host name is\nthe context name; ansible_host, "
	    "ansible_user, ansible_port and\nansible_ssh_private_key_file "
	    "are used, group vars inherited; the host's\ngroups become its "
	    "tags.  Hosts with another ansible_connection are skipped.\n\n"
	    "The whole file is checked first: any error (with its line and "
	    "column) and\nnothing is created.  Existing contexts are "
	    "reported and left alone unless\n--update is given.  Settings "
	    "that lower host-key or TLS checking\n(SkipTLSVerify, "
	    "strictHostKeyChecking no or accept-new, an identity file\n"
	    "outside ~/.ssh) are dropped unless --allow-insecure is "
	    "given.  Ctrl-C\n(or SIGTERM) stops between two contexts, keeps "
	    "what was written and lists\nthe rest as \"not done\"; run the "
	    "same command again to finish (also\nafter a kill).\n\n"
	    "Each context it makes records the inventory in its "
	    "Metadata.ctxmgr\n(importSource: the file's absolute path or "
	    "--source NAME; importPrefix;\nimportHost: the endpoint "
	    "written).  --prune then removes the contexts an\nimport of "
	    "the same source and prefix made that are no longer in "
	    "the\ninventory, and only those: never a context made by "
	    "hand, by docker or by\nanother inventory, nor one whose "
	    "endpoint was changed since (kept, with\na note).  --update "
	    "moves an imported context to this inventory but\nnever "
	    "claims one made by hand.  The current context is kept, "
	    "as rm keeps\nit without -f (exit status 1).  An inventory "
	    "with an error, or whose hosts\nwere all skipped, removes "
	    "nothing.  From standard input, --prune needs\n--source.  A "
	    "listing read back keeps the records its contexts had.",
	.flags = import_hosts_flags,
	.args = { 0, 1, COMPLETE_FILE, NULL },
	.exec = cmd_import_hosts_exec,
};
