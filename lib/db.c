/*
 * db: the interface of db.h, dispatched to the backend a connection was
 * opened with (backend/backend.h).  Transactions and savepoints are
 * plain SQL both backends share, so they live here once.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "db.h"

int db_is_postgres(const char *where)
{
	return where != NULL && (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0);
}

/* Append n bytes of s to out at *len (out has room: see db_redact()). */
static void append(char *out, size_t *len, const char *s, size_t n)
{
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

char *db_redact(const char *where)
{
	const char *scheme = strstr(where, "://");
	const char *p = where, *at, *colon, *slash, *query;
	size_t len = 0;
	char *out;

	if (!db_is_postgres(where) || scheme == NULL)
		return strdup(where);
	/* each password, however short, becomes "***": at most 3 bytes more each */
	out = malloc(strlen(where) * 4 + 1);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	scheme += 3;
	slash = strchr(scheme, '/');
	at = strchr(scheme, '@');
	if (at != NULL && (slash == NULL || at < slash) &&
	    (colon = memchr(scheme, ':', (size_t)(at - scheme))) != NULL) {
		append(out, &len, where, (size_t)(colon - where));
		append(out, &len, ":***", 4);
		p = at;
	}
	/* and the query's password=..., up to the next parameter */
	query = strchr(p, '?');
	while (query != NULL) {
		const char *name = query + 1;
		const char *next = strchr(name, '&');

		if (strncmp(name, "password=", 9) == 0) {
			append(out, &len, p, (size_t)(name + 9 - p));
			append(out, &len, "***", 3);
			p = next != NULL ? next : name + strlen(name);
		}
		query = next;
	}
	append(out, &len, p, strlen(p));
	return out;
}

enum tr_err db_open(const char *where, enum db_open_mode mode, int busy_ms, struct db **out,
                    struct tr_error *err)
{
	const struct db_backend *be = &db_backend_sqlite;
	struct db *db = NULL;
	enum tr_err rc;
	char *name;

	TR_ASSERT(where != NULL && out != NULL);
	*out = NULL;
	if (db_is_postgres(where)) {
#ifdef HAVE_LIBPQ
		be = &db_backend_postgres;
#else
		return tr_error_set(err, TR_ERR_USAGE, "this build has no PostgreSQL support (configure found no libpq)");
#endif
	}
	name = db_redact(where);
	if (name == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	rc = be->open(where, mode, busy_ms, &db, err);
	if (rc != TR_OK) {
		tr_error_prefix(err, name);
		free(name);
		return rc;
	}
	db->be = be;
	db->name = name;
	*out = db;
	return TR_OK;
}

struct db *db_close(struct db *db)
{
	char *name;

	if (db == NULL)
		return NULL;
	name = db->name;
	db->be->close(db);
	free(name);
	return NULL;
}

enum db_kind db_kind(const struct db *db)
{
	return db->be->kind;
}

const char *db_name(const struct db *db)
{
	return db->name;
}

int db_readonly(struct db *db)
{
	return db->be->readonly(db);
}

enum tr_err db_prepare(struct db *db, const char *sql, int persistent, struct db_stmt **out,
                       struct tr_error *err)
{
	TR_ASSERT(db != NULL && sql != NULL && out != NULL);
	*out = NULL;
	return db->be->prepare(db, sql, persistent, out, err);
}

void db_finalize(struct db_stmt *st)
{
	if (st != NULL)
		st->db->be->finalize(st);
}

int db_param_index(struct db_stmt *st, const char *name)
{
	return st->db->be->param_index(st, name);
}

void db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	st->db->be->bind_int64(st, idx, v);
}

void db_bind_text(struct db_stmt *st, int idx, const char *v)
{
	st->db->be->bind_text(st, idx, v);
}

void db_bind_blob(struct db_stmt *st, int idx, const void *v, size_t len)
{
	st->db->be->bind_blob(st, idx, v, len);
}

void db_bind_null(struct db_stmt *st, int idx)
{
	st->db->be->bind_null(st, idx);
}

enum tr_err db_step(struct db_stmt *st, int *row, const char *what, struct tr_error *err)
{
	TR_ASSERT(st != NULL && row != NULL);
	return st->db->be->step(st, row, what, err);
}

void db_reset(struct db_stmt *st)
{
	st->db->be->reset(st);
}

enum tr_err db_run(struct db_stmt *st, const char *what, struct tr_error *err)
{
	int row;
	enum tr_err rc = db_step(st, &row, what, err);

	db_reset(st);
	return rc;
}

enum tr_err db_run_later(struct db_stmt *st, const char *what, struct tr_error *err)
{
	TR_ASSERT(st != NULL);
	if (st->db->be->run_later == NULL)
		return db_run(st, what, err);
	return st->db->be->run_later(st, what, err);
}

enum tr_err db_sync(struct db *db, struct tr_error *err)
{
	TR_ASSERT(db != NULL);
	return db->be->sync != NULL ? db->be->sync(db, err) : TR_OK;
}

int db_column_is_null(struct db_stmt *st, int col)
{
	return st->db->be->column_is_null(st, col);
}

int64_t db_column_int64(struct db_stmt *st, int col)
{
	return st->db->be->column_int64(st, col);
}

const char *db_column_text(struct db_stmt *st, int col, size_t *len)
{
	return st->db->be->column_text(st, col, len);
}

const void *db_column_blob(struct db_stmt *st, int col, size_t *len)
{
	return st->db->be->column_blob(st, col, len);
}

enum tr_err db_exec(struct db *db, const char *sql, const char *what, struct tr_error *err)
{
	return db->be->exec(db, sql, what, err);
}

enum tr_err db_query_int(struct db *db, const char *sql, int64_t *out, struct tr_error *err)
{
	struct db_stmt *st;
	enum tr_err rc;
	int row = 0;

	*out = 0;
	rc = db_prepare(db, sql, 0, &st, err);
	if (rc != TR_OK)
		return rc;
	rc = db_step(st, &row, "querying", err);
	if (rc == TR_OK && row)
		*out = db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}

enum tr_err db_begin(struct db *db, struct tr_error *err)
{
	return db_exec(db, db->be->begin_sql, "starting a transaction", err);
}

enum tr_err db_commit(struct db *db, struct tr_error *err)
{
	return db_exec(db, "COMMIT", "committing", err);
}

void db_rollback(struct db *db)
{
	if (db != NULL && db->be->in_transaction(db))
		(void)db->be->exec(db, "ROLLBACK", "rolling back", NULL);
}

int db_in_transaction(struct db *db)
{
	return db->be->in_transaction(db);
}

enum tr_err db_savepoint(struct db *db, struct tr_error *err)
{
	if (db->be->exec_later != NULL)
		return db->be->exec_later(db, "SAVEPOINT tr_report", "setting a savepoint", err);
	return db_exec(db, "SAVEPOINT tr_report", "setting a savepoint", err);
}

enum tr_err db_release(struct db *db, struct tr_error *err)
{
	return db_exec(db, "RELEASE SAVEPOINT tr_report", "releasing a savepoint", err);
}

enum tr_err db_rollback_to(struct db *db, struct tr_error *err)
{
	return db_exec(db, "ROLLBACK TO SAVEPOINT tr_report", "undoing a report", err);
}

enum tr_err db_bulk(struct db *db, int on, struct tr_error *err)
{
	if (db->be->bulk == NULL)
		return TR_OK;
	return db->be->bulk(db, on, err);
}

void db_upgrading(struct db *db, int on)
{
	if (db->be->upgrading != NULL)
		db->be->upgrading(db, on);
}
