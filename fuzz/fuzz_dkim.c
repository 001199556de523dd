/*
 * fuzz_dkim: the DKIM verdict path (lib/dkimverify.c over libopendkim),
 * as the milter and import --verify-dkim take it: a whole mail, its
 * reports found by extract, every DKIM-Signature looked at for their
 * submitters, a verdict per report.  Keys come from the fixture key file
 * (tests/fixtures/dkim/keys.txt, under $top_srcdir when set), so that
 * seeds signed with those keys reach the cryptography.
 * Checks beyond "no crash": a pass names a signature that verified, has
 * no l=, a key for tlsrpt and a d= aligned with the submitter; none only
 * for a mail without DKIM-Signature; names NUL-terminated and lowercase.
 * The bounded report-id scan (report_peek_id) runs over the input too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "dkimverify.h"
#include "extract.h"
#include "fuzz.h"

static struct dkimverify *verifier(void)
{
	static struct dkimverify *v;
	char path[4096];
	const char *top = getenv("top_srcdir");
	struct tr_error err;

	if (v != NULL)
		return v;
	snprintf(path, sizeof path, "%s/tests/fixtures/dkim/keys.txt", top != NULL ? top : ".");
	tr_error_clear(&err);
	if (dkimverify_open(path, 1, &v, &err) != TR_OK) {
		fprintf(stderr, "fuzz_dkim: %s\n", err.msg);
		abort();
	}
	return v;
}

static void check_name(const char *s, int lower)
{
	size_t n = strnlen(s, DKIMVERIFY_NAME_MAX);

	if (n == DKIMVERIFY_NAME_MAX)
		abort();
	for (size_t i = 0; lower && i < n; i++)
		if (isupper((unsigned char)s[i]))
			abort();
}

static void check_verdict(const struct dkimverify_result *dr, const char *sub)
{
	const struct dkimverify_sig *which = NULL;
	enum dkimverify_verdict v = dkimverify_verdict(dr, sub, &which);

	if (dkimverify_verdict_name(v) == NULL)
		abort();
	if (v == DKIMV_NONE && (dr->n_signatures != 0 || dr->temp))
		abort();
	if (v != DKIMV_PASS)
		return;
	if (which == NULL || !which->verified || which->has_l || which->service_ok != 1 ||
	    !authres_aligned(which->domain, sub))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_result res;
	struct dkimverify_result dr;
	struct tr_limits lim;
	struct tr_error err;
	const char *subs[16];
	char id[64];
	size_t i, n = 0;

	(void)report_peek_id((const char *)data, size, id, sizeof id);
	fuzz_limits(&lim);
	tr_error_clear(&err);
	(void)extract_message((const char *)data, size, &lim, &res, &err);
	for (i = 0; i < res.n && n < sizeof subs / sizeof subs[0]; i++)
		if (res.items[i].report != NULL)
			subs[n++] = res.items[i].report->submitter != NULL ? res.items[i].report->submitter
			                                                  : res.items[i].submitter;
	/* as the milter: only a mail with a report is verified, but a few
	 * without one are too, so that any header block reaches libopendkim */
	if (n == 0 && (size == 0 || data[0] % 4 != 0)) {
		extract_result_free(&res);
		return 0;
	}
	if (n == 0)
		subs[n++] = "example.net";
	tr_error_clear(&err);
	if (dkimverify_message(verifier(), (const char *)data, size, subs, n, &dr, &err) == TR_OK) {
		if (dr.n > DKIMVERIFY_MAX_SIGS || dr.n > dr.n_signatures + DKIMVERIFY_MAX_SIGS)
			abort();
		for (i = 0; i < dr.n; i++) {
			check_name(dr.sigs[i].domain, 1);
			check_name(dr.sigs[i].selector, 0);
		}
		for (i = 0; i < n; i++)
			check_verdict(&dr, subs[i]);
		check_verdict(&dr, NULL);
	}
	extract_result_free(&res);
	return 0;
}
