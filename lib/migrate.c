/*
 * migrate: schema versions and the migration runner (see migrate.h).
 * store_open() brings every read-write database to the compiled-in
 * schema's version before anything else touches it; read-only ones are
 * only checked.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "migrate.h"

/* bounds what a damaged PRAGMA text can make us believe */
#define STORE_MAX_VERSION 1000000

int store_sql_version(const char *sql)
{
	static const char pragma[] = "PRAGMA user_version";
	const char *p = sql;
	int version = -1;

	while (p != NULL && (p = strstr(p, pragma)) != NULL) {
		char *end;
		long v;

		p += sizeof pragma - 1;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		p++;
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno != 0 || v < 0 || v > STORE_MAX_VERSION)
			continue;
		version = (int)v;
		p = end;
	}
	return version;
}

int store_schema_version(void)
{
	return store_sql_version(schema_sql);
}

/* The migrations must climb one version at a time up to the schema's. */
static enum tr_err check_migrations(const struct store_migration *list, int target, size_t *n_out,
                                    struct tr_error *err)
{
	size_t n = 0;

	while (list != NULL && list[n].sql != NULL)
		n++;
	*n_out = n;
	if (n == 0)
		return TR_OK;
	if (list[n - 1].version != target)
		return tr_error_set(err, TR_ERR_DB, "last migration is version %d but the schema is version %d",
		                    list[n - 1].version, target);
	for (size_t i = 1; i < n; i++) {
		if (list[i].version != list[i - 1].version + 1)
			return tr_error_set(err, TR_ERR_DB, "migration %d follows %d: versions must climb by one",
			                    list[i].version, list[i - 1].version);
	}
	return TR_OK;
}

static enum tr_err newer_error(int version, int target, struct tr_error *err)
{
	return tr_error_set(err, TR_ERR_DB,
	                    "database schema version %d is newer than this build knows (%d): "
	                    "use a newer tlsrpt-milter", version, target);
}

/* Inside the write transaction: bring the database from version to target. */
static enum tr_err apply_upgrade(struct db *db, const char *schema, const struct store_migration *list,
                                 size_t n, int version, int64_t tables, int target, struct tr_error *err)
{
	char what[96];
	enum tr_err rc;

	if (version == 0) {
		if (tables > 0)
			return tr_error_set(err, TR_ERR_DB,
			                    "database has tables but no schema version: not a tlsrpt database");
		rc = db_exec(db, schema, "creating the schema", err);
		return rc != TR_OK ? rc : db->be->set_version(db, target, err);
	}
	if (n == 0 || version < list[0].version - 1)
		return tr_error_set(err, TR_ERR_DB, "no migration from schema version %d to %d", version, target);
	for (size_t i = 0; i < n; i++) {
		if (list[i].version <= version)
			continue;
		/* the versions say why it writes: a role that may not migrate fails here */
		snprintf(what, sizeof what, "upgrading schema version %d to %d, migration %d", version, target,
		         list[i].version);
		rc = db_exec(db, list[i].sql, what, err);
		if (rc != TR_OK)
			return rc;
	}
	return db->be->set_version(db, target, err);
}

/* Holding the write lock, so that two processes opening a new database
 * at once cannot both create it. */
static enum tr_err upgrade_locked(struct db *db, const char *schema, const struct store_migration *list,
                                  size_t n, int target, struct tr_error *err)
{
	int64_t tables = 0;
	int version = 0;
	enum tr_err rc;

	rc = db_begin(db, err);
	if (rc != TR_OK)
		return rc;
	/* read again under the lock: another process may have been first */
	rc = db->be->get_version(db, &version, &tables, err);
	if (rc == TR_OK && version > target)
		rc = newer_error(version, target, err);
	else if (rc == TR_OK && version < target)
		rc = apply_upgrade(db, schema, list, n, version, tables, target, err);
	if (rc == TR_OK)
		rc = db->be->get_version(db, &version, &tables, err);
	if (rc == TR_OK && version != target)
		rc = tr_error_set(err, TR_ERR_DB, "schema left version %d, not %d", version, target);
	if (rc == TR_OK)
		rc = db_commit(db, err);
	if (rc != TR_OK)
		db_rollback(db);
	return rc;
}

/* The database's version and table count: an error when it is newer
 * than target (a newer build's database). */
static enum tr_err read_version(struct db *db, int target, int *version, int64_t *tables, struct tr_error *err)
{
	enum tr_err rc = db->be->get_version(db, version, tables, err);

	if (rc == TR_OK && *version > target)
		rc = newer_error(*version, target, err);
	return rc;
}

enum tr_err store_migrate(struct db *db, const char *schema, const struct store_migration *list,
                          struct tr_error *err)
{
	int target = store_sql_version(schema);
	int64_t tables;
	int version;
	size_t n;
	enum tr_err rc;

	if (db == NULL || schema == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "store_migrate: missing argument");
	if (target < 1)
		return tr_error_set(err, TR_ERR_DB, "schema declares no PRAGMA user_version");
	rc = check_migrations(list, target, &n, err);
	if (rc != TR_OK)
		return rc;
	/* the common case, already current, needs no write lock */
	rc = read_version(db, target, &version, &tables, err);
	if (rc != TR_OK || version == target)
		return rc;
	db_upgrading(db, 1);
	rc = upgrade_locked(db, schema, list, n, target, err);
	db_upgrading(db, 0);
	return rc;
}

/*
 * Version 0 read-only: a database with no tables is one nobody has
 * stored into yet, or one whose creator has not committed its schema (a
 * query racing the milter's first start): as good as missing.  One with
 * tables is another application's.
 */
static enum tr_err unversioned_error(int64_t tables, struct tr_error *err)
{
	if (tables == 0)
		return tr_error_set(err, TR_ERR_NOTFOUND, "database is empty: nothing stored yet");
	return tr_error_set(err, TR_ERR_DB, "database has no tlsrpt schema (not ours)");
}

/* A read-only store cannot upgrade: it only checks the version. */
enum tr_err store_check_version(struct db *db, struct tr_error *err)
{
	int target = db->be->schema_version();
	int64_t tables;
	int version;
	enum tr_err rc;

	rc = read_version(db, target, &version, &tables, err);
	if (rc != TR_OK || version == target)
		return rc;
	if (version == 0)
		return unversioned_error(tables, err);
	return tr_error_set(err, TR_ERR_DB,
	                    "database schema version %d is older than this build's (%d): "
	                    "open it read-write once to upgrade it", version, target);
}
