/*
 * metrics: what the milter did, counted for Prometheus (docs/metrics.md
 * names each metric).  msg.c and mlfi.c count; metrics_render() writes
 * the text a scrape of GET /metrics returns, without any HTTP, so that it
 * is testable alone; main.c serves it through net/httpserv.
 *
 * Thread-safety: libmilter calls from many threads and the HTTP server
 * renders from its own: plain counters are C11 atomics (relaxed: each is
 * a monotonic count, no ordering between them is promised); the table of
 * sessions by policy domain takes a mutex for one report at a time.
 *
 * Label cardinality is bounded whatever the reports say: the first
 * METRICS_MAX_DOMAINS policy domains seen get their own label value, later
 * ones share "other"; result types are RFC 8460's eleven, "success" and
 * "other".
 */
#ifndef TLSRPT_MILTER_METRICS_H
#define TLSRPT_MILTER_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "promtext.h"
#include "report.h"

#define METRICS_MAX_DOMAINS 100
#define METRICS_DOMAIN_MAX 254        /* bytes of a domain label value, NUL included */
#define METRICS_RESULT_TYPES 13       /* 11 of RFC 8460, "success", "other" */
#define METRICS_LATENCY_BUCKETS 12
#define METRICS_SPOOL_SCAN_MAX 100000 /* spool entries counted at most per scrape */
#define METRICS_TEXT_MAX (1024 * 1024)

/* What became of a report found in mail. */
enum metrics_outcome {
	METRICS_STORED,
	METRICS_DUPLICATE,
	METRICS_IGNORED,         /* not stored: not authenticated (RequireAuthentication) */
	METRICS_SPOOLED,         /* not stored; the message went to the spool */
	METRICS_ERROR,           /* neither stored nor spooled */
	METRICS_N_OUTCOMES
};

/* Why a report part could not be read, by class of tr_err. */
enum metrics_invalid {
	METRICS_INVALID_FORMAT,  /* TR_ERR_FORMAT: MIME, gzip, JSON, RFC 8460 */
	METRICS_INVALID_LIMIT,   /* TR_ERR_LIMIT: a configured bound */
	METRICS_INVALID_OTHER,
	METRICS_N_INVALID
};

/* The verdicts of struct verdict (verdict.h). */
enum metrics_auth { METRICS_AUTH_PASS, METRICS_AUTH_FAIL, METRICS_AUTH_NONE,
                    METRICS_AUTH_TEMPERROR, METRICS_AUTH_UNKNOWN, METRICS_N_AUTH };

struct metrics {
	atomic_uint_fast64_t messages, skipped;
	atomic_uint_fast64_t reports[METRICS_N_OUTCOMES];
	atomic_uint_fast64_t invalid[METRICS_N_INVALID];
	atomic_uint_fast64_t auth[METRICS_N_AUTH];
	atomic_uint_fast64_t latency[METRICS_LATENCY_BUCKETS + 1]; /* last: +Inf */
	atomic_uint_fast64_t latency_sum_us;
	int64_t started;                   /* Unix time of metrics_init() */

	pthread_mutex_t lock;              /* guards the two fields below */
	char domains[METRICS_MAX_DOMAINS][METRICS_DOMAIN_MAX];
	size_t n_domains;
	uint64_t sessions[METRICS_MAX_DOMAINS + 1][METRICS_RESULT_TYPES]; /* last row: "other" */
};

/* Zero every counter and note the start time.  Once, before threads. */
void metrics_init(struct metrics *m);

/* Release the mutex.  NULL-safe. */
void metrics_destroy(struct metrics *m);

/* Each of these is a no-op when m is NULL (a milter without metrics). */
void metrics_message(struct metrics *m, int skipped);
void metrics_report(struct metrics *m, enum metrics_outcome o);
void metrics_invalid(struct metrics *m, enum tr_err why);
void metrics_auth(struct metrics *m, const char *verdict); /* "pass", "fail", ... */
/* The sessions of a report just stored: per policy, its successful count
 * under "success" and its failure details' counts under their result
 * types, all under the policy's domain (label "unknown" when it has none);
 * an sts policy beside a tlsa one for its domain is left out, its
 * sessions counted once, under tlsa (count.h, docs/COUNTING.md). */
void metrics_sessions(struct metrics *m, const struct tlsrpt_report *r);
/* One message's store time, waiting for the database included. */
void metrics_store_seconds(struct metrics *m, double seconds);

/*
 * Write every metric into p (the caller's promtext), with the depth of
 * spool_dir (NULL: no spool, depth 0) counted now: the entries whose name
 * ends in ".eml", at most METRICS_SPOOL_SCAN_MAX.  p->status says whether
 * it fit.
 */
void metrics_render(struct metrics *m, const char *spool_dir, struct promtext *p);

#endif
