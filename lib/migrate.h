/*
 * migrate: the store's schema version and its migrations.
 *
 * The schema is schema/schema.sql, compiled in as schema_sql; its version
 * is what it sets PRAGMA user_version to.  Opening an older database
 * applies the numbered migrations (schema/migrations/NNN-name.sql,
 * compiled in as store_migrations) in order inside one transaction.
 *
 * The names keep the store_ prefix they had when this lived in store.c:
 * the tests and the table schema/migrations2c.sh generates use them.
 * store.h includes this header, so its users see them as before.
 */
#ifndef TLSRPT_MIGRATE_H
#define TLSRPT_MIGRATE_H

#include "db.h"
#include "err.h"

/* The compiled-in schema (lib/schema_sql.c, generated). */
extern const char schema_sql[];

/*
 * Schema migrations.  Entry NNN upgrades a database from version NNN-1
 * to NNN; the table is in order and ends with { 0, NULL }.
 */
struct store_migration {
	int version;
	const char *sql;
};
/* The compiled-in ones (lib/migrations_sql.c, generated). */
extern const struct store_migration store_migrations[];

/* Schema version this build's SQLite schema creates (PRAGMA user_version). */
int store_schema_version(void);

/* The version an SQL text declares with "PRAGMA user_version = N", or -1. */
int store_sql_version(const char *sql);

/*
 * Bring db to the version schema declares, in one transaction: an empty
 * database gets schema whole, an older one every migration of list above
 * its version.  store_open() calls it with its backend's schema and
 * migrations (backend/backend.h); it is public so that tests can drive it with their
 * own.  Errors: TR_ERR_DB (newer than schema, not ours, no migration
 * path, list inconsistent with schema, SQL failure), TR_ERR_BUSY.
 */
enum tr_err store_migrate(struct db *db, const char *schema, const struct store_migration *list,
                          struct tr_error *err);

/*
 * For a read-only connection, which cannot upgrade: TR_OK when db is at
 * the schema version of its backend's schema.  Errors: TR_ERR_NOTFOUND (version 0 and
 * no tables: nothing stored yet, or the creator has not committed its
 * schema), TR_ERR_DB (another application's tables, older or newer
 * version, SQL failure), TR_ERR_BUSY.
 */
enum tr_err store_check_version(struct db *db, struct tr_error *err);

#endif
