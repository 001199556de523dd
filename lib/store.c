/*
 * store: parsed reports into the database (db.h), once each, one
 * transaction per report (see store.h).  The schema and its migrations are migrate.c's, the summary
 * rollups rollup.c's; statements are prepared once per store and
 * reused, so that a bulk import of many thousands of reports stays fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "buf.h"
#include "count.h"
#include "inflate.h"
#include "backend/backend.h"
#include "rollup.h"
#include "rows.h"
#include "store.h"

#define DEFAULT_BUSY_MS 5000
/* Only reports that arrived uncompressed are deflated here.  Level 1:
 * on the generated reports it costs a quarter less CPU than level 6 for
 * 9 % more bytes, and setting up the stream dominates for small ones. */
#define STORE_DEFLATE_LEVEL 1
/* compression buffer kept between reports, bytes */
#define ZBUF_KEEP (256 * 1024)
enum stmt_id {
	ST_INS_REPORT,
	ST_INS_POLICY,
	ST_GET_RAW,
	ST_COUNT
};

#define FAILURE_INSERT \
	"INSERT INTO failure_details (policy, result_type, sending_mta_ip," \
	" receiving_mx_hostname, receiving_mx_helo, receiving_ip," \
	" failed_session_count, additional_information, failure_reason_code) VALUES "
/* parameters of one failure detail's row */
#define FAILURE_COLS 9

static const char *const stmt_sql[ST_COUNT] = {
	[ST_INS_REPORT] =
		"INSERT INTO reports (id, submitter, report_id, start_time, end_time,"
		" organization_name, contact_info, received_at, source, message_id,"
		" auth, counted, raw_json, raw_json_len, dkim_domain, dkim_selector, client_addr)"
		" VALUES (tr_report_id(?1, ?2, ?3, ?4),"
		" ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
		/* the identity (the UNIQUE key, or the id of the one stored, which
		 * tr_report_id looks up so that a duplicate takes no number on
		 * PostgreSQL): a clash is a duplicate */
		" ON CONFLICT DO NOTHING RETURNING id",
	[ST_INS_POLICY] =
		"INSERT INTO policies (report, idx, policy_type, policy_domain,"
		" policy_domain_fallback, policy_strings, mx_hosts, total_successful,"
		" total_failure, superseded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
	[ST_GET_RAW] = "SELECT raw_json, raw_json_len FROM reports WHERE id = ?1",
};

struct store {
	struct db *db;
	struct db_stmt *stmt[ST_COUNT];
	int opened_readonly; /* STORE_OPEN_READONLY: a query-only store */
	struct rows *failures; /* failure details, many rows a statement */
	int in_batch;
	int batch_lost;   /* the database rolled the batch back on its own */
	int savepoints;   /* a batch's failed report is undone by a savepoint, not by deletes */
	size_t rollup_mark; /* rollup_batch_mark() at the report's savepoint */
	z_stream z;       /* deflate state, reused from report to report */
	int z_ready;
	unsigned char *zbuf;
	size_t zcap;
	struct rollup *rollup;  /* the summary rollups' upserts and scratch */
	struct buf strings;  /* a policy's policy-strings as JSON, reused */
	struct buf mx;       /* its mx-hosts */
	unsigned char *superseded; /* count_superseded() of the report, cap_superseded bytes */
	size_t cap_superseded;
	int64_t cur_report;  /* reports.id of the report being stored, 0 before its row */
	int64_t cur_start;
};

/* A report's compressed JSON, ready to bind. */
struct packed_json {
	const unsigned char *data;  /* NULL when the report carried no JSON */
	uLongf len;
	size_t raw_len;
};

/* ---- opening ---- */

static enum tr_err prepare_all(struct store *s, struct tr_error *err)
{
	for (int i = 0; i < ST_COUNT; i++) {
		enum tr_err rc = db_prepare(s->db, stmt_sql[i], 1, &s->stmt[i], err);

		if (rc != TR_OK)
			return rc;
	}
	enum tr_err rc = rows_open(s->db, FAILURE_INSERT, FAILURE_COLS, NULL, &s->failures, err);

	if (rc != TR_OK)
		return rc;
	return rollup_open(s->db, &s->rollup, err);
}

static enum db_open_mode db_mode(enum store_open_mode mode)
{
	return mode == STORE_OPEN_READONLY ? DB_OPEN_READONLY
	       : mode == STORE_OPEN_CREATE ? DB_OPEN_CREATE : DB_OPEN_EXISTING;
}

enum tr_err store_open(const char *where, enum store_open_mode mode, int busy_timeout_ms,
                       struct store **out, struct tr_error *err)
{
	struct store *s;
	enum tr_err rc;

	if (out == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_open: no result pointer");
	*out = NULL;
	if (where == NULL || *where == '\0')
		return tr_error_set(err, TR_ERR_USAGE, "store_open: no database path");
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory"); /* where may hold a password */
	buf_init(&s->strings, STORE_MAX_JSON);
	buf_init(&s->mx, STORE_MAX_JSON);
	/* db_open() names the database in its errors */
	rc = db_open(where, db_mode(mode), busy_timeout_ms > 0 ? busy_timeout_ms : DEFAULT_BUSY_MS, &s->db, err);
	if (rc != TR_OK) {
		store_close(s);
		return rc;
	}
	s->savepoints = !db_keeps_transaction_on_error(s->db);
	s->opened_readonly = mode == STORE_OPEN_READONLY;
	if (mode == STORE_OPEN_READONLY)
		rc = store_check_version(s->db, err);
	else
		rc = store_migrate(s->db, s->db->be->schema_sql, s->db->be->migrations, err);
	if (rc == TR_OK)
		rc = prepare_all(s, err);
	if (rc != TR_OK) {
		tr_error_prefix(err, db_name(s->db));
		store_close(s);
		return rc;
	}
	*out = s;
	return TR_OK;
}

struct store *store_close(struct store *s)
{
	if (s == NULL)
		return NULL;
	for (int i = 0; i < ST_COUNT; i++)
		db_finalize(s->stmt[i]);
	s->failures = rows_close(s->failures);
	s->rollup = rollup_close(s->rollup);
	/* an open batch is rolled back by the close */
	s->db = db_close(s->db);
	if (s->z_ready)
		deflateEnd(&s->z);
	free(s->zbuf);
	buf_free(&s->strings);
	buf_free(&s->mx);
	free(s->superseded);
	free(s);
	return NULL;
}

struct db *store_db(struct store *s)
{
	return s != NULL ? s->db : NULL;
}

/* ---- storing a report ---- */

/* Say so plainly rather than let SQLite fail half way in. */
static enum tr_err check_writable(struct store *s, struct tr_error *err)
{
	if (s->opened_readonly)
		return tr_error_set(err, TR_ERR_DB, "%s: database is opened read-only: cannot store",
		                    db_name(s->db));
	/* opened to write, yet read-only: a server that was a standby at
	 * connect (after a failover), which may be promoted soon */
	if (db_readonly(s->db))
		return tr_error_set(err, TR_ERR_BUSY, "%s: the server is read-only (a standby?): "
		                    "cannot store now", db_name(s->db));
	return TR_OK;
}

static int is_one_of(const char *v, const char *const *set)
{
	for (; *set != NULL; set++) {
		if (strcmp(v, *set) == 0)
			return 1;
	}
	return 0;
}

static enum tr_err check_meta(const struct store_meta *m, struct tr_error *err)
{
	static const char *const sources[] = { "milter", "import", "https", NULL };
	static const char *const auths[] = { "pass", "fail", "none", "temperror", "unknown", NULL };

	if (m->source == NULL || !is_one_of(m->source, sources))
		return tr_error_set(err, TR_ERR_USAGE, "store: source must be milter, import or https");
	if (m->auth != NULL && !is_one_of(m->auth, auths))
		return tr_error_set(err, TR_ERR_USAGE, "store: auth must be pass, fail, none, temperror or unknown");
	return TR_OK;
}

/* Database integers are signed: a count past INT64_MAX cannot be kept as
 * sent.  The parser's 2^53 bound means this only catches misuse. */
static enum tr_err check_counts(const struct tlsrpt_report *r, struct tr_error *err)
{
	if (r->report_id == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store: report has no report-id");
	if (r->n_policies > 0 && r->policies == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store: report has no policies array");
	for (size_t i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (p->total_successful > INT64_MAX || p->total_failure > INT64_MAX)
			return tr_error_set(err, TR_ERR_USAGE, "store: policies[%zu].summary: count too large", i);
		if (p->n_failures > 0 && p->failures == NULL)
			return tr_error_set(err, TR_ERR_USAGE, "store: policies[%zu]: no failure-details array", i);
		for (size_t j = 0; j < p->n_failures; j++) {
			if (p->failures[j].failed_session_count > INT64_MAX)
				return tr_error_set(err, TR_ERR_USAGE,
				                    "store: policies[%zu].failure-details[%zu]: count too large", i, j);
		}
	}
	return TR_OK;
}

/* Keep the deflate state and output buffer across reports: setting up
 * zlib's window for every small report costs more than compressing it. */
static enum tr_err zstream_ready(struct store *s, size_t len, struct tr_error *err)
{
	uLong bound;
	int zrc;

	zrc = s->z_ready ? deflateReset(&s->z) : deflateInit(&s->z, STORE_DEFLATE_LEVEL);
	if (zrc != Z_OK)
		return tr_error_set(err, zrc == Z_MEM_ERROR ? TR_ERR_NOMEM : TR_ERR_DB,
		                    "store: cannot set up zlib (%d)", zrc);
	s->z_ready = 1;
	bound = deflateBound(&s->z, (uLong)len);
	if (bound <= s->zcap)
		return TR_OK;
	free(s->zbuf);
	s->zcap = 0;
	s->zbuf = malloc(bound);
	if (s->zbuf == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory compressing the report");
	s->zcap = bound;
	return TR_OK;
}

/* The bytes a report arrived in are kept as they are when they are a
 * stream store_get_raw_json() can read back and no larger than the JSON
 * itself (a stream padded with trailing garbage is compressed anew). */
static int keeps_as_received(const struct tlsrpt_report *r)
{
	if (r->raw_compressed == NULL || r->raw_compressed_len > r->json_len)
		return 0;
	if (r->raw_compressed_len > STORE_MAX_JSON)
		return 0;
	return inflate_sniff(r->raw_compressed, r->raw_compressed_len) != INFLATE_NONE;
}

/* The report's JSON zlib-compressed (what compress2() makes) into
 * s->zbuf; pj->data points there, valid until the next put. */
static enum tr_err pack_json(struct store *s, const struct tlsrpt_report *r, struct packed_json *pj,
                             struct tr_error *err)
{
	enum tr_err rc;
	int zrc;

	memset(pj, 0, sizeof *pj);
	if (r->json == NULL)
		return TR_OK;
	if (r->json_len > STORE_MAX_JSON)
		return tr_error_set(err, TR_ERR_LIMIT, "store: report JSON of %zu bytes is over %zu",
		                    r->json_len, STORE_MAX_JSON);
	if (keeps_as_received(r)) {
		pj->data = r->raw_compressed;
		pj->len = (uLongf)r->raw_compressed_len;
		pj->raw_len = r->json_len;
		return TR_OK;
	}
	rc = zstream_ready(s, r->json_len, err);
	if (rc != TR_OK)
		return rc;
	s->z.next_in = (Bytef *)r->json;
	s->z.avail_in = (uInt)r->json_len;
	s->z.next_out = s->zbuf;
	s->z.avail_out = (uInt)s->zcap;
	zrc = deflate(&s->z, Z_FINISH);
	if (zrc != Z_STREAM_END)
		return tr_error_set(err, TR_ERR_DB, "store: compressing the report failed (zlib %d)", zrc);
	pj->data = s->zbuf;
	pj->len = s->z.total_out;
	pj->raw_len = r->json_len;
	return TR_OK;
}

/* A huge report's buffers are not worth keeping for the small ones. */
static void trim_scratch(struct store *s)
{
	if (s->strings.cap > ZBUF_KEEP || s->mx.cap > ZBUF_KEEP) {
		buf_free(&s->strings);
		buf_free(&s->mx);
		buf_init(&s->strings, STORE_MAX_JSON);
		buf_init(&s->mx, STORE_MAX_JSON);
	}
	rollup_trim(s->rollup);
	if (s->cap_superseded > ZBUF_KEEP) {
		free(s->superseded);
		s->superseded = NULL;
		s->cap_superseded = 0;
	}
	if (s->zcap <= ZBUF_KEEP)
		return;
	free(s->zbuf);
	s->zbuf = NULL;
	s->zcap = 0;
}


/* Append s as a JSON string, escaped as cJSON_PrintUnformatted() does
 * (so that rows stored before read the same): \" \\ \b \f \n \r \t, other
 * control bytes as \u00XX, everything else as it is. */
static enum tr_err json_put_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	enum tr_err rc = buf_putc(b, '"');
	const char *run = s;

	for (; rc == TR_OK && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 0, 0, 0, 0, 0 };
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		if (rc == TR_OK)
			rc = buf_append(b, esc, n);
	}
	if (rc == TR_OK)
		rc = buf_append(b, run, (size_t)(s - run));
	if (rc == TR_OK)
		rc = buf_putc(b, '"');
	return rc;
}

/* A string array as JSON array text into b (reset first), NUL-terminated. */
static enum tr_err json_array(struct buf *b, char *const *v, size_t n)
{
	enum tr_err rc;

	buf_reset(b);
	rc = buf_putc(b, '[');
	for (size_t i = 0; i < n && rc == TR_OK; i++) {
		if (i > 0)
			rc = buf_putc(b, ',');
		if (rc == TR_OK)
			rc = v[i] != NULL ? json_put_string(b, v[i]) : buf_append(b, "null", 4);
	}
	if (rc == TR_OK)
		rc = buf_putc(b, ']');
	return rc;
}

/* The report's row; *id = its reports.id, or 0 when it is a duplicate. */
static enum tr_err insert_report(struct store *s, const struct tlsrpt_report *r, const struct store_meta *m,
                                 const struct packed_json *pj, int64_t *id, struct tr_error *err)
{
	struct db_stmt *st = s->stmt[ST_INS_REPORT];
	int64_t received = m->received_at != 0 ? m->received_at : (int64_t)time(NULL);
	enum tr_err ret;
	int row = 0;

	db_bind_text(st, 1, r->submitter != NULL ? r->submitter : "");
	db_bind_text(st, 2, r->report_id);
	db_bind_int64(st, 3, r->start);
	db_bind_int64(st, 4, r->end);
	db_bind_text(st, 5, r->organization_name);
	db_bind_text(st, 6, r->contact_info);
	db_bind_int64(st, 7, received);
	db_bind_text(st, 8, m->source);
	db_bind_text(st, 9, m->message_id);
	db_bind_text(st, 10, m->auth != NULL ? m->auth : "unknown");
	db_bind_int64(st, 11, m->counted ? 1 : 0);
	if (pj->data != NULL)
		db_bind_blob(st, 12, pj->data, pj->len);
	else
		db_bind_null(st, 12);
	db_bind_int64(st, 13, (int64_t)pj->raw_len);
	db_bind_text(st, 14, m->dkim_domain);
	db_bind_text(st, 15, m->dkim_selector);
	db_bind_text(st, 16, m->client_addr);
	ret = db_step(st, &row, "storing the report", err);
	/* no row: ON CONFLICT found the report stored already */
	*id = ret == TR_OK && row ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return ret;
}

/* Bind failure detail f of policy as the row whose first parameter is
 * base + 1. */
static void bind_failure(struct db_stmt *st, int base, int64_t policy, const struct tlsrpt_failure *f)
{
	db_bind_int64(st, base + 1, policy);
	db_bind_text(st, base + 2, f->result_type);
	db_bind_text(st, base + 3, f->sending_mta_ip);
	db_bind_text(st, base + 4, f->receiving_mx_hostname);
	db_bind_text(st, base + 5, f->receiving_mx_helo);
	db_bind_text(st, base + 6, f->receiving_ip);
	db_bind_int64(st, base + 7, (int64_t)f->failed_session_count);
	db_bind_text(st, base + 8, f->additional_information);
	db_bind_text(st, base + 9, f->failure_reason_code);
}

/* The n failure details f of policy, as few statements as fit. */
static enum tr_err insert_failures(struct store *s, int64_t policy, const struct tlsrpt_failure *f, size_t n,
                                   struct tr_error *err)
{
	enum tr_err rc = TR_OK;
	size_t i = 0;

	while (i < n && rc == TR_OK) {
		size_t rows;
		struct db_stmt *st = rows_pick(s->failures, n - i, &rows);

		for (size_t r = 0; r < rows; r++)
			bind_failure(st, rows_base(s->failures, r), policy, &f[i + r]);
		rc = db_run_later(st, "storing a failure detail", err);
		i += rows;
	}
	return rc;
}

/* The policy's row; *id = its policies.id. */
static enum tr_err put_policy_row(struct store *s, int64_t report, size_t idx, const struct tlsrpt_policy *p,
                                  int superseded, int64_t *id, struct tr_error *err)
{
	struct db_stmt *st = s->stmt[ST_INS_POLICY];
	enum tr_err rc;
	int row = 0;

	db_bind_int64(st, 1, report);
	db_bind_int64(st, 2, (int64_t)idx);
	db_bind_text(st, 3, p->policy_type);
	db_bind_text(st, 4, p->policy_domain);
	db_bind_int64(st, 5, p->policy_domain_fallback ? 1 : 0);
	db_bind_text(st, 6, (const char *)s->strings.data);
	db_bind_text(st, 7, (const char *)s->mx.data);
	db_bind_int64(st, 8, (int64_t)p->total_successful);
	db_bind_int64(st, 9, (int64_t)p->total_failure);
	db_bind_int64(st, 10, superseded);
	*id = 0;
	/* only its failure details need its id: without them it can wait */
	if (p->n_failures == 0)
		return db_run_later(st, "storing a policy", err);
	rc = db_step(st, &row, "storing a policy", err);
	*id = rc == TR_OK && row ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc;
}

static enum tr_err insert_policy(struct store *s, int64_t report, size_t idx, const struct tlsrpt_policy *p,
                                 struct tr_error *err)
{
	enum tr_err rc = json_array(&s->strings, p->policy_strings, p->n_policy_strings);
	int64_t policy;

	if (rc == TR_OK)
		rc = json_array(&s->mx, p->mx_hosts, p->n_mx_hosts);
	if (rc != TR_OK)
		return tr_error_set(err, rc, "store: policies[%zu]: %s encoding its strings", idx,
		                    rc == TR_ERR_NOMEM ? "out of memory" : "too long");
	rc = put_policy_row(s, report, idx, p, s->superseded[idx], &policy, err);
	if (rc == TR_OK)
		rc = insert_failures(s, policy, p->failures, p->n_failures, err);
	return rc;
}

/* Which of r's policies count (count.h), into s->superseded. */
static enum tr_err mark_superseded(struct store *s, const struct tlsrpt_report *r, struct tr_error *err)
{
	if (r->n_policies > s->cap_superseded) {
		unsigned char *v = realloc(s->superseded, r->n_policies);

		if (v == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory counting the policies");
		s->superseded = v;
		s->cap_superseded = r->n_policies;
	}
	return count_superseded(r, s->superseded, err);
}

static enum tr_err put_rows(struct store *s, const struct tlsrpt_report *r, const struct store_meta *m,
                            const struct packed_json *pj, enum store_outcome *outcome, struct tr_error *err)
{
	int64_t report = 0;
	enum tr_err rc = insert_report(s, r, m, pj, &report, err);

	if (rc != TR_OK)
		return rc;
	if (report == 0) {
		*outcome = STORE_DUPLICATE;
		return TR_OK;
	}
	s->cur_report = report;
	s->cur_start = r->start;
	rc = mark_superseded(s, r, err);
	for (size_t i = 0; i < r->n_policies && rc == TR_OK; i++)
		rc = insert_policy(s, report, i, &r->policies[i], err);
	if (rc == TR_OK && m->counted)
		rc = rollup_add_report(s->rollup, r, s->superseded,
		                       m->auth != NULL && strcmp(m->auth, "pass") == 0, err);
	*outcome = STORE_STORED;
	return rc;
}

/* Inside a batch on SQLite a report takes no savepoint of its own: one
 * costs more than a tenth of the import (the statements and a copy of
 * every page the report touches; measured again through db.h: 11 % more
 * instructions), and a report fails mid-way only on errors that are rare
 * (no memory, disk full, a trigger).  undo_report() removes what such a
 * report wrote instead.  A backend whose failed statement spoils the
 * transaction (PostgreSQL) needs the savepoint. */
static enum tr_err txn_begin(struct store *s, struct tr_error *err)
{
	enum tr_err rc;

	s->cur_report = 0;
	if (!s->in_batch)
		return db_begin(s->db, err);
	if (!s->savepoints)
		return TR_OK;
	rc = rollup_batch_make_room(s->rollup, err);
	s->rollup_mark = rollup_batch_mark(s->rollup);
	return rc != TR_OK ? rc : db_savepoint(s->db, err);
}

static enum tr_err txn_commit(struct store *s, struct tr_error *err)
{
	if (!s->in_batch)
		return db_commit(s->db, err);
	return s->savepoints ? db_release(s->db, err) : TR_OK;
}

/* A batch's failed report undone by its savepoint, and its groups held
 * for the rollups with it. */
static enum tr_err rollback_report(struct store *s)
{
	enum tr_err rc = db_rollback_to(s->db, NULL);

	rollup_batch_forget(s->rollup, s->rollup_mark);

	return rc != TR_OK ? rc : db_release(s->db, NULL);
}

/* One statement with the int64 parameter ?1, on the failure path only. */
static enum tr_err exec_with_id(struct db *db, const char *sql, int64_t id, struct tr_error *err)
{
	struct db_stmt *st;
	enum tr_err rc = db_prepare(db, sql, 0, &st, err);

	if (rc != TR_OK)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_run(st, "undoing a report", err);
	db_finalize(st);
	return rc;
}

/* Remove the rows of the report that failed inside the batch, children
 * first, and recompute the rollups of its start time from what is left.
 * The database already undid the statement that failed. */
static enum tr_err undo_report(struct store *s)
{
	static const char *const del[] = {
		"DELETE FROM failure_details WHERE policy IN (SELECT id FROM policies WHERE report = ?1)",
		"DELETE FROM policies WHERE report = ?1",
		"DELETE FROM reports WHERE id = ?1",
	};
	char starts[48];
	enum tr_err rc = TR_OK;

	if (s->cur_report == 0)
		return TR_OK;
	/* the batch's other reports into the rollups first: the rebuild
	 * below counts them from their rows */
	rc = rollup_batch_flush(s->rollup, NULL);
	for (size_t i = 0; i < sizeof del / sizeof del[0] && rc == TR_OK; i++)
		rc = exec_with_id(s->db, del[i], s->cur_report, NULL);
	snprintf(starts, sizeof starts, "SELECT %lld", (long long)s->cur_start);
	if (rc == TR_OK)
		rc = rollup_rebuild(s->db, starts, NULL);
	return rc;
}

/* Undo the report: its rows inside a batch, else its transaction.
 * The database may already have rolled the whole transaction back; and when
 * the report's rows cannot be removed, the batch goes with them. */
static void txn_abort(struct store *s, struct tr_error *err)
{
	if (!s->in_batch) {
		db_rollback(s->db);
		return;
	}
	if (db_in_transaction(s->db) && (s->savepoints ? rollback_report(s) : undo_report(s)) == TR_OK)
		return;
	db_rollback(s->db);
	rollup_batch_end(s->rollup);
	s->in_batch = 0;
	s->batch_lost = 1;
	if (err != NULL) {
		size_t len = strnlen(err->msg, sizeof err->msg);

		snprintf(err->msg + len, sizeof err->msg - len, " (the whole batch was rolled back)");
	}
}

enum tr_err store_put_report(struct store *s, const struct tlsrpt_report *r,
                             const struct store_meta *meta, enum store_outcome *outcome,
                             struct tr_error *err)
{
	struct packed_json pj;
	enum tr_err rc;

	if (s == NULL || r == NULL || meta == NULL || outcome == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_put_report: missing argument");
	rc = check_writable(s, err);
	if (rc == TR_OK)
		rc = check_meta(meta, err);
	if (rc == TR_OK)
		rc = check_counts(r, err);
	if (rc != TR_OK)
		return rc;
	/* compress before taking the write lock, to hold it briefly */
	rc = pack_json(s, r, &pj, err);
	if (rc != TR_OK)
		return rc;
	rc = txn_begin(s, err);
	if (rc == TR_OK) {
		rc = put_rows(s, r, meta, &pj, outcome, err);
		if (rc == TR_OK)
			rc = txn_commit(s, err);
		if (rc != TR_OK)
			txn_abort(s, err);
	}
	trim_scratch(s);
	return rc;
}

/* ---- batches ---- */

enum tr_err store_batch_begin(struct store *s, struct tr_error *err)
{
	enum tr_err rc;

	if (s == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_begin: no store");
	if (s->in_batch)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_begin: a batch is already open");
	rc = check_writable(s, err);
	if (rc != TR_OK)
		return rc;
	rc = db_bulk(s->db, 1, err);
	if (rc == TR_OK)
		rc = db_begin(s->db, err);
	if (rc != TR_OK) {
		db_bulk(s->db, 0, NULL);
		return rc;
	}
	rollup_batch_begin(s->rollup);
	s->in_batch = 1;
	s->batch_lost = 0;
	return TR_OK;
}

enum tr_err store_batch_end(struct store *s, struct tr_error *err)
{
	enum tr_err rc;

	if (s == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_end: no store");
	if (s->batch_lost) {
		s->batch_lost = 0;
		return tr_error_set(err, TR_ERR_DB, "store_batch_end: the batch was rolled back by an earlier error");
	}
	if (!s->in_batch)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_end: no batch is open");
	s->in_batch = 0;
	rc = rollup_batch_flush(s->rollup, err);
	rollup_batch_end(s->rollup);
	if (rc == TR_OK)
		rc = db_commit(s->db, err);
	if (rc != TR_OK)
		db_rollback(s->db);
	if (db_bulk(s->db, 0, rc == TR_OK ? err : NULL) != TR_OK)
		rc = TR_ERR_DB;
	return rc;
}

/* ---- reading back ---- */

/* Old databases and uncompressed reports hold zlib streams, reports
 * that arrived compressed the gzip (or zlib) bytes they came in: sniff. */
static enum tr_err inflate_json(const void *blob, size_t blob_len, int64_t raw_len, int64_t id, char **json,
                                size_t *len, struct tr_error *err)
{
	enum inflate_kind kind = inflate_sniff(blob, blob_len);
	struct tr_error why;
	struct buf out;
	enum tr_err rc;

	if (raw_len < 0 || (uint64_t)raw_len > STORE_MAX_JSON)
		return tr_error_set(err, TR_ERR_LIMIT, "report %lld: raw JSON length %lld out of range",
		                    (long long)id, (long long)raw_len);
	if (kind == INFLATE_NONE || blob_len == 0)
		return tr_error_set(err, TR_ERR_DB, "report %lld: stored JSON is damaged (not gzip or zlib)",
		                    (long long)id);
	buf_init(&out, (size_t)raw_len);
	rc = inflate_bytes(kind, blob, blob_len, &out, &why);
	if (rc == TR_OK && out.len != (size_t)raw_len)
		rc = tr_error_set(&why, TR_ERR_FORMAT, "%zu bytes instead of %lld", out.len, (long long)raw_len);
	if (rc != TR_OK) {
		buf_free(&out);
		return tr_error_set(err, rc == TR_ERR_NOMEM ? TR_ERR_NOMEM : TR_ERR_DB,
		                    "report %lld: stored JSON is damaged (%s)", (long long)id, why.msg);
	}
	*json = buf_detach(&out, len);
	if (*json == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "report %lld: out of memory", (long long)id);
	return TR_OK;
}

enum tr_err store_get_raw_json(struct store *s, int64_t report_id, char **json, size_t *len,
                               struct tr_error *err)
{
	struct db_stmt *st;
	enum tr_err rc;
	int row = 0;

	if (s == NULL || json == NULL || len == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_get_raw_json: missing argument");
	*json = NULL;
	*len = 0;
	st = s->stmt[ST_GET_RAW];
	db_bind_int64(st, 1, report_id);
	rc = db_step(st, &row, "reading the report", err);
	if (rc == TR_OK && row && !db_column_is_null(st, 0)) {
		size_t blob_len = 0;
		const void *blob = db_column_blob(st, 0, &blob_len);

		rc = inflate_json(blob, blob_len, db_column_int64(st, 1), report_id, json, len, err);
	} else if (rc == TR_OK && row) {
		rc = tr_error_set(err, TR_ERR_NOTFOUND, "report %lld: no JSON was kept", (long long)report_id);
	} else if (rc == TR_OK) {
		rc = tr_error_set(err, TR_ERR_NOTFOUND, "report %lld: not found", (long long)report_id);
	}
	db_reset(st);
	return rc;
}

