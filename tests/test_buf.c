/*
 * Unit tests of buf (the bounded buffer every hostile byte passes through),
 * of the arena cJSON's trees are cut from, and of the shared error value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "err.h"

static void append_within_max_keeps_bytes_and_nul(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_append(&b, "abc", 3), TR_OK);
	assert_int_equal(buf_append(&b, "\0de", 3), TR_OK);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "abc\0de", 6);
	assert_int_equal(b.data[6], '\0');
	buf_free(&b);
}

static void append_past_max_fails_and_keeps_contents(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(buf_append(&b, "abcd", 4), TR_OK);
	assert_int_equal(buf_append(&b, "e", 1), TR_ERR_LIMIT);
	assert_int_equal(buf_putc(&b, 'e'), TR_ERR_LIMIT);
	assert_int_equal(b.len, 4);
	assert_string_equal((char *)b.data, "abcd");
	buf_free(&b);
}

static void huge_length_does_not_wrap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, SIZE_MAX);
	assert_int_equal(buf_append(&b, "x", 1), TR_OK);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), TR_ERR_LIMIT);
	assert_int_equal(b.len, 1);
	buf_free(&b);
}

static void putc_grows_across_many_bytes(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, (unsigned char)('a' + i % 26)), TR_OK);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9999], 'a' + 9999 % 26);
	assert_int_equal(buf_putc(&b, 'x'), TR_ERR_LIMIT);
	buf_free(&b);
}

static void detach_hands_over_and_empties(void **state)
{
	struct buf b;
	size_t len;
	char *s;

	(void)state;
	buf_init(&b, 100);
	s = buf_detach(&b, &len);
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(buf_append(&b, "hello", 5), TR_OK);
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
	buf_free(NULL);
}

static void array_grow_doubles_zeroes_and_refuses_overflow(void **state)
{
	size_t cap = 0, i;
	int *v = NULL, *p;

	(void)state;
	for (i = 0; i < 100; i++) {
		size_t before = cap;

		p = array_grow(v, &cap, i, sizeof *v, 4);
		assert_non_null(p);
		if (i < before && (p != v || cap != before))
			fail_msg("grew while there was room");
		v = p;
		assert_int_equal(v[i], 0); /* a new element starts zeroed */
		v[i] = (int)i + 1;
	}
	assert_int_equal(cap, 128);
	for (i = 0; i < 100; i++)
		assert_int_equal(v[i], (int)i + 1);
	/* a size that would overflow: refused, the array untouched */
	cap = SIZE_MAX / 2 + 1;
	assert_null(array_grow(v, &cap, cap, 2, 4));
	assert_true(cap == SIZE_MAX / 2 + 1);
	free(v);
}

static void error_set_formats_and_prefixes(void **state)
{
	struct tr_error e;

	(void)state;
	tr_error_clear(&e);
	assert_int_equal(e.code, TR_OK);
	assert_int_equal(tr_error_set(&e, TR_ERR_FORMAT, "field %s: %d", "x", 3), TR_ERR_FORMAT);
	assert_string_equal(e.msg, "field x: 3");
	tr_error_prefix(&e, "policies[0]");
	assert_string_equal(e.msg, "policies[0]: field x: 3");
	assert_string_equal(tr_err_name(TR_ERR_LIMIT), "limit");
	assert_int_equal(tr_error_set(NULL, TR_ERR_IO, "ignored"), TR_ERR_IO);
}

/* Pieces are aligned, distinct, writable in full, and survive the growth
 * of the arena until it is released; a release leaves it reusable. */
static void arena_pieces_are_aligned_distinct_and_kept(void **state)
{
	enum { N = 5000 };
	static unsigned char *piece[N];
	struct arena a;

	(void)state;
	arena_init(&a);
	for (size_t i = 0; i < N; i++) {
		size_t n = i % 97 + 1;

		piece[i] = arena_alloc(&a, n);
		assert_non_null(piece[i]);
		assert_int_equal((uintptr_t)piece[i] % _Alignof(max_align_t), 0);
		memset(piece[i], (int)(i & 0xff), n);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t k = 0; k < i % 97 + 1; k++)
			assert_int_equal(piece[i][k], i & 0xff);
	assert_true(a.total >= N);
	arena_release(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
	assert_non_null(arena_alloc(&a, 0));
	arena_release(&a);
	arena_release(NULL);
}

/* Request sizes around every boundary of the block layout: the first
 * block, each doubling, the cap for pieces of their own, and beyond. */
static const size_t arena_sizes[] = {
	1, 7, 8, 15, 16, 17, 4095, 4096, 4097, 8191, 8192, 8193, 8224,
	16383, 16384, 16385, 20000, 65535, 65536, 65537, 131071, 131072,
	131073, 262144, 524287, 524288, 524289, 1048576, 3u << 20,
};

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Every size after a small piece and before another: each piece is
 * writable in full, no two overlap, and (under ASan) the byte after each
 * is poisoned, so an overrun is caught in the layout that ships. */
static void arena_sizes_at_every_boundary(void **state)
{
	enum { K = sizeof arena_sizes / sizeof arena_sizes[0] };
	static const size_t lead[] = { 1, 100, 4000, 8100 };

	(void)state;
	for (size_t l = 0; l < sizeof lead / sizeof lead[0]; l++) {
		unsigned char *piece[3 * K];
		size_t len[3 * K];
		struct arena a;
		size_t m = 0;

		arena_init(&a);
		for (size_t i = 0; i < K; i++) {
			size_t sizes[3] = { lead[l], arena_sizes[i], 24 };

			for (size_t j = 0; j < 3; j++) {
				len[m] = sizes[j];
				piece[m] = arena_alloc(&a, len[m]);
				assert_non_null(piece[m]);
				assert_int_equal((uintptr_t)piece[m] % _Alignof(max_align_t), 0);
				memset(piece[m], (int)(m & 0xff), len[m]);
#ifdef TEST_ASAN
				assert_true(__asan_address_is_poisoned(piece[m] + len[m]));
#endif
				m++;
			}
		}
		for (size_t i = 0; i < m; i++) {
			for (size_t k = 0; k < len[i]; k++)
				if (piece[i][k] != (i & 0xff))
					fail_msg("lead %zu: piece %zu of %zu bytes overwritten at %zu", lead[l], i,
					         len[i], k);
			for (size_t j = i + 1; j < m; j++)
				assert_true(piece[i] + len[i] <= piece[j] || piece[j] + len[j] <= piece[i]);
		}
		arena_release(&a);
	}
}

/* A piece larger than any block gets one of its own, and the block
 * being cut from keeps serving after it. */
static void arena_large_piece_and_refused_size(void **state)
{
	struct arena a;
	unsigned char *small1, *big, *small2;

	(void)state;
	arena_init(&a);
	small1 = arena_alloc(&a, 8);
	big = arena_alloc(&a, 4u << 20);
	small2 = arena_alloc(&a, 8);
	assert_non_null(small1);
	assert_non_null(big);
	assert_non_null(small2);
	memset(big, 0xab, 4u << 20);
	assert_true(a.total >= (4u << 20));
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_alloc(&a, SIZE_MAX - 8));
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(append_within_max_keeps_bytes_and_nul),
		cmocka_unit_test(append_past_max_fails_and_keeps_contents),
		cmocka_unit_test(huge_length_does_not_wrap),
		cmocka_unit_test(putc_grows_across_many_bytes),
		cmocka_unit_test(detach_hands_over_and_empties),
		cmocka_unit_test(array_grow_doubles_zeroes_and_refuses_overflow),
		cmocka_unit_test(arena_pieces_are_aligned_distinct_and_kept),
		cmocka_unit_test(arena_large_piece_and_refused_size),
		cmocka_unit_test(arena_sizes_at_every_boundary),
		cmocka_unit_test(error_set_formats_and_prefixes),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
