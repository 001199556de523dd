/*
 * handler: what tlsrpt-httpd answers to one request.
 *
 *   POST ReportPath[/TOKEN]           a TLS report (RFC 8460 §5.4):
 *        201 stored, already stored, or spooled for later; 400 never valid
 *        (with a one-line reason); 403 on a token path, for a report with
 *        a policy-domain outside the token's domain; 413 over a size limit; 415 another media
 *        type or Content-Encoding; 429 over RateLimit; 503 only when the
 *        report could neither be stored nor spooled.
 *   GET  /.well-known/mta-sts.txt     the MTA-STS policy of the domain the
 *        Host header names (mta-sts.DOMAIN), text/plain; 404 for others.
 *   405 another method on these paths (with Allow), 404 anything else.
 *
 * The precheck decides everything that does not need the body, so that a
 * refused request costs no body.  No libmicrohttpd here: headers come
 * through env->header, so that the fuzz target can drive it alone.
 */
#ifndef TLSRPT_HTTPD_HANDLER_H
#define TLSRPT_HTTPD_HANDLER_H

#include "conf.h"
#include "httpserv.h"
#include "rate.h"
#include "sink.h"

#define HANDLER_MTA_STS_PATH "/.well-known/mta-sts.txt"

struct handler_env {
	const struct hconf *conf;
	struct sink *sink;  /* NULL: parse only, never store (the fuzz target) */
	struct rate *rate;  /* NULL: no rate limit */
	const char *(*header)(const struct httpserv_request *req, const char *name);
};

/* httpserv_precheck_fn's job: 1 with resp filled to answer now, else 0. */
int handler_precheck(const struct handler_env *env, const struct httpserv_request *req,
                     struct httpserv_response *resp);

/* httpserv_handler_fn's job, for a request the precheck let through. */
void handler_respond(const struct handler_env *env, const struct httpserv_request *req,
                     struct httpserv_response *resp);

/*
 * The address to account a request to: the peer, or, when the peer is a
 * TrustedProxy, the last address of X-Forwarded-For (the one the proxy
 * added).  out has HTTPSERV_ADDR_MAX bytes.
 */
void handler_client(const struct handler_env *env, const struct httpserv_request *req, char *out);

#endif
