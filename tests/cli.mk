# Tests of the tlsrpt-report CLI: unit tests of its pure pieces (cmocka) and
# end-to-end shell tests that print TAP.
if HAVE_CMOCKA
check_PROGRAMS += tests/cli/test_mbox tests/cli/test_output tests/cli/test_args tests/cli/test_mail
TESTS += tests/cli/test_mbox tests/cli/test_output tests/cli/test_args tests/cli/test_mail
CLI_TEST_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -I$(top_srcdir)/aggregator
CLI_TEST_LIBS = aggregator/libcli.a $(TLSRPT_LIBS) $(CMOCKA_LIBS)
tests_cli_test_mbox_SOURCES = tests/cli/test_mbox.c
tests_cli_test_mbox_CFLAGS = $(CLI_TEST_CFLAGS)
tests_cli_test_mbox_LDADD = $(CLI_TEST_LIBS)
tests_cli_test_output_SOURCES = tests/cli/test_output.c
tests_cli_test_output_CFLAGS = $(CLI_TEST_CFLAGS)
tests_cli_test_output_LDADD = $(CLI_TEST_LIBS)
tests_cli_test_args_SOURCES = tests/cli/test_args.c
tests_cli_test_args_CFLAGS = $(CLI_TEST_CFLAGS)
tests_cli_test_args_LDADD = $(CLI_TEST_LIBS)
tests_cli_test_mail_SOURCES = tests/cli/test_mail.c
tests_cli_test_mail_CFLAGS = $(CLI_TEST_CFLAGS)
tests_cli_test_mail_LDADD = $(CLI_TEST_LIBS)
endif

# End-to-end tests of the installed-to-be binary; they find it and the
# fixtures through top_builddir and top_srcdir.
CLI_SHELL_TESTS = tests/cli/import.sh tests/cli/summary.sh tests/cli/parse.sh \
	tests/cli/errors.sh tests/cli/concurrent.sh tests/cli/samples.sh \
	tests/cli/views.sh tests/cli/digest.sh tests/cli/expire.sh tests/cli/case.sh \
	tests/cli/escape-once.sh tests/cli/dkim.sh tests/cli/counting.sh tests/cli/copy.sh \
	tests/cli/same-views.sh
# docs/postgresql.md's roles and grants, in a private cluster of its own
CLI_SHELL_TESTS += tests/cli/roles.sh
TESTS += $(CLI_SHELL_TESTS)
EXTRA_DIST += $(CLI_SHELL_TESTS) tests/cli/tap.sh tests/cli/on-pg.sh

# The tests of the store and its views once more on PostgreSQL: the test
# tests/cli/NAME.pg is tests/cli/on-pg.sh running NAME.sh there (one test
# list, two backends).  NAME.pg is only a name: the empty rule below
# stands in for the file.
CLI_PG_TESTS = tests/cli/import.pg tests/cli/summary.pg tests/cli/samples.pg \
	tests/cli/views.pg tests/cli/digest.pg tests/cli/expire.pg tests/cli/case.pg \
	tests/cli/escape-once.pg tests/cli/counting.pg
TESTS += $(CLI_PG_TESTS)
TEST_EXTENSIONS = .pg
PG_LOG_DRIVER = $(LOG_DRIVER)
PG_LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/cli/on-pg.sh
$(CLI_PG_TESTS):
	@:
