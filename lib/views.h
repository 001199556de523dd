/*
 * views: the stored reports themselves, for the CLI's list, show and
 * failures commands, and retention (expire).  summary.h sums; this module
 * lists.  Filters are summary's struct summary_filter with the same
 * meaning: a report falls in a window by its start date, policy_domain
 * selects policies, reports stored with counted = 0 never appear in
 * failures (list and show do show them: they are stored).  Totals and the
 * list of failures follow count.h: a superseded policy's sessions and
 * details are left out of them; show lists its policies and details all.
 *
 * Every string is a copy owned by the struct that holds it; NULL means the
 * report did not say.  Lists are capped by the caller's limit and by
 * VIEWS_MAX_ROWS.
 */
#ifndef TLSRPT_VIEWS_H
#define TLSRPT_VIEWS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"
#include "summary.h"

/* Hard cap on rows one call returns, whatever the limit asked for. */
#define VIEWS_MAX_ROWS 1000000

/* One failure detail and the report and policy it came from. */
struct view_failure {
	int64_t report;          /* reports.id */
	int64_t policy;          /* policies.id (struct view_policy's id) */
	int64_t start, end;      /* the report's date range */
	char *submitter;         /* "" when unknown */
	char *report_id;
	char *policy_type;
	char *policy_domain;
	char *result_type;
	char *sending_ip;
	char *receiving_mx;      /* receiving-mx-hostname */
	char *receiving_helo;
	char *receiving_ip;
	uint64_t count;          /* failed-session-count */
	char *reason_code;       /* failure-reason-code */
	char *additional_info;   /* additional-information */
};

struct view_failures {
	struct view_failure *rows;
	size_t n;
};

/*
 * Failure details under filter f (NULL: all), newest report first (by
 * start, then storage order), then most sessions first; at most limit
 * rows (0: VIEWS_MAX_ROWS).  *out owned by the caller
 * (view_failures_free()).  Errors: TR_ERR_DB, TR_ERR_BUSY, TR_ERR_NOMEM,
 * TR_ERR_USAGE.
 */
enum tr_err views_failures(struct store *s, const struct summary_filter *f, size_t limit,
                           struct view_failures **out, struct tr_error *err);

/* The failure details of one report (reports.id), counted or not, in
 * policy then storage order. */
enum tr_err views_report_failures(struct store *s, int64_t report, struct view_failures **out,
                                  struct tr_error *err);

/* NULL-safe. */
void view_failures_free(struct view_failures *v);

/* One stored report with its policies' totals. */
struct view_report {
	int64_t id;              /* reports.id */
	int64_t start, end, received_at;
	char *submitter;
	char *report_id;
	char *organization;
	char *contact_info;
	char *source;            /* "milter", "import", "https" */
	char *message_id;
	char *auth;              /* "pass", "fail", "none", "temperror", "unknown" */
	char *dkim_domain;       /* d= of the signature behind auth, or NULL */
	char *dkim_selector;     /* its selector, or NULL */
	int counted;
	uint64_t n_policies;
	uint64_t successful;     /* sums over the report's policies that count */
	uint64_t failed;         /* (count.h: not the superseded ones) */
	char *policy_domains;    /* distinct, sorted, ", "-joined ("" when none) */
	char *client_addr;       /* source "https": the client's address; else NULL */
};

struct view_reports {
	struct view_report *rows;
	size_t n;
};

/*
 * Reports under filter f (NULL: all), counted or not unless
 * f->authenticated_only, newest first (by start, then storage order); at
 * most limit (0: VIEWS_MAX_ROWS).  With f->policy_domain, the reports
 * with a policy for it, their totals still over all their policies.
 */
enum tr_err views_reports(struct store *s, const struct summary_filter *f, size_t limit,
                          struct view_reports **out, struct tr_error *err);

/* One report by reports.id: TR_ERR_NOTFOUND when there is none. */
enum tr_err views_report(struct store *s, int64_t id, struct view_reports **out,
                         struct tr_error *err);

/*
 * The reports.id of every report whose report-id is report_id (and whose
 * submitter is submitter, when not NULL): *out holds *n ids, owned by the
 * caller (free()); none is TR_OK with *n = 0.
 */
enum tr_err views_find_report(struct store *s, const char *report_id, const char *submitter,
                              int64_t **ids, size_t *n, struct tr_error *err);

/*
 * The ids of up to limit stored reports (counted or not) above after, in
 * id order: a whole database read page by page (copy).  *ids is the
 * caller's to free() whatever this returns.
 */
enum tr_err views_report_ids(struct store *s, int64_t after, size_t limit, int64_t **ids, size_t *n,
                             struct tr_error *err);

void view_reports_free(struct view_reports *v);

/* One policy of a report. */
struct view_policy {
	int64_t id;
	char *policy_type;
	char *policy_domain;
	char *policy_strings;    /* JSON array text as stored */
	char *mx_hosts;          /* JSON array text as stored */
	uint64_t successful, failed;
	int superseded;          /* an sts policy a tlsa one outranks (count.h):
	                            the report's totals leave it out */
};

struct view_policies {
	struct view_policy *rows;
	size_t n;
};

/* The policies of report id in their order in the report. */
enum tr_err views_report_policies(struct store *s, int64_t id, struct view_policies **out,
                                  struct tr_error *err);

void view_policies_free(struct view_policies *v);

/* What expire removed, or would remove. */
struct view_expired {
	uint64_t reports, policies, failure_details;
	uint64_t sessions, failed;   /* of the counted reports, as the summaries count them */
};

/*
 * Remove every report whose date range ended before cutoff (end < cutoff),
 * with its policies and failure details, in one transaction; with dry_run
 * only count them; the summary rollups of the start times that lost
 * reports are rebuilt in the same transaction.  The store must be open
 * for writing.  Errors:
 * TR_ERR_DB, TR_ERR_BUSY (nothing removed).
 */
enum tr_err views_expire(struct store *s, int64_t cutoff, int dry_run, struct view_expired *out,
                         struct tr_error *err);

/* VACUUM the database (outside any transaction). */
enum tr_err views_vacuum(struct store *s, struct tr_error *err);

#endif
