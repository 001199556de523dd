/*
 * verdict: forged Authentication-Results of every shape an upstream
 * verifier may fail to parse and so leave in place (dkim/1=pass, an
 * unknown ptype, forty results, an overlong field, a plain dkim=pass) are
 * never believed: not by DKIM verification (the default, which reads no
 * such field), and not by the fallback (DKIMVerify no), which believes
 * only the fields above the first Received: field.  Table-driven; the
 * long fields miltertest cannot send are here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "testutil.h"
#include "verdict.h"

static const char received[] = "Received: from mx.sender.example by mx.example.com\r\n";

#define PUT(s) assert_int_equal(buf_append(&b, s, strlen(s)), TR_OK)

/* The forged shapes, each a whole field. */
static char *forged_field(int k)
{
	struct buf b;
	int i;

	buf_init(&b, SIZE_MAX);
	PUT("Authentication-Results: mx.example.com; ");
	switch (k) {
	case 0:
		PUT("dkim/1=pass header.d=example.net");
		break;
	case 1:
		PUT("dkim=pass x-unknown.d=example.net header.d=example.net");
		break;
	case 2:
		for (i = 0; i < 40; i++)
			PUT("dkim=pass header.d=example.net; ");
		break;
	case 3:
		PUT("dkim=pass header.d=example.net (");
		for (i = 0; i < 3000; i++)
			PUT("x");
		PUT(")");
		break;
	default:
		PUT("dkim=pass header.d=example.net");
		break;
	}
	PUT("\r\n");
	assert_int_equal(buf_append(&b, "", 1), TR_OK); /* its NUL */
	return (char *)b.data;
}

#define N_SHAPES 5

/* fixture none-unsigned.eml with top (above everything) and below (after
 * the local Received:) added to its header. */
static char *message_with(const char *top, const char *below, size_t *len)
{
	char path[4096];
	size_t n;
	char *orig, *out;

	testutil_srcpath(path, sizeof path, "tests/fixtures/dkim/none-unsigned.eml");
	orig = testutil_read_file(path, &n);
	assert_non_null(orig);
	*len = strlen(top) + strlen(received) + strlen(below) + n;
	out = malloc(*len + 1);
	assert_non_null(out);
	snprintf(out, *len + 1, "%s%s%s", top, received, below);
	memcpy(out + strlen(top) + strlen(received) + strlen(below), orig, n + 1);
	free(orig);
	return out;
}

static const char *judge(const struct conf *c, const char *msg, size_t len)
{
	static struct verdict v[4];
	struct extract_result res;
	struct tr_limits lim;
	struct tr_error err;
	const char *auth;

	limits_default(&lim);
	tr_error_clear(&err);
	assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_OK);
	assert_int_equal(res.n, 1);
	assert_non_null(res.items[0].report);
	verdict_judge(c, msg, len, &res, "test", v);
	extract_result_free(&res);
	auth = v[0].auth;
	return auth;
}

static void fallback_conf(struct conf *c)
{
	char err[CONF_ERR_MAX];

	conf_init(c);
	assert_int_equal(conf_set(c, "DKIMVerify", "no", err, sizeof err), 0);
	assert_int_equal(conf_set(c, "TrustedAuthservIDs", "mx.example.com", err, sizeof err), 0);
}

static void forged_fields_below_received_are_never_believed(void **state)
{
	struct conf c;
	int k;

	(void)state;
	fallback_conf(&c);
	for (k = 0; k < N_SHAPES; k++) {
		char *f = forged_field(k), *msg;
		size_t len;

		msg = message_with("", f, &len);
		printf("# shape %d below Received: %s\n", k, judge(&c, msg, len));
		assert_string_equal(judge(&c, msg, len), "none");
		free(msg);
		free(f);
	}
	conf_clear(&c);
}

/* What the position rule protects: the same plain field, added above the
 * local Received: (by a verifier milter of this MTA), is believed. */
static void the_local_verifiers_field_is_believed(void **state)
{
	struct conf c;
	char *f = forged_field(4), *msg;
	size_t len;

	(void)state;
	fallback_conf(&c);
	msg = message_with(f, "", &len);
	assert_string_equal(judge(&c, msg, len), "pass");
	free(msg);
	/* another authserv-id above it is not */
	msg = message_with("Authentication-Results: evil.example; dkim=pass header.d=example.net\r\n",
	                   "", &len);
	assert_string_equal(judge(&c, msg, len), "none");
	free(msg);
	free(f);
	conf_clear(&c);
}

/* Verifying DKIM (the default) reads no Authentication-Results at all:
 * every shape, above or below, leaves an unsigned mail "none". */
static void dkim_verification_ignores_every_field(void **state)
{
	struct conf c;
	char keys[4096], err[CONF_ERR_MAX];
	int k;

	(void)state;
	conf_init(&c);
	testutil_srcpath(keys, sizeof keys, "tests/fixtures/dkim/keys.txt");
	assert_int_equal(conf_set(&c, "DKIMKeyFile", keys, err, sizeof err), 0);
	for (k = 0; k < N_SHAPES; k++) {
		char *f = forged_field(k), *msg;
		size_t len;

		msg = message_with(f, f, &len);
		assert_string_equal(judge(&c, msg, len), "none");
		free(msg);
		free(f);
	}
	conf_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(forged_fields_below_received_are_never_believed),
		cmocka_unit_test(the_local_verifiers_field_is_believed),
		cmocka_unit_test(dkim_verification_ignores_every_field),
	};

	log_open(1, LOG_MAIL, LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
