/*
 * rows: one INSERT prepared for several row counts, so that many rows go
 * in few statements.  A server backend (PostgreSQL) pays per statement
 * (the executor set up, the CHECKs and the plan read anew) several times
 * what it pays per row; SQLite runs fewer programs too.
 *
 *   rows_open(db, "INSERT INTO t (a, b) VALUES ", 2, " ON CONFLICT ...", &rs, err);
 *   while (left > 0) {
 *           size_t n;
 *           struct db_stmt *st;
 *           if (rows_pick(rs, left, &n, &st, err) != TR_OK) ...;
 *           for (size_t r = 0; r < n; r++)
 *                   bind row r at rows_base(rs, r) + 1, + 2, ...;
 *           db_run_later(st, ...);
 *           left -= n;
 *   }
 */
#ifndef TLSRPT_ROWS_H
#define TLSRPT_ROWS_H

#include <stddef.h>

#include "db.h"

struct rows;

/* Prepare head + "(?1, ..., ?cols), (...), ..." + tail (tail may be NULL)
 * once for each row count, as persistent statements: the one-row one now
 * (its errors are rows_open()'s), the others when first picked.  Errors
 * as db_prepare(). */
enum tr_err rows_open(struct db *db, const char *head, unsigned cols, const char *tail, struct rows **out,
                      struct tr_error *err);

/* The same with each row spelled by row, SQL whose parameters ?1 ... ?cols
 * are the row's own (each may appear more than once, and in expressions:
 * "(f(?1, ?2), ?1, ?2, ?3)"); they are renumbered for each row.  A tail
 * with RETURNING gives the rows of every row inserted, in no set order. */
enum tr_err rows_open_as(struct db *db, const char *head, const char *row, unsigned cols, const char *tail,
                         struct rows **out, struct tr_error *err);

/* NULL-safe; returns NULL. */
struct rows *rows_close(struct rows *rs);

/* *st = the statement for the next rows of left (> 0): *n of them, the
 * most that one statement takes; prepared now if it is its first use.
 * Errors as db_prepare(). */
enum tr_err rows_pick(struct rows *rs, size_t left, size_t *n, struct db_stmt **st, struct tr_error *err);

/* The parameter index before row r's first column: row r's column c
 * (1-based) is rows_base(rs, r) + c. */
int rows_base(const struct rows *rs, size_t r);

#endif
