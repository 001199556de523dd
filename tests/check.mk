# Tests of "tlsrpt-report check": unit tests of its pure parsers, then the
# whole command against a world of real servers built on loopback inside a
# private network namespace (tests/check/world.sh): nsd with a signed zone,
# nginx for the policy, Postfix as MX hosts.  The world needs root and
# unshare; without them the scripts skip.
if HAVE_CMOCKA
check_PROGRAMS += tests/test_stspolicy
TESTS += tests/test_stspolicy
tests_test_stspolicy_SOURCES = tests/test_stspolicy.c
tests_test_stspolicy_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/check
tests_test_stspolicy_LDADD = check/libcheck.a $(TLSRPT_LIBS) $(CMOCKA_LIBS)
endif

CHECK_SHELL_TESTS = tests/check/dns.sh tests/check/policy.sh tests/check/mx.sh \
	tests/check/reports.sh
TESTS += $(CHECK_SHELL_TESTS)
EXTRA_DIST += $(CHECK_SHELL_TESTS) tests/check/world.sh tests/check/tarpit.py
