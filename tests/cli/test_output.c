/*
 * Unit tests of what the CLI prints: the escapers that stand between a
 * report's sender and the user's terminal, number formatting, and the
 * three summary formats written from hand-built summaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

static void term_escape_neutralises_controls(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "example.com", "example.com" },
		{ "a\x1b[2Jb", "a\\x1b[2Jb" },
		{ "line1\r\nline2\tx", "line1\\r\\nline2\\tx" },
		{ "back\\slash", "back\\\\slash" },
		{ "del\x7f", "del\\x7f" },
		{ "caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5" },   /* valid UTF-8 kept */
		{ "c1\xc2\x9b" "31m", "c1\\u009b31m" },                       /* C1 CSI */
		{ "bidi\xe2\x80\xae" "moc", "bidi\\u202emoc" },              /* RLO */
		{ "line\xe2\x80\xa8" "sep", "line\\u2028sep" },             /* LINE SEPARATOR */
		{ "bad\xff\xc3", "bad\\xff\\xc3" },                          /* invalid, truncated */
		{ "over\xc0\xaf", "over\\xc0\\xaf" },                        /* overlong '/' */
		{ "sur\xed\xa0\x80", "sur\\xed\\xa0\\x80" },                 /* surrogate */
		{ "", "" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = esc_term(cases[i].in, "-");
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	got = esc_term(NULL, "-");
	assert_string_equal(got, "-");
	free(got);
}

static void shorten_keeps_the_telling_end(void **state)
{
	static const struct {
		const char *in;
		size_t width;
		int keep_right;
		const char *want;
	} cases[] = {
		{ "mx.example.com", 20, 1, "mx.example.com" },
		{ "very.long.host.name.example.com", 14, 1, "...example.com" },
		{ "Example Organisation Inc.", 10, 0, "Example..." },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5, 0, "\xc3\xa9\xc3\xa9..." },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5, 1, "...\xc3\xa9\xc3\xa9" },
		{ "abcdefgh", 1, 0, "a..." },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = text_shorten(cases[i].in, cases[i].width, cases[i].keep_right);
		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	assert_int_equal(text_width("\xc3\xa9t\xc3\xa9"), 3);
	/* CJK takes two columns, a combining accent none */
	assert_int_equal(text_width("\xe4\xb8\xad\xe5\x9b\xbd"), 4);
	assert_int_equal(text_width("e\xcc\x81"), 1);
	/* cut by columns, never inside a wide character */
	got = text_shorten("\xe4\xb8\xad\xe5\x9b\xbd\xe7\x94\xb5\xe4\xbf\xa1", 6, 0);
	assert_string_equal(got, "\xe4\xb8\xad...");
	assert_true(text_width(got) <= 6);
	free(got);
	got = text_shorten("\xe4\xb8\xad\xe5\x9b\xbd\xe7\x94\xb5\xe4\xbf\xa1", 6, 1);
	assert_string_equal(got, "...\xe4\xbf\xa1");
	free(got);
	got = text_shorten("abcde\xcc\x81" "fghi", 8, 0);
	assert_string_equal(got, "abcde\xcc\x81...");
	free(got);
}

static void numbers_are_grouped_and_rates_honest(void **state)
{
	static const struct {
		uint64_t v;
		const char *want;
	} groups[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1,000" }, { 1234567, "1,234,567" },
		{ UINT64_MAX, "18,446,744,073,709,551,615" },
	};
	static const struct {
		uint64_t ok, failed;
		const char *want;
	} rates[] = {
		{ 0, 0, "-" }, { 100, 0, "0.0%" }, { 0, 5, "100.0%" }, { 3, 1, "25.0%" },
		{ 100000, 1, "<0.1%" }, { 1, 100000, ">99.9%" }, { 2, 1, "33.3%" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		fmt_grouped(groups[i].v, out, sizeof out);
		assert_string_equal(out, groups[i].want);
	}
	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		fmt_failure_rate(rates[i].ok, rates[i].failed, out, sizeof out);
		assert_string_equal(out, rates[i].want);
	}
}

/* What a writer put on a stream, as a malloc'd string. */
struct capture {
	FILE *f;
	char *text;
	size_t len;
};

static void capture_start(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
}

static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->text;
}

static void json_and_csv_fields_are_escaped(void **state)
{
	static const struct {
		const char *in;
		const char *json;
		const char *csv;
	} cases[] = {
		{ "plain", "\"plain\"", "plain" },
		{ "q\"uo\\te", "\"q\\\"uo\\\\te\"", "\"q\"\"uo\\\\te\"" },
		{ "a,b", "\"a,b\"", "\"a,b\"" },
		{ "nl\nesc\x1b", "\"nl\\u000aesc\\u001b\"", "nl\\nesc\\x1b" },
		{ "bad\xff", "\"bad\\ufffd\"", "bad\\xff" },
		{ "\xc3\xa9\xe2\x80\xae", "\"\xc3\xa9\\u202e\"", "\xc3\xa9\\u202e" },
		{ " pad", "\" pad\"", "\" pad\"" },
		/* spreadsheet formulas are defused in CSV only */
		{ "=HYPERLINK(\"x\")", "\"=HYPERLINK(\\\"x\\\")\"", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", "\"+1\"", "'+1" },
		{ "-2+3", "\"-2+3\"", "'-2+3" },
		{ "@SUM(A1)", "\"@SUM(A1)\"", "'@SUM(A1)" },
		{ "a=b", "\"a=b\"", "a=b" },
		{ "\t=x", "\"\\u0009=x\"", "\\t=x" },
		{ NULL, "null", "" },
	};
	struct capture c;
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		capture_start(&c);
		json_put_string(c.f, cases[i].in);
		got = capture_end(&c);
		assert_string_equal(got, cases[i].json);
		free(got);
		capture_start(&c);
		assert_int_equal(csv_put_field(c.f, cases[i].in), 0);
		got = capture_end(&c);
		assert_string_equal(got, cases[i].csv);
		free(got);
	}
}

/* A JSON text made elsewhere (parse prints cJSON's) gets the same rule:
 * its layout and escapes stay, what a terminal acts on is escaped. */
static void json_text_is_escaped_like_json_strings(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "{\n\t\"a\":\t[1, \"x\\\"y\\\\\"]\n}", "{\n\t\"a\":\t[1, \"x\\\"y\\\\\"]\n}" },
		{ "[\"\xc2\x9b" "31m\xc2\x9d\"]", "[\"\\u009b31m\\u009d\"]" },
		{ "[\"\xe2\x80\xae" "exe\xe2\x80\xa8\"]", "[\"\\u202eexe\\u2028\"]" },
		{ "[\"del\x7f\", \"\xc3\xa9\"]", "[\"del\\u007f\", \"\xc3\xa9\"]" },
		{ "[\"bad\xff\"]", "[\"bad\\ufffd\"]" },
	};
	struct capture c;
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		capture_start(&c);
		json_put_text(c.f, cases[i].in);
		got = capture_end(&c);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* Two submitters, one hostile, and the totals of both. */
static struct summary_count google_types[] = {
	{ "certificate-expired", 7 }, { "starttls-not-supported", 2 },
};
static struct summary_count evil_types[] = {
	{ "a;b=c", 1 }, { "x", 1 }, { "y", 1 }, { "z", 1 },
};
static struct summary_row rows[] = {
	{ "mail.example.com", "Example \"Mail\" Inc.", 3, 1234567, 9, google_types, 2, 9 },
	{ "evil\x1b[31m.example.net", NULL, 1, 0, 4, evil_types, 4, 4 },
};
static const struct summary sample = { 4, 1234567, 13, rows, 2, 13 };

static char *write_summary(const struct summary *sm, enum summary_key key, enum out_format fmt)
{
	struct capture c;

	capture_start(&c);
	assert_int_equal(summary_write(c.f, sm, key, fmt), 0);
	return capture_end(&c);
}

static void summary_json_follows_the_contract(void **state)
{
	char *got = write_summary(&sample, SUMMARY_BY_SUBMITTER, OUT_JSON);

	(void)state;
	assert_string_equal(got,
		"{\"totals\": {\"reports\": 4, \"successful_sessions\": 1234567, \"failed_sessions\": 13, "
		"\"failed_sessions_under_policy\": 13},\n"
		" \"rows\": [\n"
		"  {\"submitter\": \"mail.example.com\", \"organization\": \"Example \\\"Mail\\\" Inc.\", "
		"\"reports\": 3, \"successful_sessions\": 1234567, \"failed_sessions\": 9, "
		"\"failed_sessions_under_policy\": 9, "
		"\"result_types\": {\"certificate-expired\": 7, \"starttls-not-supported\": 2}},\n"
		"  {\"submitter\": \"evil\\u001b[31m.example.net\", \"organization\": null, "
		"\"reports\": 1, \"successful_sessions\": 0, \"failed_sessions\": 4, "
		"\"failed_sessions_under_policy\": 4, "
		"\"result_types\": {\"a;b=c\": 1, \"x\": 1, \"y\": 1, \"z\": 1}}\n"
		" ]}\n");
	free(got);
	got = write_summary(&sample, SUMMARY_BY_POLICY_DOMAIN, OUT_JSON);
	assert_non_null(strstr(got, "{\"policy_domain\": \"mail.example.com\", \"reports\": 3"));
	assert_null(strstr(got, "organization"));
	free(got);
}

static void summary_json_of_nothing_is_valid(void **state)
{
	const struct summary empty = { 0, 0, 0, NULL, 0, 0 };
	char *got = write_summary(&empty, SUMMARY_BY_DAY, OUT_JSON);

	(void)state;
	assert_string_equal(got, "{\"totals\": {\"reports\": 0, \"successful_sessions\": 0, "
	                         "\"failed_sessions\": 0, \"failed_sessions_under_policy\": 0},\n \"rows\": []}\n");
	free(got);
}

static void summary_csv_quotes_and_splits_types(void **state)
{
	char *got = write_summary(&sample, SUMMARY_BY_SUBMITTER, OUT_CSV);

	(void)state;
	assert_string_equal(got,
		"submitter,organization,reports,successful_sessions,failed_sessions,result_types\n"
		"mail.example.com,\"Example \"\"Mail\"\" Inc.\",3,1234567,9,"
		"certificate-expired=7;starttls-not-supported=2\n"
		"evil\\x1b[31m.example.net,,1,0,4,a\\x3bb\\x3dc=1;x=1;y=1;z=1\n");
	free(got);
	got = write_summary(&sample, SUMMARY_BY_RESULT_TYPE, OUT_CSV);
	assert_true(strncmp(got, "result_type,reports,", 20) == 0);
	free(got);
}

static void summary_text_is_aligned_and_safe(void **state)
{
	char *got = write_summary(&sample, SUMMARY_BY_SUBMITTER, OUT_TEXT);
	char *line2, *line3;

	(void)state;
	assert_null(strchr(got, '\x1b'));
	assert_non_null(strstr(got, "1,234,567"));
	assert_non_null(strstr(got, "certificate-expired 7, starttls-not-supported 2"));
	assert_non_null(strstr(got, "a;b=c 1, x 1, y 1, +1 more"));
	assert_non_null(strstr(got, "evil\\x1b[31m.example.net"));
	assert_true(strncmp(got, "SUBMITTER ", 10) == 0);
	line2 = strchr(got, '\n') + 1;
	line3 = strchr(line2, '\n') + 1;
	/* the REPORTS column ends at the same place on every line */
	assert_true(strstr(got, "REPORTS") + 7 - got == strstr(line2, " 3 ") + 2 - line2);
	assert_true(strstr(line2, " 3 ") + 2 - line2 == strstr(line3, " 1 ") + 2 - line3);
	assert_non_null(strstr(got, "\nTOTAL "));
	assert_non_null(strstr(got, "100.0%"));
	free(got);
	/* failure-detail keys have no successful sessions: no rate either */
	got = write_summary(&sample, SUMMARY_BY_SENDING_IP, OUT_TEXT);
	assert_true(strncmp(got, "SENDING-IP ", 11) == 0);
	assert_non_null(strstr(got, " REPORTS  FAILED  RESULT TYPES\n"));
	assert_null(strstr(got, "SUCCESSFUL"));
	assert_null(strstr(got, "%"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(term_escape_neutralises_controls),
		cmocka_unit_test(shorten_keeps_the_telling_end),
		cmocka_unit_test(numbers_are_grouped_and_rates_honest),
		cmocka_unit_test(json_and_csv_fields_are_escaped),
		cmocka_unit_test(json_text_is_escaped_like_json_strings),
		cmocka_unit_test(summary_json_follows_the_contract),
		cmocka_unit_test(summary_json_of_nothing_is_valid),
		cmocka_unit_test(summary_csv_quotes_and_splits_types),
		cmocka_unit_test(summary_text_is_aligned_and_safe),
	};

	return cmocka_run_group_tests_name("cli_output", tests, NULL, NULL);
}
