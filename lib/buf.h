/*
 * buf: a growable byte buffer with a hard maximum.
 *
 * Every buffer that grows on input from the network is a struct buf with a
 * max: appending past it fails with TR_ERR_LIMIT and leaves the contents as
 * they were, so the caller can log and give up.  The data is always followed
 * by a NUL byte (not counted in len) so text can be handed to C string
 * functions, but binary data may contain NULs: always use len.
 *
 * Ownership: the struct owns data until buf_free() or buf_detach().
 */
#ifndef TLSRPT_BUF_H
#define TLSRPT_BUF_H

#include <stddef.h>

#include "err.h"

struct buf {
	unsigned char *data; /* NULL until the first append */
	size_t len;          /* bytes used, excluding the trailing NUL */
	size_t cap;          /* bytes allocated */
	size_t max;          /* len may never exceed this */
};

/* Start empty with the given maximum length; allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Append n bytes; TR_ERR_LIMIT past max, TR_ERR_NOMEM on allocation failure. */
enum tr_err buf_append(struct buf *b, const void *p, size_t n);

/* Append one byte. */
enum tr_err buf_putc(struct buf *b, unsigned char c);

/* Forget the contents but keep the memory for reuse. */
void buf_reset(struct buf *b);

/* Release the memory; the buffer may be reused after buf_init(). NULL-safe. */
void buf_free(struct buf *b);

/* Hand the NUL-terminated data to the caller (free() it); the buffer is left
 * empty.  Returns a valid empty string, never NULL, unless memory ran out. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Room for one more element in an array v of *cap elements of elem_size
 * bytes, n of them in use: v itself while n < *cap, else v grown to twice
 * the capacity (first_cap when it was 0), the new elements zeroed and *cap
 * updated.  NULL when memory ran out or the size would overflow: v is then
 * still the caller's, unchanged.  The caller bounds n; this only doubles.
 */
void *array_grow(void *v, size_t *cap, size_t n, size_t elem_size, size_t first_cap);

#endif
