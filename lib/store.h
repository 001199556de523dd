/*
 * store: reports, their policies and failure details in a database (db.h:
 * an SQLite file or a PostgreSQL server), each report stored exactly once.
 *
 * The schema is the backend's (schema/schema.sql for SQLite), compiled
 * in; opening an older database applies the numbered migrations in order
 * inside one transaction (migrate.h, included here for
 * store_schema_version(), store_migrate() and the rest).  SQLite runs in
 * WAL mode with a busy timeout, so the milter's threads, the CLI and other
 * processes may use it at once: each thread opens its own struct store.
 *
 * A report is the same report when submitter, report-id, start and end
 * all match; storing it again is a duplicate and changes nothing.
 * A report, its rows and its rollups are written in one transaction:
 * after a crash the database holds the whole report or none of it.
 */
#ifndef TLSRPT_STORE_H
#define TLSRPT_STORE_H

#include <stdint.h>

#include "db.h"
#include "err.h"
#include "migrate.h"
#include "report.h"

struct store;

enum store_open_mode {
	STORE_OPEN_EXISTING, /* the database must exist: TR_ERR_NOTFOUND if not */
	STORE_OPEN_CREATE,   /* create file and schema when missing */
	STORE_OPEN_READONLY  /* must exist; opened read-only (queries) */
};

/* How a report arrived and what was verified; strings are copied. */
struct store_meta {
	const char *source;      /* "milter", "import" or "https" */
	const char *message_id;  /* NULL allowed */
	const char *auth;        /* "pass", "fail", "none", "temperror" or "unknown";
	                            NULL = "unknown" */
	int counted;             /* 1: counts in summaries; 0: kept but set aside
	                            (rejected for authentication) */
	int64_t received_at;     /* epoch seconds; 0 = now */
	const char *dkim_domain;   /* d= of the signature behind auth; NULL allowed */
	const char *dkim_selector; /* its selector; NULL allowed */
	const char *client_addr; /* source "https": the client's address; NULL otherwise */
};

enum store_outcome {
	STORE_STORED,
	STORE_DUPLICATE
};

/*
 * Open (and if asked create or migrate) the database where: an SQLite
 * file's path or a postgresql:// URI (db_open()).
 * busy_timeout_ms bounds how long a statement waits for a lock (0 means
 * the default of 5000).  Errors: TR_ERR_NOTFOUND (missing, not created;
 * read-only: also a database with no tables yet), TR_ERR_DB (not a database, newer schema than this build knows, I/O),
 * TR_ERR_BUSY, TR_ERR_NOMEM.  On success *out is owned by the caller
 * (store_close()).
 */
enum tr_err store_open(const char *where, enum store_open_mode mode, int busy_timeout_ms,
                       struct store **out, struct tr_error *err);

/* Close; NULL-safe.  Returns NULL so callers can write s = store_close(s). */
struct store *store_close(struct store *s);

/*
 * Store one parsed report (its submitter and json fields included) in one
 * transaction: the milter's way, and a batch of one (the same code).
 * *outcome says whether it was new or a duplicate.
 * r->submitter may be NULL (stored as the empty string: the report still
 * has a key).  Errors: TR_ERR_BUSY (locked past the timeout), TR_ERR_DB
 * (disk full, read-only, corrupt...), TR_ERR_NOMEM, TR_ERR_USAGE (bad
 * meta or counts, or inside a batch); nothing is half-written.
 */
enum tr_err store_put_report(struct store *s, const struct tlsrpt_report *r,
                             const struct store_meta *meta, enum store_outcome *outcome,
                             struct tr_error *err);

/*
 * What a batch says of each report put in it, once the report was written:
 * rc TR_OK and outcome, or rc an error (as store_put_report()'s) and err
 * its reason; tag is what store_batch_put() was given.  err is valid
 * during the call only.
 */
typedef void store_outcome_fn(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome,
                              const struct tr_error *err);

/*
 * Batching for bulk import: between store_batch_begin() and
 * store_batch_end(), store_batch_put() validates a report and copies
 * what its rows need into a chunk the store holds (r may be freed on
 * return); a chunk is written when it holds 64 reports or 4 MiB (so at
 * most 4 MiB plus the last report), at store_batch_write() and at
 * store_batch_end(): its reports in a few multi-row statements under one
 * savepoint, inside one outer transaction, so that thousands of reports
 * cost one commit and a server few round trips.  done(ctx, tag, ...) is
 * called once for every report put, in the order they were put, when its
 * chunk has been written (so from inside store_batch_put(),
 * store_batch_write() or store_batch_end()).  A report that fails (bad
 * input, text the database refuses) fails alone: its chunk is rolled
 * back to the savepoint and written again one report at a time.  A
 * duplicate of a stored report, or of one put earlier in the batch, is
 * STORE_DUPLICATE.  The first batch puts the connection in bulk mode
 * (db_bulk(): SQLite's page cache grows to 32 MiB, for good).
 * The summary rollups of the stored reports are summed in memory and
 * written by store_batch_end() (or earlier, once a few MB are held),
 * which then commits; should writing them or the commit fail, the batch
 * is rolled back and store_batch_end() returns the error.
 * Should the database roll the whole transaction back on its own (disk
 * full, I/O error, a lost connection), the reports of that chunk fail
 * with "(the whole batch was rolled back)", those put after it fail too,
 * and store_batch_end() returns TR_ERR_DB: nothing of the batch was kept,
 * not even the reports earlier chunks told were stored.
 * store_batch_write() writes the chunk now, its outcomes told before it
 * returns: for a caller that prints something which must follow them.
 * store_batch_begin() inside a batch or without done, and
 * store_batch_put() or store_batch_write() outside one, are TR_ERR_USAGE;
 * store_batch_put() returns nothing else (every report's own error goes
 * to done).
 * store_close() inside a batch discards it, without calling done.
 */
enum tr_err store_batch_begin(struct store *s, store_outcome_fn *done, void *ctx, struct tr_error *err);
enum tr_err store_batch_put(struct store *s, const struct tlsrpt_report *r, const struct store_meta *meta,
                            void *tag, struct tr_error *err);
enum tr_err store_batch_write(struct store *s, struct tr_error *err);
enum tr_err store_batch_end(struct store *s, struct tr_error *err);

/* The connection, for query modules (summary, views, presence) and the
 * tests; NULL for a NULL store. */
struct db *store_db(struct store *s);

/*
 * Added for the CLI and the tests: the JSON of report id (reports.id) as
 * it was received, decompressed.  On success *json is a NUL-terminated
 * copy owned by the caller (free()) and *len its length without the NUL.
 * Errors: TR_ERR_NOTFOUND (no such report, or none kept), TR_ERR_LIMIT
 * (over STORE_MAX_JSON), TR_ERR_DB (damaged), TR_ERR_BUSY, TR_ERR_NOMEM.
 */
#define STORE_MAX_JSON ((size_t)1 << 30)
enum tr_err store_get_raw_json(struct store *s, int64_t report_id, char **json, size_t *len,
                               struct tr_error *err);

/*
 * The summary rollups (schema.sql) follow every counted report that
 * store_put_report() stores.  Whatever deletes or changes stored reports
 * must rebuild them with rollup_rebuild() (rollup.h).
 *
 * Every connection store_open() makes also knows tr_sum(x) and
 * tr_add(a, b), saturating sums, and tr_day(t), a UTC date (db.h).
 */

#endif
