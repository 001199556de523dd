/*
 * output: everything tlsrpt-report prints that came from a report.
 *
 * Report contents are chosen by whoever sent the mail, so nothing from a
 * report reaches a terminal, a JSON document or a CSV file unescaped:
 * control characters (ESC, CR, LF...), C1 controls, bidirectional overrides
 * and invalid UTF-8 are written as visible escapes.  The summary writers
 * produce the three formats of "summary --format".
 */
#ifndef TLSRPT_CLI_OUTPUT_H
#define TLSRPT_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "summary.h"

enum out_format {
	OUT_TEXT,
	OUT_JSON,
	OUT_CSV
};

/* "text", "json" or "csv"; -1 when unknown. */
int out_format_parse(const char *name);

/*
 * s made safe for a terminal: printable ASCII and valid UTF-8 as they are;
 * backslash as "\\", \n \r \t as such, other control bytes and invalid
 * UTF-8 bytes as "\xNN", C1 controls and bidi overrides as "\uNNNN".
 * NULL s yields a copy of if_null.  Returns a malloc'd string (free()), or
 * NULL when memory ran out.
 */
char *esc_term(const char *s, const char *if_null);

/* Display width of an escaped string: its code points. */
size_t text_width(const char *s);

/*
 * s (escaped already) cut to at most width code points with "..." marking
 * the cut: keep_right keeps the end (domain names: the end says whose they
 * are), else the start.  width >= 4.  malloc'd (free()), NULL on no memory.
 */
char *text_shorten(const char *s, size_t width, int keep_right);

/* v with thousands separators ("1,234,567") into out (at least 27 bytes). */
void fmt_grouped(uint64_t v, char *out, size_t outlen);

/* failed / (successful + failed) as "12.3%", "-" when there were no
 * sessions; never rounds a partial failure to "0.0%" or "100.0%". */
void fmt_failure_rate(uint64_t successful, uint64_t failed, char *out, size_t outlen);

/* Write s as a JSON string (quotes included; "null" for NULL).  Control
 * characters, C1 controls and bidi overrides as \uNNNN, invalid UTF-8 as
 * U+FFFD, so the document is valid UTF-8 JSON whatever s holds. */
void json_put_string(FILE *f, const char *s);

/* Write s as one CSV field (RFC 4180: quoted when it holds a comma, quote
 * or space at either end; quotes doubled), terminal-escaped first.
 * NULL is the empty field.  Returns -1 on no memory, else 0. */
int csv_put_field(FILE *f, const char *s);

/* The quoting of csv_put_field() alone, for text escaped already. */
void csv_put_escaped(FILE *f, const char *escaped);

/* The JSON member / CSV column naming the row key: "submitter",
 * "policy_domain", "result_type", "receiving_mx", "sending_ip", "day". */
const char *out_key_field(enum summary_key key);

/* Write the summary in the format asked for.  Returns 0, or -1 when the
 * stream failed or memory ran out. */
int summary_write(FILE *f, const struct summary *sm, enum summary_key key,
                  enum out_format fmt);

#endif
