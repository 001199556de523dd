/*
 * Unit tests of net/httpserv: the listen-address parser (table-driven),
 * and a live server on 127.0.0.1 talked to over a raw socket: a request
 * reaches the handler with its method, path, Host, headers and body; the
 * precheck answers before the body; a declared body over the cap is
 * refused with 413 unread; a handler's bad status becomes a 500.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpserv.h"

static const struct {
	const char *listen;
	int allow_public;
	enum tr_err want;
	int family;
	unsigned port;
} listen_cases[] = {
	{ "127.0.0.1:8080", 0, TR_OK, AF_INET, 8080 },
	{ "127.1.2.3:0", 0, TR_OK, AF_INET, 0 },
	{ "[::1]:443", 0, TR_OK, AF_INET6, 443 },
	{ "[::ffff:127.0.0.1]:80", 0, TR_OK, AF_INET6, 80 },
	{ "0.0.0.0:443", 0, TR_ERR_USAGE, 0, 0 },
	{ "0.0.0.0:443", 1, TR_OK, AF_INET, 443 },
	{ "[::]:443", 1, TR_OK, AF_INET6, 443 },
	{ "[::]:443", 0, TR_ERR_USAGE, 0, 0 },
	{ "192.0.2.1:25", 0, TR_ERR_USAGE, 0, 0 },
	{ "::1:443", 0, TR_ERR_USAGE, 0, 0 },
	{ "localhost:80", 0, TR_ERR_USAGE, 0, 0 },
	{ "127.0.0.1", 0, TR_ERR_USAGE, 0, 0 },
	{ "127.0.0.1:", 0, TR_ERR_USAGE, 0, 0 },
	{ "127.0.0.1:65536", 0, TR_ERR_USAGE, 0, 0 },
	{ "127.0.0.1:-1", 0, TR_ERR_USAGE, 0, 0 },
	{ "127.0.0.1:80x", 0, TR_ERR_USAGE, 0, 0 },
	{ "[::1:80", 0, TR_ERR_USAGE, 0, 0 },
	{ ":80", 0, TR_ERR_USAGE, 0, 0 },
	{ "", 0, TR_ERR_USAGE, 0, 0 },
};

static void listen_addresses_parse_as_the_table_says(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof listen_cases / sizeof listen_cases[0]; i++) {
		struct sockaddr_storage ss;
		struct tr_error err;
		enum tr_err rc = httpserv_parse_listen(listen_cases[i].listen,
		                                       listen_cases[i].allow_public, &ss, sizeof ss, &err);

		if (rc != listen_cases[i].want)
			fail_msg("%s: got %d, want %d (%s)", listen_cases[i].listen, rc,
			         listen_cases[i].want, rc != TR_OK ? err.msg : "");
		if (rc != TR_OK)
			continue;
		assert_int_equal(ss.ss_family, listen_cases[i].family);
		if (ss.ss_family == AF_INET)
			assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), listen_cases[i].port);
		else
			assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), listen_cases[i].port);
	}
}

/* The handler echoes what it saw, one field a line. */
static void echo_handler(void *ctx, const struct httpserv_request *req,
                         struct httpserv_response *resp)
{
	const char *x = httpserv_header(req, "x-test");
	char *out = malloc(256 + req->body_len);
	int n;

	(void)ctx;
	if (strcmp(req->path, "/badstatus") == 0) {
		free(out);
		resp->status = 42;
		return;
	}
	n = snprintf(out, 256, "%s %s host=%s from=%s x=%s len=%zu\n", req->method, req->path,
	             req->host, req->client_addr, x != NULL ? x : "-", req->body_len);
	memcpy(out + n, req->body, req->body_len);
	resp->status = 201;
	resp->content_type = "text/x-echo";
	resp->body = out;
	resp->body_len = (size_t)n + req->body_len;
	resp->body_free = free;
	resp->extra_headers[0][0] = "X-Echo";
	resp->extra_headers[0][1] = "yes";
}

static int refuse_put(void *ctx, const struct httpserv_request *req,
                      struct httpserv_response *resp)
{
	(void)ctx;
	assert_null(req->body);
	if (strcmp(req->method, "PUT") != 0)
		return 0;
	resp->status = 405;
	resp->body = (char *)"no\n";
	resp->body_len = 3;
	resp->extra_headers[0][0] = "Allow";
	resp->extra_headers[0][1] = "POST";
	return 1;
}

/* Send req to 127.0.0.1:port, read the answer until EOF into out. */
static size_t exchange(unsigned port, const char *req, size_t reqlen, char *out, size_t outlen)
{
	struct sockaddr_in sin;
	struct timeval tv = { 10, 0 };
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(write(fd, req, reqlen), (ssize_t)reqlen);
	while (got + 1 < outlen && (n = read(fd, out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
	return got;
}

static struct httpserv *start(size_t max_body)
{
	struct httpserv_conf conf;
	struct httpserv *s = NULL;
	struct tr_error err;

	memset(&conf, 0, sizeof conf);
	conf.listen = "127.0.0.1:0";
	conf.handler = echo_handler;
	conf.precheck = refuse_put;
	conf.max_body = max_body;
	conf.threads = 2;
	if (httpserv_start(&conf, &s, &err) != TR_OK)
		fail_msg("httpserv_start: %s", err.msg);
	assert_true(httpserv_port(s) > 0);
	return s;
}

static void request_reaches_handler_whole(void **state)
{
	static const char req[] = "POST /r/x?q=1 HTTP/1.1\r\nHost: mta-sts.example.com\r\n"
	                          "X-Test: hello\r\nContent-Length: 5\r\nConnection: close\r\n\r\nab\0cd";
	struct httpserv *s = start(1024);
	char out[2048];

	(void)state;
	exchange(httpserv_port(s), req, sizeof req - 1, out, sizeof out);
	assert_non_null(strstr(out, "HTTP/1.1 201"));
	assert_non_null(strstr(out, "Content-Type: text/x-echo"));
	assert_non_null(strstr(out, "X-Echo: yes"));
	assert_non_null(strstr(out, "POST /r/x host=mta-sts.example.com from=127.0.0.1 x=hello len=5\n"));
	s = httpserv_stop(s);
	assert_null(s);
}

static void precheck_answers_before_the_body(void **state)
{
	static const char req[] = "PUT /r HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n";
	struct httpserv *s = start(1024);
	char out[2048];

	(void)state;
	exchange(httpserv_port(s), req, sizeof req - 1, out, sizeof out);
	assert_non_null(strstr(out, "HTTP/1.1 405"));
	assert_non_null(strstr(out, "Allow: POST"));
	httpserv_stop(s);
}

static void declared_body_over_cap_is_413_unread(void **state)
{
	static const char req[] = "POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 104857600\r\n\r\nxx";
	struct httpserv *s = start(1024);
	char out[2048];

	(void)state;
	exchange(httpserv_port(s), req, sizeof req - 1, out, sizeof out);
	assert_non_null(strstr(out, "HTTP/1.1 413"));
	httpserv_stop(s);
}

static void chunked_body_over_cap_closes(void **state)
{
	char req[4096];
	struct httpserv *s = start(1024);
	char out[2048];
	int n;

	(void)state;
	n = snprintf(req, sizeof req, "POST /r HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	             "800\r\n%02048d\r\n0\r\n\r\n", 0);
	exchange(httpserv_port(s), req, (size_t)n, out, sizeof out);
	assert_null(strstr(out, "HTTP/1.1 201"));
	httpserv_stop(s);
}

static void bad_status_from_handler_is_500(void **state)
{
	static const char req[] = "GET /badstatus HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
	struct httpserv *s = start(1024);
	char out[2048];

	(void)state;
	exchange(httpserv_port(s), req, sizeof req - 1, out, sizeof out);
	assert_non_null(strstr(out, "HTTP/1.1 500"));
	httpserv_stop(s);
}

static void missing_tls_files_name_the_file(void **state)
{
	struct httpserv_conf conf;
	struct httpserv *s = NULL;
	struct tr_error err;

	(void)state;
	memset(&conf, 0, sizeof conf);
	conf.listen = "127.0.0.1:0";
	conf.handler = echo_handler;
	conf.tls_cert = "/nonexistent/cert.pem";
	conf.tls_key = "/nonexistent/key.pem";
	assert_int_not_equal(httpserv_start(&conf, &s, &err), TR_OK);
	assert_null(s);
	assert_non_null(strstr(err.msg, "/nonexistent/cert.pem"));
	conf.tls_key = NULL;
	assert_int_equal(httpserv_start(&conf, &s, &err), TR_ERR_USAGE);
	assert_null(httpserv_stop(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listen_addresses_parse_as_the_table_says),
		cmocka_unit_test(request_reaches_handler_whole),
		cmocka_unit_test(precheck_answers_before_the_body),
		cmocka_unit_test(declared_body_over_cap_is_413_unread),
		cmocka_unit_test(chunked_body_over_cap_closes),
		cmocka_unit_test(bad_status_from_handler_is_500),
		cmocka_unit_test(missing_tls_files_name_the_file),
	};

	return cmocka_run_group_tests_name("httpserv", tests, NULL, NULL);
}
