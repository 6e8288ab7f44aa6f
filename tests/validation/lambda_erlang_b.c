/* lambda_erlang_b.c — validation: a Lambda function with reserved concurrency c and no queue
 * is an M/G/c/c loss system (Erlang B).
 *
 * Theory. Poisson invocations at rate lambda, each holding an execution environment for a
 * service time S of any distribution with mean E[S]; at most c run at once (the function's
 * reserved_concurrency, LAM-5) and an invocation that finds c running is throttled at once
 * (429, LAM-7; no queue, no retry: the clients make one attempt). With offered load
 * a = lambda E[S], the probability that an invocation is throttled is Erlang's B formula
 *     B(c, a) = (a^c / c!) / sum_{k=0..c} a^k / k!,
 * computed by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), checked against
 * the direct sum and a value worked by hand (c = 2, a = 1: B = 0.5 / 2.5 = 0.2). Erlang B is
 * insensitive to the service distribution beyond its mean: the service here is a lognormal
 * with a coefficient of variation of 2 (mean 100 ms, sd 200 ms), far from exponential, as a
 * `delay` step (no CPU share: the holding time is the delay). Init is 0 (a cold start adds
 * nothing to the holding time), the network is off, and the scaling rate never binds: c
 * environments at most, all created within the first 1,000 tokens (LAM-2) and kept (their
 * idle lifetime, 420 s, is far longer than the gaps between uses).
 *
 *     c = 10:  a = 5, 8, 12   -> B = 0.01838, 0.12166, 0.30193
 *     c = 100: a = 90, 100, 120 -> B = 0.02696, 0.07570, 0.19627
 *
 * The function's `timeout` is raised to 900 s: at the default 3 s the longest services
 * (0.05 % of them, 2 % of the load) are cut short, the offered load falls by that much, and
 * B falls by ~5 % — the first version of this test caught exactly that.
 *
 * Measured: fn.throttles / (fn.throttles + fn.invocations) after the warm-up (10 s, a
 * hundred mean service times), over 10 replications (seeds 1..10, the family's), 99 % Student
 * t interval. Lengths (60 k to 150 k invocations a replication) are set so that the
 * half-width is at most 5 % of B, about 3 % in practice; one server too many or too few moves
 * B by 20 % or more at these loads, and a queue instead of a loss would drive it to 0.
 */
#include "val.h"

#include <math.h>
#include <stdio.h>

static double erlang_b(unsigned c, double a)
{
    double b = 1.0;
    for (unsigned k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return b;
}

static double erlang_b_sum(unsigned c, double a)
{
    double term = 1.0, sum = 1.0; /* a^k / k! */
    for (unsigned k = 1; k <= c; k++) {
        term *= a / (double)k;
        sum += term;
    }
    return term / sum;
}

/* The throttle probability of one replication. */
static double throttled(const struct run_result *res)
{
    double thr = run_result_get(res, "fn.throttles");
    double inv = run_result_get(res, "fn.invocations");
    return thr / (thr + inv);
}

static void loss(unsigned c, double a, double measured_s, double max_rel)
{
    const double es = 0.1; /* E[S], s */
    double lambda = a / es, b = erlang_b(c, a);
    CHECK(fabs(b - erlang_b_sum(c, a)) < 1e-12, "Erlang B: recursion %.15g, sum %.15g", b,
          erlang_b_sum(c, a));
    char json[2048];
    snprintf(json, sizeof json,
             "{ \"name\": \"erlang-b\", \"duration\": %.17g, \"warmup\": 10, \"interval\": %.17g,\n"
             "  \"azs\": [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"],\n"
             "  \"network\": { \"same_az\": 0, \"cross_az\": 0 },\n"
             "  \"workload\": { \"entry\": \"fn\", \"rate\": %.17g },\n"
             "  \"components\": {\n"
             "    \"fn\": { \"type\": \"lambda\", \"reserved_concurrency\": %u, \"init\": 0,\n"
             "            \"timeout\": 900,\n"
             "            \"handlers\": { \"default\": [ { \"delay\": { \"dist\": \"lognormal\",\n"
             "                            \"mean\": \"100ms\", \"sd\": \"200ms\" } } ] } } } }\n",
             10.0 + measured_s, 10.0 + measured_s, lambda, c);
    struct check_scenario cs;
    if (check_load(&cs, json, NULL) != 0) {
        CHECK(false, "the scenario does not load:\n%s", json);
        check_unload(&cs);
        return;
    }
    double x[VAL_REPS];
    bool ok = val_replicate_with(&cs, VAL_REPS, throttled, x);
    check_unload(&cs);
    if (!ok)
        return;
    char what[96];
    snprintf(what, sizeof what, "M/G/%u/%u a %.0f: P(throttle) vs B = %.5f", c, c, a, b);
    val_check(what, x, VAL_REPS, b, b, max_rel);
}

int main(void)
{
    CHECK_NEAR(erlang_b(2, 1.0), 0.2, 1e-12); /* 0.5 / (1 + 1 + 0.5) */
    loss(10, 5.0, 3000.0, 0.05);
    loss(10, 8.0, 800.0, 0.05);
    loss(10, 12.0, 400.0, 0.05);
    loss(100, 90.0, 500.0, 0.05);
    loss(100, 100.0, 250.0, 0.05);
    loss(100, 120.0, 100.0, 0.05);
    return check_done();
}
