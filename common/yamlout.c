/* yamlout.c: jansson value to YAML (see yamlout.h). */
#include "common/compat.h"

#include <ctype.h>
#include <strings.h>

#include <yaml.h>

#include "common/gojson.h"
#include "common/yamlout.h"

static int
write_handler(void *data, unsigned char *buffer, size_t size)
{
	return buf_add(data, buffer, size) == 0;
}

/* Would a YAML 1.1 reader resolve this plain scalar to a non-string? */
static int
needs_quotes(const char *s, size_t len)
{
	static const char *const words[] = { "null", "~", "true", "false",
		"yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf",
		"+.inf" };
	const char *p;
	size_t i;
	int digits = 0;

	if (len == 0 || strlen(s) != len)
		return 1;
	for (i = 0; i < nitems(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	for (p = s; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (strchr("+-._:eExXoObB", *p) == NULL)
			return 0;
	}
	return digits > 0;
}

static int
scalar(yaml_emitter_t *em, const char *s, size_t len, int is_string)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;

	if (is_string && needs_quotes(s, len))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
		(yaml_char_t *)(uintptr_t)s, (int)len, 1, 1, style))
		return -1;
	return yaml_emitter_emit(em, &ev) ? 0 : -1;
}

static int
emit(yaml_emitter_t *em, const json_t *v, int depth)
{
	yaml_event_t ev;
	const char *key;
	json_t *item;
	size_t i;
	struct buf num;
	int r;

	if (depth > 512)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			json_object_size(v) ? YAML_BLOCK_MAPPING_STYLE
					    : YAML_FLOW_MAPPING_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return -1;
		json_object_foreach((json_t *)v, key,
		    item) if (scalar(em, key, strlen(key), 1) != 0 ||
		    emit(em, item, depth + 1) != 0) return -1;
		if (!yaml_mapping_end_event_initialize(&ev))
			return -1;
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	case JSON_ARRAY:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			json_array_size(v) ? YAML_BLOCK_SEQUENCE_STYLE
					   : YAML_FLOW_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return -1;
		json_array_foreach(
		    v, i, item) if (emit(em, item, depth + 1) != 0) return -1;
		if (!yaml_sequence_end_event_initialize(&ev))
			return -1;
		return yaml_emitter_emit(em, &ev) ? 0 : -1;
	case JSON_STRING:
		return scalar(
		    em, json_string_value(v), json_string_length(v), 1);
	case JSON_INTEGER:
	case JSON_REAL:
		buf_init(&num, 64);
		if (json_is_integer(v))
			buf_printf(&num, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		else
			gojson_float(json_real_value(v), &num);
		r = scalar(em, num.data, num.len, 0);
		buf_release(&num);
		return r;
	case JSON_TRUE:
		return scalar(em, "true", 4, 0);
	case JSON_FALSE:
		return scalar(em, "false", 5, 0);
	case JSON_NULL:
		return scalar(em, "null", 4, 0);
	}
	return -1;
}

int
yaml_from_json(const json_t *v, struct buf *out, struct cm_err *err)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int r = -1;

	if (!yaml_emitter_initialize(&em))
		return err_set(err, ERR_NOMEM, "cannot start the YAML emitter");
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    yaml_emitter_emit(&em, &ev) && emit(&em, v, 0) == 0 &&
	    yaml_document_end_event_initialize(&ev, 1) &&
	    yaml_emitter_emit(&em, &ev) &&
	    yaml_stream_end_event_initialize(&ev) &&
	    yaml_emitter_emit(&em, &ev) && yaml_emitter_flush(&em))
		r = 0;
	if (r != 0)
		r = err_set(err, ERR_FAIL, "cannot write YAML: %s",
		    em.problem ? em.problem : "value too deep");
	yaml_emitter_delete(&em);
	return r;
}
