/* jget.c: typed JSON lookups (see jget.h). */
#include "common/compat.h"

#include <math.h>

#include "audit/jget.h"

json_t *
jget(const json_t *obj, const char *path)
{
	char key[128];
	const char *dot;
	json_t *v = (json_t *)obj;
	size_t n;

	while (v != NULL) {
		if (!json_is_object(v))
			return NULL;
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		if (dot == NULL)
			break;
		path = dot + 1;
	}
	return v;
}

/* 1 present, 0 absent or null, -1 when a step is not an object. */
static int
lookup(const json_t *obj, const char *path, json_t **out)
{
	const char *dot = strrchr(path, '.');
	json_t *parent;

	*out = jget(obj, path);
	if (*out != NULL)
		return json_is_null(*out) ? 0 : 1;
	/* an intermediate step of the wrong type is an error */
	if (dot != NULL) {
		char head[256];
		size_t n = (size_t)(dot - path);
		if (n >= sizeof(head))
			return 0;
		memcpy(head, path, n);
		head[n] = '\0';
		parent = jget(obj, head);
		if (parent != NULL && !json_is_null(parent) &&
		    !json_is_object(parent))
			return -1;
	}
	return 0;
}

int
jget_bool(const json_t *obj, const char *path, int *out)
{
	json_t *v;
	int r = lookup(obj, path, &v);

	if (r <= 0)
		return r;
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 1;
}

int
jget_int(const json_t *obj, const char *path, long long *out)
{
	json_t *v;
	double d;
	int r = lookup(obj, path, &v);

	if (r <= 0)
		return r;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return -1;
		*out = (long long)d;
		return 1;
	}
	return -1;
}

int
jget_str(const json_t *obj, const char *path, const char **out)
{
	json_t *v;
	int r = lookup(obj, path, &v);

	if (r <= 0)
		return r;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 1;
}

int
jget_array(const json_t *obj, const char *path, json_t **out)
{
	json_t *v;
	int r = lookup(obj, path, &v);

	if (r <= 0)
		return r;
	if (!json_is_array(v))
		return -1;
	*out = v;
	return 1;
}

int
jget_object(const json_t *obj, const char *path, json_t **out)
{
	json_t *v;
	int r = lookup(obj, path, &v);

	if (r <= 0)
		return r;
	if (!json_is_object(v))
		return -1;
	*out = v;
	return 1;
}
