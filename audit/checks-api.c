/*
 * checks-api.c: images (CIS 4.x), containers (CIS 5.x), sprawl (CIS 6.x)
 * and custom seccomp profiles, from the Engine API's answers.  Every
 * container is judged, created and stopped ones too: their configuration
 * runs again on the next start.
 */
#include "common/compat.h"

#include <ctype.h>
#include <strings.h>

#include "audit/audit-int.h"
#include "audit/jget.h"
#include "audit/seccomp.h"
#include "common/xmalloc.h"

/* Docker's default capability set. */
static const char *const default_caps[] = { "AUDIT_WRITE", "CHOWN",
	"DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
	"NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT" };

/* Capabilities that allow breaking out of the container. */
static const char *const dangerous_caps[] = { "ALL", "AUDIT_CONTROL", "BPF",
	"CHECKPOINT_RESTORE", "DAC_READ_SEARCH", "MAC_ADMIN", "MAC_OVERRIDE",
	"NET_ADMIN", "PERFMON", "SYS_ADMIN", "SYS_BOOT", "SYS_MODULE",
	"SYS_PTRACE", "SYS_RAWIO", "SYS_TIME", "SYSLOG" };

/* Host paths whose read-write mount lets a container change the host. */
static const char *const sensitive_paths[] = { "/", "/bin", "/boot", "/dev",
	"/etc", "/lib", "/lib32", "/lib64", "/proc", "/root", "/sbin", "/sys",
	"/usr", "/var/lib/docker", "/var/lib/containerd" };

static int
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The type of a field was wrong: the check cannot judge this object. */
static void
bad_field(struct audit_report *r, const char *id, const char *kind,
    const char *name, const char *field)
{
	report_error(
	    r, id, "%s \"%s\": %s has an unexpected type", kind, name, field);
}

/* "", "root", "0", "0:0", "root:..." mean root. */
static int
user_is_root(const char *u)
{
	size_t n = strcspn(u, ":");

	return *u == '\0' || (n == 4 && strncmp(u, "root", 4) == 0) ||
	    (n == 1 && u[0] == '0');
}

/* Config.Healthcheck: 1 if it checks something. */
static int
has_healthcheck(const json_t *cfg, int *bad)
{
	json_t *hc, *test, *t0;
	int rc = jget_object(cfg, "Healthcheck", &hc);

	*bad = rc < 0;
	if (rc != 1)
		return 0;
	if (jget_array(hc, "Test", &test) != 1 || json_array_size(test) == 0)
		return 0;
	t0 = json_array_get(test, 0);
	return !(
	    json_is_string(t0) && strcmp(json_string_value(t0), "NONE") == 0);
}

/* Case-insensitive substring of the first `len` bytes. */
static int
contains_ci(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

int
audit_secret_name(const char *name, size_t len)
{
	return contains_ci(name, len, "PASSWORD") ||
	    contains_ci(name, len, "PASSWD") ||
	    contains_ci(name, len, "SECRET") ||
	    contains_ci(name, len, "TOKEN") || contains_ci(name, len, "KEY");
}

char *
audit_redact(const char *by)
{
	struct buf b;
	const char *p = by, *w, *eq;
	char q;

	buf_init(&b, 0);
	while (*p != '\0') {
		/* a word: NAME=value? */
		w = p;
		while (*p == '_' || isalnum((unsigned char)*p))
			p++;
		eq = p;
		if (eq > w && *eq == '=' &&
		    (w == by || !isalnum((unsigned char)w[-1])) &&
		    audit_secret_name(w, (size_t)(eq - w))) {
			buf_add(&b, w, (size_t)(eq - w) + 1);
			buf_adds(&b, "***");
			p = eq + 1;
			/* skip the value, quoted or up to a blank */
			if (*p == '"' || *p == '\'') {
				q = *p++;
				while (*p != '\0' && *p != q)
					p += p[0] == '\\' && p[1] != '\0' ? 2
									  : 1;
				if (*p == q)
					p++;
			} else
				while (*p != '\0' && *p != ' ' && *p != '\t')
					p++;
			continue;
		}
		if (p == w)
			p++;
		buf_add(&b, w, (size_t)(p - w));
	}
	return buf_detach(&b, NULL);
}

/* ---- history flags ---- */

static int
is_hex64(const char *p)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)p[i]) ||
		    isupper((unsigned char)p[i]))
			return 0;
	return 1;
}

static int
step_adds_url(const char *by)
{
	const char *p = by;

	while ((p = strstr(p, "ADD ")) != NULL) {
		if (p != by && p[-1] != ' ' && p[-1] != ')') {
			p += 4;
			continue;
		}
		p += 4;
		while (*p == ' ')
			p++;
		/* BuildKit writes the instruction as given: skip its flags */
		while (str_has_prefix(p, "--")) {
			p += strcspn(p, " ");
			while (*p == ' ')
				p++;
		}
		if (str_has_prefix(p, "http://") ||
		    str_has_prefix(p, "https://"))
			return 1;
		/*
		 * The classic builder records "ADD file:<sum> in" for files,
		 * "dir:" and "multi:" for trees, and a bare checksum for a
		 * download.
		 */
		if (is_hex64(p) && str_has_prefix(p + 64, " in "))
			return 1;
	}
	return 0;
}

/* A shell reading a download: (curl|wget) ... | [sudo] sh|bash|... */
static int
step_pipes_to_shell(const char *by)
{
	static const char *const shells[] = { "sh", "bash", "ash", "dash",
		"zsh", "ksh" };
	const char *dl, *bar, *w;
	size_t i, n;

	dl = strstr(by, "curl ");
	if (dl == NULL ||
	    (strstr(by, "wget ") != NULL && strstr(by, "wget ") < dl))
		dl = strstr(by, "wget ");
	for (; dl != NULL && (bar = strchr(dl, '|')) != NULL; dl = bar + 1) {
		if (bar[1] == '|')
			continue; /* "||" is not a pipe */
		w = bar + 1;
		while (*w == ' ')
			w++;
		if (str_has_prefix(w, "sudo "))
			w += 5;
		while (*w == ' ')
			w++;
		/* /bin/sh and /usr/bin/env bash */
		if (str_has_prefix(w, "/usr/bin/env "))
			w += 13;
		if (*w == '/' && strrchr(w, '/') != NULL) {
			const char *end = w + strcspn(w, " ;&|)");
			const char *slash = w;
			for (; w < end; w++)
				if (*w == '/')
					slash = w + 1;
			w = slash;
		}
		n = strcspn(w, " ;&|)\"'");
		for (i = 0; i < nitems(shells); i++)
			if (n == strlen(shells[i]) &&
			    strncmp(w, shells[i], n) == 0)
				return 1;
	}
	return 0;
}

void
audit_history_flags(const char *by, const char *flags[3])
{
	size_t n = 0;

	if (step_adds_url(by))
		flags[n++] = "add-url";
	if (step_pipes_to_shell(by))
		flags[n++] = "curl-pipe-sh";
	flags[n] = NULL;
}

/* ---- images ---- */

void
check_one_image(struct audit_report *r, const char *name, const json_t *ins,
    const json_t *hist)
{
	json_t *cfg = NULL, *env, *v, *e;
	const char *user = "", *by;
	char *safe;
	struct buf names;
	size_t i, nsteps;
	int rc, bad;

	rc = jget_object(ins, "Config", &cfg);
	if (rc < 0) {
		bad_field(r, "images.root-user", "image", name, "Config");
		bad_field(r, "images.no-healthcheck", "image", name, "Config");
		bad_field(r, "images.secret-env", "image", name, "Config");
	} else {
		rc = cfg ? jget_str(cfg, "User", &user) : 0;
		if (rc < 0)
			bad_field(r, "images.root-user", "image", name,
			    "Config.User");
		else if (user_is_root(user))
			report_add(r, "images.root-user", "image", name, NULL,
			    "Config.User is %s%s%s", *user ? "\"" : "",
			    *user ? user : "empty (root)", *user ? "\"" : "");
		if (!has_healthcheck(cfg, &bad)) {
			if (bad)
				bad_field(r, "images.no-healthcheck", "image",
				    name, "Config.Healthcheck");
			else
				report_add(r, "images.no-healthcheck", "image",
				    name, NULL, "no HEALTHCHECK");
		}
		buf_init(&names, 4096);
		rc = cfg ? jget_array(cfg, "Env", &env) : 0;
		if (rc < 0)
			bad_field(r, "images.secret-env", "image", name,
			    "Config.Env");
		else if (rc == 1)
			json_array_foreach(env, i, v)
			{
				const char *kv, *eq;
				char key[128];
				size_t n;
				if (!json_is_string(v))
					continue;
				kv = json_string_value(v);
				eq = strchr(kv, '=');
				n = eq ? (size_t)(eq - kv) : strlen(kv);
				if (n == 0 || n >= sizeof(key))
					continue;
				memcpy(key, kv, n);
				key[n] = '\0';
				/* the name only: never the value */
				if (audit_secret_name(key, n))
					buf_printf(&names, "%s%s",
					    names.len ? ", " : "", key);
			}
		if (names.len > 0)
			report_add(r, "images.secret-env", "image", name, NULL,
			    "ENV names a secret: %s (values not shown)",
			    names.data);
		buf_release(&names);
	}
	if (hist == NULL)
		return;
	/* history is newest first; count steps from the oldest */
	nsteps = json_array_size(hist);
	json_array_foreach(hist, i, e)
	{
		const char *flags[3];
		if (jget_str(e, "CreatedBy", &by) != 1)
			continue;
		audit_history_flags(by, flags);
		if (flags[0] == NULL)
			continue;
		safe = audit_redact(by);
		if (strcmp(flags[0], "add-url") == 0)
			report_add(r, "images.add-url", "image", name, NULL,
			    "step %zu: %.160s", nsteps - i, safe);
		if (strcmp(flags[0], "curl-pipe-sh") == 0 ||
		    (flags[1] != NULL && strcmp(flags[1], "curl-pipe-sh") == 0))
			report_add(r, "images.curl-pipe-sh", "image", name,
			    NULL, "step %zu: %.160s", nsteps - i, safe);
		free(safe);
	}
}

static void
image_checks_error(struct audit_report *r, const char *msg)
{
	report_error(r, "images.root-user", "%s", msg);
	report_error(r, "images.no-healthcheck", "%s", msg);
	report_error(r, "images.secret-env", "%s", msg);
	report_error(r, "images.add-url", "%s", msg);
	report_error(r, "images.curl-pipe-sh", "%s", msg);
}

void
checks_images(struct audit_ctx *a)
{
	const struct api_data *d = &a->api;
	char name[300];
	size_t i;

	if (!d->reached) {
		checks_source_missing(a->r, G_IMAGES, NEED_API, 1, d->err);
		return;
	}
	if (d->images == NULL) {
		image_checks_error(a->r, d->images_err);
		return;
	}
	for (i = 0; i < d->ni; i++) {
		const json_t *entry = json_array_get(d->images, i);
		image_name(entry, d->iins[i], name, sizeof(name));
		if (d->ierr[i] != NULL)
			image_checks_error(a->r, d->ierr[i]);
		if (d->iins[i] == NULL || d->igone[i])
			continue;
		check_one_image(a->r, name, d->iins[i], d->ihist[i]);
	}
}

/* ---- containers ---- */

struct cctx {
	struct audit_report *r;
	const json_t *c;
	char name[300];
	json_t *labels;
	int daemon_nnp;
	int apparmor_flagged; /* this container's apparmor finding */
};

static void cadd(struct cctx *cc, const char *id, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
cadd(struct cctx *cc, const char *id, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	report_add(cc->r, id, "container", cc->name, cc->labels, "%s", tmp);
}

static void
cbad(struct cctx *cc, const char *id, const char *field)
{
	bad_field(cc->r, id, "container", cc->name, field);
}

static void
caps(struct cctx *cc)
{
	struct buf danger, extra;
	json_t *add, *v;
	char cap[64];
	size_t i, j;
	int rc = jget_array(cc->c, "HostConfig.CapAdd", &add);

	if (rc < 0) {
		cbad(cc, "containers.cap-add-dangerous", "HostConfig.CapAdd");
		cbad(cc, "containers.cap-add", "HostConfig.CapAdd");
		return;
	}
	if (rc == 0)
		return;
	buf_init(&danger, 4096);
	buf_init(&extra, 4096);
	json_array_foreach(add, i, v)
	{
		const char *s;
		if (!json_is_string(v))
			continue;
		s = json_string_value(v);
		if (strncasecmp(s, "CAP_", 4) == 0)
			s += 4;
		for (j = 0; s[j] != '\0' && j + 1 < sizeof(cap); j++)
			cap[j] = (char)toupper((unsigned char)s[j]);
		cap[j] = '\0';
		if (in_list(cap, dangerous_caps, nitems(dangerous_caps)))
			buf_printf(
			    &danger, "%s%s", danger.len ? ", " : "", cap);
		else if (!in_list(cap, default_caps, nitems(default_caps)))
			buf_printf(&extra, "%s%s", extra.len ? ", " : "", cap);
	}
	if (danger.len)
		cadd(cc, "containers.cap-add-dangerous", "CapAdd: %s",
		    danger.data);
	if (extra.len)
		cadd(cc, "containers.cap-add", "CapAdd: %s", extra.data);
	buf_release(&danger);
	buf_release(&extra);
}

struct sc_ctx {
	struct cctx *cc;
};

static void
seccomp_finding(void *arg, const char *id, const char *evidence)
{
	struct cctx *cc = arg;

	cadd(cc, id, "custom seccomp profile: %s", evidence);
}

/* "key=value" or the older "key:value" of a SecurityOpt entry. */
static const char *
secopt_value(const char *opt, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(opt, key, n) == 0 && (opt[n] == '=' || opt[n] == ':'))
		return opt + n + 1;
	return NULL;
}

static void
security_opts(struct cctx *cc, int privileged)
{
	json_t *opts = NULL, *v;
	const char *s, *val, *aa = NULL;
	size_t i;
	int rc = jget_array(cc->c, "HostConfig.SecurityOpt", &opts), nnp = -1;

	if (rc < 0) {
		cbad(cc, "containers.seccomp-unconfined",
		    "HostConfig.SecurityOpt");
		cbad(cc, "containers.apparmor-unconfined",
		    "HostConfig.SecurityOpt");
		cbad(cc, "containers.no-new-privileges",
		    "HostConfig.SecurityOpt");
		return;
	}
	json_array_foreach(opts, i, v)
	{
		if (!json_is_string(v))
			continue;
		s = json_string_value(v);
		if ((val = secopt_value(s, "seccomp")) != NULL) {
			if (strcmp(val, "unconfined") == 0)
				cadd(cc, "containers.seccomp-unconfined",
				    "SecurityOpt seccomp=unconfined");
			else if (*val == '{') {
				cadd(cc, "containers.seccomp-custom",
				    "SecurityOpt holds a custom seccomp "
				    "profile (%zu bytes)",
				    strlen(val));
				seccomp_lint(
				    val, strlen(val), seccomp_finding, cc);
			}
		} else if ((val = secopt_value(s, "apparmor")) != NULL) {
			if (strcmp(val, "unconfined") == 0) {
				cadd(cc, "containers.apparmor-unconfined",
				    "SecurityOpt apparmor=unconfined");
				cc->apparmor_flagged = 1;
			}
		} else if ((val = secopt_value(s, "label")) != NULL) {
			/* Docker adds label=disable to privileged ones */
			if (strcmp(val, "disable") == 0 && !privileged)
				cadd(cc, "containers.selinux-disabled",
				    "SecurityOpt label=disable");
		} else if (strcmp(s, "no-new-privileges") == 0)
			nnp = 1;
		else if ((val = secopt_value(s, "no-new-privileges")) != NULL)
			nnp = strcmp(val, "true") == 0;
	}
	/* privileged containers are unconfined anyway: reported as such */
	if (!privileged && !cc->apparmor_flagged &&
	    jget_str(cc->c, "AppArmorProfile", &aa) == 1 &&
	    strcmp(aa, "unconfined") == 0)
		cadd(cc, "containers.apparmor-unconfined",
		    "AppArmorProfile is unconfined");
	if (nnp == 0)
		cadd(cc, "containers.no-new-privileges",
		    "SecurityOpt no-new-privileges:false");
	else if (nnp < 0 && !cc->daemon_nnp)
		cadd(cc, "containers.no-new-privileges",
		    "no-new-privileges is not set (container or daemon)");
}

static void
limits(struct cctx *cc)
{
	long long mem = 0, nano = 0, quota = 0, shares = 0, pids = 0;
	int rc;

	if ((rc = jget_int(cc->c, "HostConfig.Memory", &mem)) < 0)
		cbad(cc, "containers.no-memory-limit", "HostConfig.Memory");
	else if (mem <= 0)
		cadd(cc, "containers.no-memory-limit",
		    "HostConfig.Memory is 0 (unlimited)");
	if (jget_int(cc->c, "HostConfig.NanoCpus", &nano) < 0 ||
	    jget_int(cc->c, "HostConfig.CpuQuota", &quota) < 0 ||
	    jget_int(cc->c, "HostConfig.CpuShares", &shares) < 0)
		cbad(cc, "containers.no-cpu-limit",
		    "HostConfig.NanoCpus/CpuQuota/CpuShares");
	else if (nano <= 0 && quota <= 0 && (shares == 0 || shares == 1024))
		cadd(cc, "containers.no-cpu-limit",
		    "no NanoCpus, CpuQuota or CpuShares below 1024");
	if ((rc = jget_int(cc->c, "HostConfig.PidsLimit", &pids)) < 0)
		cbad(cc, "containers.no-pids-limit", "HostConfig.PidsLimit");
	else if (rc == 0 || pids <= 0)
		cadd(cc, "containers.no-pids-limit",
		    "HostConfig.PidsLimit is %s",
		    rc == 0         ? "unset"
			: pids == 0 ? "0"
				    : "-1");
}

static void
namespaces(struct cctx *cc)
{
	static const char *const modes[][2] = {
		{ "HostConfig.NetworkMode", "containers.host-network" },
		{ "HostConfig.PidMode", "containers.host-pid" },
		{ "HostConfig.IpcMode", "containers.host-ipc" },
		{ "HostConfig.UTSMode", "containers.host-uts" },
		{ "HostConfig.UsernsMode", "containers.host-userns" },
	};
	const char *v;
	size_t i;
	int rc;

	for (i = 0; i < nitems(modes); i++) {
		if ((rc = jget_str(cc->c, modes[i][0], &v)) < 0)
			cbad(cc, modes[i][1], modes[i][0]);
		else if (rc == 1 && strcmp(v, "host") == 0)
			cadd(cc, modes[i][1], "%s is host", modes[i][0] + 11);
	}
}

/* 1 if `src` is `dir` or below it. */
static int
under(const char *src, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return strcmp(src, "/") == 0;
	return strncmp(src, dir, n) == 0 && (src[n] == '\0' || src[n] == '/');
}

static void
one_mount(struct cctx *cc, const char *type, const char *src, const char *dst,
    int rw, const char *prop)
{
	size_t i;

	if (*prop != '\0' &&
	    (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0))
		cadd(cc, "containers.mount-propagation",
		    "%s mounted with %s propagation", dst, prop);
	if (strcmp(type, "bind") != 0)
		return;
	if (strlen(src) >= 11 &&
	    strcmp(src + strlen(src) - 11, "docker.sock") == 0) {
		cadd(cc, "containers.docker-socket", "%s mounted at %s%s", src,
		    dst, rw ? "" : " (read-only does not help)");
		return;
	}
	if (strcmp(src, "/run") == 0 || strcmp(src, "/var/run") == 0) {
		cadd(cc, "containers.docker-socket",
		    "%s, which holds the Docker socket, mounted at %s", src,
		    dst);
		return;
	}
	if (!rw)
		return;
	for (i = 0; i < nitems(sensitive_paths); i++)
		if (under(src, sensitive_paths[i])) {
			cadd(cc, "containers.sensitive-mount",
			    "%s mounted read-write at %s", src, dst);
			return;
		}
}

static void
mounts(struct cctx *cc)
{
	static const char *const ids[] = { "containers.docker-socket",
		"containers.sensitive-mount", "containers.mount-propagation" };
	json_t *ms, *m, *binds;
	const char *type, *src, *dst, *prop;
	size_t i, k;
	int rw, rc = jget_array(cc->c, "Mounts", &ms);

	if (rc < 0) {
		for (k = 0; k < nitems(ids); k++)
			cbad(cc, ids[k], "Mounts");
		return;
	}
	if (rc == 1) {
		json_array_foreach(ms, i, m)
		{
			type = src = dst = prop = "";
			rw = 1;
			if (!json_is_object(m) ||
			    jget_str(m, "Type", &type) < 0 ||
			    jget_str(m, "Source", &src) < 0 ||
			    jget_str(m, "Destination", &dst) < 0 ||
			    jget_bool(m, "RW", &rw) < 0 ||
			    jget_str(m, "Propagation", &prop) < 0) {
				for (k = 0; k < nitems(ids); k++)
					cbad(cc, ids[k], "Mounts[]");
				continue;
			}
			one_mount(cc, type, src, dst, rw, prop);
		}
		return;
	}
	/* no Mounts: read the configured binds ("src:dst[:opts]") */
	if (jget_array(cc->c, "HostConfig.Binds", &binds) != 1)
		return;
	json_array_foreach(binds, i, m)
	{
		char b[1024], *d, *o;
		if (!json_is_string(m) ||
		    strlen(json_string_value(m)) >= sizeof(b))
			continue;
		snprintf(b, sizeof(b), "%s", json_string_value(m));
		if ((d = strchr(b, ':')) == NULL)
			continue;
		*d++ = '\0';
		o = strchr(d, ':');
		if (o != NULL)
			*o++ = '\0';
		if (b[0] != '/')
			continue; /* a named volume */
		one_mount(cc, "bind", b, d, !(o && strstr(o, "ro")),
		    o && strstr(o, "rshared")      ? "rshared"
			: o && strstr(o, "shared") ? "shared"
						   : "");
	}
}

static void
ports(struct cctx *cc)
{
	json_t *pb, *list, *b;
	const char *key, *ip, *hp;
	size_t i;
	long long port;
	int rc = jget_object(cc->c, "HostConfig.PortBindings", &pb), all = 0;

	if (rc < 0) {
		cbad(cc, "containers.ports-all-interfaces",
		    "HostConfig.PortBindings");
		cbad(cc, "containers.privileged-ports",
		    "HostConfig.PortBindings");
		return;
	}
	if (jget_bool(cc->c, "HostConfig.PublishAllPorts", &all) == 1 && all)
		cadd(cc, "containers.ports-all-interfaces",
		    "PublishAllPorts (-P) publishes every exposed port on "
		    "every interface");
	json_object_foreach(pb, key, list)
	{
		if (!json_is_array(list))
			continue;
		json_array_foreach(list, i, b)
		{
			ip = hp = "";
			if (jget_str(b, "HostIp", &ip) < 0 ||
			    jget_str(b, "HostPort", &hp) < 0) {
				cbad(cc, "containers.ports-all-interfaces",
				    "HostConfig.PortBindings[]");
				continue;
			}
			if (*ip == '\0' || strcmp(ip, "0.0.0.0") == 0 ||
			    strcmp(ip, "::") == 0 || strcmp(ip, "[::]") == 0)
				cadd(cc, "containers.ports-all-interfaces",
				    "%s%s%s:%s->%s", strchr(ip, ':') ? "[" : "",
				    *ip ? ip : "0.0.0.0",
				    strchr(ip, ':') ? "]" : "", *hp ? hp : "*",
				    key);
			if (parse_int(hp, 1, 1023, &port) == 0)
				cadd(cc, "containers.privileged-ports",
				    "host port %s->%s", hp, key);
		}
	}
}

static void
misc(struct cctx *cc)
{
	json_t *devs, *dv, *cfg = NULL;
	const char *s = "", *pol = "";
	long long max = 0;
	int ro = 0, rc, bad;
	size_t i;
	struct buf b;

	if ((rc = jget_bool(cc->c, "HostConfig.ReadonlyRootfs", &ro)) < 0)
		cbad(cc, "containers.writable-rootfs",
		    "HostConfig.ReadonlyRootfs");
	else if (!ro)
		cadd(cc, "containers.writable-rootfs",
		    "HostConfig.ReadonlyRootfs is false");
	if (jget_str(cc->c, "HostConfig.RestartPolicy.Name", &pol) < 0 ||
	    jget_int(
		cc->c, "HostConfig.RestartPolicy.MaximumRetryCount", &max) < 0)
		cbad(cc, "containers.restart-policy",
		    "HostConfig.RestartPolicy");
	else if (strcmp(pol, "always") == 0 ||
	    strcmp(pol, "unless-stopped") == 0)
		cadd(cc, "containers.restart-policy", "restart policy %s", pol);
	else if (strcmp(pol, "on-failure") == 0 && (max <= 0 || max > 5))
		cadd(cc, "containers.restart-policy",
		    "restart policy on-failure with %s retries",
		    max <= 0 ? "unlimited" : "more than 5");
	if ((rc = jget_array(cc->c, "HostConfig.Devices", &devs)) < 0)
		cbad(cc, "containers.devices", "HostConfig.Devices");
	else if (rc == 1 && json_array_size(devs) > 0) {
		buf_init(&b, 4096);
		json_array_foreach(devs, i, dv)
		{
			const char *p = "?";
			jget_str(dv, "PathOnHost", &p);
			buf_printf(&b, "%s%s", b.len ? ", " : "", p);
		}
		cadd(cc, "containers.devices", "devices: %s", b.data);
		buf_release(&b);
	}
	if ((rc = jget_str(cc->c, "HostConfig.CgroupParent", &s)) < 0)
		cbad(cc, "containers.cgroup-parent", "HostConfig.CgroupParent");
	else if (rc == 1 && *s != '\0')
		cadd(cc, "containers.cgroup-parent", "CgroupParent is %s", s);
	if ((rc = jget_object(cc->c, "Config", &cfg)) < 0) {
		cbad(cc, "containers.root-user", "Config");
		cbad(cc, "containers.no-healthcheck", "Config");
		return;
	}
	s = "";
	if (cfg != NULL && (rc = jget_str(cfg, "User", &s)) < 0)
		cbad(cc, "containers.root-user", "Config.User");
	else if (user_is_root(s))
		cadd(cc, "containers.root-user", "Config.User is %s%s%s",
		    *s ? "\"" : "", *s ? s : "empty (root)", *s ? "\"" : "");
	if (!has_healthcheck(cfg, &bad)) {
		if (bad)
			cbad(cc, "containers.no-healthcheck",
			    "Config.Healthcheck");
		else
			cadd(
			    cc, "containers.no-healthcheck", "no health check");
	}
}

void
check_container(struct audit_ctx *a, const json_t *c)
{
	struct cctx cc;
	int priv = 0, rc;

	memset(&cc, 0, sizeof(cc));
	cc.r = a->r;
	cc.c = c;
	container_name(c, cc.name, sizeof(cc.name));
	if (jget_object(c, "Config.Labels", &cc.labels) != 1)
		cc.labels = NULL;
	cc.daemon_nnp = a->api.info != NULL &&
	    info_has_secopt(a->api.info, "name=no-new-privileges");
	if ((rc = jget_bool(c, "HostConfig.Privileged", &priv)) < 0)
		cbad(&cc, "containers.privileged", "HostConfig.Privileged");
	else if (priv)
		cadd(&cc, "containers.privileged",
		    "HostConfig.Privileged is "
		    "true");
	caps(&cc);
	security_opts(&cc, priv);
	limits(&cc);
	namespaces(&cc);
	mounts(&cc);
	ports(&cc);
	misc(&cc);
}

static void
container_checks_error(struct audit_report *r, const char *msg)
{
	size_t i;

	for (i = 0; i < audit_ncheck; i++)
		if (audit_checks[i].group == G_CONTAINERS ||
		    audit_checks[i].group == G_SECCOMP)
			report_error(r, audit_checks[i].id, "%s", msg);
}

void
check_container_error(struct audit_ctx *a, const char *msg)
{
	container_checks_error(a->r, msg);
}

void
checks_containers(struct audit_ctx *a)
{
	const struct api_data *d = &a->api;

	if (!d->reached) {
		container_checks_error(a->r, d->err);
		return;
	}
	if (d->containers == NULL)
		container_checks_error(a->r, d->containers_err);
	/* the listed ones were judged as their answers came */
}

/* ---- sprawl ---- */

void
checks_sprawl(struct audit_ctx *a)
{
	const struct api_data *d = &a->api;
	const char *st, *img, *id;
	char name[300];
	size_t i, j;
	int used;

	if (!d->reached) {
		checks_source_missing(a->r, G_SPRAWL, NEED_API, 1, d->err);
		return;
	}
	if (d->containers == NULL) {
		report_error(
		    a->r, "sprawl.stopped-containers", "%s", d->containers_err);
		report_error(
		    a->r, "sprawl.unused-images", "%s", d->containers_err);
		return;
	}
	for (i = 0; i < d->nc; i++) {
		const json_t *c = json_array_get(d->containers, i);
		if (jget_str(c, "State", &st) != 1)
			continue;
		if (strcmp(st, "running") != 0 && strcmp(st, "paused") != 0 &&
		    strcmp(st, "restarting") != 0) {
			const json_t *names = json_object_get(c, "Names");
			const json_t *n0 = json_array_get(names, 0);
			const char *nm =
			    json_is_string(n0) ? json_string_value(n0) : "?";
			json_t *labels = NULL;
			if (jget_object(c, "Labels", &labels) != 1)
				labels = NULL;
			report_add(a->r, "sprawl.stopped-containers",
			    "container", nm[0] == '/' ? nm + 1 : nm, labels,
			    "state %s", st);
		}
	}
	if (d->images == NULL) {
		report_error(a->r, "sprawl.unused-images", "%s", d->images_err);
		return;
	}
	for (i = 0; i < d->ni; i++) {
		const json_t *im = json_array_get(d->images, i);
		if (jget_str(im, "Id", &id) != 1)
			continue;
		used = 0;
		for (j = 0; j < d->nc && !used; j++)
			used = jget_str(json_array_get(d->containers, j),
				   "ImageID", &img) == 1 &&
			    strcmp(img, id) == 0;
		if (!used) {
			image_name(im, d->iins[i], name, sizeof(name));
			report_add(a->r, "sprawl.unused-images", "image", name,
			    NULL, "no container uses %.19s", id);
		}
	}
}
