/*
 * count: which of a report's policies count their sessions (see count.h
 * and docs/COUNTING.md).  The store marks each policy once as it stores
 * it; the rollups, the summaries and the views read the mark.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"

/* ASCII case folding only, as SQLite's NOCASE, with which migration 009
 * marks the policies stored before this rule: both must agree. */
static int fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int domain_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x != '\0' && fold(*x) == fold(*y)) {
		x++;
		y++;
	}
	return fold(*x) - fold(*y);
}

static int is_type(const struct tlsrpt_policy *p, const char *type)
{
	return p->policy_type != NULL && strcmp(p->policy_type, type) == 0;
}

int count_under_policy(const char *policy_type)
{
	return policy_type == NULL || strcmp(policy_type, COUNT_TYPE_NONE) != 0;
}

static int cmp_domain_ptr(const void *a, const void *b)
{
	return domain_cmp(*(const char *const *)a, *(const char *const *)b);
}

enum tr_err count_superseded(const struct tlsrpt_report *r, unsigned char *superseded, struct tr_error *err)
{
	size_t n_dane = 0, n_sts = 0, k = 0;
	const char **dane;

	if (r->n_policies == 0)
		return TR_OK;
	memset(superseded, 0, r->n_policies);
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		n_dane += is_type(p, COUNT_TYPE_DANE) && p->policy_domain != NULL;
		n_sts += is_type(p, COUNT_TYPE_STS) && p->policy_domain != NULL;
	}
	/* the common report: one type only, nothing to compare */
	if (n_dane == 0 || n_sts == 0)
		return TR_OK;
	/* the tlsa domains sorted, so that a hostile report of thousands of
	 * policies costs n log n */
	dane = malloc(n_dane * sizeof *dane);
	if (dane == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory counting the report's policies");
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (is_type(p, COUNT_TYPE_DANE) && p->policy_domain != NULL)
			dane[k++] = p->policy_domain;
	}
	qsort(dane, n_dane, sizeof *dane, cmp_domain_ptr);
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (is_type(p, COUNT_TYPE_STS) && p->policy_domain != NULL)
			superseded[i] = bsearch(&p->policy_domain, dane, n_dane, sizeof *dane, cmp_domain_ptr) != NULL;
	}
	free(dane);
	return TR_OK;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

enum tr_err count_report_totals(const struct tlsrpt_report *r, uint64_t *ok, uint64_t *failed,
                                struct tr_error *err)
{
	unsigned char *superseded;
	enum tr_err rc;

	*ok = 0;
	*failed = 0;
	if (r == NULL || r->n_policies == 0)
		return TR_OK;
	superseded = malloc(r->n_policies);
	if (superseded == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory counting the report's policies");
	rc = count_superseded(r, superseded, err);
	for (size_t i = 0; rc == TR_OK && i < r->n_policies; i++) {
		if (superseded[i])
			continue;
		*ok = sat_add(*ok, r->policies[i].total_successful);
		*failed = sat_add(*failed, r->policies[i].total_failure);
	}
	free(superseded);
	return rc;
}
