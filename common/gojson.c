/* gojson.c: Go-compatible JSON encoding (see gojson.h). */
#include "common/compat.h"

#include <float.h>
#include <math.h>
#include <strings.h>

#include "common/gojson.h"

static const char hexdigits[] = "0123456789abcdef";

/*
 * Decode one UTF-8 sequence as Go's utf8.DecodeRune does: an invalid,
 * overlong, surrogate or truncated sequence is U+FFFD of width 1.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *rp)
{
	uint32_t r;
	unsigned char c = s[0];
	size_t w, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80) {
		*rp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		w = 2;
		r = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		w = 3;
		r = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		w = 4;
		r = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		goto bad;
	if (n < w)
		goto bad;
	for (i = 1; i < w; i++) {
		unsigned char cc = s[i];
		if (i == 1 ? (cc < lo || cc > hi) : (cc < 0x80 || cc > 0xbf))
			goto bad;
		r = (r << 6) | (cc & 0x3f);
	}
	*rp = r;
	return w;
bad:
	*rp = 0xfffd;
	return 1;
}

int
gojson_quote(const char *str, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0, w;
	uint32_t r;
	int rc;

	if ((rc = buf_addc(out, '"')) != 0)
		return rc;
	while (i < len) {
		unsigned char c = s[i];
		const char *esc = NULL;
		char u[7];

		if (c < 0x80) {
			switch (c) {
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			default:
				if (c < 0x20 || c == '<' || c == '>' ||
				    c == '&') {
					u[0] = '\\';
					u[1] = 'u';
					u[2] = '0';
					u[3] = '0';
					u[4] = hexdigits[c >> 4];
					u[5] = hexdigits[c & 0xf];
					u[6] = '\0';
					esc = u;
				}
			}
			if (esc == NULL) {
				i++;
				continue;
			}
			w = 1;
		} else {
			w = utf8_decode(s + i, len - i, &r);
			if (r == 0xfffd && w == 1)
				esc = "\\ufffd";
			else if (r == 0x2028)
				esc = "\\u2028";
			else if (r == 0x2029)
				esc = "\\u2029";
			else {
				i += w;
				continue;
			}
		}
		if ((rc = buf_add(out, s + start, i - start)) != 0 ||
		    (rc = buf_adds(out, esc)) != 0)
			return rc;
		i += w;
		start = i;
	}
	if ((rc = buf_add(out, s + start, len - start)) != 0)
		return rc;
	return buf_addc(out, '"');
}

int
gojson_float(double f, struct buf *out)
{
	char tmp[40], digits[24];
	int prec, exp10, nd, i, rc;
	double abs = fabs(f);
	const char *p;
	char *e;

	if (isnan(f) || isinf(f))
		return ERR_INVALID;
	if (f == 0)
		return buf_adds(out, signbit(f) ? "-0" : "0");
	/* shortest %.*e that reads back as the same double */
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, abs);
		if (strtod(tmp, NULL) == abs)
			break;
	}
	if (prec == 17)
		snprintf(tmp, sizeof(tmp), "%.16e", abs);
	/* split "d.ddddde[+-]XX" into digits and a decimal exponent */
	nd = 0;
	for (p = tmp; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	digits[nd] = '\0';
	exp10 = (int)strtol(p + 1, &e, 10);
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';

	if (signbit(f) && (rc = buf_addc(out, '-')) != 0)
		return rc;
	if (abs < 1e-6 || abs >= 1e21) {
		/* 'e' format: d[.ddd]e[+-]XX, two exponent digits minimum,
		 * then Go trims "e-07" to "e-7" */
		if ((rc = buf_addc(out, digits[0])) != 0)
			return rc;
		if (nd > 1 &&
		    ((rc = buf_addc(out, '.')) != 0 ||
			(rc = buf_add(out, digits + 1, (size_t)nd - 1)) != 0))
			return rc;
		if (exp10 < 0 && exp10 > -10)
			return buf_printf(out, "e-%d", -exp10);
		return buf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+',
		    exp10 < 0 ? -exp10 : exp10);
	}
	/* 'f' format with the shortest digits */
	if (exp10 < 0) {
		if ((rc = buf_adds(out, "0.")) != 0)
			return rc;
		for (i = -1; i > exp10; i--)
			if ((rc = buf_addc(out, '0')) != 0)
				return rc;
		return buf_add(out, digits, (size_t)nd);
	}
	for (i = 0; i <= exp10; i++)
		if ((rc = buf_addc(out, i < nd ? digits[i] : '0')) != 0)
			return rc;
	if (nd > exp10 + 1) {
		if ((rc = buf_addc(out, '.')) != 0)
			return rc;
		return buf_add(
		    out, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
	}
	return 0;
}

static int
newline_indent(const char *indent, int depth, struct buf *out)
{
	int rc;

	if (indent == NULL)
		return 0;
	if ((rc = buf_addc(out, '\n')) != 0)
		return rc;
	while (depth-- > 0)
		if ((rc = buf_adds(out, indent)) != 0)
			return rc;
	return 0;
}

static int
encode(const json_t *v, const char *indent, int depth, struct buf *out)
{
	const char *key;
	json_t *item;
	size_t i;
	int rc, first;

	if (depth > 10000)
		return ERR_TOOBIG;
	switch (json_typeof(v)) {
	case JSON_NULL:
		return buf_adds(out, "null");
	case JSON_TRUE:
		return buf_adds(out, "true");
	case JSON_FALSE:
		return buf_adds(out, "false");
	case JSON_INTEGER:
		return buf_printf(
		    out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	case JSON_REAL:
		return gojson_float(json_real_value(v), out);
	case JSON_STRING:
		return gojson_quote(
		    json_string_value(v), json_string_length(v), out);
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			return buf_adds(out, "[]");
		if ((rc = buf_addc(out, '[')) != 0)
			return rc;
		json_array_foreach(v, i, item)
		{
			if (i > 0 && (rc = buf_addc(out, ',')) != 0)
				return rc;
			if ((rc = newline_indent(indent, depth + 1, out)) !=
				0 ||
			    (rc = encode(item, indent, depth + 1, out)) != 0)
				return rc;
		}
		if ((rc = newline_indent(indent, depth, out)) != 0)
			return rc;
		return buf_addc(out, ']');
	case JSON_OBJECT:
		if (json_object_size(v) == 0)
			return buf_adds(out, "{}");
		if ((rc = buf_addc(out, '{')) != 0)
			return rc;
		first = 1;
		json_object_foreach((json_t *)v, key, item)
		{
			if (!first && (rc = buf_addc(out, ',')) != 0)
				return rc;
			first = 0;
			if ((rc = newline_indent(indent, depth + 1, out)) !=
				0 ||
			    (rc = gojson_quote(key, strlen(key), out)) != 0 ||
			    (rc = buf_adds(out, indent ? ": " : ":")) != 0 ||
			    (rc = encode(item, indent, depth + 1, out)) != 0)
				return rc;
		}
		if ((rc = newline_indent(indent, depth, out)) != 0)
			return rc;
		return buf_addc(out, '}');
	}
	return ERR_INVALID;
}

int
gojson_encode(const json_t *v, const char *indent, struct buf *out)
{
	return encode(v, indent, 0, out);
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
gojson_sorted(const json_t *v)
{
	const char **keys, *key;
	json_t *copy, *item;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n = json_object_size(v);
		keys = calloc(n ? n : 1, sizeof(*keys));
		if (keys == NULL)
			return NULL;
		i = 0;
		json_object_foreach((json_t *)v, key, item) keys[i++] = key;
		qsort(keys, n, sizeof(*keys), cmp_keys);
		copy = json_object();
		for (i = 0; copy != NULL && i < n; i++)
			if (json_object_set_new_nocheck(copy, keys[i],
				gojson_sorted(json_object_get(v, keys[i]))) !=
			    0) {
				json_decref(copy);
				copy = NULL;
			}
		free(keys);
		return copy;
	case JSON_ARRAY:
		copy = json_array();
		json_array_foreach(v, i, item) if (copy != NULL &&
		    json_array_append_new(copy, gojson_sorted(item)) != 0)
		{
			json_decref(copy);
			copy = NULL;
		}
		return copy;
	default:
		return json_deep_copy(v);
	}
}

int
gojson_parse(const char *data, size_t len, json_t **outp, struct cm_err *err)
{
	json_error_t je;
	json_t *v;

	*outp = NULL;
	v = json_loadb(
	    data, len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
	if (v == NULL) {
		if (je.line > 0)
			return err_set(err, ERR_INVALID,
			    "line %d column %d: %s", je.line, je.column,
			    je.text);
		return err_set(err, ERR_INVALID, "%s", je.text);
	}
	*outp = v;
	return 0;
}

json_t *
gojson_get_fold(const json_t *obj, const char *key)
{
	const char *k;
	json_t *v, *found = NULL;

	if (!json_is_object(obj))
		return NULL;
	/* Go assigns every key that matches, in order: the last one wins */
	json_object_foreach((json_t *)obj, k, v) if (strcasecmp(k, key) == 0)
	    found = v;
	return found;
}
