/* run.h — one run of a scenario: its output folder, its files, and its summary. */
#ifndef TIERSIM_APP_RUN_H
#define TIERSIM_APP_RUN_H

#include "world.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct run_opts {
    const char *out_dir;   /* write the four files here; NULL writes none */
    const char *scenario;  /* the scenario as run (JSON text) for scenario.json; may be NULL */
    uint32_t run;          /* the run's number in summary.csv (1 for a single run) */
    const atomic_int *interrupt;       /* raised by a signal: stop cleanly */
    bool progress;         /* a progress line on stderr */
};

struct run_result {
    int rc;              /* 0, TS_EINTR (interrupted), TS_EIO (files), or the run's failure */
    char error[320];     /* what went wrong, when rc != 0 */
    const char *status;  /* summary.csv's status: "complete", "interrupted" or "failed" */
    uint64_t seed;       /* the seed the run used */
    uint32_t ncols;      /* summary columns (after run, seed, status) */
    char **names;
    double *values;
    int *decimals;       /* digits after the point each column is written with */
    uint64_t events;     /* events executed */
    int64_t end;         /* ns simulated */
    uint64_t peak_in_flight;
    uint64_t requests_live; /* requests out of the pool at the end: in flight, and abandoned
                               work still running downstream */
};

/* Run wc once. Files, if any, are written under temporary names and renamed when complete;
 * an interrupted run still renames its timeseries and events (complete up to the stop) and
 * writes a summary whose status is "interrupted"; files of an earlier run in the folder are
 * removed first so none can be mistaken for this run's. Returns res->rc. */
int run_scenario(const struct world_config *wc, const struct run_opts *o, struct run_result *res);

/* mkdir -p: create path and its missing parents. Returns 0, or -1 with errno set. */
int run_make_dirs(const char *path);

/* The value of summary column `name`, or NAN. */
double run_result_get(const struct run_result *res, const char *name);
void run_result_release(struct run_result *res);

#endif
