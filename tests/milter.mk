# Tests of the milter area: unit tests of authres, the config parser and
# the gate, then the daemon against real peers (miltertest, and Postfix on
# loopback).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_authres tests/test_conf tests/test_gate
TESTS += tests/test_authres tests/test_conf tests/test_gate
tests_test_authres_SOURCES = tests/test_authres.c
tests_test_authres_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_authres_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
tests_test_conf_SOURCES = tests/test_conf.c milter/conf.c milter/conf.h
tests_test_conf_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/milter
tests_test_conf_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
tests_test_gate_SOURCES = tests/test_gate.c milter/gate.c milter/gate.h
tests_test_gate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/milter
tests_test_gate_LDADD = $(CMOCKA_LIBS) -lpthread
endif

# Real peers: each script starts its own milter on its own socket, so
# make -j check runs them side by side; they skip without miltertest.
MILTER_SHELL_TESTS = tests/milter/t-negotiate.sh tests/milter/t-daemon.sh \
	tests/milter/t-store.sh tests/milter/t-postfix.sh \
	tests/milter/t-timing.sh tests/milter/t-startup.sh tests/milter/t-drain.sh \
	tests/milter/t-dkim.sh tests/milter/t-postfix-dkim.sh tests/milter/t-postfix-opendkim.sh
TESTS += $(MILTER_SHELL_TESTS)
EXTRA_DIST += $(MILTER_SHELL_TESTS) tests/milter/common.sh tests/milter/common.lua \
	tests/milter/negotiate.lua tests/milter/oversize.lua \
	tests/milter/store.lua tests/milter/actions.lua tests/milter/auth.lua \
	tests/milter/spool.lua tests/milter/tempfail.lua \
	tests/milter/timing.lua tests/milter/smtp-stop.py tests/milter/dkim.lua tests/milter/dkim_temperror.lua \
	tests/milter/authres-forged.lua

# Forged Authentication-Results of every shape, against both ways of
# judging a report (milter/verdict.c).
if HAVE_CMOCKA
check_PROGRAMS += tests/test_verdict
TESTS += tests/test_verdict
tests_test_verdict_SOURCES = tests/test_verdict.c tests/testutil.c tests/testutil.h \
	milter/verdict.c milter/verdict.h milter/conf.c milter/conf.h milter/log.c milter/log.h
tests_test_verdict_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/milter
tests_test_verdict_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS) -lpthread
endif
