/*
 * explain: a pass over the failure details views_failures() returns, each
 * given to the first finding that accounts for it, the rest grouped by
 * result type and MX host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "explain.h"
#include "views.h"

/* The distinct submitters of one line. */
struct senders {
	const char *v[EXPLAIN_SENDERS_MAX];
	size_t n;
	size_t overflow;
};

static void senders_add(struct senders *s, const char *who)
{
	if (who == NULL)
		who = "";
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], who) == 0)
			return;
	if (s->n < EXPLAIN_SENDERS_MAX)
		s->v[s->n++] = who;
	else
		s->overflow = 1;
}

/* Host names equal ignoring case and one trailing dot. */
static int same_host(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* type is one of the space-separated words of list. */
static int in_list(const char *list, const char *type)
{
	size_t n = strlen(type);
	const char *p = list;

	if (n == 0)
		return 0;
	while ((p = strstr(p, type)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

static const char *row_mx(const struct view_failure *r)
{
	if (r->receiving_mx != NULL && r->receiving_mx[0] != '\0')
		return r->receiving_mx;
	return r->receiving_helo != NULL ? r->receiving_helo : "";
}

static int finding_takes(const struct finding *x, const struct view_failure *r)
{
	const struct finding_def *d = finding_def(x->kind);

	if (r->result_type == NULL || !in_list(d->result_types, r->result_type))
		return 0;
	if (d->per_mx && !same_host(row_mx(r), x->subject))
		return 0;
	return x->since == 0 || r->end >= x->since;
}

static void note_type(char *types, size_t len, const char *type)
{
	size_t used = strlen(types);

	if (in_list(types, type) || used + strlen(type) + 2 > len)
		return;
	snprintf(types + used, len - used, "%s%s", used ? " " : "", type);
}

static void item_add(struct explain_item *it, struct senders *s, const struct view_failure *r)
{
	it->sessions += r->count;
	if (it->first == 0 || r->start < it->first)
		it->first = r->start;
	if (r->start > it->last)
		it->last = r->start;
	senders_add(s, r->submitter);
	it->senders = s->n;
	note_type(it->result_types, sizeof it->result_types, r->result_type);
}

/* The line of unexplained failures for r's type and MX, made on first use;
 * past the cap, the last line takes everything else. */
static struct explain_unexplained *un_line(struct explain *e, struct senders *sv,
                                           const struct view_failure *r, struct senders **s)
{
	const char *type = r->result_type != NULL ? r->result_type : "", *mx = row_mx(r);
	struct explain_unexplained *u;

	for (size_t i = 0; i < e->n_un; i++)
		if (strcmp(e->un[i].result_type, type) == 0 && same_host(e->un[i].receiving_mx, mx)) {
			*s = &sv[i];
			return &e->un[i];
		}
	if (e->n_un == EXPLAIN_UNEXPLAINED_MAX) {
		*s = &sv[e->n_un - 1];
		u = &e->un[e->n_un - 1];
		snprintf(u->result_type, sizeof u->result_type, "(other)");
		u->receiving_mx[0] = '\0';
		return u;
	}
	u = &e->un[e->n_un];
	*s = &sv[e->n_un];
	e->n_un++;
	snprintf(u->result_type, sizeof u->result_type, "%s", type);
	snprintf(u->receiving_mx, sizeof u->receiving_mx, "%s", mx);
	return u;
}

static void match(struct explain *e, const struct findings *f, const struct view_failures *v,
                  struct senders *fs, struct senders *us)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct view_failure *r = &v->rows[i];
		struct explain_unexplained *u;
		struct senders *s;
		size_t k;

		for (k = 0; k < f->n; k++)
			if (finding_takes(&f->v[k], r))
				break;
		if (k < f->n) {
			item_add(&e->items[k], &fs[k], r);
			continue;
		}
		u = un_line(e, us, r, &s);
		u->sessions += r->count;
		senders_add(s, r->submitter);
		u->senders = s->n;
	}
}

enum tr_err explain_reports(struct store *st, const struct findings *f, int64_t since,
                            struct explain **out, struct tr_error *err)
{
	struct summary_filter filter;
	struct view_failures *v = NULL;
	struct senders *fs = NULL, *us = NULL;
	struct explain *e;
	enum tr_err rc;

	*out = NULL;
	summary_filter_all(&filter);
	filter.since = since;
	filter.policy_domain = f->domain;
	rc = views_failures(st, &filter, 0, &v, err);
	if (rc != TR_OK)
		return rc;
	e = calloc(1, sizeof *e);
	if (e != NULL) {
		e->items = calloc(f->n ? f->n : 1, sizeof *e->items);
		e->un = calloc(EXPLAIN_UNEXPLAINED_MAX, sizeof *e->un);
	}
	fs = calloc(f->n ? f->n : 1, sizeof *fs);
	us = calloc(EXPLAIN_UNEXPLAINED_MAX, sizeof *us);
	if (e == NULL || e->items == NULL || e->un == NULL || fs == NULL || us == NULL) {
		rc = tr_error_set(err, TR_ERR_NOMEM, "out of memory");
		explain_free(e);
		e = NULL;
	} else {
		e->since = since;
		e->n_items = f->n;
		e->n_details = v->n;
		match(e, f, v, fs, us);
	}
	free(fs);
	free(us);
	view_failures_free(v);
	*out = e;
	return rc;
}

void explain_free(struct explain *e)
{
	if (e == NULL)
		return;
	free(e->items);
	free(e->un);
	free(e);
}
