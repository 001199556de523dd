/*
 * sink: report body -> extract -> store, else spool (see sink.h).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "extract.h"
#include "log.h"
#include "sink.h"
#include "spool.h"
#include "store.h"

#define REPLAY_MAX_FILES 10000   /* names taken from the spool in one round */
#define SPOOL_EXT ".report"
#define SPOOL_TAG ".https-"

struct sink {
	char *db;
	char *spool_dir;
	struct tr_limits lim;
	pthread_mutex_t lock;      /* guards the queue and writing */
	pthread_cond_t done_cond;  /* a batch was written */
	struct pending *queue, *queue_tail;  /* reports waiting for a batch */
	int writing;               /* a thread is writing a batch: it alone uses store */
	struct store *store;       /* NULL until needed, and after a failure */
	atomic_llong down_until;   /* epoch seconds: spool without trying before then */
};

const char *sink_result_name(enum sink_result r)
{
	switch (r) {
	case SINK_STORED: return "stored";
	case SINK_DUPLICATE: return "duplicate";
	case SINK_SPOOLED: return "spooled";
	case SINK_INVALID: return "invalid";
	case SINK_TOO_LARGE: return "too large";
	case SINK_REFUSED: return "refused";
	case SINK_FAILED: return "failed";
	}
	return "?";
}

struct sink *sink_new(const char *db, const char *spool_dir, const struct tr_limits *lim)
{
	struct sink *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->db = strdup(db);
	s->spool_dir = spool_dir != NULL ? strdup(spool_dir) : NULL;
	if (s->db == NULL || (spool_dir != NULL && s->spool_dir == NULL)) {
		free(s->db);
		free(s->spool_dir);
		free(s);
		return NULL;
	}
	s->lim = *lim;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->done_cond, NULL);
	atomic_init(&s->down_until, 0);
	return s;
}

struct sink *sink_free(struct sink *s)
{
	if (s == NULL)
		return NULL;
	store_close(s->store);
	pthread_cond_destroy(&s->done_cond);
	pthread_mutex_destroy(&s->lock);
	free(s->db);
	free(s->spool_dir);
	free(s);
	return NULL;
}

void sink_idle(struct sink *s)
{
	if (pthread_mutex_trylock(&s->lock) != 0)
		return;
	if (!s->writing && s->queue == NULL)
		s->store = store_close(s->store);
	pthread_mutex_unlock(&s->lock);
}

/* Copy s into out keeping only printable ASCII (for logs and answers). */
static void clean(const char *s, char *out, size_t outlen)
{
	size_t i;

	if (s == NULL)
		s = "-";
	for (i = 0; s[i] != '\0' && i + 1 < outlen; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) ? '?' : s[i];
	out[i] = '\0';
}

/*
 * Group commit.  Each report to store is queued; the first thread that
 * finds nobody writing becomes the writer, takes the whole queue (up to
 * SINK_BATCH_MAX), stores it in one transaction and wakes the others with
 * their outcomes; the rest wait.  Under load one fsync serves many
 * reports; alone, a report is written at once as before.
 */
#define SINK_BATCH_MAX 256

struct pending {
	struct pending *next;
	const struct tlsrpt_report *r;
	struct store_meta meta;
	enum tr_err rc;
	enum store_outcome out;
	struct tr_error err;
	int taken;          /* in a batch being written: wait for it, whatever the time */
	int done;
};

static void pending_fail(struct pending *batch, enum tr_err rc, const struct tr_error *why)
{
	for (struct pending *p = batch; p != NULL; p = p->next) {
		p->rc = rc;
		p->err = *why;
	}
}

/* The batch's word on one pending report (its tag). */
static void pending_outcome(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome,
                            const struct tr_error *err)
{
	struct pending *p = tag;

	(void)ctx;
	p->rc = rc;
	p->out = outcome;
	if (rc != TR_OK)
		p->err = *err;
}

/* Write batch (not empty) with the store, no lock held; sets each outcome. */
static void write_batch(struct sink *s, struct pending *batch)
{
	struct tr_error err;
	enum tr_err rc = TR_OK;
	struct pending *p;

	tr_error_clear(&err);
	if (s->store == NULL)
		rc = store_open(s->db, STORE_OPEN_CREATE, HTTPD_SINK_BUSY_MS, &s->store, &err);
	if (rc == TR_OK && batch->next == NULL) {
		batch->rc = store_put_report(s->store, batch->r, &batch->meta, &batch->out, &batch->err);
		rc = batch->rc;
	} else if (rc == TR_OK) {
		rc = store_batch_begin(s->store, pending_outcome, NULL, &err);
		for (p = batch; rc == TR_OK && p != NULL; p = p->next)
			rc = store_batch_put(s->store, p->r, &p->meta, p, &err);
		if (rc == TR_OK)
			rc = store_batch_end(s->store, &err); /* an error here: nothing was kept */
	}
	if (rc != TR_OK && (batch->next != NULL || batch->rc == TR_OK))
		pending_fail(batch, rc, &err);
	for (p = batch; p != NULL; p = p->next)
		if (p->rc != TR_OK)
			rc = p->rc;
	if (rc != TR_OK) {
		s->store = store_close(s->store); /* reopen next time: it may have been replaced */
		atomic_store(&s->down_until, (long long)time(NULL) + HTTPD_SINK_BACKOFF_S);
	}
}

/* Take up to SINK_BATCH_MAX queued reports, oldest first (qlock held). */
static struct pending *take_batch(struct sink *s)
{
	struct pending *batch = s->queue, *p = batch;
	size_t n = 1;

	while (p->next != NULL && n < SINK_BATCH_MAX) {
		p = p->next;
		n++;
	}
	s->queue = p->next;
	if (s->queue == NULL)
		s->queue_tail = NULL;
	p->next = NULL;
	for (p = batch; p != NULL; p = p->next)
		p->taken = 1;
	return batch;
}

static void unqueue(struct sink *s, struct pending *me)
{
	struct pending **pp = &s->queue, *prev = NULL;

	while (*pp != NULL && *pp != me) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp == NULL)
		return;
	*pp = me->next;
	if (s->queue_tail == me)
		s->queue_tail = prev;
}

static void pending_init(struct pending *p, const struct tlsrpt_report *r, const char *client,
                         int64_t received_at)
{
	memset(p, 0, sizeof *p);
	p->r = r;
	p->meta.source = "https";
	p->meta.auth = "none";          /* HTTPS carries no DKIM: never "pass" */
	p->meta.counted = 1;
	p->meta.received_at = received_at;
	p->meta.client_addr = client;
}

/* Write one batch from the queue as its writer (lock held on entry and exit). */
static void lead_batch(struct sink *s)
{
	struct pending *batch = take_batch(s), *p, *next;

	s->writing = 1;
	pthread_mutex_unlock(&s->lock);
	write_batch(s, batch);
	pthread_mutex_lock(&s->lock);
	for (p = batch; p != NULL; p = next) {
		next = p->next;  /* p may go away once done is seen */
		p->done = 1;
	}
	s->writing = 0;
	pthread_cond_broadcast(&s->done_cond);
}

/*
 * Store v[0..n), in whichever batches take them; each gets its own rc.
 * Those no batch has taken within HTTPD_SINK_WAIT_S give up with
 * TR_ERR_BUSY.
 */
static void put_many(struct sink *s, struct pending *v, size_t n)
{
	struct timespec until;
	size_t i, left = n;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HTTPD_SINK_WAIT_S;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < n; i++) {
		if (s->queue_tail != NULL)
			s->queue_tail->next = &v[i];
		else
			s->queue = &v[i];
		s->queue_tail = &v[i];
	}
	while (left > 0) {
		int taken = 0;

		if (!s->writing) {
			lead_batch(s);
		} else {
			for (i = 0; i < n; i++)
				taken |= v[i].taken && !v[i].done;
			if (taken) {
				pthread_cond_wait(&s->done_cond, &s->lock);
			} else if (pthread_cond_timedwait(&s->done_cond, &s->lock, &until) != 0) {
				for (i = 0; i < n; i++) {
					if (v[i].taken || v[i].done)
						continue;
					unqueue(s, &v[i]);
					v[i].done = 1;
					v[i].rc = tr_error_set(&v[i].err, TR_ERR_BUSY,
					                       "no turn to write within %d s", HTTPD_SINK_WAIT_S);
				}
			}
		}
		for (left = 0, i = 0; i < n; i++)
			left += !v[i].done;
	}
	pthread_mutex_unlock(&s->lock);
}

/* Store one report, in whichever batch takes it. */
static enum tr_err put_report(struct sink *s, const struct tlsrpt_report *r, const char *client,
                              int64_t received_at, enum store_outcome *out, struct tr_error *err)
{
	struct pending me;

	pending_init(&me, r, client, received_at);
	put_many(s, &me, 1);
	if (me.rc != TR_OK) {
		*err = me.err;
		return me.rc;
	}
	*out = me.out;
	return TR_OK;
}

/* Only what an address may contain goes into a file name. */
static void addr_for_name(const char *client, char *out, size_t outlen)
{
	size_t i, j = 0;

	for (i = 0; client[i] != '\0' && j + 1 < outlen; i++)
		if (strchr("0123456789abcdefABCDEF.:", client[i]) != NULL)
			out[j++] = client[i];
	if (j == 0 && outlen > 1)
		out[j++] = '-';
	out[j] = '\0';
}

static enum sink_result spool(struct sink *s, const unsigned char *body, size_t len,
                              const char *client, const char *why)
{
	char addr[64], ext[96], path[4096];
	struct tr_error err;

	if (s->spool_dir == NULL) {
		log_msg(LOG_ERR, "%s: report not stored (%s) and no SpoolDir: answered 503", client, why);
		return SINK_FAILED;
	}
	addr_for_name(client, addr, sizeof addr);
	snprintf(ext, sizeof ext, SPOOL_TAG "%s" SPOOL_EXT, addr);
	tr_error_clear(&err);
	if (spool_write_as(s->spool_dir, (const char *)body, len, ext, path, sizeof path, &err) != TR_OK) {
		log_msg(LOG_ERR, "%s: report neither stored (%s) nor spooled (%s): answered 503", client,
		        why, err.msg);
		return SINK_FAILED;
	}
	log_msg(LOG_WARNING, "%s: report spooled to %s (%s)", client, path, why);
	return SINK_SPOOLED;
}

static void describe(const struct extract_item *it, char *detail, size_t detaillen)
{
	char sub[128], rid[128];

	clean(it->report->submitter != NULL ? it->report->submitter : it->submitter, sub, sizeof sub);
	clean(it->report->report_id, rid, sizeof rid);
	snprintf(detail, detaillen, "submitter=%s report-id=%s", sub, rid);
}

/* The first policy-domain of r outside domain, or NULL when there is none;
 * a policy without one is outside. */
static const char *outside(const struct tlsrpt_report *r, const char *domain)
{
	for (size_t i = 0; i < r->n_policies; i++) {
		const char *pd = r->policies[i].policy_domain;

		if (!domain_within(pd, domain))
			return pd != NULL ? pd : "(none)";
	}
	return NULL;
}

enum sink_result sink_put(struct sink *s, const unsigned char *body, size_t len, const char *client,
                          const char *domain, char *detail, size_t detaillen)
{
	struct extract_result res;
	struct tr_error err;
	enum store_outcome so;
	enum sink_result out;
	const struct extract_item *it;
	const char *foreign;
	enum tr_err rc;

	detail[0] = '\0';
	tr_error_clear(&err);
	memset(&res, 0, sizeof res);
	rc = extract_file(body, len, NULL, &s->lim, &res, &err);
	if (rc == TR_ERR_NOMEM) {
		extract_result_free(&res);
		if (domain != NULL) {
			snprintf(detail, detaillen, "out of memory");
			return SINK_FAILED;
		}
		return spool(s, body, len, client, "out of memory");
	}
	if (rc != TR_OK || res.n == 0 || res.items[0].report == NULL) {
		const struct tr_error *why = rc != TR_OK || res.n == 0 ? &err : &res.items[0].error;

		clean(why->msg, detail, detaillen);
		out = why->code == TR_ERR_LIMIT ? SINK_TOO_LARGE : SINK_INVALID;
		extract_result_free(&res);
		return out;
	}
	it = &res.items[0];
	if (domain != NULL && (foreign = outside(it->report, domain)) != NULL) {
		char pd[256];

		clean(foreign, pd, sizeof pd);
		snprintf(detail, detaillen, "policy-domain %s is not this token's domain %s", pd, domain);
		extract_result_free(&res);
		return SINK_REFUSED;
	}
	describe(it, detail, detaillen);
	if (atomic_load(&s->down_until) > (long long)time(NULL)) {
		out = spool(s, body, len, client, "database failed moments ago");
	} else {
		rc = put_report(s, it->report, client, 0, &so, &err);
		if (rc == TR_OK)
			out = so == STORE_DUPLICATE ? SINK_DUPLICATE : SINK_STORED;
		else
			out = spool(s, body, len, client, err.msg);
	}
	extract_result_free(&res);
	return out;
}

/* ---- replay ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_spool_name(const char *n)
{
	size_t l = strlen(n), el = strlen(SPOOL_EXT);

	return n[0] != '.' && l > el && strcmp(n + l - el, SPOOL_EXT) == 0 && strstr(n, SPOOL_TAG) != NULL;
}

/* The spool's file names, sorted (oldest first: they start with the time). */
static char **list_spool(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL && *n < REPLAY_MAX_FILES) {
		if (!is_spool_name(e->d_name))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 64) * sizeof *v);

			if (nv == NULL)
				break;
			v = nv;
			cap = cap ? cap * 2 : 64;
		}
		v[*n] = strdup(e->d_name);
		if (v[*n] == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof *v, by_name);
	return v;
}

/* Bounded read of a whole file; NULL when unreadable or too large. */
static unsigned char *read_bounded(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	size_t n;

	if (f == NULL)
		return NULL;
	p = malloc(max + 1);
	if (p == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(p);
		return NULL;
	}
	*len = n;
	return p;
}

/* One spool file in a replay chunk. */
struct replay_item {
	char path[4096];
	char client[64];
	struct extract_result res;
	int valid;
};

/* Read and parse one file into it; 0 when unreadable or invalid. */
static int replay_read(struct sink *s, const char *name, struct replay_item *it)
{
	const char *tag = strstr(name, SPOOL_TAG);
	size_t len = 0, alen = strlen(tag + strlen(SPOOL_TAG)) - strlen(SPOOL_EXT);
	unsigned char *data = read_bounded(it->path, s->lim.max_inflated, &len);
	struct tr_error err;
	enum tr_err rc;

	memset(&it->res, 0, sizeof it->res);
	it->valid = 0;
	if (data == NULL) {
		log_msg(LOG_ERR, "spool: cannot read %s: %s", it->path, strerror(errno));
		return 0;
	}
	snprintf(it->client, sizeof it->client, "%.*s", (int)(alen < 63 ? alen : 63),
	         tag + strlen(SPOOL_TAG));
	tr_error_clear(&err);
	rc = extract_file(data, len, NULL, &s->lim, &it->res, &err);
	free(data);
	it->valid = rc == TR_OK && it->res.n > 0 && it->res.items[0].report != NULL;
	if (!it->valid)
		log_msg(LOG_ERR, "spool: %s holds no valid report", it->path);
	return it->valid;
}

/*
 * Store the files names[0..n) (n <= SINK_BATCH_MAX) as one group, so that
 * a large spool costs a transaction per chunk, not per file.  Returns how
 * many were stored and deleted; *stop is set on a database failure (the
 * failed files stay for the next round).
 */
static size_t replay_chunk(struct sink *s, char **names, size_t n, int *stop)
{
	struct replay_item *items = calloc(n, sizeof *items);
	struct pending *pend = calloc(n, sizeof *pend);
	size_t i, k = 0, done = 0;
	char bad[4200];

	if (items == NULL || pend == NULL) {
		free(items);
		free(pend);
		*stop = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		snprintf(items[i].path, sizeof items[i].path, "%s/%s", s->spool_dir, names[i]);
		if (replay_read(s, names[i], &items[i])) {
			long long when = strtoll(names[i], NULL, 10);

			pending_init(&pend[k++], items[i].res.items[0].report, items[i].client,
			             when > 0 ? when : 0);
			continue;
		}
		snprintf(bad, sizeof bad, "%s.bad", items[i].path);
		if (rename(items[i].path, bad) != 0)
			log_msg(LOG_ERR, "spool: cannot rename %s: %s", items[i].path, strerror(errno));
	}
	if (k > 0)
		put_many(s, pend, k);
	for (i = 0, k = 0; i < n; i++) {
		if (!items[i].valid)
			continue;
		if (pend[k].rc != TR_OK) {
			if (!*stop)
				log_msg(LOG_WARNING, "spool: replay paused, database: %s", pend[k].err.msg);
			*stop = 1;
		} else if (unlink(items[i].path) != 0) {
			log_msg(LOG_ERR, "spool: stored but cannot delete %s: %s (a later replay finds "
			        "it a duplicate)", items[i].path, strerror(errno));
		} else {
			done++;
		}
		k++;
	}
	for (i = 0; i < n; i++)
		extract_result_free(&items[i].res);
	free(items);
	free(pend);
	return done;
}

size_t sink_replay(struct sink *s, size_t *left)
{
	size_t n, i, done = 0;
	char **names;
	int stop = 0;

	if (left != NULL)
		*left = 0;
	if (s->spool_dir == NULL || atomic_load(&s->down_until) > (long long)time(NULL))
		return 0;
	names = list_spool(s->spool_dir, &n);
	for (i = 0; i < n && !stop; i += SINK_BATCH_MAX)
		done += replay_chunk(s, names + i, n - i < SINK_BATCH_MAX ? n - i : SINK_BATCH_MAX, &stop);
	if (left != NULL)
		*left = n - done;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (done > 0)
		log_msg(LOG_NOTICE, "spool: %zu report(s) replayed into the database", done);
	return done;
}
