/*
 * mtasts: an MTA-STS policy file (RFC 8461 §3.2), validated, normalised,
 * and given the id its DNS record publishes.
 *
 * tlsrpt-httpd serves policies parsed here at
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt, and tlsrpt-report prints
 * the matching `_mta-sts` TXT record; both take the id from here, so the
 * two always agree.
 *
 * Accepted: "key: value" lines ending in LF or CRLF; keys version (must be
 * STSv1), mode (enforce, testing or none), max_age (0..31557600) each
 * exactly once, and mx (a host name or "*." plus one, at least once unless
 * mode is none); blank lines are skipped; other keys are ignored, as the
 * RFC asks of clients, and left out of the served text.
 */
#ifndef TLSRPT_MTASTS_H
#define TLSRPT_MTASTS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MTASTS_MAX_BYTES 65536       /* RFC 8461 §3.3: a policy body is at most 64 KiB */
#define MTASTS_MAX_MX 100            /* mx lines in one policy */
#define MTASTS_MAX_AGE_LIMIT 31557600 /* RFC 8461 §3.2: about one year */
#define MTASTS_ID_LEN 16             /* hex digits of the id */

enum mtasts_mode { MTASTS_ENFORCE, MTASTS_TESTING, MTASTS_NONE };

struct mtasts_policy {
	enum mtasts_mode mode;
	int64_t max_age;
	char **mx;                   /* n_mx patterns, lowercased */
	size_t n_mx;
	char *text;                  /* the normalised policy, CRLF lines: what is served */
	size_t text_len;
	char id[MTASTS_ID_LEN + 1];  /* 64-bit FNV-1a of text, hex: changes exactly with text */
};

/*
 * Parse and validate data[0..len).  On success *out is a new policy owned
 * by the caller (mtasts_free()).  Errors: TR_ERR_FORMAT with "line N:
 * reason" (or a reason for the whole file, such as a missing mode),
 * TR_ERR_LIMIT (over MTASTS_MAX_BYTES or MTASTS_MAX_MX), TR_ERR_NOMEM.
 */
enum tr_err mtasts_parse(const char *data, size_t len, struct mtasts_policy **out,
                         struct tr_error *err);

/* Free p; NULL-safe; returns NULL. */
struct mtasts_policy *mtasts_free(struct mtasts_policy *p);

/* "enforce", "testing" or "none". */
const char *mtasts_mode_name(enum mtasts_mode m);

#endif
