/* ci_coverage.c — validation of the replication machinery itself (app/reps.c): over many
 * independent trials, the 95 % confidence interval that summary-ci.csv reports for the mean
 * response time of an M/M/1 queue covers the analytic mean in 95 % +- 3 % of the trials.
 *
 * The case. Poisson arrivals at lambda = 80/s, exponential service with mean 10 ms
 * (mu = 100/s): rho = 0.8, W = 1 / (mu - lambda) = 50 ms. (The lambda = 0.8,
 * mu = 1 with time scaled by 100: the same queue, in fewer simulated seconds.)
 *
 * Settings, and why.
 * - Warm-up 40 s. The run starts empty; the transient decays with the relaxation time
 *   t_r = E[S] / (1 - sqrt(rho))^2 = 0.90 s (Abate & Whitt), so 40 s is 44 relaxation
 *   times: the initial bias left is e^-44 of the start's, nothing.
 * - Measured span 250 s (about 20,000 requests). A short run's mean is also biased by its
 *   end (requests still queued at the end are not counted, and the ratio estimator is
 *   biased by O(1/T)); at 250 s that bias is a few tenths of a percent of W, against a
 *   per-replication standard deviation of about 6 % of W, so it moves coverage by well
 *   under a point. The span is also long against the response time's correlation time
 *   (a few t_r), so a replication's mean is close to normal and the Student-t interval
 *   close to exact.
 * - R = 5 replications per trial, seeds derived by reps_seed() from the trial's scenario
 *   seed t = 1..TRIALS: this tests the derivation too (correlated replications would show
 *   as a wrong coverage).
 * - TRIALS = 400: the coverage's binomial standard deviation is sqrt(0.95 * 0.05 / 400) =
 *   1.1 points, so +- 3 points is 2.75 sd: a correct machinery passes, an interval too
 *   narrow by 20 % (coverage ~ 89 %) fails.
 * Cost: 2,000 runs of 290 s, about 46 M requests, 8 s on one core in a Release build.
 * Result (2026-11-23): 381 of 400 trials cover W, 95.25 %; the mean of the 400 means is
 * 50.01 ms and the mean half-width 3.74 ms (7.5 % of W).
 */
#include "reps.h"
#include "val.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef TRIALS
#define TRIALS 400
#endif
#define R 5

int main(void)
{
    struct val_case c = {
        .rate = "80",
        .instances = 1,
        .vcpus = 1,
        .algorithm = "round_robin",
        .cpu = "{\"dist\": \"exp\", \"mean\": 0.010}",
        .duration_s = 290.0,
        .warmup_s = 40.0,
    };
    const double w = 50.0; /* ms */
    struct check_scenario cs;
    if (val_load(&cs, &c) != 0)
        return check_done();
    int covered = 0, done = 0;
    double sum_mean = 0, sum_half = 0;
    for (int t = 1; t <= TRIALS; t++) {
        cs.wc.seed = (uint64_t)t;
        struct reps_opts o = {.reps = R, .jobs = 1};
        struct reps_result res;
        int rc = reps_run(&cs.wc, &o, &res);
        CHECK_EQ_INT(rc, 0);
        double x[R];
        for (uint32_t k = 0; k < R; k++)
            x[k] = run_result_get(&res.runs[k], "latency_mean_ms");
        struct reps_ci ci;
        reps_ci(x, R, &ci);
        reps_result_release(&res);
        if (rc != 0 || ci.count != R)
            continue;
        done++;
        sum_mean += ci.mean;
        sum_half += ci.half;
        if (ci.mean - ci.half <= w && w <= ci.mean + ci.half)
            covered++;
    }
    check_unload(&cs);
    double frac = done ? (double)covered / done : 0;
    printf("M/M/1 rho 0.8, W = %.1f ms: %d of %d trials' 95%% intervals (%d reps each) cover "
           "W: %.2f%%; mean of the means %.3f ms, mean half-width %.3f ms\n",
           w, covered, done, R, 100 * frac, done ? sum_mean / done : 0,
           done ? sum_half / done : 0);
    CHECK_EQ_INT(done, TRIALS);
    CHECK(frac >= 0.92 && frac <= 0.98, "coverage %.2f%% outside 95 +- 3 %%", 100 * frac);
    return check_done();
}
