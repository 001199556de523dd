/*
 * fuzz_mbox: the mbox splitter of tlsrpt-report import (aggregator/mbox.c),
 * which reads mailboxes full of mail from anyone.  Byte 0: how many of the
 * following bytes count as already read for sniffing (the reader is
 * handed them apart from the stream), and whether messages are capped at
 * 256 bytes (so that the over-long path is crossed) or 1 MiB.  Checks:
 * every message within its cap, and the messages never longer in all than
 * the input (unquoting ">From " and dropping separators only remove).
 */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "fuzz.h"
#include "source.h"

/* The bytes after the sniffed ones as a stream (fmemopen refuses size 0:
 * an empty stream is one byte already read). */
static FILE *open_rest(const uint8_t *p, size_t n)
{
	static char one[1];
	FILE *f;

	if (n > 0)
		return fmemopen((void *)p, n, "rb");
	f = fmemopen(one, sizeof one, "rb");
	if (f != NULL)
		(void)fgetc(f);
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox_reader r;
	struct buf msg;
	size_t prelen, cap, total = 0;
	FILE *f;
	enum tr_err rc;

	if (size < 1)
		return 0;
	cap = (data[0] & 0x80) ? 256 : (size_t)1 << 20;
	prelen = data[0] & 0x7f;
	data++;
	size--;
	if (prelen > size)
		prelen = size;
	f = open_rest(data + prelen, size - prelen);
	if (f == NULL)
		return 0;
	if (mbox_reader_init(&r, f, data, prelen) != TR_OK) {
		fclose(f);
		return 0;
	}
	buf_init(&msg, cap);
	for (;;) {
		rc = mbox_next(&r, &msg);
		if (rc == TR_ERR_NOTFOUND || rc == TR_ERR_IO || rc == TR_ERR_NOMEM)
			break;
		if (rc == TR_ERR_LIMIT)
			continue;
		if (rc != TR_OK || msg.len > cap)
			abort();
		total += msg.len;
		if (total > size)
			abort();
	}
	buf_free(&msg);
	mbox_reader_free(&r);
	fclose(f);
	return 0;
}
