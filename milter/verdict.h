/*
 * verdict: was each report of one message sent by its submitter?  RFC
 * 8460 §3: a report "MUST contain a valid DKIM signature by the reporting
 * domain".  Two ways to tell, chosen by the configuration:
 *
 * - DKIMVerify yes (the default): the milter verifies the signatures
 *   itself (lib/dkimverify.h): pass, fail, none (unsigned) or temperror
 *   (a key could not be fetched), with the d= and s= of the signature
 *   that decided.  Authentication-Results fields are not read at all.
 * - DKIMVerify no, TrustedAuthservIDs set: a verifying relay's
 *   Authentication-Results are believed, but only the fields above the
 *   first Received: field as the milter sees it.  The relay (a previous
 *   hop all report mail passes through) prepends its Received: and writes
 *   its field above it, so whatever the sender wrote lies below, whatever
 *   its authserv-id and however the relay's verifier failed to parse (and
 *   so to remove) it.  A verifier milter on the same MTA cannot be
 *   believed: Postfix does not show a milter its own Received:, so a
 *   forged field at the top of the sender's header looks the same
 *   (docs/postfix.md).  pass, fail or none; unknown
 *   without TrustedAuthservIDs.
 *
 * Only messages that hold a report get here (msg_process() calls it after
 * extract found one): other mail never reaches libopendkim.
 */
#ifndef TLSRPT_MILTER_VERDICT_H
#define TLSRPT_MILTER_VERDICT_H

#include <stddef.h>

#include "conf.h"
#include "dkimverify.h"
#include "extract.h"

struct verdict {
	const char *auth;                          /* "pass", "fail", "none", "temperror", "unknown" */
	char dkim_domain[DKIMVERIFY_NAME_MAX];     /* "" when no signature decided */
	char dkim_selector[DKIMVERIFY_NAME_MAX];
};

/*
 * Fill out[0..res->n) for the message data[0..len) whose reports extract
 * found (res); items without a valid report get "unknown".  Problems
 * (no memory, a verifier that cannot start) are logged with queue_id and
 * give "temperror", never "pass".
 */
void verdict_judge(const struct conf *c, const char *data, size_t len,
                   const struct extract_result *res, const char *queue_id, struct verdict *out);

/* The submitter a report is judged for: the report's, else the item's. */
const char *verdict_submitter(const struct extract_item *it);

#endif
