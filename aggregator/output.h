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

#include "presence.h"
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

/* Display width of an escaped string in terminal columns: East Asian wide
 * characters count two, combining marks none. */
size_t text_width(const char *s);

/*
 * s (escaped already) cut to at most width columns with "..." marking
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

/* Write a JSON text made elsewhere (cJSON's, whose strings escape only
 * quotes, backslashes and controls below 0x20) with the same rule for
 * what json_put_string() escapes: C1 controls, bidi controls and the line
 * and paragraph separators as \uNNNN, invalid UTF-8 as U+FFFD. */
void json_put_text(FILE *f, const char *json);

/* Write s as one CSV field (RFC 4180: quoted when it holds a comma, quote
 * or space at either end; quotes doubled), terminal-escaped first, and
 * with a leading ' when it starts with =, +, - or @ (a spreadsheet would
 * run it as a formula).
 * NULL is the empty field.  Returns -1 on no memory, else 0. */
int csv_put_field(FILE *f, const char *s);

/* The quoting of csv_put_field() alone, for text escaped already. */
void csv_put_escaped(FILE *f, const char *escaped);

/* The JSON member / CSV column naming the row key: "submitter",
 * "policy_domain", "result_type", "receiving_mx", "sending_ip", "day". */
const char *out_key_field(enum summary_key key);

/*
 * esc_term(s) (if_null when s is NULL or empty) cut to width code points
 * as text_shorten() does.  malloc'd (free()), NULL on no memory.
 */
char *cell_text(const char *s, const char *if_null, size_t width, int keep_right);

/* How a text table looks. */
struct text_style {
	int color;  /* highlight failures with terminal colours */
	int all;    /* 0: fold senders that did not fail under a policy into
	               one line ("+ 12 senders with no failures (...)") */
};

/* The folded line, without a newline, into out (256 bytes are enough). */
void fmt_folded_line(char *out, size_t outlen, size_t senders, uint64_t sessions,
                     uint64_t failed_without_policy);

/* The silent reporters (presence.h) beside a summary by submitter, in
 * presence's order.  judged is 0 when the window cannot tell who went
 * silent (an --until, or a --policy-domain: silence is a reporter's): no
 * text lines, JSON null, CSV's silent and last_report cells empty. */
struct out_silent {
	int judged;
	const struct presence_reporter *const *v;
	size_t n;
};

/* Write the summary in the format asked for; st only shapes text (NULL:
 * no colour, every row); silent (NULL: none, as for every key but
 * submitter) adds the silent reporters: "Silent:" lines after the text
 * table, "silent_reporters" in JSON, the silent and last_report columns
 * in CSV (and a zero row for each one with no report in the window). */
int summary_write_styled(FILE *f, const struct summary *sm, enum summary_key key,
                         enum out_format fmt, const struct text_style *st, const struct out_silent *silent);

/* Write the summary in the format asked for.  Returns 0, or -1 when the
 * stream failed or memory ran out. */
int summary_write(FILE *f, const struct summary *sm, enum summary_key key,
                  enum out_format fmt);

/*
 * Records for the list views' JSON and CSV: a table of fields, each read
 * at an offset in the record struct.  Strings may be NULL (JSON null, CSV
 * empty); times are epoch seconds written as RFC 3339.
 */
enum rec_kind {
	REC_STR,   /* char * */
	REC_I64,   /* int64_t */
	REC_U64,   /* uint64_t */
	REC_TIME,  /* int64_t epoch seconds */
	REC_BOOL   /* int */
};

struct rec_field {
	const char *name;
	enum rec_kind kind;
	size_t off;
};

/* {"name": value, ...} */
void json_put_record(FILE *f, const void *rec, const struct rec_field *fields, size_t n);

/* The CSV header line, and one record as a CSV line.  csv_put_record()
 * returns -1 on no memory, else 0. */
void csv_put_header(FILE *f, const struct rec_field *fields, size_t n);
int csv_put_record(FILE *f, const void *rec, const struct rec_field *fields, size_t n);

/* The cells of csv_put_record() without the line's end, after other cells
 * when after is 1; rec NULL gives n empty cells.  -1 on no memory. */
int csv_put_cells(FILE *f, const void *rec, const struct rec_field *fields, size_t n, int after);

/*
 * n records of size bytes each, from rows, as CSV (header and lines) or as
 * JSON {"<name>": [record, ...]}; returns what out_finish() returns.
 */
int records_put_list(FILE *f, int csv, const char *name, const void *rows, size_t size, size_t n,
                     const struct rec_field *fields, size_t nfields);

/* "YYYY-MM-DD" of epoch (UTC) into out (at least 11 bytes). */
void fmt_day(int64_t epoch, char *out, size_t outlen);

/* "YYYY-MM-DD HH:MM" of epoch (UTC) into out (at least 17 bytes). */
void fmt_minute(int64_t epoch, char *out, size_t outlen);

/* A date range in few characters: "2024-01-01" for one UTC day (end at
 * most a day after start, same date or ending at midnight), else
 * "2024-01-01..2024-01-03". */
void fmt_range(int64_t start, int64_t end, char *out, size_t outlen);

/* Flush and check f: 0, or -1 when writing failed or rc is -1. */
int out_finish(FILE *f, int rc);

#endif
