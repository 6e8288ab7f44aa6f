/* lambda_cold_start.c — validation: at a low arrival rate a Lambda function's cold-start
 * probability is the probability that the gap before an invocation outlasts the idle
 * lifetime.
 *
 * Theory. Poisson invocations at rate lambda; the handler holds its environment for a
 * constant S = 10 ms and Init takes no time. An environment is reclaimed L after it goes idle
 * (LAM-14, idle_lifetime), so an invocation is warm exactly when the previous invocation's
 * environment is still there: when its gap G from the previous arrival satisfies
 * S < G < S + L. With lambda S = 2.4e-5 the case G < S (two environments) is negligible,
 * and by memorylessness each invocation is cold independently with
 *     P(cold) = P(G > S + L) = exp(-lambda (S + L))             (L fixed),
 *     P(cold) = E[exp(-lambda (S + L))] = exp(-lambda S) / (1 + lambda m)
 *                                                               (L exponential of mean m).
 * Cases (L = m = 420 s, the default lifetime): lambda L = 0.5, 1, 2 with L fixed ->
 * 0.60652, 0.36787, 0.13533 (the exp(-lambda S) factor moves the sixth digit only); and
 * lambda m = 1 with L exponential -> 0.49999.
 *
 * Measured: fn.cold_starts / fn.invocations after a warm-up of 5 L, 20,000 invocations a
 * replication (about 100 simulated days at lambda L = 1), 10 replications (seeds 1..10), 99 %
 * Student t interval: the cold starts of a replication are i.i.d. Bernoulli, so the
 * half-width is about 3.2 sqrt(p (1 - p) / 200000), 1 % to 2 % of p. A reclaim timer not
 * cancelled on reuse (an environment reclaimed L after its first idle period), a lifetime
 * measured from creation, or one drawn once per environment instead of per idle period (with
 * the exponential lifetime: long-lived environments serve most invocations, and P(cold)
 * falls towards 0) all change these figures by far more.
 */
#include "val.h"

#include <math.h>
#include <stdio.h>

/* The cold-start share of one replication. */
static double cold_share(const struct run_result *res)
{
    return run_result_get(res, "fn.cold_starts") / run_result_get(res, "fn.invocations");
}

/* lambda L = x; lifetime `life` (JSON text) of mean L; the theory's value `p`. */
static void cold(double x, const char *life, double p, const char *what)
{
    const double L = 420.0, S = 0.010, n = 20000.0;
    double lambda = x / L, warmup = 5.0 * L, duration = warmup + n / lambda;
    char json[2048];
    snprintf(json, sizeof json,
             "{ \"name\": \"cold-start\", \"duration\": %.17g, \"warmup\": %.17g,\n"
             "  \"interval\": %.17g, \"azs\": [\"us-east-1a\", \"us-east-1b\"],\n"
             "  \"network\": { \"same_az\": 0, \"cross_az\": 0 },\n"
             "  \"workload\": { \"entry\": \"fn\", \"rate\": %.17g },\n"
             "  \"components\": {\n"
             "    \"fn\": { \"type\": \"lambda\", \"init\": 0, \"idle_lifetime\": %s,\n"
             "            \"handlers\": { \"default\": [ { \"delay\": %.17g } ] } } } }\n",
             duration, warmup, duration, lambda, life, S);
    struct check_scenario cs;
    if (check_load(&cs, json, NULL) != 0) {
        CHECK(false, "the scenario does not load:\n%s", json);
        check_unload(&cs);
        return;
    }
    double v[VAL_REPS];
    bool ok = val_replicate_with(&cs, VAL_REPS, cold_share, v);
    check_unload(&cs);
    if (ok)
        val_check(what, v, VAL_REPS, p, p, 0.03);
}

int main(void)
{
    const double L = 420.0, S = 0.010;
    double xs[] = {0.5, 1.0, 2.0};
    for (int i = 0; i < 3; i++) {
        char what[96];
        double p = exp(-xs[i] / L * (S + L));
        snprintf(what, sizeof what, "lambda L %.1f, L fixed: P(cold) vs %.5f", xs[i], p);
        cold(xs[i], "420", p, what);
    }
    double lambda = 1.0 / L;
    double p = exp(-lambda * S) / (1.0 + lambda * L);
    cold(1.0, "{ \"dist\": \"exp\", \"mean\": 420 }", p,
         "lambda m 1.0, L exponential: P(cold) vs 0.49999");
    return check_done();
}
