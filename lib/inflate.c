/*
 * inflate: gunzip report attachments with a hard cap on what comes out
 * (see inflate.h).  Sits between decode (base64 bytes) and report (JSON).
 *
 * zlib writes into a small stack chunk whose size never lets the output go
 * more than one byte past the cap, so a gzip bomb is stopped after at most
 * max + 1 bytes of work and the buffer never grows beyond max + 1 bytes.
 *
 * After a complete gzip member, the rest is inflated as another member only
 * when it starts with the gzip magic (what zlib's own gzread does);
 * anything else is trailing garbage and ignored.  A member that starts
 * with the magic and then fails is an error, not garbage: it claimed to
 * be data.
 */
#include <string.h>

#include <zlib.h>

#include "inflate.h"

#define INFLATE_CHUNK 32768

/* <limits.h> is shadowed by lib/limits.h on the include path, so the
 * largest uInt is spelled (uInt)-1 below. */

enum inflate_kind inflate_sniff(const unsigned char *p, size_t len)
{
	if (p == NULL || len < 2)
		return INFLATE_NONE;
	if (p[0] == 0x1f && p[1] == 0x8b)
		return INFLATE_GZIP;
	/* RFC 1950: deflate, window <= 32K, check bits, no preset dictionary */
	if ((p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && (p[1] & 0x20) == 0 &&
	    ((unsigned)p[0] * 256 + p[1]) % 31 == 0)
		return INFLATE_ZLIB;
	return INFLATE_NONE;
}

struct inflate_run {
	z_stream zs;
	const unsigned char *in;
	size_t len;
	size_t pos;     /* bytes of in handed to zlib so far */
	struct buf *out;
};

/* Hand zlib the next slice of input (avail_in is only a uInt). */
static void feed_input(struct inflate_run *r)
{
	size_t n = r->len - r->pos;

	if (r->zs.avail_in > 0 || n == 0)
		return;
	if (n > (uInt)-1)
		n = (uInt)-1;
	r->zs.next_in = (unsigned char *)(r->in + r->pos);
	r->zs.avail_in = (uInt)n;
	r->pos += n;
}

/* Bytes not yet consumed by zlib. */
static size_t input_left(const struct inflate_run *r)
{
	return r->len - r->pos + r->zs.avail_in;
}

/* Append what zlib produced; the chunk was sized so that crossing the cap
 * by even one byte shows here. */
static enum tr_err take_output(struct inflate_run *r, const unsigned char *chunk,
                               size_t produced, struct tr_error *err)
{
	enum tr_err rc;

	if (produced > r->out->max - r->out->len)
		return tr_error_set(err, TR_ERR_LIMIT, "inflated data exceeds %zu bytes",
		                    r->out->max);
	rc = buf_append(r->out, chunk, produced);
	if (rc != TR_OK)
		return tr_error_set(err, rc, "inflate: cannot store output");
	return TR_OK;
}

/* At the end of a gzip member: is another member next? */
static int next_member_follows(struct inflate_run *r)
{
	const unsigned char *p;

	feed_input(r);
	if (r->zs.avail_in < 2)
		return 0; /* a lone byte cannot be a member: garbage */
	p = r->zs.next_in;
	return p[0] == 0x1f && p[1] == 0x8b;
}

static enum tr_err zlib_failure(struct inflate_run *r, int zrc, struct tr_error *err)
{
	if (zrc == Z_MEM_ERROR)
		return tr_error_set(err, TR_ERR_NOMEM, "inflate: out of memory");
	if (zrc == Z_NEED_DICT)
		return tr_error_set(err, TR_ERR_FORMAT, "compressed data needs a dictionary");
	return tr_error_set(err, TR_ERR_FORMAT, "corrupt compressed data: %s",
	                    r->zs.msg ? r->zs.msg : "unknown error");
}

static enum tr_err inflate_loop(struct inflate_run *r, int gzip, struct tr_error *err)
{
	unsigned char chunk[INFLATE_CHUNK];
	enum tr_err rc;

	for (;;) {
		size_t room = r->out->max - r->out->len;
		size_t produced;
		int zrc;

		/* at most one byte past the cap, so a bomb stops right there */
		room = room < sizeof chunk - 1 ? room + 1 : sizeof chunk;
		feed_input(r);
		r->zs.next_out = chunk;
		r->zs.avail_out = (uInt)room;
		zrc = inflate(&r->zs, Z_NO_FLUSH);
		produced = room - r->zs.avail_out;
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			return zlib_failure(r, zrc, err);
		rc = take_output(r, chunk, produced, err);
		if (rc != TR_OK)
			return rc;
		if (zrc == Z_STREAM_END) {
			if (!gzip || !next_member_follows(r))
				return TR_OK;
			if (inflateReset(&r->zs) != Z_OK)
				return zlib_failure(r, Z_STREAM_ERROR, err);
			continue;
		}
		/* zlib wants more input and there is none: the stream was cut */
		if (r->zs.avail_out > 0 && input_left(r) == 0)
			return tr_error_set(err, TR_ERR_FORMAT, "truncated compressed data");
	}
}

enum tr_err inflate_bytes(enum inflate_kind kind, const unsigned char *in, size_t len,
                          struct buf *out, struct tr_error *err)
{
	struct inflate_run r;
	enum tr_err rc;
	int zrc;

	if (kind == INFLATE_NONE) {
		rc = buf_append(out, in, len);
		if (rc == TR_ERR_LIMIT)
			return tr_error_set(err, rc, "data exceeds %zu bytes", out->max);
		if (rc != TR_OK)
			return tr_error_set(err, rc, "out of memory");
		return TR_OK;
	}
	memset(&r, 0, sizeof r);
	r.in = in;
	r.len = len;
	r.out = out;
	/* 15 + 16: gzip only; 15: zlib only (no auto-detection surprises) */
	zrc = inflateInit2(&r.zs, kind == INFLATE_GZIP ? 15 + 16 : 15);
	if (zrc != Z_OK)
		return zlib_failure(&r, zrc, err);
	rc = inflate_loop(&r, kind == INFLATE_GZIP, err);
	inflateEnd(&r.zs);
	return rc;
}
