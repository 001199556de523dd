/*
 * check-failures: a monitoring plugin for Icinga, Nagios, Checkmk and
 * Sensu, after the Monitoring Plugins development guidelines: one status
 * line on standard output with performance data, and the exit status
 * 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (bad arguments, no database).
 * The numbers are summary_query()'s by submitter: sessions, failed
 * sessions, and the senders with failed sessions, as the digest counts
 * them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "summary.h"
#include "threshold.h"
#include "when.h"

enum { CHECK_OK, CHECK_WARNING, CHECK_CRITICAL, CHECK_UNKNOWN };

static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

enum {
	OPT_WARNING = OPT_FIRST_COMMAND_OPTION,
	OPT_CRITICAL,
	OPT_WARNING_COUNT,
	OPT_CRITICAL_COUNT,
	OPT_MIN_SESSIONS
};

static const struct opt_def check_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	CLI_FILTER_OPTS,
	{ OPT_WARNING, 'w', "warning", 1 },
	{ OPT_CRITICAL, 'c', "critical", 1 },
	{ OPT_WARNING_COUNT, 0, "warning-count", 1 },
	{ OPT_CRITICAL_COUNT, 0, "critical-count", 1 },
	{ OPT_MIN_SESSIONS, 0, "min-sessions", 1 },
};

struct check_args {
	struct summary_filter filter;
	int64_t now;
	struct threshold warn, crit; /* failure rate, percent */
	struct threshold warn_n, crit_n; /* failed sessions */
	size_t min_sessions;
};

static int range_option(struct threshold *t, const char *name, const char *arg)
{
	char msg[128];

	if (threshold_parse(arg, t) == 0)
		return CLI_OK;
	snprintf(msg, sizeof msg, "%s: not a range (10, 10:, ~:10, 10:20 or @10:20)", name);
	return cli_usage_error(&cmd_check, msg);
}

static int check_option(void *ctx, int id, const char *arg)
{
	struct check_args *a = ctx;

	switch (id) {
	case OPT_WARNING:
		return range_option(&a->warn, "--warning", arg);
	case OPT_CRITICAL:
		return range_option(&a->crit, "--critical", arg);
	case OPT_WARNING_COUNT:
		return range_option(&a->warn_n, "--warning-count", arg);
	case OPT_CRITICAL_COUNT:
		return range_option(&a->crit_n, "--critical-count", arg);
	case OPT_MIN_SESSIONS:
		return cli_count_option(&cmd_check, "--min-sessions", arg, &a->min_sessions);
	default:
		return cli_usage_error(&cmd_check, "unexpected option");
	}
}

/* A sender's name for the status line: printable ASCII, at most 64 bytes. */
static void clean_name(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size && i < 64; i++)
		out[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

/* "in the last 24h", "in the last 7d", or "since 2024-01-05 00:00 UTC". */
static void describe_window(const struct check_args *a, char *out, size_t size)
{
	int64_t span = a->now - a->filter.since;
	char when[32];

	if (span > 0 && span % 86400 == 0 && span / 86400 != 1)
		snprintf(out, size, "in the last %lldd", (long long)(span / 86400));
	else if (span > 0 && span % 3600 == 0)
		snprintf(out, size, "in the last %lldh", (long long)(span / 3600));
	else {
		fmt_minute(a->filter.since, when, sizeof when);
		snprintf(out, size, "since %s UTC", when);
	}
}

static int judge(const struct check_args *a, uint64_t sessions, uint64_t failed, double rate)
{
	int judged = sessions >= a->min_sessions;

	if ((judged && threshold_alerts(&a->crit, rate)) || threshold_alerts(&a->crit_n, (double)failed))
		return CHECK_CRITICAL;
	if ((judged && threshold_alerts(&a->warn, rate)) || threshold_alerts(&a->warn_n, (double)failed))
		return CHECK_WARNING;
	return CHECK_OK;
}

static int report(const struct check_args *a, const struct summary *sm)
{
	uint64_t sessions = sm->successful + sm->failed < sm->successful ? UINT64_MAX
	                    : sm->successful + sm->failed;
	double rate = sessions > 0 ? 100.0 * (double)sm->failed / (double)sessions : 0;
	char total[32], bad[32], top[128] = "", name[72], window[64], pct[32];
	size_t i, failing = 0;
	int state = judge(a, sessions, sm->failed, rate);

	/* failing as the summary and the digest say it (docs/COUNTING.md) */
	for (i = 0; i < sm->n_rows; i++)
		if (summary_row_failing(&sm->rows[i]))
			failing++;
	if (failing > 0) {
		fmt_grouped(sm->rows[0].failed, bad, sizeof bad);
		clean_name(sm->rows[0].key[0] != '\0' ? sm->rows[0].key : "(unknown)", name, sizeof name);
		snprintf(top, sizeof top, ", most by %s (%s)", name, bad);
	}
	fmt_grouped(sessions, total, sizeof total);
	fmt_grouped(sm->failed, bad, sizeof bad);
	describe_window(a, window, sizeof window);
	snprintf(pct, sizeof pct, rate > 0 && rate < 0.1 ? "%.3f%%" : "%.1f%%", rate);
	printf("TLSRPT %s - %s of %s sessions failed %s (%s), %zu failing sender%s%s%s",
	       state_names[state], pct, total, window, bad, failing, failing == 1 ? "" : "s", top,
	       sessions < a->min_sessions ? "; too few sessions to judge the rate" : "");
	printf(" | failure_rate=%.3f%%;%s;%s;0;100 failed_sessions=%llu;%s;%s;0; sessions=%llu;;;0;"
	       " failing_senders=%zu;;;0;\n", rate, a->warn.text, a->crit.text,
	       (unsigned long long)sm->failed, a->warn_n.text, a->crit_n.text,
	       (unsigned long long)sessions, failing);
	return state;
}

static int unknown(const char *why)
{
	printf("TLSRPT UNKNOWN - %s\n", why);
	return CHECK_UNKNOWN;
}

static int check_main(struct cli *c, int argc, char **argv)
{
	struct check_args a;
	struct summary *sm = NULL;
	struct store *st = NULL;
	struct tr_error err;
	char why[TR_ERROR_MSG_MAX + 64];
	int stop = 0, rc;

	memset(&a, 0, sizeof a);
	summary_filter_all(&a.filter);
	a.now = cli_now();
	rc = cli_parse_options(c, &cmd_check, check_opts, sizeof check_opts / sizeof check_opts[0],
	                       argc, argv, &a.filter, &a, check_option, NULL, &stop);
	if (stop)
		return rc;
	if (rc != CLI_OK)
		return unknown("invalid arguments (see " CLI_NAME " help check-failures)");
	if (!a.warn.set && !a.crit.set && !a.warn_n.set && !a.crit_n.set)
		return unknown("no threshold: give --warning/--critical (failure rate, percent) or "
		               "--warning-count/--critical-count (failed sessions)");
	if (a.filter.since == INT64_MIN)
		a.filter.since = a.now - 86400;
	if (cli_open_for_query(c, &st) != CLI_OK) {
		snprintf(why, sizeof why, "cannot open the database %s", cli_db_name(c));
		return unknown(why);
	}
	tr_error_clear(&err);
	if (summary_query(st, SUMMARY_BY_SUBMITTER, &a.filter, &sm, &err) != TR_OK) {
		snprintf(why, sizeof why, "%s: %s", cli_db_name(c), err.msg);
		rc = unknown(why);
	} else {
		rc = report(&a, sm);
	}
	summary_free(sm);
	store_close(st);
	return rc;
}

const struct cli_command cmd_check_failures = {
	.name = "check-failures",
	.synopsis = "monitoring plugin: failure rate or count against thresholds",
	.help =
	"Usage: " CLI_NAME " [-d PATH] check-failures [-w RANGE] [-c RANGE]\n"
	"         [--warning-count RANGE] [--critical-count RANGE] [--since WHEN]\n"
	"         [--min-sessions N] [--policy-domain D] [--submitter S] [--authenticated]\n"
	"A monitoring plugin (Icinga, Nagios, Checkmk): one status line with\n"
	"performance data, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n\n"
	"  -w, --warning RANGE     WARNING when the failure rate (percent) is outside RANGE\n"
	"  -c, --critical RANGE    CRITICAL likewise\n"
	"  --warning-count RANGE   WARNING when the failed sessions are outside RANGE\n"
	"  --critical-count RANGE  CRITICAL likewise\n"
	"                          RANGE: 10 (alert above 10), 10: (below 10), ~:10,\n"
	"                          10:20 (outside), @10:20 (inside)\n"
	"  --since WHEN            window (default 24h)\n"
	"  --min-sessions N        judge the rate only over at least N sessions\n"
	"  --until WHEN, --policy-domain D, --submitter S, --authenticated\n"
	"                          only those reports, as in summary\n"
	"  -d, --db PATH           database: an SQLite file or a postgresql:// URI\n"
	"                          (default: $TLSRPT_DB, else the built-in path)\n"
	"  -h, --help              this text\n"
	"Example: " CLI_NAME " check-failures --since 24h -w 1 -c 5 --min-sessions 100\n",
	.run = check_main,
};
