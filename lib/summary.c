/*
 * summary: grouped totals over the store (see summary.h).  Three SQL
 * aggregates per call: the overall totals, the rows, and the result types
 * of every row at once; the SQL text is built from fixed fragments only,
 * and every value from the caller is a bound parameter.  Submitter,
 * policy-domain, result-type, day, receiving-mx and policy-type (the last
 * two without a policy-domain filter) read the rollup tables the store keeps
 * (schema.sql), so they cost rows per start time and submitter, not per
 * failure detail; policy-domain and receiving-mx without a submitter
 * filter read the rollups folded over 30-day buckets (schema version 13),
 * a row per bucket and key.  sending-ip groups a column no rollup keeps (one would
 * hold about a row per detail): its rows and result types come from one
 * pass over the failure details, summed in C (tally.h), instead of two
 * SQL GROUP BYs that each sorted every detail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "count.h"
#include "db.h"
#include "summary.h"
#include "tally.h"

#define SQL_MAX 4096


/*
 * Where a query reads from.  The base tables answer everything; the
 * rollups (schema.sql) answer the keys that have a rollup_sql (key.h), with the
 * same filters exactly, from a few rows per start time and submitter.
 * The rollups fold a missing policy-domain into "", so a filter on the
 * empty domain (which must not match missing ones) reads the base tables;
 * so does a key with rollups of its own (receiving-mx, policy-type) under
 * any policy-domain filter (those rollups have no domain).  The totals read the rollups whenever the filter allows,
 * whatever the key.
 */
struct source {
	const char *key;          /* group key expression */
	const char *from_policies; /* FROM ... WHERE for the totals and policy rows */
	const char *from_details; /* FROM ... WHERE for the failure-detail rows */
	const char *from_result_types; /* FROM ... WHERE for every row's result types */
	const char *from_totals;
	int rollup;               /* the rows read the rollups */
	int totals_rollup;        /* the totals do */
	/* The rows read the folded rollups (key.h's fold): the whole buckets
	 * [fold_lo, fold_hi) of a --since/--until (has_lo, has_hi: that bound
	 * is in use) from them and its edges from the rollups they fold, in
	 * one subquery that applies the filter itself (ranged), so that the
	 * outer query takes none. */
	int ranged, has_lo, has_hi;
	int64_t fold_lo, fold_hi;
	char fold_rows[1536], fold_result_types[1536];
};

static const char base_policies[] = "reports r JOIN policies p ON p.report = r.id WHERE r.counted = 1"
	" AND " COUNT_SQL_COUNTED("p");
static const char base_details[] = "reports r JOIN policies p ON p.report = r.id"
	" JOIN failure_details f ON f.policy = p.id WHERE r.counted = 1 AND " COUNT_SQL_COUNTED("p");
/* the same with the superseded policies, for the keys that show them */
static const char every_policy[] = "reports r JOIN policies p ON p.report = r.id WHERE r.counted = 1";
static const char every_detail[] = "reports r JOIN policies p ON p.report = r.id"
	" JOIN failure_details f ON f.policy = p.id WHERE r.counted = 1";
#define UNDER_POLICY_SUM(col) "tr_sum(CASE WHEN " COUNT_SQL_UNDER_POLICY("p") " THEN " col " ELSE 0 END)"

/* The whole buckets of f's --since/--until, [*lo, *hi) (has_lo, has_hi:
 * bounded); 0 when the range holds none, or a bound so near the ends of
 * time that its bucket would overflow: the fine rollups then answer. */
static int fold_range(const struct summary_filter *f, struct source *src)
{
	src->has_lo = f->since != INT64_MIN;
	src->has_hi = f->until != INT64_MAX;
	if ((src->has_lo && (f->since < INT64_MIN + KEY_FOLD_SECONDS || f->since > INT64_MAX - KEY_FOLD_SECONDS)) ||
	    (src->has_hi && (f->until < INT64_MIN + KEY_FOLD_SECONDS || f->until > INT64_MAX - KEY_FOLD_SECONDS)))
		return 0;
	if (src->has_lo) {
		src->fold_lo = key_fold_bucket(f->since);
		if (src->fold_lo != f->since)
			src->fold_lo += KEY_FOLD_SECONDS;
	}
	if (src->has_hi)
		src->fold_hi = key_fold_bucket(f->until);
	return !src->has_lo || !src->has_hi || src->fold_lo < src->fold_hi;
}

/* "(SELECT cols FROM folded g WHERE <its buckets> <filter> UNION ALL
 * SELECT cols FROM fine g WHERE <the edges> <filter>) g WHERE 1 = 1": the
 * rows of a ranged read of the folded rollups, filtered inside. */
static int fold_from(char *out, size_t cap, const struct source *src, const struct summary_filter *f,
                     const char *folded, const char *fine, const char *cols)
{
	struct summary_filter rest = *f;
	char where[1024];
	int lower = src->has_lo && src->fold_lo != f->since, upper = src->has_hi && src->fold_hi != f->until;
	int n;

	/* the time bounds become buckets and edges; the others apply to both */
	rest.since = INT64_MIN;
	rest.until = INT64_MAX;
	if (filter_where(where, sizeof where, &rest, FILTER_OVER_ROLLUP) != 0)
		return -1;
	n = snprintf(out, cap, "(SELECT %s FROM %s g WHERE 1 = 1%s%s%s", cols, folded,
	             src->has_lo ? " AND g.bucket >= :fold_lo" : "", src->has_hi ? " AND g.bucket < :fold_hi" : "", where);
	if (n >= 0 && (size_t)n < cap && (lower || upper))
		n += snprintf(out + n, cap - (size_t)n, " UNION ALL SELECT %s FROM %s g WHERE (%s%s%s)%s", cols, fine,
		              lower ? "g.start_time >= :since AND g.start_time < :fold_lo" : "",
		              lower && upper ? " OR " : "",
		              upper ? "g.start_time >= :fold_hi AND g.start_time < :until" : "", where);
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ") g WHERE 1 = 1");
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Read the folded rollups when they answer: a key that has them, read
 * from the rollups already (so no policy-domain filter they cannot
 * apply), no submitter filter (they have no submitter), and a range that
 * holds a whole bucket. */
static void pick_fold(enum summary_key key, const struct summary_filter *f, struct source *src)
{
	const struct key_fold *fold = key_def(key)->fold;
	char rows[sizeof src->fold_rows], result_types[sizeof src->fold_result_types];

	if (!src->rollup || fold == NULL || f->submitter != NULL || !fold_range(f, src))
		return;
	if (!src->has_lo && !src->has_hi) {
		snprintf(rows, sizeof rows, "%s g WHERE 1 = 1", fold->rows);
		snprintf(result_types, sizeof result_types, "%s g WHERE 1 = 1", fold->result_types);
	} else {
		/* fixed fragments only (the filters' values are bound), the longest
		 * under a third of the buffer: too long is our bug */
		int rc = fold_from(rows, sizeof rows, src, f, fold->rows, fold->fine_rows, fold->rows_cols);

		if (rc == 0)
			rc = fold_from(result_types, sizeof result_types, src, f, fold->result_types,
			               fold->fine_result_types, fold->result_type_cols);
		TR_ASSERT(rc == 0);
		src->ranged = 1;
	}
	memcpy(src->fold_rows, rows, sizeof rows);
	memcpy(src->fold_result_types, result_types, sizeof result_types);
	src->from_policies = src->from_details = src->fold_rows;
	src->from_result_types = src->fold_result_types;
}

static void pick_source(enum summary_key key, const struct summary_filter *f, struct source *src)
{
	int by_domain = key == SUMMARY_BY_POLICY_DOMAIN || f->policy_domain != NULL;

	src->ranged = 0;
	src->totals_rollup = f->policy_domain == NULL || f->policy_domain[0] != '\0';
	/* a report with two domains is one report: per-domain rows would count it twice */
	src->from_totals = !src->totals_rollup ? base_policies
	                   : f->policy_domain != NULL ? "rollup_policy g WHERE 1 = 1" : "rollup_report g WHERE 1 = 1";
	src->rollup = key_def(key)->rollup_sql != NULL && src->totals_rollup &&
	              (f->policy_domain == NULL || key_def(key)->rollup_rows == NULL);
	if (!src->rollup) {
		src->key = key_def(key)->sql;
		src->from_policies = key_def(key)->every_policy ? every_policy : base_policies;
		src->from_details = key_def(key)->every_policy ? every_detail : base_details;
		src->from_result_types = src->from_details;
		return;
	}
	src->key = key_def(key)->rollup_sql;
	src->from_policies = by_domain ? "rollup_policy g WHERE 1 = 1" : "rollup_report g WHERE 1 = 1";
	src->from_details = by_domain ? "rollup_result g WHERE 1 = 1" : "rollup_result_sub g WHERE 1 = 1";
	src->from_result_types = src->from_details;
	if (key_def(key)->rollup_rows != NULL) {
		src->from_policies = src->from_details = key_def(key)->rollup_rows;
		src->from_result_types = key_def(key)->rollup_result_types;
	}
	pick_fold(key, f, src);
}

/* The latest organization-name a submitter's counted reports carried. */
static const char org_sql[] =
	"(SELECT o.organization_name FROM reports o WHERE o.submitter = r.submitter"
	" AND o.counted = 1 AND o.organization_name IS NOT NULL AND o.organization_name <> ''"
	" ORDER BY o.start_time DESC, o.id DESC LIMIT 1)";

static const char org_sql_rollup[] =
	"(SELECT o.organization_name FROM reports o WHERE o.submitter = g.submitter"
	" AND o.counted = 1 AND o.organization_name IS NOT NULL AND o.organization_name <> ''"
	" ORDER BY o.start_time DESC, o.id DESC LIMIT 1)";

void summary_filter_all(struct summary_filter *f)
{
	filter_all(f);
}

int summary_row_failing(const struct summary_row *row)
{
	return row->failed_with_policy > 0;
}

const char *summary_key_name(enum summary_key k)
{
	const struct key_def *d = key_def(k);

	return d != NULL ? d->name : NULL;
}

int summary_key_parse(const char *name)
{
	return key_parse(name);
}

/* "summary: what", for db_step()'s messages. */
#define WHAT(w) "summary: " w

/* "SELECT select FROM from <the filter's conditions> tail", prepared
 * with the filter's values bound. */
static enum tr_err prepare(struct db *db, const char *select, const char *from, int rollup,
                           const struct summary_filter *f, const char *tail, struct db_stmt **st,
                           struct tr_error *err)
{
	char where[1024], sql[SQL_MAX];
	enum tr_err rc;
	int n;

	*st = NULL;
	if (filter_where(where, sizeof where, f, rollup ? FILTER_OVER_ROLLUP : FILTER_OVER_POLICIES) != 0)
		return tr_error_set(err, TR_ERR_USAGE, "summary: query text too long");
	n = snprintf(sql, sizeof sql, "SELECT %s FROM %s%s %s", select, from, where, tail);
	if (n < 0 || n >= SQL_MAX)
		return tr_error_set(err, TR_ERR_USAGE, "summary: query text too long");
	rc = db_prepare(db, sql, 0, st, err);
	if (rc != TR_OK) {
		tr_error_prefix(err, "summary");
		return rc;
	}
	filter_bind(*st, f);
	return TR_OK;
}

/* prepare() for the rows of src: a ranged read of the folded rollups has
 * its filter inside (fold_from), so the outer query takes none, and its
 * buckets are bound too. */
static enum tr_err prepare_rows(struct db *db, const char *select, const char *from, const struct source *src,
                                const struct summary_filter *f, const char *tail, struct db_stmt **st,
                                struct tr_error *err)
{
	struct summary_filter none;
	enum tr_err rc;
	int idx;

	if (!src->ranged)
		return prepare(db, select, from, src->rollup, f, tail, st, err);
	filter_all(&none);
	rc = prepare(db, select, from, 1, &none, tail, st, err);
	if (rc != TR_OK)
		return rc;
	filter_bind(*st, f);
	if (src->has_lo && (idx = db_param_index(*st, ":fold_lo")) != 0)
		db_bind_int64(*st, idx, src->fold_lo);
	if (src->has_hi && (idx = db_param_index(*st, ":fold_hi")) != 0)
		db_bind_int64(*st, idx, src->fold_hi);
	return TR_OK;
}

/* Sums are tr_sum()s, never negative; read them as counts. */
static uint64_t column_count(struct db_stmt *st, int col)
{
	int64_t v = db_column_int64(st, col);

	return v > 0 ? (uint64_t)v : 0;
}

static char *column_strdup(struct db_stmt *st, int col)
{
	size_t len = 0;
	const char *t = db_column_text(st, col, &len);
	char *s;

	if (t == NULL)
		t = "";
	s = malloc(len + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, t, len);
	s[len] = '\0';
	return s;
}

static enum tr_err query_totals(struct db *db, const struct source *src, const struct summary_filter *f,
                                struct summary *sm, struct tr_error *err)
{
	const char *select = src->totals_rollup
	                     ? "tr_sum(g.reports), tr_sum(g.successful), tr_sum(g.failed), tr_sum(g.failed_with_policy)"
	                     : "COUNT(DISTINCT r.id), tr_sum(p.total_successful), tr_sum(p.total_failure), "
	                       UNDER_POLICY_SUM("p.total_failure");
	struct db_stmt *st;
	enum tr_err ret = prepare(db, select, src->from_totals, src->totals_rollup, f, "", &st, err);
	int row = 0;

	if (ret != TR_OK)
		return ret;
	ret = db_step(st, &row, WHAT("totals"), err);
	if (ret == TR_OK && row) {
		sm->reports = column_count(st, 0);
		sm->successful = column_count(st, 1);
		sm->failed = column_count(st, 2);
		sm->failed_with_policy = column_count(st, 3);
	}
	db_finalize(st);
	return ret;
}

/* Append one row from the rows query; the row's strings are its own. */
static enum tr_err add_row(struct summary *sm, size_t *cap, struct db_stmt *st, struct tr_error *err)
{
	struct summary_row *row = array_grow(sm->rows, cap, sm->n_rows, sizeof *row, 16);

	if (row == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	sm->rows = row;
	row = &sm->rows[sm->n_rows];
	memset(row, 0, sizeof *row);
	sm->n_rows++;
	row->key = column_strdup(st, 0);
	row->reports = column_count(st, 1);
	row->successful = column_count(st, 2);
	row->failed = column_count(st, 3);
	row->failed_with_policy = column_count(st, 5);
	if (!db_column_is_null(st, 4))
		row->organization = column_strdup(st, 4);
	if (row->key == NULL || (!db_column_is_null(st, 4) && row->organization == NULL))
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	return TR_OK;
}

/* The select list of the rows query: key, reports, successful, failed,
 * organization, failed_with_policy. */
static int rows_select(char *out, size_t cap, enum summary_key key, const struct source *src)
{
	const struct key_def *k = key_def(key);
	int n;

	if (src->rollup)
		n = snprintf(out, cap, "%s AS k, tr_sum(g.reports), %s, tr_sum(g.failed), %s, tr_sum(g.failed_with_policy)",
		             src->key, k->details ? "0" : "tr_sum(g.successful)",
		             key == SUMMARY_BY_SUBMITTER ? org_sql_rollup : "NULL");
	else
		n = snprintf(out, cap, "%s AS k, COUNT(DISTINCT r.id), %s, %s, %s,"
		             " tr_sum(CASE WHEN " COUNT_SQL_UNDER_POLICY("p") " THEN %s ELSE 0 END)", k->sql,
		             k->details ? "0" : "tr_sum(p.total_successful)",
		             k->details ? "tr_sum(f.failed_session_count)" : "tr_sum(p.total_failure)",
		             key == SUMMARY_BY_SUBMITTER ? org_sql : "NULL",
		             k->details ? "f.failed_session_count" : "p.total_failure");
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static enum tr_err query_rows(struct db *db, enum summary_key key, const struct source *src,
                              const struct summary_filter *f, struct summary *sm, struct tr_error *err)
{
	char select[SQL_MAX];
	struct db_stmt *st;
	enum tr_err ret;
	size_t cap = 0;
	int row = 0;

	if (rows_select(select, sizeof select, key, src) != 0)
		return tr_error_set(err, TR_ERR_USAGE, "summary: query text too long");
	ret = prepare_rows(db, select, key_def(key)->details ? src->from_details : src->from_policies, src, f,
	                   "GROUP BY k ORDER BY 4 DESC, k", &st, err);
	if (ret != TR_OK)
		return ret;
	for (;;) {
		ret = db_step(st, &row, WHAT("rows"), err);
		if (ret != TR_OK || !row)
			break;
		ret = add_row(sm, &cap, st, err);
		if (ret != TR_OK)
			break;
	}
	db_finalize(st);
	return ret;
}

static int cmp_row_key(const void *a, const void *b)
{
	const struct summary_row *const *x = a;
	const struct summary_row *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

static int cmp_key_row(const void *key, const void *b)
{
	const struct summary_row *const *y = b;

	return strcmp(key, (*y)->key);
}

static enum tr_err add_result_type(struct summary_row *row, struct db_stmt *st, struct tr_error *err)
{
	struct summary_count *c;
	size_t n = row->n_result_types;

	/* grow in powers of two: n is a power of two exactly when full */
	if (n == 0 || (n & (n - 1)) == 0) {
		size_t ncap = n ? n * 2 : 4;

		if (ncap > SIZE_MAX / sizeof *c)
			return tr_error_set(err, TR_ERR_NOMEM, "summary: too many result types");
		c = realloc(row->result_types, ncap * sizeof *c);
		if (c == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
		row->result_types = c;
	}
	c = &row->result_types[n];
	c->name = column_strdup(st, 1);
	c->count = column_count(st, 2);
	if (c->name == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	row->n_result_types++;
	return TR_OK;
}

/* Every row's result types from one grouped query, matched to rows by key. */
static enum tr_err query_result_types(struct db *db, const struct source *src, const struct summary_filter *f,
                                      struct summary *sm, struct tr_error *err)
{
	char select[SQL_MAX];
	struct summary_row **by_key;
	struct db_stmt *st = NULL;
	enum tr_err ret;
	int row = 0, n;

	if (sm->n_rows == 0)
		return TR_OK;
	if (src->rollup)
		n = snprintf(select, sizeof select, "%s AS k, g.result_type AS rt, tr_sum(g.failed)", src->key);
	else
		n = snprintf(select, sizeof select, "%s AS k, " KEY_SQL_RESULT_TYPE " AS rt,"
		             " tr_sum(f.failed_session_count)", src->key);
	if (n < 0 || (size_t)n >= sizeof select)
		return tr_error_set(err, TR_ERR_USAGE, "summary: query text too long");
	by_key = calloc(sm->n_rows, sizeof *by_key);
	if (by_key == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	for (size_t i = 0; i < sm->n_rows; i++)
		by_key[i] = &sm->rows[i];
	qsort(by_key, sm->n_rows, sizeof *by_key, cmp_row_key);
	ret = prepare_rows(db, select, src->from_result_types, src, f, "GROUP BY k, rt ORDER BY k, 3 DESC, rt",
	                   &st, err);
	while (ret == TR_OK) {
		const char *k;
		struct summary_row **found;

		ret = db_step(st, &row, WHAT("result types"), err);
		if (ret != TR_OK || !row)
			break;
		k = db_column_text(st, 0, NULL);
		found = bsearch(k != NULL ? k : "", by_key, sm->n_rows, sizeof *by_key, cmp_key_row);
		/* every key here also has a row: same joins, same filter */
		if (found != NULL)
			ret = add_result_type(*found, st, err);
	}
	db_finalize(st);
	free(by_key);
	return ret;
}

/*
 * The details' rows come grouped by report, which tally_add() needs to
 * count each row's distinct reports, in an order SQLite can read without
 * sorting: reports by start time through reports_by_submitter or
 * reports_by_start when the filter names a submitter or a time, else
 * policies by report through policies_by_report.  Only a policy-domain
 * filter, read through policies_by_domain, sorts: the details of that
 * domain alone.  A time with one bound gets the other, true of every
 * integer, because SQLite's planner takes a one-sided range for too wide
 * to be worth the index and scans every policy instead: --since a month
 * ago over a million reports 0.5 s, with the index 0.2 s (the whole
 * range costs 10 % more through the index than by policy).
 */
static const char *details_order(const struct summary_filter *f)
{
	if (f->policy_domain != NULL || (f->submitter == NULL && f->since == INT64_MIN && f->until == INT64_MAX))
		return "ORDER BY p.report";
	if (f->submitter != NULL || (f->since != INT64_MIN && f->until != INT64_MAX))
		return "ORDER BY r.start_time, r.id";
	if (f->since != INT64_MIN)
		return "AND r.start_time <= 9223372036854775807 ORDER BY r.start_time, r.id";
	/* not the literal -9223372036854775808: PostgreSQL reads its digits as numeric */
	return "AND r.start_time >= -9223372036854775807 - 1 ORDER BY r.start_time, r.id";
}

static enum tr_err tally_row(struct tally *t, struct db_stmt *st, struct tr_error *err)
{
	size_t key_len = 0, rt_len = 0;
	const char *key = db_column_text(st, 2, &key_len);
	const char *rt = db_column_text(st, 3, &rt_len);

	/* NULL only when the database ran out of memory converting the value */
	if (key == NULL || rt == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	return tally_add(t, key, key_len, rt, rt_len, db_column_int64(st, 0), db_column_int64(st, 4),
	                 db_column_int64(st, 1) == 1, err);
}

/* The rows of a key no rollup keeps (sending-ip), and their result
 * types, from one pass over the failure details. */
static enum tr_err query_detail_rows(struct db *db, const struct summary_filter *f, struct summary *sm,
                                     struct tr_error *err)
{
	char select[SQL_MAX];
	struct tally *t = NULL;
	struct db_stmt *st = NULL;
	enum tr_err ret;
	int row = 0;
	int n = snprintf(select, sizeof select, "r.id, CASE WHEN " COUNT_SQL_UNDER_POLICY("p") " THEN 1 ELSE 0 END, "
	                 KEY_SQL_SENDING_IP ", " KEY_SQL_RESULT_TYPE ", f.failed_session_count");

	if (n < 0 || (size_t)n >= sizeof select)
		return tr_error_set(err, TR_ERR_USAGE, "summary: query text too long");
	ret = tally_new(&t, err);
	if (ret == TR_OK)
		ret = prepare(db, select, base_details, 0, f, details_order(f), &st, err);
	while (ret == TR_OK) {
		ret = db_step(st, &row, WHAT("rows"), err);
		if (ret != TR_OK || !row)
			break;
		ret = tally_row(t, st, err);
	}
	if (ret == TR_OK)
		ret = tally_finish(t, sm, err);
	db_finalize(st);
	tally_free(t);
	return ret;
}

/* One read transaction (unless the caller has one open), so that the
 * totals and the rows see the same reports while writers carry on. */
static enum tr_err read_all(struct db *db, enum summary_key key, const struct summary_filter *f,
                            struct summary *sm, struct tr_error *err)
{
	int own = !db_in_transaction(db);
	struct source src;
	enum tr_err ret = TR_OK;

	if (own) {
		/* a read: no write lock (db_begin's) */
		ret = db_exec(db, "BEGIN", WHAT("starting the read"), err);
		if (ret != TR_OK)
			return ret;
	}
	pick_source(key, f, &src);
	ret = query_totals(db, &src, f, sm, err);
	if (ret == TR_OK && key == SUMMARY_BY_SENDING_IP)
		ret = query_detail_rows(db, f, sm, err);
	else if (ret == TR_OK)
		ret = query_rows(db, key, &src, f, sm, err);
	if (ret == TR_OK && key != SUMMARY_BY_SENDING_IP)
		ret = query_result_types(db, &src, f, sm, err);
	if (own && db_in_transaction(db))
		(void)db_exec(db, "COMMIT", WHAT("ending the read"), NULL);
	return ret;
}

enum tr_err summary_query(struct store *s, enum summary_key key, const struct summary_filter *f,
                          struct summary **out, struct tr_error *err)
{
	struct summary_filter all;
	struct summary *sm;
	struct db *db = store_db(s);
	enum tr_err ret;

	if (out == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "summary_query: no result pointer");
	*out = NULL;
	if (db == NULL || key_def(key) == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "summary_query: no store or unknown key");
	if (f == NULL) {
		summary_filter_all(&all);
		f = &all;
	}
	sm = calloc(1, sizeof *sm);
	if (sm == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	ret = read_all(db, key, f, sm, err);
	if (ret != TR_OK) {
		summary_free(sm);
		return ret;
	}
	*out = sm;
	return TR_OK;
}

void summary_free(struct summary *sm)
{
	if (sm == NULL)
		return;
	for (size_t i = 0; i < sm->n_rows; i++) {
		struct summary_row *row = &sm->rows[i];

		for (size_t j = 0; j < row->n_result_types; j++)
			free(row->result_types[j].name);
		free(row->result_types);
		free(row->key);
		free(row->organization);
	}
	free(sm->rows);
	free(sm);
}
