/*
 * threshold: Monitoring Plugins ranges (see threshold.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "threshold.h"

/* One number filling s[0..n); 0 or -1. */
static int number(const char *s, size_t n, double *out)
{
	char tmp[32], *end;

	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strspn(tmp, "+-0123456789.") != n)
		return -1; /* no "inf", "nan", hex or exponents */
	errno = 0;
	*out = strtod(tmp, &end);
	return errno == 0 && *end == '\0' && isfinite(*out) ? 0 : -1;
}

int threshold_parse(const char *s, struct threshold *t)
{
	const char *colon;
	size_t len;

	memset(t, 0, sizeof *t);
	if (s == NULL || (len = strlen(s)) == 0 || len >= sizeof t->text)
		return -1;
	memcpy(t->text, s, len + 1);
	if (*s == '@') {
		t->inside = 1;
		s++;
	}
	colon = strchr(s, ':');
	if (colon == NULL) {
		t->lo = 0;
		if (number(s, strlen(s), &t->hi) != 0)
			return -1;
	} else {
		if (colon - s == 1 && s[0] == '~')
			t->lo = -HUGE_VAL;
		else if (number(s, (size_t)(colon - s), &t->lo) != 0)
			return -1;
		if (colon[1] == '\0')
			t->hi = HUGE_VAL;
		else if (number(colon + 1, strlen(colon + 1), &t->hi) != 0)
			return -1;
	}
	if (t->lo > t->hi)
		return -1;
	t->set = 1;
	return 0;
}

int threshold_alerts(const struct threshold *t, double v)
{
	int in;

	if (!t->set)
		return 0;
	in = v >= t->lo && v <= t->hi;
	return t->inside ? in : !in;
}
