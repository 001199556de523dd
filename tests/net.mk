# Unit tests of net/httpserv (the HTTP server both daemons use): a live
# server on 127.0.0.1 with an ephemeral port.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_httpserv
TESTS += tests/test_httpserv
tests_test_httpserv_SOURCES = tests/test_httpserv.c
tests_test_httpserv_CPPFLAGS = $(AM_CPPFLAGS) $(NET_CPPFLAGS)
tests_test_httpserv_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_httpserv_LDADD = $(NET_LIBS) $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif
