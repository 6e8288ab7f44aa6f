/* sim.h — the simulation: clock, pending events, random streams, the two output tables
 * (timeseries and summary), the event log, and the run loop.
 *
 * Everything a run needs hangs off one `struct sim` (Lua's way): no global state, so many
 * replications can run side by side in one process. Time is an integer count of
 * nanoseconds since the start of the run. The engine knows nothing of AWS: components
 * (models/) schedule events, draw from their own streams, declare their columns and write
 * their rows through this interface.
 */
#ifndef TIERSIM_SIM_H
#define TIERSIM_SIM_H

#include "tiersim/arena.h"
#include "tiersim/csvw.h"
#include "tiersim/err.h"
#include "tiersim/evq.h"

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_NS_PER_S INT64_C(1000000000)

/* The longest delay or duration anything may have: 1e18 ns, about 31.7 years. Scenario
 * durations are checked against it; a longer delay drawn from a distribution (a heavy tail)
 * is cut to it. Twice it still fits the clock, so now + delay never overflows. */
#define SIM_TIME_MAX INT64_C(1000000000000000000)

/* Nanoseconds from a delay in seconds: rounded, and kept in [0, SIM_TIME_MAX]. */
static inline int64_t sim_ns(double seconds)
{
    if (!(seconds > 0))
        return 0;
    if (!(seconds < 1e9))
        return SIM_TIME_MAX;
    return (int64_t)(seconds * 1e9 + 0.5);
}
static inline double sim_s(int64_t ns)
{
    return (double)ns / 1e9;
}

struct sim;

/* A reporter fills its columns of one row. For the timeseries, `span` is the length of
 * the interval the row covers (ns); for the summary it is the measured span after warmup. */
typedef void (*sim_report_fn)(struct sim *sim, void *ctx, double *row, int64_t span);

struct sim_column {
    char *name;
    int decimals; /* digits after the point when written */
};

struct sim_reporter {
    sim_report_fn fn;
    void *ctx;
};

/* A table of named numeric columns filled by reporters (the timeseries: one row per
 * interval; the summary: one row per run). */
struct sim_table {
    struct sim_column *cols;
    uint32_t ncols, cols_cap;
    struct sim_reporter *reps;
    uint32_t nreps, reps_cap;
    double *row; /* ncols values, NAN until a reporter fills them */
};

struct sim_stream {
    char *component, *purpose;
    gsl_rng *r;
};

struct sim {
    int64_t now;     /* ns since the start of the run; read-only outside sim.c */
    struct evq q;    /* pending events */
    uint64_t seed;   /* scenario seed: every stream derives from it */
    uint64_t events; /* events executed so far */
    int64_t end;     /* ns, the run's planned end (for progress); 0 if unknown */
    int64_t warmup;  /* ns, end of the warm-up: statistics count from here */

    struct arena arena; /* per-run cold allocations, freed by sim_release */

    struct sim_stream *streams;
    uint32_t nstreams, streams_cap;

    struct sim_table ts;      /* timeseries.csv columns (after t_s) */
    struct sim_table summary; /* summary.csv columns (after run, seed, status) */
    int64_t interval;         /* ns between timeseries rows; 0 = no sampling */
    struct csvw *ts_out;      /* NULL: rows are computed but not written */
    struct csvw *events_out;  /* NULL: the event log is not written */
    uint64_t logged;          /* event-log rows so far */

    /* Set by a signal handler: stop soon. An atomic, not a volatile sig_atomic_t: with
     * replications on several threads the flag is read by threads other than the one the
     * handler runs on, and only an atomic makes that well defined (a lock-free atomic is
     * also safe to write from a handler, C17 7.14.1.1). */
    const atomic_int *interrupt;
    bool progress;  /* show a progress line on stderr */
    int error;      /* first failure of the run (TS_E*), 0 if none */
    char error_text[256];
};

/* Set up an empty simulation at time 0 with scenario seed `seed`. */
void sim_init(struct sim *sim, uint64_t seed);
/* Free everything the simulation owns (streams, tables, events, arena). Output writers are
 * the caller's. */
void sim_release(struct sim *sim);

/* --- events ------------------------------------------------------------------------------- */

/* Record the run's first failure; the run loop stops after the current event. */
void sim_fail(struct sim *sim, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Schedule fn(sim, ctx, arg) at absolute time t >= now (asserted). Returns its handle. On a
 * built-in limit (EVQ_MAX_PENDING) the run fails with TS_ELIMIT and 0 is returned. */
static inline evq_handle sim_at(struct sim *sim, int64_t t, evq_fn fn, void *ctx, uint64_t arg)
{
    TS_ASSERT(t >= sim->now);
    evq_handle h = evq_push(&sim->q, t, fn, ctx, arg);
    if (!h)
        sim_fail(sim, TS_ELIMIT, "more than %u events pending at once", EVQ_MAX_PENDING);
    return h;
}

/* Schedule after a delay dt >= 0 (ns). */
static inline evq_handle sim_after(struct sim *sim, int64_t dt, evq_fn fn, void *ctx,
                                   uint64_t arg)
{
    return sim_at(sim, sim->now + dt, fn, ctx, arg);
}

/* Cancel a pending event: 0, or TS_ESTALE for a fired, cancelled or unknown handle. */
static inline int sim_cancel(struct sim *sim, evq_handle h)
{
    return evq_cancel(&sim->q, h);
}

/* Run events in time order until the next one is later than `until` (ns), none remain,
 * the interrupt flag is raised, or a failure is recorded. On a normal end the clock is
 * advanced to `until` (when finite). Returns 0, TS_EINTR, or the recorded failure. */
int sim_run(struct sim *sim, int64_t until);

/* --- random streams ----------------------------------------------------------------------- */

/* The stream of (component, purpose), created on first use and owned by the simulation.
 * Its draws depend only on the seed and the two names (rng.h). */
gsl_rng *sim_rng(struct sim *sim, const char *component, const char *purpose);

/* --- tables -------------------------------------------------------------------------------- */

/* Add a column (name printf-formatted) and return its index in the table's rows. */
uint32_t sim_column(struct sim_table *t, int decimals, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Add a reporter; reporters run in the order added. */
void sim_reporter(struct sim_table *t, sim_report_fn fn, void *ctx);
/* Fill t->row: NANs, then every reporter. */
void sim_table_fill(struct sim *sim, struct sim_table *t, int64_t span);

/* Start sampling: the first row at `interval` (ns), then one every interval. The header is
 * written to ts_out (if set) now, so call after every column is declared. */
void sim_start_sampling(struct sim *sim, int64_t interval);

/* --- event log ------------------------------------------------------------------------------ */

/* One row of events.csv: t_s, component, event, detail (printf-formatted). Not for the hot
 * path: one row per discrete happening (a launch, a decision), never per request. */
void sim_log(struct sim *sim, const char *component, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
