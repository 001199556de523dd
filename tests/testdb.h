/*
 * testdb: a fresh, empty database for each test, on either backend, so
 * that one test list runs once per backend.  SQLite: a new file in a
 * folder of this process's, removed at exit.  PostgreSQL: a new schema in
 * the cluster that run-tests starts (tests/pg/cluster.sh) and names in
 * TLSRPT_TEST_PG, reached through a URI whose search_path is that schema
 * only; the cluster goes away with everything in it after the run.
 * Shell tests get the same from tests/pg/lib.sh.
 */
#ifndef TLSRPT_TESTDB_H
#define TLSRPT_TESTDB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "db.h"

/* The backend's name for test names and messages: "sqlite", "postgres". */
const char *testdb_kind_name(enum db_kind kind);

/* NULL when kind can be tested here, else why not (a test skips):
 * PostgreSQL needs TLSRPT_TEST_PG and a build with libpq. */
const char *testdb_unavailable(enum db_kind kind);

/* Where a new empty database is: a path or a URI, written to out (cap
 * bytes).  0, or -1 with the reason on stderr. */
int testdb_fresh(enum db_kind kind, char *out, size_t cap);

/* One case of a test list run once per backend.  setup (never NULL) and
 * teardown (NULL allowed) find *state pointing at the enum db_kind. */
struct testdb_case {
	const char *name;
	CMUnitTestFunction fn;
	CMFixtureFunction setup, teardown;
	int sqlite_only;  /* about SQLite's files, PRAGMAs, plans or fixtures */
};

/* Run the n cases as cmocka group `group`, once per backend that can be
 * tested here; the others are left out with a note, not skipped (our TAP
 * driver counts a cmocka skip failed).  Returns cmocka's result. */
int testdb_run_group(const char *group, const struct testdb_case *cases, size_t n);

#endif
