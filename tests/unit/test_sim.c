/* test_sim.c — the run loop (run until a time, until empty, stop on interrupt or failure)
 * and periodic sampling into a table. */
#include "check.h"

#include "tiersim/sim.h"

static void count(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)sim;
    (void)arg;
    (*(int *)ctx)++;
}

static void reschedule(struct sim *sim, void *ctx, uint64_t arg)
{
    (*(int *)ctx)++;
    sim_after(sim, (int64_t)arg, reschedule, ctx, arg);
}

static void failing(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    sim_fail(sim, TS_ELIMIT, "limit %d", 7);
}

static void test_run_until(void)
{
    struct sim sim;
    sim_init(&sim, 1);
    int n = 0;
    sim_at(&sim, 5, count, &n, 0);
    sim_at(&sim, 10, count, &n, 0);
    sim_at(&sim, 11, count, &n, 0);
    CHECK_EQ_INT(sim_run(&sim, 10), 0);
    CHECK_EQ_INT(n, 2); /* an event exactly at `until` runs */
    CHECK_EQ_INT(sim.now, 10);
    CHECK_EQ_INT(sim_run(&sim, 100), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(sim.now, 100); /* the clock moves to `until` when nothing is left */
    CHECK_EQ_INT(sim_run(&sim, INT64_MAX), 0);
    CHECK_EQ_INT(sim.now, 100); /* until no events remain: the clock stays */
    sim_release(&sim);
}

static void test_interrupt_and_failure(void)
{
    struct sim sim;
    sim_init(&sim, 1);
    atomic_int stop = 0;
    sim.interrupt = &stop;
    int n = 0;
    sim_at(&sim, 0, reschedule, &n, 10);
    CHECK_EQ_INT(sim_run(&sim, 100000), 0);
    CHECK_EQ_INT(n, 10001);
    stop = 1;
    CHECK_EQ_INT(sim_run(&sim, 1000000000), TS_EINTR);
    CHECK(sim.now < 1000000000, "stopped early, at %lld", (long long)sim.now);
    sim_release(&sim);

    sim_init(&sim, 1);
    sim_at(&sim, 3, failing, NULL, 0);
    sim_at(&sim, 4, count, &n, 0);
    n = 0;
    CHECK_EQ_INT(sim_run(&sim, 10), TS_ELIMIT);
    CHECK_EQ_INT(n, 0);
    CHECK_STR(sim.error_text, "limit 7");
    CHECK_EQ_INT(sim.now, 3);
    sim_release(&sim);
}

struct level {
    uint32_t col;
    int rows;
    int64_t last_span;
};

static void report(struct sim *sim, void *ctx, double *row, int64_t span)
{
    struct level *l = ctx;
    row[l->col] = sim_s(sim->now);
    l->rows++;
    l->last_span = span;
}

static void test_sampling(void)
{
    struct sim sim;
    sim_init(&sim, 1);
    struct level l = {0};
    uint32_t other = sim_column(&sim.ts, 0, "other");
    l.col = sim_column(&sim.ts, 3, "%s.%s", "x", "t");
    CHECK_EQ_INT(other, 0);
    CHECK_EQ_INT(l.col, 1);
    CHECK_STR(sim.ts.cols[1].name, "x.t");
    sim_reporter(&sim.ts, report, &l);
    sim_start_sampling(&sim, 60 * SIM_NS_PER_S);
    CHECK_EQ_INT(sim_run(&sim, 3600 * SIM_NS_PER_S), 0);
    CHECK_EQ_INT(l.rows, 60); /* rows at 60 s, 120 s, ... 3600 s */
    CHECK_EQ_INT(l.last_span, 60 * SIM_NS_PER_S);
    CHECK_NEAR(sim.ts.row[1], 3600.0, 0);
    CHECK(isnan(sim.ts.row[0]), "a column no reporter filled stays empty");
    sim_release(&sim);
}

int main(void)
{
    test_run_until();
    test_interrupt_and_failure();
    test_sampling();
    return check_done();
}
