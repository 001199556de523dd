/*
 * list: the stored reports, one a line, newest first; the database id in
 * the first column is what "show" takes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "records.h"
#include "table.h"
#include "views.h"

#define DEFAULT_LIMIT 100

enum {
	OPT_LIMIT = OPT_FIRST_COMMAND_OPTION,
	OPT_NO_LIMIT
};

static const struct opt_def list_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	CLI_FILTER_OPTS,
	{ OPT_FORMAT, 0, "format", 1 },
	{ OPT_COLOR, 0, "color", 1 },
	{ OPT_LIMIT, 'n', "limit", 1 },
	{ OPT_NO_LIMIT, 0, "no-limit", 0 },
};

struct list_args {
	struct summary_filter filter;
	int format;
	int color;
	size_t limit;
};


static int list_option(void *ctx, int id, const char *arg)
{
	struct list_args *a = ctx;

	switch (id) {
	case OPT_FORMAT:
		return cli_format_option(&cmd_list, arg, &a->format);
	case OPT_COLOR:
		return cli_color_option(&cmd_list, arg, &a->color);
	case OPT_LIMIT:
		return cli_count_option(&cmd_list, "--limit", arg, &a->limit);
	case OPT_NO_LIMIT:
		a->limit = 0;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_list, "unexpected option");
	}
}

static char *number_dup(uint64_t v)
{
	char n[32];

	fmt_grouped(v, n, sizeof n);
	return strdup(n);
}

static void add_report(struct table *t, const struct view_report *r)
{
	char when[32], range[32], id[32], rate[16];
	char *cells[11];

	fmt_minute(r->received_at, when, sizeof when);
	fmt_range(r->start, r->end, range, sizeof range);
	fmt_failure_rate(r->successful, r->failed, rate, sizeof rate);
	snprintf(id, sizeof id, "%lld%s", (long long)r->id, r->counted ? "" : "*");
	cells[0] = strdup(id);
	cells[1] = strdup(when);
	cells[2] = cell_text(r->submitter, "-", 28, 1);
	cells[3] = cell_text(r->report_id, "-", 32, 0);
	cells[4] = strdup(range);
	cells[5] = number_dup(r->n_policies);
	cells[6] = number_dup(r->successful);
	cells[7] = number_dup(r->failed);
	cells[8] = strdup(rate);
	cells[9] = cell_text(r->auth, "-", 9, 0);
	cells[10] = cell_text(r->policy_domains, "-", 48, 0);
	table_add_owned(t, cells, r->failed > 0 ? (1u << 7 | 1u << 8) : 0);
}

static int write_text(FILE *f, const struct view_reports *v, int color)
{
	static const char *const head[] = { "ID", "RECEIVED", "SUBMITTER", "REPORT-ID", "DATES",
	                                    "POLICIES", "OK", "FAILED", "FAIL%", "AUTH",
	                                    "POLICY-DOMAINS" };
	struct table t;
	int rc, uncounted = 0;

	if (v->n == 0) {
		fputs("no reports\n", f);
		return out_finish(f, 0);
	}
	table_init(&t, 11, 1u | 0xfu << 5);
	table_add(&t, head, 0);
	for (size_t i = 0; i < v->n; i++) {
		add_report(&t, &v->rows[i]);
		uncounted |= !v->rows[i].counted;
	}
	rc = table_write(f, &t, color);
	table_free(&t);
	if (rc == 0 && uncounted)
		fputs("* kept but not counted in summaries (the sender failed authentication)\n", f);
	return out_finish(f, rc);
}

static int list_write(FILE *f, const struct view_reports *v, enum out_format fmt, int color)
{
	if (fmt == OUT_TEXT)
		return write_text(f, v, color);
	return records_put_list(f, fmt == OUT_CSV, "reports", v->rows, sizeof v->rows[0], v->n,
	                        report_fields, n_report_fields);
}

static enum tr_err list_fetch(struct store *st, const void *args, void **result,
                              struct tr_error *err)
{
	const struct list_args *a = args;

	return views_reports(st, &a->filter, a->limit, (struct view_reports **)result, err);
}

static int list_put(FILE *f, void *result, const void *args)
{
	const struct list_args *a = args;

	return list_write(f, result, (enum out_format)a->format, a->color);
}

static void list_free(void *result)
{
	view_reports_free(result);
}

static const struct cli_query list_query = { list_fetch, list_put, list_free, "list" };

static int list_main(struct cli *c, int argc, char **argv)
{
	struct list_args a = { .format = OUT_TEXT, .limit = DEFAULT_LIMIT };
	int stop = 0, rc;

	summary_filter_all(&a.filter);
	a.color = cli_color_auto();
	rc = cli_parse_options(c, &cmd_list, list_opts, sizeof list_opts / sizeof list_opts[0], argc,
	                       argv, &a.filter, &a, list_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	return cli_run_query(c, &list_query, &a);
}

const struct cli_command cmd_list = {
	.name = "list",
	.synopsis = "the stored reports, one a line",
	.help =
	"Usage: " CLI_NAME " [-d PATH] list [--since WHEN] [--until WHEN]\n"
	"         [--policy-domain D] [--submitter S] [--authenticated] [--limit N]\n"
	"         [--format FMT] [--color WHEN]\n"
	"The stored reports, newest first: database id (for 'show'), when it was\n"
	"received, submitter, report-id, dates, policies, sessions ok and failed.\n"
	"An id marked * is kept but not counted (its sender failed authentication).\n\n"
	CLI_FILTER_HELP
	"  -n, --limit N       at most N reports (default 100)\n"
	"  --no-limit          all of them\n"
	"  --format FMT        text (default), json or csv\n"
	"  --color WHEN        highlight failures: auto (default), always or never\n"
	CLI_DB_HELP
	"  -h, --help          this text\n",
	.run = list_main,
};
