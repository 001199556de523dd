/*
 * stspolicy: the MTA-STS policy file, line by line, by the ABNF of RFC 8461
 * section 3.2, and the MX-pattern rule of section 4.1.
 */
#include <stdio.h>
#include <string.h>

#include "stspolicy.h"
#include "txtrec.h"

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

const char *stspolicy_mode_name(enum stspolicy_mode m)
{
	switch (m) {
	case STSPOLICY_ENFORCE:
		return "enforce";
	case STSPOLICY_TESTING:
		return "testing";
	case STSPOLICY_NONE:
		return "none";
	}
	return "?";
}

/* What has been seen, for "exactly once". */
struct seen {
	int version, mode, max_age;
};

static int value_is(const char *v, size_t vlen, const char *want)
{
	return vlen == strlen(want) && memcmp(v, want, vlen) == 0;
}

static enum tr_err parse_max_age(const char *v, size_t vlen, uint32_t *out, unsigned line,
                                 struct tr_error *err)
{
	uint64_t n = 0;

	if (vlen == 0 || vlen > 10)
		return tr_error_set(err, TR_ERR_FORMAT, "line %u: max_age: 1 to 10 digits needed", line);
	for (size_t i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return tr_error_set(err, TR_ERR_FORMAT, "line %u: max_age: not a number", line);
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n > STSPOLICY_MAX_AGE_MAX)
		return tr_error_set(err, TR_ERR_FORMAT, "line %u: max_age: %llu is more than %u", line,
		                    (unsigned long long)n, STSPOLICY_MAX_AGE_MAX);
	*out = (uint32_t)n;
	return TR_OK;
}

static enum tr_err add_mx(struct stspolicy *p, const char *v, size_t vlen, unsigned line,
                          struct tr_error *err)
{
	size_t skip = vlen >= 2 && v[0] == '*' && v[1] == '.' ? 2 : 0;

	if (!txtrec_is_hostname(v + skip, vlen - skip) || vlen > STSPOLICY_NAME_MAX)
		return tr_error_set(err, TR_ERR_FORMAT,
		                    "line %u: mx: '%.*s' is not a host name nor *.host name", line,
		                    (int)(vlen > 80 ? 80 : vlen), v);
	if (p->n_mx == STSPOLICY_MX_MAX)
		return tr_error_set(err, TR_ERR_FORMAT, "line %u: more than %d mx lines", line,
		                    STSPOLICY_MX_MAX);
	for (size_t i = 0; i < vlen; i++)
		p->mx[p->n_mx][i] = lower(v[i]);
	p->mx[p->n_mx][vlen] = '\0';
	p->n_mx++;
	return TR_OK;
}

static enum tr_err once(int *flag, const char *key, unsigned line, struct tr_error *err)
{
	if (*flag)
		return tr_error_set(err, TR_ERR_FORMAT, "line %u: %s given twice", line, key);
	*flag = 1;
	return TR_OK;
}

/* One "key: value" line (no line end). */
static enum tr_err parse_line(struct stspolicy *p, struct seen *s, const char *l, size_t len,
                              unsigned line, struct tr_error *err)
{
	const char *colon = memchr(l, ':', len), *v;
	size_t klen, vlen;
	enum tr_err rc;

	if (colon == NULL || colon == l)
		return tr_error_set(err, TR_ERR_FORMAT, "line %u: not \"key: value\"", line);
	klen = (size_t)(colon - l);
	v = colon + 1;
	vlen = len - klen - 1;
	while (vlen > 0 && is_wsp(v[0])) {
		v++;
		vlen--;
	}
	while (vlen > 0 && is_wsp(v[vlen - 1]))
		vlen--;
	for (size_t i = 0; i < vlen; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return tr_error_set(err, TR_ERR_FORMAT, "line %u: a control or non-ASCII byte",
			                    line);
	if (klen == 7 && memcmp(l, "version", 7) == 0) {
		rc = once(&s->version, "version", line, err);
		if (rc == TR_OK && !value_is(v, vlen, "STSv1"))
			rc = tr_error_set(err, TR_ERR_FORMAT, "line %u: version: not STSv1", line);
		return rc;
	}
	if (klen == 4 && memcmp(l, "mode", 4) == 0) {
		rc = once(&s->mode, "mode", line, err);
		if (rc != TR_OK)
			return rc;
		if (value_is(v, vlen, "enforce"))
			p->mode = STSPOLICY_ENFORCE;
		else if (value_is(v, vlen, "testing"))
			p->mode = STSPOLICY_TESTING;
		else if (value_is(v, vlen, "none"))
			p->mode = STSPOLICY_NONE;
		else
			return tr_error_set(err, TR_ERR_FORMAT,
			                    "line %u: mode: not enforce, testing or none", line);
		return TR_OK;
	}
	if (klen == 7 && memcmp(l, "max_age", 7) == 0) {
		rc = once(&s->max_age, "max_age", line, err);
		return rc != TR_OK ? rc : parse_max_age(v, vlen, &p->max_age, line, err);
	}
	if (klen == 2 && memcmp(l, "mx", 2) == 0)
		return add_mx(p, v, vlen, line, err);
	return TR_OK;  /* an extension: ignored */
}

enum tr_err stspolicy_parse(const char *text, size_t len, struct stspolicy *out,
                            struct tr_error *err)
{
	struct seen s = { 0, 0, 0 };
	size_t i = 0, end;
	unsigned line = 0;
	enum tr_err rc;

	memset(out, 0, sizeof *out);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);

		end = nl != NULL ? (size_t)(nl - text) : len;
		line++;
		{
			size_t l = end - i;

			if (l > 0 && text[i + l - 1] == '\r')
				l--;
			if (memchr(text + i, '\0', l) != NULL)
				return tr_error_set(err, TR_ERR_FORMAT, "line %u: a NUL byte", line);
			if (l > 0) {
				rc = parse_line(out, &s, text + i, l, line, err);
				if (rc != TR_OK)
					return rc;
			}
		}
		i = end + 1;
	}
	if (!s.version)
		return tr_error_set(err, TR_ERR_FORMAT, "no version line");
	if (!s.mode)
		return tr_error_set(err, TR_ERR_FORMAT, "no mode line");
	if (!s.max_age)
		return tr_error_set(err, TR_ERR_FORMAT, "no max_age line");
	if (out->n_mx == 0 && out->mode != STSPOLICY_NONE)
		return tr_error_set(err, TR_ERR_FORMAT, "no mx line (needed unless mode is none)");
	return TR_OK;
}

/* a[0..alen) equals b[0..blen) ignoring ASCII case. */
static int same_name(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

static size_t name_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

int stspolicy_mx_match(const char *pattern, const char *host)
{
	size_t plen = name_len(pattern), hlen = name_len(host);
	const char *dot;

	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* one whole label, then the rest: "*.example.com" */
		dot = memchr(host, '.', hlen);
		if (dot == NULL || dot == host)
			return 0;
		return same_name(pattern + 1, plen - 1, dot, hlen - (size_t)(dot - host));
	}
	return same_name(pattern, plen, host, hlen);
}

const char *stspolicy_covers(const struct stspolicy *p, const char *host)
{
	for (size_t i = 0; i < p->n_mx; i++)
		if (stspolicy_mx_match(p->mx[i], host))
			return p->mx[i];
	return NULL;
}
