/*
 * sqlutil: the small SQLite helpers the store, its migrations and its
 * rollups share: SQLite's result codes as ours, running a statement or a
 * text, reading one integer, and the saturating SQL functions tr_sum and
 * tr_add.  Nothing here owns a connection or keeps state.
 */
#ifndef TLSRPT_SQLUTIL_H
#define TLSRPT_SQLUTIL_H

#include <stdint.h>

#include <sqlite3.h>

#include "err.h"

/*
 * SQLite's rc as ours: busy and locked are TR_ERR_BUSY, no memory
 * TR_ERR_NOMEM, anything else TR_ERR_DB, with "what: SQLite's message"
 * in err (and the system's reason for I/O errors and a full disk).
 * db may be NULL (the message is then sqlite3_errstr(rc)).
 */
enum tr_err sqlutil_error(sqlite3 *db, int rc, struct tr_error *err, const char *what);

/* Step st once (a statement returning no rows, or whose rows do not
 * matter) and leave it reset and unbound.  Errors as sqlutil_error(). */
enum tr_err sqlutil_run(sqlite3 *db, sqlite3_stmt *st, const char *what, struct tr_error *err);

/* Run SQL text without parameters (pragmas, schema, transactions).
 * Never pass it data.  Errors as sqlutil_error(). */
enum tr_err sqlutil_exec(sqlite3 *db, const char *sql, const char *what, struct tr_error *err);

/* *out = the first column of the first row of the parameterless query
 * sql (0 when it yields no row).  Errors as sqlutil_error(). */
enum tr_err sqlutil_query_int(sqlite3 *db, const char *sql, int64_t *out, struct tr_error *err);

/* Roll back the open transaction, if any; returns SQLite's rc. */
int sqlutil_rollback(sqlite3 *db);

/* Bind v as text at idx, NULL as SQL NULL.  v must outlive the step
 * (SQLITE_STATIC).  Returns SQLite's rc. */
int sqlutil_bind_text(sqlite3_stmt *st, int idx, const char *v);

/*
 * Register on db tr_sum(x): SUM() over integers that saturates at
 * INT64_MAX instead of failing with "integer overflow" (each hostile
 * report may claim 2^53 sessions) and ignores NULL and negative values,
 * and tr_add(a, b), the same for two values (the rollups' upserts).
 * Errors as sqlutil_error().
 */
enum tr_err sqlutil_add_functions(sqlite3 *db, struct tr_error *err);

#endif
