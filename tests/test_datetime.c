/*
 * Unit tests of datetime: the RFC 3339 variants TLS reporters send, the
 * range checks, and the round trip through datetime_format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "datetime.h"

struct dt_case {
	const char *in;
	int64_t want;
};

#define FEB16 INT64_C(1708041600) /* 2024-02-16T00:00:00Z */

static const struct dt_case good[] = {
	{ "2024-02-16T00:00:00Z", FEB16 },
	{ "2024-02-16t00:00:00z", FEB16 },
	{ "2024-02-16T00:00:00", FEB16 },              /* Microsoft: no zone */
	{ "2024-02-16 00:00:00Z", FEB16 },             /* space separator */
	{ "2024-02-16", FEB16 },                       /* bare date */
	{ "2024-02-16T02:00:00+02:00", FEB16 },
	{ "2024-02-15T18:30:00-05:30", FEB16 },
	{ "2024-02-16T00:00:00.999Z", FEB16 },         /* fraction dropped */
	{ "2024-02-16T00:00:00.123456789+00:00", FEB16 },
	{ "2024-02-16T00:00:00.5", FEB16 },
	{ "2024-02-16T23:59:59Z", FEB16 + 86399 },
	{ "2024-02-16T23:59:60Z", FEB16 + 86400 },     /* leap second */
	{ "2024-02-29T12:34:56Z", INT64_C(1709210096) },
	{ "2000-02-29T00:00:00Z", INT64_C(951782400) },  /* 400-year leap */
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "1900-01-01T00:00:00Z", INT64_C(-2208988800) },
	{ "2038-01-19T03:14:08Z", INT64_C(2147483648) },
	{ "2100-03-01T00:00:00Z", INT64_C(4107542400) },
	{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
};

static const char *const bad[] = {
	"",
	"garbage",
	"2024-13-01T00:00:00Z",   /* month 13 */
	"2024-00-01T00:00:00Z",
	"2023-02-29T00:00:00Z",   /* not a leap year */
	"1900-02-29T00:00:00Z",   /* century, not a leap year */
	"2024-04-31T00:00:00Z",
	"2024-01-00T00:00:00Z",
	"2024-01-01T24:00:00Z",
	"2024-01-01T00:60:00Z",
	"2024-01-01T00:00:61Z",
	"2024-01-01T00:00Z",      /* no seconds */
	"2024-01-01X00:00:00Z",
	"2024-01-01T00:00:00Q",
	"2024-01-01T00:00:00+2:00",
	"2024-01-01T00:00:00+02",
	"2024-01-01T00:00:00+24:00",
	"2024-01-01T00:00:00Zjunk",
	"2024-01-01T00:00:00.Z",  /* empty fraction */
	"24-01-01T00:00:00Z",
	"2024-1-01T00:00:00Z",
	"+2024-01-01T00:00:00Z",
	"2024-01-01T00:00:00 Z",
	"2024-01-01T",
};

static void accepts_what_reporters_send(void **state)
{
	struct tr_error e;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		tr_error_clear(&e);
		t = 12345;
		if (datetime_parse(good[i].in, &t, &e) != TR_OK)
			fail_msg("%s: rejected: %s", good[i].in, e.msg);
		if (t != good[i].want)
			fail_msg("%s: got %lld want %lld", good[i].in, (long long)t,
			         (long long)good[i].want);
	}
}

static void rejects_malformed_and_out_of_range(void **state)
{
	struct tr_error e;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tr_error_clear(&e);
		if (datetime_parse(bad[i], &t, &e) != TR_ERR_FORMAT)
			fail_msg("\"%s\": accepted as %lld", bad[i], (long long)t);
		assert_int_equal(e.code, TR_ERR_FORMAT);
		assert_true(e.msg[0] != '\0');
	}
}

static void reasons_name_the_problem(void **state)
{
	struct tr_error e;
	int64_t t;

	(void)state;
	datetime_parse("2024-13-01T00:00:00Z", &t, &e);
	assert_non_null(strstr(e.msg, "month"));
	datetime_parse("2023-02-29T00:00:00Z", &t, &e);
	assert_non_null(strstr(e.msg, "day"));
	datetime_parse("2024-01-01T00:00:00+99:00", &t, &e);
	assert_non_null(strstr(e.msg, "zone"));
}

static void format_is_utc_rfc3339(void **state)
{
	char out[32];

	(void)state;
	datetime_format(FEB16, out, sizeof out);
	assert_string_equal(out, "2024-02-16T00:00:00Z");
	datetime_format(-1, out, sizeof out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	datetime_format(INT64_C(4107542400), out, sizeof out);
	assert_string_equal(out, "2100-03-01T00:00:00Z");
	datetime_format(0, out, 21);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
}

static void format_round_trips(void **state)
{
	struct tr_error e;
	char out[32];
	int64_t t, back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		t = good[i].want;
		datetime_format(t, out, sizeof out);
		assert_int_equal(datetime_parse(out, &back, &e), TR_OK);
		assert_int_equal(back, t);
	}
	/* every day across several leap cycles, before and after 1970 */
	for (t = INT64_C(-2208988800); t < INT64_C(4107542400); t += 86400 + 3661) {
		datetime_format(t, out, sizeof out);
		assert_int_equal(datetime_parse(out, &back, &e), TR_OK);
		assert_int_equal(back, t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_what_reporters_send),
		cmocka_unit_test(rejects_malformed_and_out_of_range),
		cmocka_unit_test(reasons_name_the_problem),
		cmocka_unit_test(format_is_utc_rfc3339),
		cmocka_unit_test(format_round_trips),
	};

	return cmocka_run_group_tests_name("datetime", tests, NULL, NULL);
}
