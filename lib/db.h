/*
 * db: the one SQL interface the store, its migrations, rollups, summaries
 * and views speak, with a backend behind it: SQLite (a file, the default)
 * or PostgreSQL (a server several MX hosts share).  The modules above
 * write one SQL text for both; what the dialects spell differently lives
 * in the backends as functions of the same name (tr_sum, tr_add, tr_day,
 * tr_report_id), never as branches in the callers.
 *
 * SQL given to db_prepare() uses the subset both backends understand:
 * parameters ?1 ... ?N or :name (the PostgreSQL backend rewrites them to
 * $N), INSERT ... ON CONFLICT, RETURNING, COALESCE, CASE, no SQLite-only
 * functions and no PostgreSQL-only casts.  Text compares byte by byte
 * (SQLite's BINARY, PostgreSQL's "C" collation), so sorted output is the
 * same on both.
 *
 * A connection is one thread's: each thread opens its own.
 */
#ifndef TLSRPT_DB_H
#define TLSRPT_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct db;
struct db_stmt;

enum db_kind {
	DB_SQLITE,
	DB_POSTGRES
};

enum db_open_mode {
	DB_OPEN_EXISTING, /* must exist: TR_ERR_NOTFOUND if not */
	DB_OPEN_CREATE,   /* SQLite: create the file when missing */
	DB_OPEN_READONLY  /* must exist; queries only */
};

/* 1 when where names a PostgreSQL database (a postgresql:// or
 * postgres:// URI); anything else is an SQLite file path. */
int db_is_postgres(const char *where);

/* where as messages may show it: a URI's password (user:password@ or
 * password=...) replaced by "***"; a path as it is.  malloc'd, NULL
 * without memory. */
char *db_redact(const char *where);

/*
 * Connect to where: an SQLite path or a PostgreSQL URI, which is handed
 * to libpq as it is (so PGPASSFILE, sslmode, target_session_attrs and the
 * PG* environment work as PostgreSQL users expect).  busy_ms bounds how
 * long a statement waits for a lock (SQLite's busy timeout, PostgreSQL's
 * lock_timeout).  Errors: TR_ERR_NOTFOUND, TR_ERR_DB, TR_ERR_BUSY
 * (server unreachable or locked: worth retrying), TR_ERR_NOMEM; the
 * message never contains a password.
 */
enum tr_err db_open(const char *where, enum db_open_mode mode, int busy_ms, struct db **out,
                    struct tr_error *err);

/* NULL-safe; an open transaction is rolled back.  Returns NULL. */
struct db *db_close(struct db *db);

enum db_kind db_kind(const struct db *db);

/* What to call the database in messages: the path, or the URI with any
 * password removed. */
const char *db_name(const struct db *db);

/* 1 when the connection cannot write (opened read-only, a read-only
 * file, a standby server). */
int db_readonly(struct db *db);

/* ---- statements ---- */

/*
 * Prepare sql (one statement).  persistent: the statement is kept for the
 * connection's life and reused many times (the backend may prepare it on
 * the server).  Errors as db_open().
 */
enum tr_err db_prepare(struct db *db, const char *sql, int persistent, struct db_stmt **out,
                       struct tr_error *err);

/* NULL-safe. */
void db_finalize(struct db_stmt *st);

/* The index of parameter :name, or 0 when the statement has none. */
int db_param_index(struct db_stmt *st, const char *name);

/*
 * Bind parameter idx (1-based).  Values are copied or must outlive the
 * next db_step(); text NULL binds SQL NULL.  A bad index or no memory is
 * remembered and reported by the next db_step().
 */
void db_bind_int64(struct db_stmt *st, int idx, int64_t v);
void db_bind_text(struct db_stmt *st, int idx, const char *v);
void db_bind_blob(struct db_stmt *st, int idx, const void *v, size_t len);
void db_bind_null(struct db_stmt *st, int idx);

/*
 * Run st or fetch its next row: *row is 1 with a row to read, 0 when the
 * statement is done.  Errors: TR_ERR_BUSY (locked past the timeout, a
 * deadlock or serialization failure, the server gone or read-only: the
 * caller may retry the whole transaction later), TR_ERR_DB, TR_ERR_NOMEM;
 * what says what was being done, for the message.
 */
enum tr_err db_step(struct db_stmt *st, int *row, const char *what, struct tr_error *err);

/* Ready st to run again; bindings are cleared. */
void db_reset(struct db_stmt *st);

/* db_step() once (a statement returning no rows, or whose rows do not
 * matter) and db_reset(), whatever the outcome.  Errors as db_step(). */
enum tr_err db_run(struct db_stmt *st, const char *what, struct tr_error *err);

/*
 * Run st, a statement whose rows are not needed, and clear its bindings,
 * as db_run().  A backend may send it together with the statements after
 * it and wait for their answers at once (PostgreSQL's pipeline: one round
 * trip for many); its error is then returned by the next call that waits
 * for the server (db_step(), db_exec() and what runs through it, such as
 * db_commit() and db_release(), db_sync()).  SQLite runs it at once.
 */
enum tr_err db_run_later(struct db_stmt *st, const char *what, struct tr_error *err);

/* Wait for every statement run later; the first error among them. */
enum tr_err db_sync(struct db *db, struct tr_error *err);

/* Columns of the current row, 0-based.  Text and blobs stay valid until
 * the next step, reset or finalize; text is NUL-terminated, NULL for SQL
 * NULL, and *len (may be NULL) its length. */
int db_column_is_null(struct db_stmt *st, int col);
int64_t db_column_int64(struct db_stmt *st, int col);
const char *db_column_text(struct db_stmt *st, int col, size_t *len);
const void *db_column_blob(struct db_stmt *st, int col, size_t *len);

/* ---- whole statements and transactions ---- */

/* Run SQL text without parameters (schema, settings); several statements
 * separated by ';' allowed.  Never pass it data. */
enum tr_err db_exec(struct db *db, const char *sql, const char *what, struct tr_error *err);

/* *out = the first column of the first row of a parameterless query
 * (0 when it yields no row). */
enum tr_err db_query_int(struct db *db, const char *sql, int64_t *out, struct tr_error *err);

/* A write transaction (SQLite: BEGIN IMMEDIATE), commit, rollback
 * (NULL-safe, ignores "no transaction"), and whether one is open. */
enum tr_err db_begin(struct db *db, struct tr_error *err);
enum tr_err db_commit(struct db *db, struct tr_error *err);
void db_rollback(struct db *db);
int db_in_transaction(struct db *db);

/* A savepoint inside the open transaction, so that one failed chunk of a
 * batch can be undone without losing the batch (PostgreSQL aborts the
 * whole transaction on any error otherwise).  It may be sent with the
 * next statement, as db_run_later(). */
enum tr_err db_savepoint(struct db *db, struct tr_error *err);
enum tr_err db_release(struct db *db, struct tr_error *err);
enum tr_err db_rollback_to(struct db *db, struct tr_error *err);

/* Bulk mode (on = 1) for a large import in one transaction, off (0)
 * after it: SQLite checkpoints its WAL less often and keeps a larger page
 * cache (for the connection's life); a backend with nothing to tune
 * ignores it. */
enum tr_err db_bulk(struct db *db, int on, struct tr_error *err);

/* Before (on = 1) and after (0) schema migrations: migrate.c's hook for
 * what a backend must relax while they run. */
void db_upgrading(struct db *db, int on);

#endif
