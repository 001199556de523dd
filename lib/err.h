/*
 * err: one error value shared by every module of the core library.
 *
 * A function that can fail returns an enum tr_err and, when given a
 * struct tr_error, fills it with a one-line reason that names the field or
 * limit involved ("policies[2].summary: missing"), ready for a log line.
 * The struct is plain data: no allocation, nothing to free.
 */
#ifndef TLSRPT_ERR_H
#define TLSRPT_ERR_H

enum tr_err {
	TR_OK = 0,
	TR_ERR_NOMEM,   /* allocation failed */
	TR_ERR_LIMIT,   /* a configured bound was crossed */
	TR_ERR_FORMAT,  /* input is malformed (MIME, gzip, JSON, RFC 8460) */
	TR_ERR_NOTFOUND,/* nothing of the kind asked for */
	TR_ERR_IO,      /* a file or socket operation failed */
	TR_ERR_DB,      /* SQLite failed for a reason other than busy */
	TR_ERR_BUSY,    /* the database stayed locked past the busy timeout */
	TR_ERR_USAGE    /* the caller asked for something impossible */
};

#define TR_ERROR_MSG_MAX 256

struct tr_error {
	enum tr_err code;
	char msg[TR_ERROR_MSG_MAX];
};

/* Record code and a printf-style reason in e (e may be NULL); returns code
 * so that callers can write "return tr_error_set(e, TR_ERR_FORMAT, ...)". */
enum tr_err tr_error_set(struct tr_error *e, enum tr_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix e->msg with "prefix: " (for nested context); e may be NULL. */
void tr_error_prefix(struct tr_error *e, const char *prefix);

/* Reset e to TR_OK with an empty message; e may be NULL. */
void tr_error_clear(struct tr_error *e);

/* Short stable name of a code: "ok", "nomem", "limit", "format", ... */
const char *tr_err_name(enum tr_err code);

/*
 * Our own bugs, never the input's: a caller that breaks a function's
 * contract (a NULL where the header says never, an index out of range)
 * stops the process with the place and the broken condition on stderr,
 * instead of returning an error code that a user would be shown.  Always
 * compiled in (NDEBUG does not remove it): the checks are cheap and a
 * wrong count stored silently costs more than a crash.
 */
#define TR_ASSERT(cond) ((cond) ? (void)0 : tr_assert_fail(#cond, __FILE__, __LINE__, __func__))

/* TR_ASSERT's failure path: prints and abort()s. */
_Noreturn void tr_assert_fail(const char *cond, const char *file, int line, const char *func);

#endif
