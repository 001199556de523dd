/*
 * fuzz_decode: the transfer decoders.  The first byte picks the encoding
 * and the output cap, the rest is the encoded body; the Content-Transfer-
 * Encoding value parser gets the input as a header value too.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "decode.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum decode_cte kinds[] = { CTE_IDENTITY, CTE_BASE64, CTE_QP };
	struct buf out, copy;
	enum decode_cte cte;
	enum tr_err rc;
	size_t max;

	if (size < 1)
		return 0;
	cte = kinds[data[0] % 3];
	max = (data[0] & 0x80) ? 64 : 1024 * 1024; /* small caps cross the limit */
	buf_init(&out, max);
	rc = decode_body(cte, (const char *)data + 1, size - 1, &out);
	if (rc == TR_OK && out.len > max)
		abort();
	if (rc == TR_OK && cte != CTE_QP && out.len > size - 1)
		abort(); /* base64 shrinks, identity copies */
	if (rc == TR_ERR_LIMIT && out.len > max)
		abort();
	buf_free(&out);

	buf_init(&copy, 256);
	if (buf_append(&copy, data + 1, size - 1 < 200 ? size - 1 : 200) == TR_OK)
		(void)decode_cte_parse((const char *)copy.data);
	buf_free(&copy);
	return 0;
}
