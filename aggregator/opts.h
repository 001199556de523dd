/*
 * opts: a small table-driven command-line parser for tlsrpt-report.
 *
 * Unlike getopt(), options and operands may come in any order on every
 * platform ("import a.eml -d x.db"), "--name=value" and "--name value" are
 * both accepted, "-" is an operand (stdin) and "--" ends the options.
 */
#ifndef TLSRPT_CLI_OPTS_H
#define TLSRPT_CLI_OPTS_H

#include <stddef.h>

#include "err.h"

struct opt_def {
	int id;                 /* returned for this option */
	char short_name;        /* 'd' for -d, 0 for none */
	const char *long_name;  /* "db" for --db, NULL for none */
	int has_value;          /* 1: takes a value; 2: may take one, only as
	                           --name=value (*arg NULL without) */
};

struct opt_state {
	int argc;
	char **argv;
	int next;               /* index of the next word to look at */
	int operands_only;      /* set after "--" */
};

enum opt_status {
	OPT_END,                /* no more words */
	OPT_OPTION,             /* *id and (for options with values) *arg set */
	OPT_OPERAND,            /* *arg is an operand */
	OPT_ERROR               /* unknown option or missing value: err says which */
};

/* Start parsing argv[0..argc) (the program or command name excluded). */
void opt_init(struct opt_state *st, int argc, char **argv);

/* The next option or operand.  *arg points into argv. */
enum opt_status opt_next(struct opt_state *st, const struct opt_def *defs, size_t ndefs,
                         int *id, const char **arg, struct tr_error *err);

#endif
