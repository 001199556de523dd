/*
 * key: the summary keys, each defined once: its name on the command line
 * and in JSON, the SQL that groups by it over the base tables and over a
 * rollup row, what it groups (policies or failure details), and how a
 * missing field groups.  summary reads the table, rollup builds its
 * rebuild SQL from the same fragments (KEY_SQL_*) and its per-report sums
 * with key_text(), the CLI names its columns from it; a new key is one
 * entry (and, to be fast, a rollup keyed by it: schema.sql, rollup.c).
 */
#ifndef TLSRPT_KEY_H
#define TLSRPT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "count.h"

enum summary_key {
	SUMMARY_BY_SUBMITTER,
	SUMMARY_BY_POLICY_DOMAIN,
	SUMMARY_BY_RESULT_TYPE,
	SUMMARY_BY_RECEIVING_MX,
	SUMMARY_BY_SENDING_IP,
	SUMMARY_BY_DAY,
	SUMMARY_BY_POLICY_TYPE
};
#define SUMMARY_N_KEYS (SUMMARY_BY_POLICY_TYPE + 1)

/* The key of a superseded policy (count.h) in the summary by policy type. */
#define SUMMARY_SUPERSEDED_SUFFIX " (counted under tlsa)"

/* A missing field (no policy-domain, no result-type...) and an unknown
 * submitter group under the empty string: in SQL as COALESCE(x, ''), in C
 * as key_text(). */
#define KEY_SQL_POLICY_DOMAIN "COALESCE(p.policy_domain, '')"
#define KEY_SQL_RESULT_TYPE "COALESCE(f.result_type, '')"
#define KEY_SQL_RECEIVING_MX "COALESCE(f.receiving_mx_hostname, '')"
#define KEY_SQL_SENDING_IP "COALESCE(f.sending_mta_ip, '')"
/* every policy, a superseded one (count.h) under its own key; in C as
 * key_policy_type() */
#define KEY_SQL_POLICY_TYPE "p.policy_type || CASE WHEN " COUNT_SQL_COUNTED("p") " THEN '' ELSE '" \
	SUMMARY_SUPERSEDED_SUFFIX "' END"

/* The folded rollups (schema version 13) sum a start time into its
 * bucket: the multiple of KEY_FOLD_SECONDS (30 days) at or before it, the
 * epoch a bucket's start.  In SQL over a start time t, in C as
 * key_fold_bucket(); both floor negative times too. */
#define KEY_FOLD_SECONDS 2592000
#define KEY_FOLD_STR_(x) #x
#define KEY_FOLD_STR(x) KEY_FOLD_STR_(x)
#define KEY_SQL_FOLD_BUCKET(t) "(" t " - ((" t " % " KEY_FOLD_STR(KEY_FOLD_SECONDS) ") + " \
	KEY_FOLD_STR(KEY_FOLD_SECONDS) ") % " KEY_FOLD_STR(KEY_FOLD_SECONDS) ")"

static inline int64_t key_fold_bucket(int64_t t)
{
	return t - ((t % KEY_FOLD_SECONDS) + KEY_FOLD_SECONDS) % KEY_FOLD_SECONDS;
}

static inline const char *key_text(const char *field)
{
	return field != NULL ? field : "";
}

struct key_def {
	const char *name;        /* "policy-domain": the command line's */
	const char *field;       /* "policy_domain": JSON's and CSV's */
	const char *sql;         /* over reports r, policies p, failure_details f */
	const char *rollup_sql;  /* over a rollup row g; NULL: the base tables only */
	int details;             /* groups failure details, not policies */
	int every_policy;        /* its rows show the superseded policies too */
	/* its own rollups, which have no policy domain ("table g WHERE 1"):
	 * rows, and result types; NULL: those of every other key */
	const char *rollup_rows;
	const char *rollup_result_types;
	/* NULL, or the folded rollups (schema version 13) that answer it
	 * without a submitter filter: whole buckets from them, the edges of a
	 * --since/--until from the rollups they fold (summary.c) */
	const struct key_fold *fold;
};

/* A key's folded rollups, and the rollups they fold: rows and result
 * types, each with the columns the summary reads from it (a rollup row g
 * has them under the same names). */
struct key_fold {
	const char *rows, *fine_rows, *rows_cols;
	const char *result_types, *fine_result_types, *result_type_cols;
};

/* A policy of type type (non-NULL) as the summary by policy type keys it;
 * superseded: count_superseded() left it out (only an sts policy is). */
const char *key_policy_type(const char *type, int superseded);

/* The definition of k; NULL for a value outside the enum. */
const struct key_def *key_def(enum summary_key k);

/* The key named name (key_def's name); -1 when none is. */
int key_parse(const char *name);

#endif
