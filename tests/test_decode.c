/*
 * Unit tests of decode: base64 and quoted-printable as real mailers write
 * them, the bound on decoded size, and Content-Transfer-Encoding parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"

struct decode_case {
	const char *in;
	const char *want;
	size_t want_len;
};

#define CASE(in, want) { in, want, sizeof(want) - 1 }

static void run_cases(const struct decode_case *c, size_t n, enum decode_cte cte)
{
	struct buf b;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_init(&b, 1024);
		assert_int_equal(decode_body(cte, c[i].in, strlen(c[i].in), &b), TR_OK);
		if (b.len != c[i].want_len)
			fail_msg("case %zu (\"%s\"): got %zu bytes, want %zu", i, c[i].in,
			         b.len, c[i].want_len);
		if (c[i].want_len > 0)
			assert_memory_equal(b.data, c[i].want, c[i].want_len);
		buf_free(&b);
	}
}

static void base64_tolerates_what_mailers_send(void **state)
{
	static const struct decode_case cases[] = {
		CASE("SGVsbG8=", "Hello"),
		CASE("SGVsbG8", "Hello"),                  /* padding missing */
		CASE("SGVsbA==", "Hell"),
		CASE("SGVsbA", "Hell"),
		CASE("SGVs\r\nbG8=\r\n", "Hello"),         /* CRLF line ends */
		CASE("SG\nVs\nbG\n8=", "Hello"),           /* short lines */
		CASE(" SG Vs*b\tG8 = ", "Hello"),          /* stray bytes skipped */
		CASE("SGVsbG8=IGlnbm9yZWQ=", "Hello"),     /* stops at padding */
		CASE("SGVsbG8gV", "Hello "),               /* dangling sextet dropped */
		CASE("S", ""),
		CASE("", ""),
		CASE("====", ""),
		CASE("AAEC/f7/", "\x00\x01\x02\xfd\xfe\xff"),
		CASE("H4sIAAAAAAAA", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00"),
	};

	(void)state;
	run_cases(cases, sizeof cases / sizeof cases[0], CTE_BASE64);
}

static size_t encode_base64(const unsigned char *in, size_t n, size_t width, char *out)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, col = 0, k;
	uint32_t v;
	char quad[4];

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		quad[0] = alpha[v >> 18 & 63];
		quad[1] = alpha[v >> 12 & 63];
		quad[2] = i + 1 < n ? alpha[v >> 6 & 63] : '=';
		quad[3] = i + 2 < n ? alpha[v & 63] : '=';
		for (k = 0; k < 4; k++) {
			out[o++] = quad[k];
			if (width > 0 && ++col == width) {
				out[o++] = '\r';
				out[o++] = '\n';
				col = 0;
			}
		}
	}
	return o;
}

static void base64_any_line_length_round_trips(void **state)
{
	static const size_t widths[] = { 0, 1, 3, 7, 64, 76, 1000 };
	unsigned char raw[10000];
	char *enc;
	struct buf b;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof raw; i++)
		raw[i] = (unsigned char)(i * 7919 % 251);
	enc = malloc(sizeof raw * 4);
	assert_non_null(enc);
	for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		n = encode_base64(raw, sizeof raw - i, widths[i], enc);
		buf_init(&b, sizeof raw);
		assert_int_equal(decode_base64(enc, n, &b), TR_OK);
		assert_int_equal(b.len, sizeof raw - i);
		assert_memory_equal(b.data, raw, sizeof raw - i);
		buf_free(&b);
	}
	free(enc);
}

static void qp_soft_breaks_and_malformed_escapes(void **state)
{
	static const struct decode_case cases[] = {
		CASE("a=3Db", "a=b"),
		CASE("a=3db", "a=b"),                    /* lower-case hex */
		CASE("=E2=80=93", "\xe2\x80\x93"),
		CASE("attachme=\r\nnts", "attachments"), /* soft break, CRLF */
		CASE("attachme=\nnts", "attachments"),   /* soft break, LF */
		CASE("ab= \t\r\ncd", "abcd"),            /* whitespace before the break */
		CASE("ends with=", "ends with"),
		CASE("a=zz", "a=zz"),                    /* malformed: kept */
		CASE("a=4", "a=4"),
		CASE("a=4g", "a=4g"),
		CASE("a= b", "a= b"),
		CASE("=\rx", "=\rx"),
		CASE("line\r\nnext\n", "line\r\nnext\n"), /* hard breaks kept */
		CASE("=00", "\0"),
		CASE("", ""),
	};

	(void)state;
	run_cases(cases, sizeof cases / sizeof cases[0], CTE_QP);
}

static void identity_copies_bytes(void **state)
{
	static const struct decode_case cases[] = {
		CASE("a=3Db SGVsbG8=", "a=3Db SGVsbG8="),
		CASE("", ""),
	};

	(void)state;
	run_cases(cases, sizeof cases / sizeof cases[0], CTE_IDENTITY);
}

static void decoded_size_is_bounded(void **state)
{
	char *text;
	struct buf b;
	size_t n = 10000, i;

	(void)state;
	text = malloc(n);
	assert_non_null(text);
	for (i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
	/* quoted-printable, across the decoder's internal block */
	buf_init(&b, n - 1);
	assert_int_equal(decode_qp(text, n, &b), TR_ERR_LIMIT);
	buf_free(&b);
	buf_init(&b, n);
	assert_int_equal(decode_qp(text, n, &b), TR_OK);
	assert_int_equal(b.len, n);
	buf_free(&b);
	/* base64: 10000 alphabet bytes decode to 7500 */
	buf_init(&b, 7499);
	assert_int_equal(decode_base64(text, n, &b), TR_ERR_LIMIT);
	buf_free(&b);
	buf_init(&b, 7500);
	assert_int_equal(decode_base64(text, n, &b), TR_OK);
	assert_int_equal(b.len, 7500);
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(decode_base64("SGVsbG8=", 8, &b), TR_ERR_LIMIT);
	buf_free(&b);
	buf_init(&b, 2);
	assert_int_equal(decode_body(CTE_IDENTITY, "abc", 3, &b), TR_ERR_LIMIT);
	buf_free(&b);
	free(text);
}

static void cte_parse_is_lenient(void **state)
{
	static const struct {
		const char *value;
		enum decode_cte want;
	} cases[] = {
		{ NULL, CTE_IDENTITY },
		{ "", CTE_IDENTITY },
		{ "base64", CTE_BASE64 },
		{ "  BASE64 \t", CTE_BASE64 },
		{ "Base64 (as sent)", CTE_BASE64 },
		{ "quoted-printable", CTE_QP },
		{ "Quoted-Printable", CTE_QP },
		{ " QUOTED-PRINTABLE", CTE_QP },
		{ "7bit", CTE_IDENTITY },
		{ "8bit", CTE_IDENTITY },
		{ "binary", CTE_IDENTITY },
		{ "x-uuencode", CTE_IDENTITY },
		{ "base64x", CTE_IDENTITY },
		{ "base6", CTE_IDENTITY },
		{ "quoted", CTE_IDENTITY },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (decode_cte_parse(cases[i].value) != cases[i].want)
			fail_msg("case %zu (\"%s\")", i, cases[i].value ? cases[i].value : "NULL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64_tolerates_what_mailers_send),
		cmocka_unit_test(base64_any_line_length_round_trips),
		cmocka_unit_test(qp_soft_breaks_and_malformed_escapes),
		cmocka_unit_test(identity_copies_bytes),
		cmocka_unit_test(decoded_size_is_bounded),
		cmocka_unit_test(cte_parse_is_lenient),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
