/*
 * Unit tests of authres: Authentication-Results as real verifiers write
 * them (and as forgers do), and the per-report verdict built on them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authres.h"
#include "domain.h"

struct parse_case {
	const char *value;
	int rc;
	const char *id;
	size_t n_dkim;
	const char *result0, *domain0;
	const char *result1, *domain1;
};

static const struct parse_case parse_cases[] = {
	{ "mx.example.org; dkim=pass header.d=google.com header.s=x header.b=Ab/c+d=",
	  0, "mx.example.org", 1, "pass", "google.com", NULL, NULL },
	{ "MX.Example.ORG 1; DKIM=Pass (good sig) Header.D=Google.COM.",
	  0, "mx.example.org", 1, "pass", "google.com", NULL, NULL },
	{ "mx.example.org;\r\n\tspf=pass smtp.mailfrom=a@b.example;\r\n\tdkim=fail reason=\"bad; sig\" header.d=a.example;"
	  " dkim=pass header.i=@mail.b.example",
	  0, "mx.example.org", 2, "fail", "a.example", "pass", "mail.b.example" },
	{ "(comment (nested) here) \"mx.example.org\" (x) ; dkim (m) = (r) pass header (p) . d = \"quoted.example\"",
	  0, "mx.example.org", 1, "pass", "quoted.example", NULL, NULL },
	{ "mx.example.org; none", 0, "mx.example.org", 0, NULL, NULL, NULL, NULL },
	{ "mx.example.org; dkim/1=pass header.i=user@sub.example.net header.d=example.net",
	  0, "mx.example.org", 1, "pass", "example.net", NULL, NULL },
	{ "mx.example.org; garbage!!; dkim=pass header.d=ok.example",
	  0, "mx.example.org", 1, "pass", "ok.example", NULL, NULL },
	{ "mx.example.org; dkim=pass (comment with ; semicolon) header.d=c.example",
	  0, "mx.example.org", 1, "pass", "c.example", NULL, NULL },
	{ "mx.example.org; dkim=neutral header.d", 0, "mx.example.org", 0, NULL, NULL, NULL, NULL },
	{ "", -1, "", 0, NULL, NULL, NULL, NULL },
	{ "   (only a comment)", -1, "", 0, NULL, NULL, NULL, NULL },
};

static void parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct authres ar;

		print_message("case %zu: %s\n", i, c->value);
		assert_int_equal(authres_parse(c->value, &ar), c->rc);
		assert_string_equal(ar.authserv_id, c->id);
		assert_int_equal(ar.n_dkim, c->n_dkim);
		if (c->result0 != NULL) {
			assert_string_equal(ar.dkim[0].result, c->result0);
			assert_string_equal(ar.dkim[0].domain, c->domain0);
		}
		if (c->result1 != NULL) {
			assert_string_equal(ar.dkim[1].result, c->result1);
			assert_string_equal(ar.dkim[1].domain, c->domain1);
		}
	}
}

static void overlong_domain_is_dropped_not_cut(void **state)
{
	char value[600];
	struct authres ar;

	(void)state;
	memset(value, 'a', sizeof value);
	memcpy(value, "mx; dkim=pass header.d=", 23);
	memcpy(value + sizeof value - 12, ".google.com", 12);
	assert_int_equal(authres_parse(value, &ar), 0);
	assert_int_equal(ar.n_dkim, 1);
	assert_string_equal(ar.dkim[0].domain, "");
}

static void many_results_are_capped(void **state)
{
	static const char one[] = "; dkim=fail header.d=x.example";
	char value[4096] = "mx";
	size_t off = 2;
	struct authres ar;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		memcpy(value + off, one, sizeof one);
		off += sizeof one - 1;
	}
	assert_int_equal(authres_parse(value, &ar), 0);
	assert_int_equal(ar.n_dkim, AUTHRES_MAX_DKIM);
}

struct align_case {
	const char *d, *s;
	int want;
};

static const struct align_case align_cases[] = {
	{ "google.com", "google.com", 1 },
	{ "Google.COM", "google.com", 1 },
	{ "mail.google.com", "google.com", 1 },
	{ "google.com", "tlsrpt.google.com", 1 },
	{ "evilgoogle.com", "google.com", 0 },
	{ "google.com.evil.example", "google.com", 0 },
	{ "com", "google.com", 0 },
	{ "", "google.com", 0 },
	{ "google.com", "", 0 },
	{ "google.com", NULL, 0 },
};

static void aligned_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof align_cases / sizeof align_cases[0]; i++) {
		print_message("case %zu: %s vs %s\n", i, align_cases[i].d,
		              align_cases[i].s ? align_cases[i].s : "(null)");
		assert_int_equal(authres_aligned(align_cases[i].d, align_cases[i].s),
		                 align_cases[i].want);
	}
}

/* One way only, unlike alignment: a name and the domain it is under. */
static void within_table(void **state)
{
	(void)state;
	assert_int_equal(domain_within("example.com", "example.com"), 1);
	assert_int_equal(domain_within("Mail.Example.COM", "example.com"), 1);
	assert_int_equal(domain_within("example.com", "mail.example.com"), 0);
	assert_int_equal(domain_within("badexample.com", "example.com"), 0);
	assert_int_equal(domain_within("example.com.evil.example", "example.com"), 0);
	assert_int_equal(domain_within(".example.com", "example.com"), 1);
	assert_int_equal(domain_within("xample.com", "example.com"), 0);
	assert_int_equal(domain_within("", "example.com"), 0);
	assert_int_equal(domain_within("example.com", ""), 0);
	assert_int_equal(domain_within(NULL, "example.com"), 0);
}

struct verdict_case {
	const char *headers[3];
	const char *submitter;
	enum authres_verdict want;
};

static const struct verdict_case verdict_cases[] = {
	{ { "mx.example.org; dkim=pass header.d=google.com" }, "google.com", AUTHRES_PASS },
	{ { "mx.example.org; dkim=pass header.d=google.com" }, "microsoft.com", AUTHRES_FAIL },
	{ { "mx.example.org; dkim=fail header.d=google.com" }, "google.com", AUTHRES_FAIL },
	{ { "mx.example.org; spf=pass smtp.mailfrom=google.com" }, "google.com", AUTHRES_NONE },
	{ { "mx.example.org; dkim=none" }, "google.com", AUTHRES_NONE },
	/* spoofed: an id we do not trust, or one that only starts like ours */
	{ { "evil.example; dkim=pass header.d=google.com" }, "google.com", AUTHRES_NONE },
	{ { "mx.example.org.evil; dkim=pass header.d=google.com" }, "google.com", AUTHRES_NONE },
	{ { "evil.example; dkim=pass header.d=google.com",
	    "MX.example.org; dkim=fail header.d=google.com" }, "google.com", AUTHRES_FAIL },
	{ { "mx.example.org; dkim=fail header.d=google.com",
	    "mx2.example.org; dkim=pass header.d=google.com" }, "google.com", AUTHRES_PASS },
	{ { "mx.example.org; dkim=pass header.d=google.com" }, NULL, AUTHRES_FAIL },
	{ { NULL }, "google.com", AUTHRES_NONE },
};

static void verdict_table(void **state)
{
	static const char *const trusted[] = { "mx.example.org", "mx2.example.org" };
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof verdict_cases / sizeof verdict_cases[0]; i++) {
		struct authres ar[3];

		for (n = 0; n < 3 && verdict_cases[i].headers[n] != NULL; n++)
			assert_int_equal(authres_parse(verdict_cases[i].headers[n], &ar[n]), 0);
		print_message("case %zu\n", i);
		assert_int_equal(authres_verdict(ar, n, trusted, 2, verdict_cases[i].submitter),
		                 verdict_cases[i].want);
	}
}

static void no_trusted_ids_means_unknown(void **state)
{
	struct authres ar;

	(void)state;
	assert_int_equal(authres_parse("mx.example.org; dkim=pass header.d=google.com", &ar), 0);
	assert_int_equal(authres_verdict(&ar, 1, NULL, 0, "google.com"), AUTHRES_UNKNOWN);
	assert_string_equal(authres_verdict_name(AUTHRES_UNKNOWN), "unknown");
	assert_string_equal(authres_verdict_name(AUTHRES_PASS), "pass");
	assert_string_equal(authres_verdict_name(AUTHRES_FAIL), "fail");
	assert_string_equal(authres_verdict_name(AUTHRES_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_table),
		cmocka_unit_test(overlong_domain_is_dropped_not_cut),
		cmocka_unit_test(many_results_are_capped),
		cmocka_unit_test(aligned_table),
		cmocka_unit_test(within_table),
		cmocka_unit_test(verdict_table),
		cmocka_unit_test(no_trusted_ids_means_unknown),
	};

	return cmocka_run_group_tests_name("authres", tests, NULL, NULL);
}
