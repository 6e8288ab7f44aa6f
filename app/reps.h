/* reps.h — replications of one scenario: seeds derived from the scenario seed, runs on
 * several threads, summary.csv with one row per replication and summary-ci.csv with each
 * KPI's mean, standard deviation and 95 % confidence half-width.
 *
 * Each replication is a whole independent run (its own struct sim and world, its own
 * warm-up), so replications share nothing mutable and may run side by side. Files are
 * written in replication order whatever order the threads finish in, so -j N gives the same
 * bytes as -j 1.
 */
#ifndef TIERSIM_APP_REPS_H
#define TIERSIM_APP_REPS_H

#include "run.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPS_MAX 100000u /* replications per run */
#define REPS_MAX_JOBS 256u /* threads */

struct reps_opts {
    const char *out_dir;  /* NULL writes no file */
    const char *scenario; /* the scenario as run, for scenario.json; may be NULL */
    uint32_t reps;        /* replications, 1..REPS_MAX; 1 is exactly one run_scenario() */
    uint32_t jobs;        /* threads, 1..REPS_MAX_JOBS (more than reps are not started) */
    const atomic_int *interrupt;       /* raised by a signal: stop cleanly */
    bool progress;        /* a progress line on stderr (only with reps = 1) */
};

struct reps_result {
    int rc;                 /* 0 if every replication completed and every file was written;
                               else TS_EINTR (interrupted), TS_EIO (files), or the first
                               replication's failure */
    char error[400];        /* what went wrong, when rc != 0 */
    uint32_t n;             /* replications (= opts reps) */
    struct run_result *runs; /* n results in replication order; a replication never
                                started (interrupted first) has status "not_run", ncols 0 */
};

/* The seed of replication k (1-based) of a scenario with seed `seed`. Replication 1 keeps
 * the scenario seed, so --reps 1 is the plain run. For k >= 2 it is
 * splitmix64(seed + k * 0x9E3779B97F4A7C15) masked to 53 bits: a whole number a scenario
 * file may hold, so `--seed` with it repeats replication k alone. Pure. */
uint64_t reps_seed(uint64_t seed, uint32_t k);

/* Mean, sample standard deviation and 95 % Student-t half-width of the non-NaN values of
 * x[0..n). count is how many were used; mean is NAN if none, sd and half NAN if fewer
 * than two. half = t(0.975, count - 1) * sd / sqrt(count), t from gsl_cdf_tdist_Pinv. */
struct reps_ci {
    uint32_t count;
    double mean, sd, half;
};
void reps_ci(const double *x, uint32_t n, struct reps_ci *ci);

/* Run o->reps replications of wc on o->jobs threads. With reps = 1, the files are exactly
 * run_scenario()'s in out_dir. With reps > 1: out_dir/rep-NNN/ holds replication NNN's
 * timeseries.csv, events.csv, faults.csv and summary.csv (one row); out_dir holds
 * scenario.json, summary.csv (one row per replication, in order) and summary-ci.csv.
 * Returns res->rc; release res with reps_result_release. */
int reps_run(const struct world_config *wc, const struct reps_opts *o, struct reps_result *res);
void reps_result_release(struct reps_result *res);

/* The run whose columns head the tables: the first of n that has any (NULL if none). */
const struct run_result *reps_columns(const struct run_result *runs, uint32_t n);

/* reps_ci of column `col` of reps_columns(runs, n) over the runs whose status is "complete"
 * and whose columns are the same (every replication of one scenario has them). n >= 1. */
void reps_kpi_ci(const struct run_result *runs, uint32_t n, uint32_t col, struct reps_ci *ci);

/* The pieces of reps_run, for callers that schedule replications themselves (sweep.c runs
 * every replication of every point from one pool):
 *
 * reps_dir: the folder of replication k (1-based): out_dir itself when reps = 1, else
 * out_dir/rep-NNN (three digits, more when reps needs them). NULL without out_dir; free() it.
 *
 * reps_begin: prepare out_dir: with reps > 1 create it, remove the top-level files of an
 * earlier run and write scenario.json; with reps = 1 remove a stale summary-ci.csv only.
 * Returns 0, or TS_EIO with a message in err.
 *
 * reps_run_one: replication k of wc into reps_dir(o, k) with seed reps_seed(wc->seed, k),
 * as reps_run runs it (reps = 1: scenario.json and the progress line too). Always runs.
 *
 * reps_not_run: r as a replication never started (interrupted first): status "not_run".
 *
 * reps_end: with reps > 1, write out_dir's summary.csv and summary-ci.csv from the
 * o->reps results in replication order. Returns 0, or TS_EIO with a message in err. */
char *reps_dir(const struct reps_opts *o, uint32_t k);
int reps_begin(const struct reps_opts *o, char *err, size_t size);
void reps_run_one(const struct world_config *wc, const struct reps_opts *o, uint32_t k,
                  struct run_result *r);
void reps_not_run(struct run_result *r, uint64_t seed);
int reps_end(const struct reps_opts *o, const struct run_result *runs, char *err, size_t size);

/* Write summary.csv (one row per run) and summary-ci.csv (one row per KPI, over the runs
 * whose status is "complete") from n results, atomically. The columns are the first run's
 * that has any. Returns 0 or TS_EIO. Exposed for tests. */
int reps_write_summary(const char *path, const struct run_result *runs, uint32_t n);
int reps_write_ci(const char *path, const struct run_result *runs, uint32_t n);

#endif
