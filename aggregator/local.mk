# tlsrpt-report: the companion CLI.
bin_PROGRAMS += aggregator/tlsrpt-report
aggregator_tlsrpt_report_SOURCES = aggregator/main.c
aggregator_tlsrpt_report_CFLAGS = $(TLSRPT_CFLAGS)
aggregator_tlsrpt_report_LDADD = $(TLSRPT_LIBS)
