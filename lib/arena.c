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
/* Bytes left unused after every piece in every build, so that the same
 * layout runs under AddressSanitizer and an overrun lands on poison. */
#define ARENA_REDZONE 8u

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

/* Annotations only: under ASan the bytes no piece owns are poisoned, so
 * the allocation code is the one that ships, checked. */
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
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
	ARENA_POISON(b->data, size);
	return b;
}

/* A block of its own for a piece the blocks are too small for, linked
 * behind the current one so that the current one keeps serving. */
static struct arena_block *own_block(struct arena *a, size_t span)
{
	struct arena_block *b = new_block(a, span);

	if (b == NULL)
		return NULL;
	if (a->head == NULL) {
		b->next = NULL;
		a->head = b;
	} else {
		b->next = a->head->next;
		a->head->next = b;
	}
	return b;
}

/* A fresh block to cut from that holds at least span bytes; the sizes
 * keep doubling up to the cap. */
static struct arena_block *grow(struct arena *a, size_t span)
{
	size_t size = a->next_size;
	struct arena_block *b;

	while (size < span)
		size *= 2;
	b = new_block(a, size);
	if (b == NULL)
		return NULL;
	b->next = a->head;
	a->head = b;
	a->next_size = size < ARENA_MAX_BLOCK ? size * 2 : ARENA_MAX_BLOCK;
	return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t span;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_REDZONE - (ARENA_ALIGN - 1))
		return NULL;
	span = (n + ARENA_REDZONE + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (span > ARENA_MAX_BLOCK / 4) {
		b = own_block(a, span);
	} else if (b == NULL || b->size - b->used < span) {
		/* span <= ARENA_MAX_BLOCK / 4, so grow() never passes the cap
		 * by more than one doubling */
		b = grow(a, span);
	}
	if (b == NULL)
		return NULL;
	p = (unsigned char *)b->data + b->used;
	b->used += span;
	ARENA_UNPOISON(p, n);
	return p;
}

void arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		ARENA_UNPOISON(b->data, b->size);
		free(b);
	}
	arena_init(a);
}
