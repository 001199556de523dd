/*
 * digest: what changed, who failed, and the two bodies that say it (see
 * digest.h).  Text is built with esc_term()'d strings, HTML with
 * html_text()'d ones (html_entities() on top of esc_term()'d ones); nothing
 * from a report is written any other way.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datetime.h"
#include "digest.h"
#include "mail.h"
#include "output.h"
#include "table.h"

#define DOMAIN_MAX 60
#define TOP_TYPES 3

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of sm sorted, for bsearch; NULL when empty or on no memory. */
static const char **sorted_keys(const struct summary *sm)
{
	const char **k;

	if (sm == NULL || sm->n_rows == 0)
		return NULL;
	k = malloc(sm->n_rows * sizeof *k);
	if (k == NULL)
		return NULL;
	for (size_t i = 0; i < sm->n_rows; i++)
		k[i] = sm->rows[i].key;
	qsort(k, sm->n_rows, sizeof *k, cmp_str_ptr);
	return k;
}

static const struct summary_row *find_row(const struct summary *sm, const char *key)
{
	for (size_t i = 0; sm != NULL && i < sm->n_rows; i++)
		if (strcmp(sm->rows[i].key, key) == 0)
			return &sm->rows[i];
	return NULL;
}

static int add_item(struct digest *d, size_t *cap, const struct digest_item *it)
{
	struct digest_item *v = array_grow(d->items, cap, d->n_items, sizeof *v, 16);

	if (v == NULL)
		return -1;
	d->items = v;
	d->items[d->n_items++] = *it;
	return 0;
}

/* Keys of kind k with failures now that the previous window lacked. */
static int find_new(struct digest *d, size_t *cap, int k)
{
	const struct summary *now = d->in->now[k];
	const char **before = sorted_keys(d->in->before[k]);
	size_t listed = 0, nb = d->in->before[k] != NULL ? d->in->before[k]->n_rows : 0;
	int rc = 0;

	if (nb > 0 && before == NULL)
		return -1;
	for (size_t i = 0; rc == 0 && now != NULL && i < now->n_rows && listed < DIGEST_MAX_NEW; i++) {
		const struct summary_row *r = &now->rows[i];
		struct digest_item it = { (enum digest_kind)k, r->key, r->failed, 0, 0, 0 };

		if (r->key[0] == '\0' || r->failed == 0)
			continue;
		if (nb > 0 && bsearch(&r->key, before, nb, sizeof *before, cmp_str_ptr) != NULL)
			continue;
		rc = add_item(d, cap, &it);
		listed++;
	}
	free(before);
	return rc;
}

static double rate(uint64_t ok, uint64_t failed)
{
	double total = (double)ok + (double)failed;

	return total > 0 ? (double)failed / total : 0.0;
}

static int find_jumps(struct digest *d, size_t *cap)
{
	const struct summary *now = d->in->senders;

	for (size_t i = 0; now != NULL && i < now->n_rows; i++) {
		const struct summary_row *r = &now->rows[i];
		const struct summary_row *p;
		struct digest_item it = { DIGEST_RATE_JUMP, r->key, r->failed, r->successful, 0, 0 };

		if (r->failed < DIGEST_JUMP_MIN || !summary_row_failing(r))
			continue;
		p = find_row(d->in->prev_senders, r->key);
		if (p == NULL || p->successful + p->failed == 0)
			continue;
		if (rate(r->successful, r->failed) < DIGEST_JUMP_FACTOR * rate(p->successful, p->failed))
			continue;
		it.prev_successful = p->successful;
		it.prev_failed = p->failed;
		if (add_item(d, cap, &it) != 0)
			return -1;
	}
	return 0;
}

/* The reporters presence_is_silent() names, in presence's order (by name). */
static int find_silent(struct digest *d)
{
	const struct presence *p = d->in->presence;

	if (p == NULL || p->n_reporters == 0)
		return 0;
	d->silent = calloc(p->n_reporters, sizeof *d->silent);
	if (d->silent == NULL)
		return -1;
	for (size_t i = 0; i < p->n_reporters; i++)
		if (presence_is_silent(&p->reporters[i], d->in->clock_now))
			d->silent[d->n_silent++] = &p->reporters[i];
	return 0;
}

int digest_compute(struct digest *d, const struct digest_input *in)
{
	size_t cap = 0;
	int rc = 0;

	memset(d, 0, sizeof *d);
	d->in = in;
	for (size_t i = 0; in->senders != NULL && i < in->senders->n_rows; i++) {
		const struct summary_row *r = &in->senders->rows[i];

		uint64_t sessions = r->successful + r->failed < r->successful ? UINT64_MAX : r->successful + r->failed;

		/* as the summary folds them: one definition (summary_row_failing) */
		if (summary_row_failing(r)) {
			d->failing++;
		} else {
			d->ok_senders++;
			d->ok_sessions = d->ok_sessions + sessions < d->ok_sessions ? UINT64_MAX : d->ok_sessions + sessions;
			d->ok_failed = d->ok_failed + r->failed < d->ok_failed ? UINT64_MAX : d->ok_failed + r->failed;
		}
	}
	/* with no reports before, everything would be "new": say nothing */
	for (int k = 0; rc == 0 && k < 3 && in->prev_senders != NULL && in->prev_senders->reports > 0; k++)
		rc = find_new(d, &cap, k);
	if (rc == 0)
		rc = find_jumps(d, &cap);
	if (rc == 0)
		rc = find_silent(d);
	if (rc != 0) {
		digest_free(d);
		d->in = in;
	}
	return rc;
}

void digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	free(d->items);
	free(d->silent);
	memset(d, 0, sizeof *d);
}

int digest_is_quiet(const struct digest *d)
{
	return d->failing == 0;
}

char *digest_domains(const struct digest *d)
{
	const struct summary *sm = d->in->domains;
	const char *first = NULL;
	size_t others = 0;
	char *e, *out;
	size_t n;

	for (size_t i = 0; sm != NULL && i < sm->n_rows; i++) {
		if (sm->rows[i].key[0] == '\0')
			continue;
		if (first == NULL)
			first = sm->rows[i].key;
		else
			others++;
	}
	if (first == NULL)
		return strdup("");
	e = cell_text(first, "", DOMAIN_MAX, 1);
	if (e == NULL || others == 0)
		return e;
	n = strlen(e) + 40;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "%s and %zu more", e, others);
	free(e);
	return out;
}

/* "3 senders failed 1,204 of 93,551 sessions (1.3%)" or the quiet forms. */
static void state_line(const struct digest *d, char *out, size_t size)
{
	const struct summary *sm = d->in->senders;
	char f[32], t[32], r[16];
	uint64_t total;

	if (sm == NULL || sm->reports == 0) {
		snprintf(out, size, "no reports");
		return;
	}
	total = sm->successful + sm->failed < sm->successful ? UINT64_MAX : sm->successful + sm->failed;
	/* the failing senders' failures: those under a policy (summary_row_failing) */
	fmt_grouped(sm->failed_with_policy, f, sizeof f);
	fmt_grouped(total, t, sizeof t);
	fmt_failure_rate(total - sm->failed_with_policy, sm->failed_with_policy, r, sizeof r);
	if (d->failing == 0 && sm->failed > 0)
		snprintf(out, size, "no failures under a policy in %s session%s", t, total == 1 ? "" : "s");
	else if (sm->failed == 0)
		snprintf(out, size, "no failures in %s session%s", t, total == 1 ? "" : "s");
	else
		snprintf(out, size, "%zu sender%s failed %s of %s sessions (%s)", d->failing,
		         d->failing == 1 ? "" : "s", f, t, r);
}

char *digest_subject(const struct digest *d)
{
	char *dom = digest_domains(d), *out;
	char state[160];
	size_t n;

	if (dom == NULL)
		return NULL;
	state_line(d, state, sizeof state);
	n = strlen(dom) + strlen(state) + 32;
	out = malloc(n);
	if (out != NULL)
		snprintf(out, n, "TLS report digest%s%s: %s", dom[0] ? " " : "", dom, state);
	free(dom);
	return out;
}

/* "the previous 7 days" / "the previous 36 hours" */
static void period_words(const struct digest *d, char *out, size_t size)
{
	int64_t len = d->in->until - d->in->since;

	if (len > 0 && len % 86400 == 0)
		snprintf(out, size, "the previous %lld day%s", (long long)(len / 86400),
		         len == 86400 ? "" : "s");
	else
		snprintf(out, size, "the previous %lld hour%s", (long long)((len + 3599) / 3600),
		         len <= 3600 ? "" : "s");
}

static const char *const kind_words[] = {
	[DIGEST_NEW_RESULT_TYPE] = "result type",
	[DIGEST_NEW_SENDING_IP] = "sending IP",
	[DIGEST_NEW_RECEIVING_MX] = "receiving MX",
	[DIGEST_RATE_JUMP] = "failure rate",
};

/* One news line, its name already escaped for where it goes; html: the
 * rates ("<0.1%") need escaping too. */
static void item_line(FILE *m, const struct digest_item *it, const char *name, int html)
{
	char n[32], a[16], b[16];

	fmt_grouped(it->failed, n, sizeof n);
	if (it->kind == DIGEST_RATE_JUMP) {
		fmt_failure_rate(it->successful, it->failed, a, sizeof a);
		fmt_failure_rate(it->prev_successful, it->prev_failed, b, sizeof b);
		fprintf(m, "%s: failure rate %s%s (%s failed), was %s%s", name,
		        html && a[0] == '<' ? "&lt;" : "", html && a[0] == '<' ? a + 1 : a, n,
		        html && b[0] == '<' ? "&lt;" : "", html && b[0] == '<' ? b + 1 : b);
	} else {
		fprintf(m, "new %s %s: %s failed session%s", kind_words[it->kind], name, n,
		        it->failed == 1 ? "" : "s");
	}
}

/* "certificate-expired 12, starttls-not-supported 3" escaped by esc. */
static char *top_types(const struct summary_row *r, char *(*esc)(const char *, const char *))
{
	char *s = NULL, n[32], *e;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_result_types && i < TOP_TYPES; i++) {
		e = esc(r->result_types[i].name, "-");
		fmt_grouped(r->result_types[i].count, n, sizeof n);
		fprintf(m, "%s%s %s", i > 0 ? ", " : "", e != NULL ? e : "?", n);
		free(e);
	}
	if (r->n_result_types > TOP_TYPES)
		fprintf(m, ", +%zu more", r->n_result_types - TOP_TYPES);
	if (fclose(m) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void window_line(const struct digest *d, char *out, size_t size)
{
	char a[32], b[32];

	fmt_minute(d->in->since, a, sizeof a);
	fmt_minute(d->in->until, b, sizeof b);
	snprintf(out, size, "%s to %s UTC", a, b);
}

static char *grouped(uint64_t v)
{
	char n[32];

	fmt_grouped(v, n, sizeof n);
	return strdup(n);
}


/* ---- the chart and the silent reporters, shared by both bodies ---- */

#define DAY 86400

/* One day of the chart. */
struct chart_day {
	char day[16];            /* "YYYY-MM-DD" */
	uint64_t sessions, failed;
};

/* The window's days, oldest first, at most DIGEST_MAX_DAYS (the last
 * ones), with their sessions from in->days; *max_s and *max_f the largest.
 * Returns the number of days (0: no chart). */
static size_t chart_days(const struct digest *d, struct chart_day *out, uint64_t *max_s,
                         uint64_t *max_f)
{
	int64_t first, last, t;
	size_t n = 0;

	*max_s = *max_f = 0;
	if (d->in->days == NULL || d->in->until <= d->in->since)
		return 0;
	first = d->in->since - ((d->in->since % DAY) + DAY) % DAY;
	last = (d->in->until - 1) - (((d->in->until - 1) % DAY) + DAY) % DAY;
	if ((last - first) / DAY >= DIGEST_MAX_DAYS)
		first = last - (int64_t)(DIGEST_MAX_DAYS - 1) * DAY;
	for (t = first; t <= last && n < DIGEST_MAX_DAYS; t += DAY, n++) {
		const struct summary_row *r;

		fmt_day(t, out[n].day, sizeof out[n].day);
		r = find_row(d->in->days, out[n].day);
		out[n].failed = r != NULL ? r->failed : 0;
		out[n].sessions = r == NULL ? 0 : r->successful + r->failed < r->successful
		                  ? UINT64_MAX : r->successful + r->failed;
		if (out[n].sessions > *max_s)
			*max_s = out[n].sessions;
		if (out[n].failed > *max_f)
			*max_f = out[n].failed;
	}
	return n;
}

/* Length of a bar for v of max in width units: at least 1 for v > 0. */
static unsigned bar_len(uint64_t v, uint64_t max, unsigned width)
{
	double x;

	if (v == 0 || max == 0)
		return 0;
	x = (double)v / (double)max * width;
	return x < 1 ? 1 : (unsigned)(x + 0.5);
}

static void text_bar(FILE *m, char c, unsigned len)
{
	for (unsigned i = 0; i < DIGEST_BAR_WIDTH; i++)
		fputc(i < len ? c : ' ', m);
}

/* Sessions and failures per day as two bar columns, each scaled to its
 * own busiest day, so that a few failures among many sessions still show. */
static void text_chart(FILE *m, const struct digest *d)
{
	struct chart_day days[DIGEST_MAX_DAYS];
	uint64_t max_s, max_f;
	size_t n = chart_days(d, days, &max_s, &max_f);
	char a[32], b[32];

	if (n == 0 || max_s == 0)
		return;
	fprintf(m, "\nPer day (bars scaled to the busiest day of each column):\n"
	        "  %-10s  %-*s %11s  failed\n", "day", DIGEST_BAR_WIDTH, "sessions", "");
	for (size_t i = 0; i < n; i++) {
		fmt_grouped(days[i].sessions, a, sizeof a);
		fmt_grouped(days[i].failed, b, sizeof b);
		fprintf(m, "  %s  ", days[i].day);
		text_bar(m, '#', bar_len(days[i].sessions, max_s, DIGEST_BAR_WIDTH));
		fprintf(m, " %11s  ", a);
		text_bar(m, '!', bar_len(days[i].failed, max_f, DIGEST_BAR_WIDTH));
		fprintf(m, " %7s\n", b);
	}
}

static void silent_intro(char *out, size_t size)
{
	snprintf(out, size, "Silent reporters (reports on at least %d of the last %d days, "
	         "none for %d days)", PRESENCE_ACTIVE_DAYS, PRESENCE_LOOKBACK_DAYS,
	         PRESENCE_SILENT_SECONDS / 86400);
}

/* One silent reporter: its name escaped by esc, its last report's date. */
static void silent_line(FILE *m, const struct presence_reporter *r,
                        char *(*esc)(const char *, const char *))
{
	char *e = esc(r->submitter[0] != '\0' ? r->submitter : NULL, "(unknown)");
	char day[16];

	fmt_day(r->last_start, day, sizeof day);
	fprintf(m, "%s: last report %s, reports on %u days", e != NULL ? e : "?", day,
	        (unsigned)r->days);
	free(e);
}

static char *esc_term_name(const char *s, const char *if_null)
{
	return esc_term(s, if_null);
}

static void text_silent(FILE *m, const struct digest *d)
{
	char intro[160];

	if (d->n_silent == 0)
		return;
	silent_intro(intro, sizeof intro);
	fprintf(m, "\n%s:\n", intro);
	for (size_t i = 0; i < d->n_silent && i < DIGEST_MAX_SILENT; i++) {
		fputs("  * ", m);
		silent_line(m, d->silent[i], esc_term_name);
		fputc('\n', m);
	}
	if (d->n_silent > DIGEST_MAX_SILENT)
		fprintf(m, "  + %zu more\n", d->n_silent - DIGEST_MAX_SILENT);
}


/* The failing senders as a text table. */
static void text_senders(FILE *m, const struct digest *d)
{
	static const char *const head[] = { "SENDER", "ORGANIZATION", "SESSIONS", "FAILED", "FAIL%",
	                                    "TOP RESULT TYPES" };
	const struct summary *sm = d->in->senders;
	struct table t;
	size_t shown = 0;
	char r[16];

	table_init(&t, 6, 1u << 2 | 1u << 3 | 1u << 4);
	table_add(&t, head, 0);
	for (size_t i = 0; i < sm->n_rows && shown < DIGEST_MAX_SENDERS; i++) {
		const struct summary_row *row = &sm->rows[i];
		char *cells[6];

		if (!summary_row_failing(row))
			continue;
		fmt_failure_rate(row->successful, row->failed, r, sizeof r);
		cells[0] = cell_text(row->key, "(unknown)", 40, 1);
		cells[1] = cell_text(row->organization, "-", 28, 0);
		cells[2] = grouped(row->successful + row->failed);
		cells[3] = grouped(row->failed);
		cells[4] = strdup(r);
		cells[5] = top_types(row, esc_term);
		table_add_owned(&t, cells, 0);
		shown++;
	}
	table_write_indented(m, &t, 0, 2);
	table_free(&t);
	if (d->failing > shown)
		fprintf(m, "  + %zu more failing senders\n", d->failing - shown);
}

/* The command that lists this window's failure details. */
static void details_command(const struct digest *d, char *out, size_t size)
{
	char a[32], b[32];

	datetime_format(d->in->since, a, sizeof a);
	datetime_format(d->in->until, b, sizeof b);
	snprintf(out, size, "tlsrpt-report failures --since %s --until %s", a, b);
}

/* Close m and return its text (s is where open_memstream() puts it). */
static char *finish_memstream(FILE *m, char **s)
{
	if (fclose(m) != 0) {
		free(*s);
		return NULL;
	}
	return *s;
}

char *digest_text(const struct digest *d)
{
	char *s = NULL, *dom = digest_domains(d), *e;
	char line[256], period[64];
	size_t len = 0;
	FILE *m = dom != NULL ? open_memstream(&s, &len) : NULL;

	if (m == NULL) {
		free(dom);
		return NULL;
	}
	window_line(d, line, sizeof line);
	fprintf(m, "TLS report digest%s%s\n%s\n\n", dom[0] ? " for " : "", dom, line);
	state_line(d, line, sizeof line);
	fprintf(m, "%c%s.\n", line[0] >= 'a' && line[0] <= 'z' ? line[0] - 'a' + 'A' : line[0], line + 1);
	period_words(d, period, sizeof period);
	if (d->n_items > 0)
		fprintf(m, "\nNew since %s:\n", period);
	for (size_t i = 0; i < d->n_items; i++) {
		e = esc_term(d->items[i].name, "");
		fputs("  * ", m);
		item_line(m, &d->items[i], e != NULL ? e : "?", 0);
		fputc('\n', m);
		free(e);
	}
	text_silent(m, d);
	if (d->failing > 0) {
		fputs("\nFailing senders:\n", m);
		text_senders(m, d);
	}
	if (d->ok_senders > 0) {
		fmt_folded_line(line, sizeof line, d->ok_senders, d->ok_sessions, d->ok_failed);
		fprintf(m, "\n%s.\n", line);
	}
	text_chart(m, d);
	details_command(d, line, sizeof line);
	fprintf(m, "\nDetails: %s\n", line);
	free(dom);
	return finish_memstream(m, &s);
}

/* ---- HTML ---- */

static const char html_head[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width\">\n<title>%s</title></head>\n"
	"<body style=\"margin:0;padding:16px;background:#f4f5f7;font-family:-apple-system,"
	"'Segoe UI',Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328\">\n"
	"<div style=\"max-width:860px;margin:0 auto;background:#fff;border:1px solid #d0d7de;"
	"border-radius:6px;padding:20px 24px\">\n";

#define TH "<th style=\"text-align:%s;padding:6px 10px;border-bottom:2px solid #d0d7de;" \
	"font-size:12px;color:#57606a;text-transform:uppercase;white-space:nowrap\">"
#define TD "<td style=\"text-align:%s;padding:6px 10px;border-bottom:1px solid #eaeef2;%s\">"

/* Text escaped for a terminal already (esc_term(), cell_text()) with the
 * HTML entities on top; takes e (NULL: no memory) and frees it.  Not
 * html_text(), which would escape its backslashes a second time. */
static char *html_entities(char *e)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = e != NULL ? open_memstream(&out, &len) : NULL;

	if (m == NULL) {
		free(e);
		return NULL;
	}
	for (const char *p = e; *p != '\0'; p++) {
		switch (*p) {
		case '&': fputs("&amp;", m); break;
		case '<': fputs("&lt;", m); break;
		case '>': fputs("&gt;", m); break;
		case '"': fputs("&quot;", m); break;
		case '\'': fputs("&#39;", m); break;
		default: fputc(*p, m); break;
		}
	}
	free(e);
	return finish_memstream(m, &out);
}

/* cell_text() (escaped, shortened) with the HTML entities on top: a
 * sender's name stays on one line without taking the whole table. */
static char *html_cell(const char *s, const char *if_null, size_t width, int keep_right)
{
	return html_entities(cell_text(s, if_null, width, keep_right));
}

static void html_senders(FILE *m, const struct digest *d)
{
	static const char *const head[] = { "Sender", "Organization", "Sessions", "Failed", "Fail %",
	                                    "Top result types" };
	const struct summary *sm = d->in->senders;
	size_t shown = 0;
	char rate[16], r[32], a[32], b[32];

	fputs("<h3 style=\"margin:20px 0 8px;font-size:15px\">Failing senders</h3>\n"
	      "<table style=\"border-collapse:collapse;width:100%\">\n<tr>", m);
	for (size_t i = 0; i < 6; i++)
		fprintf(m, TH "%s</th>", i >= 2 && i <= 4 ? "right" : "left", head[i]);
	fputs("</tr>\n", m);
	for (size_t i = 0; i < sm->n_rows && shown < DIGEST_MAX_SENDERS; i++) {
		const struct summary_row *row = &sm->rows[i];
		char *k, *o, *t;

		if (!summary_row_failing(row))
			continue;
		fmt_failure_rate(row->successful, row->failed, rate, sizeof rate);
		/* "<0.1%": the only markup a rate has */
		snprintf(r, sizeof r, "%s%s", rate[0] == '<' ? "&lt;" : rate[0] == '>' ? "&gt;" : "",
		         rate[0] == '<' || rate[0] == '>' ? rate + 1 : rate);
		fmt_grouped(row->successful + row->failed, a, sizeof a);
		fmt_grouped(row->failed, b, sizeof b);
		k = html_cell(row->key, "(unknown)", 40, 1);
		o = html_text(row->organization, "-");
		t = top_types(row, html_text);
		fprintf(m, "<tr>" TD "%s</td>" TD "%s</td>" TD "%s</td>" TD "%s</td>" TD "%s</td>"
		        TD "%s</td></tr>\n",
		        "left", "font-weight:600;white-space:nowrap", k != NULL ? k : "?",
		        "left", "color:#57606a;overflow-wrap:anywhere", o != NULL ? o : "?",
		        "right", "white-space:nowrap", a,
		        "right", "white-space:nowrap;color:#cf222e;font-weight:600", b,
		        "right", "white-space:nowrap;color:#cf222e", r,
		        "left", "font-size:13px;overflow-wrap:anywhere", t != NULL ? t : "?");
		free(k);
		free(o);
		free(t);
		shown++;
	}
	fputs("</table>\n", m);
	if (d->failing > shown)
		fprintf(m, "<p>+ %zu more failing senders</p>\n", d->failing - shown);
}

/* A bar cell that mail clients draw: a one-row table whose first cell
 * has the bar's width and colour (no images, no scripts, no CSS classes). */
static void html_bar(FILE *m, unsigned pct, const char *color)
{
	if (pct == 0) {
		fputs("&nbsp;", m);
		return;
	}
	fprintf(m, "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" "
	        "style=\"border-collapse:collapse;width:100%%\"><tr><td width=\"%u%%\" "
	        "style=\"width:%u%%;background:%s;height:12px;font-size:0;line-height:0\">&nbsp;</td>",
	        pct, pct, color);
	if (pct < 100)
		fputs("<td style=\"font-size:0;line-height:0\">&nbsp;</td>", m);
	fputs("</tr></table>", m);
}

static void html_chart(FILE *m, const struct digest *d)
{
	struct chart_day days[DIGEST_MAX_DAYS];
	uint64_t max_s, max_f;
	size_t n = chart_days(d, days, &max_s, &max_f);
	char a[32], b[32];

	if (n == 0 || max_s == 0)
		return;
	fputs("<h3 style=\"margin:20px 0 8px;font-size:15px\">Per day</h3>\n"
	      "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" "
	      "style=\"border-collapse:collapse;width:100%\">\n<tr>", m);
	fprintf(m, TH "Day</th>" TH "Sessions</th>" TH "</th>" TH "Failed</th>" TH "</th></tr>\n",
	        "left", "left", "right", "left", "right");
	for (size_t i = 0; i < n; i++) {
		fmt_grouped(days[i].sessions, a, sizeof a);
		fmt_grouped(days[i].failed, b, sizeof b);
		fprintf(m, "<tr>" TD "%s</td>" TD, "left", "white-space:nowrap;font-size:13px",
		        days[i].day, "left", "width:40%");
		html_bar(m, bar_len(days[i].sessions, max_s, 100), "#8c959f");
		fprintf(m, "</td>" TD "%s</td>" TD, "right", "white-space:nowrap;font-size:13px", a,
		        "left", "width:40%");
		html_bar(m, bar_len(days[i].failed, max_f, 100), "#cf222e");
		fprintf(m, "</td>" TD "%s</td></tr>\n", "right",
		        days[i].failed > 0 ? "white-space:nowrap;font-size:13px;color:#cf222e"
		                           : "white-space:nowrap;font-size:13px", b);
	}
	fputs("</table>\n", m);
}

static void html_silent(FILE *m, const struct digest *d)
{
	char intro[160];

	if (d->n_silent == 0)
		return;
	silent_intro(intro, sizeof intro);
	fprintf(m, "<h3 style=\"margin:20px 0 8px;font-size:15px\">%s</h3>\n"
	        "<ul style=\"margin:0;padding-left:20px;line-height:1.6\">\n", intro);
	for (size_t i = 0; i < d->n_silent && i < DIGEST_MAX_SILENT; i++) {
		fputs("<li>", m);
		silent_line(m, d->silent[i], html_text);
		fputs("</li>\n", m);
	}
	if (d->n_silent > DIGEST_MAX_SILENT)
		fprintf(m, "<li>+ %zu more</li>\n", d->n_silent - DIGEST_MAX_SILENT);
	fputs("</ul>\n", m);
}

static void html_news(FILE *m, const struct digest *d)
{
	char period[64];

	if (d->n_items == 0)
		return;
	period_words(d, period, sizeof period);
	fprintf(m, "<h3 style=\"margin:20px 0 8px;font-size:15px\">New since %s</h3>\n"
	        "<ul style=\"margin:0;padding-left:20px;line-height:1.6\">\n", period);
	for (size_t i = 0; i < d->n_items; i++) {
		char *e = html_text(d->items[i].name, "");
		char *name = NULL;
		size_t len = 0;
		FILE *b = open_memstream(&name, &len);

		if (b == NULL || e == NULL) {
			if (b != NULL)
				fclose(b);
			free(name);
			free(e);
			continue;
		}
		fprintf(b, "<code style=\"background:#f6f8fa;padding:1px 4px;border-radius:3px;"
		        "word-break:break-all\">%s</code>", e);
		fclose(b);
		fputs("<li>", m);
		item_line(m, &d->items[i], name != NULL ? name : "?", 1);
		fputs("</li>\n", m);
		free(name);
		free(e);
	}
	fputs("</ul>\n", m);
}

char *digest_html(const struct digest *d)
{
	char *s = NULL, *dom = digest_domains(d), *hdom, *subject = digest_subject(d), *hsub, *hstate;
	char line[256];
	size_t len = 0;
	FILE *m;

	/* both escaped for a terminal already (digest.h) */
	hdom = html_entities(dom);
	hsub = html_entities(subject);
	m = hdom != NULL && hsub != NULL ? open_memstream(&s, &len) : NULL;
	if (m == NULL) {
		free(hdom);
		free(hsub);
		return NULL;
	}
	fprintf(m, html_head, hsub);
	fprintf(m, "<h2 style=\"margin:0 0 4px;font-size:20px\">TLS report digest%s%s</h2>\n",
	        hdom[0] ? " for " : "", hdom);
	window_line(d, line, sizeof line);
	fprintf(m, "<p style=\"margin:0 0 16px;color:#57606a\">%s</p>\n", line);
	state_line(d, line, sizeof line);
	if (line[0] >= 'a' && line[0] <= 'z')
		line[0] = (char)(line[0] - 'a' + 'A');
	hstate = html_text(line, "");
	fprintf(m, "<p style=\"margin:0;padding:10px 14px;border-radius:6px;font-size:15px;"
	        "font-weight:600;background:%s;color:%s\">%s.</p>\n",
	        d->failing > 0 ? "#ffebe9" : "#dafbe1", d->failing > 0 ? "#82071e" : "#116329",
	        hstate != NULL ? hstate : "");
	free(hstate);
	html_news(m, d);
	html_silent(m, d);
	if (d->failing > 0)
		html_senders(m, d);
	if (d->ok_senders > 0) {
		fmt_folded_line(line, sizeof line, d->ok_senders, d->ok_sessions, d->ok_failed);
		fprintf(m, "<p style=\"margin:16px 0 0;color:#116329\">%s.</p>\n", line);
	}
	html_chart(m, d);
	details_command(d, line, sizeof line);
	fprintf(m, "<p style=\"margin:20px 0 0;font-size:12px;color:#57606a\">Details: "
	        "<code>%s</code></p>\n</div>\n</body></html>\n", line);
	free(hdom);
	free(hsub);
	return finish_memstream(m, &s);
}
