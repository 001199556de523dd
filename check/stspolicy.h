/*
 * stspolicy: an MTA-STS policy file (RFC 8461 section 3.2), parsed and
 * validated, and the MX-pattern match of section 4.1.
 *
 *   version: STSv1
 *   mode: enforce
 *   mx: mail.example.com
 *   mx: *.example.net
 *   max_age: 604800
 *
 * Pure functions over bytes fetched by policyfetch.h; the text is hostile:
 * lengths are explicit, the count of mx lines is capped.  Self-contained
 * on purpose (tlsrpt-httpd validates policies too; the two may share it).
 */
#ifndef TLSRPT_CHECK_STSPOLICY_H
#define TLSRPT_CHECK_STSPOLICY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* RFC 8461: max_age is at most 31557600 seconds (about a year). */
#define STSPOLICY_MAX_AGE_MAX 31557600u
/* At most this many mx lines are kept; more make the policy invalid here
 * (no real policy comes near it). */
#define STSPOLICY_MX_MAX 64
#define STSPOLICY_NAME_MAX 255

enum stspolicy_mode {
	STSPOLICY_ENFORCE,
	STSPOLICY_TESTING,
	STSPOLICY_NONE
};

struct stspolicy {
	enum stspolicy_mode mode;
	uint32_t max_age;
	size_t n_mx;
	char mx[STSPOLICY_MX_MAX][STSPOLICY_NAME_MAX + 1];  /* lower-cased */
};

/*
 * Parse text[0..len): lines end in LF or CRLF, each "key: value" (white
 * space after the colon and at the end allowed).  version (STSv1), mode
 * (enforce, testing, none) and max_age (0 to 31557600, at most 10 digits)
 * must each appear exactly once; mx lines are required unless mode is
 * none, each a host name or "*." and a host name.  Unknown keys are
 * ignored, as the RFC says.  TR_OK with *out filled, else TR_ERR_FORMAT
 * with the first fault and its line ("line 3: max_age: 31557601 is more
 * than 31557600").
 */
enum tr_err stspolicy_parse(const char *text, size_t len, struct stspolicy *out,
                            struct tr_error *err);

/*
 * 1 when host matches pattern by RFC 8461 section 4.1: equal ignoring
 * case and one trailing dot, or pattern "*.rest" and host one label
 * followed by ".rest" ("*.example.com" matches "mx.example.com", not
 * "a.b.example.com" nor "example.com").
 */
int stspolicy_mx_match(const char *pattern, const char *host);

/* The pattern of p that host matches, or NULL. */
const char *stspolicy_covers(const struct stspolicy *p, const char *host);

/* "enforce", "testing", "none". */
const char *stspolicy_mode_name(enum stspolicy_mode m);

#endif
