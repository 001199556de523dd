# DKIM verification of report mail (lib/dkimverify.c) against mails signed
# with real keys (tests/fixtures/dkim, made by make-fixtures.py).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_dkimverify
TESTS += tests/test_dkimverify
tests_test_dkimverify_SOURCES = tests/test_dkimverify.c tests/testutil.c tests/testutil.h
tests_test_dkimverify_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_dkimverify_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
