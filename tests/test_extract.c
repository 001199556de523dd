/*
 * Unit tests of extract: whole messages in, reports out.  Each fixture in
 * tests/fixtures/mail reproduces one quirk of real senders (see
 * make-fixtures.py); the real samples, when present, must all parse.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "extract.h"
#include "testutil.h"

struct want_item {
	int valid;
	const char *submitter;
	const char *report_id;
	size_t n_policies;
	const char *policy_domain;   /* of the first policy */
	uint64_t ok, failed;         /* sums over policies */
	int64_t start;
};

struct want_message {
	const char *file;
	const char *message_id;
	size_t n;
	struct want_item items[2];
};

static const struct want_message fixtures[] = {
	{ "alpha-sts-failures-crlf.eml", "a1@alpha.example", 1,
	  { { 1, "alpha.example", "2026-03-01T00:00:00Z_example.com", 1, "example.com", 1200, 7, 1772323200 } } },
	{ "alpha-sts-failures-again-lf.eml", "a2@alpha.example", 1,
	  { { 1, "alpha.example", "2026-03-01T00:00:00Z_example.com", 1, "example.com", 1200, 7, 1772323200 } } },
	{ "bravo-html-part-tlsa-no-zone.eml", "b1@bravo.example", 1,
	  { { 1, "bravo.example", "133900000000000000+example.com", 2, "example.com", 80, 0, 1772323200 } } },
	{ "charlie-unterminated-multipart.eml", "c1@charlie.example", 1,
	  { { 1, "charlie.example", "charlie-2026-03-01-example.com", 1, "example.com", 300, 1, 1772323200 } } },
	{ "delta-uncompressed-no-policy-domain.eml", "d1@delta.example", 1,
	  { { 1, "delta.example", "2026-03-01T00:00:00Z_idx1_delta.example", 1, "example.net", 3, 0, 1772323200 } } },
	{ "echo-forwarded-rfc822.eml", "fwd1@example.com", 1,
	  { { 1, "echo.example", "echo-42", 1, "example.com", 10, 3, 1772323200 } } },
	{ "foxtrot-two-reports-nested.eml", "f1@foxtrot.example", 2,
	  { { 1, "foxtrot.example", "fox-1", 1, "example.com", 500, 0, 1772409600 },
	    { 1, "foxtrot.example", "fox-2", 1, "example.org", 80, 4, 1772409600 } } },
	{ "golf-whole-body.eml", "g1@golf.example", 1,
	  { { 1, "golf.example", "golf-7", 1, "example.com", 70, 1, 1772488800 } } },
	{ "hotel-invalid-report.eml", "h1@hotel.example", 1,
	  { { 0, "hotel.example", NULL, 0, NULL, 0, 0, 0 } } },
	{ "not-a-report.eml", "cron1@example.com", 0, { { 0 } } },
};

static char *read_fixture(const char *name, size_t *len)
{
	char path[4096], rel[512];
	char *data;

	snprintf(rel, sizeof rel, "tests/fixtures/mail/%s", name);
	testutil_srcpath(path, sizeof path, rel);
	data = testutil_read_file(path, len);
	if (data == NULL)
		fail_msg("cannot read %s", path);
	return data;
}

static void check_item(const struct want_message *w, const struct want_item *want,
                       const struct extract_item *got)
{
	const struct tlsrpt_report *r = got->report;

	if (!want->valid) {
		assert_null(r);
		assert_int_not_equal(got->error.code, TR_OK);
		assert_true(got->error.msg[0] != '\0');
		assert_string_equal(got->submitter, want->submitter);
		return;
	}
	if (r == NULL)
		fail_msg("%s: %s", w->file, got->error.msg);
	assert_string_equal(got->submitter, want->submitter);
	assert_string_equal(r->submitter, want->submitter);
	assert_string_equal(got->report_id, want->report_id);
	assert_string_equal(r->report_id, want->report_id);
	assert_int_equal(r->n_policies, want->n_policies);
	assert_string_equal(r->policies[0].policy_domain, want->policy_domain);
	assert_int_equal(report_total_successful(r), want->ok);
	assert_int_equal(report_total_failure(r), want->failed);
	assert_int_equal(r->start, want->start);
	assert_non_null(r->json);
	assert_true(r->json_len > 0 && r->json[0] == '{');
}

static void fixtures_yield_expected_reports(void **state)
{
	struct tr_limits lim;
	size_t i, j;

	(void)state;
	limits_default(&lim);
	for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		const struct want_message *w = &fixtures[i];
		struct extract_result res;
		struct tr_error err;
		size_t len;
		char *msg = read_fixture(w->file, &len);

		print_message("# %s\n", w->file);
		assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_OK);
		assert_int_equal(res.n, w->n);
		assert_string_equal(res.message_id, w->message_id);
		for (j = 0; j < w->n; j++)
			check_item(w, &w->items[j], &res.items[j]);
		extract_result_free(&res);
		free(msg);
	}
}

static void policy_domain_falls_back_to_header(void **state)
{
	struct tr_limits lim;
	struct extract_result res;
	struct tr_error err;
	size_t len;
	char *msg = read_fixture("delta-uncompressed-no-policy-domain.eml", &len);

	(void)state;
	limits_default(&lim);
	assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_OK);
	assert_int_equal(res.n, 1);
	assert_non_null(res.items[0].report);
	assert_int_equal(res.items[0].report->policies[0].policy_domain_fallback, 1);
	assert_null(res.items[0].report->contact_info);
	extract_result_free(&res);
	free(msg);
}

static void oversized_message_is_refused(void **state)
{
	struct tr_limits lim;
	struct extract_result res;
	struct tr_error err;
	size_t len;
	char *msg = read_fixture("alpha-sts-failures-crlf.eml", &len);

	(void)state;
	limits_default(&lim);
	lim.max_message = len - 1;
	assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "exceeds"));
	extract_result_free(&res);
	free(msg);
}

static void report_count_is_bounded(void **state)
{
	struct tr_limits lim;
	struct extract_result res;
	struct tr_error err;
	size_t len;
	char *msg = read_fixture("foxtrot-two-reports-nested.eml", &len);

	(void)state;
	limits_default(&lim);
	lim.max_reports = 1;
	assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_ERR_LIMIT);
	assert_int_equal(res.n, 1); /* what was found before the limit is kept */
	extract_result_free(&res);
	free(msg);
}

static void gzip_bomb_in_a_part_is_an_invalid_item(void **state)
{
	struct tr_limits lim;
	struct extract_result res;
	struct tr_error err;
	size_t len;
	char *msg = read_fixture("alpha-sts-failures-crlf.eml", &len);

	(void)state;
	limits_default(&lim);
	lim.max_inflated = 100; /* the report inflates to far more */
	assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_OK);
	assert_int_equal(res.n, 1);
	assert_null(res.items[0].report);
	assert_int_equal(res.items[0].error.code, TR_ERR_LIMIT);
	assert_string_equal(res.items[0].submitter, "alpha.example");
	extract_result_free(&res);
	free(msg);
}

static void raw_file_uses_rfc8460_filename(void **state)
{
	static const char json[] =
		"{\"organization-name\":\"X\",\"date-range\":{\"start-datetime\":"
		"\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},"
		"\"report-id\":\"r1\",\"policies\":[{\"policy\":{\"policy-type\":"
		"\"no-policy-found\"},\"summary\":{\"total-successful-session-count\":2,"
		"\"total-failure-session-count\":0}}]}";
	struct tr_limits lim;
	struct extract_result res;
	struct tr_error err;

	(void)state;
	limits_default(&lim);
	assert_int_equal(extract_file((const unsigned char *)json, sizeof json - 1,
	                              "/spool/Sender.Example!example.net!1!2!x.json", &lim, &res, &err),
	                 TR_OK);
	assert_int_equal(res.n, 1);
	assert_non_null(res.items[0].report);
	assert_string_equal(res.items[0].submitter, "sender.example");
	assert_string_equal(res.items[0].report->policies[0].policy_domain, "example.net");
	extract_result_free(&res);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void real_samples_all_parse(void **state)
{
	const char *dir = testutil_samples_dir();
	struct tr_limits lim;
	struct dirent *de;
	size_t seen = 0;
	DIR *d;

	(void)state;
	if (dir == NULL)
		skip();
	limits_default(&lim);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct extract_result res;
		struct tr_error err;
		char path[4096];
		int negative = strncmp(de->d_name, "not-a-report", 12) == 0;
		int eml = has_suffix(de->d_name, ".eml");
		size_t len, i;
		char *data;

		if (!eml && !has_suffix(de->d_name, ".json") && !has_suffix(de->d_name, ".json.gz"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		data = testutil_read_file(path, &len);
		assert_non_null(data);
		if (eml)
			assert_int_equal(extract_message(data, len, &lim, &res, &err), TR_OK);
		else
			assert_int_equal(extract_file((unsigned char *)data, len, de->d_name, &lim, &res, &err), TR_OK);
		if (negative) {
			assert_int_equal(res.n, 0);
		} else {
			if (res.n == 0)
				fail_msg("%s: no report found", de->d_name);
			for (i = 0; i < res.n; i++) {
				if (res.items[i].report == NULL)
					fail_msg("%s: %s", de->d_name, res.items[i].error.msg);
				assert_true(res.items[i].report->n_policies >= 1);
				if (eml && res.items[i].submitter == NULL)
					fail_msg("%s: no submitter", de->d_name);
			}
		}
		seen++;
		extract_result_free(&res);
		free(data);
	}
	closedir(d);
	assert_true(seen >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures_yield_expected_reports),
		cmocka_unit_test(policy_domain_falls_back_to_header),
		cmocka_unit_test(oversized_message_is_refused),
		cmocka_unit_test(report_count_is_bounded),
		cmocka_unit_test(gzip_bomb_in_a_part_is_an_invalid_item),
		cmocka_unit_test(raw_file_uses_rfc8460_filename),
		cmocka_unit_test(real_samples_all_parse),
	};

	return cmocka_run_group_tests_name("extract", tests, NULL, NULL);
}
