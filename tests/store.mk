# Unit tests of the store (schema, migrations, concurrency) and of the
# summary queries; both build reports by hand with report_builder.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_store tests/test_summary
TESTS += tests/test_store tests/test_summary
tests_test_store_SOURCES = tests/test_store.c tests/report_builder.c tests/report_builder.h \
	tests/testdb.c tests/testdb.h
tests_test_store_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_test_store_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS) -lpthread
tests_test_summary_SOURCES = tests/test_summary.c tests/report_builder.c tests/report_builder.h \
	tests/testdb.c tests/testdb.h \
	tests/testutil.c tests/testutil.h
tests_test_summary_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_summary_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
