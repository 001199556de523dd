/*
 * presence: latest report dates and days reported per reporter (see
 * presence.h).  One read of the counted reports of the window with their
 * policies, grouped here; every value is a bound parameter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/random.h>

#include "buf.h"
#include "db.h"
#include "presence.h"

#define DAY 86400

/* One pass over the counted reports of the window with their policies, in
 * start order (reports_presence, then policies_by_report), grouped here in
 * hashes rather than by SQLite's sorter: over a month of a million-report
 * database the sorter took four fifths of the time of two GROUP BYs. */
static const char stream_sql[] =
	"SELECT r.submitter, r.start_time, r.end_time, p.policy_domain"
	" FROM reports r JOIN policies p ON p.report = r.id"
	" WHERE r.start_time >= :since AND r.start_time < :until AND r.counted = 1"
	" ORDER BY r.start_time";

static enum tr_err prepare_window(struct db *db, const char *sql, int64_t since, int64_t until,
                                  struct db_stmt **st, struct tr_error *err)
{
	enum tr_err rc = db_prepare(db, sql, 0, st, err);

	if (rc != TR_OK) {
		tr_error_prefix(err, "presence");
		return rc;
	}
	db_bind_int64(*st, db_param_index(*st, ":since"), since);
	db_bind_int64(*st, db_param_index(*st, ":until"), until);
	return TR_OK;
}

#define NONE SIZE_MAX

/* Open addressing over row indexes; the keys live in the rows. */
struct index {
	size_t *slot;
	size_t n;      /* a power of two, or 0 before the first row */
};

struct grouping {
	struct presence *p;
	size_t cap_reporters, cap_pairs;
	int64_t *last_day;          /* per reporter: the day of its latest start so far */
	size_t *pair_reporter;      /* per pair: its reporter's row */
	struct index by_submitter, by_pair;
	uint64_t seed;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* FNV-1a under a per-query random seed: the strings come from reports. */
static uint64_t hash_str(uint64_t seed, const char *s)
{
	uint64_t h = seed ^ UINT64_C(0xcbf29ce484222325);

	if (s == NULL)
		return mix(h ^ 0x5bd1e995);
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return mix(h);
}

static uint64_t new_seed(const void *where)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
		return seed;
	return mix((uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)where);
}

static int same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static uint64_t pair_hash(const struct grouping *g, size_t reporter, const char *domain)
{
	return hash_str(g->seed, domain) ^ mix((uint64_t)reporter + g->seed);
}

static uint64_t rehash_reporter(const struct grouping *g, size_t row)
{
	return hash_str(g->seed, g->p->reporters[row].submitter);
}

static uint64_t rehash_pair(const struct grouping *g, size_t row)
{
	return pair_hash(g, g->pair_reporter[row], g->p->pairs[row].policy_domain);
}

/* Rebuild x with twice the slots (1024 at first) over rows 0..rows-1. */
static int index_grow(struct index *x, size_t rows, const struct grouping *g,
                      uint64_t (*h)(const struct grouping *g, size_t row))
{
	size_t n = x->n == 0 ? 1024 : x->n * 2, i, j;
	size_t *slot;

	if (n > SIZE_MAX / sizeof *slot)
		return -1;
	slot = malloc(n * sizeof *slot);
	if (slot == NULL)
		return -1;
	for (i = 0; i < n; i++)
		slot[i] = NONE;
	for (i = 0; i < rows; i++) {
		for (j = (size_t)h(g, i) & (n - 1); slot[j] != NONE; j = (j + 1) & (n - 1))
			;
		slot[j] = i;
	}
	free(x->slot);
	x->slot = slot;
	x->n = n;
	return 0;
}

static enum tr_err nomem(struct tr_error *err)
{
	return tr_error_set(err, TR_ERR_NOMEM, "presence: out of memory");
}

static enum tr_err too_many(struct tr_error *err)
{
	return tr_error_set(err, TR_ERR_LIMIT, "presence: more than %d rows", PRESENCE_MAX_ROWS);
}

/* Room for one more reporter row (and its last_day). */
static enum tr_err reporter_room(struct grouping *g, struct tr_error *err)
{
	struct presence *p = g->p;
	size_t cap = g->cap_reporters;
	struct presence_reporter *r;
	int64_t *days;

	if (p->n_reporters >= PRESENCE_MAX_ROWS)
		return too_many(err);
	if (p->n_reporters < g->cap_reporters)
		return TR_OK;
	r = array_grow(p->reporters, &cap, p->n_reporters, sizeof *r, 16);
	if (r == NULL)
		return nomem(err);
	p->reporters = r;
	days = realloc(g->last_day, cap * sizeof *days);
	if (days == NULL)
		return nomem(err);
	g->last_day = days;
	g->cap_reporters = cap;
	return TR_OK;
}

/* The row of submitter, added when new. */
static enum tr_err reporter_row(struct grouping *g, const char *submitter, size_t *row,
                                struct tr_error *err)
{
	struct presence *p = g->p;
	struct presence_reporter *r;
	size_t j = 0, n = p->n_reporters, mask = g->by_submitter.n - 1;
	enum tr_err ret;

	if (g->by_submitter.n > 0) {
		for (j = (size_t)hash_str(g->seed, submitter) & mask; g->by_submitter.slot[j] != NONE;
		     j = (j + 1) & mask) {
			if (strcmp(p->reporters[g->by_submitter.slot[j]].submitter, submitter) == 0) {
				*row = g->by_submitter.slot[j];
				return TR_OK;
			}
		}
	}
	ret = reporter_room(g, err);
	if (ret != TR_OK)
		return ret;
	r = &p->reporters[n];
	memset(r, 0, sizeof *r);
	r->submitter = strdup(submitter);
	if (r->submitter == NULL)
		return nomem(err);
	r->last_start = INT64_MIN;
	r->last_end = INT64_MIN;
	g->last_day[n] = INT64_MIN;
	p->n_reporters++;
	if (2 * p->n_reporters > g->by_submitter.n) {
		if (index_grow(&g->by_submitter, p->n_reporters, g, rehash_reporter) != 0)
			return nomem(err);
	} else {
		g->by_submitter.slot[j] = n;
	}
	*row = n;
	return TR_OK;
}

/* Room for one more pair row (and its reporter). */
static enum tr_err pair_room(struct grouping *g, struct tr_error *err)
{
	struct presence *p = g->p;
	size_t cap = g->cap_pairs, *owners;
	struct presence_pair *x;

	if (p->n_pairs >= PRESENCE_MAX_ROWS)
		return too_many(err);
	if (p->n_pairs < g->cap_pairs)
		return TR_OK;
	x = array_grow(p->pairs, &cap, p->n_pairs, sizeof *x, 16);
	if (x == NULL)
		return nomem(err);
	p->pairs = x;
	owners = realloc(g->pair_reporter, cap * sizeof *owners);
	if (owners == NULL)
		return nomem(err);
	g->pair_reporter = owners;
	g->cap_pairs = cap;
	return TR_OK;
}

/* The row of (reporter, domain), added when new. */
static enum tr_err pair_row(struct grouping *g, size_t reporter, const char *domain, size_t *row,
                            struct tr_error *err)
{
	struct presence *p = g->p;
	struct presence_pair *x;
	size_t j = 0, n = p->n_pairs, mask = g->by_pair.n - 1;
	enum tr_err ret;

	if (g->by_pair.n > 0) {
		for (j = (size_t)pair_hash(g, reporter, domain) & mask; g->by_pair.slot[j] != NONE;
		     j = (j + 1) & mask) {
			size_t i = g->by_pair.slot[j];

			if (g->pair_reporter[i] == reporter && same(p->pairs[i].policy_domain, domain)) {
				*row = i;
				return TR_OK;
			}
		}
	}
	ret = pair_room(g, err);
	if (ret != TR_OK)
		return ret;
	x = &p->pairs[n];
	memset(x, 0, sizeof *x);
	p->n_pairs++; /* from here on presence_free() frees what it holds */
	x->submitter = strdup(p->reporters[reporter].submitter);
	x->policy_domain = domain != NULL ? strdup(domain) : NULL;
	if (x->submitter == NULL || (domain != NULL && x->policy_domain == NULL))
		return nomem(err);
	x->last_end = INT64_MIN;
	g->pair_reporter[n] = reporter;
	if (2 * p->n_pairs > g->by_pair.n) {
		if (index_grow(&g->by_pair, p->n_pairs, g, rehash_pair) != 0)
			return nomem(err);
	} else {
		g->by_pair.slot[j] = n;
	}
	*row = n;
	return TR_OK;
}

/* One row of the stream: one policy of a counted report. */
static enum tr_err add_row(struct grouping *g, struct db_stmt *st, struct tr_error *err)
{
	const char *submitter = db_column_text(st, 0, NULL);
	const char *domain = db_column_text(st, 3, NULL);
	int64_t start = db_column_int64(st, 1), end = db_column_int64(st, 2);
	int64_t day = start / DAY - (start % DAY < 0);
	struct presence_reporter *r;
	size_t ri = 0, pi = 0;
	enum tr_err ret;

	if (submitter == NULL)
		return nomem(err); /* a NOT NULL column: only no memory gives NULL */
	ret = reporter_row(g, submitter, &ri, err);
	if (ret != TR_OK)
		return ret;
	r = &g->p->reporters[ri];
	if (start > r->last_start)
		r->last_start = start;
	if (end > r->last_end)
		r->last_end = end;
	if (day != g->last_day[ri]) { /* starts come in order: a day not seen before */
		g->last_day[ri] = day;
		r->days++;
	}
	ret = pair_row(g, ri, domain, &pi, err);
	if (ret != TR_OK)
		return ret;
	if (end > g->p->pairs[pi].last_end)
		g->p->pairs[pi].last_end = end;
	return TR_OK;
}

static int by_submitter(const void *a, const void *b)
{
	return strcmp(((const struct presence_reporter *)a)->submitter,
	              ((const struct presence_reporter *)b)->submitter);
}

static int by_pair(const void *a, const void *b)
{
	const struct presence_pair *x = a, *y = b;
	int c = strcmp(x->submitter, y->submitter);

	if (c != 0)
		return c;
	if (x->policy_domain == NULL || y->policy_domain == NULL)
		return (x->policy_domain != NULL) - (y->policy_domain != NULL);
	return strcmp(x->policy_domain, y->policy_domain);
}

static enum tr_err read_stream(struct db *db, int64_t since, int64_t until, struct presence *p,
                               struct tr_error *err)
{
	struct grouping g;
	struct db_stmt *st = NULL;
	enum tr_err ret;
	int row = 0;

	memset(&g, 0, sizeof g);
	g.p = p;
	g.seed = new_seed(&g);
	ret = prepare_window(db, stream_sql, since, until, &st, err);
	while (ret == TR_OK) {
		ret = db_step(st, &row, "presence: reading reports", err);
		if (ret != TR_OK || !row)
			break;
		ret = add_row(&g, st, err);
	}
	db_finalize(st);
	free(g.last_day);
	free(g.pair_reporter);
	free(g.by_submitter.slot);
	free(g.by_pair.slot);
	if (ret != TR_OK)
		return ret;
	if (p->n_reporters > 1)
		qsort(p->reporters, p->n_reporters, sizeof *p->reporters, by_submitter);
	if (p->n_pairs > 1)
		qsort(p->pairs, p->n_pairs, sizeof *p->pairs, by_pair);
	return TR_OK;
}


enum tr_err presence_query(struct store *s, int64_t since, int64_t until, struct presence **out,
                           struct tr_error *err)
{
	struct db *db = s != NULL ? store_db(s) : NULL;
	struct presence *p;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "presence_query: no store or result pointer");
	*out = NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "presence: out of memory");
	ret = db_exec(db, "BEGIN", "presence: starting a read", err);
	if (ret == TR_OK) {
		ret = read_stream(db, since, until, p, err);
		db_rollback(db);
	}
	if (ret != TR_OK) {
		presence_free(p);
		return ret;
	}
	*out = p;
	return TR_OK;
}

void presence_window(int64_t now, int64_t *since, int64_t *until)
{
	int64_t today = now - ((now % DAY) + DAY) % DAY;

	*since = today - (int64_t)PRESENCE_LOOKBACK_DAYS * DAY;
	*until = now + 1;
}

int presence_is_silent(const struct presence_reporter *r, int64_t now)
{
	return r->days >= PRESENCE_ACTIVE_DAYS && r->last_end < now - PRESENCE_SILENT_SECONDS;
}

void presence_free(struct presence *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_reporters; i++)
		free(p->reporters[i].submitter);
	for (i = 0; i < p->n_pairs; i++) {
		free(p->pairs[i].submitter);
		free(p->pairs[i].policy_domain);
	}
	free(p->reporters);
	free(p->pairs);
	free(p);
}
