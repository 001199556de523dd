/*
 * metrics_http: serves metrics_render() at GET /metrics (MetricsListen)
 * through net/httpserv, which bounds connections, request size and time
 * and refuses a non-loopback address unless MetricsAllowRemote yes.
 * Anything else is 404 (another path) or 405 (another method).  The
 * rendering copies the counters and holds no lock the milter's writes wait
 * for, and never touches the database.
 */
#ifndef TLSRPT_MILTER_METRICS_HTTP_H
#define TLSRPT_MILTER_METRICS_HTTP_H

#include "conf.h"
#include "err.h"
#include "metrics.h"

struct httpserv;

/* Limits of the metrics listener: a scrape is one small GET. */
#define METRICS_HTTP_MAX_CONNECTIONS 16u
#define METRICS_HTTP_MAX_PER_IP 4u
#define METRICS_HTTP_TIMEOUT_S 10u
#define METRICS_HTTP_MAX_BODY 1024u
#define METRICS_HTTP_THREADS 1u

/*
 * Listen on c->metrics_listen and serve m; the spool depth is read from
 * the configuration current at each scrape.  *out is the running server
 * (metrics_http_stop()).  Errors as httpserv_start(), the reason naming
 * MetricsListen.
 */
enum tr_err metrics_http_start(const struct conf *c, struct metrics *m, struct httpserv **out,
                               struct tr_error *err);

/* Stop serving; NULL-safe; returns NULL. */
struct httpserv *metrics_http_stop(struct httpserv *s);

#endif
