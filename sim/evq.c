/* evq.c — a calendar of near events in front of a 4-ary heap of (time, sequence|slot)
 * entries, with payload slots and in-place cancellation. Sift operations move a "hole" rather
 * than swapping, and update each moved entry's slot position; see evq.h for the contract and
 * bench/README.md for the numbers. */
#include "tiersim/evq.h"

#include "tiersim/err.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 24u
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1u)
#define ARITY     4u
#define CAL_MASK  (EVQ_CAL_BUCKETS - 1u)
#define CAL_WORDS (EVQ_CAL_BUCKETS / 64u)
#define CAL_WALK  16u /* the most bucket entries an insertion may step over; else the heap */
#define CAL_K0    16u /* the first bucket width, 65.5 us, until the first epoch ends */

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
    free(q->cal_head);
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

/* (t, key) of slot a before slot b's? */
static inline bool slot_less(const struct evq_slot *a, const struct evq_slot *b)
{
    return a->t < b->t || (a->t == b->t && a->key < b->key);
}

/* Room in the heap for `need` entries. */
static void heap_reserve(struct evq *q, uint32_t need)
{
    if (need <= q->cap)
        return;
    uint32_t cap = q->cap ? q->cap : 256u;
    while (cap < need)
        cap *= 2u;
    q->heap = ts_realloc(q->heap, (size_t)cap * sizeof *q->heap);
    q->cap = cap;
}

/* --- the calendar --------------------------------------------------------------------------- */

/* The first non-empty bucket at or after index i (circularly), or EVQ_CAL_BUCKETS if none. */
static uint32_t cal_scan(const struct evq *q, uint32_t i)
{
    uint32_t w = i / 64u;
    uint64_t bits = q->cal_bits[w] & (~UINT64_C(0) << (i % 64u));
    for (uint32_t n = 0; n <= CAL_WORDS; n++) {
        if (bits)
            return w * 64u + (uint32_t)__builtin_ctzll(bits);
        w = (w + 1u) % CAL_WORDS;
        bits = q->cal_bits[w];
    }
    return EVQ_CAL_BUCKETS;
}

/* Put slot s (its t and key set) into the calendar if its time falls in the window and its
 * bucket is not crowded where it goes. Returns false, changing nothing, otherwise. */
static bool cal_insert(struct evq *q, uint32_t s)
{
    struct evq_slot *sl = &q->slots[s];
    int64_t b = sl->t >> q->cal_k;
    if (b < q->cal_base || b - q->cal_base >= (int64_t)EVQ_CAL_BUCKETS || !q->cal_head)
        return false;
    uint32_t i = (uint32_t)b & CAL_MASK;
    uint32_t after = q->cal_tail[i]; /* the entry s goes after, walking back from the tail */
    for (uint32_t walked = 0; after && slot_less(sl, &q->slots[after]); walked++) {
        if (walked == CAL_WALK)
            return false;
        after = q->slots[after].prev;
    }
    uint32_t before = after ? q->slots[after].next : q->cal_head[i];
    sl->prev = after;
    sl->next = before;
    if (after)
        q->slots[after].next = s;
    else
        q->cal_head[i] = s;
    if (before)
        q->slots[before].prev = s;
    else
        q->cal_tail[i] = s;
    q->cal_bits[i / 64u] |= UINT64_C(1) << (i % 64u);
    sl->pos = EVQ_CAL;
    q->cal_n++;
    if (!q->cal_min || slot_less(sl, &q->slots[q->cal_min]))
        q->cal_min = s;
    return true;
}

/* Take slot s out of the calendar. */
static void cal_unlink(struct evq *q, uint32_t s)
{
    struct evq_slot *sl = &q->slots[s];
    uint32_t i = (uint32_t)(sl->t >> q->cal_k) & CAL_MASK;
    if (sl->prev)
        q->slots[sl->prev].next = sl->next;
    else
        q->cal_head[i] = sl->next;
    if (sl->next)
        q->slots[sl->next].prev = sl->prev;
    else
        q->cal_tail[i] = sl->prev;
    if (!q->cal_head[i])
        q->cal_bits[i / 64u] &= ~(UINT64_C(1) << (i % 64u));
    q->cal_n--;
    if (q->cal_min == s) { /* every bucket before s's was empty: look from there */
        uint32_t j = q->cal_n ? cal_scan(q, i) : EVQ_CAL_BUCKETS;
        q->cal_min = j < EVQ_CAL_BUCKETS ? q->cal_head[j] : 0;
    }
}

/* A bucket width for the epoch just ended: about half the median delay of its pushes
 * divided by the events pending, so the near events spread about one to a bucket and
 * most of them fall in the window. */
static unsigned cal_choose_k(const struct evq *q)
{
    uint32_t half = q->epoch_pushes / 2u, seen = 0;
    unsigned m = 0;
    while (m < 63u && (seen += q->delay_log2[m]) <= half)
        m++;
    uint32_t n = evq_size(q);
    unsigned lg = 0;
    while (lg < 31u && (UINT32_C(1) << lg) < n)
        lg++;
    int k = (int)m + 1 - (int)lg;
    return k < 0 ? 0u : k > 40 ? 40u : (unsigned)k;
}

/* Start a new epoch; change the width to k, moving every calendar event, if it differs by
 * more than one step (within a step of the best, the cost hardly moves: bench/README.md). */
static void cal_retune(struct evq *q, unsigned k)
{
    q->epoch_pushes = 0;
    memset(q->delay_log2, 0, sizeof q->delay_log2);
    if (k + 1u >= q->cal_k && k <= q->cal_k + 1u)
        return;
    q->cal_rebuilds++;
    /* Chain the calendar's events in (t, key) order through `next`, then put them back. */
    uint32_t first = 0, last = 0;
    int64_t from = q->last;
    if (q->cal_min && q->slots[q->cal_min].t < from)
        from = q->slots[q->cal_min].t;
    for (uint32_t n = 0; n < EVQ_CAL_BUCKETS; n++) { /* from the window's start: in order */
        uint32_t i = ((uint32_t)q->cal_base + n) & CAL_MASK;
        if (!q->cal_head[i])
            continue;
        if (last)
            q->slots[last].next = q->cal_head[i];
        else
            first = q->cal_head[i];
        last = q->cal_tail[i];
        q->cal_head[i] = q->cal_tail[i] = 0;
    }
    memset(q->cal_bits, 0, sizeof q->cal_bits);
    heap_reserve(q, q->n + q->cal_n); /* those past the new window go to the heap */
    q->cal_n = 0;
    q->cal_min = 0;
    q->cal_k = k;
    q->cal_base = from >> k;
    for (uint32_t s = first, next; s; s = next) {
        next = q->slots[s].next;
        if (!cal_insert(q, s))
            sift_up(q, q->n++, (struct evq_ent){q->slots[s].t, q->slots[s].key});
    }
}

/* Note a push's delay; at the end of an epoch, choose the width again. */
static inline void cal_count(struct evq *q, int64_t t)
{
    uint64_t d = t > q->last ? (uint64_t)(t - q->last) : 1u;
    q->delay_log2[63 - __builtin_clzll(d)]++;
    if (++q->epoch_pushes == EVQ_CAL_EPOCH)
        cal_retune(q, cal_choose_k(q));
}

/* --- push and pop --------------------------------------------------------------------------- */

evq_handle evq_push(struct evq *q, int64_t t, evq_fn fn, void *ctx, uint64_t arg)
{
    if (q->seq > EVQ_MAX_SEQ)
        return 0;
    uint32_t s = slot_alloc(q);
    if (!s)
        return 0;
    if (__builtin_expect(!q->cal_head, 0)) {
        q->cal_head = ts_calloc(2u * EVQ_CAL_BUCKETS, sizeof *q->cal_head);
        q->cal_tail = q->cal_head + EVQ_CAL_BUCKETS;
        q->cal_k = CAL_K0;
        q->cal_base = q->last >> CAL_K0;
    }
    struct evq_slot *sl = &q->slots[s];
    if (sl->gen == 0)
        sl->gen = 1;
    sl->fn = fn;
    sl->ctx = ctx;
    sl->arg = arg;
    sl->t = t;
    sl->key = (q->seq++ << SLOT_BITS) | s;
    evq_handle h = make_handle(s, sl->gen);
    if (!cal_insert(q, s)) {
        heap_reserve(q, q->n + 1u);
        sift_up(q, q->n++, (struct evq_ent){t, sl->key});
    }
    cal_count(q, t);
    return h;
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
    return q->slots[s].t;
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
    if (q->slots[s].pos == EVQ_CAL)
        cal_unlink(q, s);
    else
        remove_at(q, q->slots[s].pos);
    slot_free(q, s);
    return 0;
}

/* Take the calendar's earliest event, slot s (q->cal_min). Buckets are sorted and every
 * bucket before s's is empty, so s heads its bucket, and the next earliest is the one after
 * it there, if any: only an emptied bucket needs a scan. */
static void cal_pop_min(struct evq *q, uint32_t s)
{
    struct evq_slot *sl = &q->slots[s];
    uint32_t i = (uint32_t)(sl->t >> q->cal_k) & CAL_MASK;
    uint32_t next = sl->next;
    q->cal_n--;
    q->cal_head[i] = next;
    if (next) {
        q->slots[next].prev = 0;
        q->cal_min = next;
        return;
    }
    q->cal_tail[i] = 0;
    q->cal_bits[i / 64u] &= ~(UINT64_C(1) << (i % 64u));
    uint32_t j = q->cal_n ? cal_scan(q, i) : EVQ_CAL_BUCKETS;
    q->cal_min = j < EVQ_CAL_BUCKETS ? q->cal_head[j] : 0;
}

bool evq_pop_until(struct evq *q, int64_t until, struct evq_event *out)
{
    uint32_t s;
    if (q->cal_min &&
        (q->n == 0 || slot_less(&q->slots[q->cal_min], &q->slots[ent_slot(&q->heap[0])]))) {
        s = q->cal_min;
        if (q->slots[s].t > until)
            return false;
        cal_pop_min(q, s);
    } else if (q->n) {
        if (q->heap[0].t > until)
            return false;
        s = ent_slot(&q->heap[0]);
        struct evq_ent last = q->heap[--q->n];
        if (q->n > 0)
            sift_down(q, 0, last);
    } else {
        return false;
    }
    struct evq_slot *sl = &q->slots[s];
    out->t = sl->t;
    out->fn = sl->fn;
    out->ctx = sl->ctx;
    out->arg = sl->arg;
    slot_free(q, s);
    if (out->t > q->last) { /* the window moves on; nothing pending is earlier */
        q->last = out->t;
        if ((out->t >> q->cal_k) > q->cal_base)
            q->cal_base = out->t >> q->cal_k;
    }
    return true;
}

bool evq_pop(struct evq *q, struct evq_event *out)
{
    return evq_pop_until(q, INT64_MAX, out);
}

uint32_t evq_cancel_ctx(struct evq *q, const void *ctx)
{
    /* Walk the slots, not the heap: removals reorder the heap but never move slots. */
    uint32_t cancelled = 0;
    for (uint32_t s = 1; s <= q->nslots; s++) {
        struct evq_slot *sl = &q->slots[s];
        if (sl->fn != NULL && sl->ctx == ctx) {
            if (sl->pos == EVQ_CAL)
                cal_unlink(q, s);
            else
                remove_at(q, sl->pos);
            slot_free(q, s);
            cancelled++;
        }
    }
    return cancelled;
}
