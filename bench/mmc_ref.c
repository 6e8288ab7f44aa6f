/* mmc_ref.c — the yardstick for the M/M/c scenario: M/M/8 at rho 0.9 (scenarios/mmc.json:
 * Poisson 7.2 requests/s, 8 servers, exponential service of mean 1 s) as a plain C loop.
 *
 *   bench_mmc_ref [REQUESTS]     (1e7 by default)
 *
 * A binary heap of arrival and departure events (16 bytes each: time in ns and the
 * request's arrival time, negative for an arrival event), a FCFS ring buffer of waiting
 * requests, a busy-server count, and the running mean of the response time: the least a
 * simulation of this system must do, and what a C programmer would write for it. Arrivals
 * and service times come from two GSL MT19937 generators with gsl_ran_exponential, as the
 * workload's and the fleet's streams do in tiersim. REQUESTS requests arrive; the run ends
 * when the last of them has left. The mean response time is printed beside Erlang C's.
 */
#include "bench.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#define RATE    7.2 /* requests/s */
#define SERVICE 1.0 /* s, mean service time */
#define SERVERS 8u

struct ev {
    int64_t t;       /* ns */
    int64_t arrived; /* ns, the request's arrival (departures); -1 for an arrival event */
};

struct mmc {
    struct ev *heap; /* pending events, binary min-heap on t */
    size_t heap_n, heap_cap;
    int64_t *fifo; /* ns, arrival times of waiting requests: a ring of fifo_cap */
    size_t fifo_head, fifo_n, fifo_cap;
};

static void *grow(void *p, size_t *cap, size_t size)
{
    *cap = *cap ? *cap * 2 : 256;
    p = realloc(p, *cap * size);
    if (!p) {
        fputs("bench_mmc_ref: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static inline int64_t to_ns(double s)
{
    return (int64_t)(s * 1e9 + 0.5);
}

static inline void push(struct mmc *m, struct ev e)
{
    if (m->heap_n == m->heap_cap)
        m->heap = grow(m->heap, &m->heap_cap, sizeof *m->heap);
    struct ev *heap = m->heap;
    size_t i = m->heap_n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (heap[p].t <= e.t)
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

static inline struct ev pop(struct mmc *m)
{
    struct ev *heap = m->heap;
    struct ev top = heap[0];
    struct ev e = heap[--m->heap_n];
    size_t n = m->heap_n, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && heap[c + 1].t < heap[c].t)
            c++;
        if (e.t <= heap[c].t)
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (n > 0)
        heap[i] = e;
    return top;
}

static void fifo_push(struct mmc *m, int64_t t)
{
    if (m->fifo_n == m->fifo_cap) {
        size_t old = m->fifo_cap;
        m->fifo = grow(m->fifo, &m->fifo_cap, sizeof *m->fifo);
        /* unwrap: the part before head moves behind the old end */
        for (size_t i = 0; i < m->fifo_head; i++)
            m->fifo[old + i] = m->fifo[i];
    }
    m->fifo[(m->fifo_head + m->fifo_n++) % m->fifo_cap] = t;
}

static int64_t fifo_pop(struct mmc *m)
{
    int64_t t = m->fifo[m->fifo_head];
    m->fifo_head = (m->fifo_head + 1) % m->fifo_cap;
    m->fifo_n--;
    return t;
}

/* Erlang C: mean response time of M/M/c. */
static double erlang_c_response(double lambda, double s, unsigned c)
{
    double a = lambda * s, rho = a / c, term = 1.0, sum = 0.0;
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double last = term / (1.0 - rho);
    double p_wait = last / (sum + last);
    return s + p_wait * s / (c - a);
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: bench_mmc_ref [REQUESTS]\n");
        return 2;
    }
    uint64_t requests = argc == 2 ? bench_count(argv[1], "REQUESTS") : 10000000u;

    gsl_rng *ra = gsl_rng_alloc(gsl_rng_mt19937), *rs = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(ra, 1);
    gsl_rng_set(rs, 2);

    struct mmc m = {0};
    double t0 = bench_now();
    uint64_t arrived = 1, done = 0;
    unsigned busy = 0;
    double mean = 0.0; /* s, running mean of the response time */
    push(&m, (struct ev){to_ns(gsl_ran_exponential(ra, 1.0 / RATE)), -1});
    while (m.heap_n) {
        struct ev e = pop(&m);
        if (e.arrived < 0) {
            if (arrived < requests) {
                arrived++;
                push(&m, (struct ev){e.t + to_ns(gsl_ran_exponential(ra, 1.0 / RATE)), -1});
            }
            if (busy < SERVERS) {
                busy++;
                push(&m, (struct ev){e.t + to_ns(gsl_ran_exponential(rs, SERVICE)), e.t});
            } else {
                fifo_push(&m, e.t);
            }
        } else {
            done++;
            mean += ((double)(e.t - e.arrived) / 1e9 - mean) / (double)done;
            if (m.fifo_n)
                push(&m, (struct ev){e.t + to_ns(gsl_ran_exponential(rs, SERVICE)), fifo_pop(&m)});
            else
                busy--;
        }
    }
    double secs = bench_now() - t0;
    gsl_rng_free(ra);
    gsl_rng_free(rs);
    free(m.heap);
    free(m.fifo);

    printf("bench mmc_ref (hand-written M/M/%u, binary heap, FCFS ring)\n", SERVERS);
    printf("requests %llu\n", (unsigned long long)done);
    printf("seconds %.3f\n", secs);
    printf("requests_per_s %.0f\n", (double)done / secs);
    printf("peak_mib %.1f\n", bench_peak_mib(RUSAGE_SELF));
    printf("response_mean_s %.4f\n", mean);
    printf("erlang_c_response_s %.4f\n", erlang_c_response(RATE, SERVICE, SERVERS));
    return 0;
}
