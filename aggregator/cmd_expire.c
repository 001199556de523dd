/*
 * expire: retention.  Removes the reports whose date range ended before a
 * cutoff, with their policies and failure details, in one transaction.
 * By end date, because that is when a report's data stops: a report
 * received late about an old week goes when that week is old.
 */
#include <stdio.h>

#include "cli.h"
#include "output.h"
#include "views.h"
#include "when.h"

enum {
	OPT_OLDER_THAN = OPT_FIRST_COMMAND_OPTION,
	OPT_VACUUM,
	OPT_DRY_RUN
};

static const struct opt_def expire_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_OLDER_THAN, 0, "older-than", 1 },
	{ OPT_VACUUM, 0, "vacuum", 0 },
	{ OPT_DRY_RUN, 'n', "dry-run", 0 },
};

struct expire_args {
	const char *older_than;
	int vacuum;
	int dry_run;
};

static int expire_option(void *ctx, int id, const char *arg)
{
	struct expire_args *a = ctx;

	switch (id) {
	case OPT_OLDER_THAN:
		a->older_than = arg;
		return CLI_OK;
	case OPT_VACUUM:
		a->vacuum = 1;
		return CLI_OK;
	case OPT_DRY_RUN:
		a->dry_run = 1;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_expire, "unexpected option");
	}
}

static void say(const struct view_expired *x, int dry_run, int64_t cutoff)
{
	char r[32], p[32], f[32], when[32], n[32], nf[32];

	fmt_grouped(x->reports, r, sizeof r);
	fmt_grouped(x->policies, p, sizeof p);
	fmt_grouped(x->failure_details, f, sizeof f);
	fmt_grouped(x->sessions, n, sizeof n);
	fmt_grouped(x->failed, nf, sizeof nf);
	fmt_minute(cutoff, when, sizeof when);
	printf("%s %s report%s (%s session%s, %s failed), %s polic%s, %s failure detail%s (ended before %s UTC)%s\n",
	       dry_run ? "would remove" : "removed", r, x->reports == 1 ? "" : "s", n, x->sessions == 1 ? "" : "s", nf, p,
	       x->policies == 1 ? "y" : "ies", f, x->failure_details == 1 ? "" : "s", when,
	       dry_run ? "; nothing was changed" : "");
}

static int expire_main(struct cli *c, int argc, char **argv)
{
	struct expire_args a = { NULL, 0, 0 };
	struct view_expired x;
	struct store *st = NULL;
	struct tr_error err;
	int64_t cutoff;
	int stop = 0, rc;

	rc = cli_parse_options(c, &cmd_expire, expire_opts, sizeof expire_opts / sizeof expire_opts[0],
	                       argc, argv, NULL, &a, expire_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	if (a.older_than == NULL)
		return cli_usage_error(&cmd_expire, "how old? give --older-than, for example 400d");
	if (when_parse(a.older_than, cli_now(), 0, &cutoff, &err) != TR_OK)
		return cli_usage_error(&cmd_expire, err.msg);
	rc = a.dry_run ? cli_open_for_query(c, &st) : cli_open_for_update(c, &st);
	if (rc != CLI_OK)
		return rc;
	tr_error_clear(&err);
	if (views_expire(st, cutoff, a.dry_run, &x, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_name(c), err.msg);
		rc = CLI_FAIL;
	} else {
		say(&x, a.dry_run, cutoff);
	}
	if (rc == CLI_OK && a.vacuum && !a.dry_run && views_vacuum(st, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_name(c), err.msg);
		rc = CLI_FAIL;
	}
	store_close(st);
	return rc;
}

const struct cli_command cmd_expire = {
	.name = "expire",
	.synopsis = "remove old reports",
	.help =
	"Usage: " CLI_NAME " [-d PATH] expire --older-than WHEN [--dry-run] [--vacuum]\n"
	"Remove the reports whose date range ended before WHEN, with their policies\n"
	"and failure details, in one transaction, and say how much went.\n\n"
	"  --older-than WHEN   400d, 2w, 24h ago, YYYY-MM-DD or RFC 3339\n"
	"  -n, --dry-run       only count what would go\n"
	"  --vacuum            then give the space back to the file system\n"
	CLI_DB_HELP
	"  -h, --help          this text\n",
	.run = expire_main,
};
