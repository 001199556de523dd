/*
 * table: aligned text tables for a person at a terminal.  Cells are
 * stored as given: the caller escapes anything from a report first
 * (esc_term(), cell_text()).  Widths count code points; the last column
 * is never padded, so lines carry no trailing blanks.
 */
#ifndef TLSRPT_CLI_TABLE_H
#define TLSRPT_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 16
#define TABLE_NOTE (1u << 31)

struct table {
	size_t ncols;
	unsigned right;      /* bit i set: column i right-aligned */
	size_t nrows, cap;
	char **cells;        /* nrows * ncols, owned */
	unsigned *hot;       /* per row, bit i: highlight cell i; TABLE_NOTE */
	int failed;          /* an allocation failed: table_write() says so */
};

/* An empty table of ncols (<= TABLE_MAX_COLS) columns. */
void table_init(struct table *t, size_t ncols, unsigned right);

/* Append a row of ncols cells (copied; NULL is ""); hot marks the cells
 * to highlight.  Returns 0, or -1 on no memory (also remembered). */
int table_add(struct table *t, const char *const *cells, unsigned hot);

/* Like table_add(), taking ownership of malloc'd cells (freed here even
 * on failure; a NULL cell means a failed allocation). */
int table_add_owned(struct table *t, char **cells, unsigned hot);

/* A line of free text between rows (a note such as "+ 12 senders with no
 * failures"): printed as it is, dim with color, and not counted in the
 * column widths.  Returns as table_add(). */
int table_add_note(struct table *t, const char *text);

/* Write the table; row 0 is the header (bold with color).  Hot cells are
 * red with color.  Returns 0, or -1 when the table is incomplete. */
int table_write(FILE *f, const struct table *t, int color);

/* table_write() with every line indented by indent spaces. */
int table_write_indented(FILE *f, const struct table *t, int color, size_t indent);

/* NULL-safe; leaves t empty. */
void table_free(struct table *t);

/* Terminal colour sequences, used alike by every view. */
#define COLOR_HOT "\033[1;31m"
#define COLOR_BOLD "\033[1m"
#define COLOR_DIM "\033[2m"
#define COLOR_OFF "\033[0m"

#endif
