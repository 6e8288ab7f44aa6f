/* keys.c — a cache's key store (LRU order, capacity, expiry) and Zipf key popularity
 * (keys.h). Pure: no simulation, no events; the cache model calls it when a node runs a
 * command. */
#include "tiersim/models/keys.h"

#include "tiersim/err.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- lists through slots ----------------------------------------------------------------
 * Both lists are circular with their sentinel in slot 0, so insertion and removal have no
 * special case for an empty list or an end. Slot k + 1 is key k. */

static void link_remove(struct keys_link *l, uint32_t slot)
{
    l[l[slot].prev].next = l[slot].next;
    l[l[slot].next].prev = l[slot].prev;
}

/* After the sentinel: the most recently used end of the LRU list. */
static void link_push_front(struct keys_link *l, uint32_t slot)
{
    l[slot].prev = 0;
    l[slot].next = l[0].next;
    l[l[0].next].prev = slot;
    l[0].next = slot;
}

/* Before the sentinel: the latest expiry of the expiry list. */
static void link_push_back(struct keys_link *l, uint32_t slot)
{
    l[slot].next = 0;
    l[slot].prev = l[0].prev;
    l[l[0].prev].next = slot;
    l[0].prev = slot;
}

void keys_init(struct keys *s, uint32_t n, uint32_t capacity, int64_t ttl, bool evict)
{
    TS_ASSERT(n >= 1 && n <= KEYS_MAX);
    TS_ASSERT(capacity >= 1 && capacity <= n);
    TS_ASSERT(ttl >= 0);
    memset(s, 0, sizeof *s);
    s->n = n;
    s->capacity = capacity;
    s->ttl = ttl;
    s->evict = evict;
    /* zeroed: every key absent, every link 0; large zeroed blocks come from the operating
     * system as untouched pages, so only the keys ever used take memory */
    s->present = ts_calloc(n, sizeof *s->present);
    s->lru = ts_calloc((size_t)n + 1u, sizeof *s->lru);
    if (ttl > 0) {
        s->fifo = ts_calloc((size_t)n + 1u, sizeof *s->fifo);
        s->expires = ts_calloc(n, sizeof *s->expires);
    }
}

void keys_release(struct keys *s)
{
    free(s->present);
    free(s->lru);
    free(s->fifo);
    free(s->expires);
    memset(s, 0, sizeof *s);
}

static void drop(struct keys *s, uint32_t key)
{
    s->present[key] = 0;
    link_remove(s->lru, key + 1u);
    if (s->fifo)
        link_remove(s->fifo, key + 1u);
    s->held--;
}

void keys_expire(struct keys *s, int64_t now)
{
    if (!s->fifo)
        return;
    /* every key expires ttl after its last set, and sets come in time order, so the expiry
     * list is in order of expiry: only its head can be due */
    for (uint32_t slot = s->fifo[0].next; slot != 0; slot = s->fifo[0].next) {
        if (s->expires[slot - 1u] > now) {
            /* the keys next to expire: this one's links, the next one's time */
            uint32_t after = s->fifo[slot].next;
            if (after) {
                __builtin_prefetch(&s->fifo[after]);
                __builtin_prefetch(&s->expires[after - 1u]);
            }
            __builtin_prefetch(&s->lru[slot]);
            __builtin_prefetch(&s->present[slot - 1u]);
            break;
        }
        drop(s, slot - 1u);
        s->expirations++;
    }
}

bool keys_get(struct keys *s, uint32_t key, int64_t now)
{
    TS_ASSERT(key < s->n);
    keys_expire(s, now);
    if (!s->present[key])
        return false;
    link_remove(s->lru, key + 1u);
    link_push_front(s->lru, key + 1u);
    return true;
}

static void arm(struct keys *s, uint32_t key, int64_t expires)
{
    if (!s->fifo)
        return;
    s->expires[key] = expires;
    link_push_back(s->fifo, key + 1u);
}

enum keys_set_result keys_set(struct keys *s, uint32_t key, int64_t now)
{
    TS_ASSERT(key < s->n);
    keys_expire(s, now);
    if (s->present[key]) {
        link_remove(s->lru, key + 1u);
        link_push_front(s->lru, key + 1u);
        if (s->fifo) {
            link_remove(s->fifo, key + 1u);
            arm(s, key, now + s->ttl);
        }
        return KEYS_UPDATED;
    }
    if (s->held == s->capacity) {
        if (!s->evict) {
            s->refused++;
            return KEYS_REFUSED;
        }
        drop(s, s->lru[0].prev - 1u); /* the least recently used */
        s->evictions++;
    }
    s->present[key] = 1;
    s->held++;
    link_push_front(s->lru, key + 1u);
    arm(s, key, now + s->ttl);
    return KEYS_INSERTED;
}

void keys_fill(struct keys *s, uint32_t count, int64_t now, const gsl_rng *r)
{
    TS_ASSERT(s->held == 0 && count <= s->capacity);
    /* least popular first, so that key 0 ends up the most recently used */
    for (uint32_t i = count; i-- > 0;) {
        s->present[i] = 1;
        link_push_front(s->lru, i + 1u);
    }
    s->held = count;
    if (!s->fifo || count == 0)
        return;
    /* in a cache that has run for long, a held key's remaining lifetime is uniform over
     * (0, ttl] whatever its popularity: evenly spaced lifetimes, shuffled among the keys */
    TS_ASSERT(r != NULL);
    uint32_t *order = ts_malloc((size_t)count * sizeof *order);
    for (uint32_t i = 0; i < count; i++)
        order[i] = i;
    gsl_ran_shuffle(r, order, count, sizeof *order);
    for (uint32_t j = 0; j < count; j++)
        arm(s, order[j], now + (int64_t)((double)s->ttl * (j + 1.0) / count));
    free(order);
}

uint32_t keys_clear(struct keys *s)
{
    /* O(held): only the held keys' flags are touched; the links of the slots left behind
     * are rewritten when their keys are inserted again */
    uint32_t n = 0;
    for (uint32_t slot = s->lru[0].next; slot != 0; slot = s->lru[slot].next, n++)
        s->present[slot - 1u] = 0;
    TS_ASSERT(n == s->held);
    s->lru[0].prev = s->lru[0].next = 0;
    if (s->fifo)
        s->fifo[0].prev = s->fifo[0].next = 0;
    s->held = 0;
    s->cleared += n;
    return n;
}

void keys_prefetch(const struct keys *s, uint32_t key)
{
    if (key >= s->n)
        return;
    __builtin_prefetch(&s->present[key]);
    __builtin_prefetch(&s->lru[key + 1u]);
}

void keys_prefetch_links(const struct keys *s, uint32_t key)
{
    if (key >= s->n || !s->present[key])
        return;
    __builtin_prefetch(&s->lru[s->lru[key + 1u].prev]);
    __builtin_prefetch(&s->lru[s->lru[key + 1u].next]);
}

bool keys_has(const struct keys *s, uint32_t key)
{
    return key < s->n && s->present[key];
}

uint32_t keys_list(const struct keys *s, uint32_t *out, uint32_t max)
{
    uint32_t n = 0;
    for (uint32_t slot = s->lru[0].next; slot != 0 && n < max; slot = s->lru[slot].next)
        out[n++] = slot - 1u;
    return n;
}

size_t keys_bytes(const struct keys *s)
{
    size_t b = (size_t)s->n * sizeof *s->present + ((size_t)s->n + 1u) * sizeof *s->lru;
    if (s->fifo)
        b += ((size_t)s->n + 1u) * sizeof *s->fifo + (size_t)s->n * sizeof *s->expires;
    return b;
}

/* --- Zipf by rejection-inversion ---------------------------------------------------------
 * The weight of rank k (1 .. n) is h(k) = k^-alpha. h is decreasing and convex on x > 0,
 * so the area under h over [k - 1/2, k + 1/2] is at least h(k). With H(x) the integral of h
 * from 1 to x:
 *   - draw u uniformly in (H(3/2) - h(1), H(n + 1/2)] and invert: x = H^-1(u);
 *   - take the nearest rank k = round(x);
 *   - accept k when u >= H(k + 1/2) - h(k), else draw again.
 * The u accepted for k form an interval of length exactly h(k) (for k = 1 the whole range
 * below H(3/2), which is why the range starts there), so P(k) is proportional to h(k); the
 * rest of [H(k - 1/2), H(k + 1/2)] is the small rejected part, which convexity keeps inside
 * rank k's own interval. Few draws are rejected: the range exceeds the sum of the weights by
 * a sliver.
 *
 * H(x) = (x^(1-alpha) - 1) / (1 - alpha), which is log x at alpha = 1. Written as
 * log(x) * g((1 - alpha) log x) with g(t) = (e^t - 1) / t, and H^-1(u) = exp(u * f((1 -
 * alpha) u)) with f(t) = log(1 + t) / t, both are continuous in alpha through 1 and need no
 * special case there. */

static double expm1_over(double t) /* (e^t - 1) / t, 1 at 0 */
{
    return t == 0 ? 1.0 : expm1(t) / t;
}

static double log1p_over(double t) /* log(1 + t) / t, 1 at 0 */
{
    return t == 0 ? 1.0 : log1p(t) / t;
}

static double zipf_H(double alpha, double x)
{
    double lx = log(x);
    return lx * expm1_over((1.0 - alpha) * lx);
}

static double zipf_H_inv(double alpha, double u)
{
    return exp(u * log1p_over((1.0 - alpha) * u));
}

static double zipf_h(double alpha, double k)
{
    return exp(-alpha * log(k));
}

void keys_zipf_init(struct keys_zipf *z, uint32_t n, double alpha)
{
    TS_ASSERT(n >= 1 && n <= KEYS_MAX);
    TS_ASSERT(alpha >= 0 && alpha <= 100);
    z->n = n;
    z->alpha = alpha;
    z->u_lo = zipf_H(alpha, 1.5) - 1.0; /* h(1) = 1 */
    z->u_hi = zipf_H(alpha, (double)n + 0.5);
}

uint32_t keys_zipf_draw(const struct keys_zipf *z, const gsl_rng *r)
{
    for (;;) {
        /* gsl_rng_uniform is in [0, 1): u in (u_lo, u_hi] */
        double u = z->u_hi - gsl_rng_uniform(r) * (z->u_hi - z->u_lo);
        double x = zipf_H_inv(z->alpha, u);
        double k = floor(x + 0.5);
        if (k < 1) /* rounding at the ends of the range */
            k = 1;
        else if (k > z->n)
            k = z->n;
        /* x >= k is always accepted, without computing H: then u >= H(k), and
         * H(k + 1/2) - H(k) <= h(k) / 2 as h decreases, so u >= H(k + 1/2) - h(k) */
        if (k == 1 || x >= k || u >= zipf_H(z->alpha, k + 0.5) - zipf_h(z->alpha, k))
            return (uint32_t)k - 1u;
    }
}
