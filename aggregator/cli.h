/*
 * cli: what the commands of tlsrpt-report share: the resolved database
 * path, the input limits, the exit codes, and error printing.
 */
#ifndef TLSRPT_CLI_H
#define TLSRPT_CLI_H

#include <stddef.h>

#include "err.h"
#include "limits.h"
#include "opts.h"
#include "store.h"

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
	OPT_FIRST_COMMAND_OPTION /* commands number theirs from here */
};

struct cli_command {
	const char *name;
	const char *synopsis;   /* one line for the general usage */
	const char *help;       /* the whole "help COMMAND" text */
	int (*run)(struct cli *c, int argc, char **argv);
};

extern const struct cli_command cmd_import;
extern const struct cli_command cmd_summary;
extern const struct cli_command cmd_parse;

/* "tlsrpt-report: " + message + newline, on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a usage error and a pointer to the help; returns CLI_FAIL. */
int cli_usage_error(const struct cli_command *cmd, const char *msg);

/* The database: -d, else $TLSRPT_DB, else the compiled-in DEFAULT_DB. */
const char *cli_db_path(const struct cli *c);

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

/* Worse of two exit codes. */
int cli_worse(int a, int b);

#endif
