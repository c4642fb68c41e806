/*
 * ssh.c: connecting (ssh_config, TCP, ProxyJump, key exchange, host key
 * check), the blocking helpers over loop-mode sessions, remote commands
 * and streams to the remote Docker socket (see ssh.h).
 */
#include "common/compat.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/endpoint.h"
#include "tunnel/knownhosts.h"
#include "common/log.h"
#include "tunnel/shquote.h"
#include "tunnel/ssh-int.h"
#include "keystore/sshkey.h"
#include "common/util.h"
#include "common/xmalloc.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000 /* issue 13: fail within 10 s */
#define DEFAULT_TIMEOUT_MS 30000
#define EXEC_LOOK_MS 200 /* ssh_exec looks at libssh2's state this often */
#define MAX_HOPS 4

static const char default_ciphers[] =
    "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,"
    "aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";
static const char default_macs[] =
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
    "hmac-sha2-256,hmac-sha2-512,hmac-sha1-etm@openssh.com,hmac-sha1";
static const char default_hostkeys[] =
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
    "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256";

/* One host to reach: the target or a hop, after ssh_config. */
struct hop {
	char *alias;
	char *host;
	char *user;
	int port;
	struct ssh_host_config cfg;
};

const char *
tunnel_mode_name(enum tunnel_mode m)
{
	switch (m) {
	case TUNNEL_STREAMLOCAL:
		return "streamlocal";
	case TUNNEL_DIAL_STDIO:
		return "dial-stdio";
	default:
		return "auto";
	}
}

int
tunnel_mode_parse(const char *s, enum tunnel_mode *m)
{
	if (s == NULL || strcmp(s, "auto") == 0)
		*m = TUNNEL_AUTO;
	else if (strcmp(s, "streamlocal") == 0)
		*m = TUNNEL_STREAMLOCAL;
	else if (strcmp(s, "dial-stdio") == 0)
		*m = TUNNEL_DIAL_STDIO;
	else
		return -1;
	return 0;
}

char *
ssh_dial_stdio_command(const char *remote_socket)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "docker");
	if (remote_socket != NULL && *remote_socket != '\0') {
		char *url = xasprintf("unix://%s", remote_socket);
		buf_adds(&b, " --host ");
		shell_quote(&b, url);
		free(url);
	}
	buf_adds(&b, " system dial-stdio");
	return buf_detach(&b, NULL);
}

uint64_t
ssh_deadline(int ms)
{
	return ms < 0 ? 0 : now_us() + (uint64_t)ms * 1000;
}

int
ssh_session_broken(int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_DECRYPT:
	case LIBSSH2_ERROR_INVALID_MAC:
	case LIBSSH2_ERROR_ALLOC:
	case LIBSSH2_ERROR_PROTO:
	case LIBSSH2_ERROR_BAD_SOCKET:
	case LIBSSH2_ERROR_OUT_OF_BOUNDARY:
		return 1;
	default:
		return 0;
	}
}

int
ssh_lib_error(
    LIBSSH2_SESSION *s, struct cm_err *err, int code, const char *what)
{
	char *msg = NULL;
	int len = 0, rc;

	rc = libssh2_session_last_error(s, &msg, &len, 0);
	if (code == 0)
		code = ssh_session_broken(rc) ? ERR_NET : ERR_PROTO;
	if (msg != NULL && len > 0)
		return err_set(err, code, "%s: %.*s", what, len, msg);
	return err_set(err, code, "%s: libssh2 error %d", what, rc);
}

void
ssh_loop_mode(struct ssh_conn *c)
{
	libssh2_session_set_blocking(c->s, 0);
	c->x.loop_mode = 1;
}

int
ssh_wait(struct ssh_conn *c, uint64_t deadline_us, struct cm_err *err)
{
	struct pollfd pfd;
	uint64_t now;
	int ms, n;

	if (xport_flush(&c->x) != 0)
		return err_set(err, ERR_NET, "connection to \"%s\" lost: %s",
		    c->info.alias, strerror(c->x.error));
	for (;;) {
		ms = -1;
		if (deadline_us != 0) {
			now = now_us();
			if (now >= deadline_us)
				return err_set(err, ERR_TIMEOUT,
				    "no answer from \"%s\" in time",
				    c->info.alias);
			ms = (int)((deadline_us - now + 999) / 1000);
		}
		pfd.fd = c->x.fd;
		pfd.events = POLLIN | (xport_queued(&c->x) ? POLLOUT : 0);
		pfd.revents = 0;
		n = poll(&pfd, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(err, "poll");
		if (n == 0)
			continue;
		if (pfd.revents & POLLOUT) {
			if (xport_flush(&c->x) != 0)
				return err_set(err, ERR_NET,
				    "connection to \"%s\" lost: %s",
				    c->info.alias, strerror(c->x.error));
			if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
		}
		return 0;
	}
}

/* TCP connect with a timeout; returns the socket or a negative ERR_*. */
static int
tcp_connect(const char *host, int port, int timeout_ms, struct cm_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, rc, soerr, last_errno = 0;
	socklen_t sl;
	uint64_t deadline = ssh_deadline(timeout_ms);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0)
		return err_set(err, ERR_NET, "cannot resolve \"%s\": %s", host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			int left;
			for (;;) {
				uint64_t now = now_us();
				left = now >= deadline
				    ? 0
				    : (int)((deadline - now) / 1000);
				rc = poll(&pfd, 1, left);
				if (rc < 0 && errno == EINTR)
					continue;
				break;
			}
			if (rc == 0) {
				close(fd);
				fd = -1;
				last_errno = ETIMEDOUT;
				break;
			}
			sl = sizeof(soerr);
			if (rc > 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) ==
				0 &&
			    soerr == 0)
				break;
			last_errno = rc > 0 ? soerr : errno;
		} else
			last_errno = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (last_errno == ETIMEDOUT)
			return err_set(err, ERR_TIMEOUT,
			    "connection to \"%s\" port %d timed out after "
			    "%d ms",
			    host, port, timeout_ms);
		if (last_errno == ECONNREFUSED)
			return err_set(err, ERR_NET,
			    "connection to \"%s\" port %d refused (is sshd "
			    "running there?)",
			    host, port);
		return err_set(err, ERR_NET,
		    "cannot connect to \"%s\" port %d: %s", host, port,
		    strerror(last_errno));
	}
	return fd;
}

/* Apply Ciphers-style lists: "+x" appends, "-x" removes, "^x" prepends. */
static char *
algo_list(const char *cfg, const char *def)
{
	struct buf b;
	struct strv parts = { 0 };
	char *copy, *p, *tok;
	size_t i;

	if (cfg == NULL)
		return xstrdup(def);
	if (cfg[0] != '+' && cfg[0] != '-' && cfg[0] != '^')
		return xstrdup(cfg);
	buf_init(&b, 0);
	if (cfg[0] == '^')
		buf_printf(&b, "%s,%s", cfg + 1, def);
	else if (cfg[0] == '+')
		buf_printf(&b, "%s,%s", def, cfg + 1);
	else {
		copy = xstrdup(def);
		for (p = copy; (tok = strsep(&p, ",")) != NULL;)
			if (!ssh_pattern_list_match(tok, cfg + 1))
				strv_push(&parts, tok);
		for (i = 0; i < parts.n; i++)
			buf_printf(&b, "%s%s", i ? "," : "", parts.v[i]);
		strv_free(&parts);
		free(copy);
	}
	return buf_detach(&b, NULL);
}

/* Host key algorithms: the types known_hosts holds first. */
static char *
hostkey_prefs(const struct strv *known, const char *cfg)
{
	struct buf b;
	size_t i;

	if (cfg != NULL && cfg[0] != '+' && cfg[0] != '-' && cfg[0] != '^')
		return xstrdup(cfg);
	buf_init(&b, 0);
	for (i = 0; i < known->n; i++) {
		const char *t = known->v[i];
		if (strcmp(t, "ssh-rsa") == 0)
			buf_adds(&b, "rsa-sha2-512,rsa-sha2-256,ssh-rsa,");
		else if (strcmp(t, "ssh-dss") == 0 || strncmp(t, "sk-", 3) == 0)
			continue; /* libssh2 cannot use these */
		else
			buf_printf(&b, "%s,", t);
	}
	char *rest = algo_list(cfg, default_hostkeys);
	buf_adds(&b, rest);
	free(rest);
	return buf_detach(&b, NULL);
}

static int
set_prefs(LIBSSH2_SESSION *s, int type, const char *list, const char *what,
    struct cm_err *err)
{
	if (libssh2_session_method_pref(s, type, list) != 0)
		return err_set(err, ERR_INVALID,
		    "%s \"%s\": none of them is supported", what, list);
	return 0;
}

static const char *
local_user_name(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *u = getenv("USER");

	if (pw != NULL)
		return pw->pw_name;
	return u ? u : "root";
}

static void
hop_release(struct hop *h)
{
	free(h->alias);
	free(h->host);
	free(h->user);
	sshconfig_release(&h->cfg);
}

/* Resolve one host through ssh_config (user and port may be preset). */
static int
hop_resolve(struct hop *h, const char *alias, const char *user, int port,
    const struct ssh_params *p, const char *home, struct cm_err *err)
{
	struct ssh_config_env env = { home, local_user_name(), user };
	char *cfgpath = NULL;
	size_t i;
	int r = 0;

	memset(h, 0, sizeof(*h));
	sshconfig_init(&h->cfg);
	h->alias = xstrdup(alias);
	if (user != NULL)
		h->cfg.user = xstrdup(user);
	h->cfg.port = port;
	if (p->ssh_config == NULL)
		cfgpath = xasprintf("%s/.ssh/config", home);
	else if (strcmp(p->ssh_config, "none") != 0)
		cfgpath = xstrdup(p->ssh_config);
	if (cfgpath != NULL)
		r = sshconfig_load(cfgpath, alias, &env, &h->cfg, err);
	free(cfgpath);
	if (r != 0)
		return r;
	for (i = 0; i < h->cfg.warnings.n; i++)
		log_warn("%s", h->cfg.warnings.v[i]);
	if (h->cfg.proxy_command != NULL)
		return err_set(err, ERR_INVALID,
		    "host \"%s\": ProxyCommand is not supported (ctxmgr runs "
		    "no local commands); use ProxyJump",
		    alias);
	h->host = xstrdup(h->cfg.hostname ? h->cfg.hostname : alias);
	h->user = xstrdup(h->cfg.user ? h->cfg.user : env.local_user);
	h->port = h->cfg.port ? h->cfg.port : 22;
	if ((r = endpoint_check_host(h->host, err)) != 0 ||
	    (r = endpoint_check_user(h->user, err)) != 0)
		return err_prefix(err, "host \"%s\"", alias);
	return 0;
}

/* Split "[user@]host[:port]" or an ssh:// URL of a ProxyJump list. */
static int
parse_jump(const char *spec, char **userp, char **hostp, int *portp,
    struct cm_err *err)
{
	struct endpoint ep;
	char *url;
	int r;

	*userp = *hostp = NULL;
	*portp = 0;
	if (str_has_prefix(spec, "ssh://"))
		url = xstrdup(spec);
	else
		url = xasprintf("ssh://%s", spec);
	r = endpoint_parse(url, &ep, err);
	free(url);
	if (r == 0 && ep.path != NULL)
		r = err_set(err, ERR_INVALID, "a path is not allowed");
	if (r == 0) {
		*userp = ep.user ? xstrdup(ep.user) : NULL;
		*hostp = xstrdup(ep.host);
		*portp = ep.port;
	}
	endpoint_free(&ep);
	if (r != 0)
		err_prefix(err, "ProxyJump \"%s\"", spec);
	return r;
}

struct connect_ctx {
	const struct ssh_params *p;
	const char *home;
	enum hostkey_policy policy; /* from the caller, or HKP_UNSET */
	int connect_timeout_ms; /* TCP connect and the key exchange */
};

static int
check_host_key(struct ssh_conn *c, struct hop *h, struct connect_ctx *cc,
    struct known_hosts *kh, const char *khname, const char *khwrite,
    struct cm_err *err)
{
	const unsigned char *blob;
	const struct kh_entry *known = NULL;
	enum hostkey_policy pol;
	char fp[64], kfp[64], type[64];
	size_t len = 0;
	int htype = 0;

	blob =
	    (const unsigned char *)libssh2_session_hostkey(c->s, &len, &htype);
	if (blob == NULL ||
	    sshkey_blob_type(blob, len, type, sizeof(type)) != 0)
		return err_set(
		    err, ERR_PROTO, "\"%s\" sent no usable host key", h->alias);
	sshkey_fingerprint(blob, len, fp);
	snprintf(
	    c->info.hostkey_type, sizeof(c->info.hostkey_type), "%s", type);
	snprintf(c->info.hostkey_fp, sizeof(c->info.hostkey_fp), "%s", fp);
	pol = cc->policy != HKP_UNSET ? cc->policy : h->cfg.strict;
	if (pol == HKP_UNSET)
		pol = cc->p->host_key_default;
	if (pol == HKP_UNSET || pol == HKP_ASK)
		pol = HKP_YES;
	switch (knownhosts_check(kh, khname, blob, len, &known)) {
	case KH_MATCH:
		return 0;
	case KH_REVOKED:
		return err_set(err, ERR_HOSTKEY,
		    "the host key of \"%s\" (%s %s) is marked @revoked in "
		    "\"%s\"",
		    khname, sshkey_type_name_label(type), fp, known->file);
	case KH_CHANGED:
		sshkey_fingerprint(known->blob, known->bloblen, kfp);
		return err_set(err, ERR_HOSTKEY,
		    "the host key of \"%s\" has changed: known %s %s (\"%s\" "
		    "line %d), offered %s %s; someone may be intercepting the "
		    "connection, or the host was reinstalled: check the new "
		    "key, then remove the old line (ssh-keygen -R '%s')",
		    khname, sshkey_type_name_label(known->type), kfp,
		    known->file, known->line, sshkey_type_name_label(type), fp,
		    khname);
	case KH_UNKNOWN:
		break;
	}
	if (pol == HKP_YES)
		return err_set(err, ERR_HOSTKEY,
		    "the host key of \"%s\" is not known (%s %s); if that is "
		    "the right key, connect once with --accept-new (or set "
		    "StrictHostKeyChecking accept-new for this host in "
		    "ssh_config)",
		    khname, sshkey_type_name_label(type), fp);
	if (knownhosts_add(khwrite, khname, blob, len, err) != 0)
		return err_prefix(
		    err, "cannot record the host key of \"%s\"", khname);
	c->info.hostkey_added = 1;
	log_info("added the host key of \"%s\" (%s %s) to \"%s\"", khname,
	    sshkey_type_name_label(type), fp, khwrite);
	return 0;
}

/* Expand a path option with the hop's tokens. */
static int
expand_path(const struct hop *h, const char *home, const char *raw, char **outp,
    struct cm_err *err)
{
	struct ssh_tokens t = { home, h->host, h->alias, h->user,
		local_user_name(), h->port };

	return sshconfig_expand(raw, &t, outp, err);
}

/* Key exchange, host key check and authentication on `fd`. */
static int
session_setup(struct ssh_conn *c, struct hop *h, int fd, int explicit_target,
    struct connect_ctx *cc, struct cm_err *err)
{
	const struct ssh_params *p = cc->p;
	struct known_hosts kh;
	struct strv khfiles = { 0 }, types = { 0 }, ids = { 0 };
	char *khname = NULL, *list = NULL, *path = NULL, *agent = NULL;
	const char *m;
	uint64_t t0;
	size_t i, nnamed;
	int r;

	knownhosts_init(&kh);
	if ((c->s = xport_session_new(&c->x, fd)) == NULL) {
		close(fd);
		return err_set(err, ERR_NOMEM, "cannot start an SSH session");
	}
	/* ConnectTimeout bounds the key exchange too, as in ssh */
	libssh2_session_set_timeout(c->s, cc->connect_timeout_ms);
	libssh2_session_flag(c->s, LIBSSH2_FLAG_SIGPIPE, 0);

	/* known_hosts: the caller's file, UserKnownHostsFile, the default */
	if (explicit_target && p->known_hosts != NULL)
		strv_push(&khfiles, p->known_hosts);
	else if (h->cfg.known_hosts.n > 0) {
		for (i = 0; i < h->cfg.known_hosts.n; i++) {
			if (strcmp(h->cfg.known_hosts.v[i], "none") == 0)
				continue;
			if ((r = expand_path(h, cc->home,
				 h->cfg.known_hosts.v[i], &path, err)) != 0)
				goto out;
			strv_push_owned(&khfiles, path);
			path = NULL;
		}
	} else {
		strv_push_owned(
		    &khfiles, xasprintf("%s/.ssh/known_hosts", cc->home));
		strv_push_owned(
		    &khfiles, xasprintf("%s/.ssh/known_hosts2", cc->home));
	}
	for (i = 0; i < khfiles.n; i++)
		if ((r = knownhosts_load(&kh, khfiles.v[i], err)) != 0)
			goto out;
	if (kh.bad_lines > 0)
		log_info("known_hosts: skipped %zu lines that do not parse",
		    kh.bad_lines);
	khname = knownhosts_name(
	    h->cfg.host_key_alias ? h->cfg.host_key_alias : h->host, h->port);
	knownhosts_types(&kh, khname, &types);

	list = hostkey_prefs(&types, h->cfg.hostkey_algorithms);
	if ((r = set_prefs(c->s, LIBSSH2_METHOD_HOSTKEY, list,
		 "HostKeyAlgorithms", err)) != 0)
		goto out;
	free(list);
	list = algo_list(h->cfg.ciphers, default_ciphers);
	if ((r = set_prefs(
		 c->s, LIBSSH2_METHOD_CRYPT_CS, list, "Ciphers", err)) != 0 ||
	    (r = set_prefs(
		 c->s, LIBSSH2_METHOD_CRYPT_SC, list, "Ciphers", err)) != 0)
		goto out;
	free(list);
	list = algo_list(h->cfg.macs, default_macs);
	if ((r = set_prefs(c->s, LIBSSH2_METHOD_MAC_CS, list, "MACs", err)) !=
		0 ||
	    (r = set_prefs(c->s, LIBSSH2_METHOD_MAC_SC, list, "MACs", err)) !=
		0)
		goto out;
	free(list);
	list = NULL;
	if (h->cfg.kex != NULL &&
	    (r = set_prefs(c->s, LIBSSH2_METHOD_KEX, h->cfg.kex,
		 "KexAlgorithms", err)) != 0)
		goto out;

	t0 = now_us();
	if ((r = libssh2_session_handshake(c->s, fd)) != 0) {
		char what[400];
		snprintf(what, sizeof(what),
		    "SSH handshake with \"%s\" port %d failed", h->host,
		    h->port);
		r = ssh_lib_error(c->s, err,
		    r == LIBSSH2_ERROR_TIMEOUT ? ERR_TIMEOUT : ERR_NET, what);
		goto out;
	}
	if ((r = check_host_key(c, h, cc, &kh, khname,
		 khfiles.n ? khfiles.v[0] : "known_hosts", err)) != 0)
		goto out;
	libssh2_session_set_timeout(c->s, c->timeout_ms);
	c->info.kex_us += now_us() - t0;
	if ((m = libssh2_session_methods(c->s, LIBSSH2_METHOD_CRYPT_CS)))
		snprintf(c->info.cipher, sizeof(c->info.cipher), "%s", m);
	if ((m = libssh2_session_methods(c->s, LIBSSH2_METHOD_MAC_CS)))
		snprintf(c->info.mac, sizeof(c->info.mac), "%s", m);
	if ((m = libssh2_session_methods(c->s, LIBSSH2_METHOD_KEX)))
		snprintf(c->info.kex, sizeof(c->info.kex), "%s", m);

	/* identities: the caller's, then IdentityFile, else the defaults */
	if (explicit_target && p->identity != NULL)
		strv_push(&ids, p->identity);
	for (i = 0; i < h->cfg.identity_files.n; i++) {
		if (strcasecmp(h->cfg.identity_files.v[i], "none") == 0)
			continue;
		if ((r = expand_path(h, cc->home, h->cfg.identity_files.v[i],
			 &path, err)) != 0)
			goto out;
		strv_push_owned(&ids, path);
		path = NULL;
	}
	nnamed = ids.n;
	if (h->cfg.identity_files.n == 0) {
		static const char *const defaults[] = { "id_rsa", "id_ecdsa",
			"id_ed25519" };
		for (i = 0; i < nitems(defaults); i++)
			strv_push_owned(&ids,
			    xasprintf("%s/.ssh/%s", cc->home, defaults[i]));
	}
	if (explicit_target && p->agent_socket != NULL)
		agent = xstrdup(p->agent_socket);
	else if (h->cfg.identity_agent != NULL &&
	    strcmp(h->cfg.identity_agent, "SSH_AUTH_SOCK") != 0) {
		const char *ia = h->cfg.identity_agent;
		if (ia[0] == '$') {
			const char *v = getenv(ia + 1);
			agent = v ? xstrdup(v) : NULL;
		} else if ((r = expand_path(h, cc->home, ia, &agent, err)) != 0)
			goto out;
	} else if (getenv("SSH_AUTH_SOCK") != NULL)
		agent = xstrdup(getenv("SSH_AUTH_SOCK"));

	t0 = now_us();
	struct ssh_auth_input ai = { h->user, agent, &ids,
		explicit_target ? p->identity : NULL,
		h->cfg.identities_only == 1, p->passphrase, p->passphrase_arg,
		nnamed };
	r = ssh_auth(c, &ai, err);
	c->info.auth_us += now_us() - t0;
out:
	free(agent);
	free(list);
	free(khname);
	strv_free(&khfiles);
	strv_free(&types);
	strv_free(&ids);
	knownhosts_release(&kh);
	return r;
}

static struct ssh_conn *
conn_new(int timeout_ms)
{
	struct ssh_conn *c = xcalloc(1, sizeof(*c));

	c->x.fd = -1;
	c->timeout_ms = timeout_ms;
	return c;
}

/* Free a connection's session and hops without a goodbye. */
static void
conn_free(struct ssh_conn *c)
{
	if (c == NULL)
		return;
	if (c->s != NULL) {
		c->x.dead = 1;
		libssh2_session_set_blocking(c->s, 0);
		libssh2_session_free(c->s);
	}
	if (c->x.fd >= 0)
		close(c->x.fd);
	xport_release(&c->x);
	if (c->jump != NULL)
		jump_stop(c->jump);
	free(c->dial_cmd);
	free(c);
}

static void
fill_info(struct ssh_conn *c, const struct hop *h, const char *remote)
{
	snprintf(c->info.alias, sizeof(c->info.alias), "%s", h->alias);
	snprintf(c->info.host, sizeof(c->info.host), "%s", h->host);
	snprintf(c->info.user, sizeof(c->info.user), "%s", h->user);
	c->info.port = h->port;
	snprintf(c->info.remote_socket, sizeof(c->info.remote_socket), "%s",
	    remote ? remote : ENDPOINT_DEFAULT_REMOTE_SOCKET);
	c->info.alive_interval =
	    h->cfg.alive_interval >= 0 ? h->cfg.alive_interval : -1;
	c->info.alive_count = h->cfg.alive_count >= 0 ? h->cfg.alive_count : 3;
}

/*
 * The hops of h's ProxyJump (none when it has none, or "none"), each
 * resolved through ssh_config, into out[0..*np); at most MAX_HOPS.
 */
static int
resolve_jumps(const struct hop *h, struct hop *out, int *np,
    const struct ssh_params *p, const char *home, struct cm_err *err)
{
	char *spec, *s, *tok;
	int r = 0;

	*np = 0;
	if (h->cfg.proxy_jump == NULL ||
	    strcasecmp(h->cfg.proxy_jump, "none") == 0)
		return 0;
	spec = xstrdup(h->cfg.proxy_jump);
	for (s = spec; r == 0 && (tok = strsep(&s, ",")) != NULL;) {
		char *ju = NULL, *jh = NULL;
		int jp = 0;
		if (*np == MAX_HOPS) {
			r = err_set(err, ERR_INVALID,
			    "ProxyJump \"%s\": more than %d hops",
			    h->cfg.proxy_jump, MAX_HOPS);
			break;
		}
		if ((r = parse_jump(tok, &ju, &jh, &jp, err)) == 0)
			r = hop_resolve(&out[*np], jh, ju, jp, p, home, err);
		free(ju);
		free(jh);
		(*np)++;
	}
	free(spec);
	return r;
}

int
ssh_connect(
    const struct ssh_params *p, struct ssh_conn **connp, struct cm_err *err)
{
	struct connect_ctx cc = { p, NULL, p->host_key_policy };
	struct endpoint ep;
	struct hop target, hops[MAX_HOPS];
	struct ssh_conn *c = NULL, *via = NULL;
	int nhops = 0, i, r, fd = -1, ctimeout, timeout;

	*connp = NULL;
	memset(&target, 0, sizeof(target));
	sshconfig_init(&target.cfg);
	memset(hops, 0, sizeof(hops));
	if (p->url == NULL)
		return err_set(err, ERR_INVALID, "no ssh:// URL given");
	if ((r = endpoint_parse(p->url, &ep, err)) != 0) {
		endpoint_free(&ep);
		return r;
	}
	if (ep.scheme != EP_SSH) {
		endpoint_free(&ep);
		return err_set(
		    err, ERR_INVALID, "\"%s\" is not an ssh:// URL", p->url);
	}
	cc.home = p->home ? p->home : getenv("HOME");
	if (cc.home == NULL || cc.home[0] == '\0') {
		struct passwd *pw = getpwuid(geteuid());
		cc.home = pw ? pw->pw_dir : "/";
	}
	if ((r = hop_resolve(
		 &target, ep.host, ep.user, ep.port, p, cc.home, err)) != 0)
		goto out;
	cc.connect_timeout_ms = ctimeout = p->connect_timeout_ms > 0
	    ? p->connect_timeout_ms
	    : target.cfg.connect_timeout > 0 ? target.cfg.connect_timeout * 1000
					     : DEFAULT_CONNECT_TIMEOUT_MS;
	timeout = p->timeout_ms > 0 ? p->timeout_ms : DEFAULT_TIMEOUT_MS;

	/* ProxyJump hops, each resolved through ssh_config itself */
	if ((r = resolve_jumps(&target, hops, &nhops, p, cc.home, err)) != 0)
		goto out;
	/*
	 * The first hop's own ProxyJump counts too: ssh reaches it with a
	 * "ssh -W" of its own, which reads its configuration (the later
	 * hops' ProxyJump does not: -J on that command line overrides it).
	 */
	while (nhops > 0) {
		struct hop pre[MAX_HOPS];
		int npre = 0;
		memset(pre, 0, sizeof(pre));
		if ((r = resolve_jumps(
			 &hops[0], pre, &npre, p, cc.home, err)) != 0) {
			for (i = 0; i < npre; i++)
				hop_release(&pre[i]);
			goto out;
		}
		if (npre == 0)
			break;
		if (nhops + npre > MAX_HOPS) {
			r = err_set(err, ERR_INVALID,
			    "ProxyJump: more than %d hops to reach \"%s\" "
			    "(\"%s\" jumps through \"%s\"; a loop?)",
			    MAX_HOPS, target.alias, hops[0].alias,
			    hops[0].cfg.proxy_jump);
			for (i = 0; i < npre; i++)
				hop_release(&pre[i]);
			goto out;
		}
		memmove(&hops[npre], &hops[0], (size_t)nhops * sizeof(hops[0]));
		memcpy(&hops[0], pre, (size_t)npre * sizeof(hops[0]));
		nhops += npre;
	}

	for (i = 0; i <= nhops; i++) {
		struct hop *h = i < nhops ? &hops[i] : &target;
		uint64_t t1 = now_us();
		if (via == NULL)
			fd = tcp_connect(h->host, h->port, ctimeout, err);
		else {
			struct jump *j = NULL;
			r = jump_start(via, h->host, h->port, &j, &fd, err);
			via = NULL; /* owned by the hop now, even on failure */
			if (r != 0) {
				err_prefix(err, "through ProxyJump");
				goto out;
			}
			c = conn_new(timeout);
			c->jump = j;
		}
		if (fd < 0) {
			r = fd;
			goto out;
		}
		if (c == NULL)
			c = conn_new(timeout);
		c->info.tcp_us += now_us() - t1;
		fill_info(c, h, ep.path);
		if ((r = session_setup(c, h, fd, i == nhops, &cc, err)) != 0) {
			if (i < nhops)
				err_prefix(
				    err, "ProxyJump host \"%s\"", h->alias);
			goto out;
		}
		if (i < nhops) {
			ssh_loop_mode(c);
			via = c;
			c = NULL;
		}
	}
	c->info.jumps = nhops;
	c->dial_cmd = ssh_dial_stdio_command(ep.path);
	ssh_loop_mode(c);
	*connp = c;
	c = NULL;
	r = 0;
out:
	conn_free(c);
	conn_free(via);
	for (i = 0; i < nhops; i++)
		hop_release(&hops[i]);
	hop_release(&target);
	endpoint_free(&ep);
	return r;
}

const struct ssh_info *
ssh_conn_info(const struct ssh_conn *c)
{
	return &c->info;
}

void
ssh_close(struct ssh_conn *c)
{
	if (c == NULL)
		return;
	if (c->s != NULL && !c->x.dead) {
		/* a goodbye, sent if the socket takes it right away */
		(void)libssh2_session_disconnect(c->s, "closed by ctxmgr");
		(void)xport_flush(&c->x);
	}
	conn_free(c);
}

/* Free a channel: close it, wait (bounded) for the peer's close. */
static void
channel_finish(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, uint64_t deadline)
{
	struct cm_err e2;
	int rc;

	while ((rc = libssh2_channel_free(ch)) == LIBSSH2_ERROR_EAGAIN) {
		if (ssh_wait(c, deadline, &e2) != 0) {
			/* give up on the peer: free without waiting */
			c->x.dead = 1;
			(void)libssh2_channel_free(ch);
			return;
		}
	}
}

int
ssh_open_docker_channel(struct ssh_conn *c, enum tunnel_mode mode,
    LIBSSH2_CHANNEL **chp, enum tunnel_mode *used, struct cm_err *err)
{
	uint64_t deadline = ssh_deadline(c->timeout_ms);
	LIBSSH2_CHANNEL *ch;
	int rc;

	*chp = NULL;
	if (mode != TUNNEL_DIAL_STDIO) {
		while ((ch = libssh2_channel_direct_streamlocal_ex(c->s,
			    c->info.remote_socket, "127.0.0.1", 0)) == NULL) {
			rc = libssh2_session_last_errno(c->s);
			if (rc != LIBSSH2_ERROR_EAGAIN)
				break;
			if (ssh_wait(c, deadline, err) != 0)
				return err->code;
		}
		if (ch != NULL) {
			*chp = ch;
			if (used)
				*used = TUNNEL_STREAMLOCAL;
			return 0;
		}
		if (ssh_session_broken(rc))
			return ssh_lib_error(
			    c->s, err, ERR_NET, "connection lost");
		if (mode == TUNNEL_STREAMLOCAL)
			return err_set(err, ERR_NET,
			    "\"%s\" refused a stream-local channel to \"%s\" "
			    "(the socket may be missing, or sshd may forbid "
			    "stream-local forwarding; --mode dial-stdio runs "
			    "\"docker system dial-stdio\" instead)",
			    c->info.alias, c->info.remote_socket);
		log_info("stream-local forwarding refused by \"%s\"; trying "
			 "dial-stdio",
		    c->info.alias);
	}
	while ((ch = libssh2_channel_open_session(c->s)) == NULL) {
		rc = libssh2_session_last_errno(c->s);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			return ssh_lib_error(
			    c->s, err, 0, "cannot open a session channel");
		if (ssh_wait(c, deadline, err) != 0)
			return err->code;
	}
	while ((rc = libssh2_channel_exec(ch, c->dial_cmd)) ==
	    LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline, err) != 0) {
			channel_finish(c, ch, deadline);
			return err->code;
		}
	if (rc != 0) {
		ssh_lib_error(
		    c->s, err, 0, "cannot run docker system dial-stdio");
		channel_finish(c, ch, deadline);
		return err->code;
	}
	/* dial-stdio's own complaints would fill the window unread */
	libssh2_channel_handle_extended_data2(
	    ch, LIBSSH2_CHANNEL_EXTENDED_DATA_IGNORE);
	*chp = ch;
	if (used)
		*used = TUNNEL_DIAL_STDIO;
	return 0;
}

void
ssh_exec_result_init(struct ssh_exec_result *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->out, cap);
	buf_init(&r->err, cap);
	r->exit_status = -1;
}

void
ssh_exec_result_release(struct ssh_exec_result *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
}

/* Append what fits under the cap; note what did not. */
static void
capture(struct buf *b, const char *p, size_t n, int *truncated)
{
	size_t room = b->max - b->len;

	if (n > room) {
		*truncated = 1;
		n = room;
	}
	if (n > 0)
		(void)buf_add(b, p, n);
}

/* Read what a stream of a command holds now; note its end. */
static int
read_stream(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int stream, struct buf *b,
    int *truncated, int *eof, int *progress, struct cm_err *err)
{
	char tmp[32768];
	ssize_t n;

	while (!*eof) {
		n = libssh2_channel_read_ex(ch, stream, tmp, sizeof(tmp));
		if (n > 0) {
			capture(b, tmp, (size_t)n, truncated);
			*progress = 1;
			continue;
		}
		if (n == LIBSSH2_ERROR_EAGAIN)
			break;
		if (n < 0)
			return ssh_lib_error(c->s, err, 0,
			    stream ? "reading the command's errors"
				   : "reading the command's output");
		*eof = 1; /* 0 only at the end of the stream */
	}
	return 0;
}

void
ssh_exec_op_init(struct ssh_exec_op *op, const char *command, const void *in,
    size_t inlen, struct ssh_exec_result *res)
{
	memset(op, 0, sizeof(*op));
	op->stage = XOP_OPEN;
	op->command = command;
	op->in = in;
	op->inlen = inlen;
	op->res = res;
}

int
ssh_exec_op_step(struct ssh_conn *c, struct ssh_exec_op *op, int *progress,
    struct cm_err *err)
{
	struct ssh_exec_result *res = op->res;
	int rc, r;
	ssize_t n;

	switch (op->stage) {
	case XOP_OPEN:
		if ((op->ch = libssh2_channel_open_session(c->s)) == NULL) {
			if (libssh2_session_last_errno(c->s) ==
			    LIBSSH2_ERROR_EAGAIN)
				return 1;
			return ssh_lib_error(
			    c->s, err, 0, "cannot open a session channel");
		}
		*progress = 1;
		op->stage = XOP_EXEC;
		/* FALLTHROUGH */
	case XOP_EXEC:
		rc = libssh2_channel_exec(op->ch, op->command);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 1;
		if (rc != 0)
			return ssh_lib_error(
			    c->s, err, 0, "the remote command was refused");
		*progress = 1;
		op->stage = XOP_IO;
		/* FALLTHROUGH */
	case XOP_IO:
		while (op->sent < op->inlen &&
		    xport_queued(&c->x) < XPORT_HIGH_WATER) {
			n = libssh2_channel_write(
			    op->ch, op->in + op->sent, op->inlen - op->sent);
			if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
				break;
			if (n < 0) {
				/* the command may exit without reading */
				op->sent = op->inlen;
				break;
			}
			op->sent += (size_t)n;
			*progress = 1;
		}
		if (op->sent == op->inlen && !op->eof_sent) {
			rc = libssh2_channel_send_eof(op->ch);
			if (rc == 0 || rc != LIBSSH2_ERROR_EAGAIN)
				op->eof_sent = 1;
		}
		if ((r = read_stream(c, op->ch, 0, &res->out,
			 &res->out_truncated, &op->out_eof, progress, err)) !=
			0 ||
		    (r = read_stream(c, op->ch, SSH_EXTENDED_DATA_STDERR,
			 &res->err, &res->err_truncated, &op->err_eof, progress,
			 err)) != 0)
			return r;
		if (!op->out_eof || !op->err_eof) {
			unsigned long avail = 0;
			/* what reading one stream took off the socket for the
			 * other (data, its end) is no event on the socket */
			(void)libssh2_channel_window_read_ex(
			    op->ch, &avail, NULL);
			if (avail > 0 || libssh2_channel_eof(op->ch))
				*progress = 1;
			return 1;
		}
		op->stage = XOP_CLOSE;
		/* FALLTHROUGH */
	case XOP_CLOSE:
		/* (calling close again would take the channel as closed) */
		if (libssh2_channel_close(op->ch) == LIBSSH2_ERROR_EAGAIN)
			return 1;
		op->stage = XOP_WAIT;
		/* FALLTHROUGH */
	case XOP_WAIT:
		if (libssh2_channel_wait_closed(op->ch) == LIBSSH2_ERROR_EAGAIN)
			return 1;
		res->exit_status = libssh2_channel_get_exit_status(op->ch);
		{
			char *sig = NULL;
			size_t siglen = 0;
			if (libssh2_channel_get_exit_signal(op->ch, &sig,
				&siglen, NULL, NULL, NULL, NULL) == 0 &&
			    sig != NULL) {
				snprintf(res->exit_signal,
				    sizeof(res->exit_signal), "%.*s",
				    (int)siglen, sig);
				res->exit_status = -1;
				libssh2_free(c->s, sig);
			}
		}
		op->stage = XOP_FREE;
		/* FALLTHROUGH */
	case XOP_FREE:
		if (libssh2_channel_free(op->ch) == LIBSSH2_ERROR_EAGAIN)
			return 1;
		op->ch = NULL;
		op->stage = XOP_DONE;
		/* FALLTHROUGH */
	default:
		return 0;
	}
}

int
ssh_exec(struct ssh_conn *c, const char *command, const void *in, size_t inlen,
    int timeout_ms, struct ssh_exec_result *res, struct cm_err *err)
{
	uint64_t deadline =
	    ssh_deadline(timeout_ms == 0 ? c->timeout_ms : timeout_ms);
	struct ssh_exec_op op;
	int progress, r;

	if (timeout_ms < 0)
		deadline = 0;
	ssh_exec_op_init(&op, command, in, inlen, res);
	for (;;) {
		uint64_t slice = ssh_deadline(EXEC_LOOK_MS);
		progress = 0;
		if ((r = ssh_exec_op_step(c, &op, &progress, err)) != 1)
			break;
		if (progress && op.stage == XOP_IO)
			continue;
		/* never trust the socket alone: libssh2 may hold what
		 * came, so it is asked again every EXEC_LOOK_MS */
		r = ssh_wait(c,
		    deadline != 0 && deadline < slice ? deadline : slice, err);
		if (r == ERR_TIMEOUT && (deadline == 0 || now_us() < deadline))
			continue;
		if (r != 0) {
			if (r == ERR_TIMEOUT && op.stage == XOP_IO)
				err_set(err, ERR_TIMEOUT,
				    "the remote command did not finish in "
				    "time");
			break;
		}
	}
	if (op.ch != NULL)
		channel_finish(
		    c, op.ch, r == 0 ? deadline : ssh_deadline(1000));
	return r;
}

struct ssh_stream {
	struct ssh_conn *c;
	LIBSSH2_CHANNEL *ch;
	int eof_sent;
};

int
ssh_stream_open(struct ssh_conn *c, enum tunnel_mode mode,
    struct ssh_stream **sp, enum tunnel_mode *modep, struct cm_err *err)
{
	LIBSSH2_CHANNEL *ch;
	int r;

	*sp = NULL;
	if ((r = ssh_open_docker_channel(c, mode, &ch, modep, err)) != 0)
		return r;
	*sp = xcalloc(1, sizeof(**sp));
	(*sp)->c = c;
	(*sp)->ch = ch;
	return 0;
}

int
ssh_stream_write(
    struct ssh_stream *s, const void *p, size_t len, struct cm_err *err)
{
	uint64_t deadline = ssh_deadline(s->c->timeout_ms);
	const char *q = p;
	ssize_t n;
	int r;

	while (len > 0) {
		n = libssh2_channel_write(s->ch, q, len);
		if (n > 0) {
			q += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
			return ssh_lib_error(s->c->s, err, 0, "write");
		if ((r = ssh_wait(s->c, deadline, err)) != 0)
			return r;
	}
	return xport_flush(&s->c->x) == 0
	    ? 0
	    : err_set(err, ERR_NET, "connection lost");
}

ssize_t
ssh_stream_read(struct ssh_stream *s, void *p, size_t len, struct cm_err *err)
{
	uint64_t deadline = ssh_deadline(s->c->timeout_ms);
	ssize_t n;
	int r;

	for (;;) {
		n = libssh2_channel_read(s->ch, p, len);
		if (n > 0)
			return n;
		if (n == 0)
			return 0; /* libssh2 returns 0 only at the end */
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
			return ssh_lib_error(s->c->s, err, 0, "read");
		if ((r = ssh_wait(s->c, deadline, err)) != 0)
			return r;
	}
}

void
ssh_stream_close(struct ssh_stream *s)
{
	if (s == NULL)
		return;
	channel_finish(s->c, s->ch, ssh_deadline(2000));
	free(s);
}

LIBSSH2_CHANNEL *
ssh_stream_keep_closed(struct ssh_stream *s)
{
	uint64_t deadline = ssh_deadline(2000);
	LIBSSH2_CHANNEL *ch = s->ch;
	struct ssh_conn *c = s->c;
	struct cm_err e2;
	int rc;

	free(s);
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline, &e2) != 0)
			break;
	if (rc != 0) {
		channel_finish(c, ch, deadline);
		return NULL;
	}
	return ch;
}
