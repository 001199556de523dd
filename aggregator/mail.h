/*
 * mail: the pieces of an RFC 5322 / MIME message that the digest writes.
 * Text from a report reaches a header only through mail_header_text()
 * (no control character survives; non-ASCII becomes RFC 2047
 * encoded-words) and a body only through quoted-printable, HTML-escaped
 * when the body is HTML.
 */
#ifndef TLSRPT_CLI_MAIL_H
#define TLSRPT_CLI_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A header field body for text: control characters (CR, LF, ESC, DEL)
 * and bytes that are not UTF-8 become '?' (escape report text with
 * esc_term() first to keep it readable).
 * Printable ASCII that holds no "=?" is returned as it is; anything else
 * as RFC 2047 "=?UTF-8?B?...?=" words of at most 75 characters, folded
 * onto continuation lines (LF + space).  name_len is the length of
 * "Name: " before it, for the first line.  malloc'd (free()), NULL on no
 * memory.
 */
char *mail_header_text(const char *s, size_t name_len);

/* An address given on the command line is usable in a header: 3 to 254
 * printable ASCII characters with an '@', no space, no control, no
 * "<>,;:\"()" that would add a second address. */
int mail_address_ok(const char *addr);

/* Write text (LF-separated lines, UTF-8) as quoted-printable: lines at
 * most 76 characters with soft breaks, '=' and non-ASCII as =XX, trailing
 * blanks and a leading '.' or "From " encoded.  Returns -1 when f failed. */
int mail_qp_write(FILE *f, const char *text);

/* s with & < > " ' as HTML entities, after esc_term() (no control
 * character, valid UTF-8).  NULL s yields if_null (escaped too).
 * malloc'd (free()), NULL on no memory. */
char *html_text(const char *s, const char *if_null);

/* "Mon, 15 Jan 2024 00:00:00 +0000" into out (at least 32 bytes). */
void mail_date(int64_t epoch, char *out, size_t outlen);

/* This host's name as a domain for Message-ID and the default From:
 * letters, digits, '-' and '.' only, else "localhost". */
void mail_hostname(char *out, size_t outlen);

/* 16 hex digits from /dev/urandom (time and pid when it is missing). */
void mail_random_hex(char *out, size_t outlen);

#endif
