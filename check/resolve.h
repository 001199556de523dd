/*
 * resolve: DNS lookups for the check, through libunbound, validating
 * DNSSEC, each with a deadline.
 *
 * By default the system's resolvers (/etc/resolv.conf) are asked and the
 * root trust anchor is read from /usr/share/dns/root.key when it exists
 * (Debian's dns-root-data); without an anchor nothing validates and every
 * answer is insecure.  An answer is copied out of libunbound, so callers
 * never see its types.
 */
#ifndef TLSRPT_CHECK_RESOLVE_H
#define TLSRPT_CHECK_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define RESOLVE_ROOT_ANCHOR "/usr/share/dns/root.key"

/* Record types asked for. */
enum {
	RESOLVE_A = 1,
	RESOLVE_MX = 15,
	RESOLVE_TXT = 16,
	RESOLVE_AAAA = 28,
	RESOLVE_TLSA = 52
};

/* DNS response codes the caller tells apart. */
enum {
	RESOLVE_NOERROR = 0,
	RESOLVE_SERVFAIL = 2,
	RESOLVE_NXDOMAIN = 3
};

enum resolve_security {
	RESOLVE_INSECURE,   /* not signed, or no trust anchor */
	RESOLVE_SECURE,     /* validated from the trust anchor */
	RESOLVE_BOGUS       /* signed but failed validation: no data */
};

struct resolve_rr {
	unsigned char *data;  /* rdata, wire format */
	size_t len;
};

struct resolve_answer {
	int rcode;
	enum resolve_security security;
	char why_bogus[256];
	size_t n;                 /* records of the type asked for */
	struct resolve_rr *rr;
};

struct resolve;

/*
 * A resolver: forward to server ("ADDR" or "ADDR@PORT") when not NULL,
 * else the system's; trust_anchor a file of DS or DNSKEY records in zone
 * format (NULL: the root anchor when installed).  Every query gives up
 * after timeout_ms.  TR_OK with *out (resolve_free()), else TR_ERR_IO or
 * TR_ERR_USAGE with the reason (unreadable anchor file, bad address).
 */
enum tr_err resolve_new(const char *server, const char *trust_anchor, int timeout_ms,
                        struct resolve **out, struct tr_error *err);

/* NULL-safe. */
void resolve_free(struct resolve *r);

/* 1 when a trust anchor is configured (answers can be secure). */
int resolve_validates(const struct resolve *r);

/*
 * Look up name/type (class IN).  TR_OK when the resolver answered (any
 * rcode; a bogus answer is RESOLVE_BOGUS with the reason), *out owned by
 * the caller (resolve_answer_free()).  TR_ERR_IO when no answer came
 * within the deadline ("no answer from the resolver within 2000 ms"; the
 * name is the caller's to add) or libunbound failed;
 * after a timeout the resolver gives up on all later queries at once.
 */
enum tr_err resolve_query(struct resolve *r, const char *name, int type,
                          struct resolve_answer *out, struct tr_error *err);

/* NULL-safe; a can be filled again. */
void resolve_answer_free(struct resolve_answer *a);

/*
 * The text of a TXT record: its character-strings joined, into out
 * (NUL-terminated).  Returns the length, or -1 when the rdata is
 * malformed or the text does not fit in outlen - 1 bytes.
 */
long resolve_txt_text(const struct resolve_rr *rr, char *out, size_t outlen);

/* An MX record: preference and exchange as text without the trailing dot
 * (lower-cased; "." for a null MX).  0, or -1 when malformed. */
int resolve_mx_parse(const struct resolve_rr *rr, unsigned *pref, char *name, size_t namelen);

/* A TLSA record's fields; *data points into rr.  0, or -1 when shorter
 * than the three fixed bytes. */
int resolve_tlsa_parse(const struct resolve_rr *rr, uint8_t *usage, uint8_t *selector,
                       uint8_t *mtype, const unsigned char **data, size_t *len);

/* An A or AAAA record as text into out (INET6_ADDRSTRLEN bytes). */
int resolve_addr_text(const struct resolve_rr *rr, int type, char *out, size_t outlen);

#endif
