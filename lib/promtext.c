/*
 * promtext: writing the Prometheus text format (see promtext.h).
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "promtext.h"

void promtext_init(struct promtext *p, size_t max)
{
	buf_init(&p->out, max);
	p->status = TR_OK;
}

void promtext_free(struct promtext *p)
{
	if (p != NULL)
		buf_free(&p->out);
}

static void put(struct promtext *p, const char *s, size_t n)
{
	if (p->status == TR_OK)
		p->status = buf_append(&p->out, s, n);
}

static void puts_(struct promtext *p, const char *s)
{
	put(p, s, strlen(s));
}

/* [a-zA-Z_:][a-zA-Z0-9_:]*: our own constants, so a bad one is our bug. */
static int valid_name(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == ':'))
			return 0;
	return 1;
}

void promtext_family(struct promtext *p, const char *name, const char *type, const char *help)
{
	assert(valid_name(name));
	assert(strchr(help, '\n') == NULL && strchr(help, '\\') == NULL);
	puts_(p, "# HELP ");
	puts_(p, name);
	put(p, " ", 1);
	puts_(p, help);
	puts_(p, "\n# TYPE ");
	puts_(p, name);
	put(p, " ", 1);
	puts_(p, type);
	put(p, "\n", 1);
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF refused). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static void put_value(struct promtext *p, const char *v)
{
	const unsigned char *s = (const unsigned char *)(v != NULL ? v : "");
	size_t n = strlen((const char *)s), i = 0, len, used = 0;

	while (i < n) {
		len = utf8_len(s + i, n - i);
		if (used + (len > 1 ? len : 1) > PROMTEXT_MAX_VALUE)
			break;
		if (len > 1) {
			put(p, (const char *)s + i, len);
		} else if (len == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			len = 1;
			put(p, s[i] == '\n' ? "\\n" : "?", s[i] == '\n' ? 2 : 1);
		} else if (s[i] == '\\' || s[i] == '"') {
			put(p, "\\", 1);
			put(p, (const char *)s + i, 1);
		} else {
			put(p, (const char *)s + i, 1);
		}
		used += len;
		i += len;
	}
}

static void put_series(struct promtext *p, const char *name, const struct promtext_label *labels,
                       size_t n)
{
	size_t i;

	assert(valid_name(name));
	puts_(p, name);
	if (n == 0) {
		put(p, " ", 1);
		return;
	}
	put(p, "{", 1);
	for (i = 0; i < n; i++) {
		assert(valid_name(labels[i].name));
		if (i > 0)
			put(p, ",", 1);
		puts_(p, labels[i].name);
		put(p, "=\"", 2);
		put_value(p, labels[i].value);
		put(p, "\"", 1);
	}
	put(p, "} ", 2);
}

void promtext_u64(struct promtext *p, const char *name, const struct promtext_label *labels,
                  size_t n, uint64_t value)
{
	char num[32];

	put_series(p, name, labels, n);
	snprintf(num, sizeof num, "%" PRIu64 "\n", value);
	puts_(p, num);
}

void promtext_i64(struct promtext *p, const char *name, const struct promtext_label *labels,
                  size_t n, int64_t value)
{
	char num[32];

	put_series(p, name, labels, n);
	snprintf(num, sizeof num, "%" PRId64 "\n", value);
	puts_(p, num);
}

void promtext_double(struct promtext *p, const char *name, const struct promtext_label *labels,
                     size_t n, double value)
{
	char num[40];

	put_series(p, name, labels, n);
	if (isnan(value))
		snprintf(num, sizeof num, "NaN\n");
	else if (isinf(value))
		snprintf(num, sizeof num, "%sInf\n", value > 0 ? "+" : "-");
	else
		snprintf(num, sizeof num, "%.17g\n", value);
	puts_(p, num);
}
