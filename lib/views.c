/*
 * views: listing stored reports, policies and failure details, and
 * removing old ones (see views.h).  The SQL text is built from fixed
 * fragments only; every value from the caller is a bound parameter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "count.h"
#include "filter.h"
#include "db.h"
#include "rollup.h"
#include "views.h"

#define SQL_MAX 4096

/* "views: what", for db_step()'s messages. */
#define WHAT(w) "views: " w

/* A nullable text column as a malloc'd copy; *failed set on no memory. */
static char *column_dup(struct db_stmt *st, int col, int *failed)
{
	size_t len = 0;
	const char *t;
	char *s;

	if (db_column_is_null(st, col))
		return NULL;
	t = db_column_text(st, col, &len);
	s = malloc(len + 1);
	if (s == NULL || t == NULL) {
		free(s);
		*failed = 1;
		return NULL;
	}
	memcpy(s, t, len);
	s[len] = '\0';
	return s;
}

static uint64_t column_count(struct db_stmt *st, int col)
{
	int64_t v = db_column_int64(st, col);

	return v > 0 ? (uint64_t)v : 0;
}

/* Grow *rows (of size elem) so that one more fits; rows are zeroed. */
static enum tr_err grow(void **rows, size_t *cap, size_t n, size_t elem, struct tr_error *err)
{
	void *p = array_grow(*rows, cap, n, elem, 16);

	if (p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "views: out of memory");
	*rows = p;
	return TR_OK;
}

/* A named parameter of views' own beside the filter's (:id, :cutoff,
 * :limit), when st has it. */
static void bind_int(struct db_stmt *st, const char *name, int64_t v)
{
	int idx = db_param_index(st, name);

	if (idx > 0)
		db_bind_int64(st, idx, v);
}

static enum tr_err prepare(struct db *db, const char *sql, struct db_stmt **st, struct tr_error *err)
{
	enum tr_err rc = db_prepare(db, sql, 0, st, err);

	if (rc != TR_OK)
		tr_error_prefix(err, "views");
	return rc;
}

/* Run st to the end, handing each row to add(). */
static enum tr_err each_row(struct db_stmt *st, void *ctx,
                            enum tr_err (*add)(void *ctx, struct db_stmt *st, struct tr_error *err),
                            struct tr_error *err)
{
	enum tr_err ret;
	int row = 0;

	for (;;) {
		ret = db_step(st, &row, WHAT("reading"), err);
		if (ret != TR_OK || !row)
			return ret;
		ret = add(ctx, st, err);
		if (ret != TR_OK)
			return ret;
	}
}

/*
 * Prepare "columns WHERE <filter> ORDER BY order LIMIT :limit" with the
 * filter's values bound (f NULL: everything); *st is the caller's to
 * finalize on TR_OK.
 */
static enum tr_err prepare_filtered(struct db *db, const char *columns, const char *order,
                                    const struct summary_filter *f, int counted_only,
                                    int domain_exists, size_t limit, struct db_stmt **st,
                                    struct tr_error *err)
{
	struct summary_filter all;
	char where[1024], sql[SQL_MAX];
	enum tr_err ret;
	int n;

	if (f == NULL) {
		filter_all(&all);
		f = &all;
	}
	if (filter_where(where, sizeof where, f, domain_exists ? FILTER_OVER_REPORTS : FILTER_OVER_POLICIES) != 0)
		return tr_error_set(err, TR_ERR_USAGE, "views: query text too long");
	/* an authenticated report is one the milter counted */
	n = snprintf(sql, sizeof sql, "%s WHERE 1 = 1%s%s ORDER BY %s LIMIT :limit", columns,
	             counted_only || f->authenticated_only ? " AND r.counted = 1" : "", where, order);
	if (n < 0 || (size_t)n >= sizeof sql)
		return tr_error_set(err, TR_ERR_USAGE, "views: query text too long");
	ret = prepare(db, sql, st, err);
	if (ret != TR_OK)
		return ret;
	filter_bind(*st, f);
	bind_int(*st, ":limit", limit == 0 || limit > VIEWS_MAX_ROWS ? VIEWS_MAX_ROWS : (int64_t)limit);
	return TR_OK;
}

/* One row type of the lists: its size, and how a result row fills one
 * (zeroed) row: 0, or -1 when out of memory. */
struct row_kind {
	size_t size;
	int (*fill)(void *row, struct db_stmt *st);
};

struct row_array {
	const struct row_kind *kind;
	void *rows;
	size_t n, cap;
};

static enum tr_err add_row(void *ctx, struct db_stmt *st, struct tr_error *err)
{
	struct row_array *a = ctx;
	enum tr_err ret = grow(&a->rows, &a->cap, a->n, a->kind->size, err);

	if (ret != TR_OK)
		return ret;
	/* counted before it is filled: a half-filled row is freed with the rest */
	a->n++;
	if (a->kind->fill((char *)a->rows + (a->n - 1) * a->kind->size, st) != 0)
		return tr_error_set(err, TR_ERR_NOMEM, "views: out of memory");
	return TR_OK;
}

/*
 * Run st (bound already; finalized here) and collect its rows of kind k
 * into *rows and *n, which the caller frees whatever this returns.
 */
static enum tr_err read_rows(struct db_stmt *st, const struct row_kind *k,
                             void **rows, size_t *n, struct tr_error *err)
{
	struct row_array a = { k, NULL, 0, 0 };
	enum tr_err ret = each_row(st, &a, add_row, err);

	db_finalize(st);
	*rows = a.rows;
	*n = a.n;
	return ret;
}

/* Prepare "select WHERE id_column = :id tail" with id bound. */
static enum tr_err prepare_by_id(struct db *db, const char *select, const char *id_column,
                                 const char *tail, int64_t id, struct db_stmt **st,
                                 struct tr_error *err)
{
	char sql[SQL_MAX];
	enum tr_err ret;

	snprintf(sql, sizeof sql, "%s WHERE %s = :id %s", select, id_column, tail);
	ret = prepare(db, sql, st, err);
	if (ret != TR_OK)
		return ret;
	bind_int(*st, ":id", id);
	return TR_OK;
}

/* ---- failure details ---- */

#define FAILURE_COLUMNS \
	"SELECT r.id, r.start_time, r.end_time, r.submitter, r.report_id, p.policy_type," \
	" p.policy_domain, f.result_type, f.sending_mta_ip, f.receiving_mx_hostname," \
	" f.receiving_mx_helo, f.receiving_ip, f.failed_session_count, f.failure_reason_code," \
	" f.additional_information, p.id" \
	" FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id"
/* every detail of a report, for show */
static const char failure_columns[] = FAILURE_COLUMNS;
/* the details that count (count.h), for the list of failures */
static const char counted_failure_columns[] = FAILURE_COLUMNS " AND " COUNT_SQL_COUNTED("p");

static int fill_failure(void *p, struct db_stmt *st)
{
	struct view_failure *row = p;
	int failed = 0;

	row->report = db_column_int64(st, 0);
	row->start = db_column_int64(st, 1);
	row->end = db_column_int64(st, 2);
	row->submitter = column_dup(st, 3, &failed);
	row->report_id = column_dup(st, 4, &failed);
	row->policy_type = column_dup(st, 5, &failed);
	row->policy_domain = column_dup(st, 6, &failed);
	row->result_type = column_dup(st, 7, &failed);
	row->sending_ip = column_dup(st, 8, &failed);
	row->receiving_mx = column_dup(st, 9, &failed);
	row->receiving_helo = column_dup(st, 10, &failed);
	row->receiving_ip = column_dup(st, 11, &failed);
	row->count = column_count(st, 12);
	row->reason_code = column_dup(st, 13, &failed);
	row->additional_info = column_dup(st, 14, &failed);
	row->policy = db_column_int64(st, 15);
	return failed ? -1 : 0;
}

static const struct row_kind failure_kind = { sizeof(struct view_failure), fill_failure };

/* The rows of st (prepared and bound; finalized here) as a new list. */
static enum tr_err read_failures(struct db_stmt *st, struct view_failures **out,
                                 struct tr_error *err)
{
	struct view_failures *v = calloc(1, sizeof *v);
	enum tr_err ret;

	if (v == NULL) {
		db_finalize(st);
		return tr_error_set(err, TR_ERR_NOMEM, "views: out of memory");
	}
	ret = read_rows(st, &failure_kind, (void **)&v->rows, &v->n, err);
	if (ret != TR_OK) {
		view_failures_free(v);
		return ret;
	}
	*out = v;
	return TR_OK;
}

enum tr_err views_failures(struct store *s, const struct summary_filter *f, size_t limit,
                           struct view_failures **out, struct tr_error *err)
{
	struct db *db = store_db(s);
	struct db_stmt *st;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_failures: no store or result pointer");
	*out = NULL;
	ret = prepare_filtered(db, counted_failure_columns, "r.start_time DESC, r.id DESC, f.failed_session_count DESC, f.id", f, 1, 0, limit, &st, err);
	if (ret != TR_OK)
		return ret;
	return read_failures(st, out, err);
}

enum tr_err views_report_failures(struct store *s, int64_t report, struct view_failures **out,
                                  struct tr_error *err)
{
	struct db *db = store_db(s);
	struct db_stmt *st;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_report_failures: no store or result pointer");
	*out = NULL;
	ret = prepare_by_id(db, failure_columns, "r.id", "ORDER BY p.idx, f.id", report, &st, err);
	if (ret != TR_OK)
		return ret;
	return read_failures(st, out, err);
}

void view_failures_free(struct view_failures *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		struct view_failure *r = &v->rows[i];

		free(r->submitter);
		free(r->report_id);
		free(r->policy_type);
		free(r->policy_domain);
		free(r->result_type);
		free(r->sending_ip);
		free(r->receiving_mx);
		free(r->receiving_helo);
		free(r->receiving_ip);
		free(r->reason_code);
		free(r->additional_info);
	}
	free(v->rows);
	free(v);
}

/* ---- reports ---- */

static const char report_columns[] =
	"SELECT r.id, r.start_time, r.end_time, r.received_at, r.submitter, r.report_id,"
	" r.organization_name, r.contact_info, r.source, r.message_id, r.auth, r.counted,"
	" (SELECT COUNT(*) FROM policies p WHERE p.report = r.id),"
	" (SELECT tr_sum(p.total_successful) FROM policies p WHERE p.report = r.id AND " COUNT_SQL_COUNTED("p") "),"
	" (SELECT tr_sum(p.total_failure) FROM policies p WHERE p.report = r.id AND " COUNT_SQL_COUNTED("p") "),"
	" COALESCE((SELECT string_agg(ds.d, ', ') FROM (SELECT DISTINCT"
	" COALESCE(p.policy_domain, '') AS d FROM policies p WHERE p.report = r.id ORDER BY d) AS ds), ''),"
	" r.dkim_domain, r.dkim_selector, r.client_addr"
	" FROM reports r";

static int fill_report(void *p, struct db_stmt *st)
{
	struct view_report *row = p;
	int failed = 0;

	row->id = db_column_int64(st, 0);
	row->start = db_column_int64(st, 1);
	row->end = db_column_int64(st, 2);
	row->received_at = db_column_int64(st, 3);
	row->submitter = column_dup(st, 4, &failed);
	row->report_id = column_dup(st, 5, &failed);
	row->organization = column_dup(st, 6, &failed);
	row->contact_info = column_dup(st, 7, &failed);
	row->source = column_dup(st, 8, &failed);
	row->message_id = column_dup(st, 9, &failed);
	row->auth = column_dup(st, 10, &failed);
	row->counted = db_column_int64(st, 11) != 0;
	row->n_policies = column_count(st, 12);
	row->successful = column_count(st, 13);
	row->failed = column_count(st, 14);
	row->policy_domains = column_dup(st, 15, &failed);
	row->dkim_domain = column_dup(st, 16, &failed);
	row->dkim_selector = column_dup(st, 17, &failed);
	row->client_addr = column_dup(st, 18, &failed);
	return failed ? -1 : 0;
}

static const struct row_kind report_kind = { sizeof(struct view_report), fill_report };

/* The rows of st (prepared and bound; finalized here) as a new list. */
static enum tr_err read_reports(struct db_stmt *st, struct view_reports **out,
                                struct tr_error *err)
{
	struct view_reports *v = calloc(1, sizeof *v);
	enum tr_err ret;

	if (v == NULL) {
		db_finalize(st);
		return tr_error_set(err, TR_ERR_NOMEM, "views: out of memory");
	}
	ret = read_rows(st, &report_kind, (void **)&v->rows, &v->n, err);
	if (ret != TR_OK) {
		view_reports_free(v);
		return ret;
	}
	*out = v;
	return TR_OK;
}

enum tr_err views_reports(struct store *s, const struct summary_filter *f, size_t limit,
                          struct view_reports **out, struct tr_error *err)
{
	struct db *db = store_db(s);
	struct db_stmt *st;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_reports: no store or result pointer");
	*out = NULL;
	ret = prepare_filtered(db, report_columns, "r.start_time DESC, r.id DESC", f, 0, 1, limit, &st, err);
	if (ret != TR_OK)
		return ret;
	return read_reports(st, out, err);
}

enum tr_err views_report(struct store *s, int64_t id, struct view_reports **out,
                         struct tr_error *err)
{
	struct db *db = store_db(s);
	struct db_stmt *st;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_report: no store or result pointer");
	*out = NULL;
	ret = prepare_by_id(db, report_columns, "r.id", "", id, &st, err);
	if (ret == TR_OK)
		ret = read_reports(st, out, err);
	if (ret == TR_OK && (*out)->n == 0) {
		view_reports_free(*out);
		*out = NULL;
		return tr_error_set(err, TR_ERR_NOTFOUND, "no report with id %lld", (long long)id);
	}
	return ret;
}

/* The ids st (prepared and bound; finalized here) yields, as a new array. */
static enum tr_err read_ids(struct db_stmt *st, int64_t **ids, size_t *n, struct tr_error *err)
{
	size_t cap = 0;
	enum tr_err ret;
	int row = 0;

	*ids = NULL;
	*n = 0;
	for (;;) {
		ret = db_step(st, &row, WHAT("finding reports"), err);
		if (ret != TR_OK || !row)
			break;
		ret = grow((void **)ids, &cap, *n, sizeof **ids, err);
		if (ret != TR_OK)
			break;
		(*ids)[(*n)++] = db_column_int64(st, 0);
	}
	db_finalize(st);
	if (ret != TR_OK) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return ret;
}

enum tr_err views_find_report(struct store *s, const char *report_id, const char *submitter,
                              int64_t **ids, size_t *n, struct tr_error *err)
{
	struct db *db = store_db(s);
	struct db_stmt *st;
	enum tr_err ret;

	if (ids == NULL || n == NULL || db == NULL || report_id == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_find_report: missing argument");
	*ids = NULL;
	*n = 0;
	ret = prepare(db, submitter != NULL
	              ? "SELECT id FROM reports WHERE report_id = ?1 AND submitter = lower(?2) ORDER BY id"
	              : "SELECT id FROM reports WHERE report_id = ?1 ORDER BY id", &st, err);
	if (ret != TR_OK)
		return ret;
	db_bind_text(st, 1, report_id);
	if (submitter != NULL)
		db_bind_text(st, 2, submitter);
	return read_ids(st, ids, n, err);
}

enum tr_err views_report_ids(struct store *s, int64_t after, size_t limit, int64_t **ids, size_t *n,
                             struct tr_error *err)
{
	struct db *db = store_db(s);
	struct db_stmt *st;
	enum tr_err ret;

	TR_ASSERT(db != NULL && ids != NULL && n != NULL);
	*ids = NULL;
	*n = 0;
	ret = prepare(db, "SELECT id FROM reports WHERE id > ?1 ORDER BY id LIMIT ?2", &st, err);
	if (ret != TR_OK)
		return ret;
	db_bind_int64(st, 1, after);
	db_bind_int64(st, 2, limit == 0 || limit > VIEWS_MAX_ROWS ? VIEWS_MAX_ROWS : (int64_t)limit);
	return read_ids(st, ids, n, err);
}

void view_reports_free(struct view_reports *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		struct view_report *r = &v->rows[i];

		free(r->submitter);
		free(r->report_id);
		free(r->organization);
		free(r->contact_info);
		free(r->source);
		free(r->message_id);
		free(r->auth);
		free(r->dkim_domain);
		free(r->dkim_selector);
		free(r->policy_domains);
		free(r->client_addr);
	}
	free(v->rows);
	free(v);
}

/* ---- policies ---- */

static int fill_policy(void *p, struct db_stmt *st)
{
	struct view_policy *row = p;
	int failed = 0;

	row->id = db_column_int64(st, 0);
	row->policy_type = column_dup(st, 1, &failed);
	row->policy_domain = column_dup(st, 2, &failed);
	row->policy_strings = column_dup(st, 3, &failed);
	row->mx_hosts = column_dup(st, 4, &failed);
	row->successful = column_count(st, 5);
	row->failed = column_count(st, 6);
	row->superseded = db_column_int64(st, 7) != 0;
	return failed ? -1 : 0;
}

static const struct row_kind policy_kind = { sizeof(struct view_policy), fill_policy };

enum tr_err views_report_policies(struct store *s, int64_t id, struct view_policies **out,
                                  struct tr_error *err)
{
	struct db *db = store_db(s);
	struct view_policies *v;
	struct db_stmt *st;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_report_policies: no store or result pointer");
	*out = NULL;
	ret = prepare_by_id(db, "SELECT id, policy_type, policy_domain, policy_strings, mx_hosts,"
	                    " total_successful, total_failure, superseded FROM policies", "report",
	                    "ORDER BY idx, id", id, &st, err);
	if (ret != TR_OK)
		return ret;
	v = calloc(1, sizeof *v);
	if (v == NULL) {
		db_finalize(st);
		return tr_error_set(err, TR_ERR_NOMEM, "views: out of memory");
	}
	ret = read_rows(st, &policy_kind, (void **)&v->rows, &v->n, err);
	if (ret != TR_OK) {
		view_policies_free(v);
		return ret;
	}
	*out = v;
	return TR_OK;
}

void view_policies_free(struct view_policies *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->rows[i].policy_type);
		free(v->rows[i].policy_domain);
		free(v->rows[i].policy_strings);
		free(v->rows[i].mx_hosts);
	}
	free(v->rows);
	free(v);
}

/* ---- retention ---- */

/* One statement with :cutoff bound, stepped to the end; a count when it
 * returns one. */
static enum tr_err exec_cutoff(struct db *db, const char *sql, int64_t cutoff, uint64_t *count,
                               struct tr_error *err)
{
	struct db_stmt *st;
	enum tr_err ret = prepare(db, sql, &st, err);
	int row = 0;

	if (ret != TR_OK)
		return ret;
	bind_int(st, ":cutoff", cutoff);
	ret = db_step(st, &row, WHAT("expiring"), err);
	if (ret == TR_OK && row && count != NULL)
		*count = column_count(st, 0);
	if (ret == TR_OK && row)
		ret = db_step(st, &row, WHAT("expiring"), err);
	db_finalize(st);
	return ret;
}

static const char *const expire_count_sql[] = {
	"SELECT COUNT(*) FROM reports WHERE end_time < :cutoff",
	"SELECT COUNT(*) FROM policies WHERE report IN (SELECT id FROM reports WHERE end_time < :cutoff)",
	("SELECT COUNT(*) FROM failure_details WHERE policy IN (SELECT p.id FROM policies p"
	 " JOIN reports r ON r.id = p.report WHERE r.end_time < :cutoff)"),
	/* the sessions that leave the summaries, counted as they count them */
	("SELECT tr_sum(p.total_successful + p.total_failure) FROM policies p JOIN reports r ON r.id = p.report"
	 " WHERE r.end_time < :cutoff AND r.counted = 1 AND " COUNT_SQL_COUNTED("p")),
	("SELECT tr_sum(p.total_failure) FROM policies p JOIN reports r ON r.id = p.report"
	 " WHERE r.end_time < :cutoff AND r.counted = 1 AND " COUNT_SQL_COUNTED("p")),
};

/* Children first, so that the foreign keys hold whether or not the
 * connection enforces them. */
static const char *const expire_delete_sql[] = {
	("DELETE FROM failure_details WHERE policy IN (SELECT p.id FROM policies p"
	 " JOIN reports r ON r.id = p.report WHERE r.end_time < :cutoff)"),
	"DELETE FROM policies WHERE report IN (SELECT id FROM reports WHERE end_time < :cutoff)",
	"DELETE FROM reports WHERE end_time < :cutoff",
};

static enum tr_err expire_in_transaction(struct store *s, int64_t cutoff, int dry_run,
                                         struct view_expired *out, struct tr_error *err)
{
	struct db *db = store_db(s);
	uint64_t *counts[] = { &out->reports, &out->policies, &out->failure_details, &out->sessions, &out->failed };
	enum tr_err ret = TR_OK;
	size_t i;

	_Static_assert(sizeof counts / sizeof counts[0] == sizeof expire_count_sql / sizeof expire_count_sql[0],
	               "a count for every query");
	for (i = 0; ret == TR_OK && i < sizeof counts / sizeof counts[0]; i++)
		ret = exec_cutoff(db, expire_count_sql[i], cutoff, counts[i], err);
	if (ret != TR_OK || dry_run)
		return ret;
	/* the summary rollups of the start times that lose reports are
	 * recomputed from what is left */
	ret = db_exec(db, "DROP TABLE IF EXISTS tr_expired_starts", WHAT("expiring"), err);
	if (ret == TR_OK)
		ret = db_exec(db, "CREATE TEMP TABLE tr_expired_starts (start_time BIGINT)", WHAT("expiring"), err);
	/* filled apart: PostgreSQL takes no parameters in CREATE TABLE AS */
	if (ret == TR_OK)
		ret = exec_cutoff(db, "INSERT INTO tr_expired_starts"
		                  " SELECT DISTINCT start_time FROM reports WHERE end_time < :cutoff", cutoff, NULL, err);
	for (i = 0; ret == TR_OK && i < 3; i++)
		ret = exec_cutoff(db, expire_delete_sql[i], cutoff, NULL, err);
	if (ret == TR_OK)
		ret = rollup_rebuild(db, "SELECT start_time FROM tr_expired_starts", err);
	if (ret == TR_OK)
		ret = db_exec(db, "DROP TABLE tr_expired_starts", WHAT("expiring"), err);
	return ret;
}

enum tr_err views_expire(struct store *s, int64_t cutoff, int dry_run, struct view_expired *out,
                         struct tr_error *err)
{
	struct db *db = store_db(s);
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_expire: no store or result pointer");
	memset(out, 0, sizeof *out);
	/* a write transaction takes the write lock before counting, so that
	 * what is counted is what is removed */
	if (dry_run)
		ret = db_exec(db, "BEGIN", WHAT("starting the transaction"), err);
	else
		ret = db_begin(db, err);
	if (ret != TR_OK)
		return ret;
	ret = expire_in_transaction(s, cutoff, dry_run, out, err);
	if (ret == TR_OK && !dry_run)
		ret = db_commit(db, err);
	db_rollback(db);
	if (ret != TR_OK)
		memset(out, 0, sizeof *out);
	return ret;
}

enum tr_err views_vacuum(struct store *s, struct tr_error *err)
{
	struct db *db = store_db(s);

	if (db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "views_vacuum: no store");
	return db_exec(db, "VACUUM", WHAT("vacuum"), err);
}
