/*
 * Unit tests of the summary queries: a fixed set of reports goes into a
 * store, and every key under every filter of a table is checked against
 * numbers the test computes on its own from the same set, in C, plus a
 * few sums worked out by hand.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <dirent.h>

#include <cmocka.h>

#include "count.h"
#include "backend/sqlite.h"
#include "db.h"
#include "report_builder.h"
#include "testdb.h"
#include "summary.h"
#include "views.h"
#include "testutil.h"

#define D1 INT64_C(1709251200) /* 2024-03-01T00:00:00Z */
#define D2 (D1 + 86400)
#define D3 (D2 + 86400)

struct fx_failure {
	const char *rt, *ip, *mx;
	uint64_t n;
};

struct fx_policy {
	const char *type, *domain;
	uint64_t ok, fail;
	struct fx_failure f[3];   /* ends at n == 0 && rt == NULL && ip == NULL */
	int n_f;
};

struct fx_report {
	const char *submitter, *id;
	int64_t start;
	const char *org, *auth;
	int counted;
	struct fx_policy p[2];
	int n_p;
};

static const struct fx_report fixtures[] = {
	{ "a.example", "a-1", D1, "Alpha Inc", "pass", 1, {
		{ "sts", "example.com", 100, 5, {
			{ "certificate-expired", "192.0.2.1", "mx1.example.com", 3 },
			{ "starttls-not-supported", "192.0.2.2", "mx2.example.com", 2 } }, 2 },
		{ "tlsa", "example.net", 50, 1, {
			{ "tlsa-invalid", "192.0.2.1", "mx.example.net", 1 } }, 1 } }, 2 },
	{ "a.example", "a-2", D2, "Alpha Incorporated", "pass", 1, {
		{ "sts", "example.com", 200, 0, { { 0 } }, 0 } }, 1 },
	/* the last second of D2; no organization-name */
	{ "a.example", "a-3", D3 - 1, NULL, "pass", 1, {
		{ "sts", "example.com", 10, 4, {
			{ "certificate-expired", "192.0.2.1", "mx1.example.com", 4 } }, 1 } }, 1 },
	{ "b.example", "b-1", D1 + 3600, "Beta", "fail", 1, {
		{ "sts", "example.com", 30, 7, {
			{ "validation-failure", "198.51.100.1", "mx1.example.com", 7 } }, 1 } }, 1 },
	/* the same report-id as a-1, from another submitter: another report */
	{ "b.example", "a-1", D1, "Beta", "none", 1, {
		{ "no-policy-found", "example.org", 40, 2, {
			{ NULL, NULL, NULL, 2 } }, 1 } }, 1 },
	/* set aside: never counted, not even its later organization-name */
	{ "c.example", "c-1", D3 + 200, "Gamma", "pass", 0, {
		{ "sts", "example.com", 1000, 1000, {
			{ "certificate-expired", "192.0.2.1", "mx1.example.com", 1000 } }, 1 } }, 1 },
	/* unknown submitter, no policy-domain */
	{ NULL, "n-1", D3, NULL, "unknown", 1, {
		{ "sts", NULL, 5, 5, {
			{ "sts-webpki-invalid", "203.0.113.5", "mx1.example.com", 5 } }, 1 } }, 1 },
	/* totals that disagree with the details (9 vs 8) */
	{ "c.example", "c-2", D3 + 100, "Gamma Two", "pass", 1, {
		{ "sts", "example.net", 0, 9, {
			{ "certificate-expired", "203.0.113.5", "mx.example.net", 6 },
			{ "dnssec-invalid", "203.0.113.5", "mx.example.net", 2 } }, 2 } }, 1 },
	/* two policies for the same domain */
	{ "d.example", "d-1", D2, "Delta", "pass", 1, {
		{ "sts", "example.com", 1, 1, { { 0 } }, 0 },
		{ "tlsa", "example.com", 2, 2, {
			{ "tlsa-invalid", "192.0.2.9", "mx1.example.com", 2 } }, 1 } }, 2 },
};
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

/* ---- the store under test ---- */

/* The backend the running case is on (its cmocka state, read by the
 * setups). */
static enum db_kind backend;

struct fixture_db {
	char *path;
	struct store *s;
};

static struct tlsrpt_report *build(const struct fx_report *fx)
{
	struct tlsrpt_report *r = rb_report(fx->submitter, fx->id, fx->start, fx->start + 86399, fx->org);

	for (int i = 0; i < fx->n_p; i++) {
		const struct fx_policy *fp = &fx->p[i];
		struct tlsrpt_policy *p = rb_policy(r, fp->type, fp->domain, fp->ok, fp->fail);

		for (int j = 0; j < fp->n_f; j++)
			rb_failure(p, fp->f[j].rt, fp->f[j].ip, fp->f[j].mx, fp->f[j].n);
	}
	return r;
}

static void put_all(struct store *s, const struct fx_report *fx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct store_meta m = { "import", NULL, fx[i].auth, fx[i].counted, 0, NULL, NULL, NULL };
		struct tlsrpt_report *r = build(&fx[i]);
		enum store_outcome out;
		struct tr_error e;

		if (store_put_report(s, r, &m, &out, &e) != TR_OK)
			fail_msg("store_put_report: %s", e.msg);
		assert_int_equal(out, STORE_STORED);
		rb_free(r);
	}
}

static int setup_db(void **state)
{
	struct fixture_db *fd = calloc(1, sizeof *fd);
	struct tr_error e;

	if (fd == NULL)
		return -1;
	backend = *(const enum db_kind *)*state;
	fd->path = rb_temp_db(backend, "summary.db");
	if (store_open(fd->path, STORE_OPEN_CREATE, 0, &fd->s, &e) != TR_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	put_all(fd->s, fixtures, N_FIXTURES);
	*state = fd;
	return 0;
}

static int teardown_db(void **state)
{
	struct fixture_db *fd = *state;

	store_close(fd->s);
	rb_remove_temp(fd->path);
	free(fd);
	return 0;
}

/* ---- the same numbers, computed in C ---- */

#define MAX_ROWS 32
#define MAX_RT 16

struct exp_rt {
	const char *name;
	uint64_t n;
};

struct exp_row {
	char key[64];
	const char *org;
	uint64_t reports_mask, ok, fail, fail_with_policy;
	struct exp_rt rt[MAX_RT];
	size_t n_rt;
};

struct expected {
	uint64_t reports_mask, ok, fail;
	struct exp_row rows[MAX_ROWS];
	size_t n_rows;
};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int report_selected(const struct fx_report *r, const struct summary_filter *f)
{
	if (!r->counted || r->start < f->since || r->start >= f->until)
		return 0;
	if (f->submitter != NULL && strcmp(f->submitter, or_empty(r->submitter)) != 0)
		return 0;
	return !f->authenticated_only || strcmp(r->auth, "pass") == 0;
}

static int policy_selected(const struct fx_policy *p, const struct summary_filter *f)
{
	return f->policy_domain == NULL || (p->domain != NULL && strcmp(f->policy_domain, p->domain) == 0);
}

static struct exp_row *exp_group(struct expected *x, const char *key)
{
	for (size_t i = 0; i < x->n_rows; i++) {
		if (strcmp(x->rows[i].key, key) == 0)
			return &x->rows[i];
	}
	assert_true(x->n_rows < MAX_ROWS);
	snprintf(x->rows[x->n_rows].key, sizeof x->rows[0].key, "%s", key);
	return &x->rows[x->n_rows++];
}

static void exp_add_rt(struct exp_row *row, const char *name, uint64_t n)
{
	for (size_t i = 0; i < row->n_rt; i++) {
		if (strcmp(row->rt[i].name, name) == 0) {
			row->rt[i].n += n;
			return;
		}
	}
	assert_true(row->n_rt < MAX_RT);
	row->rt[row->n_rt].name = name;
	row->rt[row->n_rt++].n = n;
}

static void day_of(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(gmtime_r(&tt, &tm));
	assert_true(strftime(buf, size, "%Y-%m-%d", &tm) > 0);
}

static const char *policy_key(enum summary_key key, const struct fx_report *r, const struct fx_policy *p,
                              char *buf, size_t size)
{
	switch (key) {
	case SUMMARY_BY_SUBMITTER: return or_empty(r->submitter);
	case SUMMARY_BY_POLICY_DOMAIN: return or_empty(p->domain);
	case SUMMARY_BY_DAY: day_of(r->start, buf, size); return buf;
	case SUMMARY_BY_POLICY_TYPE: return p->type;
	default: return NULL;
	}
}

static const char *detail_key(enum summary_key key, const struct fx_failure *fl)
{
	switch (key) {
	case SUMMARY_BY_RESULT_TYPE: return or_empty(fl->rt);
	case SUMMARY_BY_RECEIVING_MX: return or_empty(fl->mx);
	case SUMMARY_BY_SENDING_IP: return or_empty(fl->ip);
	default: return NULL;
	}
}

static void exp_policy(struct expected *x, enum summary_key key, size_t ri, const struct fx_policy *p)
{
	const struct fx_report *r = &fixtures[ri];
	char buf[32];
	const char *k = policy_key(key, r, p, buf, sizeof buf);
	struct exp_row *row;

	int with_policy = strcmp(p->type, "no-policy-found") != 0;

	x->reports_mask |= UINT64_C(1) << ri;
	x->ok += p->ok;
	x->fail += p->fail;
	if (k != NULL) {
		row = exp_group(x, k);
		row->reports_mask |= UINT64_C(1) << ri;
		row->ok += p->ok;
		row->fail += p->fail;
		row->fail_with_policy += with_policy ? p->fail : 0;
		for (int j = 0; j < p->n_f; j++)
			exp_add_rt(row, or_empty(p->f[j].rt), p->f[j].n);
		return;
	}
	for (int j = 0; j < p->n_f; j++) {
		row = exp_group(x, detail_key(key, &p->f[j]));
		row->reports_mask |= UINT64_C(1) << ri;
		row->fail += p->f[j].n;
		row->fail_with_policy += with_policy ? p->f[j].n : 0;
		exp_add_rt(row, or_empty(p->f[j].rt), p->f[j].n);
	}
}

/* The latest counted report of the submitter with a non-empty name. */
static const char *exp_org(const char *submitter)
{
	const struct fx_report *best = NULL;

	for (size_t i = 0; i < N_FIXTURES; i++) {
		const struct fx_report *r = &fixtures[i];

		if (!r->counted || r->org == NULL || *r->org == '\0' || strcmp(or_empty(r->submitter), submitter) != 0)
			continue;
		if (best == NULL || r->start >= best->start)
			best = r;
	}
	return best != NULL ? best->org : NULL;
}

static int cmp_exp_row(const void *a, const void *b)
{
	const struct exp_row *x = a, *y = b;

	if (x->fail != y->fail)
		return x->fail > y->fail ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_exp_rt(const void *a, const void *b)
{
	const struct exp_rt *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Add row (of a one-row expectation) into x under its key. */
static void exp_merge_row(struct expected *x, const struct exp_row *row)
{
	struct exp_row *into = exp_group(x, row->key);

	into->reports_mask |= row->reports_mask;
	into->ok += row->ok;
	into->fail += row->fail;
	into->fail_with_policy += row->fail_with_policy;
	for (size_t i = 0; i < row->n_rt; i++)
		exp_add_rt(into, row->rt[i].name, row->rt[i].n);
}

/* The counting rule (docs/COUNTING.md), written again here on the test's
 * own: an sts policy beside a tlsa one for the same domain in the same
 * report is the same sessions. */
static int fx_superseded(const struct fx_report *r, const struct fx_policy *p)
{
	if (strcmp(p->type, "sts") != 0 || p->domain == NULL)
		return 0;
	for (int j = 0; j < r->n_p; j++) {
		if (strcmp(r->p[j].type, "tlsa") == 0 && r->p[j].domain != NULL &&
		    strcasecmp(r->p[j].domain, p->domain) == 0)
			return 1;
	}
	return 0;
}

static void compute_expected(struct expected *x, enum summary_key key, const struct summary_filter *f)
{
	memset(x, 0, sizeof *x);
	for (size_t i = 0; i < N_FIXTURES; i++) {
		if (!report_selected(&fixtures[i], f))
			continue;
		for (int j = 0; j < fixtures[i].n_p; j++) {
			const struct fx_policy *p = &fixtures[i].p[j];

			if (!policy_selected(p, f))
				continue;
			if (!fx_superseded(&fixtures[i], p)) {
				exp_policy(x, key, i, p);
			} else if (key == SUMMARY_BY_POLICY_TYPE) {
				/* shown under its own key, never in the totals */
				struct expected only;
				struct fx_policy renamed = *p;

				renamed.type = "sts" SUMMARY_SUPERSEDED_SUFFIX;
				memset(&only, 0, sizeof only);
				exp_policy(&only, key, i, &renamed);
				exp_merge_row(x, &only.rows[0]);
			}
		}
	}
	qsort(x->rows, x->n_rows, sizeof x->rows[0], cmp_exp_row);
	for (size_t i = 0; i < x->n_rows; i++) {
		qsort(x->rows[i].rt, x->rows[i].n_rt, sizeof x->rows[i].rt[0], cmp_exp_rt);
		if (key == SUMMARY_BY_SUBMITTER)
			x->rows[i].org = exp_org(x->rows[i].key);
	}
}

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return n;
}

static void assert_matches(const struct summary *sm, const struct expected *x)
{
	assert_int_equal(sm->reports, popcount64(x->reports_mask));
	assert_int_equal(sm->successful, x->ok);
	assert_int_equal(sm->failed, x->fail);
	assert_int_equal(sm->n_rows, x->n_rows);
	for (size_t i = 0; i < x->n_rows; i++) {
		const struct summary_row *got = &sm->rows[i];
		const struct exp_row *want = &x->rows[i];

		assert_string_equal(got->key, want->key);
		assert_int_equal(got->reports, popcount64(want->reports_mask));
		assert_int_equal(got->successful, want->ok);
		assert_int_equal(got->failed, want->fail);
		assert_int_equal(got->failed_with_policy, want->fail_with_policy);
		if (want->org == NULL)
			assert_null(got->organization);
		else
			assert_string_equal(got->organization, want->org);
		assert_int_equal(got->n_result_types, want->n_rt);
		for (size_t j = 0; j < want->n_rt; j++) {
			assert_string_equal(got->result_types[j].name, want->rt[j].name);
			assert_int_equal(got->result_types[j].count, want->rt[j].n);
		}
	}
}

static struct summary *query(struct store *s, enum summary_key key, const struct summary_filter *f)
{
	struct summary *sm = NULL;
	struct tr_error e;

	if (summary_query(s, key, f, &sm, &e) != TR_OK)
		fail_msg("summary_query(%s): %s", summary_key_name(key), e.msg);
	return sm;
}

/* ---- tests ---- */

struct filter_case {
	const char *name;
	int64_t since, until;
	const char *domain, *submitter;
	int auth;
};

static const struct filter_case filters[] = {
	{ "everything", INT64_MIN, INT64_MAX, NULL, NULL, 0 },
	{ "since D2", D2, INT64_MAX, NULL, NULL, 0 },
	{ "until D2", INT64_MIN, D2, NULL, NULL, 0 },
	{ "the day D2", D2, D3, NULL, NULL, 0 },
	{ "example.com", INT64_MIN, INT64_MAX, "example.com", NULL, 0 },
	{ "example.net", INT64_MIN, INT64_MAX, "example.net", NULL, 0 },
	{ "no such domain", INT64_MIN, INT64_MAX, "example.invalid", NULL, 0 },
	{ "a.example", INT64_MIN, INT64_MAX, NULL, "a.example", 0 },
	{ "unknown submitter", INT64_MIN, INT64_MAX, NULL, "", 0 },
	{ "authenticated", INT64_MIN, INT64_MAX, NULL, NULL, 1 },
	{ "all at once", D1 + 1, D3 + 1, "example.com", "a.example", 1 },
};

static void check_every_key(struct store *s)
{
	struct expected x;

	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const struct filter_case *c = &filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };

		for (int k = 0; k < SUMMARY_N_KEYS; k++) {
			struct summary *sm = query(s, (enum summary_key)k, &f);

			print_message("# filter %s, key %s: %zu rows\n", c->name, summary_key_name(k), sm->n_rows);
			compute_expected(&x, (enum summary_key)k, &f);
			assert_matches(sm, &x);
			summary_free(sm);
		}
	}
}

static void every_key_under_every_filter(void **state)
{
	struct fixture_db *fd = *state;

	check_every_key(fd->s);
}

/* ---- the rollups: a migrated version-1 database, and expire ---- */

/* The first column of sql's first row (-1 for none), through db.h: the
 * store's content, whatever the backend. */
static int64_t one_int(struct db *db, const char *sql)
{
	struct db_stmt *st = NULL;
	struct tr_error e;
	int64_t v = -1;
	int row = 0;

	if (db_prepare(db, sql, 0, &st, &e) != TR_OK)
		fail_msg("%s: %s", sql, e.msg);
	if (db_step(st, &row, "test", &e) != TR_OK)
		fail_msg("%s: %s", sql, e.msg);
	if (row)
		v = db_column_int64(st, 0);
	db_finalize(st);
	return v;
}

/* SQLite-only: one_int() over a connection of SQLite's own, for the
 * migration fixtures (older schemas, attached databases, sqlite_master). */
static int64_t one_raw(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* SQLite-only, as one_raw(). */
static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

static const char *const rollup_tables[] = { "rollup_report", "rollup_policy", "rollup_result_sub",
	                                     "rollup_result", "rollup_mx", "rollup_mx_result",
	                                     "rollup_policy_type", "rollup_policy_type_result",
	                                     "fold_policy", "fold_result", "fold_mx", "fold_mx_result" };

/* The base tables, and with them the version-2 rollups, copied from the
 * fixture database "cur" into an older one (their columns never changed,
 * but for the two that version 8 and the one version 10 added to reports,
 * and the one version 9 added to policies). */
#define V1_POLICY_COLUMNS "id, report, idx, policy_type, policy_domain, policy_domain_fallback," \
	" policy_strings, mx_hosts, total_successful, total_failure"
static const char copy_base[] = "INSERT INTO reports SELECT id, submitter, report_id, start_time,"
	" end_time, organization_name, contact_info, received_at, source, message_id, auth, counted,"
	" raw_json, raw_json_len FROM cur.reports;"
	"INSERT INTO policies SELECT " V1_POLICY_COLUMNS " FROM cur.policies;"
	"INSERT INTO failure_details SELECT * FROM cur.failure_details;";
static const char copy_rollups[] = "INSERT INTO rollup_report SELECT * FROM cur.rollup_report;"
	"INSERT INTO rollup_policy SELECT * FROM cur.rollup_policy;"
	"INSERT INTO rollup_result_sub SELECT * FROM cur.rollup_result_sub;"
	"INSERT INTO rollup_result SELECT * FROM cur.rollup_result;";

/* A database at version `version` (a copy of that schema kept as test
 * data) holding what copy_sql takes from the fixture database, as an
 * older build left it. */
static void make_old_db(const char *path, const char *fixture_db, const char *schema_file, int version,
                        const char *copy_sql)
{
	char schema_path[4096], sql[4400];
	char *old_schema;
	size_t len = 0;
	sqlite3 *db = NULL;

	testutil_srcpath(schema_path, sizeof schema_path, schema_file);
	old_schema = testutil_read_file(schema_path, &len);
	assert_non_null(old_schema);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, old_schema);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS cur", fixture_db);
	exec_ok(db, sql);
	exec_ok(db, copy_sql);
	exec_ok(db, "DETACH cur");
	assert_int_equal(one_raw(db, "PRAGMA user_version"), version);
	sqlite3_close(db);
	free(old_schema);
}

/*
 * Open an older database, which migrates it: the rollups (backfilled or
 * kept) equal those the fixture database kept report by report, the
 * keys are those of version 5, and every summary still matches the
 * numbers computed in C.
 */
static void assert_migrated_agrees(const char *path, const char *fixture_db)
{
	char sql[4400];
	struct store *s = NULL;
	struct tr_error e;
	sqlite3 *db;

	/* SQLite-only: the fixtures are SQLite files, compared attached */

	if (store_open(path, STORE_OPEN_EXISTING, 0, &s, &e) != TR_OK)
		fail_msg("store_open: %s", e.msg);
	db = db_sqlite_handle(store_db(s));
	assert_int_equal(one_raw(db, "PRAGMA user_version"), store_schema_version());
	/* version 5: the indexes of version 3 gone, every rollup keyed by time first */
	assert_int_equal(one_raw(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
	                             " ('rollup_policy_by_domain', 'rollup_result_by_domain')"), 0);
	assert_int_equal(one_raw(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('rollup_mx', 'rollup_mx_result')"
	                             " AND sql LIKE '%PRIMARY KEY (start_time, submitter, auth_pass, receiving_mx%'"), 2);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS cur", fixture_db);
	exec_ok(db, sql);
	for (size_t i = 0; i < sizeof rollup_tables / sizeof rollup_tables[0]; i++) {
		const char *t = rollup_tables[i];

		snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM cur.%s))"
		         " + (SELECT count(*) FROM (SELECT * FROM cur.%s EXCEPT SELECT * FROM main.%s))", t, t, t, t);
		assert_int_equal(one_raw(db, sql), 0);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM main.%s", t);
		assert_true(one_raw(db, sql) > 0);
	}
	exec_ok(db, "DETACH cur");
	assert_int_equal(one_raw(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"), 0);
	check_every_key(s);
	store_close(s);
}

/* Version 1 had no rollups: migration 002 backfills them. */
static void migrated_version_one_agrees(void **state)
{
	struct fixture_db *fd = *state;
	char *path = rb_temp_path("v1.db");
	sqlite3 *db = NULL;

	make_old_db(path, fd->path, "tests/fixtures/store/schema-v1.sql", 1, copy_base);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(one_raw(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rollup%'"), 0);
	sqlite3_close(db);
	assert_migrated_agrees(path, fd->path);
	rb_remove_temp(path);
}

/* Version 2 had the first four rollups without their indexes: migration
 * 003 indexes the rows already there and backfills the rollups by MX. */
static void migrated_version_two_agrees(void **state)
{
	struct fixture_db *fd = *state;
	char *path = rb_temp_path("v2.db");
	char sql[sizeof copy_base + sizeof copy_rollups];
	sqlite3 *db = NULL;

	snprintf(sql, sizeof sql, "%s%s", copy_base, copy_rollups);
	make_old_db(path, fd->path, "tests/fixtures/store/schema-v2.sql", 2, sql);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(one_raw(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rollup%'"), 4);
	sqlite3_close(db);
	assert_migrated_agrees(path, fd->path);
	rb_remove_temp(path);
}

/*
 * Version 5, as today's schema writes it: the reports of the fixture
 * database with the rollups 002 and 003 backfill by the rule of their
 * day, which counted d-1's sts and tlsa policies both.  Migration 009
 * marks the sts one and recomputes the rollups: they equal those the
 * fixture database kept report by report under the new rule.
 */
static void migrated_version_five_counts_once(void **state)
{
	struct fixture_db *fd = *state;
	char *path = rb_temp_path("v5.db");
	char *v5_schema, schema_path[4096];
	struct store_migration upto5[8];
	size_t n = 0, len = 0;
	struct tr_error e;
	struct db *db = NULL;

	make_old_db(path, fd->path, "tests/fixtures/store/schema-v1.sql", 1, copy_base);
	for (; store_migrations[n].sql != NULL && store_migrations[n].version <= 5; n++) {
		assert_true(n + 1 < sizeof upto5 / sizeof upto5[0]);
		upto5[n] = store_migrations[n];
	}
	upto5[n].version = 0;
	upto5[n].sql = NULL;
	testutil_srcpath(schema_path, sizeof schema_path, "tests/fixtures/store/schema-v5.sql");
	v5_schema = testutil_read_file(schema_path, &len);
	assert_non_null(v5_schema);
	/* db_open() registers tr_sum and tr_add, which the migrations use */
	if (db_open(path, DB_OPEN_EXISTING, 0, &db, &e) != TR_OK)
		fail_msg("db_open: %s", e.msg);
	if (store_migrate(db, v5_schema, upto5, &e) != TR_OK)
		fail_msg("to version 5: %s", e.msg);
	assert_int_equal(one_int(db, "PRAGMA user_version"), 5);
	/* d-1 (D2) counted twice: its sts 1 + 1 beside its tlsa 2 + 2 */
	assert_int_equal(one_int(db, "SELECT sum(successful) FROM rollup_report WHERE submitter = 'd.example'"), 3);
	assert_int_equal(one_int(db, "SELECT sum(failed) FROM rollup_report WHERE submitter = 'd.example'"), 3);
	db = db_close(db);
	free(v5_schema);
	assert_migrated_agrees(path, fd->path);
	if (db_open(path, DB_OPEN_EXISTING, 0, &db, &e) != TR_OK)
		fail_msg("db_open: %s", e.msg);
	assert_int_equal(one_int(db, "SELECT count(*) FROM policies WHERE superseded = 1"), 1);
	assert_int_equal(one_int(db, "SELECT sum(successful) FROM rollup_report WHERE submitter = 'd.example'"), 2);
	db = db_close(db);
	rb_remove_temp(path);
}

/*
 * A copy of the fixture database at path src, made older by undo (the
 * tables a later migration adds dropped, user_version set back): the
 * copy's path, for rb_remove_temp().
 */
static char *copy_as_older(const char *src, const char *name, const char *undo)
{
	char *path = rb_temp_path(name);
	char sql[4400];
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(src, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", path);
	exec_ok(db, sql);
	sqlite3_close(db);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, undo);
	sqlite3_close(db);
	return path;
}

/*
 * Version 10, as the schema before the rollups by policy type wrote it:
 * migration 011 backfills them, the superseded sts policy under its own
 * key, equal to those the fixture database kept report by report.
 */
static void migrated_version_ten_backfills_policy_types(void **state)
{
	struct fixture_db *fd = *state;
	char *path = copy_as_older(fd->path, "v10.db",
	                           "DROP TABLE rollup_policy_type; DROP TABLE rollup_policy_type_result;"
	                           " DROP TABLE fold_policy; DROP TABLE fold_result; DROP TABLE fold_mx;"
	                           " DROP TABLE fold_mx_result; PRAGMA user_version = 10");
	sqlite3 *db = NULL;

	assert_migrated_agrees(path, fd->path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(one_raw(db, "SELECT sum(successful) FROM rollup_policy_type"
	                             " WHERE policy_type = 'sts" SUMMARY_SUPERSEDED_SUFFIX "'"), 1);
	sqlite3_close(db);
	rb_remove_temp(path);
}

/*
 * Version 12, as the schema before the folded rollups wrote it: migration
 * 013 backfills them from the rollups they fold, equal to those the
 * fixture database kept report by report.
 */
static void migrated_version_twelve_backfills_folds(void **state)
{
	struct fixture_db *fd = *state;
	char *path = copy_as_older(fd->path, "v12.db",
	                           "DROP TABLE fold_policy; DROP TABLE fold_result; DROP TABLE fold_mx;"
	                           " DROP TABLE fold_mx_result; PRAGMA user_version = 12");

	assert_migrated_agrees(path, fd->path);
	rb_remove_temp(path);
}

/* ---- the query plans: summaries by policy domain and receiving MX never sort their rows ---- */

#define MAX_TRACED 16

struct traced {
	char *sql[MAX_TRACED];
	size_t n;
};

static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
	struct traced *t = ctx;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (sql != NULL && strstr(sql, "GROUP BY") != NULL && t->n < MAX_TRACED) {
		t->sql[t->n] = strdup(sql);
		assert_non_null(t->sql[t->n]);
		t->n++;
	}
	return 0;
}

/* Every line of sql's query plan, one per line, into out. */
static void query_plan(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	char explain[4096];
	sqlite3_stmt *st = NULL;
	size_t used = 0;

	snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(db, explain, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", explain, sqlite3_errmsg(db));
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		int n = snprintf(out + used, cap - used, "%s\n", detail != NULL ? detail : "");

		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
	sqlite3_finalize(st);
}

/* The grouped statements one summary runs, with their plans checked. */
static void check_plans(struct store *s, enum summary_key key, const struct summary_filter *f, const char *name,
                        const char *table, const char *plan_has)
{
	/* SQLite-only: its statement trace and query plans */
	sqlite3 *db = db_sqlite_handle(store_db(s));
	struct traced t = { { NULL }, 0 };
	struct summary *sm;
	char plan[4096];

	assert_int_equal(sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_stmt, &t), SQLITE_OK);
	sm = query(s, key, f);
	assert_int_equal(sqlite3_trace_v2(db, 0, NULL, NULL), SQLITE_OK);
	/* the rows, and their result types unless there is none */
	assert_int_equal(t.n, sm->n_rows > 0 ? 2 : 1);
	summary_free(sm);
	for (size_t j = 0; j < t.n; j++) {
		query_plan(db, t.sql[j], plan, sizeof plan);
		print_message("# %s, filter %s: %s=> %s", summary_key_name(key), name, t.sql[j], plan);
		assert_non_null(strstr(t.sql[j], table));
		assert_non_null(strstr(plan, plan_has));
		free(t.sql[j]);
	}
}

/*
 * The grouped queries of a summary by policy domain read rollup_policy and
 * rollup_result, and those by receiving MX the rollups by MX, or over all
 * time the folded rollups of version 13; since
 * version 5 every rollup is keyed by start time first, so a --since or
 * --until is a range of the primary key (the digest's last day reads that
 * day's rows only), and the GROUP BY sorts what the range holds.
 * Receiving MX under a policy-domain filter reads the base tables.
 */
static void grouped_plans_read_the_range(void **state)
{
	struct fixture_db *fd = *state;

	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const struct filter_case *c = &filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };
		int ranged = c->since != INT64_MIN || c->until != INT64_MAX;
		const char *plan = ranged ? "USING PRIMARY KEY (start_time" : "SCAN g";
		/* all time without a submitter: the folded rollups (version 13);
		 * the fixtures' ranges hold no whole bucket but at an open end,
		 * and read their rollups' range with the folded rows after it */
		int folded = !ranged && c->submitter == NULL;

		check_plans(fd->s, SUMMARY_BY_POLICY_DOMAIN, &f, c->name, folded ? "fold_" : "rollup_", plan);
		if (c->domain == NULL) {
			check_plans(fd->s, SUMMARY_BY_RECEIVING_MX, &f, c->name, folded ? "fold_mx" : "rollup_mx", plan);
			check_plans(fd->s, SUMMARY_BY_POLICY_TYPE, &f, c->name, "rollup_policy_type", plan);
		}
	}
}

static void assert_same_summary(const struct summary *a, const struct summary *b)
{
	assert_int_equal(a->reports, b->reports);
	assert_int_equal(a->successful, b->successful);
	assert_int_equal(a->failed, b->failed);
	assert_int_equal(a->n_rows, b->n_rows);
	for (size_t i = 0; i < a->n_rows; i++) {
		const struct summary_row *x = &a->rows[i], *y = &b->rows[i];

		assert_string_equal(x->key, y->key);
		assert_int_equal(x->reports, y->reports);
		assert_int_equal(x->successful, y->successful);
		assert_int_equal(x->failed, y->failed);
		assert_int_equal(x->failed_with_policy, y->failed_with_policy);
		assert_int_equal(x->organization == NULL, y->organization == NULL);
		if (x->organization != NULL)
			assert_string_equal(x->organization, y->organization);
		assert_int_equal(x->n_result_types, y->n_result_types);
		for (size_t j = 0; j < x->n_result_types; j++) {
			assert_string_equal(x->result_types[j].name, y->result_types[j].name);
			assert_int_equal(x->result_types[j].count, y->result_types[j].count);
		}
	}
}

/* A report that ends long after it starts: it outlives the expire below
 * while others of its start time and submitter go. */
static void put_long_report(struct store *s)
{
	struct tlsrpt_report *r = rb_report("a.example", "long-1", D1, D3 + 10, "Alpha Long");
	struct tlsrpt_policy *p = rb_policy(r, "sts", "example.com", 70, 6);
	struct store_meta m = { "import", NULL, "pass", 1, 0, NULL, NULL, NULL };
	enum store_outcome out;
	struct tr_error e;

	rb_failure(p, "certificate-expired", "192.0.2.1", "mx1.example.com", 6);
	if (store_put_report(s, r, &m, &out, &e) != TR_OK)
		fail_msg("store_put_report: %s", e.msg);
	rb_free(r);
}

/*
 * expire keeps the rollups exact: after removing the reports that ended
 * before D3 (one start time keeps a report, the others lose all of
 * theirs), every summary equals that of a fresh database holding only
 * the reports that were kept.
 */
static void expire_keeps_rollups_exact(void **state)
{
	struct fixture_db *fd = *state;
	char *path = rb_temp_db(backend, "kept.db");
	struct fx_report kept[N_FIXTURES];
	size_t n_kept = 0, n_gone = 0;
	struct view_expired x;
	struct store *fresh = NULL;
	struct tr_error e;

	for (size_t i = 0; i < N_FIXTURES; i++) {
		if (fixtures[i].start + 86399 >= D3)
			kept[n_kept++] = fixtures[i];
		else
			n_gone++;
	}
	assert_true(n_kept > 0 && n_gone > 0);
	put_long_report(fd->s);
	if (views_expire(fd->s, D3, 0, &x, &e) != TR_OK)
		fail_msg("views_expire: %s", e.msg);
	assert_int_equal(x.reports, n_gone);
	if (store_open(path, STORE_OPEN_CREATE, 0, &fresh, &e) != TR_OK)
		fail_msg("store_open: %s", e.msg);
	put_all(fresh, kept, n_kept);
	put_long_report(fresh);
	assert_true(one_int(store_db(fd->s), "SELECT count(*) FROM rollup_report WHERE start_time = 1709251200") > 0);
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const struct filter_case *c = &filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };

		for (int k = 0; k < SUMMARY_N_KEYS; k++) {
			struct summary *after = query(fd->s, (enum summary_key)k, &f);
			struct summary *want = query(fresh, (enum summary_key)k, &f);

			assert_same_summary(after, want);
			summary_free(after);
			summary_free(want);
		}
	}
	store_close(fresh);
	rb_remove_temp(path);
}

/* Numbers worked out by hand, so that the C model above is checked too. */
static void hand_counted_totals(void **state)
{
	struct fixture_db *fd = *state;
	struct summary *sm = query(fd->s, SUMMARY_BY_POLICY_DOMAIN, NULL);
	uint64_t reports = 0, ok = 0;

	/* c-1 is set aside; a-1 covers two domains but is one report; d-1's
	 * sts policy (1 ok, 1 failed) is the same sessions as its tlsa one */
	assert_int_equal(sm->reports, 8);
	assert_int_equal(sm->successful, 437);
	assert_int_equal(sm->failed, 35);
	assert_int_equal(sm->n_rows, 4);
	assert_string_equal(sm->rows[0].key, "example.com");
	assert_int_equal(sm->rows[0].reports, 5);
	assert_int_equal(sm->rows[0].successful, 342);
	assert_int_equal(sm->rows[0].failed, 18);
	assert_string_equal(sm->rows[1].key, "example.net");
	assert_int_equal(sm->rows[1].reports, 2);
	assert_int_equal(sm->rows[1].failed, 10);
	assert_string_equal(sm->rows[2].key, "");        /* no policy-domain: 5 failed */
	assert_string_equal(sm->rows[3].key, "example.org");
	for (size_t i = 0; i < sm->n_rows; i++) {
		reports += sm->rows[i].reports;
		ok += sm->rows[i].successful;
	}
	assert_int_equal(reports, 9); /* a-1 once under each of its two domains */
	assert_int_equal(ok, sm->successful);
	summary_free(sm);

	sm = query(fd->s, SUMMARY_BY_RESULT_TYPE, NULL);
	assert_string_equal(sm->rows[0].key, "certificate-expired");
	assert_int_equal(sm->rows[0].failed, 13);
	assert_int_equal(sm->rows[0].reports, 3);
	assert_int_equal(sm->rows[0].successful, 0);
	assert_int_equal(sm->rows[0].n_result_types, 1);
	summary_free(sm);

	sm = query(fd->s, SUMMARY_BY_SUBMITTER, NULL);
	assert_string_equal(sm->rows[0].key, "a.example");
	assert_int_equal(sm->rows[0].failed, 10);
	assert_string_equal(sm->rows[0].organization, "Alpha Incorporated");
	assert_string_equal(sm->rows[0].result_types[0].name, "certificate-expired");
	assert_int_equal(sm->rows[0].result_types[0].count, 7);
	summary_free(sm);

	sm = query(fd->s, SUMMARY_BY_DAY, NULL);
	assert_int_equal(sm->n_rows, 3);
	assert_string_equal(sm->rows[0].key, "2024-03-01");
	assert_int_equal(sm->rows[0].failed, 15);
	summary_free(sm);

	/* every policy shown, the superseded one under its own key */
	sm = query(fd->s, SUMMARY_BY_POLICY_TYPE, NULL);
	assert_int_equal(sm->successful, 437);
	assert_int_equal(sm->failed, 35);
	assert_int_equal(sm->failed_with_policy, 33);
	assert_int_equal(sm->n_rows, 4);
	assert_string_equal(sm->rows[0].key, "sts");
	assert_int_equal(sm->rows[0].reports, 6);
	assert_int_equal(sm->rows[0].successful, 345);
	assert_int_equal(sm->rows[0].failed, 30);
	assert_string_equal(sm->rows[1].key, "tlsa");
	assert_int_equal(sm->rows[1].successful, 52);
	assert_int_equal(sm->rows[1].failed, 3);
	assert_string_equal(sm->rows[2].key, "no-policy-found");
	assert_int_equal(sm->rows[2].successful, 40);
	assert_int_equal(sm->rows[2].failed_with_policy, 0);
	assert_string_equal(sm->rows[3].key, "sts (counted under tlsa)");
	assert_int_equal(sm->rows[3].reports, 1);
	assert_int_equal(sm->rows[3].successful, 1);
	assert_int_equal(sm->rows[3].failed, 1);
	summary_free(sm);
}

static void authenticated_only_and_uncounted(void **state)
{
	struct fixture_db *fd = *state;
	struct summary_filter f;
	struct summary *sm;

	summary_filter_all(&f);
	f.authenticated_only = 1;
	sm = query(fd->s, SUMMARY_BY_SUBMITTER, &f);
	/* b.example's reports are fail and none; the unknown one is unknown */
	assert_int_equal(sm->n_rows, 3);
	for (size_t i = 0; i < sm->n_rows; i++) {
		assert_true(strcmp(sm->rows[i].key, "b.example") != 0);
		assert_true(strcmp(sm->rows[i].key, "") != 0);
	}
	summary_free(sm);
	/* c-1 (counted = 0) is invisible even when asked for by name */
	summary_filter_all(&f);
	f.submitter = "c.example";
	sm = query(fd->s, SUMMARY_BY_SUBMITTER, &f);
	assert_int_equal(sm->reports, 1);
	assert_int_equal(sm->failed, 9);
	assert_string_equal(sm->rows[0].organization, "Gamma Two");
	summary_free(sm);
}

/* count_superseded(), case by case: which policies of one report count. */
static void counting_rule_cases(void **state)
{
	static const struct {
		const char *name;
		const char *types[4], *domains[4];
		const char *want; /* one digit a policy: 1 superseded */
	} cases[] = {
		{ "sts beside tlsa", { "sts", "tlsa" }, { "a.example", "a.example" }, "10" },
		{ "domains compare without case", { "tlsa", "sts" }, { "A.Example", "a.example" }, "01" },
		{ "two sts versions sum", { "sts", "sts" }, { "a.example", "a.example" }, "00" },
		{ "no-policy-found and sts sum", { "no-policy-found", "sts" }, { "a.example", "a.example" }, "00" },
		{ "tlsa of another domain", { "sts", "tlsa" }, { "a.example", "b.example" }, "00" },
		{ "a missing domain matches nothing", { "sts", "tlsa" }, { NULL, NULL }, "00" },
		{ "two sts, two tlsa", { "sts", "tlsa", "sts", "tlsa" },
		  { "a.example", "a.example", "a.example", "b.example" }, "1010" },
		{ "types as sent, exactly", { "STS", "tlsa" }, { "a.example", "a.example" }, "00" },
	};
	unsigned char mark[4];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tlsrpt_report *r = rb_report("s.example", "id", D1, D1 + 86399, NULL);
		size_t n = strlen(cases[i].want);
		uint64_t ok, failed, want_ok = 0;

		for (size_t j = 0; j < n; j++)
			rb_policy(r, cases[i].types[j], cases[i].domains[j], 10 + j, 1);
		assert_int_equal(count_superseded(r, mark, NULL), TR_OK);
		for (size_t j = 0; j < n; j++) {
			print_message("# %s: policy %zu\n", cases[i].name, j);
			assert_int_equal(mark[j], cases[i].want[j] - '0');
			want_ok += mark[j] ? 0 : 10 + j;
		}
		assert_int_equal(count_report_totals(r, &ok, &failed, NULL), TR_OK);
		assert_int_equal(ok, want_ok);
		rb_free(r);
	}
}

/* Thousands of policies, every sts beside a tlsa: n log n, all marked. */
static void counting_rule_many_policies(void **state)
{
	struct tlsrpt_report *r = rb_report("s.example", "id", D1, D1 + 86399, NULL);
	unsigned char *mark = calloc(10000, 1);
	char domain[32];
	size_t marked = 0;

	(void)state;
	assert_non_null(mark);
	for (int j = 0; j < 10000; j++) {
		snprintf(domain, sizeof domain, "d%d.example", j / 2);
		rb_policy(r, j % 2 ? "tlsa" : "sts", domain, 1, 0);
	}
	assert_int_equal(count_superseded(r, mark, NULL), TR_OK);
	for (int j = 0; j < 10000; j++)
		marked += mark[j];
	assert_int_equal(marked, 5000);
	free(mark);
	rb_free(r);
}

static void keys_have_names(void **state)
{
	static const char *const names[] = { "submitter", "policy-domain", "result-type",
	                                      "receiving-mx", "sending-ip", "day", "policy-type" };

	(void)state;
	for (int k = 0; k < SUMMARY_N_KEYS; k++) {
		assert_string_equal(summary_key_name((enum summary_key)k), names[k]);
		assert_int_equal(summary_key_parse(names[k]), k);
	}
	assert_int_equal(summary_key_parse("Submitter"), -1);
	assert_int_equal(summary_key_parse(""), -1);
	assert_int_equal(summary_key_parse(NULL), -1);
	assert_null(summary_key_name((enum summary_key)SUMMARY_N_KEYS));
}

static void empty_store_and_bad_arguments(void **state)
{
	char *path = rb_temp_db(backend, "empty.db");
	struct store *s = NULL;
	struct summary *sm = NULL;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	sm = query(s, SUMMARY_BY_DAY, NULL);
	assert_int_equal(sm->reports, 0);
	assert_int_equal(sm->failed, 0);
	assert_int_equal(sm->n_rows, 0);
	summary_free(sm);
	summary_free(NULL);
	assert_int_equal(summary_query(NULL, SUMMARY_BY_DAY, NULL, &sm, &e), TR_ERR_USAGE);
	assert_null(sm);
	assert_int_equal(summary_query(s, (enum summary_key)42, NULL, &sm, &e), TR_ERR_USAGE);
	store_close(s);
	rb_remove_temp(path);
}

/* Read-only stores summarise; so does a store inside its own batch. */
/* An empty batch has no outcomes to tell. */
static void ignore_outcome(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome,
                           const struct tr_error *err)
{
	(void)ctx;
	(void)tag;
	(void)rc;
	(void)outcome;
	(void)err;
	fail_msg("an empty batch told an outcome");
}

static void read_only_and_inside_a_batch(void **state)
{
	struct fixture_db *fd = *state;
	struct store *ro = NULL;
	struct summary *sm;
	struct tr_error e;

	assert_int_equal(store_open(fd->path, STORE_OPEN_READONLY, 0, &ro, &e), TR_OK);
	sm = query(ro, SUMMARY_BY_SENDING_IP, NULL);
	assert_int_equal(sm->reports, 8);
	summary_free(sm);
	store_close(ro);
	assert_int_equal(store_batch_begin(fd->s, ignore_outcome, NULL, &e), TR_OK);
	sm = query(fd->s, SUMMARY_BY_RECEIVING_MX, NULL);
	assert_string_equal(sm->rows[0].key, "mx1.example.com");
	summary_free(sm);
	assert_int_equal(store_batch_end(fd->s, &e), TR_OK);
}

/* Hostile totals saturate instead of failing the whole summary. */
static void huge_counts_saturate(void **state)
{
	static const struct fx_report huge[] = {
		{ "huge.example", "h-1", D1, NULL, "pass", 1, {
			{ "sts", "example.com", 0, INT64_MAX, {
				{ "certificate-expired", NULL, NULL, INT64_MAX } }, 1 } }, 1 },
		{ "huge.example", "h-2", D1, NULL, "pass", 1, {
			{ "sts", "example.com", 0, 5, {
				{ "certificate-expired", NULL, NULL, 5 } }, 1 } }, 1 },
	};
	char *path = rb_temp_db(backend, "huge.db");
	struct store *s = NULL;
	struct summary *sm;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	put_all(s, huge, 2);
	sm = query(s, SUMMARY_BY_RESULT_TYPE, NULL);
	assert_int_equal(sm->failed, INT64_MAX);
	assert_int_equal(sm->rows[0].failed, INT64_MAX);
	assert_int_equal(sm->rows[0].result_types[0].count, INT64_MAX);
	summary_free(sm);
	/* summed in C (tally.c), not by tr_sum() */
	sm = query(s, SUMMARY_BY_SENDING_IP, NULL);
	assert_int_equal(sm->n_rows, 1);
	assert_string_equal(sm->rows[0].key, "");
	assert_int_equal(sm->rows[0].reports, 2);
	assert_int_equal(sm->rows[0].failed, INT64_MAX);
	assert_int_equal(sm->rows[0].failed_with_policy, INT64_MAX);
	assert_int_equal(sm->rows[0].result_types[0].count, INT64_MAX);
	summary_free(sm);
	store_close(s);
	rb_remove_temp(path);
}

static int is_json_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Store one sample under its file name as submitter (so that samples
 * sharing a report-id stay apart); 1 when it parsed and was stored. */
static int store_sample(struct store *s, const char *dir, const char *name, uint64_t *ok, uint64_t *fail)
{
	struct store_meta m = { "import", NULL, "pass", 1, 0, NULL, NULL, NULL };
	struct tlsrpt_report *r = NULL;
	enum store_outcome out;
	struct tr_limits lim;
	struct tr_error e;
	char path[4096];
	size_t len = 0;
	char *data, *raw = NULL;
	size_t raw_len = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	data = testutil_read_file(path, &len);
	assert_non_null(data);
	limits_default(&lim);
	if (report_parse_json(data, len, &lim, "fallback.example", &r, &e) != TR_OK) {
		free(data);
		return 0; /* the parser's verdict is test_report's business */
	}
	r->submitter = rb_strdup(name);
	if (store_put_report(s, r, &m, &out, &e) != TR_OK)
		fail_msg("%s: %s", name, e.msg);
	assert_int_equal(out, STORE_STORED);
	assert_int_equal(store_put_report(s, r, &m, &out, &e), TR_OK);
	assert_int_equal(out, STORE_DUPLICATE);
	/* the newest report is this one: its JSON comes back byte for byte */
	assert_int_equal(store_get_raw_json(s, one_int(store_db(s), "SELECT max(id) FROM reports"), &raw, &raw_len, &e),
	                 TR_OK);
	assert_int_equal(raw_len, len);
	assert_memory_equal(raw, data, len);
	free(raw);
	{
		uint64_t r_ok, r_fail;

		assert_int_equal(count_report_totals(r, &r_ok, &r_fail, NULL), TR_OK);
		*ok += r_ok;
		*fail += r_fail;
	}
	report_free(r);
	free(data);
	return 1;
}

/* Real reports from providers (never copied into the repository): each
 * stores once, and the totals are the model's. */
static void real_samples_add_up(void **state)
{
	const char *dir = testutil_samples_dir();
	char *path = rb_temp_db(backend, "samples.db");
	struct store *s = NULL;
	struct summary *sm;
	struct dirent *de;
	uint64_t ok = 0, fail = 0, stored = 0;
	struct tr_error e;
	DIR *d;

	(void)state;
	if (dir == NULL) {
		rb_remove_temp(path);
		skip();
	}
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	d = opendir(dir);
	assert_non_null(d);
	for (de = readdir(d); de != NULL; de = readdir(d)) {
		if (is_json_name(de->d_name))
			stored += (uint64_t)store_sample(s, dir, de->d_name, &ok, &fail);
	}
	closedir(d);
	print_message("# %llu samples stored\n", (unsigned long long)stored);
	sm = query(s, SUMMARY_BY_SUBMITTER, NULL);
	assert_int_equal(sm->reports, stored);
	assert_int_equal(sm->n_rows, stored);
	assert_int_equal(sm->successful, ok);
	assert_int_equal(sm->failed, fail);
	summary_free(sm);
	store_close(s);
	rb_remove_temp(path);
}

/* ---- sending-ip against plain SQL, over many generated reports ---- */

/*
 * summary.c sums the sending-ip rows in C (tally.c) from details streamed
 * in report order.  Here the same numbers come from the plainest SQL over
 * the base tables, written apart from summary.c, for a few hundred
 * reports: IPs shared within and across reports and policies, missing and
 * empty ones, keys too long to be kept inline, rows with more result types
 * than fit inline and names past the 255 numbered inline, zero counts,
 * reports set aside, every filter.
 */
#define GEN_REPORTS 300
#define GEN_MANY_TYPES 300

static const char *const gen_ips[] = {
	"192.0.2.1", "192.0.2.10", "192.0.2.2", "198.51.100.7", "203.0.113.200", "2001:db8::25",
	"2001:db8:ffff:ffff:ffff:ffff:ffff:fff1", /* 38 bytes: kept on the heap */
	"2001:db8:ffff:ffff:ffff:ffff:ffff:fff2", "192.0.2.1 ", "", NULL,
};
static const char *const gen_rts[] = {
	"certificate-expired", "starttls-not-supported", "validation-failure", "sts-policy-fetch-error",
	"tlsa-invalid", "dnssec-invalid", "certificate-host-mismatch", "certificate-not-trusted",
	"dane-required", "sts-webpki-invalid", "", NULL,
};
static const char *const gen_submitters[] = { "a.example", "b.example", "c.example", NULL };
static const char *const gen_domains[] = { "example.com", "example.net", "", NULL };
static const char *const gen_policy_types[] = { "sts", "tlsa", "no-policy-found" };
static const char *const gen_auths[] = { "pass", "fail", "none", "unknown" };

#define PICK(a, st) ((a)[gen_next(st) % (sizeof (a) / sizeof (a)[0])])

static uint32_t gen_next(uint32_t *st)
{
	/* xorshift32: the same reports on every run */
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

static const char *const gen_mxs[] = { "mx1.example.com", "mx2.example.com", "mx.example.net", "", NULL };

/* The generated reports, their start times spread over span_days from
 * D1 (beyond 4 days, over several buckets of the folded rollups, with
 * receiving MXs). */
static void put_generated(struct store *s, int span_days)
{
	uint32_t st = 20240301;
	char id[32], rt[32];

	for (int i = 0; i < GEN_REPORTS; i++) {
		/* one draw a statement: C leaves the order of arguments and of
		 * initialisers open, and gcc and clang took them differently */
		int64_t start = D1 + (int64_t)(gen_next(&st) % ((uint32_t)span_days * 86400));
		const char *auth = PICK(gen_auths, &st);
		int counted = gen_next(&st) % 8 != 0;
		struct tlsrpt_report *r;
		struct store_meta m = { "import", NULL, auth, counted, 0, NULL, NULL, NULL };
		int n_p = 1 + (int)(gen_next(&st) % 3);
		const char *submitter = PICK(gen_submitters, &st);
		enum store_outcome out;
		struct tr_error e;

		snprintf(id, sizeof id, "gen-%d", i);
		r = rb_report(submitter, id, start, start + 86399, NULL);
		for (int j = 0; j < n_p; j++) {
			const char *type = PICK(gen_policy_types, &st);
			const char *domain = PICK(gen_domains, &st);
			uint64_t ok = gen_next(&st) % 100;
			uint64_t failed = gen_next(&st) % 100;
			struct tlsrpt_policy *p = rb_policy(r, type, domain, ok, failed);
			int n_f = (int)(gen_next(&st) % 6);

			for (int k = 0; k < n_f; k++) {
				const char *rt_name = PICK(gen_rts, &st);
				const char *ip = PICK(gen_ips, &st);
				const char *mx = span_days > 4 ? PICK(gen_mxs, &st) : NULL;

				rb_failure(p, rt_name, ip, mx, gen_next(&st) % 40);
			}
		}
		/* IPs with more result types than rows keep inline, the second
		 * starting with names numbered past those kept inline */
		if (i == GEN_REPORTS / 2) {
			struct tlsrpt_policy *p = rb_policy(r, "sts", "many-types.example", 0, 1);

			for (int k = 0; k < GEN_MANY_TYPES; k++) {
				snprintf(rt, sizeof rt, "rt-%03d", k);
				rb_failure(p, rt, "198.51.100.99", NULL, (uint64_t)k % 7);
			}
			for (int k = GEN_MANY_TYPES - 1; k >= 0; k--) {
				snprintf(rt, sizeof rt, "rt-%03d", k);
				rb_failure(p, rt, "198.51.100.98", NULL, (uint64_t)k % 11);
			}
		}
		if (store_put_report(s, r, &m, &out, &e) != TR_OK)
			fail_msg("store_put_report: %s", e.msg);
		rb_free(r);
	}
}

/* The counting rule in plain SQL, apart from the stored mark: p is not an
 * sts policy beside a tlsa one for its domain in the same report. */
#define REF_COUNTED " AND NOT (p.policy_type = 'sts' AND p.policy_domain IS NOT NULL AND EXISTS" \
	" (SELECT 1 FROM policies d WHERE d.report = p.report AND d.policy_type = 'tlsa'" \
	" AND lower(d.policy_domain) = lower(p.policy_domain)))"

#define REF_FILTER " AND r.start_time >= ?1 AND r.start_time < ?2" \
	" AND (CAST(?3 AS TEXT) IS NULL OR p.policy_domain = CAST(?3 AS TEXT))" \
	" AND (CAST(?4 AS TEXT) IS NULL OR r.submitter = CAST(?4 AS TEXT))" \
	" AND (?5 = 0 OR r.auth = 'pass')"
#define REF_POLICIES " FROM reports r JOIN policies p ON p.report = r.id WHERE r.counted = 1"
#define REF_DETAILS " FROM reports r JOIN policies p ON p.report = r.id" \
	" JOIN failure_details f ON f.policy = p.id WHERE r.counted = 1"

/* Each key over the base tables, written here apart from summary.c. */
struct ref_key {
	const char *expr;
	int details;       /* groups failure details, not policies */
	int every_policy;  /* the superseded policies too, under their own key */
};

static const struct ref_key ref_keys[SUMMARY_N_KEYS] = {
	[SUMMARY_BY_SUBMITTER] = { "r.submitter", 0, 0 },
	[SUMMARY_BY_POLICY_DOMAIN] = { "COALESCE(p.policy_domain, '')", 0, 0 },
	[SUMMARY_BY_RESULT_TYPE] = { "COALESCE(f.result_type, '')", 1, 0 },
	[SUMMARY_BY_RECEIVING_MX] = { "COALESCE(f.receiving_mx_hostname, '')", 1, 0 },
	[SUMMARY_BY_SENDING_IP] = { "COALESCE(f.sending_mta_ip, '')", 1, 0 },
	[SUMMARY_BY_DAY] = { "tr_day(r.start_time)", 0, 0 }, /* tr_day_is_strftime() checks it */
	[SUMMARY_BY_POLICY_TYPE] = { "p.policy_type || CASE WHEN p.policy_type = 'sts' AND p.policy_domain IS NOT NULL"
	                             " AND EXISTS (SELECT 1 FROM policies d WHERE d.report = p.report"
	                             " AND d.policy_type = 'tlsa' AND lower(d.policy_domain) = lower(p.policy_domain))"
	                             " THEN ' (counted under tlsa)' ELSE '' END", 0, 1 },
};

static struct db_stmt *ref_prepare(struct db *db, const char *select, const char *from, const char *tail,
                                   const struct summary_filter *f)
{
	char sql[2048];
	struct db_stmt *st = NULL;
	struct tr_error e;

	snprintf(sql, sizeof sql, "%s%s%s", select, from, tail);
	if (db_prepare(db, sql, 0, &st, &e) != TR_OK)
		fail_msg("%s: %s", sql, e.msg);
	db_bind_int64(st, 1, f->since);
	db_bind_int64(st, 2, f->until);
	db_bind_text(st, 3, f->policy_domain);
	db_bind_text(st, 4, f->submitter);
	db_bind_int64(st, 5, f->authenticated_only);
	return st;
}

/* Step st: 1 with a row, 0 at the end; an error fails the test. */
static int ref_step(struct db_stmt *st)
{
	struct tr_error e;
	int row = 0;

	if (db_step(st, &row, "reference", &e) != TR_OK)
		fail_msg("%s", e.msg);
	return row;
}

static const struct summary_row *row_of(const struct summary *sm, const char *key)
{
	for (size_t i = 0; i < sm->n_rows; i++) {
		if (strcmp(sm->rows[i].key, key) == 0)
			return &sm->rows[i];
	}
	fail_msg("no row %s", key);
	return NULL;
}

/* sm (by key under f) against the plain SQL. */
static void assert_summary_is_plain_sql(struct db *db, enum summary_key key, const struct summary *sm,
                                        const struct summary_filter *f)
{
	const struct ref_key *k = &ref_keys[key];
	const char *counted = k->every_policy ? REF_FILTER : REF_COUNTED REF_FILTER;
	char select[1024], from[1024];
	struct db_stmt *st;
	size_t i = 0, seen = 0;
	char cur[64] = "";
	int any = 0;

	st = ref_prepare(db, "SELECT COUNT(DISTINCT r.id), COALESCE(SUM(p.total_successful), 0), COALESCE(SUM(p.total_failure), 0),"
	                 " COALESCE(SUM(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE p.total_failure END), 0)",
	                 REF_POLICIES REF_COUNTED REF_FILTER, "", f);
	assert_true(ref_step(st));
	assert_int_equal(sm->reports, db_column_int64(st, 0));
	assert_int_equal(sm->successful, db_column_int64(st, 1));
	assert_int_equal(sm->failed, db_column_int64(st, 2));
	assert_int_equal(sm->failed_with_policy, db_column_int64(st, 3));
	db_finalize(st);

	if (k->details)
		snprintf(select, sizeof select, "SELECT %s AS k, COUNT(DISTINCT r.id), 0, COALESCE(SUM(f.failed_session_count), 0),"
		         " COALESCE(SUM(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END), 0)",
		         k->expr);
	else
		snprintf(select, sizeof select, "SELECT %s AS k, COUNT(DISTINCT r.id), COALESCE(SUM(p.total_successful), 0),"
		         " COALESCE(SUM(p.total_failure), 0),"
		         " COALESCE(SUM(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE p.total_failure END), 0)", k->expr);
	snprintf(from, sizeof from, "%s%s", k->details ? REF_DETAILS : REF_POLICIES, counted);
	st = ref_prepare(db, select, from, " GROUP BY k ORDER BY 4 DESC, k", f);
	for (; ref_step(st); i++) {
		assert_true(i < sm->n_rows);
		assert_string_equal(sm->rows[i].key, db_column_text(st, 0, NULL));
		assert_int_equal(sm->rows[i].reports, db_column_int64(st, 1));
		assert_int_equal(sm->rows[i].successful, db_column_int64(st, 2));
		assert_int_equal(sm->rows[i].failed, db_column_int64(st, 3));
		assert_int_equal(sm->rows[i].failed_with_policy, db_column_int64(st, 4));
		if (key != SUMMARY_BY_SUBMITTER)
			assert_null(sm->rows[i].organization);
	}
	assert_int_equal(i, sm->n_rows);
	db_finalize(st);

	snprintf(select, sizeof select, "SELECT %s AS k, COALESCE(f.result_type, '') AS rt,"
	         " COALESCE(SUM(f.failed_session_count), 0)", k->expr);
	snprintf(from, sizeof from, "%s%s", REF_DETAILS, counted);
	st = ref_prepare(db, select, from, " GROUP BY k, rt ORDER BY k, 3 DESC, rt", f);
	while (ref_step(st)) {
		const char *rk = db_column_text(st, 0, NULL);
		const struct summary_row *row;

		if (!any || strcmp(cur, rk) != 0) {
			if (any)
				assert_int_equal(row_of(sm, cur)->n_result_types, seen);
			snprintf(cur, sizeof cur, "%s", rk);
			seen = 0;
			any = 1;
		}
		row = row_of(sm, rk);
		assert_true(seen < row->n_result_types);
		assert_string_equal(row->result_types[seen].name, db_column_text(st, 1, NULL));
		assert_int_equal(row->result_types[seen].count, db_column_int64(st, 2));
		seen++;
	}
	if (any)
		assert_int_equal(row_of(sm, cur)->n_result_types, seen);
	db_finalize(st);
}

static const struct filter_case gen_filters[] = {
	{ "everything", INT64_MIN, INT64_MAX, NULL, NULL, 0 },
	{ "since", D2, INT64_MAX, NULL, NULL, 0 },
	{ "until", INT64_MIN, D3, NULL, NULL, 0 },
	{ "a day and a half", D2, D3 + 43200, NULL, NULL, 0 },
	{ "example.com", INT64_MIN, INT64_MAX, "example.com", NULL, 0 },
	{ "empty domain", INT64_MIN, INT64_MAX, "", NULL, 0 },
	{ "example.net, a day", D2, D3, "example.net", NULL, 0 },
	{ "b.example", INT64_MIN, INT64_MAX, NULL, "b.example", 0 },
	{ "unknown submitter, since", D2, INT64_MAX, NULL, "", 0 },
	{ "authenticated", INT64_MIN, INT64_MAX, NULL, NULL, 1 },
	{ "all at once", D1 + 3600, D3 + 7200, "example.com", "a.example", 1 },
	{ "nothing", D1 + 100 * 86400, INT64_MAX, NULL, NULL, 0 },
};

static void sending_ip_is_plain_sql(void **state)
{
	char *path = rb_temp_db(backend, "gen.db");
	struct store *s = NULL;
	struct tr_error e;
	size_t many_types = 0;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	put_generated(s, 4);
	for (size_t i = 0; i < sizeof gen_filters / sizeof gen_filters[0]; i++) {
		const struct filter_case *c = &gen_filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };
		struct summary *sm = query(s, SUMMARY_BY_SENDING_IP, &f);

		print_message("# filter %s: %zu rows\n", c->name, sm->n_rows);
		assert_summary_is_plain_sql(store_db(s), SUMMARY_BY_SENDING_IP, sm, &f);
		if (c->domain == NULL && c->submitter == NULL && !c->auth && c->since == INT64_MIN) {
			/* the test covers what it claims to */
			assert_true(sm->n_rows >= 10);
			many_types = row_of(sm, "198.51.100.99")->n_result_types;
			assert_int_equal(row_of(sm, "198.51.100.98")->n_result_types, GEN_MANY_TYPES);
			assert_true(row_of(sm, "192.0.2.1")->reports > 1);
		}
		summary_free(sm);
	}
	assert_int_equal(many_types, GEN_MANY_TYPES);
	store_close(s);
	rb_remove_temp(path);
}

/* Every key under every filter, rollups or not, against the plain SQL
 * over the base tables, with the counting rule written in SQL apart from
 * the stored mark (the generator puts sts beside tlsa policies often). */
static void every_key_is_plain_sql(void **state)
{
	char *path = rb_temp_db(backend, "gen-keys.db");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	put_generated(s, 4);
	assert_true(one_int(store_db(s), "SELECT count(*) FROM policies WHERE superseded = 1") > 10);
	for (size_t i = 0; i < sizeof gen_filters / sizeof gen_filters[0]; i++) {
		const struct filter_case *c = &gen_filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };

		for (int k = 0; k < SUMMARY_N_KEYS; k++) {
			struct summary *sm = query(s, (enum summary_key)k, &f);

			print_message("# filter %s, key %s: %zu rows\n", c->name, summary_key_name(k), sm->n_rows);
			assert_summary_is_plain_sql(store_db(s), (enum summary_key)k, sm, &f);
			summary_free(sm);
		}
	}
	store_close(s);
	rb_remove_temp(path);
}

/* The bucket of the folded rollups D1 falls in, and the next ones. */
#define B0 (D1 - (D1 % KEY_FOLD_SECONDS))
#define B1 (B0 + KEY_FOLD_SECONDS)
#define B2 (B1 + KEY_FOLD_SECONDS)
#define B3 (B2 + KEY_FOLD_SECONDS)

/* Ranges about the buckets' edges: whole buckets from the folded
 * rollups, the rest from the rollups they fold, or those alone. */
static const struct filter_case bucket_filters[] = {
	{ "everything", INT64_MIN, INT64_MAX, NULL, NULL, 0 },
	{ "across three edges", B1 - 3600, B3 + 7200, NULL, NULL, 0 },
	{ "whole buckets", B1, B3, NULL, NULL, 0 },
	{ "aligned since", B1, B2 + 86400, NULL, NULL, 0 },
	{ "aligned until", B1 - 1, B3, NULL, NULL, 0 },
	{ "one bucket and a second", B1 - 1, B2 + 1, NULL, NULL, 0 },
	{ "inside one bucket", B1 + 1, B2 - 1, NULL, NULL, 0 },
	{ "since mid-bucket", B1 + 5 * 86400, INT64_MAX, NULL, NULL, 0 },
	{ "until mid-bucket", INT64_MIN, B2 + 5 * 86400, NULL, NULL, 0 },
	{ "since an edge", B2, INT64_MAX, NULL, NULL, 0 },
	{ "until an edge", INT64_MIN, B1, NULL, NULL, 0 },
	{ "example.com, across", B0 + 3, B2 + 3, "example.com", NULL, 0 },
	{ "from the start of time", INT64_MIN + 1, B2 + 3, NULL, NULL, 0 },
	{ "empty domain, across", B1 - 3600, B3 + 7200, "", NULL, 0 },
	{ "b.example, across", B1 - 3600, B3 + 7200, NULL, "b.example", 0 },
	{ "authenticated, across", B1 - 3600, B3 + 7200, NULL, NULL, 1 },
	{ "authenticated example.net", INT64_MIN, INT64_MAX, "example.net", NULL, 1 },
	{ "near the end of time", B1, INT64_MAX - 1, NULL, NULL, 0 },
	{ "nothing", B3 + 100 * 86400, INT64_MAX, NULL, NULL, 0 },
};

/* Each folded rollup equals its rollup summed over buckets, without a
 * submitter: nothing in either but in the other. */
static void assert_folds_agree(struct db *db)
{
	static const char *const folds[][4] = {
		{ "fold_policy", "rollup_policy", "policy_domain, auth_pass", "reports, successful, failed, failed_with_policy" },
		{ "fold_result", "rollup_result", "policy_domain, auth_pass, result_type", "reports, failed, failed_with_policy" },
		{ "fold_mx", "rollup_mx", "auth_pass, receiving_mx", "reports, failed, failed_with_policy" },
		{ "fold_mx_result", "rollup_mx_result", "auth_pass, receiving_mx, result_type",
		  "reports, failed, failed_with_policy" },
	};
	char sums[256], summed[1024], sql[2600];

	for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++) {
		const char *cols = folds[i][3];
		size_t n = 0;

		/* "reports, failed" as "CAST(sum(reports) AS BIGINT), CAST(sum(failed) AS BIGINT)" */
		sums[0] = '\0';
		for (const char *c = cols; *c != '\0';) {
			size_t len = strcspn(c, ",");

			n += (size_t)snprintf(sums + n, sizeof sums - n, "%sCAST(sum(%.*s) AS BIGINT)", n ? ", " : "",
			                      (int)len, c);
			c += len;
			c += strspn(c, ", ");
		}
		snprintf(summed, sizeof summed, "SELECT %s, %s, %s FROM %s GROUP BY %s, %s",
		         KEY_SQL_FOLD_BUCKET("start_time"), folds[i][2], sums, folds[i][1], KEY_SQL_FOLD_BUCKET("start_time"),
		         folds[i][2]);
		snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM (%s EXCEPT SELECT bucket, %s, %s FROM %s) a)"
		         " + (SELECT count(*) FROM (SELECT bucket, %s, %s FROM %s EXCEPT %s) b)",
		         summed, folds[i][2], cols, folds[i][0], folds[i][2], cols, folds[i][0], summed);
		assert_int_equal(one_int(db, sql), 0);
	}
}

/*
 * The folded rollups (version 13) against the plain SQL: reports over
 * five buckets, every key under ranges that cross the buckets' edges,
 * meet them, or hold no whole bucket; then the folds after an expire
 * that empties buckets and leaves others partly kept.
 */
static void folded_rollups_are_plain_sql(void **state)
{
	char *path = rb_temp_db(backend, "gen-folds.db");
	struct store *s = NULL;
	struct view_expired x;
	struct tr_error e;
	char sql[128];

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	put_generated(s, 150);
	assert_true(one_int(store_db(s), "SELECT count(DISTINCT bucket) FROM fold_policy") >= 5);
	assert_true(one_int(store_db(s), "SELECT count(DISTINCT receiving_mx) FROM fold_mx") >= 4);
	assert_folds_agree(store_db(s));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof bucket_filters / sizeof bucket_filters[0]; i++) {
			const struct filter_case *c = &bucket_filters[i];
			struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };

			for (int k = 0; k < SUMMARY_N_KEYS; k++) {
				struct summary *sm = query(s, (enum summary_key)k, &f);

				print_message("# pass %d, filter %s, key %s: %zu rows\n", pass, c->name,
				              summary_key_name(k), sm->n_rows);
				assert_summary_is_plain_sql(store_db(s), (enum summary_key)k, sm, &f);
				summary_free(sm);
			}
		}
		if (pass > 0)
			break;
		/* reports that ended before B2 + 3 days: B0 and B1 emptied, B2 cut */
		if (views_expire(s, B2 + 3 * 86400, 0, &x, &e) != TR_OK)
			fail_msg("views_expire: %s", e.msg);
		assert_true(x.reports > 0);
		assert_folds_agree(store_db(s));
		snprintf(sql, sizeof sql, "SELECT count(*) FROM fold_policy WHERE bucket < %" PRId64, (int64_t)B2);
		assert_int_equal(one_int(store_db(s), sql), 0);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM fold_policy WHERE bucket = %" PRId64, (int64_t)B2);
		assert_true(one_int(store_db(s), sql) > 0);
	}
	store_close(s);
	rb_remove_temp(path);
}

/*
 * A database of version 12 on either backend (the folded rollups dropped,
 * the version set back) is upgraded by migration 013: its backfill equals
 * the upkeep, and the summaries read from it are the plain SQL's.
 */
static void migrated_from_twelve_on_either_backend(void **state)
{
	static const char *const drops[] = { "DROP TABLE fold_policy", "DROP TABLE fold_result", "DROP TABLE fold_mx",
	                                     "DROP TABLE fold_mx_result" };
	static const enum summary_key keys[] = { SUMMARY_BY_POLICY_DOMAIN, SUMMARY_BY_RECEIVING_MX };
	char *path = rb_temp_db(backend, "gen-v12.db");
	struct store *s = NULL;
	struct tr_error e;

	(void)state;
	assert_int_equal(store_open(path, STORE_OPEN_CREATE, 0, &s, &e), TR_OK);
	put_generated(s, 150);
	for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++)
		assert_int_equal(db_exec(store_db(s), drops[i], "test", &e), TR_OK);
	assert_int_equal(db_exec(store_db(s), backend == DB_SQLITE ? "PRAGMA user_version = 12"
	                         : "UPDATE schema_version SET version = 12", "test", &e), TR_OK);
	store_close(s);
	if (store_open(path, STORE_OPEN_EXISTING, 0, &s, &e) != TR_OK)
		fail_msg("store_open: %s", e.msg);
	assert_true(one_int(store_db(s), "SELECT count(*) FROM fold_mx_result") > 0);
	assert_folds_agree(store_db(s));
	for (size_t i = 0; i < sizeof bucket_filters / sizeof bucket_filters[0]; i++) {
		const struct filter_case *c = &bucket_filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };

		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
			struct summary *sm = query(s, keys[k], &f);

			assert_summary_is_plain_sql(store_db(s), keys[k], sm, &f);
			summary_free(sm);
		}
	}
	store_close(s);
	rb_remove_temp(path);
}

/*
 * The failure details of a summary by sending IP stream in report order
 * without a sort, except under a policy-domain filter (which sorts that
 * domain's details alone), and a time range or a submitter reads only its
 * reports: one pass instead of two sorts of every detail is what made it
 * 8 times faster over a million reports.
 */
static int trace_details(unsigned type, void *ctx, void *p, void *x)
{
	struct traced *t = ctx;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (sql != NULL && strstr(sql, "failure_details") != NULL && t->n < MAX_TRACED) {
		t->sql[t->n] = strdup(sql);
		assert_non_null(t->sql[t->n]);
		t->n++;
	}
	return 0;
}

static void sending_ip_streams(void **state)
{
	struct fixture_db *fd = *state;
	/* SQLite-only: its statement trace and query plans */
	sqlite3 *db = db_sqlite_handle(store_db(fd->s));
	char plan[4096];

	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const struct filter_case *c = &filters[i];
		struct summary_filter f = { c->since, c->until, c->domain, c->submitter, c->auth };
		struct traced t = { { NULL }, 0 };
		struct summary *sm;

		assert_int_equal(sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_details, &t), SQLITE_OK);
		sm = query(fd->s, SUMMARY_BY_SENDING_IP, &f);
		assert_int_equal(sqlite3_trace_v2(db, 0, NULL, NULL), SQLITE_OK);
		summary_free(sm);
		/* one pass; the totals read the rollups unless the domain is "" */
		assert_int_equal(t.n, 1);
		query_plan(db, t.sql[0], plan, sizeof plan);
		print_message("# sending-ip, filter %s: %s=> %s", c->name, t.sql[0], plan);
		assert_null(strstr(plan, "GROUP BY"));
		if (c->domain == NULL)
			assert_null(strstr(plan, "TEMP B-TREE"));
		/* a time or a submitter reads only its reports, through an index */
		if (c->domain == NULL && (c->since != INT64_MIN || c->until != INT64_MAX || c->submitter != NULL))
			assert_non_null(strstr(plan, "SEARCH r USING INDEX reports_by_"));
		free(t.sql[0]);
	}
}

/* ---- the list, once per backend ---- */

static int setup_backend(void **state)
{
	backend = *(const enum db_kind *)*state;
	return 0;
}

/* a case on the fixture store (setup_db), and one on its own database */
#define FIXTURE_CASE(fn, sqlite_only) { #fn, fn, setup_db, teardown_db, sqlite_only }
#define CASE(fn, sqlite_only) { #fn, fn, setup_backend, NULL, sqlite_only }

static const struct testdb_case cases[] = {
	FIXTURE_CASE(every_key_under_every_filter, 0),
	FIXTURE_CASE(migrated_version_one_agrees, 1),
	FIXTURE_CASE(migrated_version_two_agrees, 1),
	FIXTURE_CASE(migrated_version_five_counts_once, 1),
	FIXTURE_CASE(migrated_version_ten_backfills_policy_types, 1),
	FIXTURE_CASE(migrated_version_twelve_backfills_folds, 1),
	FIXTURE_CASE(grouped_plans_read_the_range, 1),
	FIXTURE_CASE(expire_keeps_rollups_exact, 0),
	FIXTURE_CASE(hand_counted_totals, 0),
	FIXTURE_CASE(authenticated_only_and_uncounted, 0),
	FIXTURE_CASE(read_only_and_inside_a_batch, 0),
	CASE(keys_have_names, 0),
	CASE(counting_rule_cases, 0),
	CASE(counting_rule_many_policies, 0),
	CASE(empty_store_and_bad_arguments, 0),
	CASE(huge_counts_saturate, 0),
	CASE(real_samples_add_up, 0),
	CASE(sending_ip_is_plain_sql, 0),
	CASE(every_key_is_plain_sql, 0),
	CASE(folded_rollups_are_plain_sql, 0),
	CASE(migrated_from_twelve_on_either_backend, 0),
	FIXTURE_CASE(sending_ip_streams, 1),
};

int main(void)
{
	return testdb_run_group("summary", cases, sizeof cases / sizeof cases[0]);
}
