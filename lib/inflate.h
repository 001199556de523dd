/*
 * inflate: gunzip report attachments with a hard cap on what comes out.
 *
 * A gzip bomb costs at most max_out bytes of memory and the time to produce
 * them: inflation stops as soon as the cap is reached.
 */
#ifndef TLSRPT_INFLATE_H
#define TLSRPT_INFLATE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum inflate_kind {
	INFLATE_NONE,  /* not compressed (or not recognised) */
	INFLATE_GZIP,  /* 1f 8b */
	INFLATE_ZLIB,  /* RFC 1950 header: CMF/FLG check passes */
};

/* Recognise the compression of p[0..len) from its first bytes. */
enum inflate_kind inflate_sniff(const unsigned char *p, size_t len);

/*
 * Decompress in[0..len) of the given kind, appending to out (a buf whose
 * max is the output cap).  gzip: concatenated members are all inflated;
 * bytes after the last complete member that do not start another member
 * are ignored (trailing garbage).  A stream that ends early is
 * TR_ERR_FORMAT ("truncated"); corrupt data TR_ERR_FORMAT; output past the
 * cap TR_ERR_LIMIT.  kind INFLATE_NONE copies.  err gets the reason.
 */
enum tr_err inflate_bytes(enum inflate_kind kind, const unsigned char *in, size_t len,
                          struct buf *out, struct tr_error *err);

#endif
