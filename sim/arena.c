/* arena.c — bump allocation in growing blocks, freed all at once. */
#include "tiersim/arena.h"

#include "tiersim/err.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    alignas(max_align_t) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (!a->head || a->used + size > a->size) {
        size_t bsize = a->size ? a->size * 2 : 4096;
        if (bsize < size)
            bsize = size;
        struct arena_block *b = ts_malloc(sizeof *b + bsize);
        b->next = a->head;
        a->head = b;
        a->used = 0;
        a->size = bsize;
    }
    void *p = a->head->data + a->used;
    a->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = arena_alloc(a, n);
    memcpy(d, s, n);
    return d;
}

void arena_release(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = a->size = 0;
}
