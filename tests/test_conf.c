/*
 * Unit tests of the milter's configuration: the key table, value parsers,
 * file errors with file:line, recipient matching and the shared config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

/* Write text to a fresh temporary file; returns its malloc'd path. */
static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/tlsrpt-config-test-XXXXXX");
	int fd;
	size_t len = strlen(text);

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

static void defaults_are_safe(void **state)
{
	struct conf c;
	char err[CONF_ERR_MAX];

	(void)state;
	conf_init(&c);
	assert_non_null(c.socket);
	assert_non_null(c.database);
	assert_null(c.user);
	assert_int_equal(c.n_recipients, 0);
	assert_int_equal(c.on_stored_discard, 0);
	assert_int_equal(c.allow_root, 0); /* root only when asked for */
	assert_int_equal(c.on_invalid_reject, 0);
	assert_int_equal(c.on_error_tempfail, 0);
	assert_int_equal(c.add_header, 1);
	assert_int_equal(c.syslog_facility, LOG_MAIL);
	assert_int_equal(conf_check(&c, err, sizeof err), 0);
	assert_true(conf_recipient_match(&c, "<anyone@example.com>"));
	conf_clear(&c);
	conf_clear(NULL);
}

static void full_file_is_read(void **state)
{
	char *path = write_temp(
		"# every key\n"
		"Socket inet:8895@127.0.0.1\n"
		"database   /tmp/x.db   # trailing comment\n"
		"UserID tlsrpt:mail\n"
		"PidFile /run/t.pid\n"
		"Syslog local3\n"
		"LogLevel debug\n"
		"\n"
		"   \t\n"
		"Recipients <TLSRPT@Example.com>, reports@example.net  postmaster@example.org\n"
		"MaxMessageSize 2M\n"
		"MaxReportSize 512K\n"
		"OnStored discard\n"
		"OnInvalid reject\n"
		"OnError tempfail\n"
		"SpoolDirectory /var/spool/tlsrpt\n"
		"AddHeader no\n"
		"TrustedAuthservIDs mx.example.com,MX2.example.com\n"
		"RequireAuthentication yes\n"
		"SocketMode 0600\n"
		"AllowRoot yes\n"
		"DrainTimeout 5\n");
	struct conf c;
	char err[CONF_ERR_MAX] = "";

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, 1, err, sizeof err), 0);
	assert_string_equal(c.socket, "inet:8895@127.0.0.1");
	assert_string_equal(c.database, "/tmp/x.db");
	assert_string_equal(c.user, "tlsrpt:mail");
	assert_string_equal(c.pidfile, "/run/t.pid");
	assert_int_equal(c.syslog_facility, LOG_LOCAL3);
	assert_int_equal(c.log_level, LOG_DEBUG);
	assert_int_equal(c.n_recipients, 3);
	assert_string_equal(c.recipients[0], "tlsrpt@example.com");
	assert_string_equal(c.recipients[2], "postmaster@example.org");
	assert_int_equal(c.max_message, 2 * 1024 * 1024);
	assert_int_equal(c.max_report, 512 * 1024);
	assert_int_equal(c.on_stored_discard, 1);
	assert_int_equal(c.on_invalid_reject, 1);
	assert_int_equal(c.on_error_tempfail, 1);
	assert_string_equal(c.spool_dir, "/var/spool/tlsrpt");
	assert_int_equal(c.add_header, 0);
	assert_int_equal(c.n_trusted, 2);
	assert_string_equal(c.trusted_ids[1], "mx2.example.com");
	assert_int_equal(c.require_auth, 1);
	assert_int_equal(c.socket_mode, 0600);
	assert_int_equal(c.allow_root, 1);
	assert_int_equal(c.drain_timeout, 5);
	assert_int_equal(conf_check(&c, err, sizeof err), 0);
	assert_true(conf_recipient_match(&c, "<tlsrpt@EXAMPLE.com>"));
	assert_true(conf_recipient_match(&c, " reports@example.net "));
	assert_false(conf_recipient_match(&c, "<other@example.com>"));
	assert_false(conf_recipient_match(&c, "tlsrpt@example.com.evil"));
	assert_false(conf_recipient_match(&c, NULL));
	conf_clear(&c);
	unlink(path);
	free(path);
}

struct bad_case {
	const char *text;
	const char *want; /* expected substring of the error after "path:" */
};

static const struct bad_case bad_cases[] = {
	{ "Socket x\nNoSuchKey 1\n", ":2: NoSuchKey: unknown key" },
	{ "MaxMessageSize 10X\n", ":1: MaxMessageSize: '10X' is not a size" },
	{ "MaxMessageSize 2G\n", ":1: MaxMessageSize" },
	{ "MaxReportSize 12\n", ":1: MaxReportSize" },
	{ "MaxReportSize 99999999999999999999999\n", ":1: MaxReportSize" },
	{ "MaxReportSize -1\n", ":1: MaxReportSize" },
	{ "\n\nOnStored maybe\n", ":3: OnStored: 'maybe' is not accept or discard" },
	{ "OnInvalid discard\n", ":1: OnInvalid" },
	{ "OnError reject\n", ":1: OnError" },
	{ "AddHeader perhaps\n", ":1: AddHeader" },
	{ "Syslog kernel\n", ":1: Syslog" },
	{ "LogLevel loud\n", ":1: LogLevel" },
	{ "SocketMode 0999\n", ":1: SocketMode" },
	{ "DrainTimeout 3601\n", ":1: DrainTimeout" },
	{ "DrainTimeout -1\n", ":1: DrainTimeout" },
	{ "DrainTimeout 10s\n", ":1: DrainTimeout" },
	{ "Socket\n", ":1: Socket: a value is required" },
};

static void bad_values_name_file_and_line(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		char *path = write_temp(bad_cases[i].text);
		char err[CONF_ERR_MAX] = "";
		struct conf c;

		conf_init(&c);
		print_message("case %zu\n", i);
		assert_int_equal(conf_load(&c, path, 1, err, sizeof err), -1);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, bad_cases[i].want));
		conf_clear(&c);
		unlink(path);
		free(path);
	}
}

static void missing_file_matters_only_when_named(void **state)
{
	struct conf c;
	char err[CONF_ERR_MAX] = "";

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_load(&c, "/nonexistent/tlsrpt.conf", 0, err, sizeof err), 0);
	assert_int_equal(conf_load(&c, "/nonexistent/tlsrpt.conf", 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/tlsrpt.conf"));
	conf_clear(&c);
}

static void overlong_line_is_an_error(void **state)
{
	char *text = malloc(6000), *path;
	struct conf c;
	char err[CONF_ERR_MAX] = "";

	(void)state;
	assert_non_null(text);
	memset(text, 'a', 5998);
	memcpy(text, "Database ", 9);
	text[5998] = '\n';
	text[5999] = '\0';
	path = write_temp(text);
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: line longer"));
	conf_clear(&c);
	unlink(path);
	free(path);
	free(text);
}

/* A postgresql:// URI is a Database like a path: taken whole, its
 * parameters and escapes as written (libpq reads them). */
static void database_takes_a_uri(void **state)
{
	static const char uri[] = "postgresql://tlsrpt_writer@db1.example.net,db2.example.net/tlsrpt"
	                          "?target_session_attrs=read-write&options=-cstatement_timeout%3D10s";
	char text[300], *path;
	struct conf c;
	char err[CONF_ERR_MAX] = "";

	(void)state;
	snprintf(text, sizeof text, "Socket unix:/run/t.sock\nDatabase %s\n", uri);
	path = write_temp(text);
	conf_init(&c);
	assert_int_equal(conf_load(&c, path, 1, err, sizeof err), 0);
	assert_string_equal(c.database, uri);
	conf_clear(&c);
	unlink(path);
	free(path);
}

struct size_case {
	const char *s;
	int rc;
	size_t want;
};

static const struct size_case size_cases[] = {
	{ "1024", 0, 1024 }, { "64k", 0, 65536 }, { "10M", 0, 10485760 },
	{ "1G", 0, 1073741824 }, { "1023", -1, 0 }, { "", -1, 0 }, { "M", -1, 0 },
	{ " 5M", -1, 0 }, { "5MB", -1, 0 }, { "18446744073709551615G", -1, 0 },
};

static void sizes_table(void **state)
{
	size_t i, out;

	(void)state;
	for (i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
		out = 0;
		print_message("case %zu: '%s'\n", i, size_cases[i].s);
		assert_int_equal(conf_parse_size(size_cases[i].s, 1024, 1u << 30, &out),
		                 size_cases[i].rc);
		if (size_cases[i].rc == 0)
			assert_int_equal(out, size_cases[i].want);
	}
}

static void require_auth_needs_trusted_ids(void **state)
{
	struct conf c;
	char err[CONF_ERR_MAX] = "";

	(void)state;
	conf_init(&c);
	assert_int_equal(conf_set(&c, "requireauthentication", "yes", err, sizeof err), 0);
	/* verifying DKIM itself (the default) needs no one to believe */
	assert_int_equal(conf_check(&c, err, sizeof err), 0);
	assert_int_equal(conf_set(&c, "DKIMVerify", "no", err, sizeof err), 0);
	assert_int_equal(conf_check(&c, err, sizeof err), -1);
	assert_non_null(strstr(err, "TrustedAuthservIDs"));
	assert_int_equal(conf_set(&c, "TrustedAuthservIDs", "mx.example.com", err, sizeof err), 0);
	assert_int_equal(conf_check(&c, err, sizeof err), 0);
	/* an empty list empties it again */
	assert_int_equal(conf_set(&c, "TrustedAuthservIDs", "", err, sizeof err), 0);
	assert_int_equal(c.n_trusted, 0);
	conf_clear(&c);
}

static void dkim_keys_are_checked(void **state)
{
	struct conf c;
	char err[CONF_ERR_MAX] = "";

	(void)state;
	conf_init(&c);
	assert_int_equal(c.dkim_verify, 1);
	assert_int_equal(c.dkim_timeout, 5);
	assert_int_equal(conf_set(&c, "DKIMTimeout", "0", err, sizeof err), -1);
	assert_non_null(strstr(err, "1 to 60"));
	assert_int_equal(conf_set(&c, "DKIMTimeout", "61", err, sizeof err), -1);
	assert_int_equal(conf_set(&c, "DKIMTimeout", "5K", err, sizeof err), -1);
	assert_int_equal(conf_set(&c, "DKIMTimeout", "10", err, sizeof err), 0);
	assert_int_equal(c.dkim_timeout, 10);
	assert_int_equal(conf_set(&c, "DKIMKeyFile", "/nonexistent/keys", err, sizeof err), 0);
	assert_int_equal(conf_check(&c, err, sizeof err), -1);
	assert_non_null(strstr(err, "DKIMKeyFile /nonexistent/keys"));
	assert_int_equal(conf_set(&c, "DKIMVerify", "maybe", err, sizeof err), -1);
	conf_clear(&c);
}

static void shared_config_lives_while_referenced(void **state)
{
	struct conf *a = malloc(sizeof *a), *b = malloc(sizeof *b), *held;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	conf_init(a);
	conf_init(b);
	conf_install(a);
	held = conf_acquire();
	assert_ptr_equal(held, a);
	conf_install(b); /* a stays alive: held still uses it */
	assert_string_equal(held->socket, a->socket);
	assert_ptr_equal(conf_acquire(), b);
	conf_release(b);
	conf_release(held); /* frees a */
	conf_install(NULL); /* frees b */
	assert_null(conf_acquire());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_safe),
		cmocka_unit_test(full_file_is_read),
		cmocka_unit_test(bad_values_name_file_and_line),
		cmocka_unit_test(missing_file_matters_only_when_named),
		cmocka_unit_test(overlong_line_is_an_error),
		cmocka_unit_test(database_takes_a_uri),
		cmocka_unit_test(sizes_table),
		cmocka_unit_test(require_auth_needs_trusted_ids),
		cmocka_unit_test(dkim_keys_are_checked),
		cmocka_unit_test(shared_config_lives_while_referenced),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
