/*
 * Unit tests of mime: header blocks, parameters, media types, encoded
 * words, and the walk over leaf parts -- on our own fixtures that
 * reproduce what real report senders do (tests/fixtures/mime/), on
 * hostile shapes built here, and on the shared real samples when present.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <dirent.h>

#include <cmocka.h>

#include "mime.h"

/* ---- helpers ---------------------------------------------------------- */

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n = -1;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n >= 0 && fseek(f, 0, SEEK_SET) == 0)
		p = malloc((size_t)n + 1);
	if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	if (p != NULL) {
		p[n] = '\0';
		*len = (size_t)n;
	}
	fclose(f);
	return p;
}

static char *read_fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	char *p;

	snprintf(path, sizeof path, "%s/tests/fixtures/mime/%s", top ? top : ".", name);
	p = read_whole(path, len);
	if (p == NULL)
		fail_msg("cannot read fixture %s", path);
	return p;
}

static struct tr_limits limits(void)
{
	struct tr_limits l;

	limits_default(&l);
	return l;
}

#define MAX_LEAVES 8

/* What the walk handed over, copied out of the callback. */
struct leaf {
	char type[64];
	char *filename;
	char *description;
	char *ct_header;
	unsigned char *body;
	size_t body_len;
	unsigned depth;
	size_t index;
};

struct collect {
	struct leaf v[MAX_LEAVES];
	size_t n;      /* leaves recorded */
	size_t calls;  /* callback invocations, recorded or not */
	size_t fail_at;/* return TR_ERR_FORMAT on this call (1-based); 0 never */
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static enum tr_err collect_leaf(const struct mime_part *part, void *ctx)
{
	struct collect *c = ctx;
	struct leaf *l;

	c->calls++;
	assert_int_equal(part->index, c->calls - 1);
	assert_non_null(part->body);
	if (c->fail_at != 0 && c->calls == c->fail_at)
		return TR_ERR_FORMAT;
	if (c->n == MAX_LEAVES)
		return TR_OK;
	l = &c->v[c->n++];
	snprintf(l->type, sizeof l->type, "%s", part->content_type);
	l->filename = dup_or_null(part->filename);
	l->description = dup_or_null(part->description);
	l->ct_header = dup_or_null(mime_header_get(part->headers, "Content-Type"));
	l->body = malloc(part->body_len + 1);
	assert_non_null(l->body);
	memcpy(l->body, part->body, part->body_len);
	l->body[part->body_len] = '\0';
	l->body_len = part->body_len;
	l->depth = part->depth;
	l->index = part->index;
	return TR_OK;
}

static void collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].filename);
		free(c->v[i].description);
		free(c->v[i].ct_header);
		free(c->v[i].body);
	}
	memset(c, 0, sizeof *c);
}

static enum tr_err walk_string(const char *msg, const struct tr_limits *lim, struct collect *c)
{
	struct tr_error err;

	collect_free(c);
	tr_error_clear(&err);
	return mime_walk(msg, strlen(msg), lim, collect_leaf, c, &err);
}

/* ---- header blocks ---------------------------------------------------- */

static void headers_unfold_trim_and_find_body(void **state)
{
	static const char msg[] =
		"Subject: Report\r\n Domain: example.com\r\n\tSubmitter: example.net  \r\n"
		"X-Lf: one\n two\n"
		"Empty:\r\n"
		"Spaced  :  value  \r\n"
		"\r\n"
		"body\r\n";
	struct tr_limits l = limits();
	struct mime_headers h;
	size_t off;

	(void)state;
	assert_int_equal(mime_parse_headers(msg, sizeof msg - 1, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.v[0].name, "Subject");
	assert_string_equal(h.v[0].value, "Report Domain: example.com\tSubmitter: example.net");
	assert_string_equal(mime_header_get(&h, "x-lf"), "one two");
	assert_string_equal(mime_header_get(&h, "EMPTY"), "");
	assert_string_equal(h.v[3].name, "Spaced");
	assert_string_equal(h.v[3].value, "value");
	assert_string_equal(msg + off, "body\r\n");
	mime_headers_free(&h);
	assert_null(h.v);
	assert_int_equal(h.n, 0);
	mime_headers_free(&h);
	mime_headers_free(NULL);
}

static void headers_first_duplicate_wins_case_insensitively(void **state)
{
	static const char msg[] = "received: one\nReceived: two\nRECEIVED: three\n\n";
	struct tr_limits l = limits();
	struct mime_headers h;
	size_t off;

	(void)state;
	assert_int_equal(mime_parse_headers(msg, sizeof msg - 1, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 3);
	assert_string_equal(mime_header_get(&h, "Received"), "one");
	assert_null(mime_header_get(&h, "Receive"));
	assert_null(mime_header_get(&h, "Received-SPF"));
	assert_int_equal(off, sizeof msg - 1);
	mime_headers_free(&h);
}

static void headers_skip_leading_mbox_from_line(void **state)
{
	static const char msg[] = "From sender@example.net Mon Mar  4 00:00:00 2024\nFrom: a@example.net\n\nx";
	struct tr_limits l = limits();
	struct mime_headers h;
	size_t off;

	(void)state;
	assert_int_equal(mime_parse_headers(msg, sizeof msg - 1, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.v[0].name, "From");
	assert_string_equal(h.v[0].value, "a@example.net");
	assert_string_equal(msg + off, "x");
	mime_headers_free(&h);
}

static void headers_end_without_empty_line(void **state)
{
	static const char at_eof[] = "A: 1\r\nB: 2\r\n c";
	static const char at_text[] = "A: 1\nthis line is body text\nB: 2\n";
	static const char cont_first[] = " folded: nothing\nA: 1\n\n";
	struct tr_limits l = limits();
	struct mime_headers h;
	size_t off;

	(void)state;
	assert_int_equal(mime_parse_headers(at_eof, sizeof at_eof - 1, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 2);
	assert_string_equal(mime_header_get(&h, "b"), "2 c");
	assert_int_equal(off, sizeof at_eof - 1);
	mime_headers_free(&h);

	assert_int_equal(mime_parse_headers(at_text, sizeof at_text - 1, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 1);
	assert_string_equal(at_text + off, "this line is body text\nB: 2\n");
	mime_headers_free(&h);

	assert_int_equal(mime_parse_headers(cont_first, sizeof cont_first - 1, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 0);
	assert_int_equal(off, 0);
	mime_headers_free(&h);

	assert_int_equal(mime_parse_headers("", 0, &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 0);
	assert_int_equal(off, 0);
}

static void headers_are_bounded(void **state)
{
	struct tr_limits l = limits();
	struct mime_headers h;
	struct tr_error err;
	char msg[512];
	size_t off;

	(void)state;
	/* one unfolded field of exactly max_header bytes fits, one more does not */
	l.max_header = 12;
	snprintf(msg, sizeof msg, "A: 45678\n 012\n\n");
	assert_int_equal(mime_parse_headers(msg, strlen(msg), &l, &h, &off, NULL), TR_OK);
	assert_string_equal(h.v[0].value, "45678 012");
	mime_headers_free(&h);
	tr_error_clear(&err);
	snprintf(msg, sizeof msg, "A: 45678\n 0123\n\n");
	assert_int_equal(mime_parse_headers(msg, strlen(msg), &l, &h, &off, &err), TR_ERR_LIMIT);
	assert_int_equal(err.code, TR_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "12"));
	assert_int_equal(h.n, 0);
	snprintf(msg, sizeof msg, "A: 4567890123\n\n");
	assert_int_equal(mime_parse_headers(msg, strlen(msg), &l, &h, &off, NULL), TR_ERR_LIMIT);

	l = limits();
	l.max_headers = 3;
	snprintf(msg, sizeof msg, "A: 1\nB: 2\nC: 3\n\n");
	assert_int_equal(mime_parse_headers(msg, strlen(msg), &l, &h, &off, NULL), TR_OK);
	assert_int_equal(h.n, 3);
	mime_headers_free(&h);
	snprintf(msg, sizeof msg, "A: 1\nB: 2\nC: 3\nD: 4\n\n");
	assert_int_equal(mime_parse_headers(msg, strlen(msg), &l, &h, &off, NULL), TR_ERR_LIMIT);
	assert_null(h.v);
}

static void headers_many_folds_stop_at_the_bound(void **state)
{
	struct tr_limits l = limits();
	struct mime_headers h;
	size_t n = 1000000, i, off;
	char *msg = malloc(n);

	(void)state;
	assert_non_null(msg);
	memcpy(msg, "X: a", 4);
	for (i = 4; i + 1 < n; i += 2) {
		msg[i] = '\n';
		msg[i + 1] = ' ';
	}
	l.max_header = 1000;
	assert_int_equal(mime_parse_headers(msg, n, &l, &h, &off, NULL), TR_ERR_LIMIT);
	free(msg);
}

/* ---- parameters and media types --------------------------------------- */

static void params_decode_every_form(void **state)
{
	static const struct {
		const char *value, *param, *want;
	} cases[] = {
		{ "text/plain; charset=us-ascii", "charset", "us-ascii" },
		{ "Text/Plain; CHARSET=\"UTF-8\"", "charset", "UTF-8" },
		{ "attachment; filename=\"a\\\"b\\\\c.json\"", "filename", "a\"b\\c.json" },
		{ "attachment; filename=\"a;b.json\"; size=3", "filename", "a;b.json" },
		{ "attachment; filename=\"a;b.json\"; size=3", "size", "3" },
		{ "multipart/mixed; boundary = \"abc\" ", "boundary", "abc" },
		{ "multipart/mixed;\tboundary=\t----=_Part_1", "boundary", "----=_Part_1" },
		{ "multipart/report; report-type=\"tlsrpt\"; boundary=\"b\"", "boundary", "b" },
		{ "multipart/mixed boundary=\"no-semicolon\"", "boundary", "no-semicolon" },
		{ "attachment; filename*0=\"rep\"; filename*1=\"ort.json\"", "filename", "report.json" },
		{ "attachment; filename*1=\"b.json\"; filename*0=\"a\"", "filename", "ab.json" },
		{ "attachment; filename*=utf-8''report%201.json.gz", "filename", "report 1.json.gz" },
		{ "attachment; FILENAME*=us-ascii'en'a%2fb", "filename", "a/b" },
		{ "attachment; filename*0*=utf-8''caf%C3%A9; filename*1=\".json\"", "filename",
		  "caf\xc3\xa9.json" },
		{ "attachment; filename*0*=utf-8''a%20; filename*1*=b%20; filename*2=c%20", "filename",
		  "a b c%20" },
		{ "attachment; filename=\"plain.txt\"; filename*=utf-8''ext.json", "filename", "ext.json" },
		{ "attachment; filename*=\"utf-8''quoted%20ext\"", "filename", "quoted ext" },
		{ "attachment; filename*=utf-8''100%; x=1", "filename", "100%" },
		{ "attachment; filename*=utf-8''a%00b", "filename", "a%00b" },
		{ "attachment; filename*=nocharset%41", "filename", "nocharsetA" },
		{ "multipart/mixed (a comment; boundary=x) ; boundary=\"b\" (trailing)", "boundary", "b" },
		{ "attachment; xfilename=a; filename=b", "filename", "b" },
		{ "attachment; name=\"\"", "name", "" },
		{ "attachment; name=\"unterminated", "name", "unterminated" },
		{ "filename=\"no-type.json\"", "filename", "no-type.json" },
		{ "attachment;;; =x; \"stray\" ; filename=ok", "filename", "ok" },
	};
	static const struct {
		const char *value, *param;
	} absent[] = {
		{ "attachment; filenamex=a", "filename" },
		{ "attachment; filename", "filename" },
		{ "attachment", "filename" },
		{ "", "filename" },
		{ "attachment; filename*5=\"gap\"", "filename" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = mime_param(cases[i].value, cases[i].param);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu (%s): got \"%s\", want \"%s\"", i, cases[i].value,
			         got ? got : "(null)", cases[i].want);
		free(got);
	}
	for (i = 0; i < sizeof absent / sizeof absent[0]; i++) {
		got = mime_param(absent[i].value, absent[i].param);
		if (got != NULL)
			fail_msg("absent case %zu: got \"%s\"", i, got);
	}
	assert_null(mime_param(NULL, "x"));
}

static void content_type_lowercases_and_defaults(void **state)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{ NULL, "text/plain" },
		{ "", "text/plain" },
		{ "Multipart/Report; report-type=tlsrpt", "multipart/report" },
		{ "  application/TLSRPT+gzip", "application/tlsrpt+gzip" },
		{ "text/HTML(comment)", "text/html" },
		{ "(lead) message/rfc822", "message/rfc822" },
		{ "garbage", "text/plain" },
		{ "a/b/c", "text/plain" },
		{ "/x", "text/plain" },
		{ "x/", "text/plain" },
		{ "x/y\"z", "text/plain" },
	};
	char out[64], tiny[5];
	char big[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mime_content_type(cases[i].value, out, sizeof out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got %s", i, out);
	}
	memset(big, 'a', sizeof big);
	big[1] = '/';
	big[sizeof big - 1] = '\0';
	mime_content_type(big, out, sizeof out);
	assert_string_equal(out, "text/plain");
	mime_content_type("a/b", tiny, sizeof tiny);
	assert_string_equal(tiny, "a/b");
	mime_content_type("abc/def", tiny, sizeof tiny);
	assert_string_equal(tiny, "text");
}

static void encoded_words_decode_for_display(void **state)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{ "=?UTF-8?Q?TLS_report_=E2=80=93_x?=", "TLS report \xe2\x80\x93 x" },
		{ "=?utf-8?B?SGVsbG8=?= =?utf-8?B?IHdvcmxk?=", "Hello world" },
		{ "a =?us-ascii?q?b?= c", "a b c" },
		{ "=?us-ascii?q?a?=\r\n =?us-ascii?q?b?=", "ab" },
		{ "plain =?bad", "plain =?bad" },
		{ "=?x?Z?y?=", "=?x?Z?y?=" },
		{ "=?x?Q?has space?=", "=?x?Q?has space?=" },
		{ "=?utf-8?q?nul=00byte?=", "nulbyte" },
		{ "", "" },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = mime_decode_words(cases[i].value);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, got ? got : "(null)");
		free(got);
	}
	assert_null(mime_decode_words(NULL));
}

/* ---- the walk on fixtures --------------------------------------------- */

enum body_kind { BODY_ANY, BODY_PREFIX, BODY_EXACT, BODY_GZIP };

struct want_leaf {
	const char *type;
	const char *filename;
	const char *description;
	unsigned depth;
	enum body_kind kind;
	const char *text;  /* BODY_PREFIX / BODY_EXACT */
	size_t len;        /* BODY_EXACT, BODY_GZIP: body length; BODY_PREFIX: 0 or exact */
	uint32_t isize;    /* BODY_GZIP: the gzip trailer's uncompressed size */
};

struct want_msg {
	const char *fixture;
	size_t n;
	struct want_leaf leaf[4];
};

#define TEXT(t, d, s) { t, NULL, NULL, d, BODY_PREFIX, s, 0, 0 }
#define GZ(t, f, d, l, i) { t, f, NULL, d, BODY_GZIP, NULL, l, i }

static const struct want_msg fixtures[] = {
	{ "report-lf-folded.eml", 2, {
		TEXT("text/plain", 1, "This is an aggregate TLS report from mail.example.net\n"),
		GZ("application/tlsrpt+gzip", "mail.example.net!example.com!1709251200!1709337599.json.gz",
		   1, 296, 525) } },
	{ "report-crlf.eml", 2, {
		TEXT("text/plain", 1, "This is an aggregate TLS report from example.org\r\n"),
		GZ("application/tlsrpt+gzip", "example.org!example.com!1709251200!1709337599!001.json.gz",
		   1, 300, 527) } },
	{ "unterminated-crlf.eml", 2, {
		TEXT("text/plain", 1, "This is an aggregate TLS report from example.net\r\n"),
		GZ("application/tlsrpt+gzip", "example.net!example.com!1709769600!1709856000!001.json.gz",
		   1, 313, 533) } },
	{ "html-first.eml", 2, {
		TEXT("text/html", 1, "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html;"
		     " charset=us-ascii\"></head>\n<body>"),
		{ "application/tlsrpt+gzip",
		  "example.org!example.com!1709251200!1709337599!133500000000000001.json.gz",
		  "example.org!example.com!1709251200!1709337599!133500000000000001.json.gz",
		  1, BODY_GZIP, NULL, 296, 513 } } },
	{ "qp-banner.eml", 2, {
		TEXT("text/plain", 1, "        External Email \xe2\x80\x93 Please use caution before"
		     " opening attachments or clicking links\n\n\nThis"),
		GZ("application/tlsrpt+gzip", "example.org!example.com!1709424000!1709510399!001.json.gz",
		   1, 301, 527) } },
	{ "uncompressed.eml", 2, {
		TEXT("text/plain", 1, "This is an aggregate TLS report from mail.example.net\n"),
		{ "application/tlsrpt", "mail.example.net!example.com!1709596800!1709683199.json", NULL,
		  1, BODY_PREFIX, "{\"organization-name\": \"example.net\"", 515 + 1, 0 } } },
	{ "forwarded.eml", 3, {
		TEXT("text/plain", 1, "Forwarding the report below.\r\n"),
		TEXT("text/plain", 3, "This is an aggregate TLS report from example.org\r\n"),
		GZ("application/tlsrpt+gzip", "example.org!example.com!1709683200!1709769599!001.json.gz",
		   3, 295, 509) } },
	{ "nested-rfc2231.eml", 3, {
		{ "text/plain", NULL, NULL, 2, BODY_EXACT, "Plain text view.", 16, 0 },
		{ "text/html", NULL, NULL, 2, BODY_EXACT, "<p>HTML view.</p>", 17, 0 },
		{ "application/gzip", "report 1.json.gz", "Rapport TLS", 1, BODY_GZIP, NULL, 296, 512 } } },
	{ "single-part.eml", 1, {
		GZ("application/tlsrpt+gzip", "example.org!example.com!1709856000!1709942399!001.json.gz",
		   0, 295, 512) } },
	{ "not-a-report.eml", 1, {
		{ "text/plain", NULL, NULL, 0, BODY_EXACT,
		  "run-parts: /etc/cron.daily/logrotate exited with return code 1\n", 63, 0 } } },
};

static void check_body(const struct want_leaf *w, const struct leaf *l, size_t which)
{
	uint32_t isize;

	switch (w->kind) {
	case BODY_ANY:
		break;
	case BODY_PREFIX:
		if (strncmp((const char *)l->body, w->text, strlen(w->text)) != 0)
			fail_msg("leaf %zu: body starts \"%.60s\"", which, l->body);
		if (w->len != 0)
			assert_int_equal(l->body_len, w->len);
		break;
	case BODY_EXACT:
		assert_int_equal(l->body_len, w->len);
		assert_memory_equal(l->body, w->text, w->len);
		break;
	case BODY_GZIP:
		assert_int_equal(l->body_len, w->len);
		assert_int_equal(l->body[0], 0x1f);
		assert_int_equal(l->body[1], 0x8b);
		assert_int_equal(l->body[2], 0x08);
		isize = (uint32_t)l->body[w->len - 4] | (uint32_t)l->body[w->len - 3] << 8 |
		        (uint32_t)l->body[w->len - 2] << 16 | (uint32_t)l->body[w->len - 1] << 24;
		assert_int_equal(isize, w->isize);
		break;
	}
}

static void check_leaf(const struct want_leaf *w, const struct leaf *l, size_t which)
{
	assert_string_equal(l->type, w->type);
	assert_int_equal(l->depth, w->depth);
	assert_int_equal(l->index, which);
	if (w->filename == NULL)
		assert_null(l->filename);
	else
		assert_string_equal(l->filename, w->filename);
	if (w->description == NULL)
		assert_null(l->description);
	else
		assert_string_equal(l->description, w->description);
	/* the part's own header block, not its parent's */
	assert_non_null(l->ct_header);
	assert_int_equal(strncasecmp(l->ct_header, w->type, strlen(w->type)), 0);
	check_body(w, l, which);
}

static void walk_finds_leaves_of_each_fixture(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };
	struct tr_error err;
	size_t i, k, len;
	char *msg;

	(void)state;
	for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
		print_message("# fixture %s\n", fixtures[i].fixture);
		msg = read_fixture(fixtures[i].fixture, &len);
		memset(&c, 0, sizeof c);
		tr_error_clear(&err);
		assert_int_equal(mime_walk(msg, len, &l, collect_leaf, &c, &err), TR_OK);
		assert_int_equal(c.n, fixtures[i].n);
		for (k = 0; k < c.n; k++)
			check_leaf(&fixtures[i].leaf[k], &c.v[k], k);
		collect_free(&c);
		free(msg);
	}
}

/* ---- the walk on shapes built here ------------------------------------ */

static void crlf_before_a_delimiter_belongs_to_it(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };

	(void)state;
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	                             "--b\r\n\r\nabc\r\n\r\n--b\r\n\r\nxyz\r\n--b--\r\n", &l, &c), TR_OK);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[0].body_len, 5);
	assert_memory_equal(c.v[0].body, "abc\r\n", 5);
	assert_int_equal(c.v[1].body_len, 3);
	collect_free(&c);
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=b\n\n"
	                             "--b\n\nabc\n\n--b\n\n--b--\n", &l, &c), TR_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal((char *)c.v[0].body, "abc\n");
	assert_int_equal(c.v[1].body_len, 0);
	collect_free(&c);
}

static void delimiter_lines_are_matched_exactly(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };

	(void)state;
	/* "--bx" and "--b--x" are body text; trailing blanks after a delimiter are not */
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	                             "preamble\n--b \t\n\n--bx\n--b--x\n -b\n--b--  \nepilogue\n--b\n\nlost\n",
	                             &l, &c), TR_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal((char *)c.v[0].body, "--bx\n--b--x\n -b");
	collect_free(&c);
	/* boundaries that are prefixes of each other, inner first and outer first */
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=ab\n\n"
	                             "--ab\nContent-Type: multipart/mixed; boundary=a\n\n"
	                             "--a\n\none\n--a\n\ntwo\n--a--\n"
	                             "--ab\n\nthree\n--ab--\n", &l, &c), TR_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal((char *)c.v[0].body, "one");
	assert_string_equal((char *)c.v[1].body, "two");
	assert_string_equal((char *)c.v[2].body, "three");
	assert_int_equal(c.v[0].depth, 2);
	assert_int_equal(c.v[2].depth, 1);
	collect_free(&c);
}

static void odd_multiparts_still_walk(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };

	(void)state;
	/* no boundary parameter: a leaf */
	assert_int_equal(walk_string("Content-Type: multipart/mixed\n\nbody", &l, &c), TR_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].type, "multipart/mixed");
	assert_string_equal((char *)c.v[0].body, "body");
	collect_free(&c);
	/* a boundary that never occurs: preamble only, no leaves */
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=zz\n\nbody\n", &l, &c), TR_OK);
	assert_int_equal(c.calls, 0);
	/* an empty message: one empty text/plain leaf */
	assert_int_equal(walk_string("", &l, &c), TR_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].type, "text/plain");
	assert_int_equal(c.v[0].body_len, 0);
	collect_free(&c);
	/* unterminated inner multipart ends with its enclosing part */
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=o\n\n"
	                             "--o\nContent-Type: multipart/mixed; boundary=i\n\n"
	                             "--i\n\ninner\n--o\n\nouter\n--o--\n", &l, &c), TR_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal((char *)c.v[0].body, "inner");
	assert_string_equal((char *)c.v[1].body, "outer");
	collect_free(&c);
	/* digest parts default to message/rfc822 */
	assert_int_equal(walk_string("Content-Type: multipart/digest; boundary=d\n\n"
	                             "--d\n\nSubject: inside\nContent-Type: text/csv\n\na,b\n--d--\n",
	                             &l, &c), TR_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].type, "text/csv");
	assert_int_equal(c.v[0].depth, 2);
	collect_free(&c);
	/* message/rfc822 with a transfer encoding is handed over as a leaf */
	assert_int_equal(walk_string("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
	                             "U3ViamVjdDogeAoKeQ==\n", &l, &c), TR_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].type, "message/rfc822");
	assert_string_equal((char *)c.v[0].body, "Subject: x\n\ny");
	collect_free(&c);
}

static void decoded_buffer_is_reused_across_leaves(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };

	(void)state;
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=b\n\n"
	                             "--b\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQ=\n"
	                             "--b\nContent-Transfer-Encoding: quoted-printable\n\nx=3Dy\n"
	                             "--b\nContent-Transfer-Encoding: base64\n\nYQ==\n--b--\n", &l, &c), TR_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal((char *)c.v[0].body, "Hello world");
	assert_string_equal((char *)c.v[1].body, "x=y");
	assert_int_equal(c.v[2].body_len, 1);
	assert_string_equal((char *)c.v[2].body, "a");
	collect_free(&c);
}

static void callback_error_stops_the_walk(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };
	struct tr_error err;
	static const char msg[] = "Content-Type: multipart/mixed; boundary=b\n\n"
	                          "--b\n\n1\n--b\n\n2\n--b\n\n3\n--b--\n";

	(void)state;
	memset(&c, 0, sizeof c);
	c.fail_at = 2;
	assert_int_equal(mime_walk(msg, sizeof msg - 1, &l, collect_leaf, &c, &err), TR_ERR_FORMAT);
	assert_int_equal(c.calls, 2);
	collect_free(&c);
}

/* A multipart nested `levels` deep around one text leaf. */
static char *nested_message(size_t levels, size_t *len)
{
	size_t cap = levels * 120 + 200, n = 0, i;
	char *p = malloc(cap);
	int w;

	assert_non_null(p);
	for (i = 0; i < levels; i++) {
		w = snprintf(p + n, cap - n, "Content-Type: multipart/mixed; boundary=\"lvl%zu\"\n\n--lvl%zu\n",
		             i, i);
		n += (size_t)w;
	}
	n += (size_t)snprintf(p + n, cap - n, "Content-Type: text/plain\n\ndeep\n");
	for (i = levels; i-- > 0;)
		n += (size_t)snprintf(p + n, cap - n, "--lvl%zu--\n", i);
	*len = n;
	return p;
}

static void nesting_is_bounded_without_recursion(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };
	struct tr_error err;
	size_t len;
	char *msg;

	(void)state;
	/* exactly max_depth levels: the leaf sits at depth max_depth */
	msg = nested_message(l.max_depth, &len);
	memset(&c, 0, sizeof c);
	assert_int_equal(mime_walk(msg, len, &l, collect_leaf, &c, &err), TR_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].depth, l.max_depth);
	assert_string_equal((char *)c.v[0].body, "deep");
	collect_free(&c);
	free(msg);
	/* one more is refused */
	msg = nested_message(l.max_depth + 1, &len);
	tr_error_clear(&err);
	assert_int_equal(mime_walk(msg, len, &l, collect_leaf, &c, &err), TR_ERR_LIMIT);
	assert_int_equal(err.code, TR_ERR_LIMIT);
	assert_int_equal(c.calls, 0);
	free(msg);
	/* 10,000 levels: refused at the bound, long before the end */
	msg = nested_message(10000, &len);
	assert_int_equal(mime_walk(msg, len, &l, collect_leaf, &c, &err), TR_ERR_LIMIT);
	assert_int_equal(c.calls, 0);
	/* and walked to the bottom when allowed: frames live on the heap */
	l.max_depth = 20000;
	l.max_parts = 20000;
	free(msg);
	msg = nested_message(2000, &len);
	assert_int_equal(mime_walk(msg, len, &l, collect_leaf, &c, &err), TR_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].depth, 2000);
	collect_free(&c);
	free(msg);
	/* message/rfc822 counts as nesting too */
	l = limits();
	l.max_depth = 1;
	assert_int_equal(walk_string("Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nx",
	                             &l, &c), TR_ERR_LIMIT);
	assert_int_equal(walk_string("Content-Type: message/rfc822\n\nSubject: y\n\nx", &l, &c), TR_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].depth, 1);
	collect_free(&c);
}

static void part_count_is_bounded(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };
	struct tr_error err;
	size_t parts = 100000, n = 0, cap, i;
	char *msg;

	(void)state;
	cap = parts * 8 + 100;
	msg = malloc(cap);
	assert_non_null(msg);
	n += (size_t)snprintf(msg, cap, "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < parts; i++)
		n += (size_t)snprintf(msg + n, cap - n, "--p\n\nx\n");
	n += (size_t)snprintf(msg + n, cap - n, "--p--\n");
	memset(&c, 0, sizeof c);
	tr_error_clear(&err);
	assert_int_equal(mime_walk(msg, n, &l, collect_leaf, &c, &err), TR_ERR_LIMIT);
	assert_int_equal(c.calls, l.max_parts);
	assert_non_null(strstr(err.msg, "parts"));
	collect_free(&c);
	/* exactly max_parts is fine */
	l.max_parts = parts;
	assert_int_equal(mime_walk(msg, n, &l, collect_leaf, &c, &err), TR_OK);
	assert_int_equal(c.calls, parts);
	collect_free(&c);
	free(msg);
}

static void decoded_size_and_part_headers_are_bounded(void **state)
{
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };
	static const char b64[] = "Content-Type: multipart/mixed; boundary=b\n\n"
	                          "--b\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQ=\n--b--\n";
	static const char plain[] = "Content-Type: multipart/mixed; boundary=b\n\n"
	                            "--b\n\n0123456789AB\n--b--\n";

	(void)state;
	l.max_decoded = 11;
	assert_int_equal(walk_string(b64, &l, &c), TR_OK);
	l.max_decoded = 10;
	assert_int_equal(walk_string(b64, &l, &c), TR_ERR_LIMIT);
	assert_int_equal(c.calls, 0);
	assert_int_equal(walk_string(plain, &l, &c), TR_ERR_LIMIT);
	l.max_decoded = 12;
	assert_int_equal(walk_string(plain, &l, &c), TR_OK);
	collect_free(&c);
	l = limits();
	l.max_header = 45;
	assert_int_equal(walk_string("Content-Type: multipart/mixed; boundary=b\n\n"
	                             "--b\nX-Long: 01234567890123456789012345678901234567890\n\nx\n--b--\n",
	                             &l, &c), TR_ERR_LIMIT);
	assert_int_equal(c.calls, 0);
}

/* ---- the real samples ------------------------------------------------- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int leaf_looks_like_report(const struct leaf *l)
{
	const char *name = l->filename ? l->filename : l->description;

	if (strncmp(l->type, "application/", 12) == 0)
		return 1;
	return name != NULL && (has_suffix(name, ".json") || has_suffix(name, ".gz"));
}

static void real_samples_yield_report_leaves(void **state)
{
	const char *top = getenv("top_srcdir");
	const char *dirs[2] = { NULL, "/work/shared/samples/tlsrpt" };
	char path[4096], other[4096];
	struct tr_limits l = limits();
	struct collect c = { .n = 0 };
	struct tr_error err;
	struct dirent *de;
	DIR *d = NULL;
	size_t i, k, len, seen = 0, found;
	char *msg;

	(void)state;
	snprintf(other, sizeof other, "%s/../shared/samples/tlsrpt", top ? top : ".");
	dirs[0] = other;
	for (i = 0; i < 2; i++) {
		d = opendir(dirs[i]);
		if (d != NULL)
			break;
	}
	if (d == NULL)
		skip();
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".eml"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dirs[i], de->d_name);
		msg = read_whole(path, &len);
		assert_non_null(msg);
		memset(&c, 0, sizeof c);
		tr_error_clear(&err);
		if (mime_walk(msg, len, &l, collect_leaf, &c, &err) != TR_OK)
			fail_msg("%s: %s", de->d_name, err.msg);
		for (k = 0, found = 0; k < c.n; k++) {
			if (!leaf_looks_like_report(&c.v[k]))
				continue;
			found++;
			if (c.v[k].filename && has_suffix(c.v[k].filename, ".gz") &&
			    (c.v[k].body_len < 18 || c.v[k].body[0] != 0x1f || c.v[k].body[1] != 0x8b))
				fail_msg("%s: %s is not gzip", de->d_name, c.v[k].filename);
		}
		if (strncmp(de->d_name, "not-a-report", 12) == 0)
			assert_int_equal(found, 0);
		else if (found == 0)
			fail_msg("%s: no report-like leaf among %zu", de->d_name, c.n);
		print_message("# %s: %zu leaves, %zu report-like\n", de->d_name, c.n, found);
		seen++;
		collect_free(&c);
		free(msg);
	}
	closedir(d);
	assert_true(seen > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(headers_unfold_trim_and_find_body),
		cmocka_unit_test(headers_first_duplicate_wins_case_insensitively),
		cmocka_unit_test(headers_skip_leading_mbox_from_line),
		cmocka_unit_test(headers_end_without_empty_line),
		cmocka_unit_test(headers_are_bounded),
		cmocka_unit_test(headers_many_folds_stop_at_the_bound),
		cmocka_unit_test(params_decode_every_form),
		cmocka_unit_test(content_type_lowercases_and_defaults),
		cmocka_unit_test(encoded_words_decode_for_display),
		cmocka_unit_test(walk_finds_leaves_of_each_fixture),
		cmocka_unit_test(crlf_before_a_delimiter_belongs_to_it),
		cmocka_unit_test(delimiter_lines_are_matched_exactly),
		cmocka_unit_test(odd_multiparts_still_walk),
		cmocka_unit_test(decoded_buffer_is_reused_across_leaves),
		cmocka_unit_test(callback_error_stops_the_walk),
		cmocka_unit_test(nesting_is_bounded_without_recursion),
		cmocka_unit_test(part_count_is_bounded),
		cmocka_unit_test(decoded_size_and_part_headers_are_bounded),
		cmocka_unit_test(real_samples_yield_report_leaves),
	};

	return cmocka_run_group_tests_name("mime", tests, NULL, NULL);
}
