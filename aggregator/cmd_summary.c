/*
 * summary: who cannot reach us over TLS, and why.  Reads the database
 * (never creates it) and prints summary_query()'s answer as a table, JSON
 * or CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "presence.h"
#include "summary.h"

enum {
	OPT_BY = OPT_FIRST_COMMAND_OPTION,
	OPT_ALL
};

static const struct opt_def summary_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_BY, 0, "by", 1 },
	CLI_FILTER_OPTS,
	{ OPT_FORMAT, 0, "format", 1 },
	{ OPT_COLOR, 0, "color", 1 },
	{ OPT_ALL, 'a', "all", 0 },
};

struct summary_args {
	enum summary_key key;
	struct summary_filter filter;
	int format;
	struct text_style style;
};

/* "policy_domain" is accepted for "policy-domain": the JSON spells it so. */
static int parse_key(const char *name)
{
	char tmp[32];
	size_t i;

	if (strlen(name) >= sizeof tmp)
		return -1;
	for (i = 0; name[i] != '\0'; i++)
		tmp[i] = name[i] == '_' ? '-' : name[i];
	tmp[i] = '\0';
	return summary_key_parse(tmp);
}

static int summary_option(void *ctx, int id, const char *arg)
{
	struct summary_args *a = ctx;
	int v;

	switch (id) {
	case OPT_BY:
		v = parse_key(arg);
		if (v < 0)
			return cli_usage_error(&cmd_summary, "--by: use submitter, policy-domain, "
			                       "result-type, receiving-mx, sending-ip, day or policy-type");
		a->key = (enum summary_key)v;
		return CLI_OK;
	case OPT_FORMAT:
		return cli_format_option(&cmd_summary, arg, &a->format);
	case OPT_COLOR:
		return cli_color_option(&cmd_summary, arg, &a->style.color);
	case OPT_ALL:
		a->style.all = 1;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_summary, "unexpected option");
	}
}

static int newer_day_first(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;

	return strcmp(y->key, x->key);
}

/* The summary, and by submitter the silent reporters (presence.h) when
 * the window runs up to now and covers every policy domain. */
struct summary_result {
	struct summary *sm;
	struct presence *presence;
	const struct presence_reporter **silent;
	struct out_silent out;
};

static int judges_silence(const struct summary_args *a)
{
	return a->key == SUMMARY_BY_SUBMITTER && a->filter.until == INT64_MAX && a->filter.policy_domain == NULL;
}

/* The silent ones among r's reporters (of submitter alone when one is
 * given), into r->out. */
static enum tr_err pick_silent(struct summary_result *r, const char *submitter, int64_t now, struct tr_error *err)
{
	const struct presence *p = r->presence;

	r->out.judged = 1;
	if (p->n_reporters == 0)
		return TR_OK;
	r->silent = calloc(p->n_reporters, sizeof *r->silent);
	if (r->silent == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < p->n_reporters; i++) {
		const struct presence_reporter *x = &p->reporters[i];

		if (presence_is_silent(x, now) && (submitter == NULL || strcmp(submitter, x->submitter) == 0))
			r->silent[r->out.n++] = x;
	}
	r->out.v = r->silent;
	return TR_OK;
}

static enum tr_err summary_fetch(struct store *st, const void *args, void **result,
                                 struct tr_error *err)
{
	const struct summary_args *a = args;
	struct summary_result *r = calloc(1, sizeof *r);
	int64_t since, until, now;
	enum tr_err rc;

	if (r == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	*result = r;
	rc = summary_query(st, a->key, &a->filter, &r->sm, err);
	if (rc != TR_OK || !judges_silence(a))
		return rc;
	now = cli_now();
	presence_window(now, &since, &until);
	rc = presence_query(st, since, until, &r->presence, err);
	return rc != TR_OK ? rc : pick_silent(r, a->filter.submitter, now, err);
}

static int summary_put(FILE *f, void *result, const void *args)
{
	const struct summary_args *a = args;
	struct summary_result *r = result;
	struct summary *sm = r->sm;

	/* a calendar reads newest first, whatever failed most */
	if (a->key == SUMMARY_BY_DAY && sm->n_rows > 1)
		qsort(sm->rows, sm->n_rows, sizeof *sm->rows, newer_day_first);
	return summary_write_styled(f, sm, a->key, (enum out_format)a->format, &a->style,
	                            a->key == SUMMARY_BY_SUBMITTER ? &r->out : NULL);
}

static void summary_free_result(void *result)
{
	struct summary_result *r = result;

	if (r == NULL)
		return;
	summary_free(r->sm);
	free(r->silent);
	presence_free(r->presence);
	free(r);
}

static const struct cli_query summary_run = {
	summary_fetch, summary_put, summary_free_result, "summary"
};

static int summary_main(struct cli *c, int argc, char **argv)
{
	struct summary_args a = { .key = SUMMARY_BY_SUBMITTER, .format = OUT_TEXT };
	int stop = 0, rc;

	summary_filter_all(&a.filter);
	a.style.color = cli_color_auto();
	rc = cli_parse_options(c, &cmd_summary, summary_opts,
	                       sizeof summary_opts / sizeof summary_opts[0], argc, argv, &a.filter,
	                       &a, summary_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	return cli_run_query(c, &summary_run, &a);
}

const struct cli_command cmd_summary = {
	.name = "summary",
	.synopsis = "who fails to reach us over TLS, and why",
	.help =
	"Usage: " CLI_NAME " [-d PATH] summary [--by KEY] [--since WHEN] [--until WHEN]\n"
	"         [--policy-domain D] [--submitter S] [--authenticated] [--format FMT]\n"
	"         [--all] [--color WHEN]\n"
	"Sum the stored reports: sessions that succeeded and failed, and why.\n\n"
	"  --by KEY            group by submitter (default), policy-domain,\n"
	"                      result-type, receiving-mx, sending-ip, day (newest first)\n"
	"                      or policy-type (every policy, also the sts ones that a\n"
	"                      tlsa policy for the same sessions outranks)\n"
	CLI_FILTER_HELP
	"  --format FMT        text (default), json or csv; by submitter each also\n"
	"                      names the silent reporters: reports on at least 16 of\n"
	"                      the last 30 days, none for 2 days (not with --until\n"
	"                      or --policy-domain)\n"
	"  -a, --all           text by submitter: list every sender; without it the\n"
	"                      senders with no failures under a policy share one line\n"
	"  --color WHEN        highlight failures: auto (default), always or never\n"
	CLI_DB_HELP
	"  -h, --help          this text\n",
	.run = summary_main,
};
