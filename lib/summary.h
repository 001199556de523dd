/*
 * summary: aggregates over stored reports, answering "who cannot reach us
 * over TLS, and why?".
 *
 * Totals are sums of the policies' summary counts, so a report covering two
 * policy domains is never counted twice; result types sum the failure
 * details' failed-session-count.  Only reports stored as counted take
 * part, and of them only the policies count.h counts (an sts policy
 * beside a tlsa one for the same domain is the same sessions: counted
 * once, under tlsa); docs/COUNTING.md says it for users.  A report
 * belongs to a window by its start date.
 */
#ifndef TLSRPT_SUMMARY_H
#define TLSRPT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "filter.h"
#include "key.h"
#include "store.h"

/*
 * What each key groups:
 *
 * submitter, policy-domain, day: policies.  reports = distinct reports
 *   with a policy in the group; successful and failed = sums of those
 *   policies' total-successful- and total-failure-session-count.  day is
 *   the UTC date of the report's start, "YYYY-MM-DD".
 * policy-type: every policy, counted or superseded, so that nothing a
 *   report said is hidden: a superseded sts policy groups under
 *   "sts (counted under tlsa)", and those rows add up to more than the
 *   totals by exactly what they counted twice.
 * result-type, receiving-mx (receiving-mx-hostname), sending-ip
 *   (sending-mta-ip): failure details.  failed = sum of their
 *   failed-session-count; successful = 0; reports = distinct reports with
 *   such a detail.
 *
 * A missing field (no policy-domain, no result-type...) and an unknown
 * submitter group under the empty string "".
 * Each row's result_types: the failure details under that row (of its
 * policies, or its own details) summed by result-type, most first, then
 * by name.
 * organization: submitter rows only, the organization-name of that
 * submitter's latest counted report that carries a non-empty one (latest
 * by start, then by storage order), whatever the filter; NULL otherwise.
 * failed_with_policy: the part of failed that policies of a type other
 * than "no-policy-found" counted (an sts or tlsa policy that failed), so
 * that views can tell real failures from opportunistic TLS ones.
 * The summary's own reports/successful/failed are the policies' totals
 * under the filter whatever the key, so for the failure-detail keys the
 * rows need not add up to them.  Sums saturate at INT64_MAX.
 */
/* enum summary_key and every key's definition: key.h. */

/* struct summary_filter is filter.h's: policy_domain selects policies (and
 * their failure details), the others select reports; reports stored with
 * counted = 0 never take part. */

/* Initialise f to "everything" (filter_all()). */
void summary_filter_all(struct summary_filter *f);

struct summary_count {
	char *name;                 /* a result-type */
	uint64_t count;
};

struct summary_row {
	char *key;                  /* submitter, policy domain, ... or "YYYY-MM-DD" */
	char *organization;         /* most recent organization-name (by submitter), or NULL */
	uint64_t reports;
	uint64_t successful;
	uint64_t failed;
	struct summary_count *result_types; /* most first */
	size_t n_result_types;
	uint64_t failed_with_policy; /* of failed, those under a policy other
	                                than "no-policy-found" */
};

struct summary {
	uint64_t reports;
	uint64_t successful;
	uint64_t failed;
	struct summary_row *rows;   /* sorted by failed, most first, then key */
	size_t n_rows;
	uint64_t failed_with_policy; /* of failed, those under a policy */
};

/* 1 when a row of the summary by submitter is a failing sender: at least
 * one failed session under a policy (count.h).  Every view that says
 * "failing" asks this. */
int summary_row_failing(const struct summary_row *row);

/* Name of a key as used on the command line and in JSON ("submitter",
 * "policy-domain", "result-type", "receiving-mx", "sending-ip", "day",
 * "policy-type");
 * NULL for a value outside the enum. */
const char *summary_key_name(enum summary_key k);

/* Parse a name as above; -1 when unknown. */
int summary_key_parse(const char *name);

/*
 * Compute the summary grouped by key under filter f (NULL: everything),
 * inside one read transaction.  On success *out is owned by the caller
 * (summary_free()).  Errors: TR_ERR_DB, TR_ERR_BUSY, TR_ERR_NOMEM,
 * TR_ERR_USAGE (no store, unknown key).
 */
enum tr_err summary_query(struct store *s, enum summary_key key, const struct summary_filter *f,
                          struct summary **out, struct tr_error *err);

/* NULL-safe. */
void summary_free(struct summary *sm);

#endif
