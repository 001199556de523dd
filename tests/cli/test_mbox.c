/*
 * Unit tests of the CLI's input splitting: file sniffing and the streaming
 * mbox reader (From-line splitting, >From un-escaping, size bounds, lines
 * longer than the read-ahead block).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "source.h"

static void sniff_tells_raw_mbox_and_message_apart(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		enum source_kind want;
	} cases[] = {
		{ "{\"report-id\": 1}", 16, SOURCE_RAW },
		{ " \r\n\t{", 5, SOURCE_RAW },
		{ "\x1f\x8b\x08\x00", 4, SOURCE_RAW },
		{ "From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n", 44, SOURCE_MBOX },
		{ "From: someone@example.com\n", 26, SOURCE_MESSAGE },
		{ "Received: from x\n", 17, SOURCE_MESSAGE },
		{ "  From x", 8, SOURCE_MESSAGE },
		{ "", 0, SOURCE_MESSAGE },
		{ "   ", 3, SOURCE_MESSAGE },
		{ "\x1f", 1, SOURCE_MESSAGE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(source_sniff((const unsigned char *)cases[i].bytes, cases[i].len),
		                 cases[i].want);
}

/* Split text (given whole, or with its first pre bytes already "read")
 * and return the messages joined by "|", the skipped ones as "<LIMIT>". */
static char *split(const char *text, size_t pre, size_t max)
{
	FILE *f = fmemopen((void *)(text + pre), strlen(text) - pre, "r");
	struct mbox_reader r;
	struct buf msg;
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	enum tr_err rc;
	int first = 1;

	assert_non_null(f);
	assert_non_null(o);
	assert_int_equal(mbox_reader_init(&r, f, text, pre), TR_OK);
	buf_init(&msg, max);
	for (;;) {
		rc = mbox_next(&r, &msg);
		if (rc == TR_ERR_NOTFOUND)
			break;
		if (!first)
			fputc('|', o);
		first = 0;
		if (rc == TR_ERR_LIMIT)
			fputs("<LIMIT>", o);
		else if (msg.len > 0)
			fwrite(msg.data, 1, msg.len, o);
		assert_true(rc == TR_OK || rc == TR_ERR_LIMIT);
	}
	buf_free(&msg);
	mbox_reader_free(&r);
	fclose(f);
	fclose(o);
	return out;
}

static void splits_on_from_lines_and_unescapes(void **state)
{
	static const struct {
		const char *in;
		size_t pre;
		const char *want;
	} cases[] = {
		{ "From a@example.com Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody1\n\n"
		  "From b@example.net Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody2\n",
		  0, "Subject: one\n\nbody1\n|Subject: two\n\nbody2\n" },
		{ "From x\nA: 1\n\n>From the start\n>>From deep\n> From not\nFrom y\nB: 2\n",
		  5, "A: 1\n\nFrom the start\n>From deep\n> From not\n|B: 2\n" },
		{ "From x\r\nA: 1\r\n\r\nbody\r\n\r\nFrom y\r\nB: 2\r\n",
		  20, "A: 1\r\n\r\nbody\r\n|B: 2\r\n" },
		{ "From x\nFrom y\nC: 3", 0, "|C: 3" },
		{ "From only-a-separator\n", 0, "" },
		{ "", 0, "" },
		{ "From x\nbody mentions\nFromage\n", 0, "body mentions\nFromage\n" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = split(cases[i].in, cases[i].pre, 1000);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void oversized_message_is_skipped_not_truncated(void **state)
{
	char *got;

	(void)state;
	got = split("From a\nsmall\nFrom b\n0123456789abcdef\nFrom c\nok\n", 0, 10);
	assert_string_equal(got, "small\n|<LIMIT>|ok\n");
	free(got);
}

static void lines_longer_than_the_block_are_kept_whole(void **state)
{
	size_t n = 200000, i;
	char *text = malloc(n + 64), *got, *want;

	(void)state;
	assert_non_null(text);
	strcpy(text, "From a\nX: ");
	for (i = strlen(text); i < n; i++)
		text[i] = (char)('a' + i % 26);
	/* a "From " inside a long line is not a separator */
	memcpy(text + 70000, "From ", 5);
	strcpy(text + n, "\nFrom b\nend\n");
	got = split(text, 0, SIZE_MAX / 2);
	want = malloc(n + 64);
	assert_non_null(want);
	memcpy(want, text + 7, n - 7);
	strcpy(want + n - 7, "\n|end\n");
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff_tells_raw_mbox_and_message_apart),
		cmocka_unit_test(splits_on_from_lines_and_unescapes),
		cmocka_unit_test(oversized_message_is_skipped_not_truncated),
		cmocka_unit_test(lines_longer_than_the_block_are_kept_whole),
	};

	return cmocka_run_group_tests_name("cli_mbox", tests, NULL, NULL);
}
