/*
 * decode: content-transfer-encodings (see decode.h).
 *
 * Sits between the MIME walk and inflate: turns a part's raw body into the
 * bytes it carries.  Both decoders make one pass and gather output in a
 * small stack block flushed to the caller's bounded buffer, so the buffer
 * sees a few large appends rather than one call per byte, and the limit is
 * still enforced by the buffer itself.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "decode.h"

#define DECODE_BLOCK 4096

struct sink {
	struct buf *out;
	size_t n;
	unsigned char blk[DECODE_BLOCK];
};

static enum tr_err sink_flush(struct sink *s)
{
	enum tr_err rc;

	if (s->n == 0)
		return TR_OK;
	rc = buf_append(s->out, s->blk, s->n);
	s->n = 0;
	return rc;
}

static enum tr_err sink_putc(struct sink *s, unsigned char c)
{
	enum tr_err rc;

	if (s->n == sizeof s->blk) {
		rc = sink_flush(s);
		if (rc != TR_OK)
			return rc;
	}
	s->blk[s->n++] = c;
	return TR_OK;
}

static enum tr_err sink_write(struct sink *s, const char *p, size_t n)
{
	enum tr_err rc;

	if (n <= sizeof s->blk - s->n) {
		memcpy(s->blk + s->n, p, n);
		s->n += n;
		return TR_OK;
	}
	rc = sink_flush(s);
	if (rc != TR_OK)
		return rc;
	return buf_append(s->out, p, n);
}

/* One more than the sextet of each base64 alphabet byte; 0 for anything
 * else (line breaks, junk), which the decoder skips.  A table, because
 * this loop runs over every byte of every attachment. */
static const unsigned char b64_sextet_plus1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8,
	['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15,
	['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29,
	['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43,
	['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
	['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64
};

/* Emit what a partial quad of q sextets (2 or 3) carries. */
static enum tr_err b64_tail(struct sink *s, uint32_t acc, unsigned q)
{
	enum tr_err rc = TR_OK;

	if (q == 2)
		rc = sink_putc(s, (unsigned char)(acc >> 4));
	if (q == 3) {
		rc = sink_putc(s, (unsigned char)(acc >> 10));
		if (rc == TR_OK)
			rc = sink_putc(s, (unsigned char)(acc >> 2));
	}
	return rc;
}

enum tr_err decode_base64(const char *in, size_t len, struct buf *out)
{
	struct sink s;
	uint32_t acc = 0;
	unsigned q = 0;
	size_t i;
	enum tr_err rc = TR_OK;
	unsigned v;

	s.out = out;
	s.n = 0;
	for (i = 0; i < len && in[i] != '='; i++) {
		v = b64_sextet_plus1[(unsigned char)in[i]];
		if (v == 0)
			continue;
		acc = (acc << 6) | (uint32_t)(v - 1);
		if (++q < 4)
			continue;
		if (s.n + 3 > sizeof s.blk) {
			rc = sink_flush(&s);
			if (rc != TR_OK)
				return rc;
		}
		s.blk[s.n++] = (unsigned char)(acc >> 16);
		s.blk[s.n++] = (unsigned char)(acc >> 8);
		s.blk[s.n++] = (unsigned char)acc;
		acc = 0;
		q = 0;
	}
	rc = b64_tail(&s, acc, q);
	if (rc != TR_OK)
		return rc;
	return sink_flush(&s);
}

int decode_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Length of the soft line break starting at the '=' in[i] ("=", optional
 * SP/TAB that transports add, then CRLF, LF or the end of input), or 0 when
 * there is none.
 */
static size_t qp_soft_break(const char *in, size_t len, size_t i)
{
	size_t j = i + 1;

	while (j < len && (in[j] == ' ' || in[j] == '\t'))
		j++;
	if (j == len)
		return j - i;
	if (in[j] == '\n')
		return j + 1 - i;
	if (in[j] == '\r' && (j + 1 == len || in[j + 1] == '\n'))
		return (j + 1 == len ? j + 1 : j + 2) - i;
	return 0;
}

enum tr_err decode_qp(const char *in, size_t len, struct buf *out)
{
	struct sink s;
	const char *eq;
	size_t i = 0, run, soft;
	enum tr_err rc;
	int hi, lo;

	s.out = out;
	s.n = 0;
	while (i < len) {
		eq = memchr(in + i, '=', len - i);
		run = eq ? (size_t)(eq - in) - i : len - i;
		rc = sink_write(&s, in + i, run);
		if (rc != TR_OK)
			return rc;
		i += run;
		if (i == len)
			break;
		soft = qp_soft_break(in, len, i);
		if (soft > 0) {
			i += soft;
			continue;
		}
		hi = i + 2 < len ? decode_hex_digit((unsigned char)in[i + 1]) : -1;
		lo = hi >= 0 ? decode_hex_digit((unsigned char)in[i + 2]) : -1;
		if (lo >= 0) {
			rc = sink_putc(&s, (unsigned char)(hi << 4 | lo));
			i += 3;
		} else {
			rc = sink_putc(&s, '='); /* malformed: keep it as written */
			i++;
		}
		if (rc != TR_OK)
			return rc;
	}
	return sink_flush(&s);
}

enum decode_cte decode_cte_parse(const char *value)
{
	const char *s, *e;
	size_t n;

	if (value == NULL)
		return CTE_IDENTITY;
	s = value;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s;
	while (*e != '\0' && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n' &&
	       *e != ';' && *e != '(')
		e++;
	n = (size_t)(e - s);
	if (n == 6 && strncasecmp(s, "base64", n) == 0)
		return CTE_BASE64;
	if (n == 16 && strncasecmp(s, "quoted-printable", n) == 0)
		return CTE_QP;
	return CTE_IDENTITY;
}

enum tr_err decode_body(enum decode_cte cte, const char *in, size_t len, struct buf *out)
{
	switch (cte) {
	case CTE_BASE64:
		return decode_base64(in, len, out);
	case CTE_QP:
		return decode_qp(in, len, out);
	case CTE_IDENTITY:
		break;
	}
	return buf_append(out, in, len);
}
