/* jackson.c — validation: two fleets in tandem are a Jackson network.
 *
 * Set-up. Poisson arrivals at lambda = 200/s reach `web` (one instance, 2 vCPUs) through
 * an ALB; web's handler runs a CPU step of Exp(mean 8 ms), then calls `app-lb`, which
 * forwards to `app` (one instance, 4 vCPUs) whose handler is one CPU step of Exp(15 ms).
 * ALB latency and the network are zero, worker slots and backlogs unlimited, so the only
 * queues are the two instances' run queues: web is an M/M/2 station (rho 0.8) and app an
 * M/M/4 station (rho 0.75). A request holds a web worker slot while app works on it, but
 * not a web vCPU, so the two stations do not interact.
 *
 * Theory. By Burke's theorem the departures of an M/M/c queue form a Poisson process at
 * rate lambda, and by Jackson's theorem the stationary joint distribution of the two
 * queues is the product of the two M/M/c marginals; the mean response time is the sum of
 * the two stations' mean response times,
 *     T = W(2, 1.6, 8 ms) + W(4, 3.0, 15 ms),  W(c, a, s) = C(c, a) s / (c - a) + s,
 * with Erlang C from the Erlang B recursion (as in mmc.c):
 *     web: C = 0.71111, W = 22.22 ms;  app: C = 0.50943, W = 22.64 ms;  T = 44.86 ms.
 * A model that kept the web vCPU busy during the call, or lost the app's queueing, or
 * served the two stations from one queue, lands far away.
 *
 * Precision. 600 s measured after 50 s of warm-up (about 100 relaxation times of the
 * slower station); 10 replications give a 99 % half-width of about 1.5 % of T (0.7 ms).
 */
#include "val.h"

#include <math.h>

static double erlang_c(unsigned c, double a)
{
    double b = 1.0;
    for (unsigned k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return (double)c * b / ((double)c - a * (1.0 - b));
}

/* Mean response time (s) of an M/M/c station with offered load a and mean service s. */
static double mmc_w(unsigned c, double a, double s)
{
    return erlang_c(c, a) * s / ((double)c - a) + s;
}

static const char *scenario =
    "{ \"name\": \"jackson\", \"duration\": 650, \"warmup\": 50, \"interval\": 650,"
    "  \"azs\": [\"a\"], \"network\": { \"same_az\": 0, \"cross_az\": 0 },"
    "  \"workload\": { \"entry\": \"lb\", \"rate\": 200 },"
    "  \"components\": {"
    "    \"lb\": { \"type\": \"alb\", \"targets\": \"web\", \"latency\": 0 },"
    "    \"web\": { \"type\": \"fleet\","
    "      \"instance\": { \"vcpus\": 2, \"workers\": 100000, \"backlog\": 100000 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"desired_capacity\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": 0.008 } },"
    "                                   { \"call\": \"app-lb\" } ] } },"
    "    \"app-lb\": { \"type\": \"alb\", \"targets\": \"app\", \"latency\": 0 },"
    "    \"app\": { \"type\": \"fleet\","
    "      \"instance\": { \"vcpus\": 4, \"workers\": 100000, \"backlog\": 100000 },"
    "      \"asg\": { \"min_size\": 1, \"max_size\": 1, \"desired_capacity\": 1 },"
    "      \"handlers\": { \"default\": [ { \"cpu\": { \"dist\": \"exp\", \"mean\": 0.015 } } ] } }"
    "  } }";

int main(void)
{
    const double lambda = 200;
    double t = 1e3 * (mmc_w(2, lambda * 0.008, 0.008) + mmc_w(4, lambda * 0.015, 0.015));
    CHECK_NEAR(t, 44.864, 0.001); /* the numbers worked by hand above */
    struct check_scenario cs;
    if (check_load(&cs, scenario, NULL) != 0)
        return check_done();
    double x[VAL_REPS];
    for (int i = 0; i < VAL_REPS; i++)
        x[i] = check_run_value(&cs, (uint64_t)i + 1, "latency_mean_ms");
    val_check("tandem M/M/2 -> M/M/4 (Jackson): mean response (ms)", x, VAL_REPS, t, t, 0.03);
    check_unload(&cs);
    return check_done();
}
