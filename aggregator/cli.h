/*
 * cli: what the commands of tlsrpt-report share: the resolved database
 * path, the input limits, the exit codes, and error printing.
 */
#ifndef TLSRPT_CLI_H
#define TLSRPT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "tr_limits.h"
#include "opts.h"
#include "store.h"
#include "summary.h"

#define CLI_NAME "tlsrpt-report"

/* Exit codes; a run's code is the worst of what happened. */
enum {
	CLI_OK = 0,
	CLI_INVALID = 1,   /* some report or message was invalid */
	CLI_FAIL = 2       /* usage, I/O or database error */
};

struct cli {
	const char *db_option;  /* -d PATH, wherever it was given; NULL if not */
	struct tr_limits lim;
};

/* Option ids every command accepts. */
enum {
	OPT_HELP = 1,
	OPT_DB,
	OPT_MAX_MESSAGE,
	/* the filters of the query commands (cli_filter_option()) */
	OPT_SINCE,
	OPT_UNTIL,
	OPT_POLICY_DOMAIN,
	OPT_SUBMITTER,
	OPT_AUTHENTICATED,
	OPT_FORMAT,
	OPT_COLOR,
	OPT_FIRST_COMMAND_OPTION /* commands number theirs from here */
};

/* The opt_defs of the filters, for a command's option table. */
#define CLI_FILTER_OPTS \
	{ OPT_SINCE, 0, "since", 1 }, \
	{ OPT_UNTIL, 0, "until", 1 }, \
	{ OPT_POLICY_DOMAIN, 0, "policy-domain", 1 }, \
	{ OPT_SUBMITTER, 0, "submitter", 1 }, \
	{ OPT_AUTHENTICATED, 0, "authenticated", 0 }, \
	{ OPT_AUTHENTICATED, 0, "authenticated-only", 0 }

/* The help lines of those filters. */
#define CLI_FILTER_HELP \
	"  --since WHEN        reports starting at or after WHEN\n" \
	"  --until WHEN        reports starting before WHEN (a bare date: that whole day)\n" \
	"                      WHEN: 24h, 7d, 2w ago, YYYY-MM-DD or RFC 3339\n" \
	"  --policy-domain D   only policies for domain D\n" \
	"  --submitter S       only reports sent by S\n" \
	"  --authenticated, --authenticated-only\n" \
	"                      only reports whose sender was authenticated\n"

/* The help lines of -d, in the same columns. */
#define CLI_DB_HELP \
	"  -d, --db PATH       database: an SQLite file or a postgresql:// URI\n" \
	"                      (default: $TLSRPT_DB, else the built-in path)\n"


struct cli_command {
	const char *name;
	const char *synopsis;   /* one line for the general usage */
	const char *help;       /* the whole "help COMMAND" text */
	int (*run)(struct cli *c, int argc, char **argv);
};

extern const struct cli_command cmd_import;
extern const struct cli_command cmd_summary;
extern const struct cli_command cmd_parse;
extern const struct cli_command cmd_dns;
extern const struct cli_command cmd_failures;
extern const struct cli_command cmd_list;
extern const struct cli_command cmd_show;
extern const struct cli_command cmd_digest;
extern const struct cli_command cmd_expire;
extern const struct cli_command cmd_metrics;
extern const struct cli_command cmd_check_failures;
extern const struct cli_command cmd_check;
extern const struct cli_command cmd_copy;

/* "tlsrpt-report: " + message + newline, on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a usage error and a pointer to the help; returns CLI_FAIL. */
int cli_usage_error(const struct cli_command *cmd, const char *msg);

/* The database: -d, else $TLSRPT_DB, else the compiled-in DEFAULT_DB. */
const char *cli_db_path(const struct cli *c);

/* cli_db_path() as messages show it: without a URI's password. */
const char *cli_db_name(const struct cli *c);

/*
 * Handle an option every command shares (-h, -d, --max-message).
 * Returns -1 when id is not one of them, CLI_OK when it was handled, or an
 * exit code when the command should stop (help printed: *stop = 1 and
 * CLI_OK; bad value: CLI_FAIL).
 */
int cli_common_option(struct cli *c, const struct cli_command *cmd, int id, const char *arg,
                      int *stop);

/* The result of opt_next() for a command whose options are defs: a usage
 * error is printed and CLI_FAIL returned, else -1. */
int cli_opt_failed(const struct cli_command *cmd, enum opt_status s, const struct tr_error *err);

/*
 * Open the database for a query: a missing file is the clear error
 * "no database at PATH: ..."; returns CLI_OK or CLI_FAIL (printed).
 */
int cli_open_for_query(const struct cli *c, struct store **out);

/*
 * A read-only command's work between opening the database and closing it:
 * fetch() a result from the store (args: the command's parsed options),
 * write() it to stdout (0, or -1 when it could not be written), free it.
 * what names it in "cannot write the <what>".
 */
struct cli_query {
	enum tr_err (*fetch)(struct store *st, const void *args, void **result,
	                     struct tr_error *err);
	int (*write)(FILE *f, void *result, const void *args);
	void (*free_result)(void *result);
	const char *what;
};

/* Open the database for a query, run q with args, close it: CLI_OK, or
 * CLI_FAIL with the reason printed. */
int cli_run_query(const struct cli *c, const struct cli_query *q, const void *args);

/*
 * Open the database for writing (expire): it must exist.  Returns CLI_OK
 * or CLI_FAIL (printed).
 */
int cli_open_for_update(const struct cli *c, struct store **out);

/*
 * Open the database at where (a path or a postgresql:// URI) in mode,
 * whatever -d says (copy names two): CLI_OK, or CLI_FAIL with the reason
 * printed, a missing SQLite file as "no database at PATH".
 */
int cli_open_where(const char *where, enum store_open_mode mode, struct store **out);

/*
 * The clock: now, or $TLSRPT_NOW when set (epoch seconds or RFC 3339), so
 * that tests get stable output.  A bad $TLSRPT_NOW is ignored.
 */
int64_t cli_now(void);

/*
 * Handle a filter option (--since, --until, --policy-domain, --submitter,
 * --authenticated): -1 when id is none of them, else CLI_OK or CLI_FAIL
 * (usage error printed).
 */
int cli_filter_option(const struct cli_command *cmd, struct summary_filter *f, int id,
                      const char *arg);

/* --format: CLI_OK with *fmt set, or CLI_FAIL (printed). */
int cli_format_option(const struct cli_command *cmd, const char *arg, int *fmt);

/*
 * --color auto|always|never: CLI_OK with *on set (auto: standard output
 * is a terminal, $TERM is not "dumb" and $NO_COLOR is unset), else
 * CLI_FAIL (printed).
 */
int cli_color_option(const struct cli_command *cmd, const char *arg, int *on);

/* The default of --color (auto). */
int cli_color_auto(void);

/* A positive count (--limit): CLI_OK with *out set, else CLI_FAIL. */
int cli_count_option(const struct cli_command *cmd, const char *name, const char *arg,
                     size_t *out);

/*
 * Parse a command's options: common ones and filters are handled here,
 * the rest go to own(ctx, id, arg) (return CLI_OK or an exit code);
 * operands go to operand(ctx, arg), or are a usage error when it is NULL.
 * Returns CLI_OK, or an exit code; *stop = 1 when help was printed.
 */
int cli_parse_options(struct cli *c, const struct cli_command *cmd, const struct opt_def *defs,
                      size_t ndefs, int argc, char **argv, struct summary_filter *f, void *ctx,
                      int (*own)(void *ctx, int id, const char *arg),
                      int (*operand)(void *ctx, const char *arg), int *stop);

/* Worse of two exit codes. */
int cli_worse(int a, int b);

#endif
