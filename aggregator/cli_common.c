/*
 * cli_common: what the query commands share beyond main.c: the clock,
 * the filter, format and colour options, and one option loop, so that
 * every command spells and checks them the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "datetime.h"
#include "db.h"
#include "output.h"
#include "when.h"

int64_t cli_now(void)
{
	const char *env = getenv("TLSRPT_NOW");
	unsigned long long v;
	int64_t t;
	char *end;

	if (env == NULL || env[0] == '\0')
		return (int64_t)time(NULL);
	if (strspn(env, "0123456789") == strlen(env)) {
		errno = 0;
		v = strtoull(env, &end, 10);
		if (errno == 0 && *end == '\0' && v <= (unsigned long long)INT64_MAX / 2)
			return (int64_t)v;
	}
	if (datetime_parse(env, &t, NULL) == TR_OK)
		return t;
	return (int64_t)time(NULL);
}

int cli_filter_option(const struct cli_command *cmd, struct summary_filter *f, int id,
                      const char *arg)
{
	struct tr_error err;

	switch (id) {
	case OPT_SINCE:
	case OPT_UNTIL:
		if (when_parse(arg, cli_now(), id == OPT_UNTIL,
		               id == OPT_SINCE ? &f->since : &f->until, &err) != TR_OK)
			return cli_usage_error(cmd, err.msg);
		return CLI_OK;
	case OPT_POLICY_DOMAIN:
		f->policy_domain = arg;
		return CLI_OK;
	case OPT_SUBMITTER:
		f->submitter = arg;
		return CLI_OK;
	case OPT_AUTHENTICATED:
		f->authenticated_only = 1;
		return CLI_OK;
	default:
		return -1;
	}
}

int cli_format_option(const struct cli_command *cmd, const char *arg, int *fmt)
{
	int v = out_format_parse(arg);

	if (v < 0)
		return cli_usage_error(cmd, "--format: use text, json or csv");
	*fmt = v;
	return CLI_OK;
}

int cli_color_auto(void)
{
	const char *term = getenv("TERM");

	if (getenv("NO_COLOR") != NULL)
		return 0;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return 0;
	return isatty(STDOUT_FILENO);
}

int cli_color_option(const struct cli_command *cmd, const char *arg, int *on)
{
	if (strcmp(arg, "auto") == 0)
		*on = cli_color_auto();
	else if (strcmp(arg, "always") == 0)
		*on = 1;
	else if (strcmp(arg, "never") == 0)
		*on = 0;
	else
		return cli_usage_error(cmd, "--color: use auto, always or never");
	return CLI_OK;
}

int cli_count_option(const struct cli_command *cmd, const char *name, const char *arg,
                     size_t *out)
{
	unsigned long long v;
	char msg[96];
	char *end;

	errno = 0;
	v = arg[0] >= '0' && arg[0] <= '9' ? strtoull(arg, &end, 10) : 0;
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' || v == 0 ||
	    v > SIZE_MAX / 2) {
		snprintf(msg, sizeof msg, "%s needs a positive number", name);
		return cli_usage_error(cmd, msg);
	}
	*out = (size_t)v;
	return CLI_OK;
}

int cli_parse_options(struct cli *c, const struct cli_command *cmd, const struct opt_def *defs,
                      size_t ndefs, int argc, char **argv, struct summary_filter *f, void *ctx,
                      int (*own)(void *ctx, int id, const char *arg),
                      int (*operand)(void *ctx, const char *arg), int *stop)
{
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	int id = 0, rc;

	opt_init(&st, argc, argv);
	for (;;) {
		s = opt_next(&st, defs, ndefs, &id, &arg, &err);
		if (s == OPT_END)
			return CLI_OK;
		if (s == OPT_ERROR)
			return cli_opt_failed(cmd, s, &err);
		if (s == OPT_OPERAND) {
			if (operand == NULL)
				return cli_usage_error(cmd, "takes no operands");
			rc = operand(ctx, arg);
		} else {
			rc = cli_common_option(c, cmd, id, arg, stop);
			if (rc == -1 && f != NULL)
				rc = cli_filter_option(cmd, f, id, arg);
			if (rc == -1)
				rc = own(ctx, id, arg);
		}
		if (rc != CLI_OK || *stop)
			return rc;
	}
}

/* Open an existing database: a missing one is the user's first mistake,
 * so it gets its own message. */
static int cli_open(const struct cli *c, enum store_open_mode mode, struct store **out)
{
	const char *path = cli_db_path(c);
	struct tr_error err;
	struct stat st;
	enum tr_err rc;

	*out = NULL;
	tr_error_clear(&err);
	/* a PostgreSQL URI is no file: the server says whether it exists */
	if (db_is_postgres(path) || stat(path, &st) == 0 || errno != ENOENT)
		rc = store_open(path, mode, 0, out, &err);
	else
		rc = TR_ERR_NOTFOUND;
	if (rc == TR_ERR_NOTFOUND) {
		cli_error("no database at %s: import reports first or name one with -d", path);
		return CLI_FAIL;
	}
	if (rc != TR_OK) {
		cli_error("%s", err.msg); /* store_open() names the file */
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cli_open_for_query(const struct cli *c, struct store **out)
{
	return cli_open(c, STORE_OPEN_READONLY, out);
}

int cli_run_query(const struct cli *c, const struct cli_query *q, const void *args)
{
	struct store *st = NULL;
	struct tr_error err;
	void *result = NULL;
	int rc = cli_open_for_query(c, &st);

	if (rc != CLI_OK)
		return rc;
	tr_error_clear(&err);
	if (q->fetch(st, args, &result, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_path(c), err.msg);
		rc = CLI_FAIL;
	} else if (q->write(stdout, result, args) != 0) {
		cli_error("cannot write the %s", q->what);
		rc = CLI_FAIL;
	}
	q->free_result(result);
	store_close(st);
	return rc;
}

int cli_open_for_update(const struct cli *c, struct store **out)
{
	return cli_open(c, STORE_OPEN_EXISTING, out);
}
