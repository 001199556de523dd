/*
 * arena: memory handed out in small pieces and given back all at once.
 *
 * For short-lived trees of many small nodes (cJSON's, while a report is
 * read): a malloc and a free per node cost more than the parse, and a
 * tree freed node by node while other data lives between its nodes
 * fragments the heap (malloc_consolidate walking the free lists at the
 * next large request).  Pieces come from blocks that double in size up to
 * a cap; a request larger than the cap gets a block of its own.
 *
 * Every piece is followed by a few unused bytes; under AddressSanitizer
 * those and every byte no piece owns are poisoned, so an overrun is
 * caught in the same layout that ships.
 *
 * Ownership: the caller owns the struct; arena_release() frees every block
 * (every piece at once) and leaves the arena empty and reusable.
 */
#ifndef TLSRPT_ARENA_H
#define TLSRPT_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head; /* the block pieces are cut from, newest first */
	size_t next_size;         /* size of the next block */
	size_t total;             /* bytes of every block, headers included */
};

/* Start empty; allocates nothing. */
void arena_init(struct arena *a);

/* n bytes aligned for any type, or NULL when memory ran out or n is too
 * large to round up; n == 0 is served as 1. */
void *arena_alloc(struct arena *a, size_t n);

/* Free every block; the arena is empty and may be used again.  NULL-safe. */
void arena_release(struct arena *a);

#endif
