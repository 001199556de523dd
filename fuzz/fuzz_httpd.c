/*
 * fuzz_httpd: tlsrpt-httpd's request handler (httpd/handler.c) as the
 * network drives it, without libmicrohttpd: routing, media types,
 * Content-Encoding, token paths, X-Forwarded-For, MTA-STS by Host, and the
 * report parser behind them (no database: a valid report is answered as
 * stored).  The input is a request written as text:
 *
 *   METHOD PATH\n
 *   Name: value\n        (any number, up to FUZZ_MAX_HEADERS)
 *   \n
 *   body...
 *
 * Every answer must have a status the handler documents, and a body that
 * is what it claims to be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <syslog.h>

#include "conf.h"
#include "fuzz.h"
#include "handler.h"
#include "log.h"

#define FUZZ_MAX_HEADERS 32

struct fake_headers {
	const char *name[FUZZ_MAX_HEADERS];
	const char *value[FUZZ_MAX_HEADERS];
	size_t n;
};

static const char *fake_header(const struct httpserv_request *req, const char *name)
{
	const struct fake_headers *h = req->conn;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

/* No database here (env.sink is NULL): the handler never stores, and
 * the target links without SQLite. */
enum sink_result sink_put(struct sink *s, const unsigned char *body, size_t len, const char *client,
                          const char *domain, char *detail, size_t detaillen)
{
	abort();
}

const char *sink_result_name(enum sink_result r)
{
	return r == SINK_STORED ? "stored" : "not stored";
}

/* One configuration for every input: a token, a proxy and two policies. */
static struct hconf *config(void)
{
	static const char *const policies[][2] = {
		{ "example.com", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n" },
		{ "example.org", "version: STSv1\nmode: none\nmax_age: 0\n" },
	};
	static struct hconf c;
	static int ready;
	char err[256];
	size_t i;

	if (ready)
		return &c;
	log_open(1, LOG_MAIL, LOG_ERR); /* the handler's notices would drown the fuzzer's output */
	hconf_init(&c);
	if (hconf_set(&c, "ReportToken", "example.com abcdefghijklmnop0123", err, sizeof err) != 0 ||
	    hconf_set(&c, "TrustedProxy", "127.0.0.1", err, sizeof err) != 0 ||
	    hconf_set(&c, "MaxReportSize", "1M", err, sizeof err) != 0)
		abort();
	c.policies = calloc(2, sizeof *c.policies);
	if (c.policies == NULL)
		abort();
	for (i = 0; i < 2; i++) {
		struct tr_error e;

		c.policies[i].domain = strdup(policies[i][0]);
		if (mtasts_parse(policies[i][1], strlen(policies[i][1]), &c.policies[i].policy, &e) != TR_OK)
			abort();
		c.n_policies++;
	}
	ready = 1;
	return &c;
}

/* Split line[0..len) into "Name: value" in place; 0 when it is not one. */
static int header_line(char *line, struct fake_headers *h)
{
	char *colon = strchr(line, ':');

	if (colon == NULL || colon == line || h->n == FUZZ_MAX_HEADERS)
		return 0;
	*colon++ = '\0';
	while (*colon == ' ')
		colon++;
	h->name[h->n] = line;
	h->value[h->n++] = colon;
	return 1;
}

static void check_response(const struct httpserv_response *r)
{
	static const unsigned allowed[] = { 200, 201, 400, 404, 405, 413, 415, 429, 503 };
	size_t i;

	for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (r->status == allowed[i])
			break;
	if (i == sizeof allowed / sizeof allowed[0]) {
		fprintf(stderr, "undocumented status %u\n", r->status);
		abort();
	}
	if (r->body == NULL || r->content_type == NULL || strlen(r->body) != r->body_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_headers h = { .n = 0 };
	struct httpserv_request req;
	struct httpserv_response resp;
	struct handler_env env = { config(), NULL, NULL, fake_header };
	char *copy = malloc(size + 1), *p, *nl, *sp;
	const char *host;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&req, 0, sizeof req);
	/* request line */
	nl = memchr(copy, '\n', size);
	if (nl == NULL) {
		free(copy);
		return 0;
	}
	*nl = '\0';
	sp = strchr(copy, ' ');
	req.method = copy;
	req.path = "/";
	if (sp != NULL) {
		*sp = '\0';
		req.path = sp + 1;
	}
	/* headers up to a blank line, then the body */
	p = nl + 1;
	while ((size_t)(p - copy) < size) {
		nl = memchr(p, '\n', size - (size_t)(p - copy));
		if (nl == NULL || nl == p) {
			p = nl != NULL ? nl + 1 : copy + size;
			break;
		}
		*nl = '\0';
		header_line(p, &h);
		p = nl + 1;
	}
	req.conn = &h;
	host = fake_header(&req, "Host");
	req.host = host != NULL ? host : "";
	req.client_addr = "127.0.0.1";
	memset(&resp, 0, sizeof resp);
	resp.status = 500;
	resp.content_type = "text/plain";
	resp.body = (char *)"";
	if (!handler_precheck(&env, &req, &resp)) {
		req.body = (const unsigned char *)p;
		req.body_len = size - (size_t)(p - copy);
		handler_respond(&env, &req, &resp);
	}
	check_response(&resp);
	if (resp.body_free != NULL)
		resp.body_free(resp.body);
	free(copy);
	return 0;
}
