/*
 * store: parsed reports into the database (db.h), once each (see
 * store.h).  A report put is copied into a chunk; a chunk of up to 64 is
 * written under one savepoint in multi-row statements (rows.h), which a
 * server answers in a few round trips; a failed chunk is written again
 * one report at a time.  A single report is a batch and a chunk of one:
 * the same path.  The schema and its migrations are migrate.c's, the
 * summary rollups rollup.c's; statements are prepared once per store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "arena.h"
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
	ST_GET_RAW,
	ST_COUNT
};

/* A chunk is written once it holds this many reports (the largest
 * multi-row statement, rows.c) or this many bytes, so that a batch holds
 * at most CHUNK_MAX_BYTES plus the last report put. */
#define CHUNK_MAX_REPORTS 64
#define CHUNK_MAX_BYTES ((size_t)4 << 20)
/* chunk arrays kept between batches, entries */
#define CHUNK_KEEP 4096

#define REPORT_INSERT \
	"INSERT INTO reports (id, submitter, report_id, start_time, end_time," \
	" organization_name, contact_info, received_at, source, message_id," \
	" auth, counted, raw_json, raw_json_len, dkim_domain, dkim_selector, client_addr) VALUES "
/* tr_report_id looks the identity up so that a duplicate takes no number
 * on PostgreSQL and ids stay SQLite's */
#define REPORT_ROW \
	"(tr_report_id(?1, ?2, ?3, ?4), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
#define REPORT_COLS 16
/* the identity of each row stored, to find its entry: a clash with a
 * stored report returns nothing, and is a duplicate */
#define REPORT_TAIL " ON CONFLICT DO NOTHING RETURNING id, submitter, report_id, start_time, end_time"
#define POLICY_INSERT \
	"INSERT INTO policies (report, idx, policy_type, policy_domain," \
	" policy_domain_fallback, policy_strings, mx_hosts, total_successful," \
	" total_failure, superseded) VALUES "
#define POLICY_COLS 10
#define POLICY_TAIL " RETURNING id, report, idx"
#define FAILURE_INSERT \
	"INSERT INTO failure_details (policy, result_type, sending_mta_ip," \
	" receiving_mx_hostname, receiving_mx_helo, receiving_ip," \
	" failed_session_count, additional_information, failure_reason_code) VALUES "
/* parameters of one failure detail's row */
#define FAILURE_COLS 9

static const char *const stmt_sql[ST_COUNT] = {
	[ST_GET_RAW] = "SELECT raw_json, raw_json_len FROM reports WHERE id = ?1",
};

/* Where a report of the chunk stands. */
enum entry_state { E_PENDING, E_STORED, E_DUPLICATE, E_FAILED };

/* A report put in the batch: every value of its row, copied into the
 * chunk's arena (the caller frees the report when the put returns). */
struct entry {
	void *tag;
	enum entry_state state;
	enum tr_err rc;       /* E_FAILED: the error, err its reason */
	struct tr_error err;
	int64_t id;           /* reports.id once stored */
	const char *submitter, *report_id, *org, *contact, *source, *message_id, *auth;
	const char *dkim_domain, *dkim_selector, *client_addr;
	int64_t start, end, received;
	int counted;
	const void *blob;     /* the compressed JSON, NULL for none */
	size_t blob_len;
	int64_t raw_len;
	size_t first_policy, n_policies;  /* in the chunk's policies */
	size_t ru_from, ru_to;            /* its groups held by the rollups */
};

struct entry_policy {
	size_t entry;
	int64_t idx, id;      /* id: policies.id once stored */
	const char *type, *domain, *strings, *mx;
	int fallback, superseded;
	int64_t ok, fail;
	size_t first_failure, n_failures;  /* in the chunk's failures */
};

struct entry_failure {
	const char *rt, *sending_ip, *mx, *helo, *receiving_ip, *info, *code;
	int64_t count;
};

/* store_put_report()'s batch of one hears its outcome here. */
struct one_outcome {
	enum tr_err rc;
	enum store_outcome outcome;
	struct tr_error err;
};

struct store {
	struct db *db;
	struct db_stmt *stmt[ST_COUNT];
	int opened_readonly; /* STORE_OPEN_READONLY: a query-only store */
	struct rows *reports;  /* reports, many rows a statement */
	struct rows *policies; /* their policies with failure details, RETURNING their ids */
	struct rows *policies_later; /* the others */
	struct rows *failures; /* failure details */
	int in_batch;
	int bulk;         /* store_batch_begin()'s batch, not store_put_report()'s own */
	int tx_open;      /* the batch's transaction was begun */
	int batch_lost;   /* the database rolled the batch back on its own */
	store_outcome_fn *done;
	void *done_ctx;
	struct entry *e;  /* the chunk: n_e reports put, not yet written */
	size_t n_e, cap_e;
	struct entry_policy *pol;
	size_t n_pol, cap_pol;
	struct entry_failure *fail;
	size_t n_fail, cap_fail;
	size_t *send;     /* indexes into e, pol or fail being sent, cap_send */
	size_t cap_send;
	struct arena mem; /* the chunk's strings and blobs */
	z_stream z;       /* deflate state, reused from report to report */
	int z_ready;
	unsigned char *zbuf;
	size_t zcap;
	struct rollup *rollup;  /* the summary rollups' upserts and scratch */
	struct buf strings;  /* a policy's policy-strings as JSON, reused */
	struct buf mx;       /* its mx-hosts */
	struct one_outcome one; /* store_put_report()'s report's outcome */
	unsigned char *superseded; /* count_superseded() of the report, cap_superseded bytes */
	size_t cap_superseded;
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
	enum tr_err rc = rows_open_as(s->db, REPORT_INSERT, REPORT_ROW, REPORT_COLS, REPORT_TAIL, &s->reports, err);

	if (rc == TR_OK)
		rc = rows_open(s->db, POLICY_INSERT, POLICY_COLS, POLICY_TAIL, &s->policies, err);
	if (rc == TR_OK)
		rc = rows_open(s->db, POLICY_INSERT, POLICY_COLS, NULL, &s->policies_later, err);
	if (rc == TR_OK)
		rc = rows_open(s->db, FAILURE_INSERT, FAILURE_COLS, NULL, &s->failures, err);
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
	arena_init(&s->mem);
	/* db_open() names the database in its errors */
	rc = db_open(where, db_mode(mode), busy_timeout_ms > 0 ? busy_timeout_ms : DEFAULT_BUSY_MS, &s->db, err);
	if (rc != TR_OK) {
		store_close(s);
		return rc;
	}
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
	s->reports = rows_close(s->reports);
	s->policies = rows_close(s->policies);
	s->policies_later = rows_close(s->policies_later);
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
	free(s->e);
	free(s->pol);
	free(s->fail);
	free(s->send);
	arena_release(&s->mem);
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

/* ---- the chunk: reports put, held until written together ---- */

/* A copy of v (NULL stays NULL) in the chunk's arena; *oom set when
 * memory ran out. */
static const char *chunk_str(struct store *s, const char *v, int *oom)
{
	size_t n;
	char *d;

	if (v == NULL)
		return NULL;
	n = strlen(v) + 1;
	d = arena_alloc(&s->mem, n);
	if (d == NULL) {
		*oom = 1;
		return NULL;
	}
	memcpy(d, v, n);
	return d;
}

/* The bytes the chunk holds, for its bound. */
static size_t chunk_bytes(const struct store *s)
{
	return s->mem.total + s->n_pol * sizeof *s->pol + s->n_fail * sizeof *s->fail;
}

/* Policy idx of r with its failure details into the chunk. */
static enum tr_err copy_policy(struct store *s, size_t entry, size_t idx, const struct tlsrpt_policy *p,
                               struct tr_error *err)
{
	struct entry_policy *ep;
	int oom = 0;
	enum tr_err rc = json_array(&s->strings, p->policy_strings, p->n_policy_strings);

	if (rc == TR_OK)
		rc = json_array(&s->mx, p->mx_hosts, p->n_mx_hosts);
	if (rc != TR_OK)
		return tr_error_set(err, rc, "store: policies[%zu]: %s encoding its strings", idx,
		                    rc == TR_ERR_NOMEM ? "out of memory" : "too long");
	ep = array_grow(s->pol, &s->cap_pol, s->n_pol, sizeof *ep, 256);
	if (ep == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory holding the report");
	s->pol = ep;
	ep = &s->pol[s->n_pol++];
	*ep = (struct entry_policy){
		.entry = entry, .idx = (int64_t)idx,
		.type = chunk_str(s, p->policy_type, &oom), .domain = chunk_str(s, p->policy_domain, &oom),
		.strings = chunk_str(s, (const char *)s->strings.data, &oom),
		.mx = chunk_str(s, (const char *)s->mx.data, &oom),
		.fallback = p->policy_domain_fallback ? 1 : 0, .superseded = s->superseded[idx],
		.ok = (int64_t)p->total_successful, .fail = (int64_t)p->total_failure,
		.first_failure = s->n_fail, .n_failures = p->n_failures,
	};
	for (size_t i = 0; i < p->n_failures && !oom; i++) {
		const struct tlsrpt_failure *f = &p->failures[i];
		struct entry_failure *ef = array_grow(s->fail, &s->cap_fail, s->n_fail, sizeof *ef, 256);

		if (ef == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory holding the report");
		s->fail = ef;
		s->fail[s->n_fail++] = (struct entry_failure){
			.rt = chunk_str(s, f->result_type, &oom), .sending_ip = chunk_str(s, f->sending_mta_ip, &oom),
			.mx = chunk_str(s, f->receiving_mx_hostname, &oom),
			.helo = chunk_str(s, f->receiving_mx_helo, &oom),
			.receiving_ip = chunk_str(s, f->receiving_ip, &oom),
			.info = chunk_str(s, f->additional_information, &oom),
			.code = chunk_str(s, f->failure_reason_code, &oom),
			.count = (int64_t)f->failed_session_count,
		};
	}
	return oom ? tr_error_set(err, TR_ERR_NOMEM, "store: out of memory holding the report") : TR_OK;
}

/* Entry e (s->e[entry]) filled from r and m: every value its rows need. */
static enum tr_err copy_report(struct store *s, size_t entry, const struct tlsrpt_report *r,
                               const struct store_meta *m, const struct packed_json *pj, struct tr_error *err)
{
	struct entry *e = &s->e[entry];
	enum tr_err rc = TR_OK;
	int oom = 0;

	e->submitter = chunk_str(s, r->submitter != NULL ? r->submitter : "", &oom);
	e->report_id = chunk_str(s, r->report_id, &oom);
	e->org = chunk_str(s, r->organization_name, &oom);
	e->contact = chunk_str(s, r->contact_info, &oom);
	e->source = chunk_str(s, m->source, &oom);
	e->message_id = chunk_str(s, m->message_id, &oom);
	e->auth = chunk_str(s, m->auth != NULL ? m->auth : "unknown", &oom);
	e->dkim_domain = chunk_str(s, m->dkim_domain, &oom);
	e->dkim_selector = chunk_str(s, m->dkim_selector, &oom);
	e->client_addr = chunk_str(s, m->client_addr, &oom);
	e->start = r->start;
	e->end = r->end;
	e->received = m->received_at != 0 ? m->received_at : (int64_t)time(NULL);
	e->counted = m->counted ? 1 : 0;
	e->raw_len = (int64_t)pj->raw_len;
	if (pj->data != NULL) {
		void *blob = arena_alloc(&s->mem, pj->len);

		if (blob != NULL)
			memcpy(blob, pj->data, pj->len);
		oom |= blob == NULL;
		e->blob = blob;
		e->blob_len = pj->len;
	}
	if (oom)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory holding the report");
	e->first_policy = s->n_pol;
	for (size_t i = 0; i < r->n_policies && rc == TR_OK; i++)
		rc = copy_policy(s, entry, i, &r->policies[i], err);
	e->n_policies = s->n_pol - e->first_policy;
	return rc;
}

/* Validate r, pack its JSON, copy it into entry and hold its rollup
 * groups (a counted report's). */
static enum tr_err hold_report(struct store *s, size_t entry, const struct tlsrpt_report *r,
                               const struct store_meta *m, struct tr_error *err)
{
	struct entry *e = &s->e[entry];
	struct packed_json pj;
	size_t pol = s->n_pol, fail = s->n_fail;
	enum tr_err rc = check_meta(m, err);

	if (rc == TR_OK)
		rc = check_counts(r, err);
	if (rc == TR_OK)
		rc = pack_json(s, r, &pj, err);
	if (rc == TR_OK)
		rc = mark_superseded(s, r, err);
	if (rc == TR_OK)
		rc = copy_report(s, entry, r, m, &pj, err);
	e->ru_from = e->ru_to = rollup_batch_mark(s->rollup);
	if (rc == TR_OK && m->counted)
		rc = rollup_add_report(s->rollup, r, s->superseded,
		                       m->auth != NULL && strcmp(m->auth, "pass") == 0, err);
	e->ru_to = rollup_batch_mark(s->rollup);
	if (rc != TR_OK) {
		/* its rows are not sent: none of them stays */
		s->n_pol = pol;
		s->n_fail = fail;
		e->n_policies = 0;
	}
	return rc;
}

/* ---- writing a chunk ---- */

/* Room for n indexes to send. */
static enum tr_err reserve_send(struct store *s, size_t n, struct tr_error *err)
{
	size_t *v;

	if (n <= s->cap_send)
		return TR_OK;
	v = realloc(s->send, n * sizeof *v);
	if (v == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "store: out of memory writing the reports");
	s->send = v;
	s->cap_send = n;
	return TR_OK;
}

static void bind_report(struct db_stmt *st, int base, const struct entry *e)
{
	db_bind_text(st, base + 1, e->submitter);
	db_bind_text(st, base + 2, e->report_id);
	db_bind_int64(st, base + 3, e->start);
	db_bind_int64(st, base + 4, e->end);
	db_bind_text(st, base + 5, e->org);
	db_bind_text(st, base + 6, e->contact);
	db_bind_int64(st, base + 7, e->received);
	db_bind_text(st, base + 8, e->source);
	db_bind_text(st, base + 9, e->message_id);
	db_bind_text(st, base + 10, e->auth);
	db_bind_int64(st, base + 11, e->counted);
	if (e->blob != NULL)
		db_bind_blob(st, base + 12, e->blob, e->blob_len);
	else
		db_bind_null(st, base + 12);
	db_bind_int64(st, base + 13, e->raw_len);
	db_bind_text(st, base + 14, e->dkim_domain);
	db_bind_text(st, base + 15, e->dkim_selector);
	db_bind_text(st, base + 16, e->client_addr);
}

/* Whether e has the identity of the row st returned (columns 1 to 4). */
static int same_identity(const struct entry *e, struct db_stmt *st)
{
	const char *rid, *sub;

	if (e->id != 0 || e->start != db_column_int64(st, 3) || e->end != db_column_int64(st, 4))
		return 0;
	rid = db_column_text(st, 2, NULL);
	sub = db_column_text(st, 1, NULL);
	return rid != NULL && sub != NULL && strcmp(e->report_id, rid) == 0 && strcmp(e->submitter, sub) == 0;
}

/* Run st, the INSERT of the n reports idx, and give each row it returns
 * to its entry: tried in the order sent first, since both backends return
 * them so. */
static enum tr_err read_report_ids(struct store *s, struct db_stmt *st, const size_t *idx, size_t n,
                                   struct tr_error *err)
{
	size_t next = 0;
	enum tr_err rc;
	int row = 0;

	for (;;) {
		size_t t = 0;

		rc = db_step(st, &row, "storing the reports", err);
		if (rc != TR_OK || !row)
			break;
		while (t < n && !same_identity(&s->e[idx[(next + t) % n]], st))
			t++;
		if (t == n) {
			rc = tr_error_set(err, TR_ERR_DB, "store: the database returned a report not sent");
			break;
		}
		s->e[idx[(next + t) % n]].id = db_column_int64(st, 0);
		next = (next + t + 1) % n;
	}
	db_reset(st);
	return rc;
}

/* Whether entry i is the same report as an earlier one of [from, i) that
 * is being sent: a duplicate inside the chunk, never sent. */
static int dup_in_chunk(const struct store *s, size_t from, size_t i)
{
	const struct entry *e = &s->e[i];

	for (size_t j = from; j < i; j++) {
		const struct entry *o = &s->e[j];

		if (o->state == E_PENDING && o->start == e->start && o->end == e->end &&
		    strcmp(o->report_id, e->report_id) == 0 && strcmp(o->submitter, e->submitter) == 0)
			return 1;
	}
	return 0;
}

/* The pending reports of [from, to) in multi-row INSERTs; each stored one
 * gets its id and E_STORED, the others E_DUPLICATE. */
static enum tr_err send_reports(struct store *s, size_t from, size_t to, struct tr_error *err)
{
	enum tr_err rc = reserve_send(s, to - from, err);
	size_t n = 0;

	for (size_t i = from; i < to && rc == TR_OK; i++) {
		if (s->e[i].state != E_PENDING)
			continue;
		if (dup_in_chunk(s, from, i))
			s->e[i].state = E_DUPLICATE;
		else
			s->send[n++] = i;
	}
	for (size_t k = 0; k < n && rc == TR_OK;) {
		size_t rows;
		struct db_stmt *st;

		rc = rows_pick(s->reports, n - k, &rows, &st, err);
		if (rc != TR_OK)
			break;
		for (size_t r = 0; r < rows; r++)
			bind_report(st, rows_base(s->reports, r), &s->e[s->send[k + r]]);
		rc = read_report_ids(s, st, &s->send[k], rows, err);
		k += rows;
	}
	for (size_t k = 0; k < n && rc == TR_OK; k++) {
		struct entry *e = &s->e[s->send[k]];

		e->state = e->id != 0 ? E_STORED : E_DUPLICATE;
	}
	return rc;
}

static void bind_policy(struct db_stmt *st, int base, int64_t report, const struct entry_policy *p)
{
	db_bind_int64(st, base + 1, report);
	db_bind_int64(st, base + 2, p->idx);
	db_bind_text(st, base + 3, p->type);
	db_bind_text(st, base + 4, p->domain);
	db_bind_int64(st, base + 5, p->fallback);
	db_bind_text(st, base + 6, p->strings);
	db_bind_text(st, base + 7, p->mx);
	db_bind_int64(st, base + 8, p->ok);
	db_bind_int64(st, base + 9, p->fail);
	db_bind_int64(st, base + 10, p->superseded);
}

/* Run st, the INSERT of the n policies idx, and give each returned id to
 * its policy (found by report and idx, in the order sent first). */
static enum tr_err read_policy_ids(struct store *s, struct db_stmt *st, const size_t *idx, size_t n,
                                   struct tr_error *err)
{
	size_t next = 0;
	enum tr_err rc;
	int row = 0;

	for (;;) {
		size_t t = 0;
		int64_t report, pidx;

		rc = db_step(st, &row, "storing the policies", err);
		if (rc != TR_OK || !row)
			break;
		report = db_column_int64(st, 1);
		pidx = db_column_int64(st, 2);
		while (t < n) {
			const struct entry_policy *p = &s->pol[idx[(next + t) % n]];

			if (p->id == 0 && p->idx == pidx && s->e[p->entry].id == report)
				break;
			t++;
		}
		if (t == n) {
			rc = tr_error_set(err, TR_ERR_DB, "store: the database returned a policy not sent");
			break;
		}
		s->pol[idx[(next + t) % n]].id = db_column_int64(st, 0);
		next = (next + t + 1) % n;
	}
	db_reset(st);
	return rc;
}

/* The policies of the stored reports of [from, to): those with failure
 * details first, their ids read back for the details; then the others,
 * whose ids nobody needs, without RETURNING (whose rows cost SQLite a
 * temporary table) and without a wait. */
static enum tr_err send_policies(struct store *s, size_t from, size_t to, struct tr_error *err)
{
	enum tr_err rc = reserve_send(s, s->n_pol, err);
	size_t n = 0, n_ids = 0;

	for (int ids = 1; ids >= 0; ids--) {
		for (size_t i = from; i < to && rc == TR_OK; i++) {
			const struct entry *e = &s->e[i];

			for (size_t k = 0; e->state == E_STORED && k < e->n_policies; k++) {
				if ((s->pol[e->first_policy + k].n_failures > 0) == ids)
					s->send[n++] = e->first_policy + k;
			}
		}
		if (ids)
			n_ids = n;
	}
	for (size_t k = 0; k < n && rc == TR_OK;) {
		struct rows *rs = k < n_ids ? s->policies : s->policies_later;
		size_t rows, end = k < n_ids ? n_ids : n;
		struct db_stmt *st;

		rc = rows_pick(rs, end - k, &rows, &st, err);
		if (rc != TR_OK)
			break;
		for (size_t r = 0; r < rows; r++) {
			const struct entry_policy *p = &s->pol[s->send[k + r]];

			bind_policy(st, rows_base(rs, r), s->e[p->entry].id, p);
		}
		if (rs == s->policies)
			rc = read_policy_ids(s, st, &s->send[k], rows, err);
		else
			rc = db_run_later(st, "storing the policies", err);
		k += rows;
	}
	for (size_t k = 0; k < n_ids && rc == TR_OK; k++) {
		if (s->pol[s->send[k]].id == 0)
			rc = tr_error_set(err, TR_ERR_DB, "store: a policy was not stored");
	}
	return rc;
}

/* Bind failure detail f of policy as the row whose first parameter is
 * base + 1. */
static void bind_failure(struct db_stmt *st, int base, int64_t policy, const struct entry_failure *f)
{
	db_bind_int64(st, base + 1, policy);
	db_bind_text(st, base + 2, f->rt);
	db_bind_text(st, base + 3, f->sending_ip);
	db_bind_text(st, base + 4, f->mx);
	db_bind_text(st, base + 5, f->helo);
	db_bind_text(st, base + 6, f->receiving_ip);
	db_bind_int64(st, base + 7, f->count);
	db_bind_text(st, base + 8, f->info);
	db_bind_text(st, base + 9, f->code);
}

/* The failure details of the stored reports of [from, to), as few
 * statements as fit, not waited for: the savepoint's release waits. */
static enum tr_err send_failures(struct store *s, size_t from, size_t to, struct tr_error *err)
{
	enum tr_err rc = reserve_send(s, 2 * s->n_fail, err);
	size_t n = 0;

	/* pairs: failure index, policy index */
	for (size_t i = from; i < to && rc == TR_OK; i++) {
		const struct entry *e = &s->e[i];

		for (size_t k = 0; e->state == E_STORED && k < e->n_policies; k++) {
			const struct entry_policy *p = &s->pol[e->first_policy + k];

			for (size_t f = 0; f < p->n_failures; f++, n++) {
				s->send[2 * n] = p->first_failure + f;
				s->send[2 * n + 1] = e->first_policy + k;
			}
		}
	}
	for (size_t k = 0; k < n && rc == TR_OK;) {
		size_t rows;
		struct db_stmt *st;

		rc = rows_pick(s->failures, n - k, &rows, &st, err);
		if (rc != TR_OK)
			break;
		for (size_t r = 0; r < rows; r++, k++)
			bind_failure(st, rows_base(s->failures, r), s->pol[s->send[2 * k + 1]].id,
			             &s->fail[s->send[2 * k]]);
		rc = db_run_later(st, "storing a failure detail", err);
	}
	return rc;
}

/* Entries of [from, to) that were being written back to E_PENDING, as
 * their rows were rolled back. */
static void unwrite(struct store *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct entry *e = &s->e[i];

		if (e->state == E_FAILED)
			continue;
		e->state = E_PENDING;
		e->id = 0;
		for (size_t k = 0; k < e->n_policies; k++)
			s->pol[e->first_policy + k].id = 0;
	}
}

/* The pending entries of [from, to) fail with rc and why, plus suffix. */
static void fail_pending(struct store *s, size_t from, size_t to, enum tr_err rc, const struct tr_error *why,
                         const char *suffix)
{
	for (size_t i = from; i < to; i++) {
		struct entry *e = &s->e[i];
		size_t len;

		if (e->state != E_PENDING)
			continue;
		e->state = E_FAILED;
		e->rc = rc;
		e->err = *why;
		e->err.code = rc;
		len = strnlen(e->err.msg, sizeof e->err.msg);
		snprintf(e->err.msg + len, sizeof e->err.msg - len, "%s", suffix);
	}
}

/* The database gave up the transaction (or its savepoint cannot be
 * rolled back to): the batch is gone, and so are the groups it held. */
static void lose_batch(struct store *s, size_t from, size_t to, enum tr_err rc, const struct tr_error *why)
{
	db_rollback(s->db);
	s->tx_open = 0;
	s->batch_lost = 1;
	rollup_batch_end(s->rollup);
	rollup_batch_begin(s->rollup);
	unwrite(s, from, to);
	fail_pending(s, from, to, rc, why, s->bulk ? " (the whole batch was rolled back)" : "");
}

/* Write the pending entries of [from, to) under one savepoint; should
 * anything fail, roll back to it and write each again alone, so that one
 * bad report fails by itself. */
static void write_entries(struct store *s, size_t from, size_t to)
{
	struct tr_error why;
	size_t pending = 0;
	enum tr_err rc;

	for (size_t i = from; i < to; i++)
		pending += s->e[i].state == E_PENDING;
	if (pending == 0)
		return;
	tr_error_clear(&why);
	rc = db_savepoint(s->db, &why);
	if (rc == TR_OK)
		rc = send_reports(s, from, to, &why);
	if (rc == TR_OK)
		rc = send_policies(s, from, to, &why);
	if (rc == TR_OK)
		rc = send_failures(s, from, to, &why);
	/* the wait that returns the errors of what was sent without one */
	if (rc == TR_OK)
		rc = db_release(s->db, &why);
	if (rc == TR_OK)
		return;
	if (!db_in_transaction(s->db) || db_rollback_to(s->db, NULL) != TR_OK || db_release(s->db, NULL) != TR_OK) {
		lose_batch(s, from, to, rc, &why);
		return;
	}
	unwrite(s, from, to);
	if (pending == 1) {
		fail_pending(s, from, to, rc, &why, "");
		return;
	}
	for (size_t i = from; i < to && !s->batch_lost; i++)
		write_entries(s, i, i + 1);
	if (s->batch_lost) {
		/* those written before the loss went with it */
		unwrite(s, from, to);
		fail_pending(s, from, to, TR_ERR_DB,
		             &(struct tr_error){ TR_ERR_DB, "store: the batch was rolled back by an earlier error" },
		             "");
	}
}

/* Write the chunk, tell each of its reports' outcome in order, and start
 * an empty one. */
static void write_chunk(struct store *s)
{
	if (s->n_e == 0)
		return;
	if (!s->tx_open && !s->batch_lost) {
		struct tr_error why;
		enum tr_err rc;

		/* store_put_report()'s own transaction, begun only now to hold
		 * the write lock briefly */
		tr_error_clear(&why);
		rc = db_begin(s->db, &why);
		if (rc == TR_OK)
			s->tx_open = 1;
		else
			fail_pending(s, 0, s->n_e, rc, &why, "");
	}
	if (s->tx_open)
		write_entries(s, 0, s->n_e);
	/* only stored reports count: the others' groups go, last first */
	for (size_t i = s->n_e; i-- > 0 && !s->batch_lost;) {
		const struct entry *e = &s->e[i];

		if (e->state != E_STORED)
			rollup_batch_drop(s->rollup, e->ru_from, e->ru_to);
	}
	for (size_t i = 0; i < s->n_e; i++) {
		const struct entry *e = &s->e[i];

		if (e->state == E_FAILED)
			s->done(s->done_ctx, e->tag, e->rc, STORE_STORED, &e->err);
		else
			s->done(s->done_ctx, e->tag, TR_OK, e->state == E_STORED ? STORE_STORED : STORE_DUPLICATE, NULL);
	}
	s->n_e = s->n_pol = s->n_fail = 0;
	arena_release(&s->mem);
	if (s->tx_open && !s->batch_lost) {
		struct tr_error why;

		tr_error_clear(&why);
		if (rollup_batch_make_room(s->rollup, &why) != TR_OK)
			lose_batch(s, 0, 0, why.code, &why);
	}
}

/* ---- batches ---- */

/* A batch: store_batch_begin()'s (bulk: begun at once, in bulk mode), or
 * store_put_report()'s own (its transaction begun when written). */
static enum tr_err batch_open(struct store *s, int bulk, store_outcome_fn *done, void *ctx, struct tr_error *err)
{
	enum tr_err rc = check_writable(s, err);

	if (rc != TR_OK)
		return rc;
	if (bulk) {
		rc = db_bulk(s->db, 1, err);
		if (rc == TR_OK)
			rc = db_begin(s->db, err);
		if (rc != TR_OK) {
			db_bulk(s->db, 0, NULL);
			return rc;
		}
	}
	rollup_batch_begin(s->rollup);
	s->in_batch = 1;
	s->bulk = bulk;
	s->tx_open = bulk;
	s->batch_lost = 0;
	s->done = done;
	s->done_ctx = ctx;
	return TR_OK;
}

/* Large reports' scratch and chunk arrays are not worth keeping. */
static void trim_chunk(struct store *s)
{
	if (s->cap_e > CHUNK_MAX_REPORTS) {
		free(s->e);
		s->e = NULL;
		s->cap_e = 0;
	}
	if (s->cap_pol > CHUNK_KEEP || s->cap_fail > CHUNK_KEEP || s->cap_send > 2 * CHUNK_KEEP) {
		free(s->pol);
		free(s->fail);
		free(s->send);
		s->pol = NULL;
		s->fail = NULL;
		s->send = NULL;
		s->cap_pol = s->cap_fail = s->cap_send = 0;
	}
	trim_scratch(s);
}

/* Write what is held, flush the rollups and commit; or roll back what
 * the database already gave up. */
static enum tr_err batch_close(struct store *s, struct tr_error *err)
{
	enum tr_err rc = TR_OK;

	write_chunk(s);
	s->in_batch = 0;
	if (s->batch_lost) {
		rc = tr_error_set(err, TR_ERR_DB, "store_batch_end: the batch was rolled back by an earlier error");
	} else if (s->tx_open) {
		rc = rollup_batch_flush(s->rollup, err);
		if (rc == TR_OK)
			rc = db_commit(s->db, err);
		if (rc != TR_OK)
			db_rollback(s->db);
	}
	rollup_batch_end(s->rollup);
	s->tx_open = 0;
	s->batch_lost = 0;
	if (s->bulk && db_bulk(s->db, 0, rc == TR_OK ? err : NULL) != TR_OK)
		rc = TR_ERR_DB;
	s->bulk = 0;
	s->done = NULL;
	s->done_ctx = NULL;
	trim_chunk(s);
	return rc;
}

enum tr_err store_batch_begin(struct store *s, store_outcome_fn *done, void *ctx, struct tr_error *err)
{
	if (s == NULL || done == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_begin: no store or no callback");
	if (s->in_batch)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_begin: a batch is already open");
	return batch_open(s, 1, done, ctx, err);
}

enum tr_err store_batch_put(struct store *s, const struct tlsrpt_report *r, const struct store_meta *meta,
                            void *tag, struct tr_error *err)
{
	struct entry *e;

	if (s == NULL || r == NULL || meta == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_put: missing argument");
	if (!s->in_batch)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_put: no batch is open");
	e = array_grow(s->e, &s->cap_e, s->n_e, sizeof *e, CHUNK_MAX_REPORTS);
	if (e == NULL) {
		struct tr_error why;

		/* no room to hold even its outcome: write the chunk, then say it */
		write_chunk(s);
		tr_error_set(&why, TR_ERR_NOMEM, "store: out of memory holding the report");
		s->done(s->done_ctx, tag, TR_ERR_NOMEM, STORE_STORED, &why);
		return TR_OK;
	}
	s->e = e;
	e = &s->e[s->n_e++];
	memset(e, 0, sizeof *e);
	e->tag = tag;
	e->state = E_PENDING;
	tr_error_clear(&e->err);
	if (s->batch_lost)
		e->rc = tr_error_set(&e->err, TR_ERR_DB, "store: the batch was rolled back by an earlier error");
	else
		e->rc = hold_report(s, s->n_e - 1, r, meta, &e->err);
	if (e->rc != TR_OK)
		e->state = E_FAILED;
	if (s->n_e >= CHUNK_MAX_REPORTS || chunk_bytes(s) >= CHUNK_MAX_BYTES)
		write_chunk(s);
	return TR_OK;
}

enum tr_err store_batch_write(struct store *s, struct tr_error *err)
{
	if (s == NULL || !s->in_batch || !s->bulk)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_write: no batch is open");
	write_chunk(s);
	return TR_OK;
}

enum tr_err store_batch_end(struct store *s, struct tr_error *err)
{
	if (s == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_end: no store");
	if (!s->in_batch || !s->bulk)
		return tr_error_set(err, TR_ERR_USAGE, "store_batch_end: no batch is open");
	return batch_close(s, err);
}

static void note_one(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome, const struct tr_error *err)
{
	struct one_outcome *one = &((struct store *)ctx)->one;

	(void)tag;
	one->rc = rc;
	one->outcome = outcome;
	if (rc != TR_OK)
		one->err = *err;
}

enum tr_err store_put_report(struct store *s, const struct tlsrpt_report *r,
                             const struct store_meta *meta, enum store_outcome *outcome,
                             struct tr_error *err)
{
	enum tr_err rc;

	if (s == NULL || r == NULL || meta == NULL || outcome == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_put_report: missing argument");
	if (s->in_batch)
		return tr_error_set(err, TR_ERR_USAGE, "store_put_report: inside a batch (store_batch_put())");
	rc = batch_open(s, 0, note_one, s, err);
	if (rc != TR_OK)
		return rc;
	s->one.rc = TR_OK;
	(void)store_batch_put(s, r, meta, NULL, NULL);
	rc = batch_close(s, err);
	if (s->one.rc != TR_OK) {
		if (err != NULL)
			*err = s->one.err;
		return s->one.rc;
	}
	if (rc == TR_OK)
		*outcome = s->one.outcome;
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

