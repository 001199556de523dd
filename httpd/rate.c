/*
 * rate: token buckets in a fixed hashed table (see rate.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "rate.h"

struct bucket {
	double tokens;
	double last;     /* monotonic seconds of the last refill */
};

struct rate {
	unsigned per_minute;
	pthread_mutex_t lock;
	struct bucket slot[HTTPD_RATE_SLOTS];
};

struct rate *rate_new(unsigned per_minute)
{
	struct rate *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->per_minute = per_minute;
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

int rate_allow(struct rate *r, const char *addr)
{
	struct bucket *b;
	double t = now_s();
	int ok;

	if (r == NULL || r->per_minute == 0)
		return 1;
	pthread_mutex_lock(&r->lock);
	b = &r->slot[hash(addr) % HTTPD_RATE_SLOTS];
	if (b->last == 0) {
		b->tokens = r->per_minute; /* a new client starts with a full minute */
	} else {
		b->tokens += (t - b->last) * r->per_minute / 60.0;
		if (b->tokens > r->per_minute)
			b->tokens = r->per_minute;
	}
	b->last = t;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

struct rate *rate_free(struct rate *r)
{
	if (r == NULL)
		return NULL;
	pthread_mutex_destroy(&r->lock);
	free(r);
	return NULL;
}
