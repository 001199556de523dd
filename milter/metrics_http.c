/*
 * metrics_http: GET /metrics over net/httpserv (see metrics_http.h).
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "httpserv.h"
#include "log.h"
#include "metrics_http.h"
#include "promtext.h"

/* Refuse what is not a scrape before anything is read or rendered. */
static int metrics_http_precheck(void *ctx, const struct httpserv_request *req,
                                 struct httpserv_response *resp)
{
	static char not_found[] = "not found: the metrics are at /metrics\n";
	static char not_allowed[] = "only GET and HEAD\n";

	(void)ctx;
	if (strcmp(req->path, "/metrics") != 0) {
		resp->status = 404;
		resp->body = not_found;
		resp->body_len = sizeof not_found - 1;
		return 1;
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		resp->status = 405;
		resp->body = not_allowed;
		resp->body_len = sizeof not_allowed - 1;
		resp->extra_headers[0][0] = "Allow";
		resp->extra_headers[0][1] = "GET, HEAD";
		return 1;
	}
	return 0;
}

static void metrics_http_handle(void *ctx, const struct httpserv_request *req,
                                struct httpserv_response *resp)
{
	static char too_large[] = "metrics did not fit\n";
	struct metrics *m = ctx;
	struct promtext p;
	struct conf *c;
	size_t len = 0;

	if (metrics_http_precheck(ctx, req, resp))
		return;
	promtext_init(&p, METRICS_TEXT_MAX);
	c = conf_acquire();
	metrics_render(m, c->spool_dir, &p);
	conf_release(c);
	if (p.status != TR_OK) {
		log_msg(LOG_ERR, "metrics: cannot render: %s", tr_err_name(p.status));
		promtext_free(&p);
		resp->status = 500;
		resp->body = too_large;
		resp->body_len = sizeof too_large - 1;
		return;
	}
	resp->body = buf_detach(&p.out, &len);
	if (resp->body == NULL) {
		resp->status = 500;
		resp->body = too_large;
		resp->body_len = sizeof too_large - 1;
		return;
	}
	resp->status = 200;
	resp->content_type = PROMTEXT_CONTENT_TYPE;
	resp->body_len = len;
	resp->body_free = free;
}

static void metrics_http_log(void *ctx, int priority, const char *msg)
{
	(void)ctx;
	log_msg(priority, "metrics: %s", msg);
}

enum tr_err metrics_http_start(const struct conf *c, struct metrics *m, struct httpserv **out,
                               struct tr_error *err)
{
	struct httpserv_conf hc;
	enum tr_err rc;

	memset(&hc, 0, sizeof hc);
	hc.listen = c->metrics_listen;
	hc.allow_public = c->metrics_allow_remote;
	hc.max_connections = METRICS_HTTP_MAX_CONNECTIONS;
	hc.max_per_ip = METRICS_HTTP_MAX_PER_IP;
	hc.timeout_s = METRICS_HTTP_TIMEOUT_S;
	hc.max_body = METRICS_HTTP_MAX_BODY;
	hc.threads = METRICS_HTTP_THREADS;
	hc.handler = metrics_http_handle;
	hc.precheck = metrics_http_precheck;
	hc.log = metrics_http_log;
	hc.ctx = m;
	rc = httpserv_start(&hc, out, err);
	if (rc != TR_OK) {
		tr_error_prefix(err, c->metrics_listen);
		tr_error_prefix(err, "MetricsListen");
	}
	return rc;
}

struct httpserv *metrics_http_stop(struct httpserv *s)
{
	return httpserv_stop(s);
}
