/* dockercfg.c: byte-preserving config.json edits (see dockercfg.h). */
#include "common/compat.h"

#include <strings.h>

#include <jansson.h>

#include "store/dockercfg.h"
#include "common/gojson.h"
#include "common/xmalloc.h"

#define CFG_MAX_MEMBERS 4096

/* One top-level member: byte offsets of its parts in the text. */
struct member {
	size_t start; /* first byte of the key's opening quote */
	size_t key_end; /* just past the key's closing quote */
	size_t val_start; /* first byte of the value */
	size_t val_end; /* just past the value */
	int is_current; /* key folds to "currentContext" */
};

struct scan {
	const char *s;
	size_t n, i;
};

static void
skip_ws(struct scan *sc)
{
	while (sc->i < sc->n &&
	    (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
		sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
		sc->i++;
}

/* Skip a string literal; sc->i is at the opening quote. */
static int
skip_string(struct scan *sc)
{
	sc->i++;
	while (sc->i < sc->n) {
		char c = sc->s[sc->i++];
		if (c == '\\')
			sc->i++;
		else if (c == '"')
			return 0;
	}
	return -1;
}

/* Skip any value (the text was validated by jansson already). */
static int
skip_value(struct scan *sc)
{
	int depth = 0;
	char c;

	if (sc->i >= sc->n)
		return -1;
	if (sc->s[sc->i] == '"')
		return skip_string(sc);
	if (sc->s[sc->i] != '{' && sc->s[sc->i] != '[') {
		/* a number or a literal */
		while (
		    sc->i < sc->n && strchr(",}] \t\r\n", sc->s[sc->i]) == NULL)
			sc->i++;
		return 0;
	}
	while (sc->i < sc->n) {
		c = sc->s[sc->i];
		if (c == '"') {
			if (skip_string(sc) != 0)
				return -1;
			continue;
		}
		sc->i++;
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return 0;
	}
	return -1;
}

/* Decode a key literal with jansson and compare it case-insensitively. */
static int
key_is_current(const char *s, size_t n)
{
	json_t *v;
	int r = 0;

	if ((v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)) ==
	    NULL)
		return 0;
	if (json_is_string(v) &&
	    json_string_length(v) == strlen("currentContext") &&
	    strcasecmp(json_string_value(v), "currentContext") == 0)
		r = 1;
	json_decref(v);
	return r;
}

static int
is_blank(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' &&
		    data[i] != '\r')
			return 0;
	return 1;
}

static int
validate(const char *data, size_t len, json_t **vp, struct cm_err *err)
{
	json_error_t je;
	json_t *v;

	v = json_loadb(
	    data, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
	if (v == NULL)
		return err_set(err, ERR_INVALID,
		    "config.json is not valid JSON (line %d column %d: %s)",
		    je.line, je.column, je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return err_set(err, ERR_INVALID,
		    "config.json does not hold a JSON object");
	}
	*vp = v;
	return 0;
}

int
dockercfg_current(
    const char *data, size_t len, char **namep, struct cm_err *err)
{
	json_t *v, *cur;
	int r;

	*namep = NULL;
	if (is_blank(data, len))
		return 0;
	if ((r = validate(data, len, &v, err)) != 0)
		return r;
	cur = gojson_get_fold(v, "currentContext");
	if (cur != NULL && !json_is_string(cur) && !json_is_null(cur)) {
		json_decref(v);
		return err_set(err, ERR_INVALID,
		    "config.json: currentContext is not a string");
	}
	if (json_is_string(cur) && json_string_length(cur) > 0)
		*namep =
		    xstrndup(json_string_value(cur), json_string_length(cur));
	json_decref(v);
	return 0;
}

/* Find the top-level members; returns their count or -1. */
static int
scan_members(const char *data, size_t len, struct member *m, size_t max,
    size_t *openp, size_t *closep)
{
	struct scan sc = { data, len, 0 };
	size_t n = 0;

	skip_ws(&sc);
	if (sc.i >= len || data[sc.i] != '{')
		return -1;
	*openp = sc.i++;
	for (;;) {
		skip_ws(&sc);
		if (sc.i >= len)
			return -1;
		if (data[sc.i] == '}') {
			*closep = sc.i;
			return (int)n;
		}
		if (data[sc.i] == ',') {
			sc.i++;
			continue;
		}
		if (data[sc.i] != '"' || n == max)
			return -1;
		m[n].start = sc.i;
		if (skip_string(&sc) != 0)
			return -1;
		m[n].key_end = sc.i;
		m[n].is_current = key_is_current(
		    data + m[n].start, m[n].key_end - m[n].start);
		skip_ws(&sc);
		if (sc.i >= len || data[sc.i] != ':')
			return -1;
		sc.i++;
		skip_ws(&sc);
		m[n].val_start = sc.i;
		if (skip_value(&sc) != 0)
			return -1;
		m[n].val_end = sc.i;
		n++;
	}
}

int
dockercfg_set_current(const char *data, size_t len, const char *name,
    struct buf *out, struct cm_err *err)
{
	struct member *m = NULL;
	struct buf quoted;
	size_t open = 0, close = 0, pos, i, last = 0;
	json_t *v = NULL;
	int n, r, found = 0;

	buf_init(&quoted, 0);
	if (is_blank(data, len)) {
		if (name == NULL)
			return buf_add(out, data, len);
		if ((r = gojson_quote(name, strlen(name), &quoted)) != 0)
			goto out;
		r = buf_printf(
		    out, "{\n\t\"currentContext\": %s\n}", quoted.data);
		goto out;
	}
	if ((r = validate(data, len, &v, err)) != 0)
		goto out;
	m = xcalloc(CFG_MAX_MEMBERS, sizeof(*m));
	n = scan_members(data, len, m, CFG_MAX_MEMBERS, &open, &close);
	if (n < 0) {
		r = err_set(err, ERR_INVALID,
		    "config.json has a shape ctxmgr cannot edit safely");
		goto out;
	}
	if (name != NULL &&
	    (r = gojson_quote(name, strlen(name), &quoted)) != 0)
		goto out;

	pos = 0;
	for (i = 0; i < (size_t)n; i++) {
		if (!m[i].is_current)
			continue;
		found = 1;
		if (name != NULL) {
			/* replace just the value */
			if ((r = buf_add(
				 out, data + pos, m[i].val_start - pos)) != 0 ||
			    (r = buf_add(out, quoted.data, quoted.len)) != 0)
				goto out;
			pos = m[i].val_end;
			continue;
		}
		/*
		 * Remove the member with the separator after the kept member
		 * before it; when none is kept before it, up to the next kept
		 * member; when none is kept at all, everything inside {}.
		 */
		size_t cut_from, cut_to, j;
		int prev = -1, next = -1;
		for (j = 0; j < i; j++)
			if (!m[j].is_current)
				prev = (int)j;
		for (j = i + 1; j < (size_t)n && next < 0; j++)
			if (!m[j].is_current)
				next = (int)j;
		if (prev >= 0) {
			cut_from = m[prev].val_end;
			cut_to = m[i].val_end;
		} else if (next >= 0) {
			cut_from = m[i].start;
			cut_to = m[next].start;
		} else {
			cut_from = open + 1;
			cut_to = close;
		}
		if (cut_from < pos)
			cut_from = pos;
		if ((r = buf_add(out, data + pos, cut_from - pos)) != 0)
			goto out;
		pos = cut_to;
	}
	if (found || name == NULL) {
		r = buf_add(out, data + pos, len - pos);
		goto out;
	}

	/* insert a new member after the last one, copying its layout */
	if (n == 0) {
		if ((r = buf_add(out, data, open + 1)) == 0 &&
		    (r = buf_printf(out, "\n\t\"currentContext\": %s\n",
			 quoted.data)) == 0)
			r = buf_add(out, data + close, len - close);
		goto out;
	}
	last = (size_t)n - 1;
	{
		/* whitespace before the last key, and its key/value gap */
		size_t ws_from = m[last].start;
		while (
		    ws_from > open + 1 && strchr(" \t\r\n", data[ws_from - 1]))
			ws_from--;
		if ((r = buf_add(out, data, m[last].val_end)) != 0 ||
		    (r = buf_addc(out, ',')) != 0 ||
		    (r = buf_add(
			 out, data + ws_from, m[last].start - ws_from)) != 0 ||
		    (r = buf_adds(out, "\"currentContext\"")) != 0 ||
		    (r = buf_add(out, data + m[last].key_end,
			 m[last].val_start - m[last].key_end)) != 0 ||
		    (r = buf_add(out, quoted.data, quoted.len)) != 0 ||
		    (r = buf_add(out, data + m[last].val_end,
			 len - m[last].val_end)) != 0)
			goto out;
	}
out:
	free(m);
	json_decref(v);
	buf_release(&quoted);
	return r;
}
