/* val.h — what the validation tests share: a queueing scenario written from a few numbers
 * (Poisson arrivals -> ALB with zero latency -> a fleet serving one `cpu` step), and R
 * independent replications of it.
 *
 * Replication i uses seed i, for i = 1..VAL_REPS, in every test: the seeds are fixed once
 * for the family and never chosen per case. Each replication is a whole independent run
 * (its own warm-up), so the R values are i.i.d. and the Student-t interval is exact up to
 * the normality of a long run's mean.
 */
#ifndef TIERSIM_TESTS_VAL_H
#define TIERSIM_TESTS_VAL_H

#include "check.h"

#include <stdbool.h>
#include <stdint.h>

#define VAL_REPS  10   /* replications per case: seeds 1..10 */
#define VAL_LEVEL 0.99 /* two-sided confidence level of every interval */

/* One case of the family. Zero workers/backlog mean "no limit", so that no request is ever
 * rejected (the queues of the theory are infinite). */
struct val_case {
    const char *rate;      /* JSON text of workload.rate, requests per second: "90" or a shape */
    uint32_t instances;    /* fleet size (min = max = desired) */
    uint32_t vcpus;        /* servers per instance, FCFS from one run queue */
    uint32_t workers;      /* worker slots per instance; 0: 100000 */
    uint32_t backlog;      /* backlog per instance; 0: 1000000 */
    const char *algorithm; /* ALB routing: "round_robin" or "random" */
    const char *cpu;       /* JSON text of the service demand distribution, seconds */
    double duration_s;     /* run length, s, warm-up included */
    double warmup_s;       /* s deleted at the start */
    double interval_s;     /* timeseries interval, s; 0: one row for the whole run */
};

/* Load c into cs (see check_load). Returns 0, or prints every error and returns non-zero. */
int val_load(struct check_scenario *cs, const struct val_case *c);

/* Run c with seeds 1..n and store summary column `col` of replication i in x[i - 1].
 * Returns false, with a failed CHECK, if the scenario does not load or any run fails. */
bool val_replicate(const struct val_case *c, int n, const char *col, double *x);

/* The same for a scenario of the test's own, already loaded into cs: measure(result) of
 * replication i (seed i) goes into x[i - 1]. Returns false, with a failed CHECK, if a run
 * fails. */
bool val_replicate_with(struct check_scenario *cs, int n,
                        double (*measure)(const struct run_result *res), double *x);

/* check_in_ci at VAL_LEVEL, then print the interval's half-width relative to `scale` (the
 * analytic value, or the quantity a difference is taken of) and CHECK that it is at most
 * `max_rel`: a guard that the interval stays narrow enough to catch a wrong model. */
void val_check(const char *what, const double *x, int n, double analytic, double scale,
               double max_rel);

#endif
