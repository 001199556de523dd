/*
 * Unit tests of mtasts (the MTA-STS policy file): a table of files, each
 * accepted or refused with the line and reason; the normalised text and
 * the id, which changes exactly when the policy does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mtasts.h"

static const struct {
	const char *text;
	enum tr_err want;
	const char *reason;   /* a substring of the error */
} cases[] = {
	{ "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n", TR_OK, NULL },
	{ "version: STSv1\r\nmode: testing\r\nmx: *.example.net\r\nmx: mx2.example.com\r\nmax_age: 0\r\n", TR_OK, NULL },
	{ "version: STSv1\nmode: none\nmax_age: 31557600", TR_OK, NULL },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nextension: ignored\n\n", TR_OK, NULL },
	{ "version:STSv1\nmode:   enforce  \nmx:a.example\nmax_age:86400\n", TR_OK, NULL },
	{ "version: STSv1\n  mode: enforce\nmx: a.example\nmax_age: 1\n", TR_ERR_FORMAT, "line 2: bad character" },
	{ "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", TR_ERR_FORMAT, "line 1: version" },
	{ "version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", TR_ERR_FORMAT, "line 2: mode" },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", TR_ERR_FORMAT, "line 4: max_age" },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", TR_ERR_FORMAT, "line 4: max_age" },
	{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 99999999999999999999\n", TR_ERR_FORMAT, "max_age" },
	{ "version: STSv1\nmode: enforce\nmax_age: 86400\n", TR_ERR_FORMAT, "no mx line" },
	{ "version: STSv1\nmode: testing\nmx: bad_host!\nmax_age: 86400\n", TR_ERR_FORMAT, "line 3: mx" },
	{ "version: STSv1\nmode: testing\nmx: *.\nmax_age: 86400\n", TR_ERR_FORMAT, "line 3: mx" },
	{ "version: STSv1\nmode: testing\nmx: a..example\nmax_age: 86400\n", TR_ERR_FORMAT, "line 3: mx" },
	{ "mode: enforce\nmx: a.example\nmax_age: 86400\n", TR_ERR_FORMAT, "no version" },
	{ "version: STSv1\nmx: a.example\nmax_age: 86400\n", TR_ERR_FORMAT, "no mode" },
	{ "version: STSv1\nmode: enforce\nmx: a.example\n", TR_ERR_FORMAT, "no max_age" },
	{ "version: STSv1\nversion: STSv1\nmode: none\nmax_age: 1\n", TR_ERR_FORMAT, "line 2: version given twice" },
	{ "version: STSv1\nmode: none\nmax_age: 1\njust text\n", TR_ERR_FORMAT, "line 4" },
	{ "version: STSv1\nmode: none\nmax_age: 1\nmx: a.example\x01\n", TR_ERR_FORMAT, "line 4" },
	{ "", TR_ERR_FORMAT, "no version" },
};

static void policies_as_the_table_says(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mtasts_policy *p = NULL;
		struct tr_error err;
		enum tr_err rc = mtasts_parse(cases[i].text, strlen(cases[i].text), &p, &err);

		if (rc != cases[i].want)
			fail_msg("case %zu: got %d want %d (%s)", i, rc, cases[i].want, rc ? err.msg : "");
		if (rc != TR_OK) {
			assert_null(p);
			if (strstr(err.msg, cases[i].reason) == NULL)
				fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].reason);
			continue;
		}
		assert_non_null(p);
		assert_int_equal(strlen(p->id), MTASTS_ID_LEN);
		assert_int_equal(strlen(p->text), p->text_len);
		mtasts_free(p);
	}
}

static void normalised_text_and_id(void **state)
{
	static const char a[] = "version: STSv1\nmode: enforce\nmx: MAIL.example.com\nmax_age: 604800\n";
	static const char b[] = "version:STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800";
	static const char c[] = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604801\n";
	struct mtasts_policy *pa, *pb, *pc;
	struct tr_error err;

	(void)state;
	assert_int_equal(mtasts_parse(a, strlen(a), &pa, &err), TR_OK);
	assert_int_equal(mtasts_parse(b, strlen(b), &pb, &err), TR_OK);
	assert_int_equal(mtasts_parse(c, strlen(c), &pc, &err), TR_OK);
	assert_string_equal(pa->text, "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	                              "max_age: 604800\r\n");
	assert_string_equal(pa->id, pb->id);       /* the same policy, written differently */
	assert_string_not_equal(pa->id, pc->id);   /* another policy */
	assert_int_equal(pa->mode, MTASTS_ENFORCE);
	assert_int_equal(pa->n_mx, 1);
	mtasts_free(pa);
	mtasts_free(pb);
	mtasts_free(pc);
	assert_null(mtasts_free(NULL));
}

static void too_large_or_too_many(void **state)
{
	size_t n = MTASTS_MAX_BYTES + 1, i, len = 0;
	char *big = malloc(n + 1), *many = malloc(200 * 32);
	struct mtasts_policy *p = NULL;
	struct tr_error err;

	(void)state;
	memset(big, '\n', n);
	assert_int_equal(mtasts_parse(big, n, &p, &err), TR_ERR_LIMIT);
	len += (size_t)sprintf(many, "version: STSv1\nmode: enforce\nmax_age: 1\n");
	for (i = 0; i < MTASTS_MAX_MX + 1; i++)
		len += (size_t)sprintf(many + len, "mx: m%zu.example\n", i);
	assert_int_equal(mtasts_parse(many, len, &p, &err), TR_ERR_LIMIT);
	assert_null(p);
	free(big);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policies_as_the_table_says),
		cmocka_unit_test(normalised_text_and_id),
		cmocka_unit_test(too_large_or_too_many),
	};

	return cmocka_run_group_tests_name("mtasts", tests, NULL, NULL);
}
