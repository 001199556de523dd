/*
 * fuzz_common: the limits and invariant checks shared by the fuzz targets.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void fuzz_limits(struct tr_limits *l)
{
	limits_default(l);
	l->max_message = 1024 * 1024;
	l->max_header = 4096;
	l->max_headers = 200;
	l->max_parts = 64;
	l->max_depth = 8;
	l->max_decoded = 512 * 1024;
	l->max_inflated = 1024 * 1024;
	l->max_reports = 16;
	l->max_json_depth = 16;
	l->max_policies = 256;
	l->max_failures = 1024;
	l->max_strings = 64;
	l->max_string_len = 4096;
}

/* Length of the UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF), 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *p, size_t len)
{
	size_t need, i;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 1;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

void fuzz_assert_utf8(const char *what, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		k = utf8_seq_len(p + i, len - i);
		if (k == 0) {
			fprintf(stderr, "fuzz: %s: invalid UTF-8 at byte %zu\n", what, i);
			abort();
		}
		i += k;
	}
}
