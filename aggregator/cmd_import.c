/*
 * import: every report found under the PATHs is stored once.  One line per
 * report on stdout (stored, duplicate or invalid), problems on stderr, a
 * count at the end.
 *
 * Reports are stored in batches (one commit each) of up to BATCH_MAX_REPORTS
 * or BATCH_MAX_NS, whichever comes first, across files: a commit per file
 * made a 5000-file spool take 16 s, mostly in fsync; the time bound keeps
 * the write lock short so that the milter (which waits up to five seconds
 * for it, polling) and other importers get their turn: with one-second
 * batches a competing writer waited up to 2.4 s on a loaded machine,
 * with a quarter of a second up to 1 s.
 *
 * With more than one CPU, a second thread reads the PATHs and parses their
 * reports while this one stores them: the import takes about the longer
 * of the two instead of their sum.  What the reader finds goes through a
 * small bounded queue, in order, and everything the user sees is printed
 * here, so output, counts and exit status are those of one thread.
 * TLSRPT_IMPORT_THREADS=1 does it all in one thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "count.h"
#include "dkimverify.h"
#include "extract.h"
#include "output.h"
#include "source.h"

/* How long a writer waits for another to finish (concurrent importers). */
#define IMPORT_BUSY_TIMEOUT_MS 60000
#define PROGRESS_INTERVAL_NS 500000000LL
#define BATCH_MAX_REPORTS 10000
#define BATCH_MAX_NS 250000000LL
/* The reader runs ahead by at most this many units, and by at most
 * QUEUE_MAX_BYTES of messages and their reports' JSON once it is one
 * unit ahead: a few messages, whatever their size (each bounded by the
 * limits). */
#define QUEUE_SLOTS 8
#define QUEUE_MAX_BYTES (8u << 20)

struct import_run {
	struct cli *c;
	struct store *st;
	int in_batch;
	size_t batch_reports;
	struct timespec batch_started;
	int status;
	size_t stored, duplicate, invalid;
	size_t files, reports;
	struct dkimverify *dkim;  /* --verify-dkim: verify each message; NULL: "unknown" */
	int progress;             /* show progress on stderr */
	int progress_shown;
	struct timespec last_progress;
};

static void progress_clear(struct import_run *run)
{
	if (run->progress_shown)
		fputs("\r\033[K", stderr);
	run->progress_shown = 0;
}

static long long ns_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - then->tv_sec) * 1000000000LL +
	       (now.tv_nsec - then->tv_nsec);
}

static void progress_tick(struct import_run *run)
{
	if (!run->progress || ns_since(&run->last_progress) < PROGRESS_INTERVAL_NS)
		return;
	clock_gettime(CLOCK_MONOTONIC, &run->last_progress);
	fprintf(stderr, "\r%zu files, %zu reports", run->files, run->reports);
	run->progress_shown = 1;
}

static void import_outcome(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome,
                           const struct tr_error *err);

/* Open a batch before the first report of one; a failure is reported and
 * the reports are then stored one transaction each. */
static void batch_open(struct import_run *run)
{
	struct tr_error err;

	if (run->in_batch)
		return;
	tr_error_clear(&err);
	if (store_batch_begin(run->st, import_outcome, run, &err) != TR_OK) {
		progress_clear(run);
		cli_error("cannot start a transaction: %s", err.msg);
		run->status = CLI_FAIL;
		return;
	}
	run->in_batch = 1;
	run->batch_reports = 0;
	clock_gettime(CLOCK_MONOTONIC, &run->batch_started);
}

static void batch_close(struct import_run *run)
{
	struct tr_error err;

	if (!run->in_batch)
		return;
	run->in_batch = 0;
	tr_error_clear(&err);
	if (store_batch_end(run->st, &err) != TR_OK) {
		progress_clear(run);
		cli_error("commit failed, the last %zu reports may not be stored: %s",
		          run->batch_reports, err.msg);
		run->status = CLI_FAIL;
	}
}

/* Before printing anything else: the outcomes of the reports put so far,
 * so that the lines stay in the order of the input. */
static void outcomes_due(struct import_run *run)
{
	if (run->in_batch)
		(void)store_batch_write(run->st, NULL);
}

static void batch_close_if_due(struct import_run *run)
{
	if (run->in_batch && (run->batch_reports >= BATCH_MAX_REPORTS ||
	                      ns_since(&run->batch_started) >= BATCH_MAX_NS))
		batch_close(run);
}

static void import_file_begin(void *ctx, const char *path)
{
	struct import_run *run = ctx;

	run->files++;
	/* stdin may block for as long as it likes: not with the lock held */
	if (strcmp(path, "-") == 0)
		batch_close(run);
}

static void import_problem(void *ctx, const char *label, const struct tr_error *err)
{
	struct import_run *run = ctx;
	char *l = esc_term(label, "-");
	char *why = esc_term(err->msg, ""); /* may quote the report */

	outcomes_due(run);
	progress_clear(run);
	cli_error("%s: %s", l != NULL ? l : "?", why != NULL ? why : "?");
	free(l);
	free(why);
	if (err->code == TR_ERR_LIMIT || err->code == TR_ERR_FORMAT) {
		run->invalid++;
		run->status = cli_worse(run->status, CLI_INVALID);
	} else {
		run->status = CLI_FAIL;
	}
}

static void print_invalid(const struct extract_item *it)
{
	char *sub = esc_term(it->submitter, "-");
	char *rid = esc_term(it->report_id, "-");
	char *why = esc_term(it->error.msg, "");

	printf("invalid %s %s: %s\n", sub ? sub : "?", rid ? rid : "?", why ? why : "?");
	free(sub);
	free(rid);
	free(why);
}

/* A report's verdict at import: "unknown" unless --verify-dkim verified it. */
struct import_verdict {
	const char *auth;
	const struct dkimverify_sig *sig; /* behind the verdict, or NULL */
};

/* What a report's outcome line says, kept until the batch tells the
 * outcome (the report itself is freed before). */
struct import_put {
	char *label;           /* as given, NULL when none */
	char *sub, *rid;       /* escaped for the terminal */
	size_t n_policies;
	uint64_t ok, failed;   /* the sessions as the summaries count them */
	const char *auth;      /* static: a verdict's name */
};

static struct import_put *import_put_free(struct import_put *p)
{
	if (p != NULL) {
		free(p->label);
		free(p->sub);
		free(p->rid);
		free(p);
	}
	return NULL;
}

/* "stored ...", "duplicate ..." or "cannot store ...", and the counts. */
static void print_outcome(struct import_run *run, const struct import_put *p, enum tr_err rc,
                          enum store_outcome outcome, const struct tr_error *err)
{
	const char *sub = p != NULL && p->sub != NULL ? p->sub : "?", *rid = p != NULL && p->rid != NULL ? p->rid : "?";

	if (rc != TR_OK) {
		char *l = esc_term(p != NULL ? p->label : NULL, "-");
		char *why = esc_term(err->msg, "");

		progress_clear(run);
		cli_error("%s: cannot store %s %s: %s", l ? l : "?", sub, rid, why ? why : "?");
		free(l);
		free(why);
		run->status = CLI_FAIL;
	} else if (outcome == STORE_DUPLICATE) {
		printf("duplicate %s %s\n", sub, rid);
		run->duplicate++;
	} else {
		printf("stored %s %s (%zu policies, %llu ok, %llu failed)%s%s\n", sub, rid,
		       p != NULL ? p->n_policies : 0, (unsigned long long)(p != NULL ? p->ok : 0),
		       (unsigned long long)(p != NULL ? p->failed : 0), run->dkim != NULL ? " dkim=" : "",
		       run->dkim != NULL && p != NULL ? p->auth : "");
		run->stored++;
	}
}

/* The batch's word on a report put with store_batch_put(). */
static void import_outcome(void *ctx, void *tag, enum tr_err rc, enum store_outcome outcome,
                           const struct tr_error *err)
{
	print_outcome(ctx, tag, rc, outcome, err);
	import_put_free(tag);
}

static void store_item(struct import_run *run, const struct extract_item *it,
                       const struct extract_result *res, const char *label,
                       const struct import_verdict *vd)
{
	const struct tlsrpt_report *r = it->report;
	struct store_meta meta = { .source = "import", .message_id = res->message_id,
	                           .auth = vd->auth, .counted = 1, .received_at = cli_now(),
	                           .dkim_domain = vd->sig != NULL ? vd->sig->domain : NULL,
	                           .dkim_selector = vd->sig != NULL ? vd->sig->selector : NULL };
	enum store_outcome outcome = STORE_STORED;
	struct import_put *p = calloc(1, sizeof *p);
	struct tr_error err;
	enum tr_err rc;

	tr_error_clear(&err);
	if (p != NULL) {
		p->label = label != NULL ? strdup(label) : NULL; /* escaped only if printed */
		p->sub = esc_term(r->submitter != NULL ? r->submitter : it->submitter, "-");
		p->rid = esc_term(r->report_id, "-");
		p->n_policies = r->n_policies;
		p->auth = vd->auth;
		/* 0 and 0 only when out of memory */
		(void)count_report_totals(r, &p->ok, &p->failed, NULL);
	}
	batch_open(run);
	run->batch_reports++;
	if (run->in_batch) {
		rc = store_batch_put(run->st, r, &meta, p, &err);
		if (rc == TR_OK)
			return; /* import_outcome() prints it */
	} else {
		rc = store_put_report(run->st, r, &meta, &outcome, &err);
	}
	print_outcome(run, p, rc, outcome, &err);
	import_put_free(p);
}

/* Not an error: report mailboxes receive other mail too. */
static void report_no_report(struct import_run *run, const char *label)
{
	char *l = esc_term(label, "-");

	outcomes_due(run);
	progress_clear(run);
	cli_error("no report in %s", l != NULL ? l : "?");
	free(l);
}

/* What source_extract() found in one unit. */
static void import_result(struct import_run *run, const char *label, enum tr_err rc,
                          const struct extract_result *res, const struct tr_error *err,
                          const struct import_verdict *vd)
{
	static const struct import_verdict unknown = { "unknown", NULL };

	for (size_t i = 0; i < res->n; i++) {
		run->reports++;
		if (res->items[i].report == NULL) {
			outcomes_due(run);
			print_invalid(&res->items[i]);
			run->invalid++;
			run->status = cli_worse(run->status, CLI_INVALID);
		} else {
			store_item(run, &res->items[i], res, label, vd != NULL ? &vd[i] : &unknown);
		}
	}
	if (rc != TR_OK)
		import_problem(run, label, err);
	else if (res->n == 0)
		report_no_report(run, label);
	batch_close_if_due(run);
	progress_tick(run);
}

/*
 * --verify-dkim: the verdict of each report of a message (vd[0..res->n)),
 * keys fetched now (they may have been rotated since the mail came).  A raw
 * report file carries no signature: its reports stay "unknown".  Returns
 * NULL when nothing was verified.
 */
static struct import_verdict *verify_unit(struct import_run *run, const struct source_unit *u,
                                          const struct extract_result *res,
                                          struct dkimverify_result *dr)
{
	struct import_verdict *vd;
	const char **subs;
	struct tr_error err;
	size_t i;

	if (run->dkim == NULL || u->raw || res->n == 0)
		return NULL;
	vd = calloc(res->n, sizeof *vd);
	subs = calloc(res->n, sizeof *subs);
	if (vd == NULL || subs == NULL) {
		free(vd);
		free(subs);
		return NULL;
	}
	for (i = 0; i < res->n; i++) {
		const struct tlsrpt_report *r = res->items[i].report;

		subs[i] = r == NULL ? NULL : r->submitter != NULL ? r->submitter : res->items[i].submitter;
	}
	tr_error_clear(&err);
	if (dkimverify_message(run->dkim, u->data, u->len, subs, res->n, dr, &err) != TR_OK) {
		memset(dr, 0, sizeof *dr);
		dr->temp = err.code != TR_ERR_LIMIT && err.code != TR_ERR_FORMAT;
		dr->n_signatures = 1;
	}
	for (i = 0; i < res->n; i++)
		vd[i].auth = dkimverify_verdict_name(dkimverify_verdict(dr, subs[i], &vd[i].sig));
	free(subs);
	return vd;
}

static void import_unit(void *ctx, const struct source_unit *u)
{
	struct import_run *run = ctx;
	struct extract_result res;
	struct dkimverify_result dr;
	struct import_verdict *vd;
	struct tr_error err;
	enum tr_err rc = source_extract(u, &run->c->lim, &res, &err);

	vd = verify_unit(run, u, &res, &dr);
	import_result(run, u->label, rc, &res, &err, vd);
	free(vd);
	extract_result_free(&res);
}

static const struct source_ops import_ops = {
	.file_begin = import_file_begin,
	.unit = import_unit,
	.problem = import_problem,
};

/* ---- reading and parsing in a second thread ---- */

enum event_kind { EV_FILE, EV_PROBLEM, EV_UNIT, EV_END };

/* One callback of the walk, kept for the storing thread.  Its slot owns
 * it until the storer is done with it and the reader frees it, before it
 * parses the next unit: memory is freed by the thread that allocated it
 * (glibc's arenas take a lock otherwise, a contended one here), and as
 * soon as it can be (a consumed report left in its slot until the slot
 * came round again kept up to eight large reports alive, and the reader's
 * malloc spent most of its time consolidating around them). */
struct import_event {
	enum event_kind kind;
	char *text;                 /* path or label (owned); NULL when out of memory */
	enum tr_err rc;             /* EV_UNIT: what source_extract() returned */
	struct tr_error err;        /* EV_PROBLEM, EV_UNIT */
	struct extract_result res;  /* EV_UNIT (owned) */
	size_t bytes;               /* counted against QUEUE_MAX_BYTES */
};

struct import_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	struct import_event slot[QUEUE_SLOTS];
	size_t head, count, bytes;
	size_t consumed;            /* done with by the storer, not yet freed: just before head */
	const struct tr_limits *lim;
	char **paths;
	int npaths;
};

static size_t result_bytes(const struct extract_result *res)
{
	size_t n = 0;

	for (size_t i = 0; i < res->n; i++) {
		const struct tlsrpt_report *r = res->items[i].report;

		if (r != NULL)
			n += r->json_len + r->raw_compressed_len;
	}
	return n;
}

/*
 * The side that is faster waits for the other at every unit, and waking
 * it costs two system calls: each side wakes the other only once the
 * queue is half full (reader) or half empty (storer), so that the waiting
 * side takes several units per wake-up.  Anything but a parsed unit wakes
 * the storer at once: a file's start must close the batch before the
 * reader blocks on stdin.
 */
static int worth_waking_storer(const struct import_queue *q, enum event_kind kind)
{
	return kind != EV_UNIT || q->count >= QUEUE_SLOTS / 2 || q->bytes >= QUEUE_MAX_BYTES / 2;
}

static int worth_waking_reader(const struct import_queue *q)
{
	return q->count == 0 || (q->count <= QUEUE_SLOTS / 2 && q->bytes < QUEUE_MAX_BYTES / 2);
}

static void event_free(struct import_event *ev)
{
	free(ev->text);
	extract_result_free(&ev->res);
	memset(ev, 0, sizeof *ev);
}

/* Move the events the storer is done with out of their slots into done[];
 * their number.  The caller holds q->lock and frees them after it. */
static size_t take_consumed(struct import_queue *q, struct import_event done[QUEUE_SLOTS])
{
	size_t n = q->consumed;

	for (size_t i = 0; i < n; i++) {
		struct import_event *slot = &q->slot[(q->head + QUEUE_SLOTS - n + i) % QUEUE_SLOTS];

		done[i] = *slot;
		memset(slot, 0, sizeof *slot);
	}
	q->consumed = 0;
	return n;
}

static void free_events(struct import_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		event_free(&ev[i]);
}

/* The reader's side: free what the storer is done with. */
static void queue_reclaim(struct import_queue *q)
{
	struct import_event done[QUEUE_SLOTS];
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = take_consumed(q, done);
	pthread_mutex_unlock(&q->lock);
	free_events(done, n);
}

/* The reader's side: wait for room, then append ev (moved in). */
static void queue_put(struct import_queue *q, const struct import_event *ev)
{
	struct import_event done[QUEUE_SLOTS];
	size_t n;

	pthread_mutex_lock(&q->lock);
	while (q->count == QUEUE_SLOTS || (q->count > 0 && q->bytes >= QUEUE_MAX_BYTES))
		pthread_cond_wait(&q->not_full, &q->lock);
	n = take_consumed(q, done);
	q->slot[(q->head + q->count) % QUEUE_SLOTS] = *ev;
	q->count++;
	q->bytes += ev->bytes;
	if (worth_waking_storer(q, ev->kind))
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	free_events(done, n);
}

/* The storing side: wait for the next event, which stays in its slot
 * (the reader's to free) until queue_done(). */
static struct import_event *queue_peek(struct import_queue *q)
{
	struct import_event *ev;

	pthread_mutex_lock(&q->lock);
	while (q->count == 0)
		pthread_cond_wait(&q->not_empty, &q->lock);
	ev = &q->slot[q->head];
	pthread_mutex_unlock(&q->lock);
	return ev;
}

/* The storer is done with the event queue_peek() gave: its slot is free. */
static void queue_done(struct import_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->bytes -= q->slot[q->head].bytes;
	q->head = (q->head + 1) % QUEUE_SLOTS;
	q->count--;
	q->consumed++;
	if (worth_waking_reader(q))
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

static void put_text(struct import_queue *q, enum event_kind kind, const char *text,
                     const struct tr_error *err)
{
	struct import_event ev = { .kind = kind, .text = text != NULL ? strdup(text) : NULL };

	if (err != NULL)
		ev.err = *err;
	queue_put(q, &ev);
}

static void reader_file_begin(void *ctx, const char *path)
{
	put_text(ctx, EV_FILE, path, NULL);
}

static void reader_problem(void *ctx, const char *label, const struct tr_error *err)
{
	put_text(ctx, EV_PROBLEM, label, err);
}

static void reader_unit(void *ctx, const struct source_unit *u)
{
	struct import_queue *q = ctx;
	struct import_event ev = { .kind = EV_UNIT };

	queue_reclaim(q);
	ev.text = strdup(u->label);
	ev.rc = source_extract(u, q->lim, &ev.res, &ev.err);
	ev.bytes = u->len + result_bytes(&ev.res);
	queue_put(q, &ev);
}

static const struct source_ops reader_ops = {
	.file_begin = reader_file_begin,
	.unit = reader_unit,
	.problem = reader_problem,
};

static void *reader_main(void *arg)
{
	struct import_queue *q = arg;

	for (int i = 0; i < q->npaths; i++)
		source_walk(q->paths[i], q->lim, &reader_ops, q);
	put_text(q, EV_END, NULL, NULL);
	return NULL;
}

/* Handle the events in the order the reader found them, as the walk's
 * callbacks would have in one thread. */
static void store_events(struct import_run *run, struct import_queue *q)
{
	for (;;) {
		const struct import_event *ev = queue_peek(q);

		if (ev->kind == EV_END)
			break;
		if (ev->kind == EV_FILE)
			import_file_begin(run, ev->text != NULL ? ev->text : "?");
		else if (ev->kind == EV_PROBLEM)
			import_problem(run, ev->text, &ev->err);
		else
			import_result(run, ev->text, ev->rc, &ev->res, &ev->err, NULL);
		queue_done(q);
	}
}

/* Two threads unless told otherwise, when there is more than one CPU. */
static int import_threaded(void)
{
	const char *env = getenv("TLSRPT_IMPORT_THREADS");

	if (env != NULL && strcmp(env, "1") == 0)
		return 0;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* Returns 0 when the reader thread could not start (nothing was read). */
static int walk_threaded(struct import_run *run, int npaths, char **paths)
{
	struct import_queue q = { .lim = &run->c->lim, .paths = paths, .npaths = npaths };
	pthread_t reader;
	int started = 0;

	if (pthread_mutex_init(&q.lock, NULL) != 0)
		return 0;
	if (pthread_cond_init(&q.not_full, NULL) == 0) {
		if (pthread_cond_init(&q.not_empty, NULL) == 0) {
			started = pthread_create(&reader, NULL, reader_main, &q) == 0;
			if (started) {
				store_events(run, &q);
				pthread_join(reader, NULL);
			}
			for (size_t i = 0; i < QUEUE_SLOTS; i++)
				event_free(&q.slot[i]);
			pthread_cond_destroy(&q.not_empty);
		}
		pthread_cond_destroy(&q.not_full);
	}
	pthread_mutex_destroy(&q.lock);
	return started;
}

enum {
	OPT_VERIFY_DKIM = OPT_FIRST_COMMAND_OPTION,
	OPT_DKIM_KEY_FILE,
	OPT_DKIM_TIMEOUT
};

static const struct opt_def import_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_MAX_MESSAGE, 0, "max-message", 1 },
	{ OPT_VERIFY_DKIM, 0, "verify-dkim", 0 },
	{ OPT_DKIM_KEY_FILE, 0, "dkim-key-file", 1 },
	{ OPT_DKIM_TIMEOUT, 0, "dkim-timeout", 1 },
};

/* What --verify-dkim and its companions asked for. */
struct import_dkim_args {
	int verify;
	const char *key_file;   /* testing: keys from this file, not DNS */
	unsigned timeout_s;
};

static int dkim_option(struct import_dkim_args *d, int id, const char *arg)
{
	char *end;
	unsigned long v;

	switch (id) {
	case OPT_VERIFY_DKIM:
		d->verify = 1;
		return CLI_OK;
	case OPT_DKIM_KEY_FILE:
		d->verify = 1;
		d->key_file = arg;
		return CLI_OK;
	default:
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 60)
			return cli_usage_error(&cmd_import, "--dkim-timeout: not 1 to 60 seconds");
		d->timeout_s = (unsigned)v;
		return CLI_OK;
	}
}

/* Collect the PATHs (into argv's own slots) and apply the options. */
static int import_args(struct cli *c, int argc, char **argv, int *npaths, int *stop,
                       struct import_dkim_args *dkim)
{
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	int id = 0, rc;

	*npaths = 0;
	opt_init(&st, argc, argv);
	for (;;) {
		s = opt_next(&st, import_opts, sizeof import_opts / sizeof import_opts[0], &id, &arg,
		             &err);
		if (s == OPT_END)
			break;
		if (s == OPT_ERROR)
			return cli_opt_failed(&cmd_import, s, &err);
		if (s == OPT_OPERAND) {
			argv[(*npaths)++] = (char *)arg;
			continue;
		}
		if (id >= OPT_VERIFY_DKIM) {
			rc = dkim_option(dkim, id, arg);
			if (rc != CLI_OK)
				return rc;
			continue;
		}
		rc = cli_common_option(c, &cmd_import, id, arg, stop);
		if (rc != CLI_OK || *stop)
			return rc;
	}
	if (*npaths == 0)
		return cli_usage_error(&cmd_import, "no PATH to import (use - for stdin)");
	return CLI_OK;
}

static int import_run_paths(struct import_run *run, int npaths, char **paths)
{
	int i;

	run->progress = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &run->last_progress);
	/* verifying needs each message's bytes, which the reader thread does
	 * not hand over; key lookups, not parsing, take the time then */
	if (run->dkim != NULL || !import_threaded() || !walk_threaded(run, npaths, paths)) {
		for (i = 0; i < npaths; i++)
			source_walk(paths[i], &run->c->lim, &import_ops, run);
	}
	batch_close(run);
	progress_clear(run);
	if (fflush(stdout) != 0) {
		cli_error("cannot write to stdout");
		run->status = CLI_FAIL;
	}
	fprintf(stderr, "%zu stored, %zu duplicate, %zu invalid\n", run->stored, run->duplicate,
	        run->invalid);
	return run->status;
}

static int import_main(struct cli *c, int argc, char **argv)
{
	struct import_dkim_args dkim = { 0, NULL, 5 };
	struct import_run run;
	struct tr_error err;
	int npaths = 0, stop = 0, rc;
	const char *db;

	rc = import_args(c, argc, argv, &npaths, &stop, &dkim);
	if (rc != CLI_OK || stop)
		return rc;
	memset(&run, 0, sizeof run);
	run.c = c;
	tr_error_clear(&err);
	if (dkim.verify && dkimverify_open(dkim.key_file, dkim.timeout_s, &run.dkim, &err) != TR_OK) {
		cli_error("%s", err.msg);
		return CLI_FAIL;
	}
	db = cli_db_path(c);
	tr_error_clear(&err);
	if (store_open(db, STORE_OPEN_CREATE, IMPORT_BUSY_TIMEOUT_MS, &run.st, &err) != TR_OK) {
		cli_error("%s", err.msg); /* store_open() names the file */
		return CLI_FAIL;
	}
	rc = import_run_paths(&run, npaths, argv);
	store_close(run.st);
	run.dkim = dkimverify_close(run.dkim);
	return rc;
}

const struct cli_command cmd_import = {
	.name = "import",
	.synopsis = "store the reports in messages, mboxes, Maildirs, files (PATH...)",
	.help =
	"Usage: " CLI_NAME " [-d PATH] import [--max-message BYTES] [--verify-dkim] PATH...\n"
	"Store every SMTP TLS report found under each PATH, each report once.\n"
	"PATH is a message file, an mbox, a Maildir (cur/ and new/), a directory\n"
	"(every regular file in it, sorted), a raw .json or .json.gz report, or -\n"
	"for one message on stdin.  The database is created when missing.\n\n"
	"Prints one line per report: stored, duplicate or invalid (with the\n"
	"reason), and on stderr a count at the end.\n\n"
	"  -d, --db PATH          database: an SQLite file or a postgresql:// URI\n"
	"                         (default: $TLSRPT_DB, else the built-in path)\n"
	"      --max-message N    largest message or report file read, in bytes\n"
	"      --verify-dkim      verify each message's DKIM signatures now (keys from\n"
	"                         DNS) and store the verdict; without it: unknown\n"
	"      --dkim-timeout N   seconds per DNS key lookup (1-60, default 5)\n"
	"      --dkim-key-file F  for tests: keys from file F, not DNS (implies\n"
	"                         --verify-dkim)\n"
	"  -h, --help             this text\n\n"
	"With more than one CPU a second thread reads and parses while the first\n"
	"stores; TLSRPT_IMPORT_THREADS=1 uses one (less memory for very large reports).\n"
	"Exit status: 0 ok, 1 some report invalid, 2 I/O or database error.\n",
	.run = import_main,
};
