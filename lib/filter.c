/*
 * filter: the view filters as one table (see filter.h): each entry says
 * when the filter is in use, its condition over every source, and how
 * its value is bound.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "filter.h"

enum filter_value { FV_NONE, FV_INT, FV_TEXT };

struct filter_def {
	const char *param;                    /* the named parameter; NULL: no value */
	enum filter_value kind;
	size_t offset;                        /* of the value in struct summary_filter */
	const char *sql[FILTER_N_SOURCES];    /* the condition over each source */
	int (*in_use)(const struct summary_filter *f);
};

static int since_used(const struct summary_filter *f) { return f->since != INT64_MIN; }
static int until_used(const struct summary_filter *f) { return f->until != INT64_MAX; }
static int domain_used(const struct summary_filter *f) { return f->policy_domain != NULL; }
static int submitter_used(const struct summary_filter *f) { return f->submitter != NULL; }
static int auth_used(const struct summary_filter *f) { return f->authenticated_only; }

static const struct filter_def filters[] = {
	{ ":since", FV_INT, offsetof(struct summary_filter, since),
	  { "r.start_time >= :since", "g.start_time >= :since", "r.start_time >= :since" }, since_used },
	{ ":until", FV_INT, offsetof(struct summary_filter, until),
	  { "r.start_time < :until", "g.start_time < :until", "r.start_time < :until" }, until_used },
	{ ":domain", FV_TEXT, offsetof(struct summary_filter, policy_domain),
	  { "p.policy_domain = lower(:domain)", "g.policy_domain = lower(:domain)",
	    "EXISTS (SELECT 1 FROM policies q WHERE q.report = r.id AND q.policy_domain = lower(:domain))" },
	  domain_used },
	{ ":submitter", FV_TEXT, offsetof(struct summary_filter, submitter),
	  { "r.submitter = lower(:submitter)", "g.submitter = lower(:submitter)", "r.submitter = lower(:submitter)" },
	  submitter_used },
	{ NULL, FV_NONE, 0, { "r.auth = 'pass'", "g.auth_pass = 1", "r.auth = 'pass'" }, auth_used },
};
#define N_FILTERS (sizeof filters / sizeof filters[0])

void filter_all(struct summary_filter *f)
{
	f->since = INT64_MIN;
	f->until = INT64_MAX;
	f->policy_domain = NULL;
	f->submitter = NULL;
	f->authenticated_only = 0;
}

int filter_where(char *out, size_t cap, const struct summary_filter *f, enum filter_source src)
{
	size_t len = 0;

	TR_ASSERT(out != NULL && cap > 0 && f != NULL && (unsigned)src < FILTER_N_SOURCES);
	out[0] = '\0';
	for (size_t i = 0; i < N_FILTERS; i++) {
		int n;

		if (!filters[i].in_use(f))
			continue;
		n = snprintf(out + len, cap - len, " AND %s", filters[i].sql[src]);
		if (n < 0 || (size_t)n >= cap - len) {
			out[0] = '\0';
			return -1;
		}
		len += (size_t)n;
	}
	return 0;
}

void filter_bind(struct db_stmt *st, const struct summary_filter *f)
{
	for (size_t i = 0; i < N_FILTERS; i++) {
		const struct filter_def *d = &filters[i];
		const char *base = (const char *)f + d->offset;
		int idx;

		if (d->param == NULL || !d->in_use(f))
			continue;
		idx = db_param_index(st, d->param);
		if (idx == 0)
			continue;
		if (d->kind == FV_INT)
			db_bind_int64(st, idx, *(const int64_t *)(const void *)base);
		else
			db_bind_text(st, idx, *(const char *const *)(const void *)base);
	}
}
