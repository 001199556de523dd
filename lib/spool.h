/*
 * spool: keep a message (or, for tlsrpt-httpd, a raw report body) that
 * could not be stored, so that nothing is lost.  `tlsrpt-report import
 * SPOOLDIR` reads the files back later; it tells messages from raw
 * reports by their bytes, not their names.  Shared by both daemons.
 *
 * A file appears under its final name (ending ".eml", or the extension
 * given to spool_write_as()) only when complete
 * and on disk: written under a temporary name, fsync'd, then linked to a
 * name that is never reused (link fails rather than overwrite).
 */
#ifndef TLSRPT_SPOOL_H
#define TLSRPT_SPOOL_H

#include <stddef.h>

#include "err.h"

/*
 * Write msg[0..len) as a new file in dir; its path goes to path (size
 * pathlen).  Errors: TR_ERR_IO with the reason in err (errno text).
 */
enum tr_err spool_write(const char *dir, const char *msg, size_t len, char *path, size_t pathlen,
                        struct tr_error *err);

/*
 * The same with the final name ending in ext (".eml" for spool_write()).
 * ext must not contain '/' and is at most 128 bytes: TR_ERR_USAGE if not.
 */
enum tr_err spool_write_as(const char *dir, const char *msg, size_t len, const char *ext,
                           char *path, size_t pathlen, struct tr_error *err);

#endif
