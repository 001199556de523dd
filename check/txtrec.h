/*
 * txtrec: the two TXT records a domain publishes for senders, parsed from
 * the text of one record (its character-strings joined, as RFC 8461
 * section 3.1 and RFC 8460 section 3 say):
 *   _mta-sts.DOMAIN    "v=STSv1; id=20261202"
 *   _smtp._tls.DOMAIN  "v=TLSRPTv1; rua=mailto:tlsrpt@example.com"
 * Pure functions: no DNS here (resolve.h fetches the records).  The text
 * is hostile: lengths are explicit, nothing is assumed NUL-terminated.
 */
#ifndef TLSRPT_CHECK_TXTREC_H
#define TLSRPT_CHECK_TXTREC_H

#include <stddef.h>

#include "err.h"

/* 1 when the record claims to be of the kind: starts with "v=STSv1" or
 * "v=TLSRPTv1" followed by end, ';' or white space.  Other records at the
 * same name are ignored (both RFCs say so); these are counted. */
int txtrec_is_sts(const char *txt, size_t len);
int txtrec_is_tlsrpt(const char *txt, size_t len);

#define TXTREC_STS_ID_MAX 32

/*
 * Parse an STS record: TR_OK with the id in id_out (1 to 32 letters and
 * digits, NUL-terminated), else TR_ERR_FORMAT with the reason in err
 * ("id: 33 characters, at most 32").  Extensions are checked for syntax
 * and ignored.
 */
enum tr_err txtrec_parse_sts(const char *txt, size_t len, char id_out[TXTREC_STS_ID_MAX + 1],
                             struct tr_error *err);

/* At most this many rua URIs are looked at; more are an error. */
#define TXTREC_RUA_MAX 16
#define TXTREC_URI_MAX 512

struct txtrec_tlsrpt {
	size_t n_rua;
	char rua[TXTREC_RUA_MAX][TXTREC_URI_MAX];
};

/*
 * Parse a TLSRPT record: TR_OK with the rua URIs, else TR_ERR_FORMAT
 * naming the first fault ("rua: 'ftp://x' is neither mailto: nor
 * https:").  Every URI must be a well-formed mailto: (an address with a
 * local part and a domain) or https: (a host) URI.
 */
enum tr_err txtrec_parse_tlsrpt(const char *txt, size_t len, struct txtrec_tlsrpt *out,
                                struct tr_error *err);

/* 1 when s[0..len) is a host name: dot-separated labels of letters,
 * digits and hyphens, 1 to 63 bytes each, none starting or ending with a
 * hyphen, at most 253 bytes in all; one trailing dot allowed. */
int txtrec_is_hostname(const char *s, size_t len);

#endif
