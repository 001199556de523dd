/*
 * sink: where a received report body goes: parsed and stored in the
 * database, or, when the database cannot take it (locked, read-only, full,
 * gone), spooled to disk and replayed into the database later.  A body is
 * acknowledged only once it is committed or spooled and fsync'd: nothing
 * acknowledged is lost.
 *
 * One database connection for the process, taken in turns (a mutex with a
 * bounded wait, as in the milter); after a failure the database is left
 * alone for HTTPD_SINK_BACKOFF_S seconds and bodies go straight to the
 * spool, so that a locked database costs no client a long wait.
 *
 * Spool files are "<time>.<pid>.<random>.https-<client address>.report":
 * the raw report (JSON, or its gzip), which `tlsrpt-report import` also
 * reads.  sink_replay() stores them with channel https, the client
 * address and the time of the name, and deletes each once committed.
 */
#ifndef TLSRPT_HTTPD_SINK_H
#define TLSRPT_HTTPD_SINK_H

#include <stddef.h>

#include "err.h"
#include "tr_limits.h"

#define HTTPD_SINK_WAIT_S 5      /* longest wait for the turn to write */
#define HTTPD_SINK_BACKOFF_S 5   /* after a database failure, spool directly this long */
#define HTTPD_SINK_BUSY_MS 2000  /* SQLite busy timeout */

struct sink;

enum sink_result {
	SINK_STORED,     /* committed */
	SINK_DUPLICATE,  /* already stored: success */
	SINK_SPOOLED,    /* the database failed; the body is safe on disk */
	SINK_INVALID,    /* never valid: 400 */
	SINK_TOO_LARGE,  /* over a limit (inflated size, counts): 413 */
	SINK_REFUSED,    /* a policy-domain the token was not given for: 403 */
	SINK_FAILED      /* neither stored nor spooled: 503 */
};

/*
 * A sink for the database at db (created when missing) and the spool
 * folder spool_dir (NULL: none).  lim bounds every report.  The strings
 * are copied; nothing is opened yet.  NULL when memory ran out.
 */
struct sink *sink_new(const char *db, const char *spool_dir, const struct tr_limits *lim);

/*
 * Parse body[0..len) (JSON, or gzip/zlib of JSON) and store it for client
 * address client (printed).  domain, when not NULL, is the ReportToken's:
 * a report with a policy-domain outside it is refused, and one that could
 * not be parsed to check is not spooled (SINK_FAILED: the sender retries).
 * detail (size detaillen) gets a one-line description: the reason when
 * invalid or refused, else submitter and report-id.  Thread-safe.
 */
enum sink_result sink_put(struct sink *s, const unsigned char *body, size_t len, const char *client,
                          const char *domain, char *detail, size_t detaillen);

/*
 * Store what the spool holds, oldest name first; stops at the first
 * database failure.  Each file is deleted once stored (or a duplicate);
 * one that is invalid is renamed to end in ".bad".  Returns the number of
 * files stored; *left gets how many remain (NULL allowed).  Logs through
 * net/log.
 */
size_t sink_replay(struct sink *s, size_t *left);

/* Close the database (when idle: the daemon calls this now and then). */
void sink_idle(struct sink *s);

/* Free; NULL-safe; returns NULL. */
struct sink *sink_free(struct sink *s);

/* Short name of a result: "stored", "duplicate", "spooled", ... */
const char *sink_result_name(enum sink_result r);

#endif
