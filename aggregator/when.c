/*
 * when: relative and absolute times for summary windows (see when.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "when.h"

#define SECONDS_PER_DAY 86400
/* Far enough back for any report; keeps now - n * unit from overflowing. */
#define MAX_RELATIVE_SECONDS (INT64_C(200) * 366 * SECONDS_PER_DAY)

static int64_t unit_seconds(char u)
{
	switch (u) {
	case 'h': return 3600;
	case 'd': return SECONDS_PER_DAY;
	case 'w': return 7 * SECONDS_PER_DAY;
	default: return 0;
	}
}

static int is_relative(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && s[n] != '\0' && s[n + 1] == '\0' && unit_seconds(s[n]) != 0;
}

static enum tr_err parse_relative(const char *s, int64_t now, int64_t *out,
                                  struct tr_error *err)
{
	unsigned long long n;
	char *end;
	int64_t unit = unit_seconds(s[strlen(s) - 1]);

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || n > (unsigned long long)(MAX_RELATIVE_SECONDS / unit))
		return tr_error_set(err, TR_ERR_USAGE, "%s: too far back", s);
	*out = now - (int64_t)n * unit;
	return TR_OK;
}

static int is_bare_date(const char *s)
{
	return strlen(s) == 10 && strspn(s, "0123456789-") == 10 && s[4] == '-' && s[7] == '-';
}

enum tr_err when_parse(const char *s, int64_t now, int is_end, int64_t *out,
                       struct tr_error *err)
{
	struct tr_error derr;

	if (is_relative(s))
		return parse_relative(s, now, out, err);
	if (datetime_parse(s, out, &derr) != TR_OK)
		return tr_error_set(err, TR_ERR_USAGE,
		                    "%s: not a time (use 7d, 24h, 2w, YYYY-MM-DD or RFC 3339)", s);
	if (is_end && is_bare_date(s))
		*out += SECONDS_PER_DAY;
	return TR_OK;
}
