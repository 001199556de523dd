# Metrics and alerts (docs/metrics.md): the Prometheus rules' unit tests,
# the exposition formats linted by promtool.
METRICS_SHELL_TESTS = tests/metrics/rules.sh tests/metrics/db.sh tests/metrics/t-prometheus.sh \
	tests/metrics/check.sh tests/metrics/digest-chart.sh tests/metrics/milter-listen.sh
TESTS += $(METRICS_SHELL_TESTS)
EXTRA_DIST += $(METRICS_SHELL_TESTS) tests/metrics/daily.py scripts/digest-example docs/metrics.md docs/prometheus/tlsrpt.rules.yml \
	docs/prometheus/tlsrpt.rules.test.yml

if HAVE_CMOCKA
check_PROGRAMS += tests/metrics/test_promtext
TESTS += tests/metrics/test_promtext
tests_metrics_test_promtext_SOURCES = tests/metrics/test_promtext.c
tests_metrics_test_promtext_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS)
tests_metrics_test_promtext_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/metrics/test_milter_metrics
TESTS += tests/metrics/test_milter_metrics
tests_metrics_test_milter_metrics_SOURCES = tests/metrics/test_milter_metrics.c \
	milter/metrics.c milter/metrics.h
tests_metrics_test_milter_metrics_CFLAGS = $(TLSRPT_CFLAGS) $(CMOCKA_CFLAGS) -pthread \
	-I$(top_srcdir)/milter
tests_metrics_test_milter_metrics_LDADD = $(TLSRPT_LIBS) $(CMOCKA_LIBS) -lpthread
endif
