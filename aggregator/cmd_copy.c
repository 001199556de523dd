/*
 * copy: every report of one database into another (SQLite to PostgreSQL
 * when one file is no longer enough, or back), each exactly once.  A
 * report goes through the same store_put_report() as a new one, from the
 * JSON kept as received and the metadata of its arrival, so the copy's
 * rollups, counts and identities are what the target would have built
 * itself; a report the target has already is a duplicate, and an
 * interrupted copy is finished by running it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "views.h"

enum {
	OPT_FROM = OPT_FIRST_COMMAND_OPTION,
	OPT_TO
};

static const struct opt_def copy_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_FROM, 0, "from", 1 },
	{ OPT_TO, 0, "to", 1 },
};

/* reports read and stored per batch: one commit each on the target */
#define COPY_PAGE 1000

struct copy_args {
	const char *from, *to;
};

struct copy_run {
	struct store *src, *dst;
	const struct tr_limits *lim;
	uint64_t stored, duplicate, failed;
};

static int copy_option(void *ctx, int id, const char *arg)
{
	struct copy_args *a = ctx;

	if (id == OPT_FROM)
		a->from = arg;
	else if (id == OPT_TO)
		a->to = arg;
	else
		return cli_usage_error(&cmd_copy, "unexpected option");
	return CLI_OK;
}

/* The first policy domain a report was stored with: what filled the
 * policies that named none when it arrived (the address it was sent to). */
static char *first_domain(const char *joined)
{
	size_t n = strcspn(joined, ",");

	return n > 0 ? strndup(joined, n) : NULL;
}

/* The target batch's word on report tag (its id in the source, in the
 * page's array). */
static void copy_outcome(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome,
                         const struct tr_error *err)
{
	struct copy_run *run = ctx;

	if (rc != TR_OK) {
		cli_error("report %lld: %s", (long long)*(const int64_t *)tag, err->msg);
		run->failed++;
	} else if (outcome == STORE_DUPLICATE) {
		run->duplicate++;
	} else {
		run->stored++;
	}
}

/* Put report *idp in the target's batch (its outcome goes to
 * copy_outcome(), idp its tag); 0 put, -1 not read (err says why). */
static int copy_one(struct copy_run *run, const int64_t *idp, struct tr_error *err)
{
	int64_t id = *idp;
	struct view_reports *v = NULL;
	struct tlsrpt_report *r = NULL;
	const struct view_report *m;
	char *json = NULL, *fallback = NULL;
	size_t len = 0;
	enum tr_err rc;

	rc = views_report(run->src, id, &v, err);
	if (rc == TR_OK)
		rc = store_get_raw_json(run->src, id, &json, &len, err);
	if (rc == TR_OK) {
		m = &v->rows[0];
		fallback = first_domain(m->policy_domains);
		rc = report_parse_json(json, len, run->lim, fallback, &r, err);
	}
	if (rc == TR_OK && *m->submitter != '\0' && (r->submitter = strdup(m->submitter)) == NULL)
		rc = tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	if (rc == TR_OK) {
		struct store_meta meta = {
			.source = m->source, .message_id = m->message_id, .auth = m->auth,
			.counted = m->counted, .received_at = m->received_at,
			.dkim_domain = m->dkim_domain, .dkim_selector = m->dkim_selector,
			.client_addr = m->client_addr,
		};

		rc = store_batch_put(run->dst, r, &meta, (void *)idp, err);
	}
	report_free(r);
	free(json);
	free(fallback);
	view_reports_free(v);
	return rc == TR_OK ? 0 : -1;
}

/* One page of reports after *after, in one batch on the target:
 * 1 when there may be more, 0 at the end, -1 on a database error. */
static int copy_page(struct copy_run *run, int64_t *after, struct tr_error *err)
{
	int64_t *ids = NULL;
	size_t n = 0;

	if (views_report_ids(run->src, *after, COPY_PAGE, &ids, &n, err) != TR_OK)
		return -1;
	if (n > 0 && store_batch_begin(run->dst, copy_outcome, run, err) != TR_OK) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct tr_error why;

		tr_error_clear(&why);
		if (copy_one(run, &ids[i], &why) != 0) {
			(void)store_batch_write(run->dst, NULL); /* earlier reports' errors first */
			cli_error("report %lld: %s", (long long)ids[i], why.msg);
			run->failed++;
		}
		*after = ids[i];
	}
	/* the outcomes name their reports by ids[] */
	if (n > 0 && store_batch_end(run->dst, err) != TR_OK) {
		free(ids);
		return -1;
	}
	free(ids);
	return n == COPY_PAGE;
}

static int copy_main(struct cli *c, int argc, char **argv)
{
	struct copy_args a = { NULL, NULL };
	struct copy_run run = { 0 };
	struct tr_error err;
	int64_t after = 0;
	int stop = 0, rc, more;

	rc = cli_parse_options(c, &cmd_copy, copy_opts, sizeof copy_opts / sizeof copy_opts[0], argc, argv,
	                       NULL, &a, copy_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	if (a.from == NULL || a.to == NULL)
		return cli_usage_error(&cmd_copy, "give both --from and --to");
	if (strcmp(a.from, a.to) == 0)
		return cli_usage_error(&cmd_copy, "--from and --to name the same database");
	run.lim = &c->lim;
	tr_error_clear(&err);
	if (cli_open_where(a.from, STORE_OPEN_READONLY, &run.src) != CLI_OK)
		return CLI_FAIL;
	if (cli_open_where(a.to, STORE_OPEN_CREATE, &run.dst) != CLI_OK) {
		store_close(run.src);
		return CLI_FAIL;
	}
	do
		more = copy_page(&run, &after, &err);
	while (more == 1);
	if (more < 0) {
		cli_error("%s", err.msg);
		rc = CLI_FAIL;
	}
	printf("copied %llu report%s, %llu already there, %llu failed\n", (unsigned long long)run.stored,
	       run.stored == 1 ? "" : "s", (unsigned long long)run.duplicate, (unsigned long long)run.failed);
	if (run.failed > 0)
		rc = cli_worse(rc, CLI_INVALID);
	store_close(run.dst);
	store_close(run.src);
	return rc;
}

const struct cli_command cmd_copy = {
	.name = "copy",
	.synopsis = "copy every report into another database",
	.help =
	"Usage: " CLI_NAME " copy --from DB --to DB\n"
	"Store every report of one database in another, exactly once: SQLite to\n"
	"PostgreSQL, or back.  Each report is stored as it arrived (its JSON and\n"
	"how it came), so the target counts it as if it had received it; reports\n"
	"the target has already are left as they are, and an interrupted copy is\n"
	"finished by running it again.  The target is created (SQLite) or its\n"
	"schema migrated (PostgreSQL) as by any writer.\n\n"
	"  --from DB    the database to read: a path or a postgresql:// URI\n"
	"  --to DB      the database to store into\n"
	"  -h, --help   this text\n",
	.run = copy_main,
};
