/*
 * verdict: DKIM verified here, or an upstream verifier's fields believed
 * by position (see verdict.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "authres.h"
#include "log.h"
#include "verdict.h"

#define VERDICT_MAX_AUTHRES 32  /* Authentication-Results fields looked at */

const char *verdict_submitter(const struct extract_item *it)
{
	if (it->report != NULL && it->report->submitter != NULL)
		return it->report->submitter;
	return it->submitter;
}

static void set_all(const struct extract_result *res, struct verdict *out, const char *auth)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		out[i].auth = res->items[i].report != NULL ? auth : "unknown";
	}
}

static void log_signatures(const struct dkimverify_result *dr, const char *qid)
{
	char d[100], s[100];
	size_t i;

	for (i = 0; i < dr->n; i++) {
		log_clean(dr->sigs[i].domain, d, sizeof d);
		log_clean(dr->sigs[i].selector, s, sizeof s);
		log_msg(LOG_DEBUG, "%s: dkim signature d=%s s=%s: %s", qid, d, s,
		        dr->sigs[i].why != NULL ? dr->sigs[i].why : "not looked at");
	}
}

static void judge_dkim(const struct conf *c, const char *data, size_t len,
                       const struct extract_result *res, const char *qid, struct verdict *out)
{
	struct dkimverify *v = NULL;
	struct dkimverify_result dr;
	struct tr_error err;
	const char **subs;
	enum tr_err rc;
	size_t i, n_valid = 0;

	subs = calloc(res->n, sizeof *subs);
	if (subs == NULL) {
		log_msg(LOG_ERR, "%s: dkim: out of memory", qid);
		set_all(res, out, "temperror");
		return;
	}
	for (i = 0; i < res->n; i++) {
		subs[i] = res->items[i].report != NULL ? verdict_submitter(&res->items[i]) : NULL;
		n_valid += res->items[i].report != NULL;
	}
	if (n_valid == 0) {
		/* nothing to store: libopendkim is not even started */
		set_all(res, out, "unknown");
		free(subs);
		return;
	}
	tr_error_clear(&err);
	rc = dkimverify_open(c->dkim_key_file, c->dkim_timeout, &v, &err);
	if (rc == TR_OK)
		rc = dkimverify_message(v, data, len, subs, res->n, &dr, &err);
	v = dkimverify_close(v);
	if (rc != TR_OK) {
		int bad_input = rc == TR_ERR_LIMIT || rc == TR_ERR_FORMAT;

		log_msg(bad_input ? LOG_NOTICE : LOG_ERR, "%s: %s", qid, err.msg);
		set_all(res, out, bad_input ? "fail" : "temperror");
		free(subs);
		return;
	}
	log_signatures(&dr, qid);
	for (i = 0; i < res->n; i++) {
		const struct dkimverify_sig *which = NULL;

		memset(&out[i], 0, sizeof out[i]);
		if (subs[i] == NULL) {
			out[i].auth = "unknown";
			continue;
		}
		out[i].auth = dkimverify_verdict_name(dkimverify_verdict(&dr, subs[i], &which));
		if (which != NULL) {
			memcpy(out[i].dkim_domain, which->domain, sizeof out[i].dkim_domain);
			memcpy(out[i].dkim_selector, which->selector, sizeof out[i].dkim_selector);
		}
	}
	free(subs);
}

/*
 * The Authentication-Results fields the local MTA chain added: those
 * above the first Received: field (verdict.h says why), up to the cap.
 */
static size_t collect_local_authres(const struct mime_headers *h, struct authres *ar)
{
	size_t i, n = 0;

	for (i = 0; i < h->n && n < VERDICT_MAX_AUTHRES; i++) {
		if (strcasecmp(h->v[i].name, "Received") == 0)
			break;
		if (strcasecmp(h->v[i].name, "Authentication-Results") != 0)
			continue;
		if (authres_parse(h->v[i].value, &ar[n]) == 0)
			n++;
	}
	return n;
}

static void judge_authres(const struct conf *c, const struct extract_result *res,
                          struct verdict *out)
{
	struct authres *ar = calloc(VERDICT_MAX_AUTHRES, sizeof *ar);
	size_t i, n_ar = 0;

	if (ar != NULL)
		n_ar = collect_local_authres(&res->headers, ar);
	for (i = 0; i < res->n; i++) {
		enum authres_verdict v;

		memset(&out[i], 0, sizeof out[i]);
		if (res->items[i].report == NULL || (ar == NULL && c->n_trusted > 0)) {
			out[i].auth = res->items[i].report == NULL ? "unknown" : "temperror";
			continue;
		}
		v = authres_verdict(ar, n_ar, (const char *const *)c->trusted_ids, c->n_trusted,
		                    verdict_submitter(&res->items[i]));
		out[i].auth = authres_verdict_name(v);
	}
	free(ar);
}

void verdict_judge(const struct conf *c, const char *data, size_t len,
                   const struct extract_result *res, const char *queue_id, struct verdict *out)
{
	const char *qid = queue_id != NULL ? queue_id : "-";

	if (c->dkim_verify)
		judge_dkim(c, data, len, res, qid, out);
	else
		judge_authres(c, res, out);
}
