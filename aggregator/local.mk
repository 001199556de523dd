# tlsrpt-report: the companion CLI.  The pieces other than main.c and the
# commands form a small library so that the unit tests link them alone.
noinst_LIBRARIES += aggregator/libcli.a
aggregator_libcli_a_SOURCES = \
	aggregator/opts.c aggregator/opts.h \
	aggregator/escape.c aggregator/output.c aggregator/output.h \
	aggregator/when.c aggregator/when.h \
	aggregator/mbox.c aggregator/source.c aggregator/source.h
aggregator_libcli_a_CFLAGS = $(TLSRPT_CFLAGS)

bin_PROGRAMS += aggregator/tlsrpt-report
aggregator_tlsrpt_report_SOURCES = aggregator/main.c aggregator/cli.h \
	aggregator/cmd_import.c aggregator/cmd_summary.c aggregator/cmd_parse.c
aggregator_tlsrpt_report_CFLAGS = $(TLSRPT_CFLAGS)
aggregator_tlsrpt_report_LDADD = aggregator/libcli.a $(TLSRPT_LIBS)

dist_man_MANS += docs/tlsrpt-report.1
