/*
 * mail: header encoding, quoted-printable, HTML escaping and the small
 * facts (date, host, random tokens) of the digest message (see mail.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mail.h"
#include "output.h"

#define QP_LINE_MAX 76
/* UTF-8 bytes per encoded-word: 45 bytes are 60 base64 characters, and
 * "=?UTF-8?B?" + "?=" make 72, under RFC 2047's 75. */
#define WORD_BYTES 45

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Length of the UTF-8 sequence at s (valid or not: 1 for a bad byte). */
static size_t utf8_len(const unsigned char *s)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return len;
}

/* s with control bytes and broken UTF-8 as '?': the last line of defence
 * (callers escape report text with esc_term() first, which this leaves
 * as it is: a second escaping would double its backslashes). */
static char *header_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	while (i < n) {
		len = utf8_len(p + i);
		if (len > n - i || (len == 1 && (p[i] < 0x20 || p[i] >= 0x7f))) {
			out[i] = '?';
			len = 1;
		} else {
			memcpy(out + i, p + i, len);
		}
		i += len;
	}
	out[n] = '\0';
	return out;
}

static int needs_encoding(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 1;
	return strstr(s, "=?") != NULL;
}

static enum tr_err put_b64(struct buf *b, const unsigned char *p, size_t n)
{
	enum tr_err rc = TR_OK;
	uint32_t v;
	char q[4];

	for (size_t i = 0; rc == TR_OK && i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[v >> 18 & 63];
		q[1] = b64[v >> 12 & 63];
		q[2] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		rc = buf_append(b, q, 4);
	}
	return rc;
}

char *mail_header_text(const char *s, size_t name_len)
{
	char *clean = header_clean(s);
	const unsigned char *p;
	size_t chunk, n, len;
	struct buf b;
	enum tr_err rc = TR_OK;

	(void)name_len; /* every word fits a line of its own after any name */
	if (clean == NULL || !needs_encoding(clean))
		return clean;
	buf_init(&b, SIZE_MAX / 2);
	p = (const unsigned char *)clean;
	n = strlen(clean);
	while (rc == TR_OK && n > 0) {
		/* whole UTF-8 sequences only: a word must decode on its own */
		for (chunk = 0; chunk < n; chunk += len) {
			len = utf8_len(p + chunk);
			if (chunk + len > WORD_BYTES)
				break;
		}
		if (p != (const unsigned char *)clean)
			rc = buf_append(&b, "\n ", 2);
		if (rc == TR_OK)
			rc = buf_append(&b, "=?UTF-8?B?", 10);
		if (rc == TR_OK)
			rc = put_b64(&b, p, chunk);
		if (rc == TR_OK)
			rc = buf_append(&b, "?=", 2);
		p += chunk;
		n -= chunk;
	}
	free(clean);
	if (rc != TR_OK) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int mail_address_ok(const char *addr)
{
	size_t n = strlen(addr);

	if (n < 3 || n > 254 || strchr(addr, '@') == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)addr; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("<>,;:\"()\\[]", *p) != NULL)
			return 0;
	return 1;
}

/* The QP form of the byte at p[0] (rest bytes left on the line) when it
 * lands in column col. */
static size_t qp_token(const unsigned char *p, size_t rest, size_t col, char *tok, size_t size)
{
	unsigned c = p[0];
	int plain = (c >= 0x21 && c <= 0x7e && c != '=') || ((c == ' ' || c == '\t') && rest > 1);

	/* a leading '.' (SMTP) or "From " (mbox) is encoded */
	if (col == 0 && (c == '.' || (rest >= 5 && memcmp(p, "From ", 5) == 0)))
		plain = 0;
	if (plain)
		snprintf(tok, size, "%c", (char)c);
	else
		snprintf(tok, size, "=%02X", c);
	return strlen(tok);
}

/* One line of text as QP lines of at most QP_LINE_MAX characters. */
static void qp_line(FILE *f, const unsigned char *p, size_t n)
{
	size_t col = 0, len, i;
	char tok[4];

	for (i = 0; i < n; i++) {
		len = qp_token(p + i, n - i, col, tok, sizeof tok);
		/* room for the soft break's '=', unless this ends the line */
		if (col + len > QP_LINE_MAX - 1 && !(i + 1 == n && col + len <= QP_LINE_MAX)) {
			fputs("=\n", f);
			col = 0;
			len = qp_token(p + i, n - i, col, tok, sizeof tok);
		}
		fputs(tok, f);
		col += len;
	}
	fputc('\n', f);
}

int mail_qp_write(FILE *f, const char *text)
{
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		qp_line(f, (const unsigned char *)p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return ferror(f) ? -1 : 0;
}

char *html_text(const char *s, const char *if_null)
{
	char *e = esc_term(s, if_null);
	struct buf b;
	enum tr_err rc = TR_OK;

	if (e == NULL)
		return NULL;
	buf_init(&b, SIZE_MAX / 2);
	for (const char *p = e; rc == TR_OK && *p != '\0'; p++) {
		switch (*p) {
		case '&': rc = buf_append(&b, "&amp;", 5); break;
		case '<': rc = buf_append(&b, "&lt;", 4); break;
		case '>': rc = buf_append(&b, "&gt;", 4); break;
		case '"': rc = buf_append(&b, "&quot;", 6); break;
		case '\'': rc = buf_append(&b, "&#39;", 5); break;
		default: rc = buf_putc(&b, (unsigned char)*p); break;
		}
	}
	free(e);
	if (rc != TR_OK) {
		buf_free(&b);
		return NULL;
	}
	if (b.len == 0) {
		buf_free(&b);
		return strdup("");
	}
	return buf_detach(&b, NULL);
}

void mail_date(int64_t epoch, char *out, size_t outlen)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)epoch;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, outlen, "Thu, 01 Jan 1970 00:00:00 +0000");
		return;
	}
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
	         tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
}

void mail_hostname(char *out, size_t outlen)
{
	char h[256];
	size_t n;

	if (gethostname(h, sizeof h) != 0)
		h[0] = '\0';
	h[sizeof h - 1] = '\0';
	n = strlen(h);
	if (n == 0 || strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n ||
	    h[0] == '.' || h[0] == '-')
		snprintf(out, outlen, "localhost");
	else
		snprintf(out, outlen, "%s", h);
}

void mail_random_hex(char *out, size_t outlen)
{
	unsigned char r[8];
	uint64_t v;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, r, sizeof r) : -1;

	if (fd >= 0)
		close(fd);
	if (got == (ssize_t)sizeof r) {
		v = 0;
		for (size_t i = 0; i < sizeof r; i++)
			v = v << 8 | r[i];
	} else {
		v = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	}
	snprintf(out, outlen, "%016llx", (unsigned long long)v);
}
