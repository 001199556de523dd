/*
 * report_builder: struct tlsrpt_report values built by hand for the store
 * and summary tests, independent of the JSON parser.  Every allocation
 * failure aborts (tests only).  A report from rb_report() is freed with
 * rb_free(), never report_free().
 */
#ifndef TLSRPT_TESTS_REPORT_BUILDER_H
#define TLSRPT_TESTS_REPORT_BUILDER_H

#include <stdint.h>

#include "db.h"
#include "report.h"

/* A report with no policies; json is a small generated document naming
 * the report-id (replace it with rb_set_json()).  Strings may be NULL. */
struct tlsrpt_report *rb_report(const char *submitter, const char *report_id, int64_t start, int64_t end,
                                const char *organization);

/* Append a policy; the pointer stays valid until the next rb_policy() on r. */
struct tlsrpt_policy *rb_policy(struct tlsrpt_report *r, const char *type, const char *domain,
                                uint64_t successful, uint64_t failure);

void rb_policy_string(struct tlsrpt_policy *p, const char *s);
void rb_mx_host(struct tlsrpt_policy *p, const char *s);

/* Append a failure detail; valid until the next rb_failure() on p. */
struct tlsrpt_failure *rb_failure(struct tlsrpt_policy *p, const char *result_type, const char *sending_ip,
                                  const char *receiving_mx, uint64_t count);

/* Replace the report's json with a copy of len bytes (NULL: none). */
void rb_set_json(struct tlsrpt_report *r, const char *json, size_t len);

/* A copy of s (NULL stays NULL). */
char *rb_strdup(const char *s);

/* NULL-safe. */
void rb_free(struct tlsrpt_report *r);

/* A fresh private directory for a test's databases (mkdtemp under
 * $TMPDIR or /tmp); returns a malloc'd path to name inside it. */
char *rb_temp_path(const char *name);

/* A new empty database of kind: rb_temp_path(name) for SQLite, a URI to
 * a schema of its own for PostgreSQL (tests/testdb.h); malloc'd. */
char *rb_temp_db(enum db_kind kind, const char *name);

/* Remove path, its -wal, -shm and -journal files and its directory (as
 * made by rb_temp_path), then free path; a URI is only freed.  NULL-safe. */
void rb_remove_temp(char *path);

#endif
