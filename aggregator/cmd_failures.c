/*
 * failures: the failure details themselves, newest first: who failed to
 * reach which MX, from where, and what the sender said about it.
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

static const struct opt_def failures_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	CLI_FILTER_OPTS,
	{ OPT_FORMAT, 0, "format", 1 },
	{ OPT_COLOR, 0, "color", 1 },
	{ OPT_LIMIT, 'n', "limit", 1 },
	{ OPT_NO_LIMIT, 0, "no-limit", 0 },
};

struct failures_args {
	struct summary_filter filter;
	int format;
	int color;
	size_t limit;  /* 0: all */
};


static int failures_option(void *ctx, int id, const char *arg)
{
	struct failures_args *a = ctx;

	switch (id) {
	case OPT_FORMAT:
		return cli_format_option(&cmd_failures, arg, &a->format);
	case OPT_COLOR:
		return cli_color_option(&cmd_failures, arg, &a->color);
	case OPT_LIMIT:
		return cli_count_option(&cmd_failures, "--limit", arg, &a->limit);
	case OPT_NO_LIMIT:
		a->limit = 0;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_failures, "unexpected option");
	}
}

/* "reason-code: additional-information", either alone, or "-". */
static char *detail_text(const struct view_failure *r)
{
	char *code = esc_term(r->reason_code, ""), *info = esc_term(r->additional_info, "");
	char *both = NULL, *cut = NULL;
	size_t n;

	if (code != NULL && info != NULL) {
		n = strlen(code) + strlen(info) + 3;
		both = malloc(n);
		if (both != NULL)
			snprintf(both, n, "%s%s%s", code, code[0] && info[0] ? ": " : "", info);
	}
	if (both != NULL)
		cut = text_shorten(both[0] != '\0' ? both : "-", 60, 0);
	free(code);
	free(info);
	free(both);
	return cut;
}

/* RFC 8460 allows a receiving-mx-helo or only a receiving-ip. */
static const char *mx_name(const struct view_failure *r)
{
	if (r->receiving_mx != NULL && r->receiving_mx[0] != '\0')
		return r->receiving_mx;
	return r->receiving_helo;
}

static void add_failure(struct table *t, const struct view_failure *r)
{
	char day[16], n[32];
	char *cells[9];
	/* only a failure under a policy is an alarm */
	unsigned hot = r->policy_type != NULL && strcmp(r->policy_type, "no-policy-found") == 0
	               ? 0 : (1u << 3 | 1u << 4);

	fmt_day(r->start, day, sizeof day);
	fmt_grouped(r->count, n, sizeof n);
	cells[0] = strdup(day);
	cells[1] = cell_text(r->submitter, "-", 28, 1);
	cells[2] = cell_text(r->policy_domain, "-", 28, 1);
	cells[3] = cell_text(r->result_type, "-", 32, 0);
	cells[4] = strdup(n);
	cells[5] = cell_text(r->sending_ip, "-", 39, 0);
	cells[6] = cell_text(mx_name(r), "-", 32, 1);
	cells[7] = cell_text(r->receiving_ip, "-", 39, 0);
	cells[8] = detail_text(r);
	table_add_owned(t, cells, hot);
}

static int write_text(FILE *f, const struct view_failures *v, int color)
{
	static const char *const head[] = { "DAY", "SUBMITTER", "POLICY-DOMAIN", "RESULT-TYPE",
	                                    "SESSIONS", "SENDING-IP", "RECEIVING-MX",
	                                    "RECEIVING-IP", "DETAIL" };
	struct table t;
	int rc;

	if (v->n == 0) {
		fputs("no failures\n", f);
		return out_finish(f, 0);
	}
	table_init(&t, 9, 1u << 4);
	table_add(&t, head, 0);
	for (size_t i = 0; i < v->n; i++)
		add_failure(&t, &v->rows[i]);
	rc = table_write(f, &t, color);
	table_free(&t);
	return out_finish(f, rc);
}

static int failures_write(FILE *f, const struct view_failures *v, enum out_format fmt, int color)
{
	if (fmt == OUT_TEXT)
		return write_text(f, v, color);
	return records_put_list(f, fmt == OUT_CSV, "failures", v->rows, sizeof v->rows[0], v->n,
	                        failure_fields, n_failure_fields);
}

static enum tr_err failures_fetch(struct store *st, const void *args, void **result,
                                  struct tr_error *err)
{
	const struct failures_args *a = args;

	return views_failures(st, &a->filter, a->limit, (struct view_failures **)result, err);
}

static int failures_put(FILE *f, void *result, const void *args)
{
	const struct failures_args *a = args;

	return failures_write(f, result, (enum out_format)a->format, a->color);
}

static void failures_free(void *result)
{
	view_failures_free(result);
}

static const struct cli_query failures_query = {
	failures_fetch, failures_put, failures_free, "failures"
};

static int failures_main(struct cli *c, int argc, char **argv)
{
	struct failures_args a = { .format = OUT_TEXT, .limit = DEFAULT_LIMIT };
	int stop = 0, rc;

	summary_filter_all(&a.filter);
	a.color = cli_color_auto();
	rc = cli_parse_options(c, &cmd_failures, failures_opts,
	                       sizeof failures_opts / sizeof failures_opts[0], argc, argv, &a.filter,
	                       &a, failures_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	return cli_run_query(c, &failures_query, &a);
}

const struct cli_command cmd_failures = {
	.name = "failures",
	.synopsis = "the failure details, newest first",
	.help =
	"Usage: " CLI_NAME " [-d PATH] failures [--since WHEN] [--until WHEN]\n"
	"         [--policy-domain D] [--submitter S] [--authenticated] [--limit N]\n"
	"         [--format FMT] [--color WHEN]\n"
	"The failure details of the stored reports, newest report first: submitter,\n"
	"policy domain, result type, sessions, sending MTA, receiving MX and IP,\n"
	"failure-reason-code and additional-information.\n\n"
	CLI_FILTER_HELP
	"  -n, --limit N       at most N details (default 100)\n"
	"  --no-limit          all of them\n"
	"  --format FMT        text (default), json or csv\n"
	"  --color WHEN        highlight failures: auto (default), always or never\n"
	CLI_DB_HELP
	"  -h, --help          this text\n",
	.run = failures_main,
};
