/*
 * policyfetch: the MTA-STS policy file fetched the way RFC 8461 section 3.3
 * says senders fetch it: https://mta-sts.DOMAIN/.well-known/mta-sts.txt,
 * HTTPS only, a certificate valid for mta-sts.DOMAIN, no redirects, status
 * 200 only, media type text/plain, at most 64 KB, one deadline for the
 * whole exchange.  libcurl does the HTTP; the host's address comes from
 * the caller (resolve.h), so that every DNS answer of the check comes
 * from one validating resolver.
 */
#ifndef TLSRPT_CHECK_POLICYFETCH_H
#define TLSRPT_CHECK_POLICYFETCH_H

#include <stddef.h>

#include "err.h"

/* RFC 8461 section 3.3: senders may refuse a larger policy. */
#define POLICYFETCH_MAX_BYTES 65536

struct policyfetch_opts {
	const char *cacert;     /* CA bundle file; NULL: the system's */
	int timeout_ms;         /* the whole fetch, connection included */
	unsigned port;          /* 443; other ports only for tests */
};

enum policyfetch_status {
	POLICYFETCH_OK,
	POLICYFETCH_CONNECT,      /* no TCP connection */
	POLICYFETCH_TIMEOUT,
	POLICYFETCH_WEBPKI,       /* TLS certificate not valid for the host */
	POLICYFETCH_TLS,          /* other TLS failure */
	POLICYFETCH_REDIRECT,     /* a 3xx answer */
	POLICYFETCH_STATUS,       /* not 200 */
	POLICYFETCH_CONTENT_TYPE, /* not text/plain */
	POLICYFETCH_TOO_LARGE,    /* more than POLICYFETCH_MAX_BYTES */
	POLICYFETCH_HTTP          /* anything else curl reports */
};

struct policyfetch_result {
	enum policyfetch_status status;
	long http_status;       /* 0 when none came */
	char detail[256];       /* why, for the finding's message */
	char *body;             /* POLICYFETCH_OK: the policy, NUL-terminated */
	size_t len;
};

/* Call once per process before the first fetch (curl_global_init). */
enum tr_err policyfetch_global_init(struct tr_error *err);

/*
 * Fetch the policy of domain from addr (an IPv4 or IPv6 address of
 * mta-sts.DOMAIN).  TR_OK with *out filled (out->body owned by the caller:
 * policyfetch_result_free()), whatever the status; TR_ERR_NOMEM or
 * TR_ERR_USAGE (name too long) otherwise.
 */
enum tr_err policyfetch_get(const char *domain, const char *addr,
                            const struct policyfetch_opts *o, struct policyfetch_result *out,
                            struct tr_error *err);

/* NULL-safe. */
void policyfetch_result_free(struct policyfetch_result *r);

#endif
