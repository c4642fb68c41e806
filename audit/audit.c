/*
 * audit.c: gathering -- the Engine API in two rounds of concurrent
 * requests, the fact script and the probes in a second thread -- and the
 * audits built on it (see audit.h).
 */
#include "common/compat.h"

#include <pthread.h>
#include <unistd.h>

#include "audit/audit-int.h"
#include "audit/jget.h"
#include "common/log.h"
#include "audit/seccomp.h"
#include "common/xmalloc.h"

#define DEFAULT_PROBE_TIMEOUT_MS 2000

/* ---- Engine API ---- */

/* The daemon's own error text from a JSON answer, made printable. */
static void
daemon_message(const struct http_req *q, char *out, size_t len)
{
	json_t *root = json_loadb(q->body.data, q->body.len, 0, NULL);
	const char *m = NULL;
	size_t i = 0;

	*out = '\0';
	if (root != NULL && jget_str(root, "message", &m) == 1)
		for (; *m != '\0' && i + 1 < len && i < 200; m++)
			if ((unsigned char)*m >= 0x20 && *m != 0x7f)
				out[i++] = *m;
	if (i > 0)
		out[i] = '\0';
	json_decref(root);
}

/*
 * A request's answer as JSON of the wanted type (JSON_OBJECT or
 * JSON_ARRAY), or NULL with `err` filled.  `*status` gets the HTTP status.
 */
static json_t *
decode(const struct http_req *q, json_type want, char *err, size_t len)
{
	json_error_t je;
	json_t *v;
	char msg[256];

	if (q->rc != 0) {
		if (str_has_prefix(q->err.msg, "GET "))
			snprintf(err, len, "%s", q->err.msg);
		else
			snprintf(err, len, "GET %s: %s", q->path, q->err.msg);
		return NULL;
	}
	if (q->status != 200) {
		daemon_message(q, msg, sizeof(msg));
		snprintf(err, len, "GET %s: HTTP %d%s%s", q->path, q->status,
		    *msg ? ": " : "", msg);
		return NULL;
	}
	if ((v = json_loadb(q->body.data, q->body.len, 0, &je)) == NULL) {
		snprintf(err, len,
		    "GET %s: malformed JSON at line %d column "
		    "%d: %s",
		    q->path, je.line, je.column, je.text);
		return NULL;
	}
	if (json_typeof(v) != want) {
		snprintf(err, len, "GET %s: expected a JSON %s", q->path,
		    want == JSON_ARRAY ? "array" : "object");
		json_decref(v);
		return NULL;
	}
	return v;
}

/* A path with an id from the daemon, percent-encoded. */
static char *
object_path(const char *prefix, const char *id, const char *suffix)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_adds(&b, prefix);
	http_path_escape(&b, id);
	buf_adds(&b, suffix);
	return buf_detach(&b, NULL);
}

/* Ids come from the daemon: refuse anything that is not a plain name. */
static int
id_ok(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n <= 128 &&
	    strspn(id,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		":_.-") == n;
}

/* Requests go out in slices, so memory stays flat on large hosts. */
#define ROUND2_SLICE 256

enum job_kind { JOB_CONTAINER, JOB_IMAGE, JOB_HISTORY };

struct job {
	enum job_kind kind;
	size_t index; /* into the container or image list */
	char *path;
};

/* A container's inspect: judged at once, then dropped. */
static void
container_answer(struct audit_ctx *a, struct http_req *q)
{
	char msg[512];
	json_t *c;

	/* removed since it was listed: nothing to judge */
	if (q->rc == 0 && q->status == 404)
		return;
	if ((c = decode(q, JSON_OBJECT, msg, sizeof(msg))) == NULL) {
		check_container_error(a, msg);
		return;
	}
	check_container(a, c);
	a->api.inspected++;
	json_decref(c);
}

static void
image_answer(struct audit_ctx *a, const struct job *j, struct http_req *q)
{
	struct api_data *d = &a->api;
	json_t **slot =
	    j->kind == JOB_IMAGE ? &d->iins[j->index] : &d->ihist[j->index];
	char msg[512];

	if (q->rc == 0 && q->status == 404) {
		d->igone[j->index] = 1;
		return;
	}
	*slot = decode(q, j->kind == JOB_IMAGE ? JSON_OBJECT : JSON_ARRAY, msg,
	    sizeof(msg));
	if (*slot == NULL && d->ierr[j->index] == NULL)
		d->ierr[j->index] = xstrdup(msg);
}

static void
api_round2(struct audit_ctx *a)
{
	struct api_data *d = &a->api;
	struct http_req *q;
	struct job *jobs;
	const char *id;
	json_t *e;
	size_t i, n = 0, start, end;
	struct cm_err err;

	d->nc = d->containers ? json_array_size(d->containers) : 0;
	d->ni = d->images ? json_array_size(d->images) : 0;
	d->iins = xcalloc(d->ni + 1, sizeof(*d->iins));
	d->ihist = xcalloc(d->ni + 1, sizeof(*d->ihist));
	d->ierr = xcalloc(d->ni + 1, sizeof(*d->ierr));
	d->igone = xcalloc(d->ni + 1, 1);
	jobs = xcalloc(d->nc + 2 * d->ni + 1, sizeof(*jobs));
	/* images first: they are few and kept for the image checks */
	for (i = 0; i < d->ni; i++) {
		e = json_array_get(d->images, i);
		if (jget_str(e, "Id", &id) != 1 || !id_ok(id)) {
			d->ierr[i] = xstrdup(
			    "GET /images/json: an entry has no valid Id");
			continue;
		}
		jobs[n++] = (struct job){ JOB_IMAGE, i,
			object_path("/images/", id, "/json") };
		jobs[n++] = (struct job){ JOB_HISTORY, i,
			object_path("/images/", id, "/history") };
	}
	for (i = 0; i < d->nc; i++) {
		e = json_array_get(d->containers, i);
		if (jget_str(e, "Id", &id) != 1 || !id_ok(id)) {
			check_container_error(a,
			    "GET /containers/json: an entry has no valid Id");
			continue;
		}
		jobs[n++] = (struct job){ JOB_CONTAINER, i,
			object_path("/containers/", id, "/json") };
	}
	q = xcalloc(ROUND2_SLICE, sizeof(*q));
	for (start = 0; start < n; start = end) {
		end = start + ROUND2_SLICE < n ? start + ROUND2_SLICE : n;
		for (i = start; i < end; i++)
			http_req_init(&q[i - start], jobs[i].path);
		err_init(&err);
		if (http_run(&a->t->api, q, end - start, &err) != 0)
			for (i = start; i < end; i++) {
				q[i - start].rc = err.code;
				q[i - start].err = err;
			}
		for (i = start; i < end; i++) {
			if (jobs[i].kind == JOB_CONTAINER)
				container_answer(a, &q[i - start]);
			else
				image_answer(a, &jobs[i], &q[i - start]);
			http_req_release(&q[i - start]);
		}
	}
	for (i = 0; i < n; i++)
		free(jobs[i].path);
	free(jobs);
	free(q);
}

static void
gather_api(struct audit_ctx *a)
{
	static const char *const paths[] = { "/_ping", "/version", "/info",
		"/containers/json?all=1", "/images/json", "/networks/bridge" };
	struct api_data *d = &a->api;
	struct http_req q[nitems(paths)];
	struct cm_err err;
	size_t i;

	for (i = 0; i < nitems(paths); i++)
		http_req_init(&q[i], paths[i]);
	err_init(&err);
	if (http_run(&a->t->api, q, nitems(paths), &err) != 0) {
		snprintf(d->err, sizeof(d->err), "%s", err.msg);
		goto out;
	}
	if (q[0].rc != 0 || q[0].status != 200 ||
	    http_req_header(&q[0], "Api-Version") == NULL) {
		if (q[0].rc != 0)
			snprintf(d->err, sizeof(d->err), "%s", q[0].err.msg);
		else
			snprintf(d->err, sizeof(d->err),
			    "GET /_ping: HTTP %d without an Api-Version "
			    "header: not a Docker daemon",
			    q[0].status);
		goto out;
	}
	d->reached = 1;
	d->version =
	    decode(&q[1], JSON_OBJECT, d->version_err, sizeof(d->version_err));
	d->info = decode(&q[2], JSON_OBJECT, d->info_err, sizeof(d->info_err));
	d->containers = decode(
	    &q[3], JSON_ARRAY, d->containers_err, sizeof(d->containers_err));
	d->images =
	    decode(&q[4], JSON_ARRAY, d->images_err, sizeof(d->images_err));
	if (q[5].rc == 0 && q[5].status == 404)
		d->bridge_absent = 1;
	else
		d->bridge = decode(
		    &q[5], JSON_OBJECT, d->bridge_err, sizeof(d->bridge_err));
	api_round2(a);
out:
	for (i = 0; i < nitems(paths); i++)
		http_req_release(&q[i]);
}

static void
api_data_free(struct api_data *d)
{
	size_t i;

	json_decref(d->version);
	json_decref(d->info);
	json_decref(d->containers);
	json_decref(d->images);
	json_decref(d->bridge);
	for (i = 0; i < d->ni; i++) {
		json_decref(d->iins[i]);
		json_decref(d->ihist[i]);
		free(d->ierr[i]);
	}
	free(d->igone);
	free(d->iins);
	free(d->ihist);
	free(d->ierr);
}

/* ---- host facts and probes (in their own thread) ---- */

static void
gather_host(struct audit_ctx *a)
{
	const struct audit_target *t = a->t;
	struct host_data *h = &a->host;
	struct cm_err err;
	struct buf out;

	if (t->run_facts == NULL) {
		snprintf(h->err, sizeof(h->err), "%s",
		    t->no_facts ? t->no_facts : "no shell access to the host");
		return;
	}
	err_init(&err);
	buf_init(&out, FACTS_MAX_OUTPUT);
	if (t->run_facts(t->run_arg, facts_script, &out, &err) != 0) {
		snprintf(h->err, sizeof(h->err), "host facts: %s", err.msg);
		buf_release(&out);
		return;
	}
	if (facts_parse(out.data, out.len, &h->hf, &err) != 0) {
		snprintf(h->err, sizeof(h->err), "host facts: %s", err.msg);
		facts_free(&h->hf);
		buf_release(&out);
		return;
	}
	buf_release(&out);
	h->have = 1;
	if (!h->hf.complete)
		snprintf(h->err, sizeof(h->err),
		    "host facts: the script's output is cut short");
	h->d = facts_find_daemon(
	    &h->hf, t->socket_path, t->tcp_port, h->why, sizeof(h->why));
	if (h->d != NULL) {
		daemon_conf_build(&h->hf, h->d, &h->dc);
		h->have_conf = 1;
	}
}

static void
add_probe(struct probe_data *pd, const char *host, int port)
{
	size_t i;

	if (port <= 0 || port > 65535 || pd->n >= PROBE_MAX)
		return;
	for (i = 0; i < pd->n; i++)
		if (pd->p[i].port == port && strcmp(pd->p[i].host, host) == 0)
			return;
	memset(&pd->p[pd->n], 0, sizeof(pd->p[pd->n]));
	snprintf(pd->p[pd->n].host, sizeof(pd->p[pd->n].host), "%s", host);
	pd->p[pd->n].port = port;
	pd->n++;
}

static void
gather_probes(struct audit_ctx *a)
{
	const struct audit_target *t = a->t;
	struct probe_data *pd = &a->probes;
	const char *h;
	size_t i;

	if (t->probe_host == NULL) {
		snprintf(pd->why, sizeof(pd->why), "network probes are off");
		return;
	}
	add_probe(pd, t->probe_host, 2375);
	add_probe(pd, t->probe_host, 2376);
	for (i = 0; i < nitems(t->probe_ports) && t->probe_ports[i]; i++)
		add_probe(pd, t->probe_host, t->probe_ports[i]);
	for (i = 0; a->host.have_conf && i < a->host.dc.nlisten; i++) {
		const struct dlisten *l = &a->host.dc.listen[i];
		h = t->probe_host;
		/* on this machine, reach a listener where it listens */
		if (t->probe_local) {
			if (strcmp(l->addr, "0.0.0.0") == 0)
				h = "127.0.0.1";
			else if (strcmp(l->addr, "::") == 0)
				h = "::1";
			else
				h = l->addr;
		}
		add_probe(pd, h, l->port);
	}
	probe_run(pd->p, pd->n,
	    t->probe_timeout_ms > 0 ? t->probe_timeout_ms
				    : DEFAULT_PROBE_TIMEOUT_MS);
	pd->ran = 1;
}

static void *
host_thread(void *arg)
{
	struct audit_ctx *a = arg;
	uint64_t t0 = now_us(), t1;

	gather_host(a);
	t1 = now_us();
	log_info("audit: host facts in %llu ms%s%s",
	    (unsigned long long)(t1 - t0) / 1000, a->host.have ? "" : ": ",
	    a->host.have ? "" : a->host.err);
	gather_probes(a);
	log_info("audit: %zu probes in %llu ms", a->probes.n,
	    (unsigned long long)(now_us() - t1) / 1000);
	return NULL;
}

/* ---- shared helpers for the checks ---- */

void
checks_source_missing(struct audit_report *r, enum check_group g,
    unsigned source, int is_error, const char *why)
{
	size_t i;

	for (i = 0; i < audit_ncheck; i++) {
		const struct check_def *c = &audit_checks[i];
		if (c->group != g || c->needs != source)
			continue;
		if (is_error)
			report_error(r, c->id, "%s", why);
		else
			report_not_checked(r, c->id, "%s", why);
	}
}

int
info_has_secopt(const json_t *info, const char *prefix)
{
	json_t *opts, *v;
	size_t i;

	if (jget_array(info, "SecurityOptions", &opts) != 1)
		return 0;
	json_array_foreach(opts, i, v) if (json_is_string(v) &&
	    str_has_prefix(json_string_value(v), prefix)) return 1;
	return 0;
}

void
container_name(const json_t *c, char *out, size_t len)
{
	const char *n = NULL, *id = NULL;

	if (jget_str(c, "Name", &n) == 1 && *n != '\0')
		snprintf(out, len, "%s", n[0] == '/' ? n + 1 : n);
	else if (jget_str(c, "Id", &id) == 1)
		snprintf(out, len, "%.12s", id);
	else
		snprintf(out, len, "?");
}

void
image_name(const json_t *entry, const json_t *inspect, char *out, size_t len)
{
	json_t *tags = NULL, *t0;
	const char *id = NULL;

	if ((jget_array(entry, "RepoTags", &tags) == 1 ||
		jget_array(inspect, "RepoTags", &tags) == 1) &&
	    (t0 = json_array_get(tags, 0)) != NULL && json_is_string(t0) &&
	    strcmp(json_string_value(t0), "<none>:<none>") != 0) {
		snprintf(out, len, "%s", json_string_value(t0));
		return;
	}
	if (jget_str(entry, "Id", &id) == 1 ||
	    jget_str(inspect, "Id", &id) == 1)
		snprintf(out, len, "%.19s", id);
	else
		snprintf(out, len, "?");
}

/* The daemon's versions for the report's "daemon" key. */
static json_t *
daemon_json(const struct api_data *d)
{
	static const char *const vkeys[][2] = { { "version", "Version" },
		{ "api_version", "ApiVersion" },
		{ "min_api_version", "MinAPIVersion" }, { "os", "Os" },
		{ "arch", "Arch" }, { "kernel", "KernelVersion" } };
	static const char *const ikeys[][2] = { { "name", "Name" },
		{ "id", "ID" }, { "operating_system", "OperatingSystem" },
		{ "storage_driver", "Driver" },
		{ "logging_driver", "LoggingDriver" } };
	json_t *o, *opts;
	const char *s;
	size_t i;

	if (!d->reached)
		return NULL;
	o = json_object();
	for (i = 0; i < nitems(vkeys); i++)
		if (d->version != NULL &&
		    jget_str(d->version, vkeys[i][1], &s) == 1)
			json_object_set_new(o, vkeys[i][0], json_string(s));
	for (i = 0; i < nitems(ikeys); i++)
		if (d->info != NULL && jget_str(d->info, ikeys[i][1], &s) == 1)
			json_object_set_new(o, ikeys[i][0], json_string(s));
	if (d->info != NULL) {
		json_object_set_new(o, "rootless",
		    json_boolean(info_has_secopt(d->info, "name=rootless")));
		if (jget_array(d->info, "SecurityOptions", &opts) == 1)
			json_object_set(o, "security_options", opts);
	}
	return o;
}

int
audit_daemon(
    const struct audit_target *t, struct audit_report **out, struct cm_err *err)
{
	struct audit_ctx a;
	pthread_t th;
	uint64_t t0 = now_us();
	int threaded, ready;
	enum check_group g;

	memset(&a, 0, sizeof(a));
	a.t = t;
	a.r = report_new("daemon");
	a.r->context = t->context ? xstrdup(t->context) : NULL;
	a.r->endpoint = t->endpoint ? xstrdup(t->endpoint) : NULL;
	a.r->host = t->host ? xstrdup(t->host) : NULL;
	for (g = G_EXPOSURE; g <= G_SECCOMP; g++)
		report_scope_group(a.r, g);

	threaded = pthread_create(&th, NULL, host_thread, &a) == 0;
	if (t->api_ready != NULL &&
	    (ready = t->api_ready(t->api_ready_arg, err)) != 0) {
		if (threaded)
			pthread_join(th, NULL);
		if (a.host.have_conf)
			daemon_conf_free(&a.host.dc);
		if (a.host.have)
			facts_free(&a.host.hf);
		report_free(a.r);
		return ready;
	}
	gather_api(&a);
	log_info("audit: Engine API: %zu containers, %zu images in %llu ms",
	    a.api.nc, a.api.ni, (unsigned long long)(now_us() - t0) / 1000);
	if (threaded)
		pthread_join(th, NULL);
	else
		host_thread(&a);

	if (a.api.reached && a.api.version == NULL)
		report_error(a.r, NULL, "%s", a.api.version_err);
	if (a.host.err[0] != '\0' && a.host.have)
		report_error(a.r, NULL, "%s", a.host.err);
	checks_exposure(&a);
	checks_daemon(&a);
	checks_files(&a);
	checks_images(&a);
	checks_containers(&a);
	checks_sprawl(&a);
	a.r->daemon = daemon_json(&a.api);
	a.r->ncontainers = a.api.nc;
	a.r->nimages = a.api.ni;
	a.r->duration_ms = (now_us() - t0) / 1000;

	api_data_free(&a.api);
	if (a.host.have_conf)
		daemon_conf_free(&a.host.dc);
	if (a.host.have)
		facts_free(&a.host.hf);
	*out = a.r;
	return 0;
}

/* ---- one image ---- */

int
audit_image(const struct audit_target *t, const char *image,
    struct audit_report **out, struct cm_err *err)
{
	struct http_req q[3];
	char *paths[2], msg[512];
	struct audit_report *r;
	json_t *ins = NULL, *hist = NULL, *extra, *layers, *e, *v;
	uint64_t t0 = now_us();
	size_t i;
	int rc = 0;

	paths[0] = object_path("/images/", image, "/json");
	paths[1] = object_path("/images/", image, "/history");
	http_req_init(&q[0], "/_ping");
	http_req_init(&q[1], paths[0]);
	http_req_init(&q[2], paths[1]);
	if ((rc = http_run(&t->api, q, 3, err)) != 0)
		goto out;
	if (q[0].rc != 0) {
		rc = err_set(
		    err, q[0].rc, "cannot reach the daemon: %s", q[0].err.msg);
		goto out;
	}
	if (q[1].rc == 0 && q[1].status == 404) {
		rc =
		    err_set(err, ERR_NOTFOUND, "image \"%s\" not found", image);
		goto out;
	}
	if ((ins = decode(&q[1], JSON_OBJECT, msg, sizeof(msg))) == NULL ||
	    (hist = decode(&q[2], JSON_ARRAY, msg, sizeof(msg))) == NULL) {
		rc = err_set(err, ERR_PROTO, "%s", msg);
		goto out;
	}
	r = report_new("image");
	r->context = t->context ? xstrdup(t->context) : NULL;
	r->endpoint = t->endpoint ? xstrdup(t->endpoint) : NULL;
	r->host = t->host ? xstrdup(t->host) : NULL;
	r->subject = xstrdup(image);
	report_scope_group(r, G_IMAGES);
	check_one_image(r, image, ins, hist);
	r->nimages = 1;

	/* the layers, oldest first, with their flags */
	extra = json_object();
	layers = json_array();
	for (i = json_array_size(hist); i-- > 0;) {
		const char *by = "", *id = "", *flags[3];
		char *safe;
		long long size = 0, created = 0;
		json_t *fl = json_array(), *l;
		size_t k;
		e = json_array_get(hist, i);
		if (!json_is_object(e))
			continue;
		jget_str(e, "CreatedBy", &by);
		jget_str(e, "Id", &id);
		jget_int(e, "Size", &size);
		jget_int(e, "Created", &created);
		audit_history_flags(by, flags);
		for (k = 0; flags[k] != NULL; k++)
			json_array_append_new(fl, json_string(flags[k]));
		safe = audit_redact(by);
		l = json_pack("{s:I,s:s?,s:I,s:o?,s:o}", "created",
		    (json_int_t)created, "id", id, "size", (json_int_t)size,
		    "created_by", json_string(safe), "flags", fl);
		free(safe);
		if (l != NULL)
			json_array_append_new(layers, l);
	}
	json_object_set_new(extra, "name", json_string(image));
	if ((v = json_object_get(ins, "Id")) != NULL && json_is_string(v))
		json_object_set(extra, "id", v);
	if ((v = json_object_get(ins, "Size")) != NULL && json_is_integer(v))
		json_object_set(extra, "size", v);
	if ((v = json_object_get(ins, "RepoTags")) != NULL && json_is_array(v))
		json_object_set(extra, "tags", v);
	if ((v = jget(ins, "Config.User")) != NULL && json_is_string(v))
		json_object_set(extra, "user", v);
	json_object_set_new(extra, "layers", layers);
	r->extra = extra;
	r->duration_ms = (now_us() - t0) / 1000;
	*out = r;
out:
	json_decref(ins);
	json_decref(hist);
	for (i = 0; i < 3; i++)
		http_req_release(&q[i]);
	free(paths[0]);
	free(paths[1]);
	return rc;
}

/* ---- seccomp profiles ---- */

struct sc_emit {
	struct audit_report *r;
	const char *kind, *name;
};

static void
seccomp_to_report(void *arg, const char *id, const char *evidence)
{
	struct sc_emit *e = arg;

	report_add(e->r, id, e->kind, e->name, NULL, "%s", evidence);
}

int
audit_seccomp(
    const char *path, const char *data, size_t len, struct audit_report **out)
{
	struct audit_report *r = report_new("seccomp");
	struct sc_emit e = { r, "profile", path };
	uint64_t t0 = now_us();

	r->subject = xstrdup(path);
	report_scope_group(r, G_SECCOMP);
	seccomp_lint(data, len, seccomp_to_report, &e);
	r->duration_ms = (now_us() - t0) / 1000;
	*out = r;
	return 0;
}
