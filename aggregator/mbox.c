/*
 * mbox: streaming split of an mbox into messages (see source.h), so that
 * an mbox of any size is read a block at a time and only one message is
 * ever held in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define MBOX_BLOCK (64u * 1024)

enum tr_err mbox_reader_init(struct mbox_reader *r, FILE *f, const void *pre, size_t prelen)
{
	memset(r, 0, sizeof *r);
	r->f = f;
	r->at_bol = 1;
	r->blk = malloc(MBOX_BLOCK);
	if (r->blk == NULL)
		return TR_ERR_NOMEM;
	if (prelen > MBOX_BLOCK)
		prelen = MBOX_BLOCK;
	if (prelen > 0)
		memcpy(r->blk, pre, prelen);
	r->len = prelen;
	return TR_OK;
}

void mbox_reader_free(struct mbox_reader *r)
{
	if (r == NULL)
		return;
	free(r->blk);
	r->blk = NULL;
}

/* Move what is left to the front of the block and fill the rest. */
static enum tr_err refill(struct mbox_reader *r)
{
	size_t n;

	if (r->pos > 0) {
		memmove(r->blk, r->blk + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->eof || r->len == MBOX_BLOCK)
		return TR_OK;
	n = fread(r->blk + r->len, 1, MBOX_BLOCK - r->len, r->f);
	r->len += n;
	if (n == 0 || feof(r->f))
		r->eof = 1;
	if (ferror(r->f))
		return TR_ERR_IO;
	return TR_OK;
}

/*
 * The next piece of a line: a whole line (with its '\n') when it fits the
 * block, else as much as the block holds.  *bol says whether the piece
 * starts a line.  Returns TR_ERR_NOTFOUND at the end of input.
 */
static enum tr_err next_piece(struct mbox_reader *r, const char **p, size_t *n, int *bol)
{
	const char *nl;
	enum tr_err rc;

	nl = memchr(r->blk + r->pos, '\n', r->len - r->pos);
	if (nl == NULL && !r->eof) {
		rc = refill(r);
		if (rc != TR_OK)
			return rc;
		nl = memchr(r->blk + r->pos, '\n', r->len - r->pos);
	}
	if (r->pos == r->len)
		return TR_ERR_NOTFOUND;
	*p = r->blk + r->pos;
	*n = nl != NULL ? (size_t)(nl - *p) + 1 : r->len - r->pos;
	*bol = r->at_bol;
	r->pos += *n;
	r->at_bol = (*p)[*n - 1] == '\n';
	return TR_OK;
}

static int is_from_line(const char *p, size_t n)
{
	return n >= 5 && memcmp(p, "From ", 5) == 0;
}

/* ">From ", ">>From "...: written escaped by the mbox writer. */
static int is_escaped_from(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] == '>')
		i++;
	return i > 0 && is_from_line(p + i, n - i);
}

/* The blank line before the next "From " belongs to the mbox, not the message. */
static void drop_separator_line(struct buf *msg)
{
	if (msg->len >= 4 && memcmp(msg->data + msg->len - 4, "\r\n\r\n", 4) == 0)
		msg->len -= 2;
	else if (msg->len >= 2 && memcmp(msg->data + msg->len - 2, "\n\n", 2) == 0)
		msg->len -= 1;
	if (msg->data != NULL)
		msg->data[msg->len] = '\0';
}

static enum tr_err end_message(struct buf *msg, int too_big)
{
	if (too_big)
		return TR_ERR_LIMIT;
	drop_separator_line(msg);
	return TR_OK;
}

enum tr_err mbox_next(struct mbox_reader *r, struct buf *msg)
{
	const char *p;
	size_t n;
	int bol, too_big = 0;
	enum tr_err rc;

	buf_reset(msg);
	for (;;) {
		rc = next_piece(r, &p, &n, &bol);
		if (rc == TR_ERR_NOTFOUND) {
			if (!r->in_message)
				return TR_ERR_NOTFOUND;
			r->in_message = 0;
			return end_message(msg, too_big);
		}
		if (rc != TR_OK)
			return rc;
		if (r->skip_line) {
			r->skip_line = !r->at_bol;
			continue;
		}
		if (bol && is_from_line(p, n)) {
			r->skip_line = !r->at_bol;
			if (r->in_message)
				return end_message(msg, too_big);
			r->in_message = 1;
			continue;
		}
		r->in_message = 1;
		if (bol && is_escaped_from(p, n)) {
			p++;
			n--;
		}
		if (!too_big && buf_append(msg, p, n) != TR_OK)
			too_big = 1;
	}
}
