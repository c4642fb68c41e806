/* cadb.c: the CA's signed database of issued certificates (see cadb.h). */
#include "common/compat.h"

#include <ctype.h>
#include <strings.h>

#include <jansson.h>

#include "keystore/cadb.h"
#include "common/xmalloc.h"

#define SIG_PREFIX "signature: "
#define FIELD_MAX 1024

static const char *const status_names[] = {
	[CADB_VALID] = "valid",
	[CADB_REVOKED] = "revoked",
	[CADB_SUPERSEDED] = "superseded",
};

const char *
cadb_status_name(enum cadb_status s)
{
	return (size_t)s < nitems(status_names) ? status_names[s] : "unknown";
}

int
cadb_status_parse(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (int)i;
	return -1;
}

void
cadb_init(struct cadb *db)
{
	memset(db, 0, sizeof(*db));
}

void
cadb_entry_release(struct cadb_entry *e)
{
	free(e->serial);
	free(e->subject);
	strv_free(&e->sans);
	free(e->context);
	free(e->key_type);
	free(e->sha256);
	free(e->replaced_by);
	memset(e, 0, sizeof(*e));
}

void
cadb_release(struct cadb *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		cadb_entry_release(&db->v[i]);
	free(db->v);
	memset(db, 0, sizeof(*db));
}

struct cadb_entry *
cadb_add(struct cadb *db)
{
	struct cadb_entry *e;

	if (db->n == db->cap) {
		db->cap = db->cap ? db->cap * 2 : 16;
		db->v = xreallocarray(db->v, db->cap, sizeof(*db->v));
	}
	e = &db->v[db->n++];
	memset(e, 0, sizeof(*e));
	e->serial = xstrdup("");
	e->subject = xstrdup("");
	e->context = xstrdup("");
	e->key_type = xstrdup("");
	e->sha256 = xstrdup("");
	e->replaced_by = xstrdup("");
	return e;
}

struct cadb_entry *
cadb_find(const struct cadb *db, const char *serial)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcasecmp(db->v[i].serial, serial) == 0)
			return &db->v[i];
	return NULL;
}

static int
all_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
cadb_find_prefix(const struct cadb *db, const char *prefix,
    struct cadb_entry **ep, struct cm_err *err)
{
	size_t i, len = strlen(prefix), hits = 0;

	*ep = NULL;
	if (len < 8 || !all_hex(prefix))
		return err_set(err, ERR_NOTFOUND,
		    "a serial needs at least 8 hexadecimal digits");
	for (i = 0; i < db->n; i++)
		if (strlen(db->v[i].serial) >= len &&
		    strncasecmp(db->v[i].serial, prefix, len) == 0) {
			*ep = &db->v[i];
			hits++;
		}
	if (hits == 0)
		return err_set(err, ERR_NOTFOUND,
		    "no certificate with serial \"%s\"", prefix);
	if (hits > 1) {
		*ep = NULL;
		return err_set(err, ERR_INVALID,
		    "serial \"%s\" is ambiguous: give more digits", prefix);
	}
	return 0;
}

/*
 * Field checkers: 0 when fine.  A CA command checks every field of every
 * entry, so the hex ones look each byte up in a bit set: testing the
 * ranges with branches mispredicted on random hex digits.
 */
static const uint64_t HEX_UPPER[4] = { 0x03ff000000000000, 0x7e, 0, 0 };
static const uint64_t HEX_LOWER[4] = { 0x03ff000000000000, 0x7e00000000, 0, 0 };

static int
in_set(const uint64_t set[4], char c)
{
	unsigned char u = (unsigned char)c;

	return (int)((set[u >> 6] >> (u & 63)) & 1);
}

static int
serial_ok(const char *s)
{
	size_t n;

	for (n = 0; in_set(HEX_UPPER, s[n]); n++)
		;
	return s[n] == '\0' && n >= 2 && n <= 64;
}

static int
context_ok(const char *s)
{
	if (strlen(s) > 256)
		return 0;
	for (; *s != '\0'; s++)
		if (!(isascii((unsigned char)*s) &&
			(isalnum((unsigned char)*s) || strchr("_.+-", *s))))
			return 0;
	return 1;
}

static int
sha_ok(const char *s)
{
	size_t n;

	for (n = 0; in_set(HEX_LOWER, s[n]); n++)
		;
	return s[n] == '\0' && (n == 0 || n == 64);
}

/* A string member; `*out` replaced.  Missing is an error unless `opt`. */
static int
get_str(json_t *o, const char *key, int opt, char **out, const char *where,
    struct cm_err *err)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (v == NULL && opt)
		return 0;
	if (!json_is_string(v))
		return err_set(err, ERR_INVALID, "%s: \"%s\" is %s", where, key,
		    v == NULL ? "missing" : "not a string");
	s = json_string_value(v);
	if (json_string_length(v) > FIELD_MAX || str_has_ctrl(s))
		return err_set(err, ERR_INVALID,
		    "%s: \"%s\" is too long or holds control characters", where,
		    key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

static int
get_time(json_t *o, const char *key, time_t *out, const char *where,
    struct cm_err *err)
{
	char *s = NULL;
	int r;

	if ((r = get_str(o, key, 0, &s, where, err)) != 0)
		return r;
	if (x509_time_parse(s, out) != 0)
		r = err_set(err, ERR_INVALID,
		    "%s: \"%s\" is not a UTC time like "
		    "2025-01-31T12:00:00Z",
		    where, key);
	free(s);
	return r;
}

static int
parse_entry(
    json_t *o, struct cadb_entry *e, const char *where, struct cm_err *err)
{
	char *kind = NULL, *status = NULL;
	json_t *sans, *v;
	size_t i;
	int r, k;

	if (!json_is_object(o))
		return err_set(err, ERR_INVALID, "%s: not an object", where);
	if ((r = get_str(o, "serial", 0, &e->serial, where, err)) != 0 ||
	    (r = get_str(o, "kind", 0, &kind, where, err)) != 0 ||
	    (r = get_str(o, "status", 0, &status, where, err)) != 0 ||
	    (r = get_str(o, "subject", 0, &e->subject, where, err)) != 0 ||
	    (r = get_str(o, "context", 1, &e->context, where, err)) != 0 ||
	    (r = get_str(o, "keyType", 1, &e->key_type, where, err)) != 0 ||
	    (r = get_str(o, "sha256", 1, &e->sha256, where, err)) != 0 ||
	    (r = get_str(o, "replacedBy", 1, &e->replaced_by, where, err)) !=
		0 ||
	    (r = get_time(o, "notBefore", &e->not_before, where, err)) != 0 ||
	    (r = get_time(o, "notAfter", &e->not_after, where, err)) != 0)
		goto out;
	r = ERR_INVALID;
	if (!serial_ok(e->serial)) {
		err_set(err, r, "%s: the serial is not upper-case hex", where);
		goto out;
	}
	if ((k = x509_kind_parse(kind)) < 0) {
		err_set(
		    err, r, "%s: unknown kind (ca, server or client)", where);
		goto out;
	}
	e->kind = (enum cert_kind)k;
	if ((k = cadb_status_parse(status)) < 0) {
		err_set(err, r,
		    "%s: unknown status (valid, revoked or superseded)", where);
		goto out;
	}
	e->status = (enum cadb_status)k;
	if (!context_ok(e->context)) {
		err_set(err, r, "%s: the context is not a context name", where);
		goto out;
	}
	if (!sha_ok(e->sha256)) {
		err_set(err, r, "%s: sha256 is not a hex SHA-256", where);
		goto out;
	}
	if (*e->replaced_by != '\0' && !serial_ok(e->replaced_by)) {
		err_set(err, r, "%s: replacedBy is not a serial", where);
		goto out;
	}
	if (e->not_after < e->not_before) {
		err_set(err, r, "%s: notAfter is before notBefore", where);
		goto out;
	}
	if (e->status == CADB_REVOKED) {
		if ((r = get_time(
			 o, "revokedAt", &e->revoked_at, where, err)) != 0)
			goto out;
		r = ERR_INVALID;
	}
	sans = json_object_get(o, "sans");
	if (sans != NULL && !json_is_array(sans)) {
		err_set(err, r, "%s: \"sans\" is not a list", where);
		goto out;
	}
	if (json_array_size(sans) > 100) {
		err_set(err, r, "%s: too many sans", where);
		goto out;
	}
	json_array_foreach(sans, i, v)
	{
		struct cm_err e2;
		if (!json_is_string(v) ||
		    x509_san_check(json_string_value(v), &e2) != 0) {
			err_set(err, r,
			    "%s: san %zu is not DNS:name or IP:addr", where,
			    i + 1);
			goto out;
		}
		strv_push(&e->sans, json_string_value(v));
	}
	r = 0;
out:
	free(kind);
	free(status);
	return r;
}

static int
cmp_serial_at(const void *a, const void *b)
{
	const struct cadb_entry *const *x = a, *const *y = b;
	int c = strcasecmp((*x)->serial, (*y)->serial);

	return c != 0 ? c : (*x < *y ? -1 : *x > *y);
}

/*
 * The index of the first entry whose serial an earlier entry has (as
 * cadb_find compares them), or db->n: sorted, not pairwise, so that a
 * large database is not read in quadratic time.
 */
static size_t
first_repeat(const struct cadb *db)
{
	struct cadb_entry **v;
	size_t i, first = db->n;

	if (db->n < 2)
		return db->n;
	v = xreallocarray(NULL, db->n, sizeof(*v));
	for (i = 0; i < db->n; i++)
		v[i] = &db->v[i];
	qsort(v, db->n, sizeof(*v), cmp_serial_at);
	for (i = 1; i < db->n; i++)
		if (strcasecmp(v[i - 1]->serial, v[i]->serial) == 0 &&
		    (size_t)(v[i] - db->v) < first)
			first = (size_t)(v[i] - db->v);
	free(v);
	return first;
}

/* ---- a fast reader for the database as cadb_encode writes it ---- */

/*
 * The database is read on every CA command and grows with every
 * certificate.  Building jansson's tree and then the entries took about
 * 4 us an entry here, most of a CA command's time once a database holds
 * a few hundred certificates.  This reader goes from the bytes to the
 * entries directly, for the documents it is sure of: the keys
 * cadb_encode writes, each once, in any order and with any white space;
 * strings of printable ASCII without escapes; integers of up to 15
 * digits without a leading zero; every field as parse_entry would take
 * it.  It gives up on anything else (an escape, UTF-8, an unknown key, a
 * field parse_entry would refuse) and leaves the document to
 * cadb_parse_json, which reads all of JSON and words the errors, so
 * there is one reader of record.  fuzz-cadb holds the two to the same
 * databases.
 */
enum {
	FK_SERIAL,
	FK_KIND,
	FK_STATUS,
	FK_SUBJECT,
	FK_SANS,
	FK_CONTEXT,
	FK_KEY_TYPE,
	FK_NOT_BEFORE,
	FK_NOT_AFTER,
	FK_SHA256,
	FK_REVOKED_AT,
	FK_REPLACED_BY,
	FK_N
};

static const char *const fast_keys[FK_N] = { "serial", "kind", "status",
	"subject", "sans", "context", "keyType", "notBefore", "notAfter",
	"sha256", "revokedAt", "replacedBy" };

struct fast {
	const char *p, *end;
};

/* A token the reader takes: a string's bytes, or where "sans" starts. */
struct fast_str {
	const char *s;
	size_t len;
};

static void
fast_ws(struct fast *f)
{
	while (f->p < f->end &&
	    (*f->p == ' ' || *f->p == '\n' || *f->p == '\t' || *f->p == '\r'))
		f->p++;
}

/* Skip white space, then take `c`. */
static int
fast_take(struct fast *f, char c)
{
	fast_ws(f);
	if (f->p >= f->end || *f->p != c)
		return 0;
	f->p++;
	return 1;
}

/* A string of printable ASCII without escapes, at most FIELD_MAX bytes. */
static int
fast_string(struct fast *f, struct fast_str *out)
{
	const char *start;

	if (!fast_take(f, '"'))
		return 0;
	start = f->p;
	while (f->p < f->end && *f->p != '"') {
		if (*f->p < 0x20 || *f->p > 0x7e || *f->p == '\\')
			return 0;
		f->p++;
	}
	if (f->p == f->end || (size_t)(f->p - start) > FIELD_MAX)
		return 0;
	out->s = start;
	out->len = (size_t)(f->p++ - start);
	return 1;
}

/* 0, or up to 15 digits without a leading zero. */
static int
fast_uint(struct fast *f, unsigned long long *out)
{
	int digits = 0;

	fast_ws(f);
	*out = 0;
	if (f->p < f->end && *f->p == '0') {
		f->p++;
		digits = 1;
	} else
		while (f->p < f->end && *f->p >= '0' && *f->p <= '9' &&
		    digits < 15) {
			*out = *out * 10 + (unsigned)(*f->p++ - '0');
			digits++;
		}
	return digits > 0 &&
	    !(f->p < f->end && strchr("0123456789.eE", *f->p) != NULL);
}

/* `{` seen: the next key of an object, or 0 at its end (`done` set). */
static int
fast_key(struct fast *f, int first, struct fast_str *key, int *done)
{
	*done = 0;
	fast_ws(f);
	if (f->p < f->end && *f->p == '}') {
		f->p++;
		*done = 1;
		return 0;
	}
	if (!first && !fast_take(f, ','))
		return 0;
	return fast_string(f, key) && fast_take(f, ':');
}

static int
fast_is(const struct fast_str *s, const char *lit)
{
	return strlen(lit) == s->len && memcmp(s->s, lit, s->len) == 0;
}

/* A field as a C string in `tmp` (sizeof tmp > FIELD_MAX). */
static const char *
fast_cstr(const struct fast_str *s, char *tmp)
{
	memcpy(tmp, s->s, s->len);
	tmp[s->len] = '\0';
	return tmp;
}

/* An array, `item` reading each element (0: give up). */
static int
fast_array(struct fast *f, int (*item)(struct fast *, void *), void *arg)
{
	if (!fast_take(f, '['))
		return 0;
	fast_ws(f);
	if (f->p < f->end && *f->p == ']') {
		f->p++;
		return 1;
	}
	do
		if (!item(f, arg))
			return 0;
	while (fast_take(f, ','));
	return fast_take(f, ']');
}

/* One of "sans": a SAN x509_san_check takes; at most 100. */
static int
fast_san(struct fast *f, void *arg)
{
	struct strv *sans = arg;
	char tmp[FIELD_MAX + 1];
	struct fast_str v;
	struct cm_err e2;

	if (sans->n == 100 || !fast_string(f, &v) ||
	    x509_san_check(fast_cstr(&v, tmp), &e2) != 0)
		return 0;
	strv_push(sans, tmp);
	return 1;
}

/* One entry, `{` next, checked as parse_entry checks it. */
static int
fast_entry(struct fast *f, struct cadb_entry *e)
{
	struct fast_str v[FK_N], key;
	char tmp[FIELD_MAX + 1];
	int seen = 0, done, k, first;

	if (!fast_take(f, '{'))
		return 0;
	for (first = 1; fast_key(f, first, &key, &done); first = 0) {
		for (k = 0; k < FK_N && !fast_is(&key, fast_keys[k]); k++)
			;
		if (k == FK_N || (seen & (1 << k)))
			return 0;
		seen |= 1 << k;
		if (k == FK_SANS ? !fast_array(f, fast_san, &e->sans)
				 : !fast_string(f, &v[k]))
			return 0;
	}
	if (!done)
		return 0;
	/* required: serial, kind, status, subject and the two dates */
	if ((~seen &
		((1 << FK_SERIAL) | (1 << FK_KIND) | (1 << FK_STATUS) |
		    (1 << FK_SUBJECT) | (1 << FK_NOT_BEFORE) |
		    (1 << FK_NOT_AFTER))) != 0)
		return 0;
#define FAST_SET(field, k)                                                     \
	do {                                                                   \
		if (seen & (1 << (k))) {                                       \
			free(e->field);                                        \
			e->field = xstrndup(v[k].s, v[k].len);                 \
		}                                                              \
	} while (0)
	FAST_SET(serial, FK_SERIAL);
	FAST_SET(subject, FK_SUBJECT);
	FAST_SET(context, FK_CONTEXT);
	FAST_SET(key_type, FK_KEY_TYPE);
	FAST_SET(sha256, FK_SHA256);
	FAST_SET(replaced_by, FK_REPLACED_BY);
#undef FAST_SET
	if (!serial_ok(e->serial) || !context_ok(e->context) ||
	    !sha_ok(e->sha256) ||
	    (*e->replaced_by != '\0' && !serial_ok(e->replaced_by)))
		return 0;
	if ((k = x509_kind_parse(fast_cstr(&v[FK_KIND], tmp))) < 0)
		return 0;
	e->kind = (enum cert_kind)k;
	if ((k = cadb_status_parse(fast_cstr(&v[FK_STATUS], tmp))) < 0)
		return 0;
	e->status = (enum cadb_status)k;
	if (x509_time_parse(
		fast_cstr(&v[FK_NOT_BEFORE], tmp), &e->not_before) != 0 ||
	    x509_time_parse(fast_cstr(&v[FK_NOT_AFTER], tmp), &e->not_after) !=
		0 ||
	    e->not_after < e->not_before)
		return 0;
	if (e->status == CADB_REVOKED &&
	    (!(seen & (1 << FK_REVOKED_AT)) ||
		x509_time_parse(
		    fast_cstr(&v[FK_REVOKED_AT], tmp), &e->revoked_at) != 0))
		return 0;
	return 1;
}

/* One of "certificates". */
static int
fast_cert(struct fast *f, void *arg)
{
	struct cadb *db = arg;

	return db->n < CADB_MAX_ENTRIES && fast_entry(f, cadb_add(db));
}

int
cadb_parse_fast(const char *data, size_t len, struct cadb *db)
{
	struct fast f = { data, data + len };
	struct fast_str key;
	unsigned long long n;
	int seen = 0, done, first, ok = 0;

	cadb_init(db);
	if (!fast_take(&f, '{'))
		return 0;
	for (first = 1; fast_key(&f, first, &key, &done); first = 0) {
		if (fast_is(&key, "version") && !(seen & 1)) {
			seen |= 1;
			if (!fast_uint(&f, &n) || n != CADB_VERSION)
				goto out;
		} else if (fast_is(&key, "crlNumber") && !(seen & 2)) {
			seen |= 2;
			if (!fast_uint(&f, &db->crl_number))
				goto out;
		} else if (fast_is(&key, "certificates") && !(seen & 4)) {
			seen |= 4;
			if (!fast_array(&f, fast_cert, db))
				goto out;
		} else
			goto out;
	}
	fast_ws(&f);
	ok = done && (seen & 5) == 5 && f.p == f.end &&
	    first_repeat(db) == db->n;
out:
	if (!ok)
		cadb_release(db);
	return ok;
}

int
cadb_parse(const char *data, size_t len, struct cadb *db, struct cm_err *err)
{
	if (len <= CADB_MAX_BYTES && cadb_parse_fast(data, len, db))
		return 0;
	return cadb_parse_json(data, len, db, err);
}

int
cadb_parse_json(
    const char *data, size_t len, struct cadb *db, struct cm_err *err)
{
	json_error_t jerr;
	json_t *root, *certs, *v;
	char where[64];
	size_t i;
	int r = ERR_INVALID;

	cadb_init(db);
	if (len > CADB_MAX_BYTES)
		return err_set(err, ERR_TOOBIG, "the database is too big");
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(err, ERR_INVALID, "line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		err_set(err, r, "not a JSON object");
		goto out;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != CADB_VERSION) {
		err_set(
		    err, r, "unknown database version (want %d)", CADB_VERSION);
		goto out;
	}
	v = json_object_get(root, "crlNumber");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0)) {
		err_set(err, r, "crlNumber is not a positive integer");
		goto out;
	}
	db->crl_number = v ? (unsigned long long)json_integer_value(v) : 0;
	certs = json_object_get(root, "certificates");
	if (!json_is_array(certs)) {
		err_set(err, r, "\"certificates\" is not a list");
		goto out;
	}
	if (json_array_size(certs) > CADB_MAX_ENTRIES) {
		err_set(err, ERR_TOOBIG, "too many certificates");
		goto out;
	}
	json_array_foreach(certs, i, v)
	{
		struct cadb_entry *e = cadb_add(db);
		snprintf(where, sizeof(where), "certificate %zu", i + 1);
		if ((r = parse_entry(v, e, where, err)) != 0)
			goto out;
	}
	if ((i = first_repeat(db)) < db->n) {
		r = err_set(err, ERR_INVALID,
		    "certificate %zu: serial %s appears twice", i + 1,
		    db->v[i].serial);
		goto out;
	}
	r = 0;
out:
	if (r != 0)
		cadb_release(db);
	json_decref(root);
	return r;
}

/* A writer that remembers whether any append failed (the buffer's cap). */
struct w {
	struct buf *b;
	int bad;
};

static void
w_add(struct w *w, const void *p, size_t n)
{
	w->bad |= buf_add(w->b, p, n) != 0;
}

static void
w_adds(struct w *w, const char *s)
{
	w_add(w, s, strlen(s));
}

/* A JSON string as jansson writes it (invalid UTF-8 as U+FFFD). */
static void
put_str(struct w *w, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	char esc[7];
	size_t n;

	w_add(w, "\"", 1);
	while (*p != '\0') {
		for (n = 0;
		     p[n] >= 0x20 && p[n] < 0x80 && p[n] != '"' && p[n] != '\\';
		     n++)
			;
		if (n > 0) {
			w_add(w, p, n);
			p += n;
			continue;
		}
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			w_add(w, esc, 2);
		} else if (*p < 0x20) {
			const char *named = *p == '\b' ? "\\b"
			    : *p == '\f'               ? "\\f"
			    : *p == '\n'               ? "\\n"
			    : *p == '\r'               ? "\\r"
			    : *p == '\t'               ? "\\t"
						       : NULL;
			if (named != NULL)
				w_adds(w, named);
			else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[*p >> 4];
				esc[5] = hex[*p & 15];
				w_add(w, esc, 6);
			}
		} else if ((n = utf8_valid_len(p, end)) > 0) {
			w_add(w, p, n);
			p += n;
			continue;
		} else
			w_adds(w, "\xef\xbf\xbd");
		p++;
	}
	w_add(w, "\"", 1);
}

static void
put_field(struct w *w, const char *key, const char *value, int last)
{
	w_adds(w, "      \"");
	w_adds(w, key);
	w_adds(w, "\": ");
	put_str(w, value);
	w_adds(w, last ? "\n" : ",\n");
}

static void
put_time(struct w *w, const char *key, time_t t, int last)
{
	char s[32];

	x509_time_format(t, s);
	put_field(w, key, s, last);
}

/*
 * The text jansson's json_dumps(JSON_INDENT(2) | JSON_PRESERVE_ORDER)
 * gives for the database, written directly (a tenth of the time; the
 * unit test and fuzz-cadb compare the two).  All or nothing.
 */
int
cadb_encode(const struct cadb *db, struct buf *out)
{
	struct w w = { out, 0 };
	size_t i, j, start = out->len;
	char head[96];

	snprintf(head, sizeof(head),
	    "{\n  \"version\": %d,\n  \"crlNumber\": %llu,\n"
	    "  \"certificates\": [%s\n",
	    CADB_VERSION, db->crl_number, db->n == 0 ? "]" : "");
	w_adds(&w, head);
	for (i = 0; i < db->n; i++) {
		const struct cadb_entry *e = &db->v[i];
		int revoked = e->status == CADB_REVOKED;
		int replaced = *e->replaced_by != '\0';
		w_adds(&w, "    {\n");
		put_field(&w, "serial", e->serial, 0);
		put_field(&w, "kind", x509_kind_name(e->kind), 0);
		put_field(&w, "status", cadb_status_name(e->status), 0);
		put_field(&w, "subject", e->subject, 0);
		if (e->sans.n == 0)
			w_adds(&w, "      \"sans\": [],\n");
		else {
			w_adds(&w, "      \"sans\": [\n");
			for (j = 0; j < e->sans.n; j++) {
				w_adds(&w, "        ");
				put_str(&w, e->sans.v[j]);
				w_adds(&w, j + 1 < e->sans.n ? ",\n" : "\n");
			}
			w_adds(&w, "      ],\n");
		}
		put_field(&w, "context", e->context, 0);
		put_field(&w, "keyType", e->key_type, 0);
		put_time(&w, "notBefore", e->not_before, 0);
		put_time(&w, "notAfter", e->not_after, 0);
		put_field(&w, "sha256", e->sha256, !revoked && !replaced);
		if (revoked)
			put_time(&w, "revokedAt", e->revoked_at, !replaced);
		if (replaced)
			put_field(&w, "replacedBy", e->replaced_by, 1);
		w_adds(&w, i + 1 < db->n ? "    },\n" : "    }\n");
	}
	if (db->n > 0)
		w_adds(&w, "  ]\n");
	w_adds(&w, "}\n");
	if (w.bad) {
		out->len = start;
		out->data[start] = '\0';
		return ERR_TOOBIG;
	}
	return 0;
}

int
cadb_split(const char *data, size_t len, size_t *signed_len, struct buf *sig,
    struct cm_err *err)
{
	const char *line, *end;
	size_t plen = strlen(SIG_PREFIX);

	if (len == 0 || data[len - 1] != '\n')
		return err_set(err, ERR_INVALID,
		    "the signature line is missing or cut short");
	end = data + len - 1;
	for (line = end; line > data && line[-1] != '\n'; line--)
		;
	if ((size_t)(end - line) <= plen || memcmp(line, SIG_PREFIX, plen) != 0)
		return err_set(
		    err, ERR_INVALID, "the signature line is missing");
	if (x509_base64_decode(line + plen, (size_t)(end - line) - plen, sig) !=
	    0)
		return err_set(
		    err, ERR_INVALID, "the signature line is not base64");
	*signed_len = (size_t)(line - data);
	return 0;
}

int
cadb_read(const char *data, size_t len, EVP_PKEY *pub, struct cadb *db,
    struct cm_err *err)
{
	struct buf sig;
	size_t signed_len;
	int r;

	cadb_init(db);
	buf_init(&sig, 64 << 10);
	if (len > CADB_MAX_BYTES)
		r = err_set(err, ERR_TOOBIG, "the database is too big");
	else if ((r = cadb_split(data, len, &signed_len, &sig, err)) != 0)
		;
	else if (x509_verify_data(pub, data, signed_len, sig.data, sig.len) !=
	    0)
		r = err_set(err, ERR_INVALID,
		    "the signature does not match: the database was changed "
		    "outside ctxmgr or belongs to another CA");
	else
		r = cadb_parse(data, signed_len, db, err);
	buf_release(&sig);
	return r;
}

int
cadb_write(
    const struct cadb *db, EVP_PKEY *key, struct buf *out, struct cm_err *err)
{
	struct buf sig;
	size_t start = out->len;
	int r;

	buf_init(&sig, 64 << 10);
	if ((r = cadb_encode(db, out)) != 0)
		r = err_set(err, r, "cannot encode the database");
	else if ((r = x509_sign_data(key, out->data + start, out->len - start,
		      &sig, err)) == 0 &&
	    ((r = buf_adds(out, SIG_PREFIX)) != 0 ||
		(r = x509_base64_encode(sig.data, sig.len, out)) != 0 ||
		(r = buf_addc(out, '\n')) != 0))
		r = err_set(err, r, "cannot encode the database");
	buf_release(&sig);
	return r;
}
