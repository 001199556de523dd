/*
 * count: the one definition of what the totals count (docs/COUNTING.md).
 *
 * Every view that shows a number of sessions (summary under every key,
 * list, show, failures, digest, expire) and the rollups that pre-sum
 * them apply these rules and no others:
 *
 *  - A report's policy counts its sessions unless it is superseded: an
 *    "sts" policy is superseded when the same report also has a "tlsa"
 *    policy for the same policy domain (ASCII case-insensitive; a missing
 *    domain matches nothing).  Such a sender evaluated DANE and MTA-STS
 *    for the same sessions and reported both; DANE takes precedence
 *    (RFC 8461 §2), so the sessions count once, under tlsa.  Every other
 *    set of policies (several sts versions, no-policy-found beside sts,
 *    several tlsa) describes disjoint sessions and is summed.
 *  - A failed session is one a counted policy reports in its
 *    total-failure-session-count (failure details: failed-session-count).
 *  - It failed under a policy when that policy's type is not
 *    "no-policy-found" (where no policy applies, TLS was opportunistic).
 *  - A failing sender is a submitter with at least one failed session
 *    under a policy in the window (summary_row_failing()).
 *
 * Stored policies carry the rule as policies.superseded (schema.sql),
 * set by the store from count_superseded(); SQL reads it through the
 * fragments below.
 */
#ifndef TLSRPT_COUNT_H
#define TLSRPT_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "report.h"

/* The policy-type of the policies that supersede, that are superseded,
 * and that say no policy applied (RFC 8460 §4.4). */
#define COUNT_TYPE_DANE "tlsa"
#define COUNT_TYPE_STS "sts"
#define COUNT_TYPE_NONE "no-policy-found"

/* SQL over a policies row named by alias p: its sessions count; it is a
 * policy under which a failure is a failure "under a policy". */
#define COUNT_SQL_COUNTED(p) p ".superseded = 0"
#define COUNT_SQL_UNDER_POLICY(p) p ".policy_type <> '" COUNT_TYPE_NONE "'"

/*
 * Mark r's superseded policies: superseded[i] = 1 for each policy i that
 * the rule above leaves out, 0 for the others (superseded has room for
 * r->n_policies).  n log n in the number of policies.
 * Errors: TR_ERR_NOMEM (superseded is then all 0).
 */
enum tr_err count_superseded(const struct tlsrpt_report *r, unsigned char *superseded, struct tr_error *err);

/*
 * r's sessions as the totals count them: the sums of total_successful and
 * total_failure over the policies count_superseded() keeps, saturating.
 * (report_total_successful() and _failure() sum every policy: what the
 * report says, not what we count.)  Errors: TR_ERR_NOMEM (*ok and
 * *failed are then 0).
 */
enum tr_err count_report_totals(const struct tlsrpt_report *r, uint64_t *ok, uint64_t *failed,
                                struct tr_error *err);

/* 1 when a failure under a policy of this type is "under a policy"
 * (type NULL: a malformed report's, counted as under a policy). */
int count_under_policy(const char *policy_type);

#endif
