/* keycheck.c: key strength policy and key file checks (see keycheck.h). */
#include "common/compat.h"

#include <ctype.h>
#include <fcntl.h>
#include <pwd.h>
#include <strings.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/file.h"
#include "common/util.h"
#include "keystore/keycheck.h"
#include "keystore/sshcodec.h"
#include "common/xmalloc.h"

/* Thresholds of the policy (README.md, "Key policy"). */
#define RSA_FAIL_BELOW 2048 /* NIST SP 800-131A, ssh-audit */
#define RSA_WARN_BELOW 3072 /* NIST SP 800-57: 128-bit security */
#define BCRYPT_WARN_BELOW 16 /* ssh-keygen's default rounds */
#define PBKDF2_WARN_BELOW 100000

const char *
key_verdict_name(enum key_verdict v)
{
	return v == KEY_FAIL ? "fail" : v == KEY_WARN ? "warn" : "ok";
}

const char *
key_kind_name(enum key_kind k)
{
	switch (k) {
	case KEY_KIND_PRIVATE:
		return "private-key";
	case KEY_KIND_PUBLIC:
		return "public-key";
	case KEY_KIND_AUTHORIZED:
		return "authorized-keys";
	case KEY_KIND_KNOWN_HOST:
		return "known-hosts";
	case KEY_KIND_FILE:
		break;
	}
	return "file";
}

void
key_report_init(struct key_report *rep)
{
	rep->v = NULL;
	rep->n = 0;
}

static void
finding_release(struct key_finding *f)
{
	size_t i;

	free(f->path);
	sshkey_info_release(&f->key);
	free(f->options);
	free(f->hosts);
	free(f->marker);
	for (i = 0; i < f->nreasons; i++)
		free(f->reasons[i].text);
	free(f->reasons);
}

void
key_report_release(struct key_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		finding_release(&rep->v[i]);
	free(rep->v);
	key_report_init(rep);
}

enum key_verdict
key_report_worst(const struct key_report *rep)
{
	enum key_verdict w = KEY_OK;
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->v[i].verdict > w)
			w = rep->v[i].verdict;
	return w;
}

static struct key_finding *
finding_new(
    struct key_report *rep, const char *path, unsigned line, enum key_kind kind)
{
	struct key_finding *f;

	rep->v = xreallocarray(rep->v, rep->n + 1, sizeof(*rep->v));
	f = &rep->v[rep->n++];
	memset(f, 0, sizeof(*f));
	sshkey_info_init(&f->key);
	f->path = xstrdup(path);
	f->line = line;
	f->kind = kind;
	return f;
}

static void add_reason(struct key_finding *f, enum key_verdict level,
    const char *fmt, ...) PRINTFLIKE(3, 4);

static void
add_reason(struct key_finding *f, enum key_verdict level, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, 4096);
	va_start(ap, fmt);
	(void)buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->reasons =
	    xreallocarray(f->reasons, f->nreasons + 1, sizeof(*f->reasons));
	f->reasons[f->nreasons].level = level;
	f->reasons[f->nreasons].text = buf_detach(&b, NULL);
	f->nreasons++;
	if (level > f->verdict)
		f->verdict = level;
}

enum key_verdict
keycheck_type_policy(enum sshkey_type type, int bits, char *why, size_t len)
{
	enum key_verdict v = KEY_OK;
	char tmp[512];

	tmp[0] = '\0';
	switch (type) {
	case SSHKEY_DSA:
		v = KEY_FAIL;
		snprintf(tmp, sizeof(tmp),
		    "DSA: a 1024-bit key with SHA-1 signatures, disabled by "
		    "default since OpenSSH 7.0 (ssh-audit: fail)");
		break;
	case SSHKEY_RSA:
		if (bits > SSHKEY_RSA_MAX_BITS) {
			v = KEY_FAIL;
			snprintf(tmp, sizeof(tmp),
			    "RSA %d bits: more than the %d bits OpenSSH "
			    "accepts",
			    bits, SSHKEY_RSA_MAX_BITS);
		} else if (bits < RSA_FAIL_BELOW) {
			v = KEY_FAIL;
			snprintf(tmp, sizeof(tmp),
			    "RSA %d bits: below %d bits, less than 112-bit "
			    "security (NIST SP 800-57 and SP 800-131A; "
			    "ssh-audit: fail)",
			    bits, RSA_FAIL_BELOW);
		} else if (bits < RSA_WARN_BELOW) {
			v = KEY_WARN;
			snprintf(tmp, sizeof(tmp),
			    "RSA %d bits: 112-bit security, acceptable only "
			    "through 2030 (NIST SP 800-57); use Ed25519 or RSA "
			    "%d+ (ssh-audit: warn)",
			    bits, RSA_WARN_BELOW);
		}
		break;
	case SSHKEY_ECDSA:
	case SSHKEY_ECDSA_SK:
		v = KEY_WARN;
		snprintf(tmp, sizeof(tmp),
		    "ECDSA on a NIST curve: the curve's constants are "
		    "unexplained and every signature needs a random nonce "
		    "that leaks the key if it is weak (ssh-audit: warn; "
		    "Mozilla prefers Ed25519)");
		break;
	case SSHKEY_ED25519:
	case SSHKEY_ED25519_SK:
	case SSHKEY_UNKNOWN:
		break;
	}
	if (why != NULL && len > 0)
		snprintf(why, len, "%s", tmp);
	return v;
}

/* The type rules, for the key itself or for a certificate authority. */
static void
apply_type_policy(
    struct key_finding *f, enum sshkey_type type, int bits, int as_ca)
{
	char why[512];
	enum key_verdict v = keycheck_type_policy(type, bits, why, sizeof(why));

	if (as_ca && (type == SSHKEY_ECDSA || type == SSHKEY_ECDSA_SK)) {
		add_reason(f, KEY_FAIL,
		    "certificate authority: ECDSA on a NIST curve as a CA key "
		    "(ssh-audit fails ECDSA CA keys); use Ed25519");
		return;
	}
	if (v != KEY_OK)
		add_reason(
		    f, v, "%s%s", as_ca ? "certificate authority: " : "", why);
}

/* Mode and owner of a private key file. */
static void
apply_private_file_policy(struct key_finding *f)
{
	uid_t me = geteuid();

	if (!f->have_stat)
		return;
	if (f->mode & 077)
		add_reason(f, KEY_FAIL,
		    "mode %04o: group or others can read or change it, and "
		    "ssh refuses such a key (chmod 600 \"%s\")",
		    (unsigned)f->mode, f->path);
	if (f->uid != me)
		add_reason(f, KEY_FAIL,
		    "owned by %s (uid %u), not by you (uid %u)", f->owner,
		    (unsigned)f->uid, (unsigned)me);
}

/* The encryption of a private key. */
static void
apply_encryption_policy(struct key_finding *f)
{
	const struct sshkey_info *k = &f->key;

	if (!k->encrypted) {
		add_reason(f, KEY_WARN,
		    "not encrypted: whoever reads the file has the key (add a "
		    "passphrase: ssh-keygen -p -f FILE)");
		return;
	}
	if (strcmp(k->kdf, "bcrypt") == 0 && k->kdf_rounds < BCRYPT_WARN_BELOW)
		add_reason(f, KEY_WARN,
		    "bcrypt KDF with %lu rounds, fewer than %d (ssh-keygen's "
		    "default): passphrase guesses are cheap (ssh-keygen -p -a "
		    "%d -f FILE)",
		    k->kdf_rounds, BCRYPT_WARN_BELOW, BCRYPT_WARN_BELOW);
	else if (strcmp(k->kdf, "md5") == 0)
		add_reason(f, KEY_WARN,
		    "legacy PEM encryption (%s): the cipher key is one MD5 of "
		    "the passphrase, so guesses are cheap (rewrite it: "
		    "ssh-keygen -p -f FILE)",
		    k->cipher);
	else if (strcmp(k->kdf, "pbes1") == 0)
		add_reason(f, KEY_WARN,
		    "PKCS#5 v1.5/PKCS#12 encryption (%s): outdated cipher and "
		    "key derivation",
		    k->cipher);
	else if (strcmp(k->kdf, "pbkdf2") == 0 &&
	    k->kdf_rounds < PBKDF2_WARN_BELOW)
		add_reason(f, KEY_WARN,
		    "PBKDF2 with %lu iterations, fewer than %d: passphrase "
		    "guesses are cheap (OWASP recommends 600000)",
		    k->kdf_rounds, PBKDF2_WARN_BELOW);
}

/* Rules for a finding whose key was read. */
static void
apply_key_policy(struct key_finding *f)
{
	const struct sshkey_info *k = &f->key;
	int as_ca = f->cert_authority;

	if (f->marker != NULL && strcmp(f->marker, "@revoked") == 0) {
		add_reason(f, KEY_OK, "marked @revoked: ssh refuses this key");
		return;
	}
	if (!k->known) {
		if (k->is_private && k->encrypted)
			add_reason(f, KEY_OK,
			    "type and size unknown without the passphrase (no "
			    "matching .pub file)");
	} else
		apply_type_policy(f, k->type, k->bits, as_ca);
	if (k->cert)
		apply_type_policy(f, k->ca_type, k->ca_bits, 1);
	if (k->is_private)
		apply_encryption_policy(f);
	if (k->type == SSHKEY_ED25519 && k->is_private &&
	    k->format != SSHKEY_FMT_OPENSSH)
		add_reason(f, KEY_WARN,
		    "an Ed25519 key in PEM form: OpenSSH 9.2 (Debian 12) and "
		    "older cannot read it; make keys with ssh-keygen or "
		    "ctxmgr keys gen");
}

static void
set_stat(struct key_finding *f, const struct stat *st)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	f->have_stat = 1;
	f->uid = st->st_uid;
	f->mode = st->st_mode & 07777;
	if (getpwuid_r(st->st_uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL)
		snprintf(f->owner, sizeof(f->owner), "%s", pw.pw_name);
	else
		snprintf(
		    f->owner, sizeof(f->owner), "%u", (unsigned)st->st_uid);
}

/* authorized_keys options and whether each takes a value. */
static const struct {
	const char *name;
	int value;
} ak_options[] = {
	{ "agent-forwarding", 0 },
	{ "cert-authority", 0 },
	{ "command", 1 },
	{ "environment", 1 },
	{ "expiry-time", 1 },
	{ "from", 1 },
	{ "no-agent-forwarding", 0 },
	{ "no-port-forwarding", 0 },
	{ "no-pty", 0 },
	{ "no-touch-required", 0 },
	{ "no-user-rc", 0 },
	{ "no-x11-forwarding", 0 },
	{ "permitlisten", 1 },
	{ "permitopen", 1 },
	{ "port-forwarding", 0 },
	{ "principals", 1 },
	{ "pty", 0 },
	{ "restrict", 0 },
	{ "tunnel", 1 },
	{ "user-rc", 0 },
	{ "verify-required", 0 },
	{ "x11-forwarding", 0 },
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of an options field (to the first unquoted blank), or -1 when
 * a quote is left open. */
static long
options_len(const char *p, size_t n)
{
	size_t i;
	int inq = 0;

	for (i = 0; i < n; i++) {
		if (!inq && is_blank(p[i]))
			break;
		if (inq && p[i] == '\\' && i + 1 < n && p[i + 1] == '"') {
			i++;
			continue;
		}
		if (p[i] == '"')
			inq = !inq;
	}
	return inq ? -1 : (long)i;
}

/*
 * Check an options field as sshd reads it: name or name="value", comma
 * separated, names known.  Sets *cert_authority; 0 or -1 with `why`.
 */
static int
options_check(const char *p, size_t n, int *cert_authority, char *why,
    size_t wlen, int names_only)
{
	size_t i = 0, j, k, nl;
	int value;

	*cert_authority = 0;
	while (i < n) {
		for (j = i; j < n && p[j] != ',' && p[j] != '=' && p[j] != '"';
		     j++)
			;
		nl = j - i;
		for (k = 0; k < nitems(ak_options); k++)
			if (strlen(ak_options[k].name) == nl &&
			    strncasecmp(ak_options[k].name, p + i, nl) == 0)
				break;
		if (nl == 0 || k == nitems(ak_options)) {
			if (why != NULL) {
				char *name = sshkey_printable(p + i, nl, 40, 1);
				snprintf(why, wlen,
				    "unknown option \"%s\" (sshd ignores the "
				    "whole line)",
				    name);
				free(name);
			}
			return -1;
		}
		if (names_only && ak_options[k].value)
			return -1;
		value = j < n && p[j] == '=';
		if (value != ak_options[k].value) {
			if (why != NULL)
				snprintf(why, wlen,
				    "option \"%s\" %s (sshd ignores the whole "
				    "line)",
				    ak_options[k].name,
				    value ? "takes no value"
					  : "needs =\"value\"");
			return -1;
		}
		if (strcmp(ak_options[k].name, "cert-authority") == 0)
			*cert_authority = 1;
		if (value) {
			j++;
			if (j >= n || p[j] != '"') {
				if (why != NULL)
					snprintf(why, wlen,
					    "option \"%s\" needs a quoted "
					    "value",
					    ak_options[k].name);
				return -1;
			}
			for (j++; j < n && p[j] != '"'; j++)
				if (p[j] == '\\' && j + 1 < n &&
				    p[j + 1] == '"')
					j++;
			j++; /* closing quote (options_len saw it) */
		}
		if (j < n && p[j] != ',') {
			if (why != NULL)
				snprintf(why, wlen,
				    "options are not separated by commas");
			return -1;
		}
		i = j + 1;
		if (j + 1 == n) {
			if (why != NULL)
				snprintf(why, wlen, "a comma ends the options");
			return -1;
		}
	}
	return 0;
}

/* A hashed known_hosts entry: |1|base64(20-byte salt)|base64(20 bytes). */
static int
hashed_host_ok(const char *p, size_t n)
{
	const char *bar;
	struct buf b;
	int ok;

	if (n < 3 || memcmp(p, "|1|", 3) != 0)
		return 0;
	p += 3;
	n -= 3;
	if ((bar = memchr(p, '|', n)) == NULL)
		return 0;
	buf_init(&b, 64);
	ok = base64_decode(p, (size_t)(bar - p), &b) == 0 && b.len == 20;
	buf_reset(&b);
	ok = ok && base64_decode(bar + 1, n - (size_t)(bar + 1 - p), &b) == 0 &&
	    b.len == 20;
	buf_release(&b);
	return ok;
}

/* A word that reads as a key type name, known or not. */
static int
looks_like_type(const char *p, size_t n)
{
	static const char *const prefixes[] = { "ssh-", "ecdsa-", "sk-", "rsa-",
		"x509v3-" };
	size_t i;

	for (i = 0; i < nitems(prefixes); i++)
		if (n > strlen(prefixes[i]) &&
		    memcmp(p, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return memmem(p, n, "@openssh.com", 12) != NULL;
}

/* Is the next word (after blanks) a known key type? */
static int
next_is_type(const char *p, size_t n)
{
	size_t tl;

	while (n > 0 && is_blank(*p)) {
		p++;
		n--;
	}
	for (tl = 0; tl < n && !is_blank(p[tl]); tl++)
		;
	return sshkey_type_known(p, tl);
}

/* Check one line of an authorized_keys or known_hosts file. */
static void
check_line(struct key_report *rep, const char *path, unsigned lineno,
    const char *p, size_t n, int flags, int *bad)
{
	struct key_finding *f;
	struct cm_err err;
	size_t tl;
	long ol;
	int kh = 0, ca = 0;
	char why[256];

	err_init(&err);
	for (tl = 0; tl < n && !is_blank(p[tl]); tl++)
		;
	f = finding_new(rep, path, lineno,
	    (flags & KEYCHECK_KNOWN_HOSTS) ? KEY_KIND_KNOWN_HOST
					   : KEY_KIND_AUTHORIZED);
	if (sshkey_type_known(p, tl))
		goto key; /* no options, no hosts */
	if (looks_like_type(p, tl) && !next_is_type(p + tl, n - tl)) {
		char *name = sshkey_printable(p, tl, 64, 1);
		add_reason(f, KEY_FAIL, "unknown key type \"%s\"", name);
		free(name);
		goto bad;
	}
	if (p[0] == '@') {
		f->marker = sshkey_printable(p, tl, 32, 1);
		if (strcmp(f->marker, "@cert-authority") != 0 &&
		    strcmp(f->marker, "@revoked") != 0) {
			add_reason(
			    f, KEY_FAIL, "unknown marker \"%s\"", f->marker);
			goto bad;
		}
		ca = strcmp(f->marker, "@cert-authority") == 0;
		kh = 1;
		p += tl;
		n -= tl;
		while (n > 0 && is_blank(*p)) {
			p++;
			n--;
		}
		for (tl = 0; tl < n && !is_blank(p[tl]); tl++)
			;
	} else if (flags & KEYCHECK_KNOWN_HOSTS)
		kh = 1;
	else if (flags & KEYCHECK_AUTHORIZED)
		kh = 0;
	else if (tl >= 3 && memcmp(p, "|1|", 3) == 0)
		kh = 1;
	else if (memchr(p, '=', tl) != NULL || memchr(p, '"', tl) != NULL)
		kh = 0;
	else
		kh = options_check(p, tl, &ca, NULL, 0, 1) != 0;
	f->kind = kh ? KEY_KIND_KNOWN_HOST : KEY_KIND_AUTHORIZED;
	if (kh) {
		if (tl == 0) {
			add_reason(f, KEY_FAIL, "no host names");
			goto bad;
		}
		if (p[0] == '|') {
			f->hashed = 1;
			f->hosts = xstrdup("(hashed)");
			if (!hashed_host_ok(p, tl)) {
				add_reason(f, KEY_FAIL,
				    "corrupt hashed host name (want "
				    "|1|salt|hash, 20 bytes each in base64)");
				goto bad;
			}
		} else
			f->hosts = sshkey_printable(p, tl, 1024, 0);
	} else {
		if ((ol = options_len(p, n)) < 0) {
			add_reason(
			    f, KEY_FAIL, "an option's quote is never closed");
			goto bad;
		}
		tl = (size_t)ol;
		f->options = sshkey_printable(p, tl, 4096, 0);
		if (options_check(p, tl, &ca, why, sizeof(why), 0) != 0) {
			add_reason(f, KEY_FAIL, "%s", why);
			goto bad;
		}
	}
	f->cert_authority = ca;
	p += tl;
	n -= tl;
	while (n > 0 && is_blank(*p)) {
		p++;
		n--;
	}
key:
	if (sshkey_parse_public_line(p, n, &f->key, &err) != 0) {
		add_reason(f, KEY_FAIL, "%s", err.msg);
		goto bad;
	}
	apply_key_policy(f);
	if (f->options != NULL)
		add_reason(f, KEY_OK, "options: %s", f->options);
	return;
bad:
	(*bad)++;
}

/* What the word in front of a key looks like: 1 options, 2 host names,
 * 0 either. */
static int
prefix_class(const char *p, size_t tl)
{
	int ca;

	if (p[0] == '@' || (tl >= 3 && memcmp(p, "|1|", 3) == 0))
		return 2;
	if (memchr(p, '=', tl) != NULL || memchr(p, '"', tl) != NULL ||
	    options_check(p, tl, &ca, NULL, 0, 1) == 0)
		return 1;
	if (memchr(p, '.', tl) != NULL || memchr(p, ':', tl) != NULL ||
	    memchr(p, '[', tl) != NULL || memchr(p, '*', tl) != NULL ||
	    memchr(p, '?', tl) != NULL)
		return 2;
	return 0;
}

/*
 * authorized_keys or known_hosts?  Decided for the whole text when the
 * lines that have something in front of the key agree, so a bad option
 * is reported as one rather than read as a host name.
 */
static int
guess_kind(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;
	size_t n, tl;
	int seen[3] = { 0, 0, 0 };

	for (; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (n > 0 && is_blank(*p)) {
			p++;
			n--;
		}
		if (n == 0 || *p == '#' || n > KEYCHECK_LINE_MAX)
			continue;
		for (tl = 0; tl < n && !is_blank(p[tl]); tl++)
			;
		if (!sshkey_type_known(p, tl))
			seen[prefix_class(p, tl)]++;
	}
	if (seen[1] > 0 && seen[2] == 0)
		return KEYCHECK_AUTHORIZED;
	if (seen[2] > 0 && seen[1] == 0)
		return KEYCHECK_KNOWN_HOSTS;
	return 0;
}

/* A line without its CR and leading blanks: its new length. */
static size_t
trim_line(const char **pp, size_t n)
{
	if (n > 0 && (*pp)[n - 1] == '\r')
		n--;
	while (n > 0 && is_blank(**pp)) {
		(*pp)++;
		n--;
	}
	return n;
}

void
keycheck_skip(struct key_report *rep, const char *path, const char *why)
{
	struct key_finding *f = finding_new(rep, path, 0, KEY_KIND_FILE);

	f->skipped = 1;
	add_reason(f, KEY_OK, "%s", why);
}

/*
 * A key line anywhere: a key type word followed by base64 that starts as
 * every OpenSSH key blob does ("AAAA", a 32-bit length below 2^24).
 */
static int
has_key_line(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *w, *prev = NULL;
	size_t prevlen = 0;

	while (p < end) {
		while (p < end && (is_blank(*p) || *p == '\n' || *p == '\r'))
			p++;
		for (w = p;
		     p < end && !is_blank(*p) && *p != '\n' && *p != '\r'; p++)
			;
		if (p == w)
			break;
		if (prev != NULL && (size_t)(p - w) >= 4 &&
		    memcmp(w, "AAAA", 4) == 0 &&
		    sshkey_type_known(prev, prevlen))
			return 1;
		prev = w;
		prevlen = (size_t)(p - w);
	}
	return 0;
}

/* Lower-case keywords of ssh_config(5) and sshd_config(5) that open most
 * lines of such files. */
static const char *const config_words[] = { "host", "match", "include",
	"hostname", "user", "port", "identityfile", "identitiesonly",
	"identityagent", "proxyjump", "proxycommand", "forwardagent",
	"forwardx11", "controlmaster", "controlpath", "controlpersist",
	"serveraliveinterval", "serveralivecountmax", "stricthostkeychecking",
	"userknownhostsfile", "globalknownhostsfile", "hashknownhosts",
	"addkeystoagent", "usekeychain", "compression", "localforward",
	"remoteforward", "dynamicforward", "sendenv", "setenv", "loglevel",
	"pubkeyauthentication", "passwordauthentication",
	"preferredauthentications", "certificatefile", "ciphers", "macs",
	"kexalgorithms", "hostkeyalgorithms", "pubkeyacceptedalgorithms",
	"pubkeyacceptedkeytypes", "connecttimeout", "requesttty",
	"remotecommand", "batchmode", "tcpkeepalive", "addressfamily",
	"canonicalizehostname", "updatehostkeys", "visualhostkey",
	"authorizedkeysfile", "permitrootlogin", "hostkey", "listenaddress",
	NULL };

/*
 * What a text that holds no key line is, when it is one of the files a
 * normal ~/.ssh holds besides keys: the reason to skip it, or NULL.
 * `base` is the file's name.  Every line must fit the form: a word of
 * letters and digits, then blanks or "=" (ssh_config, at least one word
 * a keyword), or NAME=value (an environment file).
 */
static const char *
not_key_text(const char *base, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;
	size_t n, wl, i;
	int config = 1, env = 1, keyword = 0, lines = 0;

	if (has_key_line(data, len))
		return NULL;
	if (len >= 2 && data[0] == '#' && data[1] == '!')
		return "a script, not keys: skipped";
	if (strcmp(base, "rc") == 0)
		return "sshd's per-user rc script, not keys: skipped";
	for (; p < end && (config || env); p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if ((n = trim_line(&p, n)) == 0 || *p == '#')
			continue;
		if (n > KEYCHECK_LINE_MAX)
			return NULL;
		lines++;
		for (wl = 0;
		     wl < n && (isalnum((unsigned char)p[wl]) || p[wl] == '_');
		     wl++)
			;
		if (wl == 0 || wl == n || (!is_blank(p[wl]) && p[wl] != '='))
			config = 0;
		if (wl == 0 || wl == n || p[wl] != '=' ||
		    isdigit((unsigned char)p[0]))
			env = 0;
		for (i = 0; config && config_words[i] != NULL; i++)
			if (strlen(config_words[i]) == wl &&
			    strncasecmp(p, config_words[i], wl) == 0) {
				keyword++;
				break;
			}
	}
	if (lines == 0)
		return strcmp(base, "config") == 0 ||
			strcmp(base, "ssh_config") == 0
		    ? "an ssh_config file without settings, not keys: skipped"
		    : NULL;
	if (config && keyword > 0)
		return "an ssh_config file, not keys: skipped";
	if (env)
		return "an environment file (NAME=value lines), not keys: "
		       "skipped";
	return NULL;
}

/* Check every line of an authorized_keys or known_hosts text. */
static void
check_lines(struct key_report *rep, const char *path, const char *data,
    size_t len, int flags)
{
	const char *p = data, *end = data + len, *nl;
	size_t n, before = rep->n;
	unsigned lineno = 0;
	int bad = 0;

	if (!(flags & (KEYCHECK_AUTHORIZED | KEYCHECK_KNOWN_HOSTS)))
		flags |= guess_kind(data, len);

	for (; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (n > KEYCHECK_LINE_MAX) {
			struct key_finding *f =
			    finding_new(rep, path, lineno, KEY_KIND_FILE);
			add_reason(f, KEY_FAIL,
			    "line longer than %d bytes: not a key line",
			    KEYCHECK_LINE_MAX);
			bad++;
		} else {
			if ((n = trim_line(&p, n)) == 0 || *p == '#')
				continue;
			check_line(rep, path, lineno, p, n, flags, &bad);
		}
		if (bad >= KEYCHECK_MAX_BAD_LINES && nl != NULL) {
			struct key_finding *f =
			    finding_new(rep, path, 0, KEY_KIND_FILE);
			add_reason(f, KEY_FAIL,
			    "%d lines are not keys: stopped reading; is this a "
			    "key file?",
			    bad);
			return;
		}
	}
	if (rep->n == before && !(flags & KEYCHECK_EMPTY_OK)) {
		struct key_finding *f =
		    finding_new(rep, path, 0, KEY_KIND_FILE);
		add_reason(f, KEY_FAIL, "no SSH key in the file");
	}
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Facts the matching PATH.pub gives about an encrypted private key. */
static void
use_sidecar(struct key_finding *f)
{
	struct sshkey_info pub;
	struct cm_err err;
	struct buf b;
	char *p;

	if (f->key.known && f->key.comment != NULL)
		return;
	p = xasprintf("%s.pub", f->path);
	buf_init(&b, SSHKEY_FILE_MAX);
	sshkey_info_init(&pub);
	if (file_read(p, 64 * 1024, FILE_NOFOLLOW, &b, &err) != 0 ||
	    sshkey_parse(b.data, b.len, &pub, &err) != 0 || pub.is_private)
		goto out;
	if (f->key.known) {
		if (strcmp(pub.fingerprint, f->key.fingerprint) != 0) {
			add_reason(f, KEY_WARN,
			    "\"%s\" holds another key than this one", p);
			goto out;
		}
		f->key.comment = pub.comment;
		pub.comment = NULL;
		goto out;
	}
	/* an encrypted PEM key: take what the .pub says, and say so */
	f->key.type = pub.type;
	f->key.bits = pub.bits;
	memcpy(f->key.type_name, pub.type_name, sizeof(pub.type_name));
	memcpy(f->key.curve, pub.curve, sizeof(pub.curve));
	memcpy(f->key.fingerprint, pub.fingerprint, sizeof(pub.fingerprint));
	f->key.known = 1;
	f->key.comment = pub.comment;
	pub.comment = NULL;
	add_reason(f, KEY_OK, "type and size from \"%s\"", p);
out:
	sshkey_info_release(&pub);
	buf_release(&b);
	free(p);
}

/* A file finding for the permissions of an authorized_keys or
 * known_hosts file, when they let someone else add keys. */
static void
check_line_file_stat(struct key_report *rep, const char *path, size_t first,
    const struct stat *st)
{
	struct key_finding *f;
	size_t i;
	int kh = 0;

	for (i = first; i < rep->n; i++)
		if (rep->v[i].kind == KEY_KIND_KNOWN_HOST)
			kh = 1;
	if ((st->st_mode & 022) ||
	    (st->st_uid != geteuid() && st->st_uid != 0)) {
		f = finding_new(rep, path, 0, KEY_KIND_FILE);
		set_stat(f, st);
		if (st->st_mode & 022)
			add_reason(f, KEY_FAIL,
			    "mode %04o: group or others can write it and add "
			    "%s keys%s",
			    (unsigned)(st->st_mode & 07777),
			    kh ? "host" : "login",
			    kh ? "" : " (sshd's StrictModes refuses it)");
		if (st->st_uid != geteuid() && st->st_uid != 0)
			add_reason(f, KEY_FAIL,
			    "owned by %s (uid %u), neither you nor root",
			    f->owner, (unsigned)st->st_uid);
	}
	for (i = first; i < rep->n; i++)
		if (!rep->v[i].have_stat)
			set_stat(&rep->v[i], st);
}

/*
 * The checks on a file's text: one key (private or public), or lines of
 * authorized_keys / known_hosts.  `st` is NULL for text that is not a
 * local file (standard input, a remote file): no owner, mode or .pub.
 */
static void
check_data(struct key_report *rep, const char *path, const char *data,
    size_t len, int flags, const struct stat *st)
{
	struct key_finding *f;
	struct cm_err err;
	const char *why;
	size_t first;
	int r, armored;

	err_init(&err);
	if (memchr(data, '\0', len) != NULL) {
		f = finding_new(rep, path, 0, KEY_KIND_FILE);
		if (st != NULL)
			set_stat(f, st);
		add_reason(f, KEY_FAIL,
		    "binary data, not a key in text form (DER keys are not "
		    "read: convert with \"openssl pkey -in KEY -out "
		    "KEY.pem\")");
		return;
	}
	armored = memmem(data, len, "-----BEGIN ", 11) != NULL ||
	    memmem(data, len, "---- BEGIN ", 11) != NULL;
	if ((!(flags & (KEYCHECK_AUTHORIZED | KEYCHECK_KNOWN_HOSTS)) &&
		len > 0) ||
	    armored) {
		f = finding_new(rep, path, 0, KEY_KIND_PUBLIC);
		r = sshkey_parse(data, len, &f->key, &err);
		if (r == ERR_NOTFOUND) {
			/* not one key: lines of authorized_keys or known_hosts */
			finding_release(f);
			rep->n--;
		} else {
			if (st != NULL)
				set_stat(f, st);
			if (f->key.is_private ||
			    (r != 0 && armored &&
				memmem(data, len, "PRIVATE KEY", 11) != NULL))
				f->kind = KEY_KIND_PRIVATE;
			else if (r != 0)
				f->kind = KEY_KIND_FILE;
			if (r != 0) {
				f->key.is_private = 0;
				add_reason(f, KEY_FAIL, "%s", err.msg);
			} else {
				if (f->kind == KEY_KIND_PRIVATE && st != NULL)
					use_sidecar(f);
				apply_key_policy(f);
			}
			if (f->kind == KEY_KIND_PRIVATE)
				apply_private_file_policy(f);
			return;
		}
	}
	if (!(flags & (KEYCHECK_AUTHORIZED | KEYCHECK_KNOWN_HOSTS)) &&
	    (why = not_key_text(base_name(path), data, len)) != NULL) {
		keycheck_skip(rep, path, why);
		if (st != NULL)
			set_stat(&rep->v[rep->n - 1], st);
		return;
	}
	first = rep->n;
	check_lines(rep, path, data, len, flags);
	/* who can add keys to the file matters as much as the keys */
	if (st != NULL)
		check_line_file_stat(rep, path, first, st);
}

void
keycheck_text(const char *name, const char *data, size_t len, int flags,
    struct key_report *rep)
{
	check_data(rep, name, data, len, flags, NULL);
}

/* known_hosts.old and the like: a copy ssh never reads. */
static int
is_backup(const char *base)
{
	size_t n = strlen(base);

	return n > 4 && strcmp(base + n - 4, ".old") == 0 &&
	    (str_has_prefix(base, "known_hosts") ||
		str_has_prefix(base, "authorized_keys"));
}

void
keycheck_file(const char *path, struct key_report *rep)
{
	struct key_finding *f;
	struct stat st;
	struct cm_err err;
	struct buf b;
	int fd = -1, r = 0, flags = 0;
	const char *base = base_name(path);

	err_init(&err);
	buf_init_secret(&b, SSHKEY_FILE_MAX);
	/* sockets and directories in ~/.ssh: a socket cannot even be opened */
	if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		keycheck_skip(rep, path,
		    "a socket (ssh's ControlPath, an agent), not keys: "
		    "skipped");
		goto out;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		keycheck_skip(rep, path,
		    "a directory, not keys: skipped (name the files in it to "
		    "check them)");
		goto out;
	}
	if (is_backup(base)) {
		keycheck_skip(rep, path,
		    "an old copy (ssh-keygen -R leaves known_hosts.old), not "
		    "in use: skipped");
		goto out;
	}
	/* O_NONBLOCK: a FIFO must not hang the check */
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		f = finding_new(rep, path, 0, KEY_KIND_FILE);
		add_reason(f, KEY_FAIL, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		f = finding_new(rep, path, 0, KEY_KIND_FILE);
		add_reason(f, KEY_FAIL, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		f = finding_new(rep, path, 0, KEY_KIND_FILE);
		add_reason(f, KEY_FAIL, "%s",
		    S_ISDIR(st.st_mode) ? "a directory, not a key file"
					: "not a regular file");
		goto out;
	}
	if ((uintmax_t)st.st_size > SSHKEY_FILE_MAX ||
	    (r = file_read_fd(fd, path, SSHKEY_FILE_MAX, &b, &err)) != 0) {
		f = finding_new(rep, path, 0, KEY_KIND_FILE);
		set_stat(f, &st);
		if ((uintmax_t)st.st_size > SSHKEY_FILE_MAX || r == ERR_TOOBIG)
			add_reason(f, KEY_FAIL,
			    "larger than %zu bytes: not a key file",
			    SSHKEY_FILE_MAX);
		else
			add_reason(f, KEY_FAIL, "%s", err.msg);
		goto out;
	}
	if (strstr(base, "known_hosts") != NULL)
		flags = KEYCHECK_KNOWN_HOSTS;
	else if (strstr(base, "authorized_keys") != NULL)
		flags = KEYCHECK_AUTHORIZED;
	check_data(rep, path, b.data, b.len, flags, &st);
out:
	if (fd >= 0)
		close(fd);
	buf_release(&b);
}

/* One line of the remote output's header; 0 or -1. */
static int
remote_line(const char **pp, const char *end, char *line, size_t size)
{
	const char *nl = memchr(*pp, '\n', (size_t)(end - *pp));
	size_t n;

	if (nl == NULL || (n = (size_t)(nl - *pp)) >= size)
		return -1;
	memcpy(line, *pp, n);
	line[n] = '\0';
	*pp = nl + 1;
	return 0;
}

/* "MODE UID" (octal, decimal) or "-" for a path stat could not read. */
static int
remote_owner(const char *line, int *known, unsigned *mode, unsigned long *uid)
{
	char *end;

	*known = 0;
	if (strcmp(line, "-") == 0)
		return 0;
	if (line[0] < '0' || line[0] > '7')
		return -1;
	errno = 0;
	*mode = (unsigned)strtoul(line, &end, 8);
	if (errno != 0 || *end != ' ' || *mode > 07777 || end[1] < '0' ||
	    end[1] > '9')
		return -1;
	*uid = strtoul(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*known = 1;
	return 0;
}

int
keycheck_remote_output(const char *name, const char *out, size_t len,
    struct key_report *rep, struct cm_err *err)
{
	static const char *const what[] = { "the authorized_keys file",
		"~/.ssh", "the home directory" };
	const char *p = out, *end = out + len;
	struct key_finding *f = NULL;
	unsigned long user, uid[3] = { 0, 0, 0 };
	unsigned mode[3] = { 0, 0, 0 };
	int known[3] = { 0, 0, 0 }, i;
	size_t first = rep->n, k;
	char line[64], *e;

	if (remote_line(&p, end, line, sizeof(line)) != 0 ||
	    strcmp(line, "ctxmgr-keys 1") != 0)
		return err_set(err, ERR_PROTO,
		    "the remote host did not run the check (is sh there?)");
	if (remote_line(&p, end, line, sizeof(line)) != 0 || line[0] < '0' ||
	    line[0] > '9')
		goto bad;
	errno = 0;
	user = strtoul(line, &e, 10);
	if (errno != 0 || *e != '\0')
		goto bad;
	for (i = 0; i < 3; i++)
		if (remote_line(&p, end, line, sizeof(line)) != 0 ||
		    remote_owner(line, &known[i], &mode[i], &uid[i]) != 0)
			goto bad;
	if (remote_line(&p, end, line, sizeof(line)) != 0)
		goto bad;
	if (strcmp(line, "absent") == 0) {
		if (p != end)
			goto bad;
		f = finding_new(rep, name, 0, KEY_KIND_FILE);
		add_reason(f, KEY_OK,
		    "no authorized_keys file: no key logs in with it");
	} else if (strcmp(line, "present") == 0)
		check_data(rep, name, p, (size_t)(end - p),
		    KEYCHECK_AUTHORIZED | KEYCHECK_EMPTY_OK, NULL);
	else
		goto bad;
	/* what sshd's StrictModes looks at: nobody else may write them */
	for (i = 0; i < 3; i++) {
		if (!known[i] ||
		    (!(mode[i] & 022) && (uid[i] == user || uid[i] == 0)))
			continue;
		if (f == NULL)
			f = finding_new(rep, name, 0, KEY_KIND_FILE);
		if (mode[i] & 022)
			add_reason(f, KEY_FAIL,
			    "%s has mode %04o: group or others can write it "
			    "and add login keys (sshd's StrictModes refuses "
			    "it)",
			    what[i], mode[i]);
		if (uid[i] != user && uid[i] != 0)
			add_reason(f, KEY_FAIL,
			    "%s is owned by uid %lu, neither the user (uid "
			    "%lu) nor root",
			    what[i], uid[i], user);
	}
	/* the file's owner and mode, as the remote stat said them */
	for (k = first; known[0] && k < rep->n; k++) {
		rep->v[k].have_stat = 1;
		rep->v[k].uid = (uid_t)uid[0];
		rep->v[k].mode = mode[0];
		snprintf(
		    rep->v[k].owner, sizeof(rep->v[k].owner), "%lu", uid[0]);
	}
	return 0;
bad:
	return err_set(err, ERR_PROTO,
	    "the remote host answered the check with something unexpected");
}
