/* sweep.h — parameter sweeps: the cartesian product of `--vary PATH=V1,V2,...` values, each
 * point a scenario with the values applied as `--set` applies them, every (point,
 * replication) run from one pool of threads (and, in an MPI build, over ranks), common random
 * numbers, sweep.csv, and resuming an interrupted sweep (docs/experiments.md).
 *
 * Points are numbered from 1 in odometer order: the first --vary varies slowest, the last
 * fastest. Replication k of every point has seed reps_seed(scenario seed, k), so every point
 * sees the same traffic (common random numbers). Each point's folder is what `tiersim run
 * --reps` writes; every file is written in the same order whatever the threads or ranks, so
 * the bytes do not depend on -j or on the number of ranks.
 */
#ifndef TIERSIM_APP_SWEEP_H
#define TIERSIM_APP_SWEEP_H

#include "reps.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SWEEP_MAX_VARY   32u      /* --vary options */
#define SWEEP_MAX_POINTS 100000u  /* points of the product */
#define SWEEP_MAX_RUNS   1000000u /* points x replications */

/* One --vary: a dotted path and its values, each as given (JSON text, or a bare word that
 * --set takes as a string). */
struct sweep_vary {
    char *path;
    char **values;
    uint32_t n;
};

/* Parse "PATH=V1,V2,..." into v, splitting at top-level commas only: commas inside a JSON
 * string, array or object stay in the value ("a=[1,2],[3,4]" has two values). Returns 0, or
 * TS_EINVAL with a message in err (no PATH, an empty value, an unclosed bracket or string).
 * Release v either way. */
int sweep_vary_parse(const char *arg, struct sweep_vary *v, char *err, size_t size);
void sweep_vary_release(struct sweep_vary *v);

struct sweep_spec {
    const char *file;        /* the scenario file */
    const char *const *sets; /* --set assignments, applied before the varied values */
    uint32_t nsets;
    const struct sweep_vary *vary; /* the --vary options in command-line order */
    uint32_t nvary;                /* 1..SWEEP_MAX_VARY */
};

struct sweep; /* every point's scenario, loaded and checked */

/* Load the scenario once per point, apply the sets then the point's values, and check it.
 * Every invalid point's errors go to err (NULL: not printed), each point introduced by its
 * number and values; errors name the file, line and path, or the --vary that gave the value.
 * Returns 0 with *out, or TS_ESCENARIO (some point is invalid, or the file cannot be read)
 * or TS_ELIMIT (too many points) with *out NULL. */
int sweep_load(const struct sweep_spec *spec, FILE *err, struct sweep **out);
void sweep_free(struct sweep *sw);

uint32_t sweep_npoints(const struct sweep *sw);
uint32_t sweep_nvary(const struct sweep *sw);
/* The path of vary i, and point p's (1-based) value of it, as given. */
const char *sweep_vary_path(const struct sweep *sw, uint32_t i);
const char *sweep_value(const struct sweep *sw, uint32_t p, uint32_t i);
/* Point p's scenario as read (p 1-based). */
const struct world_config *sweep_config(const struct sweep *sw, uint32_t p);

/* How a sweep's runs are shared between processes (MPI ranks; see sweep_mpi.h). Each run goes to
 * one rank; rank 0 alone writes the sweep's own files. NULL in sweep_opts: this process does
 * everything. Both calls are collective and return 0 or a TS_E* code. */
struct sweep_team {
    int rank, size;
    void *ctx;
    int (*bcast)(const struct sweep_team *t, void *buf, size_t len); /* rank 0's to all */
    int (*max)(const struct sweep_team *t, int *v, size_t n); /* element-wise, on every rank */
};

struct sweep_opts {
    const char *out_dir;         /* NULL writes no file (and there is nothing to resume) */
    uint32_t reps;               /* replications per point, 1..REPS_MAX */
    uint32_t jobs;               /* threads, 1..REPS_MAX_JOBS */
    const atomic_int *interrupt; /* raised by a signal: stop cleanly */
    bool progress;               /* a line on stderr, rewritten as runs end */
    const struct sweep_team *team;
};

struct sweep_kpi {
    const char *name;      /* summary.csv's column */
    int decimals;          /* digits summary.csv writes it with */
    uint32_t n;            /* complete replications with a value */
    double mean, sd, half; /* half: 95 % Student-t half-width; sd and half NAN when n < 2 */
};

struct sweep_point {
    uint32_t reps_done; /* replications complete */
    uint32_t nkpis;
    struct sweep_kpi *kpis; /* in summary.csv's column order */
};

struct sweep_result {
    int rc;           /* 0; TS_EINTR; TS_EINVAL (out_dir holds another sweep); TS_EIO; or the
                         first failed run's code */
    char error[480];  /* what went wrong, when rc != 0 */
    uint32_t npoints; /* points[] is meaningful on rank 0 only */
    struct sweep_point *points;
    uint32_t runs;      /* points x replications */
    uint32_t runs_kept; /* complete in an earlier, interrupted invocation: not run again */
    uint32_t runs_done; /* run now (by every rank) and complete */
};

/* Run every replication of every point. With out_dir: out_dir/sweep.json (the manifest:
 * the scenario after --set, the varies, the replications), out_dir/point-NNN/ (as reps_run
 * writes it), out_dir/resume/ (a record per complete run, its summary at full precision) and
 * out_dir/sweep.csv, written last (also when interrupted: its `reps` column then says how
 * many replications completed). When out_dir already holds this sweep's manifest, runs
 * with a record are kept; a different manifest is refused (TS_EINVAL) and nothing is
 * touched. Returns res->rc; release res with sweep_result_release. */
int sweep_run(const struct sweep *sw, const struct sweep_opts *o, struct sweep_result *res);
void sweep_result_release(struct sweep_result *res);

/* Point p's KPI `name`, or NULL. */
const struct sweep_kpi *sweep_kpi(const struct sweep_point *p, const char *name);

/* Write sweep.csv (docs/outputs.md): point, one column per vary, reps, then for every KPI
 * <kpi>_mean, <kpi>_sd, <kpi>_ci95_half; atomically. Returns 0 or TS_EIO. */
int sweep_write_csv(const char *path, const struct sweep *sw, const struct sweep_result *res);

#endif
