/*
 * buf: bounded growable buffer (see buf.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static enum tr_err buf_grow(struct buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	unsigned char *p;

	/* need counts the trailing NUL, so it may be max + 1 */
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	if (cap > b->max + 1 && need <= b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return TR_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return TR_OK;
}

enum tr_err buf_append(struct buf *b, const void *p, size_t n)
{
	enum tr_err rc;

	if (n > b->max || b->len > b->max - n)
		return TR_ERR_LIMIT;
	if (b->len + n + 1 > b->cap) {
		rc = buf_grow(b, b->len + n + 1);
		if (rc != TR_OK)
			return rc;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return TR_OK;
}

enum tr_err buf_putc(struct buf *b, unsigned char c)
{
	if (b->len < b->max && b->len + 1 < b->cap) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return TR_OK;
	}
	return buf_append(b, &c, 1);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = (char *)b->data;

	if (p == NULL)
		p = calloc(1, 1);
	if (len != NULL)
		*len = p ? b->len : 0;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

void *array_grow(void *v, size_t *cap, size_t n, size_t elem_size, size_t first_cap)
{
	size_t ncap;
	unsigned char *p;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : first_cap;
	if (ncap <= *cap || elem_size == 0 || ncap > SIZE_MAX / elem_size)
		return NULL;
	p = realloc(v, ncap * elem_size);
	if (p == NULL)
		return NULL;
	memset(p + *cap * elem_size, 0, (ncap - *cap) * elem_size);
	*cap = ncap;
	return p;
}
