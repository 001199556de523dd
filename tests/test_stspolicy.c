/*
 * Unit tests of the pure parsers of "tlsrpt-report check": the MTA-STS
 * policy file and its MX patterns (check/stspolicy.h), and the _mta-sts
 * and _smtp._tls TXT records (check/txtrec.h).  Table-driven: each case is
 * input and the verdict, with the reason's key words for the bad ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stspolicy.h"
#include "txtrec.h"

static void policy_cases(void **state)
{
	static const struct {
		const char *text;
		const char *why;     /* NULL: valid; else a piece of the reason */
	} cases[] = {
		{ "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n", NULL },
		{ "version: STSv1\r\nmode: testing\r\nmx: *.example.com\r\nmax_age: 86400\r\n", NULL },
		{ "version: STSv1\nmode: none\nmax_age: 0", NULL },
		{ "version:STSv1\nmode:enforce\nmx:a.example\nmax_age:31557600\nfoo: bar\n", NULL },
		{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "31557601" },
		{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n", "digits" },
		{ "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "not a number" },
		{ "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "version" },
		{ "version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode" },
		{ "version: STSv1\nmode: enforce\nmax_age: 1\n", "no mx" },
		{ "mode: enforce\nmx: a.example\nmax_age: 1\n", "no version" },
		{ "version: STSv1\nmx: a.example\nmax_age: 1\n", "no mode" },
		{ "version: STSv1\nmode: enforce\nmx: a.example\n", "no max_age" },
		{ "version: STSv1\nmode: enforce\nmode: none\nmx: a\nmax_age: 1\n", "twice" },
		{ "version: STSv1\nmode: enforce\nmx: *.*.example\nmax_age: 1\n", "mx" },
		{ "version: STSv1\nmode: enforce\nmx: a..example\nmax_age: 1\n", "mx" },
		{ "version: STSv1\nmode: enforce\nmx: -a.example\nmax_age: 1\n", "mx" },
		{ "<html><body>Not found</body></html>\n", "line 1" },
		{ "", "no version" },
	};
	struct stspolicy *p = malloc(sizeof *p);
	struct tr_error err;

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum tr_err rc = stspolicy_parse(cases[i].text, strlen(cases[i].text), p, &err);

		if (cases[i].why == NULL) {
			if (rc != TR_OK)
				fail_msg("case %zu: %s", i, err.msg);
		} else {
			assert_int_equal(rc, TR_ERR_FORMAT);
			if (strstr(err.msg, cases[i].why) == NULL)
				fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].why);
		}
	}
	free(p);
}

static void policy_fields_and_limits(void **state)
{
	const char *t = "version: STSv1\nmode: testing\nmx: MX1.Example.COM.\nmx: *.example.net\n"
	                "max_age: 86400\n";
	struct stspolicy *p = malloc(sizeof *p);
	struct tr_error err;
	char *big;
	size_t n = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(stspolicy_parse(t, strlen(t), p, &err), TR_OK);
	assert_int_equal(p->mode, STSPOLICY_TESTING);
	assert_int_equal(p->max_age, 86400);
	assert_int_equal(p->n_mx, 2);
	assert_string_equal(p->mx[0], "mx1.example.com.");
	/* a NUL inside is an error, not the end of the text */
	assert_int_equal(stspolicy_parse("version: STSv1\0x\n", 17, p, &err), TR_ERR_FORMAT);
	/* one mx line past the cap */
	big = malloc(100 * 32);
	assert_non_null(big);
	n += (size_t)sprintf(big, "version: STSv1\nmode: enforce\nmax_age: 1\n");
	for (int i = 0; i <= STSPOLICY_MX_MAX; i++)
		n += (size_t)sprintf(big + n, "mx: m%d.example\n", i);
	assert_int_equal(stspolicy_parse(big, n, p, &err), TR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "more than"));
	free(big);
	free(p);
}

static void mx_patterns(void **state)
{
	static const struct {
		const char *pattern, *host;
		int match;
	} cases[] = {
		{ "mx.example.com", "mx.example.com", 1 },
		{ "mx.example.com", "MX.Example.com.", 1 },
		{ "*.example.com", "mx.example.com", 1 },
		{ "*.example.com", "a.b.example.com", 0 },
		{ "*.example.com", "example.com", 0 },
		{ "*.example.com", ".example.com", 0 },
		{ "*.example.com", "mx.example.org", 0 },
		{ "mx.example.com", "mx2.example.com", 0 },
		{ "*.mx.example.com", "a.mx.example.com", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (stspolicy_mx_match(cases[i].pattern, cases[i].host) != cases[i].match)
			fail_msg("case %zu: %s vs %s", i, cases[i].pattern, cases[i].host);
}

static void sts_records(void **state)
{
	static const struct {
		const char *txt;
		const char *id;      /* NULL: invalid */
	} cases[] = {
		{ "v=STSv1; id=20261202", "20261202" },
		{ "v=STSv1;id=abc;", "abc" },
		{ "v=STSv1; id=abc; ext=val ", "abc" },
		{ "v=STSv1;  id=A1b2 ;", "A1b2" },
		{ "v=STSv1", NULL },
		{ "v=STSv1; id=", NULL },
		{ "v=STSv1; id=123456789012345678901234567890123", NULL },   /* 33 */
		{ "v=STSv1; id=12345678901234567890123456789012", "12345678901234567890123456789012" },
		{ "v=STSv1; id=2026-12-02", NULL },
		{ "v=STSv1; id=a; id=b", NULL },
		{ "v=STSv1;; id=a", NULL },
		{ "v=STSv1 id=a", NULL },
		{ "id=a; v=STSv1", NULL },
	};
	char id[TXTREC_STS_ID_MAX + 1];
	struct tr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum tr_err rc = txtrec_parse_sts(cases[i].txt, strlen(cases[i].txt), id, &err);

		if (cases[i].id != NULL) {
			if (rc != TR_OK)
				fail_msg("case %zu: %s", i, err.msg);
			assert_string_equal(id, cases[i].id);
		} else if (rc != TR_ERR_FORMAT) {
			fail_msg("case %zu accepted", i);
		}
	}
	assert_true(txtrec_is_sts("v=STSv1; id=1", 13));
	assert_true(txtrec_is_sts("v=STSv1", 7));
	assert_false(txtrec_is_sts("v=STSv10; id=1", 14));
	assert_false(txtrec_is_sts("v=spf1 -all", 11));
}

static void tlsrpt_records(void **state)
{
	static const struct {
		const char *txt;
		int n_rua;           /* -1: invalid */
	} cases[] = {
		{ "v=TLSRPTv1; rua=mailto:tlsrpt@example.com", 1 },
		{ "v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com/tlsrpt", 2 },
		{ "v=TLSRPTv1; rua=mailto:a@example.com , mailto:b@example.net;", 2 },
		{ "v=TLSRPTv1; rua=https://r.example.com:8443/x?y=1", 1 },
		{ "v=TLSRPTv1; rua=mailto:a%40b@example.com", 1 },
		{ "v=TLSRPTv1", -1 },
		{ "v=TLSRPTv1; rua=", -1 },
		{ "v=TLSRPTv1; rua=ftp://example.com/x", -1 },
		{ "v=TLSRPTv1; rua=mailto:example.com", -1 },
		{ "v=TLSRPTv1; rua=mailto:@example.com", -1 },
		{ "v=TLSRPTv1; rua=mailto:a@", -1 },
		{ "v=TLSRPTv1; rua=http://example.com/x", -1 },
		{ "v=TLSRPTv1; rua=https://", -1 },
		{ "v=TLSRPTv1; rua=https://ex ample.com/", -1 },
		{ "v=TLSRPTv1; rua=mailto:a@example.com,", -1 },
		{ "v=TLSRPTv1; rua=mailto:a%4@example.com", -1 },
		{ "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", -1 },
		{ "v=TLSRPTv1; rua=https://r.example.com:99999999/", -1 },
	};
	struct txtrec_tlsrpt *rec = malloc(sizeof *rec);
	struct tr_error err;

	(void)state;
	assert_non_null(rec);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum tr_err rc = txtrec_parse_tlsrpt(cases[i].txt, strlen(cases[i].txt), rec, &err);

		if (cases[i].n_rua >= 0) {
			if (rc != TR_OK)
				fail_msg("case %zu: %s", i, err.msg);
			assert_int_equal(rec->n_rua, cases[i].n_rua);
		} else if (rc != TR_ERR_FORMAT) {
			fail_msg("case %zu accepted", i);
		}
	}
	free(rec);
}

static void hostnames(void **state)
{
	(void)state;
	assert_true(txtrec_is_hostname("mx.example.com", 14));
	assert_true(txtrec_is_hostname("mx.example.com.", 15));
	assert_false(txtrec_is_hostname("", 0));
	assert_false(txtrec_is_hostname(".", 1));
	assert_false(txtrec_is_hostname("a..b", 4));
	assert_false(txtrec_is_hostname("a-.b", 4));
	assert_false(txtrec_is_hostname("a_b.c", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_cases),
		cmocka_unit_test(policy_fields_and_limits),
		cmocka_unit_test(mx_patterns),
		cmocka_unit_test(sts_records),
		cmocka_unit_test(tlsrpt_records),
		cmocka_unit_test(hostnames),
	};

	return cmocka_run_group_tests_name("stspolicy", tests, NULL, NULL);
}
