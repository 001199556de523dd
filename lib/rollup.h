/*
 * rollup: upkeep of the summary rollups (schema.sql, versions 2, 3, 11
 * and the folded ones of 13), the pre-summed tables the summaries read
 * instead of every report.
 *
 * Each counted report the store keeps is added to them with the rest of
 * its batch (rollup_add_report); whatever deletes or changes stored
 * reports recomputes the start times it touched (rollup_rebuild).  The
 * sums saturate at INT64_MAX: the connection must know tr_sum and tr_add
 * (every backend defines them, db.h).
 */
#ifndef TLSRPT_ROLLUP_H
#define TLSRPT_ROLLUP_H

#include "db.h"
#include "err.h"
#include "report.h"

/* A connection's prepared upserts and the scratch that sums a report. */
struct rollup;

/*
 * Prepare the upserts on db, which must hold the current schema and
 * outlive the result.  On success *out is owned by the caller
 * (rollup_close(), before db is closed).  Errors: TR_ERR_DB, TR_ERR_NOMEM.
 */
enum tr_err rollup_open(struct db *db, struct rollup **out, struct tr_error *err);

/* Finalize and free; NULL-safe.  Returns NULL: ru = rollup_close(ru). */
struct rollup *rollup_close(struct rollup *ru);

/*
 * Hold report r's groups (its start, submitter and policies; auth_pass:
 * it was authenticated as "pass") for every rollup, inside a batch;
 * superseded is count_superseded()'s mark of r's policies (never NULL),
 * and a superseded policy adds nothing.  Counts must be <= INT64_MAX
 * (store_put_report checks).  Nothing is written until
 * rollup_batch_flush(), so that the caller may drop the groups of a report
 * it did not store.  The scratch grows with the report and is kept: see
 * rollup_trim().  Errors: TR_ERR_NOMEM, and then nothing of r is held.
 */
enum tr_err rollup_add_report(struct rollup *ru, const struct tlsrpt_report *r, const unsigned char *superseded,
                              int auth_pass, struct tr_error *err);

/*
 * Batches: between rollup_batch_begin() and rollup_batch_end(), the groups
 * of the reports added are held in memory and upserted together, summed
 * per key and in key order, by rollup_batch_flush() (or
 * rollup_batch_make_room()).  The caller flushes inside the batch's write
 * transaction before committing it, and before anything that reads or
 * rebuilds the rollups in that transaction; rollup_batch_end() drops
 * whatever was not flushed (a batch rolled back).
 */
void rollup_batch_begin(struct rollup *ru);

/* Flush now when the batch holds many groups (a few MB), at a moment when
 * every group held belongs to a report the caller has stored.  Errors as
 * rollup_batch_flush(). */
enum tr_err rollup_batch_make_room(struct rollup *ru, struct tr_error *err);

/* How many groups are held now, and dropping the groups [from, to) of
 * that count (a report that turned out a duplicate or failed): the
 * caller notes the marks around each rollup_add_report(), and drops from
 * the last report backwards so that earlier marks stay valid. */
size_t rollup_batch_mark(const struct rollup *ru);
void rollup_batch_drop(struct rollup *ru, size_t from, size_t to);

/* Upsert every group held, then hold none (even on error, when the caller
 * rolls the transaction back).  Errors: TR_ERR_DB, TR_ERR_BUSY, TR_ERR_NOMEM. */
enum tr_err rollup_batch_flush(struct rollup *ru, struct tr_error *err);

/* Leave batch mode, dropping what is held; NULL-safe. */
void rollup_batch_end(struct rollup *ru);

/* Free the scratch if a huge report left it large; NULL-safe. */
void rollup_trim(struct rollup *ru);

/*
 * Recompute, from the base tables, every rollup row whose start_time the
 * SQL query starts_sql yields (a fixed text such as "SELECT start_time
 * FROM temp.gone", never data, its column named start_time; read after
 * the change, so list the start times before deleting), and the folded
 * rollups' rows of their buckets from the rollups they fold.  Runs in the caller's write transaction.
 * Errors: TR_ERR_DB, TR_ERR_BUSY, TR_ERR_NOMEM, TR_ERR_USAGE (no db or
 * query, or the query too long).
 */
enum tr_err rollup_rebuild(struct db *db, const char *starts_sql, struct tr_error *err);

#endif
