/*
 * fuzz_mime: the MIME layer on a whole message: the header parser, the
 * parameter and encoded-word decoders on every header value, and the leaf
 * walk (multipart nesting, boundaries, transfer decoding).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mime.h"

static const char *const params[] = { "boundary", "name", "filename", "charset" };

/* Touch every byte a leaf exposes so that ASan sees any overread. */
static enum tr_err on_leaf(const struct mime_part *part, void *ctx)
{
	unsigned long *sum = ctx;
	size_t i;

	for (i = 0; i < part->body_len; i++)
		*sum += part->body[i];
	*sum += strlen(part->content_type);
	if (part->filename != NULL)
		*sum += strlen(part->filename);
	if (part->description != NULL)
		*sum += strlen(part->description);
	return TR_OK;
}

static void poke_header(const struct mime_header *h, unsigned long *sum)
{
	char type[128];
	size_t i;
	char *s;

	mime_content_type(h->value, type, sizeof type);
	*sum += strlen(type);
	for (i = 0; i < sizeof params / sizeof params[0]; i++) {
		s = mime_param(h->value, params[i]);
		if (s != NULL)
			*sum += strlen(s);
		free(s);
	}
	s = mime_decode_words(h->value);
	if (s != NULL && strlen(s) > strlen(h->value))
		abort(); /* the header promises never longer than the input */
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tr_limits lim;
	struct mime_headers h = { NULL, 0 };
	struct tr_error err;
	unsigned long sum = 0;
	size_t body_off = 0, i;

	fuzz_limits(&lim);
	if (mime_parse_headers((const char *)data, size, &lim, &h, &body_off, &err) == TR_OK) {
		if (body_off > size)
			abort();
		for (i = 0; i < h.n; i++)
			poke_header(&h.v[i], &sum);
	}
	mime_headers_free(&h);
	mime_walk((const char *)data, size, &lim, on_leaf, &sum, &err);
	return sum == 1 ? 1 : 0; /* keep sum alive; libFuzzer ignores it */
}
