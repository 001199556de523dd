/*
 * msg: reports in, decisions out (see msg.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>

#include "count.h"
#include "extract.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "spool.h"
#include "verdict.h"

#define MSG_WRITE_WAIT_S 5  /* longest wait for this process's turn to write */

int msg_may_hold_report(const char *content_type)
{
	static const char *const never[] = {
		"text/html", "image/", "audio/", "video/", "font/", "model/"
	};
	char type[64];
	size_t i, n = 0;
	const char *p = content_type;

	if (p == NULL)
		return 1;
	while (isspace((unsigned char)*p))
		p++;
	while (p[n] != '\0' && p[n] != ';' && !isspace((unsigned char)p[n]) && n + 1 < sizeof type) {
		type[n] = (char)tolower((unsigned char)p[n]);
		n++;
	}
	type[n] = '\0';
	for (i = 0; i < sizeof never / sizeof never[0]; i++) {
		size_t len = strlen(never[i]);

		if (never[i][len - 1] == '/' ? strncmp(type, never[i], len) == 0
		                             : strcmp(type, never[i]) == 0)
			return 0;
	}
	return 1;
}

/* Close the handle; the caller holds st->lock. */
static void msg_store_drop(struct msg_store *st)
{
	st->store = store_close(st->store);
	free(st->path);
	st->path = NULL;
}

void msg_store_close_idle(struct msg_store *st, int idle_s)
{
	struct timespec now;

	if (st == NULL || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return;
	if (pthread_mutex_trylock(&st->lock) != 0)
		return; /* in use: not idle */
	if (st->store != NULL && now.tv_sec - st->used.tv_sec >= idle_s)
		msg_store_drop(st);
	pthread_mutex_unlock(&st->lock);
}

void msg_store_close(struct msg_store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&st->lock);
	msg_store_drop(st);
	pthread_mutex_unlock(&st->lock);
}

/* 1 when st's path still names the file st opened; a server's database
 * (a URI) has no file here to be deleted or replaced. */
static int msg_store_same_file(const struct msg_store *st)
{
	struct stat sb;

	if (db_is_postgres(st->path))
		return 1;
	return stat(st->path, &sb) == 0 && sb.st_dev == st->dev && sb.st_ino == st->ino;
}

/* The open store for c->database, opening (or reopening) it as needed;
 * the caller holds st->lock. */
static enum tr_err msg_store_get(struct msg_store *st, const struct conf *c, struct tr_error *err)
{
	struct stat sb;
	enum tr_err rc;

	if (st->store != NULL && st->path != NULL && strcmp(st->path, c->database) == 0) {
		if (msg_store_same_file(st))
			return TR_OK;
		log_msg(LOG_WARNING, "database %s was deleted or replaced: reopening", st->path);
	}
	msg_store_drop(st);
	st->path = strdup(c->database);
	if (st->path == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	rc = store_open(c->database, STORE_OPEN_CREATE, 0, &st->store, err);
	if (rc != TR_OK)
		return rc;
	if (db_is_postgres(c->database))
		return TR_OK;
	if (stat(c->database, &sb) != 0) {
		msg_store_drop(st);
		return tr_error_set(err, TR_ERR_IO, "%s: %s", c->database, strerror(errno));
	}
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	return TR_OK;
}

void msg_decision_free(struct msg_decision *d)
{
	if (d == NULL)
		return;
	free(d->status);
	d->status = NULL;
	d->n = 0;
}

/* "a.example,b.example" from a report's distinct policy domains, bounded. */
static void policy_domains(const struct tlsrpt_report *r, char *out, size_t outlen)
{
	size_t i, used = 0;
	char clean[256];

	out[0] = '\0';
	for (i = 0; i < r->n_policies; i++) {
		size_t len;

		log_clean(r->policies[i].policy_domain, clean, sizeof clean);
		len = strlen(clean);
		if (strstr(out, clean) != NULL)
			continue;
		if (used + len + 2 >= outlen)
			break;
		if (used > 0)
			out[used++] = ',';
		memcpy(out + used, clean, len + 1);
		used += len;
	}
}

enum outcome { OUT_STORED, OUT_DUPLICATE, OUT_IGNORED, OUT_INVALID, OUT_ERROR };

static const char *outcome_name(enum outcome o)
{
	switch (o) {
	case OUT_STORED: return "stored";
	case OUT_DUPLICATE: return "duplicate";
	case OUT_IGNORED: return "ignored";
	case OUT_INVALID: return "invalid";
	case OUT_ERROR: return "error";
	}
	return "error";
}

/* "<sep>dkim-domain=d<sep>dkim-selector=s": the signature behind the
 * verdict, for the log (sep " ") or the status header (sep "; "). */
static void dkim_words(const struct verdict *vd, const char *sep, char *out, size_t outlen)
{
	char d[100], s[100];

	log_clean(vd->dkim_domain, d, sizeof d);
	log_clean(vd->dkim_selector, s, sizeof s);
	snprintf(out, outlen, "%sdkim-domain=%s%sdkim-selector=%s", sep, d, sep, s);
}

/* One log line and one status value for item it. */
static void describe(const struct extract_item *it, enum outcome o, const struct verdict *vd,
                     const char *why, const char *qid, char *status)
{
	char sub[100], rid[128], reason[120], domains[256] = "-", dkim_log[240] = "";
	char dkim_hdr[240] = "";
	const char *auth = vd != NULL ? vd->auth : "unknown";
	uint64_t ok = 0, failed = 0;
	const char *submitter = it->report ? it->report->submitter : it->submitter;

	if (submitter == NULL)
		submitter = it->submitter;
	log_clean(submitter, sub, sizeof sub);
	log_clean(it->report ? it->report->report_id : it->report_id, rid, sizeof rid);
	log_clean(why, reason, sizeof reason);
	if (it->report != NULL) {
		/* the sessions as the summaries count them (count.h); 0 and 0
		 * only when out of memory, for a log line */
		(void)count_report_totals(it->report, &ok, &failed, NULL);
		policy_domains(it->report, domains, sizeof domains);
	}
	if (o == OUT_INVALID || o == OUT_ERROR) {
		log_msg(o == OUT_ERROR ? LOG_ERR : LOG_NOTICE,
		        "%s: %s (%s): submitter=%s report-id=%s", qid, outcome_name(o), reason, sub, rid);
		snprintf(status, MSG_STATUS_MAX, "%s (%s); submitter=%s; report-id=%s",
		         outcome_name(o), reason, sub, rid);
		return;
	}
	if (vd != NULL && vd->dkim_domain[0] != '\0') {
		dkim_words(vd, " ", dkim_log, sizeof dkim_log);
		dkim_words(vd, "; ", dkim_hdr, sizeof dkim_hdr);
	}
	log_msg(o == OUT_IGNORED ? LOG_NOTICE : LOG_INFO,
	        "%s: %s: submitter=%s report-id=%s policy-domains=%s successful=%" PRIu64
	        " failed=%" PRIu64 " auth=%s%s", qid, outcome_name(o), sub, rid, domains, ok, failed,
	        auth, dkim_log);
	snprintf(status, MSG_STATUS_MAX, "%s; submitter=%s; report-id=%s; failed=%" PRIu64
	         "; auth=%s%s", outcome_name(o), sub, rid, failed, auth, dkim_hdr);
}

/*
 * The milter's threads take turns at the one handle (st->lock).  SQLite's
 * busy handler polls with growing sleeps, and among dozens of writers in
 * one process an unlucky one can lose every poll for the whole busy
 * timeout (seen with 50 concurrent SMTP sessions: "database is locked",
 * mail tempfailed).  A mutex queues them instead.  Waiting for it is bounded like the busy
 * timeout, so that a database locked from outside still ends in spool or
 * tempfail rather than in the MTA's milter timeout.
 */
static enum tr_err write_turn_take(struct msg_store *st, struct tr_error *err)
{
	struct timespec until;
	int rc;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += MSG_WRITE_WAIT_S;
	rc = pthread_mutex_timedlock(&st->lock, &until);
	if (rc == 0)
		return TR_OK;
	return tr_error_set(err, TR_ERR_BUSY, "database busy: no turn to write within %d s (%s)",
	                    MSG_WRITE_WAIT_S, strerror(rc));
}

/*
 * Store one valid report with its verdict vd; TR_OK with *o set, or the
 * store's error.  With RequireAuthentication yes a report that does not
 * pass is not stored (RFC 8460 §3: "MUST be ignored"): the mail that
 * carries it is still delivered, so it can be imported later.
 */
static enum tr_err store_one(const struct extract_item *it, const struct extract_result *res,
                             const struct verdict *vd, const struct conf *c,
                             struct msg_store *st, enum outcome *o, struct tr_error *err)
{
	struct store_meta meta;
	enum store_outcome so;
	enum tr_err rc;

	if (c->require_auth && strcmp(vd->auth, "pass") != 0) {
		*o = OUT_IGNORED;
		return TR_OK;
	}
	memset(&meta, 0, sizeof meta);
	meta.source = "milter";
	meta.message_id = res->message_id;
	meta.auth = vd->auth;
	meta.counted = 1;
	meta.dkim_domain = vd->dkim_domain[0] != '\0' ? vd->dkim_domain : NULL;
	meta.dkim_selector = vd->dkim_selector[0] != '\0' ? vd->dkim_selector : NULL;
	meta.client_addr = NULL;
	rc = write_turn_take(st, err);
	if (rc == TR_OK) {
		rc = msg_store_get(st, c, err);
		if (rc == TR_OK)
			rc = store_put_report(st->store, it->report, &meta, &so, err);
		if (rc != TR_OK)
			msg_store_drop(st); /* reopen on the next message */
		clock_gettime(CLOCK_MONOTONIC, &st->used);
		pthread_mutex_unlock(&st->lock);
	}
	if (rc != TR_OK)
		return rc;
	*o = so == STORE_DUPLICATE ? OUT_DUPLICATE : OUT_STORED;
	return TR_OK;
}

/* The database failed: spool the raw message, else tempfail or accept. */
static enum msg_action on_store_error(const char *data, size_t len, const struct conf *c,
                                      const char *qid, const struct tr_error *why,
                                      struct metrics *m)
{
	char path[4096];
	struct tr_error err;

	log_msg(LOG_ERR, "%s: cannot store report: %s", qid, why->msg);
	if (c->spool_dir != NULL) {
		tr_error_clear(&err);
		if (spool_write(c->spool_dir, data, len, path, sizeof path, &err) == TR_OK) {
			log_msg(LOG_WARNING, "%s: message spooled to %s for a later import", qid, path);
			metrics_report(m, METRICS_SPOOLED);
			return MSG_ACCEPT;
		}
		log_msg(LOG_ERR, "%s: cannot spool message: %s", qid, err.msg);
	}
	metrics_report(m, METRICS_ERROR);
	if (c->on_error_tempfail) {
		log_msg(LOG_WARNING, "%s: asking the MTA to retry later (OnError tempfail)", qid);
		return MSG_TEMPFAIL;
	}
	log_msg(LOG_ERR, "%s: message delivered with its report(s) not stored (OnError accept)", qid);
	return MSG_ACCEPT;
}

/* Count what became of a report that reached the database. */
static void count_stored(struct metrics *m, const struct extract_item *it, enum outcome o,
                         const char *auth, const struct timespec *t0)
{
	static const enum metrics_outcome as[] = {
		[OUT_STORED] = METRICS_STORED, [OUT_DUPLICATE] = METRICS_DUPLICATE,
		[OUT_IGNORED] = METRICS_IGNORED
	};
	struct timespec t1;

	if (m == NULL)
		return;
	if (clock_gettime(CLOCK_MONOTONIC, &t1) == 0)
		metrics_store_seconds(m, (double)(t1.tv_sec - t0->tv_sec) +
		                         (double)(t1.tv_nsec - t0->tv_nsec) / 1e9);
	metrics_report(m, as[o]);
	if (o == OUT_DUPLICATE)
		return;
	metrics_auth(m, auth);
	if (o == OUT_STORED)
		metrics_sessions(m, it->report);
}

enum msg_action msg_process(const char *data, size_t len, const struct conf *c,
                            struct msg_store *st, struct metrics *m, const char *queue_id,
                            struct msg_decision *out)
{
	struct extract_result res;
	struct verdict *vd;
	struct tr_limits lim;
	struct tr_error err;
	size_t i, n_valid = 0, n_committed = 0;
	int partial;
	const char *qid = queue_id ? queue_id : "-";
	enum tr_err rc;

	memset(out, 0, sizeof *out);
	out->action = MSG_ACCEPT;
	limits_default(&lim);
	lim.max_message = c->max_message + 2;
	lim.max_decoded = c->max_message;
	lim.max_inflated = c->max_report;
	tr_error_clear(&err);
	rc = extract_message(data, len, &lim, &res, &err);
	if (rc == TR_ERR_NOMEM) {
		extract_result_free(&res);
		out->action = on_store_error(data, len, c, qid, &err, m);
		return out->action;
	}
	/* What was not read may hold reports: such a mail is never discarded. */
	partial = rc != TR_OK;
	if (partial)
		log_msg(LOG_WARNING, "%s: message only partly read: %s", qid, err.msg);
	if (res.n == 0) {
		log_msg(LOG_DEBUG, "%s: no report in message", qid);
		extract_result_free(&res);
		return out->action;
	}
	out->status = calloc(res.n, sizeof *out->status);
	vd = calloc(res.n, sizeof *vd);
	if (out->status == NULL || vd == NULL) {
		free(vd);
		extract_result_free(&res);
		tr_error_set(&err, TR_ERR_NOMEM, "out of memory");
		out->action = on_store_error(data, len, c, qid, &err, m);
		return out->action;
	}
	out->n = res.n;
	verdict_judge(c, data, len, &res, qid, vd);
	for (i = 0; i < res.n; i++) {
		const struct extract_item *it = &res.items[i];
		enum outcome o = OUT_INVALID;
		struct timespec t0;

		if (it->report == NULL)
			metrics_invalid(m, it->error.code);
		if (it->report != NULL) {
			n_valid++;
			tr_error_clear(&err);
			if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
				memset(&t0, 0, sizeof t0);
			rc = store_one(it, &res, &vd[i], c, st, &o, &err);
			if (rc != TR_OK) {
				describe(it, OUT_ERROR, &vd[i], err.msg, qid, out->status[i]);
				out->action = on_store_error(data, len, c, qid, &err, m);
				out->n = 0; /* headers would claim what did not happen */
				free(vd);
				extract_result_free(&res);
				return out->action;
			}
			if (o != OUT_IGNORED)
				n_committed++;
			count_stored(m, it, o, vd[i].auth, &t0);
		}
		describe(it, o, &vd[i], it->report ? NULL : it->error.msg, qid, out->status[i]);
	}
	free(vd);
	extract_result_free(&res);
	if (n_valid == 0 && c->on_invalid_reject) {
		log_msg(LOG_NOTICE, "%s: no valid report: rejected (OnInvalid reject)", qid);
		out->action = MSG_REJECT;
	} else if (n_committed == out->n && !partial && c->on_stored_discard) {
		log_msg(LOG_INFO, "%s: every report stored: discarded (OnStored discard)", qid);
		out->action = MSG_DISCARD;
	}
	return out->action;
}
