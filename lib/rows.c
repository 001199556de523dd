/*
 * rows: an INSERT prepared for 64, 8 and 1 rows (see rows.h), each the
 * first time it is picked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rows.h"

/* The row counts prepared, largest first.  64: past it a statement's
 * parameters and plan grow and the per-statement saving is spent. */
static const size_t row_counts[] = { 64, 8, 1 };
#define N_COUNTS (sizeof row_counts / sizeof row_counts[0])

struct rows {
	struct db *db;
	unsigned cols;
	char *head, *row, *tail;      /* tail may be NULL */
	struct db_stmt *st[N_COUNTS]; /* NULL until first picked */
};

/* Append the row template with its ?k renumbered for row r. */
static enum tr_err append_row(struct buf *sql, const char *row, unsigned cols, size_t r)
{
	enum tr_err rc = TR_OK;
	const char *run = row;

	while (rc == TR_OK && *row != '\0') {
		char *end;
		unsigned long k;
		char p[32];
		int len;

		if (*row != '?' || row[1] < '0' || row[1] > '9') {
			row++;
			continue;
		}
		rc = buf_append(sql, run, (size_t)(row - run));
		k = strtoul(row + 1, &end, 10);
		TR_ASSERT(k >= 1 && k <= cols);
		len = snprintf(p, sizeof p, "?%zu", r * cols + k);
		if (rc == TR_OK)
			rc = buf_append(sql, p, (size_t)len);
		row = run = end;
	}
	return rc == TR_OK ? buf_append(sql, run, (size_t)(row - run)) : rc;
}

static enum tr_err prepare_one(struct db *db, const char *head, const char *row, unsigned cols, size_t n,
                               const char *tail, struct db_stmt **out, struct tr_error *err)
{
	struct buf sql;
	enum tr_err rc;

	buf_init(&sql, 1024 * 1024);
	rc = buf_append(&sql, head, strlen(head));
	for (size_t r = 0; r < n && rc == TR_OK; r++) {
		if (r > 0)
			rc = buf_append(&sql, ", ", 2);
		if (rc == TR_OK)
			rc = append_row(&sql, row, cols, r);
	}
	if (rc == TR_OK && tail != NULL)
		rc = buf_append(&sql, tail, strlen(tail));
	if (rc == TR_OK)
		rc = buf_putc(&sql, '\0');
	if (rc == TR_OK)
		rc = db_prepare(db, (const char *)sql.data, 1, out, err);
	else
		rc = tr_error_set(err, TR_ERR_NOMEM, "out of memory preparing an insert");
	buf_free(&sql);
	return rc;
}

static char *dup_or_null(const char *v, int *oom)
{
	char *d;

	if (v == NULL)
		return NULL;
	d = strdup(v);
	*oom |= d == NULL;
	return d;
}

enum tr_err rows_open_as(struct db *db, const char *head, const char *row, unsigned cols, const char *tail,
                         struct rows **out, struct tr_error *err)
{
	struct rows *rs;
	int oom = 0;
	enum tr_err rc;

	TR_ASSERT(cols > 0);
	*out = NULL;
	rs = calloc(1, sizeof *rs);
	if (rs == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory preparing an insert");
	rs->db = db;
	rs->cols = cols;
	rs->head = dup_or_null(head, &oom);
	rs->row = dup_or_null(row, &oom);
	rs->tail = dup_or_null(tail, &oom);
	if (oom) {
		rows_close(rs);
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory preparing an insert");
	}
	/* the one-row statement at once, so that a bad SQL text fails here */
	rc = prepare_one(db, head, row, cols, 1, tail, &rs->st[N_COUNTS - 1], err);
	if (rc != TR_OK) {
		rows_close(rs);
		return rc;
	}
	*out = rs;
	return TR_OK;
}

enum tr_err rows_open(struct db *db, const char *head, unsigned cols, const char *tail, struct rows **out,
                      struct tr_error *err)
{
	struct buf row;
	enum tr_err rc = TR_OK;

	buf_init(&row, 1024 * 1024);
	for (unsigned c = 1; c <= cols && rc == TR_OK; c++) {
		char p[32];
		int len = snprintf(p, sizeof p, "%s?%u%s", c == 1 ? "(" : ", ", c, c == cols ? ")" : "");

		rc = buf_append(&row, p, (size_t)len);
	}
	if (rc == TR_OK)
		rc = buf_putc(&row, '\0');
	if (rc == TR_OK)
		rc = rows_open_as(db, head, (const char *)row.data, cols, tail, out, err);
	else
		rc = tr_error_set(err, TR_ERR_NOMEM, "out of memory preparing an insert");
	buf_free(&row);
	return rc;
}

struct rows *rows_close(struct rows *rs)
{
	if (rs == NULL)
		return NULL;
	for (size_t i = 0; i < N_COUNTS; i++)
		db_finalize(rs->st[i]);
	free(rs->head);
	free(rs->row);
	free(rs->tail);
	free(rs);
	return NULL;
}

enum tr_err rows_pick(struct rows *rs, size_t left, size_t *n, struct db_stmt **st, struct tr_error *err)
{
	size_t i = 0;

	TR_ASSERT(left > 0);
	while (row_counts[i] > left)
		i++;
	*n = row_counts[i];
	*st = NULL;
	/* a statement of many rows costs a parse of thousands of parameters:
	 * only for a connection that inserts that many (not the milter's) */
	if (rs->st[i] == NULL) {
		enum tr_err rc = prepare_one(rs->db, rs->head, rs->row, rs->cols, row_counts[i], rs->tail, &rs->st[i], err);

		if (rc != TR_OK)
			return rc;
	}
	*st = rs->st[i];
	return TR_OK;
}

int rows_base(const struct rows *rs, size_t r)
{
	return (int)(r * rs->cols);
}
