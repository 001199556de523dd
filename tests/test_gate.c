/*
 * Unit tests of the milter's gate (milter/gate.h): more threads than max
 * are started together, and the most ever inside at once must be max
 * exactly: never above (the gate leaks) and reached (the gate is tighter
 * than asked, which would waste CPUs).  Also the clamping of max.
 */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gate.h"

/* How long a thread inside waits for the others to fill the gate. */
#define FILL_DEADLINE_MS 2000
/* Then how long it stays, so that a leaky gate shows as a peak above max. */
#define HOLD_MS 10

struct crowd {
	struct gate gate;
	int max;
	pthread_barrier_t start;   /* every thread asks at the same moment */
	atomic_int inside;
	atomic_int peak;
	atomic_int done;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		continue;
}

static void raise_peak(struct crowd *c, int now)
{
	int seen = atomic_load(&c->peak);

	while (now > seen && !atomic_compare_exchange_weak(&c->peak, &seen, now))
		continue;
}

/* No cmocka assertion here: they longjmp, which only the main thread may. */
static void *visitor(void *arg)
{
	struct crowd *c = arg;
	long waited = 0;

	pthread_barrier_wait(&c->start);
	gate_enter(&c->gate);
	raise_peak(c, atomic_fetch_add(&c->inside, 1) + 1);
	while (atomic_load(&c->peak) < c->max && waited < FILL_DEADLINE_MS) {
		sleep_ms(1);
		waited++;
	}
	sleep_ms(HOLD_MS);
	atomic_fetch_sub(&c->inside, 1);
	gate_leave(&c->gate);
	atomic_fetch_add(&c->done, 1);
	return NULL;
}

/*
 * Start n threads through a gate asked for `asked`, which must give
 * want_max (checked first: a max of 0 would hang them); return the peak.
 */
static int crowd_peak(long asked, int want_max, int n)
{
	struct crowd c = { .gate = GATE_INIT };
	pthread_t tid[GATE_MAX * 2];
	int i;

	assert_true(n <= GATE_MAX * 2);
	c.max = gate_set_max(&c.gate, asked);
	assert_int_equal(c.max, want_max);
	atomic_init(&c.inside, 0);
	atomic_init(&c.peak, 0);
	atomic_init(&c.done, 0);
	assert_int_equal(pthread_barrier_init(&c.start, NULL, (unsigned)n), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, visitor, &c), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	pthread_barrier_destroy(&c.start);
	assert_int_equal(atomic_load(&c.done), n);
	assert_int_equal(atomic_load(&c.inside), 0);
	assert_int_equal(c.gate.busy, 0);
	return atomic_load(&c.peak);
}

static void peak_is_exactly_max(void **state)
{
	static const struct {
		long asked;
		int want_max;
		int threads;
	} cases[] = {
		{ 1, 1, 5 },
		{ 0, 1, 5 },           /* clamped: still a real limit of one */
		{ 2, 2, 7 },
		{ 3, 3, 8 },
		{ LONG_MAX, 64, 80 },  /* clamped: 64 at most, however many wait */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int peak = crowd_peak(cases[i].asked, cases[i].want_max, cases[i].threads);

		assert_true(peak <= cases[i].want_max);
		assert_int_equal(peak, cases[i].want_max);
	}
}

static void max_is_clamped_to_1_and_64(void **state)
{
	static const struct {
		long asked;
		int want;
	} cases[] = {
		{ LONG_MIN, 1 }, { -1, 1 }, { 0, 1 }, { 1, 1 }, { 2, 2 },
		{ 63, 63 }, { 64, 64 }, { 65, 64 }, { 4096, 64 }, { LONG_MAX, 64 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct gate g = GATE_INIT;

		assert_int_equal(gate_set_max(&g, cases[i].asked), cases[i].want);
		assert_int_equal(g.max, cases[i].want);
	}
}

static void new_gate_lets_one_through(void **state)
{
	struct gate g = GATE_INIT;

	(void)state;
	assert_int_equal(g.max, 1);
	gate_enter(&g);
	assert_int_equal(g.busy, 1);
	gate_leave(&g);
	assert_int_equal(g.busy, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_gate_lets_one_through),
		cmocka_unit_test(max_is_clamped_to_1_and_64),
		cmocka_unit_test(peak_is_exactly_max),
	};

	/* a gate that loses a wake-up hangs its waiters: fail, not hang */
	alarm(120);
	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
