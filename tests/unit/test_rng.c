/* test_rng.c — random streams: a stream's draws depend only on (seed, component, purpose),
 * never on which other streams exist or in which order they were made. */
#include "check.h"

#include "tiersim/rng.h"
#include "tiersim/sim.h"

static void test_seeds(void)
{
    uint64_t a = rng_stream_seed(1, "app", "cpu");
    CHECK(a == rng_stream_seed(1, "app", "cpu"), "pure");
    CHECK(a != rng_stream_seed(2, "app", "cpu"), "seed matters");
    CHECK(a != rng_stream_seed(1, "web", "cpu"), "component matters");
    CHECK(a != rng_stream_seed(1, "app", "route"), "purpose matters");
    CHECK(rng_stream_seed(1, "ab", "c") != rng_stream_seed(1, "a", "bc"), "names are separated");
}

static void test_independent_of_other_streams(void)
{
    /* world 1 makes only the workload's stream; world 2 makes others first, and draws from
     * them: the workload's draws must be the same */
    struct sim s1, s2;
    sim_init(&s1, 99);
    sim_init(&s2, 99);
    gsl_rng *w1 = sim_rng(&s1, "workload", "arrivals");
    gsl_rng *x = sim_rng(&s2, "app", "cpu");
    for (int i = 0; i < 100; i++)
        gsl_rng_get(x);
    sim_rng(&s2, "lb", "route");
    gsl_rng *w2 = sim_rng(&s2, "workload", "arrivals");
    CHECK(sim_rng(&s2, "workload", "arrivals") == w2, "asking again gives the same stream");
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += gsl_rng_get(w1) == gsl_rng_get(w2);
    CHECK_EQ_INT(same, 1000);
    /* and different streams are not copies of each other */
    gsl_rng *y = sim_rng(&s2, "app", "service");
    gsl_rng *z = sim_rng(&s2, "web", "service");
    int equal = 0;
    for (int i = 0; i < 1000; i++)
        equal += gsl_rng_get(y) == gsl_rng_get(z);
    CHECK(equal < 5, "distinct streams differ (%d equal draws of 1000)", equal);
    sim_release(&s1);
    sim_release(&s2);
}

static void test_open_interval(void)
{
    gsl_rng *r = rng_stream_new(5, "t", "u");
    double lo = 1, hi = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rng_open01(r);
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    CHECK(lo > 0 && hi < 1, "(0,1): min %g max %g", lo, hi);
    gsl_rng_free(r);
}

int main(void)
{
    test_seeds();
    test_independent_of_other_streams();
    test_open_interval();
    return check_done();
}
