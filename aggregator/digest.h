/*
 * digest: what the daily mail says, computed from summaries of this
 * window and of the one before it (of equal length), and written as
 * plain text and as HTML.  Everything from a report is escaped for where
 * it goes (esc_term() for text, html_text() for HTML).
 */
#ifndef TLSRPT_CLI_DIGEST_H
#define TLSRPT_CLI_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "presence.h"
#include "summary.h"

/* A failure rate "jumped" when it is at least this many times the
 * previous one and at least DIGEST_JUMP_MIN sessions failed. */
#define DIGEST_JUMP_FACTOR 3
#define DIGEST_JUMP_MIN 10
/* Failing senders listed; the rest are counted. */
#define DIGEST_MAX_SENDERS 25
/* New things listed per kind. */
#define DIGEST_MAX_NEW 10
/* Days in the chart: a longer window charts its last DIGEST_MAX_DAYS. */
#define DIGEST_MAX_DAYS 62
/* Widest bar of the text chart, in characters. */
#define DIGEST_BAR_WIDTH 20
/* Silent reporters listed; the rest are counted. */
#define DIGEST_MAX_SILENT 25

enum digest_kind {
	DIGEST_NEW_RESULT_TYPE,
	DIGEST_NEW_SENDING_IP,
	DIGEST_NEW_RECEIVING_MX,
	DIGEST_RATE_JUMP
};

struct digest_item {
	enum digest_kind kind;
	const char *name;            /* borrowed from the summaries */
	uint64_t failed;             /* sessions, this window */
	uint64_t successful;         /* RATE_JUMP: this window */
	uint64_t prev_successful;    /* RATE_JUMP: the window before */
	uint64_t prev_failed;
};

/* The summaries a digest is made of; the caller owns them. */
struct digest_input {
	int64_t since, until;        /* this window: [since, until) */
	const struct summary *senders, *prev_senders;          /* by submitter */
	const struct summary *domains;                         /* by policy-domain */
	const struct summary *now[3], *before[3];  /* result-type, sending-ip, receiving-mx */
	const struct summary *days;  /* by day, this window: the chart (NULL: none) */
	const struct presence *presence; /* over presence_window(now) (NULL: no silent list) */
	int64_t clock_now;           /* the time silence is judged at */
};

struct digest {
	const struct digest_input *in;
	struct digest_item *items;   /* owned */
	size_t n_items;
	size_t failing;              /* failing senders (summary_row_failing) */
	size_t ok_senders;           /* the others, folded as the summary folds them */
	uint64_t ok_sessions;        /* their sessions */
	uint64_t ok_failed;          /* their failures, all where no policy applies */
	const struct presence_reporter **silent; /* owned array of borrowed rows, by name */
	size_t n_silent;             /* presence_is_silent() at in->now */
};

/* Work out what is new; 0, or -1 on no memory (d is then empty). */
int digest_compute(struct digest *d, const struct digest_input *in);

void digest_free(struct digest *d);

/* Nothing to say: no failing sender in the window (failures where no
 * policy applies alone are no alarm, as in the summary). */
int digest_is_quiet(const struct digest *d);

/* "example.com", "example.com and 2 more", or "" when no policy
 * domain is known; escaped for a terminal, cut to a sane length.
 * malloc'd (free()), NULL on no memory. */
char *digest_domains(const struct digest *d);

/* The Subject (UTF-8 text, not yet header-encoded): "TLS report digest
 * example.com: 3 senders failed 1,204 of 93,551 sessions (1.3%)": the
 * failing senders and their failures under a policy, of all sessions.
 * malloc'd, NULL on no memory. */
char *digest_subject(const struct digest *d);

/* The bodies (UTF-8, LF line ends).  malloc'd, NULL on no memory. */
char *digest_text(const struct digest *d);
char *digest_html(const struct digest *d);

#endif
