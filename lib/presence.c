/*
 * presence: latest report dates and days reported per reporter (see
 * presence.h).  Two grouped reads of the reports in the window, through
 * the index on start time; every value is a bound parameter.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "presence.h"
#include "sqlutil.h"

#define DAY 86400

static const char reporters_sql[] =
	"SELECT submitter, MAX(start_time), MAX(end_time), COUNT(DISTINCT start_time / 86400)"
	" FROM reports WHERE start_time >= :since AND start_time < :until AND counted = 1"
	" GROUP BY submitter ORDER BY submitter";

static const char pairs_sql[] =
	"SELECT r.submitter, p.policy_domain, MAX(r.end_time)"
	" FROM reports r JOIN policies p ON p.report = r.id"
	" WHERE r.start_time >= :since AND r.start_time < :until AND r.counted = 1"
	" GROUP BY r.submitter, p.policy_domain ORDER BY r.submitter, p.policy_domain";

static char *column_dup(sqlite3_stmt *st, int col, int *failed)
{
	const unsigned char *t;
	size_t len;
	char *s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(st, col);
	len = (size_t)sqlite3_column_bytes(st, col);
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

static enum tr_err prepare_window(sqlite3 *db, const char *sql, int64_t since, int64_t until,
                                  sqlite3_stmt **st, struct tr_error *err)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(*st, sqlite3_bind_parameter_index(*st, ":since"), since);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(*st, sqlite3_bind_parameter_index(*st, ":until"), until);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
		return sqlutil_error(db, rc, err, "presence: preparing the query");
	}
	return TR_OK;
}

/* Make room for row n of *rows; TR_ERR_LIMIT past PRESENCE_MAX_ROWS. */
static enum tr_err room(void **rows, size_t *cap, size_t n, size_t elem, struct tr_error *err)
{
	void *p;

	if (n >= PRESENCE_MAX_ROWS)
		return tr_error_set(err, TR_ERR_LIMIT, "presence: more than %d rows",
		                    PRESENCE_MAX_ROWS);
	p = array_grow(*rows, cap, n, elem, 16);
	if (p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "presence: out of memory");
	*rows = p;
	return TR_OK;
}

static enum tr_err read_reporters(sqlite3 *db, int64_t since, int64_t until, struct presence *p,
                                  struct tr_error *err)
{
	struct presence_reporter *r;
	sqlite3_stmt *st;
	size_t cap = 0;
	enum tr_err ret = prepare_window(db, reporters_sql, since, until, &st, err);
	int rc = SQLITE_ROW, failed = 0;

	while (ret == TR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = room((void **)&p->reporters, &cap, p->n_reporters, sizeof *p->reporters, err);
		if (ret != TR_OK)
			break;
		r = &p->reporters[p->n_reporters++];
		memset(r, 0, sizeof *r);
		r->submitter = column_dup(st, 0, &failed);
		r->last_start = sqlite3_column_int64(st, 1);
		r->last_end = sqlite3_column_int64(st, 2);
		r->days = (uint32_t)sqlite3_column_int64(st, 3);
		if (failed || r->submitter == NULL)
			ret = tr_error_set(err, TR_ERR_NOMEM, "presence: out of memory");
	}
	if (ret == TR_OK && rc != SQLITE_DONE)
		ret = sqlutil_error(db, rc, err, "presence: reading reporters");
	sqlite3_finalize(st);
	return ret;
}

static enum tr_err read_pairs(sqlite3 *db, int64_t since, int64_t until, struct presence *p,
                              struct tr_error *err)
{
	struct presence_pair *r;
	sqlite3_stmt *st;
	size_t cap = 0;
	enum tr_err ret = prepare_window(db, pairs_sql, since, until, &st, err);
	int rc = SQLITE_ROW, failed = 0;

	while (ret == TR_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = room((void **)&p->pairs, &cap, p->n_pairs, sizeof *p->pairs, err);
		if (ret != TR_OK)
			break;
		r = &p->pairs[p->n_pairs++];
		memset(r, 0, sizeof *r);
		r->submitter = column_dup(st, 0, &failed);
		r->policy_domain = column_dup(st, 1, &failed);
		r->last_end = sqlite3_column_int64(st, 2);
		if (failed || r->submitter == NULL)
			ret = tr_error_set(err, TR_ERR_NOMEM, "presence: out of memory");
	}
	if (ret == TR_OK && rc != SQLITE_DONE)
		ret = sqlutil_error(db, rc, err, "presence: reading policy domains");
	sqlite3_finalize(st);
	return ret;
}

enum tr_err presence_query(struct store *s, int64_t since, int64_t until, struct presence **out,
                           struct tr_error *err)
{
	sqlite3 *db = s != NULL ? store_db(s) : NULL;
	struct presence *p;
	enum tr_err ret;

	if (out == NULL || db == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "presence_query: no store or result pointer");
	*out = NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "presence: out of memory");
	ret = sqlutil_exec(db, "BEGIN", "presence: starting a read", err);
	if (ret == TR_OK) {
		ret = read_reporters(db, since, until, p, err);
		if (ret == TR_OK)
			ret = read_pairs(db, since, until, p, err);
		sqlutil_rollback(db);
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
