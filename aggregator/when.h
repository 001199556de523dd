/*
 * when: the --since and --until arguments of tlsrpt-report summary.
 */
#ifndef TLSRPT_CLI_WHEN_H
#define TLSRPT_CLI_WHEN_H

#include <stdint.h>

#include "err.h"

/*
 * Parse s into epoch seconds.  Relative: a count and a unit, "36h", "7d",
 * "2w", meaning that long before now.  Absolute: "YYYY-MM-DD" (midnight
 * UTC) or an RFC 3339 date-time.  A bare date given as an end (is_end set)
 * means the end of that day, so "--until 2024-01-31" includes the 31st.
 * Errors: TR_ERR_USAGE with the reason.
 */
enum tr_err when_parse(const char *s, int64_t now, int is_end, int64_t *out,
                       struct tr_error *err);

#endif
