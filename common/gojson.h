/*
 * gojson.h: JSON text exactly as Go's encoding/json writes it, so that the
 * files ctxmgr writes into Docker's store are byte-for-byte what the Docker
 * CLI writes.  Values are jansson trees; objects are written in their
 * insertion order (use gojson_sorted for Go's sorted map order).
 *
 * Duplicate keys: the last one wins, as in Go.
 * Go specifics reproduced: '<', '>' and '&' as \u003c \u003e \u0026,
 * U+2028/U+2029 escaped, control characters as \b \f \n \r \t or \u00XX,
 * invalid UTF-8 as \ufffd, '/' and other non-ASCII left raw; numbers as
 * float64 in the shortest form that reads back ('e' form below 1e-6 and
 * from 1e21, "e-7" not "e-07").
 */
#ifndef CTXMGR_GOJSON_H
#define CTXMGR_GOJSON_H

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"

/*
 * Append the encoding of `v` to `out`.  `indent` NULL gives compact
 * output; otherwise each level is indented by `indent` (MarshalIndent).
 */
int gojson_encode(const json_t *v, const char *indent, struct buf *out);

/* A deep copy of `v` with the keys of every object sorted byte-wise. */
json_t *gojson_sorted(const json_t *v);

/*
 * Parse JSON the way ctxmgr reads Docker's files: numbers become reals (as
 * Go's interface{} decoding does), NUL in strings is allowed, one value and
 * nothing after it.  Errors say where: "line 3 column 7: ...".
 */
int gojson_parse(
    const char *data, size_t len, json_t **outp, struct cm_err *err);

/* Append a Go-escaped JSON string literal of len bytes (any bytes). */
int gojson_quote(const char *s, size_t len, struct buf *out);

/* Append a float64 the way Go's encoder writes it. */
int gojson_float(double f, struct buf *out);

/* Look up a key the way Go fills a struct field: keys are matched
 * ASCII case-insensitively and the last matching key wins. */
json_t *gojson_get_fold(const json_t *obj, const char *key);

#endif
