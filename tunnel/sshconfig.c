/* sshconfig.c: the OpenSSH client configuration (see sshconfig.h). */
#include "common/compat.h"

#include <ctype.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/endpoint.h"
#include "common/file.h"
#include "common/log.h"
#include "tunnel/sshconfig.h"
#include "keystore/sshkey.h"
#include "common/xmalloc.h"

#define MAX_ARGS 64

struct pstate {
	const char *host;
	const struct ssh_config_env *env;
	struct ssh_host_config *c;
	struct cm_err *err;
	int depth;
};

static int parse_text(struct pstate *ps, const char *text, size_t len,
    const char *name, int *active);

void
sshconfig_init(struct ssh_host_config *c)
{
	memset(c, 0, sizeof(*c));
	c->identities_only = -1;
	c->connect_timeout = -1;
	c->alive_interval = -1;
	c->alive_count = -1;
	c->batch_mode = -1;
}

void
sshconfig_release(struct ssh_host_config *c)
{
	free(c->hostname);
	free(c->user);
	strv_free(&c->identity_files);
	strv_free(&c->known_hosts);
	free(c->proxy_jump);
	free(c->proxy_command);
	free(c->host_key_alias);
	free(c->identity_agent);
	free(c->ciphers);
	free(c->macs);
	free(c->kex);
	free(c->hostkey_algorithms);
	strv_free(&c->warnings);
	sshconfig_init(c);
}

/* Glob match of one pattern, case-insensitive, linear backtracking. */
static int
pattern_match(const char *s, const char *p)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p != '\0' &&
		    (*p == '?' ||
			tolower((unsigned char)*p) ==
			    tolower((unsigned char)*s))) {
			p++;
			s++;
		} else if (star != NULL) {
			p = star;
			s = ++resume;
		} else
			return 0;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* +1 positive match, -1 negated match, 0 none (one pattern). */
static int
pattern_one(const char *name, const char *pat, size_t len)
{
	char tmp[SSHCONFIG_MAX_LINE];
	int neg = 0;

	if (len > 0 && pat[0] == '!') {
		neg = 1;
		pat++;
		len--;
	}
	if (len >= sizeof(tmp))
		return 0;
	memcpy(tmp, pat, len);
	tmp[len] = '\0';
	if (!pattern_match(name, tmp))
		return 0;
	return neg ? -1 : 1;
}

int
ssh_pattern_list_match(const char *name, const char *list)
{
	const char *p = list, *comma;
	int got = 0, r;

	for (;;) {
		comma = strchr(p, ',');
		r = pattern_one(
		    name, p, comma ? (size_t)(comma - p) : strlen(p));
		if (r < 0)
			return 0;
		if (r > 0)
			got = 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return got;
}

/*
 * Split a line into words in place, as OpenSSH's argv_split: whitespace
 * separates, "..." and '...' quote, a backslash escapes a quote, a
 * backslash or (unquoted) a space, and a word that starts with # ends the
 * line.  Returns the count, -1 on an open quote, -2 on too many words.
 */
static int
split_words(char *s, char **argv, int max)
{
	char *out, q;
	int n = 0, end;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		if (n == max)
			return -2;
		argv[n++] = out = s;
		q = 0;
		while (*s != '\0' && (q != 0 || (*s != ' ' && *s != '\t'))) {
			if (*s == '\\' &&
			    (s[1] == '\'' || s[1] == '"' || s[1] == '\\' ||
				(q == 0 && s[1] == ' '))) {
				*out++ = s[1];
				s += 2;
			} else if (q == 0 && (*s == '"' || *s == '\'')) {
				q = *s++;
			} else if (q != 0 && *s == q) {
				q = 0;
				s++;
			} else
				*out++ = *s++;
		}
		if (q != 0)
			return -1;
		end = *s == '\0';
		*out = '\0';
		if (end)
			break;
		s++;
	}
	return n;
}

static int perr(struct pstate *ps, const char *name, int line, const char *fmt,
    ...) PRINTFLIKE(4, 5);

static int
perr(struct pstate *ps, const char *name, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(ps->err, ERR_INVALID, "%s line %d: %s", name, line, msg);
}

static int
parse_yesno(const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
		return 0;
	return -1;
}

static int
host_block_match(const char *host, char **argv, int argc)
{
	int i, r, got = 0;

	for (i = 0; i < argc; i++) {
		r = pattern_one(host, argv[i], strlen(argv[i]));
		if (r < 0)
			return 0;
		if (r > 0)
			got = 1;
	}
	return got;
}

/* Evaluate a Match line; unsupported criteria never match. */
static int
match_block(struct pstate *ps, const char *name, int line, char **argv,
    int argc, int *result)
{
	const char *ruser;
	int i, neg, ok = 1, r;

	ruser = ps->c->user ? ps->c->user
	    : ps->env->user ? ps->env->user
			    : ps->env->local_user;
	if (argc == 0)
		return perr(ps, name, line, "Match needs a criterion");
	for (i = 0; i < argc; i++) {
		const char *crit = argv[i];
		neg = crit[0] == '!';
		if (neg)
			crit++;
		if (strcasecmp(crit, "all") == 0 ||
		    strcasecmp(crit, "canonical") == 0 ||
		    strcasecmp(crit, "final") == 0) {
			r = 1;
		} else if (strcasecmp(crit, "host") == 0 ||
		    strcasecmp(crit, "originalhost") == 0 ||
		    strcasecmp(crit, "user") == 0 ||
		    strcasecmp(crit, "localuser") == 0) {
			if (i + 1 >= argc)
				return perr(ps, name, line,
				    "Match %s needs an argument", crit);
			const char *arg = argv[++i];
			const char *subject;
			if (strcasecmp(crit, "host") == 0)
				subject = ps->c->hostname ? ps->c->hostname
							  : ps->host;
			else if (strcasecmp(crit, "originalhost") == 0)
				subject = ps->host;
			else if (strcasecmp(crit, "user") == 0)
				subject = ruser ? ruser : "";
			else
				subject = ps->env->local_user
				    ? ps->env->local_user
				    : "";
			r = ssh_pattern_list_match(subject, arg);
		} else {
			/* exec, localnetwork, tagged...: never run, no match */
			if (i + 1 < argc && strcasecmp(crit, "exec") == 0)
				i++;
			strv_push_owned(&ps->c->warnings,
			    xasprintf("%s line %d: \"Match %s\" is not "
				      "supported; the block is ignored",
				name, line, crit));
			r = 0;
			neg = 0;
		}
		if (neg)
			r = !r;
		if (!r)
			ok = 0;
	}
	*result = ok;
	return 0;
}

static char *
expand_home(const struct ssh_config_env *env, const char *p)
{
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && env->home)
		return xasprintf("%s%s", env->home, p + 1);
	return xstrdup(p);
}

/* As ssh: a config file others could write is not used. */
static int
check_perm(const char *path, struct cm_err *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return err_sys(err, "cannot stat \"%s\"", path);
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))
		return err_set(err, ERR_PERM,
		    "bad owner or permissions on \"%s\" (others could "
		    "change how ctxmgr connects; chmod go-w)",
		    path);
	return 0;
}

static int
do_include(struct pstate *ps, const char *name, int line, char **argv, int argc,
    int *active)
{
	int i, r = 0, saved = *active;
	size_t j;

	if (ps->env->home == NULL)
		return 0; /* no filesystem (the fuzzer) */
	if (ps->depth >= SSHCONFIG_MAX_DEPTH)
		return perr(ps, name, line, "Include nested more than %d deep",
		    SSHCONFIG_MAX_DEPTH);
	for (i = 0; i < argc && r == 0; i++) {
		char *pat, *tmp = expand_home(ps->env, argv[i]);
		glob_t g;
		if (tmp[0] == '/')
			pat = tmp;
		else {
			pat = xasprintf("%s/.ssh/%s", ps->env->home, tmp);
			free(tmp);
		}
		memset(&g, 0, sizeof(g));
		if (glob(pat, 0, NULL, &g) == 0) {
			for (j = 0; j < g.gl_pathc && r == 0; j++) {
				struct buf b;
				buf_init(&b, SSHCONFIG_MAX_FILE);
				r = check_perm(g.gl_pathv[j], ps->err);
				if (r == 0)
					r = file_read(g.gl_pathv[j],
					    SSHCONFIG_MAX_FILE, 0, &b, ps->err);
				if (r == 0) {
					ps->depth++;
					r = parse_text(ps, b.data, b.len,
					    g.gl_pathv[j], active);
					ps->depth--;
				}
				*active = saved;
				buf_release(&b);
			}
		}
		globfree(&g);
		free(pat);
	}
	return r;
}

static void
set_str(char **dst, const char *v)
{
	if (*dst == NULL)
		*dst = xstrdup(v);
}

static int
set_int(struct pstate *ps, const char *name, int line, const char *kw,
    const char *v, long long min, long long max, int *dst)
{
	long long n;

	if (strcasecmp(v, "none") == 0 && min == 0)
		n = 0;
	else if (parse_int(v, min, max, &n) != 0)
		return perr(ps, name, line,
		    "%s: \"%s\" is not a number in "
		    "%lld..%lld",
		    kw, v, min, max);
	if (*dst < 0 || (*dst == 0 && strcasecmp(kw, "port") == 0))
		*dst = (int)n;
	return 0;
}

static int
expand_hostname(const char *v, const char *host, char **outp)
{
	struct buf b;

	buf_init(&b, SSHCONFIG_MAX_LINE * 2);
	for (; *v != '\0'; v++) {
		if (*v != '%') {
			if (buf_addc(&b, *v) != 0)
				goto bad;
			continue;
		}
		v++;
		if (*v == '%') {
			if (buf_addc(&b, '%') != 0)
				goto bad;
		} else if (*v == 'h') {
			if (buf_adds(&b, host) != 0)
				goto bad;
		} else
			goto bad;
	}
	*outp = buf_detach(&b, NULL);
	return 0;
bad:
	buf_release(&b);
	return -1;
}

/* The options ctxmgr reads (all take one value but the two noted). */
static const char *const single[] = { "hostname", "user", "port",
	"identityfile", "identitiesonly", "userknownhostsfile",
	"stricthostkeychecking", "connecttimeout", "serveraliveinterval",
	"serveralivecountmax", "proxyjump", "proxycommand", "hostkeyalias",
	"identityagent", "ciphers", "macs", "kexalgorithms",
	"hostkeyalgorithms", "batchmode" };

static int
apply_option(
    struct pstate *ps, const char *name, int line, char **argv, int argc)
{
	struct ssh_host_config *c = ps->c;
	const char *kw = argv[0], *v = argc > 1 ? argv[1] : NULL;
	struct cm_err e2;
	int i, b;

	/* options ctxmgr does not use are ignored, as ssh may use them */
	if (v == NULL) {
		for (i = 0; i < (int)nitems(single); i++)
			if (strcasecmp(kw, single[i]) == 0)
				return perr(
				    ps, name, line, "%s needs a value", kw);
		return 0;
	}
	if (argc > 2 && strcasecmp(kw, "userknownhostsfile") != 0 &&
	    strcasecmp(kw, "proxycommand") != 0) {
		for (i = 0; i < (int)nitems(single); i++)
			if (strcasecmp(kw, single[i]) == 0)
				return perr(ps, name, line,
				    "%s: garbage at end of line (\"%s\")", kw,
				    argv[2]);
	}
	if (strcasecmp(kw, "hostname") == 0) {
		char *h;
		if (c->hostname != NULL)
			return 0;
		if (expand_hostname(v, ps->host, &h) != 0)
			return perr(ps, name, line,
			    "HostName \"%s\": only %%h and %%%% are allowed",
			    v);
		if (endpoint_check_host(h, &e2) != 0) {
			free(h);
			return perr(ps, name, line, "HostName: %s", e2.msg);
		}
		c->hostname = h;
	} else if (strcasecmp(kw, "user") == 0) {
		if (endpoint_check_user(v, &e2) != 0)
			return perr(ps, name, line, "User: %s", e2.msg);
		set_str(&c->user, v);
	} else if (strcasecmp(kw, "port") == 0) {
		return set_int(ps, name, line, "Port", v, 1, 65535, &c->port);
	} else if (strcasecmp(kw, "identityfile") == 0) {
		if (c->identity_files.n < 64)
			strv_push(&c->identity_files, v);
	} else if (strcasecmp(kw, "identitiesonly") == 0) {
		if ((b = parse_yesno(v)) < 0)
			return perr(ps, name, line,
			    "IdentitiesOnly takes yes or no, not \"%s\"", v);
		if (c->identities_only < 0)
			c->identities_only = b;
	} else if (strcasecmp(kw, "userknownhostsfile") == 0) {
		if (c->known_hosts.n == 0)
			for (i = 1; i < argc && i <= 16; i++)
				strv_push(&c->known_hosts, argv[i]);
	} else if (strcasecmp(kw, "stricthostkeychecking") == 0) {
		enum hostkey_policy p;
		if (strcasecmp(v, "accept-new") == 0)
			p = HKP_ACCEPT_NEW;
		else if (strcasecmp(v, "ask") == 0)
			p = HKP_ASK;
		else if (strcasecmp(v, "off") == 0)
			p = HKP_NO;
		else if ((b = parse_yesno(v)) >= 0)
			p = b ? HKP_YES : HKP_NO;
		else
			return perr(ps, name, line,
			    "StrictHostKeyChecking takes yes, accept-new, "
			    "no or ask, not \"%s\"",
			    v);
		if (c->strict == HKP_UNSET)
			c->strict = p;
	} else if (strcasecmp(kw, "connecttimeout") == 0) {
		return set_int(ps, name, line, "ConnectTimeout", v, 0, 86400,
		    &c->connect_timeout);
	} else if (strcasecmp(kw, "serveraliveinterval") == 0) {
		return set_int(ps, name, line, "ServerAliveInterval", v, 0,
		    86400, &c->alive_interval);
	} else if (strcasecmp(kw, "serveralivecountmax") == 0) {
		return set_int(ps, name, line, "ServerAliveCountMax", v, 0,
		    1000, &c->alive_count);
	} else if (strcasecmp(kw, "proxyjump") == 0) {
		if (c->proxy_jump == NULL && c->proxy_command == NULL)
			c->proxy_jump = xstrdup(v);
	} else if (strcasecmp(kw, "proxycommand") == 0) {
		if (c->proxy_jump == NULL && c->proxy_command == NULL) {
			/* the whole rest of the line is the command */
			struct buf b2;
			buf_init(&b2, SSHCONFIG_MAX_LINE);
			for (i = 1; i < argc; i++)
				buf_printf(
				    &b2, "%s%s", i > 1 ? " " : "", argv[i]);
			c->proxy_command = buf_detach(&b2, NULL);
		}
	} else if (strcasecmp(kw, "hostkeyalias") == 0) {
		if (endpoint_check_host(v, &e2) != 0)
			return perr(ps, name, line, "HostKeyAlias: %s", e2.msg);
		set_str(&c->host_key_alias, v);
	} else if (strcasecmp(kw, "identityagent") == 0) {
		set_str(&c->identity_agent, v);
	} else if (strcasecmp(kw, "ciphers") == 0) {
		set_str(&c->ciphers, v);
	} else if (strcasecmp(kw, "macs") == 0) {
		set_str(&c->macs, v);
	} else if (strcasecmp(kw, "kexalgorithms") == 0) {
		set_str(&c->kex, v);
	} else if (strcasecmp(kw, "hostkeyalgorithms") == 0) {
		set_str(&c->hostkey_algorithms, v);
	} else if (strcasecmp(kw, "batchmode") == 0) {
		if ((b = parse_yesno(v)) < 0)
			return perr(ps, name, line,
			    "BatchMode takes yes or no, not \"%s\"", v);
		if (c->batch_mode < 0)
			c->batch_mode = b;
	}
	return 0;
}

static int
parse_line(struct pstate *ps, char *s, const char *name, int line, int *active)
{
	char *argv[MAX_ARGS + 1], *eq;
	int argc, m = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	/* "Keyword=value" and "Keyword = value" */
	eq = s;
	while (*eq != '\0' && *eq != ' ' && *eq != '\t' && *eq != '=')
		eq++;
	if (*eq != '\0') {
		char *v = eq;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '=') {
			*v = ' ';
			if (*eq == '=')
				*eq = ' ';
		}
	}
	argc = split_words(s, argv, MAX_ARGS);
	if (argc == -1)
		return perr(ps, name, line, "unterminated quote");
	if (argc == -2)
		return perr(ps, name, line, "more than %d words", MAX_ARGS);
	if (argc == 0)
		return 0;
	if (strcasecmp(argv[0], "host") == 0) {
		if (argc < 2)
			return perr(ps, name, line, "Host needs a pattern");
		*active = host_block_match(ps->host, argv + 1, argc - 1);
		return 0;
	}
	if (strcasecmp(argv[0], "match") == 0) {
		if (match_block(ps, name, line, argv + 1, argc - 1, &m) != 0)
			return ps->err->code;
		*active = m;
		return 0;
	}
	if (strcasecmp(argv[0], "include") == 0) {
		if (argc < 2)
			return perr(ps, name, line, "Include needs a file");
		if (!*active)
			return 0;
		return do_include(ps, name, line, argv + 1, argc - 1, active);
	}
	if (*active)
		return apply_option(ps, name, line, argv, argc);
	/* checked all the same, as ssh checks every line */
	struct ssh_host_config scratch, *real = ps->c;
	int r;
	sshconfig_init(&scratch);
	ps->c = &scratch;
	r = apply_option(ps, name, line, argv, argc);
	ps->c = real;
	sshconfig_release(&scratch);
	return r;
}

static int
parse_text(struct pstate *ps, const char *text, size_t len, const char *name,
    int *active)
{
	char linebuf[SSHCONFIG_MAX_LINE + 1];
	const char *line;
	size_t pos = 0, n;
	int lineno = 0, ctrl, r;

	while (text_next_line(text, len, &pos, &line, &n, &ctrl)) {
		lineno++;
		if (n > SSHCONFIG_MAX_LINE)
			return perr(ps, name, lineno,
			    "line longer than %d bytes", SSHCONFIG_MAX_LINE);
		if (ctrl || memchr(line, '\0', n) != NULL)
			return perr(ps, name, lineno, "control character");
		memcpy(linebuf, line, n);
		linebuf[n] = '\0';
		if ((r = parse_line(ps, linebuf, name, lineno, active)) != 0)
			return r;
	}
	return 0;
}

int
sshconfig_parse(const char *text, size_t len, const char *name,
    const char *host, const struct ssh_config_env *env,
    struct ssh_host_config *c, struct cm_err *err)
{
	struct pstate ps = { host, env, c, err, 0 };
	int active = 1;

	return parse_text(&ps, text, len, name, &active);
}

int
sshconfig_load(const char *path, const char *host,
    const struct ssh_config_env *env, struct ssh_host_config *c,
    struct cm_err *err)
{
	struct buf b;
	int r;

	if (!file_exists(path))
		return 0;
	if ((r = check_perm(path, err)) != 0)
		return r;
	buf_init(&b, SSHCONFIG_MAX_FILE);
	r = file_read(path, SSHCONFIG_MAX_FILE, 0, &b, err);
	if (r == 0)
		r = sshconfig_parse(b.data, b.len, path, host, env, c, err);
	buf_release(&b);
	return r;
}

int
sshconfig_expand(const char *raw, const struct ssh_tokens *t, char **outp,
    struct cm_err *err)
{
	struct buf b;
	const char *p = raw;
	char num[16];

	*outp = NULL;
	buf_init(&b, 4096);
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		if (t->home == NULL)
			goto bad;
		buf_adds(&b, t->home);
		p++;
	}
	for (; *p != '\0'; p++) {
		const char *v = NULL;
		if (*p != '%') {
			if (buf_addc(&b, *p) != 0)
				goto toolong;
			continue;
		}
		switch (*++p) {
		case '%':
			v = "%";
			break;
		case 'd':
			v = t->home;
			break;
		case 'h':
			v = t->host;
			break;
		case 'n':
			v = t->alias;
			break;
		case 'r':
			v = t->user;
			break;
		case 'u':
			v = t->local_user;
			break;
		case 'p':
			snprintf(num, sizeof(num), "%d", t->port);
			v = num;
			break;
		default:
			buf_release(&b);
			if (*p == '\0')
				return err_set(err, ERR_INVALID,
				    "\"%s\": lone %% at the end", raw);
			return err_set(err, ERR_INVALID,
			    "\"%s\": unknown token %%%c", raw, *p);
		}
		if (v == NULL)
			goto bad;
		if (buf_adds(&b, v) != 0)
			goto toolong;
	}
	*outp = buf_detach(&b, NULL);
	return 0;
bad:
	buf_release(&b);
	return err_set(
	    err, ERR_INVALID, "\"%s\": a token has no value here", raw);
toolong:
	buf_release(&b);
	return err_set(
	    err, ERR_TOOBIG, "\"%s\" expands to a too long path", raw);
}

int
sshconfig_list_hosts(const char *text, size_t len, const char *name,
    struct strv *aliases, struct strv *notes, struct cm_err *err)
{
	struct pstate ps = { NULL, NULL, NULL, err, 0 };
	char linebuf[SSHCONFIG_MAX_LINE + 1], *argv[MAX_ARGS + 1], *s, *eq;
	const char *line;
	size_t pos = 0, n, k;
	int lineno = 0, ctrl, argc, i;

	while (text_next_line(text, len, &pos, &line, &n, &ctrl)) {
		lineno++;
		if (n > SSHCONFIG_MAX_LINE)
			return perr(&ps, name, lineno,
			    "line longer than %d bytes", SSHCONFIG_MAX_LINE);
		if (ctrl || memchr(line, '\0', n) != NULL)
			return perr(&ps, name, lineno, "control character");
		memcpy(linebuf, line, n);
		linebuf[n] = '\0';
		s = linebuf;
		while (*s == ' ' || *s == '\t')
			s++;
		/* "Host=a" and "Host = a", as parse_line reads them */
		eq = s;
		while (*eq != '\0' && *eq != ' ' && *eq != '\t' && *eq != '=')
			eq++;
		if (*eq == '=')
			*eq = ' ';
		else if (*eq != '\0') {
			char *v = eq;
			while (*v == ' ' || *v == '\t')
				v++;
			if (*v == '=')
				*v = ' ';
		}
		argc = split_words(s, argv, MAX_ARGS);
		if (argc == -1)
			return perr(&ps, name, lineno, "unterminated quote");
		if (argc == -2)
			return perr(
			    &ps, name, lineno, "more than %d words", MAX_ARGS);
		if (argc > 0 && strcasecmp(argv[0], "include") == 0)
			strv_push_owned(notes,
			    xasprintf("%s:%d: Include is not followed: import "
				      "the included files themselves",
				name, lineno));
		if (argc < 2 || strcasecmp(argv[0], "host") != 0)
			continue;
		for (i = 1; i < argc; i++) {
			if (argv[i][0] == '\0' ||
			    strpbrk(argv[i], "*?!,") != NULL) {
				strv_push_owned(notes,
				    xasprintf("%s:%d: pattern \"%s\" names no "
					      "single host: skipped",
					name, lineno, argv[i]));
				continue;
			}
			for (k = 0; k < aliases->n; k++)
				if (strcasecmp(aliases->v[k], argv[i]) == 0)
					break;
			if (k == aliases->n)
				strv_push(aliases, argv[i]);
		}
	}
	return 0;
}
