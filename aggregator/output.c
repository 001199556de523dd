/*
 * output: the three formats of "tlsrpt-report summary" (see output.h).
 * JSON is a contract that scripts rely on; text is for a person at a
 * terminal; CSV is for spreadsheets and awk.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* Widest key and organization columns before names are shortened. */
#define KEY_COLUMN_MAX 40
#define ORG_COLUMN_MAX 28
/* Result types shown per row in the text table. */
#define TEXT_TOP_TYPES 3

static const char *const key_fields[] = {
	[SUMMARY_BY_SUBMITTER] = "submitter",
	[SUMMARY_BY_POLICY_DOMAIN] = "policy_domain",
	[SUMMARY_BY_RESULT_TYPE] = "result_type",
	[SUMMARY_BY_RECEIVING_MX] = "receiving_mx",
	[SUMMARY_BY_SENDING_IP] = "sending_ip",
	[SUMMARY_BY_DAY] = "day",
};

const char *out_key_field(enum summary_key key)
{
	if ((size_t)key >= sizeof key_fields / sizeof key_fields[0])
		return "key";
	return key_fields[key];
}

int out_format_parse(const char *name)
{
	if (strcmp(name, "text") == 0)
		return OUT_TEXT;
	if (strcmp(name, "json") == 0)
		return OUT_JSON;
	if (strcmp(name, "csv") == 0)
		return OUT_CSV;
	return -1;
}

static int finish(FILE *f, int rc)
{
	if (fflush(f) != 0 || ferror(f))
		return -1;
	return rc;
}

/* ---- JSON ---- */

static void json_row(FILE *f, const struct summary_row *r, enum summary_key key)
{
	size_t i;

	fputs("{", f);
	json_put_string(f, out_key_field(key));
	fputs(": ", f);
	json_put_string(f, r->key != NULL ? r->key : "");
	if (key == SUMMARY_BY_SUBMITTER) {
		fputs(", \"organization\": ", f);
		json_put_string(f, r->organization);
	}
	fprintf(f, ", \"reports\": %llu, \"successful_sessions\": %llu, \"failed_sessions\": %llu",
	        (unsigned long long)r->reports, (unsigned long long)r->successful,
	        (unsigned long long)r->failed);
	fputs(", \"result_types\": {", f);
	for (i = 0; i < r->n_result_types; i++) {
		if (i > 0)
			fputs(", ", f);
		json_put_string(f, r->result_types[i].name != NULL ? r->result_types[i].name : "");
		fprintf(f, ": %llu", (unsigned long long)r->result_types[i].count);
	}
	fputs("}}", f);
}

static int write_json(FILE *f, const struct summary *sm, enum summary_key key)
{
	size_t i;

	fprintf(f, "{\"totals\": {\"reports\": %llu, \"successful_sessions\": %llu, "
	        "\"failed_sessions\": %llu},\n \"rows\": [",
	        (unsigned long long)sm->reports, (unsigned long long)sm->successful,
	        (unsigned long long)sm->failed);
	for (i = 0; i < sm->n_rows; i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", f);
		json_row(f, &sm->rows[i], key);
	}
	fputs(sm->n_rows > 0 ? "\n ]}\n" : "]}\n", f);
	return finish(f, 0);
}

/* ---- CSV ---- */

/* "type=N;type=N", names terminal-escaped and ';' '=' inside them written
 * as \x3b \x3d, so that the column splits back apart unambiguously. */
static char *csv_result_types(const struct summary_row *r)
{
	char *s = NULL, *e;
	size_t len = 0, i;
	const char *p;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return NULL;
	for (i = 0; i < r->n_result_types; i++) {
		e = esc_term(r->result_types[i].name, "");
		if (e == NULL)
			break;
		if (i > 0)
			fputc(';', m);
		for (p = e; *p != '\0'; p++) {
			if (*p == ';' || *p == '=')
				fprintf(m, "\\x%02x", (unsigned char)*p);
			else
				fputc(*p, m);
		}
		free(e);
		fprintf(m, "=%llu", (unsigned long long)r->result_types[i].count);
	}
	if (fclose(m) != 0 || i < r->n_result_types) {
		free(s);
		return NULL;
	}
	return s;
}

static int csv_row(FILE *f, const struct summary_row *r, enum summary_key key)
{
	char *types;

	if (csv_put_field(f, r->key) != 0)
		return -1;
	if (key == SUMMARY_BY_SUBMITTER) {
		fputc(',', f);
		if (csv_put_field(f, r->organization) != 0)
			return -1;
	}
	fprintf(f, ",%llu,%llu,%llu,", (unsigned long long)r->reports,
	        (unsigned long long)r->successful, (unsigned long long)r->failed);
	types = csv_result_types(r);
	if (types == NULL)
		return -1;
	csv_put_escaped(f, types);
	free(types);
	fputc('\n', f);
	return 0;
}

static int write_csv(FILE *f, const struct summary *sm, enum summary_key key)
{
	size_t i;

	fputs(out_key_field(key), f);
	if (key == SUMMARY_BY_SUBMITTER)
		fputs(",organization", f);
	fputs(",reports,successful_sessions,failed_sessions,result_types\n", f);
	for (i = 0; i < sm->n_rows; i++)
		if (csv_row(f, &sm->rows[i], key) != 0)
			return finish(f, -1);
	return finish(f, 0);
}

/* ---- text ---- */

/* One table line, every cell already escaped and shortened. */
struct text_line {
	char *key;
	char *org;
	char reports[32];
	char successful[32];
	char failed[32];
	char rate[16];
	char *types;
};

struct text_widths {
	size_t key, org, reports, successful, failed, rate;
};

static int key_keeps_right(enum summary_key key)
{
	return key == SUMMARY_BY_SUBMITTER || key == SUMMARY_BY_POLICY_DOMAIN ||
	       key == SUMMARY_BY_RECEIVING_MX;
}

static char *escaped_cell(const char *s, const char *if_null, size_t width, int keep_right)
{
	char *e = esc_term(s, if_null);
	char *cut;

	if (e == NULL)
		return NULL;
	cut = text_shorten(e, width, keep_right);
	free(e);
	return cut;
}

/* "certificate-expired 12, starttls-not-supported 3, +2 more" */
static char *text_result_types(const struct summary_row *r)
{
	char *s = NULL, n[32], *e;
	size_t len = 0, i;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return NULL;
	for (i = 0; i < r->n_result_types && i < TEXT_TOP_TYPES; i++) {
		e = esc_term(r->result_types[i].name, "-");
		fmt_grouped(r->result_types[i].count, n, sizeof n);
		fprintf(m, "%s%s %s", i > 0 ? ", " : "", e != NULL ? e : "?", n);
		free(e);
	}
	if (r->n_result_types > TEXT_TOP_TYPES)
		fprintf(m, ", +%zu more", r->n_result_types - TEXT_TOP_TYPES);
	if (fclose(m) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void line_numbers(struct text_line *l, uint64_t reports, uint64_t ok, uint64_t failed)
{
	fmt_grouped(reports, l->reports, sizeof l->reports);
	fmt_grouped(ok, l->successful, sizeof l->successful);
	fmt_grouped(failed, l->failed, sizeof l->failed);
	fmt_failure_rate(ok, failed, l->rate, sizeof l->rate);
}

static int line_from_row(struct text_line *l, const struct summary_row *r, enum summary_key key)
{
	memset(l, 0, sizeof *l);
	/* the empty key groups reports that lacked the field */
	l->key = escaped_cell(r->key != NULL && r->key[0] != '\0' ? r->key : NULL, "-",
	                      KEY_COLUMN_MAX, key_keeps_right(key));
	l->org = escaped_cell(r->organization, "-", ORG_COLUMN_MAX, 0);
	l->types = text_result_types(r);
	line_numbers(l, r->reports, r->successful, r->failed);
	return l->key != NULL && l->org != NULL && l->types != NULL ? 0 : -1;
}

static void line_free(struct text_line *l)
{
	free(l->key);
	free(l->org);
	free(l->types);
}

static size_t max_width(size_t w, const char *s)
{
	size_t n = text_width(s);

	return n > w ? n : w;
}

static void widen(struct text_widths *w, const struct text_line *l)
{
	w->key = max_width(w->key, l->key);
	w->org = max_width(w->org, l->org);
	w->reports = max_width(w->reports, l->reports);
	w->successful = max_width(w->successful, l->successful);
	w->failed = max_width(w->failed, l->failed);
	w->rate = max_width(w->rate, l->rate);
}

/* Left-align s in a column of width w (printf's width counts bytes, not
 * code points, so pad by hand). */
static void put_left(FILE *f, const char *s, size_t w)
{
	size_t n = text_width(s);

	fputs(s, f);
	for (; n < w; n++)
		fputc(' ', f);
}

/* Which columns a key's table has: failure-detail keys count no
 * successful sessions, so a rate would always read 100%. */
struct text_columns {
	int org;          /* by submitter */
	int sessions;     /* SUCCESSFUL and FAIL% */
	int types;        /* RESULT TYPES (not when grouping by it) */
};

static struct text_columns columns_for(enum summary_key key)
{
	struct text_columns c;

	c.org = key == SUMMARY_BY_SUBMITTER;
	c.sessions = key == SUMMARY_BY_SUBMITTER || key == SUMMARY_BY_POLICY_DOMAIN ||
	             key == SUMMARY_BY_DAY;
	c.types = key != SUMMARY_BY_RESULT_TYPE;
	return c;
}

static void put_line(FILE *f, const struct text_line *l, const struct text_widths *w,
                     struct text_columns c)
{
	put_left(f, l->key, w->key);
	if (c.org) {
		fputs("  ", f);
		put_left(f, l->org, w->org);
	}
	fprintf(f, "  %*s", (int)w->reports, l->reports);
	if (c.sessions)
		fprintf(f, "  %*s", (int)w->successful, l->successful);
	fprintf(f, "  %*s", (int)w->failed, l->failed);
	if (c.sessions)
		fprintf(f, "  %*s", (int)w->rate, l->rate);
	if (c.types && l->types[0] != '\0')
		fprintf(f, "  %s", l->types);
	fputc('\n', f);
}

static char *upper_dup(const char *s)
{
	char *u = strdup(s);
	size_t i;

	for (i = 0; u != NULL && u[i] != '\0'; i++)
		u[i] = u[i] == '_' ? '-' : (char)toupper((unsigned char)u[i]);
	return u;
}

static int write_text(FILE *f, const struct summary *sm, enum summary_key key)
{
	struct text_line head = {0}, total = {0}, *lines;
	struct text_widths w = {0};
	struct text_columns cols = columns_for(key);
	int rc = 0;
	size_t i;

	lines = calloc(sm->n_rows + 1, sizeof *lines);
	head.key = upper_dup(out_key_field(key));
	head.org = strdup("ORGANIZATION");
	head.types = strdup("RESULT TYPES");
	total.key = strdup("TOTAL");
	total.org = strdup("");
	total.types = strdup("");
	if (lines == NULL || head.key == NULL || head.org == NULL || head.types == NULL ||
	    total.key == NULL || total.org == NULL || total.types == NULL)
		rc = -1;
	snprintf(head.reports, sizeof head.reports, "REPORTS");
	snprintf(head.successful, sizeof head.successful, "SUCCESSFUL");
	snprintf(head.failed, sizeof head.failed, "FAILED");
	snprintf(head.rate, sizeof head.rate, "FAIL%%");
	line_numbers(&total, sm->reports, sm->successful, sm->failed);
	for (i = 0; rc == 0 && i < sm->n_rows; i++)
		rc = line_from_row(&lines[i], &sm->rows[i], key);
	if (rc == 0) {
		widen(&w, &head);
		widen(&w, &total);
		for (i = 0; i < sm->n_rows; i++)
			widen(&w, &lines[i]);
		put_line(f, &head, &w, cols);
		for (i = 0; i < sm->n_rows; i++)
			put_line(f, &lines[i], &w, cols);
		put_line(f, &total, &w, cols);
	}
	for (i = 0; lines != NULL && i < sm->n_rows; i++)
		line_free(&lines[i]); /* calloc'd: rows never reached are empty */
	free(lines);
	line_free(&head);
	line_free(&total);
	return finish(f, rc);
}

int summary_write(FILE *f, const struct summary *sm, enum summary_key key, enum out_format fmt)
{
	switch (fmt) {
	case OUT_JSON: return write_json(f, sm, key);
	case OUT_CSV: return write_csv(f, sm, key);
	case OUT_TEXT: return write_text(f, sm, key);
	}
	return -1;
}
