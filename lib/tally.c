/*
 * tally: the rows of a summary by a key without a rollup, summed in one
 * pass over the failure details (see tally.h).  Open-addressing hash
 * indexes find a row by its key, a result-type name by its bytes (stored
 * once), and a row's sum for a name by (row, name); rows, names and sums
 * live in plain arrays in the order first seen, and are sorted once, at
 * the end.
 *
 * Each trick below is there because waiting for memory is what this pass
 * costs: a plain version (one hash map for rows, names and (row, name)
 * sums, keys on the heap, no batching) took 1.85x this one's CPU for
 * summary --by sending-ip over 1,000,000 reports and 142 MB against 91
 * (docs/PERFORMANCE.md), past the 1.5x that would have made it the
 * better trade; each says beside it what it saves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/random.h>

#include "buf.h"
#include "tally.h"

#define NONE SIZE_MAX
#define FIRST_SLOTS 1024
/* an entry's number + 1 fills the low half of a slot */
#define MAX_ENTRIES ((size_t)UINT32_MAX - 1)

/* An index over entries the caller keeps in an array.  A slot holds the
 * entry's number + 1 (0: empty) under the top half of its hash, so that a
 * probe rarely reads an entry that is not the one it looks for; hashes[]
 * keeps every entry's hash for growing. */
struct index {
	uint64_t *slot;
	size_t n_slots;   /* a power of two, more than twice n */
	uint64_t *hashes;
	size_t n, cap;
};

/* The top half of a hash, kept in the slot: a probe compares it there
 * and reads a row only when it is almost surely the one it wants. */
#define TAG(h) ((h) & ~(uint64_t)UINT32_MAX)

/* Keys shorter than this (every IPv4 and most IPv6 text) live in the row,
 * so that comparing one costs no further cache miss into the heap. */
#define INLINE_KEY 24
/* A row's first result-type sums live in it: most rows have one to
 * three, so adding to one costs no probe of the type table. */
#define INLINE_TYPES 7
/* Rows start on cache lines, so that a row is exactly the two lines
 * flush() prefetches. */
#define GROUP_ALIGN 64
/* Details wait this many at a time, so that the cache misses of their
 * slots and rows overlap instead of following one another. */
#define BATCH 32

/*
 * One row: two cache lines that hold, for most rows, everything a detail
 * touches (the key to compare, the sums, the first result types by the
 * number of their name).  Looking rows up, not adding, is what a million
 * reports spend their time on: a detail costs a read of the index and
 * one of its row, both prefetched a batch ahead (tally_add()).
 */
struct group {
	union {
		char bytes[INLINE_KEY];
		char *heap;
	} key;                      /* bytes when key_len < INLINE_KEY */
	uint32_t key_len;
	uint32_t n_types;           /* n_inline inline, the rest in t->types */
	int64_t last_report;
	uint64_t reports, failed, failed_with_policy;
	uint64_t inline_count[INLINE_TYPES];
	/* names numbered below UINT8_MAX only: a byte each, so that seven fit
	 * beside the sums in the row's second line */
	uint8_t inline_name[INLINE_TYPES];
	uint8_t n_inline;
};

_Static_assert(sizeof (struct group) == 2 * GROUP_ALIGN, "a row is two cache lines");

/* A detail waiting in the batch, its row's index slot being fetched. */
struct pending {
	uint64_t hash;
	int64_t report, count;
	size_t name;
	uint32_t key_len;
	int with_policy;
	char key[INLINE_KEY];
};

/* A result-type name, stored once however many rows have it: numbered,
 * a row's type is a small integer to compare, not a string. */
struct name {
	char *s;
	size_t len;
};

/* A row's sum for a result type it keeps out of line: past its first
 * INLINE_TYPES, or a name numbered from UINT8_MAX. */
struct type {
	uint32_t group, name;
	uint64_t count;
};

struct tally {
	uint64_t seed;
	struct group *groups;       /* aligned to GROUP_ALIGN */
	size_t n_groups, cap_groups;
	struct summary_count **types_of; /* by group, while finishing */
	struct name *names;
	size_t n_names, cap_names;
	struct type *types;
	size_t n_types, cap_types;
	struct index by_key, by_name, by_type;
	struct pending batch[BATCH];
	size_t n_batch;
};

/* A bijective 64-bit finaliser (MurmurHash3's fmix64 constants). */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* Seeded, so that keys chosen by a report's sender cannot be made to
 * collide in advance. */
static uint64_t hash_bytes(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = mix(seed ^ ((uint64_t)len * UINT64_C(0x9e3779b97f4a7c15)));
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = mix(h ^ w);
		s += 8;
		len -= 8;
	}
	w = 0;
	if (len > 0)
		memcpy(&w, s, len);
	return mix(h ^ w ^ seed);
}

static uint64_t new_seed(const void *where)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
		return seed;
	/* no entropy yet: the allocation's address (ASLR) and the clock */
	return mix((uint64_t)(uintptr_t)where ^ (uint64_t)time(NULL) ^ (uint64_t)clock());
}

static int index_init(struct index *x)
{
	x->slot = calloc(FIRST_SLOTS, sizeof *x->slot);
	x->n_slots = FIRST_SLOTS;
	return x->slot != NULL ? 0 : -1;
}

static void index_free(struct index *x)
{
	free(x->slot);
	free(x->hashes);
}

/*
 * The next entry that may be h's in h's probe sequence, starting at *pos;
 * NONE when *pos reaches an empty slot, where h belongs.  The caller
 * starts with *pos = h & (n_slots - 1) and steps past each entry that is
 * not the one it wants.
 */
static size_t index_next(const struct index *x, uint64_t h, size_t *pos)
{
	for (;;) {
		uint64_t s = x->slot[*pos];

		if (s == 0)
			return NONE;
		if (TAG(s) == TAG(h))
			return (size_t)(s & UINT32_MAX) - 1;
		*pos = (*pos + 1) & (x->n_slots - 1);
	}
}

static size_t index_step(const struct index *x, size_t pos)
{
	return (pos + 1) & (x->n_slots - 1);
}

static int index_grow(struct index *x)
{
	size_t n_slots = x->n_slots * 2;
	uint64_t *slot;

	if (n_slots > SIZE_MAX / sizeof *slot)
		return -1;
	slot = calloc(n_slots, sizeof *slot);
	if (slot == NULL)
		return -1;
	for (size_t i = 0; i < x->n; i++) {
		size_t pos = x->hashes[i] & (n_slots - 1);

		while (slot[pos] != 0)
			pos = (pos + 1) & (n_slots - 1);
		slot[pos] = TAG(x->hashes[i]) | (i + 1);
	}
	free(x->slot);
	x->slot = slot;
	x->n_slots = n_slots;
	return 0;
}

/* Entry x->n, of hash h, into the empty slot pos that index_next() found. */
static int index_insert(struct index *x, uint64_t h, size_t pos)
{
	uint64_t *hashes;

	if (x->n >= MAX_ENTRIES)
		return -1;
	hashes = array_grow(x->hashes, &x->cap, x->n, sizeof *hashes, FIRST_SLOTS / 2);
	if (hashes == NULL)
		return -1;
	x->hashes = hashes;
	x->hashes[x->n] = h;
	x->slot[pos] = TAG(h) | (x->n + 1);
	x->n++;
	/* at most half full, so that probe runs stay short */
	if (x->n * 2 > x->n_slots)
		return index_grow(x);
	return 0;
}

static char *copy_bytes(const char *s, size_t len)
{
	char *c;

	if (len == SIZE_MAX)
		return NULL;
	c = malloc(len + 1);
	if (c == NULL)
		return NULL;
	memcpy(c, s, len);
	c[len] = '\0';
	return c;
}

/* tr_sum()'s rule: counts <= 0 add nothing, sums stop at INT64_MAX. */
static uint64_t add_count(uint64_t sum, int64_t v)
{
	if (v <= 0)
		return sum;
	return sum > (uint64_t)(INT64_MAX - v) ? (uint64_t)INT64_MAX : sum + (uint64_t)v;
}

enum tr_err tally_new(struct tally **out, struct tr_error *err)
{
	struct tally *t = calloc(1, sizeof *t);

	*out = NULL;
	if (t == NULL || index_init(&t->by_key) != 0 || index_init(&t->by_name) != 0 ||
	    index_init(&t->by_type) != 0) {
		tally_free(t);
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	}
	t->seed = new_seed(t);
	*out = t;
	return TR_OK;
}

static const char *group_key(const struct group *g)
{
	return g->key_len < INLINE_KEY ? g->key.bytes : g->key.heap;
}

/* Room for one more row; -1 when memory ran out.  Not array_grow():
 * realloc() would not keep the rows on cache-line boundaries. */
static int grow_groups(struct tally *t)
{
	size_t cap = t->cap_groups ? t->cap_groups * 2 : 64;
	struct group *g;

	if (t->n_groups < t->cap_groups)
		return 0;
	if (cap > SIZE_MAX / sizeof *g)
		return -1;
	g = aligned_alloc(GROUP_ALIGN, cap * sizeof *g);
	if (g == NULL)
		return -1;
	if (t->n_groups > 0)
		memcpy(g, t->groups, t->n_groups * sizeof *g);
	free(t->groups);
	t->groups = g;
	t->cap_groups = cap;
	return 0;
}

/* The row of key (of hash h), made when new; NONE when memory ran out. */
static size_t find_group(struct tally *t, const char *key, size_t key_len, uint64_t h, int64_t report)
{
	size_t pos = h & (t->by_key.n_slots - 1);
	struct group *g;

	for (;;) {
		size_t i = index_next(&t->by_key, h, &pos);

		if (i == NONE)
			break;
		g = &t->groups[i];
		if (g->key_len == key_len && memcmp(group_key(g), key, key_len) == 0)
			return i;
		pos = index_step(&t->by_key, pos);
	}
	if (key_len >= UINT32_MAX || grow_groups(t) != 0)
		return NONE;
	g = &t->groups[t->n_groups];
	memset(g, 0, sizeof *g);
	if (key_len < INLINE_KEY) {
		memcpy(g->key.bytes, key, key_len);
	} else {
		g->key.heap = copy_bytes(key, key_len);
		if (g->key.heap == NULL)
			return NONE;
	}
	g->key_len = (uint32_t)key_len;
	if (index_insert(&t->by_key, h, pos) != 0) {
		if (key_len >= INLINE_KEY)
			free(g->key.heap);
		return NONE;
	}
	g->last_report = report;
	g->reports = 1;
	return t->n_groups++;
}

/* The number of a result-type name, made when new; NONE when memory ran
 * out.  A few names in practice, so their index stays in cache. */
static size_t find_name(struct tally *t, const char *s, size_t len)
{
	uint64_t h = hash_bytes(t->seed, s, len);
	size_t pos = h & (t->by_name.n_slots - 1);
	struct name *nm;

	for (;;) {
		size_t i = index_next(&t->by_name, h, &pos);

		if (i == NONE)
			break;
		nm = &t->names[i];
		if (nm->len == len && memcmp(nm->s, s, len) == 0)
			return i;
		pos = index_step(&t->by_name, pos);
	}
	nm = array_grow(t->names, &t->cap_names, t->n_names, sizeof *nm, 16);
	if (nm == NULL)
		return NONE;
	t->names = nm;
	nm = &t->names[t->n_names];
	nm->s = copy_bytes(s, len);
	nm->len = len;
	if (nm->s == NULL)
		return NONE;
	if (index_insert(&t->by_name, h, pos) != 0) {
		free(nm->s);
		nm->s = NULL;
		return NONE;
	}
	return t->n_names++;
}

/* Row gi's sum for name ni past its inline ones, made when new; NULL
 * when memory ran out. */
static uint64_t *find_type(struct tally *t, size_t gi, size_t ni)
{
	uint64_t h = mix(t->seed ^ (((uint64_t)gi << 32) | (uint64_t)ni));
	size_t pos = h & (t->by_type.n_slots - 1);
	struct type *ty;

	for (;;) {
		size_t i = index_next(&t->by_type, h, &pos);

		if (i == NONE)
			break;
		ty = &t->types[i];
		if (ty->group == gi && ty->name == ni)
			return &ty->count;
		pos = index_step(&t->by_type, pos);
	}
	ty = array_grow(t->types, &t->cap_types, t->n_types, sizeof *ty, 64);
	if (ty == NULL)
		return NULL;
	t->types = ty;
	if (index_insert(&t->by_type, h, pos) != 0)
		return NULL;
	ty = &t->types[t->n_types++];
	/* both below MAX_ENTRIES (index_insert) */
	ty->group = (uint32_t)gi;
	ty->name = (uint32_t)ni;
	ty->count = 0;
	t->groups[gi].n_types++;
	return &ty->count;
}

/* Row gi's sum for name ni: inline among its first types, else in the
 * type table; NULL when memory ran out. */
static uint64_t *group_type(struct tally *t, size_t gi, size_t ni)
{
	struct group *g = &t->groups[gi];
	uint8_t n = g->n_inline;

	for (uint8_t j = 0; j < n; j++) {
		if (g->inline_name[j] == ni)
			return &g->inline_count[j];
	}
	/* a name numbered past the inline ones may be in t->types already,
	 * whatever room is left inline */
	if (ni >= UINT8_MAX || n == INLINE_TYPES)
		return find_type(t, gi, ni);
	g->inline_name[n] = (uint8_t)ni;
	g->n_inline++;
	g->n_types++;
	return &g->inline_count[n];
}

/* Count one detail (tally_add()); -1 when memory ran out. */
static int add_detail(struct tally *t, const char *key, size_t key_len, uint64_t h, size_t ni, int64_t report,
                      int64_t count, int with_policy)
{
	size_t gi = find_group(t, key, key_len, h, report);
	uint64_t *type_count = gi != NONE ? group_type(t, gi, ni) : NULL;
	struct group *g;

	if (type_count == NULL)
		return -1;
	g = &t->groups[gi];
	if (g->last_report != report) {
		g->last_report = report;
		g->reports++;
	}
	g->failed = add_count(g->failed, count);
	if (with_policy)
		g->failed_with_policy = add_count(g->failed_with_policy, count);
	*type_count = add_count(*type_count, count);
	return 0;
}

static void prefetch(const void *p)
{
#ifdef __GNUC__
	__builtin_prefetch(p, 1);
#else
	(void)p;
#endif
}

/*
 * Count the batch, in order.  Each detail's index slot was prefetched when
 * it joined the batch; now the row each slot points to is, and only then
 * are the details counted, so that the trips to memory of a whole batch
 * overlap instead of following one another.
 */
static int flush(struct tally *t)
{
	int ret = 0;

	for (size_t i = 0; i < t->n_batch; i++) {
		size_t pos = t->batch[i].hash & (t->by_key.n_slots - 1);
		size_t gi = index_next(&t->by_key, t->batch[i].hash, &pos);

		if (gi != NONE) {
			prefetch(&t->groups[gi]);
			prefetch((const char *)&t->groups[gi] + GROUP_ALIGN);
		}
	}
	for (size_t i = 0; i < t->n_batch && ret == 0; i++) {
		const struct pending *p = &t->batch[i];

		ret = add_detail(t, p->key, p->key_len, p->hash, p->name, p->report, p->count, p->with_policy);
	}
	t->n_batch = 0;
	return ret;
}

enum tr_err tally_add(struct tally *t, const char *key, size_t key_len, const char *rt, size_t rt_len,
                      int64_t report, int64_t count, int with_policy, struct tr_error *err)
{
	size_t ni = find_name(t, rt, rt_len);
	uint64_t h = hash_bytes(t->seed, key, key_len);
	struct pending *p;

	if (ni == NONE)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	if (key_len >= INLINE_KEY) {
		/* too long to wait in the batch: after it, to keep the order */
		if (flush(t) != 0 || add_detail(t, key, key_len, h, ni, report, count, with_policy) != 0)
			return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
		return TR_OK;
	}
	prefetch(&t->by_key.slot[h & (t->by_key.n_slots - 1)]);
	p = &t->batch[t->n_batch++];
	p->hash = h;
	p->report = report;
	p->count = count;
	p->name = ni;
	p->key_len = (uint32_t)key_len;
	p->with_policy = with_policy;
	memcpy(p->key, key, key_len);
	if (t->n_batch == BATCH && flush(t) != 0)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	return TR_OK;
}

/* SQLite's BINARY collation: bytes, then the shorter first. */
static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *const *x = a;
	const struct group *const *y = b;

	if ((*x)->failed != (*y)->failed)
		return (*x)->failed > (*y)->failed ? -1 : 1;
	return cmp_bytes(group_key(*x), (*x)->key_len, group_key(*y), (*y)->key_len);
}

/* The names of one row's types, for sorting them. */
struct type_ref {
	const struct name *name;
	uint64_t count;
};

static int cmp_type(const void *a, const void *b)
{
	const struct type_ref *x = a;
	const struct type_ref *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_bytes(x->name->s, x->name->len, y->name->s, y->name->len);
}

/* Row gi's result types, sorted, into types_of[gi], each name a copy of
 * its own (summary_free() frees them one by one); refs holds the ones
 * in t->types already, after room for the inline ones. */
static int gather_group(struct tally *t, size_t gi, struct type_ref *refs)
{
	const struct group *g = &t->groups[gi];
	struct summary_count *types;

	for (uint8_t j = 0; j < g->n_inline; j++) {
		refs[j].name = &t->names[g->inline_name[j]];
		refs[j].count = g->inline_count[j];
	}
	qsort(refs, g->n_types, sizeof *refs, cmp_type);
	/* zeroed: a failure below leaves names NULL for tally_free() */
	types = calloc(g->n_types, sizeof *types);
	if (types == NULL)
		return -1;
	t->types_of[gi] = types;
	for (uint32_t j = 0; j < g->n_types; j++) {
		types[j].name = copy_bytes(refs[j].name->s, refs[j].name->len);
		types[j].count = refs[j].count;
		if (types[j].name == NULL)
			return -1;
	}
	return 0;
}

/* Every row's result types, sorted (gather_group()). */
static int gather_types(struct tally *t)
{
	size_t total = 0;
	struct type_ref *refs;
	size_t *next = malloc(t->n_groups * sizeof *next);
	size_t off = 0;
	int ret = -1;

	/* every sum is one of t->types or inline: no overflow */
	for (size_t g = 0; g < t->n_groups; g++)
		total += t->groups[g].n_types;
	refs = malloc(total * sizeof *refs);
	t->types_of = calloc(t->n_groups, sizeof *t->types_of);
	if (refs == NULL || next == NULL || t->types_of == NULL)
		goto out;
	for (size_t g = 0; g < t->n_groups; g++) {
		next[g] = off + t->groups[g].n_inline;
		off += t->groups[g].n_types;
	}
	for (size_t i = 0; i < t->n_types; i++) {
		struct type_ref *r = &refs[next[t->types[i].group]++];

		r->name = &t->names[t->types[i].name];
		r->count = t->types[i].count;
	}
	off = 0;
	for (size_t g = 0; g < t->n_groups; g++) {
		if (gather_group(t, g, refs + off) != 0)
			goto out;
		off += t->groups[g].n_types;
	}
	ret = 0;
out:
	free(refs);
	free(next);
	return ret;
}

/* Row keys of their own for the groups in order; NULL when memory ran
 * out.  A key kept on the heap moves (keys[i] owns it). */
static char **take_keys(struct group **order, size_t n)
{
	char **keys = calloc(n, sizeof *keys);

	if (keys == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (order[i]->key_len < INLINE_KEY)
			keys[i] = copy_bytes(order[i]->key.bytes, order[i]->key_len);
		else
			keys[i] = order[i]->key.heap;
		if (keys[i] != NULL)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (order[j]->key_len < INLINE_KEY)
				free(keys[j]);
		}
		free(keys);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (order[i]->key_len >= INLINE_KEY)
			order[i]->key.heap = NULL;
	}
	return keys;
}

enum tr_err tally_finish(struct tally *t, struct summary *sm, struct tr_error *err)
{
	struct group **order;
	struct summary_row *rows;
	char **keys = NULL;

	if (flush(t) != 0)
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	if (t->n_groups == 0)
		return TR_OK;
	order = malloc(t->n_groups * sizeof *order);
	rows = calloc(t->n_groups, sizeof *rows);
	if (order != NULL && rows != NULL && gather_types(t) == 0) {
		for (size_t g = 0; g < t->n_groups; g++)
			order[g] = &t->groups[g];
		qsort(order, t->n_groups, sizeof *order, cmp_group);
		keys = take_keys(order, t->n_groups);
	}
	if (keys == NULL) {
		free(order);
		free(rows);
		return tr_error_set(err, TR_ERR_NOMEM, "summary: out of memory");
	}
	for (size_t i = 0; i < t->n_groups; i++) {
		struct group *g = order[i];

		rows[i].key = keys[i];
		rows[i].reports = g->reports;
		rows[i].failed = g->failed;
		rows[i].failed_with_policy = g->failed_with_policy;
		rows[i].result_types = t->types_of[g - t->groups];
		rows[i].n_result_types = g->n_types;
		t->types_of[g - t->groups] = NULL;
	}
	free(keys);
	free(order);
	sm->rows = rows;
	sm->n_rows = t->n_groups;
	t->n_groups = 0;
	return TR_OK;
}

void tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_groups; i++) {
		struct group *g = &t->groups[i];

		if (g->key_len >= INLINE_KEY)
			free(g->key.heap);
		if (t->types_of == NULL || t->types_of[i] == NULL)
			continue;
		for (size_t j = 0; j < g->n_types; j++)
			free(t->types_of[i][j].name);
		free(t->types_of[i]);
	}
	free(t->types_of);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i].s);
	free(t->groups);
	free(t->names);
	free(t->types);
	index_free(&t->by_key);
	index_free(&t->by_name);
	index_free(&t->by_type);
	free(t);
}
