# The conformance suite of lib/db.h's backends (tests/test_db.c), once per
# backend; tests/testdb.c gives each case a fresh database, PostgreSQL's
# in the cluster run-tests starts (tests/pg/cluster.sh, TLSRPT_TEST_PG).
EXTRA_DIST += tests/pg/cluster.sh tests/pg/lib.sh tests/pg/t-fresh-db.sh
TESTS += tests/pg/t-fresh-db.sh
if HAVE_CMOCKA
check_PROGRAMS += tests/test_db
TESTS += tests/test_db
tests_test_db_SOURCES = tests/test_db.c tests/testdb.c tests/testdb.h
tests_test_db_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_db_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
