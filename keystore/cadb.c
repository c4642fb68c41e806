/* cadb.c: the CA's signed database of issued certificates (see cadb.h). */
#include "common/compat.h"

#include <ctype.h>
#include <strings.h>

#include <jansson.h>

#include "keystore/cadb.h"
#include "keystore/sshcodec.h"
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

/* Field checkers: 1 when fine. */
static int
serial_ok(const char *s)
{
	size_t n;

	for (n = 0;
	     isxdigit((unsigned char)s[n]) && !islower((unsigned char)s[n]);
	     n++)
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

	for (n = 0;
	     isxdigit((unsigned char)s[n]) && !isupper((unsigned char)s[n]);
	     n++)
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

int
cadb_parse(const char *data, size_t len, struct cadb *db, struct cm_err *err)
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

static json_t *
time_json(time_t t)
{
	char s[32];

	x509_time_format(t, s);
	return json_string(s);
}

static json_t *
entry_json(const struct cadb_entry *e)
{
	json_t *o = json_object(), *sans = json_array();
	size_t j;

	json_object_set_new(o, "serial", json_string(e->serial));
	json_object_set_new(o, "kind", json_string(x509_kind_name(e->kind)));
	json_object_set_new(
	    o, "status", json_string(cadb_status_name(e->status)));
	json_object_set_new(o, "subject", json_string(e->subject));
	for (j = 0; j < e->sans.n; j++)
		json_array_append_new(sans, json_string(e->sans.v[j]));
	json_object_set_new(o, "sans", sans);
	json_object_set_new(o, "context", json_string(e->context));
	json_object_set_new(o, "keyType", json_string(e->key_type));
	json_object_set_new(o, "notBefore", time_json(e->not_before));
	json_object_set_new(o, "notAfter", time_json(e->not_after));
	json_object_set_new(o, "sha256", json_string(e->sha256));
	if (e->status == CADB_REVOKED)
		json_object_set_new(o, "revokedAt", time_json(e->revoked_at));
	if (*e->replaced_by != '\0')
		json_object_set_new(
		    o, "replacedBy", json_string(e->replaced_by));
	return o;
}

/* Appended to `out` whole, or not at all. */
int
cadb_encode(const struct cadb *db, struct buf *out)
{
	json_t *root = json_object(), *certs = json_array();
	size_t i, start = out->len;
	char *text;
	int r = 0;

	json_object_set_new(root, "version", json_integer(CADB_VERSION));
	json_object_set_new(
	    root, "crlNumber", json_integer((json_int_t)db->crl_number));
	for (i = 0; i < db->n; i++)
		json_array_append_new(certs, entry_json(&db->v[i]));
	json_object_set_new(root, "certificates", certs);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return ERR_INVALID; /* a string that is not UTF-8 */
	if (buf_adds(out, text) != 0 || buf_addc(out, '\n') != 0) {
		out->len = start;
		out->data[start] = '\0';
		r = ERR_TOOBIG;
	}
	free(text);
	return r;
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
	if (base64_decode(line + plen, (size_t)(end - line) - plen, sig) != 0)
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
		(r = base64_encode(sig.data, sig.len, out)) != 0 ||
		(r = buf_addc(out, '\n')) != 0))
		r = err_set(err, r, "cannot encode the database");
	buf_release(&sig);
	return r;
}
