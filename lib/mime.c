/*
 * mime: header blocks, structured-header parameters and the walk over the
 * leaf parts of one message (see mime.h).  First step of the flow: it turns
 * a raw message into leaf bodies with their transfer encoding removed.
 *
 * The walk is iterative: open multiparts live on a heap stack of frames
 * bounded by max_depth, so hostile nesting cannot exhaust the C stack.
 * Each multipart scans its own body once for its delimiter lines, and does
 * so lazily, one part at a time, so the cost is linear per nesting level and
 * a flood of parts stops at max_parts without scanning the rest.  Leaf
 * bodies are never copied unless a transfer encoding has to be removed, and
 * then into one buffer reused for every leaf.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "mime.h"

#define MIME_TYPE_MAX 256    /* RFC 6838: 127 + "/" + 127, and the NUL */
#define PARAM_MAX_SEGMENTS 64 /* RFC 2231 continuations kept per parameter */

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- header blocks ---------------------------------------------------- */

/*
 * The line starting at pos: returns where its content ends (line end
 * excluded) and sets *next to the first byte of the following line.
 */
static size_t line_end(const char *p, size_t len, size_t pos, size_t *next)
{
	const char *lf = memchr(p + pos, '\n', len - pos);
	size_t end;

	if (lf == NULL) {
		end = len;
		*next = len;
	} else {
		end = (size_t)(lf - p);
		*next = end + 1;
	}
	if (end > pos && p[end - 1] == '\r')
		end--;
	return end;
}

/*
 * Length of the field name of the line p[pos..end), trailing whitespace
 * before the colon excluded (obsolete RFC 822 syntax), with *colon set to
 * the colon's offset; 0 when the line is not a header field.
 */
static size_t field_name(const char *p, size_t pos, size_t end, size_t *colon)
{
	size_t i, n = 0;
	int seen_wsp = 0;
	unsigned char c;

	for (i = pos; i < end; i++) {
		c = (unsigned char)p[i];
		if (c == ':') {
			*colon = i;
			return n;
		}
		if (is_wsp((char)c)) {
			seen_wsp = 1;
			continue;
		}
		if (c < 33 || c > 126 || seen_wsp)
			return 0;
		n = i - pos + 1;
	}
	return 0;
}

/*
 * Copy the unfolded value of the field p[from..end) into dst: line ends
 * dropped (the whitespace after them is kept), then leading and trailing
 * whitespace trimmed.  Within a field every LF ends a line, so dropping LF
 * and a CR right before it is exactly unfolding.
 */
static void unfold_value(const char *p, size_t from, size_t end, char *dst)
{
	size_t i = from, n = 0, start = 0;

	/* line by line with memchr and memcpy: byte by byte this loop was the
	 * hottest of a bulk import (long DKIM and ARC headers) */
	while (i < end) {
		const char *nl = memchr(p + i, '\n', end - i);
		size_t stop = nl != NULL ? (size_t)(nl - p) : end;
		size_t keep = stop;

		if (nl != NULL && stop > i && p[stop - 1] == '\r')
			keep--;
		memcpy(dst + n, p + i, keep - i);
		n += keep - i;
		i = nl != NULL ? stop + 1 : end;
	}
	while (start < n && is_wsp(dst[start]))
		start++;
	while (n > start && is_wsp(dst[n - 1]))
		n--;
	memmove(dst, dst + start, n - start);
	dst[n - start] = '\0';
}

static enum tr_err headers_add(struct mime_headers *h, size_t *cap,
                               const struct tr_limits *lim, struct tr_error *err,
                               struct mime_header entry)
{
	struct mime_header *v;

	if (h->n >= lim->max_headers) {
		free(entry.name);
		return tr_error_set(err, TR_ERR_LIMIT, "mime: more than %zu header fields",
		                    lim->max_headers);
	}
	v = array_grow(h->v, cap, h->n, sizeof *v, 16);
	if (v == NULL) {
		free(entry.name);
		return tr_error_set(err, TR_ERR_NOMEM, "mime: out of memory");
	}
	h->v = v;
	h->v[h->n++] = entry;
	return TR_OK;
}

/*
 * Read the field whose first line starts at pos, with its continuation
 * lines.  *is_field is cleared when the line is not a header field (which
 * ends the block); otherwise *next is set past the field.  Name and value
 * share one allocation, owned through name.
 */
static enum tr_err read_field(const char *p, size_t len, size_t pos,
                              const struct tr_limits *lim, struct mime_headers *h,
                              size_t *cap, size_t *next, int *is_field,
                              struct tr_error *err)
{
	struct mime_header entry;
	size_t end, colon = 0, name_len, field_len, raw_end;

	*is_field = 0;
	if (is_wsp(p[pos]))
		return TR_OK; /* a continuation with nothing to continue */
	end = line_end(p, len, pos, next);
	name_len = field_name(p, pos, end, &colon);
	if (name_len == 0)
		return TR_OK;
	*is_field = 1;
	field_len = end - pos;
	raw_end = end;
	while (field_len <= lim->max_header && *next < len && is_wsp(p[*next])) {
		size_t from = *next;

		raw_end = line_end(p, len, from, next);
		field_len += raw_end - from; /* the line end itself unfolds to nothing */
	}
	if (field_len > lim->max_header)
		return tr_error_set(err, TR_ERR_LIMIT, "mime: header field longer than %zu bytes",
		                    lim->max_header);
	entry.name = malloc(name_len + 1 + (raw_end - colon) + 1);
	if (entry.name == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "mime: out of memory");
	memcpy(entry.name, p + pos, name_len);
	entry.name[name_len] = '\0';
	entry.value = entry.name + name_len + 1;
	unfold_value(p, colon + 1, raw_end, entry.value);
	return headers_add(h, cap, lim, err, entry);
}

static enum tr_err parse_headers(const char *p, size_t len, const struct tr_limits *lim,
                                 int skip_from, struct mime_headers *out,
                                 size_t *body_off, struct tr_error *err)
{
	size_t pos = 0, next, cap = 0;
	enum tr_err rc;
	int is_field;

	out->v = NULL;
	out->n = 0;
	if (skip_from && len >= 5 && memcmp(p, "From ", 5) == 0)
		(void)line_end(p, len, 0, &pos);
	while (pos < len) {
		if (line_end(p, len, pos, &next) == pos) {
			*body_off = next; /* the empty line that ends the block */
			return TR_OK;
		}
		rc = read_field(p, len, pos, lim, out, &cap, &next, &is_field, err);
		if (rc != TR_OK) {
			mime_headers_free(out);
			return rc;
		}
		if (!is_field)
			break;
		pos = next;
	}
	*body_off = pos;
	return TR_OK;
}

enum tr_err mime_parse_headers(const char *p, size_t len, const struct tr_limits *lim,
                               struct mime_headers *out, size_t *body_off,
                               struct tr_error *err)
{
	return parse_headers(p, len, lim, 1, out, body_off, err);
}

const char *mime_header_get(const struct mime_headers *h, const char *name)
{
	size_t i;

	if (h == NULL || name == NULL)
		return NULL;
	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

void mime_headers_free(struct mime_headers *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->v[i].name); /* the value lives in the same block */
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

/* ---- parameters (RFC 2045 §5.1, RFC 2231) ----------------------------- */

struct param_seg {
	const char *p; /* raw value, quotes removed but escapes not yet */
	size_t n;
	int present, quoted, encoded;
};

struct param_hits {
	struct param_seg plain;                       /* name=value */
	struct param_seg ext;                         /* name*=charset'lang'value */
	struct param_seg seg[PARAM_MAX_SEGMENTS];     /* name*N= and name*N*= */
};

static const char *skip_comment(const char *s)
{
	size_t depth = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			continue;
		}
		if (*s == '(')
			depth++;
		if (*s == ')' && --depth == 0)
			return s + 1;
	}
	return s;
}

/* Skip whitespace and RFC 822 comments. */
static const char *skip_cfws(const char *s)
{
	for (;;) {
		while (is_space(*s))
			s++;
		if (*s != '(')
			return s;
		s = skip_comment(s);
	}
}

/* Past the leading type token ("text/plain", "attachment"), unless the
 * value starts with a parameter straight away. */
static const char *skip_type(const char *s)
{
	const char *e;

	s = skip_cfws(s);
	for (e = s; *e != '\0' && *e != ';' && !is_space(*e) && *e != '('; e++)
		if (*e == '=')
			return s;
	return e;
}

static const char *param_value(const char *s, struct param_seg *v)
{
	v->present = 1;
	v->quoted = 0;
	v->encoded = 0;
	if (*s == '"') {
		v->quoted = 1;
		v->p = ++s;
		while (*s != '\0' && *s != '"') {
			if (*s == '\\' && s[1] != '\0')
				s++;
			s++;
		}
		v->n = (size_t)(s - v->p);
		return *s == '"' ? s + 1 : s;
	}
	v->p = s;
	while (*s != '\0' && *s != ';' && !is_space(*s))
		s++;
	v->n = (size_t)(s - v->p);
	return s;
}

/* Section number of "*N" or "*N*" (the part of a name after the wanted
 * one), -1 when it is not one or is beyond what we keep. */
static int section_number(const char *s, size_t n, int *encoded)
{
	size_t i;
	int num = 0;

	*encoded = n > 2 && s[n - 1] == '*';
	if (*encoded)
		n--;
	if (n < 2 || s[0] != '*')
		return -1;
	for (i = 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		num = num * 10 + (s[i] - '0');
		if (num >= PARAM_MAX_SEGMENTS)
			return -1;
	}
	return num;
}

static void param_record(struct param_hits *hits, const char *name, size_t nlen,
                         const char *want, size_t wlen, const struct param_seg *v)
{
	int num, encoded;

	if (nlen < wlen || strncasecmp(name, want, wlen) != 0)
		return;
	if (nlen == wlen) {
		if (!hits->plain.present)
			hits->plain = *v;
		return;
	}
	if (nlen == wlen + 1 && name[wlen] == '*') {
		if (!hits->ext.present) {
			hits->ext = *v;
			hits->ext.encoded = 1;
		}
		return;
	}
	num = section_number(name + wlen, nlen - wlen, &encoded);
	if (num < 0 || hits->seg[num].present)
		return;
	hits->seg[num] = *v;
	hits->seg[num].encoded = encoded;
}

static void param_scan(const char *s, const char *want, struct param_hits *hits)
{
	const char *name, *name_end;
	struct param_seg v;
	size_t wlen = strlen(want);

	s = skip_type(s);
	while (*s != '\0') {
		s = skip_cfws(s);
		if (*s == ';') {
			s++;
			continue;
		}
		name = s;
		while (*s != '\0' && *s != '=' && *s != ';' && *s != '"' && *s != '(' && !is_space(*s))
			s++;
		name_end = s;
		s = skip_cfws(s);
		if (*s != '=') {
			if (name == name_end && *s != '\0' && *s != ';')
				s++; /* a stray byte: step over it */
			continue;
		}
		s = param_value(skip_cfws(s + 1), &v);
		if (name_end > name)
			param_record(hits, name, (size_t)(name_end - name), want, wlen, &v);
	}
}

/* Append the segment to dst[*n..], undoing backslash escapes of a quoted one. */
static void segment_copy(const struct param_seg *v, char *dst, size_t *n)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (v->quoted && v->p[i] == '\\' && i + 1 < v->n)
			i++;
		dst[(*n)++] = v->p[i];
	}
}

/*
 * Percent-decode s[0..n) in place; returns the new length.  A malformed
 * escape stays as written, and so does %00: a NUL would cut the C string
 * and could turn "a.json%00.exe" into "a.json".
 */
static size_t percent_decode(char *s, size_t n)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = s[i] == '%' && i + 2 < n ? decode_hex_digit((unsigned char)s[i + 1]) : -1;
		lo = hi >= 0 ? decode_hex_digit((unsigned char)s[i + 2]) : -1;
		if (lo >= 0 && (hi | lo) != 0) {
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
			continue;
		}
		s[o++] = s[i];
	}
	return o;
}

/* Drop the "charset'language'" prefix of an RFC 2231 value in s[0..n). */
static size_t strip_charset(char *s, size_t n)
{
	char *q1 = memchr(s, '\'', n), *q2;
	size_t skip;

	if (q1 == NULL)
		return n;
	q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s));
	if (q2 == NULL)
		return n;
	skip = (size_t)(q2 + 1 - s);
	memmove(s, s + skip, n - skip);
	return n - skip;
}

/* Append one segment, decoding it when it is RFC 2231 extended. */
static void segment_append(const struct param_seg *v, int first, char *dst, size_t *n)
{
	size_t start = *n, seg_len;

	segment_copy(v, dst, n);
	if (!v->encoded)
		return;
	seg_len = *n - start;
	if (first)
		seg_len = strip_charset(dst + start, seg_len);
	*n = start + percent_decode(dst + start, seg_len);
}

static char *param_build(const struct param_hits *hits)
{
	size_t total = 0, n = 0, k, nseg = 0;
	char *out;

	if (hits->ext.present)
		total = hits->ext.n;
	else if (hits->seg[0].present)
		for (nseg = 0; nseg < PARAM_MAX_SEGMENTS && hits->seg[nseg].present; nseg++)
			total += hits->seg[nseg].n;
	else if (hits->plain.present)
		total = hits->plain.n;
	else
		return NULL;
	out = malloc(total + 1);
	if (out == NULL)
		return NULL;
	if (hits->ext.present)
		segment_append(&hits->ext, 1, out, &n);
	for (k = 0; k < nseg; k++)
		segment_append(&hits->seg[k], k == 0, out, &n);
	if (!hits->ext.present && nseg == 0)
		segment_append(&hits->plain, 1, out, &n);
	out[n] = '\0';
	return out;
}

char *mime_param(const char *value, const char *param)
{
	struct param_hits hits;

	if (value == NULL || param == NULL || *param == '\0')
		return NULL;
	memset(&hits, 0, sizeof hits);
	param_scan(value, param, &hits);
	return param_build(&hits);
}

/* ---- media type ------------------------------------------------------- */

static int is_token_char(char c)
{
	unsigned char u = (unsigned char)c;

	return u > 32 && u < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

void mime_content_type(const char *value, char *out, size_t outlen)
{
	const char *s, *e, *slash = NULL;
	size_t n, i;

	if (outlen == 0)
		return;
	s = value ? skip_cfws(value) : "";
	for (e = s; *e != '\0' && *e != ';' && *e != '(' && !is_space(*e); e++) {
		if (*e == '/' && slash == NULL)
			slash = e;
		else if (!is_token_char(*e))
			break;
	}
	n = (size_t)(e - s);
	if (slash == NULL || slash == s || slash + 1 == e || n >= outlen ||
	    (*e != '\0' && *e != ';' && *e != '(' && !is_space(*e))) {
		n = strlen("text/plain") < outlen ? strlen("text/plain") : outlen - 1;
		memcpy(out, "text/plain", n);
		out[n] = '\0';
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[n] = '\0';
}

/* ---- RFC 2047 encoded words, for display ------------------------------ */

/*
 * Decode the encoded word at s ("=?charset?B|Q?text?=") into out; returns
 * its length in s, or 0 when s does not start one (then nothing is
 * written).
 */
static size_t word_decode(const char *s, struct buf *out)
{
	const char *q, *text, *end;
	char enc;
	size_t i;
	int hi, lo;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	q = s + 2;
	while (*q != '\0' && *q != '?' && !is_space(*q))
		q++;
	if (*q != '?' || q == s + 2 || q[1] == '\0' || q[2] != '?')
		return 0;
	enc = q[1];
	if (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q')
		return 0;
	text = q + 3;
	for (end = text; *end != '\0' && !(end[0] == '?' && end[1] == '='); end++)
		if (is_space(*end))
			return 0;
	if (*end == '\0')
		return 0;
	if (enc == 'B' || enc == 'b') {
		(void)decode_base64(text, (size_t)(end - text), out);
		return (size_t)(end + 2 - s);
	}
	for (i = 0; text + i < end; i++) {
		hi = text[i] == '=' && text + i + 2 < end ? decode_hex_digit((unsigned char)text[i + 1]) : -1;
		lo = hi >= 0 ? decode_hex_digit((unsigned char)text[i + 2]) : -1;
		if (lo >= 0) {
			(void)buf_putc(out, (unsigned char)(hi << 4 | lo));
			i += 2;
		} else {
			(void)buf_putc(out, text[i] == '_' ? ' ' : (unsigned char)text[i]);
		}
	}
	return (size_t)(end + 2 - s);
}

char *mime_decode_words(const char *value)
{
	struct buf b;
	size_t len, used, mark = 0, i, o;
	const char *s;
	int after_word = 0;

	if (value == NULL)
		return NULL;
	len = strlen(value);
	/* decoding never grows the text: reserve it all now, so that no
	 * append below can fail and cut the result short */
	buf_init(&b, len);
	if (buf_append(&b, value, len) != TR_OK)
		return NULL;
	buf_reset(&b);
	for (s = value; *s != '\0';) {
		size_t before = b.len;

		used = word_decode(s, &b);
		if (used > 0) {
			if (after_word) {
				/* whitespace between two encoded words is not text */
				memmove(b.data + mark, b.data + before, b.len - before);
				b.len -= before - mark;
			}
			s += used;
			after_word = 1;
			mark = b.len;
			continue;
		}
		if (!is_space(*s))
			after_word = 0;
		(void)buf_putc(&b, (unsigned char)*s++);
	}
	/* a NUL from an encoded word would cut the string short */
	for (i = 0, o = 0; i < b.len; i++)
		if (b.data[i] != '\0')
			b.data[o++] = b.data[i];
	b.len = o;
	b.data[o] = '\0';
	return buf_detach(&b, NULL);
}

/* ---- the walk --------------------------------------------------------- */

/* One open multipart: its body, its boundary and where its next part starts. */
struct walk_frame {
	char *boundary;
	size_t blen;
	const char *body;
	size_t len;
	size_t pos;
	unsigned depth; /* depth of its parts */
	int digest;     /* multipart/digest: parts default to message/rfc822 */
	int done;
};

struct walk {
	const struct tr_limits *lim;
	mime_leaf_fn fn;
	void *ctx;
	struct tr_error *err;
	struct walk_frame *stack;
	size_t nframes, cap;
	struct buf dec;   /* decoded body, reused for every leaf */
	size_t parts;     /* parts of multiparts visited */
	size_t leaves;
};

/*
 * Whether the bytes at p[i..len), right after "--boundary", finish a
 * delimiter line: optional "--", optional whitespace, then the line end or
 * the end of input.  Sets *close and *after (first byte past the line).
 */
static int delimiter_tail(const char *p, size_t len, size_t i, int *close, size_t *after)
{
	*close = 0;
	if (len - i >= 2 && p[i] == '-' && p[i + 1] == '-') {
		*close = 1;
		i += 2;
	}
	while (i < len && (is_wsp(p[i]) || p[i] == '\r'))
		i++;
	if (i < len && p[i] != '\n')
		return 0;
	*after = i < len ? i + 1 : len;
	return 1;
}

/* Offset of the next delimiter line of f in its body from `from`, or
 * f->len when there is none. */
static size_t find_delimiter(const struct walk_frame *f, size_t from, int *close, size_t *after)
{
	const char *p = f->body, *lf;
	size_t pos = from;

	while (pos < f->len) {
		if (f->len - pos >= f->blen + 2 && p[pos] == '-' && p[pos + 1] == '-' &&
		    memcmp(p + pos + 2, f->boundary, f->blen) == 0 &&
		    delimiter_tail(p, f->len, pos + 2 + f->blen, close, after))
			return pos;
		lf = memchr(p + pos, '\n', f->len - pos);
		if (lf == NULL)
			break;
		pos = (size_t)(lf - p) + 1;
	}
	*close = 0;
	*after = f->len;
	return f->len;
}

static int all_space(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_space(p[i]))
			return 0;
	return 1;
}

/*
 * The next part of frame f as p[*start..*end) of its body; 0 when there is
 * none left.  The line end before a delimiter belongs to the delimiter.
 */
static int next_part(struct walk_frame *f, size_t *start, size_t *end)
{
	size_t q, after;
	int close;

	if (f->done)
		return 0;
	*start = f->pos;
	q = find_delimiter(f, f->pos, &close, &after);
	*end = q;
	if (q == f->len) {
		/* no closing delimiter: the part runs to the end of the body,
		 * unless it is only the blank lines such senders leave */
		f->done = 1;
		return !all_space(f->body + *start, q - *start);
	}
	if (*end > *start && f->body[*end - 1] == '\n')
		(*end)--;
	if (*end > *start && f->body[*end - 1] == '\r')
		(*end)--;
	f->pos = after;
	f->done = close;
	return 1;
}

static enum tr_err push_frame(struct walk *w, char *boundary, const char *body,
                              size_t len, unsigned depth, int digest)
{
	struct walk_frame *f, *v;
	size_t first;
	int close;

	v = array_grow(w->stack, &w->cap, w->nframes, sizeof *v, 8);
	if (v == NULL) {
		free(boundary);
		return tr_error_set(w->err, TR_ERR_NOMEM, "mime: out of memory");
	}
	w->stack = v;
	f = &w->stack[w->nframes++];
	f->boundary = boundary;
	f->blen = strlen(boundary);
	f->body = body;
	f->len = len;
	f->depth = depth;
	f->digest = digest;
	/* the preamble, up to the first delimiter, is not a part */
	first = find_delimiter(f, 0, &close, &f->pos);
	f->done = first == len || close;
	return TR_OK;
}

static char *nonempty(char *s)
{
	if (s != NULL && *s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* A display string with RFC 2047 words decoded when it has any; the
 * caller frees it.  NULL when s is NULL or memory ran out. */
static char *display_copy(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strstr(s, "=?") != NULL)
		return mime_decode_words(s);
	return strdup(s);
}

static char *part_filename(const struct mime_headers *h)
{
	char *name, *shown;

	name = nonempty(mime_param(mime_header_get(h, "Content-Disposition"), "filename"));
	if (name == NULL)
		name = nonempty(mime_param(mime_header_get(h, "Content-Type"), "name"));
	if (name == NULL || strstr(name, "=?") == NULL)
		return name;
	shown = mime_decode_words(name);
	if (shown == NULL)
		return name;
	free(name);
	return shown;
}

static enum tr_err leaf_body(struct walk *w, const struct mime_headers *h,
                             const char *body, size_t len, struct mime_part *part)
{
	enum decode_cte cte;
	enum tr_err rc;

	cte = decode_cte_parse(mime_header_get(h, "Content-Transfer-Encoding"));
	if (cte == CTE_IDENTITY) {
		if (len > w->lim->max_decoded)
			return tr_error_set(w->err, TR_ERR_LIMIT, "mime: part %zu longer than %zu bytes",
			                    w->leaves, w->lim->max_decoded);
		part->body = (const unsigned char *)body; /* no copy needed */
		part->body_len = len;
		return TR_OK;
	}
	buf_reset(&w->dec);
	rc = decode_body(cte, body, len, &w->dec);
	if (rc == TR_ERR_LIMIT)
		return tr_error_set(w->err, rc, "mime: part %zu decodes to more than %zu bytes",
		                    w->leaves, w->lim->max_decoded);
	if (rc != TR_OK)
		return tr_error_set(w->err, rc, "mime: out of memory decoding part %zu", w->leaves);
	part->body = w->dec.data ? w->dec.data : (const unsigned char *)"";
	part->body_len = w->dec.len;
	return TR_OK;
}

static enum tr_err emit_leaf(struct walk *w, const struct mime_headers *h, const char *type,
                             const char *body, size_t len, unsigned depth)
{
	struct mime_part part;
	const char *desc;
	char *filename = NULL, *description = NULL;
	enum tr_err rc;

	rc = leaf_body(w, h, body, len, &part);
	if (rc != TR_OK)
		return rc;
	filename = part_filename(h);
	desc = mime_header_get(h, "Content-Description");
	if (desc != NULL && strstr(desc, "=?") != NULL) {
		description = display_copy(desc);
		desc = description ? description : desc;
	}
	part.headers = h;
	part.content_type = type;
	part.filename = filename;
	part.description = desc;
	part.depth = depth;
	part.index = w->leaves++;
	rc = w->fn(&part, w->ctx);
	free(filename);
	free(description);
	return rc;
}

static enum tr_err too_deep(struct walk *w)
{
	return tr_error_set(w->err, TR_ERR_LIMIT, "mime: nesting deeper than %u",
	                    w->lim->max_depth);
}

static int is_message_type(const char *type)
{
	return strcmp(type, "message/rfc822") == 0 || strcmp(type, "message/global") == 0;
}

/*
 * Handle the entity p[0..len) at depth: a leaf goes to the callback, a
 * multipart opens a frame that walk_frames() then works through, and an
 * encapsulated message is handled in place as the entity its body holds.
 */
static enum tr_err walk_entity(struct walk *w, const char *p, size_t len, unsigned depth,
                               int digest, int whole_message)
{
	struct mime_headers h;
	char type[MIME_TYPE_MAX];
	const char *ct, *cte;
	char *boundary;
	size_t body_off;
	enum tr_err rc;

	for (;;) {
		rc = parse_headers(p, len, w->lim, whole_message, &h, &body_off, w->err);
		if (rc != TR_OK)
			return rc;
		ct = mime_header_get(&h, "Content-Type");
		mime_content_type(ct, type, sizeof type);
		if (ct == NULL && digest)
			memcpy(type, "message/rfc822", sizeof "message/rfc822");
		cte = mime_header_get(&h, "Content-Transfer-Encoding");
		boundary = strncmp(type, "multipart/", 10) == 0 ? nonempty(mime_param(ct, "boundary")) : NULL;
		if (boundary == NULL && !(is_message_type(type) && decode_cte_parse(cte) == CTE_IDENTITY)) {
			rc = emit_leaf(w, &h, type, p + body_off, len - body_off, depth);
			mime_headers_free(&h);
			return rc;
		}
		digest = strcmp(type, "multipart/digest") == 0;
		mime_headers_free(&h);
		if (depth >= w->lim->max_depth) {
			free(boundary);
			return too_deep(w);
		}
		if (boundary != NULL)
			return push_frame(w, boundary, p + body_off, len - body_off, depth + 1, digest);
		p += body_off; /* message/rfc822: its body is a whole message */
		len -= body_off;
		depth++;
		digest = 0;
		whole_message = 1;
	}
}

/* Work through the open multiparts, innermost first, until none is left. */
static enum tr_err walk_frames(struct walk *w)
{
	struct walk_frame *f;
	size_t start, end;
	enum tr_err rc;

	while (w->nframes > 0) {
		f = &w->stack[w->nframes - 1];
		if (!next_part(f, &start, &end)) {
			free(f->boundary);
			w->nframes--;
			continue;
		}
		if (w->parts >= w->lim->max_parts)
			return tr_error_set(w->err, TR_ERR_LIMIT, "mime: more than %zu parts",
			                    w->lim->max_parts);
		w->parts++;
		/* f may move when walk_entity pushes a frame: pass copies */
		rc = walk_entity(w, f->body + start, end - start, f->depth, f->digest, 0);
		if (rc != TR_OK)
			return rc;
	}
	return TR_OK;
}

enum tr_err mime_walk(const char *msg, size_t len, const struct tr_limits *lim,
                      mime_leaf_fn fn, void *ctx, struct tr_error *err)
{
	struct walk w;
	enum tr_err rc;

	memset(&w, 0, sizeof w);
	w.lim = lim;
	w.fn = fn;
	w.ctx = ctx;
	w.err = err;
	buf_init(&w.dec, lim->max_decoded);
	rc = walk_entity(&w, msg, len, 0, 0, 1);
	if (rc == TR_OK)
		rc = walk_frames(&w);
	while (w.nframes > 0)
		free(w.stack[--w.nframes].boundary);
	free(w.stack);
	buf_free(&w.dec);
	return rc;
}
