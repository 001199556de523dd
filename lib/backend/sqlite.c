/*
 * backend/sqlite: db.h over an SQLite file.  Everything SQLite-specific
 * lives here: how a connection is opened and tuned (WAL, synchronous,
 * busy timeout), SQLite's result codes as ours, the functions the shared
 * SQL text calls (tr_sum, tr_add, tr_day, string_agg, tr_report_id),
 * PRAGMA user_version as the schema version, and the bulk-import settings.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <sqlite3.h>

#include "backend.h"
#include "sqlite.h"

/* WAL pages between checkpoints in bulk mode (SQLite's default is 1000,
 * about one batch of an import): checkpointing, and syncing the database
 * file, ten times less often saves a tenth of a bulk import's wall time.
 * Commits stay synchronous = FULL. */
#define BULK_CHECKPOINT_PAGES "10000"
#define NORMAL_CHECKPOINT_PAGES "1000"
/* A batch dirties more pages than SQLite's default 2 MB cache holds, and
 * a page pushed out of the cache goes to the WAL again and again within
 * one batch (100,000 reports with schema 4: 8.1 s wall, with 32 MiB:
 * 5.8 s).  The connection keeps the larger cache after the batch: only
 * bulk imports batch. */
#define BULK_CACHE_KIB "-32768"

struct sqlite_db {
	struct db base;
	sqlite3 *h;
	int defensive_was;  /* defensive mode was on before an upgrade */
};

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
	int bind_rc;  /* the first failed bind since the last reset */
	int rowid_returning; /* an INSERT ... RETURNING id run as a plain INSERT */
	int rowid_state;     /* 0 not run, 1 on its row, 2 done */
	int64_t rowid;
};

/* SQLite runs RETURNING through a temporary table: on the store's
 * inserts that cost a sixth more instructions per report than asking
 * for the rowid after a plain INSERT, which is what "INSERT ...
 * RETURNING id" gets here (id is the INTEGER PRIMARY KEY, the rowid). */
static const char returning_id[] = " RETURNING id";

static size_t plain_insert_len(const char *sql)
{
	size_t len = strlen(sql), tail = sizeof returning_id - 1;

	if (strncmp(sql, "INSERT ", 7) != 0 || len <= tail || strcmp(sql + len - tail, returning_id) != 0)
		return 0;
	return len - tail;
}

static sqlite3 *handle(struct db *db)
{
	return ((struct sqlite_db *)db)->h;
}

static struct sqlite_stmt *stmt(struct db_stmt *st)
{
	return (struct sqlite_stmt *)st;
}

/* ---- errors ---- */

/* Whether the file system holding the database has no block left. */
static int file_system_full(sqlite3 *h)
{
	const char *path = sqlite3_db_filename(h, "main");
	struct statvfs fs;

	if (path == NULL || *path == '\0' || statvfs(path, &fs) != 0)
		return 0;
	return fs.f_bavail == 0;
}

/* SQLite's verdict as ours: busy and locked mean "try later", the rest
 * is a database failure whose text names the cause.  h may be NULL. */
static enum tr_err sqlite_error(sqlite3 *h, int rc, struct tr_error *err, const char *what)
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
	case SQLITE_NOTADB:
		/* "configuring: file is not a database" says neither what we
		 * were doing nor what to do about it */
		return tr_error_set(err, TR_ERR_DB, "not a database (not an SQLite file, or a damaged one)");
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		/* "disk I/O error" alone does not tell a full disk from a bad one */
		if (h != NULL && sqlite3_system_errno(h) != 0)
			return tr_error_set(err, code, "%s: %s (%s)", what, sqlite3_errmsg(h),
			                    strerror(sqlite3_system_errno(h)));
		/* SQLite keeps no errno for SQLITE_FULL (a write that hit ENOSPC,
		 * or max_page_count): say which by asking the file system */
		if (h != NULL && (rc & 0xff) == SQLITE_FULL && file_system_full(h))
			return tr_error_set(err, code, "%s: %s (%s)", what, sqlite3_errmsg(h), strerror(ENOSPC));
		break;
	default:
		break;
	}
	return tr_error_set(err, code, "%s: %s", what, h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
}

static enum tr_err exec_sql(struct db *db, const char *sql, const char *what, struct tr_error *err)
{
	int rc = sqlite3_exec(handle(db), sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sqlite_error(handle(db), rc, err, what);
	return TR_OK;
}

/* ---- the SQL functions the shared text calls ---- */

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

/* Days since 1970-01-01 as a proleptic Gregorian date (Howard Hinnant's
 * civil-from-days), exact for every int64 day count we accept. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* tr_day(epoch seconds): 'YYYY-MM-DD' in UTC; NULL for NULL and for a
 * time outside years 0000-9999, as strftime('%Y-%m-%d', x, 'unixepoch')
 * answered before. */
static void day_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t t, days, y;
	unsigned m, d;
	char out[16];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	t = sqlite3_value_int64(argv[0]);
	/* 0000-01-01 and 10000-01-01 as epoch seconds */
	if (t < -62167219200LL || t >= 253402300800LL)
		return;
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	civil_from_days(days, &y, &m, &d);
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	sqlite3_result_text(ctx, out, 10, SQLITE_TRANSIENT);
}

/* string_agg(x, sep), PostgreSQL's spelling of group_concat(x, sep)
 * (SQLite has its own only from 3.44). */
static void agg_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_str **acc = sqlite3_aggregate_context(ctx, sizeof *acc);
	const unsigned char *v;

	(void)argc;
	if (acc == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	v = sqlite3_value_text(argv[0]);
	if (v == NULL)
		return;
	if (*acc == NULL)
		*acc = sqlite3_str_new(sqlite3_context_db_handle(ctx));
	else if (sqlite3_value_type(argv[1]) != SQLITE_NULL)
		sqlite3_str_appendall(*acc, (const char *)sqlite3_value_text(argv[1]));
	sqlite3_str_appendall(*acc, (const char *)v);
}

static void agg_final(sqlite3_context *ctx)
{
	sqlite3_str **acc = sqlite3_aggregate_context(ctx, 0);
	int len;
	char *s;

	if (acc == NULL || *acc == NULL)
		return;
	len = sqlite3_str_length(*acc);
	if (sqlite3_str_errcode(*acc) != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(*acc));
		sqlite3_result_error_nomem(ctx);
		return;
	}
	s = sqlite3_str_finish(*acc);
	sqlite3_result_text(ctx, s != NULL ? s : "", len, sqlite3_free);
}

/* tr_report_id(submitter, report_id, start, end): NULL, the next rowid,
 * which only a stored row takes (schema/pg/schema.sql says why
 * PostgreSQL's looks the report up first). */
static void report_id_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_null(ctx);
}

static enum tr_err add_functions(sqlite3 *h, struct tr_error *err)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
	int rc = sqlite3_create_function(h, "tr_sum", 1, flags, NULL, NULL, sum_step, sum_final);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(h, "tr_add", 2, flags, NULL, add_func, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(h, "tr_day", 1, flags, NULL, day_func, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(h, "string_agg", 2, flags, NULL, NULL, agg_step, agg_final);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(h, "tr_report_id", 4, flags, NULL, report_id_func, NULL, NULL);
	if (rc != SQLITE_OK)
		return sqlite_error(h, rc, err, "registering tr_sum, tr_add, tr_day, string_agg and tr_report_id");
	return TR_OK;
}

/* ---- opening ---- */

/* Switching to WAL takes an exclusive lock without calling the busy
 * handler, so when processes open a new database at once all but one see
 * SQLITE_BUSY: retry within the busy timeout. */
static enum tr_err set_wal(sqlite3 *h, int busy_ms, struct tr_error *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	int waited = 0;
	int rc;

	rc = sqlite3_prepare_v2(h, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlite_error(h, rc, err, "setting WAL mode");
	for (;;) {
		rc = sqlite3_step(st);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= busy_ms)
			break;
		sqlite3_reset(st);
		sqlite3_sleep(10);
		waited += 10;
	}
	if (rc != SQLITE_ROW) {
		enum tr_err ret = sqlite_error(h, rc, err, "setting WAL mode");

		sqlite3_finalize(st);
		return ret;
	}
	jm = sqlite3_column_text(st, 0);
	rc = jm != NULL && strcmp((const char *)jm, "wal") == 0;
	sqlite3_finalize(st);
	if (!rc)
		return tr_error_set(err, TR_ERR_DB, "cannot use WAL mode on this file system");
	return TR_OK;
}

/* Settings every connection needs; WAL only where we may write. */
static enum tr_err configure(struct db *db, enum db_open_mode mode, int busy_ms, struct tr_error *err)
{
	sqlite3 *h = handle(db);
	enum tr_err ret;

	sqlite3_busy_timeout(h, busy_ms);
	if (mode != DB_OPEN_READONLY) {
		if (sqlite3_db_readonly(h, "main") == 1)
			return tr_error_set(err, TR_ERR_DB, "database is read-only "
			                    "(check the permissions of the file and its directory)");
		ret = set_wal(h, busy_ms, err);
		if (ret != TR_OK)
			return ret;
	}
	/* FULL: once a report is committed the milter may discard the mail. */
	ret = exec_sql(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "configuring", err);
	/* temp_store: a writer's savepoint journal per chunk of reports (a few pages)
	 * stays in memory instead of costing a score of writes to a temporary
	 * file.  Not for queries: a summary that sorts a million rollup rows
	 * would then hold them all in memory, where SQLite's sorter spills
	 * what exceeds the page cache to a temporary file. */
	if (ret == TR_OK && mode != DB_OPEN_READONLY)
		ret = exec_sql(db, "PRAGMA temp_store = MEMORY", "configuring", err);
	if (ret != TR_OK)
		return ret;
	return add_functions(h, err);
}

/* SQLite's allocation statistics take a global mutex around every malloc
 * and free (no lookaside in Debian's build), and nothing reads them: off,
 * once per process, before SQLite's first use (later it is refused,
 * harmlessly). */
static void memstatus_off(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Say what is wrong with path before SQLite says something vaguer. */
static enum tr_err check_path(const char *path, enum db_open_mode mode, struct tr_error *err)
{
	struct stat sb;

	if (*path == '\0')
		return tr_error_set(err, TR_ERR_USAGE, "no database path");
	if (stat(path, &sb) != 0) {
		if (mode != DB_OPEN_CREATE && errno == ENOENT)
			return tr_error_set(err, TR_ERR_NOTFOUND, "no such database");
	} else if (S_ISDIR(sb.st_mode)) {
		return tr_error_set(err, TR_ERR_DB, "is a directory, not a database file");
	}
	return TR_OK;
}

static void sqlite_close(struct db *db)
{
	/* an open transaction is rolled back by the close */
	sqlite3_close_v2(handle(db));
	free(db);
}

static enum tr_err sqlite_open(const char *where, enum db_open_mode mode, int busy_ms, struct db **out,
                               struct tr_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int flags = SQLITE_OPEN_READWRITE;
	struct sqlite_db *db;
	enum tr_err ret;
	int rc;

	ret = check_path(where, mode, err);
	if (ret != TR_OK)
		return ret;
	pthread_once(&once, memstatus_off);
	db = calloc(1, sizeof *db);
	if (db == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory opening the database");
	if (mode == DB_OPEN_READONLY)
		flags = SQLITE_OPEN_READONLY;
	else if (mode == DB_OPEN_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	/* each thread opens its own connection (db.h), so it needs no mutex
	 * of its own: one lock and unlock less per SQLite call */
	rc = sqlite3_open_v2(where, &db->h, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (db->h == NULL) {
		free(db);
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory opening the database");
	}
	if (rc != SQLITE_OK)
		ret = sqlite_error(db->h, rc, err, "cannot open the database");
	else
		sqlite3_extended_result_codes(db->h, 1);
	if (ret == TR_OK)
		ret = configure(&db->base, mode, busy_ms, err);
	if (ret != TR_OK) {
		sqlite_close(&db->base);
		return ret;
	}
	*out = &db->base;
	return TR_OK;
}

static int sqlite_readonly(struct db *db)
{
	return sqlite3_db_readonly(handle(db), "main") == 1;
}

/* ---- statements ---- */

static enum tr_err sqlite_prepare(struct db *db, const char *sql, int persistent, struct db_stmt **out,
                                  struct tr_error *err)
{
	struct sqlite_stmt *st = calloc(1, sizeof *st);
	size_t plain = plain_insert_len(sql);
	int rc;

	if (st == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory preparing a statement");
	st->rowid_returning = plain > 0;
	rc = sqlite3_prepare_v3(handle(db), sql, plain > 0 ? (int)plain : -1,
	                        persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st->h, NULL);
	if (rc != SQLITE_OK) {
		/* the message first: finalizing may touch it */
		enum tr_err ret = sqlite_error(handle(db), rc, err, "preparing a statement");

		sqlite3_finalize(st->h);
		free(st);
		return ret;
	}
	st->base.db = db;
	*out = &st->base;
	return TR_OK;
}

static void sqlite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(stmt(st)->h);
	free(st);
}

static int sqlite_param_index(struct db_stmt *st, const char *name)
{
	return sqlite3_bind_parameter_index(stmt(st)->h, name);
}

static void bound(struct db_stmt *st, int rc)
{
	if (rc != SQLITE_OK && stmt(st)->bind_rc == SQLITE_OK)
		stmt(st)->bind_rc = rc;
}

static void sqlite_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	bound(st, sqlite3_bind_int64(stmt(st)->h, idx, v));
}

static void sqlite_bind_text(struct db_stmt *st, int idx, const char *v)
{
	if (v == NULL)
		bound(st, sqlite3_bind_null(stmt(st)->h, idx));
	else
		bound(st, sqlite3_bind_text(stmt(st)->h, idx, v, -1, SQLITE_STATIC));
}

static void sqlite_bind_blob(struct db_stmt *st, int idx, const void *v, size_t len)
{
	bound(st, sqlite3_bind_blob64(stmt(st)->h, idx, v, len, SQLITE_STATIC));
}

static void sqlite_bind_null(struct db_stmt *st, int idx)
{
	bound(st, sqlite3_bind_null(stmt(st)->h, idx));
}

/* An INSERT ... RETURNING id as a plain INSERT: its one row is the new
 * rowid, none when nothing was inserted (ON CONFLICT DO NOTHING). */
static enum tr_err step_rowid(struct sqlite_stmt *st, int *row, const char *what, struct tr_error *err)
{
	sqlite3 *h = handle(st->base.db);
	int rc;

	if (st->rowid_state != 0) {
		st->rowid_state = 2;
		return TR_OK;
	}
	rc = sqlite3_step(st->h);
	if (rc != SQLITE_DONE)
		return sqlite_error(h, rc, err, what);
	st->rowid_state = 2;
	if (sqlite3_changes(h) > 0) {
		st->rowid = sqlite3_last_insert_rowid(h);
		st->rowid_state = 1;
		*row = 1;
	}
	return TR_OK;
}

static enum tr_err sqlite_step(struct db_stmt *st, int *row, const char *what, struct tr_error *err)
{
	sqlite3 *h = handle(st->db);
	int rc;

	*row = 0;
	if (stmt(st)->bind_rc != SQLITE_OK)
		return sqlite_error(h, stmt(st)->bind_rc, err, what);
	if (stmt(st)->rowid_returning)
		return step_rowid(stmt(st), row, what, err);
	rc = sqlite3_step(stmt(st)->h);
	if (rc == SQLITE_ROW) {
		*row = 1;
		return TR_OK;
	}
	if (rc == SQLITE_DONE)
		return TR_OK;
	return sqlite_error(h, rc, err, what);
}

static void sqlite_reset(struct db_stmt *st)
{
	sqlite3_reset(stmt(st)->h);
	sqlite3_clear_bindings(stmt(st)->h);
	stmt(st)->bind_rc = SQLITE_OK;
	stmt(st)->rowid_state = 0;
}

static int sqlite_column_is_null(struct db_stmt *st, int col)
{
	if (stmt(st)->rowid_returning)
		return stmt(st)->rowid_state != 1 || col != 0;
	return sqlite3_column_type(stmt(st)->h, col) == SQLITE_NULL;
}

static int64_t sqlite_column_int64(struct db_stmt *st, int col)
{
	if (stmt(st)->rowid_returning)
		return stmt(st)->rowid_state == 1 && col == 0 ? stmt(st)->rowid : 0;
	return sqlite3_column_int64(stmt(st)->h, col);
}

static const char *sqlite_column_text(struct db_stmt *st, int col, size_t *len)
{
	const char *t = (const char *)sqlite3_column_text(stmt(st)->h, col);

	if (len != NULL)
		*len = t != NULL ? (size_t)sqlite3_column_bytes(stmt(st)->h, col) : 0;
	return t;
}

static const void *sqlite_column_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *b = sqlite3_column_blob(stmt(st)->h, col);

	if (len != NULL)
		*len = (size_t)sqlite3_column_bytes(stmt(st)->h, col);
	return b;
}

static int sqlite_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(handle(db));
}

/* ---- schema ---- */

static int sqlite_schema_version(void)
{
	return store_sql_version(schema_sql);
}

static enum tr_err sqlite_get_version(struct db *db, int *version, int64_t *tables, struct tr_error *err)
{
	int64_t v = 0;
	enum tr_err rc = db_query_int(db, "PRAGMA user_version", &v, err);

	*version = (int)v;
	*tables = 0;
	/* only a version-0 database's tables matter (migrate.c) */
	if (rc == TR_OK && v == 0)
		rc = db_query_int(db, "SELECT count(*) FROM sqlite_master", tables, err);
	return rc;
}

static enum tr_err sqlite_set_version(struct db *db, int version, struct tr_error *err)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
	return exec_sql(db, sql, "setting the schema version", err);
}

/* Migration 003 edits a CHECK in sqlite_master (PRAGMA writable_schema),
 * which a connection in defensive mode refuses: lift it for the upgrade
 * only, and give it back after. */
static void sqlite_upgrading(struct db *db, int on)
{
#ifdef SQLITE_DBCONFIG_DEFENSIVE
	struct sqlite_db *sdb = (struct sqlite_db *)db;
	int was = 0;

	if (on) {
		if (sqlite3_db_config(sdb->h, SQLITE_DBCONFIG_DEFENSIVE, -1, &was) != SQLITE_OK)
			was = 0;
		sdb->defensive_was = was;
		if (was)
			sqlite3_db_config(sdb->h, SQLITE_DBCONFIG_DEFENSIVE, 0, (int *)NULL);
	} else if (sdb->defensive_was) {
		sqlite3_db_config(sdb->h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
		sdb->defensive_was = 0;
	}
#else
	(void)db;
	(void)on;
#endif
}

static enum tr_err sqlite_bulk(struct db *db, int on, struct tr_error *err)
{
	if (on)
		return exec_sql(db, "PRAGMA wal_autocheckpoint = " BULK_CHECKPOINT_PAGES
		                "; PRAGMA cache_size = " BULK_CACHE_KIB, "setting up for a bulk import", err);
	return exec_sql(db, "PRAGMA wal_autocheckpoint = " NORMAL_CHECKPOINT_PAGES, "ending a bulk import", err);
}

const struct db_backend db_backend_sqlite = {
	.kind = DB_SQLITE,
	.open = sqlite_open,
	.close = sqlite_close,
	.readonly = sqlite_readonly,
	.prepare = sqlite_prepare,
	.finalize = sqlite_finalize,
	.param_index = sqlite_param_index,
	.bind_int64 = sqlite_bind_int64,
	.bind_text = sqlite_bind_text,
	.bind_blob = sqlite_bind_blob,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.reset = sqlite_reset,
	.column_is_null = sqlite_column_is_null,
	.column_int64 = sqlite_column_int64,
	.column_text = sqlite_column_text,
	.column_blob = sqlite_column_blob,
	.exec = exec_sql,
	.in_transaction = sqlite_in_transaction,
	.begin_sql = "BEGIN IMMEDIATE",
	.schema_sql = schema_sql,
	.schema_version = sqlite_schema_version,
	.migrations = store_migrations,
	.get_version = sqlite_get_version,
	.set_version = sqlite_set_version,
	.upgrading = sqlite_upgrading,
	.bulk = sqlite_bulk,
};

/* For tests about SQLite itself (WAL, temp_store, corrupt files): the
 * connection under db. */
sqlite3 *db_sqlite_handle(struct db *db)
{
	return db != NULL && db->be == &db_backend_sqlite ? handle(db) : NULL;
}
