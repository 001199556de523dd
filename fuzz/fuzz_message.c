/*
 * fuzz_message: the whole pipeline, message -> reports, fed the way the
 * milter gets it.  MTAs hand the body over in chunks of up to 64 KiB, with
 * CR/LF pairs and base64 quads split anywhere, so the first bytes of the
 * input choose the chunk sizes: byte 0 is the number of cuts (0-7), then
 * two bytes per cut give each chunk's length.  The chunks are reassembled
 * through a bounded struct buf, as the milter does, and the result goes
 * through extract_message.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "extract.h"
#include "fuzz.h"
#include "report.h"

#define MAX_CUTS 8
#define MILTER_CHUNK 65536

/* Feed data[0..size) in chunks through buf like xxfi_body calls would. */
static enum tr_err reassemble(const uint8_t *cuts, size_t ncuts, const uint8_t *data,
                              size_t size, struct buf *msg)
{
	size_t off = 0, i, n;
	enum tr_err rc;

	for (i = 0; i <= ncuts && off < size; i++) {
		n = size - off;
		if (i < ncuts) {
			size_t want = ((size_t)cuts[2 * i] << 8 | cuts[2 * i + 1]) + 1;

			if (want < n)
				n = want;
		}
		while (n > 0) {
			size_t piece = n < MILTER_CHUNK ? n : MILTER_CHUNK;

			rc = buf_append(msg, data + off, piece);
			if (rc != TR_OK)
				return rc;
			off += piece;
			n -= piece;
		}
	}
	return TR_OK;
}

static void check_item(const struct extract_item *it)
{
	char *json;

	if (it->report == NULL) {
		if (it->error.code == TR_OK || it->error.msg[0] == '\0')
			abort(); /* an invalid item must say why */
		return;
	}
	json = report_to_json(it->report, 1);
	if (json != NULL)
		fuzz_assert_utf8("report_to_json", json, strlen(json));
	free(json);
	if (it->submitter != NULL)
		fuzz_assert_utf8("submitter", it->submitter, strlen(it->submitter));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_result res;
	struct tr_limits lim;
	struct tr_error err;
	struct buf msg;
	size_t ncuts, i;

	/* as the programs parse (report.h); setting the same hooks again is free */
	report_use_cjson_arena();
	if (size < 1)
		return 0;
	ncuts = data[0] % MAX_CUTS;
	if (size < 1 + 2 * ncuts)
		return 0;
	fuzz_limits(&lim);
	buf_init(&msg, lim.max_message + 1); /* one more: extract sees the oversize case */
	if (reassemble(data + 1, ncuts, data + 1 + 2 * ncuts, size - 1 - 2 * ncuts, &msg) != TR_OK) {
		buf_free(&msg);
		return 0;
	}
	if (msg.len != size - 1 - 2 * ncuts ||
	    memcmp(msg.data ? msg.data : (const unsigned char *)"", data + 1 + 2 * ncuts, msg.len) != 0)
		abort(); /* reassembly lost or reordered bytes */
	tr_error_clear(&err);
	extract_message(msg.data ? (const char *)msg.data : "", msg.len, &lim, &res, &err);
	for (i = 0; i < res.n; i++)
		check_item(&res.items[i]);
	extract_result_free(&res);
	buf_free(&msg);
	return 0;
}
