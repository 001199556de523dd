/*
 * datetime: RFC 3339 date-times as TLS reporters really write them (see
 * datetime.h).  The report model stores UTC epoch seconds, so this is the
 * only place that knows about calendars.
 *
 * The conversion is done with 64-bit day arithmetic (Howard Hinnant's
 * days_from_civil) rather than timegm(): no dependence on TZ, on the C
 * library or on the width of time_t, and years before 1970 or after 2038
 * work the same way.
 */
#include <stddef.h>
#include <stdio.h>

#include "datetime.h"

#define SECS_PER_DAY 86400

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && is_leap(y))
		return 29;
	return mdays[m - 1];
}

/* Read exactly n decimal digits at *p, advancing it; 0 on a non-digit. */
static int read_digits(const char **p, int n, unsigned *val)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(*p)[i];

		if (c < '0' || c > '9')
			return 0;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*val = v;
	return 1;
}

/* Read n digits, then the separator sep (unless sep is 0). */
static int read_field(const char **p, int n, char sep, unsigned *val)
{
	if (!read_digits(p, n, val))
		return 0;
	if (sep == 0)
		return 1;
	if (**p != sep)
		return 0;
	(*p)++;
	return 1;
}

/* The zone suffix: "", Z, z, +HH:MM or -HH:MM; *offset is seconds east. */
static enum tr_err parse_zone(const char *p, int64_t *offset, struct tr_error *err)
{
	unsigned hh, mm;
	int sign;

	*offset = 0;
	if (*p == '\0')
		return TR_OK; /* Microsoft sends no zone: read as UTC */
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return TR_OK;
	if (*p != '+' && *p != '-')
		return tr_error_set(err, TR_ERR_FORMAT, "bad time zone");
	sign = *p == '-' ? -1 : 1;
	p++;
	if (!read_field(&p, 2, ':', &hh) || !read_field(&p, 2, 0, &mm) || *p != '\0')
		return tr_error_set(err, TR_ERR_FORMAT, "bad time zone");
	if (hh > 23 || mm > 59)
		return tr_error_set(err, TR_ERR_FORMAT, "time zone out of range");
	*offset = sign * (int64_t)(hh * 3600 + mm * 60);
	return TR_OK;
}

/* "HH:MM:SS[.frac]" then the zone; *secs is seconds since local midnight
 * minus the zone offset. */
static enum tr_err parse_time(const char *p, int64_t *secs, struct tr_error *err)
{
	unsigned hh, mi, ss;
	int64_t offset;
	enum tr_err rc;

	if (!read_field(&p, 2, ':', &hh) || !read_field(&p, 2, ':', &mi) ||
	    !read_field(&p, 2, 0, &ss))
		return tr_error_set(err, TR_ERR_FORMAT, "bad time, want HH:MM:SS");
	if (hh > 23 || mi > 59 || ss > 60)
		return tr_error_set(err, TR_ERR_FORMAT, "time out of range");
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return tr_error_set(err, TR_ERR_FORMAT, "bad fractional seconds");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	rc = parse_zone(p, &offset, err);
	if (rc != TR_OK)
		return rc;
	*secs = (int64_t)hh * 3600 + mi * 60 + ss - offset;
	return TR_OK;
}

enum tr_err datetime_parse(const char *s, int64_t *epoch, struct tr_error *err)
{
	const char *p = s;
	unsigned y, m, d;
	int64_t secs = 0;
	enum tr_err rc;

	*epoch = 0;
	if (s == NULL)
		return tr_error_set(err, TR_ERR_FORMAT, "missing");
	if (!read_field(&p, 4, '-', &y) || !read_field(&p, 2, '-', &m) ||
	    !read_field(&p, 2, 0, &d))
		return tr_error_set(err, TR_ERR_FORMAT, "bad date, want YYYY-MM-DD");
	if (m < 1 || m > 12)
		return tr_error_set(err, TR_ERR_FORMAT, "month out of range");
	if (d < 1 || d > days_in_month(y, m))
		return tr_error_set(err, TR_ERR_FORMAT, "day out of range");
	if (*p == 'T' || *p == 't' || *p == ' ') {
		rc = parse_time(p + 1, &secs, err);
		if (rc != TR_OK)
			return rc;
	} else if (*p != '\0') {
		return tr_error_set(err, TR_ERR_FORMAT, "bad date-time separator");
	}
	*epoch = days_from_civil(y, m, d) * SECS_PER_DAY + secs;
	return TR_OK;
}

void datetime_format(int64_t epoch, char *out, size_t outlen)
{
	int64_t days, rem, y;
	unsigned m, d;

	if (out == NULL || outlen == 0)
		return;
	/* floor division so that times before 1970 land on the right day */
	days = epoch / SECS_PER_DAY;
	rem = epoch % SECS_PER_DAY;
	if (rem < 0) {
		rem += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, outlen, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
	         (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}
