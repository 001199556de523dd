/*
 * Hostile input against the core library: bombs, floods, absurd nesting,
 * absurd numbers, bytes that are not text.  The reporting address is
 * public, so each case asserts the clear error it must end in and, for the
 * big ones, that the memory it costs stays within a bound set by the
 * configured limits (the case runs in a forked child whose peak RSS above
 * its starting RSS is measured).  docs/LIMITS.md points here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "extract.h"
#include "tr_limits.h"
#include "report.h"

#define MIB (1024u * 1024)

/* ASan keeps freed blocks resident in its quarantine (each realloc of a
 * growing buffer leaves the old block there) and adds shadow memory, so
 * the peaks measured under it are about twice the real ones. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_FACTOR 2
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_FACTOR 2
#endif
#endif
#ifndef RSS_FACTOR
#define RSS_FACTOR 1
#endif

/* Under valgrind time and memory are valgrind's own: the bounds on them
 * are not checked there (its preload library betrays it). */
static int under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");

	return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

#define assert_bound(cond) assert_true(under_valgrind() || (cond))

/* Peak RSS allowed for a case whose configured bound is limit bytes. */
static long rss_bound_kib(size_t limit)
{
	return (long)(3 * (limit / 1024) * RSS_FACTOR);
}

/* ---- building inputs ------------------------------------------------ */

/* A valid report whose one failure detail is the given JSON members. */
static char *report_with(const char *org, const char *failure_members)
{
	static const char fmt[] =
		"{\"organization-name\":\"%s\",\"contact-info\":\"tlsrpt@example.net\","
		"\"report-id\":\"hostile-1\",\"date-range\":{\"start-datetime\":"
		"\"2024-01-01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
		"\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":"
		"[\"version: STSv1\"],\"policy-domain\":\"example.com\",\"mx-host\":"
		"[\"mx.example.com\"]},\"summary\":{\"total-successful-session-count\":1,"
		"\"total-failure-session-count\":1},\"failure-details\":[{%s}]}]}";
	size_t n = sizeof fmt + strlen(org) + strlen(failure_members);
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, fmt, org, failure_members);
	return s;
}

static void gzip_into(struct buf *out, const void *p, size_t n)
{
	z_stream z;
	unsigned char chunk[65536];

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		assert_true(deflate(&z, Z_FINISH) != Z_STREAM_ERROR);
		assert_int_equal(buf_append(out, chunk, sizeof chunk - z.avail_out), TR_OK);
	} while (z.avail_out == 0);
	deflateEnd(&z);
}

/*
 * gzip of `mib` MiB of zeros without deflating them all: one MiB of zeros
 * deflated once and ended with a full flush (byte-aligned, no reference
 * back past its start) is a run of blocks that can follow itself any number
 * of times; an empty final block and the trailer close the member.
 */
static void gzip_zeros(struct buf *out, unsigned mib)
{
	static const unsigned char zeros[1 << 20];
	static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3 };
	static const unsigned char last[2] = { 0x03, 0x00 }; /* empty final block */
	unsigned char chunk[65536], trailer[8];
	unsigned long crc1 = crc32(0L, zeros, sizeof zeros), crc = 0;
	unsigned long size = (unsigned long)mib << 20;
	size_t blen, i;
	z_stream z;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)zeros;
	z.avail_in = sizeof zeros;
	z.next_out = chunk;
	z.avail_out = sizeof chunk;
	assert_int_equal(deflate(&z, Z_FULL_FLUSH), Z_OK);
	assert_int_equal(z.avail_in, 0);
	assert_true(z.avail_out > 0);
	blen = sizeof chunk - z.avail_out;
	deflateEnd(&z);
	assert_int_equal(buf_append(out, header, sizeof header), TR_OK);
	for (i = 0; i < mib; i++) {
		assert_int_equal(buf_append(out, chunk, blen), TR_OK);
		crc = crc32_combine(crc, crc1, (z_off_t)sizeof zeros);
	}
	assert_int_equal(buf_append(out, last, sizeof last), TR_OK);
	for (i = 0; i < 4; i++) {
		trailer[i] = (unsigned char)(crc >> (8 * i));
		trailer[4 + i] = (unsigned char)(size >> (8 * i));
	}
	assert_int_equal(buf_append(out, trailer, sizeof trailer), TR_OK);
}

/* The bomb really is one: zlib inflates it whole to 1 GiB of zeros. */
static void gzip_zeros_is_a_valid_gigabyte(void **state)
{
	static unsigned char sink[1 << 20];
	struct buf gz;
	z_stream z;
	unsigned long total = 0;
	int rc;

	(void)state;
	buf_init(&gz, 4 * MIB);
	gzip_zeros(&gz, 1024);
	assert_true(gz.len < 1100 * 1024);
	memset(&z, 0, sizeof z);
	assert_int_equal(inflateInit2(&z, 31), Z_OK);
	z.next_in = gz.data;
	z.avail_in = (uInt)gz.len;
	do {
		z.next_out = sink;
		z.avail_out = sizeof sink;
		rc = inflate(&z, Z_NO_FLUSH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
		total += sizeof sink - z.avail_out;
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	assert_true(total == 1024ul * MIB);
	buf_free(&gz);
}

static void base64_lines(struct buf *out, const unsigned char *p, size_t n)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = abc[(v >> 18) & 63];
		q[1] = abc[(v >> 12) & 63];
		q[2] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? abc[v & 63] : '=';
		assert_int_equal(buf_append(out, q, 4), TR_OK);
		col += 4;
		if (col == 76) {
			assert_int_equal(buf_append(out, "\r\n", 2), TR_OK);
			col = 0;
		}
	}
	assert_int_equal(buf_append(out, "\r\n", 2), TR_OK);
}

static void put(struct buf *b, const char *s)
{
	assert_int_equal(buf_append(b, s, strlen(s)), TR_OK);
}

/* A report mail around one attachment (base64 of payload). */
static void report_mail(struct buf *mail, const char *extra_headers, const char *type,
                        const unsigned char *payload, size_t n)
{
	put(mail, "From: tlsrpt@example.net\r\nTo: tlsrpt@example.com\r\n"
	          "Subject: Report Domain: example.com Submitter: example.net\r\n"
	          "Message-ID: <hostile@example.net>\r\nMIME-Version: 1.0\r\n");
	put(mail, extra_headers);
	put(mail, "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"B\"\r\n\r\n"
	          "--B\r\nContent-Type: text/plain\r\n\r\nA report.\r\n--B\r\nContent-Type: ");
	put(mail, type);
	put(mail, "\r\nContent-Disposition: attachment;\r\n"
	          " filename=\"example.net!example.com!1704067200!1704153599!1.json.gz\"\r\n"
	          "Content-Transfer-Encoding: base64\r\n\r\n");
	base64_lines(mail, payload, n);
	put(mail, "--B--\r\n");
}

/* ---- running a case in a child to measure its memory ----------------- */

struct outcome {
	enum tr_err rc;         /* what the call under test returned */
	enum tr_err item_code;  /* first item's error code, when there is one */
	size_t n_items;
	int has_report;         /* first item parsed */
	char msg[TR_ERROR_MSG_MAX];
	double seconds;
	long peak_kib;          /* peak RSS of the call above the RSS before it, KiB */
};

/* A case builds its input first (not measured), then makes the call. */
struct hostile_case {
	void (*prepare)(struct buf *in);
	void (*run)(struct outcome *o, const struct buf *in);
};

/* "VmRSS" or "VmHWM" (the peak) of this process from /proc, in KiB. */
static long proc_status_kib(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Start a new peak: Linux resets VmHWM to the current RSS on "5". */
static int reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int ok;

	if (f == NULL)
		return 0;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

static void measure(const struct hostile_case *c, struct outcome *o)
{
	struct timespec t0, t1;
	struct rusage ru;
	struct buf in;
	long start;
	int reset;

	buf_init(&in, SIZE_MAX);
	c->prepare(&in);
	reset = reset_peak();
	start = proc_status_kib("VmRSS");
	memset(o, 0, sizeof *o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c->run(o, &in);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (reset && start >= 0) {
		o->peak_kib = proc_status_kib("VmHWM") - start;
	} else {
		/* No /proc: the whole child's peak, input included (an overestimate). */
		getrusage(RUSAGE_SELF, &ru);
		o->peak_kib = ru.ru_maxrss;
	}
	buf_free(&in);
}

/* Run the case in a forked child: a crash fails the test, and the peak RSS
 * of the call comes back with its outcome. */
static void run_child(const struct hostile_case *c, struct outcome *o)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		measure(c, o);
		_exit(write(fds[1], o, sizeof *o) == (ssize_t)sizeof *o ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], o, sizeof *o), (ssize_t)sizeof *o);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("# %s: %.2f s, peak RSS +%ld KiB: %s\n", tr_err_name(o->rc), o->seconds,
	       o->peak_kib, o->msg);
}

static void record_extract(struct outcome *o, enum tr_err rc, const struct extract_result *r,
                           const struct tr_error *err)
{
	o->rc = rc;
	o->n_items = r->n;
	if (rc != TR_OK) {
		snprintf(o->msg, sizeof o->msg, "%s", err->msg);
		return;
	}
	if (r->n > 0) {
		o->has_report = r->items[0].report != NULL;
		o->item_code = r->items[0].error.code;
		snprintf(o->msg, sizeof o->msg, "%s", r->items[0].error.msg);
	}
}

static void extract_buf(struct outcome *o, const struct buf *mail, const struct tr_limits *lim)
{
	struct extract_result r;
	struct tr_error err;
	enum tr_err rc;

	tr_error_clear(&err);
	rc = extract_message((const char *)mail->data, mail->len, lim, &r, &err);
	record_extract(o, rc, &r, &err);
	extract_result_free(&r);
}

static void extract_default(struct outcome *o, const struct buf *mail)
{
	struct tr_limits lim;

	limits_default(&lim);
	extract_buf(o, mail, &lim);
}

/* ---- a gzip bomb ------------------------------------------------------ */

static void gzip_bomb_mail(struct buf *mail)
{
	struct buf gz;

	buf_init(&gz, 4 * MIB);
	gzip_zeros(&gz, 1024);
	report_mail(mail, "", "application/tlsrpt+gzip", gz.data, gz.len);
	buf_free(&gz);
}

static void gzip_bomb_is_cut_at_max_inflated(void **state)
{
	struct tr_limits lim;
	struct outcome o;

	(void)state;
	limits_default(&lim);
	static const struct hostile_case bomb = { gzip_bomb_mail, extract_default };

	run_child(&bomb, &o);
	assert_int_equal(o.rc, TR_OK);
	assert_int_equal(o.n_items, 1);
	assert_false(o.has_report);
	assert_int_equal(o.item_code, TR_ERR_LIMIT);
	assert_non_null(strstr(o.msg, "inflate"));
	/* The decoded gzip (~1 MiB) is held while at most max_inflated bytes
	 * come out. */
	assert_bound(o.peak_kib < rss_bound_kib(lim.max_inflated));
}

/* ---- a 100 MB base64 part --------------------------------------------- */

/* ~100 MB of decoded 'A's (as base64 "AAAA" lines) in one part. */
static void big_base64_mail(struct buf *mail)
{
	static const char line[] =
		"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n";
	size_t i, lines = 100u * 1000 * 1000 / 57;

	put(mail, "From: a@example.net\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
	          "--B\r\nContent-Type: application/tlsrpt+json\r\n"
	          "Content-Transfer-Encoding: base64\r\n\r\n");
	for (i = 0; i < lines; i++)
		assert_int_equal(buf_append(mail, line, sizeof line - 1), TR_OK);
	put(mail, "--B--\r\n");
}

/* As a site that raised max_message to take such mail would have it. */
static void extract_big_message_allowed(struct outcome *o, const struct buf *mail)
{
	struct tr_limits lim;

	limits_default(&lim);
	lim.max_message = 256 * MIB;
	extract_buf(o, mail, &lim);
}

static void big_base64_part_is_refused(void **state)
{
	static const struct hostile_case whole = { big_base64_mail, extract_default };
	static const struct hostile_case part = { big_base64_mail, extract_big_message_allowed };
	struct tr_limits lim;
	struct outcome o;

	(void)state;
	limits_default(&lim);
	run_child(&whole, &o);
	assert_int_equal(o.rc, TR_ERR_LIMIT);
	assert_non_null(strstr(o.msg, "exceeds the limit"));
	assert_bound(o.seconds < 1.0);
	assert_bound(o.peak_kib < 4 * 1024 * RSS_FACTOR); /* refused before reading it */

	run_child(&part, &o);
	assert_int_equal(o.rc, TR_ERR_LIMIT);
	assert_non_null(strstr(o.msg, "decodes to more than"));
	assert_bound(o.seconds < 5.0);
	assert_bound(o.peak_kib < rss_bound_kib(lim.max_decoded));
}

/* ---- 10,000 nested multiparts ------------------------------------------ */

static void nested_mail(struct buf *mail)
{
	char line[128];
	int i;

	put(mail, "From: a@example.net\r\n");
	for (i = 0; i < 10000; i++) {
		snprintf(line, sizeof line,
		         "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i);
		put(mail, line);
	}
	put(mail, "Content-Type: text/plain\r\n\r\nbottom\r\n");
}

static void ten_thousand_nested_multiparts_stop_at_max_depth(void **state)
{
	struct outcome o;

	(void)state;
	static const struct hostile_case nested = { nested_mail, extract_default };

	run_child(&nested, &o);
	assert_int_equal(o.rc, TR_ERR_LIMIT);
	assert_non_null(strstr(o.msg, "nesting deeper than 16"));
	assert_bound(o.seconds < 5.0);
	assert_bound(o.peak_kib < 16 * 1024 * RSS_FACTOR);
}

/* ---- deep JSON --------------------------------------------------------- */

static void deep_json_is_refused_before_parsing(void **state)
{
	const size_t depth = 10000;
	struct tlsrpt_report *r = (struct tlsrpt_report *)1;
	struct tr_limits lim;
	struct tr_error err;
	char *json = malloc(2 * depth + 1);

	(void)state;
	assert_non_null(json);
	memset(json, '[', depth);
	memset(json + depth, ']', depth);
	json[2 * depth] = '\0';
	limits_default(&lim);
	assert_int_equal(report_parse_json(json, 2 * depth, &lim, NULL, &r, &err), TR_ERR_LIMIT);
	assert_null(r);
	assert_string_equal(err.msg, "JSON nested deeper than 32 levels");
	/* Objects count too, and a bracket inside a string does not. */
	memset(json, '{', depth);
	assert_int_equal(report_parse_json(json, depth, &lim, NULL, &r, &err), TR_ERR_LIMIT);
	free(json);
}

/* ---- a million failure details ------------------------------------------ */

static void many_failures_json(struct buf *b)
{
	static const char head[] =
		"{\"report-id\":\"r\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\","
		"\"end-datetime\":\"2024-01-02T00:00:00Z\"},\"policies\":[{\"policy\":"
		"{\"policy-type\":\"sts\"},\"summary\":{},\"failure-details\":[";
	size_t i;

	put(b, head);
	for (i = 0; i < 1000000; i++)
		put(b, i == 0 ? "{}" : ",{}");
	put(b, "]}]}");
}

static void parse_default(struct outcome *o, const struct buf *json)
{
	struct tlsrpt_report *r = NULL;
	struct tr_limits lim;
	struct tr_error err;

	limits_default(&lim);
	tr_error_clear(&err);
	o->rc = report_parse_json((const char *)json->data, json->len, &lim, NULL, &r, &err);
	o->has_report = r != NULL;
	snprintf(o->msg, sizeof o->msg, "%s", err.msg);
	report_free(r);
}

static void million_failure_details_are_refused_before_the_tree(void **state)
{
	struct outcome o;

	(void)state;
	static const struct hostile_case many = { many_failures_json, parse_default };

	run_child(&many, &o);
	assert_int_equal(o.rc, TR_ERR_LIMIT);
	assert_false(o.has_report);
	assert_string_equal(o.msg, "JSON with more than 1000000 values");
	/* refused by the scan before cJSON builds its tree (about 64 bytes per
	 * value, 200 MiB here): only the scan's own memory is spent */
	assert_bound(o.peak_kib < 8 * 1024 * RSS_FACTOR);
}

/* ---- absurd counts ----------------------------------------------------- */

static void counts_out_of_range_are_invalid_with_reason(void **state)
{
	static const struct {
		const char *members;
		const char *want;
	} cases[] = {
		{ "\"result-type\":\"x\",\"failed-session-count\":9223372036854775808",
		  "policies[0].failure-details[0].failed-session-count: too large" },
		{ "\"result-type\":\"x\",\"failed-session-count\":18446744073709551616",
		  "policies[0].failure-details[0].failed-session-count: too large" },
		{ "\"result-type\":\"x\",\"failed-session-count\":-1",
		  "policies[0].failure-details[0].failed-session-count: negative" },
		{ "\"result-type\":\"x\",\"failed-session-count\":1e400",
		  "policies[0].failure-details[0].failed-session-count: too large" },
		{ "\"result-type\":\"x\",\"failed-session-count\":1.5",
		  "policies[0].failure-details[0].failed-session-count: not an integer" },
	};
	struct tlsrpt_report *r;
	struct tr_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *json = report_with("Example", cases[i].members);

		assert_int_equal(report_parse_json(json, strlen(json), NULL, NULL, &r, &err),
		                 TR_ERR_FORMAT);
		assert_null(r);
		assert_string_equal(err.msg, cases[i].want);
		free(json);
	}
}

static void summary_count_of_two_to_the_63_is_invalid(void **state)
{
	static const char json[] =
		"{\"report-id\":\"r\",\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\","
		"\"end-datetime\":\"2024-01-02T00:00:00Z\"},\"policies\":[{\"policy\":"
		"{\"policy-type\":\"sts\"},\"summary\":{\"total-successful-session-count\":"
		"9223372036854775808}}]}";
	struct tlsrpt_report *r;
	struct tr_error err;

	(void)state;
	assert_int_equal(report_parse_json(json, sizeof json - 1, NULL, NULL, &r, &err),
	                 TR_ERR_FORMAT);
	assert_non_null(strstr(err.msg, "total-successful-session-count: too large"));
}

/* ---- NUL bytes and invalid UTF-8 in every string field ------------------ */

static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t need, i;
		unsigned long cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			need = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			need = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			need = 3;
			cp = *p & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += need + 1;
	}
	return 1;
}

static void assert_all_strings_utf8(const struct tlsrpt_report *r)
{
	const struct tlsrpt_policy *p = &r->policies[0];
	const struct tlsrpt_failure *f = &p->failures[0];
	const char *all[] = {
		r->organization_name, r->contact_info, r->report_id, p->policy_type,
		p->policy_strings[0], p->policy_domain, p->mx_hosts[0], f->result_type,
		f->sending_mta_ip, f->receiving_mx_hostname, f->receiving_mx_helo,
		f->receiving_ip, f->additional_information, f->failure_reason_code,
	};
	size_t i;

	assert_int_equal(p->n_failures, 1);
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		assert_non_null(all[i]);
		assert_true(utf8_ok(all[i]));
	}
}

/* Replace the n-th "@" placeholder value of tmpl with bad (the others
 * become "ok"), keeping every other byte. */
static size_t fill_template(const char *tmpl, size_t which, const char *bad, size_t badlen,
                            char *out, size_t outlen)
{
	size_t o = 0, k = 0;
	const char *p;

	for (p = tmpl; *p != '\0'; p++) {
		const char *v = "ok";
		size_t vl = 2;

		if (*p != '@') {
			assert_true(o + 1 < outlen);
			out[o++] = *p;
			continue;
		}
		if (k++ == which) {
			v = bad;
			vl = badlen;
		}
		assert_true(o + vl < outlen);
		memcpy(out + o, v, vl);
		o += vl;
	}
	out[o] = '\0';
	return o;
}

static void nul_and_invalid_utf8_in_every_string_field(void **state)
{
	static const char tmpl[] =
		"{\"organization-name\":\"@\",\"contact-info\":\"@\",\"report-id\":\"@\","
		"\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\","
		"\"end-datetime\":\"2024-01-02T00:00:00Z\"},\"policies\":[{\"policy\":"
		"{\"policy-type\":\"@\",\"policy-string\":[\"@\"],\"policy-domain\":\"@\","
		"\"mx-host\":[\"@\"]},\"summary\":{},\"failure-details\":[{\"result-type\":\"@\","
		"\"sending-mta-ip\":\"@\",\"receiving-mx-hostname\":\"@\",\"receiving-mx-helo\":"
		"\"@\",\"receiving-ip\":\"@\",\"additional-information\":\"@\","
		"\"failure-reason-code\":\"@\"}]}]}";
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "a\\u0000b", 8 },          /* escaped NUL */
		{ "a\0b", 3 },               /* raw NUL */
		{ "a\xff\xfe" "b", 4 },      /* bytes that are never UTF-8 */
		{ "\xc0\x80", 2 },           /* overlong NUL */
		{ "\xed\xa0\x80", 3 },       /* a surrogate */
		{ "\xe2\x82", 2 },           /* a truncated sequence */
		{ "\\ud800", 6 },            /* a lone escaped surrogate */
		{ "\xf4\x90\x80\x80", 4 },   /* past U+10FFFF */
	};
	const size_t fields = 14;
	struct tlsrpt_report *r;
	struct tr_error err;
	char json[2048];
	size_t i, f, len;
	enum tr_err rc;
	char *out;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (f = 0; f < fields; f++) {
			len = fill_template(tmpl, f, bad[i].bytes, bad[i].len, json, sizeof json);
			rc = report_parse_json(json, len, NULL, NULL, &r, &err);
			if (rc != TR_OK) {
				/* Refusing is fine when it says so (a raw NUL may end the text). */
				assert_int_equal(rc, TR_ERR_FORMAT);
				assert_true(err.msg[0] != '\0');
				continue;
			}
			assert_all_strings_utf8(r);
			out = report_to_json(r, 0);
			assert_non_null(out);
			assert_true(utf8_ok(out));
			free(out);
			report_free(r);
		}
	}
}

/* ---- control characters in organization-name ---------------------------- */

static void control_characters_are_kept_and_escaped_on_output(void **state)
{
	struct tlsrpt_report *r;
	struct tr_error err;
	char *json = report_with("Evil\\r\\nX-Injected: yes\\u001b[31m\\u0007\\t",
	                         "\"result-type\":\"x\"");
	char *out;
	const char *p;

	(void)state;
	assert_int_equal(report_parse_json(json, strlen(json), NULL, NULL, &r, &err), TR_OK);
	/* The model keeps what was sent: escaping is for where it is shown. */
	assert_string_equal(r->organization_name, "Evil\r\nX-Injected: yes\x1b[31m\a\t");
	out = report_to_json(r, 0);
	assert_non_null(out);
	for (p = out; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_non_null(strstr(out, "\"organization-name\":\"Evil\\r\\nX-Injected: yes"
	                            "\\u001b[31m\\u0007\\t\""));
	free(out);
	report_free(r);
	free(json);
}

/* ---- a report claiming another submitter --------------------------------- */

static void claimed_submitter_is_recorded_as_claimed(void **state)
{
	struct tr_limits lim;
	struct tr_error err;
	struct extract_result res;
	struct buf gz, mail;
	char *json = report_with("Google Inc.", "\"result-type\":\"x\"");

	(void)state;
	limits_default(&lim);
	buf_init(&gz, MIB);
	gzip_into(&gz, json, strlen(json));
	buf_init(&mail, 4 * MIB);
	put(&mail, "From: mallory@evil.example\r\n");
	report_mail(&mail, "TLS-Report-Submitter: google.com\r\n", "application/tlsrpt+gzip",
	            gz.data, gz.len);
	assert_int_equal(extract_message((const char *)mail.data, mail.len, &lim, &res, &err), TR_OK);
	assert_int_equal(res.n, 1);
	assert_non_null(res.items[0].report);
	/* The header's word is taken: only the milter can tell (DKIM/SPF
	 * results in Authentication-Results) whether to believe it. */
	assert_string_equal(res.items[0].submitter, "google.com");
	extract_result_free(&res);
	buf_free(&mail);
	buf_free(&gz);
	free(json);
}

/* ---- every limit of tr_limits, crossed ---------------------------------- */

#define J_HEAD "{\"organization-name\":\"Example Org\",\"report-id\":\"r1\"," \
	"\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\"," \
	"\"end-datetime\":\"2024-01-02T00:00:00Z\"},\"policies\":["
#define J_POLICY "{\"policy\":{\"policy-type\":\"sts\",\"mx-host\":[\"a.example\",\"b.example\"]}," \
	"\"summary\":{},\"failure-details\":[{\"result-type\":\"x\"},{\"result-type\":\"y\"}]}"
#define J_REPORT J_HEAD J_POLICY "]}"
#define M_HEAD "From: a@example.net\r\nSubject: r\r\n"
#define M_JSON_PART "--B\r\nContent-Type: application/tlsrpt+json\r\n\r\n" J_REPORT "\r\n"

static void set_limit(struct tr_limits *l, const char *name, size_t v)
{
	if (strcmp(name, "max_message") == 0)
		l->max_message = v;
	else if (strcmp(name, "max_header") == 0)
		l->max_header = v;
	else if (strcmp(name, "max_headers") == 0)
		l->max_headers = v;
	else if (strcmp(name, "max_parts") == 0)
		l->max_parts = v;
	else if (strcmp(name, "max_depth") == 0)
		l->max_depth = (unsigned)v;
	else if (strcmp(name, "max_decoded") == 0)
		l->max_decoded = v;
	else if (strcmp(name, "max_reports") == 0)
		l->max_reports = v;
	else if (strcmp(name, "max_json_depth") == 0)
		l->max_json_depth = (unsigned)v;
	else if (strcmp(name, "max_json_values") == 0)
		l->max_json_values = v;
	else if (strcmp(name, "max_policies") == 0)
		l->max_policies = v;
	else if (strcmp(name, "max_failures") == 0)
		l->max_failures = v;
	else if (strcmp(name, "max_strings") == 0)
		l->max_strings = v;
	else if (strcmp(name, "max_string_len") == 0)
		l->max_string_len = v;
	else
		fail_msg("no limit %s", name);
}

static void each_limit_when_crossed_says_which(void **state)
{
	static const struct {
		const char *limit;
		size_t value;
		int json;          /* 1: report_parse_json, 0: extract_message */
		const char *input;
		const char *want;  /* in the error of the call, or of the first item */
	} rows[] = {
		{ "max_message", 40, 0, M_HEAD "Content-Type: text/plain\r\n\r\nhello\r\n",
		  "message of 68 bytes exceeds the limit of 40" },
		{ "max_header", 20, 0, M_HEAD "X-Long: 0123456789012345678901234567890\r\n\r\nx\r\n",
		  "mime: header field longer than 20 bytes" },
		{ "max_headers", 2, 0, M_HEAD "X-A: 1\r\n\r\nx\r\n", "mime: more than 2 header fields" },
		{ "max_parts", 2, 0, M_HEAD "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
		  "--B\r\n\r\n1\r\n--B\r\n\r\n2\r\n--B\r\n\r\n3\r\n--B--\r\n", "mime: more than 2 parts" },
		{ "max_depth", 1, 0, M_HEAD "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
		  "--B\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\n\r\nx\r\n--C--\r\n--B--\r\n",
		  "mime: nesting deeper than 1" },
		{ "max_decoded", 4, 0, M_HEAD "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n",
		  "mime: part 0 decodes to more than 4 bytes" },
		{ "max_reports", 1, 0, M_HEAD "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
		  M_JSON_PART M_JSON_PART "--B--\r\n", "more than 1 reports in one message" },
		{ "max_json_depth", 2, 1, J_REPORT, "JSON nested deeper than 2 levels" },
		{ "max_json_values", 10, 1, J_REPORT, "JSON with more than 10 values" },
		{ "max_policies", 1, 1, J_HEAD J_POLICY "," J_POLICY "]}",
		  "policies: more than 1 entries" },
		{ "max_failures", 1, 1, J_REPORT, "policies[0].failure-details: more than 1 entries" },
		{ "max_strings", 1, 1, J_REPORT, "policies[0].policy.mx-host: more than 1 entries" },
		{ "max_string_len", 5, 1, J_REPORT, "organization-name: longer than 5 bytes" },
	};
	struct extract_result res;
	struct tlsrpt_report *r;
	struct tr_limits lim;
	struct tr_error err;
	enum tr_err rc;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *in = rows[i].input;

		limits_default(&lim);
		/* Unlimited, the input is accepted: the limit alone refuses it. */
		if (rows[i].json) {
			assert_int_equal(report_parse_json(in, strlen(in), &lim, NULL, &r, &err), TR_OK);
			report_free(r);
		} else {
			assert_int_equal(extract_message(in, strlen(in), &lim, &res, &err), TR_OK);
			extract_result_free(&res);
		}
		set_limit(&lim, rows[i].limit, rows[i].value);
		tr_error_clear(&err);
		if (rows[i].json) {
			rc = report_parse_json(in, strlen(in), &lim, NULL, &r, &err);
			assert_null(r);
		} else {
			rc = extract_message(in, strlen(in), &lim, &res, &err);
			extract_result_free(&res);
		}
		if (rc != TR_ERR_LIMIT || strstr(err.msg, rows[i].want) == NULL)
			fail_msg("%s: got %s \"%s\"", rows[i].limit, tr_err_name(rc), err.msg);
	}
}

/* max_inflated is per report, so it makes an invalid item, not a failed mail. */
static void max_inflated_when_crossed_invalidates_the_report(void **state)
{
	static const char json[] = J_REPORT;
	struct extract_result res;
	struct tr_limits lim;
	struct tr_error err;
	struct buf gz, mail;

	(void)state;
	buf_init(&gz, MIB);
	gzip_into(&gz, json, sizeof json - 1);
	buf_init(&mail, MIB);
	report_mail(&mail, "", "application/tlsrpt+gzip", gz.data, gz.len);
	limits_default(&lim);
	lim.max_inflated = 100;
	assert_int_equal(extract_message((const char *)mail.data, mail.len, &lim, &res, &err), TR_OK);
	assert_int_equal(res.n, 1);
	assert_null(res.items[0].report);
	assert_int_equal(res.items[0].error.code, TR_ERR_LIMIT);
	assert_string_equal(res.items[0].error.msg, "inflate: inflated data exceeds 100 bytes");
	assert_string_equal(res.items[0].submitter, "example.net");
	extract_result_free(&res);
	buf_free(&mail);
	buf_free(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gzip_zeros_is_a_valid_gigabyte),
		cmocka_unit_test(gzip_bomb_is_cut_at_max_inflated),
		cmocka_unit_test(big_base64_part_is_refused),
		cmocka_unit_test(ten_thousand_nested_multiparts_stop_at_max_depth),
		cmocka_unit_test(deep_json_is_refused_before_parsing),
		cmocka_unit_test(million_failure_details_are_refused_before_the_tree),
		cmocka_unit_test(counts_out_of_range_are_invalid_with_reason),
		cmocka_unit_test(summary_count_of_two_to_the_63_is_invalid),
		cmocka_unit_test(nul_and_invalid_utf8_in_every_string_field),
		cmocka_unit_test(control_characters_are_kept_and_escaped_on_output),
		cmocka_unit_test(claimed_submitter_is_recorded_as_claimed),
		cmocka_unit_test(each_limit_when_crossed_says_which),
		cmocka_unit_test(max_inflated_when_crossed_invalidates_the_report),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
