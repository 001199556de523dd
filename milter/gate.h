/*
 * gate: lets at most max threads through at once; the others wait their
 * turn, in no particular order.  The milter passes each message's
 * processing through one gate sized to the CPUs (mlfi.c): parsing is
 * CPU-bound, so more at once would not finish sooner, and each message in
 * flight may hold several times MaxReportSize.
 *
 * The caller owns the struct (static or automatic) and sets it up with
 * GATE_INIT; nothing to free.
 */
#ifndef TLSRPT_MILTER_GATE_H
#define TLSRPT_MILTER_GATE_H

#include <pthread.h>

/* Upper bound on max: beyond it the memory cap would mean little. */
#define GATE_MAX 64

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t freed;    /* signalled when a thread leaves */
	int busy;                /* threads inside */
	int max;                 /* 1..GATE_MAX */
};

/* A gate that lets one thread through at a time until gate_set_max(). */
#define GATE_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1 }

/*
 * Let up to n threads through at once: n below 1 gives 1, above GATE_MAX
 * gives GATE_MAX (so a failed sysconf() count of -1 still works).  Returns
 * the max in force.  Safe while threads are inside or waiting.
 */
int gate_set_max(struct gate *g, long n);

/* Wait until fewer than max threads are inside, then count this one in. */
void gate_enter(struct gate *g);

/* Count this thread out (it must have entered) and wake one waiter. */
void gate_leave(struct gate *g);

#endif
