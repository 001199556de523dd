/*
 * backend: what a database backend provides to lib/db.c, which is its only
 * user.  A backend's connection and statement structs begin with struct
 * db and struct db_stmt, so db.c can reach the table through them.
 * Every function here may assume its arguments are valid: db.c has
 * checked them (TR_ASSERT) before dispatching.
 */
#ifndef TLSRPT_BACKEND_H
#define TLSRPT_BACKEND_H

#include "../db.h"
#include "../migrate.h"

struct db_backend;

struct db {
	const struct db_backend *be;
	char *name;     /* db_name(): path, or URI without a password */
};

struct db_stmt {
	struct db *db;
};

struct db_backend {
	enum db_kind kind;
	/* db_open()'s work; the backend allocates its struct and db.c sets
	 * be and name after it returns */
	enum tr_err (*open)(const char *where, enum db_open_mode mode, int busy_ms, struct db **out,
	                    struct tr_error *err);
	void (*close)(struct db *db);
	int (*readonly)(struct db *db);

	enum tr_err (*prepare)(struct db *db, const char *sql, int persistent, struct db_stmt **out,
	                       struct tr_error *err);
	void (*finalize)(struct db_stmt *st);
	int (*param_index)(struct db_stmt *st, const char *name);
	void (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
	void (*bind_text)(struct db_stmt *st, int idx, const char *v);
	void (*bind_blob)(struct db_stmt *st, int idx, const void *v, size_t len);
	void (*bind_null)(struct db_stmt *st, int idx);
	enum tr_err (*step)(struct db_stmt *st, int *row, const char *what, struct tr_error *err);
	void (*reset)(struct db_stmt *st);
	int (*column_is_null)(struct db_stmt *st, int col);
	int64_t (*column_int64)(struct db_stmt *st, int col);
	const char *(*column_text)(struct db_stmt *st, int col, size_t *len);
	const void *(*column_blob)(struct db_stmt *st, int col, size_t *len);

	enum tr_err (*exec)(struct db *db, const char *sql, const char *what, struct tr_error *err);
	int (*in_transaction)(struct db *db);
	const char *begin_sql;  /* a write transaction: "BEGIN IMMEDIATE", "BEGIN" */

	/* The schema this backend creates, its version, and the migrations
	 * that bring an older database to it (migrate.c runs them). */
	const char *schema_sql;
	int (*schema_version)(void);
	const struct store_migration *migrations;
	/* *version = the database's schema version (0 when never set) and
	 * *tables = how many tables it has (0: empty, ours to create; only
	 * read when *version is 0). */
	enum tr_err (*get_version)(struct db *db, int *version, int64_t *tables, struct tr_error *err);
	enum tr_err (*set_version)(struct db *db, int version, struct tr_error *err);

	/* Optional (NULL: nothing to do).  upgrading: on = 1 before the
	 * migrations run in their transaction, 0 after (SQLite lifts its
	 * defensive mode for them).  bulk: db_bulk(). */
	void (*upgrading)(struct db *db, int on);
	enum tr_err (*bulk)(struct db *db, int on, struct tr_error *err);
	/* Optional (NULL: run at once, nothing to wait for): db_run_later(),
	 * the same for one parameterless command (a savepoint), db_sync(). */
	enum tr_err (*run_later)(struct db_stmt *st, const char *what, struct tr_error *err);
	enum tr_err (*exec_later)(struct db *db, const char *sql, const char *what, struct tr_error *err);
	enum tr_err (*sync)(struct db *db, struct tr_error *err);
};

extern const struct db_backend db_backend_sqlite;
#ifdef HAVE_LIBPQ
extern const struct db_backend db_backend_postgres;
#endif

#endif
