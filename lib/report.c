/*
 * report: the RFC 8460 §4 report model (see report.h).  Takes inflated JSON
 * from extract and hands a validated struct to store and summary.
 *
 * The input is hostile, so before cJSON sees a byte a linear pre-scan
 * refuses nesting deeper than max_json_depth (a 10,000-deep document costs
 * one scan, no allocation).  The tree is then walked once: each object's
 * members are matched against a table of known keys, unknown keys are
 * skipped.
 *
 * Choices made where senders disagree with the RFC or with each other:
 * - duplicate keys: the FIRST occurrence wins, later ones are ignored
 *   ("receiving-mx-host-name" counts as a duplicate of
 *   "receiving-mx-hostname");
 * - null is read as missing, for strings, string lists and counts alike;
 * - a string that is not valid UTF-8 has each maximal invalid subsequence
 *   replaced with U+FFFD, so everything stored and printed is UTF-8;
 * - an escaped \u0000 TRUNCATES the string there (cJSON keeps C strings);
 * - policy-string and mx-host accept one string in place of an array, and
 *   a string that itself holds JSON (Microsoft's TLSA records) is kept
 *   verbatim as one entry;
 * - anything after the JSON value other than whitespace or NUL bytes is an
 *   error.
 *
 * cJSON's tree is cut from an arena and released whole once the model is
 * built (below); the model's strings are copies, freed with free().
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "datetime.h"
#include "report.h"

/*
 * cJSON allocates through one set of hooks for the whole process, with no
 * way to read them back and no allocator per parse: a library that set
 * them would change every other cJSON user of the process.  So they are
 * set only when the program asks (report_use_cjson_arena(), at start-up):
 * while a thread reads a report, they then cut that report's tree from
 * the thread's arena, released at once when the model is built (a malloc
 * and a free per node cost more than the parse, and a large tree freed
 * node by node between the live strings of other reports fragmented the
 * heap: a second import thread took twice the CPU on 5 MB reports, in
 * malloc_consolidate).  Nothing else frees through cJSON while the arena
 * is in use, so a free then is a piece of it and does nothing; outside a
 * parse, and on every other thread, the hooks are malloc and free, so the
 * program's other cJSON users see no difference.  Without the call the
 * tree is cJSON's own, freed with cJSON_Delete().
 */
static _Thread_local struct arena *tree_arena;
static atomic_int arena_hooks; /* report_use_cjson_arena() was called */

static void *tree_malloc(size_t n)
{
	return tree_arena != NULL ? arena_alloc(tree_arena, n) : malloc(n);
}

static void tree_free(void *p)
{
	if (tree_arena == NULL)
		free(p);
}

void report_use_cjson_arena(void)
{
	cJSON_Hooks hooks = { tree_malloc, tree_free };

	cJSON_InitHooks(&hooks);
	atomic_store(&arena_hooks, 1);
}

#define MAX_EXACT_COUNT 9007199254740992.0 /* 2^53 */
#define NO_INDEX ((size_t)-1)

struct parse_ctx {
	const struct tr_limits *lim;
	struct tr_error *err;
	const char *fallback_domain;
	size_t pol;         /* index in policies, NO_INDEX outside */
	size_t fail;        /* index in failure-details, NO_INDEX outside */
	const char *obj;    /* sub-object being read ("summary"), or NULL */
};

/* Field reader for a table entry; base is the struct being filled. */
typedef enum tr_err (*field_reader)(struct parse_ctx *c, cJSON *item, void *base);

enum field_kind { F_STRING, F_COUNT, F_STRLIST, F_CUSTOM };

struct field_def {
	const char *key;
	enum field_kind kind;
	unsigned slot;       /* first-wins bit; an alias shares its field's slot */
	size_t off;          /* offset of the char *, uint64_t or char ** */
	size_t off_n;        /* F_STRLIST: offset of the size_t count */
	field_reader read;   /* F_CUSTOM */
};

static size_t append_fmt(char *dst, size_t size, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append_fmt(char *dst, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (n >= size)
		return n;
	va_start(ap, fmt);
	w = vsnprintf(dst + n, size - n, fmt, ap);
	va_end(ap);
	if (w < 0)
		return n;
	return (size_t)w >= size - n ? size - 1 : n + (size_t)w;
}

/*
 * Record an error at the current position, naming the full path:
 * "policies[1].failure-details[0].failed-session-count: negative".
 * key may be NULL (the error is about the enclosing element).
 */
static enum tr_err fail_at(const struct parse_ctx *c, enum tr_err code, const char *key,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum tr_err fail_at(const struct parse_ctx *c, enum tr_err code, const char *key,
                           const char *fmt, ...)
{
	char where[160], why[TR_ERROR_MSG_MAX];
	size_t n = 0;
	va_list ap;

	where[0] = '\0';
	if (c->pol != NO_INDEX)
		n = append_fmt(where, sizeof where, n, "policies[%zu]", c->pol);
	if (c->fail != NO_INDEX)
		n = append_fmt(where, sizeof where, n, ".failure-details[%zu]", c->fail);
	if (c->obj != NULL)
		n = append_fmt(where, sizeof where, n, "%s%s", n ? "." : "", c->obj);
	if (key != NULL)
		n = append_fmt(where, sizeof where, n, "%s%s", n ? "." : "", key);
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return tr_error_set(c->err, code, "%s: %s", n ? where : "report", why);
}

/* ---- UTF-8 ---------------------------------------------------------- */

/*
 * Length of the valid UTF-8 sequence at p[0..n), or 0 when it is invalid,
 * with *bad set to the length of the maximal invalid subpart (>= 1).
 */
static size_t utf8_seq(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

static int utf8_valid(const unsigned char *p, size_t len)
{
	size_t i = 0, bad, k;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, len - i, &bad);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* A new copy of p[0..len) with invalid sequences replaced by U+FFFD. */
static char *utf8_sanitize(const unsigned char *p, size_t len)
{
	static const unsigned char fffd[3] = { 0xef, 0xbf, 0xbd };
	size_t i = 0, o = 0, bad, k;
	unsigned char *out;

	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(len * 3 + 1);
	if (out == NULL)
		return NULL;
	while (i < len) {
		k = utf8_seq(p + i, len - i, &bad);
		if (k == 0) {
			memcpy(out + o, fffd, 3);
			o += 3;
			i += bad;
			continue;
		}
		memcpy(out + o, p + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return (char *)out;
}

/* ---- leaves: strings, counts, string lists ------------------------- */

/* A copy of item's string in *dst (NULL when the item is null): the
 * tree's own goes with its arena. */
static enum tr_err take_string(struct parse_ctx *c, cJSON *item, const char *key,
                               int allow_null, char **dst)
{
	size_t len;
	char *s;

	if (allow_null && cJSON_IsNull(item))
		return TR_OK;
	if (!cJSON_IsString(item) || item->valuestring == NULL)
		return fail_at(c, TR_ERR_FORMAT, key, "not a string");
	s = item->valuestring;
	len = strlen(s);
	if (len > c->lim->max_string_len)
		return fail_at(c, TR_ERR_LIMIT, key, "longer than %zu bytes",
		               c->lim->max_string_len);
	if (utf8_valid((const unsigned char *)s, len)) {
		*dst = malloc(len + 1);
		if (*dst != NULL)
			memcpy(*dst, s, len + 1);
	} else {
		*dst = utf8_sanitize((const unsigned char *)s, len);
	}
	if (*dst == NULL)
		return fail_at(c, TR_ERR_NOMEM, key, "out of memory");
	return TR_OK;
}

/* An RFC 8460 count: an integral JSON number in [0, 2^53]; null is 0. */
static enum tr_err take_count(struct parse_ctx *c, const cJSON *item, const char *key,
                              uint64_t *dst)
{
	double d;

	if (cJSON_IsNull(item))
		return TR_OK;
	if (!cJSON_IsNumber(item))
		return fail_at(c, TR_ERR_FORMAT, key, "not a number");
	d = item->valuedouble;
	if (d < 0)
		return fail_at(c, TR_ERR_FORMAT, key, "negative");
	if (!(d <= MAX_EXACT_COUNT))
		return fail_at(c, TR_ERR_FORMAT, key, "too large");
	if ((double)(uint64_t)d != d)
		return fail_at(c, TR_ERR_FORMAT, key, "not an integer");
	*dst = (uint64_t)d;
	return TR_OK;
}

/* Number of children of a container, counting no further than stop. */
static size_t count_children(const cJSON *item, size_t stop)
{
	const cJSON *it;
	size_t n = 0;

	for (it = item->child; it != NULL && n < stop; it = it->next)
		n++;
	return n;
}

/* policy-string or mx-host: an array of strings, or one bare string. */
static enum tr_err take_string_list(struct parse_ctx *c, cJSON *item, const char *key,
                                    char ***list, size_t *count)
{
	size_t n, i = 0;
	cJSON *it;
	char name[64];
	enum tr_err rc;

	if (cJSON_IsNull(item))
		return TR_OK;
	if (cJSON_IsString(item))
		n = 1;
	else if (cJSON_IsArray(item))
		n = count_children(item, c->lim->max_strings + 1);
	else
		return fail_at(c, TR_ERR_FORMAT, key, "not an array or a string");
	if (n > c->lim->max_strings)
		return fail_at(c, TR_ERR_LIMIT, key, "more than %zu entries", c->lim->max_strings);
	if (n == 0)
		return TR_OK;
	*list = calloc(n, sizeof **list);
	if (*list == NULL)
		return fail_at(c, TR_ERR_NOMEM, key, "out of memory");
	*count = n;
	if (cJSON_IsString(item))
		return take_string(c, item, key, 0, &(*list)[0]);
	for (it = item->child; it != NULL; it = it->next, i++) {
		snprintf(name, sizeof name, "%s[%zu]", key, i);
		rc = take_string(c, it, name, 0, &(*list)[i]);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

/* ---- objects: a table of keys per object --------------------------- */

static const struct field_def *find_field(const struct field_def *defs, size_t ndefs,
                                          const char *key)
{
	size_t i;

	if (key == NULL)
		return NULL;
	for (i = 0; i < ndefs; i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

static enum tr_err read_field(struct parse_ctx *c, cJSON *item, const struct field_def *d,
                              void *base)
{
	char *p = base;

	switch (d->kind) {
	case F_STRING:
		return take_string(c, item, d->key, 1, (char **)(void *)(p + d->off));
	case F_COUNT:
		return take_count(c, item, d->key, (uint64_t *)(void *)(p + d->off));
	case F_STRLIST:
		return take_string_list(c, item, d->key, (char ***)(void *)(p + d->off),
		                        (size_t *)(void *)(p + d->off_n));
	case F_CUSTOM:
		return d->read(c, item, base);
	}
	return fail_at(c, TR_ERR_FORMAT, d->key, "internal: unknown field kind");
}

/*
 * Walk obj's members once, filling base through the table; unknown keys
 * are skipped and a repeated key keeps its first value.  *seen gets one
 * bit per slot that was present.
 */
static enum tr_err read_object(struct parse_ctx *c, cJSON *obj, const struct field_def *defs,
                               size_t ndefs, void *base, unsigned *seen)
{
	const struct field_def *d;
	cJSON *it;
	enum tr_err rc;

	*seen = 0;
	if (!cJSON_IsObject(obj))
		return fail_at(c, TR_ERR_FORMAT, NULL, cJSON_IsNull(obj) ? "missing" : "not an object");
	for (it = obj->child; it != NULL; it = it->next) {
		d = find_field(defs, ndefs, it->string);
		if (d == NULL || (*seen & (1u << d->slot)))
			continue;
		*seen |= 1u << d->slot;
		rc = read_field(c, it, d, base);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

#define TABLE_LEN(t) (sizeof(t) / sizeof((t)[0]))

/* ---- failure-details ------------------------------------------------ */

#define FAIL_STR(key, slot, field) \
	{ key, F_STRING, slot, offsetof(struct tlsrpt_failure, field), 0, NULL }

static const struct field_def failure_fields[] = {
	FAIL_STR("result-type", 0, result_type),
	FAIL_STR("sending-mta-ip", 1, sending_mta_ip),
	FAIL_STR("receiving-mx-hostname", 2, receiving_mx_hostname),
	FAIL_STR("receiving-mx-host-name", 2, receiving_mx_hostname), /* SocketLabs */
	FAIL_STR("receiving-mx-helo", 3, receiving_mx_helo),
	FAIL_STR("receiving-ip", 4, receiving_ip),
	{ "failed-session-count", F_COUNT, 5,
	  offsetof(struct tlsrpt_failure, failed_session_count), 0, NULL },
	FAIL_STR("additional-information", 6, additional_information),
	FAIL_STR("failure-reason-code", 7, failure_reason_code),
};

static enum tr_err read_failures(struct parse_ctx *c, cJSON *item, void *base)
{
	struct tlsrpt_policy *pol = base;
	unsigned seen;
	size_t n, i = 0;
	cJSON *it;
	enum tr_err rc;

	if (cJSON_IsNull(item))
		return TR_OK;
	if (!cJSON_IsArray(item))
		return fail_at(c, TR_ERR_FORMAT, "failure-details", "not an array");
	n = count_children(item, c->lim->max_failures + 1);
	if (n > c->lim->max_failures)
		return fail_at(c, TR_ERR_LIMIT, "failure-details", "more than %zu entries",
		               c->lim->max_failures);
	if (n == 0)
		return TR_OK;
	pol->failures = calloc(n, sizeof *pol->failures);
	if (pol->failures == NULL)
		return fail_at(c, TR_ERR_NOMEM, "failure-details", "out of memory");
	pol->n_failures = n;
	for (it = item->child; it != NULL; it = it->next, i++) {
		c->fail = i;
		rc = read_object(c, it, failure_fields, TABLE_LEN(failure_fields),
		                 &pol->failures[i], &seen);
		if (rc != TR_OK)
			return rc;
	}
	c->fail = NO_INDEX;
	return TR_OK;
}

/* ---- policies -------------------------------------------------------- */

static const struct field_def policy_desc_fields[] = {
	{ "policy-type", F_STRING, 0, offsetof(struct tlsrpt_policy, policy_type), 0, NULL },
	{ "policy-string", F_STRLIST, 1, offsetof(struct tlsrpt_policy, policy_strings),
	  offsetof(struct tlsrpt_policy, n_policy_strings), NULL },
	{ "policy-domain", F_STRING, 2, offsetof(struct tlsrpt_policy, policy_domain), 0, NULL },
	{ "mx-host", F_STRLIST, 3, offsetof(struct tlsrpt_policy, mx_hosts),
	  offsetof(struct tlsrpt_policy, n_mx_hosts), NULL },
};

static const struct field_def summary_fields[] = {
	{ "total-successful-session-count", F_COUNT, 0,
	  offsetof(struct tlsrpt_policy, total_successful), 0, NULL },
	{ "total-failure-session-count", F_COUNT, 1,
	  offsetof(struct tlsrpt_policy, total_failure), 0, NULL },
};

static enum tr_err read_policy_desc(struct parse_ctx *c, cJSON *item, void *base)
{
	struct tlsrpt_policy *pol = base;
	unsigned seen;
	enum tr_err rc;

	c->obj = "policy";
	rc = read_object(c, item, policy_desc_fields, TABLE_LEN(policy_desc_fields), pol, &seen);
	if (rc != TR_OK)
		return rc;
	if (pol->policy_type == NULL)
		return fail_at(c, TR_ERR_FORMAT, "policy-type", "missing");
	if (pol->policy_domain == NULL && c->fallback_domain != NULL) {
		/* the caller's string too must come out as valid UTF-8 */
		pol->policy_domain = utf8_sanitize((const unsigned char *)c->fallback_domain,
		                                   strlen(c->fallback_domain));
		if (pol->policy_domain == NULL)
			return fail_at(c, TR_ERR_NOMEM, "policy-domain", "out of memory");
		pol->policy_domain_fallback = 1;
	}
	/* EXAMPLE.COM and example.com are one domain: one row in a summary */
	for (char *d = pol->policy_domain; d != NULL && *d != '\0'; d++)
		if (*d >= 'A' && *d <= 'Z')
			*d = (char)(*d - 'A' + 'a');
	c->obj = NULL;
	return TR_OK;
}

static enum tr_err read_summary(struct parse_ctx *c, cJSON *item, void *base)
{
	unsigned seen;
	enum tr_err rc;

	c->obj = "summary";
	rc = read_object(c, item, summary_fields, TABLE_LEN(summary_fields), base, &seen);
	if (rc != TR_OK)
		return rc;
	c->obj = NULL;
	return TR_OK;
}

enum { SLOT_POLICY, SLOT_SUMMARY, SLOT_FAILURES };

static const struct field_def policy_fields[] = {
	{ "policy", F_CUSTOM, SLOT_POLICY, 0, 0, read_policy_desc },
	{ "summary", F_CUSTOM, SLOT_SUMMARY, 0, 0, read_summary },
	{ "failure-details", F_CUSTOM, SLOT_FAILURES, 0, 0, read_failures },
};

static enum tr_err read_policies(struct parse_ctx *c, cJSON *item, void *base)
{
	struct tlsrpt_report *r = base;
	unsigned seen;
	size_t n, i = 0;
	cJSON *it;
	enum tr_err rc;

	if (!cJSON_IsArray(item))
		return fail_at(c, TR_ERR_FORMAT, "policies",
		               cJSON_IsNull(item) ? "missing" : "not an array");
	n = count_children(item, c->lim->max_policies + 1);
	if (n > c->lim->max_policies)
		return fail_at(c, TR_ERR_LIMIT, "policies", "more than %zu entries",
		               c->lim->max_policies);
	if (n == 0)
		return fail_at(c, TR_ERR_FORMAT, "policies", "empty");
	r->policies = calloc(n, sizeof *r->policies);
	if (r->policies == NULL)
		return fail_at(c, TR_ERR_NOMEM, "policies", "out of memory");
	r->n_policies = n;
	for (it = item->child; it != NULL; it = it->next, i++) {
		c->pol = i;
		rc = read_object(c, it, policy_fields, TABLE_LEN(policy_fields),
		                 &r->policies[i], &seen);
		if (rc != TR_OK)
			return rc;
		if (!(seen & (1u << SLOT_POLICY)))
			return fail_at(c, TR_ERR_FORMAT, "policy", "missing");
		if (!(seen & (1u << SLOT_SUMMARY)))
			return fail_at(c, TR_ERR_FORMAT, "summary", "missing");
	}
	c->pol = NO_INDEX;
	return TR_OK;
}

/* ---- the top level --------------------------------------------------- */

static enum tr_err take_datetime(struct parse_ctx *c, const cJSON *item, const char *key,
                                 int64_t *dst)
{
	struct tr_error dterr;

	if (item == NULL || cJSON_IsNull(item))
		return fail_at(c, TR_ERR_FORMAT, key, "missing");
	if (!cJSON_IsString(item) || item->valuestring == NULL)
		return fail_at(c, TR_ERR_FORMAT, key, "not a string");
	if (datetime_parse(item->valuestring, dst, &dterr) != TR_OK)
		return fail_at(c, TR_ERR_FORMAT, key, "%s", dterr.msg);
	return TR_OK;
}

static enum tr_err read_date_range(struct parse_ctx *c, cJSON *item, void *base)
{
	struct tlsrpt_report *r = base;
	const cJSON *start = NULL, *end = NULL, *it;
	enum tr_err rc;

	c->obj = "date-range";
	if (!cJSON_IsObject(item))
		return fail_at(c, TR_ERR_FORMAT, NULL,
		               cJSON_IsNull(item) ? "missing" : "not an object");
	for (it = item->child; it != NULL; it = it->next) {
		if (it->string == NULL)
			continue;
		if (start == NULL && strcmp(it->string, "start-datetime") == 0)
			start = it;
		else if (end == NULL && strcmp(it->string, "end-datetime") == 0)
			end = it;
	}
	rc = take_datetime(c, start, "start-datetime", &r->start);
	if (rc != TR_OK)
		return rc;
	rc = take_datetime(c, end, "end-datetime", &r->end);
	if (rc != TR_OK)
		return rc;
	c->obj = NULL;
	return TR_OK;
}

enum { SLOT_ORG, SLOT_CONTACT, SLOT_ID, SLOT_DATES, SLOT_POLICIES };

static const struct field_def report_fields[] = {
	{ "organization-name", F_STRING, SLOT_ORG,
	  offsetof(struct tlsrpt_report, organization_name), 0, NULL },
	{ "contact-info", F_STRING, SLOT_CONTACT,
	  offsetof(struct tlsrpt_report, contact_info), 0, NULL },
	{ "report-id", F_STRING, SLOT_ID, offsetof(struct tlsrpt_report, report_id), 0, NULL },
	{ "date-range", F_CUSTOM, SLOT_DATES, 0, 0, read_date_range },
	{ "policies", F_CUSTOM, SLOT_POLICIES, 0, 0, read_policies },
};

static enum tr_err read_report(struct parse_ctx *c, cJSON *root, struct tlsrpt_report *r)
{
	unsigned seen;
	enum tr_err rc;

	if (!cJSON_IsObject(root))
		return fail_at(c, TR_ERR_FORMAT, NULL, "top level is not a JSON object");
	rc = read_object(c, root, report_fields, TABLE_LEN(report_fields), r, &seen);
	if (rc != TR_OK)
		return rc;
	if (r->report_id == NULL)
		return fail_at(c, TR_ERR_FORMAT, "report-id", "missing");
	if (r->report_id[0] == '\0')
		return fail_at(c, TR_ERR_FORMAT, "report-id", "empty");
	if (!(seen & (1u << SLOT_DATES)))
		return fail_at(c, TR_ERR_FORMAT, "date-range", "missing");
	if (!(seen & (1u << SLOT_POLICIES)))
		return fail_at(c, TR_ERR_FORMAT, "policies", "missing");
	return TR_OK;
}

/* ---- parse entry point ----------------------------------------------- */

/* Where the string whose first byte is p[i] ends: the index of its
 * closing quote (one with an even run of backslashes before it), or len.
 * memchr, because most of a report's bytes are inside strings. */
static size_t string_end(const char *p, size_t len, size_t i)
{
	while (i < len) {
		const char *q = memchr(p + i, '"', len - i);
		size_t j, backslashes = 0;

		if (q == NULL)
			return len;
		j = (size_t)(q - p);
		while (j - backslashes > i && p[j - backslashes - 1] == '\\')
			backslashes++;
		if (backslashes % 2 == 0)
			return j;
		i = j + 1;
	}
	return len;
}

/*
 * Check nesting and size of the JSON in p[0..len) before cJSON builds
 * anything: a 10,000-deep document would recurse, and cJSON spends about
 * 64 bytes per value whatever the counts in the report later allow, so a
 * crafted 16 MiB report could cost hundreds of MiB.  Values are estimated
 * from above by commas and container starts (strings and escapes are
 * skipped).  Returns 0, or 1 for too deep, 2 for too many values.
 */
static int json_prescan(const char *p, size_t len, unsigned max_depth, size_t max_values)
{
	unsigned depth = 0;
	size_t values = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '"':
			i = string_end(p, len, i + 1);
			continue;
		case ',':
			values++;
			break;
		case '[':
		case '{':
			depth++;
			values += 2;
			if (depth > max_depth)
				return 1;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			continue;
		default:
			continue;
		}
		if (values > max_values)
			return 2;
	}
	return 0;
}

static size_t skip_blank(const char *p, size_t len, size_t i)
{
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

int report_peek_id(const char *p, size_t len, char *out, size_t outlen)
{
	static const char key[] = "report-id";
	unsigned depth = 0;
	size_t i;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	for (i = 0; i < len; i++) {
		size_t end, v, vend, n;

		switch (p[i]) {
		case '{':
		case '[':
			depth++;
			continue;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			continue;
		case '"':
			break;
		default:
			continue;
		}
		end = string_end(p, len, i + 1);
		if (end >= len)
			return 0;
		v = skip_blank(p, len, end + 1);
		if (depth != 1 || end - i - 1 != sizeof key - 1 ||
		    memcmp(p + i + 1, key, sizeof key - 1) != 0 || v >= len || p[v] != ':') {
			i = end;
			continue;
		}
		v = skip_blank(p, len, v + 1);
		if (v >= len || p[v] != '"')
			return 0;
		vend = string_end(p, len, v + 1);
		if (vend >= len)
			return 0;
		n = vend - v - 1;
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, p + v + 1, n);
		out[n] = '\0';
		return 1;
	}
	return 0;
}

static int only_blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0')
			return 0;
	return 1;
}

static enum tr_err parse_tree(const char *json, size_t len, const struct tr_limits *lim,
                              cJSON **root, struct tr_error *err)
{
	const char *end = NULL;

	*root = NULL;
	switch (json_prescan(json, len, lim->max_json_depth, lim->max_json_values)) {
	case 1:
		return tr_error_set(err, TR_ERR_LIMIT, "JSON nested deeper than %u levels",
		                    lim->max_json_depth);
	case 2:
		return tr_error_set(err, TR_ERR_LIMIT, "JSON with more than %zu values",
		                    lim->max_json_values);
	}
	*root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (*root == NULL) {
		if (end >= json && end <= json + len)
			return tr_error_set(err, TR_ERR_FORMAT, "JSON syntax error at byte %zu",
			                    (size_t)(end - json));
		return tr_error_set(err, TR_ERR_FORMAT, "JSON syntax error");
	}
	if (end != NULL && end >= json && end <= json + len && !only_blank(end, json + len)) {
		cJSON_Delete(*root);
		*root = NULL;
		return tr_error_set(err, TR_ERR_FORMAT, "data after the JSON value at byte %zu",
		                    (size_t)(end - json));
	}
	return TR_OK;
}

static enum tr_err keep_input(struct tlsrpt_report *r, const char *json, size_t len,
                              struct tr_error *err)
{
	if (len == SIZE_MAX)
		return tr_error_set(err, TR_ERR_LIMIT, "report too large");
	r->json = malloc(len + 1);
	if (r->json == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	memcpy(r->json, json, len);
	r->json[len] = '\0';
	r->json_len = len;
	return TR_OK;
}

enum tr_err report_parse_json(const char *json, size_t len, const struct tr_limits *lim,
                              const char *fallback_policy_domain,
                              struct tlsrpt_report **out, struct tr_error *err)
{
	struct parse_ctx c;
	struct tr_limits defaults;
	struct tlsrpt_report *r;
	struct arena tree;
	cJSON *root;
	enum tr_err rc;
	int use_arena;

	*out = NULL;
	if (json == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "no JSON given");
	if (lim == NULL) {
		limits_default(&defaults);
		lim = &defaults;
	}
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	use_arena = atomic_load(&arena_hooks);
	if (use_arena) {
		arena_init(&tree);
		tree_arena = &tree;
	}
	rc = parse_tree(json, len, lim, &root, err);
	if (rc == TR_OK) {
		c.lim = lim;
		c.err = err;
		c.fallback_domain = fallback_policy_domain;
		c.pol = NO_INDEX;
		c.fail = NO_INDEX;
		c.obj = NULL;
		rc = read_report(&c, root, r);
	}
	if (use_arena) {
		tree_arena = NULL;
		arena_release(&tree); /* the whole tree, root and all */
	} else {
		cJSON_Delete(root);
	}
	if (rc == TR_OK)
		rc = keep_input(r, json, len, err);
	if (rc != TR_OK) {
		report_free(r);
		return rc;
	}
	*out = r;
	return TR_OK;
}

/* ---- totals, printing, freeing ---------------------------------------- */

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t report_total_successful(const struct tlsrpt_report *r)
{
	uint64_t sum = 0;
	size_t i;

	if (r == NULL)
		return 0;
	for (i = 0; i < r->n_policies; i++)
		sum = add_saturating(sum, r->policies[i].total_successful);
	return sum;
}

uint64_t report_total_failure(const struct tlsrpt_report *r)
{
	uint64_t sum = 0;
	size_t i;

	if (r == NULL)
		return 0;
	for (i = 0; i < r->n_policies; i++)
		sum = add_saturating(sum, r->policies[i].total_failure);
	return sum;
}

/* Builders: each returns 0 when cJSON ran out of memory. */
static int add_string(cJSON *obj, const char *key, const char *s)
{
	if (s == NULL)
		return 1;
	return cJSON_AddStringToObject(obj, key, s) != NULL;
}

static int add_string_list(cJSON *obj, const char *key, char *const *list, size_t n)
{
	cJSON *arr;
	size_t i;

	if (n == 0)
		return 1;
	arr = cJSON_AddArrayToObject(obj, key);
	if (arr == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(list[i] ? list[i] : "");

		if (s == NULL)
			return 0;
		cJSON_AddItemToArray(arr, s);
	}
	return 1;
}

static int add_failure(cJSON *arr, const struct tlsrpt_failure *f)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return 0;
	cJSON_AddItemToArray(arr, o);
	return add_string(o, "result-type", f->result_type) &&
	       add_string(o, "sending-mta-ip", f->sending_mta_ip) &&
	       add_string(o, "receiving-mx-hostname", f->receiving_mx_hostname) &&
	       add_string(o, "receiving-mx-helo", f->receiving_mx_helo) &&
	       add_string(o, "receiving-ip", f->receiving_ip) &&
	       cJSON_AddNumberToObject(o, "failed-session-count",
	                               (double)f->failed_session_count) != NULL &&
	       add_string(o, "additional-information", f->additional_information) &&
	       add_string(o, "failure-reason-code", f->failure_reason_code);
}

static int add_policy(cJSON *arr, const struct tlsrpt_policy *p)
{
	cJSON *o = cJSON_CreateObject(), *desc, *sum, *fails;
	size_t i;

	if (o == NULL)
		return 0;
	cJSON_AddItemToArray(arr, o);
	desc = cJSON_AddObjectToObject(o, "policy");
	if (desc == NULL || !add_string(desc, "policy-type", p->policy_type) ||
	    !add_string_list(desc, "policy-string", p->policy_strings, p->n_policy_strings) ||
	    !add_string(desc, "policy-domain", p->policy_domain) ||
	    !add_string_list(desc, "mx-host", p->mx_hosts, p->n_mx_hosts))
		return 0;
	sum = cJSON_AddObjectToObject(o, "summary");
	if (sum == NULL ||
	    cJSON_AddNumberToObject(sum, "total-successful-session-count",
	                            (double)p->total_successful) == NULL ||
	    cJSON_AddNumberToObject(sum, "total-failure-session-count",
	                            (double)p->total_failure) == NULL)
		return 0;
	fails = cJSON_AddArrayToObject(o, "failure-details");
	if (fails == NULL)
		return 0;
	for (i = 0; i < p->n_failures; i++)
		if (!add_failure(fails, &p->failures[i]))
			return 0;
	return 1;
}

static int add_report(cJSON *o, const struct tlsrpt_report *r)
{
	char start[32], end[32];
	cJSON *dates, *pols;
	size_t i;

	datetime_format(r->start, start, sizeof start);
	datetime_format(r->end, end, sizeof end);
	if (!add_string(o, "organization-name", r->organization_name))
		return 0;
	dates = cJSON_AddObjectToObject(o, "date-range");
	if (dates == NULL || !add_string(dates, "start-datetime", start) ||
	    !add_string(dates, "end-datetime", end) ||
	    !add_string(o, "contact-info", r->contact_info) ||
	    !add_string(o, "report-id", r->report_id) ||
	    !add_string(o, "submitter", r->submitter))
		return 0;
	pols = cJSON_AddArrayToObject(o, "policies");
	if (pols == NULL)
		return 0;
	for (i = 0; i < r->n_policies; i++)
		if (!add_policy(pols, &r->policies[i]))
			return 0;
	return 1;
}

char *report_to_json(const struct tlsrpt_report *r, int pretty)
{
	cJSON *o;
	char *s = NULL;

	if (r == NULL)
		return NULL;
	o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	if (add_report(o, r))
		s = pretty ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void free_string_list(char **list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void free_failure(struct tlsrpt_failure *f)
{
	free(f->result_type);
	free(f->sending_mta_ip);
	free(f->receiving_mx_hostname);
	free(f->receiving_mx_helo);
	free(f->receiving_ip);
	free(f->additional_information);
	free(f->failure_reason_code);
}

static void free_policy(struct tlsrpt_policy *p)
{
	size_t i;

	free(p->policy_type);
	free_string_list(p->policy_strings, p->n_policy_strings);
	free(p->policy_domain);
	free_string_list(p->mx_hosts, p->n_mx_hosts);
	if (p->failures != NULL) {
		for (i = 0; i < p->n_failures; i++)
			free_failure(&p->failures[i]);
		free(p->failures);
	}
}

void report_free(struct tlsrpt_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->organization_name);
	free(r->contact_info);
	free(r->report_id);
	if (r->policies != NULL) {
		for (i = 0; i < r->n_policies; i++)
			free_policy(&r->policies[i]);
		free(r->policies);
	}
	free(r->submitter);
	free(r->json);
	free(r->raw_compressed);
	free(r);
}
