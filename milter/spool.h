/*
 * spool: keep a message that could not be stored, so that nothing is
 * lost.  `tlsrpt-report import SPOOLDIR` reads the files back later.
 *
 * A file appears under its final name (ending ".eml") only when complete
 * and on disk: written under a temporary name, fsync'd, then linked to a
 * name that is never reused (link fails rather than overwrite).
 */
#ifndef TLSRPT_MILTER_SPOOL_H
#define TLSRPT_MILTER_SPOOL_H

#include <stddef.h>

#include "err.h"

/*
 * Write msg[0..len) as a new file in dir; its path goes to path (size
 * pathlen).  Errors: TR_ERR_IO with the reason in err (errno text).
 */
enum tr_err spool_write(const char *dir, const char *msg, size_t len, char *path, size_t pathlen,
                        struct tr_error *err);

#endif
