/*
 * domaincheck: one domain's MTA-STS, DANE and TLS reporting set-up, end to
 * end, as a sending MTA would meet it: the _smtp._tls and _mta-sts TXT
 * records, the MX set, the policy file and whether it covers every MX
 * host, and each MX host's STARTTLS, certificate and TLSA records, at
 * every address of the host (a sender may reach any of them).
 *
 * It only observes and fills a findings list (findings.h); what the
 * findings mean for the stored reports is explain.h's business.
 */
#ifndef TLSRPT_CHECK_DOMAINCHECK_H
#define TLSRPT_CHECK_DOMAINCHECK_H

#include "err.h"
#include "findings.h"
#include "policyfetch.h"
#include "resolve.h"
#include "smtpprobe.h"

/* At most this many MX hosts are checked (the lowest preferences). */
#define DOMAINCHECK_MX_MAX 16
/* At most this many addresses of one MX host are probed (its A records,
 * then its AAAA records, each in numeric order): bounds the time a host
 * with many addresses that all time out can cost. */
#define DOMAINCHECK_MX_ADDR_MAX 8
/* A certificate that expires within this many days is a warning. */
#define DOMAINCHECK_EXPIRY_WARN_DAYS 14

struct domaincheck_opts {
	struct resolve *resolver;      /* owned by the caller */
	struct policyfetch_opts fetch;
	struct smtpprobe_opts smtp;
	int probe_mx;                  /* 0: no SMTP connections */
};

/*
 * Check domain (a host name, no trailing dot) and add what was seen to f
 * (findings_init()'d by the caller).  When a lookup the rest depends on
 * gets no answer, f->unchecked says why and the findings so far stay.
 * Returns TR_OK, or TR_ERR_NOMEM / TR_ERR_USAGE (a domain that is not a
 * host name) with err set.
 */
enum tr_err domaincheck_run(const char *domain, const struct domaincheck_opts *o,
                            struct findings *f, struct tr_error *err);

#endif
