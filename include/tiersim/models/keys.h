/* keys.h — a cache's key store, without a simulation: which keys a cache holds (LRU order,
 * capacity, expiry a fixed time after each set) and which key each get asks for (Zipf
 * popularity). The cache model (cache.h) drives it; tests drive it directly.
 *
 * Keys are numbers 0 .. n-1, by popularity: key 0 is the most requested. The store keeps
 * arrays indexed by key (no allocation per key, no hashing): about 9 bytes per key, 25 with
 * expiry, allocated zeroed so that memory the operating system has to provide grows with the
 * keys ever touched. Every operation is O(1); expiry is amortised O(1).
 */
#ifndef TIERSIM_MODELS_KEYS_H
#define TIERSIM_MODELS_KEYS_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most keys a store or a Zipf population may have. */
#define KEYS_MAX 100000000u

/* A link of a doubly linked list through slots: slot 0 is the list's sentinel, slot k + 1
 * is key k. */
struct keys_link {
    uint32_t prev, next;
};

struct keys {
    uint32_t n;           /* keys 0 .. n-1 */
    uint32_t capacity;    /* most keys held at once, 1 .. n */
    int64_t ttl;          /* ns from a set to the key's expiry; 0: keys never expire */
    bool evict;           /* full: a new key evicts the least recently used one; false: it is
                             refused (Redis's noeviction) */
    uint32_t held;        /* keys held now */
    uint64_t evictions;   /* keys evicted to make room, since keys_init */
    uint64_t expirations; /* keys removed because they expired, since keys_init */
    uint64_t refused;     /* sets refused by a full store that may not evict */
    uint64_t cleared;     /* keys lost to keys_clear (a node that lost its data) */

    uint8_t *present;       /* n: 1 while key k is held */
    struct keys_link *lru;  /* n + 1: from the sentinel, most recently used first */
    struct keys_link *fifo; /* n + 1 with a ttl, else NULL: soonest expiry first */
    int64_t *expires;       /* n with a ttl, else NULL: ns, when key k expires */
};

/* An empty store of n keys (1 <= n <= KEYS_MAX) holding at most `capacity` (1 .. n) of
 * them; `ttl` >= 0 in ns. Preconditions are asserted. keys_release frees it. */
void keys_init(struct keys *s, uint32_t n, uint32_t capacity, int64_t ttl, bool evict);
void keys_release(struct keys *s);

/* Remove every key whose expiry is at or before `now` (ns). Times passed to the store must
 * never decrease. */
void keys_expire(struct keys *s, int64_t now);

/* A get of `key` (< n) at `now`: true on a hit, which makes the key the most recently used.
 * An expired key is removed first and misses. A get never inserts. */
bool keys_get(struct keys *s, uint32_t key, int64_t now);

enum keys_set_result {
    KEYS_INSERTED, /* a new key (after evicting the least recently used one if full) */
    KEYS_UPDATED,  /* the key was held: it is now the most recently used, and expires ttl
                      after now */
    KEYS_REFUSED,  /* full, and evicting is not allowed: nothing changed */
};

/* A set of `key` (< n) at `now`: the key is held and expires at now + ttl. */
enum keys_set_result keys_set(struct keys *s, uint32_t key, int64_t now);

/* Fill an empty store with keys 0 .. count-1 (count <= capacity) at `now`, key 0 the most
 * recently used: a warm cache of the `count` most popular keys. With a ttl, their remaining
 * lifetimes are spread evenly over (0, ttl] in a random order drawn from r, as in a cache
 * that has run for a long time; r may be NULL without a ttl. Allocates a temporary array of
 * `count` numbers with a ttl. */
void keys_fill(struct keys *s, uint32_t count, int64_t now, const gsl_rng *r);

/* Lose every key at once (a cache node that comes back empty, EC-4): the store is as
 * keys_init left it, its counters kept. O(keys held). Returns how many were held. */
uint32_t keys_clear(struct keys *s);

/* Hints, changing nothing. A store of millions of keys lives in main memory, and a get
 * that waits for it waits twice: for the key's own flag and links, then for its
 * neighbours' links, which are known only once those arrive. A caller that knows its next
 * keys early asks for them ahead: keys_prefetch(key) starts loading the key's flag and LRU
 * links; keys_prefetch_links(key), called after an earlier keys_prefetch(key) had time to
 * land, starts loading its LRU neighbours'. keys_expire does the same for the keys next
 * to expire. */
void keys_prefetch(const struct keys *s, uint32_t key);
void keys_prefetch_links(const struct keys *s, uint32_t key);

/* Is `key` held (expired or not: no removal happens here)? */
bool keys_has(const struct keys *s, uint32_t key);

/* The held keys from most to least recently used, at most `max` of them, into out.
 * Returns how many were written. O(held): for tests and logs. */
uint32_t keys_list(const struct keys *s, uint32_t *out, uint32_t max);

/* Bytes of the store's arrays (what it may use once every key has been touched). */
size_t keys_bytes(const struct keys *s);

/* --- Zipf popularity ----------------------------------------------------------------------
 * P(key k) = (k + 1)^-alpha / sum over j = 1..n of j^-alpha, for k = 0 .. n-1 and any
 * alpha >= 0 (alpha = 0 is uniform; alpha = 1 included). Drawn by rejection-inversion
 * (Hörmann & Derflinger, "Rejection-inversion to generate variates from monotone discrete
 * distributions", ACM TOMACS 6(3), 1996): O(1) time per draw whatever n, no table. */
struct keys_zipf {
    uint32_t n;
    double alpha;
    double u_lo, u_hi; /* the range of the inversion's uniform (see keys.c) */
};

/* Set up for n keys (1 <= n <= KEYS_MAX) and exponent alpha (0 <= alpha <= 100), asserted. */
void keys_zipf_init(struct keys_zipf *z, uint32_t n, double alpha);

/* One key, 0 .. n-1. Hot path: no allocation; at most about 1.02 uniforms per draw on
 * average (1.001 for alpha 1 and a million keys). */
uint32_t keys_zipf_draw(const struct keys_zipf *z, const gsl_rng *r);

#endif
