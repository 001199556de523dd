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

/* The sextet of a base64 alphabet byte, or -1 for anything else. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

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
	int v;

	s.out = out;
	s.n = 0;
	for (i = 0; i < len && in[i] != '='; i++) {
		v = b64_value((unsigned char)in[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		if (++q < 4)
			continue;
		rc = sink_putc(&s, (unsigned char)(acc >> 16));
		if (rc == TR_OK)
			rc = sink_putc(&s, (unsigned char)(acc >> 8));
		if (rc == TR_OK)
			rc = sink_putc(&s, (unsigned char)acc);
		if (rc != TR_OK)
			return rc;
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
