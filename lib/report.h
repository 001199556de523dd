/*
 * report: the RFC 8460 §4 report model, parsed from JSON with cJSON and
 * validated as senders really write it.
 *
 * Tolerated (each kept as sent, never "repaired" beyond what is said here):
 * null or missing optional fields; empty strings; mx-host as a string or an
 * array; date-times with Z, an offset, fractions or no zone (UTC);
 * a TLSA policy-string sent as one string holding a JSON array (kept as
 * that one string); missing policy-domain (the caller's fallback is used,
 * and policy_domain_fallback set); unknown policy-types and result-types;
 * the misspelled "receiving-mx-host-name"; summary totals that disagree
 * with the failure details; missing summary totals (read as 0).
 *
 * Required: report-id (a non-empty string), date-range with both ends, and
 * a non-empty policies array whose entries each carry policy.policy-type
 * and a summary object.  Counts must be integers in [0, 2^53].  Anything
 * else is TR_ERR_FORMAT with a reason naming the field, e.g.
 * "policies[1].failure-details[0].failed-session-count: negative".
 * Bounds from tr_limits: JSON nesting depth, number of policies, failure
 * details per policy, entries per string array, bytes per string
 * (TR_ERR_LIMIT).
 */
#ifndef TLSRPT_REPORT_H
#define TLSRPT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tr_limits.h"

/* Every char * below is a NUL-terminated UTF-8 string owned by the report,
 * or NULL when the field was missing or null. */

struct tlsrpt_failure {
	char *result_type;             /* required by the RFC; NULL if absent */
	char *sending_mta_ip;
	char *receiving_mx_hostname;   /* also from "receiving-mx-host-name" */
	char *receiving_mx_helo;
	char *receiving_ip;
	uint64_t failed_session_count; /* 0 when absent */
	char *additional_information;
	char *failure_reason_code;
};

struct tlsrpt_policy {
	char *policy_type;             /* never NULL in a valid report */
	char **policy_strings;         /* n_policy_strings entries */
	size_t n_policy_strings;
	char *policy_domain;           /* from the report, else the fallback, ASCII
	                                  lowercased (domain names have no case);
	                                  may be NULL */
	int policy_domain_fallback;    /* 1 when policy_domain came from the fallback */
	char **mx_hosts;               /* n_mx_hosts entries */
	size_t n_mx_hosts;
	uint64_t total_successful;
	uint64_t total_failure;
	struct tlsrpt_failure *failures;
	size_t n_failures;
};

struct tlsrpt_report {
	char *organization_name;
	char *contact_info;
	char *report_id;               /* never NULL in a valid report */
	int64_t start;                 /* date-range, UTC epoch seconds */
	int64_t end;
	struct tlsrpt_policy *policies;
	size_t n_policies;             /* >= 1 in a valid report */

	/* Not from the JSON: filled by the caller (extract) after parsing. */
	char *submitter;               /* sending domain, lowercased; may be NULL */
	char *json;                    /* the JSON exactly as received */
	size_t json_len;
	/* The gzip or zlib stream the JSON arrived in (attachment or .json.gz
	 * file), an owned copy (report_free() frees it); NULL when the report
	 * came uncompressed.  The store keeps these bytes verbatim instead of
	 * compressing json again. */
	unsigned char *raw_compressed;
	size_t raw_compressed_len;
};

/*
 * Parse and validate json[0..len) (not necessarily NUL-terminated).
 * fallback_policy_domain (NULL allowed) fills policies without a
 * policy-domain.  On success *out is a new report owned by the caller
 * (report_free()), with json holding a copy of the input.  On failure
 * *out is NULL and err says why.
 */
enum tr_err report_parse_json(const char *json, size_t len, const struct tr_limits *lim,
                              const char *fallback_policy_domain,
                              struct tlsrpt_report **out, struct tr_error *err);

/*
 * Let report_parse_json() cut cJSON's tree from an arena: faster, and no
 * heap fragmentation from large reports.  It installs cJSON's allocation
 * hooks, which are one setting for the whole process (cJSON has no
 * allocator per parse, and no getter to restore the previous hooks), so
 * the library never does it on its own: a program calls this once, at
 * start-up before its threads, when nothing else in it installs cJSON
 * hooks.  Its other cJSON users see no difference (the hooks are malloc
 * and free outside a parse).  Without it, report_parse_json() frees the
 * tree with cJSON_Delete().
 */
void report_use_cjson_arena(void);

/*
 * The top-level "report-id" string of json[0..len), for log lines about a
 * report that was refused: copied raw (escapes kept, no validation) into
 * out[0..outlen), cut to fit, NUL-terminated.  Returns 1 when found, else 0
 * (out is ""). One linear scan with no allocation: refused input may be the
 * hostile kind that a tree would make expensive (docs/LIMITS.md).
 */
int report_peek_id(const char *json, size_t len, char *out, size_t outlen);

/* Sum of total_successful (resp. total_failure) over all policies,
 * saturating: what the report says.  What we count (an sts policy beside
 * a tlsa one is the same sessions) is count_report_totals() (count.h). */
uint64_t report_total_successful(const struct tlsrpt_report *r);
uint64_t report_total_failure(const struct tlsrpt_report *r);

/*
 * The model as JSON, for people and scripts to see what was understood:
 * RFC 8460 field names, date-range as RFC 3339 UTC strings, plus
 * "submitter".  Returns a malloc'd string (free()), or NULL on no memory.
 */
char *report_to_json(const struct tlsrpt_report *r, int pretty);

/* Release everything the report owns. NULL-safe. */
void report_free(struct tlsrpt_report *r);

#endif
