/*
 * handler: routing, media types, encodings and status codes (see handler.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "buf.h"
#include "extract.h"
#include "handler.h"
#include "inflate.h"
#include "log.h"

enum route { ROUTE_NONE, ROUTE_REPORT, ROUTE_MTA_STS };

#define TEXT(r, code, s) answer((r), (code), (s), sizeof(s) - 1)

static void answer(struct httpserv_response *r, unsigned code, const char *text, size_t len)
{
	r->status = code;
	r->content_type = "text/plain; charset=utf-8";
	r->body = (char *)text;
	r->body_len = len;
	r->body_free = NULL;
}

/* A malloc'd answer "prefix: detail\n"; falls back to prefix alone. */
static void answer_detail(struct httpserv_response *r, unsigned code, const char *prefix,
                          const char *detail)
{
	size_t n = strlen(prefix) + strlen(detail) + 4;
	char *p = malloc(n);

	if (p == NULL) {
		answer(r, code, prefix, strlen(prefix));
		return;
	}
	snprintf(p, n, "%s: %s\n", prefix, detail);
	answer(r, code, p, strlen(p));
	r->body_free = free;
}

static void add_header(struct httpserv_response *r, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < HTTPSERV_MAX_EXTRA_HEADERS; i++)
		if (r->extra_headers[i][0] == NULL) {
			r->extra_headers[i][0] = name;
			r->extra_headers[i][1] = value;
			return;
		}
}

/* path is ReportPath, or ReportPath/TOKEN with a configured token, whose
 * entry *token gets (NULL for the bare path). */
static enum route route_of(const struct hconf *c, const char *path, const struct hconf_token **token)
{
	size_t rl = strlen(c->report_path);

	*token = NULL;
	if (strcmp(path, HANDLER_MTA_STS_PATH) == 0)
		return ROUTE_MTA_STS;
	if (strncmp(path, c->report_path, rl) != 0)
		return ROUTE_NONE;
	if (path[rl] == '\0' || (path[rl] == '/' && path[rl + 1] == '\0'))
		return c->require_token ? ROUTE_NONE : ROUTE_REPORT;
	if (path[rl] != '/' || c->n_tokens == 0)
		return ROUTE_NONE;
	*token = hconf_token_find(c, path + rl + 1, strlen(path + rl + 1));
	return *token != NULL ? ROUTE_REPORT : ROUTE_NONE;
}

/* The media type without parameters, compared case-insensitively. */
static int type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* -1: unsupported, 0: none or identity, 1: gzip. */
static int content_encoding(const struct handler_env *env, const struct httpserv_request *req)
{
	const char *ce = env->header(req, "Content-Encoding");

	if (ce == NULL || type_is(ce, "identity") || *ce == '\0')
		return 0;
	if (type_is(ce, "gzip") || type_is(ce, "x-gzip"))
		return 1;
	return -1;
}

void handler_client(const struct handler_env *env, const struct httpserv_request *req, char *out)
{
	const char *xff, *last;
	unsigned char bin[sizeof(struct in6_addr)];
	char addr[HTTPSERV_ADDR_MAX];
	size_t len;

	snprintf(out, HTTPSERV_ADDR_MAX, "%s", req->client_addr);
	if (env->conf->n_proxies == 0 || !hconf_is_proxy(env->conf, req->client_addr))
		return;
	xff = env->header(req, "X-Forwarded-For");
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	len = strcspn(last, " \t");
	if (len == 0 || len >= sizeof addr)
		return;
	memcpy(addr, last, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, bin) == 1 || inet_pton(AF_INET6, addr, bin) == 1)
		snprintf(out, HTTPSERV_ADDR_MAX, "%s", addr);
}

static int precheck_report(const struct handler_env *env, const struct httpserv_request *req,
                           const char *client, struct httpserv_response *resp)
{
	const char *ct;

	if (strcmp(req->method, "POST") != 0) {
		TEXT(resp, 405, "method not allowed: POST a report here\n");
		add_header(resp, "Allow", "POST");
		return 1;
	}
	if (!rate_allow(env->rate, client)) {
		log_msg(LOG_NOTICE, "%s: over RateLimit: answered 429", client);
		TEXT(resp, 429, "too many requests: retry later\n");
		add_header(resp, "Retry-After", "60");
		return 1;
	}
	ct = env->header(req, "Content-Type");
	if (ct == NULL || !(type_is(ct, "application/tlsrpt+gzip") ||
	                    type_is(ct, "application/tlsrpt+json"))) {
		TEXT(resp, 415, "unsupported media type: send application/tlsrpt+gzip or "
		                "application/tlsrpt+json\n");
		return 1;
	}
	if (content_encoding(env, req) < 0) {
		TEXT(resp, 415, "unsupported Content-Encoding: send gzip or none\n");
		return 1;
	}
	return 0;
}

int handler_precheck(const struct handler_env *env, const struct httpserv_request *req,
                     struct httpserv_response *resp)
{
	char client[HTTPSERV_ADDR_MAX];
	const struct hconf_token *token;

	switch (route_of(env->conf, req->path, &token)) {
	case ROUTE_MTA_STS:
		if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
			return 0;
		TEXT(resp, 405, "method not allowed\n");
		add_header(resp, "Allow", "GET, HEAD");
		return 1;
	case ROUTE_REPORT:
		handler_client(env, req, client);
		return precheck_report(env, req, client, resp);
	case ROUTE_NONE:
		break;
	}
	TEXT(resp, 404, "not found\n");
	return 1;
}

static void serve_policy(const struct handler_env *env, const struct httpserv_request *req,
                         struct httpserv_response *resp)
{
	const struct hconf_policy *p = hconf_policy_for_host(env->conf, req->host);
	char *copy;

	if (p == NULL) {
		TEXT(resp, 404, "no MTA-STS policy for this host\n");
		return;
	}
	/* a copy: a reload may free the configuration before the answer is sent */
	copy = malloc(p->policy->text_len + 1);
	if (copy == NULL) {
		TEXT(resp, 503, "out of memory\n");
		return;
	}
	memcpy(copy, p->policy->text, p->policy->text_len + 1);
	resp->status = 200;
	resp->content_type = "text/plain";
	resp->body = copy;
	resp->body_len = p->policy->text_len;
	resp->body_free = free;
	add_header(resp, "Cache-Control", "max-age=300");
}

/* Without a sink (fuzzing): parse only, and answer as if stored. */
static enum sink_result parse_only(const struct handler_env *env, const unsigned char *p, size_t n,
                                   char *detail, size_t detaillen)
{
	struct extract_result res;
	struct tr_limits lim;
	struct tr_error err;
	enum sink_result out = SINK_STORED;

	limits_default(&lim);
	lim.max_inflated = env->conf->max_report;
	memset(&res, 0, sizeof res);
	tr_error_clear(&err);
	if (extract_file(p, n, NULL, &lim, &res, &err) != TR_OK || res.n == 0 ||
	    res.items[0].report == NULL) {
		snprintf(detail, detaillen, "invalid");
		out = SINK_INVALID;
	}
	extract_result_free(&res);
	return out;
}

static void answer_result(enum sink_result r, const char *detail, struct httpserv_response *resp)
{
	switch (r) {
	case SINK_STORED: TEXT(resp, 201, "stored\n"); return;
	case SINK_DUPLICATE: TEXT(resp, 201, "already stored\n"); return;
	case SINK_SPOOLED: TEXT(resp, 201, "accepted, to be stored shortly\n"); return;
	case SINK_INVALID: answer_detail(resp, 400, "invalid report", detail); return;
	case SINK_TOO_LARGE: answer_detail(resp, 413, "report too large", detail); return;
	case SINK_REFUSED: answer_detail(resp, 403, "report refused", detail); return;
	case SINK_FAILED:
		TEXT(resp, 503, "cannot take the report now: retry later\n");
		add_header(resp, "Retry-After", "300");
		return;
	}
}

/* domain: the token's, whose reports alone the path takes; NULL: any */
static void receive(const struct handler_env *env, const struct httpserv_request *req,
                    const char *client, const char *domain, struct httpserv_response *resp)
{
	const unsigned char *body = req->body;
	size_t len = req->body_len;
	struct tr_error err;
	enum sink_result r;
	char detail[TR_ERROR_MSG_MAX];
	struct buf plain;

	buf_init(&plain, env->conf->max_report);
	if (content_encoding(env, req) == 1) {
		enum tr_err rc = inflate_bytes(INFLATE_GZIP, body, len, &plain, &err);

		if (rc != TR_OK) {
			log_msg(LOG_NOTICE, "%s: Content-Encoding gzip: %s", client, err.msg);
			if (rc == TR_ERR_LIMIT)
				TEXT(resp, 413, "report too large after Content-Encoding gzip\n");
			else if (rc == TR_ERR_NOMEM)
				TEXT(resp, 503, "out of memory: retry later\n");
			else
				TEXT(resp, 400, "invalid report: Content-Encoding gzip does not decode\n");
			buf_free(&plain);
			return;
		}
		body = plain.data != NULL ? plain.data : (const unsigned char *)"";
		len = plain.len;
	}
	if (env->sink != NULL)
		r = sink_put(env->sink, body, len, client, domain, detail, sizeof detail);
	else
		r = parse_only(env, body, len, detail, sizeof detail);
	log_msg(r == SINK_STORED || r == SINK_DUPLICATE ? LOG_INFO : LOG_NOTICE, "%s: %s: %s", client,
	        sink_result_name(r), detail);
	answer_result(r, detail, resp);
	buf_free(&plain);
}

void handler_respond(const struct handler_env *env, const struct httpserv_request *req,
                     struct httpserv_response *resp)
{
	char client[HTTPSERV_ADDR_MAX];
	const struct hconf_token *token;

	switch (route_of(env->conf, req->path, &token)) {
	case ROUTE_MTA_STS:
		serve_policy(env, req, resp);
		return;
	case ROUTE_REPORT:
		handler_client(env, req, client);
		receive(env, req, client, token != NULL ? token->domain : NULL, resp);
		return;
	case ROUTE_NONE:
		break;
	}
	TEXT(resp, 404, "not found\n");
}
