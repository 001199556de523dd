/*
 * metrics: the database's answers as Prometheus gauges, for
 * node_exporter's textfile collector (docs/metrics.md names each one).
 * Sessions and failures come from summary_query(), the dates from
 * presence_query(): this file only picks, caps and prints.  With
 * --output the file is replaced atomically (a temporary file in the same
 * folder, renamed over it), so that a scrape never reads half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "presence.h"
#include "promtext.h"
#include "summary.h"
#include "when.h"

#define DEFAULT_MAX_SERIES 100
#define OTHER "other"
#define UNKNOWN "unknown"
/* the text is at most a few series per kept label value */
#define METRICS_TEXT_MAX (64u * 1024 * 1024)

enum {
	OPT_MAX_SERIES = OPT_FIRST_COMMAND_OPTION,
	OPT_OUTPUT
};

static const struct opt_def metrics_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	CLI_FILTER_OPTS,
	{ OPT_MAX_SERIES, 0, "max-series", 1 },
	{ OPT_OUTPUT, 'o', "output", 1 },
};

struct metrics_args {
	struct summary_filter filter;
	size_t max_series;
	const char *output;
};

/* What one run reads from the database. */
struct metrics_data {
	struct summary *by_domain, *by_reporter, *by_result;
	struct presence *presence;
	int64_t now, window;
};

static int metrics_option(void *ctx, int id, const char *arg)
{
	struct metrics_args *a = ctx;

	switch (id) {
	case OPT_MAX_SERIES:
		return cli_count_option(&cmd_metrics, "--max-series", arg, &a->max_series);
	case OPT_OUTPUT:
		a->output = arg;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_metrics, "unexpected option");
	}
}

static const char *label_value(const char *key)
{
	return key == NULL || key[0] == '\0' ? UNKNOWN : key;
}

static void dropped(struct promtext *p, const char *metric, uint64_t n)
{
	struct promtext_label l = { "metric", metric };

	promtext_u64(p, "tlsrpt_metrics_series_dropped", &l, 1, n);
}

/*
 * Sessions of a summary's rows under label `label`: the first max rows
 * (most failed first) each, the rest summed as "other".  A row whose key
 * is literally "other" joins that bucket.  Returns the rows folded.
 */
static uint64_t put_sessions(struct promtext *p, const char *name, const char *label,
                             const struct summary *sm, size_t max)
{
	struct promtext_label l[2] = { { label, NULL }, { "outcome", NULL } };
	uint64_t ok = 0, failed = 0, folded = 0;
	size_t i, kept = 0;

	for (i = 0; i < sm->n_rows; i++) {
		const struct summary_row *r = &sm->rows[i];

		if (kept < max && strcmp(r->key, OTHER) != 0) {
			l[0].value = label_value(r->key);
			l[1].value = "successful";
			promtext_u64(p, name, l, 2, r->successful);
			l[1].value = "failed";
			promtext_u64(p, name, l, 2, r->failed);
			kept++;
			continue;
		}
		folded++;
		ok = ok + r->successful < ok ? UINT64_MAX : ok + r->successful;
		failed = failed + r->failed < failed ? UINT64_MAX : failed + r->failed;
	}
	if (folded > 0) {
		l[0].value = OTHER;
		l[1].value = "successful";
		promtext_u64(p, name, l, 2, ok);
		l[1].value = "failed";
		promtext_u64(p, name, l, 2, failed);
	}
	return folded;
}

static uint64_t put_result_types(struct promtext *p, const struct summary *sm, size_t max)
{
	struct promtext_label l = { "result_type", NULL };
	uint64_t failed = 0, folded = 0;
	size_t i, kept = 0;

	for (i = 0; i < sm->n_rows; i++) {
		const struct summary_row *r = &sm->rows[i];

		if (kept < max && strcmp(r->key, OTHER) != 0) {
			l.value = label_value(r->key);
			promtext_u64(p, "tlsrpt_result_type_sessions", &l, 1, r->failed);
			kept++;
			continue;
		}
		folded++;
		failed = failed + r->failed < failed ? UINT64_MAX : failed + r->failed;
	}
	if (folded > 0) {
		l.value = OTHER;
		promtext_u64(p, "tlsrpt_result_type_sessions", &l, 1, failed);
	}
	return folded;
}

/* Reporters ranked for the cap: most days reported first, then by name,
 * so that the daily reporters whose silence matters are the ones kept. */
static int by_days(const void *a, const void *b)
{
	const struct presence_reporter *x = *(const struct presence_reporter *const *)a;
	const struct presence_reporter *y = *(const struct presence_reporter *const *)b;

	if (x->days != y->days)
		return x->days > y->days ? -1 : 1;
	return strcmp(x->submitter, y->submitter);
}

/*
 * tlsrpt_reporter_dates_reported for the max reporters with the most days,
 * and tlsrpt_last_report_timestamp_seconds for at most max of their
 * pairs (the others' newest as reporter and domain "other").
 */
static int put_presence(struct promtext *p, const struct presence *pr, size_t max,
                        uint64_t *folded_reporters, uint64_t *folded_pairs)
{
	const struct presence_reporter **rank;
	struct promtext_label l[2] = { { "reporter", NULL }, { "policy_domain", NULL } };
	size_t i, j = 0, n_kept, pairs = 0;
	int64_t other = INT64_MIN;
	char *kept;

	rank = calloc(pr->n_reporters + 1, sizeof *rank);
	kept = calloc(pr->n_reporters + 1, 1);
	if (rank == NULL || kept == NULL) {
		free(rank);
		free(kept);
		return -1;
	}
	for (i = 0; i < pr->n_reporters; i++)
		rank[i] = &pr->reporters[i];
	qsort(rank, pr->n_reporters, sizeof *rank, by_days);
	n_kept = pr->n_reporters < max ? pr->n_reporters : max;
	promtext_family(p, "tlsrpt_reporter_dates_reported", "gauge",
	                "UTC dates, of the last 30 and today, on which the reporter's reports start.");
	for (i = 0; i < n_kept; i++) {
		kept[rank[i] - pr->reporters] = 1;
		l[0].value = label_value(rank[i]->submitter);
		promtext_u64(p, "tlsrpt_reporter_dates_reported", l, 1, rank[i]->days);
	}
	*folded_reporters = pr->n_reporters - n_kept;
	promtext_family(p, "tlsrpt_last_report_timestamp_seconds", "gauge",
	                "End of the date range of the reporter's latest report about the policy domain.");
	*folded_pairs = 0;
	/* pairs and reporters are both sorted by submitter: walk them together */
	for (i = 0; i < pr->n_pairs; i++) {
		const struct presence_pair *x = &pr->pairs[i];

		while (j < pr->n_reporters && strcmp(pr->reporters[j].submitter, x->submitter) < 0)
			j++;
		if (pairs < max && j < pr->n_reporters && kept[j] &&
		    strcmp(pr->reporters[j].submitter, x->submitter) == 0 &&
		    strcmp(label_value(x->policy_domain), OTHER) != 0) {
			l[0].value = label_value(x->submitter);
			l[1].value = label_value(x->policy_domain);
			promtext_i64(p, "tlsrpt_last_report_timestamp_seconds", l, 2, x->last_end);
			pairs++;
			continue;
		}
		(*folded_pairs)++;
		if (x->last_end > other)
			other = x->last_end;
	}
	if (*folded_pairs > 0) {
		l[0].value = OTHER;
		l[1].value = OTHER;
		promtext_i64(p, "tlsrpt_last_report_timestamp_seconds", l, 2, other);
	}
	free(rank);
	free(kept);
	return 0;
}

static int render(struct promtext *p, const struct metrics_data *d, size_t max)
{
	uint64_t f_domain, f_reporter, f_result, f_days, f_pairs;

	promtext_family(p, "tlsrpt_metrics_timestamp_seconds", "gauge",
	                "When tlsrpt-report metrics computed these values.");
	promtext_i64(p, "tlsrpt_metrics_timestamp_seconds", NULL, 0, d->now);
	promtext_family(p, "tlsrpt_report_window_seconds", "gauge",
	                "Length of the window that the session gauges cover.");
	promtext_i64(p, "tlsrpt_report_window_seconds", NULL, 0, d->window);
	promtext_family(p, "tlsrpt_policy_domain_sessions", "gauge",
	                "Sessions reported for the policy domain in the window, by outcome.");
	f_domain = put_sessions(p, "tlsrpt_policy_domain_sessions", "policy_domain", d->by_domain, max);
	promtext_family(p, "tlsrpt_reporter_sessions", "gauge",
	                "Sessions in the window by reporting organisation (its domain), by outcome.");
	f_reporter = put_sessions(p, "tlsrpt_reporter_sessions", "reporter", d->by_reporter, max);
	promtext_family(p, "tlsrpt_result_type_sessions", "gauge",
	                "Failed sessions in the window by RFC 8460 result type.");
	f_result = put_result_types(p, d->by_result, max);
	if (put_presence(p, d->presence, max, &f_days, &f_pairs) != 0)
		return -1;
	promtext_family(p, "tlsrpt_metrics_series_dropped", "gauge",
	                "Label values folded into the \"other\" bucket (or left out) by --max-series.");
	dropped(p, "tlsrpt_policy_domain_sessions", f_domain);
	dropped(p, "tlsrpt_reporter_sessions", f_reporter);
	dropped(p, "tlsrpt_result_type_sessions", f_result);
	dropped(p, "tlsrpt_reporter_dates_reported", f_days);
	dropped(p, "tlsrpt_last_report_timestamp_seconds", f_pairs);
	return p->status == TR_OK ? 0 : -1;
}

static enum tr_err fetch(struct store *st, const struct metrics_args *a, struct metrics_data *d,
                         struct tr_error *err)
{
	int64_t since, until;
	enum tr_err ret;

	ret = summary_query(st, SUMMARY_BY_POLICY_DOMAIN, &a->filter, &d->by_domain, err);
	if (ret == TR_OK)
		ret = summary_query(st, SUMMARY_BY_SUBMITTER, &a->filter, &d->by_reporter, err);
	if (ret == TR_OK)
		ret = summary_query(st, SUMMARY_BY_RESULT_TYPE, &a->filter, &d->by_result, err);
	presence_window(d->now, &since, &until);
	if (ret == TR_OK)
		ret = presence_query(st, since, until, &d->presence, err);
	return ret;
}

static void data_free(struct metrics_data *d)
{
	summary_free(d->by_domain);
	summary_free(d->by_reporter);
	summary_free(d->by_result);
	presence_free(d->presence);
}

/* Write data to path through a temporary file in its folder and rename
 * it over path; 0, or -1 with the reason printed. */
static int write_atomically(const char *path, const unsigned char *data, size_t len)
{
	size_t plen = strlen(path), off = 0;
	char *tmp = malloc(plen + sizeof ".XXXXXX");
	ssize_t w;
	int fd;

	if (tmp == NULL) {
		cli_error("%s: out of memory", path);
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof ".XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("%s: cannot create a temporary file beside it: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fchmod(fd, 0644) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		cli_error("%s: cannot write it: %s", path, strerror(errno));
		if (off < len)
			close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int put_output(const struct metrics_args *a, const struct promtext *p)
{
	if (a->output != NULL)
		return write_atomically(a->output, p->out.data, p->out.len);
	if (fwrite(p->out.data, 1, p->out.len, stdout) != p->out.len || fflush(stdout) != 0) {
		cli_error("cannot write the metrics");
		return -1;
	}
	return 0;
}

static int metrics_main(struct cli *c, int argc, char **argv)
{
	struct metrics_args a = { .max_series = DEFAULT_MAX_SERIES };
	struct metrics_data d = { 0 };
	struct promtext p;
	struct store *st = NULL;
	struct tr_error err;
	int stop = 0, rc;

	summary_filter_all(&a.filter);
	rc = cli_parse_options(c, &cmd_metrics, metrics_opts,
	                       sizeof metrics_opts / sizeof metrics_opts[0], argc, argv, &a.filter,
	                       &a, metrics_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	d.now = cli_now();
	if (a.filter.since == INT64_MIN)
		a.filter.since = d.now - 86400;
	d.window = (a.filter.until != INT64_MAX ? a.filter.until : d.now) - a.filter.since;
	rc = cli_open_for_query(c, &st);
	if (rc != CLI_OK)
		return rc;
	tr_error_clear(&err);
	promtext_init(&p, METRICS_TEXT_MAX);
	if (fetch(st, &a, &d, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_name(c), err.msg);
		rc = CLI_FAIL;
	} else if (render(&p, &d, a.max_series) != 0) {
		cli_error("cannot render the metrics: %s", tr_err_name(p.status));
		rc = CLI_FAIL;
	} else if (put_output(&a, &p) != 0) {
		rc = CLI_FAIL;
	}
	promtext_free(&p);
	data_free(&d);
	store_close(st);
	return rc;
}

const struct cli_command cmd_metrics = {
	.name = "metrics",
	.synopsis = "Prometheus gauges for node_exporter's textfile collector",
	.help =
	"Usage: " CLI_NAME " [-d PATH] metrics [--since WHEN] [--max-series N]\n"
	"         [--output FILE] [--policy-domain D] [--submitter S] [--authenticated]\n"
	"Print sessions and failures per policy domain, reporter and result type over\n"
	"a window, and when each reporter last reported, in the Prometheus text format\n"
	"(docs/metrics.md names each metric).\n\n"
	"  --since WHEN        start of the window (default 24h)\n"
	"  --until WHEN        end of the window (default now)\n"
	"  --max-series N      at most N label values per metric (default 100); the\n"
	"                      rest are summed under the value \"other\"\n"
	"  -o, --output FILE   replace FILE atomically instead of printing (for cron:\n"
	"                      node_exporter's --collector.textfile.directory)\n"
	"  --policy-domain D, --submitter S, --authenticated\n"
	"                      only those reports, as in summary\n"
	CLI_DB_HELP
	"  -h, --help          this text\n"
	"Exit status: 0 written, 2 usage or database error.\n",
	.run = metrics_main,
};
