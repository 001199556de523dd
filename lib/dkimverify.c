/*
 * dkimverify: a report mail's DKIM signatures, through libopendkim (see
 * dkimverify.h).  Sits beside authres: both say whether a report's
 * submitter vouched for it; this one proves it rather than believing an
 * upstream verifier's header.
 *
 * libopendkim does the cryptography and canonicalization; this file feeds
 * it one buffered message, picks which signatures are worth a key lookup
 * (prescreen), fetches keys (key lookup: DNS with a timeout, or a test
 * file) and applies RFC 8460's rules that libopendkim does not know.
 */
#include <arpa/nameser.h>
#include <netdb.h>
#include <ctype.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <opendkim/dkim.h>

#include "authres.h"
#include "dkimverify.h"

#define HEADER_MAX  (64 * 1024)   /* one header field, as mime's max_header */
#define HEADERS_MAX 1000          /* header fields, as mime's max_headers */
#define KEY_MAX     4096          /* one key record */
#define LINE_MAX_   (KEY_MAX + 512)

struct dkimverify {
	DKIM_LIB *lib;
	char *key_file;       /* NULL: DNS */
	unsigned timeout_s;
};

/* One message's verification, the user context of its DKIM handle. */
struct vctx {
	const struct dkimverify *v;
	const char *const *subs;
	size_t n_subs;
	struct dkimverify_result *out;
	DKIM_SIGINFO *handles[DKIMVERIFY_MAX_SIGS]; /* out->sigs[i]'s libopendkim handle */
	time_t deadline;      /* no key lookup starts after it */
};

enum fetch { FETCH_OK, FETCH_NOTFOUND, FETCH_TEMP };

/* ---- key records ------------------------------------------------------ */

/*
 * The service types of record rec (its s= tag) allow TLS reports: s=
 * absent, or a colon-separated list holding "*" or "tlsrpt".  Writes rec
 * without its s= tag to out (libopendkim would refuse s=tlsrpt).
 * Returns 1 when allowed.
 */
static int service_filter(const char *rec, char *out, size_t outlen)
{
	const char *p = rec;
	size_t used = 0;
	int has_s = 0, allowed = 0;

	out[0] = '\0';
	while (*p != '\0') {
		const char *end = strchr(p, ';'), *t = p, *eq;
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		while (t < p + n && isspace((unsigned char)*t))
			t++;
		eq = memchr(t, '=', (size_t)(p + n - t));
		if (eq != NULL && *t == 's' && (eq == t + 1 || isspace((unsigned char)t[1]))) {
			const char *q = eq + 1;

			has_s = 1;
			while (q < p + n) {
				const char *c = q, *e;
				size_t m;

				while (c < p + n && (isspace((unsigned char)*c) || *c == ':'))
					c++;
				e = c;
				while (e < p + n && *e != ':' && !isspace((unsigned char)*e))
					e++;
				m = (size_t)(e - c);
				if ((m == 1 && *c == '*') || (m == 6 && strncasecmp(c, "tlsrpt", 6) == 0))
					allowed = 1;
				q = e > c ? e : c + 1;
			}
		} else if (used + n + 2 < outlen) {
			if (used > 0)
				out[used++] = ';';
			memcpy(out + used, p, n);
			used += n;
			out[used] = '\0';
		}
		p = end != NULL ? end + 1 : p + n;
	}
	return !has_s || allowed;
}

/* The record for name in the test key file. */
static enum fetch fetch_file(const char *path, const char *name, char *rec, size_t reclen)
{
	char line[LINE_MAX_];
	size_t nlen = strlen(name);
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return FETCH_TEMP;
	while (fgets(line, sizeof line, f) != NULL) {
		char *p = line + nlen;
		size_t n;

		if (line[0] == '#' || strncasecmp(line, name, nlen) != 0 ||
		    (*p != ' ' && *p != '\t'))
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\r\n");
		if (n >= reclen)
			break;
		memcpy(rec, p, n);
		rec[n] = '\0';
		fclose(f);
		return FETCH_OK;
	}
	fclose(f);
	return FETCH_NOTFOUND;
}

/* The TXT record at name through the resolver, one try of timeout_s. */
static enum fetch fetch_dns(const char *name, unsigned timeout_s, char *rec, size_t reclen)
{
	unsigned char ans[NS_PACKETSZ * 4];
	struct __res_state rs;
	ns_msg msg;
	int len, i, count;
	size_t used = 0;

	memset(&rs, 0, sizeof rs);
	if (res_ninit(&rs) != 0)
		return FETCH_TEMP;
	rs.retrans = (int)timeout_s;
	rs.retry = 1;
	len = res_nquery(&rs, name, ns_c_in, ns_t_txt, ans, sizeof ans);
	if (len < 0) {
		int h = rs.res_h_errno;

		res_nclose(&rs);
		return h == HOST_NOT_FOUND || h == NO_DATA ? FETCH_NOTFOUND : FETCH_TEMP;
	}
	res_nclose(&rs);
	if (len > (int)sizeof ans || ns_initparse(ans, len, &msg) != 0)
		return FETCH_TEMP;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		ns_rr rr;
		const unsigned char *p, *end;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
			return FETCH_TEMP;
		if (ns_rr_type(rr) != ns_t_txt)
			continue;
		/* the first TXT record; its character-strings joined */
		p = ns_rr_rdata(rr);
		end = p + ns_rr_rdlen(rr);
		while (p < end) {
			size_t n = *p++;

			if (n > (size_t)(end - p) || used + n >= reclen)
				return FETCH_NOTFOUND;
			memcpy(rec + used, p, n);
			used += n;
			p += n;
		}
		rec[used] = '\0';
		return FETCH_OK;
	}
	return FETCH_NOTFOUND;
}

/* ---- libopendkim callbacks ------------------------------------------- */

static int aligned_with_any(const struct vctx *c, const char *d)
{
	size_t i;

	for (i = 0; i < c->n_subs; i++)
		if (c->subs[i] != NULL && authres_aligned(d, c->subs[i]))
			return 1;
	return 0;
}

static void copy_name(char *dst, const unsigned char *src)
{
	size_t i, n = src != NULL ? strlen((const char *)src) : 0;

	if (n >= DKIMVERIFY_NAME_MAX)
		n = 0; /* never cut: a prefix must not align */
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower(src[i]);
	dst[n] = '\0';
}

/*
 * Before any key lookup: note every signature (up to the cap) and ignore
 * those that align with no submitter of the message, so that a mail with
 * a thousand foreign signatures costs no lookup.
 */
static DKIM_CBSTAT on_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct vctx *c = dkim_get_user_context(dkim);
	int i;

	for (i = 0; i < nsigs; i++) {
		struct dkimverify_sig *s;
		int want;

		if (c->out->n >= DKIMVERIFY_MAX_SIGS) {
			dkim_sig_ignore(sigs[i]);
			continue;
		}
		s = &c->out->sigs[c->out->n];
		memset(s, 0, sizeof *s);
		copy_name(s->domain, dkim_sig_getdomain(sigs[i]));
		copy_name(s->selector, dkim_sig_getselector(sigs[i]));
		s->has_l = dkim_sig_gettagvalue(sigs[i], 0, (u_char *)"l") != NULL;
		s->service_ok = -1;
		want = s->domain[0] != '\0' && aligned_with_any(c, s->domain);
		s->why = want ? "not verified" : "not aligned with the submitter";
		s->looked_at = want;
		if (!want)
			dkim_sig_ignore(sigs[i]);
		c->handles[c->out->n++] = sigs[i];
	}
	return DKIM_CBSTAT_CONTINUE;
}

static struct dkimverify_sig *sig_entry(struct vctx *c, DKIM_SIGINFO *sig)
{
	size_t i;

	for (i = 0; i < c->out->n; i++)
		if (c->handles[i] == sig)
			return &c->out->sigs[i];
	return NULL;
}

static DKIM_CBSTAT on_key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct vctx *c = dkim_get_user_context(dkim);
	struct dkimverify_sig *s = sig_entry(c, sig);
	char name[2 * DKIMVERIFY_NAME_MAX + 16], rec[KEY_MAX];
	enum fetch f;
	int n;

	if (s == NULL || !s->looked_at)
		return DKIM_CBSTAT_NOTFOUND; /* not ours to look up: never passes */
	n = snprintf(name, sizeof name, "%s._domainkey.%s", s->selector, s->domain);
	if (n < 0 || (size_t)n >= sizeof name || s->selector[0] == '\0')
		return DKIM_CBSTAT_NOTFOUND;
	if (time(NULL) > c->deadline) {
		s->key_temp = 1;
		s->why = "key lookup skipped: verification took too long";
		return DKIM_CBSTAT_NOTFOUND;
	}
	f = c->v->key_file != NULL ? fetch_file(c->v->key_file, name, rec, sizeof rec)
	                           : fetch_dns(name, c->v->timeout_s, rec, sizeof rec);
	if (f == FETCH_TEMP) {
		s->key_temp = 1;
		s->why = "key lookup failed (temporary)";
		return DKIM_CBSTAT_NOTFOUND;
	}
	if (f == FETCH_NOTFOUND) {
		s->why = "no key";
		return DKIM_CBSTAT_NOTFOUND;
	}
	s->service_ok = service_filter(rec, (char *)buf, buflen);
	return DKIM_CBSTAT_CONTINUE;
}

/* ---- feeding a message ------------------------------------------------ */

/* End of the header field starting at p (after its last continuation line). */
static size_t field_end(const char *msg, size_t len, size_t p)
{
	for (;;) {
		const char *nl = memchr(msg + p, '\n', len - p);

		if (nl == NULL)
			return len;
		p = (size_t)(nl - msg) + 1;
		if (p >= len || (msg[p] != ' ' && msg[p] != '\t'))
			return p;
	}
}

/*
 * One header field to libopendkim with every bare LF of its folding made
 * CRLF, as it was on the wire: MTAs hand milters folded values with LF
 * alone (Postfix does), mbox files are LF throughout, and libopendkim's
 * FIXCRLF does not reach header fields.  scratch holds 2 x HEADER_MAX.
 */
static void feed_field(DKIM *dkim, const char *f, size_t n, char *scratch)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (f[i] == '\n' && (i == 0 || f[i - 1] != '\r'))
			scratch[m++] = '\r';
		scratch[m++] = f[i];
	}
	(void)dkim_header(dkim, (u_char *)scratch, m);
}

static enum tr_err feed_headers(DKIM *dkim, const char *msg, size_t len, size_t *body,
                                size_t *n_sigs, char *scratch, struct tr_error *err)
{
	size_t p = 0, n_fields = 0;

	while (p < len && msg[p] != '\n' && !(msg[p] == '\r' && p + 1 < len && msg[p + 1] == '\n')) {
		size_t e = field_end(msg, len, p), n = e - p;

		if (++n_fields > HEADERS_MAX)
			return tr_error_set(err, TR_ERR_LIMIT, "dkim: more than %d header fields",
			                    HEADERS_MAX);
		if (n > HEADER_MAX)
			return tr_error_set(err, TR_ERR_LIMIT, "dkim: header field longer than %d bytes",
			                    HEADER_MAX);
		while (n > 0 && (msg[p + n - 1] == '\n' || msg[p + n - 1] == '\r'))
			n--;
		/* libopendkim measures some header copies with strlen(): a NUL
		 * inside a field made it read past its own buffer (fuzz_dkim) */
		if (memchr(msg + p, '\0', n) != NULL)
			return tr_error_set(err, TR_ERR_FORMAT, "dkim: NUL byte in a header field");
		/* a line without a colon is not a field: libopendkim refuses it */
		if (memchr(msg + p, ':', n) != NULL)
			feed_field(dkim, msg + p, n, scratch);
		if (n > 15 && strncasecmp(msg + p, "DKIM-Signature", 14) == 0 &&
		    (msg[p + 14] == ':' || msg[p + 14] == ' ' || msg[p + 14] == '\t'))
			(*n_sigs)++;
		p = e;
	}
	if (p < len && msg[p] == '\r')
		p++;
	if (p < len)
		p++;
	*body = p;
	return TR_OK;
}

static void finish_sigs(struct vctx *c)
{
	size_t i, j;

	for (i = 0; i < c->out->n; i++) {
		struct dkimverify_sig *s = &c->out->sigs[i];
		DKIM_SIGINFO *h = c->handles[i];

		if (!s->looked_at)
			continue;
		s->verified = (dkim_sig_getflags(h) & DKIM_SIGFLAG_PASSED) != 0 &&
		              dkim_sig_getbh(h) == DKIM_SIGBH_MATCH;
		if (s->service_ok < 0) {
			/* libopendkim reused the key of an earlier signature
			 * with the same d= and s=: so does the rule */
			for (j = 0; j < i; j++)
				if (c->out->sigs[j].service_ok >= 0 &&
				    strcmp(c->out->sigs[j].domain, s->domain) == 0 &&
				    strcmp(c->out->sigs[j].selector, s->selector) == 0)
					s->service_ok = c->out->sigs[j].service_ok;
		}
		if (s->service_ok < 0)
			s->service_ok = 0;
		if (s->key_temp || strcmp(s->why, "no key") == 0)
			continue;
		if (!s->verified)
			s->why = dkim_sig_getbh(h) == DKIM_SIGBH_MISMATCH
			                 ? "body changed after signing"
			                 : dkim_sig_geterrorstr(dkim_sig_geterror(h));
		else if (s->has_l)
			s->why = "l= present";
		else if (!s->service_ok)
			s->why = "key not for tlsrpt (s=)";
		else
			s->why = "ok";
		if (s->why == NULL)
			s->why = "signature did not verify";
	}
}

enum tr_err dkimverify_message(struct dkimverify *v, const char *msg, size_t len,
                               const char *const *submitters, size_t n,
                               struct dkimverify_result *out, struct tr_error *err)
{
	struct vctx c;
	DKIM_STAT st;
	DKIM *dkim;
	char *scratch;
	size_t body = 0;
	enum tr_err rc;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.v = v;
	c.subs = submitters;
	c.n_subs = n;
	c.out = out;
	c.deadline = time(NULL) + (time_t)(v->timeout_s * DKIMVERIFY_MAX_SIGS);
	dkim = dkim_verify(v->lib, (const unsigned char *)"tlsrpt", NULL, &st);
	if (dkim == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "dkim: cannot start a verification: %s",
		                    dkim_getresultstr(st));
	dkim_set_user_context(dkim, &c);
	scratch = malloc(2 * HEADER_MAX);
	if (scratch == NULL) {
		dkim_free(dkim);
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	}
	rc = feed_headers(dkim, msg, len, &body, &out->n_signatures, scratch, err);
	free(scratch);
	if (rc != TR_OK) {
		dkim_free(dkim);
		return rc;
	}
	st = dkim_eoh(dkim);
	if (st == DKIM_STAT_OK && body < len)
		st = dkim_body(dkim, (u_char *)(msg + body), len - body);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(dkim, NULL);
	if (st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL || st == DKIM_STAT_CBTRYAGAIN)
		out->temp = 1;
	finish_sigs(&c);
	dkim_free(dkim);
	return TR_OK;
}

enum dkimverify_verdict dkimverify_verdict(const struct dkimverify_result *r,
                                           const char *submitter,
                                           const struct dkimverify_sig **which)
{
	const struct dkimverify_sig *first = NULL;
	int temp = 0;
	size_t i;

	if (which != NULL)
		*which = NULL;
	if (r->n_signatures == 0 && !r->temp)
		return DKIMV_NONE;
	for (i = 0; submitter != NULL && submitter[0] != '\0' && i < r->n; i++) {
		const struct dkimverify_sig *s = &r->sigs[i];

		if (!s->looked_at || !authres_aligned(s->domain, submitter))
			continue;
		if (first == NULL)
			first = s;
		if (s->verified && !s->has_l && s->service_ok == 1) {
			if (which != NULL)
				*which = s;
			return DKIMV_PASS;
		}
		temp |= s->key_temp;
	}
	if (which != NULL)
		*which = first != NULL ? first : (r->n > 0 ? &r->sigs[0] : NULL);
	return temp || r->temp ? DKIMV_TEMPERROR : DKIMV_FAIL;
}

const char *dkimverify_verdict_name(enum dkimverify_verdict v)
{
	switch (v) {
	case DKIMV_UNKNOWN: return "unknown";
	case DKIMV_NONE: return "none";
	case DKIMV_FAIL: return "fail";
	case DKIMV_TEMPERROR: return "temperror";
	case DKIMV_PASS: return "pass";
	}
	return "unknown";
}

/* ---- set-up ------------------------------------------------------------ */

enum tr_err dkimverify_open(const char *key_file, unsigned timeout_s, struct dkimverify **out,
                            struct tr_error *err)
{
	struct dkimverify *v;
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;
	FILE *f;

	*out = NULL;
	if (timeout_s < 1 || timeout_s > 60)
		return tr_error_set(err, TR_ERR_USAGE, "dkim: timeout %u not in 1..60 seconds",
		                    timeout_s);
	if (key_file != NULL) {
		f = fopen(key_file, "r");
		if (f == NULL)
			return tr_error_set(err, TR_ERR_IO, "%s: cannot read the DKIM key file", key_file);
		fclose(f);
	}
	v = calloc(1, sizeof *v);
	if (v == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	v->timeout_s = timeout_s;
	if (key_file != NULL) {
		v->key_file = strdup(key_file);
		if (v->key_file == NULL) {
			free(v);
			return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
		}
	}
	v->lib = dkim_init(NULL, NULL);
	if (v->lib == NULL ||
	    dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) != DKIM_STAT_OK ||
	    dkim_set_prescreen(v->lib, on_prescreen) != DKIM_STAT_OK ||
	    dkim_set_key_lookup(v->lib, on_key_lookup) != DKIM_STAT_OK) {
		dkimverify_close(v);
		return tr_error_set(err, TR_ERR_NOMEM, "dkim: cannot set up libopendkim");
	}
	*out = v;
	return TR_OK;
}

struct dkimverify *dkimverify_close(struct dkimverify *v)
{
	if (v == NULL)
		return NULL;
	if (v->lib != NULL)
		dkim_close(v->lib);
	free(v->key_file);
	free(v);
	return NULL;
}
