/* yamlout.h: YAML text from a jansson value, through libyaml's emitter. */
#ifndef CTXMGR_YAMLOUT_H
#define CTXMGR_YAMLOUT_H

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"

/*
 * Append a YAML document for `v` to `out`: objects become block mappings
 * (keys in insertion order), arrays block sequences; strings that a YAML
 * reader would take for another type ("true", "12", "null", "") are
 * quoted so they read back as strings.
 */
int yaml_from_json(const json_t *v, struct buf *out, struct cm_err *err);

#endif
