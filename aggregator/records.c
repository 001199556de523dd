/*
 * records: field tables of the list views (see records.h).
 */
#include <stddef.h>

#include "records.h"
#include "views.h"

#define R(name, kind, member) { name, kind, offsetof(struct view_report, member) }
const struct rec_field report_fields[] = {
	R("id", REC_I64, id),
	R("received", REC_TIME, received_at),
	R("submitter", REC_STR, submitter),
	R("organization", REC_STR, organization),
	R("report_id", REC_STR, report_id),
	R("start", REC_TIME, start),
	R("end", REC_TIME, end),
	R("policy_domains", REC_STR, policy_domains),
	R("policies", REC_U64, n_policies),
	R("successful_sessions", REC_U64, successful),
	R("failed_sessions", REC_U64, failed),
	R("source", REC_STR, source),
	R("auth", REC_STR, auth),
	R("dkim_domain", REC_STR, dkim_domain),
	R("dkim_selector", REC_STR, dkim_selector),
	R("counted", REC_BOOL, counted),
};
const size_t n_report_fields = sizeof report_fields / sizeof report_fields[0];

const struct rec_field report_more_fields[] = {
	R("contact_info", REC_STR, contact_info),
	R("message_id", REC_STR, message_id),
};
const size_t n_report_more_fields = sizeof report_more_fields / sizeof report_more_fields[0];
#undef R

/* show --format csv: which report each line is of */
#define R(name, kind, member) { name, kind, offsetof(struct view_report, member) }
const struct rec_field report_key_fields[] = {
	R("report", REC_I64, id),
	R("report_id", REC_STR, report_id),
	R("submitter", REC_STR, submitter),
	R("start", REC_TIME, start),
	R("end", REC_TIME, end),
};
const size_t n_report_key_fields = sizeof report_key_fields / sizeof report_key_fields[0];
#undef R

#define P(name, kind, member) { name, kind, offsetof(struct view_policy, member) }
const struct rec_field policy_fields[] = {
	P("policy_type", REC_STR, policy_type),
	P("policy_domain", REC_STR, policy_domain),
	P("policy_successful_sessions", REC_U64, successful),
	P("policy_failed_sessions", REC_U64, failed),
};
const size_t n_policy_fields = sizeof policy_fields / sizeof policy_fields[0];
#undef P

#define F(name, kind, member) { name, kind, offsetof(struct view_failure, member) }
const struct rec_field failure_fields[] = {
	F("report", REC_I64, report),
	F("report_id", REC_STR, report_id),
	F("submitter", REC_STR, submitter),
	F("start", REC_TIME, start),
	F("end", REC_TIME, end),
	F("policy_type", REC_STR, policy_type),
	F("policy_domain", REC_STR, policy_domain),
	F("result_type", REC_STR, result_type),
	F("sending_mta_ip", REC_STR, sending_ip),
	F("receiving_mx_hostname", REC_STR, receiving_mx),
	F("receiving_mx_helo", REC_STR, receiving_helo),
	F("receiving_ip", REC_STR, receiving_ip),
	F("failed_session_count", REC_U64, count),
	F("failure_reason_code", REC_STR, reason_code),
	F("additional_information", REC_STR, additional_info),
};
const size_t n_failure_fields = sizeof failure_fields / sizeof failure_fields[0];
#undef F
