/* output.c: JSON/YAML printing and tables (see output.h). */
#include "common/compat.h"

#include "common/gojson.h"
#include "ctxmgr/output.h"
#include "common/util.h"
#include "common/xmalloc.h"
#include "common/yamlout.h"

int
output_value(struct cmd_ctx *ctx, const json_t *v)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	if (ctx->format == FMT_YAML)
		r = yaml_from_json(v, &b, &ctx->err);
	else {
		r = gojson_encode(v, "  ", &b);
		if (r == 0)
			r = buf_addc(&b, '\n');
		if (r != 0)
			r = err_set(&ctx->err, r, "cannot encode JSON output");
	}
	if (r == 0)
		fwrite(b.data, 1, b.len, ctx->out);
	buf_release(&b);
	return r;
}

char *
output_safe(const char *s)
{
	return str_term_safe(s);
}

struct table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows * ncols, row 0 is the header */
	const char **colors;
};

struct table *
table_new(size_t ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->ncols = ncols;
	table_add(t, headers);
	return t;
}

void
table_add(struct table *t, const char *const *cells)
{
	size_t i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(
		    t->cells, t->cap * t->ncols, sizeof(*t->cells));
		t->colors =
		    xreallocarray(t->colors, t->cap, sizeof(*t->colors));
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] =
		    output_safe(cells[i] ? cells[i] : "");
	t->colors[t->nrows] = NULL;
	t->nrows++;
}

void
table_color_last(struct table *t, const char *seq)
{
	if (t->nrows > 0)
		t->colors[t->nrows - 1] = seq;
}

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void
table_print(struct cmd_ctx *ctx, struct table *t)
{
	size_t *wid = xcalloc(t->ncols, sizeof(*wid)), r, c, w;
	const char *cell;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++)
			if ((w = width(t->cells[r * t->ncols + c])) > wid[c])
				wid[c] = w;
	for (r = 0; r < t->nrows; r++) {
		const char *on = r == 0 ? cmd_color(ctx, C_BOLD)
		    : t->colors[r]      ? cmd_color(ctx, t->colors[r])
					: "";
		fputs(on, ctx->out);
		for (c = 0; c < t->ncols; c++) {
			cell = t->cells[r * t->ncols + c];
			fputs(cell, ctx->out);
			if (c + 1 < t->ncols)
				fprintf(ctx->out, "%*s",
				    (int)(wid[c] - width(cell) + 3), "");
		}
		if (*on != '\0')
			fputs(cmd_color(ctx, C_RESET), ctx->out);
		fputc('\n', ctx->out);
	}
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t->colors);
	free(wid);
	free(t);
}
