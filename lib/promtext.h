/*
 * promtext: the Prometheus text exposition format (version 0.0.4), as
 * node_exporter's textfile collector and a scrape of /metrics read it.
 * Both `tlsrpt-report metrics` and the milter's metrics renderer write
 * through it, so that escaping and validity live in one place.
 *
 * Label values may come from reports (hostile): every byte that is not
 * part of valid UTF-8, and every control character, is written as '?',
 * backslash, double quote and newline are escaped, and a value is cut at
 * PROMTEXT_MAX_VALUE bytes (on a character boundary).  Metric and label
 * names are the caller's constants and are asserted to be valid.
 *
 * Errors are sticky: the first failed append (TR_ERR_LIMIT past the
 * buffer's max, TR_ERR_NOMEM) is kept in status and later calls do
 * nothing, so a renderer checks once at the end.
 */
#ifndef TLSRPT_PROMTEXT_H
#define TLSRPT_PROMTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define PROMTEXT_MAX_VALUE 256

/* The Content-Type of this format, for an HTTP response. */
#define PROMTEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct promtext {
	struct buf out;     /* the text so far; owned */
	enum tr_err status; /* TR_OK, or the first error */
};

/* Start empty; the text may grow to max bytes. */
void promtext_init(struct promtext *p, size_t max);

/* Free the text; p may be reused after promtext_init().  NULL-safe. */
void promtext_free(struct promtext *p);

/* "# HELP name help" and "# TYPE name type" (type: "counter", "gauge",
 * "histogram"); once per metric, before its samples. */
void promtext_family(struct promtext *p, const char *name, const char *type, const char *help);

/* A label of a sample: name is a constant, value any bytes (NULL: ""). */
struct promtext_label {
	const char *name;
	const char *value;
};

/* One sample "name{labels} value"; n may be 0 (labels then unused). */
void promtext_u64(struct promtext *p, const char *name, const struct promtext_label *labels,
                  size_t n, uint64_t value);
void promtext_i64(struct promtext *p, const char *name, const struct promtext_label *labels,
                  size_t n, int64_t value);
/* A double as Go's ParseFloat reads it ("+Inf" for infinity). */
void promtext_double(struct promtext *p, const char *name, const struct promtext_label *labels,
                     size_t n, double value);

#endif
