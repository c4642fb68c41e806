/* metascan.c: fast strict meta.json field reader (see metascan.h). */
#include "common/compat.h"

#include <math.h>
#include <strings.h>

#include "common/buf.h"
#include "store/metascan.h"
#include "common/util.h"
#include "common/xmalloc.h"

#define SCAN_MAX_DEPTH 2048 /* jansson's JSON_PARSER_MAX_DEPTH */

struct scanner {
	const unsigned char *p, *end;
	struct cm_err *err;
	int depth;
};

/* Where a scalar should go, if anywhere. */
enum want { W_NONE, W_NAME, W_DESC, W_HOST, W_SKIP, W_SSHHOST };

/* The values found, and type errors met (the last key wins, as in Go). */
struct found {
	struct buf name, desc, host;
	struct buf sshhost; /* Metadata.ctxmgr.sshHost when a string */
	int have_name, name_type_err;
	int desc_type_err;
	int host_type_err;
	int skip, skip_type_err;
	int meta_type_err, eps_type_err, docker_type_err;
	int has_docker; /* the Endpoints object that counts has "docker" */
	int docker_null; /* ... and it is null */
};

static int
bad(struct scanner *sc, const char *what)
{
	return err_set(sc->err, ERR_INVALID, "invalid meta.json: %s", what);
}

static void
skip_ws(struct scanner *sc)
{
	while (sc->p < sc->end &&
	    (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' ||
		*sc->p == '\r'))
		sc->p++;
}

static int
hex4(const unsigned char *p, unsigned *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if ((d = hex_digit(p[i])) < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

static void
put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/*
 * Scan a string at sc->p (the opening quote).  Decoded into `out` when
 * out is not NULL.
 */
static int
scan_string(struct scanner *sc, struct buf *out)
{
	const unsigned char *start;
	unsigned cp, lo;
	size_t n;

	sc->p++;
	for (;;) {
		start = sc->p;
		while (sc->p < sc->end && *sc->p != '"' && *sc->p != '\\' &&
		    *sc->p >= 0x20 && *sc->p < 0x80)
			sc->p++;
		if (out != NULL)
			buf_add(out, start, (size_t)(sc->p - start));
		if (sc->p >= sc->end)
			return bad(sc, "unterminated string");
		if (*sc->p == '"') {
			sc->p++;
			return 0;
		}
		if (*sc->p < 0x20)
			return bad(sc, "control character in a string");
		if (*sc->p >= 0x80) {
			if ((n = utf8_valid_len(sc->p, sc->end)) == 0)
				return bad(sc, "invalid UTF-8 in a string");
			if (out != NULL)
				buf_add(out, sc->p, n);
			sc->p += n;
			continue;
		}
		/* a backslash escape */
		if (sc->end - sc->p < 2)
			return bad(sc, "unterminated string");
		switch (sc->p[1]) {
		case '"':
		case '\\':
		case '/':
			if (out)
				buf_addc(out, sc->p[1]);
			sc->p += 2;
			continue;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			if (sc->end - sc->p < 6 || hex4(sc->p + 2, &cp) != 0)
				return bad(sc, "invalid \\u escape");
			sc->p += 6;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return bad(sc, "invalid Unicode escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (sc->end - sc->p < 6 || sc->p[0] != '\\' ||
				    sc->p[1] != 'u' ||
				    hex4(sc->p + 2, &lo) != 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					return bad(
					    sc, "invalid Unicode escape");
				sc->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (out)
				put_utf8(out, cp);
			continue;
		default:
			return bad(sc, "invalid escape in a string");
		}
		if (out)
			buf_addc(out, (int)cp);
		sc->p += 2;
	}
}

static int
scan_number(struct scanner *sc)
{
	const unsigned char *s = sc->p;
	char tmp[512], *heap = NULL, *num;
	size_t n;
	double v;

	if (sc->p < sc->end && *sc->p == '-')
		sc->p++;
	if (sc->p >= sc->end)
		return bad(sc, "invalid number");
	if (*sc->p == '0')
		sc->p++;
	else if (*sc->p >= '1' && *sc->p <= '9')
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
	else
		return bad(sc, "invalid number");
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (sc->p >= sc->end || *sc->p < '0' || *sc->p > '9')
			return bad(sc, "invalid number");
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (sc->p >= sc->end || *sc->p < '0' || *sc->p > '9')
			return bad(sc, "invalid number");
		while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
	}
	/* jansson refuses what overflows a double */
	n = (size_t)(sc->p - s);
	num = n < sizeof(tmp) ? tmp : (heap = xmalloc(n + 1));
	memcpy(num, s, n);
	num[n] = '\0';
	errno = 0;
	v = strtod(num, NULL);
	free(heap);
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return bad(sc, "real number overflow");
	return 0;
}

static int scan_value(struct scanner *sc, struct found *f, int ctx);

/* Value contexts: where in the document the value sits. */
enum { C_OTHER, C_TOP, C_META, C_EPS, C_DOCKER, C_SETTINGS };

static int
scan_literal(struct scanner *sc, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, lit, n) != 0)
		return bad(sc, "invalid token");
	sc->p += n;
	return 0;
}

/* Which field a key selects in an object of context `ctx`. */
static int
child_of(int ctx, const char *key, size_t klen, enum want *w)
{
	*w = W_NONE;
	if (strlen(key) != klen)
		return C_OTHER; /* a NUL in the key: never a field */
	switch (ctx) {
	case C_TOP:
		if (strcasecmp(key, "Name") == 0)
			*w = W_NAME;
		else if (strcasecmp(key, "Metadata") == 0)
			return C_META;
		else if (strcasecmp(key, "Endpoints") == 0)
			return C_EPS;
		break;
	case C_META:
		if (strcmp(key, "Description") == 0)
			*w = W_DESC;
		else if (strcmp(key, "ctxmgr") == 0)
			return C_SETTINGS;
		break;
	case C_SETTINGS:
		if (strcmp(key, "sshHost") == 0)
			*w = W_SSHHOST;
		break;
	case C_EPS:
		if (strcmp(key, "docker") == 0)
			return C_DOCKER;
		break;
	case C_DOCKER:
		if (strcasecmp(key, "Host") == 0)
			*w = W_HOST;
		else if (strcasecmp(key, "SkipTLSVerify") == 0)
			*w = W_SKIP;
		break;
	}
	return C_OTHER;
}

/* A scalar or container for the field `w`, recording its type. */
static int
scan_field(struct scanner *sc, struct found *f, enum want w)
{
	struct buf *dst = w == W_NAME ? &f->name
	    : w == W_DESC             ? &f->desc
	    : w == W_HOST             ? &f->host
				      : NULL;
	int *type_err = w == W_NAME ? &f->name_type_err
	    : w == W_DESC           ? &f->desc_type_err
	    : w == W_HOST           ? &f->host_type_err
				    : &f->skip_type_err;
	int is_null = 0, r;

	if (w == W_SSHHOST) {
		/* a setting: a string or nothing, never a type error */
		buf_reset(&f->sshhost);
		if (sc->p < sc->end && *sc->p == '"')
			return scan_string(sc, &f->sshhost);
		return scan_value(sc, f, C_OTHER);
	}
	if (sc->p < sc->end && *sc->p == '"' && dst != NULL) {
		buf_reset(dst);
		if ((r = scan_string(sc, dst)) != 0)
			return r;
		*type_err = 0;
		if (w == W_NAME)
			f->have_name = 1;
		return 0;
	}
	if (w == W_SKIP && sc->p < sc->end &&
	    (*sc->p == 't' || *sc->p == 'f')) {
		int t = *sc->p == 't';
		if ((r = scan_literal(sc, t ? "true" : "false")) != 0)
			return r;
		f->skip = t;
		*type_err = 0;
		return 0;
	}
	if (sc->p < sc->end && *sc->p == 'n') {
		if ((r = scan_literal(sc, "null")) != 0)
			return r;
		is_null = 1;
	} else if ((r = scan_value(sc, f, C_OTHER)) != 0)
		return r;
	/* null leaves Go's field as it was; in our reader it is "absent",
	 * except Description, which must be a string when present */
	if (is_null && w != W_DESC) {
		*type_err = 0;
		if (dst != NULL)
			buf_reset(dst);
		if (w == W_NAME)
			f->have_name = 0;
		if (w == W_SKIP)
			f->skip = 0;
		return 0;
	}
	*type_err = 1;
	return 0;
}

static int
scan_object(struct scanner *sc, struct found *f, int ctx)
{
	struct buf key;
	enum want w;
	int r, child;

	if (++sc->depth > SCAN_MAX_DEPTH)
		return bad(sc, "maximum parsing depth reached");
	buf_init(&key, 0);
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == '}') {
		sc->p++;
		r = 0;
		goto out;
	}
	for (;;) {
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != '"') {
			r = bad(sc, "string expected as an object key");
			goto out;
		}
		buf_reset(&key);
		if ((r = scan_string(sc, ctx == C_OTHER ? NULL : &key)) != 0)
			goto out;
		skip_ws(sc);
		if (sc->p >= sc->end || *sc->p != ':') {
			r = bad(sc, "':' expected");
			goto out;
		}
		sc->p++;
		skip_ws(sc);
		child = ctx == C_OTHER ? C_OTHER
				       : child_of(ctx, key.data, key.len, &w);
		if (ctx != C_OTHER && w != W_NONE)
			r = scan_field(sc, f, w);
		else
			r = scan_value(sc, f, child);
		if (r != 0)
			goto out;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == '}') {
			sc->p++;
			r = 0;
			goto out;
		}
		r = bad(sc, "',' or '}' expected");
		goto out;
	}
out:
	sc->depth--;
	buf_release(&key);
	return r;
}

static int
scan_array(struct scanner *sc, struct found *f)
{
	int r;

	if (++sc->depth > SCAN_MAX_DEPTH)
		return bad(sc, "maximum parsing depth reached");
	sc->p++;
	skip_ws(sc);
	if (sc->p < sc->end && *sc->p == ']') {
		sc->p++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		if ((r = scan_value(sc, f, C_OTHER)) != 0)
			return r;
		skip_ws(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			continue;
		}
		if (sc->p < sc->end && *sc->p == ']') {
			sc->p++;
			sc->depth--;
			return 0;
		}
		return bad(sc, "',' or ']' expected");
	}
}

/*
 * A value in context `ctx`.  Containers where an object is required
 * (Metadata, Endpoints, the docker endpoint) record a type error when they
 * are something else; null counts as absent.
 */
static int
scan_value(struct scanner *sc, struct found *f, int ctx)
{
	int *type_err = ctx == C_META ? &f->meta_type_err
	    : ctx == C_EPS            ? &f->eps_type_err
	    : ctx == C_DOCKER         ? &f->docker_type_err
				      : NULL;

	if (sc->p >= sc->end)
		return bad(sc, "unexpected end of input");
	if (type_err != NULL)
		*type_err = *sc->p != '{' && *sc->p != 'n';
	if (ctx == C_DOCKER && *sc->p == 'n') {
		/* a null docker endpoint: no Host, no SkipTLSVerify */
		buf_reset(&f->host);
		f->skip = 0;
	}
	/*
	 * A repeated Endpoints adds to the map, as Go decodes into a map it
	 * has already made; null empties it; the last "docker" counts.
	 */
	if (ctx == C_EPS && *sc->p == 'n')
		f->has_docker = f->docker_null = 0;
	if (ctx == C_DOCKER) {
		f->has_docker = *sc->p == '{';
		f->docker_null = *sc->p == 'n';
	}
	/* the last Metadata, and its last "ctxmgr", is the one that counts */
	if (ctx == C_META || ctx == C_SETTINGS)
		buf_reset(&f->sshhost);
	switch (*sc->p) {
	case '{':
		if (ctx == C_META) {
			/* the last Metadata object is the one that counts */
			buf_reset(&f->desc);
			f->desc_type_err = 0;
		}
		if (ctx == C_DOCKER) {
			buf_reset(&f->host);
			f->skip = f->host_type_err = f->skip_type_err = 0;
		}
		return scan_object(sc, f, ctx);
	case '[':
		return scan_array(sc, f);
	case '"':
		return scan_string(sc, NULL);
	case 't':
		return scan_literal(sc, "true");
	case 'f':
		return scan_literal(sc, "false");
	case 'n':
		if (ctx == C_META) {
			buf_reset(&f->desc);
			f->desc_type_err = 0;
		}
		return scan_literal(sc, "null");
	default:
		return scan_number(sc);
	}
}

static void
found_release(struct found *f)
{
	buf_release(&f->name);
	buf_release(&f->desc);
	buf_release(&f->host);
	buf_release(&f->sshhost);
}

int
meta_scan(
    const char *data, size_t len, struct meta_summary *s, struct cm_err *err)
{
	struct scanner sc = { (const unsigned char *)data,
		(const unsigned char *)data + len, err, 0 };
	struct found f;
	int r;

	memset(s, 0, sizeof(*s));
	memset(&f, 0, sizeof(f));
	buf_init(&f.name, 0);
	buf_init(&f.desc, 0);
	buf_init(&f.host, 0);
	buf_init(&f.sshhost, 0);
	skip_ws(&sc);
	if (sc.p >= sc.end || (*sc.p != '{' && *sc.p != '[')) {
		r = bad(&sc, "'[' or '{' expected");
		goto out;
	}
	if (*sc.p == '[') {
		if ((r = scan_array(&sc, &f)) == 0)
			r = bad(&sc, "not a JSON object");
		skip_ws(&sc);
		if (sc.p < sc.end)
			r = bad(&sc, "end of file expected");
		goto out;
	}
	if ((r = scan_object(&sc, &f, C_TOP)) != 0)
		goto out;
	skip_ws(&sc);
	if (sc.p < sc.end) {
		r = bad(&sc, "end of file expected");
		goto out;
	}
	/* the semantic checks, in context_parse_meta's order */
	if (f.name_type_err)
		r = bad(&sc, "Name is not a string");
	else if (f.meta_type_err)
		r = bad(&sc, "Metadata is not an object");
	else if (f.desc_type_err)
		r = bad(&sc, "Description is not a string");
	else if (f.eps_type_err)
		r = bad(&sc, "Endpoints is not an object");
	else if (f.docker_type_err)
		r = bad(&sc, "the docker endpoint is not an object");
	else if (f.host_type_err)
		r = bad(&sc, "Host is not a string");
	else if (f.skip_type_err)
		r = bad(&sc, "SkipTLSVerify is not a boolean");
	if (r != 0)
		goto out;
	s->name = xstrndup(f.name.data, f.name.len);
	if (f.desc.len > 0)
		s->description = xstrndup(f.desc.data, f.desc.len);
	if (f.host.len > 0)
		s->host = xstrndup(f.host.data, f.host.len);
	if (f.sshhost.len > 0)
		s->ssh_host = xstrndup(f.sshhost.data, f.sshhost.len);
	s->skip_tls_verify = f.skip;
	s->has_docker = f.has_docker;
	s->docker_null = f.docker_null;
out:
	found_release(&f);
	return r;
}

void
meta_summary_free(struct meta_summary *s)
{
	free(s->name);
	free(s->description);
	free(s->host);
	free(s->ssh_host);
	memset(s, 0, sizeof(*s));
}
