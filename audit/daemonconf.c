/* daemonconf.c: the audited dockerd's settings (see daemonconf.h). */
#include "common/compat.h"

#include <jansson.h>

#include "audit/daemonconf.h"
#include "common/xmalloc.h"

#define DEFAULT_CONFIG "/etc/docker/daemon.json"

const char *
dsrc_name(enum dsrc src)
{
	switch (src) {
	case DS_FLAG:
		return "dockerd flag";
	case DS_JSON:
		return "daemon.json";
	case DS_DEFAULT:
		return "default";
	case DS_UNKNOWN:
		break;
	}
	return "unknown";
}

int
addr_is_loopback(const char *a)
{
	return str_has_prefix(a, "127.") || strcmp(a, "::1") == 0 ||
	    strcmp(a, "localhost") == 0 || strcmp(a, "::ffff:127.0.0.1") == 0;
}

/* Go's ":2375" listens on "::" (both families) */
static int
addr_is_any(const char *a)
{
	return strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

int
docker_tcp_host(const char *h, int tls, char *addr, size_t addrlen, int *port)
{
	const char *p, *colon, *end;
	long long v;
	char num[16];

	if (!str_has_prefix(h, "tcp://"))
		return -1;
	p = h + 6;
	end = p + strcspn(p, "/?#");
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		if (rb == NULL)
			return -1;
		snprintf(addr, addrlen, "%.*s", (int)(rb - p - 1), p + 1);
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		snprintf(
		    addr, addrlen, "%.*s", (int)((colon ? colon : end) - p), p);
	}
	/* dockerd binds tcp://:2375 and tcp:// to every address */
	if (*addr == '\0')
		snprintf(addr, addrlen, "0.0.0.0");
	*port = tls ? 2376 : 2375;
	if (colon != NULL && colon + 1 < end) {
		if ((size_t)(end - colon - 1) >= sizeof(num))
			return -1;
		memcpy(num, colon + 1, (size_t)(end - colon - 1));
		num[end - colon - 1] = '\0';
		if (parse_int(num, 0, 65535, &v) != 0)
			return -1;
		*port = (int)v;
	}
	return 0;
}

static void
set_bool(struct dsetting *s, enum dsrc src, int b)
{
	s->src = src;
	s->b = b;
}

static void
set_str(struct dsetting *s, enum dsrc src, const char *v)
{
	s->src = src;
	free(s->s);
	s->s = v ? xstrdup(v) : NULL;
}

struct flagdef {
	const char *name;
	char shortname;
	int is_bool;
	int is_list;
	size_t off;
};

#define F(field) offsetof(struct daemon_conf, field)
static const struct flagdef flags[] = {
	{ "host", 'H', 0, 1, F(hosts) },
	{ "tls", 0, 1, 0, F(tls) },
	{ "tlsverify", 0, 1, 0, F(tlsverify) },
	{ "tlscacert", 0, 0, 0, F(tlscacert) },
	{ "tlscert", 0, 0, 0, F(tlscert) },
	{ "tlskey", 0, 0, 0, F(tlskey) },
	{ "icc", 0, 1, 0, F(icc) },
	{ "userns-remap", 0, 0, 0, F(userns_remap) },
	{ "no-new-privileges", 0, 1, 0, F(nnp) },
	{ "live-restore", 0, 1, 0, F(live_restore) },
	{ "userland-proxy", 0, 1, 0, F(userland_proxy) },
	{ "insecure-registry", 0, 0, 1, F(insecure) },
	{ "authorization-plugin", 0, 0, 1, F(authz) },
	{ "log-driver", 0, 0, 0, F(log_driver) },
	{ "log-level", 'l', 0, 0, F(log_level) },
	{ "seccomp-profile", 0, 0, 0, F(seccomp) },
	{ "iptables", 0, 1, 0, F(iptables) },
	{ "experimental", 0, 1, 0, F(experimental) },
};

/* The same settings in daemon.json (lists are plural there). */
static const char *const json_names[] = { "hosts", "tls", "tlsverify",
	"tlscacert", "tlscert", "tlskey", "icc", "userns-remap",
	"no-new-privileges", "live-restore", "userland-proxy",
	"insecure-registries", "authorization-plugins", "log-driver",
	"log-level", "seccomp-profile", "iptables", "experimental" };

static struct dsetting *
field(struct daemon_conf *dc, const struct flagdef *f)
{
	return (struct dsetting *)((char *)dc + f->off);
}

static void
apply_flag(struct daemon_conf *dc, const struct flagdef *f, const char *v)
{
	struct dsetting *s = field(dc, f);

	if (f->is_bool)
		set_bool(s, DS_FLAG,
		    v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
	else if (f->is_list) {
		if (s->src != DS_FLAG)
			strv_free(&s->list);
		s->src = DS_FLAG;
		strv_push(&s->list, v);
	} else
		set_str(s, DS_FLAG, v);
}

/* Parse dockerd's arguments the way its flag library (pflag) does. */
static void
parse_argv(struct daemon_conf *dc, const struct strv *argv)
{
	const struct flagdef *f;
	const char *a, *eq, *v;
	size_t i, j, len;

	for (i = 1; i < argv->n; i++) {
		a = argv->v[i];
		f = NULL;
		v = NULL;
		if (strcmp(a, "--") == 0)
			break;
		if (str_has_prefix(a, "--")) {
			eq = strchr(a + 2, '=');
			len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (len == 11 &&
			    strncmp(a + 2, "config-file", 11) == 0) {
				v = eq
				    ? eq + 1
				    : (i + 1 < argv->n ? argv->v[++i] : NULL);
				free(dc->config_path);
				dc->config_path = v ? xstrdup(v) : NULL;
				continue;
			}
			for (j = 0; j < nitems(flags); j++)
				if (strlen(flags[j].name) == len &&
				    strncmp(flags[j].name, a + 2, len) == 0)
					f = &flags[j];
			if (f == NULL)
				continue;
			v = eq ? eq + 1 : NULL;
		} else if (a[0] == '-' && a[1] != '\0') {
			for (j = 0; j < nitems(flags); j++)
				if (flags[j].shortname == a[1])
					f = &flags[j];
			if (f == NULL)
				continue;
			v = a[2] == '=' ? a + 3 : a[2] != '\0' ? a + 2 : NULL;
		} else
			continue;
		if (v == NULL && !f->is_bool) {
			if (i + 1 >= argv->n)
				continue;
			v = argv->v[++i];
		}
		apply_flag(dc, f, v);
	}
}

static void
apply_json(struct daemon_conf *dc, json_t *root)
{
	const struct flagdef *f;
	struct dsetting *s;
	json_t *v, *it;
	size_t i, k;

	for (i = 0; i < nitems(flags); i++) {
		f = &flags[i];
		s = field(dc, f);
		if (s->src == DS_FLAG ||
		    (v = json_object_get(root, json_names[i])) == NULL)
			continue;
		if (f->is_bool && json_is_boolean(v))
			set_bool(s, DS_JSON, json_is_true(v));
		else if (f->is_list && json_is_array(v)) {
			s->src = DS_JSON;
			json_array_foreach(v, k, it) if (json_is_string(it))
			    strv_push(&s->list, json_string_value(it));
		} else if (!f->is_bool && !f->is_list && json_is_string(v))
			set_str(s, DS_JSON, json_string_value(v));
	}
	/* "log-opts", "default-ulimits" and the rest do not matter here */
}

/* Settings still unset take dockerd's default, or stay unknown. */
static void
defaults(struct daemon_conf *dc, int known)
{
	size_t i;
	struct dsetting *s;

	for (i = 0; i < nitems(flags); i++) {
		s = field(dc, &flags[i]);
		if (s->src != DS_UNKNOWN)
			continue;
		if (!known)
			continue;
		s->src = DS_DEFAULT;
	}
	if (dc->icc.src == DS_DEFAULT)
		dc->icc.b = 1;
	if (dc->userland_proxy.src == DS_DEFAULT)
		dc->userland_proxy.b = 1;
	if (dc->iptables.src == DS_DEFAULT)
		dc->iptables.b = 1;
	if (dc->log_driver.src == DS_DEFAULT)
		dc->log_driver.s = xstrdup("json-file");
	if (dc->log_level.src == DS_DEFAULT)
		dc->log_level.s = xstrdup("info");
}

/* ListenStream= lines of the docker.socket units (drop-ins win). */
static void
socket_listeners(const struct host_facts *hf, struct daemon_conf *dc)
{
	const char *p, *nl, *v;
	size_t i, n;
	char line[512];

	for (i = 0; i < hf->nfiles; i++) {
		const struct fact_file *f = &hf->files[i];
		if (strcmp(f->tag, "socket") != 0 || f->st != FS_OK)
			continue;
		for (p = f->content.data; *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				break;
			n = (size_t)(nl - p);
			if (n >= sizeof(line))
				continue;
			memcpy(line, p, n);
			line[n] = '\0';
			v = line + strspn(line, " \t");
			if (!str_has_prefix(v, "ListenStream"))
				continue;
			v += 12;
			v += strspn(v, " \t");
			if (*v++ != '=')
				continue;
			v += strspn(v, " \t");
			if (*v == '\0' || *v == '/')
				continue;
			/* "2375", "0.0.0.0:2375", "[::]:2375" */
			{
				char h[600];
				snprintf(h, sizeof(h), "tcp://%s%s",
				    strchr(v, ':') || *v == '[' ? "" : ":", v);
				strv_push(&dc->hosts.list, h);
			}
		}
	}
}

static void
add_listen(struct daemon_conf *dc, const char *addr, int port, int from_proc)
{
	size_t i;

	for (i = 0; i < dc->nlisten; i++)
		if (dc->listen[i].port == port &&
		    (strcmp(dc->listen[i].addr, addr) == 0 ||
			(addr_is_any(dc->listen[i].addr) &&
			    addr_is_any(addr)))) {
			dc->listen[i].from_proc |= from_proc;
			return;
		}
	dc->listen =
	    xreallocarray(dc->listen, dc->nlisten + 1, sizeof(*dc->listen));
	snprintf(dc->listen[dc->nlisten].addr,
	    sizeof(dc->listen[dc->nlisten].addr), "%s", addr);
	dc->listen[dc->nlisten].port = port;
	dc->listen[dc->nlisten].from_proc = from_proc;
	dc->nlisten++;
}

void
daemon_conf_build(const struct host_facts *hf, const struct fact_daemon *d,
    struct daemon_conf *dc)
{
	const struct fact_file *jf;
	json_error_t je;
	json_t *root;
	char addr[64];
	size_t i;
	int port, tls;

	memset(dc, 0, sizeof(*dc));
	dc->pid = d->pid;
	parse_argv(dc, &d->argv);
	if (dc->config_path == NULL)
		dc->config_path = xstrdup(DEFAULT_CONFIG);
	jf = facts_file(hf, "daemonjson", dc->config_path);
	dc->json_st = jf ? jf->st : FS_UNKNOWN;
	if (jf != NULL && jf->st == FS_OK) {
		root = json_loadb(jf->content.data, jf->content.len, 0, &je);
		if (root == NULL || !json_is_object(root)) {
			dc->json_st = FS_ERROR;
			snprintf(dc->json_err, sizeof(dc->json_err),
			    "%s: line %d column %d: %s", dc->config_path,
			    je.line, je.column,
			    root ? "not a JSON object" : je.text);
		} else
			apply_json(dc, root);
		json_decref(root);
	}
	defaults(dc, dc->json_st == FS_OK || dc->json_st == FS_ABSENT);
	for (i = 0; i < dc->hosts.list.n; i++)
		if (str_has_prefix(dc->hosts.list.v[i], "fd://"))
			dc->socket_activated = 1;
	if (dc->socket_activated)
		socket_listeners(hf, dc);
	tls = (dc->tls.src != DS_UNKNOWN && dc->tls.b) ||
	    (dc->tlsverify.src != DS_UNKNOWN && dc->tlsverify.b);
	for (i = 0; i < dc->hosts.list.n; i++)
		if (docker_tcp_host(dc->hosts.list.v[i], tls, addr,
			sizeof(addr), &port) == 0)
			add_listen(dc, addr, port, 0);
	dc->listen_known =
	    d->fds_st == FS_OK && (hf->tcp_st == FS_OK || hf->tcp6_st == FS_OK);
	for (i = 0; dc->listen_known && i < hf->nlisten; i++)
		if (facts_daemon_has_inode(d, hf->listen[i].inode))
			add_listen(
			    dc, hf->listen[i].addr, hf->listen[i].port, 1);
}

void
daemon_conf_free(struct daemon_conf *dc)
{
	size_t i;

	for (i = 0; i < nitems(flags); i++) {
		struct dsetting *s = field(dc, &flags[i]);
		free(s->s);
		strv_free(&s->list);
	}
	free(dc->config_path);
	free(dc->listen);
	memset(dc, 0, sizeof(*dc));
}
