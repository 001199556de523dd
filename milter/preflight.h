/*
 * preflight: what the daemon checks at start-up, as the user it will run
 * as (after dropping privileges), so that a database or spool directory
 * it can never use stops it with the real cause instead of failing every
 * report later with a misleading one ("No such file or directory" for a
 * directory given as the database, "read-only" for a folder the user
 * cannot write).
 */
#ifndef TLSRPT_MILTER_PREFLIGHT_H
#define TLSRPT_MILTER_PREFLIGHT_H

#include <stddef.h>

/*
 * The database where.  An SQLite path: not a directory; its folder exists
 * and this process may create files there (SQLite's -wal and -shm); the
 * file and any -wal/-shm are readable and writable.  Then, for a path or
 * a postgresql:// URI alike, it is opened (created and migrated when
 * needed: a server that refuses the connection, the role or the schema
 * stops the milter here) and closed.  A database locked by another
 * process, or a server down or read-only for now, is no reason to refuse
 * (the milter spools or tempfails while it lasts): *busy is set to 1 and
 * 0 returned.  Returns 0, or -1 with a one-line reason in err, which
 * never shows a password.
 */
int preflight_database(const char *where, int *busy, char *err, size_t errlen);

/* The spool directory: exists, is a directory, and this process may
 * create files in it.  Returns 0, or -1 with the reason in err. */
int preflight_spool(const char *dir, char *err, size_t errlen);

#endif
