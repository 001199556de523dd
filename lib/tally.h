/*
 * tally: summary rows summed in C from a stream of failure details, for a
 * summary key that no rollup keeps (sending-ip).  SQLite would group such
 * a key by sorting every detail, once for the rows and again for their
 * result types; a hash of the keys seen takes one pass and sorts only the
 * rows at the end.
 *
 * The sums are those of summary.h: failed and failed_with_policy sum the
 * details' counts, ignoring counts <= 0 and saturating at INT64_MAX (as
 * tr_sum() does); reports counts the distinct report ids of a row.  Keys
 * and result-type names are compared as bytes, like SQLite's BINARY
 * collation, and may be hostile: the hash is seeded afresh per tally.
 */
#ifndef TLSRPT_TALLY_H
#define TLSRPT_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "summary.h"

struct tally;

/* An empty tally; *out is the caller's (tally_free()).  TR_ERR_NOMEM. */
enum tr_err tally_new(struct tally **out, struct tr_error *err);

/*
 * Count one failure detail of report `report`: failed_session_count
 * `count` under row `key` (key_len bytes) and result type `rt` (rt_len
 * bytes); with_policy: the detail's policy is of a type other than
 * "no-policy-found".  The details of one report must all be added before
 * any of another report's (the caller orders them by report): a row's
 * report count goes up when its report id changes.  The bytes are copied.
 * TR_ERR_NOMEM: the tally is then only good for tally_free().
 */
enum tr_err tally_add(struct tally *t, const char *key, size_t key_len, const char *rt, size_t rt_len,
                      int64_t report, int64_t count, int with_policy, struct tr_error *err);

/*
 * Move the rows into sm->rows / sm->n_rows (which must be empty): sorted
 * by failed, most first, then key; each row's result types by count, most
 * first, then name; successful 0, organization NULL.  The tally is left
 * empty.  TR_ERR_NOMEM (sm unchanged).
 */
enum tr_err tally_finish(struct tally *t, struct summary *sm, struct tr_error *err);

/* NULL-safe. */
void tally_free(struct tally *t);

#endif
