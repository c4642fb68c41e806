/* endpoint.c: Docker endpoint URL parsing (see endpoint.h). */
#include "common/compat.h"

#include <ctype.h>

#include "common/endpoint.h"
#include "common/util.h"
#include "common/xmalloc.h"

const char *
endpoint_scheme_name(enum endpoint_scheme s)
{
	switch (s) {
	case EP_UNIX:
		return "unix";
	case EP_TCP:
		return "tcp";
	case EP_SSH:
		return "ssh";
	}
	return "?";
}

void
endpoint_free(struct endpoint *ep)
{
	free(ep->user);
	free(ep->host);
	free(ep->path);
	memset(ep, 0, sizeof(*ep));
}

int
endpoint_check_host(const char *host, struct cm_err *err)
{
	const char *p;

	if (*host == '\0')
		return err_set(err, ERR_INVALID, "host name is empty");
	if (*host == '-')
		return err_set(err, ERR_INVALID,
		    "host name \"%s\" starts with \"-\" and could be taken "
		    "for an option",
		    host);
	if (strlen(host) > 253)
		return err_set(err, ERR_INVALID, "host name is too long");
	for (p = host; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_' && *p != ':' && *p != '%')
			return err_set(err, ERR_INVALID,
			    "host name \"%s\" holds the character %s%c%s, "
			    "which is not allowed",
			    host, isprint((unsigned char)*p) ? "\"" : "",
			    isprint((unsigned char)*p) ? *p : '?',
			    isprint((unsigned char)*p) ? "\"" : "");
	return 0;
}

int
endpoint_check_user(const char *user, struct cm_err *err)
{
	const char *p;

	if (*user == '\0')
		return err_set(err, ERR_INVALID, "user name is empty");
	if (*user == '-')
		return err_set(err, ERR_INVALID,
		    "user name \"%s\" starts with \"-\" and could be taken "
		    "for an option",
		    user);
	if (strlen(user) > 64)
		return err_set(err, ERR_INVALID, "user name is too long");
	for (p = user; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
		    *p != '_' && *p != '$')
			return err_set(err, ERR_INVALID,
			    "user name \"%s\" holds a character that is not "
			    "allowed",
			    user);
	return 0;
}

/* Percent-decode a URL path; NUL and control characters are refused. */
static int
path_decode(const char *s, size_t n, char **out, struct cm_err *err)
{
	char *p = xmalloc(n + 1);
	size_t i, j = 0;
	int h, l;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n || (h = hex_digit(s[i + 1])) < 0 ||
			    (l = hex_digit(s[i + 2])) < 0)
				goto bad;
			c = h * 16 + l;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f) {
			free(p);
			return err_set(err, ERR_INVALID,
			    "socket path holds a control character");
		}
		p[j++] = (char)c;
	}
	p[j] = '\0';
	*out = p;
	return 0;
bad:
	free(p);
	return err_set(err, ERR_INVALID, "invalid percent escape in path");
}

static int
parse_port(const char *s, size_t n, int *port, struct cm_err *err)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return err_set(err, ERR_INVALID, "invalid port \"%.*s\"",
		    (int)(n > 16 ? 16 : n), s);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return err_set(err, ERR_INVALID,
			    "invalid port \"%.*s\"", (int)n, s);
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return err_set(
		    err, ERR_INVALID, "port %ld is out of range (1-65535)", v);
	*port = (int)v;
	return 0;
}

/* Parse "host[:port]" or "[v6]:port" from s[0..n). */
static int
parse_hostport(const char *s, size_t n, struct endpoint *ep, struct cm_err *err)
{
	const char *colon;
	size_t hl;
	int r;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL)
			return err_set(err, ERR_INVALID,
			    "missing \"]\" after an IPv6 address");
		ep->host = xstrndup(s + 1, (size_t)(close - s - 1));
		if (*ep->host == '\0' ||
		    strspn(ep->host, "0123456789abcdefABCDEF:.%") !=
			strlen(ep->host))
			return err_set(err, ERR_INVALID,
			    "invalid IPv6 address \"%s\"", ep->host);
		hl = (size_t)(close - s) + 1;
		if (hl == n)
			return 0;
		if (s[hl] != ':')
			return err_set(err, ERR_INVALID,
			    "unexpected text after the IPv6 address");
		return parse_port(s + hl + 1, n - hl - 1, &ep->port, err);
	}
	colon = memchr(s, ':', n);
	hl = colon ? (size_t)(colon - s) : n;
	ep->host = xstrndup(s, hl);
	if ((r = endpoint_check_host(ep->host, err)) != 0)
		return r;
	if (strchr(ep->host, ':') != NULL || strchr(ep->host, '%') != NULL)
		return err_set(
		    err, ERR_INVALID, "invalid host name \"%s\"", ep->host);
	if (colon != NULL)
		return parse_port(colon + 1, n - hl - 1, &ep->port, err);
	return 0;
}

/* The characters a Docker endpoint URL may hold (after C0 and spaces). */
static int
endpoint_chars_ok(const char *url, struct cm_err *err)
{
	const unsigned char *p;

	for (p = (const unsigned char *)url; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~:/@[]%+,=?#", *p) != NULL)
			continue;
		if (*p >= 0x21 && *p < 0x7f)
			return err_set(err, ERR_INVALID,
			    "endpoint URL holds the character \"%c\", which "
			    "is not allowed in a URL",
			    *p);
		return err_set(err, ERR_INVALID,
		    "endpoint URL holds the byte 0x%02x, which is not "
		    "allowed in a URL",
		    *p);
	}
	return 0;
}

int
endpoint_check_url(const char *url, struct cm_err *err)
{
	struct endpoint ep;
	int r;

	if (url != NULL && str_has_prefix(url, "npipe://")) {
		if (str_has_ctrl(url) || strchr(url, ' ') != NULL)
			return err_set(err, ERR_INVALID,
			    "endpoint URL holds a control character or a "
			    "space");
		return endpoint_chars_ok(url, err);
	}
	r = endpoint_parse(url, &ep, err);
	endpoint_free(&ep);
	return r;
}

int
endpoint_parse(const char *url, struct endpoint *ep, struct cm_err *err)
{
	const char *rest, *slash, *at;
	size_t authlen;
	int r;

	memset(ep, 0, sizeof(*ep));
	if (url == NULL || *url == '\0')
		return err_set(err, ERR_INVALID, "endpoint URL is empty");
	if (str_has_ctrl(url))
		return err_set(
		    err, ERR_INVALID, "endpoint URL holds a control character");
	/* an option smuggled in as a user or host name is the reason that
	 * matters, whatever else is wrong (a space in it, say) */
	if ((str_has_prefix(url, "ssh://") || str_has_prefix(url, "tcp://")) &&
	    (url[6] == '-' ||
		((at = memchr(url + 6, '@', strcspn(url + 6, "/"))) != NULL &&
		    at[1] == '-')))
		return err_set(err, ERR_INVALID,
		    "endpoint URL \"%s\": a user or host name starting with "
		    "\"-\" could be taken for an option (option injection)",
		    url);
	if (strchr(url, ' ') != NULL)
		return err_set(err, ERR_INVALID, "endpoint URL holds a space");
	if ((r = endpoint_chars_ok(url, err)) != 0)
		return r;
	if (str_has_prefix(url, "unix://")) {
		ep->scheme = EP_UNIX;
		rest = url + 7;
		if (strpbrk(rest, "?#") != NULL)
			return err_set(err, ERR_INVALID,
			    "endpoint URL \"%s\" must not have a query or "
			    "fragment",
			    url);
		if (*rest != '/')
			return err_set(err, ERR_INVALID,
			    "unix socket path in \"%s\" must be absolute", url);
		if (strlen(rest) > ENDPOINT_UNIX_PATH_MAX)
			return err_set(err, ERR_INVALID,
			    "unix socket path is longer than %d bytes",
			    ENDPOINT_UNIX_PATH_MAX);
		ep->path = xstrdup(rest);
		return 0;
	}
	if (str_has_prefix(url, "tcp://"))
		ep->scheme = EP_TCP;
	else if (str_has_prefix(url, "ssh://"))
		ep->scheme = EP_SSH;
	else {
		const char *sep = strstr(url, "://");
		if (sep == NULL)
			return err_set(err, ERR_INVALID,
			    "endpoint \"%s\" is not a URL (use unix:///path, "
			    "tcp://host:port or ssh://[user@]host)",
			    url);
		return err_set(err, ERR_INVALID,
		    "unsupported endpoint scheme \"%.*s\" (use unix://, "
		    "tcp:// or ssh://)",
		    (int)(sep - url > 32 ? 32 : sep - url), url);
	}
	rest = url + 6;
	if (strpbrk(rest, "?#") != NULL)
		return err_set(err, ERR_INVALID,
		    "endpoint URL \"%s\" must not have a query or fragment",
		    url);
	slash = strchr(rest, '/');
	authlen = slash ? (size_t)(slash - rest) : strlen(rest);
	if (authlen == 0)
		return err_set(
		    err, ERR_INVALID, "endpoint \"%s\" has no host", url);

	at = memchr(rest, '@', authlen);
	if (at != NULL) {
		if (ep->scheme != EP_SSH)
			return err_set(err, ERR_INVALID,
			    "a user name is only allowed in ssh:// URLs");
		if (memchr(rest, ':', (size_t)(at - rest)) != NULL)
			return err_set(err, ERR_INVALID,
			    "plain-text password in \"%s\" is not supported; "
			    "use an SSH key",
			    url);
		ep->user = xstrndup(rest, (size_t)(at - rest));
		if ((r = endpoint_check_user(ep->user, err)) != 0)
			return r;
		authlen -= (size_t)(at - rest) + 1;
		rest = at + 1;
	}
	if ((r = parse_hostport(rest, authlen, ep, err)) != 0)
		return r;
	if (slash == NULL || slash[1] == '\0')
		return 0;
	if (ep->scheme == EP_TCP)
		return err_set(err, ERR_INVALID,
		    "tcp:// endpoint \"%s\" must not have a path", url);
	return path_decode(slash, strlen(slash), &ep->path, err);
}
