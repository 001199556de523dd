/*
 * mlfi: libmilter callbacks (see mlfi.h).  Mail for other recipients is
 * accepted at DATA, before its headers are sent; mail whose Content-Type
 * cannot hold a report is let through unread; the rest is buffered up to
 * MaxMessageSize and handed to msg_process() at end of message.
 *
 * Every reply is a round trip that stalls the MTA, so the milter asks for
 * no reply to recipients, headers, end of headers and body chunks: a
 * report mail then costs two round trips (DATA and end of message).  A
 * step without a reply cannot accept early: the decision is kept in
 * msg.passing and given at the next step that has a reply.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "drain.h"
#include "gate.h"
#include "log.h"
#include "mlfi.h"
#include "msg.h"

#define STATUS_HEADER "TLS-Report-Status"

struct mlfi_msg {
	struct conf *conf;       /* reference held for this message; NULL between messages,
	                          * and while set the message counts as in progress (drain.h) */
	int rcpt_matched;
	int headers_seen;
	int cannot_hold;         /* Content-Type rules a report out */
	int strip_only;          /* no report possible: only remove status headers */
	int n_status;            /* TLS-Report-Status fields that came from outside */
	int passing;             /* decided: accept at the next step with a reply, read nothing */
	struct buf data;         /* header block, CRLF, body */
};

/* every connection's reports go through one database handle (see msg.h) */
static struct msg_store mlfi_store = MSG_STORE_INIT;

/*
 * At most one message processed per CPU at a time (mlfi_init()).  Parsing
 * is CPU-bound, so more would not finish sooner, and each message may hold
 * several times MaxReportSize (inflated JSON and its tree): without the
 * cap the daemon's peak grew with the number of MTA connections (360 MB
 * for 8 concurrent 5.5 MB reports, docs/PERFORMANCE.md).
 */
static struct gate mlfi_gate = GATE_INIT;

/* what the milter did, for GET /metrics (metrics.h) */
static struct metrics mlfi_counts;

struct metrics *mlfi_metrics(void)
{
	return &mlfi_counts;
}

void mlfi_init(void)
{
	metrics_init(&mlfi_counts);
	int max = gate_set_max(&mlfi_gate, sysconf(_SC_NPROCESSORS_ONLN));

#ifdef M_ARENA_MAX
	/* glibc gives each thread its own arena, up to 8 per CPU, and keeps
	 * what a large report freed in it: the gate alone would not bound
	 * the resident size.  As many arenas as messages in flight. */
	mallopt(M_ARENA_MAX, max);
#else
	(void)max;
#endif
}

struct mlfi_conn {
	unsigned long actions;   /* SMFIF_* the MTA granted */
	unsigned long steps;     /* SMFIP_* the MTA granted: SKIP and the NR_* bits */
	struct mlfi_msg msg;
};

static struct mlfi_conn *conn_get(SMFICTX *ctx)
{
	struct mlfi_conn *cn = smfi_getpriv(ctx);

	if (cn != NULL)
		return cn;
	cn = calloc(1, sizeof *cn);
	if (cn == NULL)
		return NULL;
	/* without negotiation (old MTAs) assume the registered actions */
	cn->actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS;
	buf_init(&cn->msg.data, 0);
	smfi_setpriv(ctx, cn);
	drain_conn_begin();
	return cn;
}

/* The connection with its message started (config taken); NULL on no memory. */
static struct mlfi_conn *msg_get(SMFICTX *ctx)
{
	struct mlfi_conn *cn = conn_get(ctx);

	if (cn == NULL || cn->msg.conf != NULL)
		return cn;
	cn->msg.conf = conf_acquire();
	drain_msg_begin();
	buf_init(&cn->msg.data, cn->msg.conf->max_message);
	return cn;
}

static void msg_reset(struct mlfi_conn *cn)
{
	if (cn == NULL)
		return;
	if (cn->msg.conf != NULL)
		drain_msg_end();
	conf_release(cn->msg.conf);
	buf_free(&cn->msg.data);
	memset(&cn->msg, 0, sizeof cn->msg);
	buf_init(&cn->msg.data, 0);
}

static const char *queue_id(SMFICTX *ctx)
{
	const char *id = smfi_getsymval(ctx, "i");

	return id != NULL ? id : "-";
}

/* Done with this message: pass it on untouched. */
static sfsistat accept_now(struct mlfi_conn *cn)
{
	metrics_message(&mlfi_counts, 1);
	msg_reset(cn);
	return SMFIS_ACCEPT;
}

static void log_too_large(SMFICTX *ctx, const struct mlfi_conn *cn)
{
	log_msg(LOG_WARNING, "%s: message larger than MaxMessageSize (%zu bytes): passed untouched",
	        queue_id(ctx), cn->msg.conf->max_message);
}

/* What a step whose no-reply bit is nr answers when it has nothing to say. */
static sfsistat go_on(const struct mlfi_conn *cn, unsigned long nr)
{
	return (cn->steps & nr) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/*
 * Done with this message, from a step whose no-reply bit is nr.  When the
 * MTA expects no reply there, the accept waits for the next step that has
 * one; until then nothing more is read.
 */
static sfsistat pass(struct mlfi_conn *cn, unsigned long nr)
{
	if (!(cn->steps & nr))
		return accept_now(cn);
	cn->msg.passing = 1;
	buf_free(&cn->msg.data);
	buf_init(&cn->msg.data, 0);
	return SMFIS_NOREPLY;
}

static sfsistat too_large(SMFICTX *ctx, struct mlfi_conn *cn, unsigned long nr)
{
	log_too_large(ctx, cn);
	return pass(cn, nr);
}

/* 1 when Recipients is set and none of this message's recipients is in it. */
static int not_for_us(const struct mlfi_conn *cn)
{
	return cn->msg.conf->n_recipients > 0 && !cn->msg.rcpt_matched;
}

/*
 * The queue ID (for the log) is the one macro read; an MTA otherwise
 * sends a dozen per message (Postfix: milter_*_macros) for nothing.  An
 * MTA that cannot take the list keeps its own: harmless.
 */
static void ask_for_queue_id_only(SMFICTX *ctx)
{
	static const int stages[] = { SMFIM_ENVRCPT, SMFIM_DATA, SMFIM_EOH, SMFIM_EOM };
	size_t i;

	for (i = 0; i < sizeof stages / sizeof stages[0]; i++)
		(void)smfi_setsymlist(ctx, stages[i], "i");
}

static sfsistat mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                               unsigned long f2, unsigned long f3, unsigned long *pf0,
                               unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	/* a report mail has 10 to 30 headers, each a round trip without
	 * NR_HDR (see docs/PERFORMANCE.md, "The milter") */
	/* HDR_LEADSPC: header values exactly as sent, for DKIM's "simple"
	 * header canonicalization (verdict.h) */
	const unsigned long steps = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL |
	                            SMFIP_NOUNKNOWN | SMFIP_SKIP | SMFIP_NR_RCPT |
	                            SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY |
	                            SMFIP_HDR_LEADSPC;
	struct mlfi_conn *cn = conn_get(ctx);

	(void)f2;
	(void)f3;
	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
	*pf1 = f1 & steps;
	*pf2 = 0;
	*pf3 = 0;
	cn->actions = *pf0;
	cn->steps = *pf1;
	ask_for_queue_id_only(ctx);
	return SMFIS_CONTINUE;
}

static sfsistat mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct mlfi_conn *cn = msg_get(ctx);

	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	if (argv != NULL && argv[0] != NULL && cn->msg.conf->n_recipients > 0 &&
	    conf_recipient_match(cn->msg.conf, argv[0]))
		cn->msg.rcpt_matched = 1;
	return go_on(cn, SMFIP_NR_RCPT);
}

/* Every recipient is known: mail for others goes before its headers. */
static sfsistat mlfi_data(SMFICTX *ctx)
{
	struct mlfi_conn *cn = msg_get(ctx);

	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	if (not_for_us(cn)) {
		log_msg(LOG_DEBUG, "%s: not for a report address: accepted", queue_id(ctx));
		return accept_now(cn);
	}
	return SMFIS_CONTINUE;
}

static sfsistat mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct mlfi_conn *cn = msg_get(ctx);
	const char *sep;
	struct buf *b;

	/* NULL only without a negotiation, so without NR_HDR: a reply is expected */
	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	if (cn->msg.passing)
		return pass(cn, SMFIP_NR_HDR);
	if (!cn->msg.headers_seen) {
		cn->msg.headers_seen = 1;
		/* an MTA that does not send DATA gets the decision here */
		if (not_for_us(cn)) {
			log_msg(LOG_DEBUG, "%s: not for a report address: accepted", queue_id(ctx));
			return pass(cn, SMFIP_NR_HDR);
		}
	}
	if (strcasecmp(name, STATUS_HEADER) == 0) {
		cn->msg.n_status++;
		return go_on(cn, SMFIP_NR_HDR); /* never ours to read: it is removed at eom */
	}
	if (strcasecmp(name, "Content-Type") == 0 && !msg_may_hold_report(value))
		cn->msg.cannot_hold = 1;
	b = &cn->msg.data;
	sep = (cn->steps & SMFIP_HDR_LEADSPC) ? ":" : ": ";
	if (buf_append(b, name, strlen(name)) != TR_OK || buf_append(b, sep, strlen(sep)) != TR_OK ||
	    buf_append(b, value, strlen(value)) != TR_OK || buf_append(b, "\r\n", 2) != TR_OK) {
		log_too_large(ctx, cn);
		return pass(cn, SMFIP_NR_HDR);
	}
	return go_on(cn, SMFIP_NR_HDR);
}

static sfsistat mlfi_eoh(SMFICTX *ctx)
{
	struct mlfi_conn *cn = msg_get(ctx);

	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	if (cn->msg.passing || not_for_us(cn))
		return pass(cn, SMFIP_NR_EOH);
	if (cn->msg.cannot_hold) {
		if (cn->msg.n_status == 0 || !(cn->actions & SMFIF_CHGHDRS)) {
			log_msg(LOG_DEBUG, "%s: content type cannot hold a report: accepted",
			        queue_id(ctx));
			return pass(cn, SMFIP_NR_EOH);
		}
		cn->msg.strip_only = 1;
		return go_on(cn, SMFIP_NR_EOH);
	}
	if (buf_append(&cn->msg.data, "\r\n", 2) != TR_OK)
		return too_large(ctx, cn, SMFIP_NR_EOH);
	return go_on(cn, SMFIP_NR_EOH);
}

static sfsistat mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct mlfi_conn *cn = msg_get(ctx);

	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	if (cn->msg.passing)
		return pass(cn, SMFIP_NR_BODY);
	if (cn->msg.strip_only) {
		if (cn->steps & SMFIP_NR_BODY)
			return SMFIS_NOREPLY;
		return (cn->steps & SMFIP_SKIP) ? SMFIS_SKIP : SMFIS_CONTINUE;
	}
	if (buf_append(&cn->msg.data, chunk, len) != TR_OK)
		return too_large(ctx, cn, SMFIP_NR_BODY);
	return go_on(cn, SMFIP_NR_BODY);
}

/* Remove every TLS-Report-Status that came with the message: only we say that. */
static void strip_status(SMFICTX *ctx, struct mlfi_conn *cn)
{
	int i;

	if (!(cn->actions & SMFIF_CHGHDRS)) {
		if (cn->msg.n_status > 0)
			log_msg(LOG_WARNING, "%s: cannot remove %d foreign %s: MTA refused header changes",
			        queue_id(ctx), cn->msg.n_status, STATUS_HEADER);
		return;
	}
	for (i = cn->msg.n_status; i >= 1; i--)
		if (smfi_chgheader(ctx, STATUS_HEADER, i, NULL) != MI_SUCCESS)
			log_msg(LOG_WARNING, "%s: removing %s #%d failed", queue_id(ctx), STATUS_HEADER, i);
}

static sfsistat apply(SMFICTX *ctx, struct mlfi_conn *cn, const struct msg_decision *d)
{
	size_t i;

	switch (d->action) {
	case MSG_DISCARD:
		return SMFIS_DISCARD;
	case MSG_TEMPFAIL:
		smfi_setreply(ctx, "451", "4.3.0", "TLS report could not be stored, try again later");
		return SMFIS_TEMPFAIL;
	case MSG_REJECT:
		smfi_setreply(ctx, "550", "5.6.0", "no valid TLS report in this message");
		return SMFIS_REJECT;
	case MSG_ACCEPT:
		break;
	}
	strip_status(ctx, cn);
	if (!cn->msg.conf->add_header || !(cn->actions & SMFIF_ADDHDRS))
		return SMFIS_CONTINUE;
	for (i = 0; i < d->n; i++) {
		/* with HDR_LEADSPC the space after the colon is ours to write */
		char value[MSG_STATUS_MAX + 2];

		snprintf(value, sizeof value, "%s%s", (cn->steps & SMFIP_HDR_LEADSPC) ? " " : "",
		         d->status[i]);
		if (smfi_addheader(ctx, STATUS_HEADER, value) != MI_SUCCESS)
			log_msg(LOG_WARNING, "%s: adding %s failed", queue_id(ctx), STATUS_HEADER);
	}
	return SMFIS_CONTINUE;
}

/*
 * The daemon's own share of a message's latency, for bench/milter.sh: one
 * debug line per processed message.  Buffering the body is not counted;
 * it is spread over the body callbacks and costs a memcpy.
 */
static void log_eom_time(SMFICTX *ctx, const struct timespec *t0, size_t n_reports,
                         size_t bytes)
{
	struct timespec t1;
	double ms;

	if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
		return;
	ms = (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
	log_msg(LOG_DEBUG, "%s: eom: %zu reports in %.3f ms, %zu bytes", queue_id(ctx), n_reports,
	        ms, bytes);
}

static sfsistat mlfi_eom(SMFICTX *ctx)
{
	struct mlfi_conn *cn = msg_get(ctx);
	struct msg_decision d;
	struct timespec t0;
	sfsistat rc;

	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
		memset(&t0, 0, sizeof t0);
	if (cn == NULL)
		return SMFIS_TEMPFAIL;
	if (cn->msg.passing)
		return accept_now(cn);
	if (cn->msg.strip_only) {
		metrics_message(&mlfi_counts, 1);
		strip_status(ctx, cn);
		msg_reset(cn);
		return SMFIS_CONTINUE;
	}
	metrics_message(&mlfi_counts, 0);
	gate_enter(&mlfi_gate);
	msg_process((const char *)cn->msg.data.data, cn->msg.data.len, cn->msg.conf, &mlfi_store,
	            &mlfi_counts, queue_id(ctx), &d);
	gate_leave(&mlfi_gate);
	rc = apply(ctx, cn, &d);
	log_eom_time(ctx, &t0, d.n, cn->msg.data.len);
	msg_decision_free(&d);
	msg_reset(cn);
	return rc;
}

static sfsistat mlfi_abort(SMFICTX *ctx)
{
	msg_reset(smfi_getpriv(ctx));
	return SMFIS_CONTINUE;
}

static sfsistat mlfi_close(SMFICTX *ctx)
{
	struct mlfi_conn *cn = smfi_getpriv(ctx);

	/* a bare TCP probe closes without ever negotiating: cn may be NULL */
	if (cn == NULL)
		return SMFIS_CONTINUE;
	msg_reset(cn);
	free(cn);
	smfi_setpriv(ctx, NULL);
	drain_conn_end();
	return SMFIS_CONTINUE;
}

#define MLFI_IDLE_CLOSE_S 1  /* seconds without a report before the database is closed */

void mlfi_idle(void)
{
	msg_store_close_idle(&mlfi_store, MLFI_IDLE_CLOSE_S);
}

void mlfi_shutdown(void)
{
	msg_store_close(&mlfi_store);
}

struct smfiDesc mlfi_desc = {
	.xxfi_name = "tlsrpt-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_data = mlfi_data,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};
