/*
 * output: the three formats of "tlsrpt-report summary" (see output.h).
 * JSON is a contract that scripts rely on; text is for a person at a
 * terminal; CSV is for spreadsheets and awk.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"

#include "output.h"
#include "table.h"

/* Widest key and organization columns before names are shortened. */
#define KEY_COLUMN_MAX 40
#define ORG_COLUMN_MAX 28
/* Result types shown per row in the text table. */
#define TEXT_TOP_TYPES 3

const char *out_key_field(enum summary_key key)
{
	const struct key_def *d = key_def(key);

	return d != NULL ? d->field : "key";
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
	fprintf(f, ", \"reports\": %llu, \"successful_sessions\": %llu, \"failed_sessions\": %llu,"
	        " \"failed_sessions_under_policy\": %llu",
	        (unsigned long long)r->reports, (unsigned long long)r->successful,
	        (unsigned long long)r->failed, (unsigned long long)r->failed_with_policy);
	fputs(", \"result_types\": {", f);
	for (i = 0; i < r->n_result_types; i++) {
		if (i > 0)
			fputs(", ", f);
		json_put_string(f, r->result_types[i].name != NULL ? r->result_types[i].name : "");
		fprintf(f, ": %llu", (unsigned long long)r->result_types[i].count);
	}
	fputs("}}", f);
}

/* The silent reporter named submitter; NULL when it is not silent. */
static const struct presence_reporter *silent_find(const struct out_silent *silent, const char *submitter)
{
	for (size_t i = 0; silent != NULL && i < silent->n; i++) {
		if (strcmp(silent->v[i]->submitter, submitter != NULL ? submitter : "") == 0)
			return silent->v[i];
	}
	return NULL;
}

/* "silent_reporters": [{"submitter", "last_report" (day its latest report
 * starts), "last_report_end" (when the latest date range ends),
 * "days_with_reports", "lookback_days"}, ...], or null when not judged. */
static void json_silent(FILE *f, const struct out_silent *silent)
{
	char day[16], end[32];

	fputs(",\n \"silent_reporters\": ", f);
	if (!silent->judged) {
		fputs("null", f);
		return;
	}
	fputc('[', f);
	for (size_t i = 0; i < silent->n; i++) {
		const struct presence_reporter *p = silent->v[i];

		fmt_day(p->last_start, day, sizeof day);
		datetime_format(p->last_end, end, sizeof end);
		fputs(i > 0 ? ", {\"submitter\": " : "{\"submitter\": ", f);
		json_put_string(f, p->submitter);
		fprintf(f, ", \"last_report\": \"%s\", \"last_report_end\": \"%s\", \"days_with_reports\": %u,"
		        " \"lookback_days\": %d}", day, end, (unsigned)p->days, PRESENCE_LOOKBACK_DAYS);
	}
	fputc(']', f);
}

static int write_json(FILE *f, const struct summary *sm, enum summary_key key, const struct out_silent *silent)
{
	size_t i;

	fprintf(f, "{\"totals\": {\"reports\": %llu, \"successful_sessions\": %llu, "
	        "\"failed_sessions\": %llu, \"failed_sessions_under_policy\": %llu},\n \"rows\": [",
	        (unsigned long long)sm->reports, (unsigned long long)sm->successful,
	        (unsigned long long)sm->failed, (unsigned long long)sm->failed_with_policy);
	for (i = 0; i < sm->n_rows; i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", f);
		json_row(f, &sm->rows[i], key);
	}
	fputs(sm->n_rows > 0 ? "\n ]" : "]", f);
	if (silent != NULL)
		json_silent(f, silent);
	fputs("}\n", f);
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

/* ",silent,last_report" of one submitter: 1 and its last report's day
 * when it is silent, 0 and nothing when not, nothing when not judged. */
static void csv_silent_cells(FILE *f, const struct out_silent *silent, const char *submitter)
{
	const struct presence_reporter *p = silent_find(silent, submitter);
	char day[16];

	if (silent == NULL)
		return;
	if (!silent->judged) {
		fputs(",,", f);
		return;
	}
	if (p == NULL) {
		fputs(",0,", f);
		return;
	}
	fmt_day(p->last_start, day, sizeof day);
	fprintf(f, ",1,%s", day);
}

static int csv_row(FILE *f, const struct summary_row *r, enum summary_key key, const struct out_silent *silent)
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
	csv_silent_cells(f, silent, r->key);
	fputc('\n', f);
	return 0;
}

/* A silent reporter with no report in the window: a row of zeros after
 * the others, so that the file names every silent reporter. */
static int csv_silent_rows(FILE *f, const struct summary *sm, const struct out_silent *silent)
{
	for (size_t i = 0; silent != NULL && silent->judged && i < silent->n; i++) {
		struct summary_row zero = { 0 };
		size_t j = 0;

		while (j < sm->n_rows && strcmp(sm->rows[j].key, silent->v[i]->submitter) != 0)
			j++;
		if (j < sm->n_rows)
			continue;
		zero.key = silent->v[i]->submitter;
		if (csv_row(f, &zero, SUMMARY_BY_SUBMITTER, silent) != 0)
			return -1;
	}
	return 0;
}

static int write_csv(FILE *f, const struct summary *sm, enum summary_key key, const struct out_silent *silent)
{
	size_t i;

	fputs(out_key_field(key), f);
	if (key == SUMMARY_BY_SUBMITTER)
		fputs(",organization", f);
	fputs(",reports,successful_sessions,failed_sessions,result_types", f);
	fputs(silent != NULL ? ",silent,last_report\n" : "\n", f);
	for (i = 0; i < sm->n_rows; i++)
		if (csv_row(f, &sm->rows[i], key, silent) != 0)
			return finish(f, -1);
	return finish(f, csv_silent_rows(f, sm, silent));
}

/* ---- text ---- */

static int key_keeps_right(enum summary_key key)
{
	return key == SUMMARY_BY_SUBMITTER || key == SUMMARY_BY_POLICY_DOMAIN ||
	       key == SUMMARY_BY_RECEIVING_MX;
}

char *cell_text(const char *s, const char *if_null, size_t width, int keep_right)
{
	char *e = esc_term(s != NULL && s[0] != '\0' ? s : NULL, if_null);
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
	             key == SUMMARY_BY_DAY || key == SUMMARY_BY_POLICY_TYPE;
	c.types = key != SUMMARY_BY_RESULT_TYPE;
	return c;
}

/* Cells of one line in column order; *hot the cells to highlight. */
struct text_cells {
	char *cell[7];
	size_t n;
	unsigned hot;
};

static char *grouped_dup(uint64_t v)
{
	char n[32];

	fmt_grouped(v, n, sizeof n);
	return strdup(n);
}

static void put_cells(struct text_cells *tc, char *s)
{
	tc->cell[tc->n++] = s;
}

static void line_cells(struct text_cells *tc, struct text_columns c, char *key, char *org,
                       uint64_t reports, uint64_t ok, uint64_t failed, char *types)
{
	char rate[16];

	memset(tc, 0, sizeof *tc);
	put_cells(tc, key);
	if (c.org)
		put_cells(tc, org);
	else
		free(org);
	put_cells(tc, grouped_dup(reports));
	if (c.sessions)
		put_cells(tc, grouped_dup(ok));
	if (failed > 0)
		tc->hot |= 1u << tc->n;
	put_cells(tc, grouped_dup(failed));
	if (c.sessions) {
		fmt_failure_rate(ok, failed, rate, sizeof rate);
		if (failed > 0)
			tc->hot |= 1u << tc->n;
		put_cells(tc, strdup(rate));
	}
	if (c.types)
		put_cells(tc, types);
	else
		free(types);
}

static unsigned right_mask(struct text_columns c)
{
	/* key [org] reports [ok] failed [rate] [types] */
	size_t first = c.org ? 2 : 1, n = c.sessions ? 4 : 2;

	return ((1u << n) - 1u) << first;
}

static int add_head(struct table *t, enum summary_key key, struct text_columns c)
{
	struct text_cells tc = { .n = 0 };
	char *k = strdup(out_key_field(key));

	for (size_t i = 0; k != NULL && k[i] != '\0'; i++)
		k[i] = k[i] == '_' ? '-' : (char)toupper((unsigned char)k[i]);
	put_cells(&tc, k);
	if (c.org)
		put_cells(&tc, strdup("ORGANIZATION"));
	put_cells(&tc, strdup("REPORTS"));
	if (c.sessions)
		put_cells(&tc, strdup("SUCCESSFUL"));
	put_cells(&tc, strdup("FAILED"));
	if (c.sessions)
		put_cells(&tc, strdup("FAIL%"));
	if (c.types)
		put_cells(&tc, strdup("RESULT TYPES"));
	return table_add_owned(t, tc.cell, 0);
}

static int add_row(struct table *t, const struct summary_row *r, enum summary_key key,
                   struct text_columns c)
{
	struct text_cells tc;

	/* the empty key groups reports that lacked the field */
	line_cells(&tc, c, cell_text(r->key, "-", KEY_COLUMN_MAX, key_keeps_right(key)),
	           cell_text(r->organization, "-", ORG_COLUMN_MAX, 0), r->reports, r->successful,
	           r->failed, text_result_types(r));
	if (r->failed_with_policy == 0)
		tc.hot = 0; /* only opportunistic TLS failed: not an alarm */
	return table_add_owned(t, tc.cell, tc.hot);
}

/* Folded by submitter unless --all: senders whose policies all succeeded,
 * or that failed only where no policy applied. */
static int is_folded(const struct summary_row *r, enum summary_key key, const struct text_style *st)
{
	return !st->all && key == SUMMARY_BY_SUBMITTER && !summary_row_failing(r);
}

struct folded {
	size_t senders;
	uint64_t sessions;       /* successful + failed, saturating */
	uint64_t failed;         /* where no policy applied */
};

static void fold(struct folded *fd, const struct summary_row *r)
{
	uint64_t s = r->successful + r->failed;

	if (s < r->successful)
		s = UINT64_MAX;
	fd->senders++;
	fd->sessions = fd->sessions + s < fd->sessions ? UINT64_MAX : fd->sessions + s;
	fd->failed = fd->failed + r->failed < fd->failed ? UINT64_MAX : fd->failed + r->failed;
}

void fmt_folded_line(char *out, size_t outlen, size_t senders, uint64_t sessions,
                     uint64_t failed_without_policy)
{
	char n[32], m[32];

	fmt_grouped(sessions, n, sizeof n);
	fmt_grouped(failed_without_policy, m, sizeof m);
	if (failed_without_policy == 0)
		snprintf(out, outlen, "+ %zu sender%s with no failures (%s session%s)", senders,
		         senders == 1 ? "" : "s", n, sessions == 1 ? "" : "s");
	else
		snprintf(out, outlen, "+ %zu sender%s with no failures under a policy (%s session%s, "
		         "%s failed where no policy applies)", senders, senders == 1 ? "" : "s", n,
		         sessions == 1 ? "" : "s", m);
}

static int write_text(FILE *f, const struct summary *sm, enum summary_key key,
                      const struct text_style *st)
{
	struct text_columns c = columns_for(key);
	struct text_cells tc;
	struct folded fd = {0};
	struct table t;
	char line[256];
	int rc;
	size_t i;

	table_init(&t, 1 + (size_t)c.org + (c.sessions ? 4 : 2) + (size_t)c.types, right_mask(c));
	add_head(&t, key, c);
	for (i = 0; i < sm->n_rows; i++) {
		if (is_folded(&sm->rows[i], key, st))
			fold(&fd, &sm->rows[i]);
		else
			add_row(&t, &sm->rows[i], key, c);
	}
	if (fd.senders > 0) {
		fmt_folded_line(line, sizeof line, fd.senders, fd.sessions, fd.failed);
		table_add_note(&t, line);
	}
	line_cells(&tc, c, strdup("TOTAL"), strdup(""), sm->reports, sm->successful, sm->failed,
	           strdup(""));
	table_add_owned(&t, tc.cell, 0);
	rc = table_write(f, &t, st->color);
	table_free(&t);
	return finish(f, rc);
}

/* "Silent: name (last report YYYY-MM-DD, reports on N of the last 30 days)" */
static int text_silent(FILE *f, const struct out_silent *silent)
{
	char day[16], *e;

	for (size_t i = 0; silent != NULL && silent->judged && i < silent->n; i++) {
		const struct presence_reporter *p = silent->v[i];

		e = esc_term(p->submitter, "(unknown)");
		if (e == NULL)
			return -1;
		fmt_day(p->last_start, day, sizeof day);
		fprintf(f, "Silent: %s (last report %s, reports on %u of the last %d days)\n", e, day,
		        (unsigned)p->days, PRESENCE_LOOKBACK_DAYS);
		free(e);
	}
	return finish(f, 0);
}

int summary_write_styled(FILE *f, const struct summary *sm, enum summary_key key,
                         enum out_format fmt, const struct text_style *st, const struct out_silent *silent)
{
	static const struct text_style plain = { 0, 1 };

	if (st == NULL)
		st = &plain;
	switch (fmt) {
	case OUT_JSON: return write_json(f, sm, key, silent);
	case OUT_CSV: return write_csv(f, sm, key, silent);
	case OUT_TEXT: return write_text(f, sm, key, st) != 0 ? -1 : text_silent(f, silent);
	}
	return -1;
}

int summary_write(FILE *f, const struct summary *sm, enum summary_key key, enum out_format fmt)
{
	return summary_write_styled(f, sm, key, fmt, NULL, NULL);
}

/* ---- records (list views) ---- */

int out_finish(FILE *f, int rc)
{
	return finish(f, rc);
}

void fmt_day(int64_t epoch, char *out, size_t outlen)
{
	char t[32];

	datetime_format(epoch, t, sizeof t);
	snprintf(out, outlen, "%.10s", t);
}

void fmt_minute(int64_t epoch, char *out, size_t outlen)
{
	char t[32];

	datetime_format(epoch, t, sizeof t);
	snprintf(out, outlen, "%.10s %.5s", t, t + 11);
}

void fmt_range(int64_t start, int64_t end, char *out, size_t outlen)
{
	char a[16], b[16];

	fmt_day(start, a, sizeof a);
	/* an end at midnight closes the day before */
	fmt_day(end > start && end % 86400 == 0 ? end - 1 : end, b, sizeof b);
	if (strcmp(a, b) == 0 || end <= start)
		snprintf(out, outlen, "%s", a);
	else
		snprintf(out, outlen, "%s..%s", a, b);
}

static const void *field_at(const void *rec, const struct rec_field *fd)
{
	return (const char *)rec + fd->off;
}

void json_put_record(FILE *f, const void *rec, const struct rec_field *fields, size_t n)
{
	char t[32];
	size_t i;

	fputc('{', f);
	for (i = 0; i < n; i++) {
		const void *p = field_at(rec, &fields[i]);

		if (i > 0)
			fputs(", ", f);
		json_put_string(f, fields[i].name);
		fputs(": ", f);
		switch (fields[i].kind) {
		case REC_STR: json_put_string(f, *(char *const *)p); break;
		case REC_I64: fprintf(f, "%lld", (long long)*(const int64_t *)p); break;
		case REC_U64: fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p); break;
		case REC_BOOL: fputs(*(const int *)p ? "true" : "false", f); break;
		case REC_TIME:
			datetime_format(*(const int64_t *)p, t, sizeof t);
			json_put_string(f, t);
			break;
		}
	}
	fputc('}', f);
}

void csv_put_header(FILE *f, const struct rec_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i > 0 ? "," : "", fields[i].name);
	fputc('\n', f);
}

int csv_put_record(FILE *f, const void *rec, const struct rec_field *fields, size_t n)
{
	if (csv_put_cells(f, rec, fields, n, 0) != 0)
		return -1;
	fputc('\n', f);
	return 0;
}

int csv_put_cells(FILE *f, const void *rec, const struct rec_field *fields, size_t n, int after)
{
	char t[32];
	size_t i;

	for (i = 0; i < n; i++) {
		const void *p = rec != NULL ? field_at(rec, &fields[i]) : NULL;

		if (i > 0 || after)
			fputc(',', f);
		if (p == NULL)
			continue;
		switch (fields[i].kind) {
		case REC_STR:
			if (csv_put_field(f, *(char *const *)p) != 0)
				return -1;
			break;
		case REC_I64: fprintf(f, "%lld", (long long)*(const int64_t *)p); break;
		case REC_U64: fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p); break;
		case REC_BOOL: fputs(*(const int *)p ? "true" : "false", f); break;
		case REC_TIME:
			datetime_format(*(const int64_t *)p, t, sizeof t);
			fputs(t, f);
			break;
		}
	}
	return 0;
}

int records_put_list(FILE *f, int csv, const char *name, const void *rows, size_t size, size_t n,
                     const struct rec_field *fields, size_t nfields)
{
	const char *p = rows;
	size_t i;

	if (csv) {
		csv_put_header(f, fields, nfields);
		for (i = 0; i < n; i++)
			if (csv_put_record(f, p + i * size, fields, nfields) != 0)
				return out_finish(f, -1);
		return out_finish(f, 0);
	}
	fprintf(f, "{\"%s\": [", name);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", f);
		json_put_record(f, p + i * size, fields, nfields);
	}
	fputs(n > 0 ? "\n]}\n" : "]}\n", f);
	return out_finish(f, 0);
}
