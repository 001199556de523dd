/*
 * httpserv: a small HTTP(S) server for the daemons, over libmicrohttpd.
 *
 * tlsrpt-httpd receives reports and serves MTA-STS policies with it; the
 * milter serves GET /metrics with it.  It owns everything that faces the
 * network below the request: the listening socket, connection and per-IP
 * limits, the per-connection deadline, the request-body cap, TLS.  The
 * caller sees one complete request at a time (method, path, headers,
 * client address, the whole body) and returns one complete response.
 *
 * Threads: libmicrohttpd runs its own threads (a pool of conf.threads);
 * both callbacks run on them, concurrently, and must be thread-safe.
 * Slow clients never hold a thread: I/O is non-blocking, and a connection
 * idle for conf.timeout_s seconds is closed.
 *
 * Bounds, all enforced here before a callback sees anything:
 *   - request line plus header fields: HTTPSERV_HEADER_MEMORY bytes
 *     (libmicrohttpd answers 431 or 414 past it);
 *   - body: conf.max_body bytes.  A Content-Length above it is answered
 *     413 at once, without reading the body; a chunked body that grows
 *     past it closes the connection (the client is told nothing more);
 *   - connections: conf.max_connections in all, conf.max_per_ip from one
 *     address (further connections are closed as they are accepted);
 *   - time: conf.timeout_s seconds of inactivity on a connection.
 *
 * This header is a contract shared by two daemons: extend it, never change
 * what is here.
 */
#ifndef TLSRPT_NET_HTTPSERV_H
#define TLSRPT_NET_HTTPSERV_H

#include <stddef.h>

#include "err.h"

#define HTTPSERV_HEADER_MEMORY (32u * 1024)  /* request line + headers */
#define HTTPSERV_ADDR_MAX 64                 /* a printed IPv4/IPv6 address, NUL included */
#define HTTPSERV_MAX_EXTRA_HEADERS 4

struct httpserv;

/* What a request looks like to the callbacks; valid only during the call. */
struct httpserv_request {
	const char *method;            /* "GET", "POST", ... as sent */
	const char *path;              /* URL path, percent-decoded by libmicrohttpd, no query */
	const char *host;              /* Host header, or "" when absent */
	const char *client_addr;       /* peer address, printed ("127.0.0.1", "::1") */
	const unsigned char *body;     /* the whole body (NULL in the precheck) */
	size_t body_len;
	void *conn;                    /* for httpserv_header(); opaque */
};

/*
 * What the callback answers.  The server fills defaults before the call:
 * status 500, content_type "text/plain", empty body.  body points to
 * body_len bytes; when body_free is non-NULL the server calls it on body
 * once sent (malloc'd bodies: body_free = free), otherwise body must stay
 * valid for the server's lifetime (a string literal).  extra_headers are
 * name/value pairs of static strings (unused slots NULL), e.g. "Allow",
 * "POST" for a 405.
 */
struct httpserv_response {
	unsigned status;
	const char *content_type;
	char *body;
	size_t body_len;
	void (*body_free)(void *);
	const char *extra_headers[HTTPSERV_MAX_EXTRA_HEADERS][2];
};

/*
 * The request handler: called once per request with the whole body.  It
 * fills resp (status must be 100..599).  ctx is conf.ctx.
 */
typedef void (*httpserv_handler_fn)(void *ctx, const struct httpserv_request *req,
                                    struct httpserv_response *resp);

/*
 * Optional: called once the request line and headers are in, before any
 * body byte is read (req->body is NULL), so that a request that will be
 * refused anyway (wrong method, path or media type, rate limit) costs no
 * body.  Return 0 to go on reading the body, or fill resp and return 1 to
 * answer at once (the connection is then closed).
 */
typedef int (*httpserv_precheck_fn)(void *ctx, const struct httpserv_request *req,
                                    struct httpserv_response *resp);

/* Log sink: priority as in syslog(3) (LOG_ERR, LOG_WARNING, LOG_INFO...). */
typedef void (*httpserv_log_fn)(void *ctx, int priority, const char *msg);

struct httpserv_conf {
	const char *listen;          /* "127.0.0.1:8080", "[::1]:8443", "0.0.0.0:443", "[::]:443" */
	int allow_public;            /* 0: refuse an address that is not loopback */
	unsigned max_connections;    /* 0: HTTPSERV_DEFAULT_MAX_CONNECTIONS */
	unsigned max_per_ip;         /* 0: HTTPSERV_DEFAULT_MAX_PER_IP */
	unsigned timeout_s;          /* 0: HTTPSERV_DEFAULT_TIMEOUT_S */
	size_t max_body;             /* 0: HTTPSERV_DEFAULT_MAX_BODY */
	unsigned threads;            /* 0: HTTPSERV_DEFAULT_THREADS */
	const char *tls_cert;        /* PEM certificate chain file; NULL: plain HTTP */
	const char *tls_key;         /* PEM private key file; both or neither */
	httpserv_handler_fn handler; /* required */
	httpserv_precheck_fn precheck; /* NULL: read every body */
	httpserv_log_fn log;         /* NULL: silent */
	void *ctx;                   /* passed to the three callbacks */
};

#define HTTPSERV_DEFAULT_MAX_CONNECTIONS 256u
#define HTTPSERV_DEFAULT_MAX_PER_IP 32u
#define HTTPSERV_DEFAULT_TIMEOUT_S 30u
#define HTTPSERV_DEFAULT_MAX_BODY ((size_t)1024 * 1024)
#define HTTPSERV_DEFAULT_THREADS 4u

/*
 * Parse "ADDR:PORT" ("[IPv6]:PORT" for IPv6; a numeric address, no names)
 * into the sockaddr at ss (of size sslen, at least sizeof(struct
 * sockaddr_storage)).  With allow_public 0 only loopback addresses
 * (127.0.0.0/8, ::1) are accepted.  Errors: TR_ERR_USAGE with the reason.
 */
enum tr_err httpserv_parse_listen(const char *listen, int allow_public, void *ss, size_t sslen,
                                  struct tr_error *err);

/*
 * Start serving on conf->listen.  The strings in conf are copied; the
 * certificate and key are read now.  On success *out is the running
 * server, owned by the caller (httpserv_stop()).  Errors: TR_ERR_USAGE
 * (bad address or settings), TR_ERR_IO (cannot bind, cannot read the
 * certificate or key: reason names the file), TR_ERR_NOMEM.
 */
enum tr_err httpserv_start(const struct httpserv_conf *conf, struct httpserv **out,
                           struct tr_error *err);

/*
 * Re-read the certificate and key files named at start (for SIGHUP).
 * New handshakes use them; connections already open keep theirs.  On
 * error the previous pair stays in use.  Without TLS: TR_OK, nothing done.
 * Safe to call from any thread but not from a signal handler.
 */
enum tr_err httpserv_reload_tls(struct httpserv *s, struct tr_error *err);

/* The port actually bound (useful with port 0 in tests). */
unsigned httpserv_port(const struct httpserv *s);

/*
 * Stop accepting, close every connection, wait for the callbacks in
 * flight, free everything.  NULL-safe; returns NULL (s = httpserv_stop(s)).
 */
struct httpserv *httpserv_stop(struct httpserv *s);

/*
 * Value of request header name (case-insensitive) from inside a callback,
 * or NULL when absent.  Valid until the callback returns.
 */
const char *httpserv_header(const struct httpserv_request *req, const char *name);

#endif
