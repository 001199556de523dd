/*
 * Unit tests of report: the RFC 8460 model as senders really write it.
 * One fixture per tolerated quirk (tests/fixtures/report/, invented
 * domains), a table of precise errors, the limits, UTF-8 repair, the JSON
 * printer, and a pass over the real samples in ../shared/samples/tlsrpt
 * when they are present.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "buf.h"
#include "datetime.h"
#include "inflate.h"
#include "tr_limits.h"
#include "report.h"

#define MAX_FILE (4u * 1024 * 1024)

/* ---- helpers ---------------------------------------------------------- */

static char *read_path(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return NULL;
	buf_init(&b, MAX_FILE);
	for (n = fread(chunk, 1, sizeof chunk, f); n > 0; n = fread(chunk, 1, sizeof chunk, f))
		assert_int_equal(buf_append(&b, chunk, n), TR_OK);
	fclose(f);
	return buf_detach(&b, len);
}

/* Inflate if gzip; returns the bytes to parse (malloc'd). */
static char *maybe_inflate(char *raw, size_t *len)
{
	struct buf out;
	struct tr_error e;
	enum inflate_kind kind = inflate_sniff((unsigned char *)raw, *len);

	if (kind == INFLATE_NONE)
		return raw;
	buf_init(&out, TR_DEFAULT_MAX_INFLATED);
	if (inflate_bytes(kind, (unsigned char *)raw, *len, &out, &e) != TR_OK)
		fail_msg("inflate: %s", e.msg);
	free(raw);
	return buf_detach(&out, len);
}

static char *read_fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	char *raw;

	snprintf(path, sizeof path, "%s/tests/fixtures/report/%s", top ? top : "..", name);
	raw = read_path(path, len);
	if (raw == NULL)
		fail_msg("cannot read fixture %s", path);
	return maybe_inflate(raw, len);
}

static struct tlsrpt_report *parse_fixture(const char *name, const char *fallback)
{
	struct tlsrpt_report *r = NULL;
	struct tr_error e;
	size_t len;
	char *json = read_fixture(name, &len);

	tr_error_clear(&e);
	if (report_parse_json(json, len, NULL, fallback, &r, &e) != TR_OK)
		fail_msg("%s: %s", name, e.msg);
	assert_non_null(r);
	assert_int_equal(r->json_len, len);
	assert_memory_equal(r->json, json, len);
	free(json);
	return r;
}

static enum tr_err parse_lim(const char *json, const struct tr_limits *lim,
                             struct tlsrpt_report **r, struct tr_error *e)
{
	tr_error_clear(e);
	return report_parse_json(json, strlen(json), lim, NULL, r, e);
}

static struct tlsrpt_report *parse_ok(const char *json)
{
	struct tlsrpt_report *r = NULL;
	struct tr_error e;

	if (parse_lim(json, NULL, &r, &e) != TR_OK)
		fail_msg("%s: %s", json, e.msg);
	return r;
}

static int64_t epoch_of(const char *s)
{
	struct tr_error e;
	int64_t t;

	assert_int_equal(datetime_parse(s, &t, &e), TR_OK);
	return t;
}

static uint64_t failure_sum(const struct tlsrpt_policy *p)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < p->n_failures; i++)
		sum += p->failures[i].failed_session_count;
	return sum;
}

/* ---- fixtures: the plain report and each tolerated quirk ---------------- */

static void baseline_report_is_read_in_full(void **state)
{
	struct tlsrpt_report *r = parse_fixture("baseline-rfc-style.json", "unused.example");
	const struct tlsrpt_policy *p;

	(void)state;
	assert_string_equal(r->organization_name, "Example Reporter Ltd");
	assert_string_equal(r->contact_info, "tlsrpt@reporter.example.net");
	assert_string_equal(r->report_id, "fixture-baseline-0001@reporter.example.net");
	assert_int_equal(r->start, epoch_of("2024-05-01T00:00:00Z"));
	assert_int_equal(r->end, r->start + 86399);
	assert_null(r->submitter);
	assert_int_equal(r->n_policies, 1);
	p = &r->policies[0];
	assert_string_equal(p->policy_type, "sts");
	assert_int_equal(p->n_policy_strings, 4);
	assert_string_equal(p->policy_strings[2], "mx: *.mail.example.com");
	assert_string_equal(p->policy_domain, "example.com");
	assert_int_equal(p->policy_domain_fallback, 0);
	assert_int_equal(p->n_mx_hosts, 1);
	assert_string_equal(p->mx_hosts[0], "*.mail.example.com");
	assert_int_equal(p->total_successful, 4100);
	assert_int_equal(p->total_failure, 212);
	assert_int_equal(p->n_failures, 3);
	assert_string_equal(p->failures[0].result_type, "certificate-expired");
	assert_string_equal(p->failures[0].sending_mta_ip, "2001:db8:1::25");
	assert_null(p->failures[0].receiving_ip);
	assert_int_equal(p->failures[0].failed_session_count, 110);
	assert_string_equal(p->failures[1].receiving_mx_helo, "mx2.mail.example.com");
	assert_string_equal(p->failures[1].receiving_ip, "192.0.2.25");
	assert_non_null(strstr(p->failures[1].additional_information, "#StarttlsNotSupported"));
	assert_string_equal(p->failures[2].failure_reason_code, "X509_V_ERR_CERT_UNTRUSTED");
	assert_int_equal(report_total_successful(r), 4100);
	assert_int_equal(report_total_failure(r), 212);
	report_free(r);
}

static void null_optional_fields_read_as_missing(void **state)
{
	struct tlsrpt_report *r = parse_fixture("optional-null.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[0];

	(void)state;
	assert_null(r->contact_info);
	assert_string_equal(r->organization_name, "reporter.example.net");
	assert_int_equal(p->n_policy_strings, 0);
	assert_null(p->policy_strings);
	assert_int_equal(p->n_mx_hosts, 0);
	assert_int_equal(p->n_failures, 0);
	assert_int_equal(p->total_successful, 1);
	assert_int_equal(p->total_failure, 0);
	report_free(r);
}

static void missing_optional_fields_are_null(void **state)
{
	struct tlsrpt_report *r = parse_fixture("optional-missing.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[0];

	(void)state;
	assert_null(r->organization_name);
	assert_null(r->contact_info);
	assert_int_equal(p->n_policy_strings, 0);
	assert_int_equal(p->n_mx_hosts, 0);
	assert_int_equal(p->n_failures, 0);
	assert_null(p->failures);
	assert_int_equal(p->total_successful, 3);
	report_free(r);
}

static void empty_strings_are_kept(void **state)
{
	struct tlsrpt_report *r = parse_fixture("empty-strings.json", "fallback.example");
	const struct tlsrpt_failure *f = &r->policies[0].failures[0];

	(void)state;
	assert_string_equal(r->organization_name, "");
	assert_string_equal(r->contact_info, "");
	assert_int_equal(r->policies[0].n_policy_strings, 2);
	assert_string_equal(r->policies[0].policy_strings[1], "");
	assert_string_equal(f->sending_mta_ip, "");
	assert_string_equal(f->receiving_ip, "");
	assert_string_equal(f->receiving_mx_hostname, "");
	assert_string_equal(f->additional_information, "");
	assert_null(f->receiving_mx_helo);
	assert_string_equal(f->failure_reason_code, "no-policy-served");
	report_free(r);
}

static void mx_host_as_a_string(void **state)
{
	struct tlsrpt_report *r = parse_fixture("mxhost-string.json", NULL);

	(void)state;
	assert_int_equal(r->policies[0].n_mx_hosts, 1);
	assert_string_equal(r->policies[0].mx_hosts[0], "*.mail.example.com");
	report_free(r);
}

static void mx_host_as_an_array(void **state)
{
	struct tlsrpt_report *r = parse_fixture("mxhost-array.json", NULL);

	(void)state;
	assert_int_equal(r->policies[0].n_mx_hosts, 2);
	assert_string_equal(r->policies[0].mx_hosts[0], "*.example.com");
	assert_string_equal(r->policies[0].mx_hosts[1], "mx.example.org");
	report_free(r);
}

static void mx_host_as_an_empty_array(void **state)
{
	struct tlsrpt_report *r = parse_fixture("mxhost-empty.json", NULL);

	(void)state;
	assert_int_equal(r->policies[0].n_mx_hosts, 0);
	assert_int_equal(r->policies[0].n_policy_strings, 0);
	assert_int_equal(r->policies[0].n_failures, 0);
	assert_null(r->contact_info);
	report_free(r);
}

static void datetime_without_zone_is_utc(void **state)
{
	struct tlsrpt_report *r = parse_fixture("datetime-no-zone.json", NULL);

	(void)state;
	assert_int_equal(r->start, epoch_of("2024-03-26T00:00:00Z"));
	assert_int_equal(r->end, epoch_of("2024-03-26T23:59:59Z"));
	report_free(r);
}

static void datetime_with_offset_and_fraction(void **state)
{
	struct tlsrpt_report *r = parse_fixture("datetime-offset-fraction.json", NULL);

	(void)state;
	assert_int_equal(r->start, epoch_of("2024-03-26T00:00:00Z"));
	assert_int_equal(r->end, epoch_of("2024-03-26T23:59:59Z"));
	report_free(r);
}

static void tlsa_policy_string_holding_json_is_kept_verbatim(void **state)
{
	struct tlsrpt_report *r = parse_fixture("tlsa-policy-string-json-in-string.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[1];

	(void)state;
	assert_int_equal(r->n_policies, 2);
	assert_string_equal(p->policy_type, "tlsa");
	assert_int_equal(p->n_policy_strings, 1);
	assert_string_equal(p->policy_strings[0],
	                    "[\"3 1 1 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\","
	                    "\"3 1 1 FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100\"]");
	report_free(r);
}

static void policy_string_as_a_bare_string(void **state)
{
	struct tlsrpt_report *r = parse_fixture("policy-string-bare-string.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[0];

	(void)state;
	assert_int_equal(p->n_policy_strings, 1);
	assert_string_equal(p->policy_strings[0],
	                    "3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	report_free(r);
}

static void missing_policy_domain_takes_the_fallback(void **state)
{
	struct tlsrpt_report *r = parse_fixture("no-policy-domain.json", "example.com");

	(void)state;
	assert_string_equal(r->policies[0].policy_domain, "example.com");
	assert_int_equal(r->policies[0].policy_domain_fallback, 1);
	assert_int_equal(r->policies[0].n_failures, 0);
	report_free(r);
	r = parse_fixture("no-policy-domain.json", "ex\xff" "ample.com");
	assert_string_equal(r->policies[0].policy_domain, "ex\xef\xbf\xbd" "ample.com");
	report_free(r);
	r = parse_fixture("no-policy-domain.json", NULL);
	assert_null(r->policies[0].policy_domain);
	assert_int_equal(r->policies[0].policy_domain_fallback, 0);
	report_free(r);
}

static void unknown_types_are_kept_verbatim(void **state)
{
	struct tlsrpt_report *r = parse_fixture("unknown-types.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[0];

	(void)state;
	assert_string_equal(p->policy_type, "dane-ng");
	assert_string_equal(p->failures[0].result_type, "quantum-handshake-failure");
	assert_int_equal(p->failures[0].failed_session_count, 4);
	report_free(r);
}

static void misspelled_mx_host_name_key_is_read(void **state)
{
	struct tlsrpt_report *r = parse_fixture("key-typo-mx-host-name.json", NULL);
	const struct tlsrpt_failure *f = &r->policies[0].failures[0];

	(void)state;
	assert_string_equal(f->receiving_mx_hostname, "mx.example.com");
	assert_string_equal(f->receiving_ip, "198.51.100.132");
	assert_int_equal(r->policies[0].n_mx_hosts, 0);
	report_free(r);
}

static void totals_disagreeing_with_details_are_kept(void **state)
{
	struct tlsrpt_report *r = parse_fixture("totals-disagree.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[0];

	(void)state;
	assert_int_equal(p->total_failure, 1);
	assert_int_equal(failure_sum(p), 2);
	assert_int_equal(report_total_failure(r), 1);
	assert_string_equal(p->failures[1].failure_reason_code, "bad https response code: 500");
	assert_null(p->failures[1].sending_mta_ip);
	assert_int_equal(r->end - r->start, 86400);
	report_free(r);
}

static void missing_summary_totals_read_as_zero(void **state)
{
	struct tlsrpt_report *r = parse_fixture("summary-totals-missing.json", NULL);

	(void)state;
	assert_int_equal(r->n_policies, 2);
	assert_int_equal(r->policies[0].total_successful, 1);
	assert_int_equal(r->policies[0].total_failure, 0);
	assert_int_equal(r->policies[1].total_successful, 0);
	assert_int_equal(r->policies[1].total_failure, 0);
	report_free(r);
}

static void duplicate_keys_first_one_wins(void **state)
{
	struct tlsrpt_report *r = parse_fixture("duplicate-keys.json", NULL);
	const struct tlsrpt_policy *p = &r->policies[0];

	(void)state;
	assert_string_equal(r->report_id, "first-id");
	assert_string_equal(r->organization_name, "First Org");
	assert_int_equal(r->start, epoch_of("2024-01-01T00:00:00Z"));
	assert_int_equal(r->n_policies, 1); /* the later "policies": [] is ignored */
	assert_string_equal(p->policy_domain, "first.example");
	assert_int_equal(p->total_successful, 5);
	assert_int_equal(p->total_failure, 1);
	assert_string_equal(p->failures[0].receiving_mx_hostname, "mx1.first.example");
	assert_int_equal(p->failures[0].failed_session_count, 1);
	report_free(r);
}

static void microsoft_style_gzip_fixture(void **state)
{
	struct tlsrpt_report *r = parse_fixture("microsoft-style-minified.json.gz", NULL);

	(void)state;
	assert_string_equal(r->report_id, "133988091029000000+example.com");
	assert_int_equal(r->policies[0].n_policy_strings, 5);
	assert_int_equal(r->policies[0].total_successful, 2);
	report_free(r);
}

/* ---- errors: each names its field ------------------------------------- */

#define DR "\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\"," \
	"\"end-datetime\":\"2024-01-01T23:59:59Z\"}"
#define REPORT(pols) "{\"report-id\":\"r1\"," DR ",\"policies\":[" pols "]}"
#define POL "{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{}}"
#define POL_DESC(d) "{\"policy\":{\"policy-type\":\"sts\"," d "},\"summary\":{}}"
#define POL_SUM(s) "{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{" s "}}"
#define POL_FAIL(f) "{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{}," \
	"\"failure-details\":[" f "]}"

struct error_case {
	const char *json;
	enum tr_err code;
	const char *msg;
};

static const struct error_case error_cases[] = {
	{ "{", TR_ERR_FORMAT, "JSON syntax error at byte 0" },
	{ "{\"report-id\":tru}", TR_ERR_FORMAT, "JSON syntax error at byte 13" },
	{ "", TR_ERR_FORMAT, "JSON syntax error at byte 0" },
	{ "[]", TR_ERR_FORMAT, "report: top level is not a JSON object" },
	{ "\"x\"", TR_ERR_FORMAT, "report: top level is not a JSON object" },
	{ REPORT(POL) " x", TR_ERR_FORMAT, "data after the JSON value at byte 170" },
	{ "{" DR ",\"policies\":[" POL "]}", TR_ERR_FORMAT, "report-id: missing" },
	{ "{\"report-id\":null," DR ",\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "report-id: missing" },
	{ "{\"report-id\":\"\"," DR ",\"policies\":[" POL "]}", TR_ERR_FORMAT, "report-id: empty" },
	{ "{\"report-id\":5," DR ",\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "report-id: not a string" },
	{ "{\"report-id\":\"r\",\"contact-info\":[]," DR ",\"policies\":[" POL "]}",
	  TR_ERR_FORMAT, "contact-info: not a string" },
	{ "{\"report-id\":\"r\",\"policies\":[" POL "]}", TR_ERR_FORMAT, "date-range: missing" },
	{ "{\"report-id\":\"r\",\"date-range\":null,\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "date-range: missing" },
	{ "{\"report-id\":\"r\",\"date-range\":\"2024\",\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "date-range: not an object" },
	{ "{\"report-id\":\"r\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\"},"
	  "\"policies\":[" POL "]}", TR_ERR_FORMAT, "date-range.end-datetime: missing" },
	{ "{\"report-id\":\"r\",\"date-range\":{\"start-datetime\":\"2024-13-01T00:00:00Z\","
	  "\"end-datetime\":\"2024-01-01T00:00:00Z\"},\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "date-range.start-datetime: month out of range" },
	{ "{\"report-id\":\"r\",\"date-range\":{\"start-datetime\":1,"
	  "\"end-datetime\":\"2024-01-01T00:00:00Z\"},\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "date-range.start-datetime: not a string" },
	{ "{\"report-id\":\"r1\"," DR "}", TR_ERR_FORMAT, "policies: missing" },
	{ "{\"report-id\":\"r1\"," DR ",\"policies\":{}}", TR_ERR_FORMAT, "policies: not an array" },
	{ REPORT(""), TR_ERR_FORMAT, "policies: empty" },
	{ REPORT("5"), TR_ERR_FORMAT, "policies[0]: not an object" },
	{ REPORT("{\"summary\":{}}"), TR_ERR_FORMAT, "policies[0].policy: missing" },
	{ REPORT(POL ",{\"policy\":{\"policy-type\":\"sts\"}}"), TR_ERR_FORMAT,
	  "policies[1].summary: missing" },
	{ REPORT(POL ",{\"policy\":{\"policy-type\":\"sts\"},\"summary\":null}"), TR_ERR_FORMAT,
	  "policies[1].summary: missing" },
	{ REPORT("{\"policy\":{\"policy-domain\":\"example.com\"},\"summary\":{}}"), TR_ERR_FORMAT,
	  "policies[0].policy.policy-type: missing" },
	{ REPORT("{\"policy\":{\"policy-type\":7},\"summary\":{}}"), TR_ERR_FORMAT,
	  "policies[0].policy.policy-type: not a string" },
	{ REPORT(POL_SUM("\"total-failure-session-count\":-1")), TR_ERR_FORMAT,
	  "policies[0].summary.total-failure-session-count: negative" },
	{ REPORT(POL "," POL_SUM("\"total-successful-session-count\":1.5")), TR_ERR_FORMAT,
	  "policies[1].summary.total-successful-session-count: not an integer" },
	{ REPORT(POL_SUM("\"total-successful-session-count\":9223372036854775808")),
	  TR_ERR_FORMAT, "policies[0].summary.total-successful-session-count: too large" },
	{ REPORT(POL_SUM("\"total-successful-session-count\":9007199254740994")),
	  TR_ERR_FORMAT, "policies[0].summary.total-successful-session-count: too large" },
	{ REPORT(POL_SUM("\"total-successful-session-count\":1e999")),
	  TR_ERR_FORMAT, "policies[0].summary.total-successful-session-count: too large" },
	{ REPORT(POL_SUM("\"total-successful-session-count\":\"5\"")), TR_ERR_FORMAT,
	  "policies[0].summary.total-successful-session-count: not a number" },
	{ REPORT(POL_SUM("\"total-successful-session-count\":true")), TR_ERR_FORMAT,
	  "policies[0].summary.total-successful-session-count: not a number" },
	{ REPORT(POL_FAIL("{\"failed-session-count\":1},{\"failed-session-count\":-3}")),
	  TR_ERR_FORMAT, "policies[0].failure-details[1].failed-session-count: negative" },
	{ REPORT(POL_FAIL("{\"result-type\":{}}")), TR_ERR_FORMAT,
	  "policies[0].failure-details[0].result-type: not a string" },
	{ REPORT(POL_FAIL("{},[]")), TR_ERR_FORMAT,
	  "policies[0].failure-details[1]: not an object" },
	{ REPORT("{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{},\"failure-details\":{}}"),
	  TR_ERR_FORMAT, "policies[0].failure-details: not an array" },
	{ REPORT(POL_DESC("\"policy-string\":[\"ok\",1]")), TR_ERR_FORMAT,
	  "policies[0].policy.policy-string[1]: not a string" },
	{ REPORT(POL_DESC("\"mx-host\":[null]")), TR_ERR_FORMAT,
	  "policies[0].policy.mx-host[0]: not a string" },
	{ REPORT(POL_DESC("\"mx-host\":5")), TR_ERR_FORMAT,
	  "policies[0].policy.mx-host: not an array or a string" },
	{ REPORT(POL_DESC("\"policy-domain\":false")), TR_ERR_FORMAT,
	  "policies[0].policy.policy-domain: not a string" },
	{ REPORT("{\"policy\":{\"policy-type\":\"sts\"},\"summary\":[]}"), TR_ERR_FORMAT,
	  "policies[0].summary: not an object" },
	{ "{\"report-id\":\"\\ud800\"," DR ",\"policies\":[" POL "]}", TR_ERR_FORMAT,
	  "JSON syntax error at byte 14" },
};

static void errors_name_the_field(void **state)
{
	struct tlsrpt_report *r;
	struct tr_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
		const struct error_case *c = &error_cases[i];
		enum tr_err rc;

		r = (struct tlsrpt_report *)&e; /* must be reset to NULL */
		rc = parse_lim(c->json, NULL, &r, &e);
		if (rc != c->code || strcmp(e.msg, c->msg) != 0)
			fail_msg("case %zu: got %s \"%s\", want %s \"%s\"", i, tr_err_name(rc), e.msg,
			         tr_err_name(c->code), c->msg);
		assert_null(r);
	}
}

static void counts_at_the_edges(void **state)
{
	struct tlsrpt_report *r;

	(void)state;
	r = parse_ok(REPORT(POL_SUM("\"total-successful-session-count\":9007199254740992,"
	                            "\"total-failure-session-count\":-0")));
	assert_true(r->policies[0].total_successful == UINT64_C(9007199254740992));
	assert_int_equal(r->policies[0].total_failure, 0);
	report_free(r);
	r = parse_ok(REPORT(POL_SUM("\"total-successful-session-count\":1e3,"
	                            "\"total-failure-session-count\":2.0")));
	assert_int_equal(r->policies[0].total_successful, 1000);
	assert_int_equal(r->policies[0].total_failure, 2);
	report_free(r);
}

/* ---- limits -------------------------------------------------------------- */

static char *nested(size_t depth)
{
	char *s = malloc(2 * depth + 1);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < depth; i++) {
		s[i] = '[';
		s[2 * depth - 1 - i] = ']';
	}
	s[2 * depth] = '\0';
	return s;
}

static void deep_nesting_is_refused_before_parsing(void **state)
{
	struct tlsrpt_report *r;
	struct tr_error e;
	struct tr_limits lim;
	char *deep = nested(10000);
	char json[512];

	(void)state;
	limits_default(&lim);
	assert_int_equal(parse_lim(deep, &lim, &r, &e), TR_ERR_LIMIT);
	assert_string_equal(e.msg, "JSON nested deeper than 32 levels");
	assert_null(r);
	free(deep);
	/* a normal report nests 5 deep (report, policies, entry, policy, policy-string) */
	lim.max_json_depth = 5;
	snprintf(json, sizeof json, "%s", REPORT(POL_DESC("\"policy-string\":[\"a\"]")));
	r = parse_ok(json);
	report_free(r);
	assert_int_equal(parse_lim(json, &lim, &r, &e), TR_OK);
	report_free(r);
	lim.max_json_depth = 4;
	assert_int_equal(parse_lim(json, &lim, &r, &e), TR_ERR_LIMIT);
	/* brackets inside strings, escaped quotes included, do not count */
	lim.max_json_depth = 5;
	r = NULL;
	assert_int_equal(parse_lim(REPORT(POL_DESC("\"policy-string\":[\"\\\"[[[[[{{{{{\"]")), &lim,
	                           &r, &e), TR_OK);
	assert_string_equal(r->policies[0].policy_strings[0], "\"[[[[[{{{{{");
	report_free(r);
	/* a string ending in an escaped backslash ends at the next quote: the
	 * brackets of the string after it are inside that one */
	r = NULL;
	assert_int_equal(parse_lim(REPORT(POL_DESC("\"policy-string\":[\"x\\\\\",\"\\\\\\\"[[[\"]")),
	                           &lim, &r, &e), TR_OK);
	assert_string_equal(r->policies[0].policy_strings[0], "x\\");
	assert_string_equal(r->policies[0].policy_strings[1], "\\\"[[[");
	report_free(r);
}

/* A long string of every size class in the report-id, the field whose
 * 20,000 bytes overran an arena block: stored up to max_string_len,
 * refused past it, never a crash. */
static void long_strings_of_every_size(void **state)
{
	static const size_t sizes[] = { 100, 4096, 8000, 8300, 9000, 20000, 65536,
	                                65537, 131072, 140000, 600000 };
	struct tr_limits lim;

	(void)state;
	limits_default(&lim);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		static const char head[] = "{\"report-id\":\"";
		static const char tail[] = "\"," DR ",\"policies\":[" POL "]}";
		size_t n = sizes[i], len = sizeof head - 1 + n + sizeof tail - 1;
		char *json = malloc(len + 1);
		struct tlsrpt_report *r = NULL;
		struct tr_error e;
		enum tr_err rc;

		assert_non_null(json);
		memcpy(json, head, sizeof head - 1);
		memset(json + sizeof head - 1, 'B', n);
		memcpy(json + sizeof head - 1 + n, tail, sizeof tail);
		tr_error_clear(&e);
		rc = report_parse_json(json, len, NULL, NULL, &r, &e);
		if (n <= lim.max_string_len) {
			if (rc != TR_OK)
				fail_msg("%zu bytes: %s", n, e.msg);
			assert_int_equal(strlen(r->report_id), n);
		} else {
			assert_int_equal(rc, TR_ERR_LIMIT);
			assert_null(r);
		}
		report_free(r);
		free(json);
	}
}

/*
 * With cJSON's tree cut from the arena (report_use_cjson_arena(), as the
 * programs run): the long strings of every size again, and a report
 * parses to the same model as without it.  Last in the list: the hooks
 * stay installed for the rest of the process.  Another cJSON user of the
 * process still allocates and frees as before.
 */
static void arena_hooks_parse_the_same(void **state)
{
	static const char json[] = REPORT(POL "," POL_FAIL("{\"result-type\":\"certificate-expired\","
	                                                   "\"failed-session-count\":3}"));
	struct tlsrpt_report *plain = NULL, *arena = NULL;
	char *a, *b;
	cJSON *other;

	assert_int_equal(report_parse_json(json, sizeof json - 1, NULL, NULL, &plain, NULL), TR_OK);
	report_use_cjson_arena();
	assert_int_equal(report_parse_json(json, sizeof json - 1, NULL, NULL, &arena, NULL), TR_OK);
	a = report_to_json(plain, 0);
	b = report_to_json(arena, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	report_free(plain);
	report_free(arena);
	long_strings_of_every_size(state);
	other = cJSON_Parse("{\"kept\": [1, 2, 3]}");
	assert_non_null(other);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(other, "kept")), 3);
	cJSON_Delete(other);
}

struct limit_case {
	size_t field;       /* offsetof in struct tr_limits */
	size_t value;
	const char *json;
	const char *msg;
};

static const struct limit_case limit_cases[] = {
	{ offsetof(struct tr_limits, max_policies), 2, REPORT(POL "," POL "," POL),
	  "policies: more than 2 entries" },
	{ offsetof(struct tr_limits, max_failures), 1, REPORT(POL "," POL_FAIL("{},{}")),
	  "policies[1].failure-details: more than 1 entries" },
	{ offsetof(struct tr_limits, max_strings), 2,
	  REPORT(POL_DESC("\"policy-string\":[\"a\",\"b\",\"c\"]")),
	  "policies[0].policy.policy-string: more than 2 entries" },
	{ offsetof(struct tr_limits, max_strings), 0, REPORT(POL_DESC("\"mx-host\":\"mx\"")),
	  "policies[0].policy.mx-host: more than 0 entries" },
	{ offsetof(struct tr_limits, max_string_len), 4,
	  "{\"report-id\":\"12345\"," DR ",\"policies\":[" POL "]}", "report-id: longer than 4 bytes" },
	{ offsetof(struct tr_limits, max_string_len), 4,
	  REPORT(POL_DESC("\"mx-host\":[\"mx1\",\"mx-12\"]")),
	  "policies[0].policy.mx-host[1]: longer than 4 bytes" },
	{ offsetof(struct tr_limits, max_string_len), 4,
	  REPORT(POL_FAIL("{\"receiving-mx-host-name\":\"mx-12\"}")),
	  "policies[0].failure-details[0].receiving-mx-host-name: longer than 4 bytes" },
};

static void bounds_are_limit_errors(void **state)
{
	struct tlsrpt_report *r;
	struct tr_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof limit_cases / sizeof limit_cases[0]; i++) {
		const struct limit_case *c = &limit_cases[i];
		struct tr_limits lim;
		enum tr_err rc;

		limits_default(&lim);
		memcpy((char *)&lim + c->field, &c->value, sizeof c->value);
		rc = parse_lim(c->json, &lim, &r, &e);
		if (rc != TR_ERR_LIMIT || strcmp(e.msg, c->msg) != 0)
			fail_msg("case %zu: got %s \"%s\", want limit \"%s\"", i, tr_err_name(rc),
			         e.msg, c->msg);
		assert_null(r);
		/* one more allowed and it passes */
		limits_default(&lim);
		assert_int_equal(parse_lim(c->json, &lim, &r, &e), TR_OK);
		report_free(r);
	}
}

/* ---- strings: UTF-8 and NULs -------------------------------------------- */

struct utf8_case {
	const char *in;   /* raw bytes inside the JSON string */
	const char *want; /* what the model holds */
};

static const struct utf8_case utf8_cases[] = {
	{ "plain", "plain" },
	{ "Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5 \xf0\x9f\x98\x80", "Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5 \xf0\x9f\x98\x80" },
	{ "\\u00e9t\\u00e9", "\xc3\xa9t\xc3\xa9" },
	{ "ab\xff\xfe" "cd", "ab\xef\xbf\xbd\xef\xbf\xbd" "cd" },
	{ "x\xe2\x82y", "x\xef\xbf\xbdy" },                        /* cut 3-byte sequence */
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },               /* overlong */
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* UTF-16 surrogate */
	{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* > U+10FFFF */
	{ "end\xf0\x9f\x98", "end\xef\xbf\xbd" },                  /* cut at the end */
	{ "abc\\u0000def", "abc" },                                /* NUL truncates */
};

static void strings_are_valid_utf8(void **state)
{
	char json[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		struct tlsrpt_report *r;
		char *out;

		snprintf(json, sizeof json,
		         "{\"report-id\":\"%s\",\"organization-name\":\"%s\"," DR ",\"policies\":["
		         POL_FAIL("{\"failure-reason-code\":\"%s\"}") "]}",
		         utf8_cases[i].in, utf8_cases[i].in, utf8_cases[i].in);
		r = parse_ok(json);
		assert_string_equal(r->report_id, utf8_cases[i].want);
		assert_string_equal(r->organization_name, utf8_cases[i].want);
		assert_string_equal(r->policies[0].failures[0].failure_reason_code,
		                    utf8_cases[i].want);
		/* and what is printed parses back to the same */
		out = report_to_json(r, 0);
		assert_non_null(out);
		report_free(r);
		r = parse_ok(out);
		assert_string_equal(r->report_id, utf8_cases[i].want);
		report_free(r);
		free(out);
	}
}

static void input_need_not_be_nul_terminated(void **state)
{
	static const char text[] = REPORT(POL);
	const size_t n = sizeof text - 1;
	char *exact = malloc(n);
	struct tlsrpt_report *r;
	struct tr_error e;

	(void)state;
	assert_non_null(exact);
	memcpy(exact, text, n); /* no NUL: ASan catches any read past n */
	assert_int_equal(report_parse_json(exact, n, NULL, NULL, &r, &e), TR_OK);
	assert_string_equal(r->report_id, "r1");
	assert_int_equal(r->json_len, n);
	assert_int_equal(r->json[n], '\0');
	report_free(r);
	/* a prefix is parsed as exactly that prefix */
	assert_int_equal(report_parse_json(exact, n - 1, NULL, NULL, &r, &e), TR_ERR_FORMAT);
	free(exact);
}

static void blank_tail_and_bom_are_accepted(void **state)
{
	static const char text[] = "\xef\xbb\xbf" REPORT(POL) "\r\n\t \0\0";
	struct tlsrpt_report *r;
	struct tr_error e;

	(void)state;
	assert_int_equal(report_parse_json(text, sizeof text - 1, NULL, NULL, &r, &e), TR_OK);
	assert_string_equal(r->report_id, "r1");
	report_free(r);
}

/* ---- printing and totals ---------------------------------------------- */

static const char *get_str(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void to_json_prints_the_model_and_parses_back(void **state)
{
	struct tlsrpt_report *r = parse_fixture("baseline-rfc-style.json", NULL);
	struct tlsrpt_report *back;
	const cJSON *pol;
	cJSON *tree;
	char *out;
	int pretty;

	(void)state;
	r->submitter = strdup("reporter.example.net");
	for (pretty = 0; pretty <= 1; pretty++) {
		out = report_to_json(r, pretty);
		assert_non_null(out);
		tree = cJSON_Parse(out);
		assert_non_null(tree);
		assert_string_equal(get_str(tree, "submitter"), "reporter.example.net");
		assert_string_equal(get_str(cJSON_GetObjectItem(tree, "date-range"), "start-datetime"),
		                    "2024-05-01T00:00:00Z");
		assert_string_equal(get_str(cJSON_GetObjectItem(tree, "date-range"), "end-datetime"),
		                    "2024-05-01T23:59:59Z");
		pol = cJSON_GetArrayItem(cJSON_GetObjectItem(tree, "policies"), 0);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(pol, "failure-details")), 3);
		cJSON_Delete(tree);
		back = parse_ok(out);
		assert_string_equal(back->report_id, r->report_id);
		assert_string_equal(back->organization_name, r->organization_name);
		assert_int_equal(back->start, r->start);
		assert_int_equal(back->end, r->end);
		assert_int_equal(back->policies[0].n_policy_strings, 4);
		assert_string_equal(back->policies[0].mx_hosts[0], "*.mail.example.com");
		assert_int_equal(back->policies[0].total_failure, 212);
		assert_string_equal(back->policies[0].failures[1].receiving_mx_helo,
		                    "mx2.mail.example.com");
		assert_int_equal(back->policies[0].failures[2].failed_session_count, 2);
		report_free(back);
		free(out);
	}
	report_free(r);
}

static void to_json_normalises_quirks(void **state)
{
	struct tlsrpt_report *r = parse_fixture("datetime-no-zone.json", NULL);
	cJSON *tree;
	char *out;

	(void)state;
	out = report_to_json(r, 0);
	tree = cJSON_Parse(out);
	assert_string_equal(get_str(cJSON_GetObjectItem(tree, "date-range"), "start-datetime"),
	                    "2024-03-26T00:00:00Z");
	assert_null(cJSON_GetObjectItem(tree, "submitter"));
	assert_string_equal(get_str(tree, "contact-info"), "tlsrpt-noreply@reporter.example.net");
	cJSON_Delete(tree);
	free(out);
	report_free(r);
	/* the misspelled key comes out spelled as the RFC spells it */
	r = parse_fixture("key-typo-mx-host-name.json", NULL);
	out = report_to_json(r, 0);
	assert_non_null(strstr(out, "\"receiving-mx-hostname\":\"mx.example.com\""));
	assert_null(strstr(out, "receiving-mx-host-name"));
	free(out);
	report_free(r);
	assert_null(report_to_json(NULL, 0));
}

static void totals_sum_and_saturate(void **state)
{
	struct tlsrpt_policy pols[3];
	struct tlsrpt_report r;

	(void)state;
	memset(&r, 0, sizeof r);
	memset(pols, 0, sizeof pols);
	r.policies = pols;
	r.n_policies = 3;
	pols[0].total_successful = 5;
	pols[1].total_successful = 7;
	pols[2].total_successful = 11;
	pols[0].total_failure = UINT64_MAX - 3;
	pols[1].total_failure = 3;
	pols[2].total_failure = 1;
	assert_true(report_total_successful(&r) == 23);
	assert_true(report_total_failure(&r) == UINT64_MAX);
	assert_true(report_total_successful(NULL) == 0);
	assert_true(report_total_failure(NULL) == 0);
	report_free(NULL);
}

/* ---- the real samples, read in place -------------------------------- */

static const char *samples_dir(void)
{
	static char path[1024];
	const char *top = getenv("top_srcdir");
	DIR *d;

	if (top != NULL) {
		snprintf(path, sizeof path, "%s/../shared/samples/tlsrpt", top);
		d = opendir(path);
		if (d != NULL) {
			closedir(d);
			return path;
		}
	}
	d = opendir("/work/shared/samples/tlsrpt");
	if (d == NULL)
		return NULL;
	closedir(d);
	return "/work/shared/samples/tlsrpt";
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Facts the samples are known for (SOURCES.md). */
static void check_sample_facts(const char *name, const struct tlsrpt_report *r)
{
	if (strncmp(name, "mailru-2024-02", 14) == 0) {
		assert_int_equal(r->policies[0].total_failure, 1);
		assert_int_equal(failure_sum(&r->policies[0]), 2);
	} else if (strstr(name, "tlsa-policystring-json-in-string") != NULL) {
		assert_int_equal(r->n_policies, 2);
		assert_string_equal(r->policies[1].policy_type, "tlsa");
		assert_int_equal(r->policies[1].n_policy_strings, 1);
		assert_memory_equal(r->policies[1].policy_strings[0], "[\"3 1 1 ", 8);
	} else if (strncmp(name, "postfix-tlsrpt-reporter", 23) == 0) {
		assert_int_equal(r->policies[0].policy_domain_fallback, 1);
		assert_string_equal(r->policies[0].policy_domain, "fallback.example");
	} else if (strncmp(name, "microsoft-2024-03-sts-datetime-without-tz", 41) == 0) {
		assert_int_equal(r->start, epoch_of("2024-03-26T00:00:00Z"));
	} else if (strncmp(name, "socketlabs", 10) == 0) {
		assert_non_null(r->policies[1].failures[0].receiving_mx_hostname);
		assert_int_equal(r->policies[1].n_mx_hosts, 0);
	} else if (strncmp(name, "rfc8460-appendixB", 17) == 0) {
		assert_int_equal(r->policies[0].n_mx_hosts, 1);
	} else if (strncmp(name, "stalwart-style", 14) == 0) {
		assert_null(r->contact_info);
	} else if (ends_with(name, ".json.gz")) {
		assert_int_equal(r->policies[0].total_successful, 2);
	}
}

static void real_samples_parse(void **state)
{
	const char *dir = samples_dir();
	struct dirent *ent;
	char path[2048];
	size_t seen = 0;
	DIR *d;

	(void)state;
	if (dir == NULL)
		skip();
	d = opendir(dir);
	assert_non_null(d);
	for (ent = readdir(d); ent != NULL; ent = readdir(d)) {
		struct tlsrpt_report *r = NULL;
		struct tr_error e;
		size_t len;
		char *json;

		if (!ends_with(ent->d_name, ".json") && !ends_with(ent->d_name, ".json.gz"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
		json = read_path(path, &len);
		assert_non_null(json);
		json = maybe_inflate(json, &len);
		if (report_parse_json(json, len, NULL, "fallback.example", &r, &e) != TR_OK)
			fail_msg("%s: %s", ent->d_name, e.msg);
		assert_true(r->n_policies >= 1);
		assert_non_null(r->report_id);
		assert_true(r->report_id[0] != '\0');
		check_sample_facts(ent->d_name, r);
		report_free(r);
		free(json);
		seen++;
	}
	closedir(d);
	assert_true(seen >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(baseline_report_is_read_in_full),
		cmocka_unit_test(null_optional_fields_read_as_missing),
		cmocka_unit_test(missing_optional_fields_are_null),
		cmocka_unit_test(empty_strings_are_kept),
		cmocka_unit_test(mx_host_as_a_string),
		cmocka_unit_test(mx_host_as_an_array),
		cmocka_unit_test(mx_host_as_an_empty_array),
		cmocka_unit_test(datetime_without_zone_is_utc),
		cmocka_unit_test(datetime_with_offset_and_fraction),
		cmocka_unit_test(tlsa_policy_string_holding_json_is_kept_verbatim),
		cmocka_unit_test(policy_string_as_a_bare_string),
		cmocka_unit_test(missing_policy_domain_takes_the_fallback),
		cmocka_unit_test(unknown_types_are_kept_verbatim),
		cmocka_unit_test(misspelled_mx_host_name_key_is_read),
		cmocka_unit_test(totals_disagreeing_with_details_are_kept),
		cmocka_unit_test(missing_summary_totals_read_as_zero),
		cmocka_unit_test(duplicate_keys_first_one_wins),
		cmocka_unit_test(microsoft_style_gzip_fixture),
		cmocka_unit_test(errors_name_the_field),
		cmocka_unit_test(counts_at_the_edges),
		cmocka_unit_test(deep_nesting_is_refused_before_parsing),
		cmocka_unit_test(bounds_are_limit_errors),
		cmocka_unit_test(long_strings_of_every_size),
		cmocka_unit_test(strings_are_valid_utf8),
		cmocka_unit_test(input_need_not_be_nul_terminated),
		cmocka_unit_test(blank_tail_and_bom_are_accepted),
		cmocka_unit_test(to_json_prints_the_model_and_parses_back),
		cmocka_unit_test(to_json_normalises_quirks),
		cmocka_unit_test(totals_sum_and_saturate),
		cmocka_unit_test(real_samples_parse),
		cmocka_unit_test(arena_hooks_parse_the_same), /* last: the hooks stay */
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
