/*
 * datetime: RFC 3339 date-times as TLS reporters really write them.
 */
#ifndef TLSRPT_DATETIME_H
#define TLSRPT_DATETIME_H

#include <stdint.h>

#include "err.h"

/*
 * Parse s into UTC epoch seconds.  Accepts "YYYY-MM-DDTHH:MM:SS" with 'T',
 * 't' or ' ' between date and time, optional fractional seconds (dropped),
 * and a zone of 'Z', 'z', "+HH:MM", "-HH:MM" or none at all (Microsoft
 * sends none: read as UTC).  A bare date "YYYY-MM-DD" means midnight UTC.
 * Fields are range-checked (month 1-12, day within the month, leap years,
 * second 0-60).  Errors: TR_ERR_FORMAT with the reason.
 */
enum tr_err datetime_parse(const char *s, int64_t *epoch, struct tr_error *err);

/* Format epoch as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void datetime_format(int64_t epoch, char *out, size_t outlen);

#endif
