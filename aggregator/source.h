/*
 * source: where tlsrpt-report finds its input.  One PATH may be a message
 * file, an mbox, a Maildir, a plain directory (the milter's spool), a raw
 * .json or .json.gz report, or "-" for stdin; each is turned into units of
 * bytes (one message, or one raw report) handed to a callback.
 *
 * Every read is bounded: a message or raw report larger than max_message is
 * reported as a problem and skipped, never read whole.  An mbox is streamed
 * message by message, so it may be any size.
 */
#ifndef TLSRPT_CLI_SOURCE_H
#define TLSRPT_CLI_SOURCE_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "extract.h"
#include "tr_limits.h"

enum source_kind {
	SOURCE_MESSAGE, /* one mail message */
	SOURCE_RAW,     /* a raw report: JSON, or gzip of JSON */
	SOURCE_MBOX     /* messages separated by "From " lines */
};

/*
 * What the first bytes of a file say it is: '{' as the first byte that is
 * not white space (within the bytes given) or the gzip magic 1f 8b -> raw;
 * "From " at the very start -> mbox; anything else -> message.
 */
enum source_kind source_sniff(const unsigned char *p, size_t n);

/* One unit of input, valid only during the callback. */
struct source_unit {
	const char *label;    /* for messages to the user: "a.eml", "box, message 3", "-" */
	const char *filename; /* last path component, for raw reports' naming; NULL for stdin */
	const char *data;     /* NUL-terminated, but may hold NULs: use len */
	size_t len;
	int raw;              /* 1: a raw report (extract_file), 0: a message */
};

struct source_ops {
	/* Before every file is read (counting, or making ready to wait for
	 * stdin); may be NULL. */
	void (*file_begin)(void *ctx, const char *path);
	void (*unit)(void *ctx, const struct source_unit *u);
	/* A file or message that could not be used: err->code is TR_ERR_IO
	 * (unreadable), TR_ERR_LIMIT (too large) or TR_ERR_NOMEM. */
	void (*problem)(void *ctx, const char *label, const struct tr_error *err);
};

/* Find the reports in one unit: extract_file() for a raw report,
 * extract_message() for a message (see extract.h); res is always set. */
enum tr_err source_extract(const struct source_unit *u, const struct tr_limits *lim,
                           struct extract_result *res, struct tr_error *err);

/* Walk one PATH as described above, calling ops for what it holds. */
void source_walk(const char *path, const struct tr_limits *lim, const struct source_ops *ops,
                 void *ctx);

/* ---- mbox splitting, exposed for tests ---- */

struct mbox_reader {
	FILE *f;
	char *blk;        /* read-ahead block (owned) */
	size_t pos, len;
	int eof;
	int at_bol;       /* the next byte starts a line */
	int in_message;   /* a "From " line was read and its message not yet returned */
	int skip_line;    /* rest of an over-long "From " line still to skip */
};

/*
 * Read messages from f, which has already yielded pre[0..prelen) (the
 * bytes used to sniff it; at most 64 KiB).  Errors: TR_ERR_NOMEM.
 */
enum tr_err mbox_reader_init(struct mbox_reader *r, FILE *f, const void *pre, size_t prelen);

/*
 * The next message into msg (reset first; its max bounds the message):
 * the lines after a "From " line up to the next one, with one ">" removed
 * from lines reading ">From ", ">>From "... (mboxrd) and the blank line
 * that separates messages dropped.  Returns TR_OK, TR_ERR_NOTFOUND at the
 * end, TR_ERR_LIMIT when the message was larger than msg->max (it is
 * skipped; the next call reads the one after), TR_ERR_IO on a read error.
 */
enum tr_err mbox_next(struct mbox_reader *r, struct buf *msg);

/* Release the reader's memory (not the FILE). NULL-safe. */
void mbox_reader_free(struct mbox_reader *r);

#endif
