/*
 * parse: show what the parser understood of every report under the FILEs,
 * without touching the database.  The output is one JSON array, one entry
 * per report (valid with its model, or invalid with the reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "extract.h"
#include "output.h"
#include "source.h"

struct parse_run {
	struct cli *c;
	int status;
	size_t entries;
};

static void entry_start(struct parse_run *run, const char *label)
{
	fputs(run->entries++ > 0 ? ",\n{\"source\": " : "{\"source\": ", stdout);
	json_put_string(stdout, label);
}

static void print_valid(struct parse_run *run, const char *label, const struct tlsrpt_report *r)
{
	char *json = report_to_json(r, 1);

	if (json == NULL) {
		cli_error("out of memory");
		run->status = CLI_FAIL;
		return;
	}
	entry_start(run, label);
	fputs(", \"valid\": true, \"report\": ", stdout);
	json_put_text(stdout, json); /* escaped like every other view */
	fputs("}", stdout);
	free(json);
}

static void print_invalid(struct parse_run *run, const char *label, const char *submitter,
                          const char *report_id, const char *reason)
{
	entry_start(run, label);
	fputs(", \"valid\": false, \"submitter\": ", stdout);
	json_put_string(stdout, submitter);
	fputs(", \"report_id\": ", stdout);
	json_put_string(stdout, report_id);
	fputs(", \"reason\": ", stdout);
	json_put_string(stdout, reason);
	fputs("}", stdout);
	run->status = cli_worse(run->status, CLI_INVALID);
}

static void parse_problem(void *ctx, const char *label, const struct tr_error *err)
{
	struct parse_run *run = ctx;
	char *l;

	if (err->code == TR_ERR_LIMIT || err->code == TR_ERR_FORMAT) {
		print_invalid(run, label, NULL, NULL, err->msg);
		return;
	}
	l = esc_term(label, "-");
	cli_error("%s: %s", l != NULL ? l : "?", err->msg);
	free(l);
	run->status = CLI_FAIL;
}

static void parse_unit(void *ctx, const struct source_unit *u)
{
	struct parse_run *run = ctx;
	struct extract_result res;
	struct tr_error err;
	const struct extract_item *it;
	enum tr_err rc;
	size_t i;

	rc = source_extract(u, &run->c->lim, &res, &err);
	for (i = 0; i < res.n; i++) {
		it = &res.items[i];
		if (it->report != NULL)
			print_valid(run, u->label, it->report);
		else
			print_invalid(run, u->label, it->submitter, it->report_id, it->error.msg);
	}
	if (rc != TR_OK) {
		parse_problem(run, u->label, &err);
	} else if (res.n == 0) {
		char *l = esc_term(u->label, "-");
		cli_error("no report in %s", l != NULL ? l : "?");
		free(l);
	}
	extract_result_free(&res);
}

static const struct source_ops parse_ops = {
	.unit = parse_unit,
	.problem = parse_problem,
};

static const struct opt_def parse_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },        /* accepted like everywhere, unused */
	{ OPT_MAX_MESSAGE, 0, "max-message", 1 },
};

static int parse_main(struct cli *c, int argc, char **argv)
{
	struct parse_run run = { .c = c, .status = CLI_OK, .entries = 0 };
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	int id = 0, rc, npaths = 0, stop = 0, i;

	opt_init(&st, argc, argv);
	for (;;) {
		s = opt_next(&st, parse_opts, sizeof parse_opts / sizeof parse_opts[0], &id, &arg, &err);
		if (s == OPT_END)
			break;
		if (s == OPT_ERROR)
			return cli_opt_failed(&cmd_parse, s, &err);
		if (s == OPT_OPERAND) {
			argv[npaths++] = (char *)arg;
			continue;
		}
		rc = cli_common_option(c, &cmd_parse, id, arg, &stop);
		if (rc != CLI_OK || stop)
			return rc;
	}
	if (npaths == 0)
		return cli_usage_error(&cmd_parse, "no FILE to parse (use - for stdin)");
	fputs("[", stdout);
	for (i = 0; i < npaths; i++)
		source_walk(argv[i], &c->lim, &parse_ops, &run);
	fputs("]\n", stdout);
	if (fflush(stdout) != 0) {
		cli_error("cannot write to stdout");
		return CLI_FAIL;
	}
	return run.status;
}

const struct cli_command cmd_parse = {
	.name = "parse",
	.synopsis = "show what the parser understood of FILE..., storing nothing",
	.help =
	"Usage: " CLI_NAME " parse [--max-message BYTES] FILE...\n"
	"Print every report found in each FILE (message, mbox, Maildir, directory,\n"
	"raw .json or .json.gz, or - for stdin) as the parser understood it, as one\n"
	"JSON array: {\"source\", \"valid\": true, \"report\"} for each valid report,\n"
	"{\"source\", \"valid\": false, \"submitter\", \"report_id\", \"reason\"} for\n"
	"each invalid one.  The database is not touched.\n\n"
	"Exit status: 0 ok, 1 something was invalid, 2 I/O error.\n",
	.run = parse_main,
};
