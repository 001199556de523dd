/*
 * Unit tests of the CLI's argument handling: the option parser (options
 * after operands, --name=value, "-" and "--") and --since/--until values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datetime.h"
#include "opts.h"
#include "when.h"

enum { O_DB = 1, O_BY, O_QUIET };

static const struct opt_def defs[] = {
	{ O_DB, 'd', "db", 1 },
	{ O_BY, 0, "by", 1 },
	{ O_QUIET, 'q', "quiet", 0 },
};

/* Parse words and describe what was seen: "d=x;op=a;q;" or "error: ..." */
static void parse_words(char **words, int n, char *out, size_t outlen)
{
	struct opt_state st;
	struct tr_error err;
	const char *arg;
	enum opt_status s;
	int id;
	size_t used = 0;

	out[0] = '\0';
	opt_init(&st, n, words);
	for (;;) {
		s = opt_next(&st, defs, sizeof defs / sizeof defs[0], &id, &arg, &err);
		if (s == OPT_END)
			return;
		if (s == OPT_ERROR) {
			snprintf(out, outlen, "error: %.200s", err.msg);
			return;
		}
		if (s == OPT_OPERAND)
			used += (size_t)snprintf(out + used, outlen - used, "op=%s;", arg);
		else if (id == O_QUIET)
			used += (size_t)snprintf(out + used, outlen - used, "q;");
		else
			used += (size_t)snprintf(out + used, outlen - used, "%s=%s;",
			                         id == O_DB ? "d" : "by", arg);
	}
}

static void options_and_operands_in_any_order(void **state)
{
	static const struct {
		const char *words[6];
		const char *want;
	} cases[] = {
		{ { "a.eml", "-d", "x.db", "b.eml" }, "op=a.eml;d=x.db;op=b.eml;" },
		{ { "-dx.db", "--by=day", "-" }, "d=x.db;by=day;op=-;" },
		{ { "--by", "submitter", "-q", "--", "-d" }, "by=submitter;q;op=-d;" },
		{ { "--db", "" }, "d=;" },
		{ { "--nope" }, "error: unknown option --nope" },
		{ { "-x" }, "error: unknown option -x" },
		{ { "-d" }, "error: option -d needs a value" },
		{ { "--by" }, "error: option --by needs a value" },
		{ { "--quiet=1" }, "error: option --quiet takes no value" },
		{ { "-qq" }, "error: unknown option -qq" },
	};
	char out[256];
	char *words[6];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (n = 0; n < 6 && cases[i].words[n] != NULL; n++)
			words[n] = (char *)cases[i].words[n];
		parse_words(words, n, out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
}

static void relative_times_count_back_from_now(void **state)
{
	static const struct {
		const char *in;
		int64_t want_ago;
	} cases[] = {
		{ "24h", 86400 }, { "7d", 7 * 86400 }, { "2w", 14 * 86400 }, { "0d", 0 },
		{ "1h", 3600 },
	};
	const int64_t now = 1700000000;
	struct tr_error err;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(when_parse(cases[i].in, now, 0, &t, &err), TR_OK);
		assert_int_equal(t, now - cases[i].want_ago);
	}
}

static void bad_times_are_usage_errors(void **state)
{
	static const char *const bad[] = {
		"", "7", "d", "7x", "7dd", "-7d", "+7d", "99999999999999999999d", "999999w",
		"yesterday", "2024-13-01", "2024-02-30",
	};
	struct tr_error err;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tr_error_clear(&err);
		assert_int_equal(when_parse(bad[i], 1700000000, 0, &t, &err), TR_ERR_USAGE);
		assert_true(err.msg[0] != '\0');
	}
}

static void dates_and_date_times_are_absolute(void **state)
{
	struct tr_error err;
	int64_t t;

	(void)state;
	if (datetime_parse("2024-01-31", &t, &err) != TR_OK)
		skip(); /* lib/datetime not there yet */
	assert_int_equal(when_parse("2024-01-31", 0, 0, &t, &err), TR_OK);
	assert_int_equal(t, 1706659200);
	/* as an end, a bare date includes that whole day */
	assert_int_equal(when_parse("2024-01-31", 0, 1, &t, &err), TR_OK);
	assert_int_equal(t, 1706659200 + 86400);
	assert_int_equal(when_parse("2024-01-31T12:00:00Z", 0, 1, &t, &err), TR_OK);
	assert_int_equal(t, 1706659200 + 43200);
	assert_int_equal(when_parse("2024-01-31T12:00:00+02:00", 0, 0, &t, &err), TR_OK);
	assert_int_equal(t, 1706659200 + 36000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_and_operands_in_any_order),
		cmocka_unit_test(relative_times_count_back_from_now),
		cmocka_unit_test(bad_times_are_usage_errors),
		cmocka_unit_test(dates_and_date_times_are_absolute),
	};

	return cmocka_run_group_tests_name("cli_args", tests, NULL, NULL);
}
