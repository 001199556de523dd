/*
 * findings: the table of every kind of finding, and the list one domain's
 * check fills.  The checks (domaincheck.c) add to it; the command prints
 * it and the report matcher (explain.c) reads its result types.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"

static const struct finding_def defs[FK_KIND_COUNT] = {
	[FK_TLSRPT_OK] = { "tlsrpt-record", SEV_OK, "", "", 0 },
	[FK_TLSRPT_MISSING] = { "tlsrpt-record-missing", SEV_WARNING,
		"Publish one TXT record at _smtp._tls.DOMAIN: \"v=TLSRPTv1; rua=mailto:ADDRESS\".",
		"", 0 },
	[FK_TLSRPT_MULTIPLE] = { "tlsrpt-record-multiple", SEV_ERROR,
		"Keep exactly one v=TLSRPTv1 TXT record at _smtp._tls.DOMAIN: with several, senders send no reports.",
		"", 0 },
	[FK_TLSRPT_INVALID] = { "tlsrpt-record-invalid", SEV_ERROR,
		"Write the record as \"v=TLSRPTv1; rua=URI\" where every URI is mailto:ADDRESS or https://HOST/PATH.",
		"", 0 },
	[FK_STS_RECORD_OK] = { "sts-record", SEV_OK, "", "", 0 },
	[FK_STS_RECORD_MISSING] = { "sts-record-missing", SEV_INFO,
		"To have senders require TLS, publish \"v=STSv1; id=ID\" at _mta-sts.DOMAIN and a policy file.",
		"", 0 },
	[FK_STS_RECORD_MULTIPLE] = { "sts-record-multiple", SEV_ERROR,
		"Keep exactly one v=STSv1 TXT record at _mta-sts.DOMAIN: with several, senders ignore the policy.",
		"", 0 },
	[FK_STS_RECORD_INVALID] = { "sts-record-invalid", SEV_ERROR,
		"Write the record as \"v=STSv1; id=ID\" with an id of 1 to 32 letters and digits.",
		"", 0 },
	[FK_DNSSEC_BOGUS] = { "dnssec-bogus", SEV_ERROR,
		"Re-sign the zone and check that the DS record at the parent matches a current DNSKEY.",
		"dnssec-invalid", 0 },
	[FK_DNS_UNVALIDATED] = { "dnssec-unvalidated", SEV_INFO,
		"Give --trust-anchor (or install dns-root-data) so that DNSSEC and TLSA records can be validated.",
		"", 0 },
	[FK_MX_MISSING] = { "mx-missing", SEV_ERROR,
		"Publish MX records for the domain: MTA-STS and DANE apply to MX hosts.",
		"", 0 },
	[FK_MX_OK] = { "mx", SEV_OK, "", "", 0 },
	[FK_POLICY_OK] = { "sts-policy", SEV_OK, "", "", 0 },
	[FK_POLICY_FETCH] = { "sts-policy-fetch-error", SEV_ERROR,
		"Serve the policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt directly: status 200, text/plain, at most 64 KB, no redirect.",
		"sts-policy-fetch-error", 0 },
	[FK_POLICY_WEBPKI] = { "sts-webpki-invalid", SEV_ERROR,
		"Give mta-sts.DOMAIN a certificate for that name from a public CA, with the intermediate certificates.",
		"sts-webpki-invalid", 0 },
	[FK_POLICY_INVALID] = { "sts-policy-invalid", SEV_ERROR,
		"Write the policy as RFC 8461 section 3.2 says: version: STSv1, mode, max_age and one mx line per pattern.",
		"sts-policy-invalid", 0 },
	[FK_POLICY_MODE_NOT_ENFORCE] = { "sts-policy-not-enforced", SEV_INFO,
		"Once the reports show no failures, change the policy's mode to enforce and its id in DNS.",
		"", 0 },
	[FK_POLICY_MAX_AGE_SHORT] = { "sts-policy-max-age-short", SEV_WARNING,
		"Raise max_age to at least 86400 (RFC 8461 suggests weeks) so that senders keep the policy between visits.",
		"", 0 },
	[FK_POLICY_MX_UNCOVERED] = { "sts-policy-mx-mismatch", SEV_ERROR,
		"Add an mx line that matches this MX host to the policy (and change the id in DNS), or change the MX record.",
		"validation-failure", 1 },
	[FK_MX_ADDRESS] = { "mx-no-address", SEV_ERROR,
		"Publish an A or AAAA record for the MX host.",
		"", 1 },
	[FK_MX_ADDRESS_UNPROBED] = { "mx-address-unprobed", SEV_INFO,
		"Run the check again from a host with a route to the address (IPv6) to probe it.",
		"", 0 },
	[FK_MX_UNREACHABLE] = { "mx-unreachable", SEV_ERROR,
		"Make the MX host accept connections on port 25.",
		"", 1 },
	[FK_MX_TIMEOUT] = { "mx-timeout", SEV_ERROR,
		"Make the MX host answer on port 25 within the timeout (a firewall that drops packets looks like this).",
		"", 1 },
	[FK_MX_PROTOCOL] = { "mx-smtp-error", SEV_ERROR,
		"Make the MX host greet with 220 and answer EHLO with 250.",
		"", 1 },
	[FK_MX_STARTTLS_MISSING] = { "mx-starttls-missing", SEV_ERROR,
		"Enable STARTTLS on the MX host (Postfix: smtpd_tls_security_level = may with a certificate).",
		"starttls-not-supported", 1 },
	[FK_MX_TLS_FAILED] = { "mx-tls-failed", SEV_ERROR,
		"Make the MX host complete a TLS 1.2 or 1.3 handshake after STARTTLS.",
		"validation-failure", 1 },
	[FK_MX_CERT_EXPIRED] = { "mx-cert-expired", SEV_ERROR,
		"Renew the MX host's certificate and reload the mail server.",
		"certificate-expired", 1 },
	[FK_MX_CERT_NAME] = { "mx-cert-name-mismatch", SEV_ERROR,
		"Give the MX host a certificate whose names include the MX host name.",
		"certificate-host-mismatch", 1 },
	[FK_MX_CERT_UNTRUSTED] = { "mx-cert-untrusted", SEV_ERROR,
		"Use a certificate from a public CA and send the intermediate certificates too.",
		"certificate-not-trusted", 1 },
	[FK_MX_CERT_EXPIRING] = { "mx-cert-expiring", SEV_WARNING,
		"Renew the MX host's certificate before it expires.",
		"", 1 },
	[FK_MX_TLS_OLD] = { "mx-tls-old", SEV_WARNING,
		"Enable TLS 1.2 and 1.3 on the MX host.",
		"", 1 },
	[FK_MX_TLS_OK] = { "mx-tls", SEV_OK, "", "", 0 },
	[FK_TLSA_OK] = { "tlsa", SEV_OK, "", "", 0 },
	[FK_TLSA_INSECURE] = { "tlsa-insecure", SEV_WARNING,
		"Sign the zone with DNSSEC: senders ignore TLSA records that do not validate.",
		"", 0 },
	[FK_TLSA_UNUSABLE] = { "tlsa-unusable", SEV_WARNING,
		"Publish TLSA records with usage 2 or 3, selector 0 or 1 and matching type 0, 1 or 2 (RFC 7672).",
		"tlsa-invalid", 1 },
	[FK_TLSA_MISMATCH] = { "tlsa-mismatch", SEV_ERROR,
		"Publish a TLSA record that matches the certificate the MX host presents (e.g. 3 1 1 of its public key), before rolling keys.",
		"tlsa-invalid validation-failure dane-required", 1 },
};

const struct finding_def *finding_def(enum finding_kind k)
{
	assert((unsigned)k < FK_KIND_COUNT && defs[k].code != NULL);
	return &defs[k];
}

const char *finding_severity_name(enum finding_severity s)
{
	static const char *const names[] = { "ok", "info", "warning", "error" };

	assert((unsigned)s < sizeof names / sizeof names[0]);
	return names[s];
}

void findings_init(struct findings *f, const char *domain)
{
	memset(f, 0, sizeof *f);
	snprintf(f->domain, sizeof f->domain, "%s", domain);
}

static enum tr_err add_v(struct findings *f, enum finding_kind kind, const char *subject,
                         int64_t since, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static enum tr_err add_v(struct findings *f, enum finding_kind kind, const char *subject,
                         int64_t since, const char *fmt, va_list ap)
{
	struct finding *x;

	(void)finding_def(kind);
	if (f->n >= FINDINGS_MAX) {
		f->dropped++;
		return TR_OK;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct finding *v = realloc(f->v, cap * sizeof *v);

		if (v == NULL) {
			f->dropped++;
			return TR_ERR_NOMEM;
		}
		f->v = v;
		f->cap = cap;
	}
	x = &f->v[f->n++];
	x->kind = kind;
	x->since = since;
	snprintf(x->subject, sizeof x->subject, "%s", subject);
	vsnprintf(x->message, sizeof x->message, fmt, ap);
	return TR_OK;
}

enum tr_err findings_add(struct findings *f, enum finding_kind kind, const char *subject,
                         const char *fmt, ...)
{
	va_list ap;
	enum tr_err rc;

	va_start(ap, fmt);
	rc = add_v(f, kind, subject, 0, fmt, ap);
	va_end(ap);
	return rc;
}

enum tr_err findings_add_since(struct findings *f, enum finding_kind kind, const char *subject,
                               int64_t since, const char *fmt, ...)
{
	va_list ap;
	enum tr_err rc;

	va_start(ap, fmt);
	rc = add_v(f, kind, subject, since, fmt, ap);
	va_end(ap);
	return rc;
}

void findings_unchecked(struct findings *f, const char *fmt, ...)
{
	va_list ap;

	if (f->unchecked)
		return;  /* the first reason is the one that matters */
	f->unchecked = 1;
	va_start(ap, fmt);
	vsnprintf(f->why_unchecked, sizeof f->why_unchecked, fmt, ap);
	va_end(ap);
}

int findings_has(const struct findings *f, enum finding_kind k)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].kind == k)
			return 1;
	return 0;
}

enum finding_severity findings_worst(const struct findings *f)
{
	enum finding_severity w = SEV_OK;

	for (size_t i = 0; i < f->n; i++)
		if (finding_def(f->v[i].kind)->severity > w)
			w = finding_def(f->v[i].kind)->severity;
	return w;
}

void findings_free(struct findings *f)
{
	if (f == NULL)
		return;
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
