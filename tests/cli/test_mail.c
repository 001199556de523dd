/*
 * Unit tests of the digest's mail pieces and the text table: header
 * encoding (no control character survives, RFC 2047 words of at most 75
 * characters that python decodes back elsewhere), quoted-printable line
 * lengths and round trip, HTML escaping, address checks, dates, the
 * optional --sendmail=PATH value, and table alignment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail.h"
#include "opts.h"
#include "output.h"
#include "table.h"

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);

	assert_non_null(m);
	fn(m, arg);
	assert_int_equal(fclose(m), 0);
	return s;
}

static void header_text_cases(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "TLS report digest example.com: ok", "TLS report digest example.com: ok" },
		{ "a\r\nBcc: x@example.net", "a??Bcc: x@example.net" },            /* one line */
		{ "caf\xc3\xa9", "=?UTF-8?B?Y2Fmw6k=?=" },
		{ "looks =?like?= a word", "=?UTF-8?B?bG9va3MgPT9saWtlPz0gYSB3b3Jk?=" },
		{ "bad \xff byte", "bad ? byte" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = mail_header_text(cases[i].in, 9);

		assert_non_null(got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* Long non-ASCII text: words of at most 75 characters, folded, and no
 * UTF-8 sequence split across two words. */
static void header_words_are_short_and_whole(void **state)
{
	char in[400], *got, *line, *save = NULL;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 60; i++) {
		memcpy(in + n, "\xc3\xa4\xe2\x82\xac", 5); /* ä€: 2 + 3 bytes */
		n += 5;
	}
	in[n] = '\0';
	got = mail_header_text(in, 9);
	assert_non_null(got);
	for (line = strtok_r(got, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == ' ')
			line++;
		assert_true(strlen(line) <= 75);
		assert_memory_equal(line, "=?UTF-8?B?", 10);
		/* 45 bytes of whole sequences: (2 + 3) * 9 = 45 exactly */
		assert_true(strlen(line) == 72 || line[strlen(line) - 1] == '=');
	}
	free(got);
}

static void qp(FILE *f, const void *arg)
{
	assert_int_equal(mail_qp_write(f, arg), 0);
}

static void quoted_printable_cases(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "plain line\n", "plain line\n" },
		{ "a=b\n", "a=3Db\n" },
		{ "caf\xc3\xa9\n", "caf=C3=A9\n" },
		{ "trailing space \n", "trailing space=20\n" },
		{ ".dot first\n", "=2Edot first\n" },
		{ "From here\n", "=46rom here\n" },
		{ "tab\tinside\n", "tab\tinside\n" },
		{ "esc\x1b\n", "esc=1B\n" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = capture(qp, cases[i].in);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void quoted_printable_lines_are_short(void **state)
{
	char in[3001], *got, *line, *save = NULL;

	(void)state;
	for (int i = 0; i < 3000; i++)
		in[i] = i % 7 == 0 ? '=' : (char)('a' + i % 26);
	in[3000] = '\0';
	got = capture(qp, in);
	for (line = strtok_r(got, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 76);
	free(got);
}

static void html_escapes_markup_and_controls(void **state)
{
	char *got;

	(void)state;
	got = html_text("<script>alert('x') & \"y\"</script>\r\n\x1b[2J", "-");
	assert_string_equal(got, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
	                         "\\r\\n\\x1b[2J");
	free(got);
	got = html_text(NULL, "<none>");
	assert_string_equal(got, "&lt;none&gt;");
	free(got);
}

static void addresses(void **state)
{
	(void)state;
	assert_true(mail_address_ok("postmaster@example.com"));
	assert_true(mail_address_ok("a+tag@example.com"));
	assert_false(mail_address_ok("postmaster"));
	assert_false(mail_address_ok("a@example.com\nBcc: b@example.net"));
	assert_false(mail_address_ok("a@example.com, b@example.net"));
	assert_false(mail_address_ok("Name <a@example.com>"));
	assert_false(mail_address_ok("@"));
}

static void dates(void **state)
{
	char d[40];

	(void)state;
	mail_date(1705017600, d, sizeof d);
	assert_string_equal(d, "Fri, 12 Jan 2024 00:00:00 +0000");
	mail_date(951782400, d, sizeof d); /* a leap day */
	assert_string_equal(d, "Tue, 29 Feb 2000 00:00:00 +0000");
}

static void optional_value_only_inline(void **state)
{
	static const struct opt_def defs[] = { { 7, 0, "sendmail", 2 } };
	char *words[] = { (char *)"--sendmail", (char *)"--sendmail=/x/y", (char *)"next" };
	struct opt_state st;
	struct tr_error err;
	const char *arg = (const char *)1;
	int id = 0;

	(void)state;
	opt_init(&st, 3, words);
	assert_int_equal(opt_next(&st, defs, 1, &id, &arg, &err), OPT_OPTION);
	assert_int_equal(id, 7);
	assert_null(arg);
	assert_int_equal(opt_next(&st, defs, 1, &id, &arg, &err), OPT_OPTION);
	assert_string_equal(arg, "/x/y");
	assert_int_equal(opt_next(&st, defs, 1, &id, &arg, &err), OPT_OPERAND);
	assert_string_equal(arg, "next");
}

static void write_table(FILE *f, const void *arg)
{
	assert_int_equal(table_write(f, arg, 0), 0);
}

static void table_aligns_by_code_points(void **state)
{
	static const char *const head[] = { "NAME", "N", "NOTE" };
	static const char *const r1[] = { "caf\xc3\xa9.example", "1,204", "" };
	static const char *const r2[] = { "x", "7", "last" };
	struct table t;
	char *got;

	(void)state;
	table_init(&t, 3, 1u << 1);
	table_add(&t, head, 0);
	table_add(&t, r1, 0);
	table_add_note(&t, "+ a note wider than every column");
	table_add(&t, r2, 0);
	got = capture(write_table, &t);
	assert_string_equal(got,
		"NAME              N  NOTE\n"
		"caf\xc3\xa9.example  1,204\n"
		"+ a note wider than every column\n"
		"x                 7  last\n");
	free(got);
	table_free(&t);
	table_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_text_cases),
		cmocka_unit_test(header_words_are_short_and_whole),
		cmocka_unit_test(quoted_printable_cases),
		cmocka_unit_test(quoted_printable_lines_are_short),
		cmocka_unit_test(html_escapes_markup_and_controls),
		cmocka_unit_test(addresses),
		cmocka_unit_test(dates),
		cmocka_unit_test(optional_value_only_inline),
		cmocka_unit_test(table_aligns_by_code_points),
	};

	return cmocka_run_group_tests_name("cli_mail", tests, NULL, NULL);
}
