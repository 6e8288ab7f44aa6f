/* sim.c — the run loop, random streams, output tables, periodic sampling and the event log. */
#include "tiersim/sim.h"

#include "tiersim/rng.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sim_init(struct sim *sim, uint64_t seed)
{
    memset(sim, 0, sizeof *sim);
    evq_init(&sim->q);
    sim->seed = seed;
}

static void table_release(struct sim_table *t)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        free(t->cols[i].name);
    free(t->cols);
    free(t->reps);
    free(t->row);
    memset(t, 0, sizeof *t);
}

void sim_release(struct sim *sim)
{
    for (uint32_t i = 0; i < sim->nstreams; i++) {
        gsl_rng_free(sim->streams[i].r);
        free(sim->streams[i].component);
        free(sim->streams[i].purpose);
    }
    free(sim->streams);
    table_release(&sim->ts);
    table_release(&sim->summary);
    evq_release(&sim->q);
    arena_release(&sim->arena);
    sim->streams = NULL;
    sim->nstreams = sim->streams_cap = 0;
}

void sim_fail(struct sim *sim, int code, const char *fmt, ...)
{
    if (sim->error)
        return;
    sim->error = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->error_text, sizeof sim->error_text, fmt, ap);
    va_end(ap);
}

/* --- run loop ------------------------------------------------------------------------------ */

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(struct sim *sim, double t0, uint64_t ev0)
{
    double el = wall_seconds() - t0;
    double pct = sim->end > 0 ? 100.0 * (double)sim->now / (double)sim->end : 0.0;
    double rate = el > 0 ? (double)(sim->events - ev0) / el : 0.0;
    bool hours = sim->end > 2 * 3600 * SIM_NS_PER_S;
    double unit = hours ? 3600.0 : 1.0;
    fprintf(stderr, "\r  simulated %.1f %s of %.1f %s (%3.0f%%), %.2f M events/s   ",
            sim_s(sim->now) / unit, hours ? "h" : "s", sim_s(sim->end) / unit,
            hours ? "h" : "s", pct, rate / 1e6);
}

int sim_run(struct sim *sim, int64_t until)
{
    struct evq_event ev;
    double t0 = sim->progress ? wall_seconds() : 0.0, next_show = t0 + 0.5;
    uint64_t ev0 = sim->events;
    bool shown = false;
    for (;;) {
        if ((sim->events & 0xfffu) == 0) {
            if (sim->interrupt && *sim->interrupt)
                break;
            if (sim->progress && (sim->events & 0x3ffffu) == 0 && wall_seconds() >= next_show) {
                show_progress(sim, t0, ev0);
                shown = true;
                next_show = wall_seconds() + 0.5;
            }
        }
        if (!evq_pop_until(&sim->q, until, &ev))
            break;
        sim->now = ev.t;
        sim->events++;
        ev.fn(sim, ev.ctx, ev.arg);
        if (sim->error)
            break;
    }
    if (shown) { /* leave the final state on screen */
        show_progress(sim, t0, ev0);
        fputs("\n", stderr);
    }
    if (sim->error)
        return sim->error;
    if (sim->interrupt && *sim->interrupt)
        return TS_EINTR;
    if (until != INT64_MAX && sim->now < until)
        sim->now = until;
    return 0;
}

/* --- streams -------------------------------------------------------------------------------- */

gsl_rng *sim_rng(struct sim *sim, const char *component, const char *purpose)
{
    for (uint32_t i = 0; i < sim->nstreams; i++)
        if (strcmp(sim->streams[i].component, component) == 0 &&
            strcmp(sim->streams[i].purpose, purpose) == 0)
            return sim->streams[i].r;
    if (sim->nstreams == sim->streams_cap) {
        sim->streams_cap = sim->streams_cap ? sim->streams_cap * 2u : 16u;
        sim->streams = ts_realloc(sim->streams, sim->streams_cap * sizeof *sim->streams);
    }
    struct sim_stream *st = &sim->streams[sim->nstreams++];
    st->component = ts_strdup(component);
    st->purpose = ts_strdup(purpose);
    st->r = rng_stream_new(sim->seed, component, purpose);
    return st->r;
}

/* --- tables --------------------------------------------------------------------------------- */

uint32_t sim_column(struct sim_table *t, int decimals, const char *fmt, ...)
{
    if (t->ncols == t->cols_cap) {
        t->cols_cap = t->cols_cap ? t->cols_cap * 2u : 16u;
        t->cols = ts_realloc(t->cols, t->cols_cap * sizeof *t->cols);
        t->row = ts_realloc(t->row, t->cols_cap * sizeof *t->row);
    }
    va_list ap;
    va_start(ap, fmt);
    char buf[256];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->cols[t->ncols] = (struct sim_column){ts_strdup(buf), decimals};
    t->row[t->ncols] = NAN;
    return t->ncols++;
}

void sim_reporter(struct sim_table *t, sim_report_fn fn, void *ctx)
{
    if (t->nreps == t->reps_cap) {
        t->reps_cap = t->reps_cap ? t->reps_cap * 2u : 8u;
        t->reps = ts_realloc(t->reps, t->reps_cap * sizeof *t->reps);
    }
    t->reps[t->nreps++] = (struct sim_reporter){fn, ctx};
}

void sim_table_fill(struct sim *sim, struct sim_table *t, int64_t span)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        t->row[i] = NAN;
    for (uint32_t i = 0; i < t->nreps; i++)
        t->reps[i].fn(sim, t->reps[i].ctx, t->row, span);
}

static void on_sample(struct sim *sim, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    sim_table_fill(sim, &sim->ts, sim->interval);
    struct csvw *w = sim->ts_out;
    if (w) {
        csvw_num(w, sim_s(sim->now), 3);
        for (uint32_t i = 0; i < sim->ts.ncols; i++)
            csvw_num(w, sim->ts.row[i], sim->ts.cols[i].decimals);
        csvw_end_row(w);
    }
    sim_after(sim, sim->interval, on_sample, NULL, 0);
}

void sim_start_sampling(struct sim *sim, int64_t interval)
{
    sim->interval = interval;
    struct csvw *w = sim->ts_out;
    if (w) {
        csvw_str(w, "t_s");
        for (uint32_t i = 0; i < sim->ts.ncols; i++)
            csvw_str(w, sim->ts.cols[i].name);
        csvw_end_row(w);
    }
    if (interval > 0)
        sim_at(sim, sim->now + interval, on_sample, NULL, 0);
}

/* --- event log ------------------------------------------------------------------------------- */

void sim_log(struct sim *sim, const char *component, const char *event, const char *fmt, ...)
{
    sim->logged++;
    struct csvw *w = sim->events_out;
    if (!w)
        return;
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    csvw_num(w, sim_s(sim->now), 3);
    csvw_str(w, component);
    csvw_str(w, event);
    csvw_str(w, detail);
    csvw_end_row(w);
}
