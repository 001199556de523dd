/*
 * limits: the documented defaults (see limits.h and docs/LIMITS.md).
 */
#include "tr_limits.h"

void limits_default(struct tr_limits *l)
{
	l->max_message = TR_DEFAULT_MAX_MESSAGE;
	l->max_header = 64 * 1024;
	l->max_headers = 1000;
	l->max_parts = 256;
	l->max_depth = 16;
	l->max_decoded = TR_DEFAULT_MAX_MESSAGE;
	l->max_inflated = TR_DEFAULT_MAX_INFLATED;
	l->max_reports = 64;
	l->max_json_depth = 32;
	l->max_json_values = 1000000;
	l->max_policies = 10000;
	l->max_failures = 100000;
	l->max_strings = 1000;
	l->max_string_len = 64 * 1024;
}
