/*
 * testdb: fresh databases for tests (see testdb.h).  PostgreSQL's are
 * schemas named after the process and a counter; a schema of that name
 * left by an earlier process with the same pid is dropped first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdb.h"

static char sqlite_dir[256];
static unsigned sqlite_files;
static unsigned pg_schemas;

const char *testdb_kind_name(enum db_kind kind)
{
	return kind == DB_POSTGRES ? "postgres" : "sqlite";
}

const char *testdb_unavailable(enum db_kind kind)
{
	const char *uri = getenv("TLSRPT_TEST_PG");

	if (kind != DB_POSTGRES)
		return NULL;
#ifndef HAVE_LIBPQ
	return "built without PostgreSQL (configure --without-postgresql)";
#endif
	if (uri == NULL || *uri == '\0')
		return "TLSRPT_TEST_PG is not set (run-tests starts a cluster: tests/pg/cluster.sh)";
	return NULL;
}

/* The SQLite files and the folder go at exit, with their WAL files. */
static void remove_sqlite_dir(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[320];

	for (unsigned i = 1; i <= sqlite_files; i++) {
		for (size_t k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
			snprintf(path, sizeof path, "%s/db-%u.sqlite%s", sqlite_dir, i, suffix[k]);
			unlink(path);
		}
	}
	rmdir(sqlite_dir);
}

static int fresh_sqlite(char *out, size_t cap)
{
	if (sqlite_dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		snprintf(sqlite_dir, sizeof sqlite_dir, "%s/tlsrpt-testdb.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
		if (mkdtemp(sqlite_dir) == NULL) {
			perror("testdb: mkdtemp");
			sqlite_dir[0] = '\0';
			return -1;
		}
		atexit(remove_sqlite_dir);
	}
	if ((size_t)snprintf(out, cap, "%s/db-%u.sqlite", sqlite_dir, ++sqlite_files) >= cap)
		return -1;
	return 0;
}

static int fresh_pg(char *out, size_t cap)
{
	const char *base = getenv("TLSRPT_TEST_PG");
	char schema[64], sql[192];
	struct tr_error e;
	struct db *db = NULL;
	enum tr_err rc;

	snprintf(schema, sizeof schema, "t_%ld_%u", (long)getpid(), ++pg_schemas);
	snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
	rc = db_open(base, DB_OPEN_EXISTING, 5000, &db, &e);
	if (rc == TR_OK)
		rc = db_exec(db, sql, "creating a test schema", &e);
	db_close(db);
	if (rc != TR_OK) {
		fprintf(stderr, "testdb: %s\n", e.msg);
		return -1;
	}
	/* options=-csearch_path=SCHEMA, URI-encoded */
	if ((size_t)snprintf(out, cap, "%s%coptions=-csearch_path%%3D%s", base, strchr(base, '?') ? '&' : '?',
	                     schema) >= cap)
		return -1;
	return 0;
}

int testdb_fresh(enum db_kind kind, char *out, size_t cap)
{
	const char *why = testdb_unavailable(kind);

	if (why != NULL) {
		fprintf(stderr, "testdb: %s\n", why);
		return -1;
	}
	return kind == DB_POSTGRES ? fresh_pg(out, cap) : fresh_sqlite(out, cap);
}

int testdb_run_group(const char *group, const struct testdb_case *cases, size_t n)
{
	static const enum db_kind kinds[] = { DB_SQLITE, DB_POSTGRES };
	struct CMUnitTest *tests = calloc(2 * n, sizeof *tests);
	char (*names)[128] = calloc(2 * n, sizeof *names);
	size_t m = 0;
	int rc;

	if (tests == NULL || names == NULL) {
		fprintf(stderr, "testdb: out of memory\n");
		return 1;
	}
	for (size_t b = 0; b < 2; b++) {
		const char *kind = testdb_kind_name(kinds[b]);
		const char *why = testdb_unavailable(kinds[b]);

		if (why != NULL) {
			printf("# %s cases left out: %s\n", kind, why);
			continue;
		}
		for (size_t c = 0; c < n; c++) {
			if (cases[c].sqlite_only && kinds[b] != DB_SQLITE)
				continue;
			snprintf(names[m], sizeof names[m], "%s: %s", kind, cases[c].name);
			tests[m] = (struct CMUnitTest){ names[m], cases[c].fn, cases[c].setup, cases[c].teardown,
			                                (void *)&kinds[b] };
			m++;
		}
	}
	rc = _cmocka_run_group_tests(group, tests, m, NULL, NULL);
	free(tests);
	free(names);
	return rc;
}
