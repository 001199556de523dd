/*
 * show: one report with its policies and failure details, found by its
 * database id (from "list") or by its report-id; --raw prints the JSON
 * as it was received.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "count.h"
#include "datetime.h"
#include "output.h"
#include "records.h"
#include "table.h"
#include "views.h"

enum {
	OPT_RAW = OPT_FIRST_COMMAND_OPTION
};

static const struct opt_def show_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_SUBMITTER, 0, "submitter", 1 },
	{ OPT_FORMAT, 0, "format", 1 },
	{ OPT_COLOR, 0, "color", 1 },
	{ OPT_RAW, 0, "raw", 0 },
};

struct show_args {
	const char *which;      /* the operand */
	const char *submitter;
	int format;
	int color;
	int raw;
};

/* The whole report: what list prints, and more. */
struct shown {
	struct view_reports *report;
	struct view_policies *policies;
	struct view_failures *failures;
};

static int show_option(void *ctx, int id, const char *arg)
{
	struct show_args *a = ctx;

	switch (id) {
	case OPT_SUBMITTER:
		a->submitter = arg;
		return CLI_OK;
	case OPT_FORMAT:
		return cli_format_option(&cmd_show, arg, &a->format);
	case OPT_COLOR:
		return cli_color_option(&cmd_show, arg, &a->color);
	case OPT_RAW:
		a->raw = 1;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_show, "unexpected option");
	}
}

static int show_operand(void *ctx, const char *arg)
{
	struct show_args *a = ctx;

	if (a->which != NULL)
		return cli_usage_error(&cmd_show, "one report at a time");
	a->which = arg;
	return CLI_OK;
}

/* A database id: digits only, no --submitter, and such a report exists. */
static int as_database_id(struct store *st, const struct show_args *a, int64_t *id)
{
	unsigned long long v;
	struct view_reports *r = NULL;
	char *end;

	if (a->submitter != NULL || a->which[0] < '0' || a->which[0] > '9')
		return 0;
	errno = 0;
	v = strtoull(a->which, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT64_MAX)
		return 0;
	if (views_report(st, (int64_t)v, &r, NULL) != TR_OK)
		return 0;
	view_reports_free(r);
	*id = (int64_t)v;
	return 1;
}

/* The report a person named: its id, or CLI_FAIL printed. */
static int resolve(struct store *st, const struct show_args *a, int64_t *id)
{
	struct tr_error err;
	int64_t *ids = NULL;
	size_t n = 0;
	char *e;

	if (as_database_id(st, a, id))
		return CLI_OK;
	if (views_find_report(st, a->which, a->submitter, &ids, &n, &err) != TR_OK) {
		cli_error("%s", err.msg);
		return CLI_FAIL;
	}
	e = esc_term(a->which, "");
	if (n == 1)
		*id = ids[0];
	else if (n == 0)
		cli_error("show: no report %s%s%s", e != NULL ? e : "?",
		          a->submitter != NULL ? " from that submitter" : "", "");
	else
		cli_error("show: %zu reports have the report-id %s: name one by its id "
		          "(see 'list') or add --submitter", n, e != NULL ? e : "?");
	free(e);
	free(ids);
	return n == 1 ? CLI_OK : CLI_FAIL;
}

static enum tr_err load(struct store *st, int64_t id, struct shown *s, struct tr_error *err)
{
	enum tr_err rc = views_report(st, id, &s->report, err);

	if (rc == TR_OK)
		rc = views_report_policies(st, id, &s->policies, err);
	if (rc == TR_OK)
		rc = views_report_failures(st, id, &s->failures, err);
	return rc;
}

/* ---- text ---- */

static void put_field(FILE *f, const char *name, const char *value)
{
	char *e = esc_term(value, "-");

	fprintf(f, "  %-14s %s\n", name, e != NULL ? e : "?");
	free(e);
}

/* A stored JSON array of strings, joined with "; ", not escaped yet:
 * put_field() escapes it, once. */
static char *join_array(const char *json)
{
	cJSON *arr = cJSON_Parse(json != NULL ? json : "[]");
	const cJSON *it;
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);
	int first = 1;

	if (m == NULL) {
		cJSON_Delete(arr);
		return NULL;
	}
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			continue;
		fprintf(m, "%s%s", first ? "" : "; ", it->valuestring);
		first = 0;
	}
	cJSON_Delete(arr);
	if (fclose(m) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void put_sessions(FILE *f, uint64_t ok, uint64_t failed, int color)
{
	char a[32], b[32], rate[16];

	fmt_grouped(ok, a, sizeof a);
	fmt_grouped(failed, b, sizeof b);
	fmt_failure_rate(ok, failed, rate, sizeof rate);
	fprintf(f, "%s successful, %s%s failed (%s)%s", a, color && failed ? COLOR_HOT : "", b, rate,
	        color && failed ? COLOR_OFF : "");
}

/* The signature behind the verdict: "d=example.net s=sel1", escaped. */
static void text_dkim(FILE *f, const struct view_report *r)
{
	char *d = esc_term(r->dkim_domain, "-"), *s = esc_term(r->dkim_selector, "-");

	fprintf(f, "  %-14s d=%s s=%s\n", "dkim", d != NULL ? d : "?", s != NULL ? s : "?");
	free(d);
	free(s);
}

static void text_header(FILE *f, const struct view_report *r, int color)
{
	char a[32], b[32], id[32];

	snprintf(id, sizeof id, "%lld", (long long)r->id);
	fprintf(f, "%sReport %s%s\n", color ? COLOR_BOLD : "", id, color ? COLOR_OFF : "");
	put_field(f, "submitter", r->submitter);
	put_field(f, "organization", r->organization);
	put_field(f, "report-id", r->report_id);
	put_field(f, "contact", r->contact_info);
	datetime_format(r->start, a, sizeof a);
	datetime_format(r->end, b, sizeof b);
	fprintf(f, "  %-14s %s .. %s\n", "dates", a, b);
	fmt_minute(r->received_at, a, sizeof a);
	fprintf(f, "  %-14s %s UTC by %s, sender authentication %s%s\n", "received", a,
	        r->source != NULL ? r->source : "-", r->auth != NULL ? r->auth : "-",
	        r->counted ? "" : " (not counted in summaries)");
	if (r->dkim_domain != NULL)
		text_dkim(f, r);
	put_field(f, "message-id", r->message_id);
	if (r->client_addr != NULL)
		put_field(f, "client", r->client_addr);
	fprintf(f, "  %-14s ", "sessions");
	put_sessions(f, r->successful, r->failed, color);
	fputc('\n', f);
}

static int failure_of_policy(const struct view_failure *d, const struct view_policy *p)
{
	return d->policy == p->id;
}

static void text_failures(FILE *f, const struct view_failures *v, const struct view_policy *p,
                          int color)
{
	static const char *const head[] = { "RESULT-TYPE", "SESSIONS", "SENDING-IP", "RECEIVING-MX",
	                                    "RECEIVING-IP", "REASON-CODE", "ADDITIONAL-INFORMATION" };
	/* a failure where no policy applies is no alarm */
	unsigned hot = count_under_policy(p->policy_type) && !p->superseded ? (1u | 1u << 1) : 0;
	struct table t;
	char n[32];
	size_t i;

	table_init(&t, 7, 1u << 1);
	table_add(&t, head, 0);
	for (i = 0; i < v->n; i++) {
		const struct view_failure *d = &v->rows[i];
		char *cells[7];

		if (!failure_of_policy(d, p))
			continue;
		fmt_grouped(d->count, n, sizeof n);
		cells[0] = cell_text(d->result_type, "-", 40, 0);
		cells[1] = strdup(n);
		cells[2] = cell_text(d->sending_ip, "-", 39, 0);
		cells[3] = cell_text(d->receiving_mx != NULL ? d->receiving_mx : d->receiving_helo, "-",
		                     40, 1);
		cells[4] = cell_text(d->receiving_ip, "-", 39, 0);
		cells[5] = cell_text(d->reason_code, "-", 40, 0);
		cells[6] = cell_text(d->additional_info, "-", 200, 0);
		table_add_owned(&t, cells, hot);
	}
	if (t.nrows > 1)
		table_write_indented(f, &t, color, 2);
	table_free(&t);
}

static int write_text(FILE *f, const struct shown *s, int color)
{
	size_t i;

	text_header(f, &s->report->rows[0], color);
	for (i = 0; i < s->policies->n; i++) {
		const struct view_policy *p = &s->policies->rows[i];
		char *e = esc_term(p->policy_domain, "-"), *strings = join_array(p->policy_strings);
		char *mx = join_array(p->mx_hosts), *type = esc_term(p->policy_type, "-");

		fprintf(f, "\n%sPolicy %zu: %s %s%s\n", color ? COLOR_BOLD : "", i + 1,
		        type != NULL ? type : "?", e != NULL ? e : "?", color ? COLOR_OFF : "");
		fprintf(f, "  %-14s ", "sessions");
		put_sessions(f, p->successful, p->failed, color);
		fputc('\n', f);
		if (p->superseded)
			put_field(f, "counted", "no: the same sessions as this report's tlsa policy for the domain,"
			          " counted there (DANE takes precedence)");
		put_field(f, "mx-host", mx != NULL && mx[0] != '\0' ? mx : NULL);
		put_field(f, "policy-string", strings != NULL && strings[0] != '\0' ? strings : NULL);
		free(e);
		free(strings);
		free(mx);
		free(type);
		text_failures(f, s->failures, p, color);
	}
	return out_finish(f, 0);
}

/* ---- JSON ---- */

static void json_array_of_strings(FILE *f, const char *json)
{
	cJSON *arr = cJSON_Parse(json != NULL ? json : "[]");
	const cJSON *it;
	int first = 1;

	fputc('[', f);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			continue;
		fputs(first ? "" : ", ", f);
		json_put_string(f, it->valuestring);
		first = 0;
	}
	fputc(']', f);
	cJSON_Delete(arr);
}

/* The report's record: list's fields and the rest. */
static void show_report_record(FILE *f, const struct view_report *r)
{
	struct rec_field all[32];
	size_t n = 0;

	for (size_t i = 0; i < n_report_fields && n < 32; i++)
		all[n++] = report_fields[i];
	for (size_t i = 0; i < n_report_more_fields && n < 32; i++)
		all[n++] = report_more_fields[i];
	json_put_record(f, r, all, n);
}

static int write_json(FILE *f, const struct shown *s)
{
	const struct view_report *r = &s->report->rows[0];
	size_t i, j;
	int first;

	fputs("{\"report\": ", f);
	show_report_record(f, r);
	fputs(",\n \"policies\": [", f);
	for (i = 0; i < s->policies->n; i++) {
		const struct view_policy *p = &s->policies->rows[i];

		fputs(i > 0 ? ",\n  {\"policy_type\": " : "\n  {\"policy_type\": ", f);
		json_put_string(f, p->policy_type);
		fputs(", \"policy_domain\": ", f);
		json_put_string(f, p->policy_domain);
		fputs(", \"policy_strings\": ", f);
		json_array_of_strings(f, p->policy_strings);
		fputs(", \"mx_hosts\": ", f);
		json_array_of_strings(f, p->mx_hosts);
		fprintf(f, ", \"successful_sessions\": %llu, \"failed_sessions\": %llu, \"counted\": %s,"
		        " \"failure_details\": [", (unsigned long long)p->successful,
		        (unsigned long long)p->failed, p->superseded ? "false" : "true");
		first = 1;
		for (j = 0; j < s->failures->n; j++) {
			const struct view_failure *d = &s->failures->rows[j];

			if (!failure_of_policy(d, p))
				continue;
			fputs(first ? "\n    " : ",\n    ", f);
			json_put_record(f, d, failure_fields, n_failure_fields);
			first = 0;
		}
		fputs("]}", f);
	}
	fputs(s->policies->n > 0 ? "\n]}\n" : "]}\n", f);
	return out_finish(f, 0);
}

/* ---- CSV ---- */

/*
 * One line per failure detail, and one for each policy without any, each
 * naming its report and policy: a flat table for a spreadsheet, whose
 * columns are those of `failures --format csv` and the policy's sessions.
 */
static int write_csv(FILE *f, const struct shown *s)
{
	const struct view_report *r = &s->report->rows[0];
	const struct rec_field *own = failure_fields + FAILURE_CONTEXT_FIELDS;
	size_t n_own = n_failure_fields - FAILURE_CONTEXT_FIELDS, i, j;
	int bad = 0;

	for (i = 0; i < n_report_key_fields + n_policy_fields + n_own; i++)
		fprintf(f, "%s%s", i > 0 ? "," : "",
		        i < n_report_key_fields ? report_key_fields[i].name
		        : i < n_report_key_fields + n_policy_fields ? policy_fields[i - n_report_key_fields].name
		        : own[i - n_report_key_fields - n_policy_fields].name);
	fputc('\n', f);
	for (i = 0; i < s->policies->n && !bad; i++) {
		const struct view_policy *p = &s->policies->rows[i];
		int any = 0;

		for (j = 0; j <= s->failures->n && !bad; j++) {
			const struct view_failure *d = j < s->failures->n ? &s->failures->rows[j] : NULL;

			if (d != NULL ? !failure_of_policy(d, p) : any)
				continue;
			any = 1;
			bad |= csv_put_cells(f, r, report_key_fields, n_report_key_fields, 0) != 0 ||
			       csv_put_cells(f, p, policy_fields, n_policy_fields, 1) != 0 ||
			       csv_put_cells(f, d, own, n_own, 1) != 0;
			fputc('\n', f);
		}
	}
	return out_finish(f, bad ? -1 : 0);
}

/* ---- raw ---- */

/* The JSON as received: bytes as they are for a pipe; on a terminal each
 * line escaped, since a report may hide escape sequences in it. */
static int write_raw(FILE *f, const char *json, size_t len)
{
	const char *p = json, *nl;
	char *line, *e;

	if (!isatty(fileno(f))) {
		fwrite(json, 1, len, f);
		if (len > 0 && json[len - 1] != '\n')
			fputc('\n', f);
		return out_finish(f, 0);
	}
	while (p < json + len) {
		nl = memchr(p, '\n', (size_t)(json + len - p));
		line = strndup(p, nl != NULL ? (size_t)(nl - p) : (size_t)(json + len - p));
		e = line != NULL ? esc_term(line, "") : NULL;
		free(line);
		if (e == NULL)
			return out_finish(f, -1);
		fprintf(f, "%s\n", e);
		free(e);
		p = nl != NULL ? nl + 1 : json + len;
	}
	return out_finish(f, 0);
}

static int show_raw(struct store *st, int64_t id)
{
	struct tr_error err;
	char *json = NULL;
	size_t len = 0;
	int rc = CLI_OK;

	tr_error_clear(&err);
	if (store_get_raw_json(st, id, &json, &len, &err) != TR_OK) {
		cli_error("show: %s", err.msg);
		return CLI_FAIL;
	}
	if (write_raw(stdout, json, len) != 0) {
		cli_error("cannot write the report");
		rc = CLI_FAIL;
	}
	free(json);
	return rc;
}

static int show_one(struct cli *c, struct store *st, int64_t id, const struct show_args *a)
{
	struct shown s = { NULL, NULL, NULL };
	struct tr_error err;
	int rc = CLI_OK, w;

	tr_error_clear(&err);
	if (load(st, id, &s, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_name(c), err.msg);
		rc = CLI_FAIL;
	} else {
		w = a->format == OUT_TEXT ? write_text(stdout, &s, a->color)
		    : a->format == OUT_CSV ? write_csv(stdout, &s) : write_json(stdout, &s);
		if (w != 0) {
			cli_error("cannot write the report");
			rc = CLI_FAIL;
		}
	}
	view_reports_free(s.report);
	view_policies_free(s.policies);
	view_failures_free(s.failures);
	return rc;
}

static int show_main(struct cli *c, int argc, char **argv)
{
	struct show_args a = { .format = OUT_TEXT };
	struct store *st = NULL;
	int64_t id = 0;
	int stop = 0, rc;

	a.color = cli_color_auto();
	rc = cli_parse_options(c, &cmd_show, show_opts, sizeof show_opts / sizeof show_opts[0], argc,
	                       argv, NULL, &a, show_option, show_operand, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	if (a.which == NULL)
		return cli_usage_error(&cmd_show, "which report? give its id (see 'list') or report-id");
	rc = cli_open_for_query(c, &st);
	if (rc != CLI_OK)
		return rc;
	rc = resolve(st, &a, &id);
	if (rc == CLI_OK)
		rc = a.raw ? show_raw(st, id) : show_one(c, st, id, &a);
	store_close(st);
	return rc;
}

const struct cli_command cmd_show = {
	.name = "show",
	.synopsis = "one report with its policies and failures",
	.help =
	"Usage: " CLI_NAME " [-d PATH] show [--submitter S] [--raw] [--format FMT] REPORT\n"
	"One stored report with its policies and failure details.  REPORT is the\n"
	"id 'list' prints, or a report-id; --submitter S picks among reports from\n"
	"several submitters with the same report-id (and makes REPORT a report-id\n"
	"even when it is a number).\n\n"
	"  --submitter S       the report-id's submitter\n"
	"  --raw               print the report's JSON as it was received\n"
	"  --format FMT        text (default), json or csv (a line per failure detail,\n"
	"                      and per policy without any)\n"
	"  --color WHEN        highlight failures: auto (default), always or never\n"
	CLI_DB_HELP
	"  -h, --help          this text\n",
	.run = show_main,
};
