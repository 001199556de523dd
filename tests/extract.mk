# The whole pipeline: message -> reports, on the project's fixtures and on
# the real samples in ../shared/samples/tlsrpt when they are there.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_extract
TESTS += tests/test_extract
tests_test_extract_SOURCES = tests/test_extract.c tests/testutil.c tests/testutil.h
tests_test_extract_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_extract_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
