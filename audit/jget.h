/*
 * jget.h: typed lookups in Engine API answers, which are never trusted.
 * A dotted path ("HostConfig.Privileged") walks objects.  Each getter
 * returns 1 when the value is there with the right type, 0 when it is
 * absent or null, and -1 when it has the wrong type -- which a check must
 * report as an error, never read as "not set".
 */
#ifndef CTXMGR_JGET_H
#define CTXMGR_JGET_H

#include <jansson.h>

/* The value at `path`, or NULL (also when a step is not an object). */
json_t *jget(const json_t *obj, const char *path);

int jget_bool(const json_t *obj, const char *path, int *out);
/* Integers; a real with an integral value is accepted. */
int jget_int(const json_t *obj, const char *path, long long *out);
int jget_str(const json_t *obj, const char *path, const char **out);
int jget_array(const json_t *obj, const char *path, json_t **out);
int jget_object(const json_t *obj, const char *path, json_t **out);

#endif
