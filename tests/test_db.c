/*
 * Conformance of the backends behind lib/db.h: one list of cases, run
 * once per backend on a fresh empty database each (tests/testdb.h), so
 * that what the store relies on (types, parameters, constraints,
 * transactions, the tr_ functions, errors that say "retry later") is
 * proved the same on SQLite and PostgreSQL.  A backend that cannot run
 * here (no cluster started) has its cases left out with a note: cmocka
 * prints a skipped case as "not ok", which the TAP driver counts failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/backend.h"
#include "db.h"
#include "migrate.h"
#include "testdb.h"

#define BUSY_MS 200

struct backend {
	enum db_kind kind;
	const char *blob_type;  /* the column type of a blob in test tables */
};

static const struct backend backends[] = {
	{ DB_SQLITE, "BLOB" },
	{ DB_POSTGRES, "BYTEA" },
};

struct fixture {
	const struct backend *be;
	char where[512];
	struct db *db;
};

/* ---- helpers ---- */

static int setup(void **state)
{
	const struct backend *be = *state;
	struct fixture *f = calloc(1, sizeof *f);
	struct tr_error e;

	assert_non_null(f);
	f->be = be;
	*state = f;
	assert_int_equal(testdb_fresh(be->kind, f->where, sizeof f->where), 0);
	if (db_open(f->where, DB_OPEN_CREATE, BUSY_MS, &f->db, &e) != TR_OK) {
		print_message("# %s: %s\n", testdb_kind_name(be->kind), e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	db_close(f->db);
	free(f);
	return 0;
}

static struct fixture *fix(void **state)
{
	struct fixture *f = *state;

	assert_non_null(f->db);
	return f;
}

static void exec_ok(struct db *db, const char *sql)
{
	struct tr_error e;
	enum tr_err rc = db_exec(db, sql, "test", &e);

	if (rc != TR_OK)
		print_message("# %s: %s\n", sql, e.msg);
	assert_int_equal(rc, TR_OK);
}

static int64_t query_int(struct db *db, const char *sql)
{
	struct tr_error e;
	int64_t v = -1;
	enum tr_err rc = db_query_int(db, sql, &v, &e);

	if (rc != TR_OK)
		print_message("# %s: %s\n", sql, e.msg);
	assert_int_equal(rc, TR_OK);
	return v;
}

static struct db_stmt *prep(struct db *db, const char *sql, int persistent)
{
	struct db_stmt *st = NULL;
	struct tr_error e;
	enum tr_err rc = db_prepare(db, sql, persistent, &st, &e);

	if (rc != TR_OK)
		print_message("# %s: %s\n", sql, e.msg);
	assert_int_equal(rc, TR_OK);
	return st;
}

/* Step st, expecting rc; returns the row flag. */
static int step_rc(struct db_stmt *st, enum tr_err want)
{
	struct tr_error e;
	int row = -1;
	enum tr_err rc = db_step(st, &row, "test", &e);

	if (rc != want)
		print_message("# step: %s\n", rc != TR_OK ? e.msg : "ok");
	assert_int_equal(rc, want);
	return row;
}

static int step(struct db_stmt *st)
{
	return step_rc(st, TR_OK);
}

/* Table t with an integer key, an integer, a text and a blob column. */
static void make_table(struct fixture *f)
{
	char sql[160];

	snprintf(sql, sizeof sql, "CREATE TABLE t (k BIGINT PRIMARY KEY, n BIGINT, s TEXT, b %s)", f->be->blob_type);
	exec_ok(f->db, sql);
}

/* Insert (k, n) into t through db; returns db_step's verdict. */
static enum tr_err insert_kn(struct db *db, int64_t k, int64_t n)
{
	struct db_stmt *st = prep(db, "INSERT INTO t (k, n) VALUES (?1, ?2)", 0);
	struct tr_error e;
	int row;
	enum tr_err rc;

	db_bind_int64(st, 1, k);
	db_bind_int64(st, 2, n);
	rc = db_step(st, &row, "inserting", &e);
	db_finalize(st);
	return rc;
}

/* The whole schema of this backend at its version, as migrate.c makes it. */
static void create_schema(struct fixture *f)
{
	struct tr_error e;

	assert_int_equal(db_begin(f->db, &e), TR_OK);
	exec_ok(f->db, f->db->be->schema_sql);
	assert_int_equal(f->db->be->set_version(f->db, f->db->be->schema_version(), &e), TR_OK);
	assert_int_equal(db_commit(f->db, &e), TR_OK);
}

/* A second connection to the same database. */
static struct db *open_second(struct fixture *f, enum db_open_mode mode)
{
	struct db *db = NULL;
	struct tr_error e;

	assert_int_equal(db_open(f->where, mode, BUSY_MS, &db, &e), TR_OK);
	return db;
}

/* ---- cases ---- */

static void bind_step_and_columns(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *st;
	size_t len = 0;

	make_table(f);
	st = prep(f->db, "INSERT INTO t (k, n, s) VALUES (?1, ?2, ?3)", 0);
	for (int i = 1; i <= 3; i++) {
		char s[8];

		snprintf(s, sizeof s, "s%d", i);
		db_bind_int64(st, 1, i);
		db_bind_int64(st, 2, i * 10);
		db_bind_text(st, 3, s);
		assert_int_equal(step(st), 0);
		db_reset(st);
	}
	db_finalize(st);
	st = prep(f->db, "SELECT k, n, s FROM t WHERE k >= ?1 ORDER BY k", 0);
	db_bind_int64(st, 1, 2);
	assert_int_equal(step(st), 1);
	assert_int_equal(db_column_int64(st, 0), 2);
	assert_int_equal(db_column_int64(st, 1), 20);
	assert_string_equal(db_column_text(st, 2, &len), "s2");
	assert_int_equal(len, 2);
	assert_int_equal(step(st), 1);
	assert_int_equal(db_column_int64(st, 0), 3);
	assert_int_equal(step(st), 0);
	/* run again after a reset, with another binding */
	db_reset(st);
	db_bind_int64(st, 1, 1);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(step(st), 1);
		assert_int_equal(db_column_int64(st, 0), i);
	}
	assert_int_equal(step(st), 0);
	db_finalize(st);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 3);
	assert_int_equal(query_int(f->db, "SELECT n FROM t WHERE k = 99"), 0);
}

static void nulls(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *st;
	size_t len = 7;

	make_table(f);
	st = prep(f->db, "INSERT INTO t (k, n, s, b) VALUES (?1, ?2, ?3, ?4)", 0);
	db_bind_int64(st, 1, 1);
	db_bind_null(st, 2);
	db_bind_text(st, 3, NULL);
	db_bind_null(st, 4);
	assert_int_equal(step(st), 0);
	db_finalize(st);
	st = prep(f->db, "SELECT n, s, b, NULL FROM t", 0);
	assert_int_equal(step(st), 1);
	for (int c = 0; c < 4; c++)
		assert_true(db_column_is_null(st, c));
	assert_int_equal(db_column_int64(st, 0), 0);
	assert_null(db_column_text(st, 1, &len));
	assert_int_equal(len, 0);
	assert_null(db_column_blob(st, 2, &len));
	assert_int_equal(len, 0);
	db_finalize(st);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t WHERE n IS NULL AND s IS NULL AND b IS NULL"), 1);
}

static void int64_extremes(void **state)
{
	static const int64_t values[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, (int64_t)1 << 53, INT64_MAX };
	struct fixture *f = fix(state);
	struct db_stmt *ins, *sel;

	make_table(f);
	ins = prep(f->db, "INSERT INTO t (k, n) VALUES (?1, ?2)", 1);
	sel = prep(f->db, "SELECT n FROM t WHERE k = ?1", 1);
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		db_bind_int64(ins, 1, (int64_t)i);
		db_bind_int64(ins, 2, values[i]);
		assert_int_equal(step(ins), 0);
		db_reset(ins);
		db_bind_int64(sel, 1, (int64_t)i);
		assert_int_equal(step(sel), 1);
		assert_true(db_column_int64(sel, 0) == values[i]);
		db_reset(sel);
	}
	db_finalize(ins);
	db_finalize(sel);
	/* a bound integer is 64-bit in arithmetic too */
	sel = prep(f->db, "SELECT ?1 + 1", 0);
	db_bind_int64(sel, 1, (int64_t)1 << 40);
	assert_int_equal(step(sel), 1);
	assert_true(db_column_int64(sel, 0) == ((int64_t)1 << 40) + 1);
	db_finalize(sel);
}

static void text_utf8_and_empty(void **state)
{
	static const char *const texts[] = { "", "plain", "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",
		                             "it's \"quoted\" ?1 :x \\n" };
	struct fixture *f = fix(state);
	struct db_stmt *ins, *sel;
	size_t len;

	make_table(f);
	ins = prep(f->db, "INSERT INTO t (k, s) VALUES (?1, ?2)", 1);
	sel = prep(f->db, "SELECT s FROM t WHERE k = ?1", 1);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *got;

		db_bind_int64(ins, 1, (int64_t)i);
		db_bind_text(ins, 2, texts[i]);
		assert_int_equal(step(ins), 0);
		db_reset(ins);
		db_bind_int64(sel, 1, (int64_t)i);
		assert_int_equal(step(sel), 1);
		assert_false(db_column_is_null(sel, 0));
		len = 99;
		got = db_column_text(sel, 0, &len);
		assert_non_null(got);
		assert_string_equal(got, texts[i]);
		assert_int_equal(len, strlen(texts[i]));
		db_reset(sel);
	}
	db_finalize(ins);
	db_finalize(sel);
	/* byte order, as SQLite's BINARY: UTF-8 after ASCII (a locale would
	 * put \xc3\xa9 beside e) */
	assert_int_equal(query_int(f->db, "SELECT k FROM t WHERE s IS NOT NULL ORDER BY s DESC LIMIT 1"), 2);
}

static void blob_round_trip(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 'a', 0x00, 0xff, 0x80, '\\', 'x', 0x00 };
	struct fixture *f = fix(state);
	struct db_stmt *st;
	const unsigned char *got;
	size_t len = 0;

	make_table(f);
	st = prep(f->db, "INSERT INTO t (k, b) VALUES (?1, ?2)", 1);
	db_bind_int64(st, 1, 1);
	db_bind_blob(st, 2, bytes, sizeof bytes);
	assert_int_equal(step(st), 0);
	db_reset(st);
	db_bind_int64(st, 1, 2);
	db_bind_blob(st, 2, bytes, 0);
	assert_int_equal(step(st), 0);
	db_finalize(st);
	st = prep(f->db, "SELECT b FROM t ORDER BY k", 0);
	assert_int_equal(step(st), 1);
	got = db_column_blob(st, 0, &len);
	assert_int_equal(len, sizeof bytes);
	assert_memory_equal(got, bytes, sizeof bytes);
	assert_int_equal(step(st), 1);
	assert_false(db_column_is_null(st, 0));
	db_column_blob(st, 0, &len);
	assert_int_equal(len, 0);
	assert_int_equal(step(st), 0);
	db_finalize(st);
}

static void named_and_numbered_params(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *st;

	st = prep(f->db, "SELECT :a + 0, ?2 + 0, :a + 0, :b + 0, '?1 :a' /* ?3 */ -- :c\n", 0);
	assert_int_equal(db_param_index(st, ":a"), 1);
	assert_int_equal(db_param_index(st, ":b"), 3);
	assert_int_equal(db_param_index(st, ":c"), 0);
	db_bind_int64(st, db_param_index(st, ":a"), 7);
	db_bind_int64(st, 2, 8);
	db_bind_int64(st, db_param_index(st, ":b"), 9);
	assert_int_equal(step(st), 1);
	assert_int_equal(db_column_int64(st, 0), 7);
	assert_int_equal(db_column_int64(st, 1), 8);
	assert_int_equal(db_column_int64(st, 2), 7);
	assert_int_equal(db_column_int64(st, 3), 9);
	assert_string_equal(db_column_text(st, 4, NULL), "?1 :a");
	db_finalize(st);
	/* a bad index is reported by the next step */
	st = prep(f->db, "SELECT ?1", 0);
	db_bind_int64(st, 5, 1);
	{
		struct tr_error e;
		int row;

		assert_int_not_equal(db_step(st, &row, "test", &e), TR_OK);
	}
	db_finalize(st);
}

static void persistent_statements_reused(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *ins, *sum;
	struct tr_error e;

	create_schema(f);  /* PostgreSQL's tr_sum comes with it */
	make_table(f);
	ins = prep(f->db, "INSERT INTO t (k, n) VALUES (?1, ?2)", 1);
	sum = prep(f->db, "SELECT count(*), tr_sum(n) FROM t", 1);
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	for (int i = 1; i <= 200; i++) {
		db_bind_int64(ins, 1, i);
		db_bind_int64(ins, 2, i);
		assert_int_equal(step(ins), 0);
		db_reset(ins);
		if (i % 50 == 0) {
			assert_int_equal(step(sum), 1);
			assert_int_equal(db_column_int64(sum, 0), i);
			assert_int_equal(db_column_int64(sum, 1), i * (i + 1) / 2);
			db_reset(sum);
		}
	}
	assert_int_equal(db_commit(f->db, &e), TR_OK);
	/* a NULL where a number was bound before still fits */
	db_bind_int64(ins, 1, 201);
	db_bind_null(ins, 2);
	assert_int_equal(step(ins), 0);
	db_finalize(ins);
	db_finalize(sum);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 201);
}

/* A persistent statement first run with NULLs, then with values of each
 * type, then with NULLs again. */
static void persistent_bindings_change_type(void **state)
{
	static const unsigned char bytes[] = { 0x00, 0x7f };
	struct fixture *f = fix(state);
	struct db_stmt *ins;
	size_t len = 0;

	make_table(f);
	ins = prep(f->db, "INSERT INTO t (k, n, s, b) VALUES (?1, ?2, ?3, ?4)", 1);
	for (int i = 1; i <= 3; i++) {
		db_bind_int64(ins, 1, i);
		if (i == 2) {
			db_bind_int64(ins, 2, 5);
			db_bind_text(ins, 3, "five");
			db_bind_blob(ins, 4, bytes, sizeof bytes);
		} else {
			db_bind_null(ins, 2);
			db_bind_null(ins, 3);
			db_bind_null(ins, 4);
		}
		assert_int_equal(step(ins), 0);
		db_reset(ins);
	}
	db_finalize(ins);
	ins = prep(f->db, "SELECT n, s, b FROM t WHERE k = 2", 0);
	assert_int_equal(step(ins), 1);
	assert_int_equal(db_column_int64(ins, 0), 5);
	assert_string_equal(db_column_text(ins, 1, NULL), "five");
	assert_memory_equal(db_column_blob(ins, 2, &len), bytes, sizeof bytes);
	assert_int_equal(len, sizeof bytes);
	db_finalize(ins);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t WHERE n IS NULL AND b IS NULL"), 2);
}

static void unique_violation_is_db_error(void **state)
{
	struct fixture *f = fix(state);

	make_table(f);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	assert_int_equal(insert_kn(f->db, 1, 2), TR_ERR_DB);
	assert_int_equal(query_int(f->db, "SELECT n FROM t WHERE k = 1"), 1);
}

static void on_conflict_returning(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *st;
	int64_t id;

	create_schema(f);
	st = prep(f->db,
	          "INSERT INTO reports (submitter, report_id, start_time, end_time, received_at, source)"
	          " VALUES (:sub, :rid, 1, 2, 3, 'import') ON CONFLICT DO NOTHING RETURNING id",
	          1);
	db_bind_text(st, db_param_index(st, ":sub"), "example.net");
	db_bind_text(st, db_param_index(st, ":rid"), "r1");
	assert_int_equal(step(st), 1);
	id = db_column_int64(st, 0);
	assert_true(id > 0);
	assert_int_equal(step(st), 0);
	db_reset(st);
	db_bind_text(st, db_param_index(st, ":sub"), "example.net");
	db_bind_text(st, db_param_index(st, ":rid"), "r1");
	assert_int_equal(step(st), 0);
	db_reset(st);
	db_bind_text(st, db_param_index(st, ":sub"), "example.net");
	db_bind_text(st, db_param_index(st, ":rid"), "r2");
	assert_int_equal(step(st), 1);
	assert_true(db_column_int64(st, 0) > id);
	db_finalize(st);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM reports"), 2);
}

static void lock_wait_is_busy(void **state)
{
	struct fixture *f = fix(state);
	struct db *other;
	struct tr_error e;
	enum tr_err rc;

	make_table(f);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	other = open_second(f, DB_OPEN_EXISTING);
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	exec_ok(f->db, "UPDATE t SET n = 2 WHERE k = 1");
	/* SQLite refuses the second writer's BEGIN IMMEDIATE, PostgreSQL its
	 * UPDATE of the locked row: either way, after BUSY_MS, "busy" */
	rc = db_begin(other, &e);
	if (rc == TR_OK)
		rc = db_exec(other, "UPDATE t SET n = 3 WHERE k = 1", "updating", &e);
	assert_int_equal(rc, TR_ERR_BUSY);
	db_rollback(other);
	assert_false(db_in_transaction(other));
	assert_int_equal(db_commit(f->db, &e), TR_OK);
	/* the lock gone, the other connection writes */
	exec_ok(other, "UPDATE t SET n = 3 WHERE k = 1");
	assert_int_equal(query_int(f->db, "SELECT n FROM t WHERE k = 1"), 3);
	db_close(other);
}

static void transactions(void **state)
{
	struct fixture *f = fix(state);
	struct tr_error e;

	make_table(f);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_true(db_in_transaction(f->db));
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	db_rollback(f->db);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 0);
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(insert_kn(f->db, 2, 2), TR_OK);
	assert_int_equal(db_commit(f->db, &e), TR_OK);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
	db_rollback(f->db);  /* no transaction: harmless */
	db_rollback(NULL);
}

static void savepoints(void **state)
{
	struct fixture *f = fix(state);
	struct tr_error e;

	create_schema(f);
	make_table(f);
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	/* a report that fails halfway is undone, the batch kept */
	assert_int_equal(db_savepoint(f->db, &e), TR_OK);
	assert_int_equal(insert_kn(f->db, 2, 2), TR_OK);
	assert_int_equal(insert_kn(f->db, 1, 3), TR_ERR_DB);
	assert_int_equal(db_rollback_to(f->db, &e), TR_OK);
	assert_int_equal(db_release(f->db, &e), TR_OK);
	/* and one that succeeds is kept */
	assert_int_equal(db_savepoint(f->db, &e), TR_OK);
	assert_int_equal(insert_kn(f->db, 3, 3), TR_OK);
	assert_int_equal(db_release(f->db, &e), TR_OK);
	assert_int_equal(db_commit(f->db, &e), TR_OK);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 2);
	assert_int_equal(query_int(f->db, "SELECT tr_sum(k) FROM t"), 4);
}

/* Run st later with k and n bound; the verdict of the call. */
static enum tr_err insert_kn_later(struct db_stmt *st, int64_t k, int64_t n)
{
	struct tr_error e;

	db_bind_int64(st, 1, k);
	db_bind_int64(st, 2, n);
	return db_run_later(st, "inserting", &e);
}

/* A statement run later fails at once (SQLite) or at the next call that
 * waits (PostgreSQL's pipeline): either way before the report's release
 * succeeds, and its savepoint undoes it. */
static void run_later_errors_before_release(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *st;
	struct tr_error e;
	enum tr_err rc;

	make_table(f);
	st = prep(f->db, "INSERT INTO t (k, n) VALUES (?1, ?2)", 1);
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(db_savepoint(f->db, &e), TR_OK);
	assert_int_equal(insert_kn_later(st, 1, 1), TR_OK);
	rc = insert_kn_later(st, 1, 2);
	if (rc == TR_OK)
		rc = db_release(f->db, &e);
	assert_int_equal(rc, TR_ERR_DB);
	assert_int_equal(db_rollback_to(f->db, &e), TR_OK);
	assert_int_equal(db_release(f->db, &e), TR_OK);
	assert_int_equal(db_savepoint(f->db, &e), TR_OK);
	for (int k = 2; k < 1200; k++)  /* past the pipeline's limit */
		assert_int_equal(insert_kn_later(st, k, k), TR_OK);
	assert_int_equal(db_release(f->db, &e), TR_OK);
	assert_int_equal(db_sync(f->db, &e), TR_OK);
	assert_int_equal(db_commit(f->db, &e), TR_OK);
	db_finalize(st);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1198);
	assert_int_equal(query_int(f->db, "SELECT min(k) FROM t"), 2);
}

/* PostgreSQL's tr_ functions are the schema's, SQLite's registered on
 * each connection: both there once the schema is. */
static void tr_functions(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *st;

	create_schema(f);
	make_table(f);
	assert_true(query_int(f->db, "SELECT tr_add(9223372036854775806, 5)") == INT64_MAX);
	assert_int_equal(query_int(f->db, "SELECT tr_add(NULL, 3)"), 3);
	assert_int_equal(query_int(f->db, "SELECT tr_add(-2, 3)"), 3);
	assert_int_equal(query_int(f->db, "SELECT tr_add(4, -3)"), 4);
	st = prep(f->db, "SELECT tr_add(?1, ?2)", 0);
	db_bind_int64(st, 1, INT64_MAX);
	db_bind_int64(st, 2, INT64_MAX);
	assert_int_equal(step(st), 1);
	assert_true(db_column_int64(st, 0) == INT64_MAX);
	db_finalize(st);
	/* tr_sum: 0 on no rows, NULL ignored, saturating (what it does with
	 * negatives differs: no column it sums can hold one) */
	assert_int_equal(query_int(f->db, "SELECT tr_sum(n) FROM t"), 0);
	assert_int_equal(insert_kn(f->db, 1, 5), TR_OK);
	assert_int_equal(insert_kn(f->db, 2, 0), TR_OK);
	exec_ok(f->db, "INSERT INTO t (k, n) VALUES (3, NULL)");
	assert_int_equal(query_int(f->db, "SELECT tr_sum(n) FROM t"), 5);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM (SELECT tr_sum(n) AS s FROM t WHERE k > 1) x WHERE s = 0"),
	                 1);
	assert_int_equal(insert_kn(f->db, 4, INT64_MAX - 2), TR_OK);
	assert_true(query_int(f->db, "SELECT tr_sum(n) FROM t") == INT64_MAX);
	/* tr_day: the UTC day */
	st = prep(f->db, "SELECT tr_day(?1), tr_day(?2), tr_day(NULL)", 0);
	db_bind_int64(st, 1, 0);
	db_bind_int64(st, 2, 1700000000);
	assert_int_equal(step(st), 1);
	assert_string_equal(db_column_text(st, 0, NULL), "1970-01-01");
	assert_string_equal(db_column_text(st, 1, NULL), "2023-11-14");
	assert_true(db_column_is_null(st, 2));
	db_finalize(st);
}

static void schema_and_version(void **state)
{
	struct fixture *f = fix(state);
	const struct db_backend *be = f->db->be;
	struct tr_error e;
	int64_t tables = -1;
	int version = -1;

	assert_int_equal(be->get_version(f->db, &version, &tables, &e), TR_OK);
	assert_int_equal(version, 0);
	assert_int_equal(tables, 0);
	/* both schemas are the same version (port schema/schema.sql's newest
	 * migration to schema/pg/schema.sql when this fails) */
	assert_int_equal(be->schema_version(), store_schema_version());
	create_schema(f);
	assert_int_equal(be->get_version(f->db, &version, &tables, &e), TR_OK);
	assert_int_equal(version, store_schema_version());
	assert_int_equal(be->set_version(f->db, version + 1, &e), TR_OK);
	assert_int_equal(be->get_version(f->db, &version, &tables, &e), TR_OK);
	assert_int_equal(version, store_schema_version() + 1);
	/* inside a transaction too (the migrations' lock) */
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(be->get_version(f->db, &version, &tables, &e), TR_OK);
	assert_int_equal(version, store_schema_version() + 1);
	db_rollback(f->db);
	for (const struct store_migration *m = be->migrations; m->sql != NULL; m++)
		assert_true(m->version <= be->schema_version());
}

/* Two hosts opening an empty database at once: the second one's
 * get_version in its migration transaction waits for the first one's
 * (here past the busy timeout), then sees the schema made. */
static void migrations_take_turns(void **state)
{
	struct fixture *f = fix(state);
	const struct db_backend *be = f->db->be;
	struct db *other = open_second(f, DB_OPEN_EXISTING);
	struct tr_error e;
	int64_t tables;
	int version;

	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(be->get_version(f->db, &version, &tables, &e), TR_OK);
	assert_int_equal(version, 0);
	assert_int_equal(db_begin(other, &e), TR_OK);
	assert_int_equal(be->get_version(other, &version, &tables, &e), TR_ERR_BUSY);
	db_rollback(other);
	exec_ok(f->db, be->schema_sql);
	assert_int_equal(be->set_version(f->db, be->schema_version(), &e), TR_OK);
	assert_int_equal(db_commit(f->db, &e), TR_OK);
	assert_int_equal(db_begin(other, &e), TR_OK);
	assert_int_equal(be->get_version(other, &version, &tables, &e), TR_OK);
	assert_int_equal(version, be->schema_version());
	db_rollback(other);
	db_close(other);
}

/* The server ends this connection's backend, as an administrator or a
 * restart would: the call that finds out fails "busy", the next works. */
static void terminate(struct fixture *f)
{
	struct db *admin = open_second(f, DB_OPEN_EXISTING);
	struct db_stmt *st = prep(admin, "SELECT pg_terminate_backend(CAST(?1 AS INTEGER), 10000)", 0);

	db_bind_int64(st, 1, query_int(f->db, "SELECT pg_backend_pid()"));
	assert_int_equal(step(st), 1);
	assert_int_equal(db_column_int64(st, 0), 1);
	db_finalize(st);
	db_close(admin);
}

static void dropped_connection_reconnects(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *sel;
	struct tr_error e;

	make_table(f);
	sel = prep(f->db, "SELECT count(*) FROM t WHERE n >= ?1", 1);
	db_bind_int64(sel, 1, 0);
	assert_int_equal(step(sel), 1);
	db_reset(sel);
	/* outside a transaction */
	terminate(f);
	db_bind_int64(sel, 1, 0);
	step_rc(sel, TR_ERR_BUSY);
	db_reset(sel);
	db_bind_int64(sel, 1, 0);
	assert_int_equal(step(sel), 1);  /* reconnected, prepared again */
	assert_int_equal(db_column_int64(sel, 0), 0);
	db_reset(sel);
	/* inside one: it stays failed until rolled back, never half-done */
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	terminate(f);
	assert_int_equal(insert_kn(f->db, 2, 2), TR_ERR_BUSY);
	assert_int_equal(insert_kn(f->db, 3, 3), TR_ERR_BUSY);
	assert_int_equal(db_commit(f->db, &e), TR_ERR_BUSY);
	assert_true(db_in_transaction(f->db));
	db_rollback(f->db);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(insert_kn(f->db, 4, 4), TR_OK);
	db_bind_int64(sel, 1, 0);
	assert_int_equal(step(sel), 1);
	assert_int_equal(db_column_int64(sel, 0), 1);
	db_finalize(sel);
}

static void read_only_refuses_writes(void **state)
{
	struct fixture *f = fix(state);
	struct db *ro;
	struct tr_error e;

	make_table(f);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	assert_false(db_readonly(f->db));
	ro = open_second(f, DB_OPEN_READONLY);
	assert_true(db_readonly(ro));
	assert_int_equal(query_int(ro, "SELECT n FROM t WHERE k = 1"), 1);
	assert_int_equal(db_exec(ro, "INSERT INTO t (k, n) VALUES (2, 2)", "inserting", &e), TR_ERR_DB);
	assert_int_equal(insert_kn(ro, 3, 3), TR_ERR_DB);
	db_close(ro);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
}

/* PostgreSQL's COMMIT of a transaction an error aborted is a rollback:
 * it must not pass for a commit. */
static void commit_after_error_fails(void **state)
{
	struct fixture *f = fix(state);
	struct tr_error e;

	make_table(f);
	assert_int_equal(db_begin(f->db, &e), TR_OK);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
	assert_int_equal(insert_kn(f->db, 1, 1), TR_ERR_DB);
	assert_int_equal(db_commit(f->db, &e), TR_ERR_DB);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 0);
}

/* A statement cancelled by statement_timeout, and a write refused by a
 * server that has become read-only (a standby after failover, here a
 * session setting): both "retry later". */
static void timeout_and_standby_are_busy(void **state)
{
	struct fixture *f = fix(state);
	struct tr_error e;

	make_table(f);
	exec_ok(f->db, "SET statement_timeout = 1");
	assert_int_equal(db_exec(f->db, "SELECT pg_sleep(10)", "sleeping", &e), TR_ERR_BUSY);
	exec_ok(f->db, "SET statement_timeout = 0");
	exec_ok(f->db, "SET default_transaction_read_only = on");
	assert_int_equal(insert_kn(f->db, 1, 1), TR_ERR_BUSY);
	exec_ok(f->db, "SET default_transaction_read_only = off");
	assert_int_equal(insert_kn(f->db, 1, 1), TR_OK);
}

static void bad_uri_is_busy_without_password(void **state)
{
	struct fixture *f = fix(state);
	struct db *db = NULL;
	struct tr_error e;

	(void)f;
	/* a port nobody listens on: "retry later", and no password shown */
	assert_int_equal(db_open("postgresql://tlsrpt:s3cret@127.0.0.1:1/none?connect_timeout=5", DB_OPEN_EXISTING,
	                         BUSY_MS, &db, &e),
	                 TR_ERR_BUSY);
	assert_null(db);
	assert_null(strstr(e.msg, "s3cret"));
}

/* What messages may show of where: never a password, in either place a
 * URI may hold one. */
static void redact_hides_passwords(void **state)
{
	static const char *const cases[][2] = {
		{ "/var/lib/tlsrpt/tlsrpt.db", "/var/lib/tlsrpt/tlsrpt.db" },
		{ "postgresql://tlsrpt@db.example/tlsrpt", "postgresql://tlsrpt@db.example/tlsrpt" },
		{ "postgresql://tlsrpt:s3cret@db.example/tlsrpt?sslmode=require",
		  "postgresql://tlsrpt:***@db.example/tlsrpt?sslmode=require" },
		{ "postgres://db.example/tlsrpt?user=a&password=s3cret&sslmode=require",
		  "postgres://db.example/tlsrpt?user=a&password=***&sslmode=require" },
		{ "postgresql:///tlsrpt?password=s3cret", "postgresql:///tlsrpt?password=***" },
		{ "postgresql://u:p@h/d?password=", "postgresql://u:***@h/d?password=***" },
		{ "postgresql://w:a@db/t?host=/run&password=s3cret", "postgresql://w:***@db/t?host=/run&password=***" },
		{ "postgresql:///t?host=/tmp/a@b", "postgresql:///t?host=/tmp/a@b" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = db_redact(cases[i][0]);

		assert_non_null(got);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

/* Rows are read one at a time on PostgreSQL (single-row mode): another
 * statement run between two of them, one left half read and one failing
 * after its first rows must each behave as on SQLite. */
static void interleaved_statements(void **state)
{
	struct fixture *f = fix(state);
	struct db_stmt *outer, *inner;
	int64_t sum = 0;
	int n = 0;

	make_table(f);
	exec_ok(f->db, "CREATE TABLE u (x BIGINT)");
	for (int64_t k = 1; k <= 300; k++)
		assert_int_equal(insert_kn(f->db, k, k * 2), TR_OK);
	outer = prep(f->db, "SELECT k, n FROM t ORDER BY k", 0);
	inner = prep(f->db, "SELECT n FROM t WHERE k = ?1", 1);
	while (step(outer)) {
		int64_t k = db_column_int64(outer, 0);

		assert_int_equal(k, ++n);
		db_bind_int64(inner, 1, 301 - k);
		assert_int_equal(step(inner), 1);
		sum += db_column_int64(inner, 0);
		db_reset(inner);
		if (k % 100 == 0)  /* a write between two rows */
			exec_ok(f->db, "INSERT INTO u VALUES (1)");
	}
	assert_int_equal(n, 300);
	assert_int_equal(sum, 300 * 301);
	db_finalize(outer);
	db_finalize(inner);

	/* left after its first row: the connection serves the next one */
	outer = prep(f->db, "SELECT k FROM t ORDER BY k", 0);
	assert_int_equal(step(outer), 1);
	db_finalize(outer);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM u"), 3);
	outer = prep(f->db, "SELECT k FROM t ORDER BY k", 0);
	assert_int_equal(step(outer), 1);
	db_reset(outer);
	assert_int_equal(step(outer), 1);
	assert_int_equal(db_column_int64(outer, 0), 1);
	db_finalize(outer);

	/* an error after rows came: the step that meets it says so */
	outer = prep(f->db, "SELECT abs(CASE WHEN k = 150 THEN k - 151 - 9223372036854775807 ELSE k END)"
	             " FROM t ORDER BY k", 0);
	n = 0;
	for (;;) {
		struct tr_error e;
		int row = 0;
		enum tr_err rc = db_step(outer, &row, "test", &e);

		if (rc != TR_OK) {
			assert_int_equal(rc, TR_ERR_DB);
			break;
		}
		assert_int_equal(row, 1);
		n++;
	}
	assert_true(n <= 149);
	db_finalize(outer);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 300);
}

/* ---- the list, once per backend ---- */

struct test_case {
	const char *name;
	CMUnitTestFunction fn;
	int pg_only;  /* what SQLite has no counterpart for */
};

static const struct test_case cases[] = {
	{ "bind, step and read columns", bind_step_and_columns, 0 },
	{ "NULLs", nulls, 0 },
	{ "int64 extremes", int64_extremes, 0 },
	{ "text: UTF-8 and empty", text_utf8_and_empty, 0 },
	{ "blob round trip with NUL bytes", blob_round_trip, 0 },
	{ ":name and ?N parameters", named_and_numbered_params, 0 },
	{ "persistent statements reused", persistent_statements_reused, 0 },
	{ "persistent statements bound with NULLs, then values", persistent_bindings_change_type, 0 },
	{ "unique violation is TR_ERR_DB", unique_violation_is_db_error, 0 },
	{ "ON CONFLICT DO NOTHING RETURNING", on_conflict_returning, 0 },
	{ "a lock held past the timeout is TR_ERR_BUSY", lock_wait_is_busy, 0 },
	{ "transactions", transactions, 0 },
	{ "savepoints", savepoints, 0 },
	{ "run later: errors before the release", run_later_errors_before_release, 0 },
	{ "statements interleaved, left half read, failing midway", interleaved_statements, 0 },
	{ "tr_add, tr_sum, tr_day", tr_functions, 0 },
	{ "schema and its version", schema_and_version, 0 },
	{ "migrations take turns", migrations_take_turns, 1 },
	{ "a dropped connection reconnects", dropped_connection_reconnects, 1 },
	{ "read-only open refuses writes", read_only_refuses_writes, 0 },
	{ "COMMIT after an error fails", commit_after_error_fails, 1 },
	{ "statement timeout and a read-only server are busy", timeout_and_standby_are_busy, 1 },
	{ "unreachable server: busy, no password", bad_uri_is_busy_without_password, 1 },
	{ "db_redact hides passwords", redact_hides_passwords, 0 },
};

#define N_BACKENDS (sizeof backends / sizeof backends[0])
#define N_CASES (sizeof cases / sizeof cases[0])

/* NULL when be can be tested here, else why not: no cluster, or a
 * backend this build stands in for (its open says "usage"). */
static const char *unusable(const struct backend *be)
{
	static char why[TR_ERROR_MSG_MAX + 32];
	const char *unavailable = testdb_unavailable(be->kind);
	struct db *db = NULL;
	struct tr_error e;
	char where[512];

	if (unavailable != NULL)
		return unavailable;
	if (testdb_fresh(be->kind, where, sizeof where) != 0)
		return NULL;  /* let the cases fail and say why */
	if (db_open(where, DB_OPEN_CREATE, BUSY_MS, &db, &e) == TR_ERR_USAGE) {
		snprintf(why, sizeof why, "%s", e.msg);
		return why;
	}
	db_close(db);
	return NULL;
}

int main(void)
{
	static struct CMUnitTest tests[N_BACKENDS * N_CASES];
	static char names[N_BACKENDS * N_CASES][96];
	size_t n = 0;

	for (size_t b = 0; b < N_BACKENDS; b++) {
		const char *kind = testdb_kind_name(backends[b].kind);
		const char *why = unusable(&backends[b]);

		if (why != NULL) {
			printf("# %s cases left out: %s\n", kind, why);
			continue;
		}
		for (size_t c = 0; c < N_CASES; c++) {
			if (cases[c].pg_only && backends[b].kind != DB_POSTGRES)
				continue;
			snprintf(names[n], sizeof names[n], "%s: %s", kind, cases[c].name);
			tests[n] = (struct CMUnitTest){ names[n], cases[c].fn, setup, teardown, (void *)&backends[b] };
			n++;
		}
	}
	return _cmocka_run_group_tests("db", tests, n, NULL, NULL);
}
