/*
 * fuzz_report: the RFC 8460 model.  A report that parses must print, every
 * string in it must be valid UTF-8, and what it prints must parse again to
 * the same model (report_to_json is a fixed point after one round).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report.h"

static void check_str(const char *what, const char *s)
{
	if (s != NULL)
		fuzz_assert_utf8(what, s, strlen(s));
}

static void check_strings(const struct tlsrpt_report *r)
{
	size_t i, j;

	check_str("organization-name", r->organization_name);
	check_str("contact-info", r->contact_info);
	check_str("report-id", r->report_id);
	for (i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		check_str("policy-type", p->policy_type);
		check_str("policy-domain", p->policy_domain);
		for (j = 0; j < p->n_policy_strings; j++)
			check_str("policy-string", p->policy_strings[j]);
		for (j = 0; j < p->n_mx_hosts; j++)
			check_str("mx-host", p->mx_hosts[j]);
		for (j = 0; j < p->n_failures; j++) {
			const struct tlsrpt_failure *f = &p->failures[j];

			check_str("result-type", f->result_type);
			check_str("sending-mta-ip", f->sending_mta_ip);
			check_str("receiving-mx-hostname", f->receiving_mx_hostname);
			check_str("receiving-mx-helo", f->receiving_mx_helo);
			check_str("receiving-ip", f->receiving_ip);
			check_str("additional-information", f->additional_information);
			check_str("failure-reason-code", f->failure_reason_code);
		}
	}
}

/* Print r, parse the print, print again: both prints must be equal. */
static void round_trip(const struct tlsrpt_report *r, const struct tr_limits *lim)
{
	struct tr_limits wide = *lim;
	struct tlsrpt_report *again = NULL;
	struct tr_error err;
	char *first, *second;

	first = report_to_json(r, 0);
	if (first == NULL)
		return; /* out of memory */
	fuzz_assert_utf8("report_to_json", first, strlen(first));
	/* Replacement characters may have lengthened a string. */
	wide.max_string_len = lim->max_string_len * 3;
	if (report_parse_json(first, strlen(first), &wide, NULL, &again, &err) != TR_OK) {
		fprintf(stderr, "fuzz_report: own output rejected: %s\n%s\n", err.msg, first);
		abort();
	}
	second = report_to_json(again, 0);
	if (second != NULL && strcmp(first, second) != 0) {
		fprintf(stderr, "fuzz_report: round trip differs\n%s\n%s\n", first, second);
		abort();
	}
	free(second);
	free(first);
	report_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsrpt_report *r = NULL;
	struct tr_limits lim;
	struct tr_error err;

	/* as the programs parse (report.h); setting the same hooks again is free */
	report_use_cjson_arena();
	fuzz_limits(&lim);
	if (report_parse_json((const char *)data, size, &lim, "fallback.example", &r, &err) != TR_OK) {
		if (r != NULL || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (r->report_id == NULL || r->n_policies == 0 || r->json_len != size)
		abort();
	check_strings(r);
	round_trip(r, &lim);
	report_free(r);
	return 0;
}
