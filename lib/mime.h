/*
 * mime: header parsing and a walk over the leaf parts of one message
 * (RFC 2045, 2046, 2047 for display only, 2231 for parameters).
 *
 * The whole message is in memory (the milter buffers it, the importer reads
 * it); nothing is copied except unfolded header values and decoded bodies.
 * Line ends may be CRLF or LF, mixed.  Every size is bounded by tr_limits.
 */
#ifndef TLSRPT_MIME_H
#define TLSRPT_MIME_H

#include <stddef.h>

#include "err.h"
#include "tr_limits.h"

struct mime_header {
	char *name;   /* as written, NUL-terminated, owned by the list */
	char *value;  /* unfolded (CRLF+WSP -> WSP), leading/trailing WSP trimmed, owned */
};

struct mime_headers {
	struct mime_header *v;
	size_t n;
};

/*
 * Parse the header block at the start of p[0..len).  Stops after the empty
 * line that ends it (or at end of input when there is none: a message with
 * headers only).  *body_off receives the offset of the first body byte
 * (len when there is no body).  A line that is neither a header nor a
 * continuation ends the header block there (mailers' mbox "From " lines
 * excepted: a leading "From " line is skipped).
 * Errors: TR_ERR_LIMIT (max_header, max_headers), TR_ERR_NOMEM.
 * On success out owns its entries: release with mime_headers_free().
 */
enum tr_err mime_parse_headers(const char *p, size_t len, const struct tr_limits *lim,
                               struct mime_headers *out, size_t *body_off,
                               struct tr_error *err);

/* Value of the first header named name (case-insensitive), or NULL. */
const char *mime_header_get(const struct mime_headers *h, const char *name);

/* Release the entries; h is left empty. NULL-safe. */
void mime_headers_free(struct mime_headers *h);

/*
 * Value of parameter param (case-insensitive) in a structured header value
 * such as a Content-Type or Content-Disposition ("type/sub; a=b; c=\"d\"").
 * Handles quoted strings with backslash escapes, bare tokens, and RFC 2231
 * continuations and charset/percent-encoding (name*0*=utf-8''a%20b; name*1=c).
 * Returns a malloc'd string the caller frees, or NULL when absent (or out
 * of memory).  The result is bytes as decoded, charset not converted.
 */
char *mime_param(const char *value, const char *param);

/*
 * The media type of a Content-Type value, lowercased, without parameters,
 * into out (size outlen), e.g. "multipart/report".  An absent, empty or
 * malformed value yields "text/plain" (RFC 2045 §5.2).
 */
void mime_content_type(const char *value, char *out, size_t outlen);

/*
 * Decode the RFC 2047 encoded words ("=?charset?B|Q?text?=") in a header
 * value such as a Subject, for display: whitespace between adjacent words
 * dropped, malformed words kept as written, charset not converted, NUL
 * bytes dropped.  Returns a malloc'd string the caller frees (never longer
 * than value), or NULL when value is NULL or memory ran out.
 */
char *mime_decode_words(const char *value);

/* One leaf part, as handed to the walk callback; valid only during the call. */
struct mime_part {
	const struct mime_headers *headers; /* the part's own header block */
	const char *content_type;           /* lowercased type/subtype */
	const char *filename;               /* Content-Disposition filename, else
	                                       Content-Type name (RFC 2231 decoded);
	                                       NULL when neither */
	const char *description;            /* Content-Description or NULL */
	const unsigned char *body;          /* transfer-encoding removed */
	size_t body_len;
	unsigned depth;                     /* 0 for a single-part message */
	size_t index;                       /* leaf number in walk order, from 0 */
};

/* Return TR_OK to continue the walk; anything else stops it and is returned
 * by mime_walk(). */
typedef enum tr_err (*mime_leaf_fn)(const struct mime_part *part, void *ctx);

/*
 * Visit every leaf part of the message msg[0..len) in order: the message's
 * own body when it is not multipart, else each leaf of each multipart,
 * recursing into nested multiparts and message/rfc822 parts up to
 * max_depth.  Preamble and epilogue are ignored; a multipart whose closing
 * delimiter is missing ends at the end of its enclosing body; boundaries
 * that are prefixes of other boundaries are told apart (a delimiter line is
 * "--boundary" followed only by optional "--" and whitespace).
 * A multipart with no boundary parameter is treated as a leaf.
 * Errors: TR_ERR_LIMIT (max_parts, max_depth, max_decoded, header limits),
 * TR_ERR_NOMEM, or whatever the callback returned.
 */
enum tr_err mime_walk(const char *msg, size_t len, const struct tr_limits *lim,
                      mime_leaf_fn fn, void *ctx, struct tr_error *err);

#endif
