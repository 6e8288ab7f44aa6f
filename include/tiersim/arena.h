/* arena.h — a per-run bump allocator for cold data: scenario strings and configuration.
 * Everything allocated from an arena is freed at once by arena_release(). */
#ifndef TIERSIM_ARENA_H
#define TIERSIM_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    size_t used;              /* bytes used in head */
    size_t size;              /* bytes available in head */
};

#define ARENA_INIT {0}

/* Zeroed memory, aligned for any type; never NULL (exits on exhaustion, see err.h). */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* Free every block; the arena is empty and reusable afterwards. */
void arena_release(struct arena *a);

#endif
