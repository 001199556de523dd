/*
 * A stand-in for lib/backend/sqlite.c, which another branch writes, so
 * that test_db links before it lands: opening says so and the SQLite half
 * of test_db skips.  Remove it from tests/db.mk when sqlite.c is merged.
 */
#include "backend/backend.h"

static enum tr_err stub_open(const char *where, enum db_open_mode mode, int busy_ms, struct db **out,
                             struct tr_error *err)
{
	(void)where;
	(void)mode;
	(void)busy_ms;
	(void)out;
	return tr_error_set(err, TR_ERR_USAGE, "no SQLite backend on this branch yet (tests/db_sqlite_stub.c)");
}

const struct db_backend db_backend_sqlite = { .kind = DB_SQLITE, .open = stub_open };
