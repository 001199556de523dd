/*
 * rollup: the summary rollups kept in step with the reports (see
 * rollup.h).  A new report's groups are summed in C and added by upsert,
 * the folded rollups' derived from a batch's sums at its flush;
 * a change to stored reports rebuilds the start times it touched with
 * SELECTs over the base tables, as migrations 002 and 003 backfilled, and
 * the folded rollups' buckets (version 13) from the rollups they fold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "count.h"
#include "key.h"
#include "rollup.h"
#include "rows.h"

/* scratch items kept between reports */
#define RU_KEEP 4096
/* Groups a batch holds before rollup_batch_make_room() upserts them early
 * (a few MB; the flush derives up to as many folded groups again). */
#define RU_BATCH_MAX 65536

/*
 * The summary rollups (schema.sql, versions 2 and 3) as SELECTs over the
 * base tables grouped by each rollup's key, around a selection of
 * reports: it rebuilds the start times expire touched, as migrations 002
 * and 003 backfilled.
 * A new report's groups are summed in C instead (rollup_add_report) and
 * added by upsert: the SELECTs' temporary b-trees cost more than the
 * report's other rows together.
 */
#define RU_FAILED_WITH_POLICY(col) "tr_sum(CASE WHEN " COUNT_SQL_UNDER_POLICY("p") " THEN " col " ELSE 0 END)"
#define RU_POLICY_SUMS "COUNT(DISTINCT r.id), tr_sum(p.total_successful), tr_sum(p.total_failure), " \
	RU_FAILED_WITH_POLICY("p.total_failure")
#define RU_RESULT_SUMS "COUNT(DISTINCT r.id), tr_sum(f.failed_session_count), " \
	RU_FAILED_WITH_POLICY("f.failed_session_count")
#define RU_FROM_POLICIES " FROM reports r JOIN policies p ON p.report = r.id WHERE r.counted = 1 AND " \
	COUNT_SQL_COUNTED("p") " AND "
#define RU_FROM_DETAILS " FROM reports r JOIN policies p ON p.report = r.id" \
	" JOIN failure_details f ON f.policy = p.id WHERE r.counted = 1 AND " COUNT_SQL_COUNTED("p") " AND "
/* every policy, the superseded ones too (the summary by policy type's) */
#define RU_FROM_EVERY_POLICY " FROM reports r JOIN policies p ON p.report = r.id WHERE r.counted = 1 AND "
#define RU_FROM_EVERY_DETAIL " FROM reports r JOIN policies p ON p.report = r.id" \
	" JOIN failure_details f ON f.policy = p.id WHERE r.counted = 1 AND "
/* The row stored is t (rollup_upsert_sql): PostgreSQL takes a bare
 * column here for ambiguous between it and excluded. */
#define RU_ADD_POLICY " DO UPDATE SET reports = t.reports + excluded.reports," \
	" successful = tr_add(t.successful, excluded.successful), failed = tr_add(t.failed, excluded.failed)," \
	" failed_with_policy = tr_add(t.failed_with_policy, excluded.failed_with_policy)"
#define RU_ADD_RESULT " DO UPDATE SET reports = t.reports + excluded.reports," \
	" failed = tr_add(t.failed, excluded.failed)," \
	" failed_with_policy = tr_add(t.failed_with_policy, excluded.failed_with_policy)"
/* auth_pass is an integer column, and a comparison is a boolean in PostgreSQL */
#define RU_AUTH_PASS "CASE WHEN r.auth = 'pass' THEN 1 ELSE 0 END"

/* The folded rollups (schema version 13) come after the rollups they
 * fold, so that a rebuild reads those already rebuilt. */
enum { RU_REPORT, RU_POLICY, RU_RESULT_SUB, RU_RESULT, RU_MX, RU_MX_RESULT, RU_TYPE, RU_TYPE_RESULT,
       RU_FOLD_POLICY, RU_FOLD_RESULT, RU_FOLD_MX, RU_FOLD_MX_RESULT, RU_COUNT };

/* Which group columns a rollup has besides start, submitter and auth:
 * the item's key (a policy domain before auth, or a receiving MX or
 * policy type after it: RU_HAS_MX), its result type, and the successful
 * sessions; a folded rollup has a bucket for start and no submitter. */
enum { RU_HAS_DOMAIN = 1, RU_HAS_MX = 2, RU_HAS_RT = 4, RU_HAS_OK = 8, RU_FOLDED = 16 };

struct rollup_def {
	const char *table;
	const char *select;   /* up to the selection of reports */
	const char *group;    /* after it */
	const char *conflict; /* ON CONFLICT (key) DO UPDATE ..., adding */
	unsigned cols;        /* RU_HAS_*, RU_FOLDED */
	int folds;            /* a folded rollup's: the rollup it sums (RU_*); 0 for the others */
};

/* A folded rollup's rows from the rollup g it folds, over the buckets
 * (b) that the selection between select and group yields (rollup_rebuild),
 * as migration 013 backfilled them. */
#define RU_FOLD_BUCKET KEY_SQL_FOLD_BUCKET("g.start_time")
#define RU_FOLD_FROM " FROM ("
#define RU_FOLD_JOIN(t) ") x JOIN " t " g ON g.start_time >= x.b AND g.start_time < x.b + " \
	KEY_FOLD_STR(KEY_FOLD_SECONDS) " GROUP BY "
#define RU_FOLD_POLICY_SUMS "tr_sum(g.reports), tr_sum(g.successful), tr_sum(g.failed), tr_sum(g.failed_with_policy)"
#define RU_FOLD_RESULT_SUMS "tr_sum(g.reports), tr_sum(g.failed), tr_sum(g.failed_with_policy)"

static const struct rollup_def rollups[RU_COUNT] = {
	[RU_REPORT] = { "rollup_report",
		"SELECT r.start_time, r.submitter, " RU_AUTH_PASS ", " RU_POLICY_SUMS RU_FROM_POLICIES,
		" GROUP BY 1, 2, 3",
		" ON CONFLICT (start_time, submitter, auth_pass)" RU_ADD_POLICY,
		RU_HAS_OK, 0 },
	[RU_POLICY] = { "rollup_policy",
		"SELECT r.start_time, r.submitter, " KEY_SQL_POLICY_DOMAIN ", " RU_AUTH_PASS ", "
		RU_POLICY_SUMS RU_FROM_POLICIES, " GROUP BY 1, 2, 3, 4",
		" ON CONFLICT (start_time, submitter, policy_domain, auth_pass)" RU_ADD_POLICY, RU_HAS_DOMAIN | RU_HAS_OK, 0 },
	[RU_RESULT_SUB] = { "rollup_result_sub",
		"SELECT r.start_time, r.submitter, " RU_AUTH_PASS ", " KEY_SQL_RESULT_TYPE ", "
		RU_RESULT_SUMS RU_FROM_DETAILS, " GROUP BY 1, 2, 3, 4",
		" ON CONFLICT (start_time, submitter, auth_pass, result_type)" RU_ADD_RESULT,
		RU_HAS_RT, 0 },
	[RU_RESULT] = { "rollup_result",
		"SELECT r.start_time, r.submitter, " KEY_SQL_POLICY_DOMAIN ", " RU_AUTH_PASS ", "
		KEY_SQL_RESULT_TYPE ", " RU_RESULT_SUMS RU_FROM_DETAILS, " GROUP BY 1, 2, 3, 4, 5",
		" ON CONFLICT (start_time, submitter, policy_domain, auth_pass, result_type)" RU_ADD_RESULT, RU_HAS_DOMAIN | RU_HAS_RT, 0 },
	[RU_MX] = { "rollup_mx",
		"SELECT r.start_time, r.submitter, " RU_AUTH_PASS ", " KEY_SQL_RECEIVING_MX ", "
		RU_RESULT_SUMS RU_FROM_DETAILS, " GROUP BY 1, 2, 3, 4",
		" ON CONFLICT (start_time, submitter, auth_pass, receiving_mx)" RU_ADD_RESULT, RU_HAS_MX, 0 },
	[RU_MX_RESULT] = { "rollup_mx_result",
		"SELECT r.start_time, r.submitter, " RU_AUTH_PASS ", " KEY_SQL_RECEIVING_MX ", "
		KEY_SQL_RESULT_TYPE ", " RU_RESULT_SUMS RU_FROM_DETAILS, " GROUP BY 1, 2, 3, 4, 5",
		" ON CONFLICT (start_time, submitter, auth_pass, receiving_mx, result_type)" RU_ADD_RESULT, RU_HAS_MX | RU_HAS_RT, 0 },
	[RU_TYPE] = { "rollup_policy_type",
		"SELECT r.start_time, r.submitter, " RU_AUTH_PASS ", " KEY_SQL_POLICY_TYPE ", "
		RU_POLICY_SUMS RU_FROM_EVERY_POLICY, " GROUP BY r.start_time, r.submitter, " RU_AUTH_PASS ", "
		KEY_SQL_POLICY_TYPE, " ON CONFLICT (start_time, submitter, auth_pass, policy_type)" RU_ADD_POLICY, RU_HAS_MX | RU_HAS_OK, 0 },
	[RU_TYPE_RESULT] = { "rollup_policy_type_result",
		"SELECT r.start_time, r.submitter, " RU_AUTH_PASS ", " KEY_SQL_POLICY_TYPE ", "
		KEY_SQL_RESULT_TYPE ", " RU_RESULT_SUMS RU_FROM_EVERY_DETAIL, " GROUP BY r.start_time, r.submitter, "
		RU_AUTH_PASS ", " KEY_SQL_POLICY_TYPE ", " KEY_SQL_RESULT_TYPE,
		" ON CONFLICT (start_time, submitter, auth_pass, policy_type, result_type)" RU_ADD_RESULT, RU_HAS_MX | RU_HAS_RT, 0 },
	[RU_FOLD_POLICY] = { "fold_policy",
		"SELECT " RU_FOLD_BUCKET ", g.policy_domain, g.auth_pass, " RU_FOLD_POLICY_SUMS
		RU_FOLD_FROM,
		RU_FOLD_JOIN("rollup_policy") RU_FOLD_BUCKET ", g.policy_domain, g.auth_pass",
		" ON CONFLICT (bucket, policy_domain, auth_pass)" RU_ADD_POLICY,
		RU_FOLDED | RU_HAS_DOMAIN | RU_HAS_OK, RU_POLICY },
	[RU_FOLD_RESULT] = { "fold_result",
		"SELECT " RU_FOLD_BUCKET ", g.policy_domain, g.auth_pass, g.result_type, " RU_FOLD_RESULT_SUMS
		RU_FOLD_FROM,
		RU_FOLD_JOIN("rollup_result") RU_FOLD_BUCKET ", g.policy_domain, g.auth_pass, g.result_type",
		" ON CONFLICT (bucket, policy_domain, auth_pass, result_type)" RU_ADD_RESULT,
		RU_FOLDED | RU_HAS_DOMAIN | RU_HAS_RT, RU_RESULT },
	[RU_FOLD_MX] = { "fold_mx",
		"SELECT " RU_FOLD_BUCKET ", g.auth_pass, g.receiving_mx, " RU_FOLD_RESULT_SUMS
		RU_FOLD_FROM,
		RU_FOLD_JOIN("rollup_mx") RU_FOLD_BUCKET ", g.auth_pass, g.receiving_mx",
		" ON CONFLICT (bucket, auth_pass, receiving_mx)" RU_ADD_RESULT, RU_FOLDED | RU_HAS_MX, RU_MX },
	[RU_FOLD_MX_RESULT] = { "fold_mx_result",
		"SELECT " RU_FOLD_BUCKET ", g.auth_pass, g.receiving_mx, g.result_type, " RU_FOLD_RESULT_SUMS
		RU_FOLD_FROM,
		RU_FOLD_JOIN("rollup_mx_result") RU_FOLD_BUCKET ", g.auth_pass, g.receiving_mx, g.result_type",
		" ON CONFLICT (bucket, auth_pass, receiving_mx, result_type)" RU_ADD_RESULT,
		RU_FOLDED | RU_HAS_MX | RU_HAS_RT, RU_MX_RESULT },
};

#define RU_SQL_MAX 2048

/* "INSERT INTO table SELECT ... WHERE ... selection GROUP BY ..." */
static int rollup_sql(char *out, size_t cap, int which, const char *selection)
{
	const struct rollup_def *d = &rollups[which];
	int n = snprintf(out, cap, "INSERT INTO %s %s%s%s", d->table, d->select, selection, d->group);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* "INSERT INTO table AS t VALUES ": the head of the upserts of groups
 * summed in C (see rollup_add_report), their rows after it. */
static int rollup_upsert_head(char *out, size_t cap, int which)
{
	int n = snprintf(out, cap, "INSERT INTO %s AS t VALUES ", rollups[which].table);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The columns of a rollup's row: start, submitter, auth, its own key
 * columns, reports, [successful,] failed, failed_with_policy. */
static unsigned rollup_cols(int which)
{
	unsigned cols = rollups[which].cols;

	return 6 - ((cols & RU_FOLDED) != 0) + ((cols & RU_HAS_DOMAIN) != 0) + ((cols & RU_HAS_MX) != 0) +
	       ((cols & RU_HAS_RT) != 0) + ((cols & RU_HAS_OK) != 0);
}

/* One policy or failure detail as the rollups see it. */
struct ru_item {
	const char *domain;  /* key_text() of policy_domain or receiving_mx_hostname, or key_policy_type() */
	const char *rt;      /* key_text() of result_type; NULL for policies */
	int64_t ok, fail, fail_with_policy;
};

/* The leading key columns every rollup row of the report shares. */
struct ru_key {
	int64_t start;
	const char *submitter;
	int auth_pass;
};

/* One group of one report, held until the batch's groups are upserted
 * together (at the flush, a sum of them, or a folded group derived from
 * such sums); its strings live in the batch's arena. */
struct ru_pending {
	int which;
	struct ru_key k;
	struct ru_item sum;
	int64_t reports;
};

struct rollup {
	struct db *db;
	struct rows *upsert[RU_COUNT]; /* a batch's groups go many to a statement */
	struct ru_item *items;  /* scratch, kept across reports */
	size_t cap;
	int batching;               /* groups go to pending, not to the database */
	int flush_failed;           /* part of the batch's groups may be lost */
	struct ru_pending *pending; /* n_pending of cap_pending used */
	size_t n_pending, cap_pending;
	struct arena strings;       /* the pending groups' strings */
	int fold_of[RU_COUNT];      /* the folded rollup of each rollup, or -1 */
};

struct rollup *rollup_close(struct rollup *ru)
{
	if (ru == NULL)
		return NULL;
	for (int i = 0; i < RU_COUNT; i++)
		rows_close(ru->upsert[i]);
	free(ru->items);
	free(ru->pending);
	arena_release(&ru->strings);
	free(ru);
	return NULL;
}

enum tr_err rollup_open(struct db *db, struct rollup **out, struct tr_error *err)
{
	struct rollup *ru = calloc(1, sizeof *ru);
	char sql[RU_SQL_MAX];

	*out = NULL;
	if (ru == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory preparing the rollups");
	ru->db = db;
	arena_init(&ru->strings);
	for (int i = 0; i < RU_COUNT; i++)
		ru->fold_of[i] = -1;
	for (int i = 0; i < RU_COUNT; i++)
		if (rollups[i].cols & RU_FOLDED)
			ru->fold_of[rollups[i].folds] = i;
	for (int i = 0; i < RU_COUNT; i++) {
		enum tr_err rc;

		if (rollup_upsert_head(sql, sizeof sql, i) != 0) {
			rollup_close(ru);
			return tr_error_set(err, TR_ERR_DB, "store: rollup statement too long");
		}
		rc = rows_open(db, sql, rollup_cols(i), rollups[i].conflict, &ru->upsert[i], err);
		if (rc != TR_OK) {
			rollup_close(ru);
			return rc;
		}
	}
	*out = ru;
	return TR_OK;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int cmp_domain_rt(const void *a, const void *b)
{
	const struct ru_item *x = a, *y = b;
	int c = strcmp(x->domain, y->domain);

	if (c != 0 || x->rt == NULL)
		return c;
	return strcmp(x->rt, y->rt);
}

static int cmp_domain(const void *a, const void *b)
{
	const struct ru_item *x = a, *y = b;

	return strcmp(x->domain, y->domain);
}

static int cmp_rt(const void *a, const void *b)
{
	const struct ru_item *x = a, *y = b;

	return strcmp(x->rt, y->rt);
}

/* Room for n items in the scratch array, kept across reports. */
static enum tr_err ru_reserve(struct rollup *ru, size_t n, struct tr_error *err)
{
	struct ru_item *v;

	if (n <= ru->cap)
		return TR_OK;
	if (n > SIZE_MAX / sizeof *v)
		return tr_error_set(err, TR_ERR_NOMEM, "store: report too large for the rollups");
	v = realloc(ru->items, n * sizeof *v);
	if (v == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory summing the report");
	ru->items = v;
	ru->cap = n;
	return TR_OK;
}

/* Bind one group as the row whose first parameter is base + 1: start,
 * submitter, [domain,] auth, [mx,] [rt,] reports, [successful,] sums. */
static void ru_bind(struct db_stmt *st, int base, int which, const struct ru_key *k, const struct ru_item *sum,
                    int64_t reports)
{
	unsigned cols = rollups[which].cols;
	int col = base + 1;

	db_bind_int64(st, col++, k->start);
	if (!(cols & RU_FOLDED))
		db_bind_text(st, col++, k->submitter);
	if (cols & RU_HAS_DOMAIN)
		db_bind_text(st, col++, sum->domain);
	db_bind_int64(st, col++, k->auth_pass);
	if (cols & RU_HAS_MX)
		db_bind_text(st, col++, sum->domain);
	if (cols & RU_HAS_RT)
		db_bind_text(st, col++, sum->rt);
	db_bind_int64(st, col++, reports);
	if (cols & RU_HAS_OK)
		db_bind_int64(st, col++, sum->ok);
	db_bind_int64(st, col++, sum->fail);
	db_bind_int64(st, col, sum->fail_with_policy);
}

/* Upsert the n groups g, all of one rollup and no two of the same key
 * (a statement may not update one row twice), as few statements as fit. */
static enum tr_err ru_upsert_many(struct rollup *ru, const struct ru_pending *g, size_t n, struct tr_error *err)
{
	struct rows *rs = ru->upsert[g->which];
	enum tr_err rc = TR_OK;

	for (size_t i = 0; i < n && rc == TR_OK;) {
		size_t rows;
		struct db_stmt *st;

		rc = rows_pick(rs, n - i, &rows, &st, err);
		if (rc != TR_OK)
			break;
		for (size_t r = 0; r < rows; r++, i++)
			ru_bind(st, rows_base(rs, r), g[i].which, &g[i].k, &g[i].sum, g[i].reports);
		rc = db_run_later(st, "updating the summary rollups", err);
	}
	return rc;
}

static char *ru_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = arena_alloc(a, n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* One group of one report, held for the batch (its strings copied). */
static enum tr_err ru_emit(struct rollup *ru, int which, const struct ru_key *k, const struct ru_item *sum,
                           struct tr_error *err)
{
	unsigned cols = rollups[which].cols;
	struct ru_pending *p;

	p = array_grow(ru->pending, &ru->cap_pending, ru->n_pending, sizeof *p, 1024);
	if (p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory summing the batch");
	ru->pending = p;
	p = &ru->pending[ru->n_pending];
	p->which = which;
	p->k = *k;
	p->sum = *sum;
	p->reports = 1;
	/* only the columns the table has, so that equal keys compare equal */
	p->sum.domain = (cols & (RU_HAS_DOMAIN | RU_HAS_MX)) ? ru_strdup(&ru->strings, sum->domain) : NULL;
	p->sum.rt = (cols & RU_HAS_RT) ? ru_strdup(&ru->strings, sum->rt) : NULL;
	if (((cols & (RU_HAS_DOMAIN | RU_HAS_MX)) && p->sum.domain == NULL) || ((cols & RU_HAS_RT) && p->sum.rt == NULL))
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory summing the batch");
	ru->n_pending++;
	return TR_OK;
}

/* Sort items[0..n) with cmp and hold one group per run of equal keys
 * for rollup which (the folded rollups' come from these at the flush). */
static enum tr_err ru_groups(struct rollup *ru, int which, const struct ru_key *k, struct ru_item *items, size_t n,
                             int (*cmp)(const void *, const void *), struct tr_error *err)
{
	enum tr_err rc = TR_OK;
	size_t i = 0;

	qsort(items, n, sizeof *items, cmp);
	while (i < n && rc == TR_OK) {
		struct ru_item sum = items[i];

		for (i++; i < n && cmp(&items[i], &sum) == 0; i++) {
			sum.ok = sat_add(sum.ok, items[i].ok);
			sum.fail = sat_add(sum.fail, items[i].fail);
			sum.fail_with_policy = sat_add(sum.fail_with_policy, items[i].fail_with_policy);
		}
		rc = ru_emit(ru, which, k, &sum, err);
	}
	return rc;
}

/* What the items are keyed by; by policy type they are every policy's,
 * the superseded ones too (key.h). */
enum ru_by { RU_BY_DOMAIN, RU_BY_MX, RU_BY_TYPE };

/* The report's counted policies (count.h), or every policy by type, as
 * items, and the counted ones' sum as one more; returns how many. */
static size_t ru_policies(const struct tlsrpt_report *r, const unsigned char *superseded, enum ru_by by,
                          struct ru_item *v, struct ru_item *total)
{
	size_t n = 0;

	memset(total, 0, sizeof *total);
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (superseded[i] && by != RU_BY_TYPE)
			continue;
		v[n].domain = by == RU_BY_TYPE ? key_policy_type(p->policy_type, superseded[i])
		              : key_text(p->policy_domain);
		v[n].rt = NULL;
		v[n].ok = (int64_t)p->total_successful;
		v[n].fail = (int64_t)p->total_failure;
		v[n].fail_with_policy = count_under_policy(p->policy_type) ? v[n].fail : 0;
		if (!superseded[i]) {
			total->ok = sat_add(total->ok, v[n].ok);
			total->fail = sat_add(total->fail, v[n].fail);
			total->fail_with_policy = sat_add(total->fail_with_policy, v[n].fail_with_policy);
		}
		n++;
	}
	return n;
}

/* The failure details of the report's counted policies as items keyed by
 * policy domain or by receiving MX, or of every policy by policy type;
 * returns how many. */
static size_t ru_details(const struct tlsrpt_report *r, const unsigned char *superseded, enum ru_by by,
                         struct ru_item *v)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];
		int under_policy = count_under_policy(p->policy_type);

		if (superseded[i] && by != RU_BY_TYPE)
			continue;
		for (size_t j = 0; j < p->n_failures; j++, n++) {
			const struct tlsrpt_failure *f = &p->failures[j];

			v[n].domain = by == RU_BY_TYPE ? key_policy_type(p->policy_type, superseded[i])
			              : key_text(by == RU_BY_MX ? f->receiving_mx_hostname : p->policy_domain);
			v[n].rt = key_text(f->result_type);
			v[n].ok = 0;
			v[n].fail = (int64_t)f->failed_session_count;
			v[n].fail_with_policy = under_policy ? v[n].fail : 0;
		}
	}
	return n;
}

/* The report's groups, each emitted once (ru_emit): grouped in C by
 * each rollup's key (a sort, so that a hostile report with thousands of
 * policies stays n log n). */
static enum tr_err add_groups(struct rollup *ru, const struct tlsrpt_report *r, const unsigned char *superseded,
                              const struct ru_key *key, struct tr_error *err)
{
	struct ru_key k = *key;
	size_t n_details = 0, n_every_detail = 0, n_policies;
	struct ru_item total;
	enum tr_err rc;

	for (size_t i = 0; i < r->n_policies; i++) {
		n_details += superseded[i] ? 0 : r->policies[i].n_failures;
		n_every_detail += r->policies[i].n_failures;
	}
	rc = ru_reserve(ru, r->n_policies > n_every_detail ? r->n_policies : n_every_detail, err);
	if (rc != TR_OK)
		return rc;
	n_policies = ru_policies(r, superseded, RU_BY_DOMAIN, ru->items, &total);
	rc = ru_emit(ru, RU_REPORT, &k, &total, err);
	if (rc == TR_OK)
		rc = ru_groups(ru, RU_POLICY, &k, ru->items, n_policies, cmp_domain_rt, err);
	if (rc == TR_OK) {
		n_policies = ru_policies(r, superseded, RU_BY_TYPE, ru->items, &total);
		rc = ru_groups(ru, RU_TYPE, &k, ru->items, n_policies, cmp_domain, err);
	}
	if (rc == TR_OK && n_every_detail > 0) {
		ru_details(r, superseded, RU_BY_TYPE, ru->items);
		rc = ru_groups(ru, RU_TYPE_RESULT, &k, ru->items, n_every_detail, cmp_domain_rt, err);
	}
	if (rc != TR_OK || n_details == 0)
		return rc;
	ru_details(r, superseded, RU_BY_DOMAIN, ru->items);
	rc = ru_groups(ru, RU_RESULT, &k, ru->items, n_details, cmp_domain_rt, err);
	if (rc == TR_OK)
		rc = ru_groups(ru, RU_RESULT_SUB, &k, ru->items, n_details, cmp_rt, err);
	if (rc != TR_OK)
		return rc;
	ru_details(r, superseded, RU_BY_MX, ru->items);
	rc = ru_groups(ru, RU_MX_RESULT, &k, ru->items, n_details, cmp_domain_rt, err);
	if (rc == TR_OK)
		rc = ru_groups(ru, RU_MX, &k, ru->items, n_details, cmp_domain, err);
	return rc;
}

/* Held for the batch (strings copied: the report goes before the
 * flush); never flushed here, since the caller knows only later whether
 * the report was stored. */
enum tr_err rollup_add_report(struct rollup *ru, const struct tlsrpt_report *r, const unsigned char *superseded,
                              int auth_pass, struct tr_error *err)
{
	struct ru_key k = { r->start, key_text(r->submitter), auth_pass };
	size_t mark;
	enum tr_err rc;

	TR_ASSERT(ru->batching);
	if (r->n_policies == 0)
		return TR_OK;
	TR_ASSERT(superseded != NULL);
	mark = ru->n_pending;
	k.submitter = ru_strdup(&ru->strings, k.submitter);
	if (k.submitter == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory summing the batch");
	rc = add_groups(ru, r, superseded, &k, err);
	if (rc != TR_OK)
		ru->n_pending = mark; /* none of a report that is undone */
	return rc;
}

/* ---- batches: the groups of many reports, summed, upserted in key order ---- */

/* The order of every rollup's primary key (schema version 5): start time,
 * submitter, then the table's own columns; an absent column compares as
 * equal.  Policy domain comes before auth_pass in the key of the tables
 * that have one, MX after it: close enough for locality, and equality is
 * all the merging needs. */
static int cmp_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int cmp_pending(const void *a, const void *b)
{
	const struct ru_pending *x = a, *y = b;
	int c;

	if (x->which != y->which)
		return x->which - y->which;
	if (x->k.start != y->k.start)
		return x->k.start < y->k.start ? -1 : 1;
	c = strcmp(x->k.submitter, y->k.submitter);
	if (c == 0)
		c = cmp_str(x->sum.domain, y->sum.domain);
	if (c == 0)
		c = x->k.auth_pass - y->k.auth_pass;
	return c != 0 ? c : cmp_str(x->sum.rt, y->sum.rt);
}

void rollup_batch_begin(struct rollup *ru)
{
	ru->batching = 1;
	ru->flush_failed = 0;
	ru->n_pending = 0;
}

enum tr_err rollup_batch_make_room(struct rollup *ru, struct tr_error *err)
{
	if (!ru->batching || ru->n_pending < RU_BATCH_MAX)
		return TR_OK;
	return rollup_batch_flush(ru, err);
}

size_t rollup_batch_mark(const struct rollup *ru)
{
	return ru->n_pending;
}

void rollup_batch_drop(struct rollup *ru, size_t from, size_t to)
{
	TR_ASSERT(from <= to && to <= ru->n_pending);
	if (from == to) /* pending is NULL before the first */
		return;
	memmove(&ru->pending[from], &ru->pending[to], (ru->n_pending - to) * sizeof *ru->pending);
	ru->n_pending -= to - from;
}

/* Sort the groups g[0, n) and sum those of one key into one, in place;
 * returns how many are left. */
static size_t ru_sum_groups(struct ru_pending *g, size_t n)
{
	size_t i = 0, out = 0;

	qsort(g, n, sizeof *g, cmp_pending);
	while (i < n) {
		struct ru_pending sum = g[i];

		for (i++; i < n && cmp_pending(&g[i], &sum) == 0; i++) {
			sum.reports = sat_add(sum.reports, g[i].reports);
			sum.sum.ok = sat_add(sum.sum.ok, g[i].sum.ok);
			sum.sum.fail = sat_add(sum.sum.fail, g[i].sum.fail);
			sum.sum.fail_with_policy = sat_add(sum.sum.fail_with_policy, g[i].sum.fail_with_policy);
		}
		g[out++] = sum;
	}
	return out;
}

/* Upsert the summed groups g[0, n), sorted by rollup, in few statements
 * each. */
static enum tr_err ru_upsert_sorted(struct rollup *ru, const struct ru_pending *g, size_t n, struct tr_error *err)
{
	enum tr_err rc = TR_OK;

	for (size_t i = 0; i < n && rc == TR_OK;) {
		size_t end = i + 1;

		while (end < n && g[end].which == g[i].which)
			end++;
		rc = ru_upsert_many(ru, &g[i], end - i, err);
		i = end;
	}
	return rc;
}

/* The folded rollups' groups derived from the batch's summed groups
 * pending[0, n), appended after them: each in the bucket of its start,
 * of no submitter, its reports the sum of the groups', as the rebuild's
 * tr_sum(g.reports) (rollup_sql); *m says how many. */
static enum tr_err ru_fold_groups(struct rollup *ru, size_t n, size_t *m, struct tr_error *err)
{
	size_t count = 0;

	*m = 0;
	for (size_t i = 0; i < n; i++)
		count += ru->fold_of[ru->pending[i].which] >= 0;
	while (ru->cap_pending < n + count) {
		struct ru_pending *p = array_grow(ru->pending, &ru->cap_pending, ru->cap_pending, sizeof *p, 1024);

		if (p == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory summing the batch");
		ru->pending = p;
	}
	for (size_t i = 0; i < n; i++) {
		int fold = ru->fold_of[ru->pending[i].which];
		struct ru_pending *p = &ru->pending[n + *m];

		if (fold < 0)
			continue;
		*p = ru->pending[i];
		p->which = fold;
		p->k.start = key_fold_bucket(p->k.start);
		p->k.submitter = "";
		(*m)++;
	}
	return TR_OK;
}

enum tr_err rollup_batch_flush(struct rollup *ru, struct tr_error *err)
{
	enum tr_err rc = TR_OK;
	size_t n, m;

	/* after a failed flush only a rollback of the batch is right: say so
	 * to whoever would otherwise go on */
	if (ru->flush_failed)
		return tr_error_set(err, TR_ERR_DB, "store: the batch's summary rollups are incomplete");
	if (ru->n_pending > 0) { /* pending is NULL before the first */
		n = ru_sum_groups(ru->pending, ru->n_pending);
		rc = ru_upsert_sorted(ru, ru->pending, n, err);
		/* the folded groups from the summed ones: fewer to sort than
		 * one for each report's group */
		if (rc == TR_OK)
			rc = ru_fold_groups(ru, n, &m, err);
		if (rc == TR_OK) {
			m = ru_sum_groups(ru->pending + n, m);
			rc = ru_upsert_sorted(ru, ru->pending + n, m, err);
		}
	}
	/* the upserts' errors belong to the flush */
	if (rc == TR_OK)
		rc = db_sync(ru->db, err);
	ru->n_pending = 0;
	arena_release(&ru->strings);
	ru->flush_failed = rc != TR_OK;
	return rc;
}

void rollup_batch_end(struct rollup *ru)
{
	if (ru == NULL)
		return;
	ru->batching = 0;
	ru->flush_failed = 0;
	ru->n_pending = 0;
	arena_release(&ru->strings);
	if (ru->cap_pending > RU_BATCH_MAX) {
		free(ru->pending);
		ru->pending = NULL;
		ru->cap_pending = 0;
	}
}

void rollup_trim(struct rollup *ru)
{
	if (ru == NULL || ru->cap <= RU_KEEP)
		return;
	free(ru->items);
	ru->items = NULL;
	ru->cap = 0;
}

/* A folded rollup's rows of the buckets the query buckets_sql yields (as
 * b), summed again from the rollup they fold, rebuilt before them. */
static enum tr_err fold_rebuild(struct db *db, int which, const char *buckets_sql, struct tr_error *err)
{
	char sql[RU_SQL_MAX * 2];
	enum tr_err rc;
	int n = snprintf(sql, sizeof sql, "DELETE FROM %s WHERE bucket IN (SELECT b FROM (%s) x)", rollups[which].table,
	                 buckets_sql);

	TR_ASSERT(rollups[which].folds < which);
	if (n < 0 || (size_t)n >= sizeof sql)
		return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: query too long");
	rc = db_exec(db, sql, "clearing a folded rollup", err);
	if (rc != TR_OK)
		return rc;
	if (rollup_sql(sql, sizeof sql, which, buckets_sql) != 0)
		return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: query too long");
	return db_exec(db, sql, "rebuilding a folded rollup", err);
}

enum tr_err rollup_rebuild(struct db *db, const char *starts_sql, struct tr_error *err)
{
	char selection[RU_SQL_MAX], buckets[RU_SQL_MAX], sql[RU_SQL_MAX * 2];
	enum tr_err rc = TR_OK;
	int n;

	if (db == NULL || starts_sql == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: missing argument");
	n = snprintf(selection, sizeof selection, "r.start_time IN (%s)", starts_sql);
	if (n < 0 || (size_t)n >= sizeof selection)
		return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: query too long");
	/* the fragment as an argument: its % is SQL's, not a conversion */
	n = snprintf(buckets, sizeof buckets, "SELECT DISTINCT %s AS b FROM (%s) s", KEY_SQL_FOLD_BUCKET("s.start_time"),
	             starts_sql);
	if (n < 0 || (size_t)n >= sizeof buckets)
		return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: query too long");
	for (int i = 0; i < RU_COUNT && rc == TR_OK; i++) {
		if (rollups[i].cols & RU_FOLDED) {
			rc = fold_rebuild(db, i, buckets, err);
			continue;
		}
		n = snprintf(sql, sizeof sql, "DELETE FROM %s WHERE start_time IN (%s)", rollups[i].table, starts_sql);
		if (n < 0 || (size_t)n >= sizeof sql)
			return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: query too long");
		rc = db_exec(db, sql, "clearing a rollup", err);
		if (rc == TR_OK && rollup_sql(sql, sizeof sql, i, selection) != 0)
			return tr_error_set(err, TR_ERR_USAGE, "rollup_rebuild: query too long");
		if (rc == TR_OK)
			rc = db_exec(db, sql, "rebuilding a rollup", err);
	}
	return rc;
}
