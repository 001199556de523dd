/*
 * gate: a counting gate on a mutex and a condition variable (see gate.h).
 * The milter's messages at end-of-message pass through it, so that the
 * daemon's peak memory follows the CPUs, not the MTA's connections.
 */
#include <assert.h>
#include <pthread.h>

#include "gate.h"

int gate_set_max(struct gate *g, long n)
{
	int max = n < 1 ? 1 : n > GATE_MAX ? GATE_MAX : (int)n;

	pthread_mutex_lock(&g->lock);
	g->max = max;
	/* a larger max may let several waiters in at once */
	pthread_cond_broadcast(&g->freed);
	pthread_mutex_unlock(&g->lock);
	return max;
}

void gate_enter(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (g->busy >= g->max)
		pthread_cond_wait(&g->freed, &g->lock);
	g->busy++;
	pthread_mutex_unlock(&g->lock);
}

void gate_leave(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	assert(g->busy > 0);
	g->busy--;
	pthread_cond_signal(&g->freed);
	pthread_mutex_unlock(&g->lock);
}
