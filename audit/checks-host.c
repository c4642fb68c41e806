/*
 * checks-host.c: exposure (probes, listeners, the socket, the docker
 * group), daemon configuration (CIS 2.x) and files (CIS 3.x).
 */
#include "common/compat.h"

#include "audit/audit-int.h"
#include "audit/jget.h"
#include "common/xmalloc.h"

/* "tcp://HOST:PORT" with IPv6 brackets. */
static void
listener_name(const char *host, int port, char *out, size_t len)
{
	snprintf(out, len, strchr(host, ':') ? "tcp://[%s]:%d" : "tcp://%s:%d",
	    host, port);
}

static const struct probe *
probe_for_port(const struct probe_data *pd, int port)
{
	size_t i;

	for (i = 0; i < pd->n; i++)
		if (pd->p[i].port == port && pd->p[i].done && pd->p[i].open)
			return &pd->p[i];
	return NULL;
}

static int
daemon_listens_on(const struct host_data *h, int port)
{
	size_t i;

	for (i = 0; h->have_conf && i < h->dc.nlisten; i++)
		if (h->dc.listen[i].port == port)
			return 1;
	return 0;
}

static void
probe_findings(struct audit_ctx *a)
{
	const struct probe_data *pd = &a->probes;
	struct audit_report *r = a->r;
	char obj[300], srv[160];
	size_t i;

	for (i = 0; i < pd->n; i++) {
		const struct probe *p = &pd->p[i];
		if (!p->done || !p->open)
			continue;
		listener_name(p->host, p->port, obj, sizeof(obj));
		srv[0] = '\0';
		if (p->server[0] || p->api_version[0])
			snprintf(srv, sizeof(srv), " (%s%s%s%s)", p->server,
			    p->server[0] && p->api_version[0] ? ", " : "",
			    p->api_version[0] ? "API " : "", p->api_version);
		if (p->http_docker)
			report_add(r, "exposure.tcp-plaintext", "listener", obj,
			    NULL,
			    "GET /_ping over plain HTTP, without any "
			    "credentials, answered %d%s",
			    p->http_status, srv);
		if (p->tls_handshake && p->tls_docker &&
		    p->tls_status / 100 == 2)
			report_add(r, "exposure.tls-no-verify", "listener", obj,
			    NULL,
			    "TLS handshake without a client certificate "
			    "accepted%s; GET /_ping answered %d%s",
			    p->tls_cert_requested ? " (a certificate was "
						    "asked for, not required)"
						  : "",
			    p->tls_status, srv);
		/* reached over the network from here: not loopback-only */
		if (!a->t->probe_local && !addr_is_loopback(p->host) &&
		    (p->http_docker || p->tls_docker ||
			daemon_listens_on(&a->host, p->port)))
			report_add(r, "exposure.tcp-public", "listener", obj,
			    NULL, "port %d is reachable from this machine",
			    p->port);
	}
}

/* The daemon's version as major * 100 + minor (2010), or -1. */
static int
daemon_version(const struct audit_ctx *a)
{
	const char *v;
	int maj, min;

	if (a->api.version == NULL ||
	    jget_str(a->api.version, "Version", &v) != 1 ||
	    sscanf(v, "%d.%d", &maj, &min) != 2 || maj < 0 || min < 0 ||
	    min > 99)
		return -1;
	return maj * 100 + min;
}

/* Whether a dockerd's TCP listeners use TLS and verify clients. */
struct tls_state {
	int tls_known, tls, verify_known, verify;
};

static void
tls_state(const struct daemon_conf *dc, int ver, struct tls_state *ts)
{
	ts->tls = (dc->tls.src != DS_UNKNOWN && dc->tls.b) ||
	    (dc->tlsverify.src != DS_UNKNOWN && dc->tlsverify.b);
	ts->tls_known = dc->tls.src != DS_UNKNOWN || ts->tls;
	ts->verify_known =
	    dc->tlsverify.src == DS_FLAG || dc->tlsverify.src == DS_JSON;
	ts->verify = ts->verify_known && dc->tlsverify.b;
	/*
	 * dockerd 20.10 and later verify clients when --tls is given
	 * without --tlsverify (unless --tlsverify=false); older ones, and
	 * "tls": true in daemon.json alone, do not.
	 */
	if (!ts->verify_known && dc->tlsverify.src == DS_DEFAULT) {
		if (dc->tls.src == DS_FLAG && dc->tls.b) {
			ts->verify_known = ver >= 0;
			ts->verify = ver >= 2010;
		} else
			ts->verify_known = 1;
	}
}

/* Listeners from the daemon's own sockets and configuration. */
static void
config_findings(struct audit_ctx *a)
{
	const struct daemon_conf *dc = &a->host.dc;
	struct audit_report *r = a->r;
	const struct probe *p;
	struct tls_state ts;
	char obj[300];
	size_t i;
	int tls_known, tls, verify_known, verify;

	tls_state(dc, daemon_version(a), &ts);
	tls_known = ts.tls_known;
	tls = ts.tls;
	verify_known = ts.verify_known;
	verify = ts.verify;
	for (i = 0; i < dc->nlisten; i++) {
		const struct dlisten *l = &dc->listen[i];
		listener_name(l->addr, l->port, obj, sizeof(obj));
		if (!addr_is_loopback(l->addr))
			report_add(r, "exposure.tcp-public", "listener", obj,
			    NULL, "dockerd listens on %s port %d%s%s", l->addr,
			    l->port,
			    strcmp(l->addr, "0.0.0.0") == 0 ||
				    strcmp(l->addr, "::") == 0
				? " (every interface)"
				: "",
			    l->from_proc ? "" : " (configured)");
		/* a probe that reached the port has already judged it */
		if ((p = probe_for_port(&a->probes, l->port)) != NULL)
			continue;
		if (!tls_known) {
			report_not_checked(r, "exposure.tcp-plaintext",
			    "TLS settings of %s unknown (%s)", obj,
			    facts_st_name(dc->json_st));
			continue;
		}
		if (!tls)
			report_add(r, "exposure.tcp-plaintext", "listener", obj,
			    NULL,
			    "dockerd listens on %s port %d without --tls "
			    "(%s); every local user can reach it",
			    l->addr, l->port, dsrc_name(dc->tls.src));
		else if (!verify && verify_known)
			report_add(r, "exposure.tls-no-verify", "listener", obj,
			    NULL,
			    "dockerd serves %s port %d with --tls but without "
			    "--tlsverify (%s)",
			    l->addr, l->port, dsrc_name(dc->tlsverify.src));
	}
}

static void
daemon_warnings(struct audit_ctx *a)
{
	const char *id = "exposure.daemon-warnings", *w;
	json_t *warns, *v;
	char line[300];
	size_t i, n;

	if (!a->api.reached) {
		report_error(a->r, id, "%s", a->api.err);
		return;
	}
	if (a->api.info == NULL) {
		report_error(a->r, id, "%s", a->api.info_err);
		return;
	}
	switch (jget_array(a->api.info, "Warnings", &warns)) {
	case -1:
		report_error(a->r, id, "GET /info: Warnings is not a list");
		return;
	case 0:
		return;
	}
	json_array_foreach(warns, i, v)
	{
		if (!json_is_string(v))
			continue;
		w = json_string_value(v);
		if (strstr(w, "API is accessible on") == NULL)
			continue;
		n = strcspn(w, "\n");
		snprintf(
		    line, sizeof(line), "%.*s", (int)(n < 290 ? n : 290), w);
		report_add(a->r, id, "daemon", "dockerd", NULL, "%s", line);
	}
}

static long
docker_gid(const struct host_facts *hf)
{
	const char *p = hf->group_line;
	long long v;
	char num[24];
	size_t n;
	int i;

	if (hf->group_st != FS_OK || p == NULL)
		return -1;
	for (i = 0; i < 2 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	if (p == NULL || (n = strcspn(p, ":")) == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, p, n);
	num[n] = '\0';
	return parse_int(num, 0, INT32_MAX, &v) == 0 ? (long)v : -1;
}

/* /var/run/x and /run/x name the same place. */
static const char *
run_path(const char *p)
{
	return str_has_prefix(p, "/var/run/") ? p + 4 : p;
}

/* 1 if the socket at `path` belongs to the audited daemon. */
static int
socket_belongs(const struct audit_ctx *a, const char *path)
{
	const struct host_data *h = &a->host;
	const struct fact_daemon *d = h->d;
	size_t i;
	int named = 0;

	if (a->t->socket_path != NULL &&
	    strcmp(run_path(path), run_path(a->t->socket_path)) == 0)
		return 1;
	if (d == NULL)
		return 0;
	for (i = 0; i < h->hf.nunix; i++)
		if (strcmp(run_path(h->hf.unixs[i].path), run_path(path)) ==
			0 &&
		    facts_daemon_has_inode(d, h->hf.unixs[i].inode))
			return 1;
	for (i = 0; h->have_conf && i < h->dc.hosts.list.n; i++) {
		const char *v = h->dc.hosts.list.v[i];
		if (str_has_prefix(v, "unix://")) {
			named = 1;
			if (strcmp(run_path(v + 7), run_path(path)) == 0)
				return 1;
		}
	}
	/* no -H unix://: the default socket, or systemd's */
	return !named && strcmp(run_path(path), "/run/docker.sock") == 0;
}

static void
socket_checks(struct audit_ctx *a)
{
	const struct host_facts *hf = &a->host.hf;
	struct audit_report *r = a->r;
	const char *seen[16];
	size_t i, j, nseen = 0;
	long gid = docker_gid(hf);
	int rootless = a->api.info != NULL &&
	    info_has_secopt(a->api.info, "name=rootless");

	for (i = 0; i < hf->nstats; i++) {
		const struct fact_stat *s = &hf->stats[i];
		char mode[160];
		if (strcmp(s->tag, "sock") != 0 || s->st == FS_ABSENT ||
		    !socket_belongs(a, s->path))
			continue;
		for (j = 0; j < nseen; j++)
			if (strcmp(run_path(seen[j]), run_path(s->path)) == 0)
				break;
		if (j < nseen || nseen == nitems(seen))
			continue;
		seen[nseen++] = s->path;
		if (s->st != FS_OK) {
			report_not_checked(r, "exposure.socket-world", "%s: %s",
			    s->path, facts_st_name(s->st));
			report_not_checked(r, "exposure.socket-owner", "%s: %s",
			    s->path, facts_st_name(s->st));
			continue;
		}
		snprintf(mode, sizeof(mode),
		    "mode %04o, owner %ld, group %ld%s%s", s->mode, s->uid,
		    s->gid, gid >= 0 && s->gid == gid ? " (docker)" : "",
		    s->is_link ? "; the path is a symlink, its target judged"
			       : "");
		if (s->mode & 0002)
			report_add(r, "exposure.socket-world", "socket",
			    s->path, NULL, "others may connect: %s", mode);
		if (rootless) {
			report_note(r, "exposure.socket-owner",
			    "rootless daemon: the socket belongs to its user");
			continue;
		}
		if (s->uid != 0 || (s->gid != 0 && s->gid != gid) ||
		    (s->mode & ~0660u) != 0)
			report_add(r, "exposure.socket-owner", "socket",
			    s->path, NULL, "%s", mode);
	}
	if (nseen == 0) {
		const char *why = a->t->socket_path
		    ? "the daemon's socket is not among the host facts"
		    : "no unix socket of the daemon was found";
		report_not_checked(r, "exposure.socket-world", "%s", why);
		report_not_checked(r, "exposure.socket-owner", "%s", why);
	}
}

static void
group_checks(struct audit_ctx *a)
{
	const struct host_facts *hf = &a->host.hf;
	const char *id = "exposure.docker-group", *p;
	struct strv users;
	size_t i, j, n;
	char name[64];

	if (hf->group_st == FS_ABSENT) {
		report_note(a->r, id, "there is no docker group");
		return;
	}
	if (hf->group_st != FS_OK || hf->group_line == NULL) {
		report_not_checked(
		    a->r, id, "docker group: %s", facts_st_name(hf->group_st));
		return;
	}
	memset(&users, 0, sizeof(users));
	/* docker:x:GID:alice,bob */
	p = hf->group_line;
	for (i = 0; i < 3 && p != NULL; i++)
		if ((p = strchr(p, ':')) != NULL)
			p++;
	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			strv_push(&users, name);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	for (i = 0; i < users.n; i++)
		report_add(a->r, id, "user", users.v[i], NULL,
		    "member of the docker group");
	for (i = 0; i < hf->primary.n; i++) {
		for (j = 0; j < users.n; j++)
			if (strcmp(users.v[j], hf->primary.v[i]) == 0)
				break;
		if (j == users.n)
			report_add(a->r, id, "user", hf->primary.v[i], NULL,
			    "the docker group is the user's primary group");
	}
	if (hf->primary_st != FS_OK)
		report_note(a->r, id, "primary groups not checked (%s)",
		    facts_st_name(hf->primary_st));
	strv_free(&users);
}

/* ---- every daemon on the host, not only the audited one ---- */

/* The stat of a socket path the fact script recorded, or NULL. */
static const struct fact_stat *
socket_stat(const struct host_facts *hf, const char *path)
{
	const struct fact_stat *s;

	if ((s = facts_stat(hf, "lsock", path)) == NULL)
		s = facts_stat(hf, "sock", path);
	return s;
}

/* A unix socket of daemon `d` (PROG, pid) that others may write to. */
static void
open_socket_check(struct audit_ctx *a, const char *prog,
    const struct fact_daemon *d, const char *path, long docker_gid)
{
	const struct fact_stat *s = socket_stat(&a->host.hf, path);
	const char *id = "exposure.host-socket-open";
	char obj[300];

	snprintf(obj, sizeof(obj), "unix://%s", path);
	if (s == NULL || s->st != FS_OK) {
		report_note(a->r, id, "%s of %s (pid %ld): %s", obj, prog,
		    d->pid, s ? facts_st_name(s->st) : "not stat'ed");
		return;
	}
	if (s->mode & 0002)
		report_add(a->r, id, "socket", obj, NULL,
		    "%s (pid %ld) listens here; every local user may "
		    "connect: mode %04o, owner %ld, group %ld",
		    prog, d->pid, s->mode, s->uid, s->gid);
	else if ((s->mode & 0020) && s->gid != 0 && s->gid != docker_gid)
		report_add(a->r, id, "socket", obj, NULL,
		    "%s (pid %ld) listens here; group %ld, which is not "
		    "root or docker, may connect: mode %04o, owner %ld",
		    prog, d->pid, s->gid, s->mode, s->uid);
}

/* The unix and TCP listeners daemon `d` holds (its socket inodes). */
static void
held_listeners(struct audit_ctx *a, const char *prog,
    const struct fact_daemon *d, int containerd, long docker_gid)
{
	const struct host_facts *hf = &a->host.hf;
	char obj[300];
	size_t i;

	for (i = 0; i < hf->nunix; i++)
		if (facts_daemon_has_inode(d, hf->unixs[i].inode))
			open_socket_check(
			    a, prog, d, hf->unixs[i].path, docker_gid);
	for (i = 0; containerd && i < hf->nlisten; i++) {
		const struct fact_listen *l = &hf->listen[i];
		if (!facts_daemon_has_inode(d, l->inode))
			continue;
		listener_name(l->addr, l->port, obj, sizeof(obj));
		report_add(a->r, "exposure.host-containerd-tcp", "listener",
		    obj, NULL, "containerd (pid %ld) listens on %s port %d%s",
		    d->pid, l->addr, l->port,
		    addr_is_loopback(l->addr) ? " (loopback: every local "
						"user and container)"
					      : "");
	}
}

/* A dockerd that is not the audited one: its TCP listeners and TLS. */
static void
other_dockerd(struct audit_ctx *a, const struct fact_daemon *d, long gid)
{
	struct audit_report *r = a->r;
	struct daemon_conf dc;
	struct tls_state ts;
	char obj[300];
	size_t i;

	memset(&dc, 0, sizeof(dc));
	daemon_conf_build(&a->host.hf, d, &dc);
	tls_state(&dc, daemon_version(a), &ts);
	for (i = 0; i < dc.nlisten; i++) {
		const struct dlisten *l = &dc.listen[i];
		listener_name(l->addr, l->port, obj, sizeof(obj));
		if (!ts.tls_known)
			report_note(r, "exposure.host-tcp-plaintext",
			    "TLS settings of dockerd (pid %ld) on %s unknown "
			    "(%s)",
			    d->pid, obj, facts_st_name(dc.json_st));
		else if (!ts.tls)
			report_add(r, "exposure.host-tcp-plaintext", "listener",
			    obj, NULL,
			    "dockerd (pid %ld) listens on %s port %d without "
			    "--tls (%s)%s",
			    d->pid, l->addr, l->port, dsrc_name(dc.tls.src),
			    l->from_proc ? "" : " (configured)");
		else if (!ts.verify && ts.verify_known)
			report_add(r, "exposure.host-tls-no-verify", "listener",
			    obj, NULL,
			    "dockerd (pid %ld) serves %s port %d with --tls "
			    "but without --tlsverify (%s)",
			    d->pid, l->addr, l->port,
			    dsrc_name(dc.tlsverify.src));
	}
	if (d->fds_st == FS_OK)
		held_listeners(a, "dockerd", d, 0, gid);
	else
		for (i = 0; i < dc.hosts.list.n; i++)
			if (str_has_prefix(dc.hosts.list.v[i], "unix://"))
				open_socket_check(a, "dockerd", d,
				    dc.hosts.list.v[i] + 7, gid);
	daemon_conf_free(&dc);
}

/*
 * Every Docker Engine and containerd API listener on the host: a second
 * daemon on plain TCP is as bad as the audited one being there.  The
 * audited daemon's own listeners are judged by the checks above.
 */
static void
host_listener_checks(struct audit_ctx *a)
{
	const struct host_facts *hf = &a->host.hf;
	long gid = docker_gid(hf);
	size_t i;

	for (i = 0; i < hf->ndaemons; i++) {
		const struct fact_daemon *d = &hf->daemons[i];
		if (d == a->host.d)
			continue;
		other_dockerd(a, d, gid);
	}
	for (i = 0; i < hf->ncontainerds; i++) {
		const struct fact_daemon *d = &hf->containerds[i];
		if (d->fds_st != FS_OK) {
			report_note(a->r, "exposure.host-containerd-tcp",
			    "containerd (pid %ld): its sockets: %s", d->pid,
			    facts_st_name(d->fds_st));
			continue;
		}
		held_listeners(a, "containerd", d, 1, gid);
	}
}

void
checks_exposure(struct audit_ctx *a)
{
	struct audit_report *r = a->r;
	struct host_data *h = &a->host;
	int covered = 0;

	daemon_warnings(a);
	if (a->probes.ran) {
		probe_findings(a);
		covered = 1;
	}
	if (h->have_conf) {
		config_findings(a);
		covered = 1;
	}
	if (!covered) {
		const char *why = h->have ? h->why : h->err;
		report_not_checked(r, "exposure.tcp-plaintext",
		    "no probes and no host facts (%s)", why);
		report_not_checked(r, "exposure.tls-no-verify",
		    "no probes and no host facts (%s)", why);
		report_not_checked(r, "exposure.tcp-public",
		    "no probes and no host facts (%s)", why);
	} else if (!h->have_conf) {
		const char *why = h->have ? h->why : h->err;
		report_note(r, "exposure.tcp-plaintext",
		    "probed ports only; the daemon's own listeners are "
		    "unknown (%s)",
		    why);
		report_note(r, "exposure.tls-no-verify",
		    "probed ports only; the daemon's own listeners are "
		    "unknown (%s)",
		    why);
		report_note(
		    r, "exposure.tcp-public", "probed ports only (%s)", why);
	} else if (!h->dc.listen_known)
		report_note(r, "exposure.tcp-public",
		    "configured listeners only: the daemon's sockets could "
		    "not be read (permission)");
	if (!h->have) {
		checks_source_missing(r, G_EXPOSURE, NEED_HOST, 0, h->err);
		return;
	}
	socket_checks(a);
	group_checks(a);
	host_listener_checks(a);
}

/* ---- daemon configuration ---- */

static void
not_checked_conf(struct audit_ctx *a, const char *id, const char *what)
{
	const struct host_data *h = &a->host;

	if (!h->have)
		report_not_checked(a->r, id, "%s", h->err);
	else if (!h->have_conf)
		report_not_checked(a->r, id, "%s", h->why);
	else
		report_not_checked(a->r, id, "%s unknown: daemon.json %s", what,
		    h->dc.json_st == FS_ERROR && h->dc.json_err[0]
			? h->dc.json_err
			: facts_st_name(h->dc.json_st));
}

static void
conf_bool_check(struct audit_ctx *a, const char *id, const struct dsetting *s,
    const char *name, int bad_value)
{
	if (s->src == DS_UNKNOWN)
		not_checked_conf(a, id, name);
	else if (s->b == bad_value)
		report_add(a->r, id, "daemon", "dockerd", NULL, "%s is %s (%s)",
		    name, s->b ? "true" : "false", dsrc_name(s->src));
}

static void
registries(struct audit_ctx *a, const json_t *info)
{
	const char *id = "daemon.insecure-registries";
	json_t *cidrs, *idx, *v;
	const char *key;
	size_t i;
	int secure;

	if (jget_array(info, "RegistryConfig.InsecureRegistryCIDRs", &cidrs) <
	    0)
		report_error(a->r, id,
		    "GET /info: RegistryConfig.InsecureRegistryCIDRs is not a "
		    "list");
	else if (cidrs != NULL)
		json_array_foreach(cidrs, i, v) if (json_is_string(v) &&
		    strcmp(json_string_value(v), "127.0.0.0/8") != 0)
		    report_add(a->r, id, "registry", json_string_value(v), NULL,
			"InsecureRegistryCIDRs holds %s", json_string_value(v));
	if (jget_object(info, "RegistryConfig.IndexConfigs", &idx) < 0) {
		report_error(a->r, id,
		    "GET /info: RegistryConfig.IndexConfigs is not an object");
		return;
	}
	json_object_foreach(idx, key, v)
	{
		if (jget_bool(v, "Secure", &secure) == 1 && !secure)
			report_add(a->r, id, "registry", key, NULL,
			    "registry %s is marked insecure", key);
	}
}

static void
api_daemon_checks(struct audit_ctx *a)
{
	const json_t *info = a->api.info;
	const struct host_data *h = &a->host;
	struct audit_report *r = a->r;
	const char *s = NULL;
	json_t *plugins;
	int b = 0, rc;

	if (!info_has_secopt(info, "name=userns") &&
	    !info_has_secopt(info, "name=rootless"))
		report_add(r, "daemon.userns", "daemon", "dockerd", NULL,
		    "containers' root is the host's root: the daemon "
		    "neither remaps users (userns-remap) nor runs rootless");
	if (!info_has_secopt(info, "name=no-new-privileges") &&
	    !(h->have_conf && h->dc.nnp.src != DS_UNKNOWN && h->dc.nnp.b))
		report_add(r, "daemon.no-new-privileges", "daemon", "dockerd",
		    NULL,
		    "containers may gain privileges through setuid "
		    "programs: no-new-privileges is not on by default");
	rc = jget_bool(info, "LiveRestoreEnabled", &b);
	if (rc < 0)
		report_error(r, "daemon.live-restore",
		    "GET /info: LiveRestoreEnabled is not a boolean");
	else if (rc == 0 || !b)
		report_add(r, "daemon.live-restore", "daemon", "dockerd", NULL,
		    "restarting or upgrading the daemon stops every "
		    "container (live-restore is off)");
	registries(a, info);
	rc = jget_array(info, "Plugins.Authorization", &plugins);
	if (rc < 0)
		report_error(r, "daemon.authorization",
		    "GET /info: Plugins.Authorization is not a list");
	else if (rc == 0 || json_array_size(plugins) == 0)
		report_add(r, "daemon.authorization", "daemon", "dockerd", NULL,
		    "no authorization plugin is configured");
	rc = jget_str(info, "LoggingDriver", &s);
	if (rc < 0)
		report_error(r, "daemon.logging",
		    "GET /info: LoggingDriver is not a string");
	else if (rc == 0 || strcmp(s, "json-file") == 0 ||
	    strcmp(s, "local") == 0 || strcmp(s, "none") == 0 || *s == '\0')
		report_add(r, "daemon.logging", "daemon", "dockerd", NULL,
		    "LoggingDriver is %s", rc == 1 && *s ? s : "(none)");
	if (!info_has_secopt(info, "name=seccomp"))
		report_add(r, "daemon.seccomp", "daemon", "dockerd", NULL,
		    "containers run without any system call filter "
		    "(seccomp is off)");
	else if (info_has_secopt(info, "name=seccomp,profile=unconfined"))
		report_add(r, "daemon.seccomp", "daemon", "dockerd", NULL,
		    "the default seccomp profile is unconfined");
	rc = jget_bool(info, "ExperimentalBuild", &b);
	if (rc < 0)
		report_error(r, "daemon.experimental",
		    "GET /info: ExperimentalBuild is not a boolean");
	else if (rc == 1 && b)
		report_add(r, "daemon.experimental", "daemon", "dockerd", NULL,
		    "the daemon runs with experimental features on");
	if (jget_str(info, "Driver", &s) == 1 && strcmp(s, "aufs") == 0)
		report_add(r, "daemon.aufs", "daemon", "dockerd", NULL,
		    "storage driver is aufs");
	if (!info_has_secopt(info, "name=rootless"))
		report_add(r, "daemon.rootful", "daemon", "dockerd", NULL,
		    "the daemon runs as root (not rootless)");
	if (jget_str(info, "Swarm.LocalNodeState", &s) == 1 &&
	    strcmp(s, "active") == 0)
		report_add(r, "daemon.swarm", "daemon", "dockerd", NULL,
		    "this daemon is an active swarm node");
	if (jget_bool(info, "Debug", &b) == 1 && b)
		report_add(r, "daemon.log-level", "daemon", "dockerd", NULL,
		    "the daemon runs in debug mode (/info Debug)");
}

/* icc: from the configuration, else from the default bridge's options. */
static void
icc_check(struct audit_ctx *a)
{
	const char *id = "daemon.icc", *v;
	const struct host_data *h = &a->host;
	json_t *opts, *o;

	if (h->have_conf && h->dc.icc.src != DS_UNKNOWN) {
		conf_bool_check(a, id, &h->dc.icc, "icc", 1);
		return;
	}
	if (a->api.bridge_absent) {
		report_note(a->r, id, "there is no default bridge network");
		return;
	}
	if (a->api.bridge == NULL) {
		if (!h->have_conf)
			not_checked_conf(a, id, "icc");
		else
			report_error(a->r, id, "%s", a->api.bridge_err);
		return;
	}
	/* the option's name holds dots: look it up directly */
	opts = jget(a->api.bridge, "Options");
	o = json_is_object(opts)
	    ? json_object_get(opts, "com.docker.network.bridge.enable_icc")
	    : NULL;
	v = json_is_string(o) ? json_string_value(o) : NULL;
	if (v == NULL || strcmp(v, "false") != 0)
		report_add(a->r, id, "daemon", "dockerd", NULL,
		    "the default bridge allows inter-container traffic "
		    "(enable_icc %s)",
		    v ? v : "unset");
}

void
checks_daemon(struct audit_ctx *a)
{
	const struct host_data *h = &a->host;
	struct audit_report *r = a->r;

	icc_check(a);
	if (!a->api.reached || a->api.info == NULL)
		checks_source_missing(r, G_DAEMON, NEED_API, 1,
		    a->api.reached ? a->api.info_err : a->api.err);
	else
		api_daemon_checks(a);
	if (!h->have_conf) {
		not_checked_conf(a, "daemon.userland-proxy", "userland-proxy");
		not_checked_conf(a, "daemon.iptables", "iptables");
		if (!a->api.reached || a->api.info == NULL)
			not_checked_conf(a, "daemon.log-level", "log-level");
		return;
	}
	conf_bool_check(a, "daemon.userland-proxy", &h->dc.userland_proxy,
	    "userland-proxy", 1);
	conf_bool_check(a, "daemon.iptables", &h->dc.iptables, "iptables", 0);
	if (h->dc.log_level.src == DS_UNKNOWN)
		not_checked_conf(a, "daemon.log-level", "log-level");
	else if (h->dc.log_level.s != NULL &&
	    strcmp(h->dc.log_level.s, "debug") == 0)
		report_add(r, "daemon.log-level", "daemon", "dockerd", NULL,
		    "log-level is debug (%s)", dsrc_name(h->dc.log_level.src));
}

/* ---- files ---- */

/* Judge one file: owner uid 0, group in `gids`, mode within `max`. */
static void
file_rule(struct audit_report *r, const char *id, const struct fact_stat *s,
    unsigned max, long okgid)
{
	if (s->st == FS_ABSENT)
		return;
	if (s->st != FS_OK) {
		report_not_checked(
		    r, id, "%s: %s", s->path, facts_st_name(s->st));
		return;
	}
	if (s->uid != 0 || (s->gid != 0 && s->gid != okgid) ||
	    (s->mode & ~max) != 0)
		report_add(r, id, "file", s->path, NULL,
		    "mode %04o, owner %ld, group %ld (want %s %04o or "
		    "stricter)%s",
		    s->mode, s->uid, s->gid,
		    okgid >= 0 ? "root:docker" : "root:root", max,
		    s->is_link ? "; a symlink, its target judged" : "");
}

/* Every stat record with `tag`, each file once (/lib may be /usr/lib). */
static void
tag_rule(struct audit_ctx *a, const char *id, const char *tag, unsigned max,
    long okgid)
{
	const struct host_facts *hf = &a->host.hf;
	size_t i, j;

	for (i = 0; i < hf->nstats; i++) {
		const struct fact_stat *s = &hf->stats[i];
		if (strcmp(s->tag, tag) != 0)
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(hf->stats[j].tag, tag) == 0 &&
			    (strcmp(hf->stats[j].path, s->path) == 0 ||
				(s->inode != 0 &&
				    hf->stats[j].inode == s->inode &&
				    hf->stats[j].st == FS_OK)))
				break;
		if (j == i)
			file_rule(a->r, id, s, max, okgid);
	}
}

/* A file the daemon's configuration names (TLS files, daemon.json). */
static void
named_rule(struct audit_ctx *a, const char *id, const char *tag,
    const struct dsetting *set, const char *path, unsigned max)
{
	const struct fact_stat *s;

	if (set != NULL) {
		if (set->src == DS_UNKNOWN) {
			not_checked_conf(a, id, tag);
			return;
		}
		path = set->s;
	}
	if (path == NULL)
		return; /* not configured: nothing to judge */
	if (path[0] != '/') {
		report_not_checked(a->r, id,
		    "%s \"%s\" is relative to dockerd's directory", tag, path);
		return;
	}
	if ((s = facts_stat(&a->host.hf, tag, path)) == NULL) {
		report_not_checked(
		    a->r, id, "%s \"%s\" was not examined", tag, path);
		return;
	}
	file_rule(a->r, id, s, max, -1);
}

void
checks_files(struct audit_ctx *a)
{
	const struct host_data *h = &a->host;
	const struct host_facts *hf = &h->hf;
	const struct fact_stat *cd;

	if (!h->have) {
		checks_source_missing(a->r, G_FILES, NEED_HOST, 0, h->err);
		return;
	}
	tag_rule(a, "files.service-unit", "service", 0644, -1);
	tag_rule(a, "files.socket-unit", "socket", 0644, -1);
	tag_rule(a, "files.etc-docker", "etcdocker", 0755, -1);
	tag_rule(a, "files.defaults", "defaults", 0644, -1);
	tag_rule(a, "files.containerd-socket", "containerd", 0660, -1);
	if ((cd = facts_stat(hf, "certsd", "/etc/docker/certs.d")) != NULL &&
	    cd->st != FS_OK && cd->st != FS_ABSENT)
		report_not_checked(a->r, "files.registry-certs",
		    "/etc/docker/certs.d: %s", facts_st_name(cd->st));
	tag_rule(a, "files.registry-certs", "regcert", 0444, -1);
	if (!h->have_conf) {
		report_not_checked(a->r, "files.tls-ca", "%s", h->why);
		report_not_checked(a->r, "files.tls-cert", "%s", h->why);
		report_not_checked(a->r, "files.tls-key", "%s", h->why);
		report_not_checked(a->r, "files.daemon-json", "%s", h->why);
		return;
	}
	named_rule(
	    a, "files.tls-ca", "tlscacert", &h->dc.tlscacert, NULL, 0444);
	named_rule(a, "files.tls-cert", "tlscert", &h->dc.tlscert, NULL, 0444);
	named_rule(a, "files.tls-key", "tlskey", &h->dc.tlskey, NULL, 0400);
	named_rule(a, "files.daemon-json", "daemonjson", NULL,
	    h->dc.config_path, 0644);
}
