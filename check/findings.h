/*
 * findings: what "tlsrpt-report check" found about one domain, as a list.
 *
 * Every kind of finding is defined once, in a table (findings.c): its
 * stable code, its severity, the fix in one sentence, and the RFC 8460
 * result types a sender would report because of it.  The checks only say
 * which kind they saw, about what, and why; the output and the
 * report-matching read the rest from the table.
 */
#ifndef TLSRPT_CHECK_FINDINGS_H
#define TLSRPT_CHECK_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum finding_severity {
	SEV_OK,       /* a fact worth showing: nothing to fix */
	SEV_INFO,     /* a choice the domain made (no MTA-STS, mode testing) */
	SEV_WARNING,  /* works today, will not for long or not for everyone */
	SEV_ERROR     /* senders that honour the policy fail or ignore it */
};

enum finding_kind {
	/* _smtp._tls TXT (RFC 8460 section 3) */
	FK_TLSRPT_OK,
	FK_TLSRPT_MISSING,
	FK_TLSRPT_MULTIPLE,
	FK_TLSRPT_INVALID,
	/* _mta-sts TXT (RFC 8461 section 3.1) */
	FK_STS_RECORD_OK,
	FK_STS_RECORD_MISSING,
	FK_STS_RECORD_MULTIPLE,
	FK_STS_RECORD_INVALID,
	/* DNS in general */
	FK_DNSSEC_BOGUS,
	FK_DNS_UNVALIDATED,
	FK_MX_MISSING,
	FK_MX_OK,
	/* the policy file (RFC 8461 sections 3.2, 3.3) */
	FK_POLICY_OK,
	FK_POLICY_FETCH,
	FK_POLICY_WEBPKI,
	FK_POLICY_INVALID,
	FK_POLICY_MODE_NOT_ENFORCE,
	FK_POLICY_MAX_AGE_SHORT,
	FK_POLICY_MX_UNCOVERED,
	/* each MX host */
	FK_MX_ADDRESS,
	FK_MX_ADDRESS_UNPROBED,
	FK_MX_UNREACHABLE,
	FK_MX_TIMEOUT,
	FK_MX_PROTOCOL,
	FK_MX_STARTTLS_MISSING,
	FK_MX_TLS_FAILED,
	FK_MX_CERT_EXPIRED,
	FK_MX_CERT_NAME,
	FK_MX_CERT_UNTRUSTED,
	FK_MX_CERT_EXPIRING,
	FK_MX_TLS_OLD,
	FK_MX_TLS_OK,
	/* _25._tcp.MX TLSA (RFC 7672) */
	FK_TLSA_OK,
	FK_TLSA_INSECURE,
	FK_TLSA_UNUSABLE,
	FK_TLSA_MISMATCH,
	FK_KIND_COUNT
};

/* The fixed part of a kind. */
struct finding_def {
	const char *code;          /* stable, for scripts: "mx-cert-expired" */
	enum finding_severity severity;
	const char *fix;           /* one sentence; "" for SEV_OK */
	const char *result_types;  /* space-separated RFC 8460 result types
	                              this causes in senders' reports; "" none */
	int per_mx;                /* 1: the subject is an MX host, and only
	                              failures reported for it are this */
};

/* The definition of kind k (a valid kind: our own bug otherwise). */
const struct finding_def *finding_def(enum finding_kind k);

/* "ok", "info", "warning", "error". */
const char *finding_severity_name(enum finding_severity s);

/* Longest subject and message kept; longer ones are cut. */
#define FINDING_SUBJECT_MAX 256
#define FINDING_MESSAGE_MAX 512
/* At most this many findings per domain; more are dropped and counted. */
#define FINDINGS_MAX 256

struct finding {
	enum finding_kind kind;
	char subject[FINDING_SUBJECT_MAX];  /* what it is about: the domain,
	                                      an MX host, a URL */
	char message[FINDING_MESSAGE_MAX];  /* what was seen, one sentence */
	int64_t since;                      /* when the fault began, when
	                                      known (a certificate's expiry),
	                                      else 0 */
};

struct findings {
	char domain[FINDING_SUBJECT_MAX];
	struct finding *v;
	size_t n, cap;
	size_t dropped;         /* past FINDINGS_MAX */
	int unchecked;          /* 1: the check could not be done */
	char why_unchecked[FINDING_MESSAGE_MAX];
};

/* An empty list for domain. */
void findings_init(struct findings *f, const char *domain);

/* Add one finding; the message is printf-style.  Returns TR_OK, or
 * TR_ERR_NOMEM (the finding is lost and counted in dropped). */
enum tr_err findings_add(struct findings *f, enum finding_kind kind, const char *subject,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* As findings_add, with the time the fault began. */
enum tr_err findings_add_since(struct findings *f, enum finding_kind kind, const char *subject,
                               int64_t since, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Mark the check as not done, with a reason. */
void findings_unchecked(struct findings *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 1 when some finding of kind k is present. */
int findings_has(const struct findings *f, enum finding_kind k);

/* The worst severity present (SEV_OK when empty). */
enum finding_severity findings_worst(const struct findings *f);

/* Free the list (NULL-safe); f can be initialised again. */
void findings_free(struct findings *f);

#endif
