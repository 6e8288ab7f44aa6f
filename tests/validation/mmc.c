/* mmc.c — validation: one instance with c vCPUs is an M/M/c queue (Erlang C).
 *
 * Theory. Poisson arrivals at rate lambda, exponential service with mean 1/mu, c servers
 * fed FCFS from one queue, unlimited waiting room. With offered load a = lambda / mu and
 * rho = a / c < 1, the probability that an arrival waits is Erlang's C formula
 *     C(c, a) = [a^c / c! * c / (c - a)] / [sum_{k<c} a^k / k! + a^c / c! * c / (c - a)],
 * and the mean response time is
 *     W = C(c, a) / (c mu - lambda) + 1 / mu.
 * C is computed here from Erlang B by the stable recursion B(0) = 1,
 * B(k) = a B(k-1) / (k + a B(k-1)), C = c B / (c - a (1 - B)), and checked against the
 * direct sum above and against a value worked by hand (c = 2, a = 1.8: C = 16.2 / 19).
 * None of it uses the simulator's code. Here E[S] = 10 ms and rho = 0.9:
 *     c = 2: C = 0.85263, W = 52.63 ms;   c = 8: C = 0.70153, W = 18.77 ms.
 *
 * Warm-up. The relaxation time of M/M/c is about that of M/M/1 at the same rho divided by
 * c: 1.9 s (c = 2) and 0.5 s (c = 8); the warm-ups (100 s, 20 s) exceed 40 of them.
 *
 * Precision. A pilot on seeds 101..120 (not the test's) measured a relative standard
 * deviation per replication of 4.7 % (c = 2) and 1.7 % (c = 8) for 950 s measured. With 10
 * replications the 99 % half-width is 1.03 times that sd at the length run, so:
 *     c = 2: 3000 s measured -> half-width ~2.7 % of W (1.4 ms; the wait is 80 % of W);
 *     c = 8:  500 s measured -> half-width ~2.4 % of W (0.45 ms, ~5 % of the 8.8 ms wait).
 * One server too few or too many, or a queue per core instead of a shared one (c M/M/1
 * queues give W = 100 ms at rho 0.9), lands far outside. Cost: about 10 M requests.
 */
#include "val.h"

#include <math.h>

/* Erlang C by the Erlang B recursion. */
static double erlang_c(unsigned c, double a)
{
    double b = 1.0;
    for (unsigned k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return (double)c * b / ((double)c - a * (1.0 - b));
}

/* Erlang C by the textbook sum, for the cross-check (fine for small c). */
static double erlang_c_sum(unsigned c, double a)
{
    double term = 1.0, sum = 0.0; /* term = a^k / k! */
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (double)(k + 1u);
    }
    double top = term * (double)c / ((double)c - a);
    return top / (sum + top);
}

static void mmc(unsigned c, double rho, double measured_s, double warmup_s, double max_rel)
{
    const double es = 0.010; /* E[S], s */
    double mu = 1.0 / es, lambda = rho * (double)c * mu, a = lambda / mu;
    double pw = erlang_c(c, a);
    CHECK(fabs(pw - erlang_c_sum(c, a)) < 1e-12, "Erlang C: recursion %.15g, sum %.15g", pw,
          erlang_c_sum(c, a));
    double w = 1e3 * (pw / ((double)c * mu - lambda) + 1.0 / mu); /* ms */

    char rate[32], what[64];
    snprintf(rate, sizeof rate, "%.17g", lambda);
    struct val_case vc = {
        .rate = rate,
        .instances = 1,
        .vcpus = c,
        .algorithm = "round_robin",
        .cpu = "{\"dist\": \"exp\", \"mean\": 0.010}",
        .duration_s = warmup_s + measured_s,
        .warmup_s = warmup_s,
    };
    double x[VAL_REPS];
    if (!val_replicate(&vc, VAL_REPS, "latency_mean_ms", x))
        return;
    snprintf(what, sizeof what, "M/M/%u rho %.2f, C %.4f: mean response (ms)", c, rho, pw);
    val_check(what, x, VAL_REPS, w, w, max_rel);
}

int main(void)
{
    /* the formula against a value worked by hand: c = 2, a = 1.8 */
    CHECK_NEAR(erlang_c(2, 1.8), 16.2 / 19.0, 1e-12);
    mmc(2, 0.9, 3000.0, 100.0, 0.05);
    mmc(8, 0.9, 500.0, 20.0, 0.05);
    return check_done();
}
