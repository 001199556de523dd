/*
 * sqlutil: SQLite helpers shared by store, migrate and rollup (see
 * sqlutil.h): error mapping, one-shot statements, and the saturating sum
 * functions every connection of the store registers.
 */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "sqlutil.h"

/* Whether the file system holding the database has no block left. */
static int file_system_full(sqlite3 *db)
{
	const char *path = sqlite3_db_filename(db, "main");
	struct statvfs fs;

	if (path == NULL || *path == '\0' || statvfs(path, &fs) != 0)
		return 0;
	return fs.f_bavail == 0;
}

/* SQLite's verdict as ours: busy and locked mean "try later", the rest
 * is a database failure whose text names the cause. */
enum tr_err sqlutil_error(sqlite3 *db, int rc, struct tr_error *err, const char *what)
{
	enum tr_err code = TR_ERR_DB;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = TR_ERR_BUSY;
		break;
	case SQLITE_NOMEM:
		code = TR_ERR_NOMEM;
		break;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		/* "disk I/O error" alone does not tell a full disk from a bad one */
		if (db != NULL && sqlite3_system_errno(db) != 0)
			return tr_error_set(err, code, "%s: %s (%s)", what, sqlite3_errmsg(db),
			                    strerror(sqlite3_system_errno(db)));
		/* SQLite keeps no errno for SQLITE_FULL (a write that hit ENOSPC,
		 * or max_page_count): say which by asking the file system */
		if (db != NULL && (rc & 0xff) == SQLITE_FULL && file_system_full(db))
			return tr_error_set(err, code, "%s: %s (%s)", what, sqlite3_errmsg(db), strerror(ENOSPC));
		break;
	default:
		break;
	}
	return tr_error_set(err, code, "%s: %s", what, db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Run a statement that returns no rows; leaves it reset and unbound.
 * On failure err holds the reason, read before the reset can touch it. */
enum tr_err sqlutil_run(sqlite3 *db, sqlite3_stmt *st, const char *what, struct tr_error *err)
{
	int step = sqlite3_step(st);
	enum tr_err rc = TR_OK;

	if (step != SQLITE_DONE && step != SQLITE_ROW)
		rc = sqlutil_error(db, step, err, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Run SQL text with no parameters (pragmas, schema, transactions). */
enum tr_err sqlutil_exec(sqlite3 *db, const char *sql, const char *what, struct tr_error *err)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sqlutil_error(db, rc, err, what);
	return TR_OK;
}

/* The first column of the first row of a parameterless query. */
enum tr_err sqlutil_query_int(sqlite3 *db, const char *sql, int64_t *out, struct tr_error *err)
{
	sqlite3_stmt *st = NULL;
	enum tr_err ret = TR_OK;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	*out = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = sqlutil_error(db, rc, err, sql);
	sqlite3_finalize(st);
	return ret;
}

int sqlutil_rollback(sqlite3 *db)
{
	if (sqlite3_get_autocommit(db))
		return SQLITE_OK;
	return sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Bind a string, NULL as SQL NULL.  The string outlives the step. */
int sqlutil_bind_text(sqlite3_stmt *st, int idx, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

static void sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t *sum = sqlite3_aggregate_context(ctx, sizeof *sum);
	int64_t v;

	(void)argc;
	if (sum == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	v = sqlite3_value_int64(argv[0]);
	if (v <= 0)
		return;
	*sum = *sum > INT64_MAX - v ? INT64_MAX : *sum + v;
}

static void sum_final(sqlite3_context *ctx)
{
	int64_t *sum = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_int64(ctx, sum != NULL ? *sum : 0);
}

/* tr_add(a, b): a + b for the rollups' counts, saturating like tr_sum. */
static void add_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t a = sqlite3_value_int64(argv[0]);
	int64_t b = sqlite3_value_int64(argv[1]);

	(void)argc;
	if (a < 0)
		a = 0;
	if (b < 0)
		b = 0;
	sqlite3_result_int64(ctx, a > INT64_MAX - b ? INT64_MAX : a + b);
}

enum tr_err sqlutil_add_functions(sqlite3 *db, struct tr_error *err)
{
	int rc = sqlite3_create_function(db, "tr_sum", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
	                                 sum_step, sum_final);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "tr_add", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, add_func,
		                             NULL, NULL);
	if (rc != SQLITE_OK)
		return sqlutil_error(db, rc, err, "registering tr_sum and tr_add");
	return TR_OK;
}
