/*
 * rate: a per-client request budget (RateLimit requests a minute), so that
 * one client cannot keep the database busy for the others.
 *
 * A fixed table of HTTPD_RATE_SLOTS token buckets indexed by a hash of the
 * address: memory is bounded whatever the number of clients; two clients
 * that share a slot share a budget (they can only be limited early, never
 * late).  Thread-safe.
 */
#ifndef TLSRPT_HTTPD_RATE_H
#define TLSRPT_HTTPD_RATE_H

#define HTTPD_RATE_SLOTS 4096

struct rate;

/* per_minute 0: every request allowed.  NULL when memory ran out. */
struct rate *rate_new(unsigned per_minute);

/* 1 when the client at addr may make one more request now (and counts it). */
int rate_allow(struct rate *r, const char *addr);

/* Free; NULL-safe; returns NULL. */
struct rate *rate_free(struct rate *r);

#endif
