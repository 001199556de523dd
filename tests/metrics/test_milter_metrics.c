/*
 * Unit tests of the milter's metrics (milter/metrics.c) without HTTP:
 * counters from many threads add up exactly, the labels stay bounded
 * whatever the reports say, the histogram is cumulative, the spool depth
 * counts finished files only, and the text passes promtool's linter when
 * promtool is installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"

#define THREADS 4
#define PER_THREAD 20000

static char *render(struct metrics *m, const char *spool)
{
	struct promtext p;
	char *s;
	size_t len;

	promtext_init(&p, METRICS_TEXT_MAX);
	metrics_render(m, spool, &p);
	assert_int_equal(p.status, TR_OK);
	s = buf_detach(&p.out, &len);
	assert_non_null(s);
	return s;
}

/* The value of the sample whose line starts with series + " ", or -1. */
static long long sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

static void *count_a_lot(void *arg)
{
	struct metrics *m = arg;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		metrics_message(m, i % 2);
		metrics_report(m, METRICS_STORED);
		metrics_auth(m, "pass");
		metrics_store_seconds(m, 0.002);
	}
	return NULL;
}

static void counters_add_up_across_threads(void **state)
{
	pthread_t t[THREADS];
	struct metrics m;
	char *text;
	int i;

	(void)state;
	metrics_init(&m);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, count_a_lot, &m), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	text = render(&m, NULL);
	assert_int_equal(sample(text, "tlsrpt_milter_messages_total"), THREADS * PER_THREAD);
	assert_int_equal(sample(text, "tlsrpt_milter_messages_skipped_total"), THREADS * PER_THREAD / 2);
	assert_int_equal(sample(text, "tlsrpt_milter_reports_total{outcome=\"stored\"}"),
	                 THREADS * PER_THREAD);
	assert_int_equal(sample(text, "tlsrpt_milter_auth_verdicts_total{verdict=\"pass\"}"),
	                 THREADS * PER_THREAD);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_count"),
	                 THREADS * PER_THREAD);
	free(text);
	metrics_destroy(&m);
}

static void invalid_and_auth_classes(void **state)
{
	struct metrics m;
	char *text;

	(void)state;
	metrics_init(&m);
	metrics_invalid(&m, TR_ERR_FORMAT);
	metrics_invalid(&m, TR_ERR_LIMIT);
	metrics_invalid(&m, TR_ERR_LIMIT);
	metrics_invalid(&m, TR_ERR_NOMEM);
	metrics_auth(&m, "fail");
	metrics_auth(&m, "whatever");
	metrics_auth(&m, NULL);
	metrics_report(&m, METRICS_N_OUTCOMES); /* out of range: ignored */
	metrics_report(NULL, METRICS_STORED);   /* no metrics: no-op */
	text = render(&m, NULL);
	assert_int_equal(sample(text, "tlsrpt_milter_reports_invalid_total{reason=\"format\"}"), 1);
	assert_int_equal(sample(text, "tlsrpt_milter_reports_invalid_total{reason=\"limit\"}"), 2);
	assert_int_equal(sample(text, "tlsrpt_milter_reports_invalid_total{reason=\"other\"}"), 1);
	assert_int_equal(sample(text, "tlsrpt_milter_auth_verdicts_total{verdict=\"fail\"}"), 1);
	assert_int_equal(sample(text, "tlsrpt_milter_auth_verdicts_total{verdict=\"unknown\"}"), 2);
	free(text);
	metrics_destroy(&m);
}

static void sessions_labels_are_bounded(void **state)
{
	struct tlsrpt_failure f[2] = {
		{ .result_type = "certificate-expired", .failed_session_count = 3 },
		{ .result_type = "made-up\"type\n", .failed_session_count = 2 },
	};
	struct tlsrpt_policy pol = { .policy_type = "sts", .total_successful = 10,
	                             .failures = f, .n_failures = 2 };
	struct tlsrpt_report r = { .policies = &pol, .n_policies = 1 };
	char name[64], *text;
	struct metrics m;
	int i;

	(void)state;
	metrics_init(&m);
	for (i = 0; i < METRICS_MAX_DOMAINS + 20; i++) {
		snprintf(name, sizeof name, "d%03d.example", i);
		pol.policy_domain = name;
		metrics_sessions(&m, &r);
	}
	pol.policy_domain = NULL;
	metrics_sessions(&m, &r);
	text = render(&m, NULL);
	assert_int_equal(sample(text, "tlsrpt_milter_sessions_total{policy_domain=\"d000.example\","
	                              "result_type=\"success\"}"), 10);
	assert_int_equal(sample(text, "tlsrpt_milter_sessions_total{policy_domain=\"d000.example\","
	                              "result_type=\"certificate-expired\"}"), 3);
	assert_int_equal(sample(text, "tlsrpt_milter_sessions_total{policy_domain=\"d000.example\","
	                              "result_type=\"other\"}"), 2);
	assert_int_equal(sample(text, "tlsrpt_milter_sessions_total{policy_domain=\"d099.example\","
	                              "result_type=\"success\"}"), 10);
	/* the 101st domain on, and the one without a name, share "other" */
	assert_int_equal(sample(text, "tlsrpt_milter_sessions_total{policy_domain=\"d100.example\","
	                              "result_type=\"success\"}"), -1);
	assert_int_equal(sample(text, "tlsrpt_milter_sessions_total{policy_domain=\"other\","
	                              "result_type=\"success\"}"), 21 * 10);
	assert_null(strstr(text, "made-up"));
	free(text);
	metrics_destroy(&m);
}

static void histogram_is_cumulative(void **state)
{
	struct metrics m;
	char *text;

	(void)state;
	metrics_init(&m);
	metrics_store_seconds(&m, 0.0001);
	metrics_store_seconds(&m, 0.003);
	metrics_store_seconds(&m, 0.003);
	metrics_store_seconds(&m, 30);
	metrics_store_seconds(&m, -1);
	text = render(&m, NULL);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_bucket{le=\"0.0005\"}"), 2);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_bucket{le=\"0.0025\"}"), 2);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_bucket{le=\"0.005\"}"), 4);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_bucket{le=\"5\"}"), 4);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_bucket{le=\"+Inf\"}"), 5);
	assert_int_equal(sample(text, "tlsrpt_milter_store_duration_seconds_count"), 5);
	assert_non_null(strstr(text, "tlsrpt_milter_store_duration_seconds_sum 30.0061"));
	free(text);
	metrics_destroy(&m);
}

static void spool_depth_and_lint(void **state)
{
	char dir[] = "/tmp/tlsrpt-metrics.XXXXXX", path[256], cmd[600], *text;
	const char *names[] = { "1.2.a.eml", "3.4.b.eml", ".tmp.x", "note.txt" };
	struct metrics m;
	FILE *f;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
	}
	metrics_init(&m);
	text = render(&m, dir);
	assert_int_equal(sample(text, "tlsrpt_milter_spool_messages"), 2);
	assert_non_null(strstr(text, "tlsrpt_milter_build_info{version=\""));
	free(text);
	text = render(&m, "/nonexistent/spool");
	assert_int_equal(sample(text, "tlsrpt_milter_spool_messages"), 0);
	snprintf(path, sizeof path, "%s/metrics.prom", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	if (system("command -v promtool >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
		assert_int_equal(system(cmd), 0);
	}
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/metrics.prom", dir);
	unlink(path);
	rmdir(dir);
	metrics_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_add_up_across_threads),
		cmocka_unit_test(invalid_and_auth_classes),
		cmocka_unit_test(sessions_labels_are_bounded),
		cmocka_unit_test(histogram_is_cumulative),
		cmocka_unit_test(spool_depth_and_lint),
	};

	return cmocka_run_group_tests_name("milter_metrics", tests, NULL, NULL);
}
