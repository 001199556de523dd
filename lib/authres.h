/*
 * authres: Authentication-Results header fields (RFC 8601), read for the
 * one thing RFC 8460 §3 needs: was the report DKIM-signed by its submitter?
 *
 * The parser keeps the authserv-id and every dkim result with the signing
 * domain (header.d, else the domain of header.i).  It is tolerant: comments
 * (nested, with escapes), quoted strings, any case, versions and unknown
 * methods are accepted, and a malformed resinfo is skipped up to the next
 * ';' without losing the rest.  Everything is held in fixed-size fields, so
 * there is nothing to free; a value too long for its field is dropped
 * (kept empty), never cut, so that a prefix can never match.  No allocation, no globals.
 */
#ifndef TLSRPT_AUTHRES_H
#define TLSRPT_AUTHRES_H

#include <stddef.h>

#define AUTHRES_MAX_DKIM  16   /* dkim results kept from one header */
#define AUTHRES_NAME_MAX  256  /* bytes of an authserv-id or domain, NUL included */

struct authres_dkim {
	char result[16];               /* "pass", "fail", "none", ... lowercased */
	char domain[AUTHRES_NAME_MAX]; /* signing domain, lowercased, no trailing dot; may be "" */
};

struct authres {
	char authserv_id[AUTHRES_NAME_MAX]; /* lowercased */
	struct authres_dkim dkim[AUTHRES_MAX_DKIM];
	size_t n_dkim;
};

/*
 * Parse one header field value (what follows "Authentication-Results:").
 * Returns 0 when an authserv-id was found (out filled, possibly with no
 * dkim result), -1 when the value is empty or unreadable.
 */
int authres_parse(const char *value, struct authres *out);

/*
 * 1 when signing domain d may vouch for submitter s: equal, or one is a
 * subdomain of the other (relaxed alignment, as DMARC does), ignoring
 * case.  A bare top-level name never aligns ("com" does not vouch for
 * "google.com").  Public suffixes are not known: "co.uk" would align with
 * "example.co.uk" (a signer would need a key under co.uk for that).
 */
int authres_aligned(const char *d, const char *s);

enum authres_verdict {
	AUTHRES_UNKNOWN, /* no trusted authserv-id configured: cannot tell */
	AUTHRES_NONE,    /* no dkim result from a trusted authserv-id */
	AUTHRES_FAIL,    /* trusted dkim results, none a pass aligned with the submitter */
	AUTHRES_PASS     /* a trusted dkim=pass aligned with the submitter */
};

/*
 * The verdict for a report from submitter (NULL or "" never passes) given
 * the n parsed headers hdrs and the trusted authserv-ids (ntrusted of them,
 * compared without case).  Headers from other authserv-ids are ignored:
 * anyone can write an Authentication-Results field.
 */
enum authres_verdict authres_verdict(const struct authres *hdrs, size_t n,
                                     const char *const *trusted, size_t ntrusted,
                                     const char *submitter);

/* "unknown", "none", "fail", "pass": the words stored in the database. */
const char *authres_verdict_name(enum authres_verdict v);

#endif
