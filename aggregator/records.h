/*
 * records: the JSON members and CSV columns of the list views (list,
 * failures, show), one table per record kind, so that every command
 * names a field the same way.
 */
#ifndef TLSRPT_CLI_RECORDS_H
#define TLSRPT_CLI_RECORDS_H

#include <stddef.h>

#include "output.h"

/* struct view_report: id, received, submitter, organization, report_id,
 * start, end, policy_domains, policies, successful_sessions,
 * failed_sessions, source, auth, counted. */
extern const struct rec_field report_fields[];
extern const size_t n_report_fields;

/* struct view_report, the rest of it (show): contact_info, message_id. */
extern const struct rec_field report_more_fields[];
extern const size_t n_report_more_fields;

/* struct view_failure: report, report_id, submitter, start, end,
 * policy_type, policy_domain, result_type, sending_mta_ip,
 * receiving_mx_hostname, receiving_mx_helo, receiving_ip,
 * failed_session_count, failure_reason_code, additional_information. */
extern const struct rec_field failure_fields[];
extern const size_t n_failure_fields;
/* The first FAILURE_CONTEXT_FIELDS of failure_fields name the report and
 * the policy (report ... policy_domain); the rest are the detail's own. */
#define FAILURE_CONTEXT_FIELDS 7

/* struct view_report as failure_fields names it (show's CSV): report,
 * report_id, submitter, start, end. */
extern const struct rec_field report_key_fields[];
extern const size_t n_report_key_fields;

/* struct view_policy: policy_type, policy_domain,
 * policy_successful_sessions, policy_failed_sessions. */
extern const struct rec_field policy_fields[];
extern const size_t n_policy_fields;

#endif
