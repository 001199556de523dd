/*
 * Hostile mail through the whole pipeline, not only the inner parser: the
 * milter's message path (msg_process(): extract, authentication, store)
 * and `tlsrpt-report import` (the real binary, exec'd).  Each case runs in
 * a forked child and asserts the peak memory it costs against the per-
 * message bound docs/LIMITS.md states ("Memory").  tests/test_hostile.c
 * covers the library calls one by one; this file is the end-to-end bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "msg.h"

#define MIB (1024L * 1024)

/* Under ASan the figures are ASan's: shadow memory, and a quarantine that
 * keeps freed blocks (up to 256 MiB) in the child process that import
 * is.  In-process (milter) bounds are scaled; import's are not checked. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_FACTOR 3
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_FACTOR 3
#endif
#endif
#ifndef RSS_FACTOR
#define RSS_FACTOR 1
#endif

static int under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");

	return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

/* The bound every hostile mail below must stay under (docs/LIMITS.md). */
#define SMALL_BOUND_KIB (64 * 1024L * RSS_FACTOR)

static char tmpdir[] = "/tmp/tlsrpt-pipeline.XXXXXX";

/* ---- building mail ------------------------------------------------------ */

static void put(struct buf *b, const char *s)
{
	assert_int_equal(buf_append(b, s, strlen(s)), TR_OK);
}

static void put_n(struct buf *b, const char *s, size_t times)
{
	size_t i, n = strlen(s);

	for (i = 0; i < times; i++)
		assert_int_equal(buf_append(b, s, n), TR_OK);
}

static void gzip_into(struct buf *out, const void *p, size_t n)
{
	unsigned char chunk[65536];
	z_stream z;

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
			put(out, "\r\n");
			col = 0;
		}
	}
	put(out, "\r\n");
}

static const char mail_head[] =
	"From: tlsrpt@example.net\r\nTo: tlsrpt@example.com\r\n"
	"Subject: Report Domain: example.com Submitter: example.net\r\n"
	"Message-ID: <pipeline@example.net>\r\nMIME-Version: 1.0\r\n";

/* A report mail around json, gzipped and base64'd as senders do. */
static void mail_of_json(struct buf *mail, const struct buf *json)
{
	struct buf gz;

	buf_init(&gz, SIZE_MAX);
	gzip_into(&gz, json->data, json->len);
	put(mail, mail_head);
	put(mail, "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"B\"\r\n\r\n"
	          "--B\r\nContent-Type: text/plain\r\n\r\nA report.\r\n--B\r\n"
	          "Content-Type: application/tlsrpt+gzip\r\nContent-Disposition: attachment;\r\n"
	          " filename=\"example.net!example.com!1704067200!1704153599!1.json.gz\"\r\n"
	          "Content-Transfer-Encoding: base64\r\n\r\n");
	base64_lines(mail, gz.data, gz.len);
	put(mail, "--B--\r\n");
	buf_free(&gz);
}

static const char report_head[] =
	"{\"organization-name\":\"Hostile\",\"contact-info\":\"tlsrpt@example.net\","
	"\"report-id\":\"pipeline-1\",\"date-range\":{\"start-datetime\":"
	"\"2024-01-01T00:00:00Z\",\"end-datetime\":\"2024-01-01T23:59:59Z\"},"
	"\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
	"\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":1},";

/* The 21 KB mail of issue 13: a gzipped JSON array of 8 million zeros. */
static void eight_million_zeros(struct buf *mail)
{
	struct buf json;

	buf_init(&json, SIZE_MAX);
	put(&json, "[0");
	put_n(&json, ",0", 8000000 - 1);
	put(&json, "]");
	mail_of_json(mail, &json);
	buf_free(&json);
	assert_true(mail->len < 32 * 1024);
}

/* An otherwise valid report whose failure details are 4 million {}. */
static void four_million_empty_objects(struct buf *mail)
{
	struct buf json;

	buf_init(&json, SIZE_MAX);
	put(&json, report_head);
	put(&json, "\"failure-details\":[{}");
	put_n(&json, ",{}", 4000000 - 1);
	put(&json, "]}]}");
	mail_of_json(mail, &json);
	buf_free(&json);
}

/* The most values a report may hold (just under max_json_values), all
 * tiny, in a member nobody reads: accepted, and the costliest tree. */
static void values_just_under_the_limit(struct buf *mail)
{
	struct buf json;

	buf_init(&json, SIZE_MAX);
	put(&json, report_head);
	put(&json, "\"failure-details\":[],\"x-padding\":[0");
	put_n(&json, ",0", 999900);
	put(&json, "]}]}");
	mail_of_json(mail, &json);
	buf_free(&json);
}

/* 1 GiB of zeros claimed as a report (gzip of it, about 1 MiB). */
static void gzip_bomb(struct buf *mail)
{
	static const unsigned char zeros[1 << 20];
	unsigned char chunk[65536];
	struct buf gz;
	z_stream z;
	int i;

	buf_init(&gz, SIZE_MAX);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
	for (i = 0; i < 1024; i++) {
		z.next_in = (unsigned char *)zeros;
		z.avail_in = sizeof zeros;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof chunk;
			assert_true(deflate(&z, i == 1023 ? Z_FINISH : Z_NO_FLUSH) != Z_STREAM_ERROR);
			assert_int_equal(buf_append(&gz, chunk, sizeof chunk - z.avail_out), TR_OK);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	put(mail, mail_head);
	put(mail, "Content-Type: application/tlsrpt+gzip\r\n"
	          "Content-Transfer-Encoding: base64\r\n\r\n");
	base64_lines(mail, gz.data, gz.len);
	buf_free(&gz);
}

/* 5,000 small report parts in one multipart. */
static void thousands_of_parts(struct buf *mail)
{
	put(mail, mail_head);
	put(mail, "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n");
	put_n(mail, "--B\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}\r\n", 5000);
	put(mail, "--B--\r\n");
}

/* JSON nested 1,000,000 deep, gzipped. */
static void deep_json(struct buf *mail)
{
	struct buf json;

	buf_init(&json, SIZE_MAX);
	put_n(&json, "[", 1000000);
	put_n(&json, "]", 1000000);
	mail_of_json(mail, &json);
	buf_free(&json);
}

/* 10,000 nested multiparts. */
static void deep_mime(struct buf *mail)
{
	int i;

	put(mail, mail_head);
	put(mail, "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
	for (i = 1; i < 10000; i++) {
		char line[128];

		snprintf(line, sizeof line, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n",
		         i - 1, i);
		put(mail, line);
	}
}

/* A report mail signed with a fixture key (tests/fixtures/dkim). */
static void signed_report(struct buf *mail)
{
	char path[4096];
	const char *top = getenv("top_srcdir");
	size_t len;
	char *s;
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/fixtures/dkim/pass-aligned.eml", top ? top : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	s = malloc(1 << 20);
	assert_non_null(s);
	len = fread(s, 1, 1 << 20, f);
	fclose(f);
	assert_int_equal(buf_append(mail, s, len), TR_OK);
	free(s);
}

/* ---- measuring ------------------------------------------------------- */

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

static int reset_peak(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int ok;

	if (f == NULL)
		return 0;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

struct result {
	int action;      /* msg_process()'s, or import's exit status */
	size_t n_status; /* status values the milter would add */
	char status[MSG_STATUS_MAX];
	long peak_kib;
};

/* In a forked child: the mail through msg_process(), with the RSS the
 * call added at its peak. */
static const char *key_file; /* DKIMKeyFile for the next milter run, or NULL */

static void milter_child(void (*build)(struct buf *), struct result *res)
{
	static struct msg_store st = MSG_STORE_INIT;
	struct msg_decision d;
	struct conf c;
	char db[4200];
	struct buf mail;
	long start;
	int reset;

	conf_init(&c);
	snprintf(db, sizeof db, "%s/milter-%ld.db", tmpdir, (long)getpid());
	free(c.database);
	c.database = strdup(db);
	c.dkim_key_file = key_file != NULL ? strdup(key_file) : NULL;
	log_open(1, LOG_MAIL, LOG_ERR);
	buf_init(&mail, SIZE_MAX);
	build(&mail);
	reset = reset_peak();
	start = proc_status_kib("VmRSS");
	msg_process((const char *)mail.data, mail.len, &c, &st, NULL, "pipeline", &d);
	res->peak_kib = reset && start >= 0 ? proc_status_kib("VmHWM") - start : -1;
	res->action = (int)d.action;
	res->n_status = d.n;
	if (d.n > 0)
		snprintf(res->status, sizeof res->status, "%s", d.status[0]);
	msg_decision_free(&d);
	msg_store_close(&st);
	buf_free(&mail);
	conf_clear(&c);
}

static void run_milter(void (*build)(struct buf *), struct result *res)
{
	int fds[2], status;
	pid_t pid;

	memset(res, 0, sizeof *res);
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		milter_child(build, res);
		_exit(write(fds[1], res, sizeof *res) == (ssize_t)sizeof *res ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], res, sizeof *res), (ssize_t)sizeof *res);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("# milter: action %d, peak RSS +%ld KiB: %s\n", res->action, res->peak_kib,
	       res->status);
}

static void plain_mail(struct buf *mail)
{
	put(mail, mail_head);
	put(mail, "Content-Type: text/plain\r\n\r\nNo report here.\r\n");
}

static void run_import_raw(void (*build)(struct buf *), struct result *res);

/* `tlsrpt-report import` of the mail: its peak RSS (wait4) above that of
 * importing a mail without a report (the process's own start: libraries,
 * SQLite, and under ASan its shadow memory). */
static void run_import(void (*build)(struct buf *), struct result *res)
{
	static long baseline = -1;
	struct result base;

	if (baseline < 0) {
		run_import_raw(plain_mail, &base);
		baseline = base.peak_kib;
	}
	run_import_raw(build, res);
	res->peak_kib -= baseline;
	printf("# import: +%ld KiB above a mail without a report\n", res->peak_kib);
}

static void run_import_raw(void (*build)(struct buf *), struct result *res)
{
	const char *bd = getenv("top_builddir");
	char tr[4096], file[4200], db[4200];
	struct rusage ru;
	struct buf mail;
	int fd, status;
	pid_t pid;

	memset(res, 0, sizeof *res);
	snprintf(tr, sizeof tr, "%s/aggregator/tlsrpt-report", bd != NULL ? bd : ".");
	snprintf(file, sizeof file, "%s/mail.eml", tmpdir);
	snprintf(db, sizeof db, "%s/import.db", tmpdir);
	buf_init(&mail, SIZE_MAX);
	build(&mail);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, mail.data, mail.len), (ssize_t)mail.len);
	close(fd);
	buf_free(&mail);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(tr, tr, "-d", db, "import", file, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	assert_true(WIFEXITED(status));
	res->action = WEXITSTATUS(status);
	res->peak_kib = ru.ru_maxrss;
	printf("# import: exit %d, peak RSS %ld KiB (whole process)\n", res->action, res->peak_kib);
	unlink(file);
}

#define assert_peak_under(r, kib) \
	assert_true(under_valgrind() || (r).peak_kib < (kib))
#define assert_import_peak_under(r, kib) \
	assert_true(under_valgrind() || RSS_FACTOR > 1 || (r).peak_kib < (kib))

/* ---- the cases --------------------------------------------------------- */

static void zeros_mail_is_refused_within_64_mib(void **state)
{
	struct result r;

	(void)state;
	run_milter(eight_million_zeros, &r);
	assert_int_equal(r.action, MSG_ACCEPT);
	assert_int_equal(r.n_status, 1);
	assert_non_null(strstr(r.status, "JSON with more than 1000000 values"));
	assert_peak_under(r, SMALL_BOUND_KIB);
	run_import(eight_million_zeros, &r);
	assert_int_equal(r.action, 1);
	assert_import_peak_under(r, SMALL_BOUND_KIB);
}

static void four_million_empty_failure_details_are_refused(void **state)
{
	struct result r;

	(void)state;
	run_milter(four_million_empty_objects, &r);
	assert_int_equal(r.action, MSG_ACCEPT);
	assert_non_null(strstr(r.status, "JSON with more than 1000000 values"));
	assert_non_null(strstr(r.status, "report-id=pipeline-1"));
	assert_peak_under(r, SMALL_BOUND_KIB);
	run_import(four_million_empty_objects, &r);
	assert_int_equal(r.action, 1);
	assert_import_peak_under(r, SMALL_BOUND_KIB);
}

/* The costliest report that is accepted: its tree is the bound. */
static void a_million_tiny_values_stay_within_the_stated_peak(void **state)
{
	struct result r;

	(void)state;
	run_milter(values_just_under_the_limit, &r);
	assert_int_equal(r.action, MSG_ACCEPT);
	assert_non_null(strstr(r.status, "stored;"));
	assert_peak_under(r, 128 * 1024L * RSS_FACTOR);
	run_import(values_just_under_the_limit, &r);
	assert_int_equal(r.action, 0);
	assert_import_peak_under(r, 128 * 1024L * RSS_FACTOR);
}

static void gzip_bomb_is_cut_at_max_report(void **state)
{
	struct result r;

	(void)state;
	run_milter(gzip_bomb, &r);
	assert_int_equal(r.action, MSG_ACCEPT);
	assert_non_null(strstr(r.status, "inflated data exceeds"));
	assert_peak_under(r, SMALL_BOUND_KIB);
	run_import(gzip_bomb, &r);
	assert_int_equal(r.action, 1);
	assert_import_peak_under(r, SMALL_BOUND_KIB);
}

static void thousands_of_parts_stop_at_max_parts(void **state)
{
	struct result r;

	(void)state;
	run_milter(thousands_of_parts, &r);
	assert_int_equal(r.action, MSG_ACCEPT);
	assert_peak_under(r, 16 * 1024L * RSS_FACTOR);
	run_import(thousands_of_parts, &r);
	assert_int_equal(r.action, 1);
	assert_import_peak_under(r, 16 * 1024L * RSS_FACTOR);
}

static void deep_nesting_is_refused_cheaply(void **state)
{
	struct result r;

	(void)state;
	run_milter(deep_json, &r);
	assert_non_null(strstr(r.status, "JSON nested deeper than 32 levels"));
	assert_peak_under(r, 16 * 1024L * RSS_FACTOR);
	run_import(deep_json, &r);
	assert_int_equal(r.action, 1);
	assert_import_peak_under(r, 16 * 1024L * RSS_FACTOR);
	run_milter(deep_mime, &r);
	assert_int_equal(r.action, MSG_ACCEPT);
	assert_peak_under(r, 16 * 1024L * RSS_FACTOR);
	run_import(deep_mime, &r);
	assert_import_peak_under(r, 16 * 1024L * RSS_FACTOR);
}

/* Verifying DKIM costs little beside the rest of the message's path. */
static void dkim_verification_is_cheap(void **state)
{
	char keys[4096];
	const char *top = getenv("top_srcdir");
	struct result r;

	(void)state;
	snprintf(keys, sizeof keys, "%s/tests/fixtures/dkim/keys.txt", top ? top : ".");
	key_file = keys;
	run_milter(signed_report, &r);
	key_file = NULL;
	assert_non_null(strstr(r.status, "stored;"));
	assert_non_null(strstr(r.status, "auth=pass; dkim-domain=example.net"));
	assert_peak_under(r, 8 * 1024L * RSS_FACTOR);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zeros_mail_is_refused_within_64_mib),
		cmocka_unit_test(four_million_empty_failure_details_are_refused),
		cmocka_unit_test(a_million_tiny_values_stay_within_the_stated_peak),
		cmocka_unit_test(gzip_bomb_is_cut_at_max_report),
		cmocka_unit_test(thousands_of_parts_stop_at_max_parts),
		cmocka_unit_test(deep_nesting_is_refused_cheaply),
		cmocka_unit_test(dkim_verification_is_cheap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
