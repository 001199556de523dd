# Metrics and alerts (docs/metrics.md): the Prometheus rules' unit tests,
# the exposition formats linted by promtool.
METRICS_SHELL_TESTS = tests/metrics/rules.sh
TESTS += $(METRICS_SHELL_TESTS)
EXTRA_DIST += $(METRICS_SHELL_TESTS) docs/metrics.md docs/prometheus/tlsrpt.rules.yml \
	docs/prometheus/tlsrpt.rules.test.yml
