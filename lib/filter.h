/*
 * filter: the filters every view of the stored reports takes (--since,
 * --until, --policy-domain, --submitter, --authenticated), each defined
 * once: what it selects, its SQL condition over each kind of source, and
 * its bound value.  summary (over the base tables or a rollup) and views
 * (reports, failure details) build their WHERE from here; a new filter is
 * one entry of the table in filter.c and one member below.
 *
 * Every value is a bound named parameter (:since, :until, :domain,
 * :submitter); the SQL text holds only fixed fragments.
 */
#ifndef TLSRPT_FILTER_H
#define TLSRPT_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct summary_filter {
	int64_t since;              /* start >= since; INT64_MIN for none */
	int64_t until;              /* start < until; INT64_MAX for none */
	const char *policy_domain;  /* NULL for all */
	const char *submitter;      /* NULL for all */
	int authenticated_only;     /* only reports whose auth is "pass" */
};
/* A report falls in a window by its start date.  policy_domain selects
 * policies (and their failure details), the others select reports.
 * policy_domain and submitter match without regard to ASCII case: the
 * store holds both lowercased. */

/* Initialise f to "everything". */
void filter_all(struct summary_filter *f);

/* What the conditions are written over. */
enum filter_source {
	FILTER_OVER_POLICIES, /* reports r joined to policies p (and details) */
	FILTER_OVER_ROLLUP,   /* a rollup row g (schema.sql: start_time,
	                         submitter, auth_pass, policy_domain when it
	                         has one) */
	FILTER_OVER_REPORTS,  /* reports r alone: the policy domain selects
	                         the reports with a policy for it */
	FILTER_N_SOURCES
};

/*
 * " AND condition" for each filter f uses (only those: the planner then picks
 * the index each allows), over src, into out (cap bytes, NUL-terminated).
 * Returns 0, or -1 when it does not fit (out is then "").  A rollup has
 * no policy domain unless the caller reads one that has (rollup_policy,
 * rollup_result): a caller's choice, not checked here.
 */
int filter_where(char *out, size_t cap, const struct summary_filter *f, enum filter_source src);

/* Bind f's values to the named parameters st has (those filter_where()
 * wrote; others are left alone).  A failure shows at the next db_step(). */
void filter_bind(struct db_stmt *st, const struct summary_filter *f);

#endif
