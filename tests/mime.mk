# Unit tests of the MIME layer: decode (transfer encodings) and mime
# (headers, parameters, the walk).  Fixtures: tests/fixtures/mime/.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_decode tests/test_mime
TESTS += tests/test_decode tests/test_mime
tests_test_decode_SOURCES = tests/test_decode.c
tests_test_decode_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_decode_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
tests_test_mime_SOURCES = tests/test_mime.c
tests_test_mime_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_mime_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
