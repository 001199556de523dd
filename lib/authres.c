/*
 * authres: a tolerant reader of Authentication-Results (see authres.h).
 *
 * The grammar of RFC 8601 §2.2 is walked with a cursor over the value:
 * CFWS (white space and nested comments) may appear between any two
 * tokens, values are tokens or quoted strings, and anything that does not
 * fit is skipped up to the next ';' outside quotes and comments.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "domain.h"

/* Skip white space and (nested (comments)) with backslash escapes. */
static void skip_cfws(const char **pp)
{
	const char *p = *pp;
	int depth = 0;

	while (*p != '\0') {
		if (depth == 0 && isspace((unsigned char)*p)) {
			p++;
		} else if (*p == '(') {
			depth++;
			p++;
		} else if (depth > 0 && *p == ')') {
			depth--;
			p++;
		} else if (depth > 0 && *p == '\\' && p[1] != '\0') {
			p += 2;
		} else if (depth > 0) {
			p++;
		} else {
			break;
		}
	}
	*pp = p;
}

/* Skip a quoted string starting at the opening quote. */
static const char *skip_quoted(const char *p)
{
	p++;
	while (*p != '\0' && *p != '"') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		p++;
	}
	return *p == '"' ? p + 1 : p;
}

/* Move to the next ';' that is outside quotes and comments (or the end). */
static void skip_to_semicolon(const char **pp)
{
	const char *p = *pp;

	while (*p != '\0' && *p != ';') {
		if (*p == '"') {
			p = skip_quoted(p);
		} else if (*p == '(') {
			skip_cfws(&p);
		} else {
			p++;
		}
	}
	*pp = p;
}

/* Append c to out (size outlen) at *n; on overflow mark the value dropped. */
static void put(char *out, size_t outlen, size_t *n, int *over, char c)
{
	if (*n + 1 >= outlen) {
		*over = 1;
		return;
	}
	out[(*n)++] = (char)tolower((unsigned char)c);
}

/*
 * Read a value (token or quoted string) into out, lowercased.  A token
 * ends at white space, a comment, ';' or a quote.  Returns the number of
 * source bytes consumed; out is "" when the value was too long.
 */
static size_t read_value(const char **pp, char *out, size_t outlen)
{
	const char *p = *pp, *start = *pp;
	size_t n = 0;
	int over = 0;

	if (*p == '"') {
		p++;
		while (*p != '\0' && *p != '"') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			put(out, outlen, &n, &over, *p++);
		}
		if (*p == '"')
			p++;
	} else {
		while (*p != '\0' && !isspace((unsigned char)*p) &&
		       strchr("();\"", *p) == NULL)
			put(out, outlen, &n, &over, *p++);
	}
	out[over ? 0 : n] = '\0';
	*pp = p;
	return (size_t)(p - start);
}

/* Read a keyword (letters, digits, '-', '_'), lowercased; 0 when none. */
static size_t read_keyword(const char **pp, char *out, size_t outlen)
{
	const char *p = *pp;
	size_t n = 0;
	int over = 0;

	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
		put(out, outlen, &n, &over, *p++);
	out[over ? 0 : n] = '\0';
	*pp = p;
	return n;
}

/* Lowercased domain without a trailing dot; a header.i keeps what follows '@'. */
static void set_domain(struct authres_dkim *d, const char *value, int is_identity)
{
	const char *at = is_identity ? strrchr(value, '@') : NULL;
	const char *v = at != NULL ? at + 1 : value;
	size_t len = strlen(v);

	if (len > 0 && v[len - 1] == '.')
		len--;
	if (len >= sizeof d->domain)
		len = 0;
	memcpy(d->domain, v, len);
	d->domain[len] = '\0';
}

/* One "ptype.property=value" (or "reason=value"); 0 on success, -1 when malformed. */
static int read_prop(const char **pp, struct authres_dkim *d, int *have_d)
{
	char ptype[32], prop[32], value[AUTHRES_NAME_MAX];

	if (read_keyword(pp, ptype, sizeof ptype) == 0)
		return -1;
	skip_cfws(pp);
	if (**pp == '=' && strcmp(ptype, "reason") == 0) {
		(*pp)++;
		skip_cfws(pp);
		read_value(pp, value, sizeof value);
		return 0;
	}
	if (**pp != '.')
		return -1;
	(*pp)++;
	skip_cfws(pp);
	if (read_keyword(pp, prop, sizeof prop) == 0)
		return -1;
	skip_cfws(pp);
	if (**pp != '=')
		return -1;
	(*pp)++;
	skip_cfws(pp);
	read_value(pp, value, sizeof value);
	if (d == NULL || strcmp(ptype, "header") != 0)
		return 0;
	if (strcmp(prop, "d") == 0) {
		set_domain(d, value, 0);
		*have_d = 1;
	} else if (strcmp(prop, "i") == 0 && !*have_d) {
		set_domain(d, value, 1);
	}
	return 0;
}

/* One resinfo after its ';': "method[/version] = result [reason] [props]". */
static void read_resinfo(const char **pp, struct authres *out)
{
	char method[32];
	struct authres_dkim d;
	int have_d = 0, is_dkim;

	memset(&d, 0, sizeof d);
	skip_cfws(pp);
	if (read_keyword(pp, method, sizeof method) == 0)
		goto malformed;
	skip_cfws(pp);
	if (**pp == '/') {
		(*pp)++;
		skip_cfws(pp);
		while (isdigit((unsigned char)**pp))
			(*pp)++;
		skip_cfws(pp);
	}
	if (**pp != '=')
		goto malformed;
	(*pp)++;
	skip_cfws(pp);
	if (read_keyword(pp, d.result, sizeof d.result) == 0)
		goto malformed;
	is_dkim = strcmp(method, "dkim") == 0;
	for (;;) {
		skip_cfws(pp);
		if (**pp == '\0' || **pp == ';')
			break;
		if (read_prop(pp, is_dkim ? &d : NULL, &have_d) != 0)
			goto malformed;
	}
	if (is_dkim && out->n_dkim < AUTHRES_MAX_DKIM)
		out->dkim[out->n_dkim++] = d;
	return;
malformed:
	skip_to_semicolon(pp);
}

int authres_parse(const char *value, struct authres *out)
{
	const char *p = value, *q;

	memset(out, 0, sizeof *out);
	if (value == NULL)
		return -1;
	skip_cfws(&p);
	read_value(&p, out->authserv_id, sizeof out->authserv_id);
	if (out->authserv_id[0] == '\0')
		return -1;
	skip_cfws(&p);
	/* an optional authres-version: digits standing alone */
	for (q = p; isdigit((unsigned char)*q); q++)
		continue;
	if (q != p && (*q == '\0' || *q == ';' || *q == '(' || isspace((unsigned char)*q)))
		p = q;
	for (;;) {
		skip_cfws(&p);
		if (*p == '\0')
			break;
		if (*p != ';') {
			skip_to_semicolon(&p);
			continue;
		}
		p++;
		read_resinfo(&p, out);
	}
	return 0;
}

int authres_aligned(const char *d, const char *s)
{
	const char *shorter;

	if (d == NULL || s == NULL || *d == '\0' || *s == '\0')
		return 0;
	shorter = strlen(d) > strlen(s) ? s : d;
	if (strchr(shorter, '.') == NULL)
		return 0;
	return domain_within(d, s) || domain_within(s, d);
}

static int is_trusted(const char *id, const char *const *trusted, size_t ntrusted)
{
	size_t i;

	for (i = 0; i < ntrusted; i++)
		if (strcasecmp(id, trusted[i]) == 0)
			return 1;
	return 0;
}

enum authres_verdict authres_verdict(const struct authres *hdrs, size_t n,
                                     const char *const *trusted, size_t ntrusted,
                                     const char *submitter)
{
	size_t i, j;
	int seen = 0;

	if (ntrusted == 0)
		return AUTHRES_UNKNOWN;
	for (i = 0; i < n; i++) {
		if (!is_trusted(hdrs[i].authserv_id, trusted, ntrusted))
			continue;
		for (j = 0; j < hdrs[i].n_dkim; j++) {
			const struct authres_dkim *d = &hdrs[i].dkim[j];

			/* "none" says there was no signature: not a result */
			if (strcmp(d->result, "none") == 0)
				continue;
			seen = 1;
			if (strcmp(d->result, "pass") == 0 && authres_aligned(d->domain, submitter))
				return AUTHRES_PASS;
		}
	}
	return seen ? AUTHRES_FAIL : AUTHRES_NONE;
}

const char *authres_verdict_name(enum authres_verdict v)
{
	switch (v) {
	case AUTHRES_UNKNOWN: return "unknown";
	case AUTHRES_NONE: return "none";
	case AUTHRES_FAIL: return "fail";
	case AUTHRES_PASS: return "pass";
	}
	return "unknown";
}
