/*
 * summary: who cannot reach us over TLS, and why.  Reads the database
 * (never creates it) and prints summary_query()'s answer as a table, JSON
 * or CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"
#include "summary.h"
#include "when.h"

enum {
	OPT_BY = OPT_FIRST_COMMAND_OPTION,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_POLICY_DOMAIN,
	OPT_SUBMITTER,
	OPT_FORMAT,
	OPT_AUTHENTICATED
};

static const struct opt_def summary_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_BY, 0, "by", 1 },
	{ OPT_SINCE, 0, "since", 1 },
	{ OPT_UNTIL, 0, "until", 1 },
	{ OPT_POLICY_DOMAIN, 0, "policy-domain", 1 },
	{ OPT_SUBMITTER, 0, "submitter", 1 },
	{ OPT_FORMAT, 0, "format", 1 },
	{ OPT_AUTHENTICATED, 0, "authenticated", 0 },
};

struct summary_args {
	enum summary_key key;
	struct summary_filter filter;
	enum out_format format;
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

static int summary_option(struct summary_args *a, int id, const char *arg)
{
	struct tr_error err;
	int v;

	switch (id) {
	case OPT_BY:
		v = parse_key(arg);
		if (v < 0)
			return cli_usage_error(&cmd_summary, "--by: use submitter, policy-domain, "
			                       "result-type, receiving-mx, sending-ip or day");
		a->key = (enum summary_key)v;
		return CLI_OK;
	case OPT_FORMAT:
		v = out_format_parse(arg);
		if (v < 0)
			return cli_usage_error(&cmd_summary, "--format: use text, json or csv");
		a->format = (enum out_format)v;
		return CLI_OK;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (when_parse(arg, (int64_t)time(NULL), id == OPT_UNTIL,
		               id == OPT_SINCE ? &a->filter.since : &a->filter.until, &err) != TR_OK)
			return cli_usage_error(&cmd_summary, err.msg);
		return CLI_OK;
	case OPT_POLICY_DOMAIN:
		a->filter.policy_domain = arg;
		return CLI_OK;
	case OPT_SUBMITTER:
		a->filter.submitter = arg;
		return CLI_OK;
	case OPT_AUTHENTICATED:
		a->filter.authenticated_only = 1;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_summary, "unexpected option");
	}
}

static int summary_args_parse(struct cli *c, int argc, char **argv, struct summary_args *a,
                              int *stop)
{
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	int id = 0, rc;

	opt_init(&st, argc, argv);
	for (;;) {
		s = opt_next(&st, summary_opts, sizeof summary_opts / sizeof summary_opts[0], &id,
		             &arg, &err);
		if (s == OPT_END)
			return CLI_OK;
		if (s == OPT_ERROR)
			return cli_opt_failed(&cmd_summary, s, &err);
		if (s == OPT_OPERAND)
			return cli_usage_error(&cmd_summary, "takes no operands");
		rc = cli_common_option(c, &cmd_summary, id, arg, stop);
		if (rc == -1)
			rc = summary_option(a, id, arg);
		if (rc != CLI_OK || *stop)
			return rc;
	}
}

static int summary_main(struct cli *c, int argc, char **argv)
{
	struct summary_args a = { .key = SUMMARY_BY_SUBMITTER, .format = OUT_TEXT };
	struct summary *sm = NULL;
	struct store *st = NULL;
	struct tr_error err;
	int stop = 0, rc;

	summary_filter_all(&a.filter);
	rc = summary_args_parse(c, argc, argv, &a, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	rc = cli_open_for_query(c, &st);
	if (rc != CLI_OK)
		return rc;
	tr_error_clear(&err);
	if (summary_query(st, a.key, &a.filter, &sm, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_path(c), err.msg);
		rc = CLI_FAIL;
	} else if (summary_write(stdout, sm, a.key, a.format) != 0) {
		cli_error("cannot write the summary");
		rc = CLI_FAIL;
	}
	summary_free(sm);
	store_close(st);
	return rc;
}

const struct cli_command cmd_summary = {
	.name = "summary",
	.synopsis = "who fails to reach us over TLS, and why",
	.help =
	"Usage: " CLI_NAME " [-d PATH] summary [--by KEY] [--since WHEN] [--until WHEN]\n"
	"         [--policy-domain D] [--submitter S] [--authenticated] [--format FMT]\n"
	"Sum the stored reports: sessions that succeeded and failed, and why.\n\n"
	"  --by KEY            group by submitter (default), policy-domain,\n"
	"                      result-type, receiving-mx, sending-ip or day\n"
	"  --since WHEN        reports starting at or after WHEN\n"
	"  --until WHEN        reports starting before WHEN (a bare date: that whole day)\n"
	"                      WHEN: 24h, 7d, 2w ago, YYYY-MM-DD or RFC 3339\n"
	"  --policy-domain D   only policies for domain D\n"
	"  --submitter S       only reports sent by S\n"
	"  --authenticated     only reports whose sender was authenticated\n"
	"  --format FMT        text (default), json or csv\n"
	"  -d, --db PATH       database (default: $TLSRPT_DB, else the built-in path)\n"
	"  -h, --help          this text\n",
	.run = summary_main,
};
