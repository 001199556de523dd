# tlsrpt-report: the companion CLI.  The pieces other than main.c and the
# commands form a small library so that the unit tests link them alone.
noinst_LIBRARIES += aggregator/libcli.a
aggregator_libcli_a_SOURCES = \
	aggregator/opts.c aggregator/opts.h \
	aggregator/escape.c aggregator/output.c aggregator/output.h \
	aggregator/table.c aggregator/table.h \
	aggregator/records.c aggregator/records.h \
	aggregator/mail.c aggregator/mail.h \
	aggregator/digest.c aggregator/digest.h \
	aggregator/when.c aggregator/when.h \
	aggregator/threshold.c aggregator/threshold.h \
	aggregator/mbox.c aggregator/source.c aggregator/source.h
aggregator_libcli_a_CFLAGS = $(TLSRPT_CFLAGS)

bin_PROGRAMS += aggregator/tlsrpt-report
aggregator_tlsrpt_report_SOURCES = aggregator/main.c aggregator/cli.h \
	aggregator/cli_common.c \
	aggregator/cmd_import.c aggregator/cmd_summary.c aggregator/cmd_parse.c \
	aggregator/cmd_failures.c aggregator/cmd_list.c aggregator/cmd_show.c \
	aggregator/cmd_expire.c aggregator/cmd_copy.c aggregator/cmd_digest.c aggregator/cmd_check.c \
	aggregator/cmd_metrics.c aggregator/cmd_check_failures.c aggregator/cmd_dns.c
aggregator_tlsrpt_report_CFLAGS = $(TLSRPT_CFLAGS) -I$(top_srcdir)/check -pthread
aggregator_tlsrpt_report_LDADD = aggregator/libcli.a $(CHECK_LIBS) $(TLSRPT_LIBS) -lpthread

dist_man_MANS += docs/tlsrpt-report.1
dist_doc_DATA += docs/DIGEST.md docs/check.md docs/digest-example.png
