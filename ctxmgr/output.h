/*
 * output.h: how commands print.  Every command builds its result as a
 * jansson value, printed as JSON or YAML by output_value, and has its own
 * table layout built with the table_* functions.  Text from contexts or
 * remote hosts is printed with control characters made visible, so a
 * hostile description cannot drive the terminal.
 */
#ifndef CTXMGR_OUTPUT_H
#define CTXMGR_OUTPUT_H

#include <jansson.h>

#include "ctxmgr/cmd.h"

/* Print `v` as JSON (2-space indent) or YAML per ctx->format. */
int output_value(struct cmd_ctx *ctx, const json_t *v);

struct table;

/* A table with `ncols` columns; headers are upper case by convention. */
struct table *table_new(size_t ncols, const char *const *headers);
/* Add a row of ncols cells (NULL prints as empty); copies the strings. */
void table_add(struct table *t, const char *const *cells);
/* Colour for the row just added (a C_* sequence) */
void table_color_last(struct table *t, const char *seq);
/* Print with Docker's layout (columns 3 spaces apart); frees the table. */
void table_print(struct cmd_ctx *ctx, struct table *t);

/* Copy of s with terminal controls made visible (str_term_safe). */
char *output_safe(const char *s);

#endif
