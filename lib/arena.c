/*
 * arena: pieces cut from doubling blocks, freed together (see arena.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"

#define ARENA_FIRST_BLOCK 4096
/* Larger blocks than this would be mmap'd and zero-filled by the kernel
 * at every report; a few hundred KiB amortises the header walk as well. */
#define ARENA_MAX_BLOCK (512u * 1024u)
#define ARENA_ALIGN _Alignof(max_align_t)

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EXACT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EXACT 1
#endif
#endif
#ifndef ARENA_EXACT
#define ARENA_EXACT 0
#endif

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	max_align_t data[]; /* aligned for any piece */
};

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->next_size = ARENA_FIRST_BLOCK;
	a->total = 0;
}

static struct arena_block *new_block(struct arena *a, size_t size)
{
	struct arena_block *b;

	if (size > SIZE_MAX - sizeof *b)
		return NULL;
	b = malloc(sizeof *b + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	b->used = 0;
	a->total += sizeof *b + size;
	return b;
}

/* A block of its own for a piece the blocks are too small for, linked
 * behind the current one so that the current one keeps serving. */
static void *own_block(struct arena *a, size_t n)
{
	struct arena_block *b = new_block(a, n);

	if (b == NULL)
		return NULL;
	b->used = n;
	if (a->head == NULL) {
		b->next = NULL;
		a->head = b;
	} else {
		b->next = a->head->next;
		a->head->next = b;
	}
	return b->data;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - (ARENA_ALIGN - 1))
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (ARENA_EXACT || n > ARENA_MAX_BLOCK / 4)
		return own_block(a, n);
	if (b == NULL || b->size - b->used < n) {
		b = new_block(a, a->next_size);
		if (b == NULL)
			return NULL;
		b->next = a->head;
		a->head = b;
		if (a->next_size < ARENA_MAX_BLOCK)
			a->next_size *= 2;
	}
	p = (unsigned char *)b->data + b->used;
	b->used += n;
	return p;
}

void arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}
