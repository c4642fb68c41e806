/* daemonjson.c: TLS settings merged into daemon.json (see daemonjson.h). */
#include "common/compat.h"

#include <jansson.h>

#include "keystore/daemonjson.h"

static int
blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

/* Set key to a string; 1 when that changed anything. */
static int
set_str(json_t *o, const char *key, const char *value)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
		return 0;
	json_object_set_new(o, key, json_string(value));
	return 1;
}

int
daemonjson_merge_tls(const char *old, size_t len, const char *cacert,
    const char *cert, const char *key, struct buf *out, int *changedp,
    struct cm_err *err)
{
	json_error_t jerr;
	json_t *root;
	char *text;
	int r, changed = 0;

	*changedp = 0;
	if (len > DAEMONJSON_MAX)
		return err_set(err, ERR_TOOBIG, "daemon.json is too big");
	if (blank(old, len)) {
		root = json_object();
		changed = 1;
	} else {
		root = json_loadb(old, len, JSON_REJECT_DUPLICATES, &jerr);
		if (root == NULL)
			return err_set(err, ERR_INVALID,
			    "daemon.json: line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
		if (!json_is_object(root)) {
			json_decref(root);
			return err_set(err, ERR_INVALID,
			    "daemon.json is not a JSON object");
		}
	}
	if (!json_is_true(json_object_get(root, "tlsverify"))) {
		json_object_set_new(root, "tlsverify", json_true());
		changed = 1;
	}
	changed |= set_str(root, "tlscacert", cacert);
	changed |= set_str(root, "tlscert", cert);
	changed |= set_str(root, "tlskey", key);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return err_set(err, ERR_NOMEM, "cannot encode daemon.json");
	if ((r = buf_adds(out, text)) == 0)
		r = buf_addc(out, '\n');
	free(text);
	if (r != 0)
		return err_set(err, r, "daemon.json is too big");
	*changedp = changed;
	return 0;
}
