/*
 * extract: message -> report parts -> decoded bytes -> inflated JSON ->
 * report model (see extract.h).
 *
 * This is the one place that decides which MIME parts are reports and who
 * sent them; the milter, the importer and the tests all come through here,
 * so a quirk handled here is handled everywhere.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "extract.h"
#include "inflate.h"

/* A domain longer than this is not a domain (RFC 1035: 253 octets). */
#define DOMAIN_MAX 253
/* A report-id recovered from an invalid report is for log lines only. */
#define REPORT_ID_HINT_MAX 256

/* What the message's own headers say, shared by every part. */
struct msg_hints {
	char *submitter_header;  /* TLS-Report-Submitter */
	char *submitter_subject; /* "Submitter: x" in the Subject */
	char *from_domain;       /* domain of the From address */
	char *report_domain;     /* TLS-Report-Domain */
};

struct walk_ctx {
	const struct tr_limits *lim;
	const struct msg_hints *hints;
	struct extract_result *out;
	struct buf inflated;     /* reused across parts */
	struct tr_error *err;
};

static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int ends_with_ci(const char *s, const char *suffix)
{
	size_t n, m;

	if (s == NULL)
		return 0;
	n = strlen(s);
	m = strlen(suffix);
	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/*
 * Copy a domain name out of p[0..n), lowercased, or NULL when it is not
 * plausibly one: attacker text must not reach logs or the database posing
 * as a submitter.
 */
static char *domain_dup(const char *p, size_t n)
{
	char *d;
	size_t i;

	while (n > 0 && p[n - 1] == '.')
		n--;
	if (n == 0 || n > DOMAIN_MAX)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!isalnum(c) && c != '.' && c != '-' && c != '_')
			return NULL;
	}
	d = dup_n(p, n);
	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* Length of the run of domain characters at p. */
static size_t domain_span(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && (isalnum((unsigned char)p[n]) || p[n] == '.' ||
	                        p[n] == '-' || p[n] == '_'))
		n++;
	return n;
}

/* The domain after the last '@' of an address such as "Name <a@b.example>". */
static char *address_domain(const char *addr)
{
	const char *at;

	if (addr == NULL)
		return NULL;
	at = strrchr(addr, '@');
	if (at == NULL)
		return NULL;
	at++;
	return domain_dup(at, domain_span(at));
}

/*
 * The domain of an RFC 8460 contact-info, which senders fill with an
 * address ("tlsrpt@example.com"), a mailto: URI or a web address.
 */
static char *contact_domain(const char *contact)
{
	const char *p;

	if (contact == NULL)
		return NULL;
	if (strchr(contact, '@') != NULL)
		return address_domain(contact);
	p = strstr(contact, "://");
	if (p == NULL)
		return NULL;
	p += 3;
	return domain_dup(p, domain_span(p));
}

/* "Report Domain: a Submitter: b Report-ID: <...>" -> "b". */
static char *subject_submitter(const char *subject)
{
	const char *p;

	if (subject == NULL)
		return NULL;
	for (p = subject; *p != '\0'; p++) {
		if (strncasecmp(p, "submitter:", 10) == 0)
			break;
	}
	if (*p == '\0')
		return NULL;
	p += 10;
	while (*p == ' ' || *p == '\t')
		p++;
	return domain_dup(p, domain_span(p));
}

/*
 * Field k (0 = submitter, 1 = policy domain) of an RFC 8460 §5.1 file
 * name: "sender!policy-domain!begin!end[!id].json[.gz]".  Any directory
 * part is ignored.
 */
static char *filename_field(const char *filename, int k)
{
	const char *p, *bang;
	int i;

	if (filename == NULL)
		return NULL;
	p = strrchr(filename, '/');
	p = p ? p + 1 : filename;
	if (strchr(p, '!') == NULL)
		return NULL;
	for (i = 0; i < k; i++) {
		p = strchr(p, '!');
		if (p == NULL)
			return NULL;
		p++;
	}
	bang = strchr(p, '!');
	if (bang == NULL)
		return NULL;
	return domain_dup(p, (size_t)(bang - p));
}

static const char *const always_types[] = {
	"application/tlsrpt+gzip", "application/tlsrpt+json", NULL
};

static const char *const tolerated_types[] = {
	"application/tlsrpt", "application/gzip", "application/x-gzip",
	"application/json", "application/octet-stream", "text/plain", NULL
};

static int type_in(const char *type, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(type, *list) == 0)
			return 1;
	}
	return 0;
}

static int named_like_report(const char *name)
{
	return ends_with_ci(name, ".json") || ends_with_ci(name, ".json.gz");
}

static int contains(const unsigned char *p, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; m <= n && i <= n - m; i++) {
		if (p[i] == (unsigned char)needle[0] && memcmp(p + i, needle, m) == 0)
			return 1;
	}
	return 0;
}

/* A bare JSON report as the whole body of a plain message. */
static int looks_like_json_report(const struct mime_part *part)
{
	size_t i = 0;

	if (part->depth != 0)
		return 0;
	while (i < part->body_len && isspace(part->body[i]))
		i++;
	if (i == part->body_len || part->body[i] != '{')
		return 0;
	/* cheap and bounded: only the first 64 KiB are searched */
	return contains(part->body, part->body_len < 65536 ? part->body_len : 65536,
	                "\"policies\"");
}

/* Whether a leaf holds a report, by type, name and content (extract.h). */
static int is_report_part(const struct mime_part *part)
{
	if (type_in(part->content_type, always_types))
		return 1;
	if (!type_in(part->content_type, tolerated_types))
		return 0;
	if (named_like_report(part->filename) || named_like_report(part->description))
		return 1;
	if (inflate_sniff(part->body, part->body_len) == INFLATE_GZIP)
		return 1;
	return looks_like_json_report(part);
}

/*
 * Best effort: the report-id of a report that failed validation, for the
 * log.  Never through cJSON: the input was refused, maybe for being the
 * kind of JSON whose tree costs hundreds of MiB (docs/LIMITS.md).
 */
static char *report_id_hint(const char *json, size_t len)
{
	char id[REPORT_ID_HINT_MAX];

	if (!report_peek_id(json, len, id, sizeof id) || id[0] == '\0')
		return NULL;
	return strdup(id);
}

/* The first candidate of extract.h's submitter order that is known. */
static char *pick_submitter(const struct msg_hints *h, const char *filename,
                            const struct tlsrpt_report *r)
{
	char *d = NULL;

	if (h != NULL && h->submitter_header != NULL)
		return strdup(h->submitter_header);
	if (h != NULL && h->submitter_subject != NULL)
		return strdup(h->submitter_subject);
	d = filename_field(filename, 0);
	if (d == NULL && r != NULL)
		d = contact_domain(r->contact_info);
	if (d == NULL && h != NULL && h->from_domain != NULL)
		d = strdup(h->from_domain);
	return d;
}

static enum tr_err grow_items(struct extract_result *out, const struct tr_limits *lim,
                              struct tr_error *err)
{
	struct extract_item *v;

	if (out->n >= lim->max_reports)
		return tr_error_set(err, TR_ERR_LIMIT, "more than %zu reports in one message",
		                    lim->max_reports);
	v = realloc(out->items, (out->n + 1) * sizeof *v);
	if (v == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	out->items = v;
	memset(&out->items[out->n], 0, sizeof *out->items);
	return TR_OK;
}

/* A copy of the compressed bytes the report came in, so that the store
 * keeps them as they are rather than compressing the JSON again: the copy
 * costs far less than a deflate. */
static enum tr_err keep_compressed(struct tlsrpt_report *r, const unsigned char *data, size_t len,
                                   struct tr_error *err)
{
	r->raw_compressed = malloc(len > 0 ? len : 1);
	if (r->raw_compressed == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory keeping a compressed report");
	memcpy(r->raw_compressed, data, len);
	r->raw_compressed_len = len;
	return TR_OK;
}

/*
 * Turn one report's bytes (compressed or not) into an item of out.  A
 * report that fails is still an item, carrying its reason: only running
 * out of memory or of room for items stops the caller.
 */
static enum tr_err add_report(struct extract_result *out, const unsigned char *data, size_t len,
                              const char *filename, const struct msg_hints *hints,
                              const struct tr_limits *lim, struct buf *inflated,
                              struct tr_error *err)
{
	struct extract_item *item;
	enum inflate_kind kind = inflate_sniff(data, len);
	const char *json = (const char *)data;
	size_t json_len = len;
	char *fallback;
	enum tr_err rc;

	rc = grow_items(out, lim, err);
	if (rc != TR_OK)
		return rc;
	item = &out->items[out->n++];
	if (filename != NULL) {
		item->filename = strdup(filename);
		if (item->filename == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	}

	if (kind != INFLATE_NONE) {
		buf_reset(inflated);
		rc = inflate_bytes(kind, data, len, inflated, &item->error);
		if (rc == TR_ERR_NOMEM)
			return tr_error_set(err, rc, "out of memory inflating a report");
		if (rc != TR_OK) {
			tr_error_prefix(&item->error, "inflate");
			item->submitter = pick_submitter(hints, filename, NULL);
			return TR_OK;
		}
		json = (const char *)inflated->data;
		json_len = inflated->len;
	}

	fallback = hints != NULL && hints->report_domain != NULL ? strdup(hints->report_domain)
	                                                        : filename_field(filename, 1);
	rc = report_parse_json(json, json_len, lim, fallback, &item->report, &item->error);
	free(fallback);
	if (rc == TR_ERR_NOMEM)
		return tr_error_set(err, rc, "out of memory parsing a report");
	if (rc != TR_OK) {
		item->report = NULL;
		item->report_id = report_id_hint(json, json_len);
		item->submitter = pick_submitter(hints, filename, NULL);
		return TR_OK;
	}
	item->submitter = pick_submitter(hints, filename, item->report);
	if (item->report->report_id != NULL)
		item->report_id = strdup(item->report->report_id);
	if (item->submitter != NULL)
		item->report->submitter = strdup(item->submitter);
	if (kind != INFLATE_NONE)
		return keep_compressed(item->report, data, len, err);
	return TR_OK;
}

static enum tr_err on_leaf(const struct mime_part *part, void *arg)
{
	struct walk_ctx *ctx = arg;
	const char *name = part->filename ? part->filename : part->description;

	if (!is_report_part(part))
		return TR_OK;
	return add_report(ctx->out, part->body, part->body_len, name, ctx->hints, ctx->lim,
	                  &ctx->inflated, ctx->err);
}

static void hints_free(struct msg_hints *h)
{
	free(h->submitter_header);
	free(h->submitter_subject);
	free(h->from_domain);
	free(h->report_domain);
}

static void hints_read(struct msg_hints *h, const struct mime_headers *hdr)
{
	const char *v;

	v = mime_header_get(hdr, "TLS-Report-Submitter");
	h->submitter_header = v ? domain_dup(v, domain_span(v)) : NULL;
	h->submitter_subject = subject_submitter(mime_header_get(hdr, "Subject"));
	h->from_domain = address_domain(mime_header_get(hdr, "From"));
	v = mime_header_get(hdr, "TLS-Report-Domain");
	h->report_domain = v ? domain_dup(v, domain_span(v)) : NULL;
}

/* "<abc@example.com>" -> "abc@example.com", bounded, or NULL. */
static char *message_id_dup(const char *v)
{
	size_t n;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t' || *v == '<')
		v++;
	n = strcspn(v, "> \t");
	if (n == 0 || n > 998)
		return NULL;
	return dup_n(v, n);
}

enum tr_err extract_message(const char *msg, size_t len, const struct tr_limits *lim,
                            struct extract_result *out, struct tr_error *err)
{
	struct msg_hints hints;
	struct walk_ctx ctx;
	size_t body_off;
	enum tr_err rc;

	memset(out, 0, sizeof *out);
	memset(&hints, 0, sizeof hints);
	if (len > lim->max_message)
		return tr_error_set(err, TR_ERR_LIMIT, "message of %zu bytes exceeds the limit of %zu",
		                    len, lim->max_message);
	rc = mime_parse_headers(msg, len, lim, &out->headers, &body_off, err);
	if (rc != TR_OK)
		return rc;
	out->message_id = message_id_dup(mime_header_get(&out->headers, "Message-ID"));
	hints_read(&hints, &out->headers);

	ctx.lim = lim;
	ctx.hints = &hints;
	ctx.out = out;
	ctx.err = err;
	buf_init(&ctx.inflated, lim->max_inflated);
	rc = mime_walk(msg, len, lim, on_leaf, &ctx, err);
	buf_free(&ctx.inflated);
	hints_free(&hints);
	return rc;
}

enum tr_err extract_file(const unsigned char *data, size_t len, const char *filename,
                         const struct tr_limits *lim, struct extract_result *out,
                         struct tr_error *err)
{
	struct buf inflated;
	enum tr_err rc;

	memset(out, 0, sizeof *out);
	if (len > lim->max_message)
		return tr_error_set(err, TR_ERR_LIMIT, "file of %zu bytes exceeds the limit of %zu",
		                    len, lim->max_message);
	buf_init(&inflated, lim->max_inflated);
	rc = add_report(out, data, len, filename, NULL, lim, &inflated, err);
	buf_free(&inflated);
	return rc;
}

void extract_result_free(struct extract_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		report_free(r->items[i].report);
		free(r->items[i].submitter);
		free(r->items[i].report_id);
		free(r->items[i].filename);
	}
	free(r->items);
	mime_headers_free(&r->headers);
	free(r->message_id);
	memset(r, 0, sizeof *r);
}
