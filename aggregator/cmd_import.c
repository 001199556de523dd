/*
 * import: every report found under the PATHs is stored once.  One line per
 * report on stdout (stored, duplicate or invalid), problems on stderr, a
 * count at the end.
 *
 * Reports are stored in batches (one commit each) of up to BATCH_MAX_REPORTS
 * or BATCH_MAX_NS, whichever comes first, across files: a commit per file
 * made a 5000-file spool take 16 s, mostly in fsync; the time bound keeps
 * the write lock short so that the milter and other importers get their
 * turn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "extract.h"
#include "output.h"
#include "source.h"

/* How long a writer waits for another to finish (concurrent importers). */
#define IMPORT_BUSY_TIMEOUT_MS 60000
#define PROGRESS_INTERVAL_NS 500000000LL
#define BATCH_MAX_REPORTS 1000
#define BATCH_MAX_NS 200000000LL

struct import_run {
	struct cli *c;
	struct store *st;
	int in_batch;
	size_t batch_reports;
	struct timespec batch_started;
	int status;
	size_t stored, duplicate, invalid;
	size_t files, reports;
	int progress;             /* show progress on stderr */
	int progress_shown;
	struct timespec last_progress;
};

static void progress_clear(struct import_run *run)
{
	if (run->progress_shown)
		fputs("\r\033[K", stderr);
	run->progress_shown = 0;
}

static long long ns_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - then->tv_sec) * 1000000000LL +
	       (now.tv_nsec - then->tv_nsec);
}

static void progress_tick(struct import_run *run)
{
	if (!run->progress || ns_since(&run->last_progress) < PROGRESS_INTERVAL_NS)
		return;
	clock_gettime(CLOCK_MONOTONIC, &run->last_progress);
	fprintf(stderr, "\r%zu files, %zu reports", run->files, run->reports);
	run->progress_shown = 1;
}

/* Open a batch before the first report of one; a failure is reported and
 * the reports are then stored one transaction each. */
static void batch_open(struct import_run *run)
{
	struct tr_error err;

	if (run->in_batch)
		return;
	tr_error_clear(&err);
	if (store_batch_begin(run->st, &err) != TR_OK) {
		progress_clear(run);
		cli_error("cannot start a transaction: %s", err.msg);
		run->status = CLI_FAIL;
		return;
	}
	run->in_batch = 1;
	run->batch_reports = 0;
	clock_gettime(CLOCK_MONOTONIC, &run->batch_started);
}

static void batch_close(struct import_run *run)
{
	struct tr_error err;

	if (!run->in_batch)
		return;
	run->in_batch = 0;
	tr_error_clear(&err);
	if (store_batch_end(run->st, &err) != TR_OK) {
		progress_clear(run);
		cli_error("commit failed, the last %zu reports may not be stored: %s",
		          run->batch_reports, err.msg);
		run->status = CLI_FAIL;
	}
}

static void batch_close_if_due(struct import_run *run)
{
	if (run->in_batch && (run->batch_reports >= BATCH_MAX_REPORTS ||
	                      ns_since(&run->batch_started) >= BATCH_MAX_NS))
		batch_close(run);
}

static void import_file_begin(void *ctx, const char *path)
{
	struct import_run *run = ctx;

	run->files++;
	/* stdin may block for as long as it likes: not with the lock held */
	if (strcmp(path, "-") == 0)
		batch_close(run);
}

static void import_problem(void *ctx, const char *label, const struct tr_error *err)
{
	struct import_run *run = ctx;
	char *l = esc_term(label, "-");
	char *why = esc_term(err->msg, ""); /* may quote the report */

	progress_clear(run);
	cli_error("%s: %s", l != NULL ? l : "?", why != NULL ? why : "?");
	free(l);
	free(why);
	if (err->code == TR_ERR_LIMIT || err->code == TR_ERR_FORMAT) {
		run->invalid++;
		run->status = cli_worse(run->status, CLI_INVALID);
	} else {
		run->status = CLI_FAIL;
	}
}

static void print_invalid(const struct extract_item *it)
{
	char *sub = esc_term(it->submitter, "-");
	char *rid = esc_term(it->report_id, "-");
	char *why = esc_term(it->error.msg, "");

	printf("invalid %s %s: %s\n", sub ? sub : "?", rid ? rid : "?", why ? why : "?");
	free(sub);
	free(rid);
	free(why);
}

static void store_item(struct import_run *run, const struct extract_item *it,
                       const struct extract_result *res, const char *label)
{
	const struct tlsrpt_report *r = it->report;
	struct store_meta meta = { .source = "import", .message_id = res->message_id,
	                           .auth = "unknown", .counted = 1, .received_at = cli_now() };
	enum store_outcome outcome = STORE_STORED;
	struct tr_error err;
	char *sub = esc_term(r->submitter != NULL ? r->submitter : it->submitter, "-");
	char *rid = esc_term(r->report_id, "-");
	char *l, *why;

	tr_error_clear(&err);
	batch_open(run);
	run->batch_reports++;
	if (store_put_report(run->st, r, &meta, &outcome, &err) != TR_OK) {
		progress_clear(run);
		l = esc_term(label, "-");
		why = esc_term(err.msg, "");
		cli_error("%s: cannot store %s %s: %s", l ? l : "?", sub ? sub : "?",
		          rid ? rid : "?", why ? why : "?");
		free(l);
		free(why);
		run->status = CLI_FAIL;
	} else if (outcome == STORE_DUPLICATE) {
		printf("duplicate %s %s\n", sub ? sub : "?", rid ? rid : "?");
		run->duplicate++;
	} else {
		printf("stored %s %s (%zu policies, %llu ok, %llu failed)\n", sub ? sub : "?",
		       rid ? rid : "?", r->n_policies,
		       (unsigned long long)report_total_successful(r),
		       (unsigned long long)report_total_failure(r));
		run->stored++;
	}
	free(sub);
	free(rid);
}

/* Not an error: report mailboxes receive other mail too. */
static void report_no_report(struct import_run *run, const char *label)
{
	char *l = esc_term(label, "-");

	progress_clear(run);
	cli_error("no report in %s", l != NULL ? l : "?");
	free(l);
}

static void import_unit(void *ctx, const struct source_unit *u)
{
	struct import_run *run = ctx;
	struct extract_result res;
	struct tr_error err;
	enum tr_err rc;
	size_t i;

	rc = source_extract(u, &run->c->lim, &res, &err);
	for (i = 0; i < res.n; i++) {
		run->reports++;
		if (res.items[i].report == NULL) {
			print_invalid(&res.items[i]);
			run->invalid++;
			run->status = cli_worse(run->status, CLI_INVALID);
		} else {
			store_item(run, &res.items[i], &res, u->label);
		}
	}
	if (rc != TR_OK)
		import_problem(run, u->label, &err);
	else if (res.n == 0)
		report_no_report(run, u->label);
	extract_result_free(&res);
	batch_close_if_due(run);
	progress_tick(run);
}

static const struct source_ops import_ops = {
	.file_begin = import_file_begin,
	.unit = import_unit,
	.problem = import_problem,
};

static const struct opt_def import_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_MAX_MESSAGE, 0, "max-message", 1 },
};

/* Collect the PATHs (into argv's own slots) and apply the options. */
static int import_args(struct cli *c, int argc, char **argv, int *npaths, int *stop)
{
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	int id = 0, rc;

	*npaths = 0;
	opt_init(&st, argc, argv);
	for (;;) {
		s = opt_next(&st, import_opts, sizeof import_opts / sizeof import_opts[0], &id, &arg,
		             &err);
		if (s == OPT_END)
			break;
		if (s == OPT_ERROR)
			return cli_opt_failed(&cmd_import, s, &err);
		if (s == OPT_OPERAND) {
			argv[(*npaths)++] = (char *)arg;
			continue;
		}
		rc = cli_common_option(c, &cmd_import, id, arg, stop);
		if (rc != CLI_OK || *stop)
			return rc;
	}
	if (*npaths == 0)
		return cli_usage_error(&cmd_import, "no PATH to import (use - for stdin)");
	return CLI_OK;
}

static int import_run_paths(struct import_run *run, int npaths, char **paths)
{
	int i;

	run->progress = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &run->last_progress);
	for (i = 0; i < npaths; i++)
		source_walk(paths[i], &run->c->lim, &import_ops, run);
	batch_close(run);
	progress_clear(run);
	if (fflush(stdout) != 0) {
		cli_error("cannot write to stdout");
		run->status = CLI_FAIL;
	}
	fprintf(stderr, "%zu stored, %zu duplicate, %zu invalid\n", run->stored, run->duplicate,
	        run->invalid);
	return run->status;
}

static int import_main(struct cli *c, int argc, char **argv)
{
	struct import_run run;
	struct tr_error err;
	int npaths = 0, stop = 0, rc;
	const char *db;

	rc = import_args(c, argc, argv, &npaths, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	memset(&run, 0, sizeof run);
	run.c = c;
	db = cli_db_path(c);
	tr_error_clear(&err);
	if (store_open(db, STORE_OPEN_CREATE, IMPORT_BUSY_TIMEOUT_MS, &run.st, &err) != TR_OK) {
		cli_error("%s: cannot open the database: %s", db, err.msg);
		return CLI_FAIL;
	}
	rc = import_run_paths(&run, npaths, argv);
	store_close(run.st);
	return rc;
}

const struct cli_command cmd_import = {
	.name = "import",
	.synopsis = "store the reports in messages, mboxes, Maildirs, files (PATH...)",
	.help =
	"Usage: " CLI_NAME " [-d PATH] import [--max-message BYTES] PATH...\n"
	"Store every SMTP TLS report found under each PATH, each report once.\n"
	"PATH is a message file, an mbox, a Maildir (cur/ and new/), a directory\n"
	"(every regular file in it, sorted), a raw .json or .json.gz report, or -\n"
	"for one message on stdin.  The database is created when missing.\n\n"
	"Prints one line per report: stored, duplicate or invalid (with the\n"
	"reason), and on stderr a count at the end.\n\n"
	"  -d, --db PATH          database (default: $TLSRPT_DB, else the built-in path)\n"
	"      --max-message N    largest message or report file read, in bytes\n"
	"  -h, --help             this text\n\n"
	"Exit status: 0 ok, 1 some report invalid, 2 I/O or database error.\n",
	.run = import_main,
};
