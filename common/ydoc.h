/*
 * ydoc.h: YAML documents read with libyaml into a small tree whose nodes
 * remember their line and column, for readers of untrusted YAML (the
 * config file, host inventories).  Hostile input is bounded: the size is
 * capped by the caller, nesting depth and the node count (aliases
 * included, as if expanded) have limits, an alias can only name an
 * anchor whose node is complete (so no cycles), and a stream holds one
 * document.  Merge keys ("<<: *defaults") are applied; explicit keys win.
 * Duplicate keys are errors.  Every error message starts with
 * "FILE:LINE:COLUMN: ".
 */
#ifndef CTXMGR_YDOC_H
#define CTXMGR_YDOC_H

#include "common/err.h"

#define YDOC_MAX_DEPTH 64
#define YDOC_MAX_NODES 200000 /* counting each alias as its expansion */

enum ynode_type { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_type type;
	int line, col; /* 1-based */
	int plain; /* a scalar written without quotes or tag */
	char *tag; /* explicit tag ("!vault", "tag:yaml.org,2002:str") */
	char *value; /* scalar text (no NUL inside) */
	size_t len;
	size_t n; /* sequence items, or mapping pairs */
	struct ynode **items; /* sequence: n; mapping: 2n (key, value) */
	size_t weight; /* nodes under this one, aliases expanded */
};

struct ydoc {
	char *name; /* file name used in messages */
	struct ynode *root; /* NULL for an empty document */
	struct ynode **all; /* every node, for freeing */
	size_t nall, capall;
};

/* Parse one YAML document; `name` is the file name for messages. */
int ydoc_parse(const char *data, size_t len, const char *name,
    struct ydoc **docp, struct cm_err *err);

/* ydoc_parse with flags: YDOC_NO_ALIASES refuses anchors and aliases. */
#define YDOC_NO_ALIASES 0x1
int ydoc_parse_flags(const char *data, size_t len, const char *name,
    unsigned flags, struct ydoc **docp, struct cm_err *err);
void ydoc_free(struct ydoc *d);

/* Set err to "FILE:LINE:COL: message" for node `n` (or the file). */
int ydoc_error(const struct ydoc *d, const struct ynode *n, struct cm_err *err,
    int code, const char *fmt, ...) PRINTFLIKE(5, 6);

/*
 * Trees built by hand, for inputs in other syntaxes (an INI inventory)
 * that one reader of ydoc trees then interprets: ydoc_new makes an empty
 * document (set d->root), ydoc_node a node the document owns (a scalar
 * copies `value`), ynode_push appends to a sequence, ynode_put adds a
 * key and value to a mapping (no duplicate check).
 */
struct ydoc *ydoc_new(const char *name);
struct ynode *ydoc_node(
    struct ydoc *d, enum ynode_type type, const char *value, int line, int col);
void ynode_push(struct ynode *seq, struct ynode *item);
void ynode_put(struct ynode *map, struct ynode *key, struct ynode *value);

/* "a mapping", "a list", "a string", "a number", "null", ... */
const char *ynode_kind(const struct ynode *n);

/* 1 if a plain scalar that YAML reads as null (~, null, empty). */
int ynode_is_null(const struct ynode *n);

/* The value of `key` in a mapping, or NULL. */
struct ynode *ynode_get(const struct ynode *map, const char *key);

/*
 * Typed reads; each fails with ERR_INVALID and a message naming `what`
 * and the node's position.  A string is any scalar but null; an int is
 * a decimal in [min, max]; a bool is true/false (yes/no, on/off too).
 */
int ynode_string(const struct ydoc *d, const struct ynode *n, const char *what,
    const char **out, struct cm_err *err);
int ynode_int(const struct ydoc *d, const struct ynode *n, const char *what,
    long long min, long long max, long long *out, struct cm_err *err);
int ynode_bool(const struct ydoc *d, const struct ynode *n, const char *what,
    int *out, struct cm_err *err);

#endif
