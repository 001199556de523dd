/*
 * resolve: libunbound behind a small contract.  Queries run asynchronously
 * on libunbound's own thread so that this thread can give up at a
 * deadline (ub_cancel); libunbound's own retries can last minutes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "resolve.h"

struct resolve {
	struct ub_ctx *ctx;
	int timeout_ms;
	int validates;
	int timed_out;      /* a query timed out: the server is not answering */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum tr_err ub_failed(struct tr_error *err, const char *what, int rc)
{
	return tr_error_set(err, TR_ERR_IO, "%s: %s", what, ub_strerror(rc));
}

/*
 * libunbound answers the RFC 6761 name test. NXDOMAIN itself; a resolver
 * named on the command line may serve it (the tests' does), so pass it
 * on.  This finalises the context: it comes after every other option.
 */
static enum tr_err served_test(struct resolve *r, const char *server, struct tr_error *err)
{
	int rc;

	if (server == NULL)
		return TR_OK;
	rc = ub_ctx_zone_add(r->ctx, "test.", "transparent");
	if (rc != 0)
		return ub_failed(err, "libunbound local zone test.", rc);
	return TR_OK;
}

static enum tr_err configure(struct resolve *r, const char *server, const char *anchor,
                             struct tr_error *err)
{
	FILE *f;
	int rc;

	rc = ub_ctx_async(r->ctx, 1);
	if (rc != 0)
		return ub_failed(err, "libunbound threads", rc);
	if (server != NULL) {
		/* a resolver on loopback (127.0.0.53, a test's) is meant */
		rc = ub_ctx_set_option(r->ctx, "do-not-query-localhost:", "no");
		if (rc == 0)
			rc = ub_ctx_set_fwd(r->ctx, server);
		if (rc != 0)
			return tr_error_set(err, TR_ERR_USAGE, "--resolver %s: %s", server,
			                    ub_strerror(rc));
	} else {
		rc = ub_ctx_resolvconf(r->ctx, NULL);
		if (rc != 0)
			return tr_error_set(err, TR_ERR_IO, "/etc/resolv.conf: %s", ub_strerror(rc));
	}
	if (anchor == NULL) {
		if (access(RESOLVE_ROOT_ANCHOR, R_OK) != 0)
			return served_test(r, server, err);   /* nothing validates */
		anchor = RESOLVE_ROOT_ANCHOR;
	}
	/* libunbound reads the file only at the first query: say now what is
	 * wrong with it. */
	f = fopen(anchor, "r");
	if (f == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "trust anchor %s: %s", anchor, strerror(errno));
	fclose(f);
	rc = ub_ctx_add_ta_file(r->ctx, anchor);
	if (rc != 0)
		return tr_error_set(err, TR_ERR_USAGE, "trust anchor %s: %s", anchor, ub_strerror(rc));
	r->validates = 1;
	return served_test(r, server, err);
}

enum tr_err resolve_new(const char *server, const char *trust_anchor, int timeout_ms,
                        struct resolve **out, struct tr_error *err)
{
	struct resolve *r = calloc(1, sizeof *r);
	enum tr_err rc;

	*out = NULL;
	if (r == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	r->timeout_ms = timeout_ms;
	r->ctx = ub_ctx_create();
	if (r->ctx == NULL) {
		free(r);
		return tr_error_set(err, TR_ERR_NOMEM, "libunbound: cannot create a context");
	}
	rc = configure(r, server, trust_anchor, err);
	if (rc != TR_OK) {
		resolve_free(r);
		return rc;
	}
	*out = r;
	return TR_OK;
}

void resolve_free(struct resolve *r)
{
	if (r == NULL)
		return;
	ub_ctx_delete(r->ctx);
	free(r);
}

int resolve_validates(const struct resolve *r)
{
	return r->validates;
}

struct pending {
	int done;
	int rc;
	struct ub_result *res;
};

static void on_result(void *arg, int rc, struct ub_result *res)
{
	struct pending *p = arg;

	p->done = 1;
	p->rc = rc;
	p->res = res;
}

/* Wait for p until the deadline; 0 when it came, -1 on timeout. */
static int wait_answer(struct resolve *r, struct pending *p, int id)
{
	int64_t deadline = now_ms() + r->timeout_ms, left;
	struct pollfd pfd;

	while (!p->done) {
		left = deadline - now_ms();
		if (left <= 0) {
			ub_cancel(r->ctx, id);
			return -1;
		}
		pfd.fd = ub_fd(r->ctx);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			ub_cancel(r->ctx, id);
			return -1;
		}
		ub_process(r->ctx);
	}
	return 0;
}

static enum tr_err copy_result(const struct ub_result *res, struct resolve_answer *out,
                               struct tr_error *err)
{
	size_t n = 0;

	out->rcode = res->rcode;
	out->security = res->secure ? RESOLVE_SECURE : res->bogus ? RESOLVE_BOGUS : RESOLVE_INSECURE;
	if (res->bogus && res->why_bogus != NULL)
		snprintf(out->why_bogus, sizeof out->why_bogus, "%s", res->why_bogus);
	if (!res->havedata || res->data == NULL)
		return TR_OK;
	while (res->data[n] != NULL)
		n++;
	out->rr = calloc(n ? n : 1, sizeof *out->rr);
	if (out->rr == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t len = res->len[i] > 0 ? (size_t)res->len[i] : 0;

		out->rr[i].data = malloc(len ? len : 1);
		if (out->rr[i].data == NULL)
			return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
		memcpy(out->rr[i].data, res->data[i], len);
		out->rr[i].len = len;
		out->n++;
	}
	return TR_OK;
}

enum tr_err resolve_query(struct resolve *r, const char *name, int type,
                          struct resolve_answer *out, struct tr_error *err)
{
	struct pending p = { 0, 0, NULL };
	enum tr_err rc;
	int id = 0, urc;

	memset(out, 0, sizeof *out);
	if (r->timed_out)
		return tr_error_set(err, TR_ERR_IO, "not asked: the resolver did not answer before");
	urc = ub_resolve_async(r->ctx, name, type, 1, &p, on_result, &id);
	if (urc != 0)
		return tr_error_set(err, TR_ERR_IO, "%s", ub_strerror(urc));
	if (wait_answer(r, &p, id) != 0) {
		r->timed_out = 1;
		return tr_error_set(err, TR_ERR_IO, "no answer from the resolver within %d ms",
		                    r->timeout_ms);
	}
	if (p.rc != 0)
		return tr_error_set(err, TR_ERR_IO, "%s", ub_strerror(p.rc));
	rc = copy_result(p.res, out, err);
	ub_resolve_free(p.res);
	if (rc != TR_OK)
		resolve_answer_free(out);
	return rc;
}

void resolve_answer_free(struct resolve_answer *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->rr[i].data);
	free(a->rr);
	memset(a, 0, sizeof *a);
}

long resolve_txt_text(const struct resolve_rr *rr, char *out, size_t outlen)
{
	size_t i = 0, o = 0, n;

	while (i < rr->len) {
		n = rr->data[i++];
		if (n > rr->len - i || o + n >= outlen)
			return -1;
		memcpy(out + o, rr->data + i, n);
		o += n;
		i += n;
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return (long)o;
}

/* A wire-format name, uncompressed (libunbound decompresses rdata), as
 * text without the trailing dot; "." for the root. */
static int wire_name(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0, n;

	while (i < len) {
		n = p[i++];
		if (n == 0) {
			if (o == 0) {
				if (outlen < 2)
					return -1;
				out[o++] = '.';
			}
			out[o] = '\0';
			return 0;
		}
		if (n > 63 || n > len - i || o + n + 2 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (size_t k = 0; k < n; k++) {
			unsigned char c = p[i + k];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (c <= 0x20 || c >= 0x7f)
				c = '?';    /* never printed raw */
			out[o++] = (char)c;
		}
		i += n;
	}
	return -1;
}

int resolve_mx_parse(const struct resolve_rr *rr, unsigned *pref, char *name, size_t namelen)
{
	if (rr->len < 3)
		return -1;
	*pref = (unsigned)rr->data[0] << 8 | rr->data[1];
	return wire_name(rr->data + 2, rr->len - 2, name, namelen);
}

int resolve_tlsa_parse(const struct resolve_rr *rr, uint8_t *usage, uint8_t *selector,
                       uint8_t *mtype, const unsigned char **data, size_t *len)
{
	if (rr->len < 3)
		return -1;
	*usage = rr->data[0];
	*selector = rr->data[1];
	*mtype = rr->data[2];
	*data = rr->data + 3;
	*len = rr->len - 3;
	return 0;
}

int resolve_addr_text(const struct resolve_rr *rr, int type, char *out, size_t outlen)
{
	if (type == RESOLVE_A && rr->len == 4)
		return inet_ntop(AF_INET, rr->data, out, (socklen_t)outlen) != NULL ? 0 : -1;
	if (type == RESOLVE_AAAA && rr->len == 16)
		return inet_ntop(AF_INET6, rr->data, out, (socklen_t)outlen) != NULL ? 0 : -1;
	return -1;
}
