/*
 * metrics: the milter's counters and their exposition (see metrics.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "count.h"
#include "metrics.h"

static const char *const outcome_names[METRICS_N_OUTCOMES] = {
	"stored", "duplicate", "ignored", "spooled", "error"
};
static const char *const invalid_names[METRICS_N_INVALID] = { "format", "limit", "other" };
static const char *const auth_names[METRICS_N_AUTH] = { "pass", "fail", "none", "temperror",
                                                         "unknown" };

/* RFC 8460 section 4.3's result types, then ours. */
static const char *const result_types[METRICS_RESULT_TYPES] = {
	"starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
	"certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
	"dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid",
	"success", "other"
};
#define RT_SUCCESS 11
#define RT_OTHER 12

/* Upper bounds of the store latency buckets, in seconds. */
static const double latency_le[METRICS_LATENCY_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5
};

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof *m);
	pthread_mutex_init(&m->lock, NULL);
	m->started = (int64_t)time(NULL);
}

void metrics_destroy(struct metrics *m)
{
	if (m != NULL)
		pthread_mutex_destroy(&m->lock);
}

static void bump(atomic_uint_fast64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t load(atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_message(struct metrics *m, int skipped)
{
	if (m == NULL)
		return;
	bump(&m->messages, 1);
	if (skipped)
		bump(&m->skipped, 1);
}

void metrics_report(struct metrics *m, enum metrics_outcome o)
{
	if (m != NULL && o < METRICS_N_OUTCOMES)
		bump(&m->reports[o], 1);
}

void metrics_invalid(struct metrics *m, enum tr_err why)
{
	if (m == NULL)
		return;
	bump(&m->invalid[why == TR_ERR_FORMAT ? METRICS_INVALID_FORMAT
	                 : why == TR_ERR_LIMIT ? METRICS_INVALID_LIMIT : METRICS_INVALID_OTHER], 1);
}

void metrics_auth(struct metrics *m, const char *verdict)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < METRICS_N_AUTH - 1; i++)
		if (verdict != NULL && strcmp(verdict, auth_names[i]) == 0)
			break;
	bump(&m->auth[i], 1);
}

static size_t result_type_index(const char *rt)
{
	size_t i;

	for (i = 0; rt != NULL && i < RT_SUCCESS; i++)
		if (strcmp(rt, result_types[i]) == 0)
			return i;
	return RT_OTHER;
}

/* The row of domain d (NULL: "unknown"), adding it while there is room;
 * the "other" row past that.  Caller holds m->lock. */
static size_t domain_row(struct metrics *m, const char *d)
{
	char name[METRICS_DOMAIN_MAX];
	size_t i, len;

	if (d == NULL || d[0] == '\0')
		d = "unknown";
	len = strlen(d);
	if (len >= sizeof name)
		len = sizeof name - 1; /* no real domain is this long: they share a prefix */
	memcpy(name, d, len);
	name[len] = '\0';
	for (i = 0; i < m->n_domains; i++)
		if (strcmp(m->domains[i], name) == 0)
			return i;
	if (m->n_domains == METRICS_MAX_DOMAINS || strcmp(name, "other") == 0)
		return METRICS_MAX_DOMAINS;
	memcpy(m->domains[m->n_domains], name, len + 1);
	return m->n_domains++;
}

static void add_sat(uint64_t *c, uint64_t n)
{
	*c = *c + n < *c ? UINT64_MAX : *c + n;
}

void metrics_sessions(struct metrics *m, const struct tlsrpt_report *r)
{
	unsigned char *superseded;
	size_t i, j, row;

	if (m == NULL || r == NULL || r->n_policies == 0)
		return;
	/* each session once, as every total counts it (count.h); out of
	 * memory, the report's sessions are left out rather than doubled */
	superseded = malloc(r->n_policies);
	if (superseded == NULL || count_superseded(r, superseded, NULL) != TR_OK) {
		free(superseded);
		return;
	}
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < r->n_policies; i++) {
		const struct tlsrpt_policy *p = &r->policies[i];

		if (superseded[i])
			continue;
		row = domain_row(m, p->policy_domain);
		add_sat(&m->sessions[row][RT_SUCCESS], p->total_successful);
		for (j = 0; j < p->n_failures; j++)
			add_sat(&m->sessions[row][result_type_index(p->failures[j].result_type)],
			        p->failures[j].failed_session_count);
	}
	pthread_mutex_unlock(&m->lock);
	free(superseded);
}

void metrics_store_seconds(struct metrics *m, double seconds)
{
	size_t i;

	if (m == NULL)
		return;
	if (seconds < 0)
		seconds = 0;
	for (i = 0; i < METRICS_LATENCY_BUCKETS && seconds > latency_le[i]; i++)
		;
	bump(&m->latency[i], 1);
	bump(&m->latency_sum_us, (uint64_t)(seconds * 1e6 + 0.5));
}

/* Entries ending in ".eml" in dir, at most METRICS_SPOOL_SCAN_MAX. */
static uint64_t spool_depth(const char *dir)
{
	struct dirent *e;
	uint64_t n = 0, seen = 0;
	size_t len;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return 0;
	while (seen < METRICS_SPOOL_SCAN_MAX && (e = readdir(d)) != NULL) {
		seen++;
		len = strlen(e->d_name);
		if (e->d_name[0] != '.' && len > 4 && strcmp(e->d_name + len - 4, ".eml") == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void render_counters(struct metrics *m, struct promtext *p)
{
	struct promtext_label l;
	size_t i;

	promtext_family(p, "tlsrpt_milter_messages_total", "counter",
	                "Messages the milter saw to their end.");
	promtext_u64(p, "tlsrpt_milter_messages_total", NULL, 0, load(&m->messages));
	promtext_family(p, "tlsrpt_milter_messages_skipped_total", "counter",
	                "Messages passed without reading their body (no report possible).");
	promtext_u64(p, "tlsrpt_milter_messages_skipped_total", NULL, 0, load(&m->skipped));
	promtext_family(p, "tlsrpt_milter_reports_total", "counter",
	                "Reports found in mail, by what became of them.");
	l.name = "outcome";
	for (i = 0; i < METRICS_N_OUTCOMES; i++) {
		l.value = outcome_names[i];
		promtext_u64(p, "tlsrpt_milter_reports_total", &l, 1, load(&m->reports[i]));
	}
	promtext_family(p, "tlsrpt_milter_reports_invalid_total", "counter",
	                "Report parts that could not be read, by class of reason.");
	l.name = "reason";
	for (i = 0; i < METRICS_N_INVALID; i++) {
		l.value = invalid_names[i];
		promtext_u64(p, "tlsrpt_milter_reports_invalid_total", &l, 1, load(&m->invalid[i]));
	}
	promtext_family(p, "tlsrpt_milter_auth_verdicts_total", "counter",
	                "DKIM verdicts of the reports stored.");
	l.name = "verdict";
	for (i = 0; i < METRICS_N_AUTH; i++) {
		l.value = auth_names[i];
		promtext_u64(p, "tlsrpt_milter_auth_verdicts_total", &l, 1, load(&m->auth[i]));
	}
}

static void render_sessions(struct metrics *m, struct promtext *p)
{
	static uint64_t sessions[METRICS_MAX_DOMAINS + 1][METRICS_RESULT_TYPES];
	static char domains[METRICS_MAX_DOMAINS][METRICS_DOMAIN_MAX];
	static pthread_mutex_t copy_lock = PTHREAD_MUTEX_INITIALIZER;
	struct promtext_label l[2] = { { "policy_domain", NULL }, { "result_type", NULL } };
	size_t i, j, n;

	/* copy under the lock, render outside it: a scrape never holds up a
	 * report; the copy is static (40 KB), so scrapes take turns for it */
	pthread_mutex_lock(&copy_lock);
	pthread_mutex_lock(&m->lock);
	n = m->n_domains;
	memcpy(domains, m->domains, sizeof domains);
	memcpy(sessions, m->sessions, sizeof sessions);
	pthread_mutex_unlock(&m->lock);
	promtext_family(p, "tlsrpt_milter_sessions_total", "counter",
	                "Sessions in the reports stored, by policy domain and result type (success: successful sessions).");
	for (i = 0; i <= n; i++) {
		size_t row = i < n ? i : METRICS_MAX_DOMAINS;

		l[0].value = i < n ? domains[i] : "other";
		for (j = 0; j < METRICS_RESULT_TYPES; j++) {
			if (sessions[row][j] == 0)
				continue;
			l[1].value = result_types[j];
			promtext_u64(p, "tlsrpt_milter_sessions_total", l, 2, sessions[row][j]);
		}
	}
	pthread_mutex_unlock(&copy_lock);
}

static void render_latency(struct metrics *m, struct promtext *p)
{
	struct promtext_label l = { "le", NULL };
	uint64_t cum = 0;
	char le[32];
	size_t i;

	promtext_family(p, "tlsrpt_milter_store_duration_seconds", "histogram",
	                "Time to store one message's reports, waiting for the database included.");
	for (i = 0; i <= METRICS_LATENCY_BUCKETS; i++) {
		cum += load(&m->latency[i]);
		if (i < METRICS_LATENCY_BUCKETS)
			snprintf(le, sizeof le, "%g", latency_le[i]);
		else
			snprintf(le, sizeof le, "+Inf");
		l.value = le;
		promtext_u64(p, "tlsrpt_milter_store_duration_seconds_bucket", &l, 1, cum);
	}
	promtext_double(p, "tlsrpt_milter_store_duration_seconds_sum", NULL, 0,
	                (double)load(&m->latency_sum_us) / 1e6);
	promtext_u64(p, "tlsrpt_milter_store_duration_seconds_count", NULL, 0, cum);
}

void metrics_render(struct metrics *m, const char *spool_dir, struct promtext *p)
{
	struct promtext_label v = { "version", PACKAGE_VERSION };

	render_counters(m, p);
	render_sessions(m, p);
	render_latency(m, p);
	promtext_family(p, "tlsrpt_milter_spool_messages", "gauge",
	                "Messages waiting in the spool folder for a later import.");
	promtext_u64(p, "tlsrpt_milter_spool_messages", NULL, 0, spool_depth(spool_dir));
	promtext_family(p, "tlsrpt_milter_build_info", "gauge", "The running build; always 1.");
	promtext_u64(p, "tlsrpt_milter_build_info", &v, 1, 1);
	promtext_family(p, "tlsrpt_milter_start_time_seconds", "gauge",
	                "When the milter started (Unix time).");
	promtext_i64(p, "tlsrpt_milter_start_time_seconds", NULL, 0, m->started);
}
