/* evq.c — 4-ary heap of (time, sequence|slot) entries with payload slots and in-place
 * cancellation. Sift operations move a "hole" rather than swapping, and update each moved
 * entry's slot position; see evq.h for the contract and bench/README.md for the numbers. */
#include "tiersim/evq.h"

#include "tiersim/err.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 24u
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1u)
#define ARITY     4u

static inline uint32_t ent_slot(const struct evq_ent *e)
{
    return (uint32_t)(e->key & SLOT_MASK);
}

static inline int ent_less(const struct evq_ent *a, const struct evq_ent *b)
{
    return a->t < b->t || (a->t == b->t && a->key < b->key);
}

static inline evq_handle make_handle(uint32_t slot, uint32_t gen)
{
    return ((uint64_t)gen << 32) | slot;
}

void evq_init(struct evq *q)
{
    memset(q, 0, sizeof *q);
}

void evq_release(struct evq *q)
{
    free(q->heap);
    free(q->slots);
    memset(q, 0, sizeof *q);
}

static uint32_t slot_alloc(struct evq *q)
{
    if (q->free_slot) {
        uint32_t s = q->free_slot;
        q->free_slot = q->slots[s].pos;
        return s;
    }
    if (q->nslots + 1u >= q->slots_cap) {
        uint32_t cap = q->slots_cap ? q->slots_cap * 2u : 256u;
        if (cap > EVQ_MAX_PENDING + 1u)
            cap = EVQ_MAX_PENDING + 1u;
        if (q->nslots + 1u >= cap)
            return 0;
        q->slots = ts_realloc(q->slots, (size_t)cap * sizeof *q->slots);
        memset(q->slots + q->slots_cap, 0, (size_t)(cap - q->slots_cap) * sizeof *q->slots);
        q->slots_cap = cap;
    }
    return ++q->nslots;
}

static inline void slot_free(struct evq *q, uint32_t s)
{
    struct evq_slot *sl = &q->slots[s];
    sl->gen++;
    if (sl->gen == 0) /* wrapped: skip 0 so no handle is ever 0 */
        sl->gen = 1;
    sl->fn = NULL;
    sl->pos = q->free_slot;
    q->free_slot = s;
}

/* Put e into the hole at i, moving it up toward the root. */
static void sift_up(struct evq *q, uint32_t i, struct evq_ent e)
{
    struct evq_ent *h = q->heap;
    while (i > 0) {
        uint32_t parent = (i - 1u) / ARITY;
        if (!ent_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        q->slots[ent_slot(&h[i])].pos = i;
        i = parent;
    }
    h[i] = e;
    q->slots[ent_slot(&e)].pos = i;
}

/* Put e into the hole at i, moving it down toward the leaves. */
static void sift_down(struct evq *q, uint32_t i, struct evq_ent e)
{
    struct evq_ent *h = q->heap;
    uint32_t n = q->n;
    for (;;) {
        uint32_t first = i * ARITY + 1u;
        if (first >= n)
            break;
        uint32_t best = first;
        uint32_t last = first + ARITY < n ? first + ARITY : n;
        for (uint32_t c = first + 1u; c < last; c++)
            if (ent_less(&h[c], &h[best]))
                best = c;
        if (!ent_less(&h[best], &e))
            break;
        h[i] = h[best];
        q->slots[ent_slot(&h[i])].pos = i;
        i = best;
    }
    h[i] = e;
    q->slots[ent_slot(&e)].pos = i;
}

evq_handle evq_push(struct evq *q, int64_t t, evq_fn fn, void *ctx, uint64_t arg)
{
    if (q->seq > EVQ_MAX_SEQ)
        return 0;
    uint32_t s = slot_alloc(q);
    if (!s)
        return 0;
    if (q->n == q->cap) {
        uint32_t cap = q->cap ? q->cap * 2u : 256u;
        q->heap = ts_realloc(q->heap, (size_t)cap * sizeof *q->heap);
        q->cap = cap;
    }
    struct evq_slot *sl = &q->slots[s];
    if (sl->gen == 0)
        sl->gen = 1;
    sl->fn = fn;
    sl->ctx = ctx;
    sl->arg = arg;
    struct evq_ent e = {.t = t, .key = (q->seq++ << SLOT_BITS) | s};
    if (q->has_front) {
        if (ent_less(&e, &q->front)) { /* e is the new front; the old one joins the heap */
            sift_up(q, q->n++, q->front);
            q->front = e;
            sl->pos = EVQ_FRONT;
        } else {
            sift_up(q, q->n++, e);
        }
    } else if (q->n == 0 || ent_less(&e, &q->heap[0])) {
        q->front = e;
        q->has_front = true;
        sl->pos = EVQ_FRONT;
    } else {
        sift_up(q, q->n++, e);
    }
    return make_handle(s, sl->gen);
}

/* The slot a handle names if it is pending, else 0. */
static uint32_t live_slot(const struct evq *q, evq_handle h)
{
    uint32_t s = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    if (s == 0 || s > q->nslots || gen == 0)
        return 0;
    const struct evq_slot *sl = &q->slots[s];
    if (sl->gen != gen || sl->fn == NULL)
        return 0;
    return s;
}

int evq_set_arg(struct evq *q, evq_handle h, uint64_t arg)
{
    uint32_t s = live_slot(q, h);
    if (!s)
        return TS_ESTALE;
    q->slots[s].arg = arg;
    return 0;
}

bool evq_pending(const struct evq *q, evq_handle h)
{
    return live_slot(q, h) != 0;
}

int64_t evq_time_of(const struct evq *q, evq_handle h)
{
    uint32_t s = live_slot(q, h);
    if (!s)
        return -1;
    return q->slots[s].pos == EVQ_FRONT ? q->front.t : q->heap[q->slots[s].pos].t;
}

/* Remove the entry at heap index i. */
static void remove_at(struct evq *q, uint32_t i)
{
    struct evq_ent last = q->heap[--q->n];
    if (i == q->n)
        return;
    if (i > 0 && ent_less(&last, &q->heap[(i - 1u) / ARITY]))
        sift_up(q, i, last);
    else
        sift_down(q, i, last);
}

int evq_cancel(struct evq *q, evq_handle h)
{
    uint32_t s = live_slot(q, h);
    if (!s)
        return TS_ESTALE;
    if (q->slots[s].pos == EVQ_FRONT)
        q->has_front = false; /* the heap's earliest is the earliest again */
    else
        remove_at(q, q->slots[s].pos);
    slot_free(q, s);
    return 0;
}

bool evq_pop(struct evq *q, struct evq_event *out)
{
    if (q->has_front) {
        uint32_t s = ent_slot(&q->front);
        struct evq_slot *sl = &q->slots[s];
        out->t = q->front.t;
        out->fn = sl->fn;
        out->ctx = sl->ctx;
        out->arg = sl->arg;
        slot_free(q, s);
        q->has_front = false;
        return true;
    }
    if (q->n == 0)
        return false;
    struct evq_ent top = q->heap[0];
    uint32_t s = ent_slot(&top);
    struct evq_slot *sl = &q->slots[s];
    out->t = top.t;
    out->fn = sl->fn;
    out->ctx = sl->ctx;
    out->arg = sl->arg;
    slot_free(q, s);
    struct evq_ent last = q->heap[--q->n];
    if (q->n > 0)
        sift_down(q, 0, last);
    return true;
}

uint32_t evq_cancel_ctx(struct evq *q, const void *ctx)
{
    /* Walk the slots, not the heap: removals reorder the heap but never move slots. */
    uint32_t cancelled = 0;
    for (uint32_t s = 1; s <= q->nslots; s++) {
        struct evq_slot *sl = &q->slots[s];
        if (sl->fn != NULL && sl->ctx == ctx) {
            if (sl->pos == EVQ_FRONT)
                q->has_front = false;
            else
                remove_at(q, sl->pos);
            slot_free(q, s);
            cancelled++;
        }
    }
    return cancelled;
}
