/* hold_ref.c — the yardstick for hold.c: the same hold model on the simplest fast heap a C
 * programmer writes by hand, with nothing the engine's queue carries (no handles, no
 * cancellation, no payload slots, no sequence numbers for ties).
 *
 *   bench_hold_ref [--arity 2|4] PENDING [HOLDS]     (binary heap, HOLDS 1e7 by default)
 *
 * An entry is 16 bytes (time in ns, a 64-bit payload), as an event needs at least a time
 * and something to say what it is. Pop moves the last entry into the root's hole and sifts
 * it down; push sifts a hole up: the textbook loops, moving holes rather than swapping.
 * The arrays grow by doubling, as the engine's do. Exponentials come from the same GSL
 * generator with the same seed as hold.c, so end_t_ns must match hold.c's exactly.
 */
#include "bench.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <string.h>

#define SEED 1ul

struct ent {
    int64_t t;    /* ns */
    uint64_t arg; /* what the event is */
};

struct heap {
    struct ent *a;
    size_t n, cap;
};

/* The same rounding as sim_ns(), so both benchmarks see the same times. */
static inline int64_t to_ns(double s)
{
    return (int64_t)(s * 1e9 + 0.5);
}

static void grow(struct heap *h)
{
    h->cap = h->cap ? h->cap * 2 : 256;
    h->a = realloc(h->a, h->cap * sizeof *h->a);
    if (!h->a) {
        fputs("bench_hold_ref: out of memory\n", stderr);
        exit(1);
    }
}

/* One push and one pop per arity, D a constant so each loop is compiled for it. */
#define HEAP_OPS(D)                                                                            \
    static inline void push##D(struct heap *h, struct ent e)                                   \
    {                                                                                          \
        if (h->n == h->cap)                                                                    \
            grow(h);                                                                           \
        struct ent *a = h->a;                                                                  \
        size_t i = h->n++;                                                                     \
        while (i > 0) {                                                                        \
            size_t p = (i - 1) / (D);                                                          \
            if (a[p].t <= e.t)                                                                 \
                break;                                                                         \
            a[i] = a[p];                                                                       \
            i = p;                                                                             \
        }                                                                                      \
        a[i] = e;                                                                              \
    }                                                                                          \
                                                                                               \
    static inline struct ent pop##D(struct heap *h)                                            \
    {                                                                                          \
        struct ent *a = h->a;                                                                  \
        struct ent top = a[0];                                                                 \
        struct ent e = a[--h->n];                                                              \
        size_t n = h->n, i = 0;                                                                \
        for (;;) {                                                                             \
            size_t c = (D) * i + 1;                                                            \
            if (c >= n)                                                                        \
                break;                                                                         \
            size_t best = c, end = c + (D) < n ? c + (D) : n;                                  \
            for (size_t k = c + 1; k < end; k++)                                               \
                if (a[k].t < a[best].t)                                                        \
                    best = k;                                                                  \
            if (e.t <= a[best].t)                                                              \
                break;                                                                         \
            a[i] = a[best];                                                                    \
            i = best;                                                                          \
        }                                                                                      \
        if (n > 0)                                                                             \
            a[i] = e;                                                                          \
        return top;                                                                            \
    }                                                                                          \
                                                                                               \
    static int64_t hold##D(gsl_rng *r, uint64_t pending, uint64_t holds, double *secs)         \
    {                                                                                          \
        struct heap h = {0};                                                                   \
        for (uint64_t i = 0; i < pending; i++)                                                 \
            push##D(&h, (struct ent){to_ns(gsl_ran_exponential(r, 1.0)), i});                  \
        struct ent e = {0, 0};                                                                 \
        double t0 = bench_now();                                                               \
        for (uint64_t k = 0; k < holds; k++) {                                                 \
            e = pop##D(&h);                                                                    \
            push##D(&h, (struct ent){e.t + to_ns(gsl_ran_exponential(r, 1.0)), e.arg});        \
        }                                                                                      \
        *secs = bench_now() - t0;                                                              \
        free(h.a);                                                                             \
        return e.t;                                                                            \
    }

HEAP_OPS(2)
HEAP_OPS(4)

int main(int argc, char **argv)
{
    int a = 1;
    unsigned arity = 2;
    if (a + 1 < argc && strcmp(argv[a], "--arity") == 0) {
        if (strcmp(argv[a + 1], "2") != 0 && strcmp(argv[a + 1], "4") != 0) {
            fprintf(stderr, "bench_hold_ref: --arity is 2 or 4, got \"%s\"\n", argv[a + 1]);
            return 2;
        }
        arity = argv[a + 1][0] == '4' ? 4u : 2u;
        a += 2;
    }
    if (argc - a < 1 || argc - a > 2) {
        fprintf(stderr, "usage: bench_hold_ref [--arity 2|4] PENDING [HOLDS]\n");
        return 2;
    }
    uint64_t pending = bench_count(argv[a], "PENDING");
    uint64_t holds = argc - a == 2 ? bench_count(argv[a + 1], "HOLDS") : 10000000u;

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, SEED);
    double secs = 0;
    int64_t end_t = arity == 4 ? hold4(r, pending, holds, &secs) : hold2(r, pending, holds, &secs);
    gsl_rng_free(r);

    bench_print_hold(arity == 4 ? "hold_ref (hand-written 4-ary heap, no handles)"
                                : "hold_ref (hand-written binary heap, no handles)",
                     pending, holds, secs, end_t);
    return 0;
}
