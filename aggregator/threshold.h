/*
 * threshold: the ranges of the Monitoring Plugins development guidelines
 * ("Threshold and ranges"), for check-failures' --warning and --critical:
 *
 *   10      alert when the value is < 0 or > 10
 *   10:     alert when < 10
 *   ~:10    alert when > 10 (no lower bound)
 *   10:20   alert when < 10 or > 20
 *   @10:20  alert when 10 <= value <= 20
 *
 * Numbers are decimal, may have a fraction and a sign; nothing else may
 * follow.
 */
#ifndef TLSRPT_CLI_THRESHOLD_H
#define TLSRPT_CLI_THRESHOLD_H

struct threshold {
	int set;          /* 0: none given, never alerts */
	int inside;       /* '@': alert inside [lo, hi] instead of outside */
	double lo, hi;    /* -HUGE_VAL / HUGE_VAL for an open end */
	char text[40];    /* as given, for performance data */
};

/* Parse s into *t; 0, or -1 when s is not a range (t is then unset). */
int threshold_parse(const char *s, struct threshold *t);

/* 1 when t is set and v is in its alert zone. */
int threshold_alerts(const struct threshold *t, double v);

#endif
