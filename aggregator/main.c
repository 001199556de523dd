/*
 * tlsrpt-report: the companion CLI.  main() reads the global options, finds
 * the command and hands it the rest of the words; each command parses its
 * own options (so -d is accepted before and after the command name).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "config.h"
#include "cli.h"
#include "db.h"
#include "report.h"

#ifndef DEFAULT_DB
#define DEFAULT_DB "/var/lib/tlsrpt/tlsrpt.db"
#endif

static const struct cli_command *const commands[] = {
	&cmd_import,
	&cmd_summary,
	&cmd_failures,
	&cmd_list,
	&cmd_show,
	&cmd_digest,
	&cmd_expire,
	&cmd_copy,
	&cmd_metrics,
	&cmd_check_failures,
	&cmd_parse,
	&cmd_dns,
	&cmd_check,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

enum { OPT_VERSION = OPT_FIRST_COMMAND_OPTION };

static const struct opt_def global_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_VERSION, 0, "version", 0 },
};

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs(CLI_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const struct cli_command *cmd, const char *msg)
{
	if (cmd != NULL) {
		cli_error("%s: %s", cmd->name, msg);
		fprintf(stderr, "Try '" CLI_NAME " help %s'.\n", cmd->name);
	} else {
		cli_error("%s", msg);
		fputs("Try '" CLI_NAME " --help'.\n", stderr);
	}
	return CLI_FAIL;
}

int cli_worse(int a, int b)
{
	return a > b ? a : b;
}

const char *cli_db_path(const struct cli *c)
{
	const char *env;

	if (c->db_option != NULL)
		return c->db_option;
	env = getenv("TLSRPT_DB");
	if (env != NULL && env[0] != '\0')
		return env;
	return DEFAULT_DB;
}

const char *cli_db_name(const struct cli *c)
{
	/* one run names one database: redacted once, kept to the end */
	static const char *of;
	static char *name;
	const char *where = cli_db_path(c);

	if (name == NULL || of != where) {
		free(name);
		name = db_redact(where);
		of = where;
	}
	return name != NULL ? name : "the database";
}

static int parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > SIZE_MAX / 2)
		return -1;
	*out = (size_t)v;
	return 0;
}

int cli_common_option(struct cli *c, const struct cli_command *cmd, int id, const char *arg,
                      int *stop)
{
	switch (id) {
	case OPT_HELP:
		fputs(cmd->help, stdout);
		*stop = 1;
		return CLI_OK;
	case OPT_DB:
		c->db_option = arg;
		return CLI_OK;
	case OPT_MAX_MESSAGE:
		if (parse_size(arg, &c->lim.max_message) != 0)
			return cli_usage_error(cmd, "--max-message needs a positive number of bytes");
		return CLI_OK;
	default:
		return -1;
	}
}

int cli_opt_failed(const struct cli_command *cmd, enum opt_status s, const struct tr_error *err)
{
	if (s == OPT_ERROR)
		return cli_usage_error(cmd, err->msg);
	return -1;
}

static void general_usage(FILE *f)
{
	size_t i;

	fputs("Usage: " CLI_NAME " [-d PATH] COMMAND [options]\n"
	      "Store SMTP TLS reports (RFC 8460) once, in SQLite or PostgreSQL, and\n"
	      "summarise them.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->synopsis);
	fputs("  help      the options of a command (help COMMAND)\n\n"
	      "Options:\n"
	      "  -d, --db PATH  database: an SQLite file or a postgresql:// URI\n"
	      "                 (default: $TLSRPT_DB, else " DEFAULT_DB ")\n"
	      "  -h, --help     this text\n"
	      "      --version  print the version\n\n"
	      "Exit status: 0 ok, 1 some report invalid, 2 usage, I/O or database error.\n", f);
}

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static int run_help(int argc, char **argv)
{
	const struct cli_command *cmd;
	char msg[128];

	if (argc == 0) {
		general_usage(stdout);
		return CLI_OK;
	}
	cmd = find_command(argv[0]);
	if (cmd == NULL) {
		snprintf(msg, sizeof msg, "help: no command named '%.64s'", argv[0]);
		return cli_usage_error(NULL, msg);
	}
	fputs(cmd->help, stdout);
	return CLI_OK;
}

static int run_command(struct cli *c, const char *name, int argc, char **argv)
{
	const struct cli_command *cmd;
	char msg[128];

	if (strcmp(name, "help") == 0)
		return run_help(argc, argv);
	cmd = find_command(name);
	if (cmd == NULL) {
		snprintf(msg, sizeof msg, "unknown command '%.64s'", name);
		return cli_usage_error(NULL, msg);
	}
	return cmd->run(c, argc, argv);
}

int main(int argc, char **argv)
{
	struct cli c = { .db_option = NULL };
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	int id = 0;

	/* cJSON's trees from an arena: the process's to decide (report.h),
	 * before the import threads start */
	report_use_cjson_arena();
	/* the database (and its -wal, -shm) describes the domain's mail
	 * servers: never readable by others, whatever the caller's umask */
	umask(umask(0) | 027);
	limits_default(&c.lim);
	opt_init(&st, argc - 1, argv + 1);
	for (;;) {
		s = opt_next(&st, global_opts, sizeof global_opts / sizeof global_opts[0], &id, &arg,
		             &err);
		if (s == OPT_ERROR)
			return cli_usage_error(NULL, err.msg);
		if (s == OPT_END) {
			general_usage(stderr);
			return CLI_FAIL;
		}
		if (s == OPT_OPERAND)
			break;
		if (id == OPT_HELP) {
			general_usage(stdout);
			return CLI_OK;
		}
		if (id == OPT_VERSION) {
			printf(CLI_NAME " (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return CLI_OK;
		}
		c.db_option = arg;
	}
	return run_command(&c, arg, st.argc - st.next, st.argv + st.next);
}
