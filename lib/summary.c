/* summary: STUB, to be implemented (see summary.h). */
#include <stdint.h>
#include <stdlib.h>
#include "summary.h"
void summary_filter_all(struct summary_filter *f) { f->since = INT64_MIN; f->until = INT64_MAX; f->policy_domain = NULL; f->submitter = NULL; f->authenticated_only = 0; }
const char *summary_key_name(enum summary_key k) { (void)k; return "submitter"; }
int summary_key_parse(const char *name) { (void)name; return -1; }
enum tr_err summary_query(struct store *s, enum summary_key key, const struct summary_filter *f, struct summary **out, struct tr_error *err)
{ (void)s; (void)key; (void)f; *out = NULL; return tr_error_set(err, TR_ERR_DB, "summary: not implemented"); }
void summary_free(struct summary *sm) { free(sm); }
