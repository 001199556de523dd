/*
 * table: column widths from every row, then one aligned pass (see table.h).
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "table.h"

void table_init(struct table *t, size_t ncols, unsigned right)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
	t->right = right;
}

static int reserve(struct table *t)
{
	size_t ncap;
	char **cells;
	unsigned *hot;

	if (t->nrows < t->cap)
		return 0;
	ncap = t->cap ? t->cap * 2 : 16;
	if (ncap > SIZE_MAX / (t->ncols * sizeof *cells))
		return -1;
	cells = realloc(t->cells, ncap * t->ncols * sizeof *cells);
	if (cells == NULL)
		return -1;
	t->cells = cells;
	hot = realloc(t->hot, ncap * sizeof *hot);
	if (hot == NULL)
		return -1;
	t->hot = hot;
	t->cap = ncap;
	return 0;
}

int table_add_owned(struct table *t, char **cells, unsigned hot)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < t->ncols; i++)
		bad |= cells[i] == NULL;
	if (bad || reserve(t) != 0) {
		for (i = 0; i < t->ncols; i++)
			free(cells[i]);
		t->failed = 1;
		return -1;
	}
	memcpy(&t->cells[t->nrows * t->ncols], cells, t->ncols * sizeof *cells);
	t->hot[t->nrows] = hot;
	t->nrows++;
	return 0;
}

int table_add(struct table *t, const char *const *cells, unsigned hot)
{
	char *copy[TABLE_MAX_COLS];
	size_t i;

	for (i = 0; i < t->ncols; i++)
		copy[i] = strdup(cells[i] != NULL ? cells[i] : "");
	return table_add_owned(t, copy, hot);
}

int table_add_note(struct table *t, const char *text)
{
	const char *cells[TABLE_MAX_COLS] = { text };

	return table_add(t, cells, TABLE_NOTE);
}

static void put_cell(FILE *f, const char *s, size_t width, int right, int pad, const char *on)
{
	size_t n = text_width(s);

	if (right)
		for (; n < width; n++)
			fputc(' ', f);
	if (on != NULL)
		fputs(on, f);
	fputs(s, f);
	if (on != NULL)
		fputs(COLOR_OFF, f);
	if (!right && pad)
		for (; n < width; n++)
			fputc(' ', f);
}

/* The last column of row r with text in it: nothing is padded past it. */
static size_t last_filled(const struct table *t, size_t r)
{
	size_t i = t->ncols;

	while (i > 1 && t->cells[r * t->ncols + i - 1][0] == '\0')
		i--;
	return i;
}

int table_write(FILE *f, const struct table *t, int color)
{
	return table_write_indented(f, t, color, 0);
}

int table_write_indented(FILE *f, const struct table *t, int color, size_t indent)
{
	size_t width[TABLE_MAX_COLS] = {0};
	size_t r, i, last, n;

	if (t->failed)
		return -1;
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols && !(t->hot[r] & TABLE_NOTE); i++) {
			n = text_width(t->cells[r * t->ncols + i]);
			if (n > width[i])
				width[i] = n;
		}
	for (r = 0; r < t->nrows; r++) {
		fprintf(f, "%*s", (int)(indent > 64 ? 64 : indent), "");
		if (t->hot[r] & TABLE_NOTE) {
			put_cell(f, t->cells[r * t->ncols], 0, 0, 0, color ? COLOR_DIM : NULL);
			fputc('\n', f);
			continue;
		}
		last = last_filled(t, r);
		for (i = 0; i < last; i++) {
			const char *on = NULL;

			if (color && r == 0)
				on = COLOR_BOLD;
			else if (color && (t->hot[r] >> i & 1u))
				on = COLOR_HOT;
			if (i > 0)
				fputs("  ", f);
			put_cell(f, t->cells[r * t->ncols + i], width[i], (t->right >> i & 1u) != 0,
			         i + 1 < last, on);
		}
		fputc('\n', f);
	}
	return 0;
}

void table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->hot);
	table_init(t, t->ncols, t->right);
}
