/*
 * Unit tests of the store: opening (create, existing, read-only, missing,
 * not a database, newer schema, corrupt), the migration runner, exactly-
 * once storage, atomicity, batches, and many writers at once (processes
 * and threads).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <cJSON.h>
#include <zlib.h>

#include "backend/sqlite.h"
#include "db.h"
#include "report_builder.h"
#include "store.h"
#include "testdb.h"
#include "summary.h"

static const struct store_meta meta_milter = { "milter", "<m1@example.net>", "pass", 1, 1700000000, NULL, NULL, NULL };

/* The backend the running case is on (its cmocka state, set by setup). */
static enum db_kind backend;

/* ---- helpers ---- */


/* The first column of sql's first row (-1 for none), through db.h: the
 * store's content, whatever the backend. */
static int64_t count_sql(struct db *db, const char *sql)
{
	struct db_stmt *st = NULL;
	struct tr_error e;
	int64_t v = -1;
	int row = 0;

	assert_int_equal(db_prepare(db, sql, 0, &st, &e), TR_OK);
	assert_int_equal(db_step(st, &row, "test", &e), TR_OK);
	if (row)
		v = db_column_int64(st, 0);
	db_finalize(st);
	return v;
}

/* Run parameterless sql through db.h; TR_OK or its error. */
static enum tr_err exec_sql(struct db *db, const char *sql)
{
	return db_exec(db, sql, "test", NULL);
}

/* SQLite-only: count_sql() over a connection of SQLite's own, for the
 * tests about the file (fixtures, attached databases, sqlite_master). */
static int64_t count_raw(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void exec_raw(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static struct store *open_ok(const char *path, enum store_open_mode mode)
{
	struct store *s = NULL;
	struct tr_error e;

	tr_error_clear(&e);
	if (store_open(path, mode, 0, &s, &e) != TR_OK)
		fail_msg("store_open(%s): %s", path, e.msg);
	return s;
}

/* One policy with one failure detail: 10 successful, 2 failed. */
static struct tlsrpt_report *simple_report(const char *submitter, const char *id, int64_t start)
{
	struct tlsrpt_report *r = rb_report(submitter, id, start, start + 86399, "Example Org");
	struct tlsrpt_policy *p = rb_policy(r, "sts", "example.com", 10, 2);

	rb_policy_string(p, "version: STSv1");
	rb_mx_host(p, "mx.example.com");
	rb_failure(p, "certificate-expired", "192.0.2.1", "mx.example.com", 2);
	return r;
}

static enum tr_err put(struct store *s, struct tlsrpt_report *r, const struct store_meta *m,
                       enum store_outcome *out, struct tr_error *e)
{
	tr_error_clear(e);
	return store_put_report(s, r, m, out, e);
}

static void put_expect(struct store *s, struct tlsrpt_report *r, enum store_outcome want)
{
	enum store_outcome out = STORE_STORED;
	struct tr_error e;

	if (put(s, r, &meta_milter, &out, &e) != TR_OK)
		fail_msg("store_put_report: %s", e.msg);
	assert_int_equal(out, want);
}

/* ---- batches: outcomes as the batch's callback tells them ---- */

#define TOLD_MAX 2048

/* What a batch told, in its order: tag i is the i-th report put. */
struct told {
	int n, put;
	intptr_t tag[TOLD_MAX];
	enum tr_err rc[TOLD_MAX];
	enum store_outcome out[TOLD_MAX];
	char msg[TOLD_MAX][TR_ERROR_MSG_MAX];
};

static void tell(void *ctx, void *tag, enum tr_err rc, enum store_outcome out, const struct tr_error *err)
{
	struct told *t = ctx;

	assert_true(t->n < TOLD_MAX);
	t->tag[t->n] = (intptr_t)tag;
	t->rc[t->n] = rc;
	t->out[t->n] = out;
	snprintf(t->msg[t->n], sizeof t->msg[t->n], "%s", rc != TR_OK ? err->msg : "");
	t->n++;
}

static void batch_begin(struct store *s, struct told *t)
{
	struct tr_error e;

	memset(t, 0, sizeof *t);
	tr_error_clear(&e);
	if (store_batch_begin(s, tell, t, &e) != TR_OK)
		fail_msg("store_batch_begin: %s", e.msg);
}

/* Put r in the batch as the next report (its tag: its number). */
static void bput(struct store *s, struct told *t, struct tlsrpt_report *r, const struct store_meta *m)
{
	struct tr_error e;

	tr_error_clear(&e);
	if (store_batch_put(s, r, m, (void *)(intptr_t)t->put, &e) != TR_OK)
		fail_msg("store_batch_put: %s", e.msg);
	t->put++;
}

/* Every report put was told once, in order; report i's outcome. */
static void assert_told_in_order(const struct told *t)
{
	assert_int_equal(t->n, t->put);
	for (int i = 0; i < t->n; i++)
		assert_int_equal(t->tag[i], i);
}

static void assert_told(const struct told *t, int i, enum tr_err rc, enum store_outcome out)
{
	assert_true(i < t->n);
	assert_int_equal(t->rc[i], rc);
	if (rc == TR_OK)
		assert_int_equal(t->out[i], out);
}

/* ---- opening ---- */

static void missing_database_is_notfound(void **state)
{
	char *path = rb_temp_db(backend, "none.db");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, 0, &s, &e), TR_ERR_NOTFOUND);
	assert_null(s);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(store_open(path, STORE_OPEN_READONLY, 0, &s, &e), TR_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(access(path, F_OK), -1); /* nothing was created */
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void create_sets_schema_and_pragmas(void **state)
{
	char *path = rb_temp_db(backend, "new.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct db *db = store_db(s);

	(void)state;
	assert_int_equal(store_schema_version(), 13);
	assert_int_equal(count_sql(db, "PRAGMA user_version"), store_schema_version());
	assert_int_equal(count_sql(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(count_sql(db, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(count_sql(db, "PRAGMA temp_store"), 2); /* MEMORY: a writer's savepoints */
	assert_int_equal(count_sql(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
	                               " ('reports', 'policies', 'failure_details')"), 3);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
	                               " ('rollup_report', 'rollup_policy', 'rollup_result_sub', 'rollup_result',"
	                               " 'rollup_mx', 'rollup_mx_result', 'rollup_policy_type',"
	                               " 'rollup_policy_type_result', 'fold_policy', 'fold_result', 'fold_mx',"
	                               " 'fold_mx_result')"),
	                 12);
	s = store_close(s);
	assert_null(s);
	/* reopening changes nothing and works in every mode */
	s = open_ok(path, STORE_OPEN_EXISTING);
	assert_int_equal(count_sql(store_db(s), "PRAGMA user_version"), store_schema_version());
	s = store_close(s);
	s = open_ok(path, STORE_OPEN_READONLY);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), 0);
	/* the default: a query's sort spills to a file, not all into memory */
	assert_int_equal(count_sql(store_db(s), "PRAGMA temp_store"), 0);
	store_close(s);
	store_close(NULL);
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void empty_file_is_version_zero(void **state)
{
	char *path = rb_temp_db(backend, "empty.db");
	struct store *s;

	(void)state;
	write_file(path, "", 0);
	s = open_ok(path, STORE_OPEN_EXISTING);
	assert_int_equal(count_sql(store_db(s), "PRAGMA user_version"), store_schema_version());
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), 0);
	store_close(s);
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void empty_file_read_only_is_as_good_as_missing(void **state)
{
	char *path = rb_temp_db(backend, "empty.db");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	write_file(path, "", 0);
	/* also what a query sees while the milter creates the database */
	assert_int_equal(store_open(path, STORE_OPEN_READONLY, 0, &s, &e), TR_ERR_NOTFOUND);
	assert_null(s);
	assert_non_null(strstr(e.msg, "empty: nothing stored yet"));
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void not_a_database_is_db_error(void **state)
{
	static const char text[] = "From: someone@example.net\nSubject: not a database at all\n\n"
	                           "This file is plain text, long enough to hold an SQLite header.\n";
	static const enum store_open_mode modes[] = { STORE_OPEN_EXISTING, STORE_OPEN_CREATE, STORE_OPEN_READONLY };
	char *path = rb_temp_db(backend, "text.db");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	write_file(path, text, sizeof text - 1);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		tr_error_clear(&e);
		assert_int_equal(store_open(path, modes[i], 0, &s, &e), TR_ERR_DB);
		assert_null(s);
		assert_non_null(strstr(e.msg, path));
		assert_non_null(strstr(e.msg, "not a database"));
	}
	rb_remove_temp(path);
}

/* One message naming the file once, not SQLite's "disk I/O error". */
/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void directory_is_refused_by_name(void **state)
{
	static const enum store_open_mode modes[] = { STORE_OPEN_EXISTING, STORE_OPEN_CREATE, STORE_OPEN_READONLY };
	char *path = rb_temp_db(backend, "adir");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	assert_int_equal(mkdir(path, 0700), 0);
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		tr_error_clear(&e);
		assert_int_equal(store_open(path, modes[i], 0, &s, &e), TR_ERR_DB);
		assert_null(s);
		assert_non_null(strstr(e.msg, "is a directory"));
		assert_null(strstr(strstr(e.msg, path) + strlen(path), path));
	}
	rmdir(path);
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void newer_schema_is_refused(void **state)
{
	char *path = rb_temp_db(backend, "newer.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tr_error e;

	(void)state;
	store_close(s);
	s = NULL;
	exec_raw(path, "PRAGMA user_version = 99");
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, 0, &s, &e), TR_ERR_DB);
	assert_null(s);
	assert_non_null(strstr(e.msg, "version 99 is newer"));
	assert_int_equal(store_open(path, STORE_OPEN_READONLY, 0, &s, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "newer"));
	/* refusing must not have touched it */
	exec_raw(path, "SELECT 1");
	{
		sqlite3 *db = NULL;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(count_raw(db, "PRAGMA user_version"), 99);
		sqlite3_close(db);
	}
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void foreign_database_is_refused(void **state)
{
	char *path = rb_temp_db(backend, "foreign.db");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	exec_raw(path, "CREATE TABLE something_else (x)");
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, 0, &s, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "not a tlsrpt database"));
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void corrupt_file_is_db_error(void **state)
{
	char *path = rb_temp_db(backend, "corrupt.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	unsigned char junk[4096];
	struct tr_error e;
	enum tr_err rc;
	int fd;

	(void)state;
	for (int i = 0; i < 20; i++) {
		char id[32];
		struct tlsrpt_report *r;

		snprintf(id, sizeof id, "c-%d", i);
		r = simple_report("corrupt.example", id, 1700000000);
		put_expect(s, r, STORE_STORED);
		rb_free(r);
	}
	/* move everything out of the WAL into the file, then trample it */
	assert_int_equal(exec_sql(store_db(s), "PRAGMA wal_checkpoint(TRUNCATE)"), TR_OK);
	store_close(s);
	s = NULL;
	memset(junk, 0xA5, sizeof junk);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	for (off_t off = 4096; off < 4 * 4096; off += 4096)
		assert_int_equal(pwrite(fd, junk, sizeof junk, off), (ssize_t)sizeof junk);
	close(fd);
	/* opening reads only the header; the damage shows on first use */
	rc = store_open(path, STORE_OPEN_EXISTING, 0, &s, &e);
	if (rc == TR_OK) {
		struct tlsrpt_report *r = simple_report("corrupt.example", "c-new", 1700000000);
		enum store_outcome out;

		rc = put(s, r, &meta_milter, &out, &e);
		rb_free(r);
		store_close(s);
	}
	assert_int_equal(rc, TR_ERR_DB);
	assert_true(strstr(e.msg, "malformed") != NULL || strstr(e.msg, "not a database") != NULL);
	/* a trampled header is refused at open */
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, 100, 0), 100);
	close(fd);
	s = NULL;
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, 0, &s, &e), TR_ERR_DB);
	assert_null(s);
	assert_non_null(strstr(e.msg, "not a database"));
	rb_remove_temp(path);
}

/* Open a chmod 0444 database for writing: 0 when refused as it should be. */
static int file_mode_is_refused(const char *path)
{
	struct store *s = NULL;
	struct tr_error e;

	tr_error_clear(&e);
	if (store_open(path, STORE_OPEN_EXISTING, 0, &s, &e) != TR_ERR_DB || s != NULL) {
		store_close(s);
		return 1;
	}
	fprintf(stderr, "# as uid %d: %s\n", (int)geteuid(), e.msg);
	return strstr(e.msg, "read-only") != NULL && strstr(e.msg, path) != NULL ? 0 : 2;
}

/* Root ignores file modes, so as root the file-mode half runs in a child
 * that first becomes nobody (uid 65534); the STORE_OPEN_READONLY half
 * holds for everyone. */
/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void read_only_database_is_db_error(void **state)
{
	char *path = rb_temp_db(backend, "ro.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = simple_report("ro.example", "ro-1", 1700000000);
	enum store_outcome out;
	struct tr_error e;

	(void)state;
	store_close(s);
	s = open_ok(path, STORE_OPEN_READONLY);
	assert_int_equal(put(s, r, &meta_milter, &out, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "read-only"));
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(store_batch_begin(s, tell, NULL, &e), TR_ERR_DB);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), 0);
	s = store_close(s);
	rb_free(r); /* before forking: the child leaves by _exit() */
	assert_int_equal(chmod(path, 0444), 0);
	if (geteuid() != 0) {
		assert_int_equal(file_mode_is_refused(path), 0);
	} else {
		char *dir = rb_strdup(path);
		int status = 0;
		pid_t pid;

		*strrchr(dir, '/') = '\0';
		assert_int_equal(chmod(dir, 0755), 0);
		free(dir);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			_exit(file_mode_is_refused(path));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	chmod(path, 0644);
	rb_remove_temp(path);
}

static void read_only_store_sees_concurrent_writes(void **state)
{
	char *path = rb_temp_db(backend, "rw.db");
	struct store *w = open_ok(path, STORE_OPEN_CREATE);
	struct store *ro = open_ok(path, STORE_OPEN_READONLY);
	struct tlsrpt_report *r = simple_report("rw.example", "rw-1", 1700000000);

	(void)state;
	assert_int_equal(count_sql(store_db(ro), "SELECT count(*) FROM reports"), 0);
	put_expect(w, r, STORE_STORED);
	assert_int_equal(count_sql(store_db(ro), "SELECT count(*) FROM reports"), 1);
	rb_free(r);
	store_close(ro);
	store_close(w);
	rb_remove_temp(path);
}

/* ---- the migration runner, with a schema and migrations of its own ---- */

static const char fake_v1[] = "CREATE TABLE t (a INTEGER);\nPRAGMA user_version = 1;\n";
static const char fake_v3[] = "CREATE TABLE t (a INTEGER, b TEXT, c TEXT);\nPRAGMA user_version = 3;\n";
static const struct store_migration fake_list[] = {
	{ 2, "ALTER TABLE t ADD COLUMN b TEXT;" },
	{ 3, "ALTER TABLE t ADD COLUMN c TEXT;" },
	{ 0, NULL }
};
static const struct store_migration broken_list[] = {
	{ 2, "ALTER TABLE t ADD COLUMN b TEXT;" },
	{ 3, "ALTER TABLE no_such_table ADD COLUMN c TEXT;" },
	{ 0, NULL }
};
static const struct store_migration gap_list[] = {
	{ 2, "ALTER TABLE t ADD COLUMN b TEXT;" },
	{ 4, "ALTER TABLE t ADD COLUMN c TEXT;" },
	{ 0, NULL }
};
static const struct store_migration late_list[] = {
	{ 3, "ALTER TABLE t ADD COLUMN c TEXT;" },
	{ 0, NULL }
};

static int64_t column_count(struct db *db)
{
	return count_sql(db, "SELECT count(*) FROM pragma_table_info('t')");
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void migration_runner_upgrades_in_order(void **state)
{
	char *path = rb_temp_db(backend, "mig.db");
	struct db *db = NULL;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_sql_version(fake_v3), 3);
	assert_int_equal(store_sql_version("CREATE TABLE x (y);"), -1);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 0, &db, &e), TR_OK);
	/* version 0: the whole schema */
	assert_int_equal(store_migrate(db, fake_v1, NULL, &e), TR_OK);
	assert_int_equal(count_sql(db, "PRAGMA user_version"), 1);
	assert_int_equal(exec_sql(db, "INSERT INTO t (a) VALUES (7)"), TR_OK);
	/* a failing step leaves version 1 exactly as it was */
	assert_int_equal(store_migrate(db, fake_v3, broken_list, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "migration 3"));
	assert_int_equal(count_sql(db, "PRAGMA user_version"), 1);
	assert_int_equal(column_count(db), 1);
	/* no path from 1 when the list starts at 3; a gap is refused */
	assert_int_equal(store_migrate(db, fake_v3, late_list, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "no migration from schema version 1"));
	assert_int_equal(store_migrate(db, fake_v3, gap_list, &e), TR_ERR_DB);
	/* version 1 to 3 in one go, keeping the data */
	assert_int_equal(store_migrate(db, fake_v3, fake_list, &e), TR_OK);
	assert_int_equal(count_sql(db, "PRAGMA user_version"), 3);
	assert_int_equal(column_count(db), 3);
	assert_int_equal(count_sql(db, "SELECT a FROM t"), 7);
	/* current: nothing to do; older build: refused */
	assert_int_equal(store_migrate(db, fake_v3, fake_list, &e), TR_OK);
	assert_int_equal(store_migrate(db, fake_v1, NULL, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "newer"));
	db_close(db);
	rb_remove_temp(path);
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void migration_from_version_two(void **state)
{
	char *path = rb_temp_db(backend, "mig2.db");
	struct db *db = NULL;
	struct tr_error e;

	(void)state;
	exec_raw(path, "CREATE TABLE t (a INTEGER, b TEXT); PRAGMA user_version = 2;");
	assert_int_equal(db_open(path, DB_OPEN_CREATE, 0, &db, &e), TR_OK);
	assert_int_equal(store_migrate(db, fake_v3, fake_list, &e), TR_OK);
	assert_int_equal(column_count(db), 3);
	assert_int_equal(count_sql(db, "PRAGMA user_version"), 3);
	db_close(db);
	rb_remove_temp(path);
}

static void compiled_migrations_match_schema(void **state)
{
	size_t n = 0;

	(void)state;
	while (store_migrations[n].sql != NULL)
		n++;
	if (n > 0)
		assert_int_equal(store_migrations[n - 1].version, store_schema_version());
	for (size_t i = 1; i < n; i++)
		assert_int_equal(store_migrations[i].version, store_migrations[i - 1].version + 1);
}

/* tests/fixtures/store/schema-v1.sql, NUL-terminated; the caller frees it. */
static char *read_schema_v1(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	char *text;
	long size;
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/fixtures/store/schema-v1.sql", top != NULL ? top : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0 && size < 1000000);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	return text;
}

/* EXPLAIN sql: how many times it opens a temporary b-tree */
static int64_t ephemeral_tables(sqlite3 *db, const char *sql)
{
	char explain[1024];
	sqlite3_stmt *st = NULL;
	int64_t n = 0;

	snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *op = sqlite3_column_text(st, 1);

		n += op != NULL && strcmp((const char *)op, "OpenEphemeral") == 0;
	}
	sqlite3_finalize(st);
	return n;
}

static int insert_source_auth(sqlite3 *db, const char *source, const char *auth)
{
	char sql[512];

	snprintf(sql, sizeof sql, "INSERT INTO reports (submitter, report_id, start_time, end_time, received_at,"
	         " source, auth) VALUES ('example.net', '%s-%s', 1, 2, 3, '%s', '%s')", source, auth, source, auth);
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* sql without -- comments, its blanks folded to one space, appended to b */
static void append_bare_sql(char *b, size_t cap, const char *sql)
{
	size_t n = strlen(b);
	int blank = 0;

	for (const char *p = sql; *p != '\0' && n + 2 < cap; p++) {
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			if (*p == '\0')
				break;
		}
		if (strchr(" \t\r\n", *p) != NULL) {
			blank = 1;
			continue;
		}
		if (blank)
			b[n++] = ' ';
		blank = 0;
		b[n++] = *p;
	}
	b[n] = '\0';
}

/* every schema object of db as "type name sql;" in name order, comments left out */
static char *bare_schema(sqlite3 *db, const char *schema)
{
	size_t cap = 65536;
	char *b = calloc(1, cap);
	char sql[128];
	sqlite3_stmt *st = NULL;

	assert_non_null(b);
	snprintf(sql, sizeof sql, "SELECT type, name, COALESCE(sql, '') FROM %s.sqlite_master ORDER BY name", schema);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++) {
			append_bare_sql(b, cap, (const char *)sqlite3_column_text(st, i));
			append_bare_sql(b, cap, i < 2 ? " " : ";\n");
		}
	}
	sqlite3_finalize(st);
	assert_true(strlen(b) + 16 < cap);
	return b;
}

/*
 * A version-1 database, as an older build left it, ends with the schema
 * a new one is born with (migration 004 edits the reports table's text in
 * place; comments aside, which are not the schema), its CHECKs refuse what
 * they refused, and an insert into reports builds no temporary b-tree
 * (what 003 is for).
 */
/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void migrated_schema_is_the_new_schema(void **state)
{
	char *old_path = rb_temp_db(backend, "v1-schema.db"), *new_path = rb_temp_db(backend, "v3-schema.db");
	char *v1 = read_schema_v1();
	char attach[4200];
	char *migrated, *fresh;
	sqlite3 *db = NULL;

	(void)state;
	exec_raw(old_path, v1);
	free(v1);
	exec_raw(old_path, "INSERT INTO reports (submitter, report_id, start_time, end_time, received_at, source)"
	                   " VALUES ('example.com', 'r1', 1, 2, 3, 'milter')");
	store_close(open_ok(old_path, STORE_OPEN_EXISTING));
	store_close(open_ok(new_path, STORE_OPEN_CREATE));

	assert_int_equal(sqlite3_open(old_path, &db), SQLITE_OK);
	assert_int_equal(count_raw(db, "PRAGMA user_version"), store_schema_version());
	snprintf(attach, sizeof attach, "ATTACH '%s' AS fresh", new_path);
	assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
	migrated = bare_schema(db, "main");
	fresh = bare_schema(db, "fresh");
	assert_non_null(strstr(fresh, "CREATE TABLE reports"));
	assert_string_equal(migrated, fresh);
	free(migrated);
	free(fresh);
	assert_int_equal(count_raw(db, "SELECT count(*) FROM sqlite_master WHERE sql LIKE '%IN (''%'"), 0);
	assert_int_equal(count_raw(db, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(ephemeral_tables(db, "INSERT INTO reports (submitter, report_id, start_time, end_time,"
	                                      " received_at, source, auth) VALUES ('a', 'b', 1, 2, 3, 'import', 'none')"), 0);
	assert_int_equal(insert_source_auth(db, "smtp", "pass"), SQLITE_CONSTRAINT);
	assert_int_equal(insert_source_auth(db, "import", "maybe"), SQLITE_CONSTRAINT);
	assert_int_equal(insert_source_auth(db, "https", "unknown"), SQLITE_OK);
	assert_int_equal(insert_source_auth(db, "import", "fail"), SQLITE_OK);
	sqlite3_close(db);
	rb_remove_temp(old_path);
	rb_remove_temp(new_path);
}

/*
 * Migration 006: a database whose submitters and policy domains came in
 * mixed case (stored before version 6) ends as if every report had been
 * stored lowercased: twins of one report (same submitter but for case,
 * report-id and range) kept once, every rollup row equal to the rows a
 * fresh database builds one report at a time, and the summaries the
 * same.  Filters match whatever case they are given in.
 */
struct v6_case {
	const char *submitter;
	const char *id;
	int64_t start;
	const char *domains[2];
	int kept;          /* stored once lowercased */
};

static const struct v6_case v6_cases[] = {
	{ "Mail.Example", "x-1", 1700000000, { "EXAMPLE.COM", NULL }, 1 },
	{ "mail.example", "x-1", 1700000000, { "example.com", NULL }, 0 },     /* its twin */
	{ "mail.example", "x-2", 1700000000, { "example.com", "Example.Com" }, 1 },
	{ "MAIL.EXAMPLE", "x-3", 1700086400, { "b.Example", NULL }, 1 },
	{ "Dup.Example", "d-1", 1700000000, { "c.example", NULL }, 1 },
	{ "DUP.example", "d-1", 1700000000, { "C.EXAMPLE", NULL }, 0 },        /* a later twin */
	{ "plain.example", "p-1", 1700172800, { "plain.example", NULL }, 1 },  /* untouched */
};

static char *v6_lower(const char *s)
{
	char *c = rb_strdup(s);

	for (char *p = c; p != NULL && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return c;
}

/* Store the cases as they are (old) or lowercased without twins (fresh). */
static void v6_store(struct store *s, int fresh)
{
	for (size_t i = 0; i < sizeof v6_cases / sizeof v6_cases[0]; i++) {
		const struct v6_case *c = &v6_cases[i];
		char *sub = fresh ? v6_lower(c->submitter) : rb_strdup(c->submitter);
		struct tlsrpt_report *r;

		if (fresh && !c->kept) {
			free(sub);
			continue;
		}
		r = rb_report(sub, c->id, c->start, c->start + 86399, "Org");
		for (int j = 0; j < 2 && c->domains[j] != NULL; j++) {
			char *d = fresh ? v6_lower(c->domains[j]) : rb_strdup(c->domains[j]);
			struct tlsrpt_policy *p = rb_policy(r, "sts", d, 10 + (uint64_t)j, 3);

			rb_failure(p, "certificate-expired", "192.0.2.1", "mx.example.com", 2);
			rb_failure(p, "starttls-not-supported", "192.0.2.2", "mx2.example.com", 1);
			free(d);
		}
		put_expect(s, r, STORE_STORED);
		rb_free(r);
		free(sub);
	}
}

/* Rows of table in one database and not in the other, both ways. */
static int64_t v6_diff(sqlite3 *db, const char *table)
{
	char sql[512];

	snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM fresh.%s))"
	         " + (SELECT count(*) FROM (SELECT * FROM fresh.%s EXCEPT SELECT * FROM main.%s))",
	         table, table, table, table);
	return count_raw(db, sql);
}

/* The summary by key under a filter, as "key reports ok failed;" lines. */
static char *v6_summary(struct store *s, enum summary_key key, const char *domain, const char *submitter)
{
	struct summary_filter f;
	struct summary *sm = NULL;
	struct tr_error e;
	char *out = calloc(1, 4096);
	size_t used = 0;

	assert_non_null(out);
	summary_filter_all(&f);
	f.policy_domain = domain;
	f.submitter = submitter;
	tr_error_clear(&e);
	if (summary_query(s, key, &f, &sm, &e) != TR_OK)
		fail_msg("summary_query: %s", e.msg);
	used += (size_t)snprintf(out, 4096, "total %llu %llu %llu;", (unsigned long long)sm->reports,
	                         (unsigned long long)sm->successful, (unsigned long long)sm->failed);
	for (size_t i = 0; i < sm->n_rows && used < 4000; i++)
		used += (size_t)snprintf(out + used, 4096 - used, "%s %llu %llu %llu;", sm->rows[i].key,
		                         (unsigned long long)sm->rows[i].reports,
		                         (unsigned long long)sm->rows[i].successful,
		                         (unsigned long long)sm->rows[i].failed);
	summary_free(sm);
	return out;
}

/* SQLite-only: about the file, its PRAGMAs or SQLite fixtures. */
static void migration_6_lowercases_domains_and_merges_twins(void **state)
{
	static const char *const rollups[] = { "rollup_report", "rollup_policy", "rollup_result_sub",
	                                       "rollup_result", "rollup_mx", "rollup_mx_result",
	                                       "rollup_policy_type", "rollup_policy_type_result" };
	static const enum summary_key keys[] = { SUMMARY_BY_SUBMITTER, SUMMARY_BY_POLICY_DOMAIN,
	                                         SUMMARY_BY_RESULT_TYPE, SUMMARY_BY_RECEIVING_MX };
	char *old_path = rb_temp_db(backend, "v5-mixed.db"), *new_path = rb_temp_db(backend, "v6-fresh.db");
	struct store *s = open_ok(old_path, STORE_OPEN_CREATE), *fresh;
	char attach[4200], *before, *after, *want;
	sqlite3 *db = NULL;
	int64_t first_twin;

	(void)state;
	v6_store(s, 0);
	before = v6_summary(s, SUMMARY_BY_POLICY_DOMAIN, NULL, NULL);
	assert_non_null(strstr(before, "EXAMPLE.COM "));  /* a row of its own, before */
	first_twin = count_sql(store_db(s), "SELECT id FROM reports WHERE submitter = 'Dup.Example'");
	store_close(s);
	/* back to version 5: undo what the migrations after 6 add */
	exec_raw(old_path, "DROP INDEX reports_presence; DROP INDEX policies_by_report;"
	                   "CREATE INDEX policies_by_report ON policies (report);"
	                   "ALTER TABLE reports DROP COLUMN dkim_domain;"
	                   " ALTER TABLE reports DROP COLUMN dkim_selector;"
	                   " ALTER TABLE policies DROP COLUMN superseded; ALTER TABLE reports DROP COLUMN client_addr;"
	                   " DROP TABLE rollup_policy_type; DROP TABLE rollup_policy_type_result;"
	                   " DROP TABLE fold_policy; DROP TABLE fold_result; DROP TABLE fold_mx; DROP TABLE fold_mx_result;"
	                   " PRAGMA user_version = 5");
	fresh = open_ok(new_path, STORE_OPEN_CREATE);
	v6_store(fresh, 1);
	s = open_ok(old_path, STORE_OPEN_EXISTING);  /* migrates */

	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		after = v6_summary(s, keys[k], NULL, NULL);
		want = v6_summary(fresh, keys[k], NULL, NULL);
		assert_string_equal(after, want);
		free(after);
		free(want);
	}
	after = v6_summary(s, SUMMARY_BY_POLICY_DOMAIN, NULL, NULL);
	assert_null(strstr(after, "EXAMPLE.COM"));
	/* x-2 names example.com twice: one report, not two */
	assert_non_null(strstr(after, ";example.com 2 "));
	free(after);
	/* the filters take any case */
	after = v6_summary(s, SUMMARY_BY_SUBMITTER, "EXAMPLE.COM", "MAIL.example");
	want = v6_summary(fresh, SUMMARY_BY_SUBMITTER, "example.com", "mail.example");
	assert_string_equal(after, want);
	assert_non_null(strstr(after, "mail.example 2 "));
	free(after);
	free(want);
	store_close(s);
	store_close(fresh);

	assert_int_equal(sqlite3_open(old_path, &db), SQLITE_OK);
	snprintf(attach, sizeof attach, "ATTACH '%s' AS fresh", new_path);
	assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(count_raw(db, "PRAGMA main.user_version"), store_schema_version());
	for (size_t i = 0; i < sizeof rollups / sizeof rollups[0]; i++)
		assert_int_equal(v6_diff(db, rollups[i]), 0);
	assert_int_equal(count_raw(db, "SELECT count(*) FROM main.reports"),
	                 count_raw(db, "SELECT count(*) FROM fresh.reports"));
	assert_int_equal(count_raw(db, "SELECT count(*) FROM (SELECT submitter, report_id, start_time FROM main.reports"
	                               " EXCEPT SELECT submitter, report_id, start_time FROM fresh.reports)"), 0);
	assert_int_equal(count_raw(db, "SELECT count(*) FROM (SELECT policy_domain, total_successful FROM main.policies"
	                               " EXCEPT SELECT policy_domain, total_successful FROM fresh.policies)"), 0);
	assert_int_equal(count_raw(db, "SELECT count(*) FROM main.failure_details"),
	                 count_raw(db, "SELECT count(*) FROM fresh.failure_details"));
	/* of twins that were all mixed case, the one stored first stays */
	assert_int_equal(count_raw(db, "SELECT id FROM main.reports WHERE report_id = 'd-1'"), first_twin);
	assert_int_equal(count_raw(db, "SELECT count(*) FROM sqlite_temp_master"), 0);
	sqlite3_close(db);
	free(before);
	rb_remove_temp(old_path);
	rb_remove_temp(new_path);
}

/* ---- storing ---- */

static void put_then_duplicate_changes_nothing(void **state)
{
	char *path = rb_temp_db(backend, "dup.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = simple_report("google.example", "2024-01-01T00:00:00Z_example.com", 1704067200);
	struct tlsrpt_report *again = simple_report("google.example", "2024-01-01T00:00:00Z_example.com", 1704067200);
	struct store_meta other = { "import", NULL, "fail", 0, 1800000000, NULL, NULL, NULL };
	enum store_outcome out;
	struct tr_error e;
	struct db *db = store_db(s);

	(void)state;
	put_expect(s, r, STORE_STORED);
	/* the second copy differs in everything but its identity */
	rb_policy(again, "tlsa", "example.org", 99, 99);
	rb_set_json(again, "{}", 2);
	assert_int_equal(put(s, again, &other, &out, &e), TR_OK);
	assert_int_equal(out, STORE_DUPLICATE);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports"), 1);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies"), 1);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), 1);
	assert_int_equal(count_sql(db, "SELECT received_at FROM reports"), 1700000000);
	assert_int_equal(count_sql(db, "SELECT counted FROM reports"), 1);
	put_expect(s, r, STORE_DUPLICATE);
	rb_free(r);
	rb_free(again);
	store_close(s);
	rb_remove_temp(path);
}

static void identity_is_submitter_id_and_range(void **state)
{
	char *path = rb_temp_db(backend, "ident.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *rs[] = {
		simple_report("a.example", "same-id", 1700000000),
		simple_report("b.example", "same-id", 1700000000),   /* other submitter */
		simple_report("a.example", "same-id", 1700086400),   /* other start */
		simple_report(NULL, "same-id", 1700000000),          /* no submitter */
	};

	(void)state;
	rs[0]->end = 1700086399;
	for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
		put_expect(s, rs[i], STORE_STORED);
	rs[0]->end = 1700086400; /* other end */
	put_expect(s, rs[0], STORE_STORED);
	put_expect(s, rs[1], STORE_DUPLICATE);
	put_expect(s, rs[3], STORE_DUPLICATE);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), 5);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports WHERE submitter = ''"), 1);
	for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
		rb_free(rs[i]);
	store_close(s);
	rb_remove_temp(path);
}

static const char *text_at(struct db *db, const char *sql, char *buf, size_t size)
{
	struct db_stmt *st = NULL;
	struct tr_error e;
	const char *t;
	int row = 0;

	assert_int_equal(db_prepare(db, sql, 0, &st, &e), TR_OK);
	assert_int_equal(db_step(st, &row, "test", &e), TR_OK);
	assert_true(row);
	t = db_column_text(st, 0, NULL);
	snprintf(buf, size, "%s", t != NULL ? t : "(null)");
	db_finalize(st);
	return buf;
}

static void every_field_is_kept(void **state)
{
	char *path = rb_temp_db(backend, "fields.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = rb_report("mail.example", "rid-\"quoted\"", 1700000000, 1700086399, "Org");
	struct tlsrpt_policy *p;
	struct tlsrpt_failure *f;
	struct store_meta m = { "https", "<abc@example.net>", NULL, 1, 0, NULL, NULL, "2001:db8::7" };
	enum store_outcome out;
	struct tr_error e;
	struct db *db = store_db(s);
	char buf[512];

	(void)state;
	r->contact_info = rb_strdup("tls-reports@mail.example");
	p = rb_policy(r, "tlsa", NULL, 5, 6);
	rb_policy_string(p, "3 0 1 1F850A337E6DB9C609C522D136A475638CC57B6A1C1B5A8C8B0EBDC9B4F6A3C5");
	rb_policy_string(p, "line with \"quotes\" and \\ backslash");
	rb_mx_host(p, "*.mx.example.com");
	rb_mx_host(p, "mx2.example.com");
	p->policy_domain_fallback = 1;
	f = rb_failure(p, "validation-failure", "198.51.100.7", "mx2.example.com", 6);
	f->receiving_mx_helo = rb_strdup("mx2-helo.example.com");
	f->receiving_ip = rb_strdup("203.0.113.9");
	f->additional_information = rb_strdup("https://mail.example/why");
	f->failure_reason_code = rb_strdup("X509_V_ERR_CERT_HAS_EXPIRED");
	rb_failure(p, NULL, NULL, NULL, 0);
	assert_int_equal(put(s, r, &m, &out, &e), TR_OK);
	assert_int_equal(out, STORE_STORED);
	assert_string_equal(text_at(db, "SELECT report_id FROM reports", buf, sizeof buf), "rid-\"quoted\"");
	assert_string_equal(text_at(db, "SELECT contact_info FROM reports", buf, sizeof buf),
	                    "tls-reports@mail.example");
	assert_string_equal(text_at(db, "SELECT source || ' ' || auth || ' ' || message_id FROM reports", buf,
	                            sizeof buf), "https unknown <abc@example.net>");
	assert_string_equal(text_at(db, "SELECT client_addr FROM reports", buf, sizeof buf), "2001:db8::7");
	assert_int_equal(count_sql(db, "SELECT start_time FROM reports"), 1700000000);
	assert_int_equal(count_sql(db, "SELECT end_time FROM reports"), 1700086399);
	assert_true(count_sql(db, "SELECT received_at FROM reports") > 1700000000); /* now */
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies WHERE policy_domain IS NULL"
	                               " AND policy_domain_fallback = 1 AND policy_type = 'tlsa'"
	                               " AND total_successful = 5 AND total_failure = 6"), 1);
	assert_string_equal(text_at(db, "SELECT mx_hosts FROM policies", buf, sizeof buf),
	                    "[\"*.mx.example.com\",\"mx2.example.com\"]");
	/* policy strings come back intact through JSON (SQLite's JSON functions) */
	if (backend == DB_SQLITE)
		assert_string_equal(text_at(db, "SELECT value FROM policies, json_each(policies.policy_strings)"
		                                " WHERE json_each.key = 1", buf, sizeof buf),
		                    "line with \"quotes\" and \\ backslash");
	assert_string_equal(text_at(db, "SELECT result_type || sending_mta_ip || receiving_mx_hostname ||"
	                                " receiving_mx_helo || receiving_ip || failed_session_count ||"
	                                " additional_information || failure_reason_code"
	                                " FROM failure_details WHERE failed_session_count = 6", buf, sizeof buf),
	                    "validation-failure198.51.100.7mx2.example.commx2-helo.example.com203.0.113.96"
	                    "https://mail.example/whyX509_V_ERR_CERT_HAS_EXPIRED");
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details WHERE result_type IS NULL"
	                               " AND sending_mta_ip IS NULL AND failed_session_count = 0"), 1);
	rb_free(r);
	store_close(s);
	rb_remove_temp(path);
}

static void bad_arguments_are_usage_errors(void **state)
{
	char *path = rb_temp_db(backend, "usage.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = simple_report("u.example", "u-1", 1700000000);
	struct store_meta bad_source = { "smtp", NULL, NULL, 1, 0, NULL, NULL, NULL };
	struct store_meta bad_auth = { "milter", NULL, "maybe", 1, 0, NULL, NULL, NULL };
	struct store_meta no_source = { NULL, NULL, NULL, 1, 0, NULL, NULL, NULL };
	static struct told t;
	enum store_outcome out;
	struct tr_error e;

	(void)state;
	assert_int_equal(put(s, r, &bad_source, &out, &e), TR_ERR_USAGE);
	assert_int_equal(put(s, r, &bad_auth, &out, &e), TR_ERR_USAGE);
	assert_int_equal(put(s, r, &no_source, &out, &e), TR_ERR_USAGE);
	assert_int_equal(put(s, NULL, &meta_milter, &out, &e), TR_ERR_USAGE);
	r->policies[0].total_failure = (uint64_t)INT64_MAX + 1;
	assert_int_equal(put(s, r, &meta_milter, &out, &e), TR_ERR_USAGE);
	assert_non_null(strstr(e.msg, "policies[0].summary"));
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), 0);
	assert_int_equal(store_batch_end(s, &e), TR_ERR_USAGE);
	assert_int_equal(store_batch_put(s, r, &meta_milter, NULL, &e), TR_ERR_USAGE);
	assert_int_equal(store_batch_write(s, &e), TR_ERR_USAGE);
	assert_int_equal(store_batch_begin(s, NULL, NULL, &e), TR_ERR_USAGE);
	/* a batch brings its 32 MiB page cache (see store.h; SQLite's) */
	if (backend == DB_SQLITE)
		assert_int_not_equal(count_sql(store_db(s), "PRAGMA cache_size"), -32768);
	batch_begin(s, &t);
	if (backend == DB_SQLITE)
		assert_int_equal(count_sql(store_db(s), "PRAGMA cache_size"), -32768);
	assert_int_equal(store_batch_begin(s, tell, &t, &e), TR_ERR_USAGE);
	assert_int_equal(put(s, r, &meta_milter, &out, &e), TR_ERR_USAGE);
	/* bad input in a batch is that report's error, told in its turn */
	bput(s, &t, r, &bad_source);
	assert_int_equal(store_batch_end(s, &e), TR_OK);
	assert_told_in_order(&t);
	assert_told(&t, 0, TR_ERR_USAGE, STORE_STORED);
	rb_free(r);
	store_close(s);
	rb_remove_temp(path);
}

static void raw_json_round_trips(void **state)
{
	char *path = rb_temp_db(backend, "raw.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = simple_report("raw.example", "raw-1", 1700000000);
	struct tlsrpt_report *none = simple_report("raw.example", "raw-2", 1700000000);
	struct tlsrpt_report *empty = simple_report("raw.example", "raw-3", 1700000000);
	size_t big_len = 300000;
	char *big = malloc(big_len);
	char *json = NULL;
	size_t len = 0;
	struct tr_error e;
	int64_t id;

	(void)state;
	assert_non_null(big);
	/* mixed text with a NUL and high bytes: the JSON is kept byte for byte */
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)(i % 7 == 0 ? (i * 31) & 0xff : 'a' + i % 26);
	rb_set_json(r, big, big_len);
	rb_set_json(none, NULL, 0);
	rb_set_json(empty, "", 0);
	put_expect(s, r, STORE_STORED);
	put_expect(s, none, STORE_STORED);
	put_expect(s, empty, STORE_STORED);
	/* kept compressed */
	assert_true(count_sql(store_db(s), "SELECT length(raw_json) FROM reports WHERE report_id = 'raw-1'")
	            < (int64_t)big_len);
	id = count_sql(store_db(s), "SELECT id FROM reports WHERE report_id = 'raw-1'");
	assert_int_equal(store_get_raw_json(s, id, &json, &len, &e), TR_OK);
	assert_int_equal(len, big_len);
	assert_memory_equal(json, big, big_len);
	assert_int_equal(json[len], '\0');
	free(json);
	id = count_sql(store_db(s), "SELECT id FROM reports WHERE report_id = 'raw-3'");
	assert_int_equal(store_get_raw_json(s, id, &json, &len, &e), TR_OK);
	assert_int_equal(len, 0);
	assert_string_equal(json, "");
	free(json);
	id = count_sql(store_db(s), "SELECT id FROM reports WHERE report_id = 'raw-2'");
	assert_int_equal(store_get_raw_json(s, id, &json, &len, &e), TR_ERR_NOTFOUND);
	assert_null(json);
	assert_int_equal(store_get_raw_json(s, 999999, &json, &len, &e), TR_ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "999999"));
	/* a damaged blob is an error, not garbage */
	assert_int_equal(exec_sql(store_db(s), backend == DB_SQLITE ? "UPDATE reports SET raw_json = x'0102030405'"
	                              " WHERE report_id = 'raw-1'" : "UPDATE reports SET raw_json = '\\x0102030405'"
	                              " WHERE report_id = 'raw-1'"), TR_OK);
	id = count_sql(store_db(s), "SELECT id FROM reports WHERE report_id = 'raw-1'");
	assert_int_equal(store_get_raw_json(s, id, &json, &len, &e), TR_ERR_DB);
	assert_null(json);
	free(big);
	rb_free(r);
	rb_free(none);
	rb_free(empty);
	store_close(s);
	rb_remove_temp(path);
}

/* gzip (windowBits 31) or zlib (15) of in, into out; returns the length. */
static size_t compress_as(int window_bits, const char *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	len = z.total_out;
	deflateEnd(&z);
	return len;
}

/* The compressed bytes a report arrived in are kept verbatim (no second
 * deflate), unless padding makes them larger than the JSON; either way
 * the JSON reads back byte for byte. */
static void arrived_compressed_kept_verbatim(void **state)
{
	static const struct {
		const char *id;
		int window_bits;
		size_t padding;     /* trailing garbage after the stream */
		int verbatim;
	} cases[] = {
		{ "gz-1", 31, 0, 1 },
		{ "zl-1", 15, 0, 1 },
		{ "gz-pad", 31, 5000, 0 },
	};
	char *path = rb_temp_db(backend, "verbatim.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	static char json[4000];
	static unsigned char packed[16000];

	(void)state;
	for (size_t i = 0; i < sizeof json; i++)
		json[i] = (char)('a' + (i * 7) % 13);
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct tlsrpt_report *r = simple_report("raw.example", cases[c].id, 1700000000);
		size_t n = compress_as(cases[c].window_bits, json, sizeof json, packed, sizeof packed);
		char sql[160], *back = NULL;
		size_t back_len = 0;
		struct tr_error e;
		struct db_stmt *st = NULL;
		size_t blob_len = 0;
		const unsigned char *blob;
		int row = 0;
		int64_t id;

		memset(packed + n, 0xee, cases[c].padding);
		n += cases[c].padding;
		rb_set_json(r, json, sizeof json);
		r->raw_compressed = malloc(n);
		assert_non_null(r->raw_compressed);
		memcpy(r->raw_compressed, packed, n);
		r->raw_compressed_len = n;
		put_expect(s, r, STORE_STORED);
		snprintf(sql, sizeof sql, "SELECT id, raw_json FROM reports WHERE report_id = '%s'", cases[c].id);
		assert_int_equal(db_prepare(store_db(s), sql, 0, &st, &e), TR_OK);
		assert_int_equal(db_step(st, &row, "test", &e), TR_OK);
		assert_true(row);
		id = db_column_int64(st, 0);
		blob = db_column_blob(st, 1, &blob_len);
		if (cases[c].verbatim) {
			assert_int_equal(blob_len, n);
			assert_memory_equal(blob, packed, n);
		} else {
			assert_true(blob_len < sizeof json);
			assert_int_equal(blob[0], 0x78);
		}
		db_finalize(st);
		assert_int_equal(store_get_raw_json(s, id, &back, &back_len, &e), TR_OK);
		assert_int_equal(back_len, sizeof json);
		assert_memory_equal(back, json, sizeof json);
		free(back);
		free(r->raw_compressed);  /* not the builder's: rb_free() leaves it */
		r->raw_compressed = NULL;
		rb_free(r);
	}
	store_close(s);
	rb_remove_temp(path);
}

/* policy-strings and mx-hosts are stored as cJSON would print them:
 * rows written before and after read the same. */
static void string_arrays_match_cjson(void **state)
{
	static char *const strings[] = {
		"version: STSv1", "quote \" and \\ backslash", "tab\there\nnewline\r\b\f",
		"\x01\x1f control", "caf\xc3\xa9 \x7f", "", NULL,
	};
	char *path = rb_temp_db(backend, "arrays.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = rb_report("arrays.example", "arr-1", 1700000000, 1700086399, NULL);
	struct tlsrpt_policy *p = rb_policy(r, "sts", "example.com", 1, 0);
	size_t n = sizeof strings / sizeof strings[0];
	cJSON *a = cJSON_CreateArray();
	char got[512], *want;

	(void)state;
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, strings[i] != NULL ? cJSON_CreateString(strings[i]) : cJSON_CreateNull());
	want = cJSON_PrintUnformatted(a);
	p->policy_strings = calloc(n, sizeof *p->policy_strings);
	assert_non_null(p->policy_strings);
	for (size_t i = 0; i < n; i++)
		p->policy_strings[i] = strings[i] != NULL ? strdup(strings[i]) : NULL;
	p->n_policy_strings = n;
	put_expect(s, r, STORE_STORED);
	assert_string_equal(text_at(store_db(s), "SELECT policy_strings FROM policies", got, sizeof got), want);
	assert_string_equal(text_at(store_db(s), "SELECT mx_hosts FROM policies", got, sizeof got), "[]");
	cJSON_free(want);
	cJSON_Delete(a);
	rb_free(r);
	store_close(s);
	rb_remove_temp(path);
}

/* A report from the real parser goes in, and its kept JSON parses again
 * into the same model. */
static const char rfc_json[] =
	"{\"organization-name\":\"Example Mail\",\"date-range\":{\"start-datetime\":"
	"\"2024-03-01T00:00:00Z\",\"end-datetime\":\"2024-03-01T23:59:59Z\"},"
	"\"contact-info\":\"tlsrpt@mail.example\",\"report-id\":\"2024-03-01T00:00:00Z_example.com\","
	"\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\","
	"\"mode: enforce\",\"mx: *.example.com\",\"max_age: 86400\"],\"policy-domain\":\"example.com\","
	"\"mx-host\":[\"*.example.com\"]},\"summary\":{\"total-successful-session-count\":512,"
	"\"total-failure-session-count\":3},\"failure-details\":[{\"result-type\":"
	"\"certificate-expired\",\"sending-mta-ip\":\"2001:db8::25\",\"receiving-mx-hostname\":"
	"\"mx1.example.com\",\"failed-session-count\":3}]}]}";

static void parsed_report_round_trips(void **state)
{
	char *path = rb_temp_db(backend, "parsed.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = NULL, *again = NULL;
	struct tr_limits lim;
	char *json = NULL, *model1, *model2;
	size_t len = 0;
	struct tr_error e;
	struct db *db = store_db(s);
	char buf[256];

	(void)state;
	limits_default(&lim);
	if (report_parse_json(rfc_json, sizeof rfc_json - 1, &lim, NULL, &r, &e) != TR_OK)
		fail_msg("report_parse_json: %s", e.msg);
	r->submitter = rb_strdup("mail.example");
	put_expect(s, r, STORE_STORED);
	put_expect(s, r, STORE_DUPLICATE);
	assert_int_equal(count_sql(db, "SELECT start_time FROM reports"), 1709251200);
	assert_int_equal(count_sql(db, "SELECT end_time FROM reports"), 1709337599);
	assert_string_equal(text_at(db, "SELECT mx_hosts FROM policies", buf, sizeof buf), "[\"*.example.com\"]");
	if (backend == DB_SQLITE)
		assert_int_equal(count_sql(db, "SELECT json_array_length(policy_strings) FROM policies"), 4);
	assert_int_equal(count_sql(db, "SELECT total_successful FROM policies"), 512);
	assert_string_equal(text_at(db, "SELECT sending_mta_ip FROM failure_details", buf, sizeof buf),
	                    "2001:db8::25");
	assert_int_equal(store_get_raw_json(s, count_sql(db, "SELECT id FROM reports"), &json, &len, &e), TR_OK);
	assert_int_equal(len, sizeof rfc_json - 1);
	assert_memory_equal(json, rfc_json, len);
	assert_int_equal(report_parse_json(json, len, &lim, NULL, &again, &e), TR_OK);
	again->submitter = rb_strdup("mail.example");
	model1 = report_to_json(r, 0);
	model2 = report_to_json(again, 0);
	assert_non_null(model1);
	assert_non_null(model2);
	assert_string_equal(model1, model2);
	free(model1);
	free(model2);
	free(json);
	report_free(r);
	report_free(again);
	store_close(s);
	rb_remove_temp(path);
}

/* A trigger named name that refuses a row of table whose column is
 * value, with the error message msg, in either backend's dialect (SQLite:
 * for this connection only; PostgreSQL: in the case's own schema). */
static void install_refusal(struct db *db, const char *name, const char *table, const char *column,
                            const char *value, const char *msg)
{
	char sql[1024];

	if (backend == DB_SQLITE)
		snprintf(sql, sizeof sql, "CREATE TEMP TRIGGER %s BEFORE INSERT ON %s WHEN NEW.%s = '%s'"
		         " BEGIN SELECT RAISE(ABORT, '%s'); END", name, table, column, value, msg);
	else
		snprintf(sql, sizeof sql, "CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
		         " IF NEW.%s = '%s' THEN RAISE EXCEPTION '%s'; END IF; RETURN NEW; END $f$;"
		         " CREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION %s()",
		         name, column, value, msg, name, table, name);
	assert_int_equal(exec_sql(db, sql), TR_OK);
}

/* A trigger makes one failure detail fail to insert, half way through a
 * report: nothing of that report may remain. */
static void install_boom_trigger(struct db *db)
{
	install_refusal(db, "boom", "failure_details", "result_type", "boom", "boom refused");
}

static struct tlsrpt_report *boom_report(const char *id)
{
	struct tlsrpt_report *r = simple_report("boom.example", id, 1700000000);
	struct tlsrpt_policy *p = rb_policy(r, "sts", "example.org", 1, 1);

	rb_failure(p, "fine", NULL, NULL, 1);
	rb_failure(p, "boom", NULL, NULL, 1);
	return r;
}

static void failed_report_leaves_nothing(void **state)
{
	char *path = rb_temp_db(backend, "atomic.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *r = boom_report("boom-1");
	struct tlsrpt_report *ok = simple_report("boom.example", "ok-1", 1700000000);
	enum store_outcome out;
	struct tr_error e;
	struct db *db = store_db(s);

	(void)state;
	install_boom_trigger(db);
	assert_int_equal(put(s, r, &meta_milter, &out, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "boom refused"));
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports"), 0);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies"), 0);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), 0);
	assert_int_equal(db_in_transaction(db), 0);
	/* the store is still usable */
	put_expect(s, ok, STORE_STORED);
	rb_free(r);
	rb_free(ok);
	store_close(s);
	rb_remove_temp(path);
}

/* Failure details go in statements of 64, 8 and 1 rows (store.c): counts
 * around each size, alone and in a batch, keep every row, its fields
 * together and the report's order. */
static void failure_details_around_statement_sizes(void **state)
{
	static const int sizes[] = { 0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 71, 72, 73, 127, 128, 129 };
	char *path = rb_temp_db(backend, "rows.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct db *db = store_db(s);
	static struct told t;
	int64_t want = 0, sum = 0;

	(void)state;
	for (int batch = 0; batch < 2; batch++) {
		if (batch)
			batch_begin(s, &t);
		for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
			struct tlsrpt_report *r;
			struct tlsrpt_policy *p;
			char id[32];

			snprintf(id, sizeof id, "rows-%d-%d", batch, sizes[k]);
			r = rb_report("rows.example", id, 1700000000, 1700086399, "Org");
			p = rb_policy(r, "sts", "rows.example", 1, (uint64_t)sizes[k]);
			for (int i = 0; i < sizes[k]; i++) {
				char mx[32];

				snprintf(mx, sizeof mx, "mx%d.example", i);
				rb_failure(p, "validation-failure", "192.0.2.1", mx, (uint64_t)i + 1);
				sum += i + 1;
			}
			want += sizes[k];
			if (batch)
				bput(s, &t, r, &meta_milter);
			else
				put_expect(s, r, STORE_STORED);
			rb_free(r);
		}
		if (batch) {
			struct tr_error e;

			assert_int_equal(store_batch_end(s, &e), TR_OK);
			assert_told_in_order(&t);
			for (int i = 0; i < t.n; i++)
				assert_told(&t, i, TR_OK, STORE_STORED);
		}
	}
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), want);
	assert_int_equal(count_sql(db, "SELECT sum(failed_session_count) FROM failure_details"), sum);
	/* each row's fields are one detail's, not a neighbour's */
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details WHERE receiving_mx_hostname"
	                               " <> 'mx' || (failed_session_count - 1) || '.example'"), 0);
	/* and every policy has as many as its report sent, in the report's order */
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies p WHERE total_failure <>"
	                               " (SELECT count(*) FROM failure_details f WHERE f.policy = p.id)"), 0);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details a JOIN failure_details b"
	                               " ON a.policy = b.policy AND a.id < b.id"
	                               " AND a.failed_session_count > b.failed_session_count"), 0);
	store_close(s);
	rb_remove_temp(path);
}

static void batch_commits_once_and_failures_roll_back_alone(void **state)
{
	char *path = rb_temp_db(backend, "batch.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct store *reader = open_ok(path, STORE_OPEN_READONLY);
	struct tlsrpt_report *bad = boom_report("boom-b");
	static struct told t;
	struct tr_error e;
	struct db *db = store_db(s);
	int k = 0;

	(void)state;
	install_boom_trigger(db);
	batch_begin(s, &t);
	for (int i = 0; i < 200; i++) {
		char id[32];
		struct tlsrpt_report *r;

		snprintf(id, sizeof id, "b-%d", i % 150); /* 50 duplicates inside the batch */
		r = simple_report("batch.example", id, 1700000000);
		bput(s, &t, r, &meta_milter);
		rb_free(r);
		if (i == 100)
			bput(s, &t, bad, &meta_milter);
	}
	/* others see nothing before the commit */
	assert_int_equal(count_sql(store_db(reader), "SELECT count(*) FROM reports"), 0);
	if (backend == DB_SQLITE)
		assert_true(count_sql(db, "PRAGMA wal_autocheckpoint") > 1000);
	assert_int_equal(store_batch_end(s, &e), TR_OK);
	assert_told_in_order(&t);
	for (int i = 0; i < 200; i++, k++) {
		assert_told(&t, k, TR_OK, i < 150 ? STORE_STORED : STORE_DUPLICATE);
		if (i == 100) {
			assert_told(&t, ++k, TR_ERR_DB, STORE_STORED);
			assert_non_null(strstr(t.msg[k], "boom refused"));
		}
	}
	if (backend == DB_SQLITE)
		assert_int_equal(count_sql(db, "PRAGMA wal_autocheckpoint"), 1000);
	assert_int_equal(count_sql(store_db(reader), "SELECT count(*) FROM reports"), 150);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies"), 150);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), 150);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports WHERE report_id = 'boom-b'"), 0);
	/* the failed report left nothing in the rollups either */
	assert_int_equal(count_sql(db, "SELECT sum(reports) FROM rollup_report"), 150);
	assert_int_equal(count_sql(db, "SELECT sum(failed) FROM rollup_result_sub"),
	                 count_sql(db, "SELECT sum(failed_session_count) FROM failure_details"));
	assert_int_equal(count_sql(db, "SELECT count(*) FROM rollup_mx_result WHERE submitter = 'boom.example'"), 0);
	rb_free(bad);
	store_close(reader);
	store_close(s);
	rb_remove_temp(path);
}

/* Put n new one-policy reports of batch.example, "<prefix>-<i>", in the
 * batch. */
static void put_simple_reports(struct store *s, struct told *t, const char *prefix, int n)
{
	for (int i = 0; i < n; i++) {
		char id[32];
		struct tlsrpt_report *r;

		snprintf(id, sizeof id, "%s-%d", prefix, i);
		r = simple_report("batch.example", id, 1700000000);
		bput(s, t, r, &meta_milter);
		rb_free(r);
	}
}

/* A batch's rollups are upserted at its end: one that fails then takes
 * the batch with it (a partial sum must not be committed), and the store
 * goes on with the next batch. */
static void rollup_failure_at_batch_end_loses_the_batch(void **state)
{
	char *path = rb_temp_db(backend, "late.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *late = simple_report("boom.example", "late-b", 1700000000);
	static struct told t;
	struct tr_error e;
	struct db *db = store_db(s);

	(void)state;
	rb_failure(rb_policy(late, "sts", "example.org", 1, 1), "late-boom", NULL, NULL, 1);
	install_refusal(db, "late_boom", "rollup_mx", "submitter", "boom.example", "late boom");
	batch_begin(s, &t);
	put_simple_reports(s, &t, "l", 20);
	bput(s, &t, late, &meta_milter);
	tr_error_clear(&e);
	assert_int_equal(store_batch_end(s, &e), TR_ERR_DB);
	assert_non_null(strstr(e.msg, "late boom"));
	assert_told_in_order(&t);
	assert_int_equal(db_in_transaction(db), 0);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports"), 0);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM rollup_report"), 0);
	batch_begin(s, &t);
	put_simple_reports(s, &t, "m", 5);
	assert_int_equal(store_batch_end(s, &e), TR_OK);
	assert_told_in_order(&t);
	assert_int_equal(count_sql(db, "SELECT sum(reports) FROM rollup_report"), 5);
	rb_free(late);
	store_close(s);
	rb_remove_temp(path);
}

/* Reports of several submitters, start times, auth results, policy
 * domains, result types and MX hosts, some sharing every key. */
static struct tlsrpt_report *varied_report(int i, int wide)
{
	static const char *const subs[] = { "a.example", "b.example", "c.example" };
	static const char *const doms[] = { "one.example", "two.example", NULL };
	static const char *const rts[] = { "certificate-expired", "starttls-not-supported", NULL };
	static const char *const mxs[] = { "mx1.one.example", "mx2.one.example", NULL };
	char id[32];
	struct tlsrpt_report *r;

	snprintf(id, sizeof id, "v-%d", i);
	r = rb_report(subs[i % 3], id, 1700000000 + 86400 * (i % 4), 1700086399 + 86400 * (i % 4), "Org");
	for (int p = 0; p <= i % 3; p++) {
		struct tlsrpt_policy *pol = rb_policy(r, p == 2 ? "no-policy-found" : "sts", doms[(i + p) % 3],
		                                      (uint64_t)(i + p), (uint64_t)(i % 5));

		for (int f = 0; f < (i + p) % 4; f++)
			rb_failure(pol, rts[(i + f) % 3], "192.0.2.7", mxs[(i + 2 * f) % 3], (uint64_t)(f + 1));
		for (int f = 0; f < wide; f++) {
			char mx[40];

			snprintf(mx, sizeof mx, "mx%d-%d.wide.example", i, f);
			rb_failure(pol, "validation-failure", "192.0.2.8", mx, 1);
		}
	}
	return r;
}

/* Every rollup table as one text, in key order. */
static char *rollups_text(struct db *db)
{
	static const char sql[] =
		"SELECT string_agg(u.t, '|') FROM ("
		" SELECT 'r' || start_time || submitter || auth_pass || ',' || reports || ',' || successful"
		"  || ',' || failed || ',' || failed_with_policy AS t FROM rollup_report"
		" UNION ALL SELECT 'p' || start_time || submitter || policy_domain || auth_pass || ',' || reports"
		"  || ',' || successful || ',' || failed || ',' || failed_with_policy FROM rollup_policy"
		" UNION ALL SELECT 's' || start_time || submitter || auth_pass || result_type || ',' || reports"
		"  || ',' || failed || ',' || failed_with_policy FROM rollup_result_sub"
		" UNION ALL SELECT 't' || start_time || submitter || policy_domain || auth_pass || result_type"
		"  || ',' || reports || ',' || failed || ',' || failed_with_policy FROM rollup_result"
		" UNION ALL SELECT 'm' || receiving_mx || start_time || submitter || auth_pass || ',' || reports"
		"  || ',' || failed || ',' || failed_with_policy FROM rollup_mx"
		" UNION ALL SELECT 'x' || receiving_mx || result_type || start_time || submitter || auth_pass"
		"  || ',' || reports || ',' || failed || ',' || failed_with_policy FROM rollup_mx_result"
		" UNION ALL SELECT 'y' || start_time || submitter || auth_pass || policy_type || ',' || reports"
		"  || ',' || successful || ',' || failed || ',' || failed_with_policy FROM rollup_policy_type"
		" UNION ALL SELECT 'z' || start_time || submitter || auth_pass || policy_type || result_type"
		"  || ',' || reports || ',' || failed || ',' || failed_with_policy FROM rollup_policy_type_result"
		" UNION ALL SELECT 'F' || bucket || policy_domain || auth_pass || ',' || reports || ',' || successful"
		"  || ',' || failed || ',' || failed_with_policy FROM fold_policy"
		" UNION ALL SELECT 'G' || bucket || policy_domain || auth_pass || result_type || ',' || reports"
		"  || ',' || failed || ',' || failed_with_policy FROM fold_result"
		" UNION ALL SELECT 'H' || bucket || auth_pass || receiving_mx || ',' || reports"
		"  || ',' || failed || ',' || failed_with_policy FROM fold_mx"
		" UNION ALL SELECT 'I' || bucket || auth_pass || receiving_mx || result_type || ',' || reports"
		"  || ',' || failed || ',' || failed_with_policy FROM fold_mx_result"
		" ORDER BY 1) AS u";
	struct db_stmt *st = NULL;
	struct tr_error e;
	char *text = NULL;
	int row = 0;

	assert_int_equal(db_prepare(db, sql, 0, &st, &e), TR_OK);
	assert_int_equal(db_step(st, &row, "test", &e), TR_OK);
	assert_true(row);
	text = rb_strdup(db_column_text(st, 0, NULL));
	db_finalize(st);
	assert_non_null(text);
	return text;
}

/* A batch sums its reports' groups in memory and upserts them at the end
 * (early, once it holds many): the rollups must be exactly those of the
 * same reports stored one by one, duplicates and an undone report
 * included. */
static void batched_rollups_equal_one_by_one(void **state)
{
	static const struct store_meta meta_unknown = { "import", NULL, "unknown", 1, 1700000000, NULL, NULL, NULL };
	char *path1 = rb_temp_db(backend, "one.db");
	char *path2 = rb_temp_db(backend, "batch.db");
	struct store *one = open_ok(path1, STORE_OPEN_CREATE);
	struct store *batch = open_ok(path2, STORE_OPEN_CREATE);
	struct tlsrpt_report *bad = boom_report("boom-v");
	static struct told t;
	enum store_outcome out;
	struct tr_error e;
	char *t1, *t2;
	int k = 0;

	(void)state;
	install_boom_trigger(store_db(batch));
	batch_begin(batch, &t);
	for (int i = 0; i < 330; i++) {
		/* a few reports wide enough to make the batch upsert early */
		struct tlsrpt_report *r = varied_report(i % 300, i % 100 == 7 ? 12000 : 0);
		const struct store_meta *m = i % 2 ? &meta_milter : &meta_unknown;

		tr_error_clear(&e);
		assert_int_equal(store_put_report(one, r, m, &out, &e), TR_OK);
		assert_int_equal(out, i < 300 ? STORE_STORED : STORE_DUPLICATE);
		bput(batch, &t, r, m);
		rb_free(r);
		if (i == 150)
			bput(batch, &t, bad, &meta_milter);
	}
	assert_int_equal(store_batch_end(batch, &e), TR_OK);
	assert_told_in_order(&t);
	for (int i = 0; i < 330; i++, k++) {
		assert_told(&t, k, TR_OK, i < 300 ? STORE_STORED : STORE_DUPLICATE);
		if (i == 150)
			assert_told(&t, ++k, TR_ERR_DB, STORE_STORED);
	}
	t1 = rollups_text(store_db(one));
	t2 = rollups_text(store_db(batch));
	assert_true(strlen(t1) > 1000);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	rb_free(bad);
	store_close(one);
	store_close(batch);
	rb_remove_temp(path1);
	rb_remove_temp(path2);
}

/* A chunk (64 reports, store.c) with a failing report in the middle is
 * written again one report at a time: the others are stored, in their
 * order and with the ids they would have had, and the rollups count only
 * them, exactly as if stored one by one. */
static void chunk_with_a_failing_report_in_the_middle(void **state)
{
	char *path1 = rb_temp_db(backend, "mid-one.db");
	char *path2 = rb_temp_db(backend, "mid-batch.db");
	struct store *one = open_ok(path1, STORE_OPEN_CREATE);
	struct store *batch = open_ok(path2, STORE_OPEN_CREATE);
	struct tlsrpt_report *bad = boom_report("boom-mid");
	static struct told t;
	struct tr_error e;
	char *t1, *t2;

	(void)state;
	install_boom_trigger(store_db(batch));
	batch_begin(batch, &t);
	for (int i = 0; i < 64; i++) {
		struct tlsrpt_report *r = varied_report(i, 0);

		if (i == 30) {
			bput(batch, &t, bad, &meta_milter);
		} else {
			put_expect(one, r, STORE_STORED);
			bput(batch, &t, r, &meta_milter);
		}
		rb_free(r);
	}
	/* the chunk was full: written, and every outcome told, before the end */
	assert_told_in_order(&t);
	for (int i = 0; i < 64; i++)
		assert_told(&t, i, i == 30 ? TR_ERR_DB : TR_OK, STORE_STORED);
	assert_non_null(strstr(t.msg[30], "boom refused"));
	assert_int_equal(store_batch_end(batch, &e), TR_OK);
	assert_int_equal(count_sql(store_db(batch), "SELECT count(*) FROM reports"), 63);
	assert_int_equal(count_sql(store_db(batch), "SELECT count(*) FROM reports WHERE submitter = 'boom.example'"), 0);
	assert_int_equal(count_sql(store_db(batch), "SELECT sum(reports) FROM rollup_report"), 63);
	t1 = rollups_text(store_db(one));
	t2 = rollups_text(store_db(batch));
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	/* every row and id as the reports stored one by one have them */
	t1 = rb_strdup("SELECT sum(r.id * p.idx + p.id), count(*) FROM reports r JOIN policies p ON p.report = r.id");
	if (backend == DB_SQLITE) /* PostgreSQL's sequence keeps what the rolled back chunk took */
		assert_int_equal(count_sql(store_db(one), t1), count_sql(store_db(batch), t1));
	free(t1);
	rb_free(bad);
	store_close(one);
	store_close(batch);
	rb_remove_temp(path1);
	rb_remove_temp(path2);
}

/* Reports put twice in one chunk are sent once: the later copies are
 * duplicates, as is a report stored by an earlier batch; no id is spent
 * on them. */
static void duplicates_inside_one_chunk(void **state)
{
	static const char *const ids[] = { "a", "b", "a", "c", "b", "a", "x", "x" };
	static const enum store_outcome want[] = { STORE_STORED, STORE_STORED, STORE_DUPLICATE, STORE_STORED,
	                                           STORE_DUPLICATE, STORE_DUPLICATE, STORE_DUPLICATE,
	                                           STORE_DUPLICATE };
	char *path = rb_temp_db(backend, "dups.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *x = simple_report("dup.example", "x", 1700000000);
	static struct told t;
	struct tr_error e;

	(void)state;
	put_expect(s, x, STORE_STORED);
	batch_begin(s, &t);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct tlsrpt_report *r = simple_report("dup.example", ids[i], 1700000000);

		bput(s, &t, r, &meta_milter);
		rb_free(r);
	}
	assert_int_equal(t.n, 0); /* one chunk, not yet written */
	assert_int_equal(store_batch_end(s, &e), TR_OK);
	assert_told_in_order(&t);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		assert_told(&t, (int)i, TR_OK, want[i]);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), 4);
	assert_int_equal(count_sql(store_db(s), "SELECT max(id) FROM reports"), 4);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM policies"), 4);
	assert_int_equal(count_sql(store_db(s), "SELECT sum(reports) FROM rollup_report"), 4);
	rb_free(x);
	store_close(s);
	rb_remove_temp(path);
}

/* 63, 64 and 65 reports: a chunk is written when it holds 64, and the
 * batch's end writes the partial chunk left; every report is stored once,
 * told once and in order. */
static void chunk_boundaries_and_a_partial_last_chunk(void **state)
{
	static const int sizes[] = { 63, 64, 65, 129 };
	char *path = rb_temp_db(backend, "bounds.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	static struct told t;
	struct tr_error e;
	int64_t total = 0;

	(void)state;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		char prefix[16];

		snprintf(prefix, sizeof prefix, "n%d", sizes[k]);
		batch_begin(s, &t);
		put_simple_reports(s, &t, prefix, sizes[k]);
		assert_int_equal(t.n, sizes[k] / 64 * 64);
		assert_int_equal(store_batch_end(s, &e), TR_OK);
		assert_told_in_order(&t);
		for (int i = 0; i < t.n; i++)
			assert_told(&t, i, TR_OK, STORE_STORED);
		total += sizes[k];
		assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM reports"), total);
		assert_int_equal(count_sql(store_db(s), "SELECT max(id) FROM reports"), total);
		assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM failure_details"), total);
		assert_int_equal(count_sql(store_db(s), "SELECT sum(reports) FROM rollup_report"), total);
	}
	store_close(s);
	rb_remove_temp(path);
}

/* A chunk holds 4 MiB at most, plus the report that crossed it
 * (store.h): reports of 2.5 MB go two to a chunk, written as the second
 * is put. */
static void huge_reports_bound_a_chunk(void **state)
{
	enum { HUGE = 2500 * 1000 };
	char *path = rb_temp_db(backend, "huge.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	static struct told t;
	struct tr_error e;

	(void)state;
	batch_begin(s, &t);
	for (int i = 0; i < 5; i++) {
		char id[32];
		struct tlsrpt_report *r;
		struct tlsrpt_failure *f;
		char *info = malloc(HUGE + 1);

		assert_non_null(info);
		memset(info, 'a' + i, HUGE);
		info[HUGE] = '\0';
		snprintf(id, sizeof id, "huge-%d", i);
		r = rb_report("huge.example", id, 1700000000, 1700086399, "Org");
		f = rb_failure(rb_policy(r, "sts", "huge.example", 1, 1), "validation-failure", "192.0.2.1",
		               "mx.huge.example", 1);
		f->additional_information = info;
		bput(s, &t, r, &meta_milter);
		rb_free(r);
		assert_int_equal(t.n, (i + 1) / 2 * 2);
	}
	assert_int_equal(store_batch_end(s, &e), TR_OK);
	assert_told_in_order(&t);
	for (int i = 0; i < 5; i++)
		assert_told(&t, i, TR_OK, STORE_STORED);
	assert_int_equal(count_sql(store_db(s), "SELECT count(*) FROM failure_details"
	                                        " WHERE length(additional_information) = 2500000"), 5);
	store_close(s);
	rb_remove_temp(path);
}

/* A full disk (max_page_count stands in for it) fails the report that
 * hits it, alone, in a batch or not; what was committed stays. */
static void full_disk_fails_one_report_cleanly(void **state)
{
	char *path = rb_temp_db(backend, "full.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct db *db = store_db(s);
	static struct told t;
	enum store_outcome out;
	struct tr_error e;
	int stored = 0, failed_at = -1;
	enum tr_err rc;

	(void)state;
	/* SQLite-only: a disk that fills up half way through a batch */
	assert_int_equal(exec_sql(db, "PRAGMA max_page_count = 40"), TR_OK);
	batch_begin(s, &t);
	for (int i = 0; i < 5000 && failed_at < 0; i++) {
		char id[32];
		struct tlsrpt_report *r;

		snprintf(id, sizeof id, "full-%d", i);
		r = simple_report("full.example", id, 1700000000);
		bput(s, &t, r, &meta_milter);
		rb_free(r);
		for (int k = 0; k < t.n && failed_at < 0; k++) {
			if (t.rc[k] != TR_OK)
				failed_at = k;
		}
	}
	assert_true(failed_at > 0);
	rc = store_batch_end(s, &e);
	assert_told_in_order(&t);
	assert_int_equal(t.rc[failed_at], TR_ERR_DB);
	assert_non_null(strstr(t.msg[failed_at], "full"));
	for (int k = 0; k < t.n; k++)
		stored += t.rc[k] == TR_OK;
	if (strstr(t.msg[failed_at], "whole batch") != NULL || rc != TR_OK) {
		/* SQLite gave up the whole transaction: then nothing is kept */
		assert_int_equal(rc, TR_ERR_DB);
		stored = 0;
	}
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports"), stored);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies"), stored);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), stored);
	/* outside a batch as well (a report may still fit in a half-full page) */
	rc = TR_OK;
	for (int i = 0; i < 5000 && rc == TR_OK; i++) {
		char id[32];
		struct tlsrpt_report *r;

		snprintf(id, sizeof id, "full-more-%d", i);
		r = simple_report("full.example", id, 1700000000);
		rc = put(s, r, &meta_milter, &out, &e);
		stored += rc == TR_OK;
		rb_free(r);
	}
	assert_int_equal(rc, TR_ERR_DB);
	assert_int_equal(db_in_transaction(db), 0);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports"), stored);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), stored);
	print_message("# disk full after %d reports in the batch\n", failed_at);
	store_close(s);
	rb_remove_temp(path);
}

static void locked_database_is_busy(void **state)
{
	char *path = rb_temp_db(backend, "busy.db");
	struct store *holder = open_ok(path, STORE_OPEN_CREATE);
	struct store *s = NULL;
	struct tlsrpt_report *r = simple_report("busy.example", "busy-1", 1700000000);
	static struct told t;
	enum store_outcome out;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_EXISTING, 50, &s, &e), TR_OK);
	batch_begin(holder, &t); /* holds the write lock */
	assert_int_equal(put(s, r, &meta_milter, &out, &e), TR_ERR_BUSY);
	assert_int_equal(store_batch_end(holder, &e), TR_OK);
	put_expect(s, r, STORE_STORED);
	rb_free(r);
	store_close(s);
	store_close(holder);
	rb_remove_temp(path);
}

static void deleting_a_report_cascades(void **state)
{
	char *path = rb_temp_db(backend, "cascade.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct tlsrpt_report *a = boom_report("keep");
	struct tlsrpt_report *b = boom_report("drop");
	struct db *db = store_db(s);

	(void)state;
	put_expect(s, a, STORE_STORED);
	put_expect(s, b, STORE_STORED);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), 6);
	assert_int_equal(exec_sql(db, "DELETE FROM reports WHERE report_id = 'drop'"), TR_OK);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM policies"), 2);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM failure_details"), 3);
	if (backend == DB_SQLITE)
		assert_int_equal(count_sql(db, "PRAGMA foreign_key_check"), -1); /* no rows: consistent */
	rb_free(a);
	rb_free(b);
	store_close(s);
	rb_remove_temp(path);
}

static void tr_sum_saturates(void **state)
{
	char *path = rb_temp_db(backend, "sum.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct db *db = store_db(s);

	(void)state;
	assert_int_equal(count_sql(db, "SELECT tr_sum(x) FROM (SELECT 9007199254740992 AS x UNION ALL"
	                               " SELECT 9223372036854775807 UNION ALL SELECT 5) AS v"), INT64_MAX);
	assert_int_equal(count_sql(db, "SELECT tr_sum(x) FROM (SELECT 2 AS x UNION ALL SELECT 3"
	                               " UNION ALL SELECT NULL) AS v"), 5);
	assert_int_equal(count_sql(db, "SELECT tr_sum(id) FROM reports"), 0);
	assert_int_equal(count_sql(db, "SELECT tr_add(9223372036854775807, 1)"), INT64_MAX);
	assert_int_equal(count_sql(db, "SELECT tr_add(-5, 7)"), 7);
	store_close(s);
	rb_remove_temp(path);
}

/* tr_day(), which the summary by day groups on, is a UTC date; NULL for
 * NULL.  The SQLite half holds it to the strftime() it replaced. */
static void tr_day_is_strftime(void **state)
{
	static const int64_t times[] = { 0, 1, 86399, 86400, -1, -86400, -86401, 951782400, 951868799,
		                         1709251200, 4102444800, 253402300799, -62167219200 };
	char *path = rb_temp_db(backend, "day.db");
	struct store *s = open_ok(path, STORE_OPEN_CREATE);
	struct db *db = store_db(s);
	char buf[64], sql[256];

	(void)state;
	assert_string_equal(text_at(db, "SELECT tr_day(1709251200)", buf, sizeof buf), "2024-03-01");
	assert_string_equal(text_at(db, "SELECT tr_day(-1)", buf, sizeof buf), "1969-12-31");
	assert_string_equal(text_at(db, "SELECT tr_day(951782400)", buf, sizeof buf), "2000-02-29");
	assert_string_equal(text_at(db, "SELECT COALESCE(tr_day(NULL), 'null')", buf, sizeof buf), "null");
	assert_string_equal(text_at(db, "SELECT string_agg(x, ', ') FROM (SELECT 'a' AS x UNION ALL SELECT NULL"
	                                " UNION ALL SELECT 'b') AS v", buf, sizeof buf), "a, b");
	if (backend != DB_SQLITE)
		goto done;
	/* SQLite-only: the function it replaced, on every edge and a spread of days */
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		snprintf(sql, sizeof sql, "SELECT tr_day(%lld) = strftime('%%Y-%%m-%%d', %lld, 'unixepoch')",
		         (long long)times[i], (long long)times[i]);
		assert_int_equal(count_sql(db, sql), 1);
	}
	assert_int_equal(count_sql(db, "WITH RECURSIVE t(x) AS (SELECT -5000000000 UNION ALL SELECT x + 7777777"
	                               " FROM t WHERE x < 9000000000) SELECT count(*) FROM t"
	                               " WHERE tr_day(x) IS NOT strftime('%Y-%m-%d', x, 'unixepoch')"), 0);
	assert_int_equal(count_sql(db, "SELECT tr_day(253402300800) IS NULL AND tr_day(-62167219201) IS NULL"), 1);
done:
	store_close(s);
	rb_remove_temp(path);
}

/* ---- many writers ---- */

#define WRITERS 4
#define SHARED 50
#define OWN 50

/* Store the shared reports and this writer's own, interleaved, each in
 * its own transaction; count what came back. */
static int write_share(const char *path, int writer, int *stored, int *dups)
{
	struct store *s = NULL;
	struct tr_error e;
	char id[64], sub[64];

	*stored = *dups = 0;
	if (store_open(path, STORE_OPEN_CREATE, 30000, &s, &e) != TR_OK) {
		fprintf(stderr, "writer %d: %s\n", writer, e.msg);
		return -1;
	}
	for (int i = 0; i < SHARED + OWN; i++) {
		struct tlsrpt_report *r;
		enum store_outcome out;

		snprintf(sub, sizeof sub, i % 2 ? "shared.example" : "writer%d.example", writer);
		snprintf(id, sizeof id, "r-%d", i / 2);
		r = simple_report(sub, id, 1700000000);
		if (store_put_report(s, r, &meta_milter, &out, &e) != TR_OK) {
			fprintf(stderr, "writer %d: %s\n", writer, e.msg);
			rb_free(r);
			store_close(s);
			return -1;
		}
		*stored += out == STORE_STORED;
		*dups += out == STORE_DUPLICATE;
		rb_free(r);
	}
	store_close(s);
	return 0;
}

static void check_shared_totals(const char *path)
{
	struct store *s = open_ok(path, STORE_OPEN_READONLY);
	struct db *db = store_db(s);

	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports"), SHARED + WRITERS * OWN);
	assert_int_equal(count_sql(db, "SELECT count(*) FROM reports WHERE submitter = 'shared.example'"), SHARED);
	assert_int_equal(count_sql(db, "SELECT sum(total_successful) FROM policies"), 10 * (SHARED + WRITERS * OWN));
	assert_int_equal(count_sql(db, "SELECT sum(failed_session_count) FROM failure_details"),
	                 2 * (SHARED + WRITERS * OWN));
	store_close(s);
}

static void processes_store_each_report_once(void **state)
{
	char *path = rb_temp_db(backend, "procs.db");
	pid_t pids[WRITERS];

	(void)state;
	/* nobody creates the database first: they race for that too */
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			int stored, dups;

			_exit(write_share(path, w, &stored, &dups) == 0 && stored + dups == SHARED + OWN ? 0 : 1);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status = 0;

		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	check_shared_totals(path);
	rb_remove_temp(path);
}

struct writer_arg {
	const char *path;
	int writer;
	int rc, stored, dups;
};

static void *writer_thread(void *p)
{
	struct writer_arg *a = p;

	a->rc = write_share(a->path, a->writer, &a->stored, &a->dups);
	return NULL;
}

static void threads_store_each_report_once(void **state)
{
	char *path = rb_temp_db(backend, "threads.db");
	struct writer_arg args[WRITERS];
	pthread_t tids[WRITERS];
	int stored = 0, dups = 0;

	(void)state;
	for (int w = 0; w < WRITERS; w++) {
		args[w] = (struct writer_arg){ path, w, 0, 0, 0 };
		assert_int_equal(pthread_create(&tids[w], NULL, writer_thread, &args[w]), 0);
	}
	for (int w = 0; w < WRITERS; w++) {
		assert_int_equal(pthread_join(tids[w], NULL), 0);
		assert_int_equal(args[w].rc, 0);
		stored += args[w].stored;
		dups += args[w].dups;
	}
	assert_int_equal(stored, SHARED + WRITERS * OWN);
	assert_int_equal(dups, (WRITERS - 1) * SHARED);
	check_shared_totals(path);
	rb_remove_temp(path);
}

/* ---- the list, once per backend ---- */

static int setup_backend(void **state)
{
	backend = *(const enum db_kind *)*state;
	return 0;
}

#define CASE(fn, sqlite_only) { #fn, fn, setup_backend, NULL, sqlite_only }

static const struct testdb_case cases[] = {
	CASE(missing_database_is_notfound, 1),
	CASE(create_sets_schema_and_pragmas, 1),
	CASE(empty_file_is_version_zero, 1),
	CASE(empty_file_read_only_is_as_good_as_missing, 1),
	CASE(not_a_database_is_db_error, 1),
	CASE(directory_is_refused_by_name, 1),
	CASE(newer_schema_is_refused, 1),
	CASE(foreign_database_is_refused, 1),
	CASE(corrupt_file_is_db_error, 1),
	CASE(read_only_database_is_db_error, 1),
	CASE(read_only_store_sees_concurrent_writes, 0),
	CASE(migration_runner_upgrades_in_order, 1),
	CASE(migration_from_version_two, 1),
	CASE(compiled_migrations_match_schema, 1),
	CASE(migrated_schema_is_the_new_schema, 1),
	CASE(migration_6_lowercases_domains_and_merges_twins, 1),
	CASE(put_then_duplicate_changes_nothing, 0),
	CASE(identity_is_submitter_id_and_range, 0),
	CASE(every_field_is_kept, 0),
	CASE(bad_arguments_are_usage_errors, 0),
	CASE(raw_json_round_trips, 0),
	CASE(arrived_compressed_kept_verbatim, 0),
	CASE(string_arrays_match_cjson, 0),
	CASE(parsed_report_round_trips, 0),
	CASE(failed_report_leaves_nothing, 0),
	CASE(failure_details_around_statement_sizes, 0),
	CASE(batch_commits_once_and_failures_roll_back_alone, 0),
	CASE(rollup_failure_at_batch_end_loses_the_batch, 0),
	CASE(batched_rollups_equal_one_by_one, 0),
	CASE(chunk_with_a_failing_report_in_the_middle, 0),
	CASE(duplicates_inside_one_chunk, 0),
	CASE(chunk_boundaries_and_a_partial_last_chunk, 0),
	CASE(huge_reports_bound_a_chunk, 0),
	CASE(full_disk_fails_one_report_cleanly, 1),
	CASE(locked_database_is_busy, 1),  /* one write lock per file; PostgreSQL locks rows (test_db) */
	CASE(deleting_a_report_cascades, 0),
	CASE(tr_sum_saturates, 0),
	CASE(tr_day_is_strftime, 0),
	CASE(processes_store_each_report_once, 0),
	CASE(threads_store_each_report_once, 0),
};

int main(void)
{
	return testdb_run_group("store", cases, sizeof cases / sizeof cases[0]);
}
