/*
 * fuzz_inflate: gzip and zlib inflation with its output cap.  The input is
 * sniffed like an attachment, then also forced through each kind so that
 * the gzip member loop and the zlib path see every input.
 */
#include <stdlib.h>

#include "buf.h"
#include "fuzz.h"
#include "inflate.h"

#define CAP (1024 * 1024)

static void run(enum inflate_kind kind, const uint8_t *data, size_t size)
{
	struct tr_error err;
	struct buf out;
	enum tr_err rc;

	buf_init(&out, CAP);
	rc = inflate_bytes(kind, data, size, &out, &err);
	if (out.len > CAP)
		abort();
	if (rc != TR_OK && err.msg[0] == '\0')
		abort(); /* every failure must carry a reason for the log */
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum inflate_kind kind = inflate_sniff(data, size);

	run(kind, data, size);
	if (kind != INFLATE_GZIP)
		run(INFLATE_GZIP, data, size);
	if (kind != INFLATE_ZLIB)
		run(INFLATE_ZLIB, data, size);
	return 0;
}
