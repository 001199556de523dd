/*
 * domaincheck: the order a sending MTA follows (RFC 8460 section 3,
 * RFC 8461 sections 3 and 4, RFC 7672 section 2), each step adding
 * findings.  DNS answers that fail DNSSEC validation are findings; a
 * resolver that does not answer makes the domain unchecked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domaincheck.h"
#include "stspolicy.h"
#include "txtrec.h"

#define TXT_MAX 4096
#define NAME_MAX_LEN 256
/* An address as text: INET6_ADDRSTRLEN and then some. */
#define ADDR_TEXT_MAX 64
/* The longest list of addresses a finding names; past it, their number. */
#define ADDR_LIST_MAX 160

struct mxhost {
	unsigned pref;
	char name[NAME_MAX_LEN];
};

struct state {
	const char *domain;
	const struct domaincheck_opts *o;
	struct findings *f;
	struct mxhost mx[DOMAINCHECK_MX_MAX];
	size_t n_mx;
	int policy_ok;          /* a valid policy was fetched */
	int mx_secure;          /* the MX RRset validated (RFC 7672 2.2.1) */
	struct stspolicy *policy;
	char txt[TXT_MAX];
};

static const char *type_name(int type)
{
	switch (type) {
	case RESOLVE_A:
		return "A";
	case RESOLVE_AAAA:
		return "AAAA";
	case RESOLVE_MX:
		return "MX";
	case RESOLVE_TXT:
		return "TXT";
	case RESOLVE_TLSA:
		return "TLSA";
	default:
		return "?";
	}
}

/*
 * Ask name/type: 0 an answer to use (NOERROR or NXDOMAIN), 1 bogus (a
 * finding was added), -1 no usable answer (the domain is unchecked).
 */
static int ask(struct state *s, const char *name, int type, struct resolve_answer *a)
{
	struct tr_error err;

	if (resolve_query(s->o->resolver, name, type, a, &err) != TR_OK) {
		findings_unchecked(s->f, "DNS %s %s: %s", type_name(type), name, err.msg);
		return -1;
	}
	if (a->security == RESOLVE_BOGUS) {
		findings_add(s->f, FK_DNSSEC_BOGUS, name, "DNSSEC validation of the %s records failed: %s",
		             type_name(type), a->why_bogus[0] ? a->why_bogus : "bogus");
		resolve_answer_free(a);
		return 1;
	}
	if (a->rcode != RESOLVE_NOERROR && a->rcode != RESOLVE_NXDOMAIN) {
		findings_unchecked(s->f, "DNS %s %s: the resolver answered rcode %d", type_name(type),
		                   name, a->rcode);
		resolve_answer_free(a);
		return -1;
	}
	return 0;
}

static void fmt_date(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0)
		snprintf(out, len, "?");
}

/*
 * The TXT records at name that is() accepts: how many, and the text of the
 * last one in s->txt.  -1 when the domain is unchecked, -2 bogus.
 */
static int txt_records(struct state *s, const char *name, int (*is)(const char *, size_t))
{
	struct resolve_answer a;
	int rc = ask(s, name, RESOLVE_TXT, &a), n = 0;
	char text[TXT_MAX];
	long len;

	if (rc != 0)
		return rc < 0 ? -1 : -2;
	for (size_t i = 0; i < a.n; i++) {
		len = resolve_txt_text(&a.rr[i], text, sizeof text);
		if (len < 0 || !is(text, (size_t)len))
			continue;   /* not ours (or longer than any real one) */
		memcpy(s->txt, text, (size_t)len + 1);
		n++;
	}
	resolve_answer_free(&a);
	return n;
}

static int check_tlsrpt(struct state *s)
{
	char name[NAME_MAX_LEN + 16];
	struct txtrec_tlsrpt rec;
	struct tr_error err;
	int n;

	snprintf(name, sizeof name, "_smtp._tls.%s", s->domain);
	n = txt_records(s, name, txtrec_is_tlsrpt);
	if (n == -1)
		return -1;
	if (n == 0)
		findings_add(s->f, FK_TLSRPT_MISSING, name, "No v=TLSRPTv1 TXT record: senders send no TLS reports.");
	else if (n > 1)
		findings_add(s->f, FK_TLSRPT_MULTIPLE, name, "%d v=TLSRPTv1 TXT records.", n);
	else if (n == 1 && txtrec_parse_tlsrpt(s->txt, strlen(s->txt), &rec, &err) != TR_OK)
		findings_add(s->f, FK_TLSRPT_INVALID, name, "The record is invalid: %s.", err.msg);
	else if (n == 1)
		findings_add(s->f, FK_TLSRPT_OK, name, "Reports go to %s%s.", rec.rua[0],
		             rec.n_rua > 1 ? " and more" : "");
	return 0;
}

/* 1 when exactly one valid STS record is there, 0 when not, -1 unchecked. */
static int check_sts_record(struct state *s)
{
	char name[NAME_MAX_LEN + 16], id[TXTREC_STS_ID_MAX + 1];
	struct tr_error err;
	int n;

	snprintf(name, sizeof name, "_mta-sts.%s", s->domain);
	n = txt_records(s, name, txtrec_is_sts);
	if (n < 0)
		return n == -1 ? -1 : 0;
	if (n == 0) {
		findings_add(s->f, FK_STS_RECORD_MISSING, name,
		             "No v=STSv1 TXT record: the domain has no MTA-STS policy.");
		return 0;
	}
	if (n > 1) {
		findings_add(s->f, FK_STS_RECORD_MULTIPLE, name, "%d v=STSv1 TXT records.", n);
		return 0;
	}
	if (n == 1 && txtrec_parse_sts(s->txt, strlen(s->txt), id, &err) != TR_OK) {
		findings_add(s->f, FK_STS_RECORD_INVALID, name, "The record is invalid: %s.", err.msg);
		return 0;
	}
	findings_add(s->f, FK_STS_RECORD_OK, name, "Policy id %s.", id);
	return 1;
}

static int by_pref(const void *a, const void *b)
{
	const struct mxhost *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Collect and sort the MX set: 0, or -1 unchecked. */
static int check_mx_set(struct state *s)
{
	struct resolve_answer a;
	char list[512] = "";
	size_t used = 0;
	int rc = ask(s, s->domain, RESOLVE_MX, &a);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	s->mx_secure = a.security == RESOLVE_SECURE;
	for (size_t i = 0; i < a.n && s->n_mx < DOMAINCHECK_MX_MAX; i++) {
		struct mxhost *m = &s->mx[s->n_mx];

		if (resolve_mx_parse(&a.rr[i], &m->pref, m->name, sizeof m->name) == 0 &&
		    strcmp(m->name, ".") != 0)
			s->n_mx++;
	}
	resolve_answer_free(&a);
	if (s->n_mx == 0) {
		findings_add(s->f, FK_MX_MISSING, s->domain, "The domain has no usable MX record.");
		return 0;
	}
	qsort(s->mx, s->n_mx, sizeof s->mx[0], by_pref);
	for (size_t i = 0; i < s->n_mx && used < sizeof list - 1; i++) {
		int n = snprintf(list + used, sizeof list - used, "%s%s (%u)", i ? ", " : "",
		                 s->mx[i].name, s->mx[i].pref);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	findings_add(s->f, FK_MX_OK, s->domain, "MX hosts: %s.", list);
	return 0;
}

/* Records of one type in numeric order, so that a host's addresses are
 * probed and named the same way on every run whatever order DNS gives. */
static int by_rdata(const void *a, const void *b)
{
	const struct resolve_rr *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

/*
 * Up to max addresses of host into addr[]: its A records, then its AAAA
 * records (not asked for once max are found), *n of them.  0 found, 1
 * none or bogus (a finding of kind none_kind added when none), -1
 * unchecked.
 */
static int host_addresses(struct state *s, const char *host, enum finding_kind none_kind,
                          char (*addr)[ADDR_TEXT_MAX], size_t max, size_t *n)
{
	static const int types[] = { RESOLVE_A, RESOLVE_AAAA };
	struct resolve_answer a;
	int rc;

	*n = 0;
	for (size_t t = 0; t < 2 && *n < max; t++) {
		rc = ask(s, host, types[t], &a);
		if (rc != 0)
			return rc;
		if (a.n > 1)
			qsort(a.rr, a.n, sizeof a.rr[0], by_rdata);
		for (size_t i = 0; i < a.n && *n < max; i++)
			if (resolve_addr_text(&a.rr[i], types[t], addr[*n], ADDR_TEXT_MAX) == 0)
				(*n)++;
		resolve_answer_free(&a);
	}
	if (*n > 0)
		return 0;
	findings_add(s->f, none_kind, host, "%s has no A or AAAA record.", host);
	return 1;
}

static void judge_policy(struct state *s, const char *url, const char *body, size_t len)
{
	struct tr_error err;
	char list[512] = "";
	size_t used = 0;

	if (stspolicy_parse(body, len, s->policy, &err) != TR_OK) {
		findings_add(s->f, FK_POLICY_INVALID, url, "The policy is invalid: %s.", err.msg);
		return;
	}
	s->policy_ok = 1;
	for (size_t i = 0; i < s->policy->n_mx && used < sizeof list - 1; i++) {
		int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
		                 s->policy->mx[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	findings_add(s->f, FK_POLICY_OK, url, "mode %s, max_age %u, mx %s.",
	             stspolicy_mode_name(s->policy->mode), (unsigned)s->policy->max_age,
	             list[0] ? list : "(none)");
	if (s->policy->mode != STSPOLICY_ENFORCE)
		findings_add(s->f, FK_POLICY_MODE_NOT_ENFORCE, url,
		             "The policy's mode is %s: senders deliver even when TLS fails.",
		             stspolicy_mode_name(s->policy->mode));
	if (s->policy->max_age < 86400)
		findings_add(s->f, FK_POLICY_MAX_AGE_SHORT, url, "max_age is %u seconds, under a day.",
		             (unsigned)s->policy->max_age);
}

/* Fetch and judge the policy: 0, or -1 unchecked. */
static int check_policy(struct state *s)
{
	char host[NAME_MAX_LEN + 16], url[NAME_MAX_LEN + 64], addr[1][ADDR_TEXT_MAX];
	struct policyfetch_result r;
	struct tr_error err;
	size_t n;
	int rc;

	snprintf(host, sizeof host, "mta-sts.%s", s->domain);
	snprintf(url, sizeof url, "https://%s/.well-known/mta-sts.txt", host);
	/* one address is enough: the policy is what is judged, not the host */
	rc = host_addresses(s, host, FK_POLICY_FETCH, addr, 1, &n);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (policyfetch_get(s->domain, addr[0], &s->o->fetch, &r, &err) != TR_OK) {
		findings_unchecked(s->f, "%s: %s", url, err.msg);
		return -1;
	}
	if (r.status == POLICYFETCH_WEBPKI)
		findings_add(s->f, FK_POLICY_WEBPKI, url, "The HTTPS certificate does not verify: %s.",
		             r.detail);
	else if (r.status != POLICYFETCH_OK)
		findings_add(s->f, FK_POLICY_FETCH, url, "The policy could not be fetched: %s.",
		             r.detail);
	else
		judge_policy(s, url, r.body, r.len);
	policyfetch_result_free(&r);
	return 0;
}

static void check_coverage(struct state *s)
{
	if (!s->policy_ok || s->policy->mode == STSPOLICY_NONE)
		return;
	for (size_t i = 0; i < s->n_mx; i++)
		if (stspolicy_covers(s->policy, s->mx[i].name) == NULL)
			findings_add(s->f, FK_POLICY_MX_UNCOVERED, s->mx[i].name,
			             "The MX host matches no mx line of the policy.");
}

/* The TLSA records of one MX host, copied for the probe. */
struct tlsa_set {
	struct resolve_answer a;
	struct smtpprobe_tlsa t[32];
	size_t n;
	int secure;
};

/* 0, 1 bogus (finding added), -1 unchecked. */
static int mx_tlsa(struct state *s, const char *mx, struct tlsa_set *ts)
{
	char name[NAME_MAX_LEN + 16];
	int rc;

	snprintf(name, sizeof name, "_25._tcp.%s", mx);
	rc = ask(s, name, RESOLVE_TLSA, &ts->a);
	if (rc != 0)
		return rc;
	ts->secure = ts->a.security == RESOLVE_SECURE;
	for (size_t i = 0; i < ts->a.n && ts->n < sizeof ts->t / sizeof ts->t[0]; i++) {
		struct smtpprobe_tlsa *t = &ts->t[ts->n];

		if (resolve_tlsa_parse(&ts->a.rr[i], &t->usage, &t->selector, &t->mtype, &t->data,
		                       &t->len) == 0)
			ts->n++;
	}
	if (ts->n > 0 && !ts->secure)
		findings_add(s->f, FK_TLSA_INSECURE, name,
		             "%zu TLSA record%s, not DNSSEC-validated: senders ignore them.", ts->n,
		             ts->n > 1 ? "s" : "");
	else if (ts->n > 0 && !s->mx_secure)
		findings_add(s->f, FK_TLSA_INSECURE, name,
		             "The TLSA records validate but the MX records of %s do not: senders do not use DANE (RFC 7672 section 2.2.1).",
		             s->domain);
	/* DANE is what senders do only with both validated */
	ts->secure = ts->secure && s->mx_secure;
	return 0;
}

static void judge_cert(struct state *s, struct findings *f, const char *mx,
                       const struct smtpprobe_result *r, int dane_ok)
{
	char day[16];
	int64_t now = (int64_t)time(NULL), days = r->not_after ? (r->not_after - now) / 86400 : 0;

	fmt_date(r->not_after, day, sizeof day);
	/* With DANE matched and no MTA-STS policy, senders never look at
	 * WebPKI: its faults are nobody's. */
	if (dane_ok && !s->policy_ok)
		return;
	if (r->cert_expired)
		findings_add_since(f, FK_MX_CERT_EXPIRED, mx, r->not_after,
		                   "The certificate expired on %s (%lld days ago).", day,
		                   (long long)-days);
	if (r->cert_name_mismatch)
		findings_add(f, FK_MX_CERT_NAME, mx, "The certificate is not valid for %s.", mx);
	if (r->cert_untrusted || r->cert_not_yet_valid)
		findings_add(f, FK_MX_CERT_UNTRUSTED, mx, "The certificate chain does not verify: %s.",
		             r->webpki_detail);
	if (!r->cert_expired && r->not_after && days < DOMAINCHECK_EXPIRY_WARN_DAYS)
		findings_add(f, FK_MX_CERT_EXPIRING, mx, "The certificate expires on %s (in %lld days).",
		             day, (long long)days);
	if (r->webpki_ok)
		findings_add(f, FK_MX_TLS_OK, mx,
		             "STARTTLS with %s; the certificate is valid for %s until %s (%lld days).",
		             r->protocol, mx, day, (long long)days);
}

/* What one address of mx showed, into f; a failure's message leaves the
 * address for merge_addresses() to put in front. */
static void judge_probe(struct state *s, struct findings *f, const char *mx,
                        const struct tlsa_set *ts, const struct smtpprobe_result *r)
{
	static const enum finding_kind kinds[] = {
		[SMTPPROBE_REFUSED] = FK_MX_UNREACHABLE, [SMTPPROBE_TIMEOUT] = FK_MX_TIMEOUT,
		[SMTPPROBE_PROTOCOL] = FK_MX_PROTOCOL, [SMTPPROBE_NO_STARTTLS] = FK_MX_STARTTLS_MISSING,
		[SMTPPROBE_TLS] = FK_MX_TLS_FAILED, [SMTPPROBE_NO_ROUTE] = FK_MX_ADDRESS_UNPROBED,
	};
	int dane = ts->n > 0 && ts->secure;

	if (r->failure == SMTPPROBE_NO_ROUTE) {
		findings_add(f, kinds[r->failure], mx,
		             "port %u: not probed, this host has no route to it (%s).", s->o->smtp.port,
		             r->detail);
		return;
	}
	if (r->failure != SMTPPROBE_OK) {
		findings_add(f, kinds[r->failure], mx, "port %u: %s.", s->o->smtp.port, r->detail);
		return;
	}
	if (strcmp(r->protocol, "TLSv1") == 0 || strcmp(r->protocol, "TLSv1.1") == 0)
		findings_add(f, FK_MX_TLS_OLD, mx, "The server chose %s.", r->protocol);
	judge_cert(s, f, mx, r, dane && r->dane_ok);
	if (!dane)
		return;
	if (!r->dane_usable)
		findings_add(f, FK_TLSA_UNUSABLE, mx, "None of the %zu TLSA records is usable for SMTP.",
		             ts->n);
	else if (r->dane_ok)
		findings_add(f, FK_TLSA_OK, mx, "A TLSA record (DNSSEC-validated) matches the certificate.");
	else
		findings_add(f, FK_TLSA_MISMATCH, mx, "No TLSA record matches the presented chain: %s.",
		             r->dane_detail);
}

/* A kind whose message starts "port N:", the address belonging before it. */
static int is_probe_failure(enum finding_kind k)
{
	return k == FK_MX_UNREACHABLE || k == FK_MX_TIMEOUT || k == FK_MX_PROTOCOL ||
	       k == FK_MX_STARTTLS_MISSING || k == FK_MX_TLS_FAILED || k == FK_MX_ADDRESS_UNPROBED;
}

/* The finding of list f with x's kind and message, or NULL. */
static const struct finding *same_finding(const struct findings *f, const struct finding *x)
{
	for (size_t k = 0; k < f->n; k++)
		if (f->v[k].kind == x->kind && strcmp(f->v[k].message, x->message) == 0)
			return &f->v[k];
	return NULL;
}

/*
 * Finding x of address i of mx into s->f, once for every address from i
 * on that showed the same (per[j] for addr[j]), naming them; a host with
 * one address keeps the messages it always had.
 */
static void merge_one(struct state *s, const char *mx, char (*addr)[ADDR_TEXT_MAX], size_t n,
                      const struct findings *per, size_t i, const struct finding *x)
{
	char list[ADDR_LIST_MAX] = "";
	size_t used = 0, count = 0;
	int64_t since = x->since;
	const struct finding *y;

	for (size_t j = i; j < n; j++) {
		if ((y = same_finding(&per[j], x)) == NULL)
			continue;
		count++;
		if (y->since != 0 && (since == 0 || y->since < since))
			since = y->since;
		if (used < sizeof list)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
			                         count > 1 ? ", " : "", addr[j]);
	}
	/* a list too long to read (IPv6) becomes a number */
	if (used >= sizeof list && count == n)
		snprintf(list, sizeof list, "all %zu addresses", n);
	else if (used >= sizeof list)
		snprintf(list, sizeof list, "%zu of %zu addresses", count, n);
	if (is_probe_failure(x->kind))
		findings_add_since(s->f, x->kind, mx, since, "%s %s", list, x->message);
	else if (n > 1)
		findings_add_since(s->f, x->kind, mx, since, "%s: %s", list, x->message);
	else
		findings_add_since(s->f, x->kind, mx, since, "%s", x->message);
}

/* The findings of each probed address of mx into s->f, each distinct one
 * once. */
static void merge_addresses(struct state *s, const char *mx, char (*addr)[ADDR_TEXT_MAX],
                            size_t n, const struct findings *per)
{
	for (size_t i = 0; i < n; i++) {
		s->f->dropped += per[i].dropped;
		for (size_t k = 0; k < per[i].n; k++) {
			size_t j;

			for (j = 0; j < i && same_finding(&per[j], &per[i].v[k]) == NULL; j++)
				;
			/* an earlier address showed it: said already, naming this one */
			if (j == i)
				merge_one(s, mx, addr, n, per, i, &per[i].v[k]);
		}
	}
}

/* Probe every address of mx and merge what they showed: 0, or -2 with
 * err set (our own side failed). */
static int probe_addresses(struct state *s, const char *mx, const struct tlsa_set *ts,
                           char (*addr)[ADDR_TEXT_MAX], size_t n, struct tr_error *err)
{
	struct findings *per = calloc(n, sizeof *per);
	struct smtpprobe_result r;
	int rc = 0;

	if (per == NULL) {
		tr_error_set(err, TR_ERR_NOMEM, "out of memory");
		return -2;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		findings_init(&per[i], s->domain);
		if (smtpprobe_run(mx, addr[i], ts->t, ts->secure ? ts->n : 0, &s->o->smtp, &r,
		                  err) != TR_OK)
			rc = -2;
		else
			judge_probe(s, &per[i], mx, ts, &r);
	}
	if (rc == 0)
		merge_addresses(s, mx, addr, n, per);
	for (size_t i = 0; i < n; i++)
		findings_free(&per[i]);
	free(per);
	return rc;
}

/* One MX host: 0, or -1 unchecked. */
static int check_mx_host(struct state *s, const char *mx, struct tr_error *err)
{
	struct tlsa_set *ts = calloc(1, sizeof *ts);
	char addr[DOMAINCHECK_MX_ADDR_MAX][ADDR_TEXT_MAX];
	size_t n = 0;
	int rc;

	if (ts == NULL) {
		tr_error_set(err, TR_ERR_NOMEM, "out of memory");
		return -2;
	}
	rc = mx_tlsa(s, mx, ts);
	if (rc >= 0)
		rc = host_addresses(s, mx, FK_MX_ADDRESS, addr, DOMAINCHECK_MX_ADDR_MAX, &n);
	if (rc == 0 && s->o->probe_mx)
		rc = probe_addresses(s, mx, ts, addr, n, err);
	resolve_answer_free(&ts->a);
	free(ts);
	return rc;
}

enum tr_err domaincheck_run(const char *domain, const struct domaincheck_opts *o,
                            struct findings *f, struct tr_error *err)
{
	struct state *s;
	int sts = 0, rc = 0;

	if (!txtrec_is_hostname(domain, strlen(domain)) || strlen(domain) > 200)
		return tr_error_set(err, TR_ERR_USAGE, "'%.100s' is not a domain name", domain);
	s = calloc(1, sizeof *s);
	if (s != NULL)
		s->policy = calloc(1, sizeof *s->policy);
	if (s == NULL || s->policy == NULL) {
		free(s);
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	}
	s->domain = domain;
	s->o = o;
	s->f = f;
	if (!resolve_validates(o->resolver))
		findings_add(f, FK_DNS_UNVALIDATED, domain, "No DNSSEC trust anchor: nothing validates.");
	if (check_tlsrpt(s) < 0 || (sts = check_sts_record(s)) < 0 || check_mx_set(s) < 0)
		goto out;
	if (sts == 1 && check_policy(s) < 0)
		goto out;
	check_coverage(s);
	for (size_t i = 0; i < s->n_mx && rc != -2; i++)
		rc = check_mx_host(s, s->mx[i].name, err);
out:
	free(s->policy);
	free(s);
	return rc == -2 ? err->code : TR_OK;
}
