/*
 * Unit tests of promtext, the Prometheus text writer both metrics outputs
 * go through: hostile label values stay one valid UTF-8 label, numbers
 * print as Prometheus parses them, and the size cap is sticky.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "promtext.h"

/* The text of one labelled sample of value 1, for the value v. */
static char *one_label(const char *v)
{
	struct promtext p;
	struct promtext_label l = { "policy_domain", v };
	char *s;

	promtext_init(&p, 4096);
	promtext_u64(&p, "tlsrpt_x", &l, 1, 1);
	assert_int_equal(p.status, TR_OK);
	s = strdup((const char *)p.out.data);
	promtext_free(&p);
	assert_non_null(s);
	return s;
}

static const struct {
	const char *in, *want;
} label_cases[] = {
	{ "example.com", "tlsrpt_x{policy_domain=\"example.com\"} 1\n" },
	{ NULL, "tlsrpt_x{policy_domain=\"\"} 1\n" },
	{ "a\"b\\c", "tlsrpt_x{policy_domain=\"a\\\"b\\\\c\"} 1\n" },
	{ "a\r\nBcc: x", "tlsrpt_x{policy_domain=\"a?\\nBcc: x\"} 1\n" },
	{ "t\tab\x7f", "tlsrpt_x{policy_domain=\"t?ab?\"} 1\n" },
	{ "ex\xc3\xa4mple", "tlsrpt_x{policy_domain=\"ex\xc3\xa4mple\"} 1\n" },   /* valid 2 bytes */
	{ "\xe2\x82\xac\xf0\x9f\x98\x80", "tlsrpt_x{policy_domain=\"\xe2\x82\xac\xf0\x9f\x98\x80\"} 1\n" },
	{ "a\xff" "b", "tlsrpt_x{policy_domain=\"a?b\"} 1\n" },             /* never UTF-8 */
	{ "a\xc3", "tlsrpt_x{policy_domain=\"a?\"} 1\n" },                  /* cut short */
	{ "\xc0\xaf", "tlsrpt_x{policy_domain=\"??\"} 1\n" },               /* overlong */
	{ "\xed\xa0\x80", "tlsrpt_x{policy_domain=\"???\"} 1\n" },          /* surrogate */
	{ "\xf4\x90\x80\x80", "tlsrpt_x{policy_domain=\"????\"} 1\n" },     /* past U+10FFFF */
};

static void label_values_are_escaped_and_valid_utf8(void **state)
{
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof label_cases / sizeof label_cases[0]; i++) {
		got = one_label(label_cases[i].in);
		assert_string_equal(got, label_cases[i].want);
		free(got);
	}
}

static void long_values_are_cut_on_a_character(void **state)
{
	char in[PROMTEXT_MAX_VALUE * 2 + 1], *got, *q;
	size_t i;

	(void)state;
	in[0] = 'a';  /* then two-byte characters: the cut falls inside one */
	for (i = 1; i + 1 < sizeof in; i += 2) {
		in[i] = '\xc3';
		in[i + 1] = '\xa4';
	}
	in[sizeof in - 1] = '\0';
	got = one_label(in);
	q = strchr(got, '"');
	assert_non_null(q);
	assert_int_equal(strchr(q + 1, '"') - (q + 1), PROMTEXT_MAX_VALUE - 1);
	free(got);
}

static void families_and_numbers(void **state)
{
	struct promtext p;
	struct promtext_label l[2] = { { "a", "1" }, { "b", "2" } };

	(void)state;
	promtext_init(&p, 4096);
	promtext_family(&p, "tlsrpt_y_seconds", "histogram", "A help text.");
	promtext_double(&p, "tlsrpt_y_seconds_bucket", l, 2, INFINITY);
	promtext_double(&p, "tlsrpt_y_seconds_sum", NULL, 0, 0.25);
	promtext_i64(&p, "tlsrpt_y_seconds_count", NULL, 0, -3);
	promtext_u64(&p, "tlsrpt_z", NULL, 0, UINT64_MAX);
	assert_int_equal(p.status, TR_OK);
	assert_string_equal((const char *)p.out.data,
	                    "# HELP tlsrpt_y_seconds A help text.\n"
	                    "# TYPE tlsrpt_y_seconds histogram\n"
	                    "tlsrpt_y_seconds_bucket{a=\"1\",b=\"2\"} +Inf\n"
	                    "tlsrpt_y_seconds_sum 0.25\n"
	                    "tlsrpt_y_seconds_count -3\n"
	                    "tlsrpt_z 18446744073709551615\n");
	promtext_free(&p);
}

static void the_cap_is_sticky(void **state)
{
	struct promtext p;
	size_t len;

	(void)state;
	promtext_init(&p, 40);
	promtext_u64(&p, "tlsrpt_short", NULL, 0, 1);
	assert_int_equal(p.status, TR_OK);
	len = p.out.len;
	promtext_u64(&p, "tlsrpt_a_name_long_enough_to_cross_the_cap", NULL, 0, 2);
	assert_int_equal(p.status, TR_ERR_LIMIT);
	promtext_u64(&p, "tlsrpt_s", NULL, 0, 3);
	assert_int_equal(p.status, TR_ERR_LIMIT);
	assert_true(p.out.len <= 40);
	assert_true(p.out.len >= len);
	promtext_free(&p);
	promtext_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_values_are_escaped_and_valid_utf8),
		cmocka_unit_test(long_values_are_cut_on_a_character),
		cmocka_unit_test(families_and_numbers),
		cmocka_unit_test(the_cap_is_sticky),
	};

	return cmocka_run_group_tests_name("promtext", tests, NULL, NULL);
}
