/* report: STUB, to be implemented (see report.h). */
#include <stdlib.h>
#include "report.h"
enum tr_err report_parse_json(const char *json, size_t len, const struct tr_limits *lim, const char *fallback_policy_domain, struct tlsrpt_report **out, struct tr_error *err)
{ (void)json; (void)len; (void)lim; (void)fallback_policy_domain; *out = NULL; return tr_error_set(err, TR_ERR_FORMAT, "report: not implemented"); }
uint64_t report_total_successful(const struct tlsrpt_report *r) { (void)r; return 0; }
uint64_t report_total_failure(const struct tlsrpt_report *r) { (void)r; return 0; }
char *report_to_json(const struct tlsrpt_report *r, int pretty) { (void)r; (void)pretty; return NULL; }
void report_free(struct tlsrpt_report *r) { free(r); }
