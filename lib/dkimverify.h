/*
 * dkimverify: RFC 8460 §3 says a report sent by mail "MUST contain a valid
 * DKIM signature by the reporting domain" and that signatures with l= do
 * not count.  This module checks that with libopendkim (the library behind
 * OpenDKIM), on one whole message already in memory, and judges each
 * report against the signatures found.
 *
 * A signature counts for a report from submitter S when all of these hold:
 *   - libopendkim verified it: header hash and body hash (rsa-sha256 or
 *     ed25519-sha256; x= and t= as libopendkim checks them);
 *   - its d= aligns with S by authres_aligned() (equal, or one a subdomain
 *     of the other);
 *   - it has no l= tag;
 *   - its key record's service type (s=) is absent, "*" or "tlsrpt"
 *     (RFC 8460 §6: "tlsrpt" registered for exactly this; "email" alone is
 *     not enough).
 * The verdict per report: PASS when one counts; TEMPERROR when none counts
 * and the key of an aligned signature could not be fetched for a reason
 * that may pass (DNS timeout, SERVFAIL); NONE when the message carries no
 * DKIM-Signature at all; FAIL otherwise.
 *
 * Keys come from DNS (TXT at selector._domainkey.domain) through the
 * resolver's res_nquery() with the configured timeout and one try, or,
 * for tests only, from a key file: one "selector._domainkey.domain  record"
 * a line, '#' starts a comment (the format of libopendkim's own
 * DKIM_QUERY_FILE).  The key lookup is ours rather than libopendkim's only
 * because libopendkim refuses every key whose s= lacks "email" or "*",
 * and a key made for TLS reports says s=tlsrpt: this module applies the
 * service rule above itself and hands libopendkim the record without s=.
 *
 * Bounds: at most DKIMVERIFY_MAX_SIGS signatures are looked at (the first
 * ones whose d= aligns with a submitter of the message; the others cost no
 * lookup), each key lookup waits at most timeout seconds, and the whole
 * verification stops looking keys up once timeout x DKIMVERIFY_MAX_SIGS
 * seconds have passed (a later lookup is then a temporary failure).  Header
 * fields and their count are bounded as by mime (64 KiB, 1000).
 *
 * Threads: one struct dkimverify may be used by several threads at once.
 */
#ifndef TLSRPT_DKIMVERIFY_H
#define TLSRPT_DKIMVERIFY_H

#include <stddef.h>

#include "err.h"

#define DKIMVERIFY_MAX_SIGS 8     /* signatures looked at per message */
#define DKIMVERIFY_NAME_MAX 256   /* d= and s=, NUL included */

enum dkimverify_verdict {
	DKIMV_UNKNOWN,   /* not verified (import without --verify-dkim) */
	DKIMV_NONE,      /* the message has no DKIM-Signature */
	DKIMV_FAIL,      /* signed, but no signature counts for this submitter */
	DKIMV_TEMPERROR, /* no signature counts, one might after a retry (DNS) */
	DKIMV_PASS       /* a signature counts */
};

/* What was found about one signature. */
struct dkimverify_sig {
	char domain[DKIMVERIFY_NAME_MAX];   /* d=, lowercased; "" if unreadable */
	char selector[DKIMVERIFY_NAME_MAX]; /* s=; "" if unreadable */
	int verified;     /* libopendkim: header and body hash verified */
	int has_l;        /* carries l= */
	int service_ok;   /* key record s= absent, "*" or "tlsrpt" */
	int key_temp;     /* its key could not be fetched, for now */
	int looked_at;    /* 0: skipped (aligned with no submitter, or past the cap) */
	const char *why;  /* static text: why it does not count, or "ok" */
};

/* Every signature of one message. */
struct dkimverify_result {
	size_t n_signatures;  /* DKIM-Signature fields in the message */
	struct dkimverify_sig sigs[DKIMVERIFY_MAX_SIGS];
	size_t n;             /* entries of sigs filled */
	int temp;             /* the whole verification failed for now */
};

struct dkimverify;

/*
 * A verifier.  key_file NULL: keys from DNS, each lookup waiting at most
 * timeout_s seconds (1..60).  key_file set: keys only from that file
 * (tests).  TR_ERR_NOMEM, TR_ERR_USAGE (bad timeout), TR_ERR_IO (file
 * unreadable now: it is read again at each lookup).
 */
enum tr_err dkimverify_open(const char *key_file, unsigned timeout_s, struct dkimverify **out,
                            struct tr_error *err);

/* Release v. NULL-safe; returns NULL. */
struct dkimverify *dkimverify_close(struct dkimverify *v);

/*
 * Verify the message msg[0..len) (header fields, an empty line, body;
 * CRLF or LF).  Only signatures whose d= aligns with one of the n
 * submitters (NULL entries skipped) are looked up.  Fills *out; returns
 * TR_OK even when nothing verifies (the verdicts say so), TR_ERR_NOMEM,
 * TR_ERR_LIMIT for a header block past the bounds, or TR_ERR_FORMAT for a
 * header field holding a NUL byte (for both, out->temp stays 0: such a
 * message fails).
 */
enum tr_err dkimverify_message(struct dkimverify *v, const char *msg, size_t len,
                               const char *const *submitters, size_t n,
                               struct dkimverify_result *out, struct tr_error *err);

/*
 * The verdict for a report from submitter (NULL or "" never passes), and
 * in *which (NULL allowed) the signature that decided it: the one that
 * passed, else the first aligned one, else NULL.
 */
enum dkimverify_verdict dkimverify_verdict(const struct dkimverify_result *r,
                                           const char *submitter,
                                           const struct dkimverify_sig **which);

/* "unknown", "none", "fail", "temperror", "pass": the words stored. */
const char *dkimverify_verdict_name(enum dkimverify_verdict v);

#endif
