/*
 * explain: the live check beside the stored reports.  For each finding
 * whose kind makes senders report failures (findings.h's result_types),
 * the failure details of the last days it accounts for; and the reverse,
 * the failures the check found no cause for.
 *
 * It reads the store only through views.h (views_failures), so what a
 * "failure" is stays defined in one place; it counts nothing in SQL.
 */
#ifndef TLSRPT_CHECK_EXPLAIN_H
#define TLSRPT_CHECK_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "findings.h"
#include "store.h"

/* Distinct senders counted per line; more are counted as this many. */
#define EXPLAIN_SENDERS_MAX 1000
/* Lines of unexplained failures kept; the rest are summed in the last. */
#define EXPLAIN_UNEXPLAINED_MAX 64

struct explain_item {
	uint64_t sessions;          /* failed sessions reported */
	size_t senders;             /* distinct submitters */
	int64_t first, last;        /* start of the earliest / latest report */
	char result_types[128];     /* the types seen, space-separated */
};

struct explain_unexplained {
	char result_type[64];
	char receiving_mx[256];     /* "" when the reports named none */
	uint64_t sessions;
	size_t senders;
};

struct explain {
	int64_t since;              /* the window's start */
	size_t n_details;           /* failure details looked at */
	struct explain_item *items; /* one per finding, same order; zero
	                               sessions when nothing matched */
	size_t n_items;
	struct explain_unexplained *un;
	size_t n_un;
};

/*
 * Match the failure details stored for f->domain (as policy domain) whose
 * report started at or after since against f's findings.  A detail is a
 * finding's when its result-type is one of the finding's result types
 * and, for a finding about an MX host, its receiving-mx-hostname (or
 * receiving-mx-helo) is that host; a finding with a start time (an
 * expired certificate) takes only reports that ended after it.  *out
 * owned by the caller (explain_free()).  Errors: those of
 * views_failures(), TR_ERR_NOMEM.
 */
enum tr_err explain_reports(struct store *st, const struct findings *f, int64_t since,
                            struct explain **out, struct tr_error *err);

/* NULL-safe. */
void explain_free(struct explain *e);

#endif
