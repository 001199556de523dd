/*
 * txtrec: the _mta-sts and _smtp._tls TXT records, by the ABNF of RFC 8461
 * section 3.1 and RFC 8460 section 3.  Fields are split at ';' with
 * optional white space around it; the version must come first.
 */
#include <stdio.h>
#include <string.h>

#include "txtrec.h"

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int starts_version(const char *txt, size_t len, const char *v)
{
	size_t n = strlen(v);

	if (len < n || memcmp(txt, v, n) != 0)
		return 0;
	return len == n || txt[n] == ';' || is_wsp(txt[n]);
}

int txtrec_is_sts(const char *txt, size_t len)
{
	return starts_version(txt, len, "v=STSv1");
}

int txtrec_is_tlsrpt(const char *txt, size_t len)
{
	return starts_version(txt, len, "v=TLSRPTv1");
}

/* One field of a record: [start, end) without the white space around. */
struct field {
	const char *p;
	size_t len;
};

/*
 * Split txt into fields at ';'.  A trailing ';' is allowed; an empty field
 * elsewhere is not.  Returns the number of fields, or -1 when there are
 * more than max or an empty one.
 */
static int split_fields(const char *txt, size_t len, struct field *out, int max)
{
	size_t i = 0, start, end;
	int n = 0;

	while (i < len) {
		while (i < len && is_wsp(txt[i]))
			i++;
		start = i;
		while (i < len && txt[i] != ';')
			i++;
		end = i;
		while (end > start && is_wsp(txt[end - 1]))
			end--;
		if (end == start) {
			if (i >= len && n > 0)
				break;       /* "v=STSv1; id=x;" ends with an empty field */
			return -1;
		}
		if (n == max)
			return -1;
		out[n].p = txt + start;
		out[n].len = end - start;
		n++;
		if (i < len)
			i++;             /* the ';' */
		if (i == len && txt[len - 1] == ';')
			break;
	}
	return n;
}

/* Field "name=value": the value, or NULL when the field is another. */
static const char *field_value(const struct field *f, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if (f->len <= n || memcmp(f->p, name, n) != 0 || f->p[n] != '=')
		return NULL;
	*vlen = f->len - n - 1;
	return f->p + n + 1;
}

/* ext-name "=" ext-value of RFC 8461 / RFC 8460 */
static int is_extension(const struct field *f)
{
	size_t i = 0;

	while (i < f->len && f->p[i] != '=')
		i++;
	if (i == 0 || i > 32 || i == f->len || i + 1 == f->len || !is_alnum(f->p[0]))
		return 0;
	for (size_t k = 1; k < i; k++)
		if (!is_alnum(f->p[k]) && f->p[k] != '_' && f->p[k] != '-' && f->p[k] != '.')
			return 0;
	for (size_t k = i + 1; k < f->len; k++) {
		unsigned char c = (unsigned char)f->p[k];

		if (c < 0x21 || c > 0x7e || c == ';' || c == '=')
			return 0;
	}
	return 1;
}

#define MAX_FIELDS 32

enum tr_err txtrec_parse_sts(const char *txt, size_t len, char id_out[TXTREC_STS_ID_MAX + 1],
                             struct tr_error *err)
{
	struct field f[MAX_FIELDS];
	const char *v;
	size_t vlen = 0;
	int n, have_id = 0;

	id_out[0] = '\0';
	n = split_fields(txt, len, f, MAX_FIELDS);
	if (n < 1)
		return tr_error_set(err, TR_ERR_FORMAT, "empty field or more than %d fields", MAX_FIELDS);
	if (f[0].len != 7 || memcmp(f[0].p, "v=STSv1", 7) != 0)
		return tr_error_set(err, TR_ERR_FORMAT, "does not start with v=STSv1");
	for (int i = 1; i < n; i++) {
		v = field_value(&f[i], "id", &vlen);
		if (v == NULL) {
			if (!is_extension(&f[i]))
				return tr_error_set(err, TR_ERR_FORMAT, "field %d: not name=value", i + 1);
			continue;
		}
		if (have_id)
			return tr_error_set(err, TR_ERR_FORMAT, "id given twice");
		if (vlen == 0)
			return tr_error_set(err, TR_ERR_FORMAT, "id: empty");
		if (vlen > TXTREC_STS_ID_MAX)
			return tr_error_set(err, TR_ERR_FORMAT, "id: %zu characters, at most %d", vlen,
			                    TXTREC_STS_ID_MAX);
		for (size_t k = 0; k < vlen; k++)
			if (!is_alnum(v[k]))
				return tr_error_set(err, TR_ERR_FORMAT,
				                    "id: only letters and digits are allowed");
		memcpy(id_out, v, vlen);
		id_out[vlen] = '\0';
		have_id = 1;
	}
	if (!have_id)
		return tr_error_set(err, TR_ERR_FORMAT, "no id field (or an empty one)");
	return TR_OK;
}

/* RFC 3986 characters a URI may hold, less ',' and ';' (RFC 8460: they
 * must be percent-encoded in a rua URI). */
static int is_uri_char(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("-._~:/?#[]@!$&'()*+=%", c) != NULL);
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Every '%' starts "%XX". */
static int valid_pct(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%')
			continue;
		if (len - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
			return 0;
		i += 2;
	}
	return 1;
}

int txtrec_is_hostname(const char *s, size_t len)
{
	size_t label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return 0;
			label = 0;
		} else if (is_alnum(s[i]) || s[i] == '-') {
			label++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* mailto:local@domain[?hfields]; the domain a host name. */
static int valid_mailto(const char *u, size_t len)
{
	const char *at, *end = memchr(u, '?', len);
	size_t alen = end != NULL ? (size_t)(end - u) : len;

	at = memchr(u, '@', alen);
	if (at == NULL || at == u)
		return 0;
	if (memchr(at + 1, '@', alen - (size_t)(at + 1 - u)) != NULL)
		return 0;
	return txtrec_is_hostname(at + 1, alen - (size_t)(at + 1 - u));
}

/* https://host[:port][/path]: a host name (IP literals are not used for
 * report submission), a port of digits. */
static int valid_https(const char *u, size_t len)
{
	size_t h = 0, p;

	if (len < 2 || u[0] != '/' || u[1] != '/')
		return 0;
	u += 2;
	len -= 2;
	while (h < len && u[h] != '/' && u[h] != ':' && u[h] != '?' && u[h] != '#')
		h++;
	if (memchr(u, '@', h) != NULL || !txtrec_is_hostname(u, h))
		return 0;
	if (h < len && u[h] == ':') {
		p = h + 1;
		while (p < len && u[p] >= '0' && u[p] <= '9')
			p++;
		if (p == h + 1 || p - h - 1 > 5 || (p < len && u[p] != '/' && u[p] != '?'))
			return 0;
	}
	return 1;
}

static enum tr_err check_uri(const char *u, size_t len, struct tr_error *err)
{
	for (size_t i = 0; i < len; i++)
		if (!is_uri_char(u[i]))
			return tr_error_set(err, TR_ERR_FORMAT,
			                    "rua: URI %zu bytes long holds a character not allowed in a URI",
			                    len);
	if (!valid_pct(u, len))
		return tr_error_set(err, TR_ERR_FORMAT, "rua: a bad percent-escape");
	if (len > 7 && strncmp(u, "mailto:", 7) == 0) {
		if (!valid_mailto(u + 7, len - 7))
			return tr_error_set(err, TR_ERR_FORMAT, "rua: '%.*s' is not mailto:LOCAL@DOMAIN",
			                    (int)(len > 100 ? 100 : len), u);
		return TR_OK;
	}
	if (len > 6 && strncmp(u, "https:", 6) == 0) {
		if (!valid_https(u + 6, len - 6))
			return tr_error_set(err, TR_ERR_FORMAT, "rua: '%.*s' is not https://HOST/PATH",
			                    (int)(len > 100 ? 100 : len), u);
		return TR_OK;
	}
	return tr_error_set(err, TR_ERR_FORMAT, "rua: '%.*s' is neither mailto: nor https:",
	                    (int)(len > 100 ? 100 : len), u);
}

static enum tr_err parse_rua(const char *v, size_t vlen, struct txtrec_tlsrpt *out,
                             struct tr_error *err)
{
	size_t i = 0, start, end;
	enum tr_err rc;

	while (i <= vlen) {
		while (i < vlen && is_wsp(v[i]))
			i++;
		start = i;
		while (i < vlen && v[i] != ',')
			i++;
		end = i;
		while (end > start && is_wsp(v[end - 1]))
			end--;
		if (end == start)
			return tr_error_set(err, TR_ERR_FORMAT, "rua: an empty URI");
		if (out->n_rua == TXTREC_RUA_MAX)
			return tr_error_set(err, TR_ERR_FORMAT, "rua: more than %d URIs", TXTREC_RUA_MAX);
		if (end - start >= TXTREC_URI_MAX)
			return tr_error_set(err, TR_ERR_FORMAT, "rua: a URI longer than %d bytes",
			                    TXTREC_URI_MAX - 1);
		rc = check_uri(v + start, end - start, err);
		if (rc != TR_OK)
			return rc;
		memcpy(out->rua[out->n_rua], v + start, end - start);
		out->rua[out->n_rua][end - start] = '\0';
		out->n_rua++;
		i++;  /* the ',' or past the end */
	}
	return TR_OK;
}

enum tr_err txtrec_parse_tlsrpt(const char *txt, size_t len, struct txtrec_tlsrpt *out,
                                struct tr_error *err)
{
	struct field f[MAX_FIELDS];
	const char *v;
	size_t vlen = 0;
	int n, have_rua = 0;
	enum tr_err rc;

	memset(out, 0, sizeof *out);
	n = split_fields(txt, len, f, MAX_FIELDS);
	if (n < 1)
		return tr_error_set(err, TR_ERR_FORMAT, "empty field or more than %d fields", MAX_FIELDS);
	if (f[0].len != 10 || memcmp(f[0].p, "v=TLSRPTv1", 10) != 0)
		return tr_error_set(err, TR_ERR_FORMAT, "does not start with v=TLSRPTv1");
	for (int i = 1; i < n; i++) {
		v = field_value(&f[i], "rua", &vlen);
		if (v == NULL) {
			if (!is_extension(&f[i]))
				return tr_error_set(err, TR_ERR_FORMAT, "field %d: not name=value", i + 1);
			continue;
		}
		if (have_rua)
			return tr_error_set(err, TR_ERR_FORMAT, "rua given twice");
		rc = parse_rua(v, vlen, out, err);
		if (rc != TR_OK)
			return rc;
		have_rua = 1;
	}
	if (!have_rua)
		return tr_error_set(err, TR_ERR_FORMAT, "no rua field");
	return TR_OK;
}
