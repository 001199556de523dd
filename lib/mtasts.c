/*
 * mtasts: the MTA-STS policy parser and its normalised text (see mtasts.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mtasts.h"

struct parse_state {
	int have_version, have_mode, have_max_age;
	struct mtasts_policy *p;
	size_t cap_mx;
};

const char *mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_ENFORCE: return "enforce";
	case MTASTS_TESTING: return "testing";
	case MTASTS_NONE: return "none";
	}
	return "?";
}

struct mtasts_policy *mtasts_free(struct mtasts_policy *p)
{
	size_t i;

	if (p == NULL)
		return NULL;
	for (i = 0; i < p->n_mx; i++)
		free(p->mx[i]);
	free(p->mx);
	free(p->text);
	free(p);
	return NULL;
}

static int is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* A host name, or "*." and a host name (RFC 8461 §3.2 mx). */
static int valid_mx(const char *v, size_t len)
{
	size_t i, label = 0;

	if (len >= 2 && v[0] == '*' && v[1] == '.') {
		v += 2;
		len -= 2;
	}
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (v[i] == '.') {
			if (label == 0 || v[i - 1] == '-')
				return 0;
			label = 0;
		} else if (!is_ldh(v[i]) || ++label > 63 || (label == 1 && v[i] == '-')) {
			return 0;
		}
	}
	return label > 0 && v[len - 1] != '-';
}

static enum tr_err add_mx(struct parse_state *st, const char *v, size_t len, struct tr_error *err)
{
	struct mtasts_policy *p = st->p;
	char *copy;
	size_t i;

	if (p->n_mx == MTASTS_MAX_MX)
		return tr_error_set(err, TR_ERR_LIMIT, "more than %d mx lines", MTASTS_MAX_MX);
	if (p->n_mx == st->cap_mx) {
		size_t cap = st->cap_mx ? st->cap_mx * 2 : 4;
		char **mx = realloc(p->mx, cap * sizeof *mx);

		if (mx == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
		p->mx = mx;
		st->cap_mx = cap;
	}
	copy = malloc(len + 1);
	if (copy == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	for (i = 0; i < len; i++)
		copy[i] = (v[i] >= 'A' && v[i] <= 'Z') ? (char)(v[i] - 'A' + 'a') : v[i];
	copy[len] = '\0';
	p->mx[p->n_mx++] = copy;
	return TR_OK;
}

static int value_is(const char *v, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(v, want, len) == 0;
}

static enum tr_err parse_max_age(struct parse_state *st, const char *v, size_t len,
                                 struct tr_error *err)
{
	int64_t n = 0;
	size_t i;

	if (len == 0 || len > 10)
		return tr_error_set(err, TR_ERR_FORMAT, "max_age: not a number of seconds up to %d",
		                    MTASTS_MAX_AGE_LIMIT);
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return tr_error_set(err, TR_ERR_FORMAT, "max_age: not a number");
		n = n * 10 + (v[i] - '0');
	}
	if (n > MTASTS_MAX_AGE_LIMIT)
		return tr_error_set(err, TR_ERR_FORMAT, "max_age: %lld is over %d (RFC 8461 section 3.2)",
		                    (long long)n, MTASTS_MAX_AGE_LIMIT);
	st->p->max_age = n;
	st->have_max_age = 1;
	return TR_OK;
}

static enum tr_err parse_field(struct parse_state *st, const char *k, size_t klen, const char *v,
                               size_t vlen, struct tr_error *err)
{
	if (value_is(k, klen, "version")) {
		if (st->have_version)
			return tr_error_set(err, TR_ERR_FORMAT, "version given twice");
		if (!value_is(v, vlen, "STSv1"))
			return tr_error_set(err, TR_ERR_FORMAT, "version: must be STSv1");
		st->have_version = 1;
	} else if (value_is(k, klen, "mode")) {
		if (st->have_mode)
			return tr_error_set(err, TR_ERR_FORMAT, "mode given twice");
		if (value_is(v, vlen, "enforce"))
			st->p->mode = MTASTS_ENFORCE;
		else if (value_is(v, vlen, "testing"))
			st->p->mode = MTASTS_TESTING;
		else if (value_is(v, vlen, "none"))
			st->p->mode = MTASTS_NONE;
		else
			return tr_error_set(err, TR_ERR_FORMAT, "mode: must be enforce, testing or none");
		st->have_mode = 1;
	} else if (value_is(k, klen, "max_age")) {
		if (st->have_max_age)
			return tr_error_set(err, TR_ERR_FORMAT, "max_age given twice");
		return parse_max_age(st, v, vlen, err);
	} else if (value_is(k, klen, "mx")) {
		if (!valid_mx(v, vlen))
			return tr_error_set(err, TR_ERR_FORMAT, "mx: not a host name or *.host name");
		return add_mx(st, v, vlen, err);
	}
	return TR_OK; /* an extension field: ignored (RFC 8461 section 3.2) */
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One line without its end: "key: value", blanks around the value. */
static enum tr_err parse_line(struct parse_state *st, const char *l, size_t len, struct tr_error *err)
{
	const char *colon;
	size_t klen, i;

	while (len > 0 && is_blank(l[len - 1]))
		len--;
	if (len == 0)
		return TR_OK;
	colon = memchr(l, ':', len);
	if (colon == NULL)
		return tr_error_set(err, TR_ERR_FORMAT, "not a \"key: value\" line");
	klen = (size_t)(colon - l);
	for (i = 0; i < klen; i++)
		if (!is_ldh(l[i]) && l[i] != '_')
			return tr_error_set(err, TR_ERR_FORMAT, "bad character in the key");
	if (klen == 0)
		return tr_error_set(err, TR_ERR_FORMAT, "empty key");
	i = klen + 1;
	while (i < len && is_blank(l[i]))
		i++;
	for (size_t j = i; j < len; j++)
		if ((unsigned char)l[j] < 0x20 || (unsigned char)l[j] > 0x7e)
			return tr_error_set(err, TR_ERR_FORMAT, "control or non-ASCII character");
	return parse_field(st, l, klen, l + i, len - i, err);
}

static enum tr_err render(struct mtasts_policy *p, struct tr_error *err)
{
	struct buf b;
	char line[64];
	uint64_t h = 0xcbf29ce484222325ull;
	enum tr_err rc;
	size_t i;
	int n;

	buf_init(&b, MTASTS_MAX_BYTES);
	rc = buf_append(&b, "version: STSv1\r\nmode: ", 22);
	if (rc == TR_OK)
		rc = buf_append(&b, mtasts_mode_name(p->mode), strlen(mtasts_mode_name(p->mode)));
	if (rc == TR_OK)
		rc = buf_append(&b, "\r\n", 2);
	for (i = 0; i < p->n_mx && rc == TR_OK; i++) {
		rc = buf_append(&b, "mx: ", 4);
		if (rc == TR_OK)
			rc = buf_append(&b, p->mx[i], strlen(p->mx[i]));
		if (rc == TR_OK)
			rc = buf_append(&b, "\r\n", 2);
	}
	n = snprintf(line, sizeof line, "max_age: %lld\r\n", (long long)p->max_age);
	if (rc == TR_OK)
		rc = buf_append(&b, line, (size_t)n);
	if (rc != TR_OK) {
		buf_free(&b);
		return tr_error_set(err, rc, rc == TR_ERR_LIMIT ? "policy over %d bytes" : "out of memory",
		                    MTASTS_MAX_BYTES);
	}
	for (i = 0; i < b.len; i++) {
		h ^= (unsigned char)b.data[i];
		h *= 0x100000001b3ull;
	}
	snprintf(p->id, sizeof p->id, "%016llx", (unsigned long long)h);
	p->text = buf_detach(&b, &p->text_len);
	if (p->text == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	return TR_OK;
}

static enum tr_err check_whole(const struct parse_state *st, struct tr_error *err)
{
	if (!st->have_version)
		return tr_error_set(err, TR_ERR_FORMAT, "no version line (version: STSv1)");
	if (!st->have_mode)
		return tr_error_set(err, TR_ERR_FORMAT, "no mode line");
	if (!st->have_max_age)
		return tr_error_set(err, TR_ERR_FORMAT, "no max_age line");
	if (st->p->mode != MTASTS_NONE && st->p->n_mx == 0)
		return tr_error_set(err, TR_ERR_FORMAT, "no mx line (required unless mode is none)");
	return TR_OK;
}

enum tr_err mtasts_parse(const char *data, size_t len, struct mtasts_policy **out,
                         struct tr_error *err)
{
	struct parse_state st;
	size_t pos = 0, lineno = 0;
	enum tr_err rc = TR_OK;
	char where[32];

	*out = NULL;
	if (len > MTASTS_MAX_BYTES)
		return tr_error_set(err, TR_ERR_LIMIT, "policy over %d bytes", MTASTS_MAX_BYTES);
	memset(&st, 0, sizeof st);
	st.p = calloc(1, sizeof *st.p);
	if (st.p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	while (pos < len && rc == TR_OK) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - data) : len, l = end - pos;

		lineno++;
		if (l > 0 && data[pos + l - 1] == '\r')
			l--;
		rc = parse_line(&st, data + pos, l, err);
		if (rc != TR_OK) {
			snprintf(where, sizeof where, "line %zu", lineno);
			tr_error_prefix(err, where);
		}
		pos = end + 1;
	}
	if (rc == TR_OK)
		rc = check_whole(&st, err);
	if (rc == TR_OK)
		rc = render(st.p, err);
	if (rc != TR_OK) {
		mtasts_free(st.p);
		return rc;
	}
	*out = st.p;
	return TR_OK;
}
