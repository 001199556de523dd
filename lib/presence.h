/*
 * presence: when each reporter reported, for the questions "who went
 * silent?" (summary, digest, the TLSRPTReporterSilent alert) and "when
 * did we last hear about this domain?" (tlsrpt-report metrics).  It reads
 * dates only; sessions and failures are summary.h's.
 *
 * Like summary, only reports stored as counted take part, and a report
 * falls in a window by its start date.  A reporter's "last report" is the
 * latest end of the date ranges of its reports in the window: the moment
 * up to which it has told us about our mail.
 */
#ifndef TLSRPT_PRESENCE_H
#define TLSRPT_PRESENCE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

/*
 * The definition of a silent reporter, shared by every view: it reported
 * on at least PRESENCE_ACTIVE_DAYS of the PRESENCE_LOOKBACK_DAYS UTC days
 * before today (today counts too), and the date ranges of its reports end
 * more than PRESENCE_SILENT_SECONDS ago.  docs/prometheus/tlsrpt.rules.yml
 * repeats these numbers.
 */
#define PRESENCE_LOOKBACK_DAYS 30
#define PRESENCE_ACTIVE_DAYS 16
#define PRESENCE_SILENT_SECONDS (2 * 86400)

/* Hard cap on the rows of each list; past it the query fails with
 * TR_ERR_LIMIT rather than answer in part. */
#define PRESENCE_MAX_ROWS 1000000

struct presence_reporter {
	char *submitter;        /* "" when unknown */
	int64_t last_start;     /* latest start of its reports in the window */
	int64_t last_end;       /* latest end of their date ranges */
	uint32_t days;          /* distinct UTC days on which its reports start */
};

/* One reporter and one policy domain it reported about. */
struct presence_pair {
	char *submitter;        /* "" when unknown */
	char *policy_domain;    /* NULL when the policy named none */
	int64_t last_end;       /* latest end of those reports' date ranges */
};

struct presence {
	struct presence_reporter *reporters; /* by submitter (bytewise) */
	size_t n_reporters;
	struct presence_pair *pairs;         /* by submitter, then policy domain (NULL first) */
	size_t n_pairs;
};

/*
 * The reporters, and reporter/policy-domain pairs, of the counted reports
 * starting in [since, until), in one read transaction.  *out is the
 * caller's (presence_free()).  Errors: TR_ERR_DB, TR_ERR_BUSY,
 * TR_ERR_NOMEM, TR_ERR_LIMIT, TR_ERR_USAGE (no store or out).
 */
enum tr_err presence_query(struct store *s, int64_t since, int64_t until, struct presence **out,
                           struct tr_error *err);

/* The window presence_is_silent() judges: [*since, *until) covers the
 * PRESENCE_LOOKBACK_DAYS days before now's UTC day and that day to now. */
void presence_window(int64_t now, int64_t *since, int64_t *until);

/* 1 when r, from a presence_query() over presence_window(now), is silent
 * at now by the definition above. */
int presence_is_silent(const struct presence_reporter *r, int64_t now);

/* NULL-safe. */
void presence_free(struct presence *p);

#endif
