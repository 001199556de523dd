# Unit tests of the small shared pieces: buf, err, limits.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_buf
TESTS += tests/test_buf
tests_test_buf_SOURCES = tests/test_buf.c
tests_test_buf_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_buf_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
