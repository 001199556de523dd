/*
 * escape: making report contents safe to print (see output.h).  Every
 * string a sender controls passes through here on its way to a terminal,
 * a JSON document or a CSV file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "output.h"

/* One UTF-8 sequence at s[0..n): its length and code point, or 0 when the
 * bytes are not valid UTF-8 (overlong forms and surrogates included). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points that change how a terminal shows what follows them (C1
 * controls, bidi controls, the Unicode line and paragraph separators). */
static int is_dangerous_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
	       c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* "\\xNN" for a byte, "\\uNNNN" for a code point. */
static enum tr_err put_escape(struct buf *b, int is_byte, unsigned v)
{
	char tmp[16];
	int n = is_byte ? snprintf(tmp, sizeof tmp, "\\x%02x", v)
	                : snprintf(tmp, sizeof tmp, "\\u%04x", v);

	if (n < 0 || (size_t)n >= sizeof tmp)
		return TR_ERR_LIMIT;
	return buf_append(b, tmp, (size_t)n);
}

static enum tr_err esc_ascii(struct buf *b, unsigned char c)
{
	switch (c) {
	case '\\': return buf_append(b, "\\\\", 2);
	case '\n': return buf_append(b, "\\n", 2);
	case '\r': return buf_append(b, "\\r", 2);
	case '\t': return buf_append(b, "\\t", 2);
	default: break;
	}
	if (c < 0x20 || c == 0x7f)
		return put_escape(b, 1, c);
	return buf_putc(b, c);
}

char *esc_term(const char *s, const char *if_null)
{
	const unsigned char *p;
	size_t n, len;
	uint32_t cp;
	struct buf b;
	enum tr_err rc = TR_OK;

	if (s == NULL)
		s = if_null != NULL ? if_null : "";
	p = (const unsigned char *)s;
	n = strlen(s);
	buf_init(&b, SIZE_MAX / 2);
	while (rc == TR_OK && n > 0) {
		len = utf8_decode(p, n, &cp);
		if (len == 1)
			rc = esc_ascii(&b, *p);
		else if (len == 0)
			rc = put_escape(&b, 1, *p);
		else if (is_dangerous_cp(cp))
			rc = put_escape(&b, 0, cp);
		else
			rc = buf_append(&b, p, len);
		if (len == 0)
			len = 1;
		p += len;
		n -= len;
	}
	if (rc != TR_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/*
 * Terminal columns of code point cp: 0 for combining marks, zero-width
 * characters and variation selectors, 2 for East Asian wide and fullwidth
 * forms and emoji (organization names in Chinese, Japanese and Korean),
 * else 1.  The common ranges only: a terminal may disagree on rare ones.
 */
static size_t cp_width(uint32_t cp)
{
	static const struct {
		uint32_t lo, hi;
	} zero[] = {
		{ 0x0300, 0x036f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x200b, 0x200f },
		{ 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	}, wide[] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};
	size_t i;

	for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (cp >= zero[i].lo && cp <= zero[i].hi)
			return 0;
	for (i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i].lo && cp <= wide[i].hi)
			return 2;
	return 1;
}

/* The next code point of s (escaped: valid UTF-8): its bytes and columns.
 * A sequence is at most 4 bytes: looking no further keeps a walk over a
 * long cell linear. */
static size_t next_cp(const char *s, size_t *cols)
{
	uint32_t cp = 0;
	size_t len = utf8_decode((const unsigned char *)s, strnlen(s, 4), &cp);

	if (len == 0)
		len = 1; /* not UTF-8 after all: a byte a column */
	*cols = len == 1 ? 1 : cp_width(cp);
	return len;
}

size_t text_width(const char *s)
{
	size_t w = 0, off = 0, cols;

	while (s[off] != '\0') {
		off += next_cp(s + off, &cols);
		w += cols;
	}
	return w;
}

/* Byte offset just past the first cols columns of s, never inside a wide
 * character: with round_up, past the one that straddles the mark. */
static size_t col_offset(const char *s, size_t cols, int round_up)
{
	size_t off = 0, used = 0, len, w;

	while (s[off] != '\0' && used < cols) {
		len = next_cp(s + off, &w);
		if (used + w > cols && !round_up)
			break;
		used += w;
		off += len;
	}
	/* combining marks stay with the character they follow */
	while (s[off] != '\0' && (len = next_cp(s + off, &w), w == 0))
		off += len;
	return off;
}

char *text_shorten(const char *s, size_t width, int keep_right)
{
	size_t w = text_width(s), keep, off, n;
	char *out;

	if (width < 4)
		width = 4;
	if (w <= width)
		return strdup(s);
	keep = width - 3;
	n = strlen(s);
	out = malloc(n + 4);
	if (out == NULL)
		return NULL;
	if (keep_right) {
		off = col_offset(s, w - keep, 1);
		memcpy(out, "...", 3);
		memcpy(out + 3, s + off, n - off + 1);
	} else {
		off = col_offset(s, keep, 0);
		memcpy(out, s, off);
		memcpy(out + off, "...", 4);
	}
	return out;
}

void fmt_grouped(uint64_t v, char *out, size_t outlen)
{
	char digits[24], grouped[32];
	int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
	int i, j = 0;

	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(out, outlen, "%s", grouped);
}

void fmt_failure_rate(uint64_t successful, uint64_t failed, char *out, size_t outlen)
{
	double total = (double)successful + (double)failed;
	double pct;

	if (successful == 0 && failed == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	pct = 100.0 * (double)failed / total;
	if (failed > 0 && pct < 0.05)
		snprintf(out, outlen, "<0.1%%");
	else if (successful > 0 && pct >= 99.95)
		snprintf(out, outlen, ">99.9%%");
	else
		snprintf(out, outlen, "%.1f%%", pct);
}

static void json_put_cp_escape(FILE *f, uint32_t cp)
{
	fprintf(f, "\\u%04x", (unsigned)cp);
}

/* Bytes p[0..n) of a JSON string's contents, or (in_string 0) of a
 * whole JSON text whose strings are escaped already: what a terminal
 * would act on becomes \uNNNN either way. */
static void json_put_chars(FILE *f, const unsigned char *p, size_t n, int in_string)
{
	size_t len;
	uint32_t cp;

	while (n > 0) {
		len = utf8_decode(p, n, &cp);
		if (len == 0) {
			fputs("\\ufffd", f);
			len = 1;
		} else if (in_string && (cp == '"' || cp == '\\')) {
			fputc('\\', f);
			fputc((int)cp, f);
		} else if ((in_string && cp < 0x20) || cp == 0x7f || is_dangerous_cp(cp)) {
			json_put_cp_escape(f, cp);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
}

void json_put_string(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	json_put_chars(f, (const unsigned char *)s, strlen(s), 1);
	fputc('"', f);
}

void json_put_text(FILE *f, const char *json)
{
	json_put_chars(f, (const unsigned char *)json, strlen(json), 0);
}

static int csv_needs_quotes(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return 0;
	if (strpbrk(s, ",\"\r\n") != NULL)
		return 1;
	return s[0] == ' ' || s[n - 1] == ' ';
}

void csv_put_escaped(FILE *f, const char *e)
{
	const char *p;

	if (!csv_needs_quotes(e)) {
		fputs(e, f);
		return;
	}
	fputc('"', f);
	for (p = e; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * A spreadsheet opening the CSV runs a cell that starts with =, +, - or @
 * as a formula (CSV injection), and a report's strings are anybody's: such
 * a field gets a leading apostrophe, which spreadsheets show as text.
 */
static char *defuse_formula(char *e)
{
	size_t n = strlen(e);
	char *d;

	if (n == 0 || strchr("=+-@", e[0]) == NULL)
		return e;
	d = malloc(n + 2);
	if (d != NULL) {
		d[0] = '\'';
		memcpy(d + 1, e, n + 1);
	}
	free(e);
	return d;
}

int csv_put_field(FILE *f, const char *s)
{
	char *e;

	if (s == NULL)
		return 0;
	e = esc_term(s, "");
	if (e != NULL)
		e = defuse_formula(e);
	if (e == NULL)
		return -1;
	csv_put_escaped(f, e);
	free(e);
	return 0;
}
