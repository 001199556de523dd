/*
 * backend/sqlite: the one thing of the SQLite backend its users may see,
 * for tests that are about SQLite itself (WAL, temp_store, file
 * permissions, corrupt files): the connection under a struct db.
 * Nothing in the library includes this.
 */
#ifndef TLSRPT_BACKEND_SQLITE_H
#define TLSRPT_BACKEND_SQLITE_H

#include <sqlite3.h>

#include "../db.h"

/* db's SQLite connection, still owned by db; NULL when db is NULL or
 * another backend's. */
sqlite3 *db_sqlite_handle(struct db *db);

#endif
