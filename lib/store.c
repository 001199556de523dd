/*
 * store: parsed reports into SQLite, once each, one transaction per report
 * (see store.h).  The schema and its migrations are migrate.c's, the summary
 * rollups rollup.c's; statements are prepared once per store and
 * reused, so that a bulk import of many thousands of reports stays fast.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <zlib.h>

#include "buf.h"
#include "count.h"
#include "inflate.h"
#include "rollup.h"
#include "sqlutil.h"
#include "store.h"

#define DEFAULT_BUSY_MS 5000
/* Only reports that arrived uncompressed are deflated here.  Level 1:
 * on the generated reports it costs a quarter less CPU than level 6 for
 * 9 % more bytes, and setting up the stream dominates for small ones. */
#define STORE_DEFLATE_LEVEL 1
/* compression buffer kept between reports, bytes */
#define ZBUF_KEEP (256 * 1024)
/* WAL pages between checkpoints while a batch is open (SQLite's default
 * is 1000, about one batch of an import): checkpointing, and syncing the
 * database file, ten times less often saves a tenth of a bulk import's
 * wall time.  Commits stay synchronous = FULL. */
#define BATCH_CHECKPOINT_PAGES "10000"
/* A batch dirties more pages than SQLite's default 2 MB cache holds, and
 * a page pushed out of the cache goes to the WAL again and again within
 * one batch.  Measured when schema 4 kept rollups keyed by policy domain
 * and receiving MX (100,000 reports: 8.1 s wall, 2.2 s of it in the
 * kernel; with 32 MiB: 5.8 s); schema 5 keys them by time, fewer pages,
 * not re-measured without it.  The connection keeps the larger cache
 * after the batch: only bulk imports batch. */
#define BATCH_CACHE_KIB "-32768"

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_INS_REPORT,
	ST_INS_POLICY,
	ST_INS_FAILURE,
	ST_GET_RAW,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_INS_REPORT] =
		"INSERT INTO reports (submitter, report_id, start_time, end_time,"
		" organization_name, contact_info, received_at, source, message_id,"
		" auth, counted, raw_json, raw_json_len, dkim_domain, dkim_selector, client_addr)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[ST_INS_POLICY] =
		"INSERT INTO policies (report, idx, policy_type, policy_domain,"
		" policy_domain_fallback, policy_strings, mx_hosts, total_successful,"
		" total_failure, superseded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_INS_FAILURE] =
		"INSERT INTO failure_details (policy, result_type, sending_mta_ip,"
		" receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
		" failed_session_count, additional_information, failure_reason_code)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_GET_RAW] = "SELECT raw_json, raw_json_len FROM reports WHERE id = ?1",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	int in_batch;
	int batch_lost;   /* SQLite rolled the batch back on its own */
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

/* Switching to WAL takes an exclusive lock without calling the busy
 * handler, so when processes open a new database at once all but one see
 * SQLITE_BUSY: retry within the busy timeout. */
static enum tr_err set_wal(sqlite3 *db, int busy_ms, struct tr_error *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *jm;
	int waited = 0;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlutil_error(db, rc, err, "setting WAL mode");
	for (;;) {
		rc = sqlite3_step(st);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= busy_ms)
			break;
		sqlite3_reset(st);
		sqlite3_sleep(10);
		waited += 10;
	}
	if (rc != SQLITE_ROW) {
		enum tr_err ret = sqlutil_error(db, rc, err, "setting WAL mode");

		sqlite3_finalize(st);
		return ret;
	}
	jm = sqlite3_column_text(st, 0);
	rc = jm != NULL && strcmp((const char *)jm, "wal") == 0;
	sqlite3_finalize(st);
	if (!rc)
		return tr_error_set(err, TR_ERR_DB, "cannot use WAL mode on this file system");
	return TR_OK;
}

/* Settings every connection needs; WAL only where we may write. */
static enum tr_err configure(sqlite3 *db, enum store_open_mode mode, int busy_ms, struct tr_error *err)
{
	enum tr_err ret;

	sqlite3_busy_timeout(db, busy_ms);
	if (mode != STORE_OPEN_READONLY) {
		if (sqlite3_db_readonly(db, "main") == 1)
			return tr_error_set(err, TR_ERR_DB, "database is read-only "
			                    "(check the permissions of the file and its directory)");
		ret = set_wal(db, busy_ms, err);
		if (ret != TR_OK)
			return ret;
	}
	/* FULL: once a report is committed the milter may discard the mail. */
	ret = sqlutil_exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "configuring", err);
	/* temp_store: a writer's savepoint journal per report (a few pages)
	 * stays in memory instead of costing a score of writes to a temporary
	 * file.  Not for queries: a summary that sorts a million rollup rows
	 * would then hold them all in memory, where SQLite's sorter spills
	 * what exceeds the page cache to a temporary file. */
	if (ret == TR_OK && mode != STORE_OPEN_READONLY)
		ret = sqlutil_exec(db, "PRAGMA temp_store = MEMORY", "configuring", err);
	if (ret != TR_OK)
		return ret;
	return sqlutil_add_functions(db, err);
}

static enum tr_err prepare_all(struct store *s, struct tr_error *err)
{
	for (int i = 0; i < ST_COUNT; i++) {
		int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);

		if (rc != SQLITE_OK)
			return sqlutil_error(s->db, rc, err, "preparing statements");
	}
	return rollup_open(s->db, &s->rollup, err);
}

static enum tr_err open_db(const char *path, enum store_open_mode mode, sqlite3 **db, struct tr_error *err)
{
	int flags = SQLITE_OPEN_READWRITE;
	int rc;

	if (mode == STORE_OPEN_READONLY)
		flags = SQLITE_OPEN_READONLY;
	else if (mode == STORE_OPEN_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	/* each thread opens its own store (store.h), so the connection needs
	 * no mutex of its own: one lock and unlock less per SQLite call */
	rc = sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (*db == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "%s: out of memory opening the database", path);
	if (rc != SQLITE_OK)
		return sqlutil_error(*db, rc, err, "cannot open the database");
	sqlite3_extended_result_codes(*db, 1);
	return TR_OK;
}

enum tr_err store_open(const char *path, enum store_open_mode mode, int busy_timeout_ms,
                       struct store **out, struct tr_error *err)
{
	struct store *s;
	struct stat sb;
	enum tr_err rc;

	if (out == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_open: no result pointer");
	*out = NULL;
	if (path == NULL || *path == '\0')
		return tr_error_set(err, TR_ERR_USAGE, "store_open: no database path");
	if (stat(path, &sb) != 0) {
		if (mode != STORE_OPEN_CREATE && errno == ENOENT)
			return tr_error_set(err, TR_ERR_NOTFOUND, "%s: no such database", path);
	} else if (S_ISDIR(sb.st_mode)) {
		return tr_error_set(err, TR_ERR_DB, "%s: is a directory, not a database file", path);
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "%s: out of memory", path);
	buf_init(&s->strings, STORE_MAX_JSON);
	buf_init(&s->mx, STORE_MAX_JSON);
	rc = open_db(path, mode, &s->db, err);
	if (rc == TR_OK)
		rc = configure(s->db, mode, busy_timeout_ms > 0 ? busy_timeout_ms : DEFAULT_BUSY_MS, err);
	if (rc == TR_OK && mode == STORE_OPEN_READONLY)
		rc = store_check_version(s->db, err);
	else if (rc == TR_OK)
		rc = store_migrate(s->db, schema_sql, store_migrations, err);
	if (rc == TR_OK)
		rc = prepare_all(s, err);
	if (rc != TR_OK) {
		/* SQLite's "configuring: file is not a database" says neither
		 * what we were doing nor what to do about it */
		if (s->db != NULL && (sqlite3_errcode(s->db) & 0xff) == SQLITE_NOTADB)
			rc = tr_error_set(err, TR_ERR_DB, "not a database (not an SQLite file, or a damaged one)");
		tr_error_prefix(err, path);
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
		sqlite3_finalize(s->stmt[i]);
	s->rollup = rollup_close(s->rollup);
	/* an open batch is rolled back by the close */
	sqlite3_close_v2(s->db);
	if (s->z_ready)
		deflateEnd(&s->z);
	free(s->zbuf);
	buf_free(&s->strings);
	buf_free(&s->mx);
	free(s->superseded);
	free(s);
	return NULL;
}

sqlite3 *store_db(struct store *s)
{
	return s != NULL ? s->db : NULL;
}

/* ---- storing a report ---- */

/* Say so plainly rather than let SQLite fail half way in. */
static enum tr_err check_writable(struct store *s, struct tr_error *err)
{
	if (sqlite3_db_readonly(s->db, "main") == 1)
		return tr_error_set(err, TR_ERR_DB, "%s: database is opened read-only: cannot store",
		                    sqlite3_db_filename(s->db, "main"));
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

/* SQLite integers are signed: a count past INT64_MAX cannot be kept as
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

static enum tr_err insert_report(struct store *s, const struct tlsrpt_report *r, const struct store_meta *m,
                                 const struct packed_json *pj, int *duplicate, struct tr_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_INS_REPORT];
	int64_t received = m->received_at != 0 ? m->received_at : (int64_t)time(NULL);
	enum tr_err ret = TR_OK;
	int bad = 0;
	int step;

	bad |= sqlutil_bind_text(st, 1, r->submitter != NULL ? r->submitter : "");
	bad |= sqlutil_bind_text(st, 2, r->report_id);
	bad |= sqlite3_bind_int64(st, 3, r->start);
	bad |= sqlite3_bind_int64(st, 4, r->end);
	bad |= sqlutil_bind_text(st, 5, r->organization_name);
	bad |= sqlutil_bind_text(st, 6, r->contact_info);
	bad |= sqlite3_bind_int64(st, 7, received);
	bad |= sqlutil_bind_text(st, 8, m->source);
	bad |= sqlutil_bind_text(st, 9, m->message_id);
	bad |= sqlutil_bind_text(st, 10, m->auth != NULL ? m->auth : "unknown");
	bad |= sqlite3_bind_int(st, 11, m->counted ? 1 : 0);
	if (pj->data != NULL)
		bad |= sqlite3_bind_blob64(st, 12, pj->data, pj->len, SQLITE_STATIC);
	else
		bad |= sqlite3_bind_null(st, 12);
	bad |= sqlite3_bind_int64(st, 13, (int64_t)pj->raw_len);
	bad |= sqlutil_bind_text(st, 14, m->dkim_domain);
	bad |= sqlutil_bind_text(st, 15, m->dkim_selector);
	bad |= sqlutil_bind_text(st, 16, m->client_addr);
	if (bad) {
		ret = sqlutil_error(s->db, SQLITE_ERROR, err, "binding the report");
		sqlite3_clear_bindings(st);
		return ret;
	}
	step = sqlite3_step(st);
	/* the UNIQUE key is the report's identity: a clash is a duplicate */
	*duplicate = step == SQLITE_CONSTRAINT_UNIQUE;
	if (step != SQLITE_DONE && !*duplicate)
		ret = sqlutil_error(s->db, step, err, "storing the report");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static enum tr_err insert_failure(struct store *s, int64_t policy, const struct tlsrpt_failure *f,
                                  struct tr_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_INS_FAILURE];
	int bad = 0;

	bad |= sqlite3_bind_int64(st, 1, policy);
	bad |= sqlutil_bind_text(st, 2, f->result_type);
	bad |= sqlutil_bind_text(st, 3, f->sending_mta_ip);
	bad |= sqlutil_bind_text(st, 4, f->receiving_mx_hostname);
	bad |= sqlutil_bind_text(st, 5, f->receiving_mx_helo);
	bad |= sqlutil_bind_text(st, 6, f->receiving_ip);
	bad |= sqlite3_bind_int64(st, 7, (int64_t)f->failed_session_count);
	bad |= sqlutil_bind_text(st, 8, f->additional_information);
	bad |= sqlutil_bind_text(st, 9, f->failure_reason_code);
	if (bad) {
		enum tr_err ret = sqlutil_error(s->db, SQLITE_ERROR, err, "binding a failure detail");

		sqlite3_clear_bindings(st);
		return ret;
	}
	return sqlutil_run(s->db, st, "storing a failure detail", err);
}

static enum tr_err bind_policy(struct store *s, int64_t report, size_t idx, const struct tlsrpt_policy *p,
                               const char *strings, const char *mx, int superseded, struct tr_error *err)
{
	sqlite3_stmt *st = s->stmt[ST_INS_POLICY];
	int bad = 0;

	bad |= sqlite3_bind_int64(st, 1, report);
	bad |= sqlite3_bind_int64(st, 2, (int64_t)idx);
	bad |= sqlutil_bind_text(st, 3, p->policy_type);
	bad |= sqlutil_bind_text(st, 4, p->policy_domain);
	bad |= sqlite3_bind_int(st, 5, p->policy_domain_fallback ? 1 : 0);
	bad |= sqlutil_bind_text(st, 6, strings);
	bad |= sqlutil_bind_text(st, 7, mx);
	bad |= sqlite3_bind_int64(st, 8, (int64_t)p->total_successful);
	bad |= sqlite3_bind_int64(st, 9, (int64_t)p->total_failure);
	bad |= sqlite3_bind_int(st, 10, superseded);
	if (!bad)
		return TR_OK;
	sqlite3_clear_bindings(st);
	return sqlutil_error(s->db, SQLITE_ERROR, err, "binding a policy");
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
	rc = bind_policy(s, report, idx, p, (const char *)s->strings.data, (const char *)s->mx.data,
	                 s->superseded[idx], err);
	if (rc == TR_OK)
		rc = sqlutil_run(s->db, s->stmt[ST_INS_POLICY], "storing a policy", err);
	if (rc != TR_OK)
		return rc;
	policy = sqlite3_last_insert_rowid(s->db);
	for (size_t j = 0; j < p->n_failures && rc == TR_OK; j++)
		rc = insert_failure(s, policy, &p->failures[j], err);
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
	int duplicate = 0;
	int64_t report;
	enum tr_err rc = insert_report(s, r, m, pj, &duplicate, err);

	if (rc != TR_OK)
		return rc;
	if (duplicate) {
		*outcome = STORE_DUPLICATE;
		return TR_OK;
	}
	report = sqlite3_last_insert_rowid(s->db);
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

/* Inside a batch a report takes no savepoint of its own: one costs more
 * than a tenth of the import (the statements and a copy of every page
 * the report touches), and a report fails mid-way only on errors that
 * are rare (no memory, disk full, a trigger).  undo_report() removes
 * what such a report wrote instead. */
static enum tr_err txn_begin(struct store *s, struct tr_error *err)
{
	s->cur_report = 0;
	if (s->in_batch)
		return TR_OK;
	return sqlutil_run(s->db, s->stmt[ST_BEGIN], "starting the report's transaction", err);
}

static enum tr_err txn_commit(struct store *s, struct tr_error *err)
{
	if (s->in_batch)
		return TR_OK;
	return sqlutil_run(s->db, s->stmt[ST_COMMIT], "committing the report", err);
}

/* One statement with the int64 parameter ?1, on the failure path only. */
static enum tr_err exec_with_id(sqlite3 *db, const char *sql, int64_t id, struct tr_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sqlutil_error(db, rc, err, "undoing a report");
	return TR_OK;
}

/* Remove the rows of the report that failed inside the batch, children
 * first, and recompute the rollups of its start time from what is left.
 * SQLite already undid the statement that failed. */
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
 * SQLite may already have rolled the whole transaction back; and when
 * the report's rows cannot be removed, the batch goes with them. */
static void txn_abort(struct store *s, struct tr_error *err)
{
	if (!s->in_batch) {
		sqlutil_rollback(s->db);
		return;
	}
	if (!sqlite3_get_autocommit(s->db) && undo_report(s) == TR_OK)
		return;
	sqlutil_rollback(s->db);
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
	rc = sqlutil_exec(s->db, "PRAGMA wal_autocheckpoint = " BATCH_CHECKPOINT_PAGES
	                  "; PRAGMA cache_size = " BATCH_CACHE_KIB, "starting the batch", err);
	if (rc == TR_OK)
		rc = sqlutil_run(s->db, s->stmt[ST_BEGIN], "starting the batch", err);
	if (rc != TR_OK) {
		sqlutil_exec(s->db, "PRAGMA wal_autocheckpoint = 1000", "ending the batch", NULL);
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
		rc = sqlutil_run(s->db, s->stmt[ST_COMMIT], "committing the batch", err);
	if (rc != TR_OK)
		sqlutil_rollback(s->db);
	if (sqlutil_exec(s->db, "PRAGMA wal_autocheckpoint = 1000", "ending the batch", rc == TR_OK ? err : NULL) != TR_OK)
		rc = TR_ERR_DB;
	return rc;
}

/* ---- reading back ---- */

/* Old databases and uncompressed reports hold zlib streams, reports
 * that arrived compressed the gzip (or zlib) bytes they came in: sniff. */
static enum tr_err inflate_json(const void *blob, int blob_len, int64_t raw_len, int64_t id, char **json,
                                size_t *len, struct tr_error *err)
{
	enum inflate_kind kind = inflate_sniff(blob, blob_len > 0 ? (size_t)blob_len : 0);
	struct tr_error why;
	struct buf out;
	enum tr_err rc;

	if (raw_len < 0 || (uint64_t)raw_len > STORE_MAX_JSON)
		return tr_error_set(err, TR_ERR_LIMIT, "report %lld: raw JSON length %lld out of range",
		                    (long long)id, (long long)raw_len);
	if (kind == INFLATE_NONE || blob_len <= 0)
		return tr_error_set(err, TR_ERR_DB, "report %lld: stored JSON is damaged (not gzip or zlib)",
		                    (long long)id);
	buf_init(&out, (size_t)raw_len);
	rc = inflate_bytes(kind, blob, (size_t)blob_len, &out, &why);
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
	sqlite3_stmt *st;
	enum tr_err rc;
	int step;

	if (s == NULL || json == NULL || len == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_get_raw_json: missing argument");
	*json = NULL;
	*len = 0;
	st = s->stmt[ST_GET_RAW];
	sqlite3_bind_int64(st, 1, report_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB)
		rc = inflate_json(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
		                  sqlite3_column_int64(st, 1), report_id, json, len, err);
	else if (step == SQLITE_ROW)
		rc = tr_error_set(err, TR_ERR_NOTFOUND, "report %lld: no JSON was kept", (long long)report_id);
	else if (step == SQLITE_DONE)
		rc = tr_error_set(err, TR_ERR_NOTFOUND, "report %lld: not found", (long long)report_id);
	else
		rc = sqlutil_error(s->db, step, err, "reading the report");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

