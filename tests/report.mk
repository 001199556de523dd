# Unit tests of the report area: inflate, datetime and the RFC 8460 model.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_inflate tests/test_datetime tests/test_report
TESTS += tests/test_inflate tests/test_datetime tests/test_report
tests_test_inflate_SOURCES = tests/test_inflate.c
tests_test_inflate_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_inflate_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
tests_test_datetime_SOURCES = tests/test_datetime.c
tests_test_datetime_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_datetime_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
tests_test_report_SOURCES = tests/test_report.c
tests_test_report_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_report_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
