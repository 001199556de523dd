/*
 * msg: what the milter does with one buffered message, without libmilter:
 * find the reports (extract), judge each one's DKIM authentication
 * (authres), store it, log one line per report, and decide the message's
 * fate and its TLS-Report-Status header values.  mlfi.c applies the
 * decision through libmilter.
 */
#ifndef TLSRPT_MILTER_MSG_H
#define TLSRPT_MILTER_MSG_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "metrics.h"
#include "store.h"

enum msg_action {
	MSG_ACCEPT,   /* deliver (with status headers, if any) */
	MSG_DISCARD,  /* OnStored discard: every report is in the database */
	MSG_REJECT,   /* OnInvalid reject: report parts, none valid */
	MSG_TEMPFAIL  /* OnError tempfail: the database failed, the MTA retries */
};

#define MSG_STATUS_MAX 400

struct msg_decision {
	enum msg_action action;
	char (*status)[MSG_STATUS_MAX]; /* n TLS-Report-Status values, owned */
	size_t n;
};

/*
 * The daemon's database handle, shared by every MTA connection: opened on
 * first use and kept, used by one thread at a time (lock), and closed
 * after an error so that the next message reopens it (for PostgreSQL: a
 * new connection), and when its path no longer names the SQLite file it
 * opened (deleted, replaced): a handle on an unlinked file would "store"
 * reports that vanish.  One handle, not one
 * per connection: opening costs a schema check, and closing the last
 * handle checkpoints and deletes the WAL, several fsyncs per message when
 * each report comes on its own SMTP connection; SQLite has one writer at
 * a time anyway, and waiting on a mutex beats its busy-handler sleeps.
 * Idle, it is closed (msg_store_close_idle()): the WAL is checkpointed
 * and the file no longer held open for writing (a read-only remount of
 * its file system would otherwise be refused).
 */
struct msg_store {
	pthread_mutex_t lock;
	struct store *store;
	char *path;  /* the database it was opened on (config may change) */
	dev_t dev;   /* the file it opened (SQLite) */
	ino_t ino;
	struct timespec used;  /* CLOCK_MONOTONIC at its last use */
};

#define MSG_STORE_INIT { PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0, { 0, 0 } }

/*
 * 1 when a message whose top-level Content-Type is content_type (NULL:
 * none) may hold a report.  Conservative: only types that can never be or
 * contain one (text/html, image, audio, video, font, model) say 0; a
 * text/plain or application body can be a whole-body report.
 */
int msg_may_hold_report(const char *content_type);

/*
 * Process the whole message data[0..len) (headers, empty line, body).
 * queue_id (NULL allowed) prefixes log lines.  What became of each report
 * is counted in m (NULL: not counted).  out is filled (free with
 * msg_decision_free()); returns out->action.
 */
enum msg_action msg_process(const char *data, size_t len, const struct conf *c,
                            struct msg_store *st, struct metrics *m, const char *queue_id,
                            struct msg_decision *out);

/* NULL-safe; d is left empty. */
void msg_decision_free(struct msg_decision *d);

/* Close the handle when it has not been used for idle_s seconds; does
 * nothing while another thread holds it.  NULL-safe. */
void msg_store_close_idle(struct msg_store *st, int idle_s);

/* Close the database handle (at shutdown), taking the lock; NULL-safe. */
void msg_store_close(struct msg_store *st);

#endif
