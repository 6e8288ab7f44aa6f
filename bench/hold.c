/* hold.c — the classic hold model on the engine's event queue: PENDING events wait; each
 * step pops the earliest and pushes one at its time + Exp(1 s).
 *
 *   bench_hold [--sim] PENDING [HOLDS]     (HOLDS defaults to 1e7)
 *
 * Without --sim the loop calls evq.h directly (evq_pop, evq_push), which is what the queue
 * costs. With --sim the same model runs through sim_run: every event is a handler that
 * schedules its successor with sim_after, which adds the run loop's dispatch to the figure.
 * Exponentials come from GSL's MT19937 with gsl_ran_exponential, seeded as in hold_ref.c, so
 * the two benchmarks draw the same numbers and end at the same simulated time (printed as
 * end_t_ns: a cross-check that both ran the same model). Only the hold loop is timed; the
 * fill of PENDING events before it is not.
 */
#include "bench.h"

#include "tiersim/evq.h"
#include "tiersim/sim.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <signal.h>
#include <string.h>

#define SEED 1ul

/* --- the queue on its own ----------------------------------------------------------------- */

static void on_event(struct sim *sim, void *ctx, uint64_t arg)
{
    /* never called: the evq loop only moves events */
    (void)sim;
    (void)ctx;
    (void)arg;
}

static int64_t hold_evq(gsl_rng *r, uint64_t pending, uint64_t holds, double *secs)
{
    struct evq q = EVQ_INIT;
    for (uint64_t i = 0; i < pending; i++)
        if (!evq_push(&q, sim_ns(gsl_ran_exponential(r, 1.0)), on_event, NULL, i)) {
            fprintf(stderr, "bench_hold: evq_push refused event %llu\n", (unsigned long long)i);
            exit(1);
        }
    struct evq_event ev = {0};
    double t0 = bench_now();
    for (uint64_t k = 0; k < holds; k++) {
        evq_pop(&q, &ev);
        evq_push(&q, ev.t + sim_ns(gsl_ran_exponential(r, 1.0)), ev.fn, ev.ctx, ev.arg);
    }
    *secs = bench_now() - t0;
    evq_release(&q);
    return ev.t;
}

/* --- the same model through the run loop ------------------------------------------------- */

struct holder {
    gsl_rng *r;
    uint64_t done, holds;
    int64_t end_t;                    /* ns, time of the last hold */
    atomic_int stop;                  /* raised after the last hold: sim_run checks it */
};

static void on_hold(struct sim *sim, void *ctx, uint64_t arg)
{
    struct holder *h = ctx;
    if (h->done >= h->holds)
        return; /* the run loop looks at `stop` every 4096 events: these few only drain */
    h->done++;
    sim_after(sim, sim_ns(gsl_ran_exponential(h->r, 1.0)), on_hold, h, arg);
    if (h->done == h->holds) {
        h->end_t = sim->now;
        h->stop = 1;
    }
}

static int64_t hold_sim(gsl_rng *r, uint64_t pending, uint64_t holds, double *secs)
{
    struct holder h = {.r = r, .holds = holds};
    struct sim sim;
    sim_init(&sim, SEED);
    sim.interrupt = &h.stop;
    for (uint64_t i = 0; i < pending; i++)
        sim_at(&sim, sim_ns(gsl_ran_exponential(r, 1.0)), on_hold, &h, i);
    double t0 = bench_now();
    int rc = sim_run(&sim, INT64_MAX);
    *secs = bench_now() - t0;
    if (rc != TS_EINTR || h.done != holds) {
        fprintf(stderr, "bench_hold: the run ended early (%s)\n", ts_strerror(rc));
        exit(1);
    }
    sim_release(&sim);
    return h.end_t;
}

int main(int argc, char **argv)
{
    int a = 1;
    bool through_sim = false;
    if (a < argc && strcmp(argv[a], "--sim") == 0) {
        through_sim = true;
        a++;
    }
    if (argc - a < 1 || argc - a > 2) {
        fprintf(stderr, "usage: bench_hold [--sim] PENDING [HOLDS]\n");
        return 2;
    }
    uint64_t pending = bench_count(argv[a], "PENDING");
    uint64_t holds = argc - a == 2 ? bench_count(argv[a + 1], "HOLDS") : 10000000u;
    if (pending > EVQ_MAX_PENDING) {
        fprintf(stderr, "bench_hold: PENDING must be at most %u\n", EVQ_MAX_PENDING);
        return 2;
    }

    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, SEED);
    double secs = 0;
    int64_t end_t = through_sim ? hold_sim(r, pending, holds, &secs)
                                : hold_evq(r, pending, holds, &secs);
    gsl_rng_free(r);

    bench_print_hold(through_sim ? "hold_sim (sim_run + sim_after, evq 4-ary heap)"
                                 : "hold (evq_pop + evq_push, 4-ary heap with slots)",
                     pending, holds, secs, end_t);
    return 0;
}
