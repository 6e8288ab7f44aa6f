/* mm1.c — validation: one instance with one vCPU is an M/M/1 queue.
 *
 * Theory. Poisson arrivals at rate lambda, exponential service with mean 1/mu, one server,
 * FCFS, unlimited waiting room (workers and backlog far above any queue that occurs). With
 * rho = lambda / mu < 1 the mean response time (wait + service) is
 *     W = 1 / (mu - lambda) = E[S] / (1 - rho).
 * Here E[S] = 10 ms: W = 20 ms at rho = 0.5 and 100 ms at rho = 0.9.
 *
 * Warm-up. The run starts empty; the transient decays with the relaxation time
 * t_r = E[S] / (1 - sqrt(rho))^2 (Abate & Whitt): 0.12 s at rho = 0.5, 3.8 s at 0.9. The
 * warm-ups (20 s, 100 s) are more than 25 relaxation times, so what is left of the initial
 * bias is far below the noise.
 *
 * Precision. The variance of a run's mean response time falls as 1/T and grows like
 * (1 - rho)^-4 (Whitt 1989, "Planning queueing simulations"). A pilot on seeds 101..120
 * (not the test's seeds) measured a relative standard deviation per replication of 1.54 %
 * (rho 0.5) and 8.2 % (rho 0.9) for a 950 s measured span. With 10 replications the 99 %
 * half-width is t(0.995, 9) / sqrt(10) = 1.03 times that sd, so:
 *     rho 0.5: 2000 s measured -> sd 1.06 % -> half-width ~1.1 % of W (0.22 ms);
 *     rho 0.9: 8000 s measured -> sd 2.8 %  -> half-width ~2.9 % of W (2.9 ms).
 * A modelling error of a few percent or more (a wrong service mean, a wait left out, a
 * second server) falls outside. (The mean alone cannot tell FCFS from another
 * work-conserving order; the M/M/c and Little tests look at the queue from other sides.)
 * Cost: about 8 M requests in all.
 */
#include "val.h"

static void mm1(double rho, double measured_s, double warmup_s, double max_rel)
{
    const double es = 0.010; /* E[S], s */
    double lambda = rho / es;
    char rate[32], what[64];
    snprintf(rate, sizeof rate, "%.17g", lambda);
    struct val_case c = {
        .rate = rate,
        .instances = 1,
        .vcpus = 1,
        .algorithm = "round_robin",
        .cpu = "{\"dist\": \"exp\", \"mean\": 0.010}",
        .duration_s = warmup_s + measured_s,
        .warmup_s = warmup_s,
    };
    double x[VAL_REPS];
    if (!val_replicate(&c, VAL_REPS, "latency_mean_ms", x))
        return;
    double w = 1e3 * es / (1.0 - rho); /* ms */
    snprintf(what, sizeof what, "M/M/1 rho %.2f: mean response (ms)", rho);
    val_check(what, x, VAL_REPS, w, w, max_rel);
}

int main(void)
{
    mm1(0.5, 2000.0, 20.0, 0.02);
    mm1(0.9, 8000.0, 100.0, 0.05);
    return check_done();
}
