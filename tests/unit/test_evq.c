/* test_evq.c — the event queue: order by (time, scheduling order), FIFO at equal times,
 * cancellation (in place, from inside a handler, of the handler's own event), stale handles,
 * a pending event's new argument, cancel-by-subject, and a randomised comparison against a
 * plain reference (pops bounded by a time included). */
#include "check.h"

#include "tiersim/evq.h"
#include "tiersim/sim.h"

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

static void noop(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)ctx;
    (void)arg;
}

static void test_order_and_fifo(void)
{
    struct evq q = EVQ_INIT;
    evq_init(&q);
    /* pushed out of order, with ties: (t=5, a), (t=1, b), (t=5, c), (t=3, d), (t=5, e) */
    const int64_t t[] = {5, 1, 5, 3, 5};
    for (uint64_t i = 0; i < 5; i++)
        CHECK(evq_push(&q, t[i], noop, NULL, i) != 0, "push %llu", (unsigned long long)i);
    const uint64_t want[] = {1, 3, 0, 2, 4}; /* by time, then by push order */
    struct evq_event ev;
    for (int i = 0; i < 5; i++) {
        CHECK(evq_pop(&q, &ev), "pop %d", i);
        CHECK_EQ_INT(ev.arg, want[i]);
    }
    CHECK(!evq_pop(&q, &ev), "empty queue pops nothing");
    CHECK(!evq_pop_until(&q, INT64_MAX, &ev), "nor a bounded pop");
    CHECK_EQ_INT(evq_next_time(&q), INT64_MAX);
    evq_release(&q);
}

static void test_many_ties_fifo(void)
{
    struct evq q = EVQ_INIT;
    evq_init(&q);
    for (uint64_t i = 0; i < 10000; i++)
        evq_push(&q, 42, noop, NULL, i);
    struct evq_event ev;
    bool ordered = true;
    for (uint64_t i = 0; i < 10000; i++) {
        evq_pop(&q, &ev);
        ordered = ordered && ev.arg == i;
    }
    CHECK(ordered, "10000 events at one time pop in scheduling order");
    evq_release(&q);
}

static void test_stale_handles(void)
{
    struct evq q = EVQ_INIT;
    evq_init(&q);
    evq_handle a = evq_push(&q, 10, noop, NULL, 1);
    evq_handle b = evq_push(&q, 20, noop, NULL, 2);
    CHECK(evq_pending(&q, a) && evq_pending(&q, b), "both pending");
    CHECK_EQ_INT(evq_time_of(&q, b), 20);
    CHECK_EQ_INT(evq_cancel(&q, b), 0);
    CHECK_EQ_INT(evq_cancel(&q, b), TS_ESTALE); /* cancelled twice */
    CHECK(!evq_pending(&q, b), "cancelled is not pending");
    CHECK_EQ_INT(evq_time_of(&q, b), -1);
    /* the freed slot is reused by the next push: the old handle must stay stale */
    evq_handle c = evq_push(&q, 30, noop, NULL, 3);
    CHECK(c != b, "a reused slot gets a new handle");
    CHECK_EQ_INT(evq_cancel(&q, b), TS_ESTALE);
    CHECK(evq_pending(&q, c), "the new event is untouched");
    struct evq_event ev;
    evq_pop(&q, &ev);
    CHECK_EQ_INT(ev.arg, 1);
    CHECK_EQ_INT(evq_cancel(&q, a), TS_ESTALE); /* fired */
    CHECK_EQ_INT(evq_cancel(&q, 0), TS_ESTALE);                          /* no event */
    CHECK_EQ_INT(evq_cancel(&q, UINT64_C(0x0000000700000999)), TS_ESTALE); /* never existed */
    CHECK_EQ_INT(evq_set_arg(&q, c, 33), 0); /* the subject moved */
    CHECK_EQ_INT(evq_set_arg(&q, a, 11), TS_ESTALE);
    evq_pop(&q, &ev);
    CHECK_EQ_INT(ev.arg, 33);
    CHECK_EQ_INT(evq_set_arg(&q, c, 1), TS_ESTALE); /* fired */
    evq_release(&q);
}

/* --- cancelling from inside handlers, through the simulation's run loop ------------------- */

struct cancel_ctx {
    evq_handle victim, self;
    int victim_ran, self_cancel_rc, runs;
    int64_t order[8];
    int n;
};

static void victim(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    ((struct cancel_ctx *)ctx)->victim_ran++;
}

static void recorder(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct cancel_ctx *c = ctx;
    c->order[c->n++] = sim->now;
}

static void canceller(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)arg;
    struct cancel_ctx *c = ctx;
    c->runs++;
    CHECK_EQ_INT(sim_cancel(sim, c->victim), 0);
    /* its own handle fired already: stale, and harmless */
    c->self_cancel_rc = sim_cancel(sim, c->self);
    /* scheduling at the current time from a handler runs after what is already due now */
    sim_at(sim, sim->now, recorder, c, 0);
}

static void test_cancel_inside_handler(void)
{
    struct sim sim;
    sim_init(&sim, 1);
    struct cancel_ctx c = {0};
    c.self = sim_at(&sim, 10, canceller, &c, 0);
    sim_at(&sim, 10, recorder, &c, 0);          /* same time, scheduled earlier than the one
                                                   the canceller schedules */
    c.victim = sim_at(&sim, 10, victim, &c, 0); /* same time, after the canceller */
    sim_at(&sim, 15, recorder, &c, 0);
    CHECK_EQ_INT(sim_run(&sim, INT64_MAX), 0);
    CHECK_EQ_INT(c.runs, 1);
    CHECK_EQ_INT(c.victim_ran, 0);
    CHECK_EQ_INT(c.self_cancel_rc, TS_ESTALE);
    CHECK_EQ_INT(c.n, 3);
    CHECK_EQ_INT(c.order[0], 10);
    CHECK_EQ_INT(c.order[1], 10);
    CHECK_EQ_INT(c.order[2], 15);
    CHECK_EQ_INT(sim.events, 4);
    sim_release(&sim);
}

static void test_cancel_ctx(void)
{
    struct evq q = EVQ_INIT;
    evq_init(&q);
    int a, b;
    for (uint64_t i = 0; i < 100; i++)
        evq_push(&q, (int64_t)(100 - i), noop, (i % 3 == 0) ? (void *)&a : (void *)&b, i);
    CHECK_EQ_INT(evq_cancel_ctx(&q, &a), 34);
    CHECK_EQ_INT(evq_size(&q), 66);
    struct evq_event ev;
    int64_t last = -1;
    bool ok = true;
    while (evq_pop(&q, &ev)) {
        ok = ok && ev.ctx == &b && ev.t >= last;
        last = ev.t;
    }
    CHECK(ok, "only b's events remain, in time order");
    evq_release(&q);
}

/* --- randomised: push, pop and cancel against a plain reference ---------------------------- */

struct ref_ev {
    int64_t t;
    evq_handle h;
    bool live;
};

static void drop_live(uint32_t *live, uint32_t *nlive, uint32_t k)
{
    for (uint32_t i = 0; i < *nlive; i++)
        if (live[i] == k) {
            live[i] = live[--*nlive];
            return;
        }
}

/* Push, pop and cancel at random against a plain reference. `spread` picks each new
 * event's delay: 0 gives delays of 0..49 ns (many ties), 1 a mix of ties, microseconds,
 * milliseconds, seconds and pushes into the past, so events cross between the calendar and
 * the heap and the bucket width changes many times. */
static void random_against_reference(int spread, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    struct evq q = EVQ_INIT;
    evq_init(&q);
    enum { N = 200000 };
    struct ref_ev *ref = calloc(N, sizeof *ref);
    uint32_t *live = calloc(N, sizeof *live), nlive = 0;
    uint32_t seq = 0;
    int64_t now = 0;
    int mismatches = 0;
    while (seq < N) {
        double u = gsl_rng_uniform(r);
        if (u < 0.42 || nlive == 0) {
            int64_t t = now + (int64_t)gsl_rng_uniform_int(r, 50); /* many ties */
            if (spread) {
                static const int64_t scale[] = {1, 1000, 1000000, 1000000000};
                double v = gsl_rng_uniform(r);
                t = v < 0.02 ? now - (int64_t)gsl_rng_uniform_int(r, 1000000) /* the past */
                             : now + (int64_t)(gsl_rng_uniform(r) * 50.0 *
                                               (double)scale[gsl_rng_uniform_int(r, 4)]);
            }
            ref[seq] = (struct ref_ev){t, evq_push(&q, t, noop, NULL, seq), true};
            live[nlive++] = seq++;
        } else if (u < 0.55) {
            /* any event ever scheduled: live ones cancel, the rest must be stale */
            uint32_t k = (uint32_t)gsl_rng_uniform_int(r, seq);
            int rc = evq_cancel(&q, ref[k].h);
            if ((rc == 0) != ref[k].live)
                mismatches++;
            if (ref[k].live)
                drop_live(live, &nlive, k);
            ref[k].live = false;
        } else {
            uint32_t best = live[0];
            for (uint32_t i = 1; i < nlive; i++) {
                uint32_t k = live[i];
                if (ref[k].t < ref[best].t || (ref[k].t == ref[best].t && k < best))
                    best = k;
            }
            struct evq_event ev;
            if (evq_next_time(&q) != ref[best].t || evq_time_of(&q, ref[best].h) != ref[best].t)
                mismatches++;
            /* a pop bounded before the earliest takes nothing; at or after it, the earliest */
            if (evq_pop_until(&q, ref[best].t - 1, &ev) || evq_size(&q) != nlive)
                mismatches++;
            bool got = seq % 2 ? evq_pop(&q, &ev)
                               : evq_pop_until(&q, ref[best].t + (int64_t)(seq % 3), &ev);
            if (!got || ev.arg != best || ev.t != ref[best].t)
                mismatches++;
            now = ev.t;
            ref[best].live = false;
            drop_live(live, &nlive, best);
        }
        if (evq_size(&q) != nlive)
            mismatches++;
    }
    CHECK_EQ_INT(mismatches, 0);
    if (spread) /* the calendar was rebuilt under pending events, and both sides were used */
        CHECK(q.cal_rebuilds > 0 && q.cal_head, "seed %lu: %u rebuilds", seed, q.cal_rebuilds);
    free(live);
    free(ref);
    evq_release(&q);
    gsl_rng_free(r);
}

/* A calendar full of events spread over 60 ms, then a narrower width chosen at the end of
 * the epoch: most of them move to the heap at once (which must grow for them), and all
 * still pop in order. */
static void test_narrowing_moves_to_heap(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    struct evq q = EVQ_INIT;
    evq_init(&q);
    for (uint64_t i = 0; i < EVQ_CAL_EPOCH; i++)
        evq_push(&q, (int64_t)gsl_rng_uniform_int(r, 60000000), noop, NULL, i);
    CHECK(q.cal_rebuilds == 1 && q.n > 2000, "rebuilt once (%u), %u events moved to the heap",
          q.cal_rebuilds, q.n);
    struct evq_event ev, prev = {.t = -1};
    uint32_t popped = 0;
    bool ordered = true;
    while (evq_pop(&q, &ev)) {
        ordered = ordered && (ev.t > prev.t || (ev.t == prev.t && ev.arg > prev.arg));
        prev = ev;
        popped++;
    }
    CHECK(ordered && popped == EVQ_CAL_EPOCH, "%u events popped in (time, push) order", popped);
    evq_release(&q);
    gsl_rng_free(r);
}

static void test_random_against_reference(void)
{
    random_against_reference(0, 7);
    for (unsigned long seed = 1; seed <= 5; seed++)
        random_against_reference(1, seed);
}

int main(void)
{
    test_order_and_fifo();
    test_many_ties_fifo();
    test_stale_handles();
    test_cancel_inside_handler();
    test_cancel_ctx();
    test_narrowing_moves_to_heap();
    test_random_against_reference();
    return check_done();
}
