/*
 * msg: what the milter does with one buffered message, without libmilter:
 * find the reports (extract), judge each one's DKIM authentication
 * (authres), store it, log one line per report, and decide the message's
 * fate and its TLS-Report-Status header values.  mlfi.c applies the
 * decision through libmilter.
 */
#ifndef TLSRPT_MILTER_MSG_H
#define TLSRPT_MILTER_MSG_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
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

/* One MTA connection's database handle, opened on first use and kept; it
 * is closed after an error so that the next message reopens it, and when
 * its path no longer names the file it opened (deleted, replaced): a
 * handle on an unlinked file would "store" reports that vanish. */
struct msg_store {
	struct store *store;
	char *path;  /* the database it was opened on (config may change) */
	dev_t dev;   /* the file it opened */
	ino_t ino;
};

/*
 * 1 when a message whose top-level Content-Type is content_type (NULL:
 * none) may hold a report.  Conservative: only types that can never be or
 * contain one (text/html, image, audio, video, font, model) say 0; a
 * text/plain or application body can be a whole-body report.
 */
int msg_may_hold_report(const char *content_type);

/*
 * Process the whole message data[0..len) (headers, empty line, body).
 * queue_id (NULL allowed) prefixes log lines.  out is filled (free with
 * msg_decision_free()); returns out->action.
 */
enum msg_action msg_process(const char *data, size_t len, const struct conf *c,
                            struct msg_store *st, const char *queue_id,
                            struct msg_decision *out);

/* NULL-safe; d is left empty. */
void msg_decision_free(struct msg_decision *d);

/* Close the database handle; NULL-safe. */
void msg_store_close(struct msg_store *st);

#endif
