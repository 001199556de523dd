/*
 * Unit tests of inflate: round trips through zlib made here, the gzip
 * shapes reporters send (concatenated members, trailing garbage, the
 * Microsoft header), truncation, corruption, and a gzip bomb that must stop
 * at the cap with bounded memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "inflate.h"

#define MiB (1024u * 1024u)

/* Compress p[0..n) with the given zlib windowBits (31 gzip, 15 zlib, -15 raw). */
static void compress_with(int window_bits, const void *p, size_t n, struct buf *out)
{
	unsigned char chunk[16384];
	z_stream zs;
	int zrc;

	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof chunk;
		zrc = deflate(&zs, Z_FINISH);
		assert_true(zrc == Z_OK || zrc == Z_STREAM_END || zrc == Z_BUF_ERROR);
		assert_int_equal(buf_append(out, chunk, sizeof chunk - zs.avail_out), TR_OK);
	} while (zrc != Z_STREAM_END);
	deflateEnd(&zs);
}

/* Text that compresses somewhat but not to nothing, over many chunks. */
static unsigned char *make_text(size_t n)
{
	unsigned char *p = malloc(n);
	uint32_t x = 12345;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (unsigned char)("{}[]\":, abcdefghijklmnop0123456789\n"[(x >> 16) % 35]);
	}
	return p;
}

static enum tr_err run(enum inflate_kind kind, const struct buf *in, size_t max,
                       struct buf *out, struct tr_error *e)
{
	buf_init(out, max);
	tr_error_clear(e);
	return inflate_bytes(kind, in->data, in->len, out, e);
}

static void sniff_recognises_gzip_zlib_and_plain(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08 };
	static const unsigned char z1[] = { 0x78, 0x9c };
	static const unsigned char z2[] = { 0x78, 0x01 };
	static const unsigned char z3[] = { 0x78, 0xda };
	static const unsigned char zdict[] = { 0x78, 0xbb }; /* FDICT set */
	static const unsigned char zbad[] = { 0x78, 0x9d };  /* check fails */
	static const unsigned char json[] = "{\"a\":1}";

	(void)state;
	assert_int_equal(inflate_sniff(gz, sizeof gz), INFLATE_GZIP);
	assert_int_equal(inflate_sniff(z1, 2), INFLATE_ZLIB);
	assert_int_equal(inflate_sniff(z2, 2), INFLATE_ZLIB);
	assert_int_equal(inflate_sniff(z3, 2), INFLATE_ZLIB);
	assert_int_equal(inflate_sniff(zdict, 2), INFLATE_NONE);
	assert_int_equal(inflate_sniff(zbad, 2), INFLATE_NONE);
	assert_int_equal(inflate_sniff(json, sizeof json - 1), INFLATE_NONE);
	assert_int_equal(inflate_sniff(gz, 1), INFLATE_NONE);
	assert_int_equal(inflate_sniff(NULL, 0), INFLATE_NONE);
}

static void gzip_and_zlib_round_trip(void **state)
{
	const size_t n = 300000;
	unsigned char *text = make_text(n);
	struct buf in, out;
	struct tr_error e;
	static const int bits[] = { 31, 15 };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		buf_init(&in, SIZE_MAX);
		compress_with(bits[i], text, n, &in);
		assert_int_equal(inflate_sniff(in.data, in.len), i == 0 ? INFLATE_GZIP : INFLATE_ZLIB);
		assert_int_equal(run(inflate_sniff(in.data, in.len), &in, n, &out, &e), TR_OK);
		assert_int_equal(out.len, n);
		assert_memory_equal(out.data, text, n);
		buf_free(&out);
		buf_free(&in);
	}
	free(text);
}

static void none_copies_within_the_cap(void **state)
{
	struct buf out;
	struct tr_error e;

	(void)state;
	buf_init(&out, 5);
	assert_int_equal(inflate_bytes(INFLATE_NONE, (const unsigned char *)"hello", 5, &out, &e),
	                 TR_OK);
	assert_memory_equal(out.data, "hello", 5);
	buf_reset(&out);
	assert_int_equal(inflate_bytes(INFLATE_NONE, (const unsigned char *)"hello!", 6, &out, &e),
	                 TR_ERR_LIMIT);
	buf_free(&out);
}

static void empty_member_inflates_to_nothing(void **state)
{
	struct buf in, out;
	struct tr_error e;

	(void)state;
	buf_init(&in, SIZE_MAX);
	compress_with(31, "", 0, &in);
	assert_int_equal(run(INFLATE_GZIP, &in, 100, &out, &e), TR_OK);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	buf_free(&in);
}

static void concatenated_members_are_all_inflated(void **state)
{
	struct buf in, out;
	struct tr_error e;

	(void)state;
	buf_init(&in, SIZE_MAX);
	compress_with(31, "{\"a\":", 5, &in);
	compress_with(31, "", 0, &in);
	compress_with(31, "1}", 2, &in);
	assert_int_equal(run(INFLATE_GZIP, &in, 100, &out, &e), TR_OK);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.data, "{\"a\":1}", 7);
	buf_free(&out);
	buf_free(&in);
}

static void trailing_garbage_is_ignored(void **state)
{
	static const struct {
		const char *tail;
		size_t len;
	} tails[] = {
		{ "garbage\n", 8 },
		{ "\0\0\0\0\0\0\0\0", 8 },
		{ "\x1f", 1 },         /* half a magic number */
		{ "\x8b\x1f", 2 },
		{ "\r\n", 2 },
	};
	struct buf in, out;
	struct tr_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		buf_init(&in, SIZE_MAX);
		compress_with(31, "report", 6, &in);
		assert_int_equal(buf_append(&in, tails[i].tail, tails[i].len), TR_OK);
		if (run(INFLATE_GZIP, &in, 100, &out, &e) != TR_OK)
			fail_msg("tail %zu: %s", i, e.msg);
		assert_int_equal(out.len, 6);
		assert_memory_equal(out.data, "report", 6);
		buf_free(&out);
		buf_free(&in);
	}
}

static void truncation_anywhere_is_format_error(void **state)
{
	const size_t n = 100000;
	unsigned char *text = make_text(n);
	struct buf in, cut, out;
	struct tr_error e;
	size_t points[] = { 0, 1, 2, 5, 10, 11, 0, 0, 0, 0 };
	size_t i;

	(void)state;
	buf_init(&in, SIZE_MAX);
	compress_with(31, text, n, &in);
	points[6] = in.len / 2;
	points[7] = in.len - 8; /* whole deflate data, no trailer */
	points[8] = in.len - 4; /* CRC but no length */
	points[9] = in.len - 1;
	for (i = 0; i < sizeof points / sizeof points[0]; i++) {
		buf_init(&cut, SIZE_MAX);
		assert_int_equal(buf_append(&cut, in.data, points[i]), TR_OK);
		assert_int_equal(run(INFLATE_GZIP, &cut, n, &out, &e), TR_ERR_FORMAT);
		if (strstr(e.msg, "truncated") == NULL)
			fail_msg("cut at %zu: %s", points[i], e.msg);
		buf_free(&out);
		buf_free(&cut);
	}
	/* a second member that starts and is then cut is not garbage */
	buf_init(&cut, SIZE_MAX);
	compress_with(31, "first", 5, &cut);
	assert_int_equal(buf_append(&cut, in.data, 30), TR_OK);
	assert_int_equal(run(INFLATE_GZIP, &cut, n, &out, &e), TR_ERR_FORMAT);
	assert_non_null(strstr(e.msg, "truncated"));
	buf_free(&out);
	buf_free(&cut);
	/* zlib streams too */
	buf_free(&in);
	buf_init(&in, SIZE_MAX);
	compress_with(15, text, n, &in);
	in.len -= 3;
	assert_int_equal(run(INFLATE_ZLIB, &in, n, &out, &e), TR_ERR_FORMAT);
	assert_non_null(strstr(e.msg, "truncated"));
	buf_free(&out);
	buf_free(&in);
	free(text);
}

static void corruption_is_format_error(void **state)
{
	const size_t n = 20000;
	unsigned char *text = make_text(n);
	struct buf in, out;
	struct tr_error e;

	(void)state;
	buf_init(&in, SIZE_MAX);
	compress_with(31, text, n, &in);
	in.data[in.len - 6] ^= 0x55; /* CRC */
	assert_int_equal(run(INFLATE_GZIP, &in, n, &out, &e), TR_ERR_FORMAT);
	assert_non_null(strstr(e.msg, "corrupt"));
	buf_free(&out);
	in.data[in.len - 6] ^= 0x55;
	in.data[2] = 7; /* compression method */
	assert_int_equal(run(INFLATE_GZIP, &in, n, &out, &e), TR_ERR_FORMAT);
	buf_free(&out);
	in.data[2] = 8;
	memset(in.data + 20, 0xff, 40); /* deflate body */
	assert_int_equal(run(INFLATE_GZIP, &in, n, &out, &e), TR_ERR_FORMAT);
	buf_free(&out);
	/* a zlib stream handed over as gzip is not silently accepted */
	buf_free(&in);
	buf_init(&in, SIZE_MAX);
	compress_with(15, text, n, &in);
	assert_int_equal(run(INFLATE_GZIP, &in, n, &out, &e), TR_ERR_FORMAT);
	buf_free(&out);
	buf_free(&in);
	free(text);
}

static void cap_is_exact(void **state)
{
	const size_t n = 100000;
	unsigned char *text = make_text(n);
	struct buf in, out;
	struct tr_error e;

	(void)state;
	buf_init(&in, SIZE_MAX);
	compress_with(31, text, n, &in);
	assert_int_equal(run(INFLATE_GZIP, &in, n, &out, &e), TR_OK);
	buf_free(&out);
	assert_int_equal(run(INFLATE_GZIP, &in, n - 1, &out, &e), TR_ERR_LIMIT);
	assert_true(out.len <= n - 1);
	assert_true(out.cap <= n);
	buf_free(&out);
	/* the cap counts what the buffer already held */
	buf_init(&out, n);
	assert_int_equal(buf_append(&out, "x", 1), TR_OK);
	assert_int_equal(inflate_bytes(INFLATE_GZIP, in.data, in.len, &out, &e), TR_ERR_LIMIT);
	buf_free(&out);
	buf_free(&in);
	free(text);
}

/* 1 GiB of zeros, deflated block by block: about 1 MiB of gzip. */
static void make_bomb(struct buf *bomb)
{
	static const unsigned char zeros[1 << 16];
	unsigned char chunk[1 << 16];
	z_stream zs;
	size_t i, blocks = 1024u * MiB / sizeof zeros;
	int zrc;

	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	for (i = 0; i < blocks; i++) {
		zs.next_in = (unsigned char *)(uintptr_t)zeros;
		zs.avail_in = sizeof zeros;
		do {
			zs.next_out = chunk;
			zs.avail_out = sizeof chunk;
			zrc = deflate(&zs, i + 1 == blocks ? Z_FINISH : Z_NO_FLUSH);
			assert_int_equal(buf_append(bomb, chunk, sizeof chunk - zs.avail_out), TR_OK);
		} while (zs.avail_out == 0);
	}
	assert_int_equal(zrc, Z_STREAM_END);
	deflateEnd(&zs);
}

static void gzip_bomb_stops_at_the_cap(void **state)
{
	struct buf bomb, out;
	struct tr_error e;
	clock_t t0;
	double secs;

	(void)state;
	buf_init(&bomb, 4 * MiB);
	make_bomb(&bomb);
	assert_true(bomb.len < 2 * MiB);
	t0 = clock();
	assert_int_equal(run(INFLATE_GZIP, &bomb, 16 * MiB, &out, &e), TR_ERR_LIMIT);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_non_null(strstr(e.msg, "exceeds"));
	assert_true(out.len <= 16 * MiB);
	assert_true(out.cap <= 16 * MiB + 1); /* memory bounded by the cap */
	/* 16 MiB of output, not 1 GiB: generous even under valgrind */
	assert_true(secs < 20.0);
	buf_free(&out);
	buf_free(&bomb);
}

/* Microsoft: 1f 8b 08 00 00000000 04 00, raw deflate, CRC32, ISIZE. */
static void microsoft_header_inflates(void **state)
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0x00 };
	static const char json[] = "{\"organization-name\":\"Example Corp\"}";
	const size_t n = sizeof json - 1;
	uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)json, (uInt)n);
	unsigned char trailer[8];
	struct buf in, out;
	struct tr_error e;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		trailer[i] = (unsigned char)(crc >> (8 * i));
		trailer[4 + i] = (unsigned char)(n >> (8 * i));
	}
	buf_init(&in, SIZE_MAX);
	assert_int_equal(buf_append(&in, head, sizeof head), TR_OK);
	compress_with(-15, json, n, &in);
	assert_int_equal(buf_append(&in, trailer, sizeof trailer), TR_OK);
	assert_int_equal(inflate_sniff(in.data, in.len), INFLATE_GZIP);
	assert_int_equal(run(INFLATE_GZIP, &in, 1000, &out, &e), TR_OK);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, json, n);
	buf_free(&out);
	buf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff_recognises_gzip_zlib_and_plain),
		cmocka_unit_test(gzip_and_zlib_round_trip),
		cmocka_unit_test(none_copies_within_the_cap),
		cmocka_unit_test(empty_member_inflates_to_nothing),
		cmocka_unit_test(concatenated_members_are_all_inflated),
		cmocka_unit_test(trailing_garbage_is_ignored),
		cmocka_unit_test(truncation_anywhere_is_format_error),
		cmocka_unit_test(corruption_is_format_error),
		cmocka_unit_test(cap_is_exact),
		cmocka_unit_test(gzip_bomb_stops_at_the_cap),
		cmocka_unit_test(microsoft_header_inflates),
	};

	return cmocka_run_group_tests_name("inflate", tests, NULL, NULL);
}
